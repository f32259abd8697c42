package omega

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/schedlab/schedlab/scheduler"
)

// propSeed is the fixed seed of the property tests; failures print it with the
// failing case.
const propSeed = 20130415

// propCase is one generated run: a small cell, a burst of jobs that contend for it,
// and an Omega configuration. Everything not listed is drawn from Seed.
type propCase struct {
	Nodes    int  // 1..6 machines
	Jobs     int  // 1..40 jobs
	Batch    int  // 1..4 batch schedulers
	Service  int  // 0..2 service schedulers
	Seq      bool // sequence-number detection (else resource fit)
	AON      bool // all-or-nothing transactions (else incremental)
	FirstFit bool // deterministic first fit (else randomised first fit)
	Gangs    bool // some jobs are gangs
	Seed     uint64
}

func (c propCase) String() string {
	return fmt.Sprintf("%+v", struct{ C any }{C: map[string]any{"nodes": c.Nodes, "jobs": c.Jobs, "batch": c.Batch, "service": c.Service,
		"seq": c.Seq, "aon": c.AON, "firstfit": c.FirstFit, "gangs": c.Gangs, "seed": c.Seed}})
}

func genCase() gopter.Gen {
	return gen.Struct(reflect.TypeOf(propCase{}), map[string]gopter.Gen{
		"Nodes":    gen.IntRange(1, 6),
		"Jobs":     gen.IntRange(1, 40),
		"Batch":    gen.IntRange(1, 4),
		"Service":  gen.IntRange(0, 2),
		"Seq":      gen.Bool(),
		"AON":      gen.Bool(),
		"FirstFit": gen.Bool(),
		"Gangs":    gen.Bool(),
		"Seed":     gen.UInt64(),
	})
}

// build turns a case into nodes, jobs and a configuration. Decision times of up to
// 3 s against submissions within 10 s and runtimes of 1–20 s make schedulers'
// attempts overlap, so conflicts, retries and releases interleave.
func (c propCase) build() ([]scheduler.Node, []*scheduler.Job, Config) {
	r := scheduler.NewRand(c.Seed, "omega/property")
	nodes := make([]scheduler.Node, c.Nodes)
	for i := range nodes {
		nodes[i] = scheduler.Node{Name: fmt.Sprintf("m%d", i), Capacity: scheduler.Res(int64(2000+1000*r.IntN(4)), int64(4096+4096*r.IntN(3)), 0)}
	}
	jobs := make([]*scheduler.Job, c.Jobs)
	submit := scheduler.Time(0)
	for i := range jobs {
		submit += scheduler.Time(r.IntN(600)) * scheduler.Millisecond
		class := scheduler.Class(r.IntN(2))
		n := 1 + r.IntN(5)
		req := scheduler.Res(int64(500*(1+r.IntN(4))), int64(512*(1+r.IntN(6))), 0)
		j := mkJob(i+1, class, submit, n, req, scheduler.Time(1+r.IntN(20))*scheduler.Second)
		if c.Gangs && n > 1 && r.IntN(2) == 0 {
			j.MinMember = int32(n)
		}
		jobs[i] = j
	}
	cfg := DefaultConfig()
	cfg.BatchSchedulers, cfg.ServiceSchedulers = c.Batch, c.Service
	cfg.Batch = DecisionTime{Job: scheduler.Time(r.IntN(3000)) * scheduler.Millisecond, Task: scheduler.Time(r.IntN(200)) * scheduler.Millisecond}
	cfg.Service = DecisionTime{Job: scheduler.Time(r.IntN(3000)) * scheduler.Millisecond, Task: scheduler.Time(r.IntN(200)) * scheduler.Millisecond}
	if c.Seq {
		cfg.Detection = scheduler.DetectSeq
	}
	if c.AON {
		cfg.Transaction = AllOrNothing
	}
	cfg.MaxAttemptsNothingPlaced, cfg.MaxAttempts = 20, 60
	if c.FirstFit {
		cfg.NewPlacer = func() (scheduler.Placer, error) { return scheduler.ScanFirstFit{}, nil }
	}
	return nodes, jobs, cfg
}

// replayer is an Observer that replays, on a private state built from the same
// nodes, every placement ("start") and release ("finish") of the run, serially: the
// state a run should have if commits applied exactly their successful claims and
// rollbacks left no trace.
type replayer struct {
	st    *scheduler.State
	tasks map[scheduler.TaskID]*scheduler.Task
	err   string
}

func newReplayer(nodes []scheduler.Node) *replayer {
	st, err := scheduler.NewState(nodes)
	if err != nil {
		panic(err)
	}
	return &replayer{st: st, tasks: map[scheduler.TaskID]*scheduler.Task{}}
}

func (rp *replayer) Observe(r scheduler.Record) {
	if r.Task == nil || rp.err != "" {
		return
	}
	switch r.What {
	case "start":
		c := &scheduler.Task{ID: r.Task.ID, Request: r.Task.Request, Node: scheduler.NoNode}
		rp.tasks[c.ID] = c
		if st := rp.st.Place(c, r.Node, r.Task.GPUs, false); !st.IsOK() {
			rp.err = fmt.Sprintf("replay of %v on node %d: %v", r.Task, r.Node, st)
		}
	case "finish":
		if c := rp.tasks[r.Task.ID]; c != nil {
			rp.st.Release(c)
			delete(rp.tasks, r.Task.ID)
		} else {
			rp.err = fmt.Sprintf("replay: %v finished but never started", r.Task)
		}
	}
}

// runCase runs c with check called after every commit; it returns the first
// violation, or "".
func runCase(c propCase, check func(o *Omega, rp *replayer, jobs []*scheduler.Job, p *scheduler.Plan, res scheduler.CommitResult) string) string {
	nodes, jobs, cfg := c.build()
	o, err := New(cfg)
	if err != nil {
		return err.Error()
	}
	rp := newReplayer(nodes)
	bad := ""
	o.afterCommit = func(a *agent, p *scheduler.Plan, res scheduler.CommitResult) {
		if bad == "" {
			if msg := check(o, rp, jobs, p, res); msg != "" {
				bad = fmt.Sprintf("after %s's commit at %v: %s", a.name, o.sim.Now(), msg)
			}
		}
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes = nodes
	sc.Seed = c.Seed
	sc.Observer = rp
	sim, err := scheduler.NewSim(sc, &scheduler.SliceSource{Jobs: jobs}, o)
	if err != nil {
		return err.Error()
	}
	res, err := sim.Run()
	if err != nil {
		return err.Error()
	}
	if bad != "" {
		return bad
	}
	if rp.err != "" {
		return rp.err
	}
	if msg := check(o, rp, jobs, &scheduler.Plan{}, scheduler.CommitResult{}); msg != "" {
		return "at the end: " + msg
	}
	if res.TasksPending+res.TasksRunning+res.TasksHeld != 0 {
		return fmt.Sprintf("run ended with tasks pending=%d running=%d held=%d", res.TasksPending, res.TasksRunning, res.TasksHeld)
	}
	return ""
}

func properties(t *testing.T) *gopter.Properties {
	p := gopter.DefaultTestParametersWithSeed(propSeed)
	p.MinSuccessfulTests = 150
	t.Logf("gopter seed %d", propSeed)
	return gopter.NewProperties(p)
}

// TestPropertyStateEqualsSerialReplay: after any interleaving of commits (fit or
// sequence numbers, incremental or all-or-nothing), rollbacks and releases, the
// shared state equals — free capacity, sequence numbers, task sets — a serial replay
// of the successful claims and releases on a fresh state.
func TestPropertyStateEqualsSerialReplay(t *testing.T) {
	props := properties(t)
	conflicts, partial := 0, 0
	props.Property("state equals serial replay of successful transactions", prop.ForAll(func(c propCase) string {
		return runCase(c, func(o *Omega, rp *replayer, _ []*scheduler.Job, _ *scheduler.Plan, res scheduler.CommitResult) string {
			if len(res.Conflicts) > 0 {
				conflicts++
				if res.Committed > 0 {
					partial++
				}
			}
			if rp.err != "" {
				return rp.err
			}
			if got, want := o.sim.State.Fingerprint(), rp.st.Fingerprint(); got != want {
				return fmt.Sprintf("state differs from the serial replay:\nshared %s\nreplay %s", got, want)
			}
			return ""
		})
	}, genCase()))
	props.TestingRun(t)
	t.Logf("%d conflicted commits checked, %d of them partly applied", conflicts, partial)
	if conflicts == 0 || partial == 0 {
		t.Errorf("the generator produced %d conflicted and %d partial commits: the property was not exercised", conflicts, partial)
	}
}

// TestPropertyIncrementalNeverOverCommits: incremental commits (and all-or-nothing
// ones) never over-commit a machine, and account every claim as committed or
// conflicted.
func TestPropertyIncrementalNeverOverCommits(t *testing.T) {
	props := properties(t)
	props.Property("incremental commits never over-commit", prop.ForAll(func(c propCase) string {
		c.AON = false
		return runCase(c, func(o *Omega, _ *replayer, _ []*scheduler.Job, p *scheduler.Plan, res scheduler.CommitResult) string {
			if res.Committed+len(res.Conflicts) != len(p.Claims) {
				return fmt.Sprintf("%d committed + %d conflicted != %d claims", res.Committed, len(res.Conflicts), len(p.Claims))
			}
			return o.sim.State.CheckInvariants()
		})
	}, genCase()))
	props.TestingRun(t)
}

// partialGang returns a gang that runs some but fewer than MinMember tasks before
// it ever became ready, or "".
func partialGang(jobs []*scheduler.Job) string {
	for _, j := range jobs {
		if j.IsGang() && j.GangReady < 0 && j.Running() > 0 {
			return fmt.Sprintf("gang %d runs %d of its %d members", j.ID, j.Running(), j.MinMember)
		}
	}
	return ""
}

// TestPropertyAllOrNothingNeverPartialGang: an all-or-nothing commit applies all of
// its claims or none, and never leaves a gang partially started.
func TestPropertyAllOrNothingNeverPartialGang(t *testing.T) {
	props := properties(t)
	props.Property("all-or-nothing commits never leave a partial gang", prop.ForAll(func(c propCase) string {
		c.AON, c.Gangs = true, true
		return runCase(c, func(o *Omega, _ *replayer, jobs []*scheduler.Job, p *scheduler.Plan, res scheduler.CommitResult) string {
			if res.Committed != 0 && res.Committed != len(p.Claims) {
				return fmt.Sprintf("all-or-nothing commit applied %d of %d claims", res.Committed, len(p.Claims))
			}
			if msg := partialGang(jobs); msg != "" {
				return msg
			}
			return o.sim.State.CheckInvariants()
		})
	}, genCase()))
	props.TestingRun(t)
}

// TestIncrementalCanLeavePartialGangs shows that the all-or-nothing property is not
// vacuous: the same generator under incremental transactions does produce partial
// gangs.
func TestIncrementalCanLeavePartialGangs(t *testing.T) {
	found := 0
	for seed := uint64(1); seed <= 200 && found == 0; seed++ {
		c := propCase{Nodes: 2, Jobs: 30, Batch: 3, Service: 1, Gangs: true, Seed: seed}
		msg := runCase(c, func(o *Omega, _ *replayer, jobs []*scheduler.Job, _ *scheduler.Plan, _ scheduler.CommitResult) string {
			return partialGang(jobs)
		})
		if msg != "" {
			found++
			t.Logf("seed %d: %s", seed, msg)
		}
	}
	if found == 0 {
		t.Fatal("no partial gang under incremental transactions in 200 seeds: the generator does not exercise the property")
	}
}
