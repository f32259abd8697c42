package gang

import (
	"fmt"
	"slices"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// Enqueueing a gang's tasks again (in any order) while they are queued must not
// duplicate them and must leave the members in task index order, on both sides
// of the length where the duplicate check switches from a scan to a set.
func TestEnqueueDedup(t *testing.T) {
	for _, v := range []Variant{Strict, Permit, Placeholder, NonStrict} {
		for _, n := range []int{3, 15, 16, 17, 40} {
			t.Run(fmt.Sprintf("%v/n=%d", v, n), func(t *testing.T) {
				cfg := scheduler.DefaultConfig()
				cfg.Nodes = nodes(2, scheduler.Res(1000, 1024, 0))
				job := &scheduler.Job{ID: 1, MinMember: int32(n), Tasks: make([]scheduler.Task, n)}
				for i := range job.Tasks {
					job.Tasks[i] = scheduler.Task{Index: int32(i), Request: scheduler.Res(10, 10, 0), Runtime: scheduler.Second}
				}
				s, err := New(DefaultConfig(v))
				if err != nil {
					t.Fatal(err)
				}
				sim, err := scheduler.NewSim(cfg, &scheduler.SliceSource{Jobs: []*scheduler.Job{job}}, s)
				if err != nil {
					t.Fatal(err)
				}
				if err := sim.Init(); err != nil {
					t.Fatal(err)
				}
				for s.groups[1] == nil && sim.Step() {
				}
				g := s.groups[1]
				if g == nil || len(g.members) != n {
					t.Fatal("gang not queued with all its tasks")
				}
				again := make([]*scheduler.Task, 0, 2*n)
				for i := range job.Tasks {
					again = append(again, &job.Tasks[n-1-i], &job.Tasks[i])
				}
				s.Enqueue(again)
				if len(g.members) != n {
					t.Errorf("%d members after enqueueing them again, want %d", len(g.members), n)
				}
				if !slices.IsSortedFunc(g.members, func(a, b *member) int { return int(a.t.Index - b.t.Index) }) {
					t.Error("members out of task index order")
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
				// Tasks arriving out of index order, twice over, in one call.
				late := &scheduler.Job{ID: 2, MinMember: int32(n), Tasks: make([]scheduler.Task, n)}
				var rev []*scheduler.Task
				for i := range late.Tasks {
					late.Tasks[i] = scheduler.Task{Index: int32(i), Job: late, State: scheduler.TaskPending}
				}
				for range 2 {
					for i := n - 1; i >= 0; i-- {
						rev = append(rev, &late.Tasks[i])
					}
				}
				s.Enqueue(rev)
				if g := s.groups[2]; g == nil || len(g.members) != n ||
					!slices.IsSortedFunc(g.members, func(a, b *member) int { return int(a.t.Index - b.t.Index) }) {
					t.Errorf("tasks enqueued in reverse order twice: not %d members in task index order", n)
				}
			})
		}
	}
}

// Config.MaxBackoff: a negative value disables the retry backoff, as documented;
// a value below InitialBackoff is raised to it.
func TestNegativeMaxBackoffDisablesBackoff(t *testing.T) {
	for _, c := range []struct {
		max      scheduler.Time
		wantMax  scheduler.Time
		wantWait scheduler.Time // after 3 failures of a single pod
	}{
		{-1, -1, 0},
		{scheduler.Second / 2, scheduler.Second, scheduler.Second},
		{0, 10 * scheduler.Second, 4 * scheduler.Second},
	} {
		s, err := New(Config{Variant: Permit, MaxBackoff: c.max})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Config().MaxBackoff; got != c.wantMax {
			t.Errorf("MaxBackoff %v: after defaults %v, want %v", c.max, got, c.wantMax)
		}
		if got := s.stages.bo.Delay(3, 1); got != c.wantWait {
			t.Errorf("MaxBackoff %v: backoff after 3 failures %v, want %v", c.max, got, c.wantWait)
		}
	}
}
