package workload

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/schedlab/schedlab/scheduler"
)

// Synthetic configures a synthetic workload: jobs arriving by an arrival process,
// each with a number of identical-shaped tasks whose runtimes and requests come from
// distributions. All units are documented per field; durations drawn from a Dist are
// in seconds.
type Synthetic struct {
	// Jobs is the number of jobs to generate; 0 means no limit (Horizon must be set).
	Jobs int
	// Horizon stops the stream at the first arrival at or after it; 0 = no limit.
	Horizon scheduler.Time
	// Arrival is the arrival process.
	Arrival Arrival
	// Tasks is the number of tasks per job, rounded to an integer and at least 1.
	// Clamp it (Dist.Hi) to bound job size.
	Tasks Dist
	// Runtime is a job's runtime in seconds (drawn once per job).
	Runtime Dist
	// TaskRuntimeSigma spreads runtimes within a job: each task runs the job's
	// runtime × a lognormal factor with median 1 and this log standard deviation.
	// 0 gives every task the job's runtime. The factor is drawn by inverse CDF from
	// a 1025-point quantile table of that lognormal, interpolated linearly (tails
	// beyond the 1/2048 quantiles are clipped), which is several times cheaper per
	// task than exp(σ·z).
	TaskRuntimeSigma float64
	// CPU is the per-task CPU request in milli-cores and Mem the per-task memory
	// request in MiB. They are drawn once per job (every task of a job has the same
	// shape, as in the Google traces) unless PerTaskRequests is set.
	CPU, Mem Dist
	// CPUMemCorrelation is the correlation, in [-1, 1], of the Gaussian copula that
	// couples the CPU and memory draws (0 = independent). Each marginal keeps its
	// configured distribution; their ranks are correlated.
	CPUMemCorrelation float64
	// PerTaskRequests draws CPU and memory for each task instead of once per job.
	PerTaskRequests bool
	// GPUFraction is the fraction of jobs whose tasks request GPUs.
	GPUFraction float64
	// GPUCount is the number of GPU devices per task of a GPU job that takes whole
	// devices.
	GPUCount Choice
	// GPUShareFraction is the fraction of GPU jobs whose tasks take a share of one
	// device, of GPUShareMilli milli-GPU (rounded, clamped to 1..999).
	GPUShareFraction float64
	GPUShareMilli    Dist
	// GangFraction is the fraction of jobs that are gangs; a gang of n tasks has
	// MinMember = ⌈MinMemberFraction × n⌉ (MinMemberFraction 0 means 1: strict).
	GangFraction      float64
	MinMemberFraction float64
	// GangTasks, when set, is the number of tasks of a gang job (rounded, at least
	// 1), in place of Tasks. The zero value, Const(0), means "use Tasks".
	GangTasks Dist
	// DAGFraction is the fraction of jobs that are DAGs of task groups (Job.Groups),
	// with DAGStages groups (rounded, at least 2, at most the number of tasks).
	// Group i > 0 runs after group i−1 and, with probability 0.3, also after one
	// random earlier group; tasks are split over the groups in contiguous blocks.
	DAGFraction float64
	DAGStages   Dist
	// Priority is the distribution of job priorities (nil values: all 0).
	Priority Choice
	// ServiceFraction is the fraction of jobs of class Service, whose runtime comes
	// from ServiceRuntime (seconds; a value ≥ 1e15 means run forever).
	ServiceFraction float64
	ServiceRuntime  Dist
	// Tenants spreads jobs uniformly over this many tenants named "t0", "t1", …;
	// 0 or 1 puts every job in the default tenant "".
	Tenants int
	// FirstID is the ID of the first job; later jobs count up.
	FirstID scheduler.JobID
}

// DefaultSynthetic returns a moderate batch workload meant for a few hundred nodes
// of 32 cores and 128 GiB (every number chosen by schedlab, not measured):
// 10,000 jobs arriving by Poisson at 2 jobs/s; tasks per job lognormal with median 4
// (σ 1.2, 1..500); runtimes lognormal with median 60 s (σ 1.5, 1 s..1 day); CPU
// lognormal median 1,000 milli-cores (σ 0.8, 100..16,000); memory lognormal median
// 2,048 MiB (σ 0.9, 64..65,536) with CPU–memory copula correlation 0.6; 10% of jobs
// are strict gangs; no GPUs, DAGs, priorities or services.
func DefaultSynthetic() Synthetic {
	return Synthetic{
		Jobs:              10000,
		Arrival:           Arrival{Kind: Poisson, Rate: 2},
		Tasks:             LogNormalMedian(4, 1.2).Clamp(1, 500),
		Runtime:           LogNormalMedian(60, 1.5).Clamp(1, 86400),
		CPU:               LogNormalMedian(1000, 0.8).Clamp(100, 16000),
		Mem:               LogNormalMedian(2048, 0.9).Clamp(64, 65536),
		CPUMemCorrelation: 0.6,
		GPUCount:          Choice{Values: []int64{1}},
		GPUShareMilli:     Const(500),
		GangFraction:      0.1,
		MinMemberFraction: 1,
		DAGStages:         Const(3),
		ServiceRuntime:    Const(1e15),
		Priority:          Choice{Values: []int64{0}},
	}
}

// Validate reports the first invalid field, by name.
func (c *Synthetic) Validate() error {
	frac := func(name string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("workload: synthetic %s = %g must be in [0, 1]", name, v)
		}
		return nil
	}
	switch {
	case c.Jobs < 0:
		return fmt.Errorf("workload: synthetic Jobs = %d must be ≥ 0", c.Jobs)
	case c.Horizon < 0:
		return errors.New("workload: synthetic Horizon must be ≥ 0")
	case c.Jobs == 0 && c.Horizon == 0 && c.Arrival.Kind != Replay:
		return errors.New("workload: synthetic needs Jobs > 0 or a Horizon (an endless stream)")
	case !(c.CPUMemCorrelation >= -1 && c.CPUMemCorrelation <= 1):
		return fmt.Errorf("workload: synthetic CPUMemCorrelation = %g must be in [-1, 1]", c.CPUMemCorrelation)
	case !(c.TaskRuntimeSigma >= 0):
		return fmt.Errorf("workload: synthetic TaskRuntimeSigma = %g must be ≥ 0", c.TaskRuntimeSigma)
	case c.Tenants < 0:
		return fmt.Errorf("workload: synthetic Tenants = %d must be ≥ 0", c.Tenants)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"GPUFraction", c.GPUFraction}, {"GPUShareFraction", c.GPUShareFraction}, {"GangFraction", c.GangFraction},
		{"MinMemberFraction", c.MinMemberFraction}, {"DAGFraction", c.DAGFraction}, {"ServiceFraction", c.ServiceFraction}} {
		if err := frac(f.name, f.v); err != nil {
			return err
		}
	}
	if err := c.Arrival.Validate(); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		d    *Dist
		used bool
	}{{"Tasks", &c.Tasks, true}, {"Runtime", &c.Runtime, true}, {"CPU", &c.CPU, true}, {"Mem", &c.Mem, true},
		{"GPUShareMilli", &c.GPUShareMilli, c.GPUFraction > 0 && c.GPUShareFraction > 0},
		{"DAGStages", &c.DAGStages, c.DAGFraction > 0},
		{"GangTasks", &c.GangTasks, c.GangTasks.isSet()},
		{"ServiceRuntime", &c.ServiceRuntime, c.ServiceFraction > 0}} {
		if !d.used {
			continue
		}
		if err := d.d.Validate(); err != nil {
			return fmt.Errorf("workload: synthetic %s: %w", d.name, err)
		}
	}
	if c.GPUFraction > 0 && c.GPUShareFraction < 1 {
		if err := c.GPUCount.Validate(); err != nil {
			return fmt.Errorf("workload: synthetic GPUCount: %w", err)
		}
		for _, v := range c.GPUCount.Values {
			if v < 1 || v > scheduler.MaxGPUsPerNode {
				return fmt.Errorf("workload: synthetic GPUCount value %d must be in 1..%d", v, scheduler.MaxGPUsPerNode)
			}
		}
	}
	if len(c.Priority.Values) > 0 {
		if err := c.Priority.Validate(); err != nil {
			return fmt.Errorf("workload: synthetic Priority: %w", err)
		}
	}
	return nil
}

// Generator streams the jobs of a Synthetic workload in submit order. It implements
// scheduler.Source. It holds only its configuration and random state: memory does
// not grow with the number of jobs generated. Each job allocates one Job and one
// []Task (plus its groups for a DAG job); tasks are never allocated one by one.
type Generator struct {
	err       error // a drawn value beyond the limits (ErrLimit)
	cfg       Synthetic
	arr       *arrivals
	shape     *rand.Rand // job-level choices: size, gang, DAG, class, priority, tenant
	req       *rand.Rand // requests
	run       *rand.Rand // runtimes
	tasks     Sampler
	gangTasks Sampler
	gangSized bool // GangTasks is set
	runtime   Sampler
	service   Sampler
	cpu       Sampler
	mem       Sampler
	share     Sampler
	stages    Sampler
	gpus      chooser
	prio      chooser
	tenants   []string
	spread    Dist // per-task runtime factor (see TaskRuntimeSigma)
	n         int
	done      bool
	rho       float64
	rhoC      float64 // √(1−ρ²)
}

var _ scheduler.Source = (*Generator)(nil)

// NewSynthetic validates cfg and returns its generator. Every random component
// draws from its own stream derived from seed, so that changing one distribution
// does not shift the draws of the others.
func NewSynthetic(cfg Synthetic, seed uint64) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &Generator{
		cfg:   cfg,
		arr:   newArrivals(cfg.Arrival, scheduler.NewRand(seed, "workload/arrival")),
		shape: scheduler.NewRand(seed, "workload/shape"),
		req:   scheduler.NewRand(seed, "workload/request"),
		run:   scheduler.NewRand(seed, "workload/runtime"),
		rho:   cfg.CPUMemCorrelation,
		rhoC:  math.Sqrt(1 - cfg.CPUMemCorrelation*cfg.CPUMemCorrelation),
	}
	g.tasks = NewSampler(cfg.Tasks, g.shape)
	g.gangSized = cfg.GangTasks.isSet()
	g.gangTasks = NewSampler(cfg.GangTasks, g.shape)
	g.stages = NewSampler(cfg.DAGStages, g.shape)
	g.runtime = NewSampler(cfg.Runtime, g.run)
	g.service = NewSampler(cfg.ServiceRuntime, g.run)
	g.cpu = NewSampler(cfg.CPU, g.req)
	g.mem = NewSampler(cfg.Mem, g.req)
	g.share = NewSampler(cfg.GPUShareMilli, g.req)
	if len(cfg.GPUCount.Values) > 0 {
		g.gpus = newChooser(cfg.GPUCount)
	}
	if len(cfg.Priority.Values) > 0 {
		g.prio = newChooser(cfg.Priority)
	}
	if cfg.TaskRuntimeSigma > 0 {
		g.spread = spreadTable(cfg.TaskRuntimeSigma)
	}
	if cfg.Tenants > 1 {
		g.tenants = make([]string, cfg.Tenants)
		for i := range g.tenants {
			g.tenants[i] = "t" + strconv.Itoa(i)
		}
	}
	return g, nil
}

// Config returns the generator's configuration.
func (g *Generator) Config() Synthetic { return g.cfg }

// Generated returns how many jobs Next has returned.
func (g *Generator) Generated() int { return g.n }

// Next returns the next job, or io.EOF after Jobs jobs or at the Horizon.
func (g *Generator) Next() (*scheduler.Job, error) {
	if g.done || (g.cfg.Jobs > 0 && g.n >= g.cfg.Jobs) {
		g.done = true
		return nil, io.EOF
	}
	t, ok := g.arr.next()
	if !ok || (g.cfg.Horizon > 0 && t >= g.cfg.Horizon) {
		g.done = true
		return nil, io.EOF
	}
	j := g.build(t)
	if g.err != nil {
		g.done = true
		return nil, g.err
	}
	g.n++
	return j, nil
}

// runtimeTime converts a runtime in seconds to Time, mapping huge values to Forever
// and keeping every runtime at least one microsecond.
func runtimeTime(s float64) scheduler.Time {
	if s >= 1e15 {
		return scheduler.Forever
	}
	t := scheduler.Seconds(s)
	if t < 1 {
		t = 1
	}
	return t
}

// drawRequest draws one (CPU, memory) pair through the Gaussian copula.
func (g *Generator) drawRequest() (cpu, mem int64) {
	var c, m float64
	if g.rho == 0 {
		c, m = g.cpu.Draw(), g.mem.Draw()
	} else {
		z1 := g.req.NormFloat64()
		z2 := g.rho*z1 + g.rhoC*g.req.NormFloat64()
		c, m = g.cpu.FromNormal(z1), g.mem.FromNormal(z2)
	}
	var err error
	if cpu, err = requestValue(c, "synthetic CPU"); err == nil {
		mem, err = requestValue(m, "synthetic Mem")
	}
	if err != nil && g.err == nil {
		g.err = err
	}
	return cpu, mem
}

func (g *Generator) build(submit scheduler.Time) *scheduler.Job {
	c := &g.cfg
	n, err := taskCount(g.tasks.Draw(), "synthetic Tasks")
	if err != nil {
		g.err = err
		return nil
	}
	j := &scheduler.Job{ID: c.FirstID + scheduler.JobID(g.n), Submit: submit}

	// Job-level shape, always drawn in the same order so streams stay aligned.
	uGang, uDAG, uClass, uGPU, uShare := g.shape.Float64(), g.shape.Float64(), g.shape.Float64(), g.shape.Float64(), g.shape.Float64()
	if len(g.prio.values) > 0 {
		j.Priority = int32(g.prio.draw(g.shape))
	}
	if g.tenants != nil {
		j.Tenant = g.tenants[g.shape.IntN(len(g.tenants))]
	}
	if uGang < c.GangFraction && g.gangSized {
		if n, err = taskCount(g.gangTasks.Draw(), "synthetic GangTasks"); err != nil {
			g.err = err
			return nil
		}
	}
	j.Tasks = make([]scheduler.Task, n)
	if uGang < c.GangFraction {
		f := c.MinMemberFraction
		if f == 0 {
			f = 1
		}
		m := int32(math.Ceil(f * float64(n)))
		j.MinMember = max(1, min(m, int32(n)))
	}
	service := uClass < c.ServiceFraction
	if service {
		j.Class = scheduler.Service
	}
	var gpuCount, gpuMilli int32
	if uGPU < c.GPUFraction {
		if uShare < c.GPUShareFraction {
			gpuCount = 1
			gpuMilli = int32(min(999, max(1, math.Round(g.share.Draw()))))
		} else {
			gpuCount = int32(g.gpus.draw(g.req))
			gpuMilli = 1000
		}
	}

	var jobRun float64
	if service {
		jobRun = g.service.Draw()
	} else {
		jobRun = g.runtime.Draw()
	}
	cpu, mem := g.drawRequest()
	gpuReq := int64(gpuCount) * int64(gpuMilli)
	req := scheduler.Res(cpu, mem, gpuReq)
	spread := c.TaskRuntimeSigma > 0 && jobRun < 1e15
	rt := runtimeTime(jobRun)
	for i := range j.Tasks {
		t := &j.Tasks[i]
		t.Index = int32(i)
		if c.PerTaskRequests && i > 0 {
			cpu, mem = g.drawRequest()
			req = scheduler.Res(cpu, mem, gpuReq)
		}
		t.Request = req
		t.GPUCount, t.GPUMilli = gpuCount, gpuMilli
		if spread {
			t.Runtime = runtimeTime(jobRun * g.spread.empiricalQuantile(g.run.Float64()))
		} else {
			t.Runtime = rt
		}
	}
	if uDAG < c.DAGFraction && n >= 2 && j.MinMember == 0 {
		g.makeDAG(j)
	}
	return j
}

// spreadTable returns the tabulated lognormal factor with median 1 and log
// standard deviation sigma: its exact quantiles at probabilities i/1024, except the
// two ends, which are clipped to the 1/2048 and 2047/2048 quantiles.
func spreadTable(sigma float64) Dist {
	const n = 1025
	ln := LogNormalDist(0, sigma)
	q := make([]float64, n)
	for i := range q {
		p := float64(i) / (n - 1)
		p = math.Min(math.Max(p, 0.5/(n-1)), 1-0.5/(n-1))
		q[i] = ln.Quantile(p)
	}
	return EmpiricalDist(nil, q)
}

// makeDAG splits j's tasks into stages with random precedence.
func (g *Generator) makeDAG(j *scheduler.Job) {
	n := len(j.Tasks)
	k := int(math.Round(g.stages.Draw()))
	k = max(2, min(k, n))
	groups := make([]scheduler.Group, k)
	after := make([]int32, 0, 2*k)
	for i := range groups {
		groups[i].Name = stageName(i)
		if i == 0 {
			continue
		}
		start := len(after)
		after = append(after, int32(i-1))
		if i >= 2 && g.shape.Float64() < 0.3 {
			after = append(after, int32(g.shape.IntN(i-1)))
		}
		groups[i].After = after[start:len(after):len(after)]
	}
	for i := range j.Tasks {
		j.Tasks[i].Group = int32(i * k / n)
	}
	j.Groups = groups
}

var stageNames = func() []string {
	s := make([]string, 64)
	for i := range s {
		s[i] = "S" + strconv.Itoa(i+1)
	}
	return s
}()

func stageName(i int) string {
	if i < len(stageNames) {
		return stageNames[i]
	}
	return "S" + strconv.Itoa(i+1)
}
