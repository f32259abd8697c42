package families

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
)

// wantGangVerdicts is every gang claim's verdict: a change in a policy or a
// setup that flips one fails TestGangReportClaims. An honest partial or not
// reproduced verdict stays so here until the model changes.
var wantGangVerdicts = map[string]bench.Verdict{
	"gang-G1":  bench.Reproduced,
	"gang-G2":  bench.Partial,
	"gang-G3":  bench.Reproduced,
	"gang-G4":  bench.Reproduced,
	"gang-G5":  bench.Reproduced,
	"gang-G7":  bench.Partial,
	"gang-G8":  bench.Reproduced,
	"gang-G9":  bench.Reproduced,
	"gang-G10": bench.Reproduced,
	"gang-G14": bench.Reproduced,
	"gang-G15": bench.Reproduced,
	"gang-G17": bench.Reproduced,
}

// TestGangReportClaims runs every gang claim through the registry, as
// `schedlab reproduce --quick --only gang-` does, and checks each verdict.
func TestGangReportClaims(t *testing.T) {
	res, err := testRegistry.Reproduce(bench.ReproduceOptions{Quick: true, Only: []string{"gang-"}, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range res {
		c := &res[i]
		seen[c.ID] = true
		t.Log(c.VerdictLine())
		want, ok := wantGangVerdicts[c.ID]
		if !ok {
			t.Errorf("%s: no expected verdict in wantGangVerdicts (got %s)", c.ID, c.Verdict)
			continue
		}
		if c.Verdict != want {
			t.Errorf("%s: verdict %s, want %s: %s", c.ID, c.Verdict, want, c.VerdictLine())
		}
	}
	for id := range wantGangVerdicts {
		if !seen[id] {
			t.Errorf("%s: expected but not registered", id)
		}
	}
}

// TestGangReportsReport runs the whole scenario once and writes its report: every
// report's section and its claim's verdict line are there.
func TestGangReportsReport(t *testing.T) {
	sc, err := testRegistry.LookupScenario("gang-reports")
	if err != nil {
		t.Fatal(err)
	}
	p := bench.NewParams("scenario gang-reports", nil)
	cells, err := sc.Cells(testRegistry, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	results, errs := bench.RunCells(cells, 2, nil)
	for i, e := range errs {
		if e != nil {
			t.Fatalf("%s: %v", cells[i].Key(), e)
		}
	}
	dir := t.TempDir()
	if err := sc.Report(dir, p, cells, results); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "gang_reports.md"))
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		t.Log(string(md))
	}
	for id := range wantGangVerdicts {
		if !strings.Contains(string(md), "**"+id+" — ") {
			t.Errorf("gang_reports.md lacks the verdict line of %s", id)
		}
	}
}

// TestGangReportCheckCanFail: grading G1 on the runs of the fixes in place of the
// reported configuration's (and the reverse) misses every check, so the claim's
// checks measure the runs and are not constant.
func TestGangReportCheckCanFail(t *testing.T) {
	var rep *gangReport
	for _, r := range gangReports() {
		if r.id == "G1" {
			rep = &r
			break
		}
	}
	p := bench.NewParams("scenario gang-reports", map[string]string{"report": "G1"})
	cells, err := gangReportCells(testRegistry, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	results, errs := bench.RunCells(cells, 2, nil)
	for i, e := range errs {
		if e != nil {
			t.Fatalf("%s: %v", cells[i].Key(), e)
		}
	}
	if got := gradeReport(rep, cells, results).Verdict; got != bench.Reproduced {
		t.Fatalf("G1 on its own runs: %s, want reproduced", got)
	}
	runs := runsOf("G1", cells, results)
	swapped := gangRuns{"nonstrict": runs["strict"], "strict": runs["nonstrict"], "permit": runs["nonstrict"]}
	checks, _ := rep.grade(swapped)
	if v := bench.Grade(checks); v != bench.NotReproduced {
		cr := bench.ClaimResult{ID: "gang-G1", Checks: checks, Verdict: v}
		t.Errorf("G1 graded on swapped runs: %s, want not reproduced: %s", v, cr.VerdictLine())
	}
	// A missing run is a missed check, not a pass.
	delete(runs, "permit")
	checks, _ = rep.grade(runs)
	if v := bench.Grade(checks); v == bench.Reproduced {
		t.Errorf("G1 without its permit run: %s, want not reproduced or partial", v)
	}
}

// TestGangReportsParams: the report parameter selects reports and names the
// valid ones when it names none.
func TestGangReportsParams(t *testing.T) {
	for spec, want := range map[string]string{"G1+G14": "", "G6": "unknown report \"G6\"", "": "empty list"} {
		p := bench.NewParams("scenario gang-reports", map[string]string{"report": spec})
		cells, err := gangReportCells(testRegistry, p, 0)
		switch {
		case want == "" && err != nil:
			t.Errorf("report=%s: %v", spec, err)
		case want == "" && len(cells) != 6:
			t.Errorf("report=%s: %d cells, want 6", spec, len(cells))
		case want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "G17")):
			t.Errorf("report=%q: error %v, want one containing %q and the valid ids", spec, err, want)
		}
	}
	ids := gangReportIDs()
	for _, c := range testRegistry.Claims() {
		if strings.HasPrefix(c.ID, "gang-") && c.Scenario != "gang-reports:report="+strings.TrimPrefix(c.ID, "gang-") {
			t.Errorf("%s: scenario %s", c.ID, c.Scenario)
		}
	}
	if len(ids) != len(wantGangVerdicts) {
		t.Errorf("%d reports, %d expected verdicts", len(ids), len(wantGangVerdicts))
	}
}
