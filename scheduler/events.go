package scheduler

// eventKind says what an event does when it fires.
type eventKind uint8

const (
	evArrival eventKind = iota // the source's next job is due
	evFinish                   // a running task completes
	evNode                     // a node event is due
	evTimer                    // a scheduler's timer
	evSample                   // a metrics sample
)

// event is one entry of the event queue. Events are ordered by (at, seq): equal-time
// events fire in the order they were scheduled.
type event struct {
	at    Time
	seq   uint64
	kind  eventKind
	epoch uint32
	task  *Task
	timer *Timer
}

// eventQueue holds events by (at, seq). Future events are in a 4-ary min-heap,
// stored by value; events scheduled for the current time (the scheduler passes and
// timers armed at Now) go to a FIFO instead, which pops in O(1). The order is
// exactly that of one heap: every FIFO event is at now, and any heap event at now
// was pushed before the clock reached now, so it has a smaller seq.
type eventQueue struct {
	h     []event
	fifo  []event
	fhead int
	now   Time
	seq   uint64
	// external counts queued events that are not timers or samples: while it is
	// zero, nothing from outside the schedulers can change the cluster.
	external int
}

func (q *eventQueue) Len() int { return len(q.h) + len(q.fifo) - q.fhead }

// fromFIFO reports whether the next event comes from the FIFO.
func (q *eventQueue) fromFIFO() bool {
	return q.fhead < len(q.fifo) && (len(q.h) == 0 || q.h[0].at > q.now)
}

func (q *eventQueue) less(i, j int) bool {
	a, b := &q.h[i], &q.h[j]
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (q *eventQueue) push(e event) {
	e.seq = q.seq
	q.seq++
	if e.kind <= evNode {
		q.external++
	}
	if e.at <= q.now {
		e.at = q.now
		q.fifo = append(q.fifo, e)
		return
	}
	q.h = append(q.h, e)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *eventQueue) peek() *event {
	if q.fromFIFO() {
		return &q.fifo[q.fhead]
	}
	return &q.h[0]
}

func (q *eventQueue) pop() event {
	if q.fromFIFO() {
		e := q.fifo[q.fhead]
		q.fifo[q.fhead] = event{}
		q.fhead++
		if q.fhead == len(q.fifo) {
			q.fifo, q.fhead = q.fifo[:0], 0
		}
		if e.kind <= evNode {
			q.external--
		}
		return e
	}
	e := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h[n] = event{}
	q.h = q.h[:n]
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if q.less(k, m) {
				m = k
			}
		}
		if !q.less(m, i) {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	if e.kind <= evNode {
		q.external--
	}
	return e
}

// Timer is a scheduled callback of a policy. Stop cancels it. A Timer made with
// NewTimer can be re-armed with Sim.Arm any number of times without allocating.
type Timer struct {
	fn      func()
	at      Time
	gen     uint32 // the generation of the pending event; older events are ignored
	stopped bool
}

// NewTimer returns a timer that calls fn when armed with Sim.Arm; it is not armed.
func NewTimer(fn func()) *Timer { return &Timer{fn: fn, stopped: true} }

// Stop cancels the timer. It is safe to call more than once, and after it fired.
func (t *Timer) Stop() {
	if t != nil {
		t.stopped = true
		t.gen++
	}
}

// Armed reports whether the timer is waiting to fire.
func (t *Timer) Armed() bool { return t != nil && !t.stopped }

// When returns the time the timer fires.
func (t *Timer) When() Time { return t.at }
