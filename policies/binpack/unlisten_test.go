package binpack

import (
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// unlisten unregisters the listeners a placer registered on s when it was
// attached, for benchmarks and tests that try many placers on one long-lived
// state (a run never needs this: its placers live as long as its state).
func unlisten(s *scheduler.State, p scheduler.Placer) {
	switch p := p.(type) {
	case *FirstFit:
		s.RemoveListener(&p.tree)
	case *NextFit:
		s.RemoveListener(&p.tree)
	case *FFD:
		s.RemoveListener(&p.FirstFit.tree)
	case *Fit:
		s.RemoveListener(&p.sum)
	case *Kube:
		s.RemoveListener(p)
		s.RemoveListener(&p.tree)
	case *GPUPolicy:
		s.RemoveListener(p)
	}
}

// attached attaches p to s with a fixed test stream and returns it.
func attached[P scheduler.Placer](s *scheduler.State, p P) P {
	scheduler.AttachPlacer(p, s, rand.New(rand.NewPCG(1, 2)))
	return p
}
