package scheduler

import (
	"cmp"
	"math"
)

// This file holds the queue mechanism that Monolithic and the gang scheduler
// (policies/gang) share: the order of the active queue (Rank), the retry state of
// an entry that did not fit (Retry) and the rule that computes its backoff and its
// unschedulable flush (Backoff).
//
// What they do not share, because their observable behaviour differs: Monolithic
// keeps the active and backoff queues as heaps and pops one entry per attempt, and
// its unschedulable pool is woken per released node with that node's free capacity
// as a budget (queueing hints) and flushed by a periodic timer (every
// FlushInterval, entries older than MaxUnschedulable). The gang scheduler walks
// every live group in Rank order in every pass (a group's timestamp moves with
// failure-time ordering, and held members, the admission gate and fair order need
// the whole set), wakes every failed entry on any release or enqueue (the run's
// notice count) and arms one timer at the exact earliest expiry or flush time.

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
