package scheduler

import "math/rand/v2"

// Placer chooses where one task goes. Place reads the state and returns a node and,
// optionally, the GPU devices (0 lets the state choose), or a non-OK status when no
// node fits. It must not modify the state. A placer may keep state of its own
// between calls (a rotating start index, a random source); each scheduler gets its
// own placer.
type Placer interface {
	Place(s *State, t *Task) (NodeID, GPUSet, Status)
}

// GangPlacer is implemented by placers that place a whole gang at once (first-fit
// decreasing, backtracking). PlaceGang returns claims for at least need of tasks, or
// a non-OK status; it must leave the state as it found it.
type GangPlacer interface {
	PlaceGang(s *State, tasks []*Task, need int) ([]Claim, Status)
}

// Attacher is implemented by placers that keep state tied to one cluster state (an
// index over the nodes kept current through a NodeListener, a per-node cache) or
// that draw random numbers. The simulator calls Attach once, when the placer is
// installed and before the run's first event, with the state the placer will be
// called with and a random stream of the placer's own (see PlacerUser); that is
// where such a placer builds its index and registers its listeners. Calling Place
// before Attach, or with another state, is a programming error, and the shipped
// placers panic on it: an index that silently misses nodes or a random placer on a
// fixed stream would give wrong numbers, not an error.
type Attacher interface {
	Attach(s *State, r *rand.Rand)
}

// PlacerSlot is one placer a scheduler calls, with the name of the random stream
// the simulator derives for it from the run's seed (Sim.Rand).
type PlacerSlot struct {
	Stream string
	Placer Placer
}

// PlacerUser is implemented by schedulers that place through placers. Placers
// returns every placer the scheduler will call, in a fixed order; the simulator
// attaches each (Attacher) before it attaches the scheduler. A placer listed twice
// is attached once, with the first slot's stream.
type PlacerUser interface {
	Placers() []PlacerSlot
}

// AttachPlacer attaches p to s with the random stream r when p implements
// Attacher, and returns p. It is for code that drives a placer outside a Sim
// (tests, tools, replays like the FGD experiment); inside a run the simulator does
// it.
func AttachPlacer(p Placer, s *State, r *rand.Rand) Placer {
	if a, ok := p.(Attacher); ok {
		a.Attach(s, r)
	}
	return p
}

// PlaceGang places tasks one by one with p, tentatively, inside a transaction that
// it rolls back before returning, and returns the claims if at least need tasks were
// placed (all of tasks are tried, in order). It uses p's GangPlacer if it has one.
// The state is unchanged on return.
func PlaceGang(s *State, p Placer, tasks []*Task, need int) ([]Claim, Status) {
	if gp, ok := p.(GangPlacer); ok {
		return gp.PlaceGang(s, tasks, need)
	}
	outer := s.tx
	var tx *Tx
	mark := 0
	if outer == nil {
		tx = s.Begin()
	} else {
		mark = outer.Len()
	}
	claims := make([]Claim, 0, len(tasks))
	first := StatusOK
	for _, t := range tasks {
		id, gpus, st := p.Place(s, t)
		if st.IsOK() {
			seq := s.Seq(id)
			st = s.Place(t, id, gpus, false)
			if st.IsOK() {
				claims = append(claims, Claim{Task: t, Node: id, GPUs: t.GPUs, Seq: seq})
				continue
			}
		}
		if first.IsOK() {
			first = st
		}
		if len(tasks)-len(claims) > len(tasks)-need {
			break // too many failures to reach need
		}
	}
	if tx != nil {
		tx.Rollback()
	} else {
		outer.RollbackTo(mark)
	}
	if len(claims) < need {
		if first.IsOK() {
			first = statusNoFeasibleNode
		}
		return nil, first
	}
	return claims, StatusOK
}

// ScanFirstFit places a task on the lowest-numbered node that fits, by a linear
// scan: cost O(n) per decision in the worst case. It is the reference; binpack's
// FirstFit chooses the same nodes through a segment tree.
type ScanFirstFit struct{}

// Place implements Placer.
func (ScanFirstFit) Place(s *State, t *Task) (NodeID, GPUSet, Status) {
	st := statusNoFeasibleNode
	for i := range s.nodes {
		if !t.Request.LessEq(s.nodes[i].free) {
			continue
		}
		if st2 := s.Fits(t, NodeID(i)); st2.IsOK() {
			return NodeID(i), 0, StatusOK
		}
	}
	return NoNode, 0, st
}

// KeyBestFit places a task on the feasible node with the least free capacity of the
// task's key resource (GPU for tasks that request GPUs, otherwise CPU, unless Key
// is set), ties to the lowest node ID. It walks the state's ordered index from the
// request upward and stops at the first node that fits, so a decision costs
// O(log n) plus the nodes skipped because another dimension does not fit.
type KeyBestFit struct {
	// Key is the resource to fit tightly; 0 (CPU) or a negative value means
	// automatic (GPU for GPU tasks, else CPU).
	Key Resource
	// Fixed makes Key apply to every task; the zero KeyBestFit is automatic.
	Fixed bool
}

// Place implements Placer.
func (b KeyBestFit) Place(s *State, t *Task) (NodeID, GPUSet, Status) {
	key := b.Key
	if !b.Fixed {
		key = CPU
		if t.Request[GPU] > 0 {
			key = GPU
		}
	}
	found := NoNode
	s.AscendFree(key, t.Request[key], func(id NodeID, _ int64) bool {
		n := &s.nodes[id]
		if !t.Request.LessEq(n.free) {
			return true
		}
		if s.Fits(t, id).IsOK() {
			found = id
			return false
		}
		return true
	})
	if found == NoNode {
		return NoNode, 0, statusNoFeasibleNode
	}
	return found, 0, StatusOK
}
