package binpack

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// Naive full scans, the specification the indexed placers must match.

func naiveFirst(s *scheduler.State, t *scheduler.Task, from, to int) scheduler.NodeID {
	for i := from; i < to; i++ {
		if s.Fits(t, scheduler.NodeID(i)).IsOK() {
			return scheduler.NodeID(i)
		}
	}
	return scheduler.NoNode
}

// naiveFit scans every node: best = min value, ties lowest ID; worst = max value,
// ties highest ID when highTies (the index order) and lowest otherwise.
func naiveFit(s *scheduler.State, t *scheduler.Task, norm Norm, key scheduler.Resource, worst, highTies bool, max scheduler.Resources) scheduler.NodeID {
	best, bestV := scheduler.NoNode, 0.0
	for i := range s.NumNodes() {
		id := scheduler.NodeID(i)
		if !s.Fits(t, id).IsOK() {
			continue
		}
		v := NormValue(norm, s, t, id, key, max)
		switch {
		case best == scheduler.NoNode,
			!worst && v < bestV,
			worst && v > bestV,
			worst && highTies && v == bestV:
			best, bestV = id, v
		}
	}
	return best
}

// randomCluster builds n nodes of a few shapes (some with GPUs of two models, one
// with a label) and a random load, with some nodes down.
func randomCluster(r *rand.Rand, n int) (*scheduler.State, []*scheduler.Task) {
	nodes := make([]scheduler.Node, n)
	for i := range nodes {
		switch r.IntN(4) {
		case 0:
			nodes[i] = scheduler.Node{Capacity: scheduler.Res(4000, 8192, 0)}
		case 1:
			nodes[i] = scheduler.Node{Capacity: scheduler.Res(8000, 16384, 0), Labels: []scheduler.Label{{Key: "zone", Value: "a"}}}
		case 2:
			nodes[i] = scheduler.Node{Capacity: scheduler.Res(16000, 65536, 4000), GPUModel: "T4"}
		default:
			nodes[i] = scheduler.Node{Capacity: scheduler.Res(32000, 131072, 8000), GPUModel: "V100"}
		}
	}
	s, err := scheduler.NewState(nodes)
	if err != nil {
		panic(err)
	}
	var placed []*scheduler.Task
	for i := 0; i < n*3; i++ {
		t := randomTask(r, int64(i))
		id := scheduler.NodeID(r.IntN(n))
		if s.Place(t, id, 0, false).IsOK() {
			placed = append(placed, t)
		}
	}
	return s, placed
}

func randomTask(r *rand.Rand, id int64) *scheduler.Task {
	t := &scheduler.Task{ID: scheduler.TaskID(id), Node: scheduler.NoNode}
	t.Request = scheduler.Res(int64(r.IntN(9))*500, int64(r.IntN(9))*1024, 0)
	switch r.IntN(5) {
	case 0:
		t.GPUCount, t.GPUMilli = 1, int32(100*(1+r.IntN(9)))
	case 1:
		t.GPUCount, t.GPUMilli = int32(1+r.IntN(4)), 1000
	}
	t.Request[scheduler.GPU] = int64(t.GPUCount) * int64(t.GPUMilli)
	switch r.IntN(8) {
	case 0:
		t.Constraints = &scheduler.Constraints{GPUModels: []string{"V100"}}
	case 1:
		t.Constraints = &scheduler.Constraints{Selectors: []scheduler.Selector{{Key: "zone", Op: scheduler.OpEq, Values: []string{"a"}}}}
	}
	return t
}

// TestIndexedPlacersChooseAsNaiveScan is the property: on random clusters, under
// random placements, releases and node failures, every indexed placer chooses
// exactly the node its naive full scan chooses. The seed is fixed and printed.
func TestIndexedPlacersChooseAsNaiveScan(t *testing.T) {
	const seed = 20261127
	r := rand.New(rand.NewPCG(seed, 1))
	for trial := range 30 {
		n := 1 + r.IntN(200)
		s, placed := randomCluster(r, n)
		ff, nf := attached(s, &FirstFit{}), attached(s, &NextFit{})
		fits := map[string]*Fit{}
		for _, norm := range []Norm{NormKey, NormSum, NormL2, NormMax} {
			for _, worst := range []bool{false, true} {
				fits[fmt.Sprintf("%v/worst=%v", norm, worst)] = &Fit{Worst: worst, Norm: norm, Key: AutoKey}
			}
		}
		fits["key=mem/best"] = &Fit{Norm: NormKey, Key: scheduler.Memory}
		fits["key=mem/worst"] = &Fit{Worst: true, Norm: NormKey, Key: scheduler.Memory}
		for _, f := range fits {
			f.Attach(s, nil)
		}
		next := int64(1 << 20)
		for step := range 150 {
			tk := randomTask(r, next)
			next++
			ctx := fmt.Sprintf("seed %d trial %d step %d (%d nodes) task %v gpu %d×%d", seed, trial, step, n, tk.Request, tk.GPUCount, tk.GPUMilli)
			want := naiveFirst(s, tk, 0, n)
			got, _, st := ff.Place(s, tk)
			if got != want || st.IsOK() != (want != scheduler.NoNode) {
				t.Fatalf("%s: firstfit chose %d, naive %d", ctx, got, want)
			}
			cur := nf.cursor
			if cur >= n {
				cur = 0
			}
			wantNF := naiveFirst(s, tk, cur, n)
			if wantNF == scheduler.NoNode {
				wantNF = naiveFirst(s, tk, 0, cur)
			}
			if got, _, _ := nf.Place(s, tk); got != wantNF {
				t.Fatalf("%s: nextfit chose %d, naive %d", ctx, got, wantNF)
			}
			for name, f := range fits {
				w := naiveFit(s, tk, f.Norm, f.Key, f.Worst, f.Norm == NormKey || f.Norm == NormSum, f.sum.max)
				if got, _, _ := f.Place(s, tk); got != w {
					t.Fatalf("%s: %s chose %d, naive %d", ctx, name, got, w)
				}
			}
			// Mutate: place the task somewhere, release something, fail or
			// recover a node, sometimes inside a rolled-back transaction.
			switch op := r.IntN(10); {
			case op < 5:
				if want != scheduler.NoNode && s.Place(tk, want, 0, false).IsOK() {
					placed = append(placed, tk)
				}
			case op < 8 && len(placed) > 0:
				i := r.IntN(len(placed))
				s.Release(placed[i])
				placed = append(placed[:i], placed[i+1:]...)
			case op == 8:
				tx := s.Begin()
				for range 3 {
					x := randomTask(r, next)
					next++
					s.Place(x, scheduler.NodeID(r.IntN(n)), 0, false)
				}
				tx.Rollback()
			default:
				id := scheduler.NodeID(r.IntN(n))
				if s.NumTasks(id) == 0 {
					s.SetDown(id, s.Up(id))
				}
			}
		}
		if bad := s.CheckInvariants(); bad != "" {
			t.Fatal(bad)
		}
	}
}

// TestFirstFitAddedNode checks that the index follows nodes added after it was built.
func TestFirstFitAddedNode(t *testing.T) {
	s, _ := scheduler.NewState([]scheduler.Node{{Capacity: scheduler.Res(1000, 1000, 0)}})
	ff := attached(s, &FirstFit{})
	big := &scheduler.Task{Request: scheduler.Res(2000, 10, 0), Node: scheduler.NoNode}
	if _, _, st := ff.Place(s, big); st.IsOK() {
		t.Fatal("placed a task larger than every node")
	}
	id, _ := s.AddNode(scheduler.Node{Capacity: scheduler.Res(4000, 1000, 0)})
	if got, _, st := ff.Place(s, big); !st.IsOK() || got != id {
		t.Fatalf("after AddNode: got %d %v, want node %d", got, st, id)
	}
}

// TestKubeFilterMatchesSequentialScan: the Kube placer's tree-accelerated filter
// finds the same candidates, chooses the same node and advances the start index
// exactly as kube-scheduler's sequential scan would.
func TestKubeFilterMatchesSequentialScan(t *testing.T) {
	const seed = 77
	r := rand.New(rand.NewPCG(seed, 2))
	for trial := range 20 {
		n := 1 + r.IntN(400)
		s, placed := randomCluster(r, n)
		cfg := DefaultKubeConfig()
		cfg.Percentage = []int{0, 5, 30, 100}[trial%4]
		cfg.Strategy = Strategy(trial % 3)
		k, err := NewKube(cfg)
		if err != nil {
			t.Fatal(err)
		}
		start := 0
		for step := range 100 {
			tk := randomTask(r, int64(1<<30+step))
			// Naive: sequential scan from start.
			want := NumFeasibleNodesToFind(n, cfg.Percentage)
			var cand []scheduler.NodeID
			processed := 0
			for i := 0; i < n && len(cand) < want; i++ {
				id := scheduler.NodeID((start + i) % n)
				processed++
				if s.Fits(tk, id).IsOK() {
					cand = append(cand, id)
				}
			}
			start = (start + processed) % n
			best, bestSc := scheduler.NoNode, int64(-1)
			for _, id := range cand {
				if sc := attached(s, k).Score(s, tk, id); sc > bestSc || sc == bestSc && id < best {
					best, bestSc = id, sc
				}
			}
			got, _, _ := attached(s, k).Place(s, tk)
			if got != best || k.start != start {
				t.Fatalf("seed %d trial %d step %d (n=%d pct=%d): chose %d start %d; sequential scan %d start %d",
					seed, trial, step, n, cfg.Percentage, got, k.start, best, start)
			}
			if best != scheduler.NoNode && r.IntN(2) == 0 && s.Place(tk, best, 0, false).IsOK() {
				placed = append(placed, tk)
			} else if len(placed) > 0 && r.IntN(3) == 0 {
				i := r.IntN(len(placed))
				s.Release(placed[i])
				placed = append(placed[:i], placed[i+1:]...)
			}
		}
	}
}

// TestIndexedPlacersOnPackedClusters is the same property in the regime the
// indexes' pruning is for: clusters packed by first fit with CPU-heavy and
// memory-heavy tasks (so many nodes are full in one dimension only), requests of
// every ratio including CPU-only and memory-only ones beyond the sketch's slopes,
// and nodes added with capacities larger than any at attach time (the sketch's
// scale stays the one it was bound with).
func TestIndexedPlacersOnPackedClusters(t *testing.T) {
	const seed = 20261204
	r := rand.New(rand.NewPCG(seed, 3))
	task := func(id int64) *scheduler.Task {
		tk := &scheduler.Task{ID: scheduler.TaskID(id), Node: scheduler.NoNode}
		c, m := int64(1+r.IntN(16))*500, int64(1+r.IntN(16))*2048
		switch r.IntN(6) {
		case 0:
			c /= 8 // memory-heavy
		case 1:
			m /= 8 // CPU-heavy
		case 2:
			c = 0
		case 3:
			m = 0
		}
		tk.Request = scheduler.Res(c, m, 0)
		if r.IntN(10) == 0 {
			tk.GPUCount, tk.GPUMilli = int32(1+r.IntN(2)), 1000
			tk.Request[scheduler.GPU] = int64(tk.GPUCount) * 1000
		}
		return tk
	}
	for trial := range 20 {
		n := 1 + r.IntN(300)
		nodes := make([]scheduler.Node, n)
		for i := range nodes {
			nodes[i] = scheduler.Node{Capacity: scheduler.Res(8000, 32768, 0)}
			if r.IntN(4) == 0 {
				nodes[i] = scheduler.Node{Capacity: scheduler.Res(16000, 65536, 4000), GPUModel: "T4"}
			}
		}
		s, err := scheduler.NewState(nodes)
		if err != nil {
			t.Fatal(err)
		}
		var placed []*scheduler.Task
		next := int64(0)
		for range 6 * n { // pack by first fit
			tk := task(next)
			next++
			if id := naiveFirst(s, tk, 0, s.NumNodes()); id != scheduler.NoNode && s.Place(tk, id, 0, false).IsOK() {
				placed = append(placed, tk)
			}
		}
		ff, nf := attached(s, &FirstFit{}), attached(s, &NextFit{})
		fits := map[string]*Fit{}
		for _, k := range []scheduler.Resource{AutoKey, scheduler.CPU, scheduler.Memory, scheduler.GPU} {
			fits[fmt.Sprintf("key=%d/best", k)] = attached(s, &Fit{Norm: NormKey, Key: k})
			fits[fmt.Sprintf("key=%d/worst", k)] = attached(s, &Fit{Worst: true, Norm: NormKey, Key: k})
		}
		for step := range 300 {
			tk := task(next)
			next++
			nn := s.NumNodes()
			ctx := fmt.Sprintf("seed %d trial %d step %d (%d nodes) task %v gpu %d", seed, trial, step, nn, tk.Request, tk.GPUCount)
			want := naiveFirst(s, tk, 0, nn)
			if got, _, _ := ff.Place(s, tk); got != want {
				t.Fatalf("%s: firstfit chose %d, naive %d", ctx, got, want)
			}
			cur := nf.cursor
			if cur >= nn {
				cur = 0
			}
			wantNF := naiveFirst(s, tk, cur, nn)
			if wantNF == scheduler.NoNode {
				wantNF = naiveFirst(s, tk, 0, cur)
			}
			if got, _, _ := nf.Place(s, tk); got != wantNF {
				t.Fatalf("%s: nextfit chose %d, naive %d", ctx, got, wantNF)
			}
			for name, f := range fits {
				w := naiveFit(s, tk, NormKey, f.Key, f.Worst, true, scheduler.Resources{})
				if got, _, _ := f.Place(s, tk); got != w {
					t.Fatalf("%s: %s chose %d, naive %d", ctx, name, got, w)
				}
			}
			switch op := r.IntN(20); {
			case op < 11:
				if want != scheduler.NoNode && s.Place(tk, want, 0, false).IsOK() {
					placed = append(placed, tk)
				}
			case op < 18 && len(placed) > 0:
				i := r.IntN(len(placed))
				s.Release(placed[i])
				placed = append(placed[:i], placed[i+1:]...)
			case op == 18:
				if _, err := s.AddNode(scheduler.Node{Capacity: scheduler.Res(64000, 262144, 0)}); err != nil {
					t.Fatal(err)
				}
			default:
				id := scheduler.NodeID(r.IntN(s.NumNodes()))
				if s.NumTasks(id) == 0 {
					s.SetDown(id, s.Up(id))
				}
			}
		}
		if bad := s.CheckInvariants(); bad != "" {
			t.Fatal(bad)
		}
	}
}
