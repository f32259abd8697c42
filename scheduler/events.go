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

// eventQueue is a binary min-heap of events by (at, seq), stored by value.
type eventQueue struct {
	h   []event
	seq uint64
	// external counts queued events that are not timers or samples: while it is
	// zero, nothing from outside the schedulers can change the cluster.
	external int
}

func (q *eventQueue) Len() int { return len(q.h) }

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
	q.h = append(q.h, e)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *eventQueue) peek() *event { return &q.h[0] }

func (q *eventQueue) pop() event {
	e := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h[n] = event{}
	q.h = q.h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
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

// Timer is a scheduled callback of a policy. Stop cancels it.
type Timer struct {
	fn      func()
	at      Time
	stopped bool
}

// Stop cancels the timer. It is safe to call more than once, and after it fired.
func (t *Timer) Stop() {
	if t != nil {
		t.stopped = true
	}
}

// When returns the time the timer fires.
func (t *Timer) When() Time { return t.at }
