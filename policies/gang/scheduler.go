package gang

import (
	"slices"

	"github.com/schedlab/schedlab/scheduler"
)

// Scheduler is a single-queue scheduler with one of the co-scheduling Variants,
// composable with any scheduler.Placer. See the package documentation for each
// variant's rules and the stages it is composed of. It implements
// scheduler.Scheduler, scheduler.Reporter and scheduler.DeadlockBreaker.
type Scheduler struct {
	cfg Config
	stages
	sim    *scheduler.Sim
	groups map[scheduler.JobID]*group
	list   []*group // live groups in arrival order
	seq    uint64
	passes uint64

	passQueued bool
	retryTmr   *scheduler.Timer
	dirty      bool // the queue changed: a listOrder rebuilds its list

	timeouts, rejections, gangsStarted, checks, gangsSubmitted int
}

var (
	_ scheduler.Scheduler       = (*Scheduler)(nil)
	_ scheduler.Reporter        = (*Scheduler)(nil)
	_ scheduler.DeadlockBreaker = (*Scheduler)(nil)
)

// New returns a gang scheduler composed of the stages that cfg's Variant
// selects. A nil Placer means scheduler.KeyBestFit{}; zero backoff durations and
// Branch take DefaultConfig's values; Timeout 0 means Forever.
func New(cfg Config) (*Scheduler, error) {
	d := DefaultConfig(cfg.Variant)
	if cfg.Placer == nil {
		cfg.Placer = d.Placer
	}
	if cfg.InitialBackoff == 0 {
		cfg.InitialBackoff = d.InitialBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = d.MaxBackoff
	}
	if cfg.FlushAfter == 0 {
		cfg.FlushAfter = d.FlushAfter
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = scheduler.Forever
	}
	if cfg.Branch == 0 {
		cfg.Branch = d.Branch
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxBackoff >= 0 && cfg.MaxBackoff < cfg.InitialBackoff {
		cfg.MaxBackoff = cfg.InitialBackoff // a negative MaxBackoff disables backoff
	}
	return &Scheduler{cfg: cfg, stages: compose(cfg), groups: map[scheduler.JobID]*group{}}, nil
}

// Config returns the scheduler's configuration (after defaults).
func (s *Scheduler) Config() Config { return s.cfg }

// Placers implements scheduler.PlacerUser: the one placer, on the stream "placer".
func (s *Scheduler) Placers() []scheduler.PlacerSlot {
	return []scheduler.PlacerSlot{{Stream: "placer", Placer: s.cfg.Placer}}
}

// Attach implements scheduler.Scheduler.
func (s *Scheduler) Attach(sim *scheduler.Sim) error {
	s.sim = sim
	return nil
}

// Enqueue implements scheduler.Scheduler.
func (s *Scheduler) Enqueue(tasks []*scheduler.Task) {
	// A gang's tasks usually arrive together in one call. The duplicate check
	// keeps a set for the current run of one group's tasks once its member list
	// is no longer short, and each touched group is sorted once at the end: a scan
	// and a sort per task would make submitting an n-task gang cost O(n²).
	var cur *group
	var seen map[*scheduler.Task]struct{}
	var touched []*group
	for _, t := range tasks {
		g := s.groups[t.Job.ID]
		if g == nil {
			s.seq++
			g = &group{job: t.Job, seq: s.seq, ts: s.sim.Now(), admitted: s.gate.onArrival(t.Job)}
			if t.Job.IsGang() && t.Job.Started < 0 {
				s.gangsSubmitted++
			}
			s.groups[t.Job.ID] = g
			s.list = append(s.list, g)
		}
		if g != cur {
			cur, seen = g, nil
		}
		if seen == nil && len(g.members) >= 16 {
			seen = make(map[*scheduler.Task]struct{}, len(g.members))
			for _, m := range g.members {
				seen[m.t] = struct{}{}
			}
		}
		found := false
		if seen != nil {
			_, found = seen[t]
			seen[t] = struct{}{}
		} else {
			for _, m := range g.members {
				if m.t == t {
					found = true
					break
				}
			}
		}
		if !found {
			s.dirty = true
			g.members = append(g.members, &member{t: t})
			if len(touched) == 0 || touched[len(touched)-1] != g {
				touched = append(touched, g)
			}
		}
	}
	byIndex := func(a, b *member) int { return int(a.t.Index - b.t.Index) }
	for _, g := range touched {
		if !slices.IsSortedFunc(g.members, byIndex) {
			slices.SortFunc(g.members, byIndex)
		}
	}
	s.schedulePass()
}

// Released implements scheduler.Scheduler: capacity came free, so failed work is
// woken (its backoff still applies).
func (s *Scheduler) Released(scheduler.NodeID) {
	s.schedulePass()
}

func (s *Scheduler) schedulePass() {
	if s.passQueued || s.sim == nil {
		return
	}
	s.passQueued = true
	at := s.sim.Now()
	if p := s.cfg.Period; p > 0 {
		at = (at/p + 1) * p
	}
	s.sim.At(at, s.pass)
}

// eligible reports whether r may be tried now: its backoff is over, and a release
// or enqueue came since it failed or it has waited FlushAfter.
func (s *Scheduler) eligible(r *retry) bool {
	if !r.Failed() {
		return true
	}
	now := s.sim.Now()
	return s.bo.Expired(&r.Retry, now) && (s.sim.Notices() > r.failSeq || s.bo.Flushed(&r.Retry, now))
}

// fail records a failed attempt of r; size > 1 scales the maximum backoff by
// √size (KEP-4671's group backoff).
func (s *Scheduler) fail(r *retry, size int) {
	s.bo.Fail(&r.Retry, s.sim.Now(), size)
	r.failSeq = s.sim.Notices()
}

// pass is one scheduling cycle over the queue: the admission gate, then the
// placement mode, then a deadlock check and the retry timer.
func (s *Scheduler) pass() {
	s.passQueued = false
	s.passes++
	s.prune()
	s.gate.admit(s)
	unplaced := s.mode.pass(s)
	// DESIGN.md: check for a deadlock when a pass makes no progress. A pass that
	// placed something and left work unplaced may have closed a cycle too, so it
	// checks as well (the detector caches its answer while no holding changes).
	if unplaced && s.anyPartial() {
		s.checks++
		s.sim.CheckDeadlock()
	}
	s.armRetry()
}

// prune drops members that are no longer pending or held, and groups with nothing
// left; the gate takes back a gang's admission reservation once it started or
// ended.
func (s *Scheduler) prune() {
	k := 0
	for _, g := range s.list {
		mk := 0
		for _, m := range g.members {
			if st := m.t.State; st == scheduler.TaskPending || st == scheduler.TaskHeld {
				g.members[mk] = m
				mk++
			}
		}
		if mk < len(g.members) {
			s.dirty = true
		}
		clear(g.members[mk:])
		g.members = g.members[:mk]
		g.held = slices.DeleteFunc(g.held, func(t *scheduler.Task) bool { return t.State != scheduler.TaskHeld })
		gone := len(g.members) == 0 && len(g.held) == 0
		s.gate.prune(g, gone)
		if gone {
			g.timer.Stop()
			delete(s.groups, g.job.ID)
			continue
		}
		s.list[k] = g
		k++
	}
	clear(s.list[k:])
	s.list = s.list[:k]
}

// groupOrder returns the live groups in Group order (group.rank).
func (s *Scheduler) groupOrder() []*group {
	gs := slices.Clone(s.list)
	slices.SortStableFunc(gs, func(a, b *group) int { return a.rank().Compare(b.rank()) })
	return gs
}

// place asks the placer for a node for t, unless t is larger than the cluster's
// free sum (no node can hold what the cluster cannot), and starts t there, or
// with hold holds it.
func (s *Scheduler) place(t *scheduler.Task, hold bool) scheduler.Status {
	st := s.sim.State
	if !t.Request.LessEq(freeSum(st)) {
		return statusNoRoom
	}
	id, gpus, status := s.cfg.Placer.Place(st, t)
	if !status.IsOK() {
		return status
	}
	if hold {
		return s.sim.Hold(t, id, gpus)
	}
	return s.sim.Start(t, id, gpus)
}

// placeOne places a task the ordinary way (no gang rule) and starts it.
func (s *Scheduler) placeOne(m *member) bool {
	t := m.t
	t.Attempts++
	if s.place(t, false).IsOK() {
		return true
	}
	if !s.sim.State.CanEverFit(t) {
		s.sim.Fail(t, "larger than every node")
		return false
	}
	s.fail(&m.retry, 1)
	return false
}

// attempt tries one member under the gang rules (the hold rule and the timeout
// rule) and reports whether it was placed (started or held).
func (s *Scheduler) attempt(g *group, m *member) bool {
	if !g.gangPhase() {
		return s.placeOne(m)
	}
	if g.need() <= 0 {
		// Enough are held (Placeholder: the others wait for the swap).
		return false
	}
	if !s.hold.preFilter(s, g, m) {
		return false
	}
	t := m.t
	t.Attempts++
	if !s.place(t, true).IsOK() {
		if s.failIfNever(g) {
			return false
		}
		s.fail(&m.retry, 1)
		s.hold.memberFailed(s, g)
		return false
	}
	m.retry = retry{}
	g.held = append(g.held, t)
	s.timeout.held(s, g)
	if g.need() <= 0 {
		s.start(g)
	}
	return true
}

// failIfNever fails a gang whose pending members that could fit some empty node
// are fewer than it needs, and reports whether it did.
func (s *Scheduler) failIfNever(g *group) bool {
	st := s.sim.State
	need := g.need()
	// Every failed member of a gang repeats this count, so it is cached until
	// something it depends on changes (without the cache, a pass over an
	// n-member gang that does not fit costs O(n²)).
	key := wantKey{st.Version(), s.sim.Notices(), s.passes, need, len(g.members)}
	if g.everKey != key {
		ever := 0
		for _, m := range g.members {
			if ever >= need {
				break
			}
			if m.t.State == scheduler.TaskPending && st.CanEverFit(m.t) {
				ever++
			}
		}
		g.ever, g.everKey = ever, key
	}
	if g.ever >= need {
		return false
	}
	s.release(g, "gang can never fit")
	for _, m := range g.members {
		s.sim.Fail(m.t, "gang can never fit: larger than every node")
	}
	return true
}

// statusNoRoom is the outcome of a task larger than the cluster's free sum.
var statusNoRoom = scheduler.Status{Code: scheduler.Unschedulable, Reason: "cluster free capacity too small"}

func freeSum(st *scheduler.State) scheduler.Resources {
	return st.Capacity().Sub(st.Allocated())
}

// start lets a gang whose MinMember members are held run: every held member is
// activated at once (Permit's Allow, the placeholder swap).
func (s *Scheduler) start(g *group) {
	g.timer.Stop()
	for _, t := range g.held {
		s.sim.Activate(t) // a no-op for a task lost meanwhile
	}
	g.held = g.held[:0]
	s.gangsStarted++
}

// release unholds every held member of g.
func (s *Scheduler) release(g *group, reason string) {
	g.timer.Stop()
	held := g.held
	g.held = nil
	for _, t := range held {
		s.sim.Unhold(t, reason)
	}
}

// groupFailed applies group backoff and failure-time ordering.
func (s *Scheduler) groupFailed(g *group) {
	now := s.sim.Now()
	if s.cfg.GroupBackoff > 0 {
		g.backedOff = now + s.cfg.GroupBackoff
	}
	if s.cfg.FailureOrder && g.ts != now {
		g.ts = now
		s.dirty = true
	}
}

// expire fires when a partial gang has held resources for its timeout: the
// timeout rule releases it.
func (s *Scheduler) expire(g *group) {
	if !g.gangPhase() || len(g.held) == 0 {
		return
	}
	s.timeouts++
	s.timeout.expire(s, g)
	s.schedulePass()
}

// anyPartial reports whether some gang holds resources and has not started.
func (s *Scheduler) anyPartial() bool {
	for _, g := range s.list {
		if len(g.held) > 0 && g.job.GangReady < 0 {
			return true
		}
	}
	return false
}

// armRetry arms a timer for the earliest time a failed entity becomes eligible.
func (s *Scheduler) armRetry() {
	now := s.sim.Now()
	next := scheduler.Forever
	at := func(r *retry) {
		if !r.Failed() {
			return
		}
		t := s.bo.FlushAt(&r.Retry)
		if s.sim.Notices() > r.failSeq {
			t = r.NotBefore
		}
		t = max(t, r.NotBefore)
		if t > now && t < next {
			next = t
		}
	}
	if t := s.gate.wakeAt(s.bo.FlushAfter); t > now && t < next {
		next = t
	}
	for _, g := range s.list {
		if !g.admitted {
			continue
		}
		at(&g.retry)
		for _, m := range g.members {
			at(&m.retry)
		}
		if g.backedOff > now && g.backedOff < next {
			next = g.backedOff
		}
	}
	if next == scheduler.Forever {
		return
	}
	if s.retryTmr.Armed() && s.retryTmr.When() <= next {
		return
	}
	s.retryTmr.Stop()
	s.retryTmr = s.sim.At(next, s.schedulePass)
}

// CanRelease implements scheduler.DeadlockBreaker: the gang has an armed timeout,
// or (Permit) its next failed retry will reject the whole group.
func (s *Scheduler) CanRelease(j *scheduler.Job) bool {
	g := s.groups[j.ID]
	if g == nil || len(g.held) == 0 {
		return false
	}
	return g.timer.Armed() || s.hold.canRelease(g)
}

// Report implements scheduler.Reporter: the variant's own counters under
// Result.Extra ("gangs_submitted", "gang_timeouts", "gang_rejections",
// "gangs_started", "gang_admitted", "deadlock_checks").
func (s *Scheduler) Report(r *scheduler.Result) {
	r.SetExtra("gangs_submitted", float64(s.gangsSubmitted))
	r.SetExtra("gang_timeouts", float64(s.timeouts))
	r.SetExtra("gang_rejections", float64(s.rejections))
	r.SetExtra("gangs_started", float64(s.gangsStarted))
	r.SetExtra("deadlock_checks", float64(s.checks))
	s.gate.report(r)
}
