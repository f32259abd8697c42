package schedtest

import (
	"strings"
	"testing"
	"time"

	"github.com/schedlab/schedlab/scheduler"
)

// The suite's proof that no declaration is a no-op: for every option and every
// check it has, a policy that violates exactly that one fails with the option
// (or by default) and passes without it (or with the excusing declaration), and a
// correct policy passes with it.

// neverPlaces is a placer that finds no node, ever.
type neverPlaces struct{}

func (neverPlaces) Place(*scheduler.State, *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	return scheduler.NoNode, 0, scheduler.Status{Code: scheduler.Unschedulable, Reason: "never"}
}

// skipsLastNode is first fit that never uses the highest-numbered node.
type skipsLastNode struct{}

func (skipsLastNode) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	for id := scheduler.NodeID(0); int(id) < s.NumNodes()-1; id++ {
		if s.Fits(t, id).IsOK() {
			return id, 0, scheduler.StatusOK
		}
	}
	return scheduler.NoNode, 0, scheduler.Status{Code: scheduler.Unschedulable, Reason: "no node fits"}
}

// deviceZero is first fit that always names GPU device 0, whatever the task needs
// and whatever is free.
type deviceZero struct{}

func (deviceZero) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	id, _, st := scheduler.ScanFirstFit{}.Place(s, t)
	if st.IsOK() && t.GPUCount > 0 {
		return id, 1, st // BUG: device 0, one device
	}
	return id, 0, st
}

// mutates is first fit that places the task on the state itself and takes it off
// again: the state's version changes.
type mutates struct{}

func (mutates) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	id, g, st := scheduler.ScanFirstFit{}.Place(s, t)
	if st.IsOK() && s.Place(t, id, g, false).IsOK() {
		s.Release(t) // BUG: Place must not touch the state
	}
	return id, g, st
}

// selfBroken is the correct fifo scheduler reporting an invariant of its own as
// broken once a task has run: the suite must surface it.
type selfBroken struct{ *fifo }

func (s selfBroken) Violation() string {
	if s.sim != nil && s.sim.State.Allocated() != (scheduler.Resources{}) {
		return "internal queue out of step (deliberate)"
	}
	return ""
}

func TestEveryOptionCanFail(t *testing.T) {
	correct := SchedulerFactory(func() scheduler.Scheduler { return &fifo{} })
	bug := func(b bug) Factory { return SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: b} }) }
	placer := func(p scheduler.Placer) Factory { return PlacerFactory(func() scheduler.Placer { return p }) }
	cases := []struct {
		name    string
		f       Factory
		fails   Options // the option (or default) under test: f must fail it
		passes  *Options
		correct Factory // a correct policy that passes `fails` (zero: correct fifo)
		want    string  // substring of the violation or error
		budget  bool    // `fails` is a budget too small for any policy: no correct one passes it
	}{
		{name: "GangAtomic: a strict gang placed partially",
			f:     placer(partialGang{}),
			fails: Options{GangAtomic: true}, passes: &Options{},
			correct: placer(scheduler.ScanFirstFit{}), want: "gang atomicity"},
		{name: "DeadlockFree: gang members hoarded one by one",
			f:     bug(hoardGangs),
			fails: Options{DeadlockFree: true}, passes: &Options{GangAtomic: true, Abandons: AbandonGangs},
			want: "deadlock-free"},
		{name: "WorkConserving: an ordinary job's tasks wait until all of them fit",
			f:     bug(wholeJobs),
			fails: Options{WorkConserving: true}, passes: &Options{},
			correct: placer(scheduler.ScanFirstFit{}), want: "work-conserving"},
		{name: "WorkConserving: a placer that never uses the last node",
			f:     placer(skipsLastNode{}),
			fails: Options{WorkConserving: true, Abandons: AbandonAny}, passes: &Options{Abandons: AbandonAny},
			correct: placer(scheduler.ScanFirstFit{}), want: "work-conserving"},
		{name: "liveness (default): a placer that places nothing",
			f:     placer(neverPlaces{}),
			fails: Options{}, passes: &Options{Abandons: AbandonAny},
			correct: placer(scheduler.ScanFirstFit{}), want: "liveness"},
		{name: "liveness (default): a task failed because it does not fit now",
			f:     bug(failBusy),
			fails: Options{}, passes: &Options{Abandons: AbandonAny},
			want: "was failed by the policy"},
		{name: "Abandons=gangs still judges ordinary jobs",
			f:     bug(failBusy),
			fails: Options{Abandons: AbandonGangs}, passes: &Options{Abandons: AbandonAny},
			want: "liveness"},
		{name: "liveness (default): gangs abandoned",
			f:     bug(abandonGangs),
			fails: Options{}, passes: &Options{Abandons: AbandonGangs},
			want: "was abandoned by the policy"},
		{name: "MaxSteps: a timer that re-arms itself at one instant",
			f:     bug(spin),
			fails: Options{}, passes: nil,
			want: "budget: the run did not end within 200000 simulation steps"},
		{name: "MaxSteps: a small budget is enforced",
			f:     correct,
			fails: Options{MaxSteps: 3}, passes: &Options{},
			want: "within 3 simulation steps", budget: true},
		{name: "MaxPlaces: a small budget is enforced",
			f:     placer(scheduler.KeyBestFit{}),
			fails: Options{MaxPlaces: 2}, passes: &Options{},
			want: "more than 2 Place/PlaceGang calls", budget: true},
		{name: "placer contract: GPU devices that are not free or do not match the count",
			f:     placer(deviceZero{}),
			fails: Options{Abandons: AbandonAny}, passes: nil,
			correct: placer(scheduler.ScanFirstFit{}), want: "GPU devices {0}"},
		{name: "placer contract: Place modifies the state",
			f:     placer(mutates{}),
			fails: Options{}, passes: nil,
			correct: placer(scheduler.ScanFirstFit{}), want: "modified the state"},
		{name: "SelfChecker: the policy's own invariant",
			f:     SchedulerFactory(func() scheduler.Scheduler { return selfBroken{&fifo{}} }),
			fails: Options{}, passes: nil,
			want: "policy invariant: internal queue out of step"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.fails
			o.Cases = 150
			fl := firstFailure(Check(c.f, o))
			if fl == nil {
				t.Fatalf("the suite did not catch it")
			}
			if msg := fl.Violation + fl.Error; !strings.Contains(msg, c.want) {
				t.Fatalf("caught, but not as expected (want %q):\n%s", c.want, fl)
			}
			if fl.Error == "" {
				if v := replayFile(t, fl.File(), c.f); !strings.Contains(v, c.want) {
					t.Errorf("the saved counterexample does not fail the same way on replay: %q", v)
				}
			}
			if c.passes != nil {
				p := *c.passes
				p.Cases = 150
				if fl := firstFailure(Check(c.f, p)); fl != nil {
					t.Errorf("without the option the policy should pass:\n%s", fl)
				}
			}
			if c.budget {
				return
			}
			good := c.correct
			if good.Placer == nil && good.Scheduler == nil {
				good = correct
			}
			if fl := firstFailure(Check(good, o)); fl != nil {
				t.Errorf("a correct policy fails the option:\n%s", fl)
			}
		})
	}
}

func firstFailure(fs []*Failure) *Failure {
	if len(fs) == 0 {
		return nil
	}
	return fs[0]
}

// TestWallBudget sets -schedtest.wall to a budget every run exceeds.
func TestWallBudget(t *testing.T) {
	defer func(d time.Duration) { *flagWall = d }(*flagWall)
	*flagWall = time.Nanosecond
	fl := firstFailure(Check(PlacerFactory(func() scheduler.Placer { return scheduler.ScanFirstFit{} }), Options{Cases: 20}))
	if fl == nil || !strings.Contains(fl.Violation, "wall-clock budget -schedtest.wall=1ns") {
		t.Fatalf("want a wall-clock budget violation, got %v", fl)
	}
	*flagWall = 0
	if fl := firstFailure(Check(PlacerFactory(func() scheduler.Placer { return scheduler.ScanFirstFit{} }), Options{Cases: 20})); fl != nil {
		t.Fatalf("without the budget: %v", fl)
	}
}

// TestDeadlineNamesTheSlowestScenario: a suite that reaches its deadline stops and
// reports how many cases ran and the slowest scenario, instead of running on into
// go test's timeout.
func TestDeadlineNamesTheSlowestScenario(t *testing.T) {
	o := Options{Cases: 50, deadline: time.Now().Add(-time.Second)}
	fl := firstFailure(Check(PlacerFactory(func() scheduler.Placer { return scheduler.ScanFirstFit{} }), o))
	if fl == nil || !strings.Contains(fl.Error, "stopped before the go test deadline") || !strings.Contains(fl.Error, "0 of 50 cases ran") {
		t.Fatalf("want a deadline report, got %v", fl)
	}
	o.deadline = time.Now().Add(time.Hour)
	if fl := firstFailure(Check(PlacerFactory(func() scheduler.Placer { return scheduler.ScanFirstFit{} }), o)); fl != nil {
		t.Fatalf("a distant deadline stopped the suite: %v", fl)
	}
}

// TestNondeterminismReplayIsReliable: replaying the counterexample of a
// nondeterministic placer reruns until a divergence, so it fails every time.
func TestNondeterminismReplayIsReliable(t *testing.T) {
	f := PlacerFactory(func() scheduler.Placer { return mapOrder{} })
	fl := firstFailure(Check(f, Options{Cases: 150, Abandons: AbandonAny}))
	if fl != nil && !strings.HasPrefix(fl.Property, "determinism") {
		t.Fatalf("want the determinism property to fail first, got %v", fl)
	}
	if fl == nil {
		t.Fatal("the suite did not catch the nondeterministic placer")
	}
	for i := 0; i < 50; i++ {
		if v := replayFile(t, fl.File(), f); !strings.Contains(v, "diverge") {
			t.Fatalf("replay %d did not fail: %q", i, v)
		}
	}
}
