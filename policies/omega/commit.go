package omega

import (
	"fmt"

	"github.com/schedlab/schedlab/scheduler"
)

// agent is one of the Omega schedulers: a FIFO queue of jobs, a placer, and the
// counters behind its busyness and conflict fraction.
type agent struct {
	o      *Omega
	name   string
	class  scheduler.Class
	placer scheduler.Placer

	queue      []*jobEntry
	head       int
	busy       bool
	kickQueued bool

	stats agentStats
	claim []scheduler.Claim // reusable plan buffer of the monolithic path
}

// agentStats are one scheduler's counters.
type agentStats struct {
	useful, wasted scheduler.Time // busy time of successful / failed attempts
	attempts       int            // attempts started (prefill excluded)
	noFit          int            // attempts whose plan had no claim: no transaction
	transactions   int            // commits of a plan with at least one claim
	conflicted     int            // of which had at least one conflicting claim
	claims         int            // claims committed or tried
	claimConflicts int            // claims that conflicted (all claims of a failed all-or-nothing commit)
	abandoned      int            // jobs given up
}

// push appends e to the queue and makes sure the agent will look at it.
func (a *agent) push(e *jobEntry) {
	e.where = whereQueued
	a.queue = append(a.queue, e)
	a.kick()
}

func (a *agent) pop() *jobEntry {
	if a.head == len(a.queue) {
		return nil
	}
	e := a.queue[a.head]
	a.queue[a.head] = nil
	a.head++
	if a.head == len(a.queue) {
		a.queue, a.head = a.queue[:0], 0
	} else if a.head >= 1024 && a.head*2 >= len(a.queue) {
		n := copy(a.queue, a.queue[a.head:])
		clear(a.queue[n:])
		a.queue, a.head = a.queue[:n], 0
	}
	return e
}

// kick schedules a look at the queue at the current time, unless one is already
// scheduled or the agent is busy (it looks when it finishes).
func (a *agent) kick() {
	if a.busy || a.kickQueued {
		return
	}
	a.kickQueued = true
	a.o.sim.At(a.o.sim.Now(), a.next)
}

// next starts the next attempt, if the agent is idle and has work.
func (a *agent) next() {
	a.kickQueued = false
	o := a.o
	sim := o.sim
	for !a.busy {
		e := a.pop()
		if e == nil {
			return
		}
		e.where = whereNone
		e.prune()
		// Tasks that fit no machine even when empty can never be placed: fail them
		// now rather than retrying until the attempt limit.
		for _, t := range e.tasks {
			if !sim.State.CanEverFit(t) {
				sim.Fail(t, "larger than every machine")
			}
		}
		e.prune()
		if len(e.tasks) == 0 {
			o.done(e)
			continue
		}
		if e.prefill {
			a.prefill(e)
			continue
		}
		a.start(e)
	}
}

// start begins an attempt on e: it plans against the state as it is now (Omega)
// and commits after the decision time.
func (a *agent) start(e *jobEntry) {
	o := a.o
	sim := o.sim
	now := sim.Now()
	e.where = whereDeciding
	e.attempts++
	a.stats.attempts++
	for _, t := range e.tasks {
		t.Attempts++
	}
	if e.firstAttempt < 0 {
		e.firstAttempt = now
		if !e.resubmit {
			o.waits[e.job.Class&1].attempt = append(o.waits[e.job.Class&1].attempt, (now - e.job.Submit).Seconds())
		}
	}
	d := o.decision(a, e.job).For(len(e.tasks))
	a.busy = true
	var plan *scheduler.Plan
	var seen []uint64 // release counts of the claims' nodes at plan time (seqReleases)
	if !o.cfg.Monolithic {
		plan = a.plan(e)
		if o.seqReleases() {
			seen = make([]uint64, len(plan.Claims))
			for i, c := range plan.Claims {
				seen[i] = o.freedOn(c.Node)
			}
		}
		o.observe("attempt", e.tasks[0], scheduler.NoNode,
			fmt.Sprintf("%s plans %d of %d tasks against the state at %.3fs, commits after %v", a.name, len(plan.Claims), len(e.tasks), now.Seconds(), d))
	}
	sim.After(d, func() { a.finish(e, plan, seen, d) })
}

// plan places e's tasks tentatively on the current state, inside a transaction
// that it rolls back at once, and returns the claims with each node's sequence
// number as seen (which includes the bumps of the plan's own earlier claims). A
// gang whose transaction is all-or-nothing gets either claims for at least its
// missing members, or none.
func (a *agent) plan(e *jobEntry) *scheduler.Plan {
	s := a.o.sim.State
	if r, ok := a.placer.(interface{ Reset() }); ok {
		r.Reset()
	}
	j := e.job
	need := 0
	if j.IsGang() && j.GangReady < 0 && a.o.cfg.Transaction == AllOrNothing {
		need = int(j.MinMember) - j.Running()
	}
	p := &scheduler.Plan{}
	if need > 0 {
		if _, ok := a.placer.(scheduler.GangPlacer); ok {
			claims, st := scheduler.PlaceGang(s, a.placer, e.tasks, min(need, len(e.tasks)))
			if st.IsOK() && len(claims) >= need {
				p.Claims = claims
			}
			return p
		}
	}
	tx := s.Begin()
	for _, t := range e.tasks {
		id, gpus, st := a.placer.Place(s, t)
		if !st.IsOK() {
			continue
		}
		seq := s.Seq(id)
		if s.Place(t, id, gpus, false).IsOK() {
			p.Claims = append(p.Claims, scheduler.Claim{Task: t, Node: id, GPUs: t.GPUs, Seq: seq})
		}
	}
	tx.Rollback()
	if len(p.Claims) < need {
		p.Claims = nil
	}
	return p
}

// finish ends an attempt: it commits the plan (the monolithic path plans now, on
// the live state), accounts the busy time, and retries, completes or abandons the
// job.
func (a *agent) finish(e *jobEntry, plan *scheduler.Plan, seen []uint64, d scheduler.Time) {
	o := a.o
	sim := o.sim
	a.busy = false
	e.where = whereNone
	if o.cfg.Monolithic {
		e.prune()
		plan = a.plan(e)
	} else {
		if seen != nil {
			o.markFreed(plan, seen)
		}
		// Drop claims whose task is no longer pending (defensive: a job belongs to
		// one scheduler, so nothing else places its tasks).
		k := 0
		for _, c := range plan.Claims {
			if c.Task.State == scheduler.TaskPending && c.Task.Node == scheduler.NoNode {
				plan.Claims[k] = c
				k++
			}
		}
		plan.Claims = plan.Claims[:k]
	}
	committed := 0
	if len(plan.Claims) == 0 {
		a.stats.noFit++
		a.stats.wasted += d
		o.observe("no-fit", firstTask(e), scheduler.NoNode, a.name+" found no machine")
	} else {
		aon := o.cfg.Transaction == AllOrNothing
		if o.beforeCommit != nil {
			o.beforeCommit(a, plan)
		}
		res := sim.CommitPlan(plan, o.cfg.Detection, aon)
		if o.afterCommit != nil {
			o.afterCommit(a, plan, res)
		}
		committed = res.Committed
		a.stats.transactions++
		a.stats.claims += len(plan.Claims)
		a.stats.claimConflicts += len(res.Conflicts)
		if len(res.Conflicts) > 0 {
			a.stats.conflicted++
			a.stats.wasted += d
			for _, i := range res.Conflicts {
				c := plan.Claims[i]
				why := fmt.Sprintf("seq seen %d now %d", c.Seq, sim.State.Seq(c.Node))
				if c.Seq == seqFreed {
					why = "capacity freed on the machine since the plan"
				}
				if aon {
					o.observe("rollback", c.Task, c.Node, fmt.Sprintf("%s, %s: transaction undone, first conflict: %s", a.name, why, res.First.Reason))
				} else {
					o.observe("conflict", c.Task, c.Node, fmt.Sprintf("%s, %s: %s", a.name, why, res.First.Reason))
				}
			}
		} else {
			a.stats.useful += d
		}
	}
	e.prune()
	if committed > 0 && !e.placedAny {
		e.placedAny = true
		if !e.resubmit {
			w := &o.waits[e.job.Class&1]
			w.first = append(w.first, (sim.Now() - e.job.Submit).Seconds())
		}
	}
	switch {
	case len(e.tasks) == 0:
		if !e.resubmit {
			w := &o.waits[e.job.Class&1]
			w.full = append(w.full, (sim.Now() - e.job.Submit).Seconds())
		}
		o.done(e)
	case e.attempts > o.cfg.MaxAttemptsNothingPlaced && !e.placedAny || e.attempts > o.cfg.MaxAttempts:
		a.abandon(e)
	default:
		a.retry(e)
	}
	a.next()
}

func (a *agent) retry(e *jobEntry) {
	e.where = whereRetry
	a.o.observe("retry", e.tasks[0], scheduler.NoNode, fmt.Sprintf("%s retries %d tasks after %v (attempt %d)", a.name, len(e.tasks), a.o.cfg.RetryDelay, e.attempts))
	a.o.sim.After(a.o.cfg.RetryDelay, func() {
		e.prune()
		if e.where != whereRetry {
			return
		}
		a.push(e)
	})
}

func (a *agent) abandon(e *jobEntry) {
	a.stats.abandoned++
	a.o.waits[e.job.Class&1].abandoned++
	a.o.done(e)
	a.o.sim.Abandon(e.job, fmt.Sprintf("%s gave up after %d attempts", a.name, e.attempts))
}

// prefill places a prefill job at once on the live state, outside the decision
// time and the metrics. Tasks that do not fit fail.
func (a *agent) prefill(e *jobEntry) {
	sim := a.o.sim
	s := sim.State
	if r, ok := a.placer.(interface{ Reset() }); ok {
		r.Reset()
	}
	plan := &scheduler.Plan{Claims: a.claim[:0]}
	for _, t := range e.tasks {
		if id, gpus, st := a.placer.Place(s, t); st.IsOK() {
			plan.Claims = append(plan.Claims, scheduler.Claim{Task: t, Node: id, GPUs: gpus, Seq: s.Seq(id)})
			// Claims are applied one by one so that the placer sees each.
			sim.CommitPlan(plan, scheduler.DetectFit, false)
			plan.Claims = plan.Claims[:0]
		}
	}
	a.claim = plan.Claims
	e.prune()
	for _, t := range e.tasks {
		sim.Fail(t, "prefill: the cell is full")
	}
	a.o.done(e)
}

// done forgets a job entry: every task it held is placed or terminal.
func (o *Omega) done(e *jobEntry) {
	e.where = whereNone
	if o.jobs[e.job.ID] == e {
		delete(o.jobs, e.job.ID)
	}
}

func firstTask(e *jobEntry) *scheduler.Task {
	if len(e.tasks) > 0 {
		return e.tasks[0]
	}
	return nil
}
