package families

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// TestGangDeadlockScenarioSmall runs a reduced gang-deadlock sweep (two seeds, two
// timeouts, two variants, 60 jobs on 4 nodes) end to end, and checks the report:
// strict never holds or deadlocks, NonStrict without a timeout deadlocks, never with
// one, and the table and both plots are written.
func TestGangDeadlockScenarioSmall(t *testing.T) {
	sc, err := testRegistry.LookupScenario("gang-deadlock")
	if err != nil {
		t.Fatal(err)
	}
	p := bench.NewParams("scenario gang-deadlock", map[string]string{
		"timeouts": "forever+60s", "variants": "strict+nonstrict",
		"workload": "gang-burst:jobs=60", "cluster": "nodes=4;cpu=64000;mem=262144;gpu=8", "horizon": "2h",
	})
	cells, err := sc.Cells(testRegistry, p, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 2*2*2 {
		t.Fatalf("%d cells", len(cells))
	}
	results := make([]*scheduler.Result, len(cells))
	deadlocks := map[string]int{}
	for i, c := range cells {
		res, err := c.Run()
		if err != nil {
			t.Fatal(err)
		}
		results[i] = res
		if res.Deadlock.Terminal {
			deadlocks[c.Key()]++
		}
		if strings.Contains(c.Key(), "variant=strict") && (res.Deadlock.Episodes != 0 || res.HeldIdle.GPU != 0) {
			t.Fatalf("%s: strict held or deadlocked: %+v", c.Key(), res.Deadlock)
		}
		if strings.Contains(c.Key(), "timeout=60s") && res.Deadlock.Terminal {
			t.Fatalf("%s: terminal deadlock with a timeout", c.Key())
		}
	}
	if deadlocks["variant=nonstrict,timeout=forever"] == 0 {
		t.Fatalf("NonStrict without a timeout never deadlocked: %v", deadlocks)
	}
	dir := t.TempDir()
	if err := sc.Report(dir, p, cells, results); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.md", "gang_deadlock_rate.png", "gang_deadlock_rate.svg", "gang_utilization.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(string(md), "| nonstrict") || !strings.Contains(string(md), "episodes per gang") {
		t.Fatalf("report.md:\n%s", md)
	}
}

func TestGangSchedulersRegistered(t *testing.T) {
	for _, spec := range []string{"gang-strict", "gang-admission:overcommit=1.0", "gang-permit:preset=kep4671,timeout=forever",
		"gang-placeholder:style=hard,order=fair", "gang-nonstrict:timeout=forever,order=interleave"} {
		if _, err := testRegistry.NewScheduler(spec, "bestfit"); err != nil {
			t.Errorf("%s: %v", spec, err)
		}
	}
	for _, bad := range []string{"gang-permit:preset=nope", "gang-nonstrict:timeout=-1", "gang-strict:order=random", "gang-strict:bogus=1", "gang-admission:overcommit=0.5"} {
		if _, err := testRegistry.NewScheduler(bad, "bestfit"); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
	if _, err := testRegistry.NewWorkload("gang-burst:max_gang=1", 1); err == nil {
		t.Error("gang-burst max_gang=1: want an error")
	}
}
