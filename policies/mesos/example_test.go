package mesos_test

import (
	"fmt"

	"github.com/schedlab/schedlab/policies/mesos"
	"github.com/schedlab/schedlab/scheduler"
)

// Two frameworks share a two-node cell: the batch framework's job of four 1-core
// tasks and the service framework's job of two 2-core tasks are placed from offers
// made in DRF order, one allocation interval apart.
func Example() {
	cfg := mesos.DefaultConfig()
	m, err := mesos.New(cfg)
	if err != nil {
		panic(err)
	}
	nodes := []scheduler.Node{
		{Name: "a", Capacity: scheduler.Res(4000, 8192, 0)},
		{Name: "b", Capacity: scheduler.Res(4000, 8192, 0)},
	}
	job := func(id int, c scheduler.Class, n int, cpu int64) *scheduler.Job {
		j := &scheduler.Job{ID: scheduler.JobID(id), Class: c, Tasks: make([]scheduler.Task, n)}
		for i := range j.Tasks {
			j.Tasks[i] = scheduler.Task{Index: int32(i), Request: scheduler.Res(cpu, 1024, 0), Runtime: 30 * scheduler.Second}
		}
		return j
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes = nodes
	res, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: []*scheduler.Job{
		job(1, scheduler.Batch, 4, 1000), job(2, scheduler.Service, 2, 2000)}}, m)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Frameworks())
	fmt.Printf("jobs completed %d/%d, offers %.0f\n", res.JobsCompleted, res.JobsSubmitted, res.Extra[mesos.KeyOffers])
	fmt.Printf("locked fraction %.3f\n", res.Extra[mesos.KeyLockedFraction])
	// Output:
	// [batch service]
	// jobs completed 2/2, offers 2
	// locked fraction 0.006
}
