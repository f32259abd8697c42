package mesos

import (
	"fmt"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// The Omega simulator's framework model (MesosSimulation.scala, MesosScheduler):
// Concurrent, RequeueTail and Request. Each test fails on the default behaviour.

func oneCoreNodes(n int) []scheduler.Node {
	out := make([]scheduler.Node, n)
	for i := range out {
		out[i] = scheduler.Node{Name: fmt.Sprintf("n%d", i), Capacity: scheduler.Res(1000, 4096, 0)}
	}
	return out
}

func runSim(t *testing.T, cfg Config, nodes []scheduler.Node, horizon scheduler.Time, jobs ...*scheduler.Job) *Mesos {
	t.Helper()
	cfg.Check = true
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes = nodes
	sc.Horizon = horizon
	if _, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: jobs}, m); err != nil {
		t.Fatal(err)
	}
	if v := m.Violation(); v != "" {
		t.Fatalf("invariant violated: %s", v)
	}
	return m
}

// TestConcurrentDecidesOnReceipt: three 1-core nodes are busy with a filler
// framework's tasks; the ones on n0 and n1 end at 1.5 s and 3 s. Framework f
// (t_job 10 s) has job A (submitted 0.5 s) and job B (2.5 s), one task each. n0
// is offered to f at 2 s and A is decided at once (answer at 12 s). n1 is offered
// to f at 3 s, while f is still deciding A. One at a time (the default), that
// offer waits locked until 12 s and B starts at 22 s; Concurrent (the simulator),
// f decides it on receipt and B starts at 13 s.
func TestConcurrentDecidesOnReceipt(t *testing.T) {
	s := scheduler.Second
	for _, tc := range []struct {
		concurrent bool
		want       scheduler.Time
	}{{false, 22 * s}, {true, 13 * s}} {
		t.Run(fmt.Sprint("concurrent=", tc.concurrent), func(t *testing.T) {
			fill := DefaultFrameworkConfig("fill", scheduler.Batch)
			fill.RefuseSeconds = -1
			f := DefaultFrameworkConfig("f", scheduler.Batch)
			f.DecisionJob = 10 * s
			f.RefuseSeconds = -1
			f.Concurrent = tc.concurrent
			cfg := DefaultConfig()
			cfg.Frameworks = []FrameworkConfig{fill, f}
			req := scheduler.Res(1000, 1024, 0)
			a := mkJob(2, "f", s/2, 0, req, scheduler.Forever)
			b := mkJob(3, "f", 5*s/2, 0, req, scheduler.Forever)
			runSim(t, cfg, oneCoreNodes(3), 40*s,
				mkJob(1, "fill", 0, 0, req, 3*s/2, 3*s, scheduler.Forever), a, b)
			if a.Started != 12*s {
				t.Errorf("A started at %v, want 12s", a.Started)
			}
			if b.Started != tc.want {
				t.Errorf("B started at %v, want %v", b.Started, tc.want)
			}
		})
	}
}

// TestConcurrentDoesNotPlanTwice: a Concurrent framework never plans a task
// again while the offer it was planned on is unanswered. Job A has two tasks;
// n0 frees at 1.5 s and n1 at 3 s, offered to f (t_job 10 s) at 2 s and 3 s. The
// first offer plans A's first task; the second must plan the other one, not the
// first again, so both run from 12 s and 13 s.
func TestConcurrentDoesNotPlanTwice(t *testing.T) {
	s := scheduler.Second
	fill := DefaultFrameworkConfig("fill", scheduler.Batch)
	fill.RefuseSeconds = -1
	f := DefaultFrameworkConfig("f", scheduler.Batch)
	f.DecisionJob = 10 * s
	f.RefuseSeconds = -1
	f.Concurrent = true
	cfg := DefaultConfig()
	cfg.Frameworks = []FrameworkConfig{fill, f}
	req := scheduler.Res(1000, 1024, 0)
	a := mkJob(2, "f", s/2, 0, req, scheduler.Forever, scheduler.Forever)
	m := runSim(t, cfg, oneCoreNodes(2), 40*s, mkJob(1, "fill", 0, 0, req, 3*s/2, 3*s), a)
	var got []string
	for i := range a.Tasks {
		got = append(got, fmt.Sprint(a.Tasks[i].State, "@", a.Tasks[i].Node))
	}
	if a.Running() != 2 {
		t.Errorf("A runs %d tasks (%v), want 2", a.Running(), got)
	}
	if len(m.inflight) != 0 {
		t.Errorf("%d tasks still marked in flight", len(m.inflight))
	}
}

// TestRequeueTail: one 1-core node; framework f (no decision time) has job A, three
// 1-second tasks, submitted at 0, and job B, one task, at 0.5 s. A takes the node
// at 0 s and is retried from 1 s; the node is offered again at 2 s (the round at
// 1 s comes before the task's end). In arrival order (the default) A takes it
// every time and B starts after A's last task, at 6 s; with the simulator's
// rotation A re-entered the queue at 1 s, behind B, so B starts at 2 s.
func TestRequeueTail(t *testing.T) {
	s := scheduler.Second
	for _, tc := range []struct {
		tail bool
		want scheduler.Time
	}{{false, 6 * s}, {true, 2 * s}} {
		t.Run(fmt.Sprint("requeue_tail=", tc.tail), func(t *testing.T) {
			f := DefaultFrameworkConfig("f", scheduler.Batch)
			f.RefuseSeconds = -1
			f.RequeueTail = tc.tail
			cfg := DefaultConfig()
			cfg.Frameworks = []FrameworkConfig{f}
			req := scheduler.Res(1000, 1024, 0)
			a := mkJob(1, "f", 0, 0, req, s, s, s)
			b := mkJob(2, "f", s/2, 0, req, s)
			runSim(t, cfg, oneCoreNodes(1), 20*s, a, b)
			if b.Started != tc.want {
				t.Errorf("B started at %v, want %v", b.Started, tc.want)
			}
		})
	}
}

// TestRequestOffers: a framework whose queued jobs all wait for their retry is
// not offered anything with Request (the simulator's cancelled offer request),
// but still is with Suppress (its queue is not empty) and by default.
func TestRequestOffers(t *testing.T) {
	s := scheduler.Second
	for _, tc := range []struct {
		name    string
		set     func(*FrameworkConfig)
		offered bool
	}{
		{"default", func(*FrameworkConfig) {}, true},
		{"suppress", func(f *FrameworkConfig) { f.Suppress = true }, true},
		{"request", func(f *FrameworkConfig) { f.Request = true }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := DefaultFrameworkConfig("f", scheduler.Batch)
			tc.set(&f)
			cfg := DefaultConfig()
			cfg.Frameworks = []FrameworkConfig{f}
			req := scheduler.Res(1000, 1024, 0)
			// Two tasks, one node: the second waits, queued.
			m := runSim(t, cfg, oneCoreNodes(1), 5*s, mkJob(1, "f", 0, 0, req, scheduler.Forever, scheduler.Forever))
			fw := m.fws[0]
			if len(fw.queue) != 1 {
				t.Fatalf("want the job queued, got %d queued", len(fw.queue))
			}
			fw.queue[0].retryAt = m.sim.Now() + 10*s // waiting for its retry
			fw.offers = nil
			order, _ := m.drfOrder()
			if got := len(order) == 1; got != tc.offered {
				t.Errorf("offered %v, want %v", got, tc.offered)
			}
			fw.queue[0].retryAt = 0
			if order, _ := m.drfOrder(); len(order) != 1 {
				t.Errorf("a ready job must make the framework ask for offers")
			}
		})
	}
}

// TestSimulatorModelInvariants runs the Omega workload (small cell, 1.5-core
// batch tasks so that offers are often too small) with the simulator's model on
// both frameworks and Config.Check on: no double offer, nothing accepted beyond
// an offer, the State consistent, and the attempt rule in force.
func TestSimulatorModelInvariants(t *testing.T) {
	wc := workload.DefaultOmega()
	wc.Machines, wc.BatchRate, wc.ServiceRate = 60, 0.1, 0.1
	wc.Batch.CPU = 1500
	wc.Horizon = 40 * scheduler.Minute
	g, err := workload.NewOmega(wc, 7)
	if err != nil {
		t.Fatal(err)
	}
	pre := DefaultFrameworkConfig(workload.OmegaPrefillTenant, scheduler.Service)
	pre.Suppress = true
	cfg := DefaultConfig()
	cfg.Frameworks = append([]FrameworkConfig{pre}, DefaultFrameworks()...)
	for i := 1; i < len(cfg.Frameworks); i++ {
		f := &cfg.Frameworks[i]
		f.Concurrent, f.Request, f.RequeueTail, f.RefuseSeconds = true, true, true, -1
	}
	cfg.Frameworks[2].DecisionJob = 30 * scheduler.Second // the service framework decides slowly
	cfg.Check = true
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes, sc.Horizon, sc.Seed = g.Nodes(), wc.Horizon, 7
	sim, err := scheduler.NewSim(sc, g, m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run()
	if err != nil {
		t.Fatal(err)
	}
	if v := m.Violation(); v != "" {
		t.Fatalf("invariant violated: %s", v)
	}
	if msg := sim.State.CheckInvariants(); msg != "" {
		t.Fatal(msg)
	}
	if res.Extra[KeyAttempts+".batch"] == 0 || res.Extra[KeyOffers+".batch"] == 0 {
		t.Fatalf("the batch framework was never offered or never tried: %v", res.Extra)
	}
	// Every task planned on an unanswered offer belongs to an offer still outstanding.
	n := 0
	for _, f := range m.fws {
		for _, o := range f.offers {
			for _, p := range o.plan {
				n += len(p.claims)
			}
		}
	}
	if len(m.inflight) > n {
		t.Errorf("%d tasks marked in flight, but outstanding offers plan only %d", len(m.inflight), n)
	}
	t.Logf("batch: offers %v, empty %v, attempts %v (max %v), abandoned %v",
		res.Extra[KeyOffers+".batch"], res.Extra[KeyEmptyOffers+".batch"], res.Extra[KeyAttempts+".batch"],
		res.Extra[KeyMaxAttempts+".batch"], res.Extra[KeyAbandonedJobs+".batch"])
}
