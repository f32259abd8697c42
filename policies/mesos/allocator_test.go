package mesos

import (
	"fmt"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// TestDRFOrder: the allocator ranks frameworks by weighted dominant share, ties to
// the one registered first. On an 8-core, 32 GiB node, "cpu" runs a 4-core task
// (dominant share 50% CPU), "mem" a task of 8 GiB (25% memory, its dominant
// share), "idle" nothing; "suppressed" suppresses offers while it has no work.
func TestDRFOrder(t *testing.T) {
	for _, tc := range []struct {
		cpuWeight float64
		want      string
	}{
		{1, "[idle mem cpu]"}, // 0 < 0.25 < 0.5
		{4, "[idle cpu mem]"}, // 0.5/4 = 0.125 < 0.25
		{0.5, "[idle mem cpu]"},
	} {
		t.Run(fmt.Sprint("cpu_weight=", tc.cpuWeight), func(t *testing.T) {
			cpu := DefaultFrameworkConfig("cpu", scheduler.Batch)
			cpu.Weight = tc.cpuWeight
			sup := DefaultFrameworkConfig("suppressed", scheduler.Batch)
			sup.Suppress = true
			cfg := DefaultConfig()
			cfg.Frameworks = []FrameworkConfig{cpu, DefaultFrameworkConfig("mem", scheduler.Batch), DefaultFrameworkConfig("idle", scheduler.Batch), sup}
			cfg.Check = true
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			sc := scheduler.DefaultConfig()
			sc.Nodes = []scheduler.Node{{Name: "a", Capacity: scheduler.Res(8000, 32768, 0)}}
			jobs := []*scheduler.Job{
				mkJob(1, "cpu", 0, 0, scheduler.Res(4000, 1024, 0), scheduler.Forever),
				mkJob(2, "mem", 0, 0, scheduler.Res(1000, 8192, 0), scheduler.Forever),
			}
			sc.Horizon = 3 * scheduler.Second
			if _, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: jobs}, m); err != nil {
				t.Fatal(err)
			}
			if jobs[0].Started < 0 || jobs[1].Started < 0 {
				t.Fatalf("jobs did not start: %v %v", jobs[0].Started, jobs[1].Started)
			}
			for _, f := range m.fws {
				f.offers = nil // rank everyone, whatever is outstanding
			}
			order, wsum := m.drfOrder()
			var names []string
			for _, f := range order {
				names = append(names, f.cfg.Name)
			}
			if got := fmt.Sprint(names); got != tc.want {
				t.Errorf("DRF order %s, want %s", got, tc.want)
			}
			if want := tc.cpuWeight + 2; wsum != want {
				t.Errorf("weight sum %v, want %v (the suppressed idle framework does not count)", wsum, want)
			}
		})
	}
}

// TestFairScopeCapsOffers: with fair-share offers, a framework is never offered
// more than its fair share minus what it holds.
func TestFairScopeCapsOffers(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scope = ScopeFair
	cfg.Check = true
	cfg.Frameworks = []FrameworkConfig{DefaultFrameworkConfig("a", scheduler.Batch), DefaultFrameworkConfig("b", scheduler.Batch)}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes = []scheduler.Node{{Name: "n0", Capacity: scheduler.Res(4000, 16384, 0)}, {Name: "n1", Capacity: scheduler.Res(4000, 16384, 0)}}
	// Framework a wants 8 cores at time 0: with fair scope it gets 4 (half the cell)
	// in its first offer, the rest only later.
	j := mkJob(1, "a", 0, 0, scheduler.Res(1000, 1024, 0), 100*scheduler.Second, 100*scheduler.Second, 100*scheduler.Second,
		100*scheduler.Second, 100*scheduler.Second, 100*scheduler.Second, 100*scheduler.Second, 100*scheduler.Second)
	res, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: []*scheduler.Job{j}}, m)
	if err != nil {
		t.Fatal(err)
	}
	if v := m.Violation(); v != "" {
		t.Fatal(v)
	}
	first := m.fws[0].stats
	if res.JobsCompleted != 1 || first.offers < 2 {
		t.Errorf("want the job done over several capped offers, got %d completed, %d offers", res.JobsCompleted, first.offers)
	}
	if got := j.Tasks[4].Started - j.Tasks[0].Started; got <= 0 {
		t.Errorf("the fifth task started with the first (%v): the first offer was not capped at the fair share", got)
	}
}
