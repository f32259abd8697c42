package binpack

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// benchCluster builds n nodes (¾ CPU nodes of two sizes, ¼ 8-GPU nodes) loaded to
// about 60 % with random tasks, and a stream of tasks to place.
func benchCluster(n int) (*scheduler.State, []*scheduler.Task) { return benchClusterMix(n, true) }

// benchClusterMix is benchCluster; without gpuTasks the tasks to place are CPU-only.
func benchClusterMix(n int, gpuTasks bool) (*scheduler.State, []*scheduler.Task) {
	r := rand.New(rand.NewPCG(7, uint64(n)))
	nodes := make([]scheduler.Node, n)
	for i := range nodes {
		switch i % 4 {
		case 0:
			nodes[i] = scheduler.Node{Capacity: scheduler.Res(96000, 393216, 8000), GPUs: 8, GPUModel: "G2"}
		case 1:
			nodes[i] = scheduler.Node{Capacity: scheduler.Res(64000, 262144, 0)}
		default:
			nodes[i] = scheduler.Node{Capacity: scheduler.Res(32000, 131072, 0)}
		}
	}
	s, err := scheduler.NewState(nodes)
	if err != nil {
		panic(err)
	}
	mk := func(id int64) *scheduler.Task {
		t := &scheduler.Task{ID: scheduler.TaskID(id), Node: scheduler.NoNode}
		t.Request = scheduler.Res(int64(1+r.IntN(16))*1000, int64(1+r.IntN(32))*1024, 0)
		switch r.IntN(6) {
		case 0:
			t.GPUCount, t.GPUMilli = 1, int32(100*(1+r.IntN(9)))
		case 1:
			t.GPUCount, t.GPUMilli = int32(1<<r.IntN(3)), 1000
		}
		t.Request[scheduler.GPU] = int64(t.GPUCount) * int64(t.GPUMilli)
		return t
	}
	// Load: place tasks on random nodes until ~60 % of CPU is used.
	capCPU := s.Capacity()[scheduler.CPU]
	for id := int64(0); s.Allocated()[scheduler.CPU] < capCPU*6/10; id++ {
		s.Place(mk(id), scheduler.NodeID(r.IntN(n)), 0, false)
	}
	tasks := make([]*scheduler.Task, 4096)
	for i := range tasks {
		tasks[i] = mk(int64(1<<40) + int64(i))
		if !gpuTasks {
			tasks[i].GPUCount, tasks[i].GPUMilli, tasks[i].Request[scheduler.GPU] = 0, 0, 0
		}
	}
	return s, tasks
}

type benchPlacer struct {
	name string
	make func(s *scheduler.State, tasks []*scheduler.Task) scheduler.Placer
	max  int // largest cluster to run (0 = all)
}

func benchPlacers() []benchPlacer {
	simple := func(p func() scheduler.Placer) func(*scheduler.State, []*scheduler.Task) scheduler.Placer {
		return func(*scheduler.State, []*scheduler.Task) scheduler.Placer { return p() }
	}
	kube := func(cfg KubeConfig) func(*scheduler.State, []*scheduler.Task) scheduler.Placer {
		return func(*scheduler.State, []*scheduler.Task) scheduler.Placer { k, _ := NewKube(cfg); return k }
	}
	most := DefaultKubeConfig()
	most.Strategy = MostAllocated
	gpu := func(k GPUKind) func(*scheduler.State, []*scheduler.Task) scheduler.Placer {
		return func(_ *scheduler.State, tasks []*scheduler.Task) scheduler.Placer {
			shapes := make([]PodShape, len(tasks))
			for i, t := range tasks {
				shapes[i] = ShapeOf(t)
			}
			p, _ := NewGPUPolicy(k, NewFrag(NewTypicalPods(shapes, 95)))
			return p
		}
	}
	return []benchPlacer{
		{"firstfit", simple(func() scheduler.Placer { return &FirstFit{} }), 0},
		{"nextfit", simple(func() scheduler.Placer { return &NextFit{} }), 0},
		{"ffd", simple(func() scheduler.Placer { return &FFD{} }), 0},
		{"bestfit-key", simple(func() scheduler.Placer { return NewBestFit(NormKey, AutoKey) }), 0},
		{"bestfit-sum", simple(func() scheduler.Placer { return NewBestFit(NormSum, AutoKey) }), 0},
		{"bestfit-l2", simple(func() scheduler.Placer { return NewBestFit(NormL2, AutoKey) }), 0},
		{"worstfit-key", simple(func() scheduler.Placer { return NewWorstFit(NormKey, AutoKey) }), 0},
		{"worstfit-sum", simple(func() scheduler.Placer { return NewWorstFit(NormSum, AutoKey) }), 0},
		{"worstfit-max", simple(func() scheduler.Placer { return NewWorstFit(NormMax, AutoKey) }), 0},
		{"random", simple(func() scheduler.Placer { return &Random{} }), 0},
		{"randomk-2", simple(func() scheduler.Placer { return &RandomK{K: 2} }), 0},
		{"tetris", simple(func() scheduler.Placer { return Tetris{} }), 0},
		{"kube-least", kube(DefaultKubeConfig()), 0},
		{"kube-most", kube(most), 0},
		{"nomad", simple(func() scheduler.Placer { return &Nomad{} }), 0},
		{"gpu-random", gpu(GPURandom), 0},
		{"gpu-dotprod", gpu(GPUDotProduct), 0},
		{"gpu-clustering", gpu(GPUClustering), 0},
		{"gpu-packing", gpu(GPUPacking), 0},
		{"gpu-bestfit", gpu(GPUBestFit), 0},
		{"gpu-fgd", gpu(GPUFGD), 0},
	}
}

// BenchmarkPlace measures decisions per second for every placer at several cluster
// sizes. Each decision is Place followed by committing the choice and releasing
// the task placed 64 decisions earlier, so the load stays steady and index
// maintenance is included. It first asserts that decisions succeed.
func BenchmarkPlace(b *testing.B) {
	for _, n := range []int{1000, 5000, 10000, 100000} {
		for _, mix := range []string{"mixed", "cpu"} {
			s, tasks := benchClusterMix(n, mix == "mixed")
			for _, bp := range benchPlacers() {
				benchOne(b, fmt.Sprintf("%s/tasks=%s/nodes=%d", bp.name, mix, n), bp, s, tasks)
			}
		}
	}
}

func benchOne(b *testing.B, name string, bp benchPlacer, s *scheduler.State, tasks []*scheduler.Task) {
	{
		{
			b.Run(name, func(b *testing.B) {
				p := bp.make(s, tasks)
				scheduler.AttachPlacer(p, s, rand.New(rand.NewPCG(1, 2)))
				var ring [64]*scheduler.Task
				placed := 0
				before := s.Allocated()
				if _, _, st := p.Place(s, tasks[0]); !st.IsOK() {
					b.Fatalf("first decision failed: %v", st)
				}
				b.ReportAllocs()
				cpu0 := cpuSeconds()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					t := tasks[i%len(tasks)]
					if t.Node != scheduler.NoNode {
						s.Release(t)
					}
					id, g, st := p.Place(s, t)
					if st.IsOK() && s.Place(t, id, g, false).IsOK() {
						placed++
						if old := ring[i%64]; old != nil {
							s.Release(old)
						}
						ring[i%64] = t
					}
				}
				b.StopTimer()
				cpu := cpuSeconds() - cpu0
				unlisten(s, p)
				for _, t := range ring {
					if t != nil {
						s.Release(t)
					}
				}
				for _, t := range tasks {
					s.Release(t)
				}
				if placed == 0 {
					b.Fatal("no decision placed a task")
				}
				if s.Allocated() != before {
					b.Fatalf("allocation drifted: %v, was %v", s.Allocated(), before)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
				if cpu > 0 {
					b.ReportMetric(float64(b.N)/cpu, "decisions/cpu-s")
				}
				b.ReportMetric(float64(placed)/float64(b.N), "placed/decision")
			})
		}
	}
}
