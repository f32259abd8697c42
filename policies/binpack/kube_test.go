package binpack

import (
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

var cpuMem = []ResourceWeight{{scheduler.CPU, 1}, {scheduler.Memory, 1}}

// The worked example of REFERENCES.md §1.4: node cpu 4000 m, mem 8192 MiB; after the
// pod, requested cpu 1500 m, mem 4096 MiB; before it cpu 1000 m, mem 2048 MiB.
func TestKubeScoresWorkedExample(t *testing.T) {
	cp := scheduler.Res(4000, 8192, 0)
	after := scheduler.Res(1500, 4096, 0)
	before := scheduler.Res(1000, 2048, 0)
	cases := []struct {
		name string
		got  int64
		want int64
	}{
		{"LeastAllocated ⌊(62+50)/2⌋", LeastAllocatedScore(after, cp, cpuMem), 56},
		{"MostAllocated ⌊(37+50)/2⌋", MostAllocatedScore(after, cp, cpuMem), 43},
		{"RTCR {(0,0),(100,10)} round(43.5)", RequestedToCapacityRatioScore(after, cp, cpuMem, []ShapePoint{{0, 0}, {100, 10}}), 44},
		{"RTCR {(0,0),(50,2),(100,10)} round(17)", RequestedToCapacityRatioScore(after, cp, cpuMem, []ShapePoint{{0, 0}, {50, 2}, {100, 10}}), 17},
		{"Balanced current 50+(50+93−100)/2", BalancedAllocationScore(before, after, cp, []scheduler.Resource{scheduler.CPU, scheduler.Memory}, false), 71},
		{"Balanced legacy ⌊(1−0.0625)×100⌋", BalancedAllocationScore(before, after, cp, []scheduler.Resource{scheduler.CPU, scheduler.Memory}, true), 93},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestKubeScoreEdgeCases(t *testing.T) {
	cases := []struct {
		name string
		got  int64
		want int64
	}{
		// Zero capacity: the resource leaves both sums (mem only counts).
		{"least, cpu cap 0", LeastAllocatedScore(scheduler.Res(100, 1024, 0), scheduler.Res(0, 4096, 0), cpuMem), 75},
		{"most, cpu cap 0", MostAllocatedScore(scheduler.Res(100, 1024, 0), scheduler.Res(0, 4096, 0), cpuMem), 25},
		{"least, all caps 0", LeastAllocatedScore(scheduler.Res(100, 100, 0), scheduler.Resources{}, cpuMem), 0},
		// Request above capacity: least scores that resource 0, most clamps to 100.
		{"least, cpu over capacity", LeastAllocatedScore(scheduler.Res(5000, 2048, 0), scheduler.Res(4000, 8192, 0), cpuMem), 37},
		{"most, cpu over capacity", MostAllocatedScore(scheduler.Res(5000, 2048, 0), scheduler.Res(4000, 8192, 0), cpuMem), 62},
		{"rtcr, cpu over capacity scores f(100)", RequestedToCapacityRatioScore(scheduler.Res(5000, 2048, 0), scheduler.Res(4000, 8192, 0), cpuMem, []ShapePoint{{0, 0}, {100, 10}}), 63},
		// RTCR drops zero-scoring resources from the average: mem at 0 % → f = 0.
		{"rtcr, zero score dropped", RequestedToCapacityRatioScore(scheduler.Res(2000, 0, 0), scheduler.Res(4000, 8192, 0), cpuMem, []ShapePoint{{0, 0}, {100, 10}}), 50},
		// Weights: cpu 3, mem 1: ⌊(3·62 + 50)/4⌋ = 59.
		{"least weighted", LeastAllocatedScore(scheduler.Res(1500, 4096, 0), scheduler.Res(4000, 8192, 0), []ResourceWeight{{scheduler.CPU, 3}, {scheduler.Memory, 1}}), 59},
		// Shape below the first point and above the last.
		{"shape below first point", ShapeScore([]ShapePoint{{20, 3}, {80, 9}}, 10), 30},
		{"shape above last point", ShapeScore([]ShapePoint{{20, 3}, {80, 9}}, 90), 90},
		{"shape interpolation ⌊30+60·25/60⌋", ShapeScore([]ShapePoint{{20, 3}, {80, 9}}, 45), 55},
		// Balanced with one resource: std 0, balance 100; unchanged → 75.
		{"balanced one resource", BalancedAllocationScore(scheduler.Res(0, 1000, 0), scheduler.Res(0, 2000, 0), scheduler.Res(0, 8192, 0), []scheduler.Resource{scheduler.CPU, scheduler.Memory}, false), 75},
		// Fractions above 1 are capped: cpu 2.0 → 1, mem 0.5: std .25, balance 75;
		// before both 0 → 100: 50 + (50+75−100)/2 = 62.
		{"balanced capped fraction", BalancedAllocationScore(scheduler.Resources{}, scheduler.Res(8000, 4096, 0), scheduler.Res(4000, 8192, 0), []scheduler.Resource{scheduler.CPU, scheduler.Memory}, false), 62},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestNumFeasibleNodesToFind(t *testing.T) {
	// The table of REFERENCES.md §1.7.
	for _, c := range []struct{ n, pct, want int }{
		{50, 0, 50}, {80, 30, 80}, {100, 0, 100}, {200, 0, 100}, {500, 0, 230}, {500, 10, 100},
		{1000, 0, 420}, {2000, 0, 680}, {5000, 0, 500}, {5625, 0, 281}, {10000, 0, 500}, {15000, 0, 750},
		{10000, 100, 10000}, {10000, 30, 3000},
	} {
		if got := NumFeasibleNodesToFind(c.n, c.pct); got != c.want {
			t.Errorf("N=%d pct=%d: got %d, want %d", c.n, c.pct, got, c.want)
		}
	}
}

func task(cpu, mem int64) *scheduler.Task {
	return &scheduler.Task{Request: scheduler.Res(cpu, mem, 0), Node: scheduler.NoNode}
}

// TestKubeBestEffortDefaults: a pod with no requests is charged 100 m / 200 MiB by
// NodeResourcesFit, and BalancedAllocation skips it.
func TestKubeBestEffortDefaults(t *testing.T) {
	s, _ := scheduler.NewState([]scheduler.Node{{Capacity: scheduler.Res(1000, 1000, 0)}})
	k, err := NewKube(DefaultKubeConfig())
	if err != nil {
		t.Fatal(err)
	}
	be := task(0, 0)
	// Least: cpu ⌊(1000−100)·100/1000⌋ = 90, mem ⌊800·100/1000⌋ = 80 → 85; no balanced.
	if got := attached(s, k).Score(s, be, 0); got != 85 {
		t.Fatalf("best-effort pod on an empty node: %d, want 85", got)
	}
	// A best-effort pod already on the node is charged too: cpu 800/1000 → 80,
	// mem 600 → 60 → 70.
	if st := s.Place(task(0, 0), 0, 0, false); !st.IsOK() {
		t.Fatal(st)
	}
	if got := attached(s, k).Score(s, be, 0); got != 70 {
		t.Fatalf("second best-effort pod: %d, want 70", got)
	}
	// A pod with requests gets both plugins: cpu (1000−100−500)·100/1000 = 40,
	// mem (1000−200−500)/1000 = 30 → fit 35; balanced: before 0,0 → 100, after
	// .5,.5 → 100 → 75. Total 110.
	if got := attached(s, k).Score(s, task(500, 500), 0); got != 110 {
		t.Fatalf("pod with requests: %d, want 110", got)
	}
}

// TestKubeRotatingStart: with 200 identical nodes and the adaptive percentage
// (49 % → 100 nodes to find), successive decisions scan [0,100), [100,200), [0,100).
func TestKubeRotatingStart(t *testing.T) {
	nodes := make([]scheduler.Node, 200)
	for i := range nodes {
		nodes[i] = scheduler.Node{Capacity: scheduler.Res(4000, 4096, 0)}
	}
	s, _ := scheduler.NewState(nodes)
	cfg := DefaultKubeConfig()
	cfg.Strategy = MostAllocated
	cfg.BalancedWeight = 0
	k, _ := NewKube(cfg)
	var got []scheduler.NodeID
	for range 3 {
		id, _, st := attached(s, k).Place(s, task(1000, 1024))
		if !st.IsOK() {
			t.Fatal(st)
		}
		got = append(got, id)
	}
	// All nodes score the same on the first scan → lowest ID 0; the second scan
	// sees 100..199 → 100; the third sees 0..99 again, where node 0 is fuller.
	if got[0] != 0 || got[1] != 100 || got[2] != 0 {
		t.Fatalf("chose %v, want [0 100 0]", got)
	}
}

func TestKubeConfigValidate(t *testing.T) {
	bad := []KubeConfig{
		{Shape: []ShapePoint{{50, 1}, {40, 2}}},
		{Shape: []ShapePoint{{0, 11}}},
		{Resources: []ResourceWeight{{scheduler.CPU, 101}}},
		{Percentage: -1},
	}
	for i, c := range bad {
		if _, err := NewKube(c); err == nil {
			t.Errorf("config %d: no error", i)
		}
	}
}

func TestNomadScores(t *testing.T) {
	cp := scheduler.Res(1000, 1000, 0)
	for _, c := range []struct {
		free, req scheduler.Resources
		spread    bool
		want      float64
	}{
		{cp, cp, false, 18},                   // full after placement
		{cp, scheduler.Resources{}, false, 0}, // empty
		{cp, scheduler.Res(500, 500, 0), false, 20 - 2*3.1622776601683795},
		{cp, scheduler.Resources{}, true, 18},
		{cp, cp, true, 0},
	} {
		if got := NomadBinPackScore(c.free, cp, c.req, c.spread); got-c.want > 1e-9 || c.want-got > 1e-9 {
			t.Errorf("free %v req %v spread %v: %v, want %v", c.free, c.req, c.spread, got, c.want)
		}
	}
	if NomadLimit(scheduler.Batch, 10000) != 2 || NomadLimit(scheduler.Service, 10000) != 14 || NomadLimit(scheduler.Service, 2) != 2 {
		t.Error("candidate limits: want batch 2, service ⌈log₂ 10000⌉ = 14, and at least 2")
	}
}

func TestVolcanoBinPackScore(t *testing.T) {
	alloc := scheduler.Res(4000, 8192, 0)
	// cpu (1000+1000)/4000 = 0.5, mem (2048+2048)/8192 = 0.5 → 50.
	if sc, ok := VolcanoBinPackScore(scheduler.Res(1000, 2048, 0), scheduler.Res(1000, 2048, 0), alloc, cpuMem, 1); !ok || sc != 50 {
		t.Fatalf("got %v %v, want 50", sc, ok)
	}
	// Weights cpu 3, mem 1; cpu 0.75, mem 0.25 → (2.25 + 0.25)/4 × 100 = 62.5.
	if sc, _ := VolcanoBinPackScore(scheduler.Res(2000, 1024, 0), scheduler.Res(1000, 1024, 0), alloc,
		[]ResourceWeight{{scheduler.CPU, 3}, {scheduler.Memory, 1}}, 1); sc != 62.5 {
		t.Fatalf("weighted: %v, want 62.5", sc)
	}
	// Only requested resources count: a pod with no memory request scores on cpu.
	if sc, _ := VolcanoBinPackScore(scheduler.Res(2000, 0, 0), scheduler.Res(0, 8000, 0), alloc, cpuMem, 2); sc != 100 {
		t.Fatalf("cpu only, plugin weight 2: %v, want 0.5 × 100 × 2 = 100", sc)
	}
	if _, ok := VolcanoBinPackScore(scheduler.Res(3000, 0, 0), scheduler.Res(2000, 0, 0), alloc, cpuMem, 1); ok {
		t.Fatal("request above allocatable must reject the node")
	}
	if sc, ok := VolcanoBinPackScore(scheduler.Resources{}, scheduler.Res(2000, 0, 0), alloc, cpuMem, 1); !ok || sc != 0 {
		t.Fatalf("best-effort pod: %v %v, want 0 true", sc, ok)
	}
	s, _ := scheduler.NewState([]scheduler.Node{{Capacity: alloc}, {Capacity: alloc}})
	s.Place(task(2000, 2048), 1, 0, false)
	if id, _, _ := (&Volcano{}).Place(s, task(1000, 1024)); id != 1 {
		t.Fatalf("volcano chose %d, want the fuller node 1", id)
	}
}
