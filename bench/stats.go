package bench

import (
	"math"
	"sort"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Group is one cell of a sweep over its seeds: the runs that share every label.
type Group struct {
	Key     string
	Labels  []Label
	Seeds   []uint64            // of the successful runs, in cell order
	Results []*scheduler.Result // successful runs, in cell order
	Details []*Detail           // aligned with Results; entries may be nil
	Failed  int                 // runs of the cell that failed or did not run
}

// Label returns the value of the group's label key, or "".
func (g *Group) Label(key string) string {
	for _, l := range g.Labels {
		if l.Key == key {
			return l.Value
		}
	}
	return ""
}

// Values returns m over the group's results.
func (g *Group) Values(m Metric) []float64 {
	xs := make([]float64, len(g.Results))
	for i, r := range g.Results {
		xs[i] = m.Get(r)
	}
	return xs
}

// Groups groups cells (and results[i], nil for a failed cell) by their labels, in
// order of first appearance.
func Groups(cells []Cell, results []*scheduler.Result) []Group {
	recs := make([]*Record, len(cells))
	for i := range cells {
		recs[i] = &Record{Index: i, Key: cells[i].Key(), Seed: cells[i].Seed, Labels: cells[i].Labels}
		if i < len(results) {
			recs[i].Result = results[i]
		}
	}
	return groupRecords(recs)
}

func groupRecords(recs []*Record) []Group {
	var out []Group
	at := map[string]int{}
	for _, r := range recs {
		i, ok := at[r.Key]
		if !ok {
			i = len(out)
			at[r.Key] = i
			out = append(out, Group{Key: r.Key, Labels: r.Labels})
		}
		g := &out[i]
		if r.Result == nil {
			g.Failed++
			continue
		}
		g.Seeds = append(g.Seeds, r.Seed)
		g.Results = append(g.Results, r.Result)
		g.Details = append(g.Details, r.Detail)
	}
	return out
}

// Metric is one number read from a run's result, with a name and unit for tables
// and axes.
type Metric struct {
	Key  string // the results.csv column it comes from
	Name string // for table headers and axis labels
	Unit string // "" for a plain number, "%" for fractions shown as percent, "s", ...
	Get  func(r *scheduler.Result) float64
}

// Label returns "Name (Unit)" or Name.
func (m Metric) Label() string {
	if m.Unit == "" {
		return m.Name
	}
	return m.Name + " (" + m.Unit + ")"
}

// nanUnless returns v when the metric is measured for the run, else NaN (a
// table shows "-", and a column measured in no run is left out).
func nanUnless(measured bool, v float64) float64 {
	if !measured {
		return math.NaN()
	}
	return v
}

// partMetrics returns the per-class and per-scheduler parts of the pooled
// conflict fraction and the averaged busyness that groups' results carry in
// Extra (keys ending in ".conflict_fraction" and ".busyness", from Omega and
// Mesos), sorted by key. With more than maxParts, only the per-class parts
// (batch., service.) are kept and dropped reports how many were left out.
func partMetrics(groups []Group, maxParts int) (ms []Metric, dropped int) {
	seen := map[string]bool{}
	var keys []string
	for gi := range groups {
		for _, r := range groups[gi].Results {
			for k := range r.Extra {
				if (strings.HasSuffix(k, ".conflict_fraction") || strings.HasSuffix(k, ".busyness")) && !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	sort.Strings(keys)
	if len(keys) > maxParts {
		var class []string
		for _, k := range keys {
			if strings.Count(k, ".") == 1 {
				class = append(class, k)
			}
		}
		dropped, keys = len(keys)-len(class), class
	}
	for _, k := range keys {
		k := k
		m := Metric{Key: "extra." + k, Name: k, Get: func(r *scheduler.Result) float64 {
			v, ok := r.Extra[k]
			return nanUnless(ok, v)
		}}
		if strings.HasSuffix(k, ".busyness") {
			m.Unit = "%"
			m.Get = func(r *scheduler.Result) float64 {
				v, ok := r.Extra[k]
				return nanUnless(ok, 100*v)
			}
		}
		ms = append(ms, m)
	}
	return ms, dropped
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Standard metrics, used by summary.md and the sweep plots. Fractions are reported
// in percent.
var (
	MetricJobsCompleted = Metric{"jobs_completed", "jobs completed", "", func(r *scheduler.Result) float64 { return float64(r.JobsCompleted) }}
	MetricUtilCPU       = Metric{"utilization.cpu", "CPU utilization", "%", func(r *scheduler.Result) float64 { return 100 * r.Utilization.CPU }}
	MetricUtilGPU       = Metric{"utilization.gpu", "GPU utilization", "%", func(r *scheduler.Result) float64 { return 100 * r.Utilization.GPU }}
	MetricUsefulCPU     = Metric{"useful_utilization.cpu", "useful CPU utilization", "%", func(r *scheduler.Result) float64 { return 100 * r.UsefulUtilization.CPU }}
	MetricUsefulGPU     = Metric{"useful_utilization.gpu", "useful GPU utilization", "%", func(r *scheduler.Result) float64 { return 100 * r.UsefulUtilization.GPU }}
	MetricHeldCPU       = Metric{"held_idle.cpu", "CPU held idle", "%", func(r *scheduler.Result) float64 { return 100 * r.HeldIdle.CPU }}
	MetricHeldGPU       = Metric{"held_idle.gpu", "GPU held idle", "%", func(r *scheduler.Result) float64 { return 100 * r.HeldIdle.GPU }}
	MetricWaitP50       = Metric{"job_wait_seconds.p50", "job wait p50", "s", func(r *scheduler.Result) float64 { return r.JobWait.P50 }}
	MetricWaitP99       = Metric{"job_wait_seconds.p99", "job wait p99", "s", func(r *scheduler.Result) float64 { return r.JobWait.P99 }}
	MetricGangWaitP99   = Metric{"gang_wait_seconds.p99", "gang wait p99", "s", func(r *scheduler.Result) float64 { return r.GangWait.P99 }}
	MetricDeadlockRate  = Metric{"deadlock.terminal", "terminal deadlock rate", "%", func(r *scheduler.Result) float64 { return 100 * b2f(r.Deadlock.Terminal) }}
	MetricEpisodes      = Metric{"deadlock.episodes", "deadlock episodes", "", func(r *scheduler.Result) float64 { return float64(r.Deadlock.Episodes) }}
	MetricConflicts     = Metric{"conflicts.fraction", "conflict fraction (all schedulers)", "", func(r *scheduler.Result) float64 {
		return nanUnless(r.Conflicts.Transactions > 0, r.Conflicts.Fraction)
	}}
	MetricBusyness     = Metric{"busyness.useful", "scheduler busyness (useful, mean of schedulers)", "%", func(r *scheduler.Result) float64 { return nanUnless(r.Busyness.Schedulers > 0, 100*r.Busyness.Useful) }}
	MetricWasted       = Metric{"busyness.wasted", "scheduler busyness (wasted, mean of schedulers)", "%", func(r *scheduler.Result) float64 { return nanUnless(r.Busyness.Schedulers > 0, 100*r.Busyness.Wasted) }}
	MetricAbandoned    = Metric{"jobs_abandoned", "jobs abandoned", "", func(r *scheduler.Result) float64 { return float64(r.JobsAbandoned) }}
	MetricFrag         = Metric{"fragmentation", "stranded free capacity at the end", "%", func(r *scheduler.Result) float64 { return 100 * r.Fragmentation }}
	MetricEventsPerSec = Metric{"events_per_second", "events per wall second", "1/s", func(r *scheduler.Result) float64 { return r.EventsPerSecond }}
	MetricPlacePerSec  = Metric{"placements_per_second", "placements per wall second", "1/s", func(r *scheduler.Result) float64 { return r.PlacementsPerSecond }}
)

// SummaryMetrics are the columns of summary.md (those that are zero in every run
// are left out).
var SummaryMetrics = []Metric{MetricJobsCompleted, MetricAbandoned, MetricUtilCPU, MetricUtilGPU, MetricUsefulCPU, MetricUsefulGPU, MetricHeldCPU,
	MetricHeldGPU, MetricWaitP50, MetricWaitP99, MetricGangWaitP99, MetricDeadlockRate, MetricEpisodes,
	MetricConflicts, MetricBusyness, MetricWasted, MetricFrag}

// WelchP returns the two-sided p-value of Welch's t-test for equal means of a
// and b (unequal variances, Welch–Satterthwaite degrees of freedom); each needs
// at least two values. Two samples without variance give 1 if their means are
// equal, else 0.
func WelchP(a, b []float64) float64 {
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	na, nb := float64(len(a)), float64(len(b))
	se2 := va/na + vb/nb
	if se2 == 0 {
		if ma == mb {
			return 1
		}
		return 0
	}
	t := math.Abs(ma-mb) / math.Sqrt(se2)
	df := se2 * se2 / (va*va/(na*na*(na-1)) + vb*vb/(nb*nb*(nb-1)))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(t)
}

// MeanCI returns the mean of xs and the half-width of its 95% confidence interval
// (Student's t with n−1 degrees of freedom × standard error). The half-width is
// NaN for fewer than two values, and 0 when all values are equal.
func MeanCI(xs []float64) (mean, half float64) {
	switch len(xs) {
	case 0:
		return math.NaN(), math.NaN()
	case 1:
		return xs[0], math.NaN()
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	if sd == 0 {
		return mean, 0
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975)
	return mean, t * sd / math.Sqrt(float64(len(xs)))
}
