package bench

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func TestParseCluster(t *testing.T) {
	nodes, err := ParseCluster("nodes=3,cpu=4000,mem=8192,gpu=2,gpumodel=V100,racks=2+nodes=1,cpu=1000,mem=512")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 4 {
		t.Fatalf("got %d nodes", len(nodes))
	}
	n := nodes[1]
	if n.Name != "node-1" || n.Capacity != (scheduler.Resources{4000, 8192, 2000, 0}) || n.GPUs != 2 || n.GPUModel != "V100" || n.Domain != "rack-1" {
		t.Fatalf("node 1 = %+v", n)
	}
	if nodes[3].Capacity != scheduler.Res(1000, 512, 0) || nodes[3].ID != 3 || nodes[3].Domain != "" {
		t.Fatalf("node 3 = %+v", nodes[3])
	}
	for _, bad := range []struct{ spec, want string }{
		{"nodes=0", `nodes="0": want a value in [1, 2000000] machines`},
		{"nodes=-3", `nodes="-3": want a value in [1, 2000000]`},
		{"nodes=2000001", `nodes="2000001": want a value in [1, 2000000]`},
		{"nodes=1500000+nodes=600000", "2100000 machines in all, more than 2000000"},
		{"nodes=4+", "an empty shape"},
		{"nodes=4++nodes=2", "an empty shape"},
		{"cpu=-1", `cpu="-1": want a value in [1, 1000000000] milli-cores`},
		{"gpu=-1", `gpu="-1": want a value in [0, 64] GPUs`},
		{"gpu=65", `gpu="65": want a value in [0, 64] GPUs`},
		{"cpu=NaN", `cpu="NaN": want an integer`},
		{"nodes=x", `nodes="x": want an integer`},
		{"cores=4", `unknown key "cores"`},
		{"nodes=2,nodes=3", `key "nodes" given twice`},
		{"nodes", `"nodes" is not key=value`},
		{"", "empty cluster spec"},
	} {
		_, err := ParseCluster(bad.spec)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseCluster(%q) = %v, want error containing %q", bad.spec, err, bad.want)
		}
	}
}

func TestRunFillsNamesAndWallClock(t *testing.T) {
	res, err := Run(RunSpec{Workload: "tiny:jobs=20", Cluster: "nodes=4,cpu=4000,mem=8192", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scheduler != "monolithic" || res.Placer != "bestfit" || res.Workload != "tiny:jobs=20" || res.Seed != 3 {
		t.Fatalf("names: %q %q %q %d", res.Scheduler, res.Placer, res.Workload, res.Seed)
	}
	if res.JobsSubmitted != 20 || res.JobsCompleted != 20 || res.WallSeconds <= 0 || res.EventsPerSecond <= 0 {
		t.Fatalf("result: %+v", res)
	}
}

func TestRunUsageErrorsNameTheField(t *testing.T) {
	for _, c := range []struct {
		spec         RunSpec
		field, wants string
	}{
		{RunSpec{Scheduler: "nope", Workload: "tiny"}, "scheduler", "(valid: "},
		{RunSpec{Placer: "nope", Workload: "tiny"}, "placer", "firstfit"},
		{RunSpec{Placer: "bestfit:key=foo", Workload: "tiny"}, "placer", "unknown resource"},
		{RunSpec{Scheduler: "monolithic:tjob=1", Workload: "tiny"}, "scheduler", "unknown parameter(s) tjob"},
		{RunSpec{Workload: "nope"}, "workload", "tiny"},
		{RunSpec{Workload: "tiny:jobs=x"}, "workload", "want an integer"},
		{RunSpec{Workload: "trace:borg"}, "workload", "trace:FORMAT:PATH"},
		{RunSpec{Workload: "tiny", Cluster: "nodes=-1"}, "cluster", `nodes="-1": want a value in [1, 2000000]`},
		{RunSpec{Workload: "tiny", Cluster: "trace"}, "cluster", "no machines of its own"},
		{RunSpec{Workload: "tiny", Horizon: -1}, "horizon", "negative"},
	} {
		_, err := Run(c.spec)
		ue, ok := IsUsage(err)
		if !ok || ue.Field != c.field || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("Run(%+v) = %v (usage %v, field %q), want %s error containing %q", c.spec, err, ok, fieldOf(ue), c.field, c.wants)
		}
	}
}

func fieldOf(u *UsageError) string {
	if u == nil {
		return ""
	}
	return u.Field
}

func TestRunDeterministic(t *testing.T) {
	spec := RunSpec{Workload: "tiny:jobs=30", Cluster: "nodes=3,cpu=4000,mem=8192", Seed: 9, SampleEvery: 10 * scheduler.Second}
	a, err := Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() != b.Hash() || len(a.Series) == 0 {
		t.Fatalf("same seed, different results (or no series: %d samples)", len(a.Series))
	}
	spec.Seed = 10
	c, _ := Run(spec)
	if c.Hash() == a.Hash() {
		t.Fatal("different seeds gave identical results: the seed does not reach the workload")
	}
}

func TestRunCellsRecoversPanicsAndKeepsOrder(t *testing.T) {
	cells := make([]Cell, 5)
	for i := range cells {
		i := i
		cells[i] = Cell{Labels: []Label{{"i", string(rune('a' + i))}}, Seed: uint64(i), Run: func() (*scheduler.Result, error) {
			switch i {
			case 2:
				panic("boom")
			case 3:
				return nil, errors.New("bad cell")
			}
			return Run(RunSpec{Workload: "tiny:jobs=5", Cluster: "nodes=2,cpu=4000,mem=8192", Seed: uint64(i)})
		}}
	}
	res, errs := RunCells(cells, 3, nil)
	if !errors.Is(errs[2], ErrPanic) || errs[3] == nil || res[2] != nil || res[3] != nil {
		t.Fatalf("errs = %v", errs)
	}
	for _, i := range []int{0, 1, 4} {
		if errs[i] != nil || res[i] == nil || res[i].Seed != uint64(i) {
			t.Fatalf("cell %d: %v %v", i, res[i], errs[i])
		}
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
		res, err := Run(RunSpec{Scheduler: sched, Workload: "gang-burst", Cluster: "nodes=16,cpu=64000,mem=262144,gpu=8", Seed: 1, Horizon: 3 * scheduler.Hour})
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
	cell := meanCICell(&Group{Results: []*scheduler.Result{starve}}, MetricWaitP50)
	if !strings.HasPrefix(cell, "> ") {
		t.Fatalf("table cell %q, want a lower bound", cell)
	}
}
