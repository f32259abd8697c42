package scheduler

import "slices"

// preempt tries to make room for task t by evicting lower-priority tasks from one
// node, as Kubernetes' DefaultPreemption and Borg do. On each node where evicting
// every lower-priority task would make t fit, it picks victims lowest priority first
// (most recently started first among equals), then reprieves (gives back) victims,
// highest priority first, while t still fits. Among candidate nodes it chooses the
// one whose highest victim priority is lowest, then the smallest sum of victim
// priorities, then the fewest victims, then the lowest ID. The victims are evicted
// (and resubmitted) and t is started. Cost O(nodes × tasks per node).
func (m *Monolithic) preempt(t *Task) bool {
	s := m.sim
	st := s.State
	type cand struct {
		node      NodeID
		victims   []*Task
		top, sumP int64
	}
	var best *cand
	var lower []*Task
	for i := range st.nodes {
		id := NodeID(i)
		n := &st.nodes[i]
		if !n.up {
			continue
		}
		lower = lower[:0]
		free := n.free
		for o := n.head; o != nil; o = o.next {
			if o.Priority < t.Priority {
				lower = append(lower, o)
				free = free.Add(o.Request)
			}
		}
		if len(lower) == 0 || !t.Request.LessEq(free) {
			continue
		}
		// Check the full fit (GPU devices, labels) with all lower tasks removed.
		tx := st.Begin()
		for _, o := range lower {
			st.Release(o)
		}
		ok := st.Fits(t, id).IsOK()
		if ok {
			// Reprieve: add back the highest-priority victims while t still fits.
			slices.SortFunc(lower, func(a, b *Task) int {
				if a.Priority != b.Priority {
					return int(b.Priority - a.Priority)
				}
				if a.Started != b.Started {
					if a.Started < b.Started {
						return -1
					}
					return 1
				}
				return int(a.ID - b.ID)
			})
			var victims []*Task
			for _, o := range lower {
				// Re-place o where it was, with its devices, and keep it if t still fits.
				mark := tx.Len()
				if st.Place(o, id, tx.log[indexOfRelease(tx.log, o)].gpus, false).IsOK() && st.Fits(t, id).IsOK() {
					continue
				}
				tx.RollbackTo(mark)
				victims = append(victims, o)
			}
			c := &cand{node: id, victims: victims}
			for _, v := range victims {
				c.top = max(c.top, int64(v.Priority))
				c.sumP += int64(v.Priority)
			}
			if len(victims) > 0 {
				c.top = int64(victims[0].Priority)
				for _, v := range victims {
					c.top = max(c.top, int64(v.Priority))
				}
			}
			if best == nil || c.top < best.top || c.top == best.top && (c.sumP < best.sumP ||
				c.sumP == best.sumP && len(c.victims) < len(best.victims)) {
				best = c
			}
		}
		tx.Rollback()
	}
	if best == nil {
		return false
	}
	for _, v := range best.victims {
		s.Evict(v, "preempted by "+t.String())
	}
	return s.Start(t, best.node, 0).IsOK()
}

func indexOfRelease(log []undo, t *Task) int {
	for i := len(log) - 1; i >= 0; i-- {
		if log[i].t == t && !log[i].placed && !log[i].activated {
			return i
		}
	}
	return 0
}
