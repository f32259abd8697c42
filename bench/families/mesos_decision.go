package families

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// mesos-decision-time: the Omega paper's Mesos experiment (REFERENCES.md §4.2, the
// paper's Figure 7): a batch and a service framework share the Omega workload's
// cell under the all-free offer scope; the service framework's per-job decision
// time grows. While it decides, every free resource is locked in its offer, so the
// batch framework only sees the slivers freed meanwhile: the locked fraction and
// the number of abandoned batch jobs rise.
//
// The frameworks follow the Omega simulator's MesosScheduler by default
// (model=simulator: mesosSimulatorModel); model=schedlab keeps the "mesos"
// scheduler's defaults. docs/mesos-v3.md compares the two and explains why, with
// the Omega workload's identical 1-core tasks, no batch job is abandoned in
// either (batch_cpu > 1000 shows the regime where they are).

const mesosDecisionDoc = "Omega paper's Mesos result: batch + service frameworks on the Omega workload (scaled cell) " +
	"as the service framework's t_job grows; locked fraction and abandoned batch jobs rise"

func mesosDecisionTimeScenario() bench.ScenarioSpec {
	return bench.ScenarioSpec{
		Name: "mesos-decision-time",
		Doc:  mesosDecisionDoc,
		Params: []bench.Param{
			{Name: "t_job", Type: bench.TypeList, Range: "[0, 315360000]", Default: "0.1+1+5+10+30+60+100", Unit: "s", Doc: "service framework t_job values, joined by +"},
			{Name: "machines", Type: bench.TypeInt, Range: "[1, 2000000]", Memory: true, Default: "300", Doc: "machines of the Omega cell (4 cores, 16 GiB each)"},
			{Name: "lambda", Type: bench.TypeFloat, Range: "(0, 1000]", Default: "0.3", Unit: "×", Doc: "arrival-rate multiplier of both classes (the Omega workload's rates are for 10k machines)"},
			{Name: "prefill", Type: bench.TypeFloat, Range: "[0, 1)", Default: "0.6", Doc: "share of the cell's CPU pre-filled by long-running jobs (the paper's 60 %)"},
			{Name: "horizon", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "2h", Doc: "simulated time per run (submissions stop then too)"},
			{Name: "placer", Type: bench.TypeString, Default: "firstfit", Doc: "placer inside an offer"},
			{Name: "prefill_framework", Type: bench.TypeBool, Default: "true", Doc: "place the prefill jobs with a framework of their own (else the service framework owns them, and its DRF share)"},
			{Name: "model", Type: bench.TypeEnum, Default: "simulator", Doc: "framework model: simulator (the Omega simulator's MesosScheduler: offers only while a job is ready, every offer decided on receipt, retried jobs rotate to the queue's back, no decline filters; docs/mesos-v3.md) or schedlab (the \"mesos\" scheduler's defaults: offers decided one at a time with up to 50 waiting locked, arrival order, 5 s decline filters)"},
			{Name: "batch_cpu", Type: bench.TypeInt, Range: "[1, 4000]", Default: "1000", Unit: "milli-cores", Doc: "CPU per batch task (the Omega workload's 1 core; larger than the 1-core service and prefill tasks, e.g. 1500, fragments the trickle: docs/mesos-v3.md)"},
		},
		Cells:  mesosDecisionCells,
		Report: mesosDecisionReport,
	}
}

type mesosDecisionSetup struct {
	lambda float64
}

func mesosDecisionCells(reg *bench.Registry, p *bench.Params, seeds int) ([]bench.Cell, error) {
	tjs, err := mesosParseDurations("t_job", p.List("t_job", "0.1+1+5+10+30+60+100"))
	if err != nil {
		return nil, fmt.Errorf("scenario mesos-decision-time: %w", err)
	}
	machines := p.Int("machines", 300)
	lambda := p.Float("lambda", 0.3)
	prefill := p.Float("prefill", 0.6)
	horizon := p.Duration("horizon", 2*scheduler.Hour)
	placer := p.String("placer", "firstfit")
	ownPrefill := p.Bool("prefill_framework", true)
	model := p.Enum("model", "simulator", "simulator", "schedlab")
	batchCPU := p.Int("batch_cpu", 1000)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if horizon <= 0 || horizon >= scheduler.Forever {
		return nil, fmt.Errorf("scenario mesos-decision-time: parameter horizon: want a positive, finite duration")
	}
	if seeds <= 0 {
		seeds = bench.MinIntervalSeeds
	}
	wl := fmt.Sprintf("omega:machines=%d,lambda_batch=%g,lambda_service=%g,prefill=%g,horizon=%ds",
		machines, lambda, lambda, prefill, int64(horizon.Seconds()))
	if batchCPU != 1000 {
		wl += fmt.Sprintf(",batch_cpu=%d", batchCPU)
	}
	var cells []bench.Cell
	for _, tj := range tjs {
		sched := fmt.Sprintf("mesos:gang=0,prefill=%v,service_t_job=%gs", ownPrefill, tj.Seconds())
		if model == "simulator" {
			sched += "," + mesosSimulatorModel
		}
		for s := 0; s < seeds; s++ {
			seed := uint64(s + 1)
			spec := bench.RunSpec{Scheduler: sched, Placer: placer, Workload: wl, Seed: seed, Horizon: horizon}
			cells = append(cells, bench.Cell{
				Labels: []bench.Label{{Key: "t_job_service", Value: fmt.Sprintf("%gs", tj.Seconds())}},
				Seed:   seed,
				Run:    func() (*scheduler.Result, error) { return reg.Run(spec) },
			})
		}
	}
	return cells, nil
}

// mesosSimulatorModel is the Omega simulator's framework model (MesosScheduler in
// MesosSimulation.scala; docs/mesos-v3.md) as "mesos" scheduler parameters:
// request, concurrent and requeue_tail set the mesos.FrameworkConfig fields of
// the same meaning (Request, Concurrent, RequeueTail) on every framework but the
// prefill one, and refuse=0 drops the decline filters, which the simulator does
// not have.
const mesosSimulatorModel = "refuse=0,request=true,concurrent=true,requeue_tail=true"

// mesosDecisionExpected returns the no-conflict approximation of REFERENCES.md
// §3.4 for the service and batch frameworks: busy ≈ λ × (t_job + n̄ × t_task), with
// the Omega workload's default means (service: every 20 s, 10 tasks; batch: every
// 10 s, 100 tasks) scaled by lambda and the frameworks' default decision times
// (t_job 0.1 s for batch, t_task 5 ms).
func mesosDecisionExpected(tjService, lambda float64) (service, batch float64) {
	service = lambda / 20 * (tjService + 10*0.005)
	batch = lambda / 10 * (0.1 + 100*0.005)
	return service, batch
}

func mesosDecisionReport(dir string, params *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	groups := bench.Groups(cells, results)
	lambda := 0.3
	if len(cells) > 0 {
		// The workload spec is in every result; read lambda back from it.
		for _, r := range results {
			if r != nil {
				lambda = mesosSpecFloat(r.Workload, "lambda_service", lambda)
				break
			}
		}
	}
	t := &bench.Table{Header: []string{"t_job(service) s", "abandoned batch jobs", "starved batch jobs", "batch jobs", "locked % (measured)",
		"locked % (expected)", "service busy (expected)", "CPU utilization %", "useful CPU util %", "job wait p50 s", "runs"}}
	var xs, lockY, lockE, lockExp, abY, abE, stY []float64
	for gi := range groups {
		g := &groups[gi]
		tj, ok := bench.LabelNumber(g.Label("t_job_service"))
		if !ok || len(g.Results) == 0 {
			continue
		}
		rs, rb := mesosDecisionExpected(tj, lambda)
		util := mesosMeanOf(g, mesosMetricUtil) / 100
		exp := 100 * math.Min(1, rs+rb) * (1 - util)
		lm, lh := bench.MeanCI(g.Values(metricMesosLocked))
		am, ah := bench.MeanCI(g.Values(metricMesosAbandonedBatch))
		xs = append(xs, math.Log10(tj))
		lockY, lockE, lockExp = append(lockY, lm), append(lockE, lh), append(lockExp, exp)
		abY, abE = append(abY, am), append(abE, ah)
		stY = append(stY, mesosMeanOf(g, metricMesosStarvedBatch))
		t.Add(bench.Num(tj), mesosMeanCell(g, metricMesosAbandonedBatch), mesosMeanCell(g, metricMesosStarvedBatch), mesosMeanCell(g, metricMesosBatchJobs), mesosMeanCell(g, metricMesosLocked),
			bench.Num(exp), bench.Num(math.Min(rs, 99)), mesosMeanCell(g, mesosMetricUtil), mesosMeanCell(g, bench.MetricUsefulCPU), mesosMeanCell(g, bench.MetricWaitP50), fmt.Sprint(len(g.Results)))
	}
	onset := 20/lambda - 10*0.005 // λ_service × t_decision = 1
	var b strings.Builder
	b.WriteString("# mesos-decision-time\n\n")
	b.WriteString("The Omega paper's Mesos experiment (REFERENCES.md §4.2): a batch and a service framework share the Omega workload's cell " +
		"(scaled down; see the workload spec in results.csv) under the all-free offer scope, while the service framework's t_job grows. " +
		bench.IntervalNote(bench.MinGroupSeeds(groups)) + "\n\n")
	b.WriteString(mesosTableMarkdown(t))
	fmt.Fprintf(&b, "\n**Expected** (Omega paper §4.2 and Figure 7): both rise with t_job(service). The locked fraction follows the no-conflict "+
		"approximation min(1, ρ_service + ρ_batch) × (1 − utilization), ρ = λ × (t_job + n̄ t_task); abandoned batch jobs set in once the service "+
		"framework is busy all the time (ρ_service ≈ 1, t_job ≈ %.0f s here), when the batch framework only sees slivers freed while the service offer is locked.\n\n", onset)
	dev := 0.0 // the largest relative deviation of the locked fraction from its approximation
	for i := range lockY {
		if lockExp[i] > 0 {
			dev = math.Max(dev, math.Abs(lockY[i]-lockExp[i])/lockExp[i])
		}
	}
	fmt.Fprintf(&b, "**Measured**: locked fraction %s (at most %.0f %% from the approximation); abandoned batch jobs %s; batch jobs never offered room "+
		"(starved: still queued, never attempted, at the end of the run) %s.\n\n", mesosTrendWord(lockY), 100*dev, mesosTrendWord(abY), mesosTrendWord(stY))
	b.WriteString(claimVerdictLine(mesosClaimV3, params, cells, results))
	b.WriteString("![locked fraction](mesos_decision_locked.png)\n![abandoned batch jobs](mesos_decision_abandoned.png)\n")
	if err := mesosWriteReport(dir, "mesos_decision_time.md", b.String()); err != nil {
		return err
	}
	note := "Omega workload, " + fmt.Sprint(len(results)) + " runs; x = log10 of t_job(service) in seconds"
	ch := &bench.Chart{Title: "Mesos: locked fraction vs service decision time", XLabel: "log10 t_job(service) (s)", YLabel: "locked fraction (%)",
		YFrom0: true, Note: note, Lines: []bench.Line{
			{Name: "measured", X: xs, Y: lockY, Err: lockE, Points: true},
			{Name: "expected: min(1, ρ) × (1 − util)", X: xs, Y: lockExp, Dashed: true, Color: 2},
		}}
	if err := ch.Save(filepath.Join(dir, "mesos_decision_locked")); err != nil {
		return err
	}
	top := 1.0
	for _, y := range abY {
		if !math.IsNaN(y) {
			top = math.Max(top, y)
		}
	}
	ch = &bench.Chart{Title: "Mesos: abandoned batch jobs vs service decision time", XLabel: "log10 t_job(service) (s)", YLabel: "abandoned batch jobs",
		YFrom0: true, Note: note, Lines: []bench.Line{
			{Name: "measured", X: xs, Y: abY, Err: abE, Points: true},
			{Name: "expected onset: service busy 100% (ρ = 1)", X: []float64{math.Log10(onset), math.Log10(onset)}, Y: []float64{0, top}, Dashed: true, Color: 2},
		}}
	return ch.Save(filepath.Join(dir, "mesos_decision_abandoned"))
}

// mesosSpecFloat reads k=v from a "NAME:k=v,..." spec, or returns def.
func mesosSpecFloat(spec, key string, def float64) float64 {
	_, p, err := bench.ParseSpec("workload", spec)
	if err != nil {
		return def
	}
	return p.Float(key, def)
}
