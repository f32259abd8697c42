package scheduler

import (
	"errors"
	"testing"
)

// A sample interval far below the run's length must not grow the series without
// bound: it coarsens to at most MaxSamples points, evenly spaced by the interval
// reported in Result.SampleEvery.
func TestSampleSeriesBounded(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "n0", Capacity: Res(4000, 4096, 0)}}
	cfg.SampleEvery = Microsecond
	jobs := []*Job{{ID: 1, Tasks: []Task{{Request: Res(1000, 1024, 0), Runtime: 10 * Second}}}}
	sched, err := NewMonolithic(MonolithicConfig{Placer: &ScanFirstFit{}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(cfg, &SliceSource{Jobs: jobs}, sched)
	if err != nil {
		t.Fatal(err)
	}
	n := len(res.Series)
	if n == 0 || n > MaxSamples {
		t.Fatalf("%d samples, want 1..%d", n, MaxSamples)
	}
	// 10 s at 1 µs is 1e7 points: the interval must have doubled to at least
	// 1e7/MaxSamples µs.
	if res.SampleEvery < 1e-6*1e7/MaxSamples {
		t.Errorf("sample interval %gs after coarsening", res.SampleEvery)
	}
	for i := 1; i < n; i++ {
		if d := res.Series[i].Seconds - res.Series[i-1].Seconds; d < res.SampleEvery*0.999 || d > res.SampleEvery*1.001 {
			t.Fatalf("samples %d and %d are %gs apart, want %gs", i-1, i, d, res.SampleEvery)
		}
	}
	if last := res.Series[n-1].Seconds; last < 10-2*res.SampleEvery {
		t.Errorf("last sample at %gs: the series stops before the run ends (10s)", last)
	}
	// An interval the run never exceeds is kept as given.
	cfg.SampleEvery = Second
	sched, _ = NewMonolithic(MonolithicConfig{Placer: &ScanFirstFit{}})
	res, err = Run(cfg, &SliceSource{Jobs: jobs}, sched)
	if err != nil {
		t.Fatal(err)
	}
	if res.SampleEvery != 1 || len(res.Series) < 10 {
		t.Errorf("1s interval: %d samples every %gs", len(res.Series), res.SampleEvery)
	}
}

// A workload with more tasks in flight than Config.MaxLiveTasks stops with an
// error wrapping ErrLimit (a memory guard), not by exhausting memory.
func TestMaxLiveTasks(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "n0", Capacity: Res(1000, 1024, 0)}}
	cfg.MaxLiveTasks = 10
	var jobs []*Job
	for i := range 4 { // 4 × 4 tasks that never fit: all stay pending
		j := &Job{ID: JobID(i), Submit: Time(i) * Second}
		for range 4 {
			j.Tasks = append(j.Tasks, Task{Request: Res(500, 512, 0), Runtime: Hour})
		}
		jobs = append(jobs, j)
	}
	run := func(max int) error {
		cfg.MaxLiveTasks = max
		sched, err := NewMonolithic(MonolithicConfig{Placer: &ScanFirstFit{}})
		if err != nil {
			t.Fatal(err)
		}
		src := &SliceSource{Jobs: jobs}
		_, err = Run(cfg, src, sched)
		return err
	}
	if err := run(10); !errors.Is(err, ErrLimit) {
		t.Fatalf("16 live tasks with MaxLiveTasks 10: %v, want ErrLimit", err)
	}
	if err := run(16); err != nil {
		t.Fatalf("16 live tasks with MaxLiveTasks 16: %v", err)
	}
	if err := run(-1); err != nil {
		t.Fatalf("no limit: %v", err)
	}
}

// Enqueueing a gang's tasks again while they are queued must not duplicate them,
// on both sides of the length where the duplicate check switches from a scan to
// a set.
func TestMonolithicEnqueueDedup(t *testing.T) {
	for _, n := range []int{3, 15, 16, 17, 40} {
		cfg := DefaultConfig()
		cfg.Nodes = []Node{{Name: "n0", Capacity: Res(1000, 1024, 0)}, {Name: "n1", Capacity: Res(1000, 1024, 0)}}
		job := &Job{ID: 1, MinMember: int32(n), Tasks: make([]Task, n)}
		for i := range job.Tasks {
			job.Tasks[i] = Task{Index: int32(i), Request: Res(10, 10, 0), Runtime: Second}
		}
		m, err := NewMonolithic(MonolithicConfig{Placer: &ScanFirstFit{}})
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSim(cfg, &SliceSource{Jobs: []*Job{job}}, m)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Init(); err != nil {
			t.Fatal(err)
		}
		for m.gangs[1] == nil && s.Step() {
		}
		e := m.gangs[1]
		if e == nil || len(e.tasks) != n {
			t.Fatalf("n=%d: gang not queued with all its tasks", n)
		}
		again := make([]*Task, 0, 2*n)
		for i := range job.Tasks {
			again = append(again, &job.Tasks[i], &job.Tasks[n-1-i])
		}
		m.Enqueue(again)
		if len(e.tasks) != n {
			t.Errorf("n=%d: %d queued tasks after enqueueing them again, want %d", n, len(e.tasks), n)
		}
		for s.Step() {
		}
		res, err := s.Result()
		if err != nil {
			t.Fatal(err)
		}
		if res.TasksCompleted != n {
			t.Errorf("n=%d: %d tasks completed, want %d", n, res.TasksCompleted, n)
		}
	}
}
