package mesos

import (
	"fmt"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
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

// TestOfferTimeoutRescinds: a framework that takes 10 s per decision loses every
// offer to a 2 s offer timeout: nothing it decides is launched, the attempt rule
// finally abandons the job, and no offer stays locked longer than the timeout;
// without it, each offer stays locked for the whole 10 s decision and the job runs.
func TestOfferTimeoutRescinds(t *testing.T) {
	run := func(timeout scheduler.Time) *scheduler.Result {
		slow := DefaultFrameworkConfig("slow", scheduler.Batch)
		slow.DecisionJob = 10 * scheduler.Second
		slow.MaxAttemptsNothing = 3
		cfg := DefaultConfig()
		cfg.Frameworks = []FrameworkConfig{slow}
		cfg.OfferTimeout = timeout
		cfg.Check = true
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		sc := scheduler.DefaultConfig()
		sc.Nodes = nodes(2, 4000, 16384)
		res, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: []*scheduler.Job{
			mkJob(1, "", 0, 0, scheduler.Res(1000, 1024, 0), 5*scheduler.Second)}}, m)
		if err != nil {
			t.Fatal(err)
		}
		if v := m.Violation(); v != "" {
			t.Fatal(v)
		}
		return res
	}
	with, without := run(2*scheduler.Second), run(0)
	if with.Extra[KeyRescinded] < 1 || with.TasksCompleted != 0 || with.JobsAbandoned != 1 {
		t.Errorf("with the timeout: want rescinded offers, nothing run and the job abandoned; got rescinded=%v completed=%d abandoned=%d",
			with.Extra[KeyRescinded], with.TasksCompleted, with.JobsAbandoned)
	}
	if without.Extra[KeyRescinded] != 0 || without.JobsCompleted != 1 {
		t.Errorf("without the timeout: want the job done, got rescinded=%v completed=%d", without.Extra[KeyRescinded], without.JobsCompleted)
	}
	if a, b := with.Extra[KeyMaxLock], without.Extra[KeyMaxLock]; a != 2 || b != 10 {
		t.Errorf("longest lock of one offer: %v s with the 2 s timeout (want 2), %v s without (want 10)", a, b)
	}
}

// TestReleasePartial: on its hold timeout a partial gang under ReleasePartial gives
// back the newest half of its members (one of two) and keeps the rest.
func TestReleasePartial(t *testing.T) {
	cfg, jobs := twoGangs(60*scheduler.Second, 10*scheduler.Second)
	for i := range cfg.Frameworks {
		cfg.Frameworks[i].Release = ReleasePartial
	}
	tr := &schedtest.Recorder{Keep: true}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes, sc.Observer = nodes(4, 4000, 16384), tr
	res, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: jobs}, m)
	if err != nil {
		t.Fatal(err)
	}
	if v := m.Violation(); v != "" {
		t.Fatal(v)
	}
	var first []string
	for _, l := range tr.Lines() {
		if strings.Contains(l, "unhold") {
			first = append(first, l)
		}
	}
	if len(first) == 0 || !strings.Contains(first[0], "task 2/1") || strings.Contains(strings.Join(first, "\n"), "70.000s unhold   task 2/0") {
		t.Errorf("want gang-a to release only its newest member (2/1) at 70 s, got:\n%s", strings.Join(first, "\n"))
	}
	if res.Deadlock.Terminal || res.JobsCompleted != 3 {
		t.Errorf("want all jobs done without a terminal deadlock, got %d completed, %+v", res.JobsCompleted, res.Deadlock)
	}
}

// TestFilterHidesUntilNodeFreesMore: a decline filter hides a node only while what
// it offers is a subset of what was declined there. One 4-core node; a 2-core
// filler runs 0–10 s; a 3-core task arrives at 1 s. The 2 free cores are declined
// with an 8 s filter at 0 s and again at 8 s (the task does not fit). When the
// filler ends at 10 s the node offers 4 cores, not a subset: it is offered at once
// and the task starts at 10 s. With whole-node filters it waits for the filter
// set at 8 s to expire, at 16 s.
func TestFilterHidesUntilNodeFreesMore(t *testing.T) {
	start := func(whole bool) scheduler.Time {
		b := DefaultFrameworkConfig("batch", scheduler.Batch)
		b.RefuseSeconds, b.IdleRefuse = 8*scheduler.Second, 8*scheduler.Second
		cfg := DefaultConfig()
		cfg.Frameworks = []FrameworkConfig{b}
		cfg.FilterWholeNode = whole
		cfg.Check = true
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		sc := scheduler.DefaultConfig()
		sc.Nodes = nodes(1, 4000, 16384)
		filler := mkJob(1, "batch", 0, 0, scheduler.Res(2000, 1024, 0), 10*scheduler.Second)
		big := mkJob(2, "batch", scheduler.Second, 0, scheduler.Res(3000, 1024, 0), scheduler.Second)
		if _, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: []*scheduler.Job{filler, big}}, m); err != nil {
			t.Fatal(err)
		}
		if v := m.Violation(); v != "" {
			t.Fatal(v)
		}
		return big.Tasks[0].Started
	}
	if got := start(false); got != 10*scheduler.Second {
		t.Errorf("subset filters: the 3-core task started at %v, want 10s", got)
	}
	if got := start(true); got != 16*scheduler.Second {
		t.Errorf("whole-node filters: the 3-core task started at %v, want 16s", got)
	}
}
