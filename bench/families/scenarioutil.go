package families

import (
	"fmt"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// splitPlus splits a '+'-joined scenario parameter list, trimming each item
// and dropping empty ones.
func splitPlus(s string) []string {
	var out []string
	for _, f := range strings.Split(s, "+") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// durationLabel formats a simulated duration for a label or a scheduler spec:
// "forever" for scheduler.Forever and beyond, else seconds with a trailing "s".
func durationLabel(t scheduler.Time) string {
	if t >= scheduler.Forever {
		return "forever"
	}
	return fmt.Sprintf("%gs", t.Seconds())
}

// parseDurations parses the '+'-joined list of durations given as scenario
// parameter kind; an empty list is an error. Errors name the parameter.
func parseDurations(kind, s string) ([]scheduler.Time, error) {
	var out []scheduler.Time
	for _, f := range splitPlus(s) {
		d, err := scheduler.ParseTime(f)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", kind, err)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parameter %s: empty list", kind)
	}
	return out, nil
}

// meanCICell formats m over a group for a scenario report table (Interval.Cell):
// "-" without a mean, "> X" where some seeds' values lie among censored
// observations, the interval only with MinIntervalSeeds seeds or more.
func meanCICell(g *bench.Group, m bench.Metric) string { return bench.IntervalOf(g, m).Cell() }

// claimVerdictLine grades claim c on a scenario's runs, for the scenario's own
// report: the same computed verdict `schedlab reproduce` prints.
func claimVerdictLine(c bench.ClaimSpec, p *bench.Params, cells []bench.Cell, results []*scheduler.Result) string {
	checks, note := c.Grade(p, cells, results)
	r := bench.GradeClaim(c.ID, c.Source, c.Claim, checks, note)
	return "**Verdict** (computed from this table's runs, as `schedlab reproduce` grades it): " + r.VerdictLine() + "\n\n"
}
