package omega_test

import (
	"fmt"

	"github.com/schedlab/schedlab/policies/omega"
	"github.com/schedlab/schedlab/scheduler"
)

// Two schedulers race for one 4-core machine: both plan at t=0, the batch
// scheduler (1 s decision) commits first, and the service scheduler's claim (2 s
// decision) no longer fits. It is rolled back; the job retries 1 s later and
// succeeds once the batch task has finished.
func Example() {
	cfg := omega.DefaultConfig()
	cfg.Batch = omega.DecisionTime{Job: scheduler.Second}
	cfg.Service = omega.DecisionTime{Job: 2 * scheduler.Second}
	o, err := omega.New(cfg)
	if err != nil {
		panic(err)
	}
	job := func(id int, class scheduler.Class, cpu int64, runtime scheduler.Time) *scheduler.Job {
		return &scheduler.Job{ID: scheduler.JobID(id), Class: class,
			Tasks: []scheduler.Task{{Request: scheduler.Res(cpu, 1024, 0), Runtime: runtime}}}
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes = []scheduler.Node{{Capacity: scheduler.Res(4000, 16384, 0)}}
	jobs := []*scheduler.Job{job(1, scheduler.Batch, 3000, 2*scheduler.Second), job(2, scheduler.Service, 2000, 10*scheduler.Second)}
	res, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: jobs}, o)
	if err != nil {
		panic(err)
	}
	fmt.Printf("transactions %d, conflicted %d, conflict fraction %.2f\n", res.Conflicts.Transactions, res.Conflicts.Conflicted, res.Conflicts.Fraction)
	fmt.Printf("service job started at %v\n", jobs[1].Started)
	// Output:
	// transactions 3, conflicted 1, conflict fraction 0.50
	// service job started at 5s
}
