package families

import (
	"fmt"
	"strconv"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/mesos"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// mesosParams documents the parameters of the "mesos" scheduler.
var mesosParams = []bench.Param{
	{Name: "batch", Type: bench.TypeInt, Range: "[0, 10000]", Memory: true, Default: "1", Doc: "ordinary batch frameworks (named batch, batch-2, ...): jobs of class batch, round-robin"},
	{Name: "service", Type: bench.TypeInt, Range: "[0, 10000]", Memory: true, Default: "1", Doc: "ordinary service frameworks (service, service-2, ...): jobs of class service"},
	{Name: "gang", Type: bench.TypeInt, Range: "[0, 10000]", Memory: true, Default: "1", Doc: "gang frameworks that hoard offers (gang, gang-2, ...): every gang job, round-robin; 0 = gangs go to the class frameworks, placed only when the whole gang fits one offer"},
	{Name: "prefill", Type: bench.TypeBool, Default: "true", Doc: "add a framework named " + workload.OmegaPrefillTenant + " (no decision time, suppresses offers when idle) for the Omega workload's prefill jobs; registered first, so it wins the DRF tie at time 0"},
	{Name: "t_job", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "0.1s", Doc: "decision time per job of the batch and gang frameworks (Omega paper default)"},
	{Name: "t_task", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "5ms", Doc: "decision time per unscheduled task of the batch and gang frameworks"},
	{Name: "service_t_job", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "0.1s", Doc: "decision time per job of the service frameworks (the Omega experiment sweeps it)"},
	{Name: "service_t_task", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "5ms", Doc: "decision time per unscheduled task of the service frameworks"},
	{Name: "interval", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "1s", Doc: "allocation interval: at most one offer round per interval"},
	{Name: "scope", Type: bench.TypeEnum, Default: "all", Doc: "offer scope: all (every free unlocked resource, Mesos 0.9 / Omega model) or fair (capped at the framework's fair share)"},
	{Name: "min_cpu", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "10", Unit: "milli-cores", Doc: "minimum offer per node, CPU (Mesos MIN_CPUS)"},
	{Name: "min_mem", Type: bench.TypeInt, Range: "[0, 1000000000000]", Default: "32", Unit: "MiB", Doc: "minimum offer per node, memory (Mesos MIN_MEM)"},
	{Name: "offer_timeout", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "0", Doc: "rescind offers unanswered after this long (0 = off, Mesos' default)"},
	{Name: "refuse", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "5s", Doc: "decline filter (refuse_seconds) on unused offered resources"},
	{Name: "idle_refuse", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "= refuse", Doc: "decline filter when the framework had nothing to place (SPARK-13001 uses 120s)"},
	{Name: "filter", Type: bench.TypeEnum, Default: "subset", Doc: "decline filters hide only offers that are a subset of what was declined (subset, Mesos) or the whole node (node)"},
	{Name: "suppress", Type: bench.TypeBool, Default: "false", Doc: "frameworks suppress offers while their queue is empty"},
	{Name: "hold_timeout", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "forever", Doc: "gang frameworks release a partial gang after holding it this long (forever = never: deadlock-prone)"},
	{Name: "release", Type: bench.TypeEnum, Default: "all", Doc: "what a hold timeout releases: all, or partial (newest half of the held members)"},
	{Name: "backoff", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "1s", Doc: "gang back-off after a hold timeout"},
	{Name: "max_backoff", Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "= backoff", Doc: "back-off doubles per timeout up to this (equal to backoff = fixed)"},
	{Name: "jitter", Type: bench.TypeFloat, Range: "[0, 100]", Default: "0", Doc: "random extra back-off, as a fraction of the back-off"},
	{Name: "hoard_all", Type: bench.TypeBool, Default: "false", Doc: "gang frameworks hoard for every queued gang at once (default: one gang at a time)"},
	{Name: "max_offers", Type: bench.TypeInt, Range: "[1, 1000000]", Memory: true, Default: "50", Doc: "outstanding offers per framework (Mesos MAX_OFFERS_PER_FRAMEWORK); a framework decides them one at a time"},
	{Name: "gang_attempts", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "0", Doc: "abandon a gang after this many hold timeouts (0 = never: with a hold_timeout, a gang that never fits keeps re-hoarding and can starve other frameworks)"},
	{Name: "max_attempts", Type: bench.TypeInt, Range: "[-1, 1000000000]", Default: "1000", Doc: "abandon a job after this many attempts (-1 = never; Omega simulator rule)"},
	{Name: "max_attempts_nothing", Type: bench.TypeInt, Range: "[-1, 1000000000]", Default: "100", Doc: "abandon a job with nothing placed after this many attempts (-1 = never)"},
	{Name: "retry", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "1s", Doc: "wait before a job that was not fully placed is tried again"},
	{Name: "request", Type: bench.TypeBool, Default: "false", Doc: "frameworks receive offers only while a queued job is ready (the Omega simulator's model; docs/mesos-v3.md)"},
	{Name: "concurrent", Type: bench.TypeBool, Default: "false", Doc: "frameworks decide every offer as it arrives instead of one at a time (the Omega simulator's model)"},
	{Name: "requeue_tail", Type: bench.TypeBool, Default: "false", Doc: "a retried job re-enters its framework's queue behind the jobs queued during its delay (the Omega simulator's model)"},
}

// MesosConfig builds a mesos.Config from "mesos" scheduler parameters (see
// `schedlab list`). placer may be nil.
func MesosConfig(p *bench.Params, placer scheduler.Placer) (mesos.Config, error) {
	cfg := mesos.DefaultConfig()
	cfg.Placer = placer
	nb, ns, ng := p.Int("batch", 1), p.Int("service", 1), p.Int("gang", 1)
	prefill := p.Bool("prefill", true)
	tj, tt := p.Duration("t_job", 100*scheduler.Millisecond), p.Duration("t_task", 5*scheduler.Millisecond)
	stj, stt := p.Duration("service_t_job", 100*scheduler.Millisecond), p.Duration("service_t_task", 5*scheduler.Millisecond)
	cfg.Interval = p.Duration("interval", scheduler.Second)
	scope, err := mesos.ParseScope(p.Enum("scope", "all", "all", "fair"))
	if err != nil {
		return cfg, err
	}
	cfg.Scope = scope
	cfg.MinOffer = scheduler.Res(int64(p.Int("min_cpu", 10)), int64(p.Int("min_mem", 32)), 0)
	cfg.NoMinOffer = cfg.MinOffer.IsZero()
	cfg.OfferTimeout = p.Duration("offer_timeout", 0)
	refuse := p.Duration("refuse", 5*scheduler.Second)
	idle := p.Duration("idle_refuse", refuse)
	cfg.FilterWholeNode = p.Enum("filter", "subset", "subset", "node") == "node"
	suppress := p.Bool("suppress", false)
	hold := p.Duration("hold_timeout", scheduler.Forever)
	rel, err := mesos.ParseReleasePolicy(p.Enum("release", "all", "all", "partial"))
	if err != nil {
		return cfg, err
	}
	backoff := p.Duration("backoff", scheduler.Second)
	maxBackoff := p.Duration("max_backoff", backoff)
	jitter := p.Float("jitter", 0)
	gangAttempts := p.Int("gang_attempts", 0)
	hoardAll := p.Bool("hoard_all", false)
	cfg.MaxOffers = p.Int("max_offers", 50)
	maxAtt, maxNothing := p.Int("max_attempts", 1000), p.Int("max_attempts_nothing", 100)
	retry := p.Duration("retry", scheduler.Second)
	request, concurrent, tail := p.Bool("request", false), p.Bool("concurrent", false), p.Bool("requeue_tail", false)
	if err := p.Err(); err != nil {
		return cfg, err
	}
	if nb < 0 || ns < 0 || ng < 0 || nb+ns+ng == 0 {
		return cfg, fmt.Errorf("scheduler mesos: parameters batch=%d service=%d gang=%d: want counts ≥ 0, at least one framework", nb, ns, ng)
	}
	if refuse == 0 {
		refuse = -1 // an explicit 0 means no filter
	}
	if idle == 0 {
		idle = -1
	}
	name := func(base string, i int) string {
		if i == 0 {
			return base
		}
		return base + "-" + strconv.Itoa(i+1)
	}
	mk := func(n string, c scheduler.Class, gang bool, dj, dt scheduler.Time) mesos.FrameworkConfig {
		f := mesos.DefaultFrameworkConfig(n, c)
		f.Gang = gang
		f.DecisionJob, f.DecisionTask = dj, dt
		f.RefuseSeconds, f.IdleRefuse = refuse, idle
		f.Suppress = suppress
		f.HoldTimeout, f.Release = hold, rel
		f.Backoff, f.MaxBackoff, f.BackoffJitter = backoff, maxBackoff, jitter
		f.MaxGangAttempts = gangAttempts
		f.HoardAll = hoardAll
		f.MaxAttempts, f.MaxAttemptsNothing = maxAtt, maxNothing
		if maxAtt == 0 {
			f.MaxAttempts = -1
		}
		if maxNothing == 0 {
			f.MaxAttemptsNothing = -1
		}
		f.RetryDelay = retry
		f.Request, f.Concurrent, f.RequeueTail = request, concurrent, tail
		return f
	}
	cfg.Frameworks = nil
	for i := 0; i < nb; i++ {
		cfg.Frameworks = append(cfg.Frameworks, mk(name("batch", i), scheduler.Batch, false, tj, tt))
	}
	for i := 0; i < ns; i++ {
		cfg.Frameworks = append(cfg.Frameworks, mk(name("service", i), scheduler.Service, false, stj, stt))
	}
	for i := 0; i < ng; i++ {
		cfg.Frameworks = append(cfg.Frameworks, mk(name("gang", i), scheduler.Batch, true, tj, tt))
	}
	if prefill {
		// Registered first, so that it wins the DRF tie at time 0 and the prefill
		// is in place before the measured frameworks start.
		f := mk(workload.OmegaPrefillTenant, scheduler.Service, false, 0, 0)
		f.Suppress = true
		f.Request, f.Concurrent, f.RequeueTail = false, false, false // the prefill framework keeps the plain model
		cfg.Frameworks = append([]mesos.FrameworkConfig{f}, cfg.Frameworks...)
	}
	return cfg, nil
}

func registerMesosScheduler(reg *bench.Registry) {
	reg.RegisterScheduler(bench.SchedulerSpec{Name: "mesos",
		Doc: "Mesos two-level scheduling: a DRF allocator offers free resources (locked while a framework decides) to batch, " +
			"service and gang frameworks each with its own queue and decision time; gang frameworks hoard offers until the gang fits. " +
			"Jobs go to the framework named by their tenant, else gangs to gang frameworks, else by class, round-robin",
		Params: mesosParams,
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			pl, err := newPlacer()
			if err != nil {
				return nil, err
			}
			cfg, err := MesosConfig(p, pl)
			if err != nil {
				return nil, err
			}
			return mesos.New(cfg)
		}})
}
