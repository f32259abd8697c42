package families

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// The Omega paper's experiments (REFERENCES.md §3.5) as scenarios. Each runs the
// "omega" workload on its own 10k-machine cell. The default scale simulates
// OmegaScenarioHorizon per run with the medium sweeps, so every scenario finishes
// in well under a minute on two cores; paper=true runs 7 simulated days per run
// with the full sweeps (hours).

// OmegaScenarioHorizon is the simulated time of one scenario run at the default
// scale.
const OmegaScenarioHorizon = 2 * scheduler.Hour

// omegaScale is a scenario's scale: run length and sweep resolution.
type omegaScale struct {
	horizon  scheduler.Time
	paper    bool
	machines int
	reg      *bench.Registry // where the cells' schedulers, placer and workload are built
}

var omegaScaleParams = []bench.Param{
	{Name: "paper", Type: bench.TypeBool, Default: "false", Doc: "full paper scale: 7 simulated days per run and the full sweeps (hours of wall time)"},
	{Name: "horizon", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "2h", Doc: "simulated time per run (default 2h; 7d with paper=true)"},
	{Name: "machines", Type: bench.TypeInt, Range: "[1, 2000000]", Memory: true, Default: "10000", Doc: "machines in the cell"},
}

func readOmegaScale(p *bench.Params) (omegaScale, error) {
	s := omegaScale{paper: p.Bool("paper", false), machines: p.Int("machines", 10000)}
	def := OmegaScenarioHorizon
	if s.paper {
		def = 7 * scheduler.Day
	}
	s.horizon = p.Duration("horizon", def)
	if err := p.ReadErr(); err != nil { // the scenario's own parameters are read later
		return s, err
	}
	if s.horizon <= 0 || s.horizon == scheduler.Forever {
		return s, fmt.Errorf("parameter horizon: want a positive, finite duration")
	}
	if s.machines <= 0 {
		return s, fmt.Errorf("parameter machines = %d: want > 0", s.machines)
	}
	return s, nil
}

// workload returns the "omega" workload spec at this scale with extra k=v pairs.
func (s omegaScale) workload(kv ...string) string {
	return omegaSpec("omega", append([]string{fmt.Sprintf("horizon=%ds", int64(s.horizon.Seconds())), fmt.Sprintf("machines=%d", s.machines)}, kv...)...)
}

// cells returns one cell per seed for the given scheduler and workload specs.
func (s omegaScale) cells(seeds int, sched, work string, labels ...bench.Label) []bench.Cell {
	var out []bench.Cell
	for i := 1; i <= seeds; i++ {
		spec := bench.RunSpec{Scheduler: sched, Placer: OmegaPlacer, Workload: work, Cluster: "trace", Seed: uint64(i), Horizon: s.horizon}
		out = append(out, bench.Cell{Labels: labels, Seed: spec.Seed, Run: func() (*scheduler.Result, error) { return s.reg.Run(spec) }})
	}
	return out
}

// tjobSweep is the t_job sweep: the simulator's medium range plus 2 s (so the linear
// part has more than two points), or its full 91-point range at paper scale.
func (s omegaScale) tjobSweep() []float64 {
	if !s.paper {
		return []float64{0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 50, 100}
	}
	var out []float64
	add := func(lo, hi, step float64) {
		for x := lo; x <= hi+step/2; x += step {
			out = append(out, math.Round(x*1e6)/1e6)
		}
	}
	add(0.001, 0.01, 0.0005)
	add(0.015, 0.1, 0.005)
	add(0.15, 1.0, 0.05)
	add(1.5, 10, 0.5)
	add(15, 100, 5)
	return out
}

// secondsValue is x seconds as a duration parameter value ("2.5s").
func secondsValue(x float64) string { return fmt.Sprintf("%gs", x) }

// meanTasks is E[max(1, ⌈X⌉)] for X exponential with the given mean:
// Σ_{k≥0} e^{−k/m} = 1 / (1 − e^{−1/m}).
func meanTasks(m float64) float64 { return 1 / (1 - math.Exp(-1/m)) }

// omegaDefaults are the workload's and paper's defaults used by the trend formulas.
var (
	omegaWL      = workload.DefaultOmega()
	lambdaBatch  = 1 / omegaWL.Batch.Interarrival.Seconds()   // jobs/s
	lambdaServ   = 1 / omegaWL.Service.Interarrival.Seconds() // jobs/s
	nBatch       = meanTasks(omegaWL.Batch.Tasks)
	nServ        = meanTasks(omegaWL.Service.Tasks)
	paperTJob    = 0.1
	paperTTask   = 0.005
	omegaSLOWait = 30.0 // s, the paper's job wait SLO
)

// ---- grouping results by cell coordinates ----

// omegaGroup is the runs (over seeds) of one coordinate.
type omegaGroup struct {
	labels  []bench.Label
	results []*scheduler.Result
}

func (g *omegaGroup) label(k string) string {
	for _, l := range g.labels {
		if l.Key == k {
			return l.Value
		}
	}
	return ""
}

// mean averages f over the group's successful runs (NaN if none).
func (g *omegaGroup) mean(f func(*scheduler.Result) float64) float64 {
	s, n := 0.0, 0
	for _, r := range g.results {
		if r != nil {
			s += f(r)
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

func groupOmega(cells []bench.Cell, results []*scheduler.Result) []*omegaGroup {
	var out []*omegaGroup
	idx := map[string]*omegaGroup{}
	for i := range cells {
		k := cells[i].Key()
		g := idx[k]
		if g == nil {
			g = &omegaGroup{labels: cells[i].Labels}
			idx[k] = g
			out = append(out, g)
		}
		g.results = append(g.results, results[i])
	}
	return out
}

// extraMetric reads the result's Extra metric k.
func extraMetric(k string) func(*scheduler.Result) float64 {
	return func(r *scheduler.Result) float64 { return r.Extra[k] }
}

func abandoned(r *scheduler.Result) float64 { return float64(r.JobsAbandoned) }

// reportColumn is one column of an Omega scenario's table: a metric averaged over
// the group's runs, or a model prediction computed from the group.
type reportColumn struct {
	name string
	f    func(*scheduler.Result) float64
	// g, if set, computes the column from the group instead (a model prediction).
	g func(*omegaGroup) float64
}

// measuredColumn is a table column that reads f of each run.
func measuredColumn(name string, f func(*scheduler.Result) float64) reportColumn {
	return reportColumn{name: name, f: f}
}

func (c *reportColumn) value(g *omegaGroup) float64 {
	if c.g != nil {
		return c.g(g)
	}
	return g.mean(c.f)
}

// omegaReport writes NAME.md (setup, the paper's expected trend, the measured
// table, the measured trend and verdict) and NAME.csv into dir.
type omegaReport struct {
	name, title, setup, expected string
	keys                         []string // label columns
	cols                         []reportColumn
	claims                       []omegaClaim
	plot                         *omegaPlot
}

// omegaClaim is one of the paper's results that a scenario measures: graded by
// checks computed from the scenario's groups (see bench.ClaimSpec).
type omegaClaim struct {
	id, source, claim string
	grade             func(gs []*omegaGroup) ([]bench.Check, string)
}

// result grades the claim on gs.
func (c omegaClaim) result(gs []*omegaGroup) bench.ClaimResult {
	checks, note := c.grade(gs)
	return bench.GradeClaim(c.id, c.source, c.claim, checks, note)
}

// bySeed evaluates f once per seed index k (at(g, m) is metric m of group g's run
// with that seed, NaN if it failed) and returns the mean over seeds with its
// interval: a derived quantity (a slope, a ratio) is computed per seed first.
func bySeed(gs []*omegaGroup, f func(at func(g *omegaGroup, m func(*scheduler.Result) float64) float64) float64) bench.Interval {
	n := 0
	for i, g := range gs {
		if i == 0 || len(g.results) < n {
			n = len(g.results)
		}
	}
	var xs []float64
	for k := 0; k < n; k++ {
		xs = append(xs, f(func(g *omegaGroup, m func(*scheduler.Result) float64) float64 {
			if g == nil || g.results[k] == nil {
				return math.NaN()
			}
			return m(g.results[k])
		}))
	}
	return bench.MeanOf(xs)
}

// values is f of every run of the group, as a mean over seeds with its interval.
func (g *omegaGroup) values(f func(*scheduler.Result) float64) bench.Interval {
	var xs []float64
	for _, r := range g.results {
		if r != nil {
			xs = append(xs, f(r))
		}
	}
	return bench.MeanOf(xs)
}

// find returns the group whose labels include every k=v pair of kv, or nil.
func find(gs []*omegaGroup, kv ...string) *omegaGroup {
	for _, g := range gs {
		ok := true
		for i := 0; i+1 < len(kv); i += 2 {
			if g.label(kv[i]) != kv[i+1] {
				ok = false
				break
			}
		}
		if ok {
			return g
		}
	}
	return nil
}

func (rep *omegaReport) write(dir string, cells []bench.Cell, results []*scheduler.Result) error {
	gs := groupOmega(cells, results)
	t := &bench.Table{}
	t.Header = append(t.Header, rep.keys...)
	for _, c := range rep.cols {
		t.Header = append(t.Header, c.name)
	}
	var csv strings.Builder
	csv.WriteString(strings.Join(t.Header, ",") + "\n")
	for _, g := range gs {
		var row []string
		for _, k := range rep.keys {
			row = append(row, g.label(k))
		}
		for _, c := range rep.cols {
			row = append(row, bench.Num(c.value(g)))
		}
		t.Add(row...)
		csv.WriteString(strings.Join(row, ",") + "\n")
	}
	lo, hi := 0, 0
	for i, g := range gs {
		if n := len(g.results); i == 0 || n < lo {
			lo = n
		}
		if n := len(g.results); n > hi {
			hi = n
		}
	}
	over := fmt.Sprintf("mean over %d seeds, no interval", lo)
	switch {
	case hi <= 1:
		over = "one seed per row, so no mean and no interval"
	case lo != hi:
		over = fmt.Sprintf("mean over %d–%d seeds, no interval", lo, hi)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n**Paper (expected trend).** %s\n\n**Measured** (%s; busyness is busy time / run time; conflict fraction = conflicted / successful transactions; waits in simulated seconds, \"wait\" = submit → first scheduling attempt, the paper's job wait time):\n\n",
		rep.title, rep.setup, rep.expected, over)
	if err := t.WriteMarkdown(&b); err != nil {
		return err
	}
	b.WriteString("\n**Verdicts** (computed from the table's runs; a check is met when the measurement — its whole 95 % interval, for a mean over enough seeds — lies within the tolerance; `schedlab reproduce` grades the same claims):\n\n")
	for _, c := range rep.claims {
		res := c.result(gs)
		fmt.Fprintf(&b, "- %s\n", res.VerdictLine())
	}
	if rep.plot != nil {
		if name, err := rep.plot.write(dir, rep.name, rep, gs); err != nil {
			fmt.Fprintf(&b, "\n(plot not written: %v)\n", err)
		} else if name != "" {
			fmt.Fprintf(&b, "\n![%s](%s)\n", rep.title, name)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, rep.name+".md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, rep.name+".csv"), []byte(csv.String()), 0o644)
}

// parseSeconds reads a "2.5s" parameter value back as seconds.
func parseSeconds(s string) float64 {
	var f float64
	fmt.Sscanf(strings.TrimSuffix(s, "s"), "%g", &f)
	return f
}

// ---- the scenarios ----

// omegaExperiment is a scenario and the paper's claims its report grades.
type omegaExperiment struct {
	spec   bench.ScenarioSpec
	claims []omegaClaim
}

// Scales of `schedlab reproduce`: the released simulator's run length (one
// simulated day) at full scale, one hour with --quick; 5 seeds each, so that
// means carry intervals.
const (
	omegaClaimFull  = "horizon=1d"
	omegaClaimQuick = "horizon=1h"
	omegaClaimSeeds = 5
)

// registerOmegaExperiments registers the scenarios and their claims.
func registerOmegaExperiments(reg *bench.Registry) {
	for _, e := range omegaScenarios() {
		reg.RegisterScenario(e.spec)
		for _, c := range e.claims {
			reg.RegisterClaim(bench.ClaimSpec{ID: c.id, Source: c.source, Claim: c.claim,
				Scenario: e.spec.Name + ":" + omegaClaimFull, Quick: e.spec.Name + ":" + omegaClaimQuick, Seeds: omegaClaimSeeds, QuickSeeds: omegaClaimSeeds,
				Grade: func(_ *bench.Params, cells []bench.Cell, results []*scheduler.Result) ([]bench.Check, string) {
					return c.grade(groupOmega(cells, results))
				}})
		}
	}
}

func omegaScenarios() []omegaExperiment {
	return []omegaExperiment{
		scenarioMonolithicTJob(),
		scenarioVsFastPath(),
		scenarioBatchLambda(),
		scenarioBatchSchedulers(),
		scenarioModes(),
		scenarioConflictCrossing(),
		scenarioTTask(),
		scenarioBatchTJob(),
	}
}

func omegaScenario(name, doc string, params []bench.Param, cells func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error), rep func(s omegaScale) *omegaReport) omegaExperiment {
	return omegaExperiment{claims: rep(omegaScale{}).claims, spec: bench.ScenarioSpec{
		Name:   name,
		Doc:    doc,
		Params: append(append([]bench.Param{}, omegaScaleParams...), params...),
		Cells: func(reg *bench.Registry, p *bench.Params, seeds int) ([]bench.Cell, error) {
			s, err := readOmegaScale(p)
			if err != nil {
				return nil, fmt.Errorf("scenario %s: %w", name, err)
			}
			s.reg = reg
			if seeds <= 0 {
				seeds = 1
			}
			cs, err := cells(s, p, seeds)
			if err != nil {
				return nil, fmt.Errorf("scenario %s: %w", name, err)
			}
			if err := p.Err(); err != nil {
				return nil, fmt.Errorf("scenario %s: %w", name, err)
			}
			return cs, nil
		},
		Report: func(dir string, p *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
			scale, err := readOmegaScale(p)
			if err != nil {
				return fmt.Errorf("scenario %s: %w", name, err)
			}
			r := rep(scale)
			r.name = name
			r.setup += fmt.Sprintf(" Scale: %d machines, %v simulated per run (the paper: 7 days; paper=true).", scale.machines, scale.horizon)
			return r.write(dir, cells, results)
		},
	}}
}

// V1: monolithic single-path, busyness linear in t_job.
func scenarioMonolithicTJob() omegaExperiment {
	return omegaScenario("omega-monolithic-tjob",
		"Omega V1: monolithic single-path scheduler, sweep t_job (t_task = 5 ms): busyness ≈ Σλ(t_job + n̄·t_task), linear until saturation",
		nil,
		func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error) {
			var cells []bench.Cell
			for _, tj := range s.tjobSweep() {
				cells = append(cells, s.cells(seeds, omegaSpec("monolithic-single-path", "t_job="+secondsValue(tj), "t_task=5ms"), s.workload(),
					bench.Label{Key: "t_job", Value: secondsValue(tj)})...)
			}
			return cells, nil
		},
		func(s omegaScale) *omegaReport {
			return &omegaReport{
				title:    "V1 — monolithic single-path: busyness linear in t_job",
				setup:    "One serial scheduler for batch and service jobs, the same decision time t_job + 5 ms × tasks for both; Omega workload defaults (batch every 10 s × 100 tasks, service every 20 s × 10 tasks).",
				expected: "Busyness ≈ Σλ·(t_job + n̄·t_task): low while t_job is small, then linear in t_job until it approaches 1; wait time rises at a similar rate until saturation; batch and service wait curves coincide (Figs. 5a, 6a).",
				keys:     []string{"t_job"},
				cols: []reportColumn{
					measuredColumn("busyness", extraMetric("batch.busyness")),
					{name: "predicted", g: func(g *omegaGroup) float64 { return predictedBusy(parseSeconds(g.label("t_job")), paperTTask) }},
					measuredColumn("batch wait", extraMetric("batch.wait_attempt.mean")),
					measuredColumn("service wait", extraMetric("service.wait_attempt.mean")),
					measuredColumn("batch wait p90", extraMetric("batch.wait_attempt.p90")),
					measuredColumn("abandoned", abandoned),
				},
				claims: []omegaClaim{claimV1},
				plot:   &omegaPlot{x: "t_job", logX: true, ys: []string{"busyness", "predicted"}, ylabel: "busyness"},
			}
		})
}

// predictedBusy is the no-conflict approximation for a single scheduler serving
// both classes with decision time tj + tt × n.
func predictedBusy(tj, tt float64) float64 {
	return math.Min(1, lambdaBatch*(tj+nBatch*tt)+lambdaServ*(tj+nServ*tt))
}

// belowSaturation are the V1 groups whose predicted busyness is below 0.8.
func belowSaturation(gs []*omegaGroup) []*omegaGroup {
	var out []*omegaGroup
	for _, g := range gs {
		if predictedBusy(parseSeconds(g.label("t_job")), paperTTask) < 0.8 {
			out = append(out, g)
		}
	}
	return out
}

var claimV1 = omegaClaim{id: "omega-V1", source: "Omega (EuroSys 2013), Figs. 5a, 6a",
	claim: "A monolithic single-path scheduler's busyness follows Σλ·(t_job + n̄·t_task): linear in t_job until it approaches 1; batch and service waits coincide (one queue).",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		below := belowSaturation(gs)
		want := lambdaBatch + lambdaServ
		busy := extraMetric("batch.busyness")
		slope := bySeed(below, func(at AT) float64 {
			var xs, ys []float64
			for _, g := range below {
				xs, ys = append(xs, parseSeconds(g.label("t_job"))), append(ys, at(g, busy))
			}
			return lsSlope(xs, ys)
		})
		dev := bySeed(below, func(at AT) float64 {
			worst := math.NaN()
			for _, g := range below {
				pred := predictedBusy(parseSeconds(g.label("t_job")), paperTTask)
				worst = math.Max(nanZero(worst), math.Abs(at(g, busy)-pred)/pred)
			}
			return 100 * worst
		})
		gap := bySeed(below, func(at AT) float64 {
			worst := 0.0
			for _, g := range below {
				bw, sw := at(g, extraMetric("batch.wait_attempt.mean")), at(g, extraMetric("service.wait_attempt.mean"))
				if m := math.Max(bw, sw); m > 0.05 { // waits under 50 ms are noise
					worst = math.Max(worst, math.Abs(bw-sw)/m)
				}
			}
			return 100 * worst
		})
		var top bench.Interval
		if len(gs) > 0 {
			top = gs[len(gs)-1].values(busy)
		}
		checks := []bench.Check{
			bench.Near("busyness slope below saturation", want, 0.2, true, slope, "/s"),
			bench.AtMost("largest deviation from Σλ·(t_job + n̄·t_task)", "≈ the approximation", 25, dev, "%"),
			bench.AtMost("largest batch–service wait gap below saturation", "waits coincide", 20, gap, "%"),
			bench.AtLeast("busyness at the largest t_job", "approaches 1 (saturation)", 0.95, top, ""),
		}
		return checks, fmt.Sprintf("%d sweep points below saturation (predicted busyness < 0.8); Σλ = %.4f /s, n̄ = %.1f batch and %.1f service tasks.", len(below), want, nBatch, nServ)
	}}

// nanZero is x, or 0 when x is NaN.
func nanZero(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

// lsSlope is the least-squares slope of y on x.
func lsSlope(xs, ys []float64) float64 {
	n := float64(len(xs))
	if n < 2 {
		return math.NaN()
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// V2 + V4: Omega versus the monolithic fast path, sweeping t_job(service).
func scenarioVsFastPath() omegaExperiment {
	return omegaScenario("omega-vs-fastpath",
		"Omega V2+V4: monolithic fast path vs Omega (1 batch + 1 service), sweep t_job(service): the fast path's batch wait grows (head-of-line blocking), Omega's does not; Omega abandons nothing",
		nil,
		func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error) {
			var cells []bench.Cell
			for _, arch := range []string{"monolithic-fast-path", "omega"} {
				for _, tj := range s.tjobSweep() {
					cells = append(cells, s.cells(seeds, omegaSpec(arch, "t_job_service="+secondsValue(tj)), s.workload(),
						bench.Label{Key: "arch", Value: arch}, bench.Label{Key: "t_job_service", Value: secondsValue(tj)})...)
				}
			}
			return cells, nil
		},
		func(s omegaScale) *omegaReport {
			return &omegaReport{
				title:    "V2 + V4 — Omega vs the monolithic fast path",
				setup:    "Batch jobs keep the paper's t_job = 0.1 s, t_task = 5 ms; service jobs' t_job is swept (t_task 5 ms). monolithic-fast-path: one serial scheduler with the per-class decision times; omega: one batch and one service scheduler, incremental, resource-fit.",
				expected: "Fast path: busyness and wait well below single-path, but batch wait still grows with t_job(service) (head-of-line blocking behind slow service jobs). Omega: wait comparable to the fast path, conflicts relatively rare, all jobs scheduled (no abandonment), batch and service curves independent (Figs. 5b, 5c, 6b, 6c).",
				keys:     []string{"arch", "t_job_service"},
				cols: []reportColumn{
					measuredColumn("batch busy", extraMetric("batch.busyness")),
					measuredColumn("service busy", extraMetric("service.busyness")),
					measuredColumn("batch wait", extraMetric("batch.wait_attempt.mean")),
					measuredColumn("batch wait p90", extraMetric("batch.wait_attempt.p90")),
					measuredColumn("service wait", extraMetric("service.wait_attempt.mean")),
					measuredColumn("conflict fraction", func(r *scheduler.Result) float64 { return r.Conflicts.Fraction }),
					measuredColumn("abandoned", abandoned),
				},
				claims: []omegaClaim{claimV2, claimV4},
				plot:   &omegaPlot{x: "t_job_service", series: "arch", logX: true, logY: true, ys: []string{"batch wait"}, ylabel: "batch wait (s)"},
			}
		})
}

// fastPathRange returns arch's groups at the smallest t_job(service) and at the
// largest t_job(service) at which the fast path's service work is still below
// saturation (mean service busyness < 0.9), the range V2 and V4 compare over.
func fastPathRange(gs []*omegaGroup, arch string) (lo, hi *omegaGroup) {
	hiTJ := math.Inf(-1)
	for _, g := range gs {
		if g.label("arch") != "monolithic-fast-path" {
			continue
		}
		if tj := parseSeconds(g.label("t_job_service")); g.mean(extraMetric("service.busyness")) < 0.9 && tj > hiTJ {
			hiTJ = tj
		}
	}
	for _, g := range gs {
		if g.label("arch") != arch {
			continue
		}
		if lo == nil {
			lo = g
		}
		if parseSeconds(g.label("t_job_service")) == hiTJ {
			hi = g
		}
	}
	return lo, hi
}

// waitGrowth is the per-seed ratio of the mean batch wait at hi to that at lo.
func waitGrowth(gs []*omegaGroup, lo, hi *omegaGroup) bench.Interval {
	if lo == nil || hi == nil {
		return bench.Value(math.NaN())
	}
	w := extraMetric("batch.wait_attempt.mean")
	return bySeed(gs, func(at AT) float64 {
		if at(lo, w) <= 0 {
			return math.NaN()
		}
		return at(hi, w) / at(lo, w)
	})
}

var claimV2 = omegaClaim{id: "omega-V2", source: "Omega (EuroSys 2013), Figs. 5b, 6b",
	claim: "A monolithic multi-path scheduler (fast path for batch) still makes batch jobs wait longer as t_job(service) grows: head-of-line blocking behind slow service decisions.",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		lo, hi := fastPathRange(gs, "monolithic-fast-path")
		checks := []bench.Check{bench.AtLeast("fast-path batch wait growth", "batch wait grows with t_job(service)", 3, waitGrowth(gs, lo, hi), "×")}
		note := ""
		if lo != nil && hi != nil {
			note = fmt.Sprintf("Growth from t_job(service) = %s to %s, the largest before the fast path's service work saturates.", lo.label("t_job_service"), hi.label("t_job_service"))
		}
		return checks, note
	}}

var claimV4 = omegaClaim{id: "omega-V4", source: "Omega (EuroSys 2013), Figs. 5c, 6c",
	claim: "Omega with one batch and one service scheduler: batch wait is independent of t_job(service) (no head-of-line blocking), conflicts are relatively rare and every job is scheduled (none abandoned).",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		lo, hi := fastPathRange(gs, "omega")
		var omegaGs []*omegaGroup
		for _, g := range gs {
			if g.label("arch") == "omega" {
				omegaGs = append(omegaGs, g)
			}
		}
		aband := bySeed(omegaGs, func(at AT) float64 {
			n := 0.0
			for _, g := range omegaGs {
				n += at(g, abandoned)
			}
			return n
		})
		conf := bySeed(omegaGs, func(at AT) float64 {
			worst := 0.0
			for _, g := range omegaGs {
				if parseSeconds(g.label("t_job_service")) <= 1 {
					worst = math.Max(worst, at(g, func(r *scheduler.Result) float64 { return r.Conflicts.Fraction }))
				}
			}
			return worst
		})
		return []bench.Check{
			bench.Between("Omega batch wait change over the fast path's range", "independent of t_job(service)", 2.0/3, 1.5, waitGrowth(gs, lo, hi), "×"),
			bench.AtMost("largest conflict fraction, t_job(service) ≤ 1 s", "relatively rare", 0.1, conf, ""),
			bench.AtMost("jobs abandoned over the sweep", "all jobs scheduled", 0, aband, ""),
		}, ""
	}}

// V5: Omega, batch arrival rate × 1 … × 10.
func scenarioBatchLambda() omegaExperiment {
	return omegaScenario("omega-batch-lambda",
		"Omega V5: scale λ(batch) ×1…×16 with 1 batch + 1 service scheduler: wait and busyness rise (batch: load; service: conflicts) until saturation",
		nil,
		func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error) {
			ls := []float64{1, 2, 4, 6, 8, 10, 13, 16}
			if s.paper {
				ls = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
			}
			var cells []bench.Cell
			for _, l := range ls {
				cells = append(cells, s.cells(seeds, "omega", s.workload(fmt.Sprintf("lambda_batch=%g", l)), bench.Label{Key: "lambda_batch", Value: fmt.Sprintf("%g", l)})...)
			}
			return cells, nil
		},
		func(s omegaScale) *omegaReport {
			return &omegaReport{
				title:    "V5 — Omega under a growing batch arrival rate",
				setup:    "One batch and one service scheduler with the paper's decision times (t_job = 0.1 s, t_task = 5 ms), incremental, resource-fit; the batch arrival rate is multiplied by λ.",
				expected: "Wait and busyness rise: for batch because of load, for service because of more conflicts. Saturation at ≈ 2.5× (cluster A), 6× (B), 9.5× (C) the original batch workload (Fig. 8).",
				keys:     []string{"lambda_batch"},
				cols: []reportColumn{
					measuredColumn("batch busy", extraMetric("batch.busyness")),
					measuredColumn("service busy", extraMetric("service.busyness")),
					measuredColumn("batch conflicts", extraMetric("batch.conflict_fraction")),
					measuredColumn("service conflicts", extraMetric("service.conflict_fraction")),
					measuredColumn("batch wait", extraMetric("batch.wait_attempt.mean")),
					measuredColumn("service wait", extraMetric("service.wait_attempt.mean")),
					measuredColumn("util cpu", func(r *scheduler.Result) float64 { return r.Utilization.CPU }),
					measuredColumn("abandoned", abandoned),
				},
				claims: []omegaClaim{claimV5},
				plot:   &omegaPlot{x: "lambda_batch", ys: []string{"batch busy", "service busy", "service conflicts"}, ylabel: "busyness / conflict fraction"},
			}
		})
}

// riseRatio is the per-seed ratio of metric m at group b to that at group a.
func riseRatio(gs []*omegaGroup, a, b *omegaGroup, m func(*scheduler.Result) float64) bench.Interval {
	if a == nil || b == nil {
		return bench.Value(math.NaN())
	}
	return bySeed(gs, func(at AT) float64 { return at(b, m) / at(a, m) })
}

// AT reads a metric of a group's run of one seed (see bySeed).
type AT = func(*omegaGroup, func(*scheduler.Result) float64) float64

var claimV5 = omegaClaim{id: "omega-V5", source: "Omega (EuroSys 2013), Fig. 8",
	claim: "Scaling the batch arrival rate raises wait and busyness — batch because of load, service because of more conflicts — until saturation at ≈ 2.5× (cluster A), 6× (B) or 9.5× (C) the original batch workload.",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		if len(gs) < 2 {
			return nil, ""
		}
		first, last := gs[0], gs[len(gs)-1]
		// First saturation per seed: batch busyness > 0.9, mean batch wait > 30 s or abandonment.
		sat := func(r *scheduler.Result) bool {
			return r.Extra["batch.busyness"] > 0.9 || r.Extra["batch.wait_attempt.mean"] > omegaSLOWait || r.JobsAbandoned > 0
		}
		var firsts []float64
		all := true
		for k := range first.results {
			x := math.NaN()
			for _, g := range gs {
				if k < len(g.results) && g.results[k] != nil && sat(g.results[k]) {
					x = parseSeconds(g.label("lambda_batch"))
					break
				}
			}
			all = all && !math.IsNaN(x)
			firsts = append(firsts, x)
		}
		satIv := bench.MeanOf(firsts)
		if !all { // some seed never saturates: the multiplier exceeds the sweep
			satIv = bench.Interval{Mean: parseSeconds(last.label("lambda_batch")), Lo: math.NaN(), Hi: math.NaN(), N: len(firsts), Censored: true}
		}
		from := "×" + first.label("lambda_batch") + " → ×" + last.label("lambda_batch")
		return []bench.Check{
				bench.AtLeast("batch busyness rise "+from, "rises (load)", 1.5, riseRatio(gs, first, last, extraMetric("batch.busyness")), "×"),
				bench.AtLeast("service conflict fraction rise "+from, "rises (more conflicts)", 1.5, riseRatio(gs, first, last, extraMetric("service.conflict_fraction")), "×"),
				bench.AtLeast("service wait rise "+from, "rises (more conflicts)", 1.5, riseRatio(gs, first, last, extraMetric("service.wait_attempt.mean")), "×"),
				bench.Between("first saturating multiplier", "≈ 2.5× (A) … 9.5× (C)", 2.5, 9.5, satIv, "×"),
			}, fmt.Sprintf("Saturation: batch busyness > 0.9, mean batch wait > 30 s or an abandoned job. In this synthetic cell the batch scheduler's own work is λ·(t_job + n̄·t_task) = %.3f × the multiplier, and the cell's free 40 %% is used up at ≈ ×%.1f of the batch load.",
				lambdaBatch*(paperTJob+nBatch*paperTTask),
				(1-omegaWL.Prefill)*float64(omegaWL.Machines)*float64(omegaWL.MachineCPU)/(lambdaBatch*nBatch*omegaWL.Batch.Duration.Seconds()*float64(omegaWL.Batch.CPU)))
	}}

// V6: 1–32 batch schedulers.
func scenarioBatchSchedulers() omegaExperiment {
	return omegaScenario("omega-batch-schedulers",
		"Omega V6: 1, 2, 4, 8, 16, 32 batch schedulers × λ(batch) ∈ {1, 10}: conflict fraction rises with the number of schedulers, per-scheduler busyness falls enough to compensate",
		nil,
		func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error) {
			var cells []bench.Cell
			for _, l := range []float64{1, 10} {
				for _, n := range []int{1, 2, 4, 8, 16, 32} {
					cells = append(cells, s.cells(seeds, omegaSpec("omega", fmt.Sprintf("batch=%d", n), "spread=hash"), s.workload(fmt.Sprintf("lambda_batch=%g", l)),
						bench.Label{Key: "lambda_batch", Value: fmt.Sprintf("%g", l)}, bench.Label{Key: "batch_schedulers", Value: fmt.Sprint(n)})...)
				}
			}
			return cells, nil
		},
		func(s omegaScale) *omegaReport {
			return &omegaReport{
				title:    "V6 — scaling out the batch schedulers",
				setup:    "One service scheduler and N batch schedulers, jobs assigned by a hash of their ID (the paper's \"hashing\"; the public simulator's round-robin puts a job's neighbours on other schedulers from N = 2 on, so interference is at its maximum there: docs/omega-gaps.md §5), paper decision times, incremental, resource-fit; batch arrival rate ×1 and ×10.",
				expected: "The conflict fraction rises with N, but per-scheduler busyness falls enough to compensate, \"at least up to 32 batch schedulers\" (Fig. 9).",
				keys:     []string{"lambda_batch", "batch_schedulers"},
				cols: []reportColumn{
					measuredColumn("busy per batch scheduler", extraMetric("batch.busyness")),
					measuredColumn("batch conflicts", extraMetric("batch.conflict_fraction")),
					measuredColumn("service conflicts", extraMetric("service.conflict_fraction")),
					measuredColumn("batch wait", extraMetric("batch.wait_attempt.mean")),
					measuredColumn("batch wait p99", extraMetric("batch.wait_attempt.p99")),
					measuredColumn("abandoned", abandoned),
				},
				claims: []omegaClaim{claimV6},
				plot:   &omegaPlot{x: "batch_schedulers", series: "lambda_batch", logX: true, ys: []string{"busy per batch scheduler", "batch conflicts"}, ylabel: "busyness / conflict fraction"},
			}
		})
}

var claimV6 = omegaClaim{id: "omega-V6", source: "Omega (EuroSys 2013), Fig. 9",
	claim: "With more batch schedulers the conflict fraction rises, but busyness per scheduler falls enough to compensate, at least up to 32 batch schedulers.",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		var checks []bench.Check
		for _, l := range []string{"1", "10"} {
			one, two, many := find(gs, "lambda_batch", l, "batch_schedulers", "1"), find(gs, "lambda_batch", l, "batch_schedulers", "2"), find(gs, "lambda_batch", l, "batch_schedulers", "32")
			if one == nil || many == nil {
				continue
			}
			conf, busy := extraMetric("batch.conflict_fraction"), extraMetric("batch.busyness")
			work := bySeed(gs, func(at AT) float64 { return 32 * at(many, busy) / at(one, busy) })
			checks = append(checks,
				bench.AtLeast("λ×"+l+": batch conflict fraction 1 → 32 schedulers", "rises with N", 1.5, riseRatio(gs, one, many, conf), "×"),
				bench.AtLeast("λ×"+l+": batch conflict fraction 2 → 32 schedulers", "keeps rising with N", 1.5, riseRatio(gs, two, many, conf), "×"),
				bench.AtMost("λ×"+l+": total batch scheduler work at 32 (N × busyness ÷ busyness at 1)", "per-scheduler busyness falls enough to compensate", 1.5, work, "×"))
		}
		return checks, ""
	}}

// V7: the conflict-mode × transaction-mode matrix.
func scenarioModes() omegaExperiment {
	return omegaScenario("omega-modes",
		"Omega V7: {resource-fit, sequence-numbers} × {incremental, all-or-nothing} at λ(batch) ×1 and ×10: all-or-nothing ≈ 2× the conflicts; sequence numbers 2–3× conflicts and busyness",
		[]bench.Param{{Name: "t_job_service", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "5s", Doc: "service t_job (long decisions make conflicts measurable)"},
			{Name: "lambda_batch", Type: bench.TypeList, Range: "[0, 1000]", Default: "1+10", Doc: "batch arrival-rate multipliers, joined by + (×10 is a busy cell)"}},
		func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error) {
			tj := p.Duration("t_job_service", 5*scheduler.Second)
			var cells []bench.Cell
			for _, ls := range strings.Split(p.List("lambda_batch", "1+10"), "+") {
				lb := parseSeconds(ls)
				if !(lb > 0) {
					return nil, fmt.Errorf("parameter lambda_batch: %q is not a positive number", ls)
				}
				for _, c := range []string{"fit", "seq"} {
					for _, tx := range []string{"incremental", "all-or-nothing"} {
						cells = append(cells, s.cells(seeds, omegaSpec("omega", "conflict="+c, "transaction="+tx, "t_job_service="+secondsValue(tj.Seconds())),
							s.workload(fmt.Sprintf("lambda_batch=%g", lb)), bench.Label{Key: "lambda_batch", Value: fmt.Sprintf("%g", lb)}, bench.Label{Key: "conflict", Value: c}, bench.Label{Key: "transaction", Value: tx})...)
					}
				}
			}
			return cells, nil
		},
		func(s omegaScale) *omegaReport {
			return &omegaReport{
				title:    "V7 — conflict detection × transaction mode",
				setup:    "One batch and one service scheduler, service t_job = 5 s (default), batch at the paper's decision times; batch arrival rate ×1 and ×10 (a busy cell: the table's CPU utilization).",
				expected: "All-or-nothing with resource fit: ≈ 2× the conflict fraction, only a minor busyness increase. Sequence numbers: 2–3× the conflict rate and busyness. \"Clearly, incremental transactions should be the default.\" (Fig. 14, cluster C, 29 days).",
				keys:     []string{"lambda_batch", "conflict", "transaction"},
				cols: []reportColumn{
					measuredColumn("service conflicts", extraMetric("service.conflict_fraction")),
					measuredColumn("batch conflicts", extraMetric("batch.conflict_fraction")),
					measuredColumn("service busy", extraMetric("service.busyness")),
					measuredColumn("batch busy", extraMetric("batch.busyness")),
					measuredColumn("service wait", extraMetric("service.wait_attempt.mean")),
					measuredColumn("util cpu", func(r *scheduler.Result) float64 { return r.Utilization.CPU }),
					measuredColumn("abandoned", abandoned),
				},
				claims: []omegaClaim{claimV7},
				plot:   &omegaPlot{x: "conflict", series: "transaction", bars: true, ys: []string{"service conflicts"}, ylabel: "service conflict fraction", filter: [2]string{"lambda_batch", "10"}},
			}
		})
}

var claimV7 = omegaClaim{id: "omega-V7", source: "Omega (EuroSys 2013), Fig. 14",
	claim: "Against resource-fit incremental transactions: all-or-nothing gives ≈ 2× the conflict fraction with only a minor busyness increase; coarse-grained conflict detection (sequence numbers) gives 2–3× the conflict rate and busyness.",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		// The service scheduler's, as in Fig. 14: the batch scheduler's busyness
		// hardly depends on the detection mode, so a sum would dilute the effect.
		conf, busy := extraMetric("service.conflict_fraction"), extraMetric("service.busyness")
		var lambdas []string
		for _, g := range gs {
			if l := g.label("lambda_batch"); !slices.Contains(lambdas, l) {
				lambdas = append(lambdas, l)
			}
		}
		var checks []bench.Check
		for _, l := range lambdas {
			base := find(gs, "lambda_batch", l, "conflict", "fit", "transaction", "incremental")
			aon := find(gs, "lambda_batch", l, "conflict", "fit", "transaction", "all-or-nothing")
			seq := find(gs, "lambda_batch", l, "conflict", "seq", "transaction", "incremental")
			if base == nil {
				continue
			}
			checks = append(checks,
				bench.Near("λ×"+l+": service conflict fraction, all-or-nothing ÷ incremental", 2, 0.25, true, riseRatio(gs, base, aon, conf), "×"),
				bench.AtMost("λ×"+l+": service busyness, all-or-nothing ÷ incremental", "minor increase", 1.25, riseRatio(gs, base, aon, busy), "×"),
				bench.Between("λ×"+l+": service conflict fraction, sequence numbers ÷ resource fit", "2–3×", 2, 3, riseRatio(gs, base, seq, conf), "×"),
				bench.Between("λ×"+l+": service busyness, sequence numbers ÷ resource fit", "2–3×", 2, 3, riseRatio(gs, base, seq, busy), "×"))
		}
		return checks, "The service scheduler's conflict fraction and busyness. docs/omega-v7.md analyses the sequence-number case: on these cells a retry costs about a whole first attempt, so busyness grows as 1 + conflict fraction, and the extra conflicts of sequence numbers are few."
	}}

// V8: conflict fraction crossing 1 near t_job(service) ≈ 10 s on a busy cell.
func scenarioConflictCrossing() omegaExperiment {
	return omegaScenario("omega-conflict-crossing",
		"Omega V8: sweep t_job(service) on a busy cell (λ(batch) ×10): the service conflict fraction exceeds 1 near t_job(service) ≈ 10 s; busyness ≈ 40 % above the no-conflict approximation",
		[]bench.Param{{Name: "lambda_batch", Type: bench.TypeFloat, Range: "(0, 1000]", Default: "10", Doc: "batch arrival-rate multiplier (the busy cell)"}},
		func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error) {
			lb := p.Float("lambda_batch", 10)
			tjs := []float64{0.1, 1, 2, 5, 10, 15, 20, 50}
			if s.paper {
				tjs = s.tjobSweep()
			}
			var cells []bench.Cell
			for _, tj := range tjs {
				cells = append(cells, s.cells(seeds, omegaSpec("omega", "t_job_service="+secondsValue(tj)), s.workload(fmt.Sprintf("lambda_batch=%g", lb)),
					bench.Label{Key: "t_job_service", Value: secondsValue(tj)})...)
			}
			return cells, nil
		},
		func(s omegaScale) *omegaReport {
			return &omegaReport{
				title:    "V8 — the service conflict fraction crosses 1",
				setup:    "One batch and one service scheduler, incremental, resource-fit; batch at the paper's decision times and ×10 arrival rate (a busy cell, the table's CPU utilization: the stand-in for the paper's busy cluster B); service t_job swept, t_task 5 ms.",
				expected: "Conflict fraction > 1.0 at t_job(service) ≈ 10 s. The 30 s wait SLO is missed although the scheduler is not saturated. Busyness is ≈ 40 % above the no-conflict approximation (Fig. 12, cluster B, 7 days).",
				keys:     []string{"t_job_service"},
				cols: []reportColumn{
					measuredColumn("service conflicts", extraMetric("service.conflict_fraction")),
					measuredColumn("service busy", extraMetric("service.busyness")),
					{name: "no-conflict approx", g: func(g *omegaGroup) float64 {
						return lambdaServ * (parseSeconds(g.label("t_job_service")) + nServ*paperTTask)
					}},
					measuredColumn("service wait", extraMetric("service.wait_attempt.mean")),
					measuredColumn("service wait p90", extraMetric("service.wait_attempt.p90")),
					measuredColumn("batch conflicts", extraMetric("batch.conflict_fraction")),
					measuredColumn("util cpu", func(r *scheduler.Result) float64 { return r.Utilization.CPU }),
					measuredColumn("abandoned", abandoned),
				},
				claims: []omegaClaim{claimV8},
				plot:   &omegaPlot{x: "t_job_service", logX: true, ys: []string{"service conflicts", "service busy"}, ylabel: "conflict fraction / busyness", hline: 1},
			}
		})
}

var claimV8 = omegaClaim{id: "omega-V8", source: "Omega (EuroSys 2013), Fig. 12",
	claim: "On a busy cell the service conflict fraction exceeds 1 at t_job(service) ≈ 10 s; the 30 s wait SLO is missed although the scheduler is not saturated; busyness is ≈ 40 % above the no-conflict approximation.",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		conf, busy := extraMetric("service.conflict_fraction"), extraMetric("service.busyness")
		cross := bySeed(gs, func(at AT) float64 {
			for i := 1; i < len(gs); i++ {
				x0, x1 := parseSeconds(gs[i-1].label("t_job_service")), parseSeconds(gs[i].label("t_job_service"))
				y0, y1 := at(gs[i-1], conf), at(gs[i], conf)
				if y0 < 1 && y1 >= 1 {
					return x0 + (1-y0)*(x1-x0)/(y1-y0)
				}
			}
			return math.NaN()
		})
		excess := bySeed(gs, func(at AT) float64 {
			var before *omegaGroup // the last point below the crossing
			for _, g := range gs {
				if at(g, conf) >= 1 {
					break
				}
				before = g
			}
			if before == nil {
				return math.NaN()
			}
			approx := lambdaServ * (parseSeconds(before.label("t_job_service")) + nServ*paperTTask)
			return 100 * (at(before, busy)/approx - 1)
		})
		missedUnsat := false
		for _, g := range gs {
			if g.mean(extraMetric("service.wait_attempt.mean")) > omegaSLOWait && g.mean(busy) < 0.9 {
				missedUnsat = true
			}
		}
		return []bench.Check{
			bench.Near("t_job(service) where the service conflict fraction crosses 1", 10, 0.5, true, cross, "s"),
			bench.Near("service busyness above the no-conflict approximation, just below the crossing", 40, 15, false, excess, "%"),
			bench.Holds("30 s wait SLO missed at some t_job(service) while service busyness < 0.9", "missed although not saturated", true, missedUnsat),
		}, "The crossing is linearly interpolated between sweep points, per seed."
	}}

// V9: t_task(service) = 1 s.
func scenarioTTask() omegaExperiment {
	return omegaScenario("omega-ttask",
		"Omega V9: t_task(service) = 1 s at t_job = 0.1 s: the conflict fraction stays ≤ 0.2",
		nil,
		func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error) {
			var cells []bench.Cell
			for _, l := range []float64{1, 10} {
				cells = append(cells, s.cells(seeds, omegaSpec("omega", "t_job_service=0.1s", "t_task_service=1s"), s.workload(fmt.Sprintf("lambda_batch=%g", l)),
					bench.Label{Key: "lambda_batch", Value: fmt.Sprintf("%g", l)}, bench.Label{Key: "service_decision", Value: "0.1s + 1s×n"})...)
				// Control: the same mean decision time, all in t_job.
				cells = append(cells, s.cells(seeds, omegaSpec("omega", fmt.Sprintf("t_job_service=%.2fs", 0.1+nServ), "t_task_service=5ms"), s.workload(fmt.Sprintf("lambda_batch=%g", l)),
					bench.Label{Key: "lambda_batch", Value: fmt.Sprintf("%g", l)}, bench.Label{Key: "service_decision", Value: fmt.Sprintf("%.2fs + 5ms×n", 0.1+nServ)})...)
			}
			return cells, nil
		},
		func(s omegaScale) *omegaReport {
			return &omegaReport{
				title:    "V9 — t_task(service) = 1 s",
				setup:    "One batch and one service scheduler, incremental, resource-fit; service decision 0.1 s + 1 s × tasks, and as a control the same mean decision time put into t_job; default cell and the busy cell (λ(batch) ×10).",
				expected: "Conflict fraction ≤ 0.2 (Fig. 12).",
				keys:     []string{"lambda_batch", "service_decision"},
				cols: []reportColumn{
					measuredColumn("service conflicts", extraMetric("service.conflict_fraction")),
					measuredColumn("service busy", extraMetric("service.busyness")),
					measuredColumn("service wait", extraMetric("service.wait_attempt.mean")),
					measuredColumn("service wait full p90", extraMetric("service.wait_full.p90")),
					measuredColumn("abandoned", abandoned),
				},
				claims: []omegaClaim{claimV9},
			}
		})
}

var claimV9 = omegaClaim{id: "omega-V9", source: "Omega (EuroSys 2013), Fig. 12",
	claim: "On the busy cell of Fig. 12, t_task(service) = 1 s at t_job = 0.1 s keeps the service conflict fraction at or below 0.2.",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		conf := extraMetric("service.conflict_fraction")
		var busyCell, other *omegaGroup
		for _, g := range gs {
			if strings.Contains(g.label("service_decision"), "1s×n") {
				if g.label("lambda_batch") == "10" {
					busyCell = g
				} else {
					other = g
				}
			}
		}
		checks := []bench.Check{}
		if busyCell != nil {
			checks = append(checks, bench.AtMost("service conflict fraction, busy cell (λ(batch)×10)", "≤ 0.2", 0.2, busyCell.values(conf), ""))
		}
		note := ""
		if other != nil {
			note = fmt.Sprintf("On the default cell (λ(batch)×1) the fraction is %s.", other.values(conf).Cell())
		}
		return checks, note
	}}

// V10: 1 vs 3 batch schedulers, sweeping t_job(batch).
func scenarioBatchTJob() omegaExperiment {
	return omegaScenario("omega-batch-tjob",
		"Omega V10: 1 vs 3 batch schedulers, sweep t_job(batch): saturation moves to a ≈ 3× longer t_job(batch), conflict fraction ≈ 0.1, the 30 s SLO met until saturation",
		nil,
		func(s omegaScale, p *bench.Params, seeds int) ([]bench.Cell, error) {
			tjs := []float64{0.1, 1, 2, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50}
			if s.paper {
				tjs = s.tjobSweep()
			}
			var cells []bench.Cell
			for _, n := range []int{1, 3} {
				for _, tj := range tjs {
					cells = append(cells, s.cells(seeds, omegaSpec("omega", fmt.Sprintf("batch=%d", n), "t_job_batch="+secondsValue(tj)), s.workload(),
						bench.Label{Key: "batch_schedulers", Value: fmt.Sprint(n)}, bench.Label{Key: "t_job_batch", Value: secondsValue(tj)})...)
				}
			}
			return cells, nil
		},
		func(s omegaScale) *omegaReport {
			return &omegaReport{
				title:    "V10 — one vs three batch schedulers under a growing batch decision time",
				setup:    "One service scheduler at the paper's decision times and 1 or 3 batch schedulers (jobs spread round-robin), incremental, resource-fit; t_job(batch) swept, t_task 5 ms; Omega workload defaults.",
				expected: "Saturation moves from t_job(batch) ≈ 4 s to ≈ 15 s (≈ 3×); the conflict fraction stays ≈ 0.1; all schedulers meet the 30 s wait SLO until saturation; the scale-up is sub-linear (Fig. 13, cluster C, 24 h).",
				keys:     []string{"batch_schedulers", "t_job_batch"},
				cols: []reportColumn{
					measuredColumn("busy per batch scheduler", extraMetric("batch.busyness")),
					measuredColumn("batch conflicts", extraMetric("batch.conflict_fraction")),
					measuredColumn("batch wait", extraMetric("batch.wait_attempt.mean")),
					measuredColumn("service wait", extraMetric("service.wait_attempt.mean")),
					measuredColumn("abandoned", abandoned),
				},
				claims: []omegaClaim{claimV10},
				plot:   &omegaPlot{x: "t_job_batch", series: "batch_schedulers", logX: true, ys: []string{"busy per batch scheduler"}, ylabel: "busyness per batch scheduler", hline: 0.9},
			}
		})
}

// saturationTJob is the t_job(batch) at which a seed's busyness per batch
// scheduler first reaches 0.9 among the groups of n schedulers, interpolated
// linearly between sweep points (NaN if it never does).
func saturationTJob(gs []*omegaGroup, n string, at AT) float64 {
	busy := extraMetric("batch.busyness")
	var px, py float64
	first := true
	for _, g := range gs {
		if g.label("batch_schedulers") != n {
			continue
		}
		x, y := parseSeconds(g.label("t_job_batch")), at(g, busy)
		if y >= 0.9 {
			if first {
				return x
			}
			return px + (0.9-py)*(x-px)/(y-py)
		}
		px, py, first = x, y, false
	}
	return math.NaN()
}

var claimV10 = omegaClaim{id: "omega-V10", source: "Omega (EuroSys 2013), Fig. 13",
	claim: "Going from 1 to 3 batch schedulers moves saturation from t_job(batch) ≈ 4 s to ≈ 15 s (≈ 3×, sub-linear); the conflict fraction stays ≈ 0.1 and every scheduler meets the 30 s wait SLO until saturation.",
	grade: func(gs []*omegaGroup) ([]bench.Check, string) {
		ratio := bySeed(gs, func(at AT) float64 { return saturationTJob(gs, "3", at) / saturationTJob(gs, "1", at) })
		one := bySeed(gs, func(at AT) float64 { return saturationTJob(gs, "1", at) })
		three := bySeed(gs, func(at AT) float64 { return saturationTJob(gs, "3", at) })
		// Below saturation (busyness < 0.9 in the mean): the largest batch conflict
		// fraction of three schedulers, and whether any wait exceeds the SLO.
		conf := bySeed(gs, func(at AT) float64 {
			worst := math.NaN()
			for _, g := range gs {
				if g.label("batch_schedulers") == "3" && g.mean(extraMetric("batch.busyness")) < 0.9 {
					worst = math.Max(nanZero(worst), at(g, extraMetric("batch.conflict_fraction")))
				}
			}
			return worst
		})
		sloMet := true
		for _, g := range gs {
			if g.mean(extraMetric("batch.busyness")) < 0.9 && (g.mean(extraMetric("batch.wait_attempt.mean")) > omegaSLOWait || g.mean(extraMetric("service.wait_attempt.mean")) > omegaSLOWait) {
				sloMet = false
			}
		}
		return []bench.Check{
				bench.Between("saturating t_job(batch), 3 schedulers ÷ 1", "≈ 3× (4 s → 15 s), sub-linear", 2, 3.75, ratio, "×"),
				bench.Between("largest batch conflict fraction of 3 schedulers below saturation", "≈ 0.1", 0.05, 0.2, conf, ""),
				bench.Holds("every mean wait ≤ 30 s below saturation", "SLO met until saturation", true, sloMet),
			}, fmt.Sprintf("Saturation (busyness per batch scheduler reaching 0.9, interpolated per seed): %s s with one batch scheduler, %s s with three. This cell's batch load alone predicts 0.9/λ − n̄·t_task = %.1f s for one scheduler.",
				one.Cell(), three.Cell(), 0.9/lambdaBatch-nBatch*paperTTask)
	}}
