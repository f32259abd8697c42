package families

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/mesos"
	"github.com/schedlab/schedlab/scheduler"
)

// mesos-offer-starvation: MESOS-6111 and SPARK-13001 (REFERENCES.md §4.4, V12).
// k small frameworks each run one job up to their cap (spark.cores.max) and then
// decline every offer with a filter of refuse seconds; a big framework, whose
// running tasks give it the largest dominant share, has large jobs queued. Offers
// go out once a second in DRF order, so the small frameworks, all below the big
// one, are offered everything in turn; with 5 s filters the first one's filter has
// expired by the time the fifth has declined, and the big framework is never
// offered anything once k ≥ 5. With 120 s filters it gets offers after k rounds.

func mesosStarvationScenario() bench.ScenarioSpec {
	return bench.ScenarioSpec{
		Name: "mesos-offer-starvation",
		Doc: "offer starvation of a large-job framework behind k small frameworks that decline with refuse_seconds 5 s vs 120 s " +
			"(MESOS-6111, SPARK-13001)",
		Params: []bench.Param{
			{Name: "small", Type: bench.TypeList, Range: "[0, 10000]", Default: "2+4+5+6+8", Doc: "numbers of small frameworks, joined by +"},
			{Name: "refuse", Type: bench.TypeList, Range: "[0, 315360000]", Default: "5s+120s", Doc: "decline filter of the small frameworks once at their cap (SPARK-13001's fix: 120 s)"},
			{Name: "horizon", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "20m", Doc: "simulated time per run"},
		},
		Cells:  mesosStarvationCells,
		Report: mesosStarvationReport,
	}
}

// mesosStarvationRun builds and runs one cell: 25 machines of 8 cores and 32 GiB;
// small framework i ("small-i", cap 8 cores) submits one job of 8 one-core tasks
// at time 0 that runs for the whole run; the big framework ("big", registered
// last) submits a job of 80 one-core tasks at time 0 that runs for the whole run
// (40 % of the cell: its dominant share), then a job of 16 one-core tasks of
// 120 s every 60 s (seed-shifted by up to 10 s).
func mesosStarvationRun(k int, refuse scheduler.Time, horizon scheduler.Time, seed uint64) (*scheduler.Result, error) {
	nodes := make([]scheduler.Node, 25)
	for i := range nodes {
		nodes[i] = scheduler.Node{Name: fmt.Sprintf("s%d", i), Capacity: scheduler.Res(8000, 32768, 0)}
	}
	cfg := mesos.DefaultConfig()
	cfg.Frameworks = nil
	id := scheduler.JobID(0)
	job := func(tenant string, at scheduler.Time, n int, rt scheduler.Time) *scheduler.Job {
		id++
		j := &scheduler.Job{ID: id, Tenant: tenant, Submit: at, Tasks: make([]scheduler.Task, n)}
		for i := range j.Tasks {
			j.Tasks[i] = scheduler.Task{Index: int32(i), Request: scheduler.Res(1000, 2048, 0), Runtime: rt}
		}
		return j
	}
	var jobs []*scheduler.Job
	for i := 0; i < k; i++ {
		name := fmt.Sprintf("small-%d", i+1)
		f := mesos.DefaultFrameworkConfig(name, scheduler.Batch)
		f.Cap = scheduler.Res(8000, 0, 0)
		f.IdleRefuse = refuse
		cfg.Frameworks = append(cfg.Frameworks, f)
		jobs = append(jobs, job(name, 0, 8, scheduler.Forever))
	}
	cfg.Frameworks = append(cfg.Frameworks, mesos.DefaultFrameworkConfig("big", scheduler.Batch))
	jobs = append(jobs, job("big", 0, 80, scheduler.Forever))
	r := scheduler.NewRand(seed, "bench/mesos-starvation")
	for at := 60*scheduler.Second + scheduler.Time(r.IntN(10_000))*scheduler.Millisecond; at < horizon; at += 60 * scheduler.Second {
		jobs = append(jobs, job("big", at, 16, 120*scheduler.Second))
	}
	m, err := mesos.New(cfg)
	if err != nil {
		return nil, err
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes, sc.Seed, sc.Horizon = nodes, seed, horizon
	res, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: jobs}, m)
	if err != nil {
		return nil, err
	}
	res.Scheduler = fmt.Sprintf("mesos:small=%d,idle_refuse=%s", k, mesosDurationLabel(refuse))
	res.Placer = "firstfit"
	res.Workload = "mesos-starvation"
	return res, nil
}

func mesosStarvationCells(reg *bench.Registry, p *bench.Params, seeds int) ([]bench.Cell, error) {
	var ks []int
	for _, f := range mesosSplitPlus(p.List("small", "2+4+5+6+8")) {
		var k int
		if _, err := fmt.Sscanf(f, "%d", &k); err != nil || k < 0 {
			return nil, fmt.Errorf("scenario mesos-offer-starvation: parameter small: %q is not a count", f)
		}
		ks = append(ks, k)
	}
	refuses, err := mesosParseDurations("refuse", p.List("refuse", "5s+120s"))
	if err != nil {
		return nil, fmt.Errorf("scenario mesos-offer-starvation: %w", err)
	}
	horizon := p.Duration("horizon", 20*scheduler.Minute)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if horizon <= 0 || horizon >= scheduler.Forever {
		return nil, fmt.Errorf("scenario mesos-offer-starvation: parameter horizon: want a positive, finite duration")
	}
	if seeds <= 0 {
		seeds = bench.MinIntervalSeeds
	}
	var cells []bench.Cell
	for _, rf := range refuses {
		for _, k := range ks {
			for s := 0; s < seeds; s++ {
				seed := uint64(s + 1)
				cells = append(cells, bench.Cell{
					Labels: []bench.Label{{Key: "refuse", Value: mesosDurationLabel(rf)}, {Key: "small", Value: fmt.Sprint(k)}},
					Seed:   seed,
					Run:    func() (*scheduler.Result, error) { return mesosStarvationRun(k, rf, horizon, seed) },
				})
			}
		}
	}
	return cells, nil
}

var (
	mesosMetricBigStarved = bench.Metric{Key: "extra." + mesos.KeyStarvedJobs + ".big", Name: "big framework's starved jobs", Unit: "%", Get: func(r *scheduler.Result) float64 {
		if n := r.Extra[mesos.KeyJobs+".big"]; n > 0 {
			return 100 * r.Extra[mesos.KeyStarvedJobs+".big"] / n
		}
		return 0
	}}
	mesosMetricBigOffers = bench.Metric{Key: "extra." + mesos.KeyOffers + ".big", Name: "offers to the big framework", Unit: "",
		Get: func(r *scheduler.Result) float64 { return r.Extra[mesos.KeyOffers+".big"] }}
)

// mesosStarvationExpected is MESOS-6111's rule: with offers 1 s apart and filters
// of refuse seconds, the frameworks ranked below the first ⌈refuse / 1 s⌉ in DRF
// order get nothing; the big framework ranks k+1. Its first job is placed before
// the small frameworks reach their cap (at time 0 its share is still 0), so of its
// jobs jobs, all but that one starve.
func mesosStarvationExpected(k int, refuse scheduler.Time, jobs float64) float64 {
	if float64(k) >= refuse.Seconds() && jobs > 0 {
		return 100 * (jobs - 1) / jobs
	}
	return 0
}

func mesosStarvationReport(dir string, params *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	groups := bench.Groups(cells, results)
	t := &bench.Table{Header: []string{"refuse", "small frameworks", "big's jobs starved % (measured)", "expected %", "offers to big",
		"job wait p99 s", "CPU util %", "useful CPU util %", "runs"}}
	lines := map[string]*bench.Line{}
	exps := map[string]*bench.Line{}
	var order []string
	for gi := range groups {
		g := &groups[gi]
		if len(g.Results) == 0 {
			continue
		}
		rf, ks := g.Label("refuse"), g.Label("small")
		k, _ := bench.LabelNumber(ks)
		rt, _ := scheduler.ParseTime(rf)
		exp := mesosStarvationExpected(int(k), rt, mesosMeanOf(g, bench.Metric{Get: func(r *scheduler.Result) float64 { return r.Extra[mesos.KeyJobs+".big"] }}))
		t.Add(rf, ks, mesosMeanCell(g, mesosMetricBigStarved), bench.Num(exp), mesosMeanCell(g, mesosMetricBigOffers), mesosMeanCell(g, bench.MetricWaitP99),
			mesosMeanCell(g, mesosMetricUtil), mesosMeanCell(g, bench.MetricUsefulCPU), fmt.Sprint(len(g.Results)))
		if lines[rf] == nil {
			order = append(order, rf)
			c := len(order)
			lines[rf] = &bench.Line{Name: "refuse " + rf + " (measured)", Points: true, Color: c}
			exps[rf] = &bench.Line{Name: "refuse " + rf + " (expected, MESOS-6111)", Dashed: true, Color: c}
		}
		m, h := bench.MeanCI(g.Values(mesosMetricBigStarved))
		l := lines[rf]
		l.X, l.Y, l.Err = append(l.X, k), append(l.Y, m), append(l.Err, h)
		e := exps[rf]
		e.X, e.Y = append(e.X, k), append(e.Y, exp)
	}
	var b strings.Builder
	b.WriteString("# mesos-offer-starvation\n\n")
	b.WriteString("k small frameworks (cap 8 cores each, one job at their cap) and one big framework (80 running cores, the largest " +
		"dominant share, then 16-task jobs every 60 s) on 25 × 8-core machines; offers every second in DRF order, all-free scope. " +
		"The small frameworks decline every offer with a filter of `refuse` seconds (MESOS-6111; SPARK-13001's fix raises it to 120 s). " +
		bench.IntervalNote(bench.MinGroupSeeds(groups)) + "\n\n")
	b.WriteString(mesosTableMarkdown(t))
	b.WriteString("\n**Expected** (MESOS-6111: \"all other frameworks other than the first 5 in DRF ordering will be starved\" with 5 s filters and a 1 s " +
		"allocation interval; SPARK-13001): with refuse = 5 s the big framework, ranked k+1, starves once k ≥ 5 (every job but the first, placed at time 0 while its share was still 0); with refuse = 120 s it is offered " +
		"resources after k rounds and does not starve.\n\n")
	var all []bench.Line
	var measured []bench.Line
	for _, rf := range order {
		measured = append(measured, *lines[rf])
		all = append(all, *lines[rf], *exps[rf])
	}
	fmt.Fprintf(&b, "**Measured**: %s.\n\n", mesosSeriesWords(measured))
	b.WriteString(claimVerdictLine(mesosClaimV12, params, cells, results))
	b.WriteString("![starvation](mesos_starvation.png)\n")
	if err := mesosWriteReport(dir, "mesos_offer_starvation.md", b.String()); err != nil {
		return err
	}
	ch := &bench.Chart{Title: "Mesos offer starvation of a large-job framework", XLabel: "small frameworks declining ahead of it in DRF order",
		YLabel: "big framework's jobs never offered room (%)", YFrom0: true, YMax: 105, Lines: all}
	return ch.Save(filepath.Join(dir, "mesos_starvation"))
}
