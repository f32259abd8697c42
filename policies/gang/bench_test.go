package gang

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// BenchmarkPlaceGang measures single-cycle placement of one gang (Strict's
// Backtrack placer: greedy best fit, which succeeds here) on a cluster whose nodes
// are partly used. Target for 1,000 tasks on 10,000 nodes: ≤ 10 ms.
func BenchmarkPlaceGang(b *testing.B) {
	for _, nn := range []int{1000, 10000} {
		for _, gs := range []int{100, 1000} {
			b.Run(fmt.Sprintf("nodes=%d/tasks=%d", nn, gs), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				ns := make([]scheduler.Node, nn)
				for i := range ns {
					ns[i] = scheduler.Node{Capacity: scheduler.Res(32000, 128*1024, 8000)}
				}
				st, err := scheduler.NewState(ns)
				if err != nil {
					b.Fatal(err)
				}
				// Fill about half the cluster with background tasks of random size.
				bg := &scheduler.Job{ID: 1, Tasks: make([]scheduler.Task, nn*2)}
				for i := range bg.Tasks {
					t := &bg.Tasks[i]
					*t = scheduler.Task{ID: scheduler.TaskID(i), Job: bg, Node: scheduler.NoNode,
						Request: scheduler.Res(int64(1000+r.IntN(8)*1000), int64(1024*(1+r.IntN(16))), 0)}
					st.Place(t, scheduler.NodeID(r.IntN(nn)), 0, false)
				}
				g := &scheduler.Job{ID: 2, MinMember: int32(gs), Tasks: make([]scheduler.Task, gs)}
				tasks := make([]*scheduler.Task, gs)
				for i := range g.Tasks {
					g.Tasks[i] = scheduler.Task{ID: scheduler.TaskID(nn*2 + i), Job: g, Index: int32(i), Node: scheduler.NoNode,
						Request: scheduler.Res(4000, 16*1024, 1000), GPUCount: 1, GPUMilli: 1000}
					tasks[i] = &g.Tasks[i]
				}
				p := &Backtrack{Placer: scheduler.KeyBestFit{}, Budget: 1000, Branch: 8}
				if claims, status := p.PlaceGang(st, tasks, gs); !status.IsOK() || len(claims) != gs {
					b.Fatalf("placement failed: %v (%d claims)", status, len(claims))
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					p.PlaceGang(st, tasks, gs)
				}
				b.StopTimer()
				perGang := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(perGang*1000, "ms/gang")
				b.ReportMetric(float64(gs)/perGang, "tasks/s")
			})
		}
	}
}
