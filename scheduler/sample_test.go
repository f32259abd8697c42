package scheduler

import "testing"

// A sample interval far below the run's length must not grow the series without
// bound: it coarsens to at most MaxSamples points, evenly spaced by the interval
// reported in Result.SampleEvery.
func TestSampleSeriesBounded(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "n0", Capacity: Res(4000, 4096, 0)}}
	cfg.SampleEvery = Microsecond
	jobs := []*Job{{ID: 1, Tasks: []Task{{Request: Res(1000, 1024, 0), Runtime: 10 * Second}}}}
	sched, err := NewMonolithic(MonolithicConfig{Placer: &FirstFit{}})
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
	sched, _ = NewMonolithic(MonolithicConfig{Placer: &FirstFit{}})
	res, err = Run(cfg, &SliceSource{Jobs: jobs}, sched)
	if err != nil {
		t.Fatal(err)
	}
	if res.SampleEvery != 1 || len(res.Series) < 10 {
		t.Errorf("1s interval: %d samples every %gs", len(res.Series), res.SampleEvery)
	}
}
