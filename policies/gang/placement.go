package gang

import (
	"slices"

	"github.com/schedlab/schedlab/scheduler"
)

// placement is the placement mode: how one pass places the admitted groups'
// pending members.
type placement interface {
	// pass places what it can and reports whether it left pending work unplaced.
	pass(s *Scheduler) (unplaced bool)
}

// allOrNothing is Strict's mode: each gang's remaining need is planned against one
// snapshot (greedy with the placer, then backtracking) and committed atomically,
// or nothing is placed. Groups are taken in Group order whatever Config.Order
// says; a failed gang backs off as a whole (× √MinMember).
type allOrNothing struct {
	gp *Backtrack
}

func (p allOrNothing) pass(s *Scheduler) (unplaced bool) {
	for _, g := range s.groupOrder() {
		if !g.admitted {
			unplaced = true
			continue
		}
		if !g.gangPhase() {
			for _, m := range g.members {
				if m.t.State == scheduler.TaskPending && s.eligible(&m.retry) && !s.placeOne(m) {
					unplaced = true
				}
			}
			continue
		}
		if !s.eligible(&g.retry) {
			unplaced = true
			continue
		}
		if !p.gang(s, g) {
			unplaced = true
			continue
		}
		// The gang has started: its members beyond the committed plan are ordinary
		// tasks now, tried in this pass so that one that does not fit arms a retry
		// (a started gang with a member still pending and nothing else to wake the
		// scheduler lost that member: conformance counterexample
		// testdata/strict-started-gang-member.json).
		for _, m := range g.members {
			if m.t.State == scheduler.TaskPending && !s.placeOne(m) {
				unplaced = true
			}
		}
	}
	return unplaced
}

// gang plans the gang's remaining need against the current state and commits it
// atomically; it reports whether the gang started.
func (p allOrNothing) gang(s *Scheduler, g *group) bool {
	st := s.sim.State
	need := g.need()
	var tasks []*scheduler.Task
	for _, m := range g.members {
		if m.t.State == scheduler.TaskPending {
			m.t.Attempts++
			tasks = append(tasks, m.t)
		}
	}
	if len(tasks) >= need && minNeed(tasks, need).LessEq(freeSum(st)) {
		claims, status := p.gp.PlaceGang(st, tasks, need)
		if status.IsOK() {
			res := s.sim.CommitPlan(&scheduler.Plan{Claims: claims}, scheduler.DetectFit, true)
			if res.Committed == len(claims) {
				s.gangsStarted++
				g.retry = retry{}
				return true
			}
		}
	}
	if s.failIfNever(g) {
		return false
	}
	s.fail(&g.retry, int(g.job.MinMember))
	return false
}

// oneByOne is the mode of Permit and NonStrict: members are offered one at a time
// in the member order under the hold rule, and a gang's members are held
// (Scheduler.attempt) until MinMember are held, then activated together.
type oneByOne struct {
	order memberOrder
}

func (p oneByOne) pass(s *Scheduler) bool { return p.order.offer(s, nil) }

// reservation is Placeholder's mode (YuniKorn): placeholders reserve the gang's
// MinMember tasks one at a time (held members) and the real tasks swap in
// (Activate) when all are reserved. A gang whose MinMember are reserved waits for
// the swap, so Fair order does not offer its other members. (Group and Interleave
// order still offer them, and Scheduler.attempt refuses them, which counts as
// unplaced work: kept so for byte-identical runs.) Failed asks have no backoff
// (see compose).
type reservation struct {
	order memberOrder
}

func (p reservation) pass(s *Scheduler) bool { return p.order.offer(s, reserved) }

// reserved reports whether g is a gang waiting for its placeholder swap.
func reserved(g *group) bool { return g.gangPhase() && g.need() <= 0 }

// minNeed returns, per resource, the sum of the need smallest requests of tasks: a
// lower bound of what any need of them take together.
func minNeed(tasks []*scheduler.Task, need int) scheduler.Resources {
	var out scheduler.Resources
	if need >= len(tasks) {
		for _, t := range tasks {
			out = out.Add(t.Request)
		}
		return out
	}
	vals := make([]int64, len(tasks))
	for r := range out {
		for i, t := range tasks {
			vals[i] = t.Request[r]
		}
		slices.Sort(vals)
		for _, v := range vals[:need] {
			out[r] += v
		}
	}
	return out
}
