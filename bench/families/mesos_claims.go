package families

import (
	"fmt"
	"math"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// The Mesos claims of `schedlab reproduce`: V3 (the Omega paper's Mesos
// experiment), V11 (hoarding gangs) and V12 (offer starvation), graded from the
// runs of the mesos-* scenarios.

// mesosGroupsBy returns the groups whose label key has value v.
func mesosGroupsBy(groups []bench.Group, kv ...string) []*bench.Group {
	var out []*bench.Group
	for i := range groups {
		ok := len(groups[i].Results) > 0
		for k := 0; k+1 < len(kv); k += 2 {
			ok = ok && groups[i].Label(kv[k]) == kv[k+1]
		}
		if ok {
			out = append(out, &groups[i])
		}
	}
	return out
}

// mesosRatio is the per-seed ratio of m at b to m at a (seeds paired by index),
// as a mean with its interval.
func mesosRatio(a, b *bench.Group, m bench.Metric) bench.Interval {
	if a == nil || b == nil {
		return bench.Value(math.NaN())
	}
	xa, xb := a.Values(m), b.Values(m)
	var rs []float64
	for i := range min(len(xa), len(xb)) {
		rs = append(rs, xb[i]/xa[i])
	}
	return bench.MeanOf(rs)
}

// terminalRuns counts the runs of gs that end in a terminal deadlock, and all runs.
func terminalRuns(gs []*bench.Group) (k, n int) {
	for _, g := range gs {
		for _, r := range g.Results {
			n++
			if r.Deadlock.Terminal {
				k++
			}
		}
	}
	return k, n
}

func gradeMesosV3(_ *bench.Params, cells []bench.Cell, results []*scheduler.Result) ([]bench.Check, string) {
	groups := bench.Groups(cells, results)
	var gs []*bench.Group
	for i := range groups {
		if _, ok := bench.LabelNumber(groups[i].Label("t_job_service")); ok && len(groups[i].Results) > 0 {
			gs = append(gs, &groups[i])
		}
	}
	if len(gs) < 2 {
		return nil, ""
	}
	first, last := gs[0], gs[len(gs)-1]
	span := "t_job(service) " + first.Label("t_job_service") + " → " + last.Label("t_job_service")
	return []bench.Check{
			bench.AtLeast("locked fraction rise, "+span, "rises; high", 2, mesosRatio(first, last, metricMesosLocked), "×"),
			bench.AtLeast("abandoned batch jobs at t_job(service) = "+last.Label("t_job_service"), "non-zero and growing", 1, bench.MeanOf(last.Values(metricMesosAbandonedBatch)), ""),
			bench.AtLeast("abandoned batch jobs, "+span, "grow", 1, bench.MeanOf(diffs(first.Values(metricMesosAbandonedBatch), last.Values(metricMesosAbandonedBatch))), ""),
		}, fmt.Sprintf("Locked fraction %s %% at %s and %s %% at %s; batch jobs never offered room (starved) at %s: %s.",
			bench.MeanOf(first.Values(metricMesosLocked)).Cell(), first.Label("t_job_service"), bench.MeanOf(last.Values(metricMesosLocked)).Cell(), last.Label("t_job_service"),
			last.Label("t_job_service"), bench.MeanOf(last.Values(metricMesosStarvedBatch)).Cell())
}

// diffs is b[i] − a[i] for paired seeds.
func diffs(a, b []float64) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		out = append(out, b[i]-a[i])
	}
	return out
}

func gradeMesosV11(_ *bench.Params, cells []bench.Cell, results []*scheduler.Result) ([]bench.Check, string) {
	groups := bench.Groups(cells, results)
	var checks []bench.Check
	k, n := terminalRuns(mesosGroupsBy(groups, "scheduler", "mesos", "hold_timeout", "forever"))
	checks = append(checks, bench.Count("hoarding without a timeout: runs ending in a terminal deadlock", "incidence 1.0", n, n, k))
	var timed []*bench.Group
	for _, g := range mesosGroupsBy(groups, "scheduler", "mesos") {
		if g.Label("hold_timeout") != "forever" {
			timed = append(timed, g)
		}
	}
	k, _ = terminalRuns(timed)
	checks = append(checks, bench.Count("hoarding with a hold timeout: runs ending in a terminal deadlock", "none (timeouts break the episodes)", 0, 0, k))
	var strict []*bench.Group
	for i := range groups {
		if s := groups[i].Label("scheduler"); s != "mesos" && len(groups[i].Results) > 0 {
			strict = append(strict, &groups[i])
		}
	}
	k, _ = terminalRuns(strict)
	checks = append(checks, bench.Count("all-or-nothing baselines: runs ending in a terminal deadlock", "none (no partial hold)", 0, 0, k))
	return checks, ""
}

func gradeMesosV12(_ *bench.Params, cells []bench.Cell, results []*scheduler.Result) ([]bench.Check, string) {
	groups := bench.Groups(cells, results)
	byK := func(refuse string) (ks []float64, gs []*bench.Group) {
		for _, g := range mesosGroupsBy(groups, "refuse", refuse) {
			if k, ok := bench.LabelNumber(g.Label("small")); ok {
				ks, gs = append(ks, k), append(gs, g)
			}
		}
		return ks, gs
	}
	ks5, gs5 := byK("5s")
	ks120, gs120 := byK("120s")
	if len(gs5) == 0 || len(gs120) == 0 {
		return nil, ""
	}
	starved := func(g *bench.Group) bench.Interval { return bench.MeanOf(g.Values(mesosMetricBigStarved)) }
	onset := math.NaN()
	for i, g := range gs5 {
		if starved(g).Mean > 50 {
			onset = ks5[i]
			break
		}
	}
	lastK := fmt.Sprint(ks5[len(ks5)-1])
	return []bench.Check{
		bench.AtMost(fmt.Sprintf("refuse 5 s, %g small frameworks: big framework's jobs starved", ks5[0]), "offered (few frameworks)", 10, starved(gs5[0]), "%"),
		bench.AtLeast("refuse 5 s, "+lastK+" small frameworks: big framework's jobs starved", "starves", 50, starved(gs5[len(gs5)-1]), "%"),
		bench.Between("refuse 5 s: fewest small frameworks starving the big one (> 50 % of its jobs)", "more than about 5", 5, 6, bench.Value(onset), ""),
		bench.AtMost(fmt.Sprintf("refuse 120 s, %g small frameworks: big framework's jobs starved", ks120[len(ks120)-1]), "120 s restores its offers", 10, starved(gs120[len(gs120)-1]), "%"),
	}, ""
}

// The Mesos claims.
var (
	mesosClaimV3 = bench.ClaimSpec{ID: "mesos-V3", Source: "Omega (EuroSys 2013), Figs. 7a–c",
		Claim:    "Mesos with a batch and a service framework: as the service framework's decision time grows, the locked fraction is high and rises, and batch jobs are abandoned in growing numbers (the trickle freed while the service framework decides is too small for an above-average batch job).",
		Scenario: "mesos-decision-time:horizon=1d", Quick: "mesos-decision-time", Seeds: 5, QuickSeeds: 5, Grade: gradeMesosV3}
	mesosClaimV11 = bench.ClaimSpec{ID: "mesos-V11", Source: "Omega (EuroSys 2013) §3; scheduler-plugins#117; koordinator#872",
		Claim:    "Gang frameworks that hoard offers without a timeout end in deadlock (incidence 1.0); a hold timeout breaks it; all-or-nothing schedulers, which never hold a partial gang, do not deadlock.",
		Scenario: "mesos-gang-hoarding", Quick: "mesos-gang-hoarding:horizon=10m", Seeds: 10, QuickSeeds: 5, Grade: gradeMesosV11}
	mesosClaimV12 = bench.ClaimSpec{ID: "mesos-V12", Source: "MESOS-6111; SPARK-13001",
		Claim:    "With 5 s decline filters and 1 s allocation rounds, frameworks beyond the first five in DRF order starve: a large-job framework behind more than about five small ones is never offered room; 120 s filters restore its offers.",
		Scenario: "mesos-offer-starvation", Quick: "mesos-offer-starvation:horizon=10m", Seeds: 5, QuickSeeds: 5, Grade: gradeMesosV12}
)

// registerMesosClaims registers mesos-V3, mesos-V11 and mesos-V12.
func registerMesosClaims(reg *bench.Registry) {
	for _, c := range []bench.ClaimSpec{mesosClaimV3, mesosClaimV11, mesosClaimV12} {
		reg.RegisterClaim(c)
	}
}
