package bench

import (
	"fmt"
	"math"
	"strings"
)

// A reproduction is a list of claims. A claim is one published statement (a
// paper's figure, a user's bug report) with the checks that test it: each check
// compares one measured quantity with the source's value and a stated
// tolerance. The verdict is computed from the checks, never written by hand.

// Verdict is a claim's graded outcome.
type Verdict string

const (
	// Reproduced: every check is met.
	Reproduced Verdict = "reproduced"
	// Partial: some checks are met or unclear, or all are unclear.
	Partial Verdict = "partial"
	// NotReproduced: every check is missed.
	NotReproduced Verdict = "not reproduced"
	// NotRun: the claim could not be measured (its input is missing, or its runs failed).
	NotRun Verdict = "not run"
)

// Verdicts lists the verdicts in scoreboard order.
var Verdicts = []Verdict{Reproduced, Partial, NotReproduced, NotRun}

// CheckOutcome is one check's result.
type CheckOutcome string

const (
	// Met: the measurement (its whole interval, when it has one) lies in the
	// acceptance region.
	Met CheckOutcome = "met"
	// Unclear: the measurement's interval straddles the region's edge.
	Unclear CheckOutcome = "unclear"
	// Missed: the measurement (its whole interval) lies outside the region, or
	// nothing was measured.
	Missed CheckOutcome = "missed"
)

// Check is one quantitative test of a claim: a measured value (with its 95 %
// interval when it is a mean over enough seeds) against an acceptance region
// [Lo, Hi] derived from the source's value and a tolerance.
type Check struct {
	// What names the measured quantity ("busyness slope", "terminal deadlock").
	What string `json:"what"`
	// Paper is the source's value or statement as the scoreboard shows it ("0.15 /s", "≈ 2×", "never starts").
	Paper string `json:"paper"`
	// Tolerance says in words how far from Paper still counts ("± 20 %", "≥ 1.5×").
	Tolerance string `json:"tolerance"`
	// Lo and Hi bound the acceptance region (±Inf for an open side).
	Lo float64 `json:"accept_lo"`
	Hi float64 `json:"accept_hi"`
	// Measured is the measurement; Lo/Hi NaN without an interval.
	Measured Interval `json:"-"`
	// Unit is appended to numbers ("s", "%", "×"); Text, if set, replaces the
	// formatted measurement (for yes/no facts).
	Unit string `json:"unit,omitempty"`
	Text string `json:"-"`
}

// Outcome grades the check.
func (c Check) Outcome() CheckOutcome {
	m := c.Measured
	if math.IsNaN(m.Mean) {
		return Missed
	}
	in := func(x float64) bool { return x >= c.Lo && x <= c.Hi }
	if !m.HasInterval() || m.Censored {
		if m.Censored && m.Mean > c.Hi {
			return Missed // a lower bound already above the region
		}
		if m.Censored && !math.IsInf(c.Hi, 1) {
			return Unclear // the true value exceeds Mean by an unknown amount
		}
		if in(m.Mean) {
			return Met
		}
		return Missed
	}
	switch {
	case in(m.Lo) && in(m.Hi):
		return Met
	case m.Hi < c.Lo || m.Lo > c.Hi:
		return Missed
	}
	return Unclear
}

// MeasuredString formats the measurement with its interval and unit.
func (c Check) MeasuredString() string {
	if c.Text != "" {
		return c.Text
	}
	s := c.Measured.Cell()
	if s == "-" {
		return "not measured"
	}
	if c.Unit != "" {
		s += " " + c.Unit
	}
	return s
}

// Value is a single measurement without an interval.
func Value(x float64) Interval { return Interval{Mean: x, Lo: math.NaN(), Hi: math.NaN(), N: 1} }

// MeanOf is the mean of xs with its 95 % Student's t interval (none with fewer
// than MinIntervalSeeds values; NaN values are left out).
func MeanOf(xs []float64) Interval {
	var ys []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			ys = append(ys, x)
		}
	}
	iv := Interval{Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), N: len(ys)}
	if len(ys) == 0 {
		return iv
	}
	mean, half := MeanCI(ys)
	iv.Mean = mean
	if len(ys) >= MinIntervalSeeds && !math.IsNaN(half) {
		iv.Lo, iv.Hi = mean-half, mean+half
	}
	return iv
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " " + unit
}

// Near checks that m lies within tol of the source's value paper: relative
// (a fraction of paper) when rel, absolute otherwise (in percentage points for
// unit "%").
func Near(what string, paper float64, tol float64, rel bool, m Interval, unit string) Check {
	d, t := tol, fmt.Sprintf("± %s%s", Num(tol), unitSuffix(unit))
	if unit == "%" && !rel {
		t = fmt.Sprintf("± %s pp", Num(tol)) // percentage points: an absolute tolerance on a percentage
	}
	if rel {
		d, t = tol*math.Abs(paper), fmt.Sprintf("± %s %%", Num(100*tol))
	}
	return Check{What: what, Paper: Num(paper) + unitSuffix(unit), Tolerance: t, Lo: paper - d, Hi: paper + d, Measured: m, Unit: unit}
}

// AtLeast checks m ≥ bound; paper states the source's claim the bound stands for.
func AtLeast(what, paper string, bound float64, m Interval, unit string) Check {
	return Check{What: what, Paper: paper, Tolerance: "≥ " + Num(bound) + unitSuffix(unit), Lo: bound, Hi: math.Inf(1), Measured: m, Unit: unit}
}

// AtMost checks m ≤ bound; paper states the source's claim the bound stands for.
func AtMost(what, paper string, bound float64, m Interval, unit string) Check {
	return Check{What: what, Paper: paper, Tolerance: "≤ " + Num(bound) + unitSuffix(unit), Lo: math.Inf(-1), Hi: bound, Measured: m, Unit: unit}
}

// Between checks lo ≤ m ≤ hi; paper states the source's claim.
func Between(what, paper string, lo, hi float64, m Interval, unit string) Check {
	return Check{What: what, Paper: paper, Tolerance: fmt.Sprintf("in [%s, %s]%s", Num(lo), Num(hi), unitSuffix(unit)), Lo: lo, Hi: hi, Measured: m, Unit: unit}
}

// Holds checks a yes/no fact of one deterministic run: met when got == want.
// paper states the source's claim; the measurement shows as yes or no.
func Holds(what, paper string, want, got bool) Check {
	x, text := 0.0, "no"
	if got {
		x, text = 1, "yes"
	}
	w := 0.0
	if want {
		w = 1
	}
	return Check{What: what, Paper: paper, Tolerance: "exact", Lo: w, Hi: w, Measured: Value(x), Text: text}
}

// Count checks an integer count of one deterministic run against [lo, hi].
func Count(what, paper string, lo, hi, got int) Check {
	tol := fmt.Sprintf("in [%d, %d]", lo, hi)
	switch {
	case lo == hi:
		tol = fmt.Sprintf("= %d", lo)
	case hi == math.MaxInt:
		tol = fmt.Sprintf("≥ %d", lo)
	}
	hf := float64(hi)
	if hi == math.MaxInt {
		hf = math.Inf(1)
	}
	return Check{What: what, Paper: paper, Tolerance: tol, Lo: float64(lo), Hi: hf, Measured: Value(float64(got)), Text: fmt.Sprint(got)}
}

// Grade computes a verdict from checks: reproduced when every check is met, not
// reproduced when every check is missed, partial otherwise; not run without checks.
func Grade(checks []Check) Verdict {
	if len(checks) == 0 {
		return NotRun
	}
	met, missed := 0, 0
	for _, c := range checks {
		switch c.Outcome() {
		case Met:
			met++
		case Missed:
			missed++
		}
	}
	switch {
	case met == len(checks):
		return Reproduced
	case missed == len(checks):
		return NotReproduced
	}
	return Partial
}

// ClaimResult is a graded claim.
type ClaimResult struct {
	ID, Source, Claim string
	Checks            []Check
	Verdict           Verdict
	// Note is computed context for the reader (the scale it ran at, a derived
	// figure); Err says why a claim was not run.
	Note, Err string
}

// GradeClaim is the claim id (from source, stating claim) graded on checks, with
// its note: the verdict computed by Grade, and, without any check, the reason.
func GradeClaim(id, source, claim string, checks []Check, note string) ClaimResult {
	r := ClaimResult{ID: id, Source: source, Claim: claim, Checks: checks, Note: note, Verdict: Grade(checks)}
	if len(checks) == 0 {
		r.Err = "the runs hold nothing this claim measures (an input it compares with is missing)"
	}
	return r
}

// join joins f of every check with "; ".
func (c *ClaimResult) join(f func(Check) string) string {
	var out []string
	for _, ch := range c.Checks {
		out = append(out, f(ch))
	}
	return strings.Join(out, "; ")
}

// Paper is every check's source value, joined.
func (c *ClaimResult) Paper() string {
	return c.join(func(ch Check) string { return ch.What + ": " + ch.Paper })
}

// Measured is every check's measurement with its outcome, joined.
func (c *ClaimResult) Measured() string {
	if c.Err != "" {
		return c.Err
	}
	return c.join(func(ch Check) string { return ch.What + ": " + ch.MeasuredString() + " (" + string(ch.Outcome()) + ")" })
}

// Tolerance is every check's tolerance, joined.
func (c *ClaimResult) Tolerance() string {
	return c.join(func(ch Check) string { return ch.What + ": " + ch.Tolerance })
}

// VerdictLine is a sentence stating the claim's verdict from its checks, for
// scenario reports: "omega-V1 — reproduced (2 of 2 checks met): slope 0.149 /s
// against 0.15 /s ± 20 % (met); ...".
func (c *ClaimResult) VerdictLine() string {
	if c.Err != "" {
		return fmt.Sprintf("**%s — %s**: %s.", c.ID, c.Verdict, c.Err)
	}
	met := 0
	var parts []string
	for _, ch := range c.Checks {
		o := ch.Outcome()
		if o == Met {
			met++
		}
		parts = append(parts, fmt.Sprintf("%s %s against %s, %s (%s)", ch.What, ch.MeasuredString(), ch.Paper, ch.Tolerance, o))
	}
	s := fmt.Sprintf("**%s — %s** (%d of %d checks met): %s.", c.ID, c.Verdict, met, len(c.Checks), strings.Join(parts, "; "))
	if c.Note != "" {
		s += " " + c.Note
	}
	return s
}
