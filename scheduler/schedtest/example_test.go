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
