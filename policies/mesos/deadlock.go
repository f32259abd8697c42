package mesos

import (
	"slices"

	"github.com/schedlab/schedlab/scheduler"
)

// detector finds hoarding deadlocks with DESIGN.md's wait-for graph. It is called
// whenever an offer round or an offer answer makes no progress, and after holdings
// change while an episode is open.
//
// A gang is partial when it holds members but fewer than MinMember run or are
// held. Partial gang A waits on partial gang B when A's remaining members cannot be
// packed (first-fit decreasing, per node) into "capacity minus what partial gangs
// hold" — free capacity plus what running tasks will release — but could be if B
// released its holdings; when no single B suffices but all together would, A
// waits on all of them. A deadlock is a cycle (a strongly connected component of
// two or more gangs). GPU devices and placement constraints are approximated by
// the per-node resource vector.
//
// The core's detector (scheduler/deadlock.go) was not available when this was
// written; evaluate is the one place to swap in.
type detector struct {
	m         *Mesos
	off       bool
	inEpisode bool
	members   []*jobEntry
	episodes  int
	first     scheduler.Time
	gangs     map[scheduler.JobID]bool
	terminal  bool
	heldRS    float64
	heldBy    [scheduler.NumResources]float64
	checks    int
}

func (d *detector) init(m *Mesos) {
	d.m, d.first, d.gangs = m, -1, map[scheduler.JobID]bool{}
	d.off = m.cfg.NoDeadlockCheck
}

// check runs after a pass that made no progress.
func (d *detector) check() {
	if d.off {
		return
	}
	d.evaluate()
}

// progress runs after a pass that placed something: an open episode may be over.
func (d *detector) progress() {
	if d.inEpisode {
		d.evaluate()
	}
}

// update runs after a release of holdings.
func (d *detector) update() {
	if d.inEpisode {
		d.evaluate()
	}
}

// integrate adds dt seconds of the open episode's holdings.
func (d *detector) integrate(dt float64) {
	if !d.inEpisode || dt <= 0 {
		return
	}
	c := d.m.sim.State.Capacity()
	for _, e := range d.members {
		var h scheduler.Resources
		for _, t := range e.held {
			h = h.Add(t.Request)
		}
		dom := 0.0
		for r := range h {
			d.heldBy[r] += float64(h[r]) * dt
			if c[r] > 0 {
				dom = max(dom, float64(h[r])/float64(c[r]))
			}
		}
		d.heldRS += dom * dt
	}
}

// partials returns the partial gangs, in framework then arrival order.
func (d *detector) partials() []*jobEntry {
	var out []*jobEntry
	for _, f := range d.m.fws {
		for _, e := range f.live {
			if e.gangOpen() && len(e.held) > 0 {
				out = append(out, e)
			}
		}
	}
	return out
}

// evaluate builds the wait-for graph and opens, updates or closes an episode.
func (d *detector) evaluate() {
	d.checks++
	m := d.m
	gangs := d.partials()
	cyc := waitForCycle(m.sim.State, gangs)
	if len(cyc) == 0 {
		d.inEpisode = false
		d.members = nil
		return
	}
	if !d.inEpisode {
		d.inEpisode = true
		d.episodes++
		if d.first < 0 {
			d.first = m.sim.Now()
		}
	}
	d.members = cyc
	for _, e := range cyc {
		d.gangs[e.job.ID] = true
	}
	if !d.breakable(cyc) {
		d.terminal = true
		m.sim.Stop("terminal deadlock")
	}
}

// breakable reports whether something pending can still break the cycle: a hold
// timeout armed on one of its gangs, or an attempt limit that can still fire
// because tasks run (and will free capacity to offer) or capacity is free.
func (d *detector) breakable(cyc []*jobEntry) bool {
	st := d.m.sim.State
	churn := !st.Allocated().Sub(st.Held()).IsZero() || d.m.allocatable(st.Capacity().Sub(st.Allocated()))
	for _, e := range cyc {
		f := e.fw
		if f.cfg.HoldTimeout < scheduler.Forever && e.holdTimer != nil {
			return true
		}
		if churn && f.cfg.MaxAttempts >= 0 {
			return true
		}
	}
	return false
}

// waitForCycle returns the gangs that lie on a cycle of the wait-for graph of the
// partial gangs, in the order given.
func waitForCycle(st *scheduler.State, gangs []*jobEntry) []*jobEntry {
	if len(gangs) < 2 {
		return nil
	}
	n := st.NumNodes()
	holds := make([][]scheduler.Resources, len(gangs))
	base := make([]scheduler.Resources, n)
	for i := 0; i < n; i++ {
		if st.Up(scheduler.NodeID(i)) {
			base[i] = st.Node(scheduler.NodeID(i)).Capacity
		}
	}
	needs := make([][]*scheduler.Task, len(gangs))
	for g, e := range gangs {
		holds[g] = make([]scheduler.Resources, n)
		for _, t := range e.held {
			if t.Node != scheduler.NoNode {
				holds[g][t.Node] = holds[g][t.Node].Add(t.Request)
				base[t.Node] = base[t.Node].Sub(t.Request)
			}
		}
		need := int(e.job.MinMember) - len(e.held) - e.job.Running()
		var ts []*scheduler.Task
		for _, t := range e.pending {
			if t.State == scheduler.TaskPending && len(ts) < need {
				ts = append(ts, t)
			}
		}
		if len(ts) < need {
			ts = nil // cannot complete at all: waits on nobody
		}
		needs[g] = ts
	}
	adj := make([][]int, len(gangs))
	avail := make([]scheduler.Resources, n)
	for a := range gangs {
		if needs[a] == nil || packs(needs[a], base) {
			continue
		}
		for b := range gangs {
			if b == a {
				continue
			}
			for i := range avail {
				avail[i] = base[i].Add(holds[b][i])
			}
			if packs(needs[a], avail) {
				adj[a] = append(adj[a], b)
			}
		}
		if len(adj[a]) > 0 {
			continue
		}
		copy(avail, base)
		for b := range gangs {
			if b != a {
				for i := range avail {
					avail[i] = avail[i].Add(holds[b][i])
				}
			}
		}
		if packs(needs[a], avail) {
			for b := range gangs {
				if b != a {
					adj[a] = append(adj[a], b)
				}
			}
		}
	}
	in := sccMembers(adj)
	var out []*jobEntry
	for g := range gangs {
		if in[g] {
			out = append(out, gangs[g])
		}
	}
	return out
}

// packs reports whether tasks fit into the per-node vectors avail, first-fit
// decreasing by the dominant request (ties by task ID). avail is not modified.
func packs(tasks []*scheduler.Task, avail []scheduler.Resources) bool {
	ts := slices.Clone(tasks)
	slices.SortFunc(ts, func(a, b *scheduler.Task) int {
		for r := range a.Request {
			if a.Request[r] != b.Request[r] {
				if a.Request[r] > b.Request[r] {
					return -1
				}
				return 1
			}
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	free := slices.Clone(avail)
	for _, t := range ts {
		ok := false
		for i := range free {
			if t.Request.LessEq(free[i]) {
				free[i] = free[i].Sub(t.Request)
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// sccMembers marks the vertices that belong to a strongly connected component of
// two or more vertices (Tarjan's algorithm).
func sccMembers(adj [][]int) []bool {
	n := len(adj)
	index := make([]int, n)
	low := make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	in := make([]bool, n)
	var stack []int
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, w := range adj[v] {
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 {
				for _, w := range comp {
					in[w] = true
				}
			}
		}
	}
	for v := range adj {
		if index[v] < 0 {
			visit(v)
		}
	}
	return in
}
