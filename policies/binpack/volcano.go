package binpack

import "github.com/schedlab/schedlab/scheduler"

// VolcanoBinPackScore is Volcano's bin-pack score (REFERENCES.md §5.7), in floating
// point: over the resources the task requests (request_r ≠ 0) that have a weight,
// score_r = (request_r + used_r)·w_r / allocatable_r, and the node score is
// (Σ_r score_r / Σ_r w_r) × 100 × pluginWeight. It returns 0 when no resource
// counts, and ok = false when some counted resource would exceed allocatable (the
// node is rejected). Resources with allocatable 0 count as exceeded.
func VolcanoBinPackScore(req, used, alloc scheduler.Resources, weights []ResourceWeight, pluginWeight float64) (score float64, ok bool) {
	var sum, wsum float64
	for _, rw := range weights {
		r := rw.Resource
		if req[r] == 0 {
			continue
		}
		if alloc[r] <= 0 || req[r]+used[r] > alloc[r] {
			return 0, false
		}
		w := float64(rw.Weight)
		sum += float64(req[r]+used[r]) * w / float64(alloc[r])
		wsum += w
	}
	if wsum == 0 {
		return 0, true
	}
	return sum / wsum * MaxNodeScore * pluginWeight, true
}

// Volcano places a task on the feasible node with the highest Volcano bin-pack
// score; ties go to the lowest node ID. Weights nil means cpu and memory at 1.
// Cost O(n) per decision.
type Volcano struct {
	Weights []ResourceWeight
}

var _ scheduler.Placer = (*Volcano)(nil)

// Place implements scheduler.Placer.
func (v *Volcano) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	w := v.Weights
	if w == nil {
		w = []ResourceWeight{{scheduler.CPU, 1}, {scheduler.Memory, 1}}
	}
	best, bestScore := scheduler.NoNode, 0.0
	for i := range s.NumNodes() {
		id := scheduler.NodeID(i)
		if !t.Request.LessEq(s.Free(id)) || !s.Fits(t, id).IsOK() {
			continue
		}
		cp := s.Node(id).Capacity
		sc, ok := VolcanoBinPackScore(t.Request, cp.Sub(s.Free(id)), cp, w, 1)
		if ok && (best == scheduler.NoNode || sc > bestScore) {
			best, bestScore = id, sc
		}
	}
	if best == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	return best, s.ChooseGPUs(t, best), scheduler.StatusOK
}
