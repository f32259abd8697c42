package bench

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// MinIntervalSeeds is the fewest successful seeds for which a table or plot
// shows a confidence interval; with fewer it shows the mean alone and says so.
const MinIntervalSeeds = 5

// rateMetrics are the metrics that are a yes/no outcome per run (shown in
// percent): over seeds they are a proportion k/n, with a Wilson interval.
var rateMetrics = map[string]bool{MetricDeadlockRate.Key: true}

// IsRate reports whether m is a per-run yes/no outcome (its mean over seeds is a
// proportion).
func (m Metric) IsRate() bool { return rateMetrics[m.Key] }

// Wilson returns the Wilson score interval at 95% for k successes in n trials:
// the proportion and its bounds, all in [0, 1]. NaN for n = 0.
func Wilson(k, n int) (p, lo, hi float64) {
	if n <= 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	z := distuv.UnitNormal.Quantile(0.975)
	nf := float64(n)
	p = float64(k) / nf
	den := 1 + z*z/nf
	mid := (p + z*z/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return p, math.Max(0, mid-half), math.Min(1, mid+half)
}

// Interval is a metric's estimate over a group's seeds with its 95% interval
// [Lo, Hi]: a Wilson interval for a rate, Student's t for a mean (clipped to
// [0, 100] for a metric in percent, which cannot leave that range). Lo and Hi
// are NaN with fewer than MinIntervalSeeds values. Censored is set when some
// values are lower bounds (see Metric.Bound); the estimate is then one too and
// no interval is given.
type Interval struct {
	Mean, Lo, Hi float64
	N            int
	Censored     bool
}

// IntervalOf returns m's estimate and interval over g's results.
func IntervalOf(g *Group, m Metric) Interval {
	xs, censored := lowerBounds(g, m)
	iv := Interval{N: len(xs), Censored: censored, Lo: math.NaN(), Hi: math.NaN()}
	if m.IsRate() {
		k := 0
		for _, x := range xs {
			if x != 0 {
				k++
			}
		}
		p, lo, hi := Wilson(k, len(xs))
		iv.Mean = 100 * p
		if len(xs) >= MinIntervalSeeds {
			iv.Lo, iv.Hi = 100*lo, 100*hi
		}
		return iv
	}
	mean, half := MeanCI(xs)
	iv.Mean = mean
	if censored || len(xs) < MinIntervalSeeds || math.IsNaN(half) {
		return iv
	}
	iv.Lo, iv.Hi = mean-half, mean+half
	if m.Unit == "%" {
		iv.Lo, iv.Hi = math.Max(0, iv.Lo), math.Min(100, iv.Hi)
	}
	return iv
}

// HasInterval reports whether the interval is given.
func (iv Interval) HasInterval() bool { return !math.IsNaN(iv.Lo) && !math.IsNaN(iv.Hi) }

// Cell formats the estimate for a table: "-" without one, "> X" for a lower
// bound, "M" alone without an interval or when it has no width, "M ± H" for a
// symmetric interval and "M [L, H]" for a clipped or Wilson one.
func (iv Interval) Cell() string {
	switch {
	case math.IsNaN(iv.Mean):
		return "-"
	case iv.Censored:
		return "> " + Num(iv.Mean)
	case !iv.HasInterval() || iv.Hi-iv.Lo == 0:
		return Num(iv.Mean)
	}
	below, above := iv.Mean-iv.Lo, iv.Hi-iv.Mean
	if math.Abs(below-above) <= 1e-9*math.Max(1, math.Abs(iv.Mean)) {
		return Num(iv.Mean) + " ± " + Num(above)
	}
	return fmt.Sprintf("%s [%s, %s]", Num(iv.Mean), Num(iv.Lo), Num(iv.Hi))
}

// MinGroupSeeds returns the fewest successful seeds of any group (0 for none).
func MinGroupSeeds(groups []Group) int {
	m := 0
	for i := range groups {
		if n := len(groups[i].Results); i == 0 || n < m {
			m = n
		}
	}
	return m
}

// IntervalNote is the sentence that tables using Interval carry.
func IntervalNote(minSeeds int) string {
	s := fmt.Sprintf("Each value is the mean over seeds with its 95%% interval (Student's t for means, clipped to [0, 100] for percentages; Wilson for rates such as the terminal deadlock rate), shown only with at least %d seeds", MinIntervalSeeds)
	if minSeeds < MinIntervalSeeds {
		s += fmt.Sprintf(" — some cells here have %d, so they show the mean alone", minSeeds)
	}
	return s + "."
}
