package scheduler

import (
	"math"
	"strings"
	"testing"
)

// One node of 1000 milli-CPU: job 1 fills it over [0, 100 s); job 2 arrives at
// 100 s and takes half of it for 10,000 s. The whole run averages the drain tail
// in; the arrivals window does not.
func TestWindowModes(t *testing.T) {
	run := func(w Window) *Result {
		t.Helper()
		cfg := DefaultConfig()
		cfg.Nodes = []Node{{Name: "a", Capacity: Res(1000, 1024, 0)}}
		cfg.Window = w
		sched, err := NewMonolithic(MonolithicConfig{})
		if err != nil {
			t.Fatal(err)
		}
		jobs := []*Job{job(1, 0, 1, Res(1000, 0, 0), 100*Second), job(2, 100*Second, 1, Res(500, 0, 0), 10000*Second)}
		res, err := Run(cfg, &SliceSource{Jobs: jobs}, sched)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	for _, c := range []struct {
		name       string
		w          Window
		util       float64
		start, end float64
		perHour    float64
		empty      bool
	}{
		{"all", Window{}, (100*1000 + 10000*500) / (10100 * 1000.0), 0, 10100, 2 / (10100 / 3600.0), false},
		{"arrivals", Window{Mode: WindowArrivals}, 1, 0, 100, 36, false},
		{"arrivals+warmup", Window{Mode: WindowArrivals, Warmup: 50 * Second}, 1, 50, 100, 0, false},
		{"explicit", Window{Mode: WindowExplicit, Start: 50 * Second, End: 150 * Second}, 0.75, 50, 150, 36, false},
		{"explicit past the stop", Window{Mode: WindowExplicit, Start: 10000 * Second, End: 20000 * Second}, 0.5, 10000, 10100, 0, false},
		{"all+warmup", Window{Warmup: 100 * Second}, 0.5, 100, 10100, 1 / (10000 / 3600.0), false},
		{"warm-up past the last arrival", Window{Mode: WindowArrivals, Warmup: 200 * Second}, 0, 200, 100, 0, true},
	} {
		res := run(c.w)
		w := res.Window
		if !near(res.Utilization.CPU, c.util) || w.StartSeconds != c.start || w.EndSeconds != c.end || w.Empty != c.empty || !near(res.TasksPerHour, c.perHour) {
			t.Errorf("%s: utilization %v (want %v), window %+v (want [%v, %v) empty=%v), tasks/h %v (want %v)",
				c.name, res.Utilization.CPU, c.util, w, c.start, c.end, c.empty, res.TasksPerHour, c.perHour)
		}
		if w.Mode != c.w.Mode.String() || res.Makespan != 10100 {
			t.Errorf("%s: mode %q, makespan %v", c.name, w.Mode, res.Makespan)
		}
	}
}

func TestWindowValidate(t *testing.T) {
	for _, c := range []struct {
		w    Window
		want string
	}{
		{Window{Warmup: -1}, "negative window warm-up"},
		{Window{Mode: WindowExplicit, Start: 5 * Second, End: 5 * Second}, "want 0 <= start < end"},
		{Window{Mode: WindowExplicit, Start: -Second, End: 5 * Second}, "want 0 <= start < end"},
		{Window{Mode: WindowArrivals, End: 5 * Second}, "for the explicit mode"},
		{Window{Mode: 7}, "unknown window mode"},
	} {
		cfg := DefaultConfig()
		cfg.Window = c.w
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.w, err, c.want)
		}
	}
}
