package gang

import (
	"math"
	"slices"

	"github.com/schedlab/schedlab/scheduler"
)

// retry is the backoff state of something that failed to place: a pod, or a whole
// gang for Strict and Placeholder.
type retry struct {
	failed    bool
	attempts  int32
	notBefore scheduler.Time // backoff expiry
	failedAt  scheduler.Time
	failSeq   uint64 // the run's notice count (Sim.Notices) at the failure
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
	retry                  // gang-level backoff (Strict, Placeholder)

	held      []*scheduler.Task // held members (Permit wait, placeholder, NonStrict)
	timer     *scheduler.Timer
	backedOff scheduler.Time // Permit group backoff: denied until then
	admitted  bool
	minRes    scheduler.Resources
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

// gangPhase reports whether the group is a gang that has not started yet and
// places members under gang rules.
func (g *group) gangPhase() bool {
	return g.job.IsGang() && g.job.GangReady < 0 && !g.fallback
}

// need returns how many more members the gang needs to start.
func (g *group) need() int {
	return int(g.job.MinMember) - len(g.held) - g.job.Running()
}

// Scheduler is a single-queue scheduler with one of the co-scheduling Variants,
// composable with any scheduler.Placer. See the package documentation for each
// variant's rules. It implements scheduler.Scheduler, scheduler.Reporter and
// scheduler.DeadlockBreaker.
type Scheduler struct {
	cfg    Config
	sim    *scheduler.Sim
	gp     *Backtrack
	groups map[scheduler.JobID]*group
	list   []*group // live groups in arrival order
	seq    uint64
	passes uint64

	passQueued bool
	retryTmr   *scheduler.Timer
	items      []item // passTasks' order, rebuilt when dirty
	dirty      bool
	placed     int // placements (starts and holds) so far, for progress
	inqueue    scheduler.Resources

	timeouts, rejections, gangsStarted, admittedN, checks, gangsSubmitted int
	gatedAt                                                               scheduler.Time // last pass that left a gang at the gate; -1 = none
}

var (
	_ scheduler.Scheduler       = (*Scheduler)(nil)
	_ scheduler.Reporter        = (*Scheduler)(nil)
	_ scheduler.DeadlockBreaker = (*Scheduler)(nil)
)

// New returns a gang scheduler. A nil Placer means scheduler.KeyBestFit{}; zero
// backoff durations and Branch take DefaultConfig's values; Timeout 0 means
// Forever.
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
	if cfg.MaxBackoff < cfg.InitialBackoff {
		cfg.MaxBackoff = cfg.InitialBackoff
	}
	return &Scheduler{cfg: cfg, gatedAt: -1, groups: map[scheduler.JobID]*group{},
		gp: &Backtrack{Placer: cfg.Placer, Budget: cfg.Backtrack, Branch: cfg.Branch}}, nil
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
			g = &group{job: t.Job, seq: s.seq, ts: s.sim.Now(), admitted: s.cfg.Overcommit == 0 || !t.Job.IsGang()}
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

// eligible reports whether r may be tried now.
func (s *Scheduler) eligible(r *retry) bool {
	if !r.failed {
		return true
	}
	now := s.sim.Now()
	return now >= r.notBefore && (s.sim.Notices() > r.failSeq || now-r.failedAt >= s.cfg.FlushAfter)
}

// fail records a failed attempt of r; size > 1 scales the maximum backoff by
// √size (KEP-4671's group backoff).
func (s *Scheduler) fail(r *retry, size int) {
	r.failed = true
	r.attempts++
	r.failedAt = s.sim.Now()
	r.failSeq = s.sim.Notices()
	maxB := s.cfg.MaxBackoff
	if size > 1 {
		maxB = scheduler.Time(float64(maxB) * math.Sqrt(float64(size)))
	}
	b := s.cfg.InitialBackoff
	for i := int32(1); i < r.attempts && b < maxB; i++ {
		b *= 2
	}
	r.notBefore = r.failedAt + min(b, maxB)
	if s.cfg.Variant == Placeholder {
		// YuniKorn retries pending asks on every scheduling cycle: no backoff.
		r.notBefore = r.failedAt
	}
}

// pass is one scheduling cycle over the queue.
func (s *Scheduler) pass() {
	s.passQueued = false
	s.passes++
	s.prune()
	s.admit()
	var unplaced bool
	if s.cfg.Variant == Strict {
		unplaced = s.passStrict()
	} else if s.cfg.Order == Fair {
		unplaced = s.passFair()
	} else {
		unplaced = s.passTasks()
	}
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
// left; it returns a gang's admission reservation once it started or ended.
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
		if g.inqueue && (g.job.GangReady >= 0 || g.job.Done >= 0 || g.job.Abandoned) {
			s.inqueue = s.inqueue.Sub(g.minRes)
			g.inqueue = false
		}
		if len(g.members) == 0 && len(g.held) == 0 {
			if g.inqueue {
				s.inqueue = s.inqueue.Sub(g.minRes)
				g.inqueue = false
			}
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

// groupOrder returns the live groups in Group order.
func (s *Scheduler) groupOrder() []*group {
	gs := slices.Clone(s.list)
	slices.SortStableFunc(gs, func(a, b *group) int {
		if a.job.Priority != b.job.Priority {
			return int(b.job.Priority - a.job.Priority)
		}
		if a.ts != b.ts {
			if a.ts < b.ts {
				return -1
			}
			return 1
		}
		if a.job.ID != b.job.ID {
			if a.job.ID < b.job.ID {
				return -1
			}
			return 1
		}
		return int(a.seq - b.seq)
	})
	return gs
}

// admit runs the admission gate (Volcano enqueue with its overcommit factor).
func (s *Scheduler) admit() {
	if s.cfg.Overcommit == 0 {
		return
	}
	st := s.sim.State
	capa, alloc, potential := st.Capacity(), st.Allocated(), st.Potential()
	s.gatedAt = -1
	for _, g := range s.groupOrder() {
		if g.admitted {
			continue
		}
		if g.job.GangReady >= 0 {
			// The gang started before: these are members resubmitted after a
			// node failure, and the job is past the gate (Volcano does not
			// enqueue a running PodGroup again). Gating them anew left them
			// pending for good with no retry armed (deep conformance:
			// testdata/admission-started-gang-member.json).
			g.admitted = true
			continue
		}
		var minRes scheduler.Resources
		for i := 0; i < int(g.job.MinMember) && i < len(g.job.Tasks); i++ {
			minRes = minRes.Add(g.job.Tasks[i].Request)
		}
		ok, never := true, false
		for r := range minRes {
			// Against every node that is not removed: a gang that only the
			// nodes now down could admit waits for them (failing it was a bug
			// found by deep conformance: testdata/admission-node-down.json).
			if minRes[r] > int64(float64(potential[r])*s.cfg.Overcommit) {
				never = true
			}
		}
		if never && st.NumNodes() > 0 {
			// Not admissible even into an empty cluster: Unresolvable.
			for _, m := range g.members {
				s.sim.Fail(m.t, "gang can never be admitted: its MinMember requests exceed overcommit x capacity")
			}
			continue
		}
		for r := range minRes {
			if minRes[r] == 0 {
				continue
			}
			idle := int64(float64(capa[r])*s.cfg.Overcommit) - alloc[r]
			if s.inqueue[r]+minRes[r] > idle {
				ok = false
				break
			}
		}
		if !ok {
			s.gatedAt = s.sim.Now()
			continue
		}
		g.admitted, g.inqueue, g.minRes = true, true, minRes
		s.inqueue = s.inqueue.Add(minRes)
		s.admittedN++
	}
}

// placeOne places a task the ordinary way (no gang rule) and starts it.
func (s *Scheduler) placeOne(m *member) bool {
	t := m.t
	t.Attempts++
	st := s.sim.State
	status := statusNoRoom
	if t.Request.LessEq(freeSum(st)) { // no node can hold what the cluster cannot
		var id scheduler.NodeID
		var gpus scheduler.GPUSet
		id, gpus, status = s.cfg.Placer.Place(st, t)
		if status.IsOK() {
			status = s.sim.Start(t, id, gpus)
		}
	}
	if status.IsOK() {
		s.placed++
		return true
	}
	if !st.CanEverFit(t) {
		s.sim.Fail(t, "larger than every node")
		return false
	}
	s.fail(&m.retry, 1)
	return false
}

// passStrict places each gang all-or-nothing in one cycle, in Group order.
func (s *Scheduler) passStrict() (unplaced bool) {
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
		if !s.strictGang(g) {
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

// strictGang plans the gang's remaining need against the current state and
// commits it atomically.
func (s *Scheduler) strictGang(g *group) bool {
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
		claims, status := s.gp.PlaceGang(st, tasks, need)
		if status.IsOK() {
			res := s.sim.CommitPlan(&scheduler.Plan{Claims: claims}, scheduler.DetectFit, true)
			if res.Committed == len(claims) {
				s.placed += len(claims)
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

// item is one member in passTasks' order.
type item struct {
	g *group
	m *member
}

// passTasks offers members one by one in Group or Interleave order.
func (s *Scheduler) passTasks() (unplaced bool) {
	if s.dirty || s.items == nil {
		s.items = s.items[:0]
		for _, g := range s.groupOrder() {
			for _, m := range g.members {
				s.items = append(s.items, item{g, m})
			}
		}
		if s.cfg.Order == Interleave {
			slices.SortStableFunc(s.items, func(a, b item) int {
				if a.g.job.Priority != b.g.job.Priority {
					return int(b.g.job.Priority - a.g.job.Priority)
				}
				return int(a.m.t.Index - b.m.t.Index) // stable: group order within an index
			})
		}
		s.dirty = false
	}
	for _, it := range s.items {
		if it.m.t.State != scheduler.TaskPending {
			continue
		}
		if !it.g.admitted || !s.eligible(&it.m.retry) {
			unplaced = true
			continue
		}
		if !s.attempt(it.g, it.m) {
			unplaced = true
		}
	}
	return unplaced
}

// passFair offers one member at a time of the group with the smallest dominant
// share (held + running), then by timestamp and ID.
func (s *Scheduler) passFair() (unplaced bool) {
	st := s.sim.State
	capa := st.Capacity()
	gs := s.groupOrder()
	for _, g := range gs {
		g.blocked = false
		g.usage = scheduler.Resources{}
		for i := range g.job.Tasks {
			if t := &g.job.Tasks[i]; t.State == scheduler.TaskHeld || t.State == scheduler.TaskRunning {
				g.usage = g.usage.Add(t.Request)
			}
		}
	}
	share := func(g *group) float64 {
		d := 0.0
		for r := range capa {
			if capa[r] > 0 {
				d = max(d, float64(g.usage[r])/float64(capa[r]))
			}
		}
		return d
	}
	for {
		var best *group
		var bm *member
		bs := 0.0
		for _, g := range gs {
			if g.blocked || !g.admitted {
				continue
			}
			var m *member
			for _, c := range g.members {
				if c.t.State == scheduler.TaskPending && s.eligible(&c.retry) && !(g.gangPhase() && s.cfg.Variant == Placeholder && g.need() <= 0) {
					m = c
					break
				}
			}
			if m == nil {
				continue
			}
			if sh := share(g); best == nil || sh < bs {
				best, bm, bs = g, m, sh
			}
		}
		if best == nil {
			break
		}
		req := bm.t.Request
		if s.attempt(best, bm) {
			best.usage = best.usage.Add(req)
		} else if bm.t.State == scheduler.TaskPending {
			unplaced = true
			best.blocked = true // its next members would likely fail too
		}
	}
	for _, g := range gs {
		for _, m := range g.members {
			if m.t.State == scheduler.TaskPending && (!g.admitted || !s.eligible(&m.retry)) {
				unplaced = true
			}
		}
	}
	return unplaced
}

// attempt tries one member under the variant's rules and reports whether it was
// placed (started or held).
func (s *Scheduler) attempt(g *group, m *member) bool {
	if !g.gangPhase() {
		return s.placeOne(m)
	}
	st := s.sim.State
	t := m.t
	need := g.need()
	if need <= 0 {
		// Enough are held (Placeholder: the others wait for the swap).
		return false
	}
	if s.cfg.Variant == Permit {
		if s.sim.Now() < g.backedOff {
			return false // PreFilter: the group is backed off (armRetry wakes it)
		}
	}
	if s.cfg.Variant == Permit && s.cfg.MinResources {
		// PreFilter: the remaining need must fit the cluster-wide free sum.
		// Every pending member of a gang that cannot fit repeats this check, so
		// the sum is cached until something it depends on changes (without the
		// cache, a pass over an n-member gang costs O(n²)).
		key := wantKey{st.Version(), s.sim.Notices(), s.passes, need, len(g.members)}
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
		if !g.want.LessEq(freeSum(st)) {
			t.Attempts++
			s.fail(&m.retry, 1)
			s.postFilter(g)
			return false
		}
	}
	t.Attempts++
	status := statusNoRoom
	if t.Request.LessEq(freeSum(st)) { // no node can hold what the cluster cannot
		var id scheduler.NodeID
		var gpus scheduler.GPUSet
		id, gpus, status = s.cfg.Placer.Place(st, t)
		if status.IsOK() {
			status = s.sim.Hold(t, id, gpus)
		}
	}
	if !status.IsOK() {
		if s.failIfNever(g) {
			return false
		}
		s.fail(&m.retry, 1)
		if s.cfg.Variant == Permit {
			s.postFilter(g)
		}
		return false
	}
	m.retry = retry{}
	s.placed++
	g.held = append(g.held, t)
	if len(g.held) == 1 && s.cfg.Timeout != scheduler.Forever && !g.timer.Armed() {
		g.timer = s.sim.After(s.cfg.Timeout, func() { s.timeout(g) })
	}
	if g.need() <= 0 {
		s.start(g)
	}
	return true
}

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

// postFilter is coscheduling's PostFilter: reject the whole group when too few
// members are assigned for the rest to be a near miss.
func (s *Scheduler) postFilter(g *group) {
	minM := int(g.job.MinMember)
	assigned := len(g.held) + g.job.Running()
	if (minM-assigned)*100 <= s.cfg.RejectPercent*minM {
		return
	}
	if len(g.held) > 0 {
		s.rejections++
		s.release(g, "group rejected")
	}
	s.groupFailed(g)
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

// timeout fires when a partial gang has held resources for Timeout.
func (s *Scheduler) timeout(g *group) {
	if !g.gangPhase() || len(g.held) == 0 {
		return
	}
	s.timeouts++
	switch s.cfg.Variant {
	case Placeholder:
		s.release(g, "placeholder timeout")
		if s.cfg.Style == Hard {
			s.sim.Abandon(g.job, "placeholder timeout (hard)")
		} else {
			g.fallback = true
		}
	default:
		s.release(g, "wait timeout")
		for _, m := range g.members {
			if m.t.State == scheduler.TaskPending {
				s.fail(&m.retry, 1)
			}
		}
		s.groupFailed(g)
	}
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
		if !r.failed {
			return
		}
		t := r.failedAt + s.cfg.FlushAfter
		if s.sim.Notices() > r.failSeq {
			t = r.notBefore
		}
		t = max(t, r.notBefore)
		if t > now && t < next {
			next = t
		}
	}
	if s.gatedAt >= 0 {
		// A gang waits at the gate: try the gate again after FlushAfter even
		// if no release comes (Volcano runs its enqueue action every session),
		// so that it is never left without a wake-up (deep conformance:
		// testdata/admission-gate-no-release.json).
		if t := s.gatedAt + s.cfg.FlushAfter; t > now && t < next {
			next = t
		}
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
	if g.timer.Armed() {
		return true
	}
	if s.cfg.Variant == Permit {
		minM := int(j.MinMember)
		return (minM-len(g.held)-j.Running())*100 > s.cfg.RejectPercent*minM
	}
	return false
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
	if s.cfg.Overcommit > 0 {
		r.SetExtra("gang_admitted", float64(s.admittedN))
	}
}
