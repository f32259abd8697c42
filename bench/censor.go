package bench

import (
	"math"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// censoredStat returns the statistic of r that a metric key such as
// "job_wait_seconds.p99" reads, and which of its fields, when the key names a
// censored percentile or mean.
func censoredStat(key string, r *scheduler.Result) (p scheduler.Percentiles, field string, ok bool) {
	stat, field, found := strings.Cut(key, ".")
	if !found {
		return p, "", false
	}
	switch stat {
	case "job_wait_seconds":
		p = r.JobWait
	case "gang_wait_seconds":
		p = r.GangWait
	case "job_completion_seconds":
		p = r.JobCompletion
	case "slowdown":
		p = r.Slowdown
	default:
		return p, "", false
	}
	switch field {
	case "p50", "p90", "p99", "mean":
		return p, field, true
	}
	return p, "", false
}

// Bound returns, for a metric that is NaN on r because its value lies among
// censored observations (a percentile or mean of a censored wait), the value it
// is known to exceed: the longest time observed for a percentile, the restricted
// mean for a mean. ok is false for any other metric or value.
func (m Metric) Bound(r *scheduler.Result) (float64, bool) {
	if !math.IsNaN(m.Get(r)) {
		return 0, false
	}
	p, field, ok := censoredStat(m.Key, r)
	if !ok || p.NCensored == 0 {
		return 0, false
	}
	if field == "mean" {
		return p.MeanAbove, true
	}
	return p.Above, true
}

// Censored formats a censored percentile or mean: the number, or "> bound" when
// the estimate lies beyond the longest observation.
func Censored(p scheduler.Percentiles, v float64, mean bool) string {
	if !math.IsNaN(v) {
		return Num(v)
	}
	if p.NCensored == 0 {
		return "-"
	}
	if mean {
		return "> " + Num(p.MeanAbove)
	}
	return "> " + Num(p.Above)
}

// lowerBounds returns m over g's results with each censored NaN replaced by its
// bound, and whether any was: the mean of such values is a lower bound on the
// metric's mean.
func lowerBounds(g *Group, m Metric) (xs []float64, censored bool) {
	xs = g.Values(m)
	for i, x := range xs {
		if math.IsNaN(x) {
			if b, ok := m.Bound(g.Results[i]); ok {
				xs[i], censored = b, true
			}
		}
	}
	return xs, censored
}
