package scheduler_test

import (
	"fmt"

	"github.com/schedlab/schedlab/scheduler"
)

// A cluster of two nodes, three jobs (one of them a two-task GPU gang), the
// monolithic scheduler with best fit, and the result. Best fit on CPU packs the
// CPU-only job 2 onto the GPU node, so the gang waits until job 2 ends at 90 s.
func Example() {
	cfg := scheduler.DefaultConfig()
	cfg.Seed = 1
	cfg.Nodes = []scheduler.Node{
		{Name: "n0", Capacity: scheduler.Res(8000, 16384, 0)},    // 8 cores, 16 GiB
		{Name: "n1", Capacity: scheduler.Res(8000, 16384, 2000)}, // and 2 GPUs
	}
	mk := func(id int, at scheduler.Time, n int, req scheduler.Resources, run scheduler.Time) *scheduler.Job {
		j := &scheduler.Job{ID: scheduler.JobID(id), Submit: at, Tasks: make([]scheduler.Task, n)}
		for i := range j.Tasks {
			j.Tasks[i] = scheduler.Task{Index: int32(i), Request: req, Runtime: run}
		}
		return j
	}
	train := mk(3, 5*scheduler.Second, 2, scheduler.Res(2000, 4096, 1000), 60*scheduler.Second)
	train.MinMember = 2 // a gang: both tasks start together or not at all
	jobs := []*scheduler.Job{
		mk(1, 0, 4, scheduler.Res(2000, 2048, 0), 30*scheduler.Second),
		mk(2, 0, 2, scheduler.Res(4000, 8192, 0), 90*scheduler.Second),
		train,
	}
	sched, err := scheduler.NewMonolithic(scheduler.MonolithicConfig{Placer: scheduler.KeyBestFit{}})
	if err != nil {
		panic(err)
	}
	res, err := scheduler.Run(cfg, &scheduler.SliceSource{Jobs: jobs}, sched)
	if err != nil {
		panic(err)
	}
	fmt.Printf("completed %d/%d jobs in %.0f s\n", res.JobsCompleted, res.JobsSubmitted, res.SimSeconds)
	fmt.Printf("cpu utilization %.2f, gang wait p50 %.0f s\n", res.Utilization.CPU, res.GangWait.P50)
	// Output:
	// completed 3/3 jobs in 150 s
	// cpu utilization 0.50, gang wait p50 85 s
}
