package omega

import (
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/schedlab/schedlab/scheduler"
)

// classWaits collects one job class's wait times, in simulated seconds, of jobs
// submitted to the schedulers (prefill and resubmitted tasks excluded).
type classWaits struct {
	attempt   []float64 // submit → start of the first scheduling attempt (the paper's "job wait time")
	first     []float64 // submit → first task placed
	full      []float64 // submit → every task placed ("time until fully scheduled")
	abandoned int
}

// Report implements scheduler.Reporter. It fills Result.Conflicts (transactions,
// conflicted ones, and conflicted / successful transactions, which can exceed 1),
// Result.Busyness (useful and wasted busy time / run time, averaged over the
// schedulers), and Result.Extra with the per-scheduler and per-class metrics under
// the keys documented in the package documentation (# Metrics).
func (o *Omega) Report(r *scheduler.Result) {
	T := o.sim.Now()
	var tx, conf int
	var useful, wasted float64
	for _, a := range o.agents {
		st := &a.stats
		tx += st.transactions
		conf += st.conflicted
		u, w := busy(st.useful, T), busy(st.wasted, T)
		useful += u
		wasted += w
		p := "omega." + a.name + "."
		r.SetExtra(p+"busy_useful", u)
		r.SetExtra(p+"busy_wasted", w)
		r.SetExtra(p+"busyness", u+w)
		r.SetExtra(p+"attempts", float64(st.attempts))
		r.SetExtra(p+"no_fit_attempts", float64(st.noFit))
		r.SetExtra(p+"transactions", float64(st.transactions))
		r.SetExtra(p+"conflicted", float64(st.conflicted))
		r.SetExtra(p+"conflict_fraction", conflictFraction(st.transactions, st.conflicted))
		r.SetExtra(p+"task_conflict_fraction", ratio(st.claimConflicts, st.claims))
		r.SetExtra(p+"jobs_abandoned", float64(st.abandoned))
	}
	r.Conflicts = scheduler.ConflictStats{Transactions: tx, Conflicted: conf, Fraction: conflictFraction(tx, conf)}
	if n := len(o.agents); n > 0 {
		r.Busyness = scheduler.Busyness{Useful: useful / float64(n), Wasted: wasted / float64(n), Schedulers: n}
	}
	// Per-class summaries: the class's schedulers (for the monolithic baseline,
	// its one scheduler) and the class's jobs.
	for c := scheduler.Batch; c <= scheduler.Service; c++ {
		p := c.String() + "."
		var u, w float64
		var t, k, claims, cc int
		seen := 0
		for _, a := range o.agents {
			if a.class != c && !o.cfg.Monolithic {
				continue
			}
			seen++
			u += busy(a.stats.useful, T)
			w += busy(a.stats.wasted, T)
			t += a.stats.transactions
			k += a.stats.conflicted
			claims += a.stats.claims
			cc += a.stats.claimConflicts
		}
		if seen > 0 {
			r.SetExtra(p+"busy_useful", u/float64(seen))
			r.SetExtra(p+"busy_wasted", w/float64(seen))
			r.SetExtra(p+"busyness", (u+w)/float64(seen))
			r.SetExtra(p+"schedulers", float64(seen))
			r.SetExtra(p+"transactions", float64(t))
			r.SetExtra(p+"conflict_fraction", conflictFraction(t, k))
			r.SetExtra(p+"task_conflict_fraction", ratio(cc, claims))
		}
		wt := &o.waits[c]
		putPercentiles(r, p+"wait_attempt", wt.attempt)
		putPercentiles(r, p+"wait_first", wt.first)
		putPercentiles(r, p+"wait_full", wt.full)
		r.SetExtra(p+"jobs_abandoned", float64(wt.abandoned))
	}
}

func busy(d, T scheduler.Time) float64 {
	if T <= 0 {
		return 0
	}
	return float64(d) / float64(T)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// conflictFraction is conflicted / successful transactions. With no successful
// transaction it is the number of conflicted ones (as if one had succeeded), so
// that it stays finite for JSON.
func conflictFraction(tx, conflicted int) float64 {
	ok := tx - conflicted
	if ok <= 0 {
		return float64(conflicted)
	}
	return float64(conflicted) / float64(ok)
}

// putPercentiles records mean, p50, p90 and p99 (real percentiles, gonum/stat's
// empirical quantile) and the count of xs under prefix. It sorts xs in place.
func putPercentiles(r *scheduler.Result, prefix string, xs []float64) {
	r.SetExtra(prefix+".n", float64(len(xs)))
	if len(xs) == 0 {
		return
	}
	slices.Sort(xs)
	r.SetExtra(prefix+".mean", stat.Mean(xs, nil))
	r.SetExtra(prefix+".p50", stat.Quantile(0.50, stat.Empirical, xs, nil))
	r.SetExtra(prefix+".p90", stat.Quantile(0.90, stat.Empirical, xs, nil))
	r.SetExtra(prefix+".p99", stat.Quantile(0.99, stat.Empirical, xs, nil))
}
