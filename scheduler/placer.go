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

// Seeder is implemented by placers and schedulers that draw random numbers; the
// owner calls Seed with a generator derived from the run's seed before first use.
type Seeder interface {
	Seed(r *rand.Rand)
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

// FirstFit places a task on the lowest-numbered node that fits. Cost O(n) per
// decision in the worst case (the binpack package has an indexed one).
type FirstFit struct{}

// Place implements Placer.
func (FirstFit) Place(s *State, t *Task) (NodeID, GPUSet, Status) {
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

// BestFit places a task on the feasible node with the least free capacity of the
// task's key resource (GPU for tasks that request GPUs, otherwise CPU, unless Key
// is set), ties to the lowest node ID. It walks the state's ordered index from the
// request upward and stops at the first node that fits, so a decision costs
// O(log n) plus the nodes skipped because another dimension does not fit.
type BestFit struct {
	// Key is the resource to fit tightly; 0 (CPU) or a negative value means
	// automatic (GPU for GPU tasks, else CPU).
	Key Resource
	// Auto is set by NewBestFit; the zero BestFit is automatic too.
	Fixed bool
}

// Place implements Placer.
func (b BestFit) Place(s *State, t *Task) (NodeID, GPUSet, Status) {
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
