package binpack

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// This file checks the Kube placer's fast path (the struct-of-arrays cache, the
// per-decision scorer, the unrolled two-resource loop, the GPU node list in the
// filter) against a straightforward reference: the formulas of REFERENCES.md
// §1.4–1.7 written out again here, fed from the state itself (walking each node's
// tasks for the non-zero requests) and a plain sequential filter with State.Fits.

// refShape is the broken-linear shape function, scores ×10, by linear search.
func refShape(shape []ShapePoint, p int64) int64 {
	if p <= shape[0].Utilization {
		return shape[0].Score * 10
	}
	for i := 1; i < len(shape); i++ {
		if p <= shape[i].Utilization {
			a, b := shape[i-1], shape[i]
			return a.Score*10 + (b.Score*10-a.Score*10)*(p-a.Utilization)/(b.Utilization-a.Utilization)
		}
	}
	return shape[len(shape)-1].Score * 10
}

// refBalance is int64((1 − std) × 100) over f_r = min(x_r/cap_r, 1), cap_r > 0.
func refBalance(x, cp scheduler.Resources, res []scheduler.Resource) int64 {
	var f []float64
	for _, r := range res {
		if cp[r] > 0 {
			f = append(f, math.Min(float64(x[r])/float64(cp[r]), 1))
		}
	}
	std := 0.0
	if len(f) == 2 {
		std = math.Abs(f[0]-f[1]) / 2
	} else if len(f) > 2 {
		mean := 0.0
		for _, v := range f {
			mean += v
		}
		mean /= float64(len(f))
		v := 0.0
		for _, x := range f {
			v += (x - mean) * (x - mean)
		}
		std = math.Sqrt(v / float64(len(f)))
	}
	return int64((1 - std) * 100)
}

// refScore is the total score of task t on node id, from the state alone.
func refScore(s *scheduler.State, cfg *KubeConfig, t *scheduler.Task, id scheduler.NodeID) int64 {
	cp := s.Node(id).Capacity
	var declared, nonzero scheduler.Resources
	s.Tasks(id, func(o *scheduler.Task) bool {
		declared = declared.Add(o.Request)
		nonzero = nonzero.Add(NonZero(o.Request))
		return true
	})
	total := int64(0)
	if cfg.FitWeight > 0 {
		req := nonzero.Add(NonZero(t.Request))
		var num, wsum int64
		for _, rw := range cfg.Resources {
			c, q := cp[rw.Resource], req[rw.Resource]
			if c == 0 {
				continue
			}
			switch cfg.Strategy {
			case LeastAllocated:
				if q <= c {
					num += rw.Weight * ((c - q) * 100 / c)
				}
				wsum += rw.Weight
			case MostAllocated:
				num += rw.Weight * (min(q, c) * 100 / c)
				wsum += rw.Weight
			default:
				u := int64(100)
				if q <= c {
					u = q * 100 / c
				}
				if f := refShape(cfg.Shape, u); f > 0 {
					num += rw.Weight * f
					wsum += rw.Weight
				}
			}
		}
		f := int64(0)
		if wsum > 0 {
			if cfg.Strategy == RequestedToCapacityRatio {
				f = int64(math.Round(float64(num) / float64(wsum)))
			} else {
				f = num / wsum
			}
		}
		total += cfg.FitWeight * f
	}
	bestEffort := true
	for _, r := range cfg.BalancedResources {
		if t.Request[r] != 0 {
			bestEffort = false
		}
	}
	if cfg.BalancedWeight > 0 && !bestEffort {
		after := refBalance(declared.Add(t.Request), cp, cfg.BalancedResources)
		b := after
		if !cfg.LegacyBalanced {
			b = 50 + (50+after-refBalance(declared, cp, cfg.BalancedResources))/2
		}
		total += cfg.BalancedWeight * b
	}
	return total
}

// refPlace is kube-scheduler's sequential filter from start and the argmax of
// refScore (ties to the lowest ID). It returns the node, its score and the next
// start index.
func refPlace(s *scheduler.State, cfg *KubeConfig, t *scheduler.Task, start int) (scheduler.NodeID, int64, int) {
	n := s.NumNodes()
	want := NumFeasibleNodesToFind(n, cfg.Percentage)
	var cand []scheduler.NodeID
	examined := 0
	for i := 0; i < n && len(cand) < want; i++ {
		id := scheduler.NodeID((start + i) % n)
		examined++
		if s.Fits(t, id).IsOK() {
			cand = append(cand, id)
		}
	}
	best, bestSc := scheduler.NoNode, int64(-1)
	for _, id := range cand {
		if sc := refScore(s, cfg, t, id); sc > bestSc || sc == bestSc && id < best {
			best, bestSc = id, sc
		}
	}
	return best, bestSc, (start + examined) % n
}

// diffNode draws a node: usual machines, GPU machines of two models, tiny ones
// (where the non-zero defaults exceed capacity), and zero-capacity dimensions.
func diffNode(r *rand.Rand) scheduler.Node {
	var n scheduler.Node
	switch r.IntN(8) {
	case 0:
		n.Capacity = scheduler.Res(4000, 8192, 0)
	case 1:
		n.Capacity = scheduler.Res(int64(1+r.IntN(64))*1000, int64(1+r.IntN(256))*1024, 0)
		n.Labels = []scheduler.Label{{Key: "zone", Value: "a"}}
	case 2:
		n.Capacity, n.GPUModel = scheduler.Res(16000, 65536, 4000), "T4"
	case 3:
		n.Capacity, n.GPUModel = scheduler.Res(int64(8+r.IntN(120))*1000, int64(16+r.IntN(1024))*1024, 8000), "V100"
	case 4: // tiny: a best-effort pod's 100 m / 200 MiB exceed it
		n.Capacity = scheduler.Res(int64(r.IntN(150)), int64(r.IntN(300)), 0)
	case 5: // zero cpu or zero memory
		if r.IntN(2) == 0 {
			n.Capacity = scheduler.Res(0, int64(1+r.IntN(65536)), 0)
		} else {
			n.Capacity = scheduler.Res(int64(1+r.IntN(64000)), 0, 0)
		}
	case 6: // odd sizes, disk
		n.Capacity = scheduler.Res(int64(1+r.IntN(99999)), int64(1+r.IntN(999999)), 0)
		n.Capacity[scheduler.Disk] = int64(r.IntN(1 << 20))
	default: // nothing at all
	}
	return n
}

// diffTask draws a task: best-effort, cpu-only, memory-only, usual, GPU fractions
// and whole GPUs, GPU-model and label constraints.
func diffTask(r *rand.Rand, id int64) *scheduler.Task {
	t := &scheduler.Task{ID: scheduler.TaskID(id), Node: scheduler.NoNode}
	switch r.IntN(6) {
	case 0: // best-effort
	case 1:
		t.Request[scheduler.CPU] = int64(1 + r.IntN(4000))
	case 2:
		t.Request[scheduler.Memory] = int64(1 + r.IntN(8192))
	default:
		t.Request = scheduler.Res(int64(r.IntN(9))*500, int64(r.IntN(9))*1024, 0)
	}
	if r.IntN(6) == 0 {
		t.Request[scheduler.Disk] = int64(r.IntN(4096))
	}
	switch r.IntN(6) {
	case 0:
		t.GPUCount, t.GPUMilli = 1, int32(100*(1+r.IntN(9)))
	case 1:
		t.GPUCount, t.GPUMilli = int32(1+r.IntN(4)), 1000
	case 2:
		t.GPUCount, t.GPUMilli = int32(2+r.IntN(3)), int32(100*(1+r.IntN(9)))
	}
	t.Request[scheduler.GPU] = int64(t.GPUCount) * int64(t.GPUMilli)
	switch r.IntN(10) {
	case 0:
		t.Constraints = &scheduler.Constraints{GPUModels: []string{"V100"}}
	case 1:
		t.Constraints = &scheduler.Constraints{Selectors: []scheduler.Selector{{Key: "zone", Op: scheduler.OpEq, Values: []string{"a"}}}}
	}
	return t
}

// diffConfig draws a configuration: every strategy, random resource subsets and
// weights (GPU and disk included), random shapes, plugin weights including 0,
// current and legacy BalancedAllocation, and sampling on and off.
func diffConfig(r *rand.Rand) KubeConfig {
	cfg := KubeConfig{
		Strategy:       Strategy(r.IntN(3)),
		FitWeight:      []int64{0, 1, 1, 2, 7}[r.IntN(5)],
		BalancedWeight: []int64{0, 1, 1, 3}[r.IntN(4)],
		LegacyBalanced: r.IntN(3) == 0,
		Percentage:     []int{0, 0, 5, 30, 100}[r.IntN(5)],
	}
	subset := func() []scheduler.Resource {
		all := []scheduler.Resource{scheduler.CPU, scheduler.Memory, scheduler.GPU, scheduler.Disk}
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		return all[:1+r.IntN(len(all))]
	}
	if r.IntN(3) > 0 {
		for _, res := range subset() {
			cfg.Resources = append(cfg.Resources, ResourceWeight{res, int64(r.IntN(101))})
		}
	}
	if r.IntN(3) > 0 {
		cfg.BalancedResources = subset()
	}
	if r.IntN(2) == 0 {
		u := int64(-1)
		for k := 1 + r.IntN(5); k > 0 && u < 100; k-- {
			u += 1 + int64(r.IntN(60))
			cfg.Shape = append(cfg.Shape, ShapePoint{min(u, 100), int64(r.IntN(11))})
			u = min(u, 100)
		}
	}
	return cfg
}

// TestKubeFastPathMatchesReference: over random clusters, configurations and
// streams of placements, releases, node failures, additions and capacity updates,
// the Kube placer chooses the node the reference chooses, with the same score and
// the same next start index; its scorer also agrees with the reference on every
// node (including nodes the task does not fit, where requests exceed capacity), and
// its best-of-candidates loop picks the reference's argmax over all nodes.
func TestKubeFastPathMatchesReference(t *testing.T) {
	const seed = 4_2026
	r := rand.New(rand.NewPCG(seed, 3))
	decisions := 0
	for trial := range 60 {
		cfg := diffConfig(r)
		k, err := NewKube(cfg)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		cfg = k.Config()
		n := 1 + r.IntN(300)
		if trial%10 == 0 {
			n = 100 + r.IntN(2000) // large enough for sampling to cut the scan
		}
		gpuHeavy := trial%10 == 5
		if gpuHeavy {
			n = 300 + r.IntN(1500)
		}
		nodes := make([]scheduler.Node, n)
		for i := range nodes {
			nodes[i] = diffNode(r)
			if gpuHeavy && r.IntN(5) > 0 {
				nodes[i] = scheduler.Node{Capacity: scheduler.Res(32000, 131072, 8000), GPUModel: "V100"}
			}
		}
		s, err := scheduler.NewState(nodes)
		if err != nil {
			t.Fatal(err)
		}
		k.Attach(s, nil)
		var placed []*scheduler.Task
		for i := 0; i < 2*n; i++ {
			tk := diffTask(r, int64(i))
			id := scheduler.NodeID(r.IntN(n))
			if s.Place(tk, id, s.ChooseGPUs(tk, id), false).IsOK() {
				placed = append(placed, tk)
			}
		}
		if gpuHeavy {
			// Fill every GPU of runs of nodes, so GPU tasks meet long infeasible
			// stretches and the filter jumps inside its GPU node list.
			for i := 0; i < n; i++ {
				if (i/40)%3 == 0 {
					continue
				}
				for s.Free(scheduler.NodeID(i))[scheduler.GPU] >= 1000 {
					tk := &scheduler.Task{ID: scheduler.TaskID(1<<40 + len(placed)), Node: scheduler.NoNode, GPUCount: 1, GPUMilli: 1000}
					tk.Request[scheduler.GPU] = 1000
					if !s.Place(tk, scheduler.NodeID(i), s.ChooseGPUs(tk, scheduler.NodeID(i)), false).IsOK() {
						break
					}
					placed = append(placed, tk)
				}
			}
		}
		start := 0
		all := make([]scheduler.NodeID, 0, n)
		where := func(step int) string {
			return fmt.Sprintf("seed %d trial %d step %d (n=%d cfg=%+v)", seed, trial, step, s.NumNodes(), cfg)
		}
		for step := range 80 {
			tk := diffTask(r, int64(1<<30+step))
			wantID, wantSc, wantStart := refPlace(s, &cfg, tk, start)
			got, _, st := k.Place(s, tk)
			decisions++
			if got != wantID || k.start != wantStart || st.IsOK() != (wantID != scheduler.NoNode) {
				t.Fatalf("%s: chose %d (%v) start %d; reference %d start %d", where(step), got, st, k.start, wantID, wantStart)
			}
			if got != scheduler.NoNode {
				if sc := k.Score(s, tk, got); sc != wantSc {
					t.Fatalf("%s: score of chosen node %d: %d, reference %d", where(step), got, sc, wantSc)
				}
			}
			start = wantStart
			// Every node, fitting or not, through both scoring paths.
			all = all[:0]
			bestID, bestSc := scheduler.NoNode, int64(-1)
			for i := range s.NumNodes() {
				id := scheduler.NodeID(i)
				all = append(all, id)
				ref := refScore(s, &cfg, tk, id)
				if sc := k.Score(s, tk, id); sc != ref {
					t.Fatalf("%s: node %d cap %v free %v, task %v: score %d, reference %d",
						where(step), id, s.Node(id).Capacity, s.Free(id), tk.Request, sc, ref)
				}
				// The candidate loop (unrolled for two resources) on this node alone.
				if got, sc := k.scorer(tk).best([]scheduler.NodeID{id}); got != id || sc != ref {
					t.Fatalf("%s: node %d cap %v free %v, task %v: candidate loop %d (node %d), reference %d",
						where(step), id, s.Node(id).Capacity, s.Free(id), tk.Request, sc, got, ref)
				}
				if ref > bestSc {
					bestID, bestSc = id, ref
				}
			}
			if id, sc := k.scorer(tk).best(all); id != bestID || sc != bestSc {
				t.Fatalf("%s: best over all nodes %d (%d), reference %d (%d)", where(step), id, sc, bestID, bestSc)
			}
			// Mutate the state.
			switch op := r.IntN(10); {
			case op < 5 && got != scheduler.NoNode:
				if s.Place(tk, got, s.ChooseGPUs(tk, got), false).IsOK() {
					placed = append(placed, tk)
				}
			case op < 8 && len(placed) > 0:
				i := r.IntN(len(placed))
				s.Release(placed[i])
				placed = append(placed[:i], placed[i+1:]...)
			case op == 8:
				id := scheduler.NodeID(r.IntN(s.NumNodes()))
				if s.NumTasks(id) == 0 && r.IntN(2) == 0 {
					s.SetDown(id, s.Up(id))
				} else if !s.Removed(id) {
					c := s.Node(id).Capacity
					used := c.Sub(s.Free(id))
					c[scheduler.CPU] = used[scheduler.CPU] + int64(r.IntN(8000))
					c[scheduler.Memory] = used[scheduler.Memory] + int64(r.IntN(16384))
					if err := s.Update(id, c); err != nil {
						t.Fatalf("%s: %v", where(step), err)
					}
				}
			default:
				if _, err := s.AddNode(diffNode(r)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	t.Logf("%d decisions compared", decisions)
}

// TestKubeValidateRejectsDuplicates: a resource listed twice is a configuration
// error (Kubernetes' argument validation rejects duplicates too).
func TestKubeValidateRejectsDuplicates(t *testing.T) {
	for i, c := range []KubeConfig{
		{Resources: []ResourceWeight{{scheduler.CPU, 1}, {scheduler.CPU, 2}}},
		{BalancedResources: []scheduler.Resource{scheduler.Memory, scheduler.Memory}},
		{BalancedResources: []scheduler.Resource{scheduler.NumResources}},
	} {
		if _, err := NewKube(c); err == nil {
			t.Errorf("config %d: no error", i)
		}
	}
}

// TestKubeFilterEdges: the filter's jump lands on the last node to find (for a CPU
// task over all nodes and a GPU task over the GPU node list), and a GPU task in a
// cluster without GPUs finds nothing and leaves the start index where it was.
func TestKubeFilterEdges(t *testing.T) {
	const n = 1000
	nodes := make([]scheduler.Node, n)
	for i := range nodes {
		nodes[i] = scheduler.Node{Capacity: scheduler.Res(4000, 8192, 8000), GPUModel: "V100"}
	}
	s, _ := scheduler.NewState(nodes)
	// Nodes 99..118 are full: with 10 % (100 nodes to find), 0..98 fit, the scan
	// misses 8 times, and the tree jumps to 119, the 100th feasible node.
	for i := 99; i <= 118; i++ {
		full := &scheduler.Task{Request: scheduler.Res(4000, 8192, 8000), GPUCount: 8, GPUMilli: 1000, Node: scheduler.NoNode}
		if st := s.Place(full, scheduler.NodeID(i), s.ChooseGPUs(full, scheduler.NodeID(i)), false); !st.IsOK() {
			t.Fatal(st)
		}
	}
	cfg := DefaultKubeConfig()
	cfg.Percentage = 10
	gpuTask := &scheduler.Task{Request: scheduler.Res(100, 100, 1000), GPUCount: 1, GPUMilli: 1000, Node: scheduler.NoNode}
	for _, tk := range []*scheduler.Task{task(100, 100), gpuTask} {
		k, _ := NewKube(cfg)
		k.Attach(s, nil)
		c := k.Config()
		want, wantSc, wantStart := refPlace(s, &c, tk, 0)
		got, _, st := k.Place(s, tk)
		if !st.IsOK() || got != want || k.start != wantStart || wantStart != 120 || k.Score(s, tk, got) != wantSc {
			t.Fatalf("task %v: chose %d start %d, want %d start %d (=120)", tk.Request, got, k.start, want, wantStart)
		}
		unlisten(s, k)
	}
	cpuOnly, _ := scheduler.NewState([]scheduler.Node{{Capacity: scheduler.Res(4000, 8192, 0)}, {Capacity: scheduler.Res(4000, 8192, 0)}})
	k, _ := NewKube(DefaultKubeConfig())
	k.Attach(cpuOnly, nil)
	k.start = 1
	if got, _, st := k.Place(cpuOnly, gpuTask); got != scheduler.NoNode || st.IsOK() || k.start != 1 {
		t.Fatalf("GPU task without GPU nodes: %d %v start %d, want no node, start 1", got, st, k.start)
	}
}
