package families

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/mesos"
	"github.com/schedlab/schedlab/scheduler"
)

// mesos-gang-hoarding: V11 of REFERENCES.md §3.5/§7.2. Gang frameworks accept
// offers and hoard them until their gang fits; each gang needs more than half the
// cell, so two partial gangs can each wait for what the other holds. The sweep
// varies the hold timeout and the back-off, and runs the same workload under the
// strict all-or-nothing schedulers of the other families for comparison.

// HoardWorkload describes the gang-heavy workload of mesos-gang-hoarding (a small
// generator of its own, documented here): a cell of Nodes machines of 4 cores and
// 16 GiB; gang jobs arrive as a Poisson stream every GangEvery on average, each of
// GangMin..GangMax tasks that take a whole machine (4 cores, 8 GiB; MinMember =
// tasks), running an exponential time of mean GangRuntime (at least 10 s);
// background jobs of 1–4 one-core tasks (2 GiB) arrive every SmallEvery on
// average and run an exponential time of mean SmallRuntime (at least 1 s), so
// machines free up one by one and the gang frameworks' holdings interleave.
// Arrivals stop at Horizon.
type HoardWorkload struct {
	Nodes                    int
	GangMin, GangMax         int
	GangEvery, GangRuntime   scheduler.Time
	SmallEvery, SmallRuntime scheduler.Time
	Horizon                  scheduler.Time
}

// DefaultHoardWorkload returns the scenario's default workload: 16 machines, gangs
// of 9–12 machines every 60 s running 90 s, background jobs every 4 s running 40 s,
// 30 simulated minutes of arrivals.
func DefaultHoardWorkload() HoardWorkload {
	return HoardWorkload{Nodes: 16, GangMin: 9, GangMax: 12, GangEvery: 60 * scheduler.Second, GangRuntime: 90 * scheduler.Second,
		SmallEvery: 4 * scheduler.Second, SmallRuntime: 40 * scheduler.Second, Horizon: 30 * scheduler.Minute}
}

// Build returns the machines and the jobs for seed, and the number of gangs.
func (w HoardWorkload) Build(seed uint64) ([]scheduler.Node, []*scheduler.Job, int) {
	nodes := make([]scheduler.Node, w.Nodes)
	for i := range nodes {
		nodes[i] = scheduler.Node{Name: fmt.Sprintf("h%d", i), Capacity: scheduler.Res(4000, 16384, 0)}
	}
	rg := scheduler.NewRand(seed, "bench/mesos-hoard/gang")
	rs := scheduler.NewRand(seed, "bench/mesos-hoard/small")
	exp := func(r interface{ ExpFloat64() float64 }, mean scheduler.Time, floor scheduler.Time) scheduler.Time {
		return max(floor, scheduler.Time(r.ExpFloat64()*float64(mean)))
	}
	type arrival struct {
		at   scheduler.Time
		gang bool
	}
	var arr []arrival
	for t := exp(rg, w.GangEvery, 0); t < w.Horizon; t += exp(rg, w.GangEvery, 0) {
		arr = append(arr, arrival{t, true})
	}
	for t := exp(rs, w.SmallEvery, 0); t < w.Horizon; t += exp(rs, w.SmallEvery, 0) {
		arr = append(arr, arrival{t, false})
	}
	// Merge by time (stable: gangs first on ties), then draw each job's shape.
	for i := 1; i < len(arr); i++ {
		for j := i; j > 0 && arr[j].at < arr[j-1].at; j-- {
			arr[j], arr[j-1] = arr[j-1], arr[j]
		}
	}
	var jobs []*scheduler.Job
	gangs := 0
	for i, a := range arr {
		j := &scheduler.Job{ID: scheduler.JobID(i + 1), Submit: a.at}
		if a.gang {
			gangs++
			n := w.GangMin + rg.IntN(w.GangMax-w.GangMin+1)
			rt := exp(rg, w.GangRuntime, 10*scheduler.Second)
			j.MinMember = int32(n)
			j.Tasks = make([]scheduler.Task, n)
			for k := range j.Tasks {
				j.Tasks[k] = scheduler.Task{Index: int32(k), Request: scheduler.Res(4000, 8192, 0), Runtime: rt}
			}
		} else {
			n := 1 + rs.IntN(4)
			j.Tasks = make([]scheduler.Task, n)
			for k := range j.Tasks {
				j.Tasks[k] = scheduler.Task{Index: int32(k), Request: scheduler.Res(1000, 2048, 0),
					Runtime: exp(rs, w.SmallRuntime, scheduler.Second)}
			}
		}
		jobs = append(jobs, j)
	}
	return nodes, jobs, gangs
}

func mesosHoardingScenario() bench.ScenarioSpec {
	return bench.ScenarioSpec{
		Name: "mesos-gang-hoarding",
		Doc: "gang frameworks hoarding offers (gangs > half the cell): terminal deadlock rate, episodes, hoarded-idle against hold timeout " +
			"and back-off, beside strict all-or-nothing schedulers on the same workload",
		Params: []bench.Param{
			{Name: "timeouts", Type: bench.TypeList, Default: "forever+10s+60s+300s", Doc: "hold timeouts of the gang frameworks, joined by +"},
			{Name: "backoffs", Type: bench.TypeList, Default: "fixed+exp", Doc: "back-off after a hold timeout: fixed (1 s) and/or exp (1 s doubling to 64 s, 50% jitter)"},
			{Name: "baselines", Type: bench.TypeList, Default: "monolithic+omega:transaction=all-or-nothing+gang-strict", Doc: "other schedulers run on the same workload, joined by +; names not registered are skipped and reported"},
			{Name: "frameworks", Type: bench.TypeInt, Range: "[1, 10000]", Memory: true, Default: "2", Doc: "gang frameworks (gangs assigned round-robin); one ordinary framework runs the background jobs"},
			{Name: "nodes", Type: bench.TypeInt, Range: "[1, 2000000]", Memory: true, Default: "16", Doc: "machines (4 cores, 16 GiB)"},
			{Name: "horizon", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "30m", Doc: "arrivals stop then; each run is cut at 4× this"},
		},
		Cells:  mesosHoardingCells,
		Report: mesosHoardingReport,
	}
}

func mesosHoardingCells(reg *bench.Registry, p *bench.Params, seeds int) ([]bench.Cell, error) {
	timeouts, err := mesosParseDurations("timeouts", p.List("timeouts", "forever+10s+60s+300s"))
	if err != nil {
		return nil, fmt.Errorf("scenario mesos-gang-hoarding: %w", err)
	}
	backoffs := mesosSplitPlus(p.List("backoffs", "fixed+exp"))
	baselines := mesosSplitPlus(p.List("baselines", "monolithic+omega:transaction=all-or-nothing+gang-strict"))
	nfw := p.Int("frameworks", 2)
	w := DefaultHoardWorkload()
	w.Nodes = p.Int("nodes", w.Nodes)
	w.Horizon = p.Duration("horizon", w.Horizon)
	if err := p.Err(); err != nil {
		return nil, err
	}
	for _, b := range backoffs {
		if b != "fixed" && b != "exp" {
			return nil, fmt.Errorf("scenario mesos-gang-hoarding: parameter backoffs: %q (want fixed, exp)", b)
		}
	}
	if nfw < 1 || w.Nodes < w.GangMax || w.Horizon <= 0 || w.Horizon >= scheduler.Forever {
		return nil, fmt.Errorf("scenario mesos-gang-hoarding: want frameworks ≥ 1, nodes ≥ %d and a finite horizon", w.GangMax)
	}
	if seeds <= 0 {
		seeds = 10
	}
	run := func(seed uint64, spec string, mk func() (scheduler.Scheduler, error)) (*scheduler.Result, error) {
		nodes, jobs, gangs := w.Build(seed)
		sched, err := mk()
		if err != nil {
			return nil, err
		}
		cfg := scheduler.DefaultConfig()
		cfg.Nodes, cfg.Seed, cfg.Horizon = nodes, seed, 4*w.Horizon
		res, err := scheduler.Run(cfg, &scheduler.SliceSource{Jobs: jobs}, sched)
		if err != nil {
			return nil, err
		}
		res.Scheduler, res.Placer, res.Workload = spec, "firstfit", fmt.Sprintf("mesos-hoard:nodes=%d,horizon=%v", w.Nodes, w.Horizon)
		res.SetExtra("gangs_submitted", float64(gangs))
		return res, nil
	}
	var cells []bench.Cell
	for _, to := range timeouts {
		for _, bo := range backoffs {
			cfg := mesos.DefaultConfig()
			cfg.Frameworks = []mesos.FrameworkConfig{mesos.DefaultFrameworkConfig("batch", scheduler.Batch)}
			for i := 0; i < nfw; i++ {
				g := mesos.DefaultFrameworkConfig(fmt.Sprintf("gang-%d", i+1), scheduler.Batch)
				g.Gang = true
				g.HoldTimeout = to
				g.Backoff, g.MaxBackoff = scheduler.Second, scheduler.Second
				if bo == "exp" {
					g.MaxBackoff, g.BackoffJitter = 64*scheduler.Second, 0.5
				}
				cfg.Frameworks = append(cfg.Frameworks, g)
			}
			spec := fmt.Sprintf("mesos:gang=%d,hold_timeout=%s,backoff=%s", nfw, mesosDurationLabel(to), bo)
			for s := 0; s < seeds; s++ {
				seed := uint64(s + 1)
				cfg := cfg
				cells = append(cells, bench.Cell{
					Labels: []bench.Label{{Key: "scheduler", Value: "mesos"}, {Key: "hold_timeout", Value: mesosDurationLabel(to)}, {Key: "backoff", Value: bo}},
					Seed:   seed,
					Run: func() (*scheduler.Result, error) {
						return run(seed, spec, func() (scheduler.Scheduler, error) { return mesos.New(cfg) })
					},
				})
			}
		}
	}
	for _, b := range baselines {
		if _, err := reg.NewScheduler(b, "firstfit"); err != nil {
			continue // not registered (yet): the report lists it as skipped
		}
		for s := 0; s < seeds; s++ {
			seed := uint64(s + 1)
			cells = append(cells, bench.Cell{
				Labels: []bench.Label{{Key: "scheduler", Value: b}, {Key: "hold_timeout", Value: "-"}, {Key: "backoff", Value: "-"}},
				Seed:   seed,
				Run: func() (*scheduler.Result, error) {
					return run(seed, b, func() (scheduler.Scheduler, error) { return reg.NewScheduler(b, "firstfit") })
				},
			})
		}
	}
	return cells, nil
}

func mesosHoardingReport(dir string, params *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	groups := bench.Groups(cells, results)
	t := &bench.Table{Header: []string{"scheduler", "hold timeout", "back-off", "terminal deadlock %", "expected % (V11)", "episodes per gang",
		"hoarded-idle %", "gangs started / submitted", "gang wait p50 s", "gang wait p99 s", "CPU util % (hoarded included)", "useful CPU util %", "runs"}}
	metricGangs := bench.Metric{Key: "extra.gangs_submitted", Name: "gangs", Unit: "", Get: func(r *scheduler.Result) float64 { return r.Extra["gangs_submitted"] }}
	type pt struct{ x, y, e float64 }
	series := map[string][]pt{}
	var seriesNames []string
	idle := map[string][]pt{}
	var baseLines []bench.Line
	xOf := func(label string) float64 {
		if label == "forever" {
			return 1000 // plotted right of the finite timeouts
		}
		v, _ := bench.LabelNumber(label)
		return v
	}
	for gi := range groups {
		g := &groups[gi]
		if len(g.Results) == 0 {
			continue
		}
		sched := g.Label("scheduler")
		to, bo := g.Label("hold_timeout"), g.Label("backoff")
		expected := "0"
		if sched == "mesos" && to == "forever" {
			expected = "100"
		}
		started := mesosMeanOf(g, mesosMetricGangsRun)
		t.Add(sched, to, bo, mesosMeanCell(g, bench.MetricDeadlockRate), expected, mesosMeanCell(g, mesosMetricEpisodesPer1000), mesosMeanCell(g, mesosMetricHeldIdle),
			bench.Num(started)+" / "+bench.Num(mesosMeanOf(g, metricGangs)), mesosMeanCell(g, metricGangWaitP50),
			mesosMeanCell(g, bench.MetricGangWaitP99), mesosMeanCell(g, mesosMetricUtil), mesosMeanCell(g, bench.MetricUsefulCPU), fmt.Sprint(len(g.Results)))
		dm, dh := bench.MeanCI(g.Values(bench.MetricDeadlockRate))
		if sched == "mesos" {
			name := "mesos, back-off " + bo
			if _, ok := series[name]; !ok {
				seriesNames = append(seriesNames, name)
			}
			series[name] = append(series[name], pt{xOf(to), dm, dh})
			im, ih := bench.MeanCI(g.Values(mesosMetricHeldIdle))
			idle[name] = append(idle[name], pt{xOf(to), im, ih})
		} else {
			baseLines = append(baseLines, bench.Line{Name: sched + " (measured)", X: []float64{0, 1000}, Y: []float64{dm, dm}})
		}
	}
	var baseNames []string
	for gi := range groups {
		if n := groups[gi].Label("scheduler"); n != "mesos" && len(groups[gi].Results) > 0 {
			baseNames = append(baseNames, n)
		}
	}
	toLine := func(name string, ps []pt) bench.Line {
		l := bench.Line{Name: name, Points: true}
		for i := 1; i < len(ps); i++ {
			for j := i; j > 0 && ps[j].x < ps[j-1].x; j-- {
				ps[j], ps[j-1] = ps[j-1], ps[j]
			}
		}
		for _, p := range ps {
			l.X, l.Y, l.Err = append(l.X, p.x), append(l.Y, p.y), append(l.Err, p.e)
		}
		return l
	}
	var lines, idleLines []bench.Line
	var allX []float64
	for _, n := range seriesNames {
		l := toLine(n, series[n])
		allX = l.X
		lines = append(lines, l)
		idleLines = append(idleLines, toLine(n, idle[n]))
	}
	if len(allX) > 0 {
		exp := bench.Line{Name: "expected (V11: 100% at forever, 0% with a timeout)", Dashed: true, Color: 8}
		for _, x := range allX {
			exp.X = append(exp.X, x)
			if x >= 1000 {
				exp.Y = append(exp.Y, 100)
			} else {
				exp.Y = append(exp.Y, 0)
			}
		}
		lines = append(lines, exp)
	}
	lines = append(lines, baseLines...)
	var b strings.Builder
	b.WriteString("# mesos-gang-hoarding\n\n")
	b.WriteString("Gang frameworks hoard offers until their gang fits (REFERENCES.md §4.3, V11 of §7.2). Workload: " +
		"DefaultHoardWorkload (see bench/families/mesos_hoarding.go: gangs of 9–12 whole machines on a 16-machine cell, so two gangs never fit " +
		"together, plus one-core background jobs that free machines one by one). Deadlock by the core detector. " + bench.IntervalNote(bench.MinGroupSeeds(groups)) + " " +
		"The baselines run the same jobs.\n\n")
	b.WriteString(mesosTableMarkdown(t))
	b.WriteString("\n**Expected** (REFERENCES.md §7.2, V11; DESIGN.md): without a hold timeout, interleaved hoarding ends in a terminal deadlock " +
		"(incidence 1.0); with any timeout no deadlock is terminal, episodes are counted, and hoarded-idle grows with the timeout; " +
		"a fixed 1 s back-off lets the releasing gang, first in DRF order, grab its resources back (livelock), which exponential back-off with jitter avoids; " +
		"strict all-or-nothing schedulers never hold a partial gang, so they never deadlock. " +
		"Read hoarded-idle together with the stop: runs without a timeout stop at their terminal deadlock, so their average covers a " +
		"shorter run; gangs started / submitted shows the livelock that timeouts trade the deadlock for (episodes form again and again " +
		"while the background jobs take the machines the released gangs give back).\n\n")
	if len(lines) > 0 {
		fmt.Fprintf(&b, "**Measured**: terminal deadlock rate by timeout (forever last): %s; hoarded-idle by timeout: %s.\n\n",
			mesosSeriesWords(lines[:len(seriesNames)]), mesosSeriesWords(idleLines))
	}
	fmt.Fprintf(&b, "Baselines that ran (a baseline whose name is not registered is skipped): %s.\n\n", strings.Join(baseNames, ", "))
	b.WriteString(claimVerdictLine(mesosClaimV11, params, cells, results))
	b.WriteString("![deadlock rate](mesos_hoarding_deadlock.png)\n![hoarded idle](mesos_hoarding_idle.png)\n")
	if err := mesosWriteReport(dir, "mesos_gang_hoarding.md", b.String()); err != nil {
		return err
	}
	note := "hold timeout 'forever' is plotted at x = 1000 s"
	ch := &bench.Chart{Title: "Mesos hoarding: terminal deadlock rate vs hold timeout", XLabel: "hold timeout (s)", YLabel: "runs ending in a terminal deadlock (%)",
		YFrom0: true, YMax: 105, Note: note, Lines: lines}
	if err := ch.Save(filepath.Join(dir, "mesos_hoarding_deadlock")); err != nil {
		return err
	}
	ch = &bench.Chart{Title: "Mesos hoarding: hoarded-idle CPU vs hold timeout", XLabel: "hold timeout (s)", YLabel: "CPU held idle (%)",
		YFrom0: true, Note: note + "; expected: rises with the timeout", Lines: idleLines}
	return ch.Save(filepath.Join(dir, "mesos_hoarding_idle"))
}

// mesosSeriesWords describes each line's trend, "name: rises; ...".
func mesosSeriesWords(lines []bench.Line) string {
	var parts []string
	for _, l := range lines {
		ys := make([]string, len(l.Y))
		for i, y := range l.Y {
			if math.IsNaN(y) {
				ys[i] = "-"
			} else {
				ys[i] = bench.Num(y)
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %s (%s)", l.Name, strings.Join(ys, " → "), mesosTrendWord(l.Y)))
	}
	return strings.Join(parts, "; ")
}
