package workload

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// OmegaPrefillTenant is the tenant of the Omega workload's prefill jobs. It equals
// omega.DefaultPrefillTenant, so Omega schedulers place these jobs at once, outside
// their decision time and metrics (other schedulers simply place them).
const OmegaPrefillTenant = "prefill"

// OmegaClass describes one job class of the Omega lightweight simulator's
// exponential workload: every quantity but the request is drawn from an
// exponential distribution with the given mean, and every task of a job is
// identical.
type OmegaClass struct {
	// Interarrival is the mean time between job submissions.
	Interarrival scheduler.Time
	// Tasks is the mean number of tasks per job; a job has ⌈sample⌉ tasks, at
	// least 1.
	Tasks float64
	// Duration is the mean task runtime (one draw per job: its tasks are identical).
	Duration scheduler.Time
	// CPU (milli-cores) and Mem (MiB) are each task's request.
	CPU, Mem int64
}

// Omega configures the Omega paper's lightweight-simulator workload
// (REFERENCES.md §3.3): batch and service jobs with exponential interarrival, task
// count and duration, on a cell of homogeneous machines pre-filled to a share of
// its CPU by long-running jobs present at time 0.
type Omega struct {
	// Batch and Service are the two classes (defaults: Workloads.scala's example,
	// see DefaultOmega).
	Batch, Service OmegaClass
	// BatchRate and ServiceRate multiply each class's arrival rate (λ); the
	// paper's batch-scaling experiment sweeps BatchRate. Default 1.
	BatchRate, ServiceRate float64
	// Machines, MachineCPU (milli-cores) and MachineMem (MiB) describe the cell
	// (default 10,000 × 4 cores × 16 GiB, the simulator's example cell).
	Machines               int
	MachineCPU, MachineMem int64
	// Prefill is the share of the cell's CPU filled at time 0 by service-class jobs
	// of PrefillJobTasks tasks (the Service class's request each) that run until
	// the end of the run (default 0.6, the simulator's PrefillBatchService). Their
	// tenant is OmegaPrefillTenant.
	Prefill         float64
	PrefillJobTasks int
	// Horizon stops submissions (default 1 day, the simulator's globalRunTime).
	Horizon scheduler.Time
	// GangFraction is the share of batch jobs that are gangs (MinMember = tasks):
	// not in the paper's workload (default 0), for all-or-nothing experiments.
	GangFraction float64
}

// DefaultOmega returns the defaults of the Omega simulator's example
// (Workloads.scala): batch jobs every 10 s on average with 100 tasks of 100 s,
// service jobs every 20 s with 10 tasks of 500 s, every task 1 core and 2 GB
// (2,048 MiB); 10,000 machines of 4 cores and 16 GiB pre-filled to 60 % of CPU by
// jobs of 100 tasks; one simulated day of submissions.
func DefaultOmega() Omega {
	return Omega{
		Batch:           OmegaClass{Interarrival: 10 * scheduler.Second, Tasks: 100, Duration: 100 * scheduler.Second, CPU: 1000, Mem: 2048},
		Service:         OmegaClass{Interarrival: 20 * scheduler.Second, Tasks: 10, Duration: 500 * scheduler.Second, CPU: 1000, Mem: 2048},
		BatchRate:       1,
		ServiceRate:     1,
		Machines:        10000,
		MachineCPU:      4000,
		MachineMem:      16384,
		Prefill:         0.6,
		PrefillJobTasks: 100,
		Horizon:         scheduler.Day,
	}
}

// Validate reports the first invalid field, by name.
func (c *Omega) Validate() error {
	for _, k := range []struct {
		name string
		c    *OmegaClass
	}{{"Batch", &c.Batch}, {"Service", &c.Service}} {
		switch {
		case k.c.Interarrival <= 0:
			return fmt.Errorf("workload: omega %s.Interarrival = %v must be > 0", k.name, k.c.Interarrival)
		case !(k.c.Tasks > 0) || math.IsInf(k.c.Tasks, 0):
			return fmt.Errorf("workload: omega %s.Tasks = %v must be a positive number", k.name, k.c.Tasks)
		case k.c.Duration <= 0:
			return fmt.Errorf("workload: omega %s.Duration = %v must be > 0", k.name, k.c.Duration)
		case k.c.CPU < 0 || k.c.Mem < 0:
			return fmt.Errorf("workload: omega %s request cpu=%d mem=%d must be ≥ 0", k.name, k.c.CPU, k.c.Mem)
		case k.c.CPU > c.MachineCPU || k.c.Mem > c.MachineMem:
			return fmt.Errorf("workload: omega %s request cpu=%d mem=%d does not fit a machine (%d, %d)", k.name, k.c.CPU, k.c.Mem, c.MachineCPU, c.MachineMem)
		}
	}
	switch {
	case !(c.BatchRate >= 0) || !(c.ServiceRate >= 0) || math.IsInf(c.BatchRate, 0) || math.IsInf(c.ServiceRate, 0):
		return fmt.Errorf("workload: omega rates batch=%v service=%v must be finite and ≥ 0", c.BatchRate, c.ServiceRate)
	case c.Machines <= 0 || c.MachineCPU <= 0 || c.MachineMem <= 0:
		return fmt.Errorf("workload: omega cell %d × (cpu=%d, mem=%d) must be positive", c.Machines, c.MachineCPU, c.MachineMem)
	case !(c.Prefill >= 0 && c.Prefill <= 1):
		return fmt.Errorf("workload: omega Prefill = %v must be in [0, 1]", c.Prefill)
	case c.Prefill > 0 && c.PrefillJobTasks <= 0:
		return fmt.Errorf("workload: omega PrefillJobTasks = %d must be > 0", c.PrefillJobTasks)
	case c.Prefill > 0 && c.Service.CPU == 0:
		return fmt.Errorf("workload: omega Prefill needs a positive Service.CPU")
	case c.Horizon <= 0:
		return fmt.Errorf("workload: omega Horizon = %v must be > 0", c.Horizon)
	case !(c.GangFraction >= 0 && c.GangFraction <= 1):
		return fmt.Errorf("workload: omega GangFraction = %v must be in [0, 1]", c.GangFraction)
	case c.PrefillJobTasks > MaxTasksPerJob:
		return fmt.Errorf("%w: omega PrefillJobTasks = %d, more than MaxTasksPerJob (%d)", ErrLimit, c.PrefillJobTasks, MaxTasksPerJob)
	}
	if err := nodeCount(float64(c.Machines), "omega Machines"); err != nil {
		return err
	}
	return nil
}

// OmegaGenerator streams the jobs of an Omega workload in submit order. It
// implements scheduler.Source.
type OmegaGenerator struct {
	err          error // a drawn job beyond the limits (ErrLimit)
	cfg          Omega
	batch, serv  *rand.Rand
	gang         *rand.Rand
	nextB, nextS float64 // next submission, seconds; +Inf when the class is off
	prefillLeft  int
	nextID       scheduler.JobID
}

// NewOmega returns a generator for cfg; seed seeds its streams (one per class,
// one for gang marks).
func NewOmega(cfg Omega, seed uint64) (*OmegaGenerator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &OmegaGenerator{cfg: cfg,
		batch: scheduler.NewRand(seed, "workload/omega/batch"),
		serv:  scheduler.NewRand(seed, "workload/omega/service"),
		gang:  scheduler.NewRand(seed, "workload/omega/gang"),
	}
	if cfg.Prefill > 0 {
		g.prefillLeft = int(math.Round(cfg.Prefill * float64(cfg.Machines) * float64(cfg.MachineCPU) / float64(cfg.Service.CPU)))
	}
	g.nextB = g.first(cfg.Batch, cfg.BatchRate, g.batch)
	g.nextS = g.first(cfg.Service, cfg.ServiceRate, g.serv)
	return g, nil
}

// first returns the first submission time of a class: one interarrival after 0.
func (g *OmegaGenerator) first(c OmegaClass, rate float64, r *rand.Rand) float64 {
	if rate == 0 {
		return math.Inf(1)
	}
	return r.ExpFloat64() * c.Interarrival.Seconds() / rate
}

// Config returns the generator's configuration.
func (g *OmegaGenerator) Config() Omega { return g.cfg }

// Nodes returns the cell: Machines identical machines named "m0", "m1", ….
func (g *OmegaGenerator) Nodes() []scheduler.Node { return OmegaNodes(g.cfg) }

// OmegaNodes returns the cell of cfg.
func OmegaNodes(cfg Omega) []scheduler.Node {
	nodes := make([]scheduler.Node, cfg.Machines)
	for i := range nodes {
		nodes[i] = scheduler.Node{ID: scheduler.NodeID(i), Name: fmt.Sprintf("m%d", i),
			Capacity: scheduler.Res(cfg.MachineCPU, cfg.MachineMem, 0)}
	}
	return nodes
}

// Next implements scheduler.Source: first the prefill jobs at time 0, then batch
// and service jobs merged by submit time (batch first on a tie).
func (g *OmegaGenerator) Next() (*scheduler.Job, error) {
	if g.err != nil {
		return nil, g.err
	}
	j, err := g.next()
	if g.err != nil {
		return nil, g.err
	}
	return j, err
}

func (g *OmegaGenerator) next() (*scheduler.Job, error) {
	if g.prefillLeft > 0 {
		n := min(g.prefillLeft, g.cfg.PrefillJobTasks)
		g.prefillLeft -= n
		j := g.job(0, scheduler.Service, n, scheduler.Forever, g.cfg.Service)
		j.Tenant = OmegaPrefillTenant
		j.Name = fmt.Sprintf("prefill-%d", j.ID)
		return j, nil
	}
	h := g.cfg.Horizon.Seconds()
	if g.nextB >= h && g.nextS >= h {
		return nil, io.EOF
	}
	if g.nextB <= g.nextS {
		j := g.draw(g.nextB, scheduler.Batch, g.cfg.Batch, g.batch)
		if g.cfg.GangFraction > 0 && g.gang.Float64() < g.cfg.GangFraction {
			j.MinMember = int32(len(j.Tasks))
		}
		g.nextB += g.batch.ExpFloat64() * g.cfg.Batch.Interarrival.Seconds() / g.cfg.BatchRate
		return j, nil
	}
	j := g.draw(g.nextS, scheduler.Service, g.cfg.Service, g.serv)
	g.nextS += g.serv.ExpFloat64() * g.cfg.Service.Interarrival.Seconds() / g.cfg.ServiceRate
	return j, nil
}

// draw builds a job of class c submitted at sec seconds, drawing its task count and
// duration from r.
func (g *OmegaGenerator) draw(sec float64, class scheduler.Class, c OmegaClass, r *rand.Rand) *scheduler.Job {
	x := math.Ceil(r.ExpFloat64() * c.Tasks)
	if !(x <= MaxTasksPerJob) {
		g.err = fmt.Errorf("%w: omega %s tasks: %g tasks in one job, more than MaxTasksPerJob (%d)", ErrLimit, class, x, MaxTasksPerJob)
		x = 1
	}
	n := max(1, int(x))
	d := max(scheduler.Microsecond, scheduler.Seconds(r.ExpFloat64()*c.Duration.Seconds()))
	return g.job(scheduler.Seconds(sec), class, n, d, c)
}

func (g *OmegaGenerator) job(at scheduler.Time, class scheduler.Class, n int, d scheduler.Time, c OmegaClass) *scheduler.Job {
	j := &scheduler.Job{ID: g.nextID, Submit: at, Class: class, Tasks: make([]scheduler.Task, n)}
	g.nextID++
	for i := range j.Tasks {
		j.Tasks[i] = scheduler.Task{Index: int32(i), Request: scheduler.Res(c.CPU, c.Mem, 0), Runtime: d}
	}
	return j
}
