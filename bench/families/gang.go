package families

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/gang"
	"github.com/schedlab/schedlab/scheduler"
)

// The gang family: the co-scheduling variants of policies/gang as schedulers, the
// gang-burst workload, and the gang-deadlock scenario (REFERENCES.md §2, §7).

// gangCommonParams are the parameters every gang-* scheduler takes.
var gangCommonParams = []bench.Param{
	{Name: "order", Type: bench.TypeEnum, Default: "group", Doc: "queue order: group (a gang's pods back to back; YuniKorn's fifo), interleave (gangs submitted together offered round-robin), fair (least dominant share first)"},
	{Name: "backoff", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "1s", Doc: "initial retry backoff of a failed pod (Strict: of a failed gang)"},
	{Name: "max_backoff", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "10s", Doc: "maximum retry backoff (x sqrt(MinMember) for a gang)"},
	{Name: "flush", Type: bench.TypeDuration, Range: "(0s, forever]", Default: "5m", Doc: "retry failed work after this long even without a capacity release"},
	{Name: "overcommit", Type: bench.TypeFloat, Range: "[0, 1000]", Default: "0", Unit: "x", Doc: "Volcano enqueue gate in front of the variant: admit a gang while admitted MinMember requests fit overcommit x capacity - allocated; 0 = no gate (Volcano default 1.2)"},
	{Name: "period", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "0", Unit: "s", Doc: "run passes as sessions every period (Volcano schedule-period 1s); 0 = after every event"},
}

// gangTimeoutParam documents a variant's timeout.
func gangTimeoutParam(def, doc string) bench.Param {
	return bench.Param{Name: "timeout", Type: bench.TypeDuration, Range: "[0s, forever]", Default: def, Doc: doc + "; forever = none"}
}

// newGangScheduler reads the common and variant parameters into cfg and builds it.
func newGangScheduler(cfg gang.Config, p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
	pl, err := newPlacer()
	if err != nil {
		return nil, err
	}
	cfg.Placer = pl
	ord, err := gang.ParseOrder(p.Enum("order", cfg.Order.String(), "group", "fifo", "interleave", "fair"))
	if err != nil {
		return nil, err
	}
	cfg.Order = ord
	cfg.InitialBackoff = p.Duration("backoff", cfg.InitialBackoff)
	cfg.MaxBackoff = p.Duration("max_backoff", cfg.MaxBackoff)
	cfg.FlushAfter = p.Duration("flush", cfg.FlushAfter)
	cfg.Overcommit = p.Float("overcommit", cfg.Overcommit)
	cfg.Period = p.Duration("period", cfg.Period)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return gang.New(cfg)
}

func registerGang(reg *bench.Registry) {
	reg.RegisterScheduler(bench.SchedulerSpec{Name: "gang-strict",
		Doc: "one queue; each gang's MinMember tasks planned against one snapshot and started together or not at all (KEP-4671 beta, Volcano allocate), greedy placer then backtracking (volcano#1297); never holds, never deadlocks",
		Params: append([]bench.Param{
			{Name: "backtrack", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "1000", Doc: "budget of tentative placements of the backtracking search when greedy placement fails; 0 = greedy only"},
			{Name: "branch", Type: bench.TypeInt, Range: "[1, 10000]", Memory: true, Default: "8", Doc: "distinct candidate nodes per task in the search"},
		}, gangCommonParams...),
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			cfg := gang.DefaultConfig(gang.Strict)
			cfg.Backtrack = p.Int("backtrack", cfg.Backtrack)
			cfg.Branch = p.Int("branch", cfg.Branch)
			return newGangScheduler(cfg, p, newPlacer)
		}})
	reg.RegisterScheduler(bench.SchedulerSpec{Name: "gang-admission",
		Doc: "Volcano: enqueue gate with overcommit (default 1.2) in front of single-cycle all-or-nothing placement",
		Params: append([]bench.Param{
			{Name: "backtrack", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "1000", Doc: "as gang-strict"},
			{Name: "branch", Type: bench.TypeInt, Range: "[1, 10000]", Memory: true, Default: "8", Doc: "as gang-strict"},
		}, withDefault(gangCommonParams, "overcommit", "1.2")...),
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			cfg := gang.DefaultConfig(gang.Strict)
			cfg.Overcommit = 1.2
			cfg.Backtrack = p.Int("backtrack", cfg.Backtrack)
			cfg.Branch = p.Int("branch", cfg.Branch)
			return newGangScheduler(cfg, p, newPlacer)
		}})
	reg.RegisterScheduler(bench.SchedulerSpec{Name: "gang-permit",
		Doc: "Permit barrier: pods placed one by one and held until MinMember are held (scheduler-plugins coscheduling; preset=kep4671 for KEP-4671 alpha)",
		Params: append([]bench.Param{
			{Name: "preset", Type: bench.TypeEnum, Default: "coscheduling", Doc: "defaults to start from: coscheduling (60s, reject 10%, min-resources check, failure order) or kep4671 (300s, no group reject, no min-resources check)"},
			gangTimeoutParam("60s (kep4671: 300s)", "Permit wait, from the first held pod"),
			{Name: "reject", Type: bench.TypeInt, Range: "[0, 100]", Default: "10 (kep4671: 100)", Unit: "%", Doc: "PostFilter rejects the whole group when (MinMember - held)/MinMember exceeds this; 100 = never"},
			{Name: "group_backoff", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "0", Unit: "s", Doc: "deny a rejected or timed-out group this long (podGroupBackoffSeconds)"},
			{Name: "failure_order", Type: bench.TypeBool, Default: "true (kep4671: false)", Doc: "a failed group sorts by its last failure time (scheduler-plugins PR #949)"},
			{Name: "min_resources", Type: bench.TypeBool, Default: "true (kep4671: false)", Doc: "PreFilter: the remaining need must fit the cluster-wide free sum"},
		}, gangCommonParams...),
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			cfg := gang.DefaultConfig(gang.Permit)
			if p.Enum("preset", "coscheduling", "coscheduling", "kep4671") == "kep4671" {
				cfg = gang.KEP4671Alpha()
			}
			cfg.Timeout = p.Duration("timeout", cfg.Timeout)
			cfg.RejectPercent = p.Int("reject", cfg.RejectPercent)
			cfg.GroupBackoff = p.Duration("group_backoff", cfg.GroupBackoff)
			cfg.FailureOrder = p.Bool("failure_order", cfg.FailureOrder)
			cfg.MinResources = p.Bool("min_resources", cfg.MinResources)
			return newGangScheduler(cfg, p, newPlacer)
		}})
	reg.RegisterScheduler(bench.SchedulerSpec{Name: "gang-placeholder",
		Doc: "YuniKorn placeholders: reserve the gang's MinMember pods one at a time, swap the real pods in when all are reserved; timeout from the first placeholder",
		Params: append([]bench.Param{
			gangTimeoutParam("15m", "placeholder timeout, from the first placeholder"),
			{Name: "style", Type: bench.TypeEnum, Default: "soft", Doc: "on timeout: soft (release, schedule the pods best effort) or hard (fail the job)"},
		}, gangCommonParams...),
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			cfg := gang.DefaultConfig(gang.Placeholder)
			cfg.Timeout = p.Duration("timeout", cfg.Timeout)
			if p.Enum("style", "soft", "soft", "hard") == "hard" {
				cfg.Style = gang.Hard
			}
			return newGangScheduler(cfg, p, newPlacer)
		}})
	reg.RegisterScheduler(bench.SchedulerSpec{Name: "gang-nonstrict",
		Doc: "Koordinator NonStrict: pods accumulate and are held until MinMember are held; without a timeout it can deadlock by design",
		Params: append([]bench.Param{
			gangTimeoutParam("600s", "wait time, from the first held pod"),
		}, gangCommonParams...),
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			cfg := gang.DefaultConfig(gang.NonStrict)
			cfg.Timeout = p.Duration("timeout", cfg.Timeout)
			return newGangScheduler(cfg, p, newPlacer)
		}})
	reg.RegisterWorkload(bench.WorkloadSpec{Name: "gang-burst",
		Doc:    "gang-heavy GPU workload: jobs arrive in bursts (several at one instant); most are gangs of one-GPU pods with MinMember = size; a job's pods finish a few seconds apart",
		Params: gangBurstParams,
		New: func(p *bench.Params, seed uint64) (*bench.Workload, error) {
			c, err := readGangBurst(p)
			if err != nil {
				return nil, err
			}
			return &bench.Workload{Source: newGangBurst(c, seed)}, nil
		}})
	reg.RegisterScenario(gangDeadlockScenario())
	registerGangReports(reg)
}

// withDefault returns ps with parameter name's default replaced.
func withDefault(ps []bench.Param, name, def string) []bench.Param {
	out := append([]bench.Param(nil), ps...)
	for i := range out {
		if out[i].Name == name {
			out[i].Default = def
		}
	}
	return out
}

// gangBurstConfig is the gang-burst workload.
type gangBurstConfig struct {
	Jobs                   int
	BurstEvery             scheduler.Time // mean time between bursts (exponential)
	Burst                  int            // jobs per burst: uniform 1..Burst
	GangFraction           float64
	MaxGang                int            // gang size: uniform 2..MaxGang pods
	RuntimeMin, RuntimeMax scheduler.Time // per job, uniform
	Jitter                 scheduler.Time // per pod, uniform 0..Jitter added
	CPU, Mem, GPU          int64          // per pod: milli-CPU, MiB, milli-GPU
}

var gangBurstParams = []bench.Param{
	{Name: "jobs", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "200", Doc: "number of jobs"},
	{Name: "burst_every", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "60s", Doc: "mean time between bursts (exponential)"},
	{Name: "burst", Type: bench.TypeInt, Range: "[1, 1000000]", Default: "6", Doc: "jobs per burst: uniform 1..burst, all submitted at the same instant"},
	{Name: "gang_fraction", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0.8", Doc: "fraction of jobs that are gangs (the rest are single pods)"},
	{Name: "max_gang", Type: bench.TypeInt, Range: "[2, 1000000]", Memory: true, Default: "16", Doc: "gang size: uniform 2..max_gang pods, MinMember = size"},
	{Name: "runtime_min", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "60s", Doc: "job runtime: uniform runtime_min..runtime_max"},
	{Name: "runtime_max", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "600s", Doc: "see runtime_min"},
	{Name: "jitter", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "30s", Doc: "each pod runs up to this much longer than its job's runtime (uniform), so a job's GPUs come free a few at a time"},
	{Name: "gpu", Type: bench.TypeInt, Range: "[0, 64000]", Default: "1000", Unit: "milli-GPU", Doc: "GPU request per pod"},
	{Name: "cpu", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "4000", Unit: "milli-CPU", Doc: "CPU request per pod"},
	{Name: "mem", Type: bench.TypeInt, Range: "[0, 1000000000000]", Default: "16384", Unit: "MiB", Doc: "memory request per pod"},
}

func readGangBurst(p *bench.Params) (gangBurstConfig, error) {
	c := gangBurstConfig{
		Jobs:         p.Int("jobs", 200),
		BurstEvery:   p.Duration("burst_every", 60*scheduler.Second),
		Burst:        p.Int("burst", 6),
		GangFraction: p.Float("gang_fraction", 0.8),
		MaxGang:      p.Int("max_gang", 16),
		RuntimeMin:   p.Duration("runtime_min", 60*scheduler.Second),
		RuntimeMax:   p.Duration("runtime_max", 600*scheduler.Second),
		Jitter:       p.Duration("jitter", 30*scheduler.Second),
		GPU:          int64(p.Int("gpu", 1000)),
		CPU:          int64(p.Int("cpu", 4000)),
		Mem:          int64(p.Int("mem", 16384)),
	}
	if err := p.Err(); err != nil {
		return c, err
	}
	switch {
	case c.Jobs < 0:
		return c, fmt.Errorf("workload gang-burst: parameter jobs=%d: want >= 0", c.Jobs)
	case c.Burst < 1:
		return c, fmt.Errorf("workload gang-burst: parameter burst=%d: want >= 1", c.Burst)
	case c.MaxGang < 2:
		return c, fmt.Errorf("workload gang-burst: parameter max_gang=%d: want >= 2", c.MaxGang)
	case !(c.GangFraction >= 0 && c.GangFraction <= 1):
		return c, fmt.Errorf("workload gang-burst: parameter gang_fraction=%g: want 0..1", c.GangFraction)
	case c.RuntimeMax < c.RuntimeMin || c.RuntimeMin <= 0 || c.RuntimeMax == scheduler.Forever:
		return c, fmt.Errorf("workload gang-burst: runtime_min=%v runtime_max=%v: want 0 < min <= max", c.RuntimeMin, c.RuntimeMax)
	case c.GPU < 0 || c.CPU < 0 || c.Mem < 0:
		return c, fmt.Errorf("workload gang-burst: negative request (gpu=%d cpu=%d mem=%d)", c.GPU, c.CPU, c.Mem)
	}
	return c, nil
}

// gangBurst streams the gang-burst workload.
type gangBurst struct {
	c    gangBurstConfig
	r    *rand.Rand
	n    int
	t    scheduler.Time
	left int // jobs left in the current burst
}

func newGangBurst(c gangBurstConfig, seed uint64) *gangBurst {
	return &gangBurst{c: c, r: scheduler.NewRand(seed, "gang-burst")}
}

// Next implements scheduler.Source.
func (g *gangBurst) Next() (*scheduler.Job, error) {
	if g.n >= g.c.Jobs {
		return nil, io.EOF
	}
	if g.left == 0 {
		if g.n > 0 {
			g.t += scheduler.Time(g.r.ExpFloat64() * float64(g.c.BurstEvery))
		}
		g.left = 1 + g.r.IntN(g.c.Burst)
	}
	g.left--
	g.n++
	size, minM := 1, 0
	if g.r.Float64() < g.c.GangFraction {
		size = 2 + g.r.IntN(g.c.MaxGang-1)
		minM = size
	}
	rt := g.c.RuntimeMin + scheduler.Time(g.r.Float64()*float64(g.c.RuntimeMax-g.c.RuntimeMin))
	j := &scheduler.Job{ID: scheduler.JobID(g.n), Submit: g.t, MinMember: int32(minM), Tasks: make([]scheduler.Task, size)}
	for i := range j.Tasks {
		jit := scheduler.Time(0)
		if g.c.Jitter > 0 {
			jit = scheduler.Time(g.r.Float64() * float64(g.c.Jitter))
		}
		j.Tasks[i] = scheduler.Task{Index: int32(i), Request: scheduler.Res(g.c.CPU, g.c.Mem, g.c.GPU), Runtime: rt + jit}
	}
	return j, nil
}

// gangVariant is one co-scheduling configuration of the gang-deadlock scenario.
type gangVariant struct {
	name, spec string // spec: scheduler spec, with %s for the timeout
	timed      bool   // whether the timeout applies
}

var gangVariants = []gangVariant{
	{"strict", "gang-strict", false},
	{"permit", "gang-permit:timeout=%s", true},
	{"permit-noreject", "gang-permit:preset=kep4671,timeout=%s", true},
	{"placeholder-fifo", "gang-placeholder:timeout=%s", true},
	{"placeholder-fair", "gang-placeholder:timeout=%s,order=fair", true},
	{"nonstrict", "gang-nonstrict:timeout=%s", true},
	{"gate1.2-nonstrict", "gang-nonstrict:timeout=%s,overcommit=1.2", true},
	{"gate1.0-nonstrict", "gang-nonstrict:timeout=%s,overcommit=1.0", true},
}

func gangVariantNames() []string {
	var out []string
	for _, v := range gangVariants {
		out = append(out, v.name)
	}
	return out
}

// Gang-deadlock metrics.
var (
	// A gang can be in many episodes (each deadlock that forms and is broken by
	// a timeout is one), so this is not a share and can exceed 1.
	metricGangEpisodesPer1000 = bench.Metric{Key: "deadlock.episodes_per_gang", Name: "deadlock episodes per gang submitted", Unit: "",
		Get: func(r *scheduler.Result) float64 {
			return float64(r.Deadlock.Episodes) / math.Max(1, r.Extra["gangs_submitted"])
		}}
	metricGangWaitP50  = bench.Metric{Key: "gang_wait_seconds.p50", Name: "gang wait p50", Unit: "s", Get: func(r *scheduler.Result) float64 { return r.GangWait.P50 }}
	metricGangsStarted = bench.Metric{Key: "extra.gangs_started", Name: "gangs started", Unit: "", Get: func(r *scheduler.Result) float64 { return r.Extra["gangs_started"] }}
)

func gangDeadlockScenario() bench.ScenarioSpec {
	return bench.ScenarioSpec{
		Name: "gang-deadlock",
		Doc: "every gang co-scheduling variant x timeout on the gang-burst workload (200 jobs in bursts of 1-6 every 60 s on average, 80% gangs of 2-16 one-GPU pods, 60-600 s, pods finishing up to 30 s apart) on 16 nodes x 8 GPUs, horizon 3 h: " +
			"terminal deadlock rate, episodes per 1,000 gangs, GPU held-idle, gang wait p50/p99, GPU utilization; report.md and a plot of deadlock rate and utilization against the timeout",
		Params: []bench.Param{
			{Name: "timeouts", Type: bench.TypeList, Default: "forever+10s+60s+300s+900s", Doc: "timeouts swept, joined with +; forever = none"},
			{Name: "variants", Type: bench.TypeList, Default: strings.Join(gangVariantNames(), "+"), Doc: "variants run, joined with +"},
			{Name: "workload", Type: bench.TypeString, Default: "gang-burst", Doc: "workload spec (k=v parameters joined with ';' in place of ',')"},
			{Name: "cluster", Type: bench.TypeString, Default: "nodes=16,cpu=64000,mem=262144,gpu=8", Doc: "cluster spec (';' in place of ',')"},
			{Name: "horizon", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "3h", Doc: "stop each run at this simulated time"},
			{Name: "seeds", Type: bench.TypeInt, Range: "[1, 10000]", Default: "20", Doc: "seeds per cell when --seeds is not given"},
		},
		Cells:  gangDeadlockCells,
		Report: gangDeadlockReport,
	}
}

func gangDeadlockCells(reg *bench.Registry, p *bench.Params, seeds int) ([]bench.Cell, error) {
	timeouts, err := parseDurations("timeouts", p.List("timeouts", "forever+10s+60s+300s+900s"))
	if err != nil {
		return nil, fmt.Errorf("scenario gang-deadlock: %w", err)
	}
	names := splitPlus(p.List("variants", strings.Join(gangVariantNames(), "+")))
	work := strings.ReplaceAll(p.String("workload", "gang-burst"), ";", ",")
	cluster := strings.ReplaceAll(p.String("cluster", "nodes=16,cpu=64000,mem=262144,gpu=8"), ";", ",")
	horizon := p.Duration("horizon", 3*scheduler.Hour)
	own := p.Int("seeds", 20) // read always, so that seeds= is known with --seeds too
	if seeds <= 0 {
		seeds = own
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var vs []gangVariant
	for _, n := range names {
		found := false
		for _, v := range gangVariants {
			if v.name == n {
				vs = append(vs, v)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("scenario gang-deadlock: parameter variants: unknown variant %q (valid: %s)", n, strings.Join(gangVariantNames(), ", "))
		}
	}
	var cells []bench.Cell
	for _, v := range vs {
		for _, to := range timeouts {
			spec := v.spec
			if v.timed {
				spec = fmt.Sprintf(v.spec, durationLabel(to))
			}
			for s := 1; s <= seeds; s++ {
				rs := bench.RunSpec{Scheduler: spec, Placer: "bestfit", Workload: work, Cluster: cluster, Seed: uint64(s), Horizon: horizon}
				cells = append(cells, bench.Cell{
					Labels: []bench.Label{{Key: "variant", Value: v.name}, {Key: "timeout", Value: durationLabel(to)}},
					Seed:   uint64(s),
					Run:    func() (*scheduler.Result, error) { return reg.Run(rs) },
				})
			}
		}
	}
	return cells, nil
}

func gangDeadlockReport(dir string, _ *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	groups := bench.Groups(cells, results)
	t := &bench.Table{Header: []string{"variant", "timeout", "runs", "terminal deadlock rate (%)", "episodes per gang",
		"GPU held-idle (%)", "gang wait p50 (s)", "gang wait p99 (s)", "GPU utilization (%)", "useful GPU utilization (%)", "jobs completed"}}
	// The x axis is the timeout as an ordered category (forever last), so that
	// "no timeout" sits at the end of the scale rather than at a made-up number.
	order := bench.LabelCategories(groups, "timeout")
	note := "mean over seeds; 95% interval (Wilson for the deadlock rate), shown with at least 5 seeds"
	charts := []struct {
		file string
		m    bench.Metric
		c    bench.Chart
	}{
		{"gang_deadlock_rate", bench.MetricDeadlockRate, bench.Chart{Title: "gang-deadlock: terminal deadlock rate vs timeout", YLabel: "runs ending in a terminal deadlock (%)", YFrom0: true, YMax: 100}},
		{"gang_utilization", bench.MetricUtilGPU, bench.Chart{Title: "gang-deadlock: GPU utilization vs timeout", YLabel: "GPU utilization, held included (%)", YFrom0: true}},
		{"gang_useful_utilization", bench.MetricUsefulGPU, bench.Chart{Title: "gang-deadlock: useful GPU utilization vs timeout", YLabel: "GPU utilization minus held-idle (%)", YFrom0: true}},
		{"gang_held_idle", bench.MetricHeldGPU, bench.Chart{Title: "gang-deadlock: GPU held-idle vs timeout", YLabel: "GPU held idle (%)", YFrom0: true}},
		{"gang_episodes", metricGangEpisodesPer1000, bench.Chart{Title: "gang-deadlock: deadlock episodes vs timeout", YLabel: "deadlock episodes per gang submitted", YFrom0: true}},
	}
	var variants []string
	byVariant := map[string][]*bench.Group{}
	for gi := range groups {
		g := &groups[gi]
		t.Add(g.Label("variant"), g.Label("timeout"), fmt.Sprint(len(g.Results)), meanCICell(g, bench.MetricDeadlockRate),
			meanCICell(g, metricGangEpisodesPer1000), meanCICell(g, bench.MetricHeldGPU), meanCICell(g, metricGangWaitP50),
			meanCICell(g, bench.MetricGangWaitP99), meanCICell(g, bench.MetricUtilGPU), meanCICell(g, bench.MetricUsefulGPU), meanCICell(g, bench.MetricJobsCompleted))
		v := g.Label("variant")
		if _, ok := byVariant[v]; !ok {
			variants = append(variants, v)
		}
		byVariant[v] = append(byVariant[v], g)
	}
	for ci := range charts {
		c := &charts[ci].c
		c.XLabel, c.Note, c.Categories = "timeout (category)", note, order
		for _, v := range variants {
			l := bench.Line{Name: v, Points: true}
			for _, g := range byVariant[v] {
				if len(g.Results) == 0 {
					continue
				}
				iv := bench.IntervalOf(g, charts[ci].m)
				l.X = append(l.X, float64(slices.Index(order, g.Label("timeout"))))
				l.Y, l.Low, l.High = append(l.Y, iv.Mean), append(l.Low, iv.Lo), append(l.High, iv.Hi)
			}
			bench.SortLine(&l)
			c.Lines = append(c.Lines, l)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# gang-deadlock\n\n")
	b.WriteString("Every gang co-scheduling variant of policies/gang, at each timeout, on the same workload and seeds.\n" +
		"Terminal deadlock rate = runs that stopped in a deadlock nothing pending could break (DESIGN.md);\n" +
		"episodes are counted per 1,000 gangs submitted; held-idle is GPU held by waiting or reserved pods;\n" +
		"useful utilization = utilization - held-idle. A run that ends in a terminal deadlock stops there, so its\n" +
		"utilization covers a shorter run. Strict ignores the timeout (it never holds); permit-noreject (KEP-4671\n" +
		"alpha: no group rejection, no min-resources check) behaves as NonStrict accumulation with a timeout.\n\n")
	if err := t.WriteMarkdown(&b); err != nil {
		return err
	}
	var errs []string
	for _, c := range charts {
		if err := c.c.Save(filepath.Join(dir, c.file)); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		fmt.Fprintf(&b, "\n![%s](%s.png)\n", c.c.Title, c.file)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("gang-deadlock plots: %s", strings.Join(errs, "; "))
	}
	return nil
}
