package workload_test

import (
	"fmt"
	"io"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// A synthetic workload is a seeded stream of jobs in submit order.
func ExampleNewSynthetic() {
	cfg := workload.DefaultSynthetic()
	cfg.Jobs = 3
	cfg.Tasks = workload.Const(2)
	cfg.Runtime = workload.Const(90) // seconds
	cfg.CPU = workload.Const(500)    // milli-cores
	cfg.Mem = workload.Const(1024)   // MiB
	cfg.GangFraction = 0
	gen, err := workload.NewSynthetic(cfg, 1)
	if err != nil {
		panic(err)
	}
	for {
		j, err := gen.Next()
		if err == io.EOF {
			break
		}
		fmt.Printf("job %d: %d tasks of %v for %v\n", j.ID, len(j.Tasks), j.Tasks[0].Request, j.Tasks[0].Runtime)
	}
	// Output:
	// job 0: 2 tasks of cpu=500m,mem=1024Mi for 1m30s
	// job 1: 2 tasks of cpu=500m,mem=1024Mi for 1m30s
	// job 2: 2 tasks of cpu=500m,mem=1024Mi for 1m30s
}

// The embedded default's cluster is the openb GPU cluster of FGD.md, scaled to any
// number of nodes.
func ExampleOpenBNodes() {
	nodes := workload.OpenBNodes(workload.OpenBNodeCount)
	var gpus int
	var cpu int64
	for _, n := range nodes {
		gpus += n.GPUs
		cpu += n.Capacity[scheduler.CPU]
	}
	fmt.Println(len(nodes), "nodes,", gpus, "GPUs,", cpu/1000, "cores")
	fmt.Println(nodes[0].Name, nodes[0].GPUModel, nodes[0].Capacity)
	// Output:
	// 1213 nodes, 6212 GPUs, 107018 cores
	// openb-node-0000 G2 cpu=96000m,mem=393216Mi,gpu=8000m
}

// Distributions can be written as text, as in workload specs on the command line.
func ExampleParseDist() {
	d, err := workload.ParseDist("empirical(0:1;0.5:4;0.9:20;1:100)")
	if err != nil {
		panic(err)
	}
	fmt.Printf("median %.4g, p95 %.4g, mean %.4g\n", d.Quantile(0.5), d.Quantile(0.95), d.Mean())
	// Output:
	// median 4, p95 60, mean 12.05
}
