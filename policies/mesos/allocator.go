package mesos

import (
	mbits "math/bits"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/schedlab/schedlab/scheduler"
)

// Mesos is the two-level scheduler: an allocator that offers free resources to
// frameworks in DRF order, once per allocation interval, and the frameworks that
// accept, decline or hoard them. It implements scheduler.Scheduler and
// scheduler.Reporter.
//
// Offered resources are locked: while a framework decides, nobody else is offered
// them. The lock is the allocator's own accounting (the State does not see it; the
// Mesos scheduler is the only one placing tasks in a run), reported as the locked
// fraction in Result.Extra. Hoarded gang members are Sim.Hold'd, so the State and
// the core's held-idle metric see them.
type Mesos struct {
	cfg  Config
	sim  *scheduler.Sim
	fws  []*framework
	jobs map[scheduler.JobID]*jobEntry
	rng  *rand.Rand
	// inflight holds the tasks planned on offers not yet answered, for
	// Concurrent frameworks.
	inflight map[*scheduler.Task]struct{}

	locked      []scheduler.Resources // per node, the sum of outstanding offers
	lockedTotal scheduler.Resources
	// cand is a bit set over node IDs, a superset of the nodes whose unlocked
	// free resources are offerable (up, non-zero, at least MinOffer): buildOffer
	// visits only these, in ascending ID order, and drops the ones it finds not
	// offerable; Released and unlock add nodes back.
	cand []uint64
	// onNode lists, per node, the tasks the frameworks started or held there
	// that may still be running or held; Released sweeps the node's list, so each
	// framework's allocation is kept up to date without rescanning its tasks.
	onNode [][]placedTask
	// bufNodes and bufAmount are buildOffer's scratch space.
	bufNodes  []scheduler.NodeID
	bufAmount []scheduler.Resources
	offerSeq  int64

	roundTmr  *scheduler.Timer
	lastRound scheduler.Time
	rounds    int
	rr        map[rrKey]int // round-robin counters of the assignment rule

	acct      accounting
	checks    int            // deadlock checks requested
	maxLock   scheduler.Time // longest an offer stayed locked
	violation string
}

type rrKey struct {
	gang  bool
	class scheduler.Class
}

var (
	_ scheduler.Scheduler       = (*Mesos)(nil)
	_ scheduler.Reporter        = (*Mesos)(nil)
	_ scheduler.DeadlockBreaker = (*Mesos)(nil)
)

// New returns a Mesos scheduler. Zero fields of cfg take the defaults of
// DefaultConfig (and of each FrameworkConfig).
func New(cfg Config) (*Mesos, error) {
	if cfg.Frameworks == nil {
		cfg.Frameworks = DefaultFrameworks()
	}
	if cfg.Interval == 0 {
		cfg.Interval = scheduler.Second
	}
	if cfg.MaxOffers == 0 {
		cfg.MaxOffers = 50
	}
	if cfg.MinOffer.IsZero() && !cfg.NoMinOffer {
		cfg.MinOffer = scheduler.Res(10, 32, 0)
	}
	if cfg.NoMinOffer {
		cfg.MinOffer = scheduler.Resources{}
	}
	fcs := make([]FrameworkConfig, len(cfg.Frameworks))
	for i, f := range cfg.Frameworks {
		fcs[i] = f.withDefaults()
	}
	cfg.Frameworks = fcs
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Mesos{cfg: cfg, jobs: map[scheduler.JobID]*jobEntry{}, rr: map[rrKey]int{}, lastRound: -1,
		inflight: map[*scheduler.Task]struct{}{}}
	for i := range cfg.Frameworks {
		m.fws = append(m.fws, &framework{m: m, idx: i, cfg: cfg.Frameworks[i]})
	}
	return m, nil
}

// Attach implements scheduler.Scheduler.
func (m *Mesos) Attach(sim *scheduler.Sim) error {
	m.sim = sim
	m.rng = sim.Rand("mesos")
	return nil
}

// Placers implements scheduler.PlacerUser: the placer the frameworks share (if
// any), on the stream "placer".
func (m *Mesos) Placers() []scheduler.PlacerSlot {
	if m.cfg.Placer == nil {
		return nil
	}
	return []scheduler.PlacerSlot{{Stream: "placer", Placer: m.cfg.Placer}}
}

// Frameworks returns the names of the frameworks in registration order.
func (m *Mesos) Frameworks() []string {
	out := make([]string, len(m.fws))
	for i, f := range m.fws {
		out[i] = f.cfg.Name
	}
	return out
}

// Violation returns the first invariant violation seen with Config.Check, or "".
func (m *Mesos) Violation() string { return m.violation }

// frameworkFor applies the documented assignment rule to job j.
func (m *Mesos) frameworkFor(j *scheduler.Job) *framework {
	if j.Tenant != "" {
		for _, f := range m.fws {
			if f.cfg.Name == j.Tenant {
				return f
			}
		}
	}
	pick := func(k rrKey, ok func(f *framework) bool) *framework {
		var cand []*framework
		for _, f := range m.fws {
			if ok(f) {
				cand = append(cand, f)
			}
		}
		if len(cand) == 0 {
			return nil
		}
		i := m.rr[k] % len(cand)
		m.rr[k]++
		return cand[i]
	}
	if j.IsGang() {
		if f := pick(rrKey{gang: true}, func(f *framework) bool { return f.cfg.Gang }); f != nil {
			return f
		}
	}
	if f := pick(rrKey{class: j.Class}, func(f *framework) bool { return !f.cfg.Gang && f.cfg.Class == j.Class }); f != nil {
		return f
	}
	return pick(rrKey{class: 255}, func(*framework) bool { return true })
}

// Enqueue implements scheduler.Scheduler.
func (m *Mesos) Enqueue(tasks []*scheduler.Task) {
	m.account()
	st := m.sim.State
	// A gang's tasks usually arrive together in one call, so the duplicate check
	// against the job's pending list uses a set for the current run of one job's
	// tasks once that list is no longer short (a scan per task would make an
	// n-task gang cost O(n²)). The set is dropped whenever the list changed
	// other than by this loop's appends.
	var cur *jobEntry
	var seen map[*scheduler.Task]struct{}
	for _, t := range tasks {
		e := m.jobs[t.Job.ID]
		if e == nil {
			f := m.frameworkFor(t.Job)
			e = &jobEntry{job: t.Job, fw: f, seq: len(f.queue)}
			m.jobs[t.Job.ID] = e
			f.live = append(f.live, e)
		}
		// A held member lost to a node failure comes back pending.
		e.dropHeld(t)
		e.fw.touch(e)
		if !st.CanEverFit(t) {
			m.sim.Fail(t, "larger than every node")
			continue
		}
		if e != cur || len(seen) != len(e.pending) {
			cur, seen = e, nil
		}
		if seen == nil && len(e.pending) >= 16 {
			seen = make(map[*scheduler.Task]struct{}, len(e.pending))
			for _, u := range e.pending {
				seen[u] = struct{}{}
			}
		}
		if seen != nil {
			if _, dup := seen[t]; !dup {
				seen[t] = struct{}{}
				e.pending = append(e.pending, t)
			}
		} else if !slices.Contains(e.pending, t) {
			e.pending = append(e.pending, t)
		}
		if !e.queued {
			e.queued = true
			e.enq = m.sim.Now()
			e.fw.queue = append(e.fw.queue, e)
		}
	}
	m.kick()
	m.check()
}

// Released implements scheduler.Scheduler.
func (m *Mesos) Released(id scheduler.NodeID) {
	m.account()
	m.growLocks()
	m.sweep(id)
	m.markCand(id)
	m.kick()
}

// kick makes sure an offer round is scheduled: now, or one interval after the
// previous round.
func (m *Mesos) kick() {
	if m.roundTmr != nil {
		return
	}
	at := m.sim.Now()
	if m.lastRound >= 0 && m.lastRound+m.cfg.Interval > at {
		at = m.lastRound + m.cfg.Interval
	}
	m.roundTmr = m.sim.At(at, m.round)
}

// hasWork reports whether any framework has queued work (possibly waiting for a
// retry or a back-off).
func (m *Mesos) hasWork() bool {
	for _, f := range m.fws {
		if len(f.queue) > 0 {
			return true
		}
	}
	return false
}

// round is one allocation cycle: frameworks (below MaxOffers outstanding offers),
// in DRF order, each get an offer of what is free, unlocked and not filtered for
// them.
func (m *Mesos) round() {
	m.roundTmr = nil
	m.account()
	now := m.sim.Now()
	m.lastRound = now
	m.rounds++
	for _, f := range m.fws {
		f.prune()
	}
	if !m.hasWork() {
		m.check()
		return
	}
	m.growLocks()
	m.checkCandidates()
	order, wsum := m.drfOrder()
	made := 0
	for _, f := range order {
		if o := m.buildOffer(f, wsum); o != nil {
			made++
			f.receive(o)
		}
	}
	if made == 0 {
		m.noProgress()
	}
	// Mesos allocates periodically; keep the cycle going while work waits (also
	// with no capacity up: nodes may come back).
	if m.hasWork() {
		m.roundTmr = m.sim.At(now+m.cfg.Interval, m.round)
	}
	m.check()
}

// drfOrder returns the frameworks that may receive an offer now (not suppressed,
// below MaxOffers outstanding offers) in ascending weighted dominant share, ties
// to the framework registered first, and the sum of the weights of the
// frameworks that are not suppressed (for fair-share offers).
func (m *Mesos) drfOrder() ([]*framework, float64) {
	type rank struct {
		f     *framework
		share float64
	}
	var order []rank
	var wsum float64
	for _, f := range m.fws {
		if f.cfg.Suppress && !f.hasWork() || f.cfg.Request && !f.ready(m.sim.Now()) {
			continue
		}
		wsum += f.cfg.Weight
		if len(f.offers) >= m.cfg.MaxOffers {
			continue
		}
		order = append(order, rank{f, f.share()})
	}
	slices.SortFunc(order, func(a, b rank) int {
		switch {
		case a.share < b.share:
			return -1
		case a.share > b.share:
			return 1
		}
		return a.f.idx - b.f.idx
	})
	out := make([]*framework, len(order))
	for i, r := range order {
		out[i] = r.f
	}
	return out, wsum
}

// growLocks sizes the per-node tables to the State's node IDs; new nodes are
// offer candidates.
func (m *Mesos) growLocks() {
	n := m.sim.State.NumNodes()
	if len(m.locked) >= n {
		return
	}
	old := len(m.locked)
	m.locked = append(m.locked, make([]scheduler.Resources, n-old)...)
	m.onNode = append(m.onNode, make([][]placedTask, n-old)...)
	if w := (n + 63) / 64; len(m.cand) < w {
		m.cand = append(m.cand, make([]uint64, w-len(m.cand))...)
	}
	for _, f := range m.fws {
		f.filters = append(f.filters, make([]filter, n-len(f.filters))...)
		f.skipAt = append(f.skipAt, make([]scheduler.Time, n-len(f.skipAt))...)
		if w := len(m.cand); len(f.skip) < w {
			f.skip = append(f.skip, make([]uint64, w-len(f.skip))...)
		}
	}
	for i := old; i < n; i++ {
		m.markCand(scheduler.NodeID(i))
	}
}

// markCand makes node id an offer candidate: its unlocked free resources may
// have grown, so no framework's decline filter is known to hide it any more.
func (m *Mesos) markCand(id scheduler.NodeID) {
	if int(id) < len(m.locked) {
		w, b := id>>6, uint64(1)<<(uint(id)&63)
		m.cand[w] |= b
		for _, f := range m.fws {
			f.skip[w] &^= b
		}
	}
}

// offerable reports whether node id's unlocked free resources may be offered
// (before filters and the fair-share cap): the node is up and they are non-zero
// and reach MinOffer.
func (m *Mesos) offerable(id scheduler.NodeID) bool {
	st := m.sim.State
	if !st.Up(id) {
		return false
	}
	avail := st.Free(id).Sub(m.locked[id])
	return !avail.IsZero() && m.allocatable(avail)
}

// buildOffer collects what framework f may be offered now, or nil.
func (m *Mesos) buildOffer(f *framework, wsum float64) *offer {
	st := m.sim.State
	now := m.sim.Now()
	var budget scheduler.Resources
	capped := m.cfg.Scope == ScopeFair
	if capped {
		fair := st.Capacity()
		alloc := f.allocation()
		for r := range fair {
			budget[r] = int64(float64(fair[r])*f.cfg.Weight/wsum) - alloc[r]
		}
		if budget[scheduler.CPU] <= 0 && fair[scheduler.CPU] > 0 || budget[scheduler.Memory] <= 0 && fair[scheduler.Memory] > 0 {
			return nil
		}
	}
	o := &offer{fw: f, made: now}
	f.expireSkips(now)
	m.checkSkips(f)
	nodes, amount := m.bufNodes[:0], m.bufAmount[:0]
	// Visit the candidate nodes in ascending ID order (the order of a scan over
	// every node), except those known to be filtered for f: a node that is not
	// offerable is dropped from the set, one that is filtered is remembered.
scan:
	for w := range m.cand {
		for bits := m.cand[w] &^ f.skip[w]; bits != 0; bits &= bits - 1 {
			id := scheduler.NodeID(w<<6 + mbits.TrailingZeros64(bits))
			if !st.Up(id) {
				m.cand[w] &^= 1 << (uint(id) & 63)
				continue
			}
			avail := st.Free(id).Sub(m.locked[id])
			if avail.IsZero() || !m.allocatable(avail) {
				m.cand[w] &^= 1 << (uint(id) & 63)
				continue
			}
			if flt := &f.filters[id]; flt.until > now && (m.cfg.FilterWholeNode || avail.LessEq(flt.amount)) {
				f.skipUntil(id, flt.until)
				continue
			}
			if capped {
				avail = avail.Min(budget.Max(scheduler.Resources{}))
			}
			if avail.IsZero() || !m.allocatable(avail) {
				continue
			}
			if capped {
				budget = budget.Sub(avail)
			}
			nodes = append(nodes, id)
			amount = append(amount, avail)
			o.total = o.total.Add(avail)
			if capped && (budget[scheduler.CPU] <= 0 || budget[scheduler.Memory] <= 0) {
				break scan
			}
		}
	}
	m.bufNodes, m.bufAmount = nodes, amount
	if len(nodes) == 0 {
		return nil
	}
	m.offerSeq++
	o.id = m.offerSeq
	o.nodes = slices.Clone(nodes)
	o.amount = slices.Clone(amount)
	o.left = slices.Clone(amount)
	for i, id := range o.nodes {
		m.locked[id] = m.locked[id].Add(o.amount[i])
		if !m.offerable(id) {
			m.cand[id>>6] &^= 1 << (uint(id) & 63)
		}
	}
	m.lockedTotal = m.lockedTotal.Add(o.total)
	return o
}

// allocatable reports whether r reaches the minimum offer.
func (m *Mesos) allocatable(r scheduler.Resources) bool {
	for i, v := range m.cfg.MinOffer {
		if v > 0 && r[i] < v {
			return false
		}
	}
	return true
}

// unlock returns an offer's resources to the pool.
func (m *Mesos) unlock(o *offer) {
	if o.unlocked {
		return
	}
	o.unlocked = true
	m.maxLock = max(m.maxLock, m.sim.Now()-o.made)
	for i, id := range o.nodes {
		m.locked[id] = m.locked[id].Sub(o.amount[i])
		m.markCand(id)
	}
	m.lockedTotal = m.lockedTotal.Sub(o.total)
}

// check verifies the allocator's invariants when Config.Check is set.
func (m *Mesos) check() {
	if !m.cfg.Check || m.violation != "" || m.sim == nil {
		return
	}
	if v := m.checkInvariants(); v != "" {
		m.violation = m.sim.Now().String() + ": " + v
	}
}

// checkInvariants returns a description of the first broken invariant, or "".
//
//   - Offers never double-allocate: on every node the resources locked by
//     outstanding offers are at most its free capacity, and equal the sum of
//     those offers.
//   - A framework never holds more than it was offered: for every offer, what its
//     framework accepted on each node is at most what the node was offered.
//   - What the State holds equals what the gang frameworks say they hoard.
func (m *Mesos) checkInvariants() string {
	st := m.sim.State
	sum := make([]scheduler.Resources, len(m.locked))
	var total scheduler.Resources
	for _, f := range m.fws {
		for _, o := range f.offers {
			if o.unlocked {
				return "framework " + f.cfg.Name + " keeps an unlocked offer"
			}
			for i, id := range o.nodes {
				sum[id] = sum[id].Add(o.amount[i])
				total = total.Add(o.amount[i])
			}
		}
	}
	if total != m.lockedTotal {
		return "locked total " + m.lockedTotal.String() + " != sum of outstanding offers " + total.String()
	}
	for i := range m.locked {
		id := scheduler.NodeID(i)
		if sum[i] != m.locked[i] {
			return "node lock drifted from its offers"
		}
		if st.Up(id) && !m.locked[i].LessEq(st.Free(id)) {
			return "node " + strconv.Itoa(i) + ": locked " + m.locked[i].String() + " exceeds free " + st.Free(id).String()
		}
	}
	m.syncAlloc()
	for _, f := range m.fws {
		var a scheduler.Resources
		for _, e := range f.live {
			for i := range e.job.Tasks {
				t := &e.job.Tasks[i]
				if t.State == scheduler.TaskRunning || t.State == scheduler.TaskHeld {
					a = a.Add(t.Request)
				}
			}
		}
		if a != f.alloc {
			return "framework " + f.cfg.Name + ": tracked allocation " + f.alloc.String() + " != its running and held tasks " + a.String()
		}
	}
	for _, f := range m.fws {
		if v := f.overAccepted; v != "" {
			return v
		}
	}
	var held scheduler.Resources
	for _, f := range m.fws {
		for _, e := range f.live {
			for _, t := range e.held {
				if t.State != scheduler.TaskHeld {
					return "task " + t.String() + " listed as hoarded but " + t.State.String()
				}
				held = held.Add(t.Request)
			}
		}
	}
	if held != st.Held() {
		return "hoarded " + held.String() + " != state held " + st.Held().String()
	}
	return ""
}

// checkCandidates verifies, when Config.Check is set, that every offerable node
// is an offer candidate. It runs at the start of a round: inside a callback the
// set may lag (a task evicted or lost is handed to Enqueue before Released
// reports its node), but every callback ends before the next round.
func (m *Mesos) checkCandidates() {
	if !m.cfg.Check || m.violation != "" {
		return
	}
	for i := range m.locked {
		if m.offerable(scheduler.NodeID(i)) && m.cand[i>>6]&(1<<(uint(i)&63)) == 0 {
			m.violation = m.sim.Now().String() + ": node " + strconv.Itoa(i) + " is offerable but not an offer candidate"
			return
		}
	}
}

// checkSkips verifies, when Config.Check is set, that every node framework f
// skips is hidden by its decline filter now.
func (m *Mesos) checkSkips(f *framework) {
	if !m.cfg.Check || m.violation != "" {
		return
	}
	st, now := m.sim.State, m.sim.Now()
	for i := range m.locked {
		id := scheduler.NodeID(i)
		if f.skip[i>>6]&(1<<(uint(i)&63)) == 0 || !st.Up(id) {
			continue // a down node is not offered; recovering calls Released
		}
		flt := f.filters[id]
		if !(flt.until > now && (m.cfg.FilterWholeNode || st.Free(id).Sub(m.locked[id]).LessEq(flt.amount))) {
			m.violation = now.String() + ": framework " + f.cfg.Name + " skips node " + strconv.Itoa(i) + ", which its filter does not hide"
			return
		}
	}
}

// noProgress runs the core deadlock detector (scheduler.Sim.CheckDeadlock) after a
// round or an answer that placed nothing, when some gang hoards.
func (m *Mesos) noProgress() {
	if m.cfg.NoDeadlockCheck || m.sim.State.Held().IsZero() {
		return
	}
	m.checks++
	m.sim.CheckDeadlock()
}

// CanRelease implements scheduler.DeadlockBreaker: a partial gang's holdings will
// be released without outside help if its hold timeout is armed, or if its
// framework's attempt limit can still fire — the gang is attempted on every offer
// its framework gets, and offers keep coming while tasks run or capacity is free.
func (m *Mesos) CanRelease(j *scheduler.Job) bool {
	e := m.jobs[j.ID]
	if e == nil || len(e.held) == 0 {
		return false
	}
	f := e.fw
	if f.cfg.HoldTimeout < scheduler.Forever && e.holdTimer != nil {
		return true
	}
	if f.cfg.MaxAttempts < 0 {
		return false
	}
	st := m.sim.State
	return !st.Allocated().Sub(st.Held()).IsZero() || m.allocatable(st.Capacity().Sub(st.Allocated()))
}
