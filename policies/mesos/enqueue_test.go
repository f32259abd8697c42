package mesos

import (
	"fmt"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// Enqueueing a gang's tasks again while they are pending must not duplicate
// them, on both sides of the length where the duplicate check switches from a
// scan to a set.
func TestEnqueueDedup(t *testing.T) {
	for _, n := range []int{3, 15, 16, 17, 40} {
		t.Run(fmt.Sprint("n=", n), func(t *testing.T) {
			cfg := scheduler.DefaultConfig()
			cfg.Nodes = []scheduler.Node{{Name: "n0", Capacity: scheduler.Res(1000, 1024, 0)}, {Name: "n1", Capacity: scheduler.Res(1000, 1024, 0)}}
			job := &scheduler.Job{ID: 1, MinMember: int32(n), Tasks: make([]scheduler.Task, n)}
			for i := range job.Tasks {
				job.Tasks[i] = scheduler.Task{Index: int32(i), Request: scheduler.Res(10, 10, 0), Runtime: scheduler.Second}
			}
			m, err := New(DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			sim, err := scheduler.NewSim(cfg, &scheduler.SliceSource{Jobs: []*scheduler.Job{job}}, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Init(); err != nil {
				t.Fatal(err)
			}
			for m.jobs[1] == nil && sim.Step() {
			}
			e := m.jobs[1]
			if e == nil || len(e.pending) != n {
				t.Fatal("gang not pending with all its tasks")
			}
			again := make([]*scheduler.Task, 0, 2*n)
			for i := range job.Tasks {
				again = append(again, &job.Tasks[n-1-i], &job.Tasks[i])
			}
			m.Enqueue(again)
			if len(e.pending) != n {
				t.Errorf("%d pending after enqueueing them again, want %d", len(e.pending), n)
			}
			for sim.Step() {
			}
			res, err := sim.Result()
			if err != nil {
				t.Fatal(err)
			}
			if res.TasksCompleted != n {
				t.Errorf("%d tasks completed, want %d", res.TasksCompleted, n)
			}
		})
	}
}
