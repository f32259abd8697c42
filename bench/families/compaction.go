package families

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// Cell compaction (Verma et al., "Large-scale cluster management at Google with
// Borg", EuroSys 2015, §5.1): how small a cell can a workload be packed into? The
// workload is taken as a snapshot — every task present at once and never
// finishing — and placed by the scheduler and placer on the first k machines of a
// seeded random order of the cluster's machines. The smallest k that places as
// many tasks as the whole cluster does is found by binary search; repeating over
// seeds (machine orders) gives a distribution, and comparing placers shows which
// packs tighter.

// CompactionSpec describes one compaction search.
type CompactionSpec struct {
	Scheduler, Placer, Workload, Cluster string
	// WorkloadSeed seeds the workload (fixed across machine orders); OrderSeed
	// seeds the machine order.
	WorkloadSeed, OrderSeed uint64
}

// snapshot makes a workload a snapshot: every job submitted at time 0, every task
// running forever.
type snapshot struct{ src scheduler.Source }

func (s snapshot) Next() (*scheduler.Job, error) {
	j, err := s.src.Next()
	if j != nil {
		j.Submit = 0
		j.After = nil
		for i := range j.Tasks {
			j.Tasks[i].Runtime = scheduler.Forever
		}
	}
	return j, err
}

// placeSnapshot places spec's workload snapshot on nodes and returns the result
// (TasksRunning is the number of tasks placed).
func placeSnapshot(reg *bench.Registry, spec CompactionSpec, nodes []scheduler.Node) (*scheduler.Result, error) {
	w, _, err := reg.OpenWorkload(spec.Workload, spec.WorkloadSeed)
	if err != nil {
		return nil, bench.Usage("workload", err)
	}
	sched, err := reg.NewScheduler(spec.Scheduler, spec.Placer)
	if err != nil {
		return nil, bench.Usage("scheduler", err)
	}
	cfg := scheduler.DefaultConfig()
	cfg.Seed = spec.OrderSeed
	cfg.Nodes = nodes
	cfg.Horizon = scheduler.Second // everything arrives at 0; retries cannot help
	cfg.Quiesce = scheduler.Second
	var src scheduler.Source = w.Source
	if _, ok := src.(scheduler.NodeSource); ok {
		src = bench.JobsOnly(src)
	}
	res, err := scheduler.Run(cfg, snapshot{src}, sched)
	if err != nil {
		return nil, err
	}
	res.Scheduler, res.Placer, res.Workload = spec.Scheduler, spec.Placer, spec.Workload
	return res, nil
}

// Compact finds, with the names of reg, by binary search over k, the smallest prefix of a seeded random
// order of the cluster's machines on which the workload snapshot places as many
// tasks as on the whole cluster. It returns the result of the run on that prefix,
// with Extra keys compaction.machines (k), compaction.machines_total,
// compaction.fraction (k / total), compaction.tasks_placed and compaction.runs
// (simulations made). The search assumes that more machines never place fewer
// tasks, as Borg's does.
func Compact(reg *bench.Registry, spec CompactionSpec) (*scheduler.Result, error) {
	cl := spec.Cluster
	var all []scheduler.Node
	if cl == "" || cl == "auto" || cl == "trace" {
		w, _, err := reg.OpenWorkload(spec.Workload, spec.WorkloadSeed)
		if err != nil {
			return nil, bench.Usage("workload", err)
		}
		if c, ok := w.Source.(interface{ Close() error }); ok {
			c.Close()
		}
		all = w.Nodes
		if len(all) == 0 {
			if cl == "trace" {
				return nil, bench.Usage("cluster", fmt.Errorf("workload %q has no static machines to compact; give a cluster", spec.Workload))
			}
			cl = bench.DefaultCluster
		}
	}
	if all == nil {
		var err error
		if all, err = bench.ParseCluster(cl); err != nil {
			return nil, bench.Usage("cluster", err)
		}
	}
	order := make([]scheduler.Node, len(all))
	copy(order, all)
	r := scheduler.NewRand(spec.OrderSeed, "compaction-order")
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	prefix := func(k int) []scheduler.Node {
		ns := make([]scheduler.Node, k)
		copy(ns, order[:k])
		for i := range ns {
			ns[i].ID = scheduler.NodeID(i)
		}
		return ns
	}
	runs := 0
	full, err := placeSnapshot(reg, spec, prefix(len(order)))
	runs++
	if err != nil {
		return nil, err
	}
	want := full.TasksRunning
	if want == 0 {
		return nil, errors.New("compaction: the workload places no task even on the whole cluster")
	}
	lo, hi := 1, len(order) // hi fits; find the smallest k that fits
	best := full
	for lo < hi {
		mid := lo + (hi-lo)/2
		res, err := placeSnapshot(reg, spec, prefix(mid))
		runs++
		if err != nil {
			return nil, err
		}
		if res.TasksRunning >= want {
			hi, best = mid, res
		} else {
			lo = mid + 1
		}
	}
	best.SetExtra("compaction.machines", float64(hi))
	best.SetExtra("compaction.machines_total", float64(len(order)))
	best.SetExtra("compaction.fraction", float64(hi)/float64(len(order)))
	best.SetExtra("compaction.tasks_placed", float64(want))
	best.SetExtra("compaction.runs", float64(runs))
	best.Seed = spec.OrderSeed
	return best, nil
}

// unnest turns a spec given inside a scenario parameter (where ',' separates the
// scenario's own parameters) back into a spec: ';' stands for ','.
func unnest(s string) string { return strings.ReplaceAll(s, ";", ",") }

// MetricCompaction is the compacted cell size as a percentage of the original.
var MetricCompaction = bench.Metric{Key: "extra.compaction.fraction", Name: "compacted cell size", Unit: "% of machines",
	Get: func(r *scheduler.Result) float64 { return 100 * r.Extra["compaction.fraction"] }}

func registerCompaction(reg *bench.Registry) {
	reg.RegisterScenario(bench.ScenarioSpec{
		Name: "compaction",
		Doc:  "Borg cell compaction: the smallest number of machines (binary search over seeded machine orders) on which a workload snapshot still fits, per placer",
		Params: []bench.Param{
			{Name: "workload", Type: bench.TypeString, Default: "synthetic:jobs=150", Doc: "workload spec, with ';' for ',' (its tasks are placed all at once and never finish)"},
			{Name: "cluster", Type: bench.TypeString, Default: "nodes=40,cpu=16000,mem=65536+nodes=40,cpu=32000,mem=131072+nodes=20,cpu=64000,mem=262144", Doc: "machines to compact, with ';' for ','; auto = the workload's own"},
			{Name: "placers", Type: bench.TypeList, Default: "firstfit|bestfit|worstfit|tetris|kube", Doc: "placers to compare, '|'-separated (unregistered ones are skipped)"},
			{Name: "scheduler", Type: bench.TypeString, Default: "monolithic", Doc: "scheduler spec, with ';' for ','"},
			{Name: "workload_seed", Type: bench.TypeInt, Range: "[0, inf]", Default: "1", Doc: "seed of the workload (the same for every machine order)"},
		},
		Cells: func(reg *bench.Registry, p *bench.Params, seeds int) ([]bench.Cell, error) {
			wl := unnest(p.String("workload", "synthetic:jobs=150"))
			cl := unnest(p.String("cluster", "nodes=40,cpu=16000,mem=65536+nodes=40,cpu=32000,mem=131072+nodes=20,cpu=64000,mem=262144"))
			sc := unnest(p.String("scheduler", "monolithic"))
			ws := uint64(p.Int("workload_seed", 1))
			var placers []string
			for _, pl := range strings.Split(p.List("placers", "firstfit|bestfit|worstfit|tetris|kube"), "|") {
				name, _, _ := strings.Cut(pl, ":")
				if reg.HasPlacer(name) {
					placers = append(placers, unnest(pl))
				}
			}
			if err := p.Err(); err != nil {
				return nil, err
			}
			if len(placers) == 0 {
				return nil, errors.New("scenario compaction: no registered placer in placers")
			}
			if seeds <= 0 {
				seeds = 5
			}
			var cells []bench.Cell
			for _, pl := range placers {
				for s := 1; s <= seeds; s++ {
					spec := CompactionSpec{Scheduler: sc, Placer: pl, Workload: wl, Cluster: cl, WorkloadSeed: ws, OrderSeed: uint64(s)}
					cells = append(cells, bench.Cell{
						Labels: []bench.Label{{Key: "placer", Value: pl}},
						Seed:   uint64(s),
						Run:    func() (*scheduler.Result, error) { return Compact(reg, spec) },
					})
				}
			}
			return cells, nil
		},
		Report: compactionReport,
	})
}

func compactionReport(dir string, _ *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	groups := bench.Groups(cells, results)
	t := &bench.Table{Header: []string{"placer", "machine orders", "machines (mean ± 95% CI)", "min", "max", "% of the cell", "tasks placed"}}
	chart := &bench.Chart{Title: "Cell compaction: smallest cell that fits the workload", XLabel: "compacted cell size (% of the original machines)",
		YLabel: "machine orders with a cell at most this small (%)", YFrom0: true, YMax: 100}
	for gi := range groups {
		g := &groups[gi]
		if len(g.Results) == 0 {
			t.Add(g.Label("placer"), "0", "failed")
			continue
		}
		ks := make([]float64, len(g.Results))
		var fr []float64
		for i, r := range g.Results {
			ks[i] = r.Extra["compaction.machines"]
			fr = append(fr, 100*r.Extra["compaction.fraction"])
		}
		m, h := bench.MeanCI(ks)
		pm, ph := bench.MeanCI(fr)
		t.Add(g.Label("placer"), fmt.Sprint(len(ks)), bench.FormatCI(m, h), bench.Num(slices.Min(ks)), bench.Num(slices.Max(ks)), bench.FormatCI(pm, ph),
			bench.Num(g.Results[0].Extra["compaction.tasks_placed"]))
		slices.Sort(fr)
		l := bench.Line{Name: g.Label("placer"), Points: true}
		for i, f := range fr {
			// a step CDF: after the i-th smallest, (i+1)/n of the orders
			l.X = append(l.X, f, f)
			l.Y = append(l.Y, 100*float64(i)/float64(len(fr)), 100*float64(i+1)/float64(len(fr)))
		}
		chart.Lines = append(chart.Lines, l)
	}
	var b strings.Builder
	b.WriteString("# Cell compaction\n\nThe smallest number of machines, in a seeded random order of the cluster's machines, on which the workload — every task at once, never finishing — places as many tasks as on the whole cluster (binary search; Borg, EuroSys 2015, §5.1). Lower is tighter packing.\n\n")
	t.WriteMarkdown(&b)
	if len(chart.Lines) > 0 {
		if err := chart.Save(filepath.Join(dir, "plots", "compaction_cdf")); err != nil {
			return err
		}
		b.WriteString("\n![compaction CDF](plots/compaction_cdf.png)\n")
	}
	return os.WriteFile(filepath.Join(dir, "compaction.md"), []byte(b.String()), 0o644)
}
