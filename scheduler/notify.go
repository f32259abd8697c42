package scheduler

// The simulator tells the scheduler about released capacity (Released) and new
// pending tasks (Enqueue) through a queue of notices, never from inside one of the
// scheduler's own handlers. A notice raised while a handler runs — a Released from
// an Unhold or a Fail the scheduler called, an Enqueue of an evicted task, a
// timer's consequences — is delivered after that handler returns; a notice raised
// by the simulator while it processes an event is delivered once the event's own
// bookkeeping is complete. Delivery order is the order in which the notices were
// raised, except that the notices raised by a handler come before the ones that
// were already waiting (depth first, as a direct call would have it).

type noticeKind uint8

const (
	noticeReleased noticeKind = iota
	noticeEnqueue
)

// notice is one pending call of the scheduler: Released(node), or Enqueue of
// tasks[lo:hi] of the notice arena.
type notice struct {
	kind   noticeKind
	node   NodeID
	lo, hi int32
}

// notices is the queue of undelivered notices and the arena of their task lists.
type notices struct {
	q       []notice
	tasks   []*Task // Enqueue arguments, appended; reset when the queue is empty
	moved   []notice
	handler int    // > 0 while the simulator or a scheduler handler is running
	raised  uint64 // notices raised so far
}

// Notices returns how many Released and Enqueue calls the run has raised so far,
// counted when they are raised, not when they are delivered. A policy that must
// know whether capacity was released or work enqueued since some moment (a retry
// that waits for a change) compares two values of it; a release it caused itself,
// by an Unhold or a Fail, counts at once, although its Released comes only after
// the policy's handler returns.
func (s *Sim) Notices() uint64 { return s.nq.raised }

// notifyReleased queues Released(id).
func (s *Sim) notifyReleased(id NodeID) {
	s.nq.raised++
	s.nq.q = append(s.nq.q, notice{kind: noticeReleased, node: id})
}

// notifyEnqueue queues Enqueue(tasks), copying the slice.
func (s *Sim) notifyEnqueue(tasks []*Task) {
	if len(tasks) == 0 {
		return
	}
	s.nq.raised++
	lo := len(s.nq.tasks)
	s.nq.tasks = append(s.nq.tasks, tasks...)
	s.nq.q = append(s.nq.q, notice{kind: noticeEnqueue, lo: int32(lo), hi: int32(len(s.nq.tasks))})
}

// enter marks the start of a stretch in which notices are only queued: the
// processing of an event, or a call of one of the scheduler's handlers.
func (s *Sim) enter() { s.nq.handler++ }

// leave ends the stretch begun by enter and, when no handler is running any more,
// delivers the queued notices.
func (s *Sim) leave() {
	s.nq.handler--
	s.deliver()
}

// deliver calls the scheduler for every queued notice unless a handler is running
// (then the outermost one delivers when it returns). Notices raised by a delivered
// handler are delivered next, before those that were already queued.
func (s *Sim) deliver() {
	if s.nq.handler > 0 || len(s.nq.q) == 0 {
		return
	}
	s.nq.handler++
	for i := 0; i < len(s.nq.q); {
		n := s.nq.q[i]
		i++
		mark := len(s.nq.q)
		switch n.kind {
		case noticeReleased:
			s.sched.Released(n.node)
		case noticeEnqueue:
			s.sched.Enqueue(s.nq.tasks[n.lo:n.hi:n.hi])
		}
		if added := len(s.nq.q) - mark; added > 0 && mark > i {
			// Move the notices this handler raised in front of the waiting ones.
			s.nq.moved = append(s.nq.moved[:0], s.nq.q[mark:]...)
			copy(s.nq.q[i+added:], s.nq.q[i:mark])
			copy(s.nq.q[i:], s.nq.moved)
		}
	}
	s.nq.q = s.nq.q[:0]
	clear(s.nq.tasks)
	s.nq.tasks = s.nq.tasks[:0]
	s.nq.handler--
}
