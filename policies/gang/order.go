package gang

import (
	"slices"

	"github.com/schedlab/schedlab/scheduler"
)

// memberOrder is the order in which a one-by-one placement mode offers pending
// members (Config.Order). offer tries each offered member with Scheduler.attempt
// and reports whether pending work was left unplaced; skip, when not nil, names
// groups whose members are not offered this pass (only Fair order consults it).
type memberOrder interface {
	offer(s *Scheduler, skip func(*group) bool) (unplaced bool)
}

// newMemberOrder returns the member order o.
func newMemberOrder(o Order) memberOrder {
	if o == Fair {
		return fairOrder{}
	}
	return &listOrder{interleave: o == Interleave}
}

// item is one member in a listOrder.
type item struct {
	g *group
	m *member
}

// listOrder offers every member in one fixed list: Group order (a gang's members
// back to back), or with interleave members of equal priority by task index
// first (round-robin over the gangs). The list is rebuilt when the queue changed
// (Scheduler.dirty).
type listOrder struct {
	interleave bool
	items      []item
}

func (o *listOrder) offer(s *Scheduler, _ func(*group) bool) (unplaced bool) {
	if s.dirty || o.items == nil {
		o.rebuild(s)
		s.dirty = false
	}
	for _, it := range o.items {
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

func (o *listOrder) rebuild(s *Scheduler) {
	o.items = o.items[:0]
	for _, g := range s.groupOrder() {
		for _, m := range g.members {
			o.items = append(o.items, item{g, m})
		}
	}
	if o.interleave {
		slices.SortStableFunc(o.items, func(a, b item) int {
			if a.g.job.Priority != b.g.job.Priority {
				return int(b.g.job.Priority - a.g.job.Priority)
			}
			return int(a.m.t.Index - b.m.t.Index) // stable: group order within an index
		})
	}
}

// fairOrder offers one member at a time of the group with the smallest dominant
// share (held + running), then in Group order; a group whose member failed is not
// offered again in the same pass.
type fairOrder struct{}

func (fairOrder) offer(s *Scheduler, skip func(*group) bool) (unplaced bool) {
	capa := s.sim.State.Capacity()
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
	for {
		best, bm := fairNext(s, gs, capa, skip)
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

// fairNext returns the group with the smallest dominant share that has an
// eligible pending member to offer, and that member; nil when none has.
func fairNext(s *Scheduler, gs []*group, capa scheduler.Resources, skip func(*group) bool) (*group, *member) {
	var best *group
	var bm *member
	bs := 0.0
	for _, g := range gs {
		if g.blocked || !g.admitted {
			continue
		}
		var m *member
		for _, c := range g.members {
			if c.t.State == scheduler.TaskPending && s.eligible(&c.retry) && (skip == nil || !skip(g)) {
				m = c
				break
			}
		}
		if m == nil {
			continue
		}
		if sh := dominantShare(g.usage, capa); best == nil || sh < bs {
			best, bm, bs = g, m, sh
		}
	}
	return best, bm
}

// dominantShare returns the largest fraction of capacity that usage takes on any
// resource.
func dominantShare(usage, capa scheduler.Resources) float64 {
	d := 0.0
	for r := range capa {
		if capa[r] > 0 {
			d = max(d, float64(usage[r])/float64(capa[r]))
		}
	}
	return d
}
