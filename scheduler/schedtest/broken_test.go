package schedtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// The suite's own proof that it catches bugs: deliberately broken placers and
// schedulers, each of which must be reported by the property named, with a shrunk
// counterexample that replays.

// bug selects a deliberate defect of the fifo scheduler below.
type bug int

const (
	noBug          bug = iota
	runUnplaced        // marks a task running that does not fit anywhere, without placing it
	doublePlace        // places a copy of the task on a second node as well
	loseOnRollback     // a gang whose tentative placement is rolled back is forgotten
	starveGangs        // a gang that did not fit at once is kept but never tried again
	hoardGangs         // gang members are held one by one as they fit (can deadlock)
	activateOne        // as hoardGangs, but only one held member is started
	wholeJobs          // an ordinary job's tasks start only when all of them fit at once
	abandonGangs       // a gang that does not fit at once is abandoned
	failBusy           // a task that does not fit now is failed instead of waiting
	spin               // a timer at the current instant re-arms itself while anything waits
	oneByOne           // a gang that fits is started member by member with Start, in one pass
	noRetry            // no retry timer: waiting tasks rely on releases alone
)

// fifo is a small correct scheduler (unless given a bug): tasks in arrival order,
// first fit, gangs placed all-or-nothing with PlaceGang and CommitPlan, tasks that
// can never fit failed, a retry timer while anything waits.
type fifo struct {
	bug    bug
	sim    *scheduler.Sim
	queue  [][]*scheduler.Task // entities: one task, or a gang's pending members
	queued bool
	retry  *scheduler.Timer

	starved [][]*scheduler.Task
}

// hoard holds whichever pending members of a gang fit now and starts the gang once
// MinMember are held: non-strict accumulation, which deadlocks when two gangs each
// hold part of what the other needs. It returns the members still pending.
func (f *fifo) hoard(e []*scheduler.Task) [][]*scheduler.Task {
	j := e[0].Job
	var left []*scheduler.Task
	for _, t := range e {
		id, gpus, s := scheduler.ScanFirstFit{}.Place(f.sim.State, t)
		if s.IsOK() && f.sim.Hold(t, id, gpus).IsOK() {
			continue
		}
		left = append(left, t)
	}
	held := 0
	for i := range j.Tasks {
		if j.Tasks[i].State == scheduler.TaskHeld {
			held++
		}
	}
	if held >= int(j.MinMember) {
		for i := range j.Tasks {
			if t := &j.Tasks[i]; t.State == scheduler.TaskHeld {
				f.sim.Activate(t)
				if f.bug == activateOne {
					break // BUG: the other held members stay held
				}
			}
		}
	}
	if len(left) == 0 {
		return nil
	}
	return [][]*scheduler.Task{left}
}

func (f *fifo) Attach(sim *scheduler.Sim) error {
	f.sim = sim
	if f.bug == spin {
		var tick func()
		tick = func() { sim.At(sim.Now(), tick) } // BUG: livelock at one instant
		sim.At(0, tick)
	}
	return nil
}

func (f *fifo) Enqueue(tasks []*scheduler.Task) {
	gangs := map[scheduler.JobID]int{}
	for _, t := range tasks {
		if t.Job.IsGang() && t.Job.GangReady < 0 || f.bug == wholeJobs {
			if i, ok := gangs[t.Job.ID]; ok {
				f.queue[i] = append(f.queue[i], t)
				continue
			}
			gangs[t.Job.ID] = len(f.queue)
		}
		f.queue = append(f.queue, []*scheduler.Task{t})
	}
	f.wake()
}

func (f *fifo) Released(scheduler.NodeID) { f.wake() }

func (f *fifo) wake() {
	if !f.queued {
		f.queued = true
		f.sim.At(f.sim.Now(), f.pass)
	}
}

func (f *fifo) pass() {
	f.queued = false
	st := f.sim.State
	// What Fail and Start cause (a job that others wait for ends) is enqueued
	// after this pass returns: work on the current queue and keep the rest.
	q := f.queue
	f.queue = nil
	var keep [][]*scheduler.Task
	for _, e := range q {
		e = pendingOnly(e)
		if len(e) == 0 {
			continue
		}
		j := e[0].Job
		if (f.bug == hoardGangs || f.bug == activateOne) && j.IsGang() && j.GangReady < 0 {
			keep = append(keep, f.hoard(e)...)
			continue
		}
		if j.IsGang() && j.GangReady < 0 {
			need := int(j.MinMember) - j.Running()
			claims, s := scheduler.PlaceGang(st, scheduler.ScanFirstFit{}, e, min(need, len(e)))
			if s.IsOK() && len(e) >= need && f.bug == oneByOne {
				for _, c := range claims {
					f.sim.Start(c.Task, c.Node, c.GPUs) // BUG: the gang starts partially, step by step
				}
				if rest := pendingOnly(e); len(rest) > 0 {
					keep = append(keep, rest)
				}
				continue
			}
			if s.IsOK() && len(e) >= need {
				f.sim.CommitPlan(&scheduler.Plan{Claims: claims}, scheduler.DetectFit, true)
				if rest := pendingOnly(e); len(rest) > 0 {
					keep = append(keep, rest) // the started gang's other members
				}
				continue
			}
			if f.bug == loseOnRollback {
				continue // BUG: the rolled-back gang is dropped from the queue
			}
			if f.bug == abandonGangs {
				f.sim.Abandon(j, "did not fit at once") // BUG (unless declared): gives up
				continue
			}
			if f.bug == starveGangs {
				f.starved = append(f.starved, e) // BUG: kept, never retried
				continue
			}
			if !canEverFit(st, e, need) {
				for _, t := range e {
					f.sim.Fail(t, "gang can never fit")
				}
				continue
			}
			keep = append(keep, e)
			continue
		}
		if f.bug == wholeJobs && len(e) > 1 {
			// BUG (unless the policy says so): every task of the job or none.
			claims, s := scheduler.PlaceGang(st, scheduler.ScanFirstFit{}, e, len(e))
			if s.IsOK() {
				f.sim.CommitPlan(&scheduler.Plan{Claims: claims}, scheduler.DetectFit, true)
			}
			if rest := pendingOnly(e); len(rest) > 0 {
				if !canEverFit(st, rest, len(rest)) {
					for _, t := range rest {
						f.sim.Fail(t, "can never fit")
					}
					continue
				}
				keep = append(keep, rest)
			}
			continue
		}
		var left []*scheduler.Task
		for _, t := range e {
			id, gpus, s := scheduler.ScanFirstFit{}.Place(st, t)
			if s.IsOK() {
				s = f.sim.Start(t, id, gpus) // may still be refused: a tenant quota
			}
			if s.IsOK() {
				if f.bug == doublePlace && t.Job.ID%2 == 0 {
					// BUG: a copy of the task is placed on another node too.
					dup := *t
					dup.Node = scheduler.NoNode
					for o := scheduler.NodeID(0); int(o) < st.NumNodes(); o++ {
						if o != id && st.Place(&dup, o, 0, false).IsOK() {
							break
						}
					}
				}
				continue
			}
			if f.bug == failBusy {
				f.sim.Fail(t, "no room now") // BUG: gives up on work that would fit later
				continue
			}
			if !st.CanEverFit(t) {
				if f.bug == runUnplaced {
					t.State = scheduler.TaskRunning // BUG: claims it runs, places nothing
					continue
				}
				f.sim.Fail(t, "can never fit")
				continue
			}
			left = append(left, t)
		}
		if len(left) > 0 {
			keep = append(keep, left)
		}
	}
	f.queue = append(keep, f.queue...)
	if f.bug != noRetry && (len(f.queue) > 0 || len(f.starved) > 0) && (f.retry == nil || f.retry.When() <= f.sim.Now()) {
		f.retry = f.sim.After(30*scheduler.Second, f.wake)
	}
}

func pendingOnly(e []*scheduler.Task) []*scheduler.Task {
	var out []*scheduler.Task
	for _, t := range e {
		if t.State == scheduler.TaskPending && t.Node == scheduler.NoNode {
			out = append(out, t)
		}
	}
	return out
}

func canEverFit(st *scheduler.State, e []*scheduler.Task, need int) bool {
	n := 0
	for _, t := range e {
		if st.CanEverFit(t) {
			n++
		}
	}
	return n >= need
}

// partialGang is a GangPlacer that returns one claim fewer than the gang needs.
type partialGang struct{ scheduler.ScanFirstFit }

func (partialGang) PlaceGang(s *scheduler.State, tasks []*scheduler.Task, need int) ([]scheduler.Claim, scheduler.Status) {
	claims, st := scheduler.PlaceGang(s, scheduler.ScanFirstFit{}, tasks, need)
	if st.IsOK() && need > 1 {
		claims = claims[:need-1] // BUG: a strict gang placed partially
	}
	return claims, st
}

// ignoresMemory is a placer that looks only at CPU: it returns nodes where the task
// does not fit (the state refuses them, but the placer is wrong).
type ignoresMemory struct{}

func (ignoresMemory) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	for id := scheduler.NodeID(0); int(id) < s.NumNodes(); id++ {
		if s.Up(id) && s.Free(id)[scheduler.CPU] >= t.Request[scheduler.CPU] {
			return id, 0, scheduler.StatusOK
		}
	}
	return scheduler.NoNode, 0, scheduler.Status{Code: scheduler.Unschedulable, Reason: "no cpu"}
}

// mapOrder picks among the fitting nodes by map iteration order: nondeterministic.
type mapOrder struct{}

func (mapOrder) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	fit := map[scheduler.NodeID]bool{}
	for id := scheduler.NodeID(0); int(id) < s.NumNodes(); id++ {
		if s.Fits(t, id).IsOK() {
			fit[id] = true
		}
	}
	for id := range fit { // BUG: map order decides
		return id, 0, scheduler.StatusOK
	}
	return scheduler.NoNode, 0, scheduler.Status{Code: scheduler.Unschedulable, Reason: "no node fits"}
}

func TestFIFOIsCorrect(t *testing.T) {
	Conformance(t, SchedulerFactory(func() scheduler.Scheduler { return &fifo{} }),
		Options{GangAtomic: true, DeadlockFree: true})
}

func TestBrokenPoliciesAreCaught(t *testing.T) {
	cases := []struct {
		name     string
		f        Factory
		o        Options
		property string // prefix of the property that must fail
		want     string // substring of the violation ("a|b": either)
	}{
		{"claims a task runs without placing it",
			SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: runUnplaced} }),
			Options{}, "safety", "is running but its node is -1"},
		{"double-places a task (over-commit behind the state's back)",
			SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: doublePlace} }),
			Options{}, "safety", "not a submitted task"},
		{"placer returns nodes that do not fit",
			PlacerFactory(func() scheduler.Placer { return ignoresMemory{} }),
			Options{}, "safety", "placer contract"},
		{"loses a gang on rollback",
			SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: loseOnRollback} }),
			Options{}, "safety", "lost it"},
		{"places a strict gang partially",
			PlacerFactory(func() scheduler.Placer { return partialGang{} }),
			Options{GangAtomic: true}, "safety", "gang atomicity"},
		{"starves a gang that did not fit at once",
			SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: starveGangs} }),
			Options{DeadlockFree: true}, "deadlock-free", "fits the cluster on its own, is still"},
		{"hoards gang members (deadlocks)",
			SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: hoardGangs} }),
			Options{DeadlockFree: true}, "deadlock-free", "fits the cluster on its own, is still"},
		{"starts one member of a fully held gang",
			SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: activateOne} }),
			Options{GangAtomic: true}, "safety", "started only 1|is still held"},
		{"starts a fitting gang member by member with Start in one pass",
			SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: oneByOne} }),
			Options{GangAtomic: true}, "safety", "partial gang"},
		{"keeps no retry timer",
			SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: noRetry} }),
			Options{}, "safety", "lost it"},
		{"nondeterministic placer (map order)",
			PlacerFactory(func() scheduler.Placer { return mapOrder{} }),
			Options{}, "determinism", "diverge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.o.Cases = 150
			fails := Check(c.f, c.o)
			var got *Failure
			for _, fl := range fails {
				if strings.HasPrefix(fl.Property, c.property) {
					got = fl
				}
			}
			if got == nil {
				t.Fatalf("the suite did not catch it (failures: %v)", fails)
			}
			matches := false
			for _, w := range strings.Split(c.want, "|") {
				matches = matches || strings.Contains(got.Violation, w)
			}
			if got.Error != "" || !matches {
				t.Fatalf("caught, but not as expected (want %q):\n%s", c.want, got)
			}
			if got.Scenario.NumTasks() > got.Original.NumTasks() || len(got.Scenario.Jobs) > len(got.Original.Jobs) {
				t.Errorf("the counterexample grew while shrinking")
			}
			if n := got.Scenario.NumTasks(); n > 6 {
				t.Errorf("shrunk counterexample still has %d tasks", n)
			}
			// Replay reruns a determinism counterexample until it diverges.
			if replayFile(t, got.File(), c.f) == "" {
				t.Errorf("the saved counterexample does not fail on replay")
			}
			t.Logf("caught:\n%s", got)
		})
	}
}

// replayFile saves data in a temporary file and replays it, returning the violation.
func replayFile(t *testing.T, data []byte, f Factory) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cex.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return replay(path, f)
}
