package omega

import (
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// RandomFirstFit is the randomised first fit of the Omega paper's lightweight
// simulator, used by all its architectures: pick a random machine among the
// remaining candidates; if the task fits, place it there and leave the machine in
// the pool (it may take more tasks of the job); otherwise drop the machine from the
// pool and draw again.
//
// The pool lives across the calls of one attempt: it is reset when the job or the
// task's request changes, or when the state changed other than by placing the node
// the previous call returned (State.Version tells). Dropping a machine is therefore
// sound: within an attempt free capacity only shrinks. The pool is a permutation of
// the node IDs with the dropped ones at its tail, so a reset costs O(1) unless nodes
// were added; a decision costs O(1) expected while most machines have room, and
// O(nodes) to find that none has.
//
// It draws from the stream Attach gives it (scheduler.Attacher); Place before
// Attach panics.
type RandomFirstFit struct {
	rng    *rand.Rand
	pool   []scheduler.NodeID
	live   int // pool[:live] are candidates
	job    *scheduler.Job
	req    scheduler.Resources
	state  *scheduler.State
	expect uint64 // State.Version after the caller places the returned node
	last   uint64 // State.Version at the end of the previous call
}

var (
	_ scheduler.Placer   = (*RandomFirstFit)(nil)
	_ scheduler.Attacher = (*RandomFirstFit)(nil)
)

// NewRandomFirstFit returns a RandomFirstFit, to be attached (the simulator does it
// for the placers of a scheduler).
func NewRandomFirstFit() *RandomFirstFit { return &RandomFirstFit{} }

// Attach implements scheduler.Attacher: the placer draws from r, which must not be
// nil.
func (p *RandomFirstFit) Attach(_ *scheduler.State, r *rand.Rand) {
	if r == nil {
		panic("omega: RandomFirstFit.Attach without a random stream")
	}
	p.rng = r
}

// Reset empties the pool's exclusions so that the next call considers every node:
// call it at the start of each scheduling attempt when the automatic reset (see the
// type documentation) might not notice the state changed.
func (p *RandomFirstFit) Reset() { p.job = nil }

// Place implements scheduler.Placer.
func (p *RandomFirstFit) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	if p.rng == nil {
		panic("omega: RandomFirstFit.Place before Attach (a random placer needs its stream)")
	}
	v := s.Version()
	if s != p.state || t.Job == nil || t.Job != p.job || t.Request != p.req || (v != p.last && v != p.expect) || len(p.pool) != s.NumNodes() {
		p.reset(s, t)
	}
	for p.live > 0 {
		i := p.rng.IntN(p.live)
		id := p.pool[i]
		if t.Request.LessEq(s.Free(id)) && s.Fits(t, id).IsOK() {
			p.last = v
			p.expect = v + 1
			return id, 0, scheduler.StatusOK
		}
		p.live--
		p.pool[i], p.pool[p.live] = p.pool[p.live], p.pool[i]
	}
	p.last, p.expect = v, v
	return scheduler.NoNode, 0, scheduler.Status{Code: scheduler.Unschedulable, Reason: "no machine in the random pool fits"}
}

func (p *RandomFirstFit) reset(s *scheduler.State, t *scheduler.Task) {
	p.state, p.job, p.req = s, t.Job, t.Request
	for n := len(p.pool); n < s.NumNodes(); n++ {
		p.pool = append(p.pool, scheduler.NodeID(n))
	}
	p.live = len(p.pool)
}
