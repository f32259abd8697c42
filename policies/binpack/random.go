package binpack

import (
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// rejectTries is how many uniformly drawn nodes Random tries before it falls back
// to listing every feasible node.
const rejectTries = 32

// Random places a task on a node drawn uniformly from the feasible nodes. It first
// draws up to 32 node IDs uniformly and takes the first that fits (rejection
// sampling, O(1) expected when many nodes fit); if none did, it lists the feasible
// nodes (O(n)) and draws one. Either way the choice is uniform over the feasible
// nodes.
//
// It draws from the stream Attach gives it (scheduler.Attacher); Place before
// Attach panics.
type Random struct {
	rng *rand.Rand
	buf []scheduler.NodeID
}

var (
	_ scheduler.Placer   = (*Random)(nil)
	_ scheduler.Attacher = (*Random)(nil)
)

// Attach implements scheduler.Attacher: the placer draws from r, which must not be
// nil.
func (p *Random) Attach(_ *scheduler.State, r *rand.Rand) { p.rng = mustStream(r, "Random") }

func (p *Random) rand() *rand.Rand {
	if p.rng == nil {
		panic("binpack: Random.Place before Attach (a random placer needs its stream)")
	}
	return p.rng
}

// Place implements scheduler.Placer.
func (p *Random) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	id := p.pick(s, t)
	if id == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	return id, s.ChooseGPUs(t, id), scheduler.StatusOK
}

func (p *Random) pick(s *scheduler.State, t *scheduler.Task) scheduler.NodeID {
	n := s.NumNodes()
	if n == 0 {
		return scheduler.NoNode
	}
	r := p.rand()
	for range rejectTries {
		id := scheduler.NodeID(r.IntN(n))
		if s.Fits(t, id).IsOK() {
			return id
		}
	}
	p.buf = p.buf[:0]
	for i := range n {
		if s.Fits(t, scheduler.NodeID(i)).IsOK() {
			p.buf = append(p.buf, scheduler.NodeID(i))
		}
	}
	if len(p.buf) == 0 {
		return scheduler.NoNode
	}
	return p.buf[r.IntN(len(p.buf))]
}

// RandomK is the power of K choices (Sparrow's batch sampling, Nomad's candidate
// limit of 2 for batch jobs): it probes K nodes drawn uniformly (with replacement)
// and, among the probed nodes that fit, takes the one with the most free capacity
// of the key resource (Prefer "most": spread, as Sparrow's least-loaded probe) or
// the least ("least": pack); ties go to the lowest node ID. If no probe fits, it
// falls back to one uniformly random feasible node (as Random). Cost O(K) expected.
type RandomK struct {
	K      int                // probes per decision; < 1 means 2; ≥ the node count probes every node once
	Key    scheduler.Resource // AutoKey: GPU for GPU tasks, else CPU
	Least  bool               // prefer the least free (pack) instead of the most (spread)
	random Random
}

var (
	_ scheduler.Placer   = (*RandomK)(nil)
	_ scheduler.Attacher = (*RandomK)(nil)
)

// Attach implements scheduler.Attacher: the placer draws from r, which must not be
// nil.
func (p *RandomK) Attach(s *scheduler.State, r *rand.Rand) { p.random.Attach(s, r) }

// Place implements scheduler.Placer.
func (p *RandomK) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	n := s.NumNodes()
	if n == 0 {
		return scheduler.NoNode, 0, StatusNoFit
	}
	k := p.K
	if k < 1 {
		k = 2
	}
	key := KeyOf(p.Key, t)
	r := p.random.rand()
	best := scheduler.NoNode
	var bestFree int64
	// As many probes as nodes or more: probe each node once, the limit of many
	// probes with replacement, so a decision never costs more than a scan.
	all := k >= n
	if all {
		k = n
	}
	for i := range k {
		id := scheduler.NodeID(i)
		if !all {
			id = scheduler.NodeID(r.IntN(n))
		}
		if !s.Fits(t, id).IsOK() {
			continue
		}
		f := s.Free(id)[key]
		better := best == scheduler.NoNode ||
			(!p.Least && (f > bestFree || f == bestFree && id < best)) ||
			(p.Least && (f < bestFree || f == bestFree && id < best))
		if better {
			best, bestFree = id, f
		}
	}
	if best == scheduler.NoNode {
		best = p.random.pick(s, t)
	}
	if best == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	return best, s.ChooseGPUs(t, best), scheduler.StatusOK
}

// Tetris places a task on the feasible node with the largest alignment score, the
// dot product of the task's request and the node's free capacity, both normalised
// by the node's capacity: Σ_r (req_r/cap_r)·(free_r/cap_r) over the node's
// resources with cap_r > 0 (Grandl et al., SIGCOMM 2014; REFERENCES.md §5.1). Nodes
// on which the task does not fit are excluded. Ties go to the lowest node ID. Tetris's
// job-level terms (shortest remaining work, fairness knob) are not part of a
// placer. Cost O(n) per decision.
type Tetris struct{}

var _ scheduler.Placer = Tetris{}

// Alignment returns Tetris's alignment score of task t on node id.
func Alignment(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID) float64 {
	cp, free := s.Node(id).Capacity, s.Free(id)
	a := 0.0
	for r := range cp {
		if cp[r] > 0 && t.Request[r] != 0 {
			c := float64(cp[r])
			a += float64(t.Request[r]) / c * (float64(free[r]) / c)
		}
	}
	return a
}

// Place implements scheduler.Placer.
func (Tetris) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	best, bestA := scheduler.NoNode, 0.0
	for i := range s.NumNodes() {
		id := scheduler.NodeID(i)
		if !t.Request.LessEq(s.Free(id)) || !s.Fits(t, id).IsOK() {
			continue
		}
		if a := Alignment(s, t, id); best == scheduler.NoNode || a > bestA {
			best, bestA = id, a
		}
	}
	if best == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	return best, s.ChooseGPUs(t, best), scheduler.StatusOK
}

// mustStream returns r, or panics when a random placer is attached without a
// stream: an unseeded random placer would silently repeat one fixed sequence.
func mustStream(r *rand.Rand, who string) *rand.Rand {
	if r == nil {
		panic("binpack: " + who + ".Attach without a random stream")
	}
	return r
}
