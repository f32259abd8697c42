package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// ClaimSpec registers a claim for `schedlab reproduce`: a published statement, the
// scenario whose runs measure it, and the function that grades those runs.
type ClaimSpec struct {
	// ID names the claim: "omega-V1", "mesos-V3", "gang-G2", "fgd-table".
	ID string
	// Source is where the claim comes from: paper and figure, or a report's link.
	Source string
	// Claim is the source's statement, in the project's words.
	Claim string
	// Scenario is "NAME[:k=v,...]" of the registered scenario that measures the
	// claim at full scale; Quick is the same at reduced scale (reproduce --quick,
	// the tests). Seeds and QuickSeeds are their seeds (the scenario's default
	// when 0).
	Scenario, Quick   string
	Seeds, QuickSeeds int
	// Grade computes the checks from the scenario's parameters, cells and
	// results, and an optional note (computed, never a fixed finding).
	// results[i] is cells[i]'s result.
	Grade func(p *Params, cells []Cell, results []*scheduler.Result) ([]Check, string)
}

// RegisterClaim adds a claim; a duplicate ID or a claim without a grade is a
// programming error and panics. Claims keep their registration order.
func (r *Registry) RegisterClaim(c ClaimSpec) {
	if c.ID == "" || c.Grade == nil || c.Scenario == "" {
		panic("bench: claim needs an ID, a scenario and a grade: " + c.ID)
	}
	for _, o := range r.claims {
		if o.ID == c.ID {
			panic("bench: claim registered twice: " + c.ID)
		}
	}
	r.claims = append(r.claims, c)
}

// Claims returns the registered claims in registration order.
func (r *Registry) Claims() []ClaimSpec { return append([]ClaimSpec(nil), r.claims...) }

// ReproduceOptions says which claims to run and how.
type ReproduceOptions struct {
	// Quick runs every claim at its reduced scale.
	Quick bool
	// Only keeps the claims whose ID starts with one of these prefixes (all when empty).
	Only []string
	// Parallel is the number of concurrent runs (GOMAXPROCS when <= 0).
	Parallel int
	// Dir, if set, receives each scenario's own report in a directory of Dir
	// named after the scenario spec (claimReportDir).
	Dir string
	// Log, if set, receives a progress line per scenario.
	Log io.Writer
}

// SelectClaims returns the claims matching only (ID prefixes; all when empty). A
// prefix that matches nothing is an error naming the valid IDs.
func (r *Registry) SelectClaims(only []string) ([]ClaimSpec, error) {
	if len(only) == 0 {
		return r.Claims(), nil
	}
	var out []ClaimSpec
	for _, p := range only {
		n := 0
		for _, c := range r.claims {
			if strings.HasPrefix(c.ID, p) {
				n++
			}
		}
		if n == 0 {
			var ids []string
			for _, c := range r.claims {
				ids = append(ids, c.ID)
			}
			return nil, fmt.Errorf("no claim id starts with %q (valid: %s)", p, strings.Join(ids, ", "))
		}
	}
	for _, c := range r.claims {
		for _, p := range only {
			if strings.HasPrefix(c.ID, p) {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}

// Reproduce runs the selected claims and grades them, in registration order.
// Claims that share a scenario and seeds share its runs. A claim whose scenario
// cannot expand (a missing input) or whose runs fail is NotRun with the reason;
// the error return is for a bad selection only.
func (r *Registry) Reproduce(opt ReproduceOptions) ([]ClaimResult, error) {
	claims, err := r.SelectClaims(opt.Only)
	if err != nil {
		return nil, Usage("only", err)
	}
	type batch struct {
		params *Params
		cells  []Cell
		res    []*scheduler.Result
		err    string
	}
	batches := map[string]*batch{}
	out := make([]ClaimResult, len(claims))
	for i, c := range claims {
		spec, seeds := c.Scenario, c.Seeds
		if opt.Quick && c.Quick != "" {
			spec, seeds = c.Quick, c.QuickSeeds
		}
		key := fmt.Sprintf("%s|%d", spec, seeds)
		b := batches[key]
		if b == nil {
			b = &batch{}
			batches[key] = b
			b.params, b.cells, b.res, b.err = r.runClaimScenario(spec, seeds, opt)
		}
		if b.err != "" {
			out[i] = ClaimResult{ID: c.ID, Source: c.Source, Claim: c.Claim, Verdict: NotRun, Err: b.err}
			continue
		}
		checks, note := c.Grade(b.params, b.cells, b.res)
		out[i] = GradeClaim(c.ID, c.Source, c.Claim, checks, note)
	}
	return out, nil
}

// runClaimScenario expands and runs one scenario spec, writing its report into
// opt.Dir when set. err is non-empty when it could not expand or a run failed.
func (r *Registry) runClaimScenario(spec string, seeds int, opt ReproduceOptions) (*Params, []Cell, []*scheduler.Result, string) {
	name, params, err := ParseSpec("scenario", spec)
	if err != nil {
		return nil, nil, nil, err.Error()
	}
	sc, err := r.LookupScenario(name)
	if err != nil {
		return nil, nil, nil, err.Error()
	}
	params = params.declare(sc.Params)
	cells, err := sc.Cells(r, params, seeds)
	if err == nil {
		err = params.Err()
	}
	if err != nil {
		return nil, nil, nil, err.Error()
	}
	par := opt.Parallel
	if sc.Serial {
		par = 1
	}
	if opt.Log != nil {
		fmt.Fprintf(opt.Log, "reproduce: %s: %d runs\n", spec, len(cells))
	}
	res, errs := RunCells(cells, par, nil)
	for i, e := range errs {
		if e != nil {
			return nil, nil, nil, fmt.Sprintf("scenario %s: run %d of %d failed: %v", spec, i+1, len(cells), e)
		}
	}
	if opt.Dir != "" && sc.Report != nil {
		dir := filepath.Join(opt.Dir, claimReportDir(spec))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, nil, err.Error()
		}
		if err := sc.Report(dir, params, cells, res); err != nil {
			return nil, nil, nil, fmt.Sprintf("scenario %s: report: %v", spec, err)
		}
	}
	return params, cells, res, ""
}

// claimReportDir names the report directory of a scenario spec: the scenario's
// name, then its parameters with every character a path may not hold replaced
// ("gang-reports:report=G1" → "gang-reports_report=G1").
func claimReportDir(spec string) string { return keepOnly(spec, "-.=+") }

// Tally counts the results per verdict.
func Tally(results []ClaimResult) map[Verdict]int {
	m := map[Verdict]int{}
	for _, r := range results {
		m[r.Verdict]++
	}
	return m
}

// TallyLine is the scoreboard's count sentence.
func TallyLine(results []ClaimResult) string {
	t := Tally(results)
	var parts []string
	for _, v := range Verdicts {
		parts = append(parts, fmt.Sprintf("%d %s", t[v], v))
	}
	return fmt.Sprintf("%d claims: %s.", len(results), strings.Join(parts, ", "))
}

// claimJSON is a claim's scoreboard row as `reproduce --format json` writes it.
type claimJSON struct {
	ID        string      `json:"id"`
	Source    string      `json:"source"`
	Claim     string      `json:"claim"`
	Paper     string      `json:"paper"`
	Measured  string      `json:"measured"`
	Tolerance string      `json:"tolerance"`
	Verdict   Verdict     `json:"verdict"`
	Note      string      `json:"note,omitempty"`
	Error     string      `json:"error,omitempty"`
	Checks    []checkJSON `json:"checks"`
}

type checkJSON struct {
	What      string       `json:"what"`
	Paper     string       `json:"paper"`
	Tolerance string       `json:"tolerance"`
	AcceptLo  *float64     `json:"accept_lo"` // null: open
	AcceptHi  *float64     `json:"accept_hi"`
	Measured  *float64     `json:"measured"` // null: not measured
	Lo        *float64     `json:"measured_lo"`
	Hi        *float64     `json:"measured_hi"`
	Seeds     int          `json:"n"`
	Censored  bool         `json:"censored,omitempty"` // measured is a lower bound
	Text      string       `json:"measured_text"`
	Outcome   CheckOutcome `json:"outcome"`
}

func jsonNum(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// WriteScoreboardJSON writes the results as a JSON list of objects with keys id,
// source, claim, paper, measured, tolerance, verdict (and note, error, checks).
func WriteScoreboardJSON(w io.Writer, results []ClaimResult) error {
	rows := make([]claimJSON, 0, len(results))
	for i := range results {
		c := &results[i]
		row := claimJSON{ID: c.ID, Source: c.Source, Claim: c.Claim, Paper: c.Paper(), Measured: c.Measured(), Tolerance: c.Tolerance(),
			Verdict: c.Verdict, Note: c.Note, Error: c.Err, Checks: []checkJSON{}}
		for _, ch := range c.Checks {
			row.Checks = append(row.Checks, checkJSON{What: ch.What, Paper: ch.Paper, Tolerance: ch.Tolerance, AcceptLo: jsonNum(ch.Lo), AcceptHi: jsonNum(ch.Hi),
				Measured: jsonNum(ch.Measured.Mean), Lo: jsonNum(ch.Measured.Lo), Hi: jsonNum(ch.Measured.Hi), Seeds: ch.Measured.N, Censored: ch.Measured.Censored,
				Text: ch.MeasuredString(), Outcome: ch.Outcome()})
		}
		rows = append(rows, row)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rows)
}

// ReadScoreboardJSON reads what WriteScoreboardJSON wrote back into results
// (each check's outcome and each verdict are computed again from the numbers).
func ReadScoreboardJSON(r io.Reader) ([]ClaimResult, error) {
	var rows []claimJSON
	if err := json.NewDecoder(r).Decode(&rows); err != nil {
		return nil, fmt.Errorf("scoreboard: %w", err)
	}
	num := func(p *float64, def float64) float64 {
		if p == nil {
			return def
		}
		return *p
	}
	out := make([]ClaimResult, 0, len(rows))
	for _, row := range rows {
		c := ClaimResult{ID: row.ID, Source: row.Source, Claim: row.Claim, Note: row.Note, Err: row.Error}
		for _, ch := range row.Checks {
			k := Check{What: ch.What, Paper: ch.Paper, Tolerance: ch.Tolerance, Lo: num(ch.AcceptLo, math.Inf(-1)), Hi: num(ch.AcceptHi, math.Inf(1)),
				Measured: Interval{Mean: num(ch.Measured, math.NaN()), Lo: num(ch.Lo, math.NaN()), Hi: num(ch.Hi, math.NaN()), N: ch.Seeds, Censored: ch.Censored}}
			k.Text = ch.Text // the formatted measurement, as written
			c.Checks = append(c.Checks, k)
		}
		c.Verdict = Grade(c.Checks)
		if row.Verdict != c.Verdict {
			return nil, fmt.Errorf("scoreboard: %s: verdict %q does not follow from its checks (%q)", row.ID, row.Verdict, c.Verdict)
		}
		out = append(out, c)
	}
	return out, nil
}

// ScoreboardTable is the scoreboard as a table: one row per check (claim id,
// source, the check, the source's value, the measurement, the tolerance, the
// check's outcome), the claim's verdict on its first row; a claim not run has one
// row with the reason.
func ScoreboardTable(results []ClaimResult) *Table {
	t := &Table{Header: []string{"id", "source", "check", "paper", "measured", "tolerance", "outcome", "verdict"}}
	for i := range results {
		c := &results[i]
		if len(c.Checks) == 0 {
			t.Add(c.ID, c.Source, "-", "-", c.Err, "-", "-", string(c.Verdict))
			continue
		}
		for k, ch := range c.Checks {
			id, src, v := c.ID, c.Source, string(c.Verdict)
			if k > 0 {
				id, src, v = "", "", ""
			}
			t.Add(id, src, ch.What, ch.Paper, ch.MeasuredString(), ch.Tolerance, string(ch.Outcome()), v)
		}
	}
	return t
}

// WriteScoreboardMarkdown writes the count sentence, the scoreboard table and,
// per claim, its statement, verdict and note.
func WriteScoreboardMarkdown(w io.Writer, results []ClaimResult) error {
	var b strings.Builder
	b.WriteString(TallyLine(results) + " A check is met when the measurement (its whole 95 % interval, for a mean over enough seeds) lies within the tolerance of the source's value, missed when it lies wholly outside, unclear otherwise; a claim is reproduced when every check is met, not reproduced when every check is missed, partial otherwise.\n\n")
	if err := ScoreboardTable(results).WriteMarkdown(&b); err != nil {
		return err
	}
	b.WriteString("\n")
	for i := range results {
		c := &results[i]
		extra := c.Note
		if c.Err != "" {
			extra = "Not run: " + c.Err + "."
		}
		if extra != "" {
			extra = " " + extra
		}
		fmt.Fprintf(&b, "- **%s** (%s): %s — %s.%s\n", c.ID, c.Source, c.Claim, c.Verdict, extra)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
