package scheduler_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// Property tests of the core (issue 2), on scenarios from schedtest's generators.
// The generator seed is fixed and printed; -schedtest.seed and -schedtest.n change
// it and the number of cases for schedtest.Conformance; these tests take their
// own defaults below.

const propSeed int64 = 20261127

func propParams(t *testing.T, cases int) *gopter.TestParameters {
	p := gopter.DefaultTestParametersWithSeed(propSeed)
	p.MinSuccessfulTests = cases
	t.Logf("gopter seed %d", propSeed)
	return p
}

// stateOf builds a state from sc's nodes and places two thirds of sc's tasks on it,
// task k on the first node from k·7 mod n onward that fits, so that nodes are partly
// and unevenly filled; every third task is left unplaced for the property to use.
// It returns the state and every task.
func stateOf(sc schedtest.Scenario) (*scheduler.State, []*scheduler.Task) {
	b := sc.Build()
	st, err := scheduler.NewState(b.Config.Nodes)
	if err != nil {
		panic(err)
	}
	var tasks []*scheduler.Task
	for _, j := range b.Jobs {
		for i := range j.Tasks {
			t := &j.Tasks[i]
			t.Job, t.Node, t.ID = j, scheduler.NoNode, scheduler.TaskID(len(tasks))
			tasks = append(tasks, t)
		}
	}
	n := st.NumNodes()
	for k, t := range tasks {
		if k%3 == 2 {
			continue
		}
		for d := 0; d < n; d++ {
			if st.Place(t, scheduler.NodeID((k*7+d)%n), 0, k%5 == 0).IsOK() {
				break
			}
		}
	}
	return st, tasks
}

func TestPropRandomPlanCommitsFullyOrLeavesStateUnchanged(t *testing.T) {
	props := gopter.NewProperties(propParams(t, 300))
	full, none := 0, 0
	props.Property("an all-or-nothing commit applies every claim or leaves the Fingerprint unchanged; an incremental one accounts for every claim; invariants hold",
		prop.ForAll(func(sc schedtest.Scenario) string {
			st, tasks := stateOf(sc)
			if len(tasks) == 0 {
				return ""
			}
			// The plan: the unplaced tasks that first fit can place together (a plan
			// that commits fully), then, for two scenarios in three, one bad claim: a
			// task that is already placed, a stale sequence number, or a node that is
			// too small, in a random position.
			var unplaced []*scheduler.Task
			for _, tk := range tasks {
				if tk.Node == scheduler.NoNode {
					unplaced = append(unplaced, tk)
				}
			}
			claims, _ := scheduler.PlaceGang(st, scheduler.ScanFirstFit{}, unplaced, 0)
			plan := scheduler.Plan{Claims: claims}
			if bad := sc.Seed % 3; bad > 0 && len(claims) > 0 {
				pos := int(sc.Seed/3) % len(claims)
				c := claims[pos]
				switch {
				case bad == 1 && tasks[0].Node != scheduler.NoNode:
					c = scheduler.Claim{Task: tasks[0], Node: tasks[0].Node, Seq: st.Seq(tasks[0].Node)}
					plan.Claims = append(plan.Claims[:pos:pos], append([]scheduler.Claim{c}, claims[pos:]...)...)
				case bad == 1:
					plan.Claims[pos].Seq += 7 // stale for DetectSeq; fine for DetectFit
				default:
					huge := *c.Task
					huge.Node, huge.Request = scheduler.NoNode, scheduler.Res(1<<40, 0, 0)
					plan.Claims = append(plan.Claims, scheduler.Claim{Task: &huge, Node: c.Node, Seq: st.Seq(c.Node)})
				}
			}
			for _, d := range []scheduler.Detection{scheduler.DetectFit, scheduler.DetectSeq} {
				for _, aon := range []bool{true, false} {
					before := st.Fingerprint()
					tx := st.Begin()
					res := st.Commit(&plan, d, aon)
					switch {
					case res.Committed+len(res.Conflicts) != len(plan.Claims):
						return fmt.Sprintf("%v commit (all-or-nothing %v): %d applied + %d conflicts for %d claims",
							d, aon, res.Committed, len(res.Conflicts), len(plan.Claims))
					case !aon:
					case res.Committed == len(plan.Claims):
						full++
					case res.Committed == 0:
						none++
						if st.Fingerprint() != before {
							return fmt.Sprintf("%v all-or-nothing commit failed (%v) but changed the state", d, res.First)
						}
					default:
						return fmt.Sprintf("%v all-or-nothing commit applied %d of %d claims", d, res.Committed, len(plan.Claims))
					}
					if msg := st.CheckInvariants(); msg != "" {
						return msg
					}
					tx.Rollback()
					if st.Fingerprint() != before {
						return fmt.Sprintf("%v commit (all-or-nothing %v) rolled back: the state differs from before", d, aon)
					}
				}
			}
			return ""
		}, schedtest.Scenarios(schedtest.Shape{NoFailures: true})))
	props.TestingRun(t)
	t.Logf("all-or-nothing commits: %d applied fully, %d rejected whole", full, none)
	if full < 50 || none < 50 {
		t.Errorf("too few commits of one kind (%d full, %d rejected): the property is too weak", full, none)
	}
}

// naiveBestFit is the reference: scan every node, keep the feasible one with the
// least free capacity of the key resource, ties to the lowest ID.
func naiveBestFit(st *scheduler.State, t *scheduler.Task, key scheduler.Resource) scheduler.NodeID {
	best := scheduler.NoNode
	for id := scheduler.NodeID(0); int(id) < st.NumNodes(); id++ {
		if !st.Fits(t, id).IsOK() {
			continue
		}
		if best == scheduler.NoNode || st.Free(id)[key] < st.Free(best)[key] {
			best = id
		}
	}
	return best
}

func TestPropIndexedBestFitAgreesWithNaiveScan(t *testing.T) {
	props := gopter.NewProperties(propParams(t, 300))
	decisions, placed := 0, 0
	props.Property("BestFit (btree index) picks the node a full scan picks, for every task, as the state changes",
		prop.ForAll(func(sc schedtest.Scenario) string {
			st, tasks := stateOf(sc)
			for _, p := range []scheduler.KeyBestFit{{}, {Key: scheduler.Memory, Fixed: true}} {
				for _, tk := range tasks {
					if tk.Node != scheduler.NoNode {
						continue
					}
					key := p.Key
					if !p.Fixed {
						key = scheduler.CPU
						if tk.Request[scheduler.GPU] > 0 {
							key = scheduler.GPU
						}
					}
					want := naiveBestFit(st, tk, key)
					got, _, status := p.Place(st, tk)
					if !status.IsOK() {
						got = scheduler.NoNode
					}
					decisions++
					if got != scheduler.NoNode {
						placed++
					}
					if got != want {
						return fmt.Sprintf("BestFit%+v placed task %v (request %v) on node %d, the scan says %d", p, tk, tk.Request, got, want)
					}
					if got != scheduler.NoNode && len(tasks)%2 == 0 {
						st.Place(tk, got, 0, false) // change the state for the next decision
					}
				}
			}
			return ""
		}, schedtest.Scenarios(schedtest.Shape{NoFailures: true, MaxNodes: 16})))
	props.TestingRun(t)
	t.Logf("%d decisions compared, %d of them placed a task", decisions, placed)
	if placed < decisions/5 {
		t.Errorf("only %d of %d decisions placed a task: the property is too weak", placed, decisions)
	}
}

func TestPropSameSeedGivesByteIdenticalJSON(t *testing.T) {
	props := gopter.NewProperties(propParams(t, 150))
	for _, name := range []string{"FirstFit", "BestFit"} {
		placer := func() scheduler.Placer { return scheduler.ScanFirstFit{} }
		if name == "BestFit" {
			placer = func() scheduler.Placer { return scheduler.KeyBestFit{} }
		}
		f := schedtest.PlacerFactory(placer)
		props.Property("monolithic "+name+": two runs of a scenario give byte-identical result JSON, and every submitted task is in exactly one state",
			prop.ForAll(func(sc schedtest.Scenario) string {
				a := schedtest.Run(&sc, f, schedtest.Checks{GangAtomic: true})
				b := schedtest.Run(&sc, f, schedtest.Checks{GangAtomic: true})
				if a.Violation != "" {
					return a.Violation
				}
				ja, _ := json.Marshal(a.Result)
				jb, _ := json.Marshal(b.Result)
				if !bytes.Equal(ja, jb) {
					return fmt.Sprintf("result JSON differs:\n%s\n%s", ja, jb)
				}
				return ""
			}, schedtest.Scenarios(schedtest.Shape{})))
	}
	props.TestingRun(t)
}
