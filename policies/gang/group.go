package gang

import "github.com/schedlab/schedlab/scheduler"

// retry is the backoff state of something that failed to place: a pod, or a whole
// gang for Strict. Besides the core's retry state it keeps the run's notice count
// (Sim.Notices) at the failure: any release or enqueue after it wakes the entry.
type retry struct {
	scheduler.Retry
	failSeq uint64
}

// member is one task of a gang (or of a plain job) handed to the scheduler and not
// yet running or terminal.
type member struct {
	t *scheduler.Task
	retry
}

// group is the scheduler's record of one job.
type group struct {
	job     *scheduler.Job
	members []*member // in task index order; pending or held
	seq     uint64
	ts      scheduler.Time // order timestamp: arrival, or last failure (FailureOrder)
	retry                  // gang-level backoff (Strict)

	held      []*scheduler.Task // held members (Permit wait, placeholder, NonStrict)
	timer     *scheduler.Timer
	backedOff scheduler.Time // Permit group backoff: denied until then
	admitted  bool
	minRes    scheduler.Resources // the admission gate's reservation (MinMember requests)
	want      scheduler.Resources // Permit MinResources: the remaining need, cached under wantKey
	wantKey   wantKey
	ever      int // failIfNever: pending members that can ever fit (up to need), cached under everKey
	everKey   wantKey
	inqueue   bool // counted in the admission gate's inqueue sum
	fallback  bool // Soft placeholder timeout: best effort from now on
	usage     scheduler.Resources
	blocked   bool // Fair order: gave up for this pass
}

// wantKey identifies the inputs of a group's cached remaining need or fit count:
// the state version (bumped by every hold, start, unhold and finish), the run's
// notice count (scheduler.Sim.Notices: bumped by every release and enqueue) and
// the scheduler's pass counter, the need and the member count.
type wantKey struct {
	version, wake, pass uint64
	need, members       int
}

// rank is the group's place in Group order (the core queue's order): priority,
// then the order timestamp, then job ID, then arrival.
func (g *group) rank() scheduler.Rank {
	return scheduler.Rank{Priority: g.job.Priority, Time: g.ts, Tie: int64(g.job.ID), Seq: g.seq}
}

// gangPhase reports whether the group is a gang that has not started yet and
// places members under gang rules.
func (g *group) gangPhase() bool {
	return g.job.IsGang() && g.job.GangReady < 0 && !g.fallback
}

// need returns how many more members the gang needs to start.
func (g *group) need() int {
	return int(g.job.MinMember) - len(g.held) - g.job.Running()
}
