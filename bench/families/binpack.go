package families

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/binpack"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/traces"
)

// The binpack family (policies/binpack): the placers, and the monolithic
// scheduler (scheduler.Monolithic) that runs them by default.

var keyParam = bench.Param{Name: "key", Type: bench.TypeString, Default: "auto", Doc: "resource for norm=key and for comparisons: cpu, mem, gpu, disk, or auto (gpu for GPU tasks, else cpu)"}

func parseKey(owner string, p *bench.Params) (scheduler.Resource, error) {
	k := p.String("key", "auto")
	if k == "auto" {
		return binpack.AutoKey, nil
	}
	r, err := scheduler.ParseResource(k)
	if err != nil {
		return 0, fmt.Errorf("placer %s: parameter key: %w", owner, err)
	}
	return r, nil
}

func newFitPlacer(name string, worst bool) func(p *bench.Params) (scheduler.Placer, error) {
	return func(p *bench.Params) (scheduler.Placer, error) {
		key, err := parseKey(name, p)
		if err != nil {
			return nil, err
		}
		norm, err := binpack.ParseNorm(p.Enum("norm", "key", "key", "sum", "l2", "max"))
		if err != nil {
			return nil, err
		}
		return &binpack.Fit{Worst: worst, Norm: norm, Key: key}, p.Err()
	}
}

var fitParams = []bench.Param{keyParam,
	{Name: "norm", Type: bench.TypeEnum, Default: "key", Doc: "key: one resource (an ordered index that also skips nodes full in another dimension, O(log n)); sum: Σ free_r/max_cap_r (own btree, O(log n)); l2, max: leftover normalised by the node's capacity (scan, O(n))"}}

func parseShape(s string) ([]binpack.ShapePoint, error) {
	var pts []binpack.ShapePoint
	for _, pt := range strings.Split(s, "+") {
		u, sc, ok := strings.Cut(pt, ":")
		ui, err1 := strconv.ParseInt(strings.TrimSpace(u), 10, 64)
		si, err2 := strconv.ParseInt(strings.TrimSpace(sc), 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("placer kube: parameter shape: point %q is not utilisation:score", pt)
		}
		pts = append(pts, binpack.ShapePoint{Utilization: ui, Score: si})
	}
	return pts, nil
}

// maxResourceWeight bounds a weight of parseResourceWeights (Kubernetes' own
// limit for a NodeResourcesFit resource weight is 100).
const maxResourceWeight = 1000

func parseResourceWeights(owner, s string) ([]binpack.ResourceWeight, error) {
	var out []binpack.ResourceWeight
	for _, rw := range strings.Split(s, "+") {
		name, w, ok := strings.Cut(rw, ":")
		r, err := scheduler.ParseResource(strings.TrimSpace(name))
		if err != nil {
			return nil, fmt.Errorf("placer %s: parameter resources=%q: %w", owner, s, err)
		}
		wt := int64(1)
		if ok {
			wt, err = strconv.ParseInt(strings.TrimSpace(w), 10, 64)
			if err != nil || wt < 0 || wt > maxResourceWeight {
				return nil, fmt.Errorf("placer %s: parameter resources=%q: weight %q: want an integer in [0, %d]", owner, s, w, maxResourceWeight)
			}
		}
		out = append(out, binpack.ResourceWeight{Resource: r, Weight: wt})
	}
	return out, nil
}

// registerPlacers adds every placer of policies/binpack.
func registerPlacers(reg *bench.Registry) {
	registerFitPlacers(reg)
	registerRandomPlacers(reg)
	reg.RegisterPlacer(bench.PlacerSpec{Name: "tetris", Doc: "largest alignment Σ_r (req_r/cap_r)(free_r/cap_r) (Tetris, SIGCOMM'14), O(n)",
		New: func(*bench.Params) (scheduler.Placer, error) { return binpack.Tetris{}, nil }})
	reg.RegisterPlacer(bench.PlacerSpec{Name: "ffd", Doc: "first fit; gangs placed first-fit decreasing (largest request first) all at once",
		New: func(*bench.Params) (scheduler.Placer, error) { return &binpack.FFD{}, nil }})
	reg.RegisterPlacer(kubePlacer)
	reg.RegisterPlacer(nomadPlacer)
	reg.RegisterPlacer(volcanoPlacer)
	registerGPUPlacers(reg)
}

// registerFitPlacers adds the indexed fits: first, best, next and worst fit.
func registerFitPlacers(reg *bench.Registry) {
	reg.RegisterPlacer(bench.PlacerSpec{Name: "firstfit", Doc: "lowest-numbered node that fits (segment tree over node IDs, O(log n))",
		New: func(*bench.Params) (scheduler.Placer, error) { return &binpack.FirstFit{}, nil }})
	reg.RegisterPlacer(bench.PlacerSpec{Name: "bestfit", Doc: "feasible node with the least free capacity by a norm, ties lowest ID (ordered index, O(log n) for norm=key|sum)",
		Params: fitParams, New: newFitPlacer("bestfit", false)})
	reg.RegisterPlacer(bench.PlacerSpec{Name: "nextfit", Doc: "first node that fits at or after the last chosen one, wrapping (segment tree, O(log n))",
		New: func(*bench.Params) (scheduler.Placer, error) { return &binpack.NextFit{}, nil }})
	reg.RegisterPlacer(bench.PlacerSpec{Name: "worstfit", Doc: "feasible node with the most free capacity by a norm (ties: highest ID for key|sum, lowest for l2|max)",
		Params: fitParams, New: newFitPlacer("worstfit", true)})
}

// registerRandomPlacers adds random and randomk (power of k choices).
func registerRandomPlacers(reg *bench.Registry) {
	reg.RegisterPlacer(bench.PlacerSpec{Name: "random", Doc: "uniformly random feasible node (rejection sampling, then a scan)",
		New: func(*bench.Params) (scheduler.Placer, error) { return &binpack.Random{}, nil }})
	reg.RegisterPlacer(bench.PlacerSpec{Name: "randomk", Doc: "power of k choices: probe k random nodes, take the feasible one with the most (or least) free key resource; falls back to random",
		Params: []bench.Param{{Name: "k", Type: bench.TypeInt, Range: "[1, 1000000]", Memory: true, Default: "2", Doc: "nodes probed per decision"}, keyParam,
			{Name: "prefer", Type: bench.TypeEnum, Default: "most", Doc: "most (spread, Sparrow) or least (pack) free capacity among the probes"}},
		New: func(p *bench.Params) (scheduler.Placer, error) {
			key, err := parseKey("randomk", p)
			if err != nil {
				return nil, err
			}
			k := p.Int("k", 2)
			if k < 1 {
				return nil, fmt.Errorf("placer randomk: parameter k=%d: want ≥ 1", k)
			}
			least := p.Enum("prefer", "most", "most", "least") == "least"
			return &binpack.RandomK{K: k, Key: key, Least: least}, p.Err()
		}})
}

// kubePlacer is kube-scheduler's resource scoring (binpack.Kube).
var kubePlacer = bench.PlacerSpec{Name: "kube", Doc: "kube-scheduler NodeResourcesFit + BalancedAllocation, integer-exact, percentageOfNodesToScore with a rotating start; ties lowest ID",
	Params: []bench.Param{
		{Name: "strategy", Type: bench.TypeEnum, Default: "least", Doc: "least (LeastAllocated), most (MostAllocated), rtcr (RequestedToCapacityRatio)"},
		{Name: "resources", Type: bench.TypeString, Default: "cpu:1+mem:1", Doc: "NodeResourcesFit resources and weights, joined by +"},
		{Name: "shape", Type: bench.TypeString, Default: "0:0+100:10", Doc: "RTCR shape points utilisation:score (score 0..10), joined by +"},
		{Name: "fit_weight", Type: bench.TypeInt, Range: "[0, 100]", Default: "1", Doc: "NodeResourcesFit weight (0 disables)"},
		{Name: "balanced_weight", Type: bench.TypeInt, Range: "[0, 100]", Default: "1", Doc: "NodeResourcesBalancedAllocation weight (0 disables)"},
		{Name: "balanced", Type: bench.TypeEnum, Default: "current", Doc: "current (v1.34+: change in balance) or legacy (balance after the pod)"},
		{Name: "pct", Type: bench.TypeInt, Range: "[0, 100]", Default: "0", Unit: "%", Doc: "percentageOfNodesToScore; 0 = adaptive (50 − N/125, ≥ 5), 100 = all"},
	},
	New: func(p *bench.Params) (scheduler.Placer, error) {
		cfg := binpack.DefaultKubeConfig()
		st, err := binpack.ParseStrategy(p.Enum("strategy", "least", "least", "most", "rtcr", "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"))
		if err != nil {
			return nil, err
		}
		cfg.Strategy = st
		if cfg.Resources, err = parseResourceWeights("kube", p.String("resources", "cpu:1+mem:1")); err != nil {
			return nil, err
		}
		if cfg.Shape, err = parseShape(p.String("shape", "0:0+100:10")); err != nil {
			return nil, err
		}
		cfg.FitWeight = int64(p.Int("fit_weight", 1))
		cfg.BalancedWeight = int64(p.Int("balanced_weight", 1))
		cfg.LegacyBalanced = p.Enum("balanced", "current", "current", "legacy") == "legacy"
		cfg.Percentage = p.Int("pct", 0)
		if err := p.Err(); err != nil {
			return nil, err
		}
		k, err := binpack.NewKube(cfg)
		if err != nil {
			return nil, fmt.Errorf("placer kube: %w", err)
		}
		return k, nil
	}}

// nomadPlacer is Nomad's limited candidate search (binpack.Nomad).
var nomadPlacer = bench.PlacerSpec{Name: "nomad", Doc: "Nomad-style: shuffled nodes, first `limit` feasible candidates, best bin-pack (or spread) score",
	Params: []bench.Param{
		{Name: "limit", Type: bench.TypeInt, Range: "[0, 1000000]", Memory: true, Default: "0", Doc: "candidate limit; 0 = Nomad's (2 for batch jobs, max(2, ⌈log₂ N⌉) for service jobs)"},
		{Name: "algorithm", Type: bench.TypeEnum, Default: "binpack", Doc: "binpack or spread"},
	},
	New: func(p *bench.Params) (scheduler.Placer, error) {
		l := p.Int("limit", 0)
		if l < 0 {
			return nil, fmt.Errorf("placer nomad: parameter limit=%d: want ≥ 0", l)
		}
		spread := p.Enum("algorithm", "binpack", "binpack", "spread") == "spread"
		return &binpack.Nomad{Limit: l, Spread: spread}, p.Err()
	}}

// volcanoPlacer is Volcano's bin-pack plugin score (binpack.Volcano).
var volcanoPlacer = bench.PlacerSpec{Name: "volcano", Doc: "Volcano bin-pack plugin score (floating point): mean utilisation after the pod over requested resources, O(n)",
	Params: []bench.Param{{Name: "resources", Type: bench.TypeString, Default: "cpu:1+mem:1", Doc: "resources and weights, joined by +"}},
	New: func(p *bench.Params) (scheduler.Placer, error) {
		w, err := parseResourceWeights("volcano", p.String("resources", "cpu:1+mem:1"))
		if err != nil {
			return nil, err
		}
		return &binpack.Volcano{Weights: w}, p.Err()
	}}

// registerGPUPlacers adds the FGD paper's six GPU placers (gpu-random ...
// gpu-fgd); gpu-fgd takes its typical-pod distribution as a parameter.
func registerGPUPlacers(reg *bench.Registry) {
	for k := binpack.GPURandom; k <= binpack.GPUFGD; k++ {
		spec := bench.PlacerSpec{Name: "gpu-" + k.String(), Doc: gpuDocs[k]}
		if k == binpack.GPUFGD {
			spec.Params = []bench.Param{
				{Name: "typical", Type: bench.TypeString, Default: "online", Doc: "typical-pod distribution: online (learned from the tasks placed) or the path of an openb pod list CSV"},
				{Name: "refresh", Type: bench.TypeInt, Range: "[1, 1000000000]", Default: "1000", Doc: "online: rebuild the distribution every this many tasks"},
			}
		}
		spec.New = func(p *bench.Params) (scheduler.Placer, error) {
			if k != binpack.GPUFGD {
				return binpack.NewGPUPolicy(k, nil)
			}
			return newFGDPlacer(p)
		}
		reg.RegisterPlacer(spec)
	}
}

// newFGDPlacer builds gpu-fgd from its parameters typical and refresh.
func newFGDPlacer(p *bench.Params) (scheduler.Placer, error) {
	typ := p.String("typical", "online")
	every := p.Int("refresh", 1000)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if typ == "online" {
		return binpack.NewOnlineFGD(every)
	}
	if st, err := os.Stat(typ); err == nil && st.IsDir() {
		return nil, fmt.Errorf("placer gpu-fgd: parameter typical=%q: a directory; want online or an openb pod list CSV file", typ)
	}
	pods, err := traces.ReadOpenbPods(filepath.Clean(typ))
	if err != nil {
		return nil, fmt.Errorf("placer gpu-fgd: parameter typical: %w", err)
	}
	if len(pods) == 0 {
		return nil, fmt.Errorf("placer gpu-fgd: parameter typical=%q: the pod list has no pods", typ)
	}
	shapes := make([]binpack.PodShape, len(pods))
	for i := range pods {
		t := fgdTask(&pods[i])
		shapes[i] = binpack.ShapeOf(&t)
	}
	return binpack.NewGPUPolicy(binpack.GPUFGD, binpack.NewFrag(binpack.NewTypicalPods(shapes, 95)))
}

var gpuDocs = map[binpack.GPUKind]string{
	binpack.GPURandom:     "FGD paper: uniformly random feasible node and random fitting GPU",
	binpack.GPUDotProduct: "FGD paper: DotProduct (Tetris-style, merge dimension, max-normalised), tightest GPU",
	binpack.GPUClustering: "FGD paper: GpuClustering (co-locate tasks with the same GPU-count tag)",
	binpack.GPUPacking:    "FGD paper: GpuPacking (partly used GPUs, then partly used nodes, then idle nodes)",
	binpack.GPUBestFit:    "FGD paper: BestFit (least CPU+GPU left, min-max normalised)",
	binpack.GPUFGD:        "FGD paper: fragmentation gradient descent (least growth of expected GPU fragmentation)",
}

func registerMonolithic(reg *bench.Registry) {
	reg.RegisterScheduler(bench.SchedulerSpec{Name: "monolithic", Doc: "one Kubernetes-style queue (priority, then arrival; backoff 1s doubling to 10s); gangs placed all-or-nothing in one cycle",
		Params: []bench.Param{
			{Name: "t_job", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "0", Unit: "s", Doc: "simulated decision time per attempt"},
			{Name: "t_task", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "0", Unit: "s", Doc: "simulated decision time per task attempted"},
			{Name: "backoff", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "1s", Doc: "initial backoff"},
			{Name: "max_backoff", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "10s", Doc: "maximum backoff (×√size for gangs)"},
			{Name: "preemption", Type: bench.TypeBool, Default: "false", Doc: "evict lower-priority tasks for a task that fits nowhere"},
		},
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			pl, err := newPlacer()
			if err != nil {
				return nil, err
			}
			cfg := scheduler.DefaultMonolithicConfig()
			cfg.Placer = pl
			cfg.DecisionJob = p.Duration("t_job", 0)
			cfg.DecisionTask = p.Duration("t_task", 0)
			cfg.InitialBackoff = p.Duration("backoff", cfg.InitialBackoff)
			cfg.MaxBackoff = p.Duration("max_backoff", cfg.MaxBackoff)
			cfg.Preemption = p.Bool("preemption", false)
			if err := p.Err(); err != nil {
				return nil, err
			}
			return scheduler.NewMonolithic(cfg)
		}})
}
