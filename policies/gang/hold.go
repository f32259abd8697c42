package gang

import "github.com/schedlab/schedlab/scheduler"

// holdRule is the hold/permit rule of the one-by-one placement modes: which
// members of a gang in its gang phase may be tried, what a member's failure does
// to its group, and whether the rule itself will release a partial gang. Under
// every rule the held members start together (Scheduler.start: Permit's Allow,
// the placeholder swap) as soon as MinMember are held or running.
type holdRule interface {
	// preFilter reports whether member m of g may be tried now; when it may not,
	// it may have counted a failed attempt of m.
	preFilter(s *Scheduler, g *group, m *member) bool
	// memberFailed runs after a member of g failed to place (PostFilter).
	memberFailed(s *Scheduler, g *group)
	// canRelease reports whether g's next failed retry releases its held members.
	canRelease(g *group) bool
}

// accumulate holds members as they fit, with no admission check and no group
// rejection (NonStrict, placeholders).
type accumulate struct{}

func (accumulate) preFilter(*Scheduler, *group, *member) bool { return true }
func (accumulate) memberFailed(*Scheduler, *group)            {}
func (accumulate) canRelease(*group) bool                     { return false }

// permitBarrier is scheduler-plugins coscheduling's Permit barrier with its
// PreFilter and PostFilter: a group in group backoff is not tried; with
// minResources a member is tried only while the gang's remaining need fits the
// cluster-wide free sum; a failed member rejects the whole group when
// (MinMember − assigned)/MinMember exceeds rejectPercent %.
type permitBarrier struct {
	rejectPercent int
	minResources  bool
}

func (p permitBarrier) preFilter(s *Scheduler, g *group, m *member) bool {
	if s.sim.Now() < g.backedOff {
		return false // PreFilter: the group is backed off (armRetry wakes it)
	}
	if !p.minResources {
		return true
	}
	if !remainingNeed(s, g).LessEq(freeSum(s.sim.State)) {
		m.t.Attempts++
		s.fail(&m.retry, 1)
		p.memberFailed(s, g)
		return false
	}
	return true
}

// remainingNeed returns the sum of the requests of g's first need pending
// members. Every pending member of a gang that cannot fit repeats the PreFilter,
// so the sum is cached until something it depends on changes (without the cache,
// a pass over an n-member gang costs O(n²)).
func remainingNeed(s *Scheduler, g *group) scheduler.Resources {
	need := g.need()
	key := wantKey{s.sim.State.Version(), s.sim.Notices(), s.passes, need, len(g.members)}
	if g.wantKey != key {
		var want scheduler.Resources
		k := 0
		for _, o := range g.members {
			if k == need {
				break
			}
			if o.t.State == scheduler.TaskPending {
				want = want.Add(o.t.Request)
				k++
			}
		}
		g.want, g.wantKey = want, key
	}
	return g.want
}

// memberFailed is coscheduling's PostFilter: reject the whole group when too few
// members are assigned for the rest to be a near miss.
func (p permitBarrier) memberFailed(s *Scheduler, g *group) {
	if !p.rejects(g) {
		return
	}
	if len(g.held) > 0 {
		s.rejections++
		s.release(g, "group rejected")
	}
	s.groupFailed(g)
}

func (p permitBarrier) canRelease(g *group) bool { return p.rejects(g) }

// rejects reports whether a failure now would reject g.
func (p permitBarrier) rejects(g *group) bool {
	minM := int(g.job.MinMember)
	return (minM-len(g.held)-g.job.Running())*100 > p.rejectPercent*minM
}
