package families_test

import (
	"fmt"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/bench/families"
)

// A registry holds only the families registered in it: here the placers and
// the monolithic scheduler, and the workload generators, but no gang family.
func ExampleRegisterBinpack() {
	r := bench.NewRegistry()
	families.RegisterBinpack(r)
	families.RegisterWorkloads(r)
	res, err := r.Run(bench.RunSpec{Scheduler: "monolithic", Placer: "bestfit",
		Workload: "synthetic:jobs=50", Cluster: "nodes=10,cpu=32000,mem=131072", Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.JobsSubmitted, res.JobsCompleted)
	_, err = r.Run(bench.RunSpec{Scheduler: "gang-strict", Workload: "synthetic:jobs=50", Seed: 1})
	fmt.Println(err)
	// Output:
	// 50 50
	// unknown scheduler "gang-strict" (valid: monolithic)
}
