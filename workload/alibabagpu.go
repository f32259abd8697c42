package workload

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/schedlab/schedlab/scheduler"
)

// openbRow is one node shape of the openb GPU cluster (FGD.md §1.1).
type openbRow struct {
	model string
	gpus  int
	cpu   int64 // milli-cores
	mem   int64 // MiB
	count int
}

// openbShapes are the 1213 GPU nodes of Alibaba's openb cluster (FGD.md §1.1, taken
// from openb_node_list_gpu_node.csv): 6212 GPUs, 107,018,000 milli-cores in total.
var openbShapes = [...]openbRow{
	{"G2", 8, 96000, 393216, 549},
	{"T4", 2, 104000, 524288, 387},
	{"T4", 4, 96000, 393216, 17},
	{"P100", 2, 16000, 122880, 107},
	{"P100", 2, 64000, 262144, 22},
	{"P100", 2, 8000, 61440, 2},
	{"P100", 1, 8000, 61440, 3},
	{"G3", 8, 128000, 786432, 39},
	{"V100M16", 8, 64000, 262144, 7},
	{"V100M16", 8, 82000, 344064, 1},
	{"V100M16", 4, 32000, 131072, 28},
	{"V100M16", 1, 8000, 32768, 19},
	{"V100M32", 8, 96000, 786432, 21},
	{"V100M32", 4, 48000, 376832, 9},
	{"A10", 1, 128000, 1048576, 2},
}

// openbProbs are the probabilities of the empirical quantiles of DefaultAlibabaGPU.
var openbProbs = []float64{0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1}

// OpenBNodeCount is the number of GPU nodes in the openb cluster (FGD.md §1.1).
const OpenBNodeCount = 1213

// OpenBRackSize is how many consecutive nodes OpenBNodes puts in one failure domain
// (a choice of schedlab: the published node list has no rack information).
const OpenBRackSize = 16

// OpenBNodes returns n nodes shaped like the GPU nodes of Alibaba's openb cluster
// (FGD.md §1.1): with n = 1213 exactly its 15 node shapes in their published
// counts; otherwise each shape's count scaled by n/1213 and rounded by the
// largest-remainder method (ties to the shape listed first), so the total is exactly
// n. Nodes are numbered 0..n−1, named "openb-node-NNNN", carry their GPU model, and
// fall into failure domains "rack-NNN" of OpenBRackSize consecutive nodes. Each GPU
// is 1000 milli-GPU. The caller owns the slice.
func OpenBNodes(n int) []scheduler.Node {
	if n <= 0 {
		return nil
	}
	counts := make([]int, len(openbShapes))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(openbShapes))
	total := 0
	for i, s := range openbShapes {
		exact := float64(s.count) * float64(n) / OpenBNodeCount
		counts[i] = int(exact)
		total += counts[i]
		rems[i] = rem{i, exact - float64(counts[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool {
		if rems[a].r != rems[b].r {
			return rems[a].r > rems[b].r
		}
		return rems[a].i < rems[b].i
	})
	for k := 0; total < n; k = (k + 1) % len(rems) {
		counts[rems[k].i]++
		total++
	}
	nodes := make([]scheduler.Node, 0, n)
	for i, s := range openbShapes {
		for range counts[i] {
			id := len(nodes)
			nodes = append(nodes, scheduler.Node{
				ID:       scheduler.NodeID(id),
				Name:     fmt.Sprintf("openb-node-%04d", id),
				Capacity: scheduler.Res(s.cpu, s.mem, int64(s.gpus)*1000),
				GPUs:     s.gpus,
				GPUModel: s.model,
				Domain:   fmt.Sprintf("rack-%03d", id/OpenBRackSize),
			})
		}
	}
	return nodes
}

// Pod kinds of the openb pod mix, in the order of AlibabaGPU.Mix.
const (
	PodCPUOnly = iota // no GPU
	PodShare          // a share of one GPU (< 1000 milli)
	PodGPU1           // one whole GPU
	PodGPU2           // two whole GPUs
	PodGPU4           // four whole GPUs
	PodGPU8           // eight whole GPUs
	numPodKinds
)

// podGPUs is the whole-GPU count of each pod kind (share pods: 1 device, partially).
var podGPUs = [numPodKinds]int32{0, 1, 1, 2, 4, 8}

// AlibabaGPU configures the trace-shaped GPU workload of schedlab's embedded default:
// pods in the proportions of Alibaba's openb_pod_list_default (FGD.md §1.2), arriving
// by Poisson at the rate that offers Load of the cluster's GPU capacity, with
// multi-GPU training gangs added. It is generated from those published statistics;
// no trace row is copied. Numbers not in FGD.md are schedlab's choices, documented on
// each field and in DefaultAlibabaGPU.
type AlibabaGPU struct {
	// Nodes is the cluster size for OpenBNodes and for the arrival rate (default
	// 300, a quarter-scale openb; 1213 is the full openb GPU cluster).
	Nodes int
	// Jobs is the number of jobs (single pods and gangs); 0 = until Horizon.
	Jobs int
	// Horizon stops arrivals at this time; 0 = none.
	Horizon scheduler.Time
	// Load is the offered GPU load: arrival rate × mean GPU-time per job ÷ cluster
	// GPU capacity. Above 1 the queue grows without bound.
	Load float64
	// Mix holds the relative weights of single pods of each kind (PodCPUOnly …
	// PodGPU8).
	Mix [numPodKinds]float64
	// ShareMilli is the milli-GPU of a share pod (rounded, clamped to 1..999).
	ShareMilli Dist
	// CPUOnlyCPU is the CPU request of a CPU-only pod, in milli-cores.
	CPUOnlyCPU Dist
	// ShareCPU is the CPU request of a GPU-sharing pod, in milli-cores.
	ShareCPU Dist
	// CPUPerGPU is the CPU request of a whole-GPU pod per GPU device, in
	// milli-cores.
	CPUPerGPU Dist
	// MemPerCore is a pod's memory request per requested core, in MiB: memory is
	// CPU × this ratio, so CPU and memory are positively correlated.
	//
	// Every pod's CPU and then memory are capped so that it fits an empty node of
	// the full openb cluster that has enough GPUs (the largest such node's CPU, then
	// the largest memory among those nodes with that much CPU); a pod with two or
	// more GPUs is capped further to its GPUs' share of a G2 node (12 cores and
	// 48 GiB per GPU).
	MemPerCore Dist
	// CPUMemCorrelation couples a pod's CPU draw and its memory-per-core draw
	// through a Gaussian copula (in [-1, 1]; 0 = independent): in the openb pods,
	// larger pods also ask for more memory per core.
	CPUMemCorrelation float64
	// Runtime is a single pod's runtime in seconds.
	Runtime Dist
	// GangFraction is the fraction of jobs that are training gangs: GangSize pods,
	// each with GangGPUs whole GPUs, all-or-nothing (MinMember = size), running for
	// GangRuntime seconds.
	GangFraction float64
	GangSize     Choice
	GangGPUs     Choice
	GangRuntime  Dist
}

// DefaultAlibabaGPU returns the embedded default workload.
//
// From FGD.md: the node shapes (§1.1) and the pod mix of openb_pod_list_default
// (§1.2): of 8152 pods, 1088 CPU-only, 3078 share pods, 3911 whole 1-GPU pods, 16
// 2-GPU, 15 4-GPU and 44 8-GPU pods. The mean share-pod milli-GPU, 562.6, is derived
// from §1.2 (the 6,086,800 milli total minus the 4355 whole GPUs, over 3078 pods);
// ShareMilli is uniform on [125, 1000), whose mean 562.5 matches it.
//
// CPU and memory (FGD.md gives none) are empirical distributions through the
// quantiles (at openbProbs: p0, p5, p10, p20, …, p90, p95, p100) that schedlab
// computed once from the public openb_pod_list_default.csv — aggregate statistics,
// no row: CPU-only pods' CPU (median 12.5 cores), sharing pods' CPU (median 4
// cores), whole-GPU pods' CPU per GPU (median 11.3 cores), and memory per requested
// core for all pods (median 3,815 MiB; the file's minimum of 0 is raised to 512),
// drawn with copula correlation 0.8 to the CPU draw (chosen: the generated median
// memory is then about 33 GiB against the file's 41.6 GiB — independent draws give
// 28 GiB — with a heavier upper tail, p99 about 240 GiB against 126 GiB).
// Requests are capped to fit (see MemPerCore; multi-GPU pods take at most their
// GPUs' share of a G2 node, close to the file's 2-, 4- and 8-GPU pods, which ask
// 3–15 cores and 21–92 GiB per GPU). The file's pods request 14 milli-cores per
// milli-GPU against the cluster's 17, so CPU is nearly as contended as GPU — the
// situation FGD's fragmentation measure is about.
//
// Chosen by schedlab (FGD.md gives no runtimes and the pods have no gangs):
// Pods run lognormal with median 5 min
// (σ 0.8, 10 s..1 h). 2% of jobs are training gangs of 2, 4 or 8 pods
// (probabilities 0.4, 0.4, 0.2) each taking 1, 2, 4 or 8 whole GPUs (0.2, 0.2, 0.3,
// 0.3), running lognormal with median 15 min (σ 0.6, 2 min..1 h): 2% of the jobs
// but about half of the GPU work. Load 1.1 of the GPU capacity: slightly more than
// the cluster can run, so a queue builds and policies differ in waiting time,
// fragmentation and gang starvation. The cluster is a quarter-scale openb of 300
// nodes (every major shape present; Nodes = 1213 gives the full one), on which
// 10,000 jobs arrive in about an hour of simulated time (Span) — some six
// generations of the roughly 1,600 jobs running at once, so a run reaches steady
// state. Runtimes are short and clamped so that the drain after the last arrival
// stays short and a run takes a second or two of wall time. Utilization over a
// whole run includes the ramp-up and that drain.
func DefaultAlibabaGPU() AlibabaGPU {
	return AlibabaGPU{
		Nodes:             300,
		Jobs:              10000,
		Load:              1.1,
		Mix:               [numPodKinds]float64{1088, 3078, 3911, 16, 15, 44},
		ShareMilli:        UniformDist(125, 1000),
		CPUOnlyCPU:        EmpiricalDist(openbProbs, []float64{8000, 8000, 8000, 12500, 12500, 12500, 12500, 15400, 16500, 32000, 32000, 32000, 32000}),
		ShareCPU:          EmpiricalDist(openbProbs, []float64{1000, 3152, 3152, 3152, 3152, 4000, 4000, 6000, 8000, 11908, 11908, 11908, 12000}),
		CPUPerGPU:         EmpiricalDist(openbProbs, []float64{1000, 3152, 3152, 8000, 11300, 11300, 11300, 11400, 11908, 14200, 16000, 18708, 24200}),
		MemPerCore:        EmpiricalDist(openbProbs, []float64{512, 1536, 1777, 1777, 2048, 3718, 3815, 3956, 4222, 4350, 4588, 6144, 10923}),
		CPUMemCorrelation: 0.8,
		Runtime:           LogNormalMedian(300, 0.8).Clamp(10, 3600),
		GangFraction:      0.02,
		GangSize:          Choice{Values: []int64{2, 4, 8}, Weights: []float64{0.4, 0.4, 0.2}},
		GangGPUs:          Choice{Values: []int64{1, 2, 4, 8}, Weights: []float64{0.2, 0.2, 0.3, 0.3}},
		GangRuntime:       LogNormalMedian(900, 0.6).Clamp(120, 3600),
	}
}

// Validate reports the first invalid field, by name.
func (c *AlibabaGPU) Validate() error {
	switch {
	case c.Nodes <= 0:
		return fmt.Errorf("workload: alibaba-gpu Nodes = %d must be > 0", c.Nodes)
	case c.Nodes > MaxNodes:
		return nodeCount(float64(c.Nodes), "alibaba-gpu Nodes")
	case c.Jobs < 0:
		return fmt.Errorf("workload: alibaba-gpu Jobs = %d must be ≥ 0", c.Jobs)
	case c.Horizon < 0:
		return errors.New("workload: alibaba-gpu Horizon must be ≥ 0")
	case c.Jobs == 0 && c.Horizon == 0:
		return errors.New("workload: alibaba-gpu needs Jobs > 0 or a Horizon")
	case !(c.Load > 0) || math.IsInf(c.Load, 0):
		return fmt.Errorf("workload: alibaba-gpu Load = %g must be > 0", c.Load)
	case !(c.GangFraction >= 0 && c.GangFraction <= 1):
		return fmt.Errorf("workload: alibaba-gpu GangFraction = %g must be in [0, 1]", c.GangFraction)
	case !(c.CPUMemCorrelation >= -1 && c.CPUMemCorrelation <= 1):
		return fmt.Errorf("workload: alibaba-gpu CPUMemCorrelation = %g must be in [-1, 1]", c.CPUMemCorrelation)
	}
	var sum float64
	for i, w := range c.Mix {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("workload: alibaba-gpu Mix[%d] = %g must be ≥ 0", i, w)
		}
		sum += w
	}
	if sum <= 0 && c.GangFraction < 1 {
		return errors.New("workload: alibaba-gpu Mix weights sum to zero")
	}
	for _, d := range []struct {
		name string
		d    *Dist
	}{{"ShareMilli", &c.ShareMilli}, {"CPUOnlyCPU", &c.CPUOnlyCPU}, {"ShareCPU", &c.ShareCPU}, {"CPUPerGPU", &c.CPUPerGPU},
		{"MemPerCore", &c.MemPerCore}, {"Runtime", &c.Runtime}, {"GangRuntime", &c.GangRuntime}} {
		if err := d.d.Validate(); err != nil {
			return fmt.Errorf("workload: alibaba-gpu %s: %w", d.name, err)
		}
	}
	if c.GangFraction > 0 {
		if err := c.GangSize.Validate(); err != nil {
			return fmt.Errorf("workload: alibaba-gpu GangSize: %w", err)
		}
		if err := c.GangGPUs.Validate(); err != nil {
			return fmt.Errorf("workload: alibaba-gpu GangGPUs: %w", err)
		}
		for _, v := range c.GangSize.Values {
			if v < 1 {
				return fmt.Errorf("workload: alibaba-gpu GangSize value %d must be ≥ 1", v)
			}
		}
		for _, v := range c.GangGPUs.Values {
			if v != 1 && v != 2 && v != 4 && v != 8 {
				return fmt.Errorf("workload: alibaba-gpu GangGPUs value %d must be 1, 2, 4 or 8", v)
			}
		}
	}
	return nil
}

// Rate returns the arrival rate (jobs per second) that offers Load of the GPU
// capacity of OpenBNodes(Nodes), from the clamped means of the distributions.
func (c *AlibabaGPU) Rate() float64 {
	var capacity float64
	for _, n := range OpenBNodes(c.Nodes) {
		capacity += float64(n.Capacity[scheduler.GPU])
	}
	var sum, single float64
	for _, w := range c.Mix {
		sum += w
	}
	share := math.Min(999, c.ShareMilli.ClampedMean())
	for k, w := range c.Mix {
		if sum == 0 {
			break
		}
		d := float64(podGPUs[k]) * 1000
		if k == PodShare {
			d = share
		}
		single += w / sum * d
	}
	work := (1 - c.GangFraction) * single * c.Runtime.ClampedMean()
	if c.GangFraction > 0 {
		work += c.GangFraction * c.GangSize.Mean() * c.GangGPUs.Mean() * 1000 * c.GangRuntime.ClampedMean()
	}
	if work <= 0 || capacity <= 0 {
		return 1
	}
	return c.Load * capacity / work
}

// Span returns the expected time over which Jobs jobs arrive (Jobs ÷ Rate); 0 when
// Jobs is 0.
func (c *AlibabaGPU) Span() scheduler.Time {
	if c.Jobs == 0 {
		return 0
	}
	return scheduler.Seconds(float64(c.Jobs) / c.Rate())
}

// AlibabaGPUGenerator streams an AlibabaGPU workload; it implements scheduler.Source.
type AlibabaGPUGenerator struct {
	cfg      AlibabaGPU
	arr      *arrivals
	shape    *rand.Rand
	req      *rand.Rand
	run      *rand.Rand
	kinds    chooser
	size     chooser
	ggpus    chooser
	share    Sampler
	cpuOnly  Sampler
	cpuGPU   Sampler
	cpuShare Sampler
	memCore  Sampler
	rhoC     float64 // √(1−ρ²) of CPUMemCorrelation
	runtime  Sampler
	gangTime Sampler
	n        int
	done     bool
}

var _ scheduler.Source = (*AlibabaGPUGenerator)(nil)

// NewAlibabaGPU validates cfg and returns its generator.
func NewAlibabaGPU(cfg AlibabaGPU, seed uint64) (*AlibabaGPUGenerator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &AlibabaGPUGenerator{
		cfg:   cfg,
		arr:   newArrivals(Arrival{Kind: Poisson, Rate: cfg.Rate()}, scheduler.NewRand(seed, "workload/alibaba-gpu/arrival")),
		shape: scheduler.NewRand(seed, "workload/alibaba-gpu/shape"),
		req:   scheduler.NewRand(seed, "workload/alibaba-gpu/request"),
		run:   scheduler.NewRand(seed, "workload/alibaba-gpu/runtime"),
	}
	kinds := Choice{Values: make([]int64, numPodKinds), Weights: cfg.Mix[:]}
	for i := range kinds.Values {
		kinds.Values[i] = int64(i)
	}
	if kinds.Validate() == nil {
		g.kinds = newChooser(kinds)
	}
	if cfg.GangFraction > 0 {
		g.size = newChooser(cfg.GangSize)
		g.ggpus = newChooser(cfg.GangGPUs)
	}
	g.share = NewSampler(cfg.ShareMilli, g.req)
	g.cpuOnly = NewSampler(cfg.CPUOnlyCPU, g.req)
	g.cpuGPU = NewSampler(cfg.CPUPerGPU, g.req)
	g.cpuShare = NewSampler(cfg.ShareCPU, g.req)
	g.memCore = NewSampler(cfg.MemPerCore, g.req)
	g.rhoC = math.Sqrt(1 - cfg.CPUMemCorrelation*cfg.CPUMemCorrelation)
	g.runtime = NewSampler(cfg.Runtime, g.run)
	g.gangTime = NewSampler(cfg.GangRuntime, g.run)
	return g, nil
}

// Config returns the generator's configuration.
func (g *AlibabaGPUGenerator) Config() AlibabaGPU { return g.cfg }

// Nodes returns OpenBNodes(cfg.Nodes), the cluster the workload is shaped for.
func (g *AlibabaGPUGenerator) Nodes() []scheduler.Node { return OpenBNodes(g.cfg.Nodes) }

// Next returns the next job, or io.EOF after Jobs jobs or at the Horizon.
func (g *AlibabaGPUGenerator) Next() (*scheduler.Job, error) {
	if g.done || (g.cfg.Jobs > 0 && g.n >= g.cfg.Jobs) {
		g.done = true
		return nil, io.EOF
	}
	t, _ := g.arr.next()
	if g.cfg.Horizon > 0 && t >= g.cfg.Horizon {
		g.done = true
		return nil, io.EOF
	}
	j := &scheduler.Job{ID: scheduler.JobID(g.n), Submit: t}
	g.n++
	if g.shape.Float64() < g.cfg.GangFraction || len(g.kinds.values) == 0 {
		size64 := g.size.draw(g.shape)
		gpus := int32(g.ggpus.draw(g.shape))
		if size64 > MaxTasksPerJob {
			g.done = true
			return nil, fmt.Errorf("%w: alibaba-gpu GangSize: %d pods in one gang, more than MaxTasksPerJob (%d)", ErrLimit, size64, MaxTasksPerJob)
		}
		size := int(size64)
		j.MinMember = int32(size)
		j.Tasks = make([]scheduler.Task, size)
		rt := runtimeTime(g.gangTime.Draw())
		for i := range j.Tasks {
			g.fill(&j.Tasks[i], gpus, 1000)
			j.Tasks[i].Index = int32(i)
			j.Tasks[i].Runtime = rt
		}
		return j, nil
	}
	j.Tasks = make([]scheduler.Task, 1)
	k := int(g.kinds.draw(g.shape))
	switch k {
	case PodCPUOnly:
		g.fill(&j.Tasks[0], 0, 0)
	case PodShare:
		g.fill(&j.Tasks[0], 1, int32(min(999, max(1, math.Round(g.share.Draw())))))
	default:
		g.fill(&j.Tasks[0], podGPUs[k], 1000)
	}
	j.Tasks[0].Runtime = runtimeTime(g.runtime.Draw())
	return j, nil
}

// fill sets a pod's requests: count × milli GPU, CPU per the pod kind, memory
// proportional to CPU, both capped to fit the openb node shapes (see MemPerCore).
func (g *AlibabaGPUGenerator) fill(t *scheduler.Task, count, milli int32) {
	z1 := g.req.NormFloat64()
	z2 := g.cfg.CPUMemCorrelation*z1 + g.rhoC*g.req.NormFloat64()
	var cpu float64
	switch {
	case count == 0:
		cpu = g.cpuOnly.FromNormal(z1)
	case milli < 1000:
		cpu = g.cpuShare.FromNormal(z1)
	default:
		cpu = float64(count) * g.cpuGPU.FromNormal(z1)
	}
	c := int64(math.Round(cpu))
	m := int64(math.Round(float64(c) / 1000 * g.memCore.FromNormal(z2)))
	if count >= 2 {
		// A multi-GPU pod takes at most its GPUs' share of a G2 node.
		c = min(c, int64(count)*multiGPUCPUPerGPU)
		m = min(m, int64(count)*multiGPUMemPerGPU)
	}
	c, m = openbCap(int(count), c, m)
	t.Request = scheduler.Res(c, m, int64(count)*int64(milli))
	t.GPUCount, t.GPUMilli = count, milli
}

// A pod with two or more whole GPUs requests at most this much CPU (milli-cores) and
// memory (MiB) per GPU: a G2 node's share per GPU (96 cores and 384 GiB for 8 GPUs),
// the commonest multi-GPU node, so that gangs of 8-GPU pods fit G2 nodes (a choice
// of schedlab).
const (
	multiGPUCPUPerGPU = 12000
	multiGPUMemPerGPU = 49152
)

// openbCap caps a pod with gpus GPUs to the largest CPU of the openb node shapes
// with that many GPUs, then its memory to the largest memory among those shapes
// with at least that CPU, so that it fits an empty node of the full cluster.
func openbCap(gpus int, cpu, mem int64) (int64, int64) {
	var maxCPU int64
	for i := range openbShapes {
		if s := &openbShapes[i]; s.gpus >= gpus && s.cpu > maxCPU {
			maxCPU = s.cpu
		}
	}
	cpu = min(cpu, maxCPU)
	var maxMem int64
	for i := range openbShapes {
		if s := &openbShapes[i]; s.gpus >= gpus && s.cpu >= cpu && s.mem > maxMem {
			maxMem = s.mem
		}
	}
	return cpu, min(mem, maxMem)
}
