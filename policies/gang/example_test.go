package gang_test

import (
	"fmt"

	"github.com/schedlab/schedlab/policies/gang"
	"github.com/schedlab/schedlab/scheduler"
)

// Two gangs of 6 one-CPU tasks on 10 one-CPU nodes, whose pods reach the queue
// interleaved (kube-batch#158). Strict placement runs one gang after the other;
// NonStrict accumulation without a timeout leaves each holding 5 nodes: a terminal
// deadlock that stops the run.
func Example() {
	jobs := func() []*scheduler.Job {
		var out []*scheduler.Job
		for id := 1; id <= 2; id++ {
			j := &scheduler.Job{ID: scheduler.JobID(id), MinMember: 6, Tasks: make([]scheduler.Task, 6)}
			for i := range j.Tasks {
				j.Tasks[i] = scheduler.Task{Index: int32(i), Request: scheduler.Res(1000, 1024, 0), Runtime: 60 * scheduler.Second}
			}
			out = append(out, j)
		}
		return out
	}
	cfg := scheduler.DefaultConfig()
	for i := 0; i < 10; i++ {
		cfg.Nodes = append(cfg.Nodes, scheduler.Node{Capacity: scheduler.Res(1000, 1024, 0)})
	}
	strict := gang.DefaultConfig(gang.Strict)
	nonstrict := gang.DefaultConfig(gang.NonStrict)
	nonstrict.Order = gang.Interleave
	nonstrict.Timeout = scheduler.Forever
	for _, c := range []gang.Config{strict, nonstrict} {
		s, err := gang.New(c)
		if err != nil {
			panic(err)
		}
		res, err := scheduler.Run(cfg, &scheduler.SliceSource{Jobs: jobs()}, s)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-9s jobs completed %d/2, stop %q, terminal deadlock %v\n",
			c.Variant, res.JobsCompleted, res.StopReason, res.Deadlock.Terminal)
	}
	// Output:
	// strict    jobs completed 2/2, stop "drained", terminal deadlock false
	// nonstrict jobs completed 0/2, stop "terminal deadlock", terminal deadlock true
}
