package gang

import "github.com/schedlab/schedlab/scheduler"

// timeoutRule bounds how long a partial gang may hold resources: a timer armed
// when the gang holds its first member (the Permit wait, the first placeholder,
// the NonStrict wait) and what its expiry does. Scheduler.expire calls expire
// only while the gang is still partial.
type timeoutRule interface {
	// held runs after a member of g was held.
	held(s *Scheduler, g *group)
	// expire releases the partial gang g.
	expire(s *Scheduler, g *group)
}

// armOnFirstHold arms g's timer after d when g holds its first member.
func armOnFirstHold(s *Scheduler, g *group, d scheduler.Time) {
	if len(g.held) == 1 && !g.timer.Armed() {
		g.timer = s.sim.After(d, func() { s.expire(g) })
	}
}

// forever never releases a partial gang (Timeout Forever; Strict, which never
// holds).
type forever struct{}

func (forever) held(*Scheduler, *group)   {}
func (forever) expire(*Scheduler, *group) {}

// waitTimeout is the Permit and NonStrict wait: on expiry the held members are
// released, the pending ones count a failed attempt and the group takes its
// group backoff and failure-time order.
type waitTimeout struct{ after scheduler.Time }

func (w waitTimeout) held(s *Scheduler, g *group) { armOnFirstHold(s, g, w.after) }

func (w waitTimeout) expire(s *Scheduler, g *group) {
	s.release(g, "wait timeout")
	for _, m := range g.members {
		if m.t.State == scheduler.TaskPending {
			s.fail(&m.retry, 1)
		}
	}
	s.groupFailed(g)
}

// softTimeout is YuniKorn's Soft placeholder timeout: the placeholders are
// released and the job's tasks are scheduled best effort from then on.
type softTimeout struct{ after scheduler.Time }

func (w softTimeout) held(s *Scheduler, g *group) { armOnFirstHold(s, g, w.after) }

func (softTimeout) expire(s *Scheduler, g *group) {
	s.release(g, "placeholder timeout")
	g.fallback = true
}

// hardTimeout is YuniKorn's Hard placeholder timeout: the placeholders are
// released and the job fails.
type hardTimeout struct{ after scheduler.Time }

func (w hardTimeout) held(s *Scheduler, g *group) { armOnFirstHold(s, g, w.after) }

func (hardTimeout) expire(s *Scheduler, g *group) {
	s.release(g, "placeholder timeout")
	s.sim.Abandon(g.job, "placeholder timeout (hard)")
}
