package scheduler

import (
	"fmt"
	"slices"
	"testing"
)

// hooked is a scheduler whose handlers log their calls, fail the test when one is
// entered while another runs, and run the test's hook on every Enqueue.
type hooked struct {
	t     *testing.T
	sim   *Sim
	in    bool
	log   []string
	onEnq func(h *hooked, tasks []*Task)
}

func (h *hooked) Attach(sim *Sim) error { h.sim = sim; return nil }

func (h *hooked) enter(what string) {
	if h.in {
		h.t.Fatalf("%s called while another handler runs (re-entered); calls so far: %v", what, h.log)
	}
	h.in = true
	h.log = append(h.log, what)
}

func (h *hooked) Enqueue(tasks []*Task) {
	what := "enqueue"
	for _, t := range tasks {
		what += fmt.Sprintf(" %d/%d", t.Job.ID, t.Index)
	}
	h.enter(what)
	if h.onEnq != nil {
		h.onEnq(h, tasks)
	}
	h.in = false
}

func (h *hooked) Released(id NodeID) {
	h.enter(fmt.Sprintf("released %d", id))
	h.in = false
}

func twoNodeConfig() Config {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "n0", Capacity: Res(4000, 4096, 0)}, {Name: "n1", Capacity: Res(4000, 4096, 0)}}
	return cfg
}

func oneTask(id JobID, runtime Time, after ...JobID) *Job {
	return &Job{ID: id, After: after, Tasks: []Task{{Request: Res(1000, 1024, 0), Runtime: runtime}}}
}

// TestHandlersAreNotReentered: what a handler causes — an Unhold, the Fail of a
// held task, the Fail of a job's last task (which releases the job that waited
// for it), an Evict — reaches the scheduler only after the handler returns, in
// the order it was raised, and Sim.Notices counts it at once.
func TestHandlersAreNotReentered(t *testing.T) {
	job1 := &Job{ID: 1, Tasks: []Task{{Request: Res(1000, 1024, 0), Runtime: 10 * Second}, {Index: 1, Request: Res(1000, 1024, 0), Runtime: 10 * Second}}}
	job2 := oneTask(2, 10*Second, 1)
	h := &hooked{t: t}
	evicted := false
	h.onEnq = func(h *hooked, tasks []*Task) {
		sim := h.sim
		switch j := tasks[0].Job; {
		case j.ID == 1:
			for _, tk := range tasks {
				if st := sim.Hold(tk, 0, 0); !st.IsOK() {
					t.Fatal(st)
				}
			}
			n := sim.Notices()
			sim.Unhold(tasks[0], "test")
			if sim.Notices() != n+1 {
				t.Fatalf("Notices after an Unhold = %d, want %d (counted when raised)", sim.Notices(), n+1)
			}
			sim.Fail(tasks[1], "held, failed")
			sim.Fail(tasks[0], "pending, failed: job 1 ends and releases job 2")
		case j.ID == 2 && !evicted:
			evicted = true
			if st := sim.Start(tasks[0], 1, 0); !st.IsOK() {
				t.Fatal(st)
			}
			sim.Evict(tasks[0], "test")
		default:
			if st := sim.Start(tasks[0], 1, 0); !st.IsOK() {
				t.Fatal(st)
			}
		}
	}
	res, err := Run(twoNodeConfig(), &SliceSource{Jobs: []*Job{job1, job2}}, h)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"enqueue 1/0 1/1",
		"released 0",  // the Unhold
		"released 0",  // the Fail of the held task
		"enqueue 2/0", // job 1 ended, job 2 waited for it
		"enqueue 2/0", // the Evict resubmits
		"released 1",  // ... and frees the node
		"released 1",  // the restarted task finished
	}
	if !slices.Equal(h.log, want) {
		t.Fatalf("calls:\n%q\nwant:\n%q", h.log, want)
	}
	if res.TasksCompleted != 1 {
		t.Fatalf("completed %d tasks, want 1", res.TasksCompleted)
	}
}

// TestNoticesRaisedByAHandlerComeFirst: a finish raises Enqueue (a job that
// waited) and Released (its node); the Enqueue handler unholds a task on another
// node, and that Released is delivered before the finish's own, as a direct call
// would have ordered them.
func TestNoticesRaisedByAHandlerComeFirst(t *testing.T) {
	jobs := []*Job{oneTask(1, 5*Second), oneTask(2, Second), oneTask(3, Second, 1)}
	var held *Task
	h := &hooked{t: t}
	h.onEnq = func(h *hooked, tasks []*Task) {
		switch tasks[0].Job.ID {
		case 1:
			h.sim.Start(tasks[0], 0, 0)
		case 2:
			held = tasks[0]
			h.sim.Hold(held, 1, 0)
		case 3:
			h.sim.Unhold(held, "test")
			h.sim.Start(held, 1, 0)
			h.sim.Start(tasks[0], 0, 0)
		}
	}
	if _, err := Run(twoNodeConfig(), &SliceSource{Jobs: jobs}, h); err != nil {
		t.Fatal(err)
	}
	want := []string{"enqueue 1/0", "enqueue 2/0", "enqueue 3/0", "released 1", "released 0", "released 1", "released 0"}
	if !slices.Equal(h.log, want) {
		t.Fatalf("calls:\n%q\nwant:\n%q", h.log, want)
	}
}

// TestCallsFromOutsideAHandlerAreDeliveredAtOnce: a harness that drives the run
// with Init and Step and calls a Sim method between steps gets the scheduler
// called before the method returns.
func TestCallsFromOutsideAHandlerAreDeliveredAtOnce(t *testing.T) {
	h := &hooked{t: t}
	var task *Task
	h.onEnq = func(h *hooked, tasks []*Task) { task = tasks[0]; h.sim.Start(task, 0, 0) }
	sim, err := NewSim(twoNodeConfig(), &SliceSource{Jobs: []*Job{oneTask(1, 10*Second)}}, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	sim.Step() // the arrival
	sim.Evict(task, "test")
	want := []string{"enqueue 1/0", "enqueue 1/0", "released 0"}
	if !slices.Equal(h.log, want) {
		t.Fatalf("calls after Evict returned:\n%q\nwant:\n%q", h.log, want)
	}
	if task.State != TaskRunning {
		t.Fatalf("the resubmitted task is %v, want running again", task.State)
	}
}
