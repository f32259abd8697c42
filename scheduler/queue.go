package scheduler

import (
	"cmp"
	"math"
)

// This file holds the queue mechanism that Monolithic and the gang scheduler
// (policies/gang) share: the order of the active queue (Rank), the retry state of
// an entry that did not fit (Retry) and the rule that computes its backoff and
// when it is due for the unschedulable flush (Backoff).
//
// The rest of the two queues is not shared, because sharing it would change
// what the schedulers do (every run is kept byte-identical):
//
//   - Shape. Monolithic keeps heaps (active by Rank, backoff by expiry) and pops
//     one entry per attempt, possibly staying busy for a decision time, and may
//     pop from the backoff queue when idle (KEP-5142). The gang scheduler walks
//     every live group in Rank order in every pass, re-sorted each time: a
//     group's timestamp moves with failure-time ordering, Interleave and Fair
//     orders are not priority queues, and held members, the admission gate and
//     the deadlock check need the whole set.
//   - Wake-up. Monolithic wakes a pool entry per released node, with that node's
//     free capacity as a budget (queueing hints). The gang scheduler wakes every
//     failed entry on any release or enqueue (Sim.Notices counts them).
//   - Flush. Both retry an entry that has waited FlushAfter since its last
//     failure (Backoff.Flushed), but Monolithic checks on a periodic timer (every
//     FlushInterval), so an entry waits up to FlushInterval longer, while the gang
//     scheduler arms one timer at the exact earliest expiry or flush time
//     (Backoff.FlushAt).
//   - Keys. Monolithic ranks by the head task's priority and creation (Tie 0);
//     the gang scheduler by the job's priority and breaks ties of its timestamp
//     by job ID before creation (Tie).

// Rank is an entry's place in an active queue ordered as kube-scheduler's: higher
// Priority first, then the earlier Time (arrival, or whatever timestamp the queue
// keeps), then the smaller Tie (a caller's tie-break; the gang scheduler uses the
// job ID, Monolithic leaves it 0), then the smaller Seq (the order entries were
// created in, unique within a queue).
type Rank struct {
	Priority int32
	Time     Time
	Tie      int64
	Seq      uint64
}

// Compare returns a negative number when r comes before o, a positive one when it
// comes after, and 0 when they are equal.
func (r Rank) Compare(o Rank) int {
	if r.Priority != o.Priority {
		return cmp.Compare(o.Priority, r.Priority)
	}
	if c := cmp.Compare(r.Time, o.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(r.Tie, o.Tie); c != 0 {
		return c
	}
	return cmp.Compare(r.Seq, o.Seq)
}

// Retry is the backoff state of a queue entry (a task, or a whole gang) that did
// not fit. The zero value is an entry that has not failed since it was last
// placed or reset.
type Retry struct {
	Attempts  int32 // failed attempts
	NotBefore Time  // the backoff expires then
	Since     Time  // the last failure (when the entry became unschedulable)
}

// Failed reports whether the entry has failed at least once.
func (r *Retry) Failed() bool { return r.Attempts > 0 }

// Backoff is the retry rule of kube-scheduler's queue: after its n-th failed
// attempt an entry of size s waits min(Initial × 2^(n−1), Max × √s) (the √s
// scaling for a gang of s tasks, KEP-4671; s ≤ 1 leaves Max as it is) before it
// may be tried again, and an unschedulable entry is flushed back (retried even
// without a wake-up) once it has waited FlushAfter. A negative Max disables
// backoff.
type Backoff struct {
	Initial, Max Time
	FlushAfter   Time
}

// Delay returns the backoff after attempts failed attempts of an entry of size
// size: 0 when attempts ≤ 0 or backoff is disabled.
func (b Backoff) Delay(attempts int32, size int) Time {
	if b.Max < 0 || attempts <= 0 {
		return 0
	}
	maxB := b.Max
	if size > 1 {
		maxB = Time(float64(maxB) * math.Sqrt(float64(size)))
	}
	d := b.Initial
	for i := int32(1); i < attempts && d < maxB; i++ {
		d *= 2
	}
	return min(d, maxB)
}

// Fail records a failed attempt at now of an entry of size size: one more
// attempt, unschedulable since now, backed off until now + Delay.
func (b Backoff) Fail(r *Retry, now Time, size int) {
	r.Attempts++
	r.Since = now
	r.NotBefore = now + b.Delay(r.Attempts, size)
}

// Expired reports whether r's backoff is over at now.
func (b Backoff) Expired(r *Retry, now Time) bool { return now >= r.NotBefore }

// FlushAt returns when r is due for the unschedulable flush: FlushAfter after its
// last failure.
func (b Backoff) FlushAt(r *Retry) Time { return r.Since + b.FlushAfter }

// Flushed reports whether r has waited FlushAfter since its last failure at now.
func (b Backoff) Flushed(r *Retry, now Time) bool { return now-r.Since >= b.FlushAfter }
