package scheduler

import (
	"math/rand/v2"
	"testing"
)

// recPlacer records the attach calls it gets and the first number of its stream.
type recPlacer struct {
	KeyBestFit
	calls int
	state *State
	draw  uint64
}

func (p *recPlacer) Attach(s *State, r *rand.Rand) {
	p.calls++
	p.state = s
	p.draw = r.Uint64()
}

// twoPlacers is a monolithic scheduler that also lists a second placer (and the
// first one twice).
type twoPlacers struct {
	*Monolithic
	extra *recPlacer
}

func (t twoPlacers) Placers() []PlacerSlot {
	return append(t.Monolithic.Placers(), PlacerSlot{"extra", t.extra}, PlacerSlot{"again", t.Monolithic.Placer()})
}

// TestSimAttachesPlacersOnceWithTheirStreams: the simulator attaches every placer
// a scheduler lists before the first event, once each even when listed twice,
// with the run's state and the stream named by its slot.
func TestSimAttachesPlacersOnceWithTheirStreams(t *testing.T) {
	p, q := &recPlacer{}, &recPlacer{}
	m, err := NewMonolithic(MonolithicConfig{Placer: p})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Seed = 7
	cfg.Nodes = []Node{{Capacity: Res(4000, 4096, 0)}}
	job := &Job{ID: 1, Tasks: []Task{{Request: Res(1000, 1024, 0), Runtime: Second}}}
	sim, err := NewSim(cfg, &SliceSource{Jobs: []*Job{job}}, twoPlacers{m, q})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	if p.calls != 1 || q.calls != 1 {
		t.Fatalf("attach calls %d and %d, want 1 each", p.calls, q.calls)
	}
	if p.state != sim.State || q.state != sim.State {
		t.Fatal("a placer was attached to another state than the run's")
	}
	if want := NewRand(7, "placer").Uint64(); p.draw != want {
		t.Fatalf("placer stream drew %d, want the run's \"placer\" stream (%d)", p.draw, want)
	}
	if want := NewRand(7, "extra").Uint64(); q.draw != want {
		t.Fatalf("extra stream drew %d, want %d", q.draw, want)
	}
	for sim.Step() {
	}
	if res, _ := sim.Result(); res.JobsCompleted != 1 {
		t.Fatalf("%d jobs completed, want 1", res.JobsCompleted)
	}
}

// TestAttachPlacer: outside a run, AttachPlacer calls the hook of a placer that
// has one and leaves others alone.
func TestAttachPlacer(t *testing.T) {
	s, _ := NewState([]Node{{Capacity: Res(1000, 1000, 0)}})
	p := &recPlacer{}
	if AttachPlacer(p, s, NewRand(1, "x")) != Placer(p) || p.calls != 1 || p.state != s {
		t.Fatalf("AttachPlacer: %d calls, state %p", p.calls, p.state)
	}
	AttachPlacer(ScanFirstFit{}, s, nil) // no hook: nothing to do, no panic
}
