package schedtest_test

import (
	"fmt"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// spread is a user-written placer: the feasible node with the most free CPU.
type spread struct{}

func (spread) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	best := scheduler.NoNode
	for id := scheduler.NodeID(0); int(id) < s.NumNodes(); id++ {
		if s.Fits(t, id).IsOK() && (best == scheduler.NoNode || s.Free(id)[scheduler.CPU] > s.Free(best)[scheduler.CPU]) {
			best = id
		}
	}
	if best == scheduler.NoNode {
		return best, 0, scheduler.Status{Code: scheduler.Unschedulable, Reason: "no node fits"}
	}
	return best, 0, scheduler.StatusOK
}

// A placer is checked by running it under the monolithic scheduler on generated
// scenarios. In a test, the same is one call:
//
//	schedtest.Conformance(t, schedtest.PlacerFactory(func() scheduler.Placer { return spread{} }),
//		schedtest.Options{GangAtomic: true, DeadlockFree: true})
func Example() {
	f := schedtest.PlacerFactory(func() scheduler.Placer { return spread{} })
	for _, fail := range schedtest.Check(f, schedtest.Options{GangAtomic: true, DeadlockFree: true}) {
		fmt.Println(fail)
	}
	fmt.Println("spread passes the conformance suite")
	// Output: spread passes the conformance suite
}

// fifo is a user-written scheduler, the smallest that passes the suite with every
// declaration: tasks in arrival order, first fit, a gang's members planned
// together and committed with one CommitPlan.
type fifo struct {
	sim     *scheduler.Sim
	waiting []*scheduler.Task
	queued  bool
	retry   *scheduler.Timer
}

func (f *fifo) Attach(sim *scheduler.Sim) error { f.sim = sim; return nil }

// Enqueue and Released only record and wake a pass at the current instant: the
// engine may call them from inside Sim methods (Fail, Evict, Unhold).
func (f *fifo) Enqueue(tasks []*scheduler.Task) { f.waiting = append(f.waiting, tasks...); f.wake() }
func (f *fifo) Released(scheduler.NodeID)       { f.wake() }

func (f *fifo) wake() {
	if !f.queued {
		f.queued = true
		f.sim.At(f.sim.Now(), f.pass)
	}
}

func (f *fifo) pass() {
	f.queued = false
	st := f.sim.State
	queue := f.waiting
	f.waiting = nil // what arrives during the pass is appended here
	var left []*scheduler.Task
	for _, t := range queue {
		if t.State != scheduler.TaskPending || t.Node != scheduler.NoNode {
			continue
		}
		if j := t.Job; j.IsGang() && j.GangReady < 0 {
			// A gang that has not started: plan its missing members together and
			// commit them in one step. Starting them one by one with Start, even in
			// one pass, would be a partial gang.
			var members []*scheduler.Task
			for i := range j.Tasks {
				if m := &j.Tasks[i]; m.State == scheduler.TaskPending && m.Node == scheduler.NoNode {
					members = append(members, m)
				}
			}
			need := int(j.MinMember) - j.Running()
			if claims, s := scheduler.PlaceGang(st, scheduler.ScanFirstFit{}, members, need); s.IsOK() {
				f.sim.CommitPlan(&scheduler.Plan{Claims: claims}, scheduler.DetectFit, true)
			} else if !st.CanEverFitGang(members, need) {
				for _, m := range members {
					f.sim.Fail(m, "the gang can never fit")
				}
			}
			if t.State == scheduler.TaskPending {
				left = append(left, t)
			}
			continue
		}
		id, gpus, s := scheduler.ScanFirstFit{}.Place(st, t)
		if s.IsOK() {
			s = f.sim.Start(t, id, gpus) // may still be refused: a tenant's quota
		}
		switch {
		case s.IsOK():
		case !st.CanEverFit(t):
			f.sim.Fail(t, "larger than every node")
		default:
			left = append(left, t)
		}
	}
	f.waiting = append(left, f.waiting...)
	// A task that waits needs something to wake the scheduler again: a release
	// does, but a quota refusal or a node coming back does not always, so keep a
	// timer while anything waits (else the suite reports the task lost).
	if len(f.waiting) > 0 && (f.retry == nil || f.retry.When() <= f.sim.Now()) {
		f.retry = f.sim.After(10*scheduler.Second, f.wake)
	}
}

// A complete scheduler is checked the same way, from a factory that returns a
// fresh one per run. In a test:
//
//	schedtest.Conformance(t, schedtest.SchedulerFactory(func() scheduler.Scheduler { return &fifo{} }),
//		schedtest.Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true})
func ExampleSchedulerFactory() {
	f := schedtest.SchedulerFactory(func() scheduler.Scheduler { return &fifo{} })
	for _, fail := range schedtest.Check(f, schedtest.Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true}) {
		fmt.Println(fail)
	}
	fmt.Println("fifo passes the conformance suite")
	// Output: fifo passes the conformance suite
}
