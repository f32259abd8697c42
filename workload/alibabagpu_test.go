package workload

import (
	"io"
	"math"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func TestOpenBNodesMatchFGD(t *testing.T) {
	nodes := OpenBNodes(OpenBNodeCount)
	if len(nodes) != 1213 {
		t.Fatalf("%d nodes, want 1213", len(nodes))
	}
	var gpus int
	var cpu, gpuMilli int64
	models := map[string]int{}
	for i, n := range nodes {
		if n.ID != scheduler.NodeID(i) || n.Name == "" || n.Domain == "" {
			t.Fatalf("node %d: %+v", i, n)
		}
		if n.Capacity[scheduler.GPU] != int64(n.GPUs)*1000 {
			t.Fatalf("node %d: %d GPUs but %d milli-GPU", i, n.GPUs, n.Capacity[scheduler.GPU])
		}
		gpus += n.GPUs
		cpu += n.Capacity[scheduler.CPU]
		gpuMilli += n.Capacity[scheduler.GPU]
		models[n.GPUModel]++
	}
	// FGD.md §1.1: 1213 nodes, 6212 GPUs, 107,018,000 milli-cores, C = 6,212,000.
	if gpus != 6212 || cpu != 107018000 || gpuMilli != 6212000 {
		t.Errorf("totals: %d GPUs, %d milli-cores, %d milli-GPU; want 6212, 107018000, 6212000", gpus, cpu, gpuMilli)
	}
	if models["G2"] != 549 || models["T4"] != 404 || models["A10"] != 2 {
		t.Errorf("model counts %v", models)
	}
	for _, n := range []int{1, 10, 100, 500, 2426, 5000} {
		got := OpenBNodes(n)
		if len(got) != n {
			t.Errorf("OpenBNodes(%d) has %d nodes", n, len(got))
		}
	}
	if got := OpenBNodes(2426); countModel(got, "G2") != 1098 {
		t.Errorf("doubling: %d G2 nodes, want 1098", countModel(got, "G2"))
	}
	if OpenBNodes(0) != nil {
		t.Error("OpenBNodes(0) is not nil")
	}
}

func countModel(nodes []scheduler.Node, m string) int {
	c := 0
	for _, n := range nodes {
		if n.GPUModel == m {
			c++
		}
	}
	return c
}

func TestAlibabaGPUPodMixMatchesFGD(t *testing.T) {
	c := DefaultAlibabaGPU()
	c.Jobs = 100000
	c.GangFraction = 0.02
	g, err := NewAlibabaGPU(c, 9)
	if err != nil {
		t.Fatal(err)
	}
	nodes := g.Nodes()
	var kinds [numPodKinds]float64
	var gangs, single float64
	var shareSum float64
	for {
		j, err := g.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := range j.Tasks {
			if !fitsSomewhere(&j.Tasks[i], nodes) {
				t.Fatalf("job %d task %d (%v, %d×%d GPU) fits no node", j.ID, i, j.Tasks[i].Request, j.Tasks[i].GPUCount, j.Tasks[i].GPUMilli)
			}
		}
		if j.MinMember > 0 {
			gangs++
			if int(j.MinMember) != len(j.Tasks) {
				t.Fatalf("gang %d: MinMember %d of %d", j.ID, j.MinMember, len(j.Tasks))
			}
			continue
		}
		single++
		tk := &j.Tasks[0]
		switch {
		case tk.GPUCount == 0:
			kinds[PodCPUOnly]++
		case tk.GPUMilli < 1000:
			kinds[PodShare]++
			shareSum += float64(tk.GPUMilli)
		default:
			kinds[map[int32]int{1: PodGPU1, 2: PodGPU2, 4: PodGPU4, 8: PodGPU8}[tk.GPUCount]]++
		}
	}
	n := single + gangs
	within(t, "gang fraction", gangs/n, 0.02, 4*math.Sqrt(0.02*0.98/n))
	fgd := [numPodKinds]float64{1088, 3078, 3911, 16, 15, 44} // FGD.md §1.2, of 8152 pods
	for k := range fgd {
		p := fgd[k] / 8152
		within(t, "pod kind share", kinds[k]/single, p, 4*math.Sqrt(p*(1-p)/single)+1e-4)
	}
	// The mean share-pod milli-GPU derived from FGD.md §1.2 is 562.6.
	within(t, "mean share milli-GPU", shareSum/kinds[PodShare], 562.6, 5)
}

// fitsSomewhere reports whether a task fits an empty node of the list.
func fitsSomewhere(tk *scheduler.Task, nodes []scheduler.Node) bool {
	for i := range nodes {
		if tk.Request.LessEq(nodes[i].Capacity) && int(tk.GPUCount) <= nodes[i].GPUs {
			return true
		}
	}
	return false
}

func TestAlibabaGPURateOffersTheLoad(t *testing.T) {
	c := DefaultAlibabaGPU()
	c.Jobs = 200000
	c.Nodes = 300
	g, err := NewAlibabaGPU(c, 4)
	if err != nil {
		t.Fatal(err)
	}
	var work float64 // milli-GPU seconds
	var last scheduler.Time
	for {
		j, err := g.Next()
		if err == io.EOF {
			break
		}
		for i := range j.Tasks {
			work += float64(j.Tasks[i].Request[scheduler.GPU]) * j.Tasks[i].Runtime.Seconds()
		}
		last = j.Submit
	}
	var capacity float64
	for _, n := range OpenBNodes(300) {
		capacity += float64(n.Capacity[scheduler.GPU])
	}
	load := work / last.Seconds() / capacity
	within(t, "offered GPU load", load, c.Load, 0.05*c.Load)
}
