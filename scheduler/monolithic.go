package scheduler

import (
	"errors"
	"slices"

	"github.com/google/btree"
)

// MonolithicConfig configures the monolithic scheduler.
type MonolithicConfig struct {
	// Placer picks nodes; nil means BestFit{}.
	Placer Placer
	// DecisionJob and DecisionTask are the simulated time one attempt takes:
	// DecisionJob + DecisionTask × (tasks attempted). The scheduler is busy, and
	// places nothing else, meanwhile. Default 0 (instant).
	DecisionJob, DecisionTask Time
	// InitialBackoff and MaxBackoff bound the retry backoff of an entity that did
	// not fit: min(InitialBackoff × 2^(attempts−1), MaxBackoff), with MaxBackoff
	// scaled by √size for a gang (KEP-4671). Defaults 1 s and 10 s; a negative
	// MaxBackoff disables backoff.
	InitialBackoff, MaxBackoff Time
	// PopFromBackoff lets an idle scheduler take the next entity from the backoff
	// queue before its backoff expires (KEP-5142, on by default since v1.33).
	// Default true; set NoPopFromBackoff to turn it off.
	NoPopFromBackoff bool
	// Preemption lets a task that fits nowhere evict lower-priority tasks (Borg and
	// Kubernetes priority preemption). Default off.
	Preemption bool
	// FlushInterval and MaxUnschedulable: every FlushInterval, entities that have
	// waited in the unschedulable pool longer than MaxUnschedulable are retried even
	// if no event suggested they could fit. Defaults 30 s and 5 min.
	FlushInterval, MaxUnschedulable Time
}

// DefaultMonolithicConfig returns the defaults documented on MonolithicConfig.
func DefaultMonolithicConfig() MonolithicConfig {
	return MonolithicConfig{Placer: KeyBestFit{}, InitialBackoff: Second, MaxBackoff: 10 * Second,
		FlushInterval: 30 * Second, MaxUnschedulable: 5 * Minute}
}

// Validate reports the first invalid field.
func (c *MonolithicConfig) Validate() error {
	if c.DecisionJob < 0 || c.DecisionTask < 0 || c.InitialBackoff < 0 || c.FlushInterval < 0 || c.MaxUnschedulable < 0 {
		return errors.New("scheduler: monolithic: negative duration")
	}
	return nil
}

const (
	inNone uint8 = iota
	inActive
	inBackoff
	inPool
)

// entity is one queue entry: a single task, or the pending members of a gang.
type entity struct {
	job     *Job
	tasks   []*Task
	rank    Rank  // active queue order: task priority, arrival, creation (Tie 0)
	retry   Retry // NotBefore orders the backoff queue; Since is when it entered the pool
	where   uint8
	hidx    int
	gang    bool
	poolCPU int64    // the head task's CPU request when it entered the pool
	one     [1]*Task // backing store of tasks for a single-task entity
}

// Monolithic is a single scheduler with one queue, in the style of kube-scheduler:
// an active queue ordered by priority then arrival, a backoff queue, and an
// unschedulable pool woken by capacity releases. It places one entity (a task, or a
// whole gang, all-or-nothing) per attempt with its Placer.
//
// A gang's first MinMember tasks are placed atomically in one cycle (strict
// all-or-nothing: never a partial hold); once the gang has started, its remaining
// tasks are placed one by one. The policies/gang package offers the other
// co-scheduling variants.
type Monolithic struct {
	cfg      MonolithicConfig
	bo       Backoff // retry backoff; FlushAfter is MaxUnschedulable
	sim      *Sim
	active   entityHeap
	backoff  entityHeap
	pool     *btree.BTreeG[*entity] // unschedulable entities by (head CPU request, seq)
	poolN    int
	gangs    map[JobID]*entity
	seq      uint64
	released []NodeID

	passQueued bool
	passTmr    *Timer
	busy       bool
	backoffTmr *Timer
	flushTmr   *Timer
	useful     Time
	wasted     Time
	buf        []*Task
	free       []*entity // finished single-task entities, for reuse
}

// NewMonolithic returns a monolithic scheduler. Zero durations in cfg take the
// defaults of DefaultMonolithicConfig, except the decision times.
func NewMonolithic(cfg MonolithicConfig) (*Monolithic, error) {
	d := DefaultMonolithicConfig()
	if cfg.Placer == nil {
		cfg.Placer = d.Placer
	}
	if cfg.InitialBackoff == 0 {
		cfg.InitialBackoff = d.InitialBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = d.MaxBackoff
	}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = d.FlushInterval
	}
	if cfg.MaxUnschedulable == 0 {
		cfg.MaxUnschedulable = d.MaxUnschedulable
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Monolithic{cfg: cfg, gangs: map[JobID]*entity{}, pool: btree.NewG(16, poolLess),
		bo: Backoff{Initial: cfg.InitialBackoff, Max: cfg.MaxBackoff, FlushAfter: cfg.MaxUnschedulable}}
	m.active.less = activeLess
	m.backoff.less = backoffLess
	return m, nil
}

// Placer returns the scheduler's placer.
func (m *Monolithic) Placer() Placer { return m.cfg.Placer }

// Placers implements PlacerUser: the one placer, on the stream "placer".
func (m *Monolithic) Placers() []PlacerSlot {
	return []PlacerSlot{{Stream: "placer", Placer: m.cfg.Placer}}
}

// Attach implements Scheduler.
func (m *Monolithic) Attach(sim *Sim) error {
	m.sim = sim
	m.passTmr = NewTimer(m.pass)
	return nil
}

func activeLess(a, b *entity) bool { return a.rank.Compare(b.rank) < 0 }

func poolLess(a, b *entity) bool {
	if a.poolCPU != b.poolCPU {
		return a.poolCPU < b.poolCPU
	}
	return a.rank.Seq < b.rank.Seq
}

func backoffLess(a, b *entity) bool {
	if a.retry.NotBefore != b.retry.NotBefore {
		return a.retry.NotBefore < b.retry.NotBefore
	}
	return activeLess(a, b)
}

// Enqueue implements Scheduler.
func (m *Monolithic) Enqueue(tasks []*Task) {
	// A gang's tasks usually arrive together in one call, so the duplicate check
	// against the gang's pending list keeps a set for the current run of one
	// gang's tasks once that list is no longer short: a linear scan per task
	// would make submitting an n-task gang cost O(n²).
	var cur *entity
	var members map[*Task]struct{}
	for _, t := range tasks {
		j := t.Job
		if j.IsGang() && j.GangReady < 0 {
			if e := m.gangs[j.ID]; e != nil {
				if e != cur {
					cur, members = e, nil
				}
				if members == nil && len(e.tasks) >= 16 {
					members = make(map[*Task]struct{}, len(e.tasks))
					for _, u := range e.tasks {
						members[u] = struct{}{}
					}
				}
				if members != nil {
					if _, dup := members[t]; !dup {
						members[t] = struct{}{}
						e.tasks = append(e.tasks, t)
					}
				} else if !slices.Contains(e.tasks, t) {
					e.tasks = append(e.tasks, t)
				}
				continue
			}
			e := m.newEntity(j, t)
			e.gang = true
			m.gangs[j.ID] = e
			m.toActive(e)
			continue
		}
		m.toActive(m.newEntity(j, t))
	}
	m.schedulePass()
}

func (m *Monolithic) newEntity(j *Job, t *Task) *entity {
	m.seq++
	var e *entity
	if n := len(m.free); n > 0 {
		e = m.free[n-1]
		m.free[n-1] = nil
		m.free = m.free[:n-1]
		e.job, e.rank = j, Rank{Priority: t.Priority, Time: m.sim.now, Seq: m.seq}
	} else {
		e = &entity{job: j, rank: Rank{Priority: t.Priority, Time: m.sim.now, Seq: m.seq}}
	}
	e.one[0] = t
	e.tasks = e.one[:1]
	return e
}

// Released implements Scheduler.
func (m *Monolithic) Released(id NodeID) {
	if m.poolN > 0 {
		m.released = append(m.released, id)
	}
	m.schedulePass()
}

func (m *Monolithic) schedulePass() {
	if m.passQueued || m.busy {
		return
	}
	m.passQueued = true
	m.sim.Arm(m.passTmr, m.sim.now)
}

func (m *Monolithic) toActive(e *entity) {
	e.where = inActive
	m.active.push(e)
}

func (m *Monolithic) pass() {
	m.passQueued = false
	now := m.sim.now
	for m.backoff.len() > 0 && m.bo.Expired(&m.backoff.h[0].retry, now) {
		m.toActive(m.backoff.pop())
	}
	if len(m.released) > 0 {
		m.wakePool()
	}
	for !m.busy {
		var e *entity
		switch {
		case m.active.len() > 0:
			e = m.active.pop()
		case m.backoff.len() > 0 && !m.cfg.NoPopFromBackoff:
			e = m.backoff.pop()
		default:
			m.armBackoffTimer()
			return
		}
		e.where = inNone
		m.pruneEntity(e)
		if len(e.tasks) == 0 {
			m.dropEntity(e)
			continue
		}
		d := m.cfg.DecisionJob + m.cfg.DecisionTask*Time(len(e.tasks))
		if d > 0 {
			m.busy = true
			m.sim.After(d, func() {
				m.busy = false
				m.pruneEntity(e)
				if len(e.tasks) == 0 {
					m.dropEntity(e)
				} else if m.attempt(e) {
					m.useful += d
				} else {
					m.wasted += d
				}
				m.pass()
			})
			return
		}
		m.attempt(e)
		m.recycle(e)
	}
}

// recycle keeps a finished single-task entity for reuse, so that steady state
// allocates no queue entry per task. An entity is finished when it has no tasks
// left and is in no queue; gangs are not recycled.
func (m *Monolithic) recycle(e *entity) {
	if len(e.tasks) != 0 || e.where != inNone || e.gang || cap(e.tasks) != 1 {
		return
	}
	*e = entity{}
	m.free = append(m.free, e)
}

// pruneEntity drops tasks that are no longer pending (failed, abandoned, or placed
// by someone else).
func (m *Monolithic) pruneEntity(e *entity) {
	k := 0
	for _, t := range e.tasks {
		if t.State == TaskPending && t.Node == NoNode {
			e.tasks[k] = t
			k++
		}
	}
	clear(e.tasks[k:])
	e.tasks = e.tasks[:k]
}

func (m *Monolithic) dropEntity(e *entity) {
	if e.gang && m.gangs[e.job.ID] == e {
		delete(m.gangs, e.job.ID)
	}
}

// attempt tries to place entity e and reports whether anything was placed.
func (m *Monolithic) attempt(e *entity) bool {
	s := m.sim
	st := s.State
	for _, t := range e.tasks {
		t.Attempts++
	}
	if e.gang && e.job.GangReady < 0 {
		need := int(e.job.MinMember) - int(e.job.running)
		if need > 0 {
			claims, status := PlaceGang(st, m.cfg.Placer, e.tasks, min(need, len(e.tasks)))
			if status.IsOK() && len(e.tasks) >= need {
				res := s.CommitPlan(&Plan{Claims: claims}, DetectFit, true)
				if res.Committed == len(claims) {
					m.pruneEntity(e)
					m.afterGang(e)
					return true
				}
			}
			// Can the gang ever fit, even in the empty cluster?
			if !st.CanEverFitGang(e.tasks, need) {
				for _, t := range e.tasks {
					s.Fail(t, "gang can never fit: larger than the cluster")
				}
				m.dropEntity(e)
				return false
			}
			m.unschedulable(e)
			return false
		}
		m.afterGang(e)
		return true
	}
	placed := false
	k := 0
	for _, t := range e.tasks {
		id, gpus, status := m.cfg.Placer.Place(st, t)
		if status.IsOK() {
			status = s.Start(t, id, gpus)
		}
		if status.IsOK() {
			placed = true
			continue
		}
		if !st.CanEverFit(t) {
			s.Fail(t, statusTooLarge.Reason)
			continue
		}
		if m.cfg.Preemption && m.preempt(t) {
			placed = true
			continue
		}
		e.tasks[k] = t
		k++
	}
	e.tasks = e.tasks[:k]
	if k > 0 {
		m.unschedulable(e)
	} else {
		m.dropEntity(e)
	}
	return placed
}

// afterGang turns a started gang's remaining members into ordinary entities.
func (m *Monolithic) afterGang(e *entity) {
	m.dropEntity(e)
	e.gang = false
	if len(e.tasks) > 0 {
		m.toActive(e)
	}
}

func (m *Monolithic) unschedulable(e *entity) {
	size := 1
	if e.gang {
		size = int(e.job.MinMember)
	}
	m.bo.Fail(&e.retry, m.sim.now, size)
	e.where = inPool
	e.poolCPU = e.tasks[0].Request[CPU]
	m.pool.ReplaceOrInsert(e)
	m.poolN++
	if m.flushTmr == nil || m.flushTmr.stopped {
		m.flushTmr = m.sim.After(m.cfg.FlushInterval, m.flush)
	}
}

// wakePool moves pool entities that may fit on a node released since the last pass
// to the backoff or active queue (Kubernetes' queueing hints for resource release).
// Each released node's free capacity is a budget that the woken entities use up, so
// a release wakes only as many entities as it can hold. The pool is ordered by the
// head task's CPU request and scanned upward until no budget has that much CPU left,
// so the cost is O(log n + examined), independent of the pool's size. The price is a
// bias: when a release can hold only some of the entities that fit it, the smaller
// ones are woken first; the others are retried by the periodic flush
// (MaxUnschedulable), after which queue order (priority, arrival) decides.
func (m *Monolithic) wakePool() {
	st := m.sim.State
	rel := m.released
	slices.Sort(rel)
	rel = slices.Compact(rel)
	budget := make([]Resources, 0, len(rel))
	up := rel[:0]
	var maxCPU int64 = -1
	for _, id := range rel {
		if !st.Up(id) {
			continue
		}
		f := st.Free(id)
		up = append(up, id)
		budget = append(budget, f)
		maxCPU = max(maxCPU, f[CPU])
	}
	if maxCPU < 0 {
		m.released = m.released[:0]
		return
	}
	var woken []*entity
	m.pool.AscendLessThan(&entity{poolCPU: maxCPU + 1}, func(e *entity) bool {
		if e.poolCPU > maxCPU {
			return false // every later entity needs more CPU than any budget has left
		}
		t := e.tasks[0]
		for i, id := range up {
			if t.Request.LessEq(budget[i]) && st.Fits(t, id).IsOK() {
				budget[i] = budget[i].Sub(t.Request)
				woken = append(woken, e)
				maxCPU = -1
				for _, b := range budget {
					maxCPU = max(maxCPU, b[CPU])
				}
				break
			}
		}
		return true
	})
	m.released = m.released[:0]
	for _, e := range woken {
		m.unpool(e)
	}
}

func (m *Monolithic) unpool(e *entity) {
	m.pool.Delete(e)
	m.poolN--
	if m.bo.Expired(&e.retry, m.sim.now) {
		m.toActive(e)
	} else {
		e.where = inBackoff
		m.backoff.push(e)
	}
}

func (m *Monolithic) flush() {
	now := m.sim.now
	var old []*entity
	m.pool.Ascend(func(e *entity) bool {
		if m.bo.Flushed(&e.retry, now) {
			old = append(old, e)
		}
		return true
	})
	for _, e := range old {
		m.unpool(e)
	}
	if m.poolN > 0 {
		m.flushTmr = m.sim.After(m.cfg.FlushInterval, m.flush)
	}
	m.schedulePass()
}

func (m *Monolithic) armBackoffTimer() {
	if m.backoff.len() == 0 {
		return
	}
	at := m.backoff.h[0].retry.NotBefore
	if m.backoffTmr != nil && !m.backoffTmr.stopped && m.backoffTmr.at <= at {
		return
	}
	m.backoffTmr.Stop()
	m.backoffTmr = m.sim.At(at, m.schedulePass)
}

// Report implements Reporter: busyness of the one scheduler.
func (m *Monolithic) Report(r *Result) {
	if T := m.sim.now; T > 0 {
		r.Busyness.Useful = float64(m.useful) / float64(T)
		r.Busyness.Wasted = float64(m.wasted) / float64(T)
	}
}

// Pending returns the number of entities waiting in the scheduler's queues.
func (m *Monolithic) Pending() int { return m.active.len() + m.backoff.len() + m.poolN }

// entityHeap is a binary heap of entities with a pluggable order.
type entityHeap struct {
	h    []*entity
	less func(a, b *entity) bool
}

func (q *entityHeap) len() int { return len(q.h) }

func (q *entityHeap) push(e *entity) {
	q.h = append(q.h, e)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(q.h[i], q.h[p]) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *entityHeap) pop() *entity {
	e := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h[n] = nil
	q.h = q.h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && q.less(q.h[r], q.h[l]) {
			c = r
		}
		if !q.less(q.h[c], q.h[i]) {
			break
		}
		q.h[i], q.h[c] = q.h[c], q.h[i]
		i = c
	}
	return e
}
