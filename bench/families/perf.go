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
//
// Two loads. PerfLoaded (the default) keeps the cluster 60–90 % allocated in steady
// state with mixed task shapes — CPU-heavy and memory-heavy tasks (negatively
// correlated requests) and whole-GPU tasks on the one node in eight that has GPUs —
// so a decision has to skip nodes full in one dimension or another: the regime
// where an index earns its keep. PerfEmpty is the old near-empty case (under 1 %
// allocated; almost every node fits): the easy case, kept for comparison.

// Perf loads.
const (
	PerfLoaded = "loaded"
	PerfEmpty  = "empty"
)

// PerfSpec is one cell of the perf scenario.
type PerfSpec struct {
	Scheduler, Placer string
	Nodes             int
	// Load is PerfLoaded (also when empty) or PerfEmpty.
	Load string
	// JobsPerNode and RatePerNode size the synthetic workload: Nodes × JobsPerNode
	// jobs arriving at Nodes × RatePerNode jobs per simulated second. Zero means the
	// load's default (PerfDefaults).
	JobsPerNode, RatePerNode float64
	Seed                     uint64
}

// PerfDefaults returns the jobs per node and arrival rate per node of a load: 6
// jobs per node at 0.004 jobs/s per node (arrivals over 1,500 simulated seconds,
// about 80 % of the CPU allocated after the first few minutes) for PerfLoaded, 1
// at 0.01 for PerfEmpty.
func PerfDefaults(load string) (jobsPerNode, ratePerNode float64) {
	if load == PerfEmpty {
		return 1, 0.01
	}
	return 6, 0.004
}

// perfLoadedTasks is the loaded workload's job shape: about 6.6 tasks per job
// running about 340 s, 3 cores and 8 GiB per task on average, CPU and memory
// negatively correlated (so both CPU-heavy and memory-heavy tasks), 5 % of jobs
// asking for 1, 2 or 4 whole GPUs per task, no gangs.
const perfLoadedTasks = "tasks=median(4;1)[1;64],runtime=median(300;0.5)[10;3600]," +
	"cpu=median(2000;0.9)[100;16000],mem=median(6144;1)[256;65536],corr=-0.3,gang=0," +
	"gpu=0.05,gpu_count=1:4;2:2;4:1"

// perfWarmup is left out of the loaded cells' measurement window (the cluster
// fills in the first minutes).
const perfWarmup = 600 * scheduler.Second

// RunSpec returns the run the perf cell makes. A loaded cell measures its
// time-averaged metrics over the arrivals after perfWarmup (the steady state).
func (p PerfSpec) RunSpec() bench.RunSpec {
	jpn, rpn := PerfDefaults(p.Load)
	if p.JobsPerNode > 0 {
		jpn = p.JobsPerNode
	}
	if p.RatePerNode > 0 {
		rpn = p.RatePerNode
	}
	jobs := max(1, int(float64(p.Nodes)*jpn+0.5))
	rate := strconv.FormatFloat(float64(p.Nodes)*rpn, 'g', -1, 64)
	spec := bench.RunSpec{Scheduler: p.Scheduler, Placer: p.Placer, Seed: p.Seed}
	if p.Load == PerfEmpty {
		spec.Workload = fmt.Sprintf("synthetic:jobs=%d,rate=%s", jobs, rate)
		spec.Cluster = fmt.Sprintf("nodes=%d,cpu=32000,mem=131072", p.Nodes)
		return spec
	}
	gpu := p.Nodes / 8
	spec.Workload = fmt.Sprintf("synthetic:jobs=%d,rate=%s,%s", jobs, rate, perfLoadedTasks)
	spec.Cluster = fmt.Sprintf("nodes=%d,cpu=32000,mem=131072", p.Nodes-gpu)
	if gpu > 0 {
		spec.Cluster += fmt.Sprintf("+nodes=%d,cpu=32000,mem=131072,gpu=8", gpu)
	}
	spec.Window = scheduler.Window{Mode: scheduler.WindowArrivals, Warmup: perfWarmup}
	return spec
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
			{Name: "load", Type: bench.TypeEnum, Default: PerfLoaded, Doc: "loaded (60–90 % of the CPU allocated in steady state, CPU-heavy, memory-heavy and GPU tasks, one node in eight with 8 GPUs) or empty (the near-empty case: almost every node fits); perf.md reports the measured utilization"},
			{Name: "jobs_per_node", Type: bench.TypeFloat, Range: "(0, 1000]", Default: "6 (loaded), 1 (empty)", Doc: "synthetic jobs per node (about 7–8 tasks each)"},
			{Name: "rate_per_node", Type: bench.TypeFloat, Range: "(0, 1000]", Default: "0.004 (loaded), 0.01 (empty)", Unit: "jobs/s", Doc: "arrival rate per node"},
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
			load := p.Enum("load", PerfLoaded, PerfLoaded, PerfEmpty)
			jpn, rpn := PerfDefaults(load)
			jpn = p.Float("jobs_per_node", jpn)
			rpn = p.Float("rate_per_node", rpn)
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
							ps := PerfSpec{Scheduler: sc, Placer: pl, Nodes: n, Load: load, JobsPerNode: jpn, RatePerNode: rpn, Seed: uint64(s)}
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

func perfReport(dir string, p *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	groups := bench.Groups(cells, results)
	t := &bench.Table{Header: []string{"scheduler", "placer", "nodes", "tasks", "decisions/s", "events/s", "wall s", "sim s", "CPU util %", "mem util %", "GPU util %"}}
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
		t.Add(g.Label("scheduler"), g.Label("placer"), g.Label("nodes"), strconv.Itoa(r.TasksSubmitted), bench.Num(d), bench.Num(e), bench.Num(w), bench.Num(r.SimSeconds), bench.Num(100*r.Utilization.CPU), bench.Num(100*r.Utilization.Mem), gpuUtil(r))
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
		over := "over the whole runs"
		if p.Enum("load", PerfLoaded, PerfLoaded, PerfEmpty) == PerfLoaded {
			over = fmt.Sprintf("in steady state (the arrivals after the first %s)", perfWarmup)
		}
		fmt.Fprintf(&b, " Measured CPU utilization %s: %s–%s %% — %s.", over, bench.Num(lowUtil), bench.Num(highUtil), perfLoadSentence(lowUtil, highUtil))
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

// perfLoadSentence names the regime a range of measured CPU utilizations (in %)
// puts the perf cells in.
func perfLoadSentence(low, high float64) string {
	switch {
	case high < 10:
		return "a nearly empty cluster, where almost every node fits a task: the easy case for an index"
	case low >= 60 && high <= 90:
		return "a loaded cluster, where a decision must skip nodes that are full in some dimension"
	default:
		return "outside the loaded range of 60–90 %"
	}
}

func gpuUtil(r *scheduler.Result) string {
	if r.Utilization.GPU == 0 {
		return "-"
	}
	return bench.Num(100 * r.Utilization.GPU)
}
