package binpack

import (
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// NomadBinPackScore is Nomad's bin-pack score ("BestFit v3", REFERENCES.md §5.3):
// clamp(20 − (10^f_cpu + 10^f_mem), 0, 18), where f is the node's free fraction of
// the resource after the placement. With spread it is clamp((10^f_cpu + 10^f_mem) − 2,
// 0, 18). A resource the node does not have (capacity 0) counts as fully used
// (f = 0).
func NomadBinPackScore(free, capacity, req scheduler.Resources, spread bool) float64 {
	frac := func(r scheduler.Resource) float64 {
		if capacity[r] <= 0 {
			return 0
		}
		return float64(free[r]-req[r]) / float64(capacity[r])
	}
	total := math.Pow(10, frac(scheduler.CPU)) + math.Pow(10, frac(scheduler.Memory))
	s := 20 - total
	if spread {
		s = total - 2
	}
	return min(max(s, 0), 18)
}

// Nomad is a Nomad-style placer: it walks the nodes in a shuffled order from a
// random offset, keeps the first Limit feasible nodes (the candidate limit), and
// takes the one with the highest bin-pack (or spread) score; ties go to the
// candidate met first. Limit 0 follows Nomad: 2 for batch jobs (the power of two
// choices) and max(2, ⌈log₂ N⌉) for service jobs.
//
// Nomad shuffles the nodes per evaluation; this model shuffles them once per state
// (O(n)) and starts every decision at a fresh random offset, so a decision costs
// O(Limit + infeasible nodes skipped). It draws from the stream Attach gives it
// (scheduler.Attacher); Place before Attach panics.
type Nomad struct {
	Limit  int
	Spread bool
	rng    *rand.Rand
	s      *scheduler.State
	order  []scheduler.NodeID
}

var (
	_ scheduler.Placer   = (*Nomad)(nil)
	_ scheduler.Attacher = (*Nomad)(nil)
)

// Attach implements scheduler.Attacher: the placer serves s and draws from r,
// which must not be nil.
func (p *Nomad) Attach(s *scheduler.State, r *rand.Rand) {
	if p.s == s && p.rng != nil {
		return
	}
	mustBeUnbound(p.s, s)
	p.s, p.rng = s, mustStream(r, "Nomad")
}

// NomadLimit returns the candidate limit for a job of class c in a cluster of n nodes.
func NomadLimit(c scheduler.Class, n int) int {
	if c == scheduler.Service && n > 1 {
		return max(2, bits.Len(uint(n-1))) // ⌈log₂ n⌉
	}
	return 2
}

// Place implements scheduler.Placer.
func (p *Nomad) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	mustBeBound(p.s, s)
	n := s.NumNodes()
	if n == 0 {
		return scheduler.NoNode, 0, StatusNoNodes
	}
	if len(p.order) != n {
		p.order = make([]scheduler.NodeID, n)
		for i := range p.order {
			p.order[i] = scheduler.NodeID(i)
		}
		p.rng.Shuffle(n, func(i, j int) { p.order[i], p.order[j] = p.order[j], p.order[i] })
	}
	limit := p.Limit
	if limit <= 0 {
		c := scheduler.Batch
		if t.Job != nil {
			c = t.Job.Class
		}
		limit = NomadLimit(c, n)
	}
	off := p.rng.IntN(n)
	best, bestScore, found := scheduler.NoNode, 0.0, 0
	for i := 0; i < n && found < limit; i++ {
		j := off + i
		if j >= n {
			j -= n
		}
		id := p.order[j]
		if !t.Request.LessEq(s.Free(id)) || !s.Fits(t, id).IsOK() {
			continue
		}
		found++
		sc := NomadBinPackScore(s.Free(id), s.Node(id).Capacity, t.Request, p.Spread)
		if best == scheduler.NoNode || sc > bestScore {
			best, bestScore = id, sc
		}
	}
	if best == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	return best, s.ChooseGPUs(t, best), scheduler.StatusOK
}
