package bench_test

import (
	"fmt"
	"os"

	"github.com/schedlab/schedlab/bench"
)

func ExampleParseCluster() {
	nodes, err := bench.ParseCluster("nodes=2,cpu=8000,mem=32768,gpu=1,gpumodel=T4+nodes=1,cpu=4000,mem=16384")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range nodes {
		fmt.Printf("%s %v %q\n", n.Name, n.Capacity, n.GPUModel)
	}
	_, err = bench.ParseCluster("nodes=-2")
	fmt.Println(err)
	// Output:
	// node-0 cpu=8000m,mem=32768Mi,gpu=1000m "T4"
	// node-1 cpu=8000m,mem=32768Mi,gpu=1000m "T4"
	// node-2 cpu=4000m,mem=16384Mi ""
	// cluster "nodes=-2": parameter nodes="-2": want a value in [1, 2000000] machines
}

func ExampleTable() {
	t := &bench.Table{Header: []string{"placer", "util cpu"}}
	t.Add("bestfit", bench.Num(0.81234))
	t.Add("firstfit", bench.Num(0.7))
	t.WriteText(os.Stdout)
	// Output:
	// placer    util cpu
	// --------  --------
	// bestfit     0.8123
	// firstfit       0.7
}
