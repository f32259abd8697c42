package binpack

import (
	"math/rand/v2"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func cpuNodes(t *testing.T, cpus ...int64) *scheduler.State {
	t.Helper()
	nodes := make([]scheduler.Node, len(cpus))
	for i, c := range cpus {
		nodes[i] = scheduler.Node{Capacity: scheduler.Res(c, 1<<20, 0)}
	}
	s, err := scheduler.NewState(nodes)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFFDPlacesLargestFirst: nodes 4000 and 2000; tasks 1000, 1000, 4000. First fit
// in the given order puts both small tasks on node 0 and the big one nowhere; FFD
// places the big one first and fits all three.
func TestFFDPlacesLargestFirst(t *testing.T) {
	s := cpuNodes(t, 4000, 2000)
	before := s.Fingerprint()
	tasks := []*scheduler.Task{task(1000, 1), task(1000, 1), task(4000, 1)}
	for i, tk := range tasks {
		tk.ID = scheduler.TaskID(i)
	}
	if _, st := scheduler.PlaceGang(s, attached(s, &FirstFit{}), tasks, 3); st.IsOK() {
		t.Fatal("plain first fit placed the gang; the example is wrong")
	}
	claims, st := attached(s, &FFD{}).PlaceGang(s, tasks, 3)
	if !st.IsOK() || len(claims) != 3 {
		t.Fatalf("FFD: %v, %d claims", st, len(claims))
	}
	where := map[scheduler.TaskID]scheduler.NodeID{}
	for _, c := range claims {
		where[c.Task.ID] = c.Node
	}
	if where[2] != 0 || where[0] != 1 || where[1] != 1 {
		t.Fatalf("FFD placement %v, want task 2 on node 0, tasks 0 and 1 on node 1", where)
	}
	if s.Fingerprint() != before {
		t.Fatal("PlaceGang changed the state")
	}
	if _, st := attached(s, &FFD{}).PlaceGang(s, []*scheduler.Task{task(4000, 1), task(4000, 1)}, 2); st.IsOK() {
		t.Fatal("FFD placed a gang that cannot fit")
	}
}

func TestNextFitKeepsFilling(t *testing.T) {
	s := cpuNodes(t, 2000, 2000, 2000)
	nf := attached(s, &NextFit{})
	var got []scheduler.NodeID
	for _, c := range []int64{1500, 1000, 400, 1500, 500, 600} {
		id, _, st := nf.Place(s, task(c, 1))
		if !st.IsOK() {
			t.Fatal(st)
		}
		s.Place(task(c, 1), id, 0, false)
		got = append(got, id)
	}
	// 1500→0; 1000 does not fit node 0 (500 left) → 1; 400 fits node 1 → stays;
	// 1500 → 2; 500 fits node 2 → stays; 600: node 2 is full, wrap: node 0 has 500,
	// node 1 has 600 → 1. First fit would have put the 400 and 500 on node 0.
	want := []scheduler.NodeID{0, 1, 1, 2, 2, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("next fit chose %v, want %v", got, want)
		}
	}
}

func TestRandomIsUniformOverFeasible(t *testing.T) {
	s := cpuNodes(t, 1000, 4000, 1000, 4000, 4000)
	p := &Random{}
	p.Attach(s, rand.New(rand.NewPCG(1, 2)))
	counts := map[scheduler.NodeID]int{}
	for range 3000 {
		id, _, st := p.Place(s, task(2000, 1))
		if !st.IsOK() {
			t.Fatal(st)
		}
		counts[id]++
	}
	if counts[0]+counts[2] != 0 {
		t.Fatalf("chose infeasible nodes: %v", counts)
	}
	for _, id := range []scheduler.NodeID{1, 3, 4} {
		if counts[id] < 850 || counts[id] > 1150 {
			t.Fatalf("not uniform: %v", counts)
		}
	}
	if _, _, st := p.Place(s, task(5000, 1)); st.IsOK() {
		t.Fatal("placed a task that fits nowhere")
	}
}

func TestRandomKPrefersMostFree(t *testing.T) {
	s := cpuNodes(t, 1000, 8000)
	p := &RandomK{K: 64, Key: AutoKey}
	p.Attach(s, rand.New(rand.NewPCG(3, 4)))
	if id, _, _ := p.Place(s, task(500, 1)); id != 1 {
		t.Fatalf("64 probes of 2 nodes chose %d, want the emptier node 1", id)
	}
	p.Least = true
	if id, _, _ := p.Place(s, task(500, 1)); id != 0 {
		t.Fatalf("prefer least chose %d, want node 0", id)
	}
}

func TestTetrisAlignment(t *testing.T) {
	nodes := []scheduler.Node{
		{Capacity: scheduler.Res(4000, 1000, 0)}, // cpu-rich
		{Capacity: scheduler.Res(1000, 4000, 0)}, // mem-rich
	}
	s, _ := scheduler.NewState(nodes)
	// Normalised by each node's own capacity, a task of cpu 100, mem 800 aligns
	// (100/4000)(4000/4000) + (800/1000)(1000/1000) = 0.825 with node 0 and
	// (100/1000)(1) + (800/4000)(1) = 0.3 with node 1.
	tk := task(100, 800)
	if a0, a1 := Alignment(s, tk, 0), Alignment(s, tk, 1); a0 <= a1 {
		t.Fatalf("alignments %v %v", a0, a1)
	}
	if id, _, _ := (Tetris{}).Place(s, tk); id != 0 {
		t.Fatalf("tetris chose %d, want 0 (largest normalised alignment)", id)
	}
}

// TestPlacersReturnDevices: every placer names the GPU devices it chose.
func TestPlacersReturnDevices(t *testing.T) {
	s := gpuState(t, g8, g8)
	kube, _ := NewKube(DefaultKubeConfig())
	dot, _ := NewGPUPolicy(GPUDotProduct, nil)
	for name, p := range map[string]scheduler.Placer{
		"firstfit": &FirstFit{}, "nextfit": &NextFit{}, "bestfit": NewBestFit(NormKey, AutoKey),
		"worstfit": NewWorstFit(NormSum, AutoKey), "random": &Random{}, "randomk": &RandomK{},
		"tetris": Tetris{}, "kube": kube, "nomad": &Nomad{}, "dotprod": dot,
	} {
		tk := gpuTask(1000, 2, 1000)
		id, g, st := attached(s, p).Place(s, tk)
		if !st.IsOK() || g.Count() != 2 {
			t.Errorf("%s: node %d devices %b %v", name, id, g, st)
			continue
		}
		if st := s.Place(tk, id, g, false); !st.IsOK() {
			t.Errorf("%s: the state refused the choice: %v", name, st)
		}
		s.Release(tk)
	}
}
