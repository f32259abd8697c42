package scheduler

import (
	"slices"
)

// This file is the deadlock detector of DESIGN.md ("Metrics: Deadlock").
//
// # Definitions
//
// A gang (a job with MinMember > 0) is partial when it holds resources (has held
// tasks: Sim.Hold, or CommitPlan with Held claims), has not started as a gang
// (GangReady < 0), and holds fewer than MinMember tasks (held + running <
// MinMember). Its remaining need is the MinMember − held − running of its pending
// tasks that fit best (largest first).
//
// The wait-for graph has one vertex per partial gang. It is computed on a
// hypothetical state, inside a transaction that is rolled back, so the real state
// is unchanged (sequence numbers and per-node task order included):
//
//  1. Available = free capacity plus everything that running tasks with a finite
//     runtime will release (those tasks are released in the transaction).
//  2. Reduction (Holt's algorithm): a partial gang whose remaining need can be
//     placed on Available, node by node (best fit, largest task first, tenant
//     quotas included), can complete; its holdings are added to Available (when
//     its tasks have finite runtimes), and the step repeats. Gangs left over are
//     blocked.
//  3. The deadlocked set is the largest set D of blocked gangs in which every gang
//     could start if the other gangs of D released their holdings: start from all
//     blocked gangs and drop, until none is dropped, those that could not (a gang
//     too large for the cluster, a gang that needs more than the others hold).
//     Each gang of D waits on every other gang of D: together they form the cycle
//     of DESIGN.md's wait-for graph, a set of gangs none of which can ever start
//     unless another in the set gives up.
//
// A deadlock is a deadlocked set of two or more gangs (a gang blocked alone is
// starving, not deadlocked: no other partial gang's release would let it start). Gangs that are blocked but
// not in it (a gang too large for the cluster, a gang waiting on a gang outside
// the set) are not counted. The set is found with O(|blocked|) fit checks per
// round, usually one or two rounds, rather than one check per pair of gangs.
//
// # Episodes and terminal deadlocks
//
// An episode starts when CheckDeadlock first finds a cycle. While it lasts, the
// engine watches the transitions that could break it (an unhold, eviction, loss,
// failure or abandonment of a task, a start of a task of a gang in the episode, a
// node added, updated or recovered) and re-evaluates the graph after such an event:
// the episode ends at that event's time if no cycle remains. The resources held by
// the episode's gangs are integrated over the episode's length.
//
// A deadlock is terminal when nothing pending can break it: no node event is queued
// and the scheduler does not report (through DeadlockBreaker) that it will release
// any of the cycle's gangs by itself. CheckDeadlock then stops the run with
// Sim.Stop("terminal deadlock"), and the result reports Deadlock.Terminal.
//
// # Using it from a scheduler
//
// Call sim.CheckDeadlock() at the end of every scheduling pass that placed nothing
// while some gang held resources (policies/gang also calls it after passes that
// placed something but left work unplaced). It is cheap when fewer than two gangs
// are partial, and cached while no holding changes: starts and finishes of
// ordinary tasks do not invalidate it. A scheduler with timeouts,
// group rejection or preemption that can release holdings implements
// DeadlockBreaker; one that does not is taken to have no way out. The detector
// fills Result.Deadlock; nothing else is needed.

// DeadlockBreaker is implemented by schedulers that can release a partial gang's
// holdings on their own later: a pending wait timeout, a placeholder timeout, a
// group rejection that the next retry will trigger, a preemption. The detector asks
// it before declaring a deadlock terminal.
type DeadlockBreaker interface {
	// CanRelease reports whether some pending action of the scheduler will release
	// holdings of gang j without any outside change.
	CanRelease(j *Job) bool
}

// DeadlockReport is the outcome of one CheckDeadlock.
type DeadlockReport struct {
	// Partial lists the partial gangs (holding resources, fewer than MinMember),
	// sorted by ID.
	Partial []JobID
	// Edges lists the wait-for edges {A, B} among the deadlocked gangs: A waits on
	// B (A could start if the other deadlocked gangs, B among them, released).
	// Sorted.
	Edges [][2]JobID
	// Cycle lists the deadlocked gangs (the wait-for cycle), sorted; empty when
	// there is no deadlock.
	Cycle []JobID
	// Terminal reports that nothing pending can break the cycle; the run was
	// stopped.
	Terminal bool
}

// Deadlocked reports whether a cycle was found.
func (r *DeadlockReport) Deadlocked() bool { return len(r.Cycle) > 0 }

// deadlock is the detector's state, embedded in the Sim (zero value ready).
type deadlock struct {
	cand  map[JobID]*Job // jobs that held a task since they were last seen holding none
	dirty bool           // something that may break the active episode happened

	active   bool
	gangs    []JobID // gangs of the active episode, sorted
	involved map[JobID]struct{}
	episodes int
	first    Time
	terminal bool

	last    Time      // start of the current integration interval
	heldNow Resources // held by the active episode's gangs
	heldSec float64   // ∫ dominant share of heldNow dt
	heldRes [NumResources]float64

	hv       uint64 // changes that can alter the graph (see observeDeadlock)
	cacheOK  bool
	cacheVer uint64
	cache    DeadlockReport
}

// observeDeadlock is called by Sim.observe for every transition.
//
// It also keeps d.hv, a counter of the changes that can alter the wait-for graph:
// holds and their release, starts of tasks of gangs that held or of tasks that
// never end, new pending tasks of such gangs, failures and node events. Starts and
// finishes of other tasks leave the graph unchanged (Available already counts what
// running tasks with a finite runtime will release), so they do not invalidate the
// cached answer.
func (s *Sim) observeDeadlock(what string, t *Task) {
	d := &s.dl
	switch what {
	case "hold":
		if t != nil && t.Job != nil && t.Job.IsGang() {
			if d.cand == nil {
				d.cand = map[JobID]*Job{}
			}
			d.cand[t.Job.ID] = t.Job
		}
		d.hv++
	case "unhold", "evict", "lost", "abandoned", "failed", "node-add", "node-recover", "node-update",
		"node-fail", "node-remove":
		d.hv++
		if d.active {
			d.dirty = true
		}
	case "start", "submit":
		if t == nil || t.Job == nil {
			return
		}
		_, held := d.cand[t.Job.ID]
		if held || what == "start" && (t.Runtime < 0 || t.Runtime >= Forever) {
			d.hv++
		}
		if what == "start" && d.active && held {
			if _, ok := slices.BinarySearch(d.gangs, t.Job.ID); ok {
				d.dirty = true
			}
		}
	}
}

// settleDeadlock re-evaluates an active episode after an event that may have
// broken it. Called by Step after each event when dirty.
func (s *Sim) settleDeadlock() {
	d := &s.dl
	d.dirty = false
	if !d.active {
		return
	}
	rep := s.evalDeadlock()
	s.integrateDeadlock()
	if len(rep.Cycle) == 0 {
		s.observe("deadlock", nil, NoNode, "episode ends: "+jobList(d.gangs))
		d.active = false
		d.gangs = nil
		d.heldNow = Resources{}
		return
	}
	s.joinEpisode(rep.Cycle)
}

// integrateDeadlock adds the held resources of the active episode since d.last.
func (s *Sim) integrateDeadlock() {
	d := &s.dl
	if d.active && s.now > d.last {
		dt := (s.now - d.last).Seconds()
		capa := s.State.capacity
		dom := 0.0
		for r := range d.heldNow {
			d.heldRes[r] += float64(d.heldNow[r]) * dt
			if capa[r] > 0 {
				dom = max(dom, float64(d.heldNow[r])/float64(capa[r]))
			}
		}
		d.heldSec += dom * dt
	}
	d.last = s.now
}

// joinEpisode sets the active episode's gangs to cycle (adding them to the
// involved set) and recomputes what they hold.
func (s *Sim) joinEpisode(cycle []JobID) {
	d := &s.dl
	if d.involved == nil {
		d.involved = map[JobID]struct{}{}
	}
	d.gangs = slices.Clone(cycle)
	d.heldNow = Resources{}
	for _, id := range cycle {
		d.involved[id] = struct{}{}
		if j := d.cand[id]; j != nil {
			for i := range j.Tasks {
				if t := &j.Tasks[i]; t.State == TaskHeld {
					d.heldNow = d.heldNow.Add(t.Request)
				}
			}
		}
	}
}

// CheckDeadlock builds the wait-for graph of the partial gangs (see the
// definitions at the top of deadlock.go), starts a deadlock episode when it finds a
// cycle, and stops the run with Sim.Stop("terminal deadlock") when the cycle is
// terminal. Call it when a scheduling pass makes no progress. It must not be called
// while the scheduler holds an open transaction it has not finished using (it opens
// a nested mark and rolls back to it). The state is unchanged on return.
//
// Cost: O(1) when fewer than two gangs are partial or no holding changed since the
// last call (starts and finishes of ordinary tasks do not count); otherwise O(running tasks × log n) to build Available plus
// O(P² × need × log n) for P partial gangs.
func (s *Sim) CheckDeadlock() DeadlockReport {
	d := &s.dl
	rep := s.evalDeadlock()
	if len(rep.Cycle) == 0 {
		return rep
	}
	if !d.active {
		s.integrateDeadlock()
		d.active = true
		d.last = s.now
		if d.episodes == 0 {
			d.first = s.now
		}
		d.episodes++
		s.observe("deadlock", nil, NoNode, "episode begins: "+jobList(rep.Cycle))
	} else {
		s.integrateDeadlock()
	}
	s.joinEpisode(rep.Cycle)
	if s.deadlockTerminal(rep.Cycle) {
		rep.Terminal = true
		if !d.terminal {
			d.terminal = true
			s.observe("deadlock", nil, NoNode, "terminal: "+jobList(rep.Cycle))
		}
		s.Stop("terminal deadlock")
	}
	return rep
}

func jobList(ids []JobID) string {
	b := make([]byte, 0, 8*len(ids))
	b = append(b, "jobs"...)
	for _, id := range ids {
		b = append(b, ' ')
		b = appendInt(b, int64(id))
	}
	return string(b)
}

func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// deadlockTerminal reports whether nothing pending can break the cycle.
func (s *Sim) deadlockTerminal(cycle []JobID) bool {
	for i := range s.q.h {
		if s.q.h[i].kind == evNode {
			return false
		}
	}
	if br, ok := s.sched.(DeadlockBreaker); ok {
		for _, id := range cycle {
			if j := s.dl.cand[id]; j != nil && br.CanRelease(j) {
				return false
			}
		}
	}
	return true
}

// DeadlockActive reports whether a deadlock episode is in progress.
func (s *Sim) DeadlockActive() bool { return s.dl.active }

// partialGang is one vertex of the wait-for graph.
type partialGang struct {
	job     *Job
	held    []*Task
	pending []*Task // largest first
	need    int
	finite  bool // every held task has a finite runtime (its holdings come back)
	sum     Resources
	hsum    Resources
}

// PartialGangs returns the gangs that hold resources but fewer than MinMember
// tasks, sorted by ID. Cost O(tasks of the gangs that ever held).
func (s *Sim) PartialGangs() []*Job {
	var out []*Job
	for _, g := range s.partialGangs() {
		out = append(out, g.job)
	}
	return out
}

func (s *Sim) partialGangs() []*partialGang {
	d := &s.dl
	if len(d.cand) == 0 {
		return nil
	}
	ids := make([]JobID, 0, len(d.cand))
	for id := range d.cand {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []*partialGang
	for _, id := range ids {
		j := d.cand[id]
		g := &partialGang{job: j, finite: true}
		for i := range j.Tasks {
			t := &j.Tasks[i]
			switch t.State {
			case TaskHeld:
				g.held = append(g.held, t)
				g.hsum = g.hsum.Add(t.Request)
				if t.Runtime < 0 || t.Runtime >= Forever {
					g.finite = false
				}
			case TaskPending:
				if t.Node == NoNode {
					g.pending = append(g.pending, t)
				}
			}
		}
		if len(g.held) == 0 {
			if !d.active || !slices.Contains(d.gangs, id) {
				delete(d.cand, id)
			}
			continue
		}
		g.need = int(j.MinMember) - len(g.held) - int(j.running)
		if j.GangReady >= 0 || g.need <= 0 {
			continue
		}
		slices.SortStableFunc(g.pending, func(a, b *Task) int {
			da, db := a.Request[CPU]+a.Request[Memory]+a.Request[GPU]*1000, b.Request[CPU]+b.Request[Memory]+b.Request[GPU]*1000
			if da != db {
				if da > db {
					return -1
				}
				return 1
			}
			return int(a.Index - b.Index)
		})
		for i := 0; i < len(g.pending) && i < g.need; i++ {
			g.sum = g.sum.Add(g.pending[i].Request)
		}
		out = append(out, g)
	}
	return out
}

// evalDeadlock builds the wait-for graph and finds its cycles, without touching
// episodes. Cached while d.hv is unchanged.
func (s *Sim) evalDeadlock() DeadlockReport {
	d := &s.dl
	if d.cacheOK && d.cacheVer == d.hv {
		return d.cache
	}
	var rep DeadlockReport
	gangs := s.partialGangs()
	for _, g := range gangs {
		rep.Partial = append(rep.Partial, g.job.ID)
	}
	if len(gangs) >= 2 {
		rep.Edges, rep.Cycle = s.waitFor(gangs)
	}
	d.cache, d.cacheVer, d.cacheOK = rep, d.hv, true
	return rep
}

// waitFor computes the deadlocked set among gangs and its wait-for edges. It
// works on the state inside a transaction and rolls everything back.
func (s *Sim) waitFor(gangs []*partialGang) ([][2]JobID, []JobID) {
	st := s.State
	outer := st.tx
	w := &waitForCheck{st: st, gangs: gangs}
	mark := 0
	if outer == nil {
		w.tx = st.Begin()
	} else {
		w.tx = outer
		mark = outer.Len()
	}
	defer func() {
		if outer == nil {
			w.tx.Rollback()
		} else {
			outer.RollbackTo(mark)
		}
	}()
	w.releaseRunning()
	blocked := w.holtReduce()
	if len(blocked) < 2 {
		return nil, nil
	}
	members := w.deadlockedSet(blocked)
	if len(members) < 2 {
		return nil, nil
	}
	return waitForEdges(gangs, members)
}

// waitForCheck is the state of one wait-for computation.
type waitForCheck struct {
	st      *State
	tx      *Tx
	gangs   []*partialGang
	freeSum Resources // free capacity of the up nodes, as the stages release
}

// releaseRunning is stage 1, what is available: release what running tasks will
// release, node by node in list order so that the rollback restores each node's
// task order exactly.
func (w *waitForCheck) releaseRunning() {
	st := w.st
	var victims []*Task
	for i := range st.nodes {
		n := &st.nodes[i]
		if !n.up {
			continue
		}
		victims = victims[:0]
		for t := n.head; t != nil; t = t.next {
			if !t.held && t.State == TaskRunning && t.Runtime >= 0 && t.Runtime < Forever {
				victims = append(victims, t)
			}
		}
		for _, t := range victims {
			st.Release(t)
		}
	}
	for i := range st.nodes {
		if st.nodes[i].up {
			w.freeSum = w.freeSum.Add(st.nodes[i].free)
		}
	}
}

// fits reports whether gang g could start now with extra more free capacity
// (released holdings of other gangs, already released in the state).
func (w *waitForCheck) fits(g *partialGang, extra Resources) bool {
	if len(g.pending) < g.need || !g.sum.LessEq(w.freeSum.Add(extra)) {
		return false
	}
	_, status := PlaceGang(w.st, KeyBestFit{}, g.pending, g.need)
	return status.IsOK()
}

func (w *waitForCheck) releaseHeld(g *partialGang) {
	for _, t := range g.held {
		w.st.Release(t)
	}
}

// holtReduce is stage 2, Holt's reduction: a gang that could start is taken to
// start and, if it finishes, to release its holdings, until nothing changes. It
// returns the indexes of the gangs left blocked.
func (w *waitForCheck) holtReduce() []int {
	done := make([]bool, len(w.gangs))
	for changed := true; changed; {
		changed = false
		for i, g := range w.gangs {
			if done[i] || !w.fits(g, Resources{}) {
				continue
			}
			done[i] = true
			changed = true
			if g.finite {
				w.releaseHeld(g)
				w.freeSum = w.freeSum.Add(g.hsum)
			}
		}
	}
	var blocked []int
	for i := range w.gangs {
		if !done[i] {
			blocked = append(blocked, i)
		}
	}
	return blocked
}

// deadlockedSet is stage 3: the largest set D of blocked gangs in which every
// gang could start if the others of D released their holdings (a fixpoint: drop
// the gangs that could not, such as a gang too large for the cluster, and check
// the rest again without them).
func (w *waitForCheck) deadlockedSet(blocked []int) []int {
	in := make([]bool, len(w.gangs))
	for _, b := range blocked {
		in[b] = true
	}
	fitsWithOthers := func(a int) bool {
		ga := w.gangs[a]
		var all Resources
		for _, b := range blocked {
			if b != a && in[b] {
				all = all.Add(w.gangs[b].hsum)
			}
		}
		if len(ga.pending) < ga.need || !ga.sum.LessEq(w.freeSum.Add(all)) {
			return false // cheap aggregate bound first
		}
		m := w.tx.Len()
		for _, b := range blocked {
			if b != a && in[b] {
				w.releaseHeld(w.gangs[b])
			}
		}
		ok := w.fits(ga, all)
		w.tx.RollbackTo(m)
		return ok
	}
	for changed := true; changed; {
		changed = false
		for _, a := range blocked {
			if in[a] && !fitsWithOthers(a) {
				in[a] = false
				changed = true
			}
		}
	}
	var members []int
	for _, a := range blocked {
		if in[a] {
			members = append(members, a)
		}
	}
	return members
}

// waitForEdges returns the wait-for edges among the deadlocked members (each
// waits for every other) and their job IDs, sorted.
func waitForEdges(gangs []*partialGang, members []int) ([][2]JobID, []JobID) {
	var edges [][2]JobID
	var cycle []JobID
	for _, a := range members {
		cycle = append(cycle, gangs[a].job.ID)
		for _, b := range members {
			if a != b {
				edges = append(edges, [2]JobID{gangs[a].job.ID, gangs[b].job.ID})
			}
		}
	}
	slices.Sort(cycle)
	slices.SortFunc(edges, func(x, y [2]JobID) int {
		if x[0] != y[0] {
			return cmpID(x[0], y[0])
		}
		return cmpID(x[1], y[1])
	})
	return edges, cycle
}

func cmpID(a, b JobID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// reportDeadlock fills r.Deadlock at the end of a run.
func (s *Sim) reportDeadlock(r *Result) {
	d := &s.dl
	s.integrateDeadlock()
	r.Deadlock.Terminal = d.terminal
	r.Deadlock.Episodes = d.episodes
	r.Deadlock.Gangs = len(d.involved)
	r.Deadlock.FirstSeconds = -1
	if d.episodes > 0 {
		r.Deadlock.FirstSeconds = d.first.Seconds()
	}
	r.Deadlock.HeldResourceSeconds = d.heldSec
	r.Deadlock.HeldByResource = PerResource{CPU: d.heldRes[CPU], Mem: d.heldRes[Memory], GPU: d.heldRes[GPU], Disk: d.heldRes[Disk]}
}
