package families

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// The perf scenario measures the simulator itself: placement decisions and events
// per wall second for each scheduler × placer at several cluster sizes, on a
// synthetic workload whose size and arrival rate grow with the cluster (the same
// load per node at every size). Its cells run one at a time so they do not share
// cores. The Go benchmarks of perf_test.go run the same cells (BenchmarkPerf),
// comparable across commits with benchstat.

// PerfSpec is one cell of the perf scenario.
type PerfSpec struct {
	Scheduler, Placer string
	Nodes             int
	// JobsPerNode and RatePerNode size the synthetic workload: Nodes × JobsPerNode
	// jobs arriving at Nodes × RatePerNode jobs per simulated second.
	JobsPerNode, RatePerNode float64
	Seed                     uint64
}

// RunSpec returns the run the perf cell makes.
func (p PerfSpec) RunSpec() bench.RunSpec {
	jobs := max(1, int(float64(p.Nodes)*p.JobsPerNode+0.5))
	rate := float64(p.Nodes) * p.RatePerNode
	return bench.RunSpec{
		Scheduler: p.Scheduler, Placer: p.Placer,
		Workload: fmt.Sprintf("synthetic:jobs=%d,rate=%s", jobs, strconv.FormatFloat(rate, 'g', -1, 64)),
		Cluster:  fmt.Sprintf("nodes=%d,cpu=32000,mem=131072", p.Nodes),
		Seed:     p.Seed,
	}
}

// DefaultPerfPlacers are the placers the perf scenario measures by default
// (those registered).
var DefaultPerfPlacers = "firstfit|bestfit|worstfit|tetris|kube"

func splitBar(s string) []string {
	var out []string
	for _, x := range strings.Split(s, "|") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, unnest(x))
		}
	}
	return out
}

func registerPerf(reg *bench.Registry) {
	reg.RegisterScenario(bench.ScenarioSpec{
		Name:   "perf",
		Doc:    "simulator speed: placement decisions and events per wall second for each scheduler × placer at 1k, 10k and 100k nodes (cells run one at a time)",
		Serial: true,
		Params: []bench.Param{
			{Name: "schedulers", Type: bench.TypeList, Default: "monolithic", Doc: "schedulers, '|'-separated, ';' for ','"},
			{Name: "placers", Type: bench.TypeList, Default: DefaultPerfPlacers, Doc: "placers, '|'-separated (unregistered ones are skipped)"},
			{Name: "nodes", Type: bench.TypeList, Range: "[1, 2000000]", Default: "1000|10000|100000", Unit: "nodes", Doc: "cluster sizes, '|'-separated"},
			{Name: "jobs_per_node", Type: bench.TypeFloat, Range: "(0, 1000]", Default: "1", Doc: "synthetic jobs per node (about 8 tasks each)"},
			{Name: "rate_per_node", Type: bench.TypeFloat, Range: "(0, 1000]", Default: "0.01", Unit: "jobs/s", Doc: "arrival rate per node (the default leaves the cluster nearly empty: almost every node fits; perf.md reports the measured utilization)"},
			{Name: "slow", Type: bench.TypeList, Default: "tetris|kube", Doc: "placers that score every node (O(n) per decision), measured only up to slow_max nodes"},
			{Name: "slow_max", Type: bench.TypeInt, Range: "[1, 2000000]", Default: "10000", Unit: "nodes", Doc: "largest cluster for the slow placers"},
		},
		Cells: func(reg *bench.Registry, p *bench.Params, seeds int) ([]bench.Cell, error) {
			scheds := splitBar(p.List("schedulers", "monolithic"))
			var pls []string
			for _, pl := range splitBar(p.List("placers", DefaultPerfPlacers)) {
				name, _, _ := strings.Cut(pl, ":")
				if reg.HasPlacer(name) {
					pls = append(pls, pl)
				}
			}
			var sizes []int
			for _, s := range splitBar(p.List("nodes", "1000|10000|100000")) {
				n, err := strconv.Atoi(s)
				if err != nil || n <= 0 {
					return nil, fmt.Errorf("scenario perf: parameter nodes: %q is not a positive integer", s)
				}
				sizes = append(sizes, n)
			}
			slow := splitBar(p.List("slow", "tetris|kube"))
			slowMax := p.Int("slow_max", 10000)
			jpn := p.Float("jobs_per_node", 1)
			rpn := p.Float("rate_per_node", 0.01)
			if err := p.Err(); err != nil {
				return nil, err
			}
			if jpn <= 0 || rpn <= 0 {
				return nil, errors.New("scenario perf: jobs_per_node and rate_per_node must be positive")
			}
			if seeds <= 0 {
				seeds = 1
			}
			var cells []bench.Cell
			for _, sc := range scheds {
				for _, pl := range pls {
					for _, n := range sizes {
						if n > slowMax && slices.Contains(slow, pl) {
							continue
						}
						for s := 1; s <= seeds; s++ {
							ps := PerfSpec{Scheduler: sc, Placer: pl, Nodes: n, JobsPerNode: jpn, RatePerNode: rpn, Seed: uint64(s)}
							spec := ps.RunSpec()
							cells = append(cells, bench.Cell{
								Labels: []bench.Label{{Key: "scheduler", Value: sc}, {Key: "placer", Value: pl}, {Key: "nodes", Value: strconv.Itoa(n)}},
								Seed:   uint64(s),
								Run:    func() (*scheduler.Result, error) { return reg.Run(spec) },
							})
						}
					}
				}
			}
			return cells, nil
		},
		Report: perfReport,
	})
}

func perfReport(dir string, _ *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	groups := bench.Groups(cells, results)
	t := &bench.Table{Header: []string{"scheduler", "placer", "nodes", "tasks", "decisions/s", "events/s", "wall s", "sim s", "CPU util %"}}
	lowUtil, highUtil := math.Inf(1), math.Inf(-1)
	dec := &bench.Chart{Title: "Placement decisions per wall second", XLabel: "cluster size (nodes)", YLabel: "placements per wall second (1/s)", XLog: true, YLog: true}
	ev := &bench.Chart{Title: "Simulation events per wall second", XLabel: "cluster size (nodes)", YLabel: "events per wall second (1/s)", XLog: true, YLog: true}
	at := map[string]int{}
	for gi := range groups {
		g := &groups[gi]
		name := g.Label("placer")
		if sc := g.Label("scheduler"); sc != "monolithic" {
			name = sc + " + " + name
		}
		if len(g.Results) == 0 {
			t.Add(g.Label("scheduler"), g.Label("placer"), g.Label("nodes"), "failed")
			continue
		}
		d, _ := bench.MeanCI(g.Values(bench.MetricPlacePerSec))
		e, _ := bench.MeanCI(g.Values(bench.MetricEventsPerSec))
		w, _ := bench.MeanCI(g.Values(bench.Metric{Get: func(r *scheduler.Result) float64 { return r.WallSeconds }}))
		r := g.Results[0]
		t.Add(g.Label("scheduler"), g.Label("placer"), g.Label("nodes"), strconv.Itoa(r.TasksSubmitted), bench.Num(d), bench.Num(e), bench.Num(w), bench.Num(r.SimSeconds), bench.Num(100*r.Utilization.CPU))
		lowUtil, highUtil = math.Min(lowUtil, 100*r.Utilization.CPU), math.Max(highUtil, 100*r.Utilization.CPU)
		n, _ := strconv.ParseFloat(g.Label("nodes"), 64)
		i, ok := at[name]
		if !ok {
			i = len(dec.Lines)
			at[name] = i
			dec.Lines = append(dec.Lines, bench.Line{Name: name, Points: true})
			ev.Lines = append(ev.Lines, bench.Line{Name: name, Points: true})
		}
		dec.Lines[i].X, dec.Lines[i].Y = append(dec.Lines[i].X, n), append(dec.Lines[i].Y, d)
		ev.Lines[i].X, ev.Lines[i].Y = append(ev.Lines[i].X, n), append(ev.Lines[i].Y, e)
	}
	var b strings.Builder
	b.WriteString("# Simulator performance\n\nOne run per cell, one cell at a time, on a synthetic workload whose jobs and arrival rate scale with the cluster. decisions/s = placements per wall second; events/s = simulation events per wall second. Wall-clock figures depend on the machine.")
	if highUtil >= lowUtil {
		load := "a loaded cluster"
		if highUtil < 10 {
			load = "a nearly empty cluster, where almost every node fits a task: the easy case for an index"
		}
		fmt.Fprintf(&b, " Measured CPU utilization over the runs: %s–%s %% — %s.", bench.Num(lowUtil), bench.Num(highUtil), load)
	}
	b.WriteString("\n\n")
	t.WriteMarkdown(&b)
	if len(dec.Lines) > 0 {
		if err := dec.Save(filepath.Join(dir, "plots", "perf_decisions")); err != nil {
			return err
		}
		if err := ev.Save(filepath.Join(dir, "plots", "perf_events")); err != nil {
			return err
		}
		b.WriteString("\n![decisions per second](plots/perf_decisions.png)\n![events per second](plots/perf_events.png)\n")
	}
	return os.WriteFile(filepath.Join(dir, "perf.md"), []byte(b.String()), 0o644)
}
