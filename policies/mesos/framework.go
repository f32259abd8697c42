package mesos

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/schedlab/schedlab/scheduler"
)

// offer is one outstanding resource offer: per node, the resources locked for one
// framework until it answers.
type offer struct {
	id     int64
	fw     *framework
	made   scheduler.Time
	nodes  []scheduler.NodeID // ascending
	amount []scheduler.Resources
	left   []scheduler.Resources // during planning: what is not yet claimed
	total  scheduler.Resources

	plan      []planned
	decided   bool
	decision  scheduler.Time
	idle      bool // the framework had nothing to place
	unlocked  bool
	rescinded bool
	timer     *scheduler.Timer // offer timeout
}

// index returns the position of node id in the offer.
func (o *offer) index(id scheduler.NodeID) (int, bool) {
	return slices.BinarySearch(o.nodes, id)
}

// planned is one job's share of an offer: the placements the framework decided.
type planned struct {
	e      *jobEntry
	claims []scheduler.Claim
}

// filter is a decline filter on one node for one framework.
type filter struct {
	until  scheduler.Time
	amount scheduler.Resources
}

// jobEntry is a framework's record of one job.
type jobEntry struct {
	job     *scheduler.Job
	fw      *framework
	seq     int
	pending []*scheduler.Task // pending tasks the framework owns
	held    []*scheduler.Task // hoarded gang members, in the order they were held
	queued  bool
	dirty   bool // listed in its framework's dirty list (see framework.prune)
	// pruned says pending holds only pending tasks and none changed since
	// (cleared by touch), so prunePending has nothing to do.
	pruned bool

	attempts      int
	enq           scheduler.Time // when it (re-)entered the queue, for RequeueTail
	placedAny     bool
	offeredEnough bool
	retryAt       scheduler.Time

	// gang hoarding
	holdTimer    *scheduler.Timer
	holdStart    scheduler.Time
	gangAttempts int
	backoffUntil scheduler.Time
}

func (e *jobEntry) dropHeld(t *scheduler.Task) {
	if i := slices.Index(e.held, t); i >= 0 {
		e.held = slices.Delete(e.held, i, i+1)
	}
}

// gangOpen reports whether the job is a gang that has not started yet.
func (e *jobEntry) gangOpen() bool { return e.job.IsGang() && e.job.GangReady < 0 }

// hasPending reports whether some task of e.pending is still pending; cost O(1)
// unless the first ones were placed or ended.
func (e *jobEntry) hasPending() bool {
	for _, t := range e.pending {
		if t.State == scheduler.TaskPending && t.Node == scheduler.NoNode {
			return true
		}
	}
	return false
}

// prunePending drops tasks that are no longer pending.
func (e *jobEntry) prunePending() {
	if e.pruned {
		return
	}
	e.pruned = true
	e.pending = slices.DeleteFunc(e.pending, func(t *scheduler.Task) bool {
		return t.State != scheduler.TaskPending || t.Node != scheduler.NoNode
	})
}

// placedTask is a task a framework started or held on a node.
type placedTask struct {
	t *scheduler.Task
	f *framework
}

// framework is one registered framework.
type framework struct {
	m        *Mesos
	idx      int
	cfg      FrameworkConfig
	queue    []*jobEntry // jobs with pending tasks, in arrival order
	live     []*jobEntry // every job assigned and not finished (finished ones are dropped lazily)
	liveMark int         // len(live) after the last full pass over it
	dirty    []*jobEntry // queued jobs whose pending tasks may have changed since the last prune
	offers   []*offer    // outstanding, in the order received; offers[0] may be deciding
	deciding bool
	filters  []filter // per node; a filter whose until has passed is void
	// skip is a bit set of nodes known to be hidden by a decline filter: each
	// stays hidden until its filter's expiry (queued in skipQ), until the node's
	// unlocked free resources grow (Mesos.markCand) or its filter is replaced.
	skip  []uint64
	skipQ skipHeap
	// skipAt is, per node, the expiry of the node's newest entry in skipQ (0 if
	// none), so a node re-skipped under the same filter is not queued twice.
	skipAt []scheduler.Time
	alloc  scheduler.Resources // running and held tasks it placed (see Mesos.onNode)

	overAccepted string
	stats        fwStats
}

type fwStats struct {
	offers, declined, rescinded int
	accepted                    int // tasks launched or held from offers
	busyUseful, busyWasted      scheduler.Time
	holdTimeouts, gangReleases  int
	abandoned, starved, jobs    int
	offeredRes, acceptedRes     scheduler.Resources
	// attempts counts job attempts (a job handled in an offer), maxAttempts the
	// most attempts of one job; idleOffers counts offers in which no job was
	// handled (nothing queued that was not waiting for a retry), emptyOffers those
	// in which jobs were handled but nothing was placed.
	attempts, maxAttempts   int
	idleOffers, emptyOffers int
}

// skipEntry is a node hidden from a framework until a time.
type skipEntry struct {
	until scheduler.Time
	id    scheduler.NodeID
}

// skipHeap is a min-heap of skipEntry by until. Entries may be stale (the bit
// was cleared, and maybe set again): popping one only makes a node visited
// again, so the order among equal times does not matter.
type skipHeap []skipEntry

func (h *skipHeap) push(e skipEntry) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if q[p].until <= q[i].until {
			break
		}
		q[p], q[i] = q[i], q[p]
		i = p
	}
}

func (h *skipHeap) pop() skipEntry {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && q[l].until < q[m].until {
			m = l
		}
		if r < n && q[r].until < q[m].until {
			m = r
		}
		if m == i {
			break
		}
		q[m], q[i] = q[i], q[m]
		i = m
	}
	*h = q
	return top
}

// skipUntil hides node id from f's offer scans until time until.
func (f *framework) skipUntil(id scheduler.NodeID, until scheduler.Time) {
	f.skip[id>>6] |= 1 << (uint(id) & 63)
	if f.skipAt[id] != until {
		f.skipAt[id] = until
		f.skipQ.push(skipEntry{until, id})
	}
}

// expireSkips shows again the nodes whose filter has expired at now. An entry
// that is not its node's newest is stale: the bit, if set, was set under the
// newer filter, whose own entry clears it.
func (f *framework) expireSkips(now scheduler.Time) {
	for len(f.skipQ) > 0 && f.skipQ[0].until <= now {
		e := f.skipQ.pop()
		if f.skipAt[e.id] == e.until {
			f.skipAt[e.id] = 0
			f.skip[e.id>>6] &^= 1 << (uint(e.id) & 63)
		}
	}
}

// hasWork reports whether the framework has queued jobs.
func (f *framework) hasWork() bool { return len(f.queue) > 0 }

// ready reports whether some queued job could be tried at now: not waiting for a
// retry or back-off, with a pending task not planned on an unanswered offer
// (Request). O(queued jobs) while none is ready.
func (f *framework) ready(now scheduler.Time) bool {
	for _, e := range f.queue {
		if e.retryAt > now || e.backoffUntil > now {
			continue
		}
		for _, t := range e.pending {
			if t.State != scheduler.TaskPending || t.Node != scheduler.NoNode {
				continue
			}
			if _, ok := f.m.inflight[t]; !ok {
				return true
			}
		}
	}
	return false
}

// touch notes that job e's pending tasks may have changed (placed, abandoned,
// returned), so the next prune checks whether it leaves the queue.
func (f *framework) touch(e *jobEntry) {
	e.pruned = false
	if !e.dirty {
		e.dirty = true
		f.dirty = append(f.dirty, e)
	}
}

// prune drops the queued jobs that have no pending task left, and drops finished
// jobs from the live list and, for starvation accounting, counts them.
//
// Only a job touched since the last prune can have lost its last pending task
// (pending tasks change only through the framework's own Start, Hold and
// Abandon, and through Enqueue), so the queue is rewritten only when one of
// those did. When a job finishes does not matter to anything but the live list's
// length, so finished jobs are dropped once the list has doubled since the last
// pass (amortized O(1) per job), or with all set (for Report).
func (f *framework) prune() { f.pruneQueue(); f.pruneLive(false) }

func (f *framework) pruneQueue() {
	drop := false
	for _, e := range f.dirty {
		e.dirty = false
		if e.queued && !e.hasPending() {
			drop = true
		}
	}
	f.dirty = f.dirty[:0]
	if !drop {
		return
	}
	f.queue = slices.DeleteFunc(f.queue, func(e *jobEntry) bool {
		if e.hasPending() {
			return false
		}
		e.pending = e.pending[:0]
		e.queued = false
		return true
	})
}

func (f *framework) pruneLive(all bool) {
	if !all && len(f.live) < 2*f.liveMark+64 {
		return
	}
	f.live = slices.DeleteFunc(f.live, func(e *jobEntry) bool {
		if e.job.Done >= 0 {
			f.finishJob(e)
			return true
		}
		return false
	})
	f.liveMark = len(f.live)
}

func (f *framework) finishJob(e *jobEntry) {
	f.stats.jobs++
	if !e.offeredEnough {
		f.stats.starved++
	}
	if e.holdTimer != nil {
		e.holdTimer.Stop()
	}
	delete(f.m.jobs, e.job.ID)
}

// allocation returns the resources of the framework's running and held tasks.
// O(frameworks) while the per-node lists are up to date (see Mesos.syncAlloc).
func (f *framework) allocation() scheduler.Resources {
	f.m.syncAlloc()
	return f.alloc
}

// active reports whether t, listed on node id, is still running or held there.
func active(t *scheduler.Task, id scheduler.NodeID) bool {
	return (t.State == scheduler.TaskRunning || t.State == scheduler.TaskHeld) && t.Node == id
}

// track records that framework f started or held t on its node.
func (m *Mesos) track(f *framework, t *scheduler.Task) {
	m.onNode[t.Node] = append(m.onNode[t.Node], placedTask{t: t, f: f})
	f.alloc = f.alloc.Add(t.Request)
}

// sweep drops from node id's list the tasks that are no longer running or held
// there and subtracts them from their frameworks' allocations. Every way a task
// stops running or being held calls Released for its node, except a node failure
// (the node's tasks are lost, and Released is not called); syncAlloc catches that.
func (m *Mesos) sweep(id scheduler.NodeID) {
	if int(id) >= len(m.onNode) {
		return
	}
	l := m.onNode[id]
	k := 0
	for _, p := range l {
		if active(p.t, id) {
			l[k] = p
			k++
			continue
		}
		p.f.alloc = p.f.alloc.Sub(p.t.Request)
		m.unhoard(p)
		if p.t.Job.Done >= 0 {
			// The job ended: its hold timer must not fire (finishJob, which
			// stops it too, runs lazily).
			if e := m.jobs[p.t.Job.ID]; e != nil && e.holdTimer != nil {
				e.holdTimer.Stop()
			}
		}
	}
	clear(l[k:])
	m.onNode[id] = l[:k]
}

// unhoard drops an inactive placement's task from its job's hoard: a hoarded
// member that ended without coming back pending (lost to a node failure past the
// restart limit, which notifies no scheduler) must not stay listed as held
// (conformance counterexample testdata/hoarded-member-fails.json).
func (m *Mesos) unhoard(p placedTask) {
	if e := m.jobs[p.t.Job.ID]; e != nil && p.t.State != scheduler.TaskHeld && len(e.held) > 0 {
		e.dropHeld(p.t)
		p.f.touch(e)
	}
}

// syncAlloc makes sure every framework's alloc is exact. The frameworks are the
// only ones placing tasks, and every placement is tracked, so the tracked sum
// can only exceed the State's allocation, by tasks lost without a Released
// (node failures); when the sums differ, every list is swept (O(nodes + tasks)).
func (m *Mesos) syncAlloc() {
	var sum scheduler.Resources
	for _, f := range m.fws {
		sum = sum.Add(f.alloc)
	}
	if sum == m.sim.State.Allocated() {
		return
	}
	for _, f := range m.fws {
		f.alloc = scheduler.Resources{}
	}
	for i, l := range m.onNode {
		id := scheduler.NodeID(i)
		k := 0
		for _, p := range l {
			if active(p.t, id) {
				l[k] = p
				k++
				p.f.alloc = p.f.alloc.Add(p.t.Request)
			} else {
				m.unhoard(p)
			}
		}
		clear(l[k:])
		m.onNode[i] = l[:k]
	}
}

// share returns the framework's weighted dominant share.
func (f *framework) share() float64 {
	c := f.m.sim.State.Capacity()
	a := f.allocation()
	s := 0.0
	for r := range c {
		if c[r] > 0 {
			s = max(s, float64(a[r])/float64(c[r]))
		}
	}
	return s / f.cfg.Weight
}

// atCap reports whether allocation a has reached the framework's cap.
func (f *framework) atCap(a scheduler.Resources) bool {
	for r, c := range f.cfg.Cap {
		if c > 0 && a[r] >= c {
			return true
		}
	}
	return false
}

func (f *framework) fitsCap(a, req scheduler.Resources) bool {
	n := a.Add(req)
	for r, c := range f.cfg.Cap {
		if c > 0 && n[r] > c {
			return false
		}
	}
	return true
}

// receive gives the framework offer o. The framework decides its offers one at
// a time, in the order received: when it is free it decides at once on a private
// view (the offer is locked, so the view stays valid) and answers after its
// decision time; otherwise the offer waits, locked, in its inbox.
func (f *framework) receive(o *offer) {
	m := f.m
	f.offers = append(f.offers, o)
	f.stats.offers++
	f.stats.offeredRes = f.stats.offeredRes.Add(o.total)
	if m.cfg.OfferTimeout > 0 {
		o.timer = m.sim.After(m.cfg.OfferTimeout, func() { f.rescind(o) })
	}
	f.next()
}

// next starts deciding the oldest undecided offer, if the framework is free;
// a Concurrent framework decides every undecided offer at once.
func (f *framework) next() {
	if f.deciding && !f.cfg.Concurrent {
		return
	}
	for i := 0; i < len(f.offers); i++ {
		o := f.offers[i]
		if o.decided {
			continue
		}
		f.deciding = true
		o.decided = true
		f.decide(o)
		f.m.sim.After(o.decision, func() { f.respond(o) })
		if !f.cfg.Concurrent {
			return
		}
	}
}

// drop removes o from the outstanding offers.
func (f *framework) drop(o *offer) {
	if i := slices.Index(f.offers, o); i >= 0 {
		f.offers = slices.Delete(f.offers, i, i+1)
	}
	if o.timer != nil {
		o.timer.Stop()
	}
}

// decide plans placements for the queued jobs inside offer o, in queue order,
// while the offer has room. Each job handled costs DecisionJob + DecisionTask ×
// (its unscheduled tasks). Placements are tried on the State inside a
// transaction that is rolled back: they are committed by respond.
func (f *framework) decide(o *offer) {
	m := f.m
	st := m.sim.State
	now := m.sim.Now()
	alloc := f.allocation()
	o.idle = true
	if f.atCap(alloc) {
		return
	}
	tx := st.Begin()
	defer tx.Rollback()
	// One gang at a time: the gang that already hoards, else the first open gang
	// below that is not backing off.
	var holder *jobEntry
	if f.cfg.Gang && !f.cfg.HoardAll {
		for _, e := range f.queue {
			if e.gangOpen() && len(e.held) > 0 {
				holder = e
				break
			}
		}
	}
	var tried []*jobEntry // Concurrent: jobs to retry (and requeue) from now
	defer func() { f.requeue(tried) }()
	f.order()
	for _, e := range f.queue {
		if !m.roomLeft(o) {
			break
		}
		e.prunePending()
		if len(e.pending) == 0 || e.retryAt > now || e.backoffUntil > now {
			continue
		}
		unplanned := len(e.pending)
		if f.cfg.Concurrent {
			// Tasks planned on an offer not yet answered are as good as placed.
			unplanned = 0
			for _, t := range e.pending {
				if _, ok := m.inflight[t]; !ok {
					unplanned++
				}
			}
			if unplanned == 0 {
				continue
			}
		}
		if f.cfg.Gang && e.gangOpen() && !f.cfg.HoardAll {
			if holder != nil && holder != e {
				continue // one gang at a time: the others wait their turn
			}
			holder = e
		}
		o.idle = false
		o.decision += f.cfg.DecisionJob + f.cfg.DecisionTask*scheduler.Time(unplanned)
		e.attempts++
		f.stats.attempts++
		f.stats.maxAttempts = max(f.stats.maxAttempts, e.attempts)
		for _, t := range e.pending {
			t.Attempts++
		}
		mark := tx.Len()
		var claims []scheduler.Claim
		tasks := e.pending
		limit := len(tasks)
		allOrNothing := false
		if e.gangOpen() {
			need := int(e.job.MinMember) - len(e.held) - e.job.Running()
			if need <= 0 {
				need = 1
			}
			limit = min(limit, need)
			allOrNothing = !f.cfg.Gang
		}
		var saved []scheduler.Resources
		if allOrNothing {
			saved = slices.Clone(o.left)
		}
		for _, t := range tasks {
			if len(claims) >= limit {
				break
			}
			if !f.fitsCap(alloc, t.Request) {
				continue
			}
			if f.cfg.Concurrent {
				if _, ok := m.inflight[t]; ok {
					continue
				}
			}
			if id, ok := m.placeInOffer(o, t); ok {
				claims = append(claims, scheduler.Claim{Task: t, Node: id, Seq: st.Seq(id)})
				alloc = alloc.Add(t.Request)
			}
		}
		if len(claims) > 0 {
			e.offeredEnough = true
		}
		if allOrNothing && len(claims) < limit {
			tx.RollbackTo(mark)
			copy(o.left, saved)
			for _, c := range claims {
				alloc = alloc.Sub(c.Task.Request)
			}
			claims = nil
		}
		o.plan = append(o.plan, planned{e: e, claims: claims})
		if f.cfg.Concurrent {
			for _, c := range claims {
				m.inflight[c.Task] = struct{}{}
			}
			if len(claims) < unplanned {
				e.retryAt = now + f.cfg.RetryDelay
				tried = append(tried, e)
			}
		}
		if f.atCap(alloc) {
			break
		}
	}
}

// requeue notes, with RequeueTail, that the jobs es, just tried and to be
// retried, re-enter the queue at the end of their retry delay (the simulator's
// afterDelay(1) { addJob(job) }): decide then handles them after every job
// queued before that time.
func (f *framework) requeue(es []*jobEntry) {
	if !f.cfg.RequeueTail {
		return
	}
	for _, e := range es {
		e.enq = e.retryAt
	}
}

// order sorts the queue by the time each job (re-)entered it, with RequeueTail
// (stable: arrival order among equal times). O(queue log queue) per offer.
func (f *framework) order() {
	if f.cfg.RequeueTail {
		slices.SortStableFunc(f.queue, func(a, b *jobEntry) int { return cmp.Compare(a.enq, b.enq) })
	}
}

// roomLeft reports whether some node of the offer still has an allocatable amount.
func (m *Mesos) roomLeft(o *offer) bool {
	for _, l := range o.left {
		if !l.IsZero() && m.allocatable(l) {
			return true
		}
	}
	return false
}

// placeInOffer places t tentatively (inside the caller's transaction) on a node of
// offer o where it fits in what is left of the offer.
func (m *Mesos) placeInOffer(o *offer, t *scheduler.Task) (scheduler.NodeID, bool) {
	st := m.sim.State
	if m.cfg.Placer != nil {
		if id, gpus, s := m.cfg.Placer.Place(st, t); s.IsOK() {
			if i, ok := o.index(id); ok && t.Request.LessEq(o.left[i]) && st.Place(t, id, gpus, false).IsOK() {
				o.left[i] = o.left[i].Sub(t.Request)
				return id, true
			}
		}
	}
	for i, id := range o.nodes {
		if !t.Request.LessEq(o.left[i]) {
			continue
		}
		if st.Place(t, id, 0, false).IsOK() {
			o.left[i] = o.left[i].Sub(t.Request)
			return id, true
		}
	}
	return scheduler.NoNode, false
}

// rescind withdraws an unanswered offer (offer timeout).
func (f *framework) rescind(o *offer) {
	m := f.m
	if o.unlocked {
		return
	}
	m.account()
	o.rescinded = true
	f.stats.rescinded++
	m.unlock(o)
	if !o.decided {
		f.drop(o) // never looked at: simply withdrawn
	} else {
		// Being decided: the answer will find it rescinded.
		if i := slices.Index(f.offers, o); i >= 0 {
			f.offers = slices.Delete(f.offers, i, i+1)
		}
	}
	m.kick()
	m.check()
}

// respond answers offer o: it starts (or, for a gang framework, holds) the
// planned tasks, declines the rest with a filter, and retries or abandons jobs
// that are not fully placed.
func (f *framework) respond(o *offer) {
	m := f.m
	sim := m.sim
	now := sim.Now()
	m.account()
	m.unlock(o)
	f.drop(o)
	f.deciding = false
	used := make([]scheduler.Resources, len(o.nodes))
	progress := false
	if f.cfg.Concurrent {
		for _, p := range o.plan {
			for _, c := range p.claims {
				delete(m.inflight, c.Task)
			}
		}
	}
	for _, p := range o.plan {
		e := p.e
		f.touch(e)
		if o.rescinded {
			// Mesos answers a launch on a rescinded offer with TASK_LOST.
			p.claims = nil
		}
		for _, c := range p.claims {
			t := c.Task
			if t.State != scheduler.TaskPending || t.Node != scheduler.NoNode {
				continue
			}
			i, _ := o.index(c.Node)
			if !used[i].Add(t.Request).LessEq(o.amount[i]) {
				f.overAccepted = "framework " + f.cfg.Name + " accepted more than offer " + strconv.FormatInt(o.id, 10) + " carried on a node"
				continue
			}
			var s scheduler.Status
			hold := f.cfg.Gang && e.gangOpen()
			if hold {
				s = sim.Hold(t, c.Node, 0)
			} else {
				s = sim.Start(t, c.Node, 0)
			}
			if !s.IsOK() {
				continue
			}
			used[i] = used[i].Add(t.Request)
			progress = true
			e.placedAny = true
			m.track(f, t)
			f.stats.accepted++
			f.stats.acceptedRes = f.stats.acceptedRes.Add(t.Request)
			if hold {
				e.held = append(e.held, t)
				if e.holdTimer == nil {
					f.armHold(e)
				}
			}
		}
		if e.gangOpen() && len(e.held) > 0 && len(e.held)+e.job.Running() >= int(e.job.MinMember) {
			f.launch(e)
		}
	}
	busy := o.decision
	if progress {
		f.stats.busyUseful += busy
	} else {
		f.stats.busyWasted += busy
		f.stats.declined++
		if o.idle {
			f.stats.idleOffers++
		} else {
			f.stats.emptyOffers++
		}
	}
	// Decline what was not used, with a filter.
	refuse := f.cfg.RefuseSeconds
	if o.idle {
		refuse = f.cfg.IdleRefuse
	}
	if refuse > 0 && !o.rescinded {
		for i, id := range o.nodes {
			if left := o.amount[i].Sub(used[i]); !left.IsZero() {
				f.filters[id] = filter{until: now + refuse, amount: left}
				f.skip[id>>6] &^= 1 << (uint(id) & 63)
			}
		}
	}
	// Retry or abandon the jobs that were tried (a Concurrent framework set the
	// retry at the attempt; its requeue too).
	var retried []*jobEntry
	for _, p := range o.plan {
		e := p.e
		e.prunePending()
		if len(e.pending) == 0 || e.job.Done >= 0 {
			continue
		}
		if !f.cfg.Concurrent {
			e.retryAt = now + f.cfg.RetryDelay
			retried = append(retried, e)
		}
		if f.cfg.MaxAttempts >= 0 && e.attempts > f.cfg.MaxAttempts ||
			f.cfg.MaxAttemptsNothing >= 0 && e.attempts > f.cfg.MaxAttemptsNothing && !e.placedAny {
			f.abandon(e, "attempt limit")
		}
	}
	f.prune()
	f.requeue(retried)
	f.next()
	if !progress {
		m.noProgress()
	}
	m.kick()
	m.check()
}

// launch starts every hoarded member of gang e: the gang is complete.
func (f *framework) launch(e *jobEntry) {
	if e.holdTimer != nil {
		e.holdTimer.Stop()
		e.holdTimer = nil
	}
	held := e.held
	e.held = nil
	for _, t := range held {
		f.m.sim.Activate(t)
	}
}

// armHold starts the hold timeout of gang e's current hold cycle.
func (f *framework) armHold(e *jobEntry) {
	e.holdStart = f.m.sim.Now()
	if f.cfg.HoldTimeout >= scheduler.Forever {
		e.holdTimer = &scheduler.Timer{} // marks the cycle; never fires
		e.holdTimer.Stop()
		return
	}
	e.holdTimer = f.m.sim.After(f.cfg.HoldTimeout, func() { f.holdExpired(e) })
}

// holdExpired releases a partial gang's holdings on its hold timeout.
func (f *framework) holdExpired(e *jobEntry) {
	m := f.m
	m.account()
	e.holdTimer = nil
	if !e.gangOpen() || len(e.held) == 0 {
		return
	}
	f.stats.holdTimeouts++
	e.gangAttempts++
	n := len(e.held)
	if f.cfg.Release == ReleasePartial {
		n = (n + 1) / 2
	}
	for i := 0; i < n; i++ {
		t := e.held[len(e.held)-1]
		e.held = e.held[:len(e.held)-1]
		f.stats.gangReleases++
		m.sim.Unhold(t, "hold timeout")
		e.pending = append(e.pending, t)
	}
	if !e.queued {
		e.queued = true
		e.enq = m.sim.Now()
		f.queue = append(f.queue, e)
	}
	f.touch(e)
	e.backoffUntil = m.sim.Now() + f.backoff(e.gangAttempts)
	if f.cfg.MaxGangAttempts > 0 && e.gangAttempts >= f.cfg.MaxGangAttempts {
		f.abandon(e, "gang attempt limit")
	} else if len(e.held) > 0 {
		f.armHold(e)
	}
	f.prune()
	m.kick()
	m.check()
}

// backoff returns the back-off after the n-th hold timeout of a gang.
func (f *framework) backoff(n int) scheduler.Time {
	b := f.cfg.Backoff
	for i := 1; i < n && b < f.cfg.MaxBackoff; i++ {
		b *= 2
	}
	b = min(b, f.cfg.MaxBackoff)
	if j := f.cfg.BackoffJitter; j > 0 {
		b += scheduler.Time(f.m.rng.Float64() * j * float64(b))
	}
	return b
}

// abandon gives up on job e (the Omega attempt rule, or the gang attempt limit).
func (f *framework) abandon(e *jobEntry, reason string) {
	if e.holdTimer != nil {
		e.holdTimer.Stop()
		e.holdTimer = nil
	}
	e.held = nil
	f.touch(e)
	f.stats.abandoned++
	f.m.sim.Abandon(e.job, reason)
	e.pending = nil
}
