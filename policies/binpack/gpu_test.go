package binpack

import (
	"math/rand/v2"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func gpuTask(cpu int64, k, g int32) *scheduler.Task {
	return &scheduler.Task{Request: scheduler.Res(cpu, 1024, int64(k)*int64(g)), GPUCount: k, GPUMilli: g, Node: scheduler.NoNode}
}

func gpuState(t *testing.T, nodes ...scheduler.Node) *scheduler.State {
	t.Helper()
	s, err := scheduler.NewState(nodes)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var g8 = scheduler.Node{Capacity: scheduler.Res(96000, 393216, 8000), GPUs: 8, GPUModel: "G2"}

func score(t *testing.T, p *GPUPolicy, s *scheduler.State, tk *scheduler.Task, id scheduler.NodeID) int64 {
	t.Helper()
	sc, _ := p.Score(s, tk, id)
	return sc
}

func TestDotProductScore(t *testing.T) {
	s := gpuState(t, g8)
	p, _ := NewGPUPolicy(GPUDotProduct, nil)
	p.Attach(s, nil)
	// 1 − [(12000/128000)(96000/128000) + (1000/8000)(8000/8000)]/2 = 0.90234375 → 90.
	if got := score(t, p, s, gpuTask(12000, 1, 1000), 0); got != 90 {
		t.Fatalf("got %d, want 90", got)
	}
	// CPU-only pod: 1 − (64000/128000 · 96000/128000)/2 = 0.8125 → 81.
	if got := score(t, p, s, gpuTask(64000, 0, 0), 0); got != 81 {
		t.Fatalf("cpu-only: got %d, want 81", got)
	}
}

func TestGpuClusteringScore(t *testing.T) {
	s := gpuState(t, g8, g8)
	p, _ := NewGPUPolicy(GPUClustering, nil)
	p.Attach(s, nil)
	share := gpuTask(1000, 1, 300)
	if got := score(t, p, s, share, 0); got != 25 {
		t.Fatalf("empty node: got %d, want 0+25", got)
	}
	if st := s.Place(gpuTask(1000, 1, 500), 0, 0, false); !st.IsOK() {
		t.Fatal(st)
	}
	// G = 7500: base ⌊25·500/8000⌋ = 1; only share tags → +75.
	if got := score(t, p, s, share, 0); got != 76 {
		t.Fatalf("same tag only: got %d, want 76", got)
	}
	if got := score(t, p, s, gpuTask(1000, 1, 1000), 0); got != 1 {
		t.Fatalf("other tag only: got %d, want 1", got)
	}
	if st := s.Place(gpuTask(1000, 2, 1000), 0, 0, false); !st.IsOK() {
		t.Fatal(st)
	}
	// G = 5500: base ⌊25·2500/8000⌋ = 7; share among others → +50.
	if got := score(t, p, s, share, 0); got != 57 {
		t.Fatalf("mixed tags: got %d, want 57", got)
	}
	if got := score(t, p, s, gpuTask(1000, 0, 0), 0); got != 0 {
		t.Fatalf("cpu-only: got %d, want 0", got)
	}
}

func TestGpuPackingScore(t *testing.T) {
	two := scheduler.Node{Capacity: scheduler.Res(16000, 65536, 2000), GPUs: 2, GPUModel: "P100"}
	s := gpuState(t, g8, two)
	p, _ := NewGPUPolicy(GPUPacking, nil)
	p.Attach(s, nil)
	share := gpuTask(1000, 1, 300)
	if got := score(t, p, s, share, 0); got != 25 {
		t.Fatalf("idle 8-GPU node: got %d, want max(33−8, 8) = 25", got)
	}
	if got := score(t, p, s, share, 1); got != 31 {
		t.Fatalf("idle 2-GPU node: got %d, want 31", got)
	}
	if st := s.Place(gpuTask(1000, 1, 500), 0, 1, false); !st.IsOK() { // device 0 at 500 free
		t.Fatal(st)
	}
	if got := score(t, p, s, share, 0); got != 95 {
		t.Fatalf("share on a 500-free device: got %d, want 100 − ⌊50/10⌋ = 95", got)
	}
	if got := score(t, p, s, gpuTask(1000, 1, 1000), 0); got != 49 {
		t.Fatalf("whole GPU on a partly used node: got %d, want max(50−1, 33) = 49", got)
	}
	if got := score(t, p, s, gpuTask(1000, 2, 1000), 0); got != 48 {
		t.Fatalf("two GPUs: got %d, want 48", got)
	}
	if got := score(t, p, s, gpuTask(1000, 0, 0), 0); got != 0 {
		t.Fatalf("cpu-only: got %d, want 0", got)
	}
}

func TestBestFitNormalisation(t *testing.T) {
	sc := []int64{80, 90, 85, 80}
	NormalizeMinMax(sc)
	want := []int64{0, 100, 50, 0}
	for i := range sc {
		if sc[i] != want[i] {
			t.Fatalf("normalised %v, want %v", sc, want)
		}
	}
	eq := []int64{7, 7}
	NormalizeMinMax(eq)
	if eq[0] != 0 || eq[1] != 0 {
		t.Fatalf("equal scores normalise to %v, want 0s", eq)
	}
	s := gpuState(t, g8)
	p, _ := NewGPUPolicy(GPUBestFit, nil)
	p.Attach(s, nil)
	// raw = 0.5·(96000−32000)/128000 + 0.5·(8000−4000)/8000 = 0.5 → 50.
	if got := score(t, p, s, gpuTask(32000, 4, 1000), 0); got != 50 {
		t.Fatalf("raw best fit: got %d, want 50", got)
	}
}

func TestFGDScoreAndDeviceChoice(t *testing.T) {
	if FGDScore(10, 10, 3) != 50 {
		t.Fatal("Δ = 0 must score 50")
	}
	if got := FGDScore(0, 1000*7, 7); got != 26 {
		t.Fatalf("a one-GPU frag increase: got %d, want 26", got)
	}
	// Typical pods: a 500-milli share pod and a whole-GPU pod, equally likely.
	tp := NewTypicalPods([]PodShape{{CPU: 1000, GPUMilli: 500, GPUCount: 1}, {CPU: 1000, GPUMilli: 1000, GPUCount: 1}}, 95)
	if len(tp.Pods) != 2 || tp.Total != 2 {
		t.Fatalf("typical pods %+v", tp)
	}
	two := scheduler.Node{Capacity: scheduler.Res(16000, 65536, 2000), GPUs: 2, GPUModel: "P100"}
	s := gpuState(t, two, two)
	f := NewFrag(tp)
	tr := NewFragTracker(f, s)
	if tr.FragMilli() != 0 {
		t.Fatalf("empty nodes fragment %v", tr.FragMilli())
	}
	p, _ := NewGPUPolicy(GPUFGD, f)
	p.Attach(s, nil)
	p.Rank = []int32{1, 0} // node 1 wins ties
	share := gpuTask(1000, 1, 500)
	// On an idle node, a share pod leaves [500, 1000]: the whole-GPU shape now sees
	// 500 milli it cannot use: F′ = ½·500 = 250, Δ = −250 → ⌊100σ(−0.25)⌋ = 43.
	id, gpus, st := p.Place(s, share)
	if !st.IsOK() || id != 1 || gpus != 1 {
		t.Fatalf("first share pod: node %d gpus %b %v; want node 1 (rank 0), device 0", id, gpus, st)
	}
	if sc := score(t, p, s, share, 1); sc != 43 {
		t.Fatalf("score on idle node %d, want 43", sc)
	}
	if st := s.Place(share, id, gpus, false); !st.IsOK() {
		t.Fatal(st)
	}
	if got := tr.FragMilli(); got != 250 {
		t.Fatalf("cluster frag %v, want 250", got)
	}
	// A second share pod: on node 1 device 0 ([0, 1000], F′ = 0, Δ = +250 → 56)
	// beats device 1 ([500, 500], whole shape cannot fit: F′ = 500 → 43) and node 0
	// (43).
	share2 := gpuTask(1000, 1, 500)
	sc, g := p.Score(s, share2, 1)
	if sc != 56 || g != 1 {
		t.Fatalf("node 1: score %d device %b; want 56 on device 0", sc, g)
	}
	if id, gpus, _ := p.Place(s, share2); id != 1 || gpus != 1 {
		t.Fatalf("second share pod: node %d gpus %b; want node 1 device 0", id, gpus)
	}
}

func TestTypicalPodsOrderAndThreshold(t *testing.T) {
	var shapes []PodShape
	add := func(sh PodShape, n int) {
		for range n {
			shapes = append(shapes, sh)
		}
	}
	a := PodShape{CPU: 1000, GPUMilli: 1000, GPUCount: 1}
	b := PodShape{CPU: 2000, GPUMilli: 500, GPUCount: 1}
	c := PodShape{CPU: 4000}
	d := PodShape{CPU: 100, GPUMilli: 1000, GPUCount: 8}
	add(a, 50)
	add(b, 20)
	add(c, 20)
	add(d, 10)
	tp := NewTypicalPods(shapes, 85)
	// a (50), then c before b (equal counts, higher CPU first): 90 ≥ 85 stops.
	if len(tp.Pods) != 3 || tp.Pods[0].PodShape != a || tp.Pods[1].PodShape != c || tp.Pods[2].PodShape != b || tp.Total != 90 {
		t.Fatalf("typical pods %+v", tp.Pods)
	}
}

// TestFragClasses checks frag(n, m) against the class table of FGD.md §5.6.2.
func TestFragClasses(t *testing.T) {
	one := func(sh PodShape) *Frag { return NewFrag(&TypicalPods{Pods: []TypicalPod{{sh, 1}}, Total: 1, N: 1}) }
	free := []int32{300, 1000, 0, 700}
	cases := []struct {
		name  string
		sh    PodShape
		model string
		cpu   int64
		want  int64
	}{
		{"cpu-only shape: all idle", PodShape{CPU: 1000}, "G2", 8000, 2000},
		{"cpu-only shape lacking cpu: all idle", PodShape{CPU: 9000}, "G2", 8000, 2000},
		{"no access: all idle", PodShape{CPU: 1000, GPUMilli: 500, GPUCount: 1, Spec: "T4|A10"}, "G2", 8000, 2000},
		{"q3: devices below g", PodShape{CPU: 1000, GPUMilli: 500, GPUCount: 1, Spec: "G2"}, "G2", 8000, 300},
		{"lack gpu: all idle", PodShape{CPU: 1000, GPUMilli: 1000, GPUCount: 2}, "G2", 8000, 2000},
		{"lack cpu: all idle", PodShape{CPU: 9000, GPUMilli: 500, GPUCount: 1}, "G2", 8000, 2000},
	}
	for _, c := range cases {
		f := one(c.sh)
		if got := f.FragScaled(f.Model(c.model), c.cpu, free); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestFragClassesFloat checks the class booking of Classes (the FGD simulator's
// NodeGpuShareFragAmount) shape by shape, and that FragFloat and FragScaled agree
// up to float rounding on random nodes under a mixed distribution.
func TestFragClassesFloat(t *testing.T) {
	one := func(sh PodShape) *Frag { return NewFrag(&TypicalPods{Pods: []TypicalPod{{sh, 1}}, Total: 1, N: 1}) }
	free := []int32{300, 1000, 0, 700}
	for _, c := range []struct {
		name string
		sh   PodShape
		cpu  int64
		want map[int]float64
	}{
		{"cpu-only, cpu fits", PodShape{CPU: 1000}, 8000, map[int]float64{FragXLSatisfied: 2000}},
		{"cpu-only, cpu lacks", PodShape{CPU: 9000}, 8000, map[int]float64{FragXRLackCPU: 2000}},
		{"no access", PodShape{CPU: 1000, GPUMilli: 500, GPUCount: 1, Spec: "T4|A10"}, 8000, map[int]float64{FragNoAccess: 2000}},
		{"satisfied", PodShape{CPU: 1000, GPUMilli: 500, GPUCount: 1, Spec: "G2"}, 8000, map[int]float64{FragQ2LackGPU: 300, FragQ3Satisfied: 1700}},
		{"gpu lacks", PodShape{CPU: 1000, GPUMilli: 1000, GPUCount: 2}, 8000, map[int]float64{FragQ2LackGPU: 2000}},
		{"cpu lacks", PodShape{CPU: 9000, GPUMilli: 500, GPUCount: 1}, 8000, map[int]float64{FragQ4LackCPU: 2000}},
		{"both lack", PodShape{CPU: 9000, GPUMilli: 1000, GPUCount: 2}, 8000, map[int]float64{FragQ1LackBoth: 2000}},
	} {
		f := one(c.sh)
		got := f.Classes(f.Model("G2"), c.cpu, free)
		for k := range NumFragClasses {
			if got[k] != c.want[k] {
				t.Errorf("%s: %s = %v, want %v", c.name, FragClassNames[k], got[k], c.want[k])
			}
		}
		if want := 2000 - c.want[FragQ3Satisfied]; FragSum(&got) != want || f.FragFloat(f.Model("G2"), c.cpu, free) != want {
			t.Errorf("%s: fragment %v / %v, want %v", c.name, FragSum(&got), f.FragFloat(f.Model("G2"), c.cpu, free), want)
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	var shapes []PodShape
	for range 500 {
		sh := PodShape{CPU: int64(1+r.IntN(16)) * 1000}
		switch r.IntN(4) {
		case 0:
			sh.GPUMilli, sh.GPUCount = int32(100*(1+r.IntN(9))), 1
		case 1:
			sh.GPUMilli, sh.GPUCount = 1000, int32(1<<r.IntN(4))
		case 2:
			sh.GPUMilli, sh.GPUCount, sh.Spec = 1000, 1, "G2|T4"
		}
		shapes = append(shapes, sh)
	}
	tp := NewTypicalPods(shapes, 95)
	f := NewFrag(tp)
	for range 2000 {
		free := make([]int32, 1<<r.IntN(4))
		var idle float64
		for i := range free {
			free[i] = int32(100 * r.IntN(11))
			idle += float64(free[i])
		}
		model := f.Model([]string{"G2", "T4", "A10"}[r.IntN(3)])
		cpu := int64(r.IntN(64)) * 1000
		exact := float64(f.FragScaled(model, cpu, free)) / float64(tp.Total)
		c := f.Classes(model, cpu, free)
		var sum float64
		for _, v := range c {
			sum += v
		}
		if d := f.FragFloat(model, cpu, free) - exact; d > 1e-9*max(idle, 1) || d < -1e-9*max(idle, 1) {
			t.Fatalf("free %v cpu %d: FragFloat %v, exact %v", free, cpu, f.FragFloat(model, cpu, free), exact)
		}
		if d := sum - idle; d > 1e-9*max(idle, 1) || d < -1e-9*max(idle, 1) {
			t.Fatalf("free %v cpu %d: classes sum to %v, idle %v", free, cpu, sum, idle)
		}
	}
}

// TestFGDCacheMatchesFreshScores: the per-(node, shape) score cache never serves a
// stale score: at every step, through placements, releases and an added node, the
// long-lived policy chooses what a fresh policy (empty cache) chooses.
func TestFGDCacheMatchesFreshScores(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	nodes := make([]scheduler.Node, 40)
	for i := range nodes {
		nodes[i] = scheduler.Node{Capacity: scheduler.Res(int64(8+r.IntN(4)*8)*1000, 65536, 0), GPUs: 1 << r.IntN(4), GPUModel: "G2"}
	}
	s := gpuState(t, nodes...)
	var shapes []PodShape
	mk := func() *scheduler.Task {
		switch r.IntN(3) {
		case 0:
			return gpuTask(int64(1+r.IntN(8))*1000, 1, int32(100*(1+r.IntN(9))))
		case 1:
			return gpuTask(int64(1+r.IntN(8))*1000, int32(1<<r.IntN(3)), 1000)
		}
		return gpuTask(int64(1+r.IntN(8))*1000, 0, 0)
	}
	for range 200 {
		shapes = append(shapes, ShapeOf(mk()))
	}
	f := NewFrag(NewTypicalPods(shapes, 95))
	long, _ := NewGPUPolicy(GPUFGD, f)
	long.Attach(s, nil)
	var placed []*scheduler.Task
	for step := range 300 {
		if step == 150 {
			s.AddNode(scheduler.Node{Capacity: scheduler.Res(64000, 65536, 0), GPUs: 8, GPUModel: "G2"})
		}
		tk := mk()
		fresh, _ := NewGPUPolicy(GPUFGD, f)
		fresh.Attach(s, nil)
		id1, g1, st1 := long.Place(s, tk)
		id2, g2, _ := fresh.Place(s, tk)
		unlisten(s, fresh)
		if id1 != id2 || g1 != g2 {
			t.Fatalf("step %d: cached policy chose %d/%b, fresh %d/%b", step, id1, g1, id2, g2)
		}
		if st1.IsOK() && s.Place(tk, id1, g1, false).IsOK() {
			placed = append(placed, tk)
		}
		if len(placed) > 0 && r.IntN(3) == 0 {
			i := r.IntN(len(placed))
			s.Release(placed[i])
			placed = append(placed[:i], placed[i+1:]...)
		}
	}
}
