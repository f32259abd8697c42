package binpack_test

import (
	"fmt"

	"github.com/schedlab/schedlab/policies/binpack"
	"github.com/schedlab/schedlab/scheduler"
)

// Best fit on CPU picks the node that the task fills most tightly; first fit picks
// the lowest ID; the Kubernetes default profile (LeastAllocated + balanced) spreads.
func Example() {
	s, _ := scheduler.NewState([]scheduler.Node{
		{Name: "big", Capacity: scheduler.Res(8000, 16384, 0)},
		{Name: "small", Capacity: scheduler.Res(2000, 4096, 0)},
		{Name: "mid", Capacity: scheduler.Res(4000, 8192, 0)},
	})
	t := &scheduler.Task{Request: scheduler.Res(1500, 2048, 0), Node: scheduler.NoNode}
	kube, _ := binpack.NewKube(binpack.DefaultKubeConfig())
	for _, p := range []struct {
		name string
		p    scheduler.Placer
	}{
		{"firstfit", &binpack.FirstFit{}},
		{"bestfit", binpack.NewBestFit(binpack.NormKey, scheduler.CPU)},
		{"worstfit", binpack.NewWorstFit(binpack.NormKey, scheduler.CPU)},
		{"kube", kube},
	} {
		// Outside a run the caller attaches a placer (a run does it itself).
		scheduler.AttachPlacer(p.p, s, scheduler.NewRand(1, p.name))
		id, _, _ := p.p.Place(s, t)
		fmt.Printf("%-8s -> %s\n", p.name, s.Node(id).Name)
	}
	fmt.Println("LeastAllocated on mid:", binpack.LeastAllocatedScore(scheduler.Res(1500, 2048, 0), scheduler.Res(4000, 8192, 0),
		[]binpack.ResourceWeight{{Resource: scheduler.CPU, Weight: 1}, {Resource: scheduler.Memory, Weight: 1}}))
	// Output:
	// firstfit -> big
	// bestfit  -> small
	// worstfit -> big
	// kube     -> big
	// LeastAllocated on mid: 68
}
