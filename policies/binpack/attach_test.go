package binpack

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// mustPanic runs f and fails unless it panics with a message containing want.
func mustPanic(t *testing.T, name, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("%s: no panic", name)
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Fatalf("%s: panic %v, want one mentioning %q", name, r, want)
		}
	}()
	f()
}

// TestPlaceBeforeAttachPanics: a placer that indexes the state or draws random
// numbers refuses to place before it is attached, and a random placer refuses an
// attach without a stream, so an index that misses nodes or an unseeded random
// placer cannot give numbers.
func TestPlaceBeforeAttachPanics(t *testing.T) {
	s := cpuNodes(t, 4000, 4000)
	other := cpuNodes(t, 4000)
	tk := task(1000, 1)
	kube, _ := NewKube(DefaultKubeConfig())
	fgd, _ := NewOnlineFGD(10)
	for name, p := range map[string]scheduler.Placer{
		"firstfit": &FirstFit{}, "nextfit": &NextFit{}, "ffd": &FFD{}, "bestfit": NewBestFit(NormSum, AutoKey),
		"worstfit": NewWorstFit(NormKey, AutoKey), "kube": kube, "nomad": &Nomad{}, "random": &Random{},
		"randomk": &RandomK{}, "gpu-fgd": fgd,
	} {
		mustPanic(t, name+" before attach", "Attach", func() { p.Place(s, tk) })
	}
	for name, p := range map[string]scheduler.Attacher{"random": &Random{}, "randomk": &RandomK{}, "nomad": &Nomad{}} {
		mustPanic(t, name+" attach without stream", "stream", func() { p.Attach(s, nil) })
	}
	gpuRandom, _ := NewGPUPolicy(GPURandom, nil)
	gpuRandom.Attach(s, nil)
	mustPanic(t, "gpu-random without stream", "stream", func() { gpuRandom.Place(s, tk) })
	ff := attached(s, &FirstFit{})
	mustPanic(t, "firstfit on another state", "another state", func() { ff.Place(other, tk) })
	mustPanic(t, "firstfit attached twice", "second state", func() { ff.Attach(other, nil) })
}

// TestIndexesFollowNodesAddedAfterAttach: placers attached to an empty state, as a
// run attaches them before its node events, choose after every added node exactly
// what placers attached afterwards choose (the indexes grow instead of
// rebuilding).
func TestIndexesFollowNodesAddedAfterAttach(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	s, _ := scheduler.NewState(nil)
	early := []scheduler.Placer{&FirstFit{}, &NextFit{}, NewBestFit(NormSum, AutoKey), NewWorstFit(NormSum, AutoKey)}
	kube, _ := NewKube(DefaultKubeConfig())
	early = append(early, kube)
	for _, p := range early {
		scheduler.AttachPlacer(p, s, nil)
	}
	for i := range 300 {
		c := int64(1+r.IntN(8)) * 1000
		if i == 150 {
			c = 64000 // raises the largest capacity: the sum index rebuilds
		}
		if _, err := s.AddNode(scheduler.Node{Capacity: scheduler.Res(c, c, 0)}); err != nil {
			t.Fatal(err)
		}
		kube2, _ := NewKube(DefaultKubeConfig())
		late := []scheduler.Placer{&FirstFit{}, &NextFit{}, NewBestFit(NormSum, AutoKey), NewWorstFit(NormSum, AutoKey), kube2}
		tk := task(int64(1+r.IntN(8))*1000, 1)
		for j, p := range late {
			scheduler.AttachPlacer(p, s, nil)
			if j == 1 {
				continue // next fit's cursor differs by history
			}
			if j == 4 {
				kube.start = 0 // and so does kube's rotating start
			}
			a, _, _ := early[j].Place(s, tk)
			b, _, _ := p.Place(s, tk)
			if a != b {
				t.Fatalf("node %d, placer %T: attached early chose %d, attached late %d", i, p, a, b)
			}
			unlisten(s, p)
		}
	}
}
