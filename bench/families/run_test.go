package families

import (
	"math"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// A placer's own validation is a usage error naming the placer field.
func TestRunPlacerParameterError(t *testing.T) {
	_, err := testRegistry.Run(bench.RunSpec{Placer: "bestfit:key=foo", Workload: "tiny"})
	ue, ok := bench.IsUsage(err)
	if !ok || ue.Field != "placer" || !strings.Contains(err.Error(), "unknown resource") {
		t.Fatalf("bestfit:key=foo: %v, want a placer usage error naming the unknown resource", err)
	}
}

// The issue-14 gang run: a placeholder scheduler without a timeout deadlocks
// with 27 of 104 submitted jobs done. Its waits count all 104, the 77 that never
// started censored at the stop, so its p50 is "beyond the longest observed wait"
// and cannot look better than that of monolithic, which starts every job; the
// started-only form is what used to be reported (p50 0 over 27).
func TestStarvingPolicyHasWorseCensoredWait(t *testing.T) {
	run := func(sched string) *scheduler.Result {
		t.Helper()
		res, err := testRegistry.Run(bench.RunSpec{Scheduler: sched, Workload: "gang-burst", Cluster: "nodes=16,cpu=64000,mem=262144,gpu=8", Seed: 1, Horizon: 3 * scheduler.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	starve, mono := run("gang-placeholder:order=fair,timeout=forever"), run("monolithic")
	w := starve.JobWait
	if !starve.Deadlock.Terminal || w.N != 104 || w.N != starve.JobsSubmitted || w.NCensored == 0 || w.NStarted+w.NCensored != w.N {
		t.Fatalf("starving run: deadlock %v, job wait %+v over %d submitted", starve.Deadlock.Terminal, w, starve.JobsSubmitted)
	}
	if !math.IsNaN(w.P50) || w.Above <= 0 {
		t.Fatalf("starving run's censored p50 %v (bound %v): want null beyond the longest observation", w.P50, w.Above)
	}
	if s := starve.JobWaitStarted; s.N != w.NStarted || s.P50 >= mono.JobWait.P50 {
		t.Fatalf("started-only wait %+v: the flattering form this replaces should look better than monolithic's p50 %v", s, mono.JobWait.P50)
	}
	mw := mono.JobWait
	if mw.NCensored != 0 || math.IsNaN(mw.P50) || mw.N != mono.JobsSubmitted {
		t.Fatalf("monolithic job wait %+v", mw)
	}
	// Worse: the starving p50 exceeds a bound that is itself above monolithic's p50.
	if w.Above <= mw.P50 {
		t.Fatalf("starving p50 > %v is not worse than monolithic's %v", w.Above, mw.P50)
	}
	cell := bench.IntervalOf(&bench.Group{Results: []*scheduler.Result{starve}}, bench.MetricWaitP50).Cell()
	if !strings.HasPrefix(cell, "> ") {
		t.Fatalf("table cell %q, want a lower bound", cell)
	}
}
