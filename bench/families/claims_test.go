package families

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/mesos"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// TestClaimVerdicts runs every Omega, Mesos and FGD claim at quick scale (as
// `schedlab reproduce --quick` does) and compares each claim's verdict and the
// outcome of each of its checks with testdata/claims_quick.txt: a change that
// flips any check — not only a verdict — fails here (go test -update rewrites the
// file; review the diff). The FGD claims need the openb data; without it their
// lines say "not run".
func TestClaimVerdicts(t *testing.T) {
	if os.Getenv(OpenbEnv) == "" {
		t.Setenv(OpenbEnv, filepath.Join("..", "..", "..", "shared", "data", "openb"))
	}
	res, err := testRegistry.Reproduce(bench.ReproduceOptions{Quick: true, Only: []string{"omega-", "mesos-", "fgd-"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fgdRan := true
	for i := range res {
		c := &res[i]
		t.Log(c.VerdictLine())
		if strings.HasPrefix(c.ID, "fgd-") && c.Verdict == bench.NotRun {
			fgdRan = false
			continue
		}
		fmt.Fprintf(&b, "%s: %s\n", c.ID, c.Verdict)
		for _, ch := range c.Checks {
			fmt.Fprintf(&b, "  %s: %s\n", ch.Outcome(), ch.What)
		}
	}
	if !fgdRan {
		t.Logf("the openb data is not at $%s: the FGD claims are not compared", OpenbEnv)
		b.WriteString(readFGDLines(t))
	}
	schedtest.Golden(t, filepath.Join("testdata", "claims_quick.txt"), b.String())
}

// readFGDLines returns the golden file's FGD lines, so that a machine without
// the openb data compares the rest.
func readFGDLines(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join("testdata", "claims_quick.txt"))
	if err != nil {
		return ""
	}
	var b strings.Builder
	in := false
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(l, " ") {
			in = strings.HasPrefix(l, "fgd-")
		}
		if in {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestClaimChecksCanFail: the grades read the runs, not constants — a planted
// change in the results flips the verdict of a reproduced claim.
func TestClaimChecksCanFail(t *testing.T) {
	reg := testRegistry
	run := func(c bench.ClaimSpec, plant func(r *scheduler.Result)) bench.Verdict {
		name, params, err := bench.ParseSpec("scenario", c.Quick)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := reg.LookupScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		cells, err := sc.Cells(reg, params, c.QuickSeeds)
		if err != nil {
			t.Fatal(err)
		}
		results, errs := bench.RunCells(cells, 0, nil)
		for _, e := range errs {
			if e != nil {
				t.Fatal(e)
			}
		}
		for _, r := range results {
			plant(r)
		}
		checks, _ := c.Grade(params, cells, results)
		return bench.Grade(checks)
	}
	if v := run(mesosClaimV11, func(*scheduler.Result) {}); v != bench.Reproduced {
		t.Fatalf("mesos-V11 unplanted: %s", v)
	}
	if v := run(mesosClaimV11, func(r *scheduler.Result) { r.Deadlock.Terminal = !r.Deadlock.Terminal }); v != bench.NotReproduced {
		t.Errorf("mesos-V11 with every terminal deadlock flipped: %s, want not reproduced", v)
	}
	if v := run(mesosClaimV12, func(r *scheduler.Result) {
		if n := r.Extra[mesos.KeyJobs+".big"]; n > 0 { // every big job starved
			r.Extra[mesos.KeyStarvedJobs+".big"] = n
		}
	}); v == bench.Reproduced {
		t.Errorf("mesos-V12 with the big framework always starved: still reproduced")
	}
}
