package scheduler

import "testing"

func TestSmokeRun(t *testing.T) {
	var nodes []Node
	for i := 0; i < 4; i++ {
		nodes = append(nodes, Node{Capacity: Res(4000, 8192, 0)})
	}
	var jobs []*Job
	for i := 0; i < 20; i++ {
		j := &Job{ID: JobID(i), Submit: Time(i) * Second, Tasks: make([]Task, 3)}
		for k := range j.Tasks {
			j.Tasks[k] = Task{Request: Res(1000, 1024, 0), Runtime: 10 * Second}
		}
		if i%5 == 0 {
			j.MinMember = 3
		}
		jobs = append(jobs, j)
	}
	m, err := NewMonolithic(MonolithicConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Nodes = nodes
	sim, err := NewSim(cfg, &SliceSource{Jobs: jobs}, m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run()
	if err != nil {
		t.Fatal(err)
	}
	if res.TasksCompleted != 60 || res.JobsCompleted != 20 {
		t.Fatalf("%+v", res)
	}
	if msg := sim.State.CheckInvariants(); msg != "" {
		t.Fatal(msg)
	}
	t.Logf("%+v", res)
}
