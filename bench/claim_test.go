package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func iv(mean, lo, hi float64) Interval { return Interval{Mean: mean, Lo: lo, Hi: hi, N: 5} }

// TestCheckOutcome: every constructor's region, and the three outcomes of an
// interval against it.
func TestCheckOutcome(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name string
		c    Check
		want CheckOutcome
	}{
		{"near rel met", Near("x", 10, 0.2, true, Value(11.9), ""), Met},
		{"near rel missed", Near("x", 10, 0.2, true, Value(12.1), ""), Missed},
		{"near abs met below", Near("x", 10, 0.15, false, Value(9.86), "%"), Met},
		{"near abs missed below", Near("x", 10, 0.15, false, Value(9.84), "pp"), Missed},
		{"interval inside", Near("x", 10, 0.2, true, iv(10, 9, 11), ""), Met},
		{"interval straddles", Near("x", 10, 0.2, true, iv(11.5, 10.5, 12.5), ""), Unclear},
		{"interval outside", Near("x", 10, 0.2, true, iv(14, 13, 15), ""), Missed},
		{"at least met", AtLeast("x", "grows", 1.5, Value(1.5), "×"), Met},
		{"at least missed", AtLeast("x", "grows", 1.5, Value(1.49), "×"), Missed},
		{"at most met", AtMost("x", "≤ 0.2", 0.2, Value(0.2), ""), Met},
		{"at most missed", AtMost("x", "≤ 0.2", 0.2, Value(0.21), ""), Missed},
		{"between met", Between("x", "≈ 10", 3, 30, Value(11.7), "s"), Met},
		{"between missed", Between("x", "≈ 10", 3, 30, Value(2.9), "s"), Missed},
		{"holds met", Holds("x", "deadlocks", true, true), Met},
		{"holds missed", Holds("x", "deadlocks", true, false), Missed},
		{"holds no met", Holds("x", "no deadlock", false, false), Met},
		{"count met", Count("x", "0 start", 0, 0, 0), Met},
		{"count missed", Count("x", "0 start", 0, 0, 1), Missed},
		{"count open met", Count("x", "some", 1, math.MaxInt, 7), Met},
		{"not measured", Near("x", 10, 0.2, true, Value(nan), ""), Missed},
		{"censored below an upper bound", AtMost("x", "", 5, Interval{Mean: 3, Lo: nan, Hi: nan, Censored: true}, ""), Unclear},
		{"censored above an upper bound", AtMost("x", "", 5, Interval{Mean: 6, Lo: nan, Hi: nan, Censored: true}, ""), Missed},
		{"censored above a lower bound", AtLeast("x", "", 5, Interval{Mean: 6, Lo: nan, Hi: nan, Censored: true}, ""), Met},
	} {
		if got := c.c.Outcome(); got != c.want {
			t.Errorf("%s: outcome %s, want %s (region [%v, %v], measured %+v)", c.name, got, c.want, c.c.Lo, c.c.Hi, c.c.Measured)
		}
	}
}

func TestGrade(t *testing.T) {
	met, missed := Holds("a", "", true, true), Holds("b", "", true, false)
	unclear := Near("c", 10, 0.1, true, iv(11, 10, 12), "")
	for _, c := range []struct {
		checks []Check
		want   Verdict
	}{
		{nil, NotRun},
		{[]Check{met, met}, Reproduced},
		{[]Check{met, missed}, Partial},
		{[]Check{unclear}, Partial},
		{[]Check{unclear, missed}, Partial},
		{[]Check{missed, missed}, NotReproduced},
	} {
		if got := Grade(c.checks); got != c.want {
			t.Errorf("Grade(%d checks) = %s, want %s", len(c.checks), got, c.want)
		}
	}
}

// claimRegistry is testRegistry's names plus a scenario on the tiny workload and
// claims about it: one that holds, one that does not, one whose scenario cannot
// expand.
func claimRegistry(t *testing.T) *Registry {
	r := testRegistry
	reg := NewRegistry()
	for _, p := range r.Placers() {
		reg.RegisterPlacer(p)
	}
	for _, s := range r.Schedulers() {
		reg.RegisterScheduler(s)
	}
	for _, w := range r.Workloads() {
		reg.RegisterWorkload(w)
	}
	reg.RegisterScenario(ScenarioSpec{Name: "tiny-jobs", Doc: "tiny workload, monolithic first fit",
		Params: []Param{{Name: "jobs", Type: TypeInt, Range: "[0, 1000]", Default: "40", Doc: "jobs"}, {Name: "fail", Type: TypeBool, Default: "false", Doc: "fail to expand"}},
		Cells: func(r *Registry, p *Params, seeds int) ([]Cell, error) {
			if p.Bool("fail", false) {
				return nil, errors.New("input missing")
			}
			var cells []Cell
			for s := 1; s <= max(seeds, 1); s++ {
				cells = append(cells, r.SpecCell(RunSpec{Scheduler: "monolithic", Placer: "firstfit", Workload: fmt.Sprintf("tiny:jobs=%d", p.Int("jobs", 40)), Seed: uint64(s)}))
			}
			return cells, nil
		}})
	completed := func(p *Params, cells []Cell, res []*scheduler.Result) []float64 {
		var xs []float64
		for _, r := range res {
			xs = append(xs, float64(r.JobsCompleted))
		}
		return xs
	}
	reg.RegisterClaim(ClaimSpec{ID: "tiny-all", Source: "test", Claim: "every job completes", Scenario: "tiny-jobs:jobs=30", Quick: "tiny-jobs:jobs=10", Seeds: 5, QuickSeeds: 5,
		Grade: func(p *Params, cells []Cell, res []*scheduler.Result) ([]Check, string) {
			return []Check{Near("jobs completed", float64(p.Int("jobs", 0)), 0, false, MeanOf(completed(p, cells, res)), "")}, fmt.Sprintf("ran %d", p.Int("jobs", 0))
		}})
	reg.RegisterClaim(ClaimSpec{ID: "tiny-none", Source: "test", Claim: "no job completes", Scenario: "tiny-jobs:jobs=30", Quick: "tiny-jobs:jobs=10", Seeds: 5, QuickSeeds: 5,
		Grade: func(p *Params, cells []Cell, res []*scheduler.Result) ([]Check, string) {
			return []Check{AtMost("jobs completed", "0", 0, MeanOf(completed(p, cells, res)), "")}, ""
		}})
	reg.RegisterClaim(ClaimSpec{ID: "other-missing", Source: "test", Claim: "needs data", Scenario: "tiny-jobs:fail=true",
		Grade: func(*Params, []Cell, []*scheduler.Result) ([]Check, string) {
			t.Fatal("graded a claim that could not run")
			return nil, ""
		}})
	return reg
}

func TestReproduce(t *testing.T) {
	reg := claimRegistry(t)
	before := tinyBuilt.Load()
	res, err := reg.Reproduce(ReproduceOptions{Quick: true, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := tinyBuilt.Load() - before; n != 5 {
		t.Errorf("built %d tiny workloads, want 5: claims sharing a scenario share its runs", n)
	}
	want := map[string]Verdict{"tiny-all": Reproduced, "tiny-none": NotReproduced, "other-missing": NotRun}
	for _, r := range res {
		if r.Verdict != want[r.ID] {
			t.Errorf("%s: verdict %s, want %s (%s)", r.ID, r.Verdict, want[r.ID], r.Measured())
		}
	}
	if res[0].Note != "ran 10" {
		t.Errorf("quick scale not used: note %q", res[0].Note)
	}
	if !strings.Contains(res[2].Err, "input missing") {
		t.Errorf("not-run reason %q", res[2].Err)
	}
	if got := TallyLine(res); got != "3 claims: 1 reproduced, 0 partial, 1 not reproduced, 1 not run." {
		t.Errorf("tally %q", got)
	}
	full, err := reg.Reproduce(ReproduceOptions{Only: []string{"tiny-a"}})
	if err != nil || len(full) != 1 || full[0].Note != "ran 30" {
		t.Fatalf("--only tiny-a at full scale: %+v %v", full, err)
	}

	var b bytes.Buffer
	if err := WriteScoreboardJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(b.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "source", "claim", "paper", "measured", "tolerance", "verdict"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("JSON row lacks %q: %v", k, rows[0])
		}
	}
	if rows[1]["verdict"] != "not reproduced" {
		t.Errorf("JSON verdict %v", rows[1]["verdict"])
	}
	b.Reset()
	if err := WriteScoreboardMarkdown(&b, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| tiny-none | test | jobs completed | 0 | 10 | ≤ 0 | missed | not reproduced |") ||
		!strings.Contains(b.String(), "- **other-missing** (test): needs data — not run. Not run: input missing.") {
		t.Errorf("markdown scoreboard:\n%s", b.String())
	}
}

func TestReproduceOnlyUnknown(t *testing.T) {
	_, err := claimRegistry(t).Reproduce(ReproduceOptions{Only: []string{"nope"}})
	if _, ok := IsUsage(err); !ok || !strings.Contains(err.Error(), `no claim id starts with "nope"`) || !strings.Contains(err.Error(), "tiny-all") {
		t.Fatalf("err = %v, want a usage error listing the ids", err)
	}
}

// TestScoreboardJSONRoundTrip: the JSON scoreboard reads back to the same
// outcomes and verdicts; a verdict that does not follow from its checks is refused.
func TestScoreboardJSONRoundTrip(t *testing.T) {
	res, err := claimRegistry(t).Reproduce(ReproduceOptions{Quick: true})
	if err != nil {
		t.Fatal(err)
	}
	res[0].Checks = append(res[0].Checks, AtMost("censored", "", 5, Interval{Mean: 3, Lo: math.NaN(), Hi: math.NaN(), Censored: true}, ""))
	res[0].Verdict = Grade(res[0].Checks)
	var b bytes.Buffer
	if err := WriteScoreboardJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	back, err := ReadScoreboardJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var m1, m2 bytes.Buffer
	WriteScoreboardMarkdown(&m1, res)
	WriteScoreboardMarkdown(&m2, back)
	if m1.String() != m2.String() {
		t.Errorf("round trip changed the scoreboard:\n%s\n---\n%s", m1.String(), m2.String())
	}
	bad := strings.Replace(b.String(), `"verdict": "not reproduced"`, `"verdict": "reproduced"`, 1)
	if _, err := ReadScoreboardJSON(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "does not follow from its checks") {
		t.Errorf("a doctored verdict was accepted: %v", err)
	}
}
