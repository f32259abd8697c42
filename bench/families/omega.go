package families

import (
	"fmt"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/omega"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// The Omega family: the shared-state schedulers of policies/omega, the paper's
// monolithic baselines, the Omega lightweight-simulator workload, and the paper's
// experiments as scenarios (omega_scenarios.go).

// OmegaPlacer is the registered name of the Omega simulator's randomised first fit.
const OmegaPlacer = "omega-random-firstfit"

func omegaDecisionParams(prefix, class string) []bench.Param {
	return []bench.Param{
		{Name: "t_job" + prefix, Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "0.1s", Unit: "s", Doc: "decision time per attempt of " + class + " jobs (t_job)"},
		{Name: "t_task" + prefix, Type: bench.TypeDuration, Range: "[0s, 3650d]", Default: "5ms", Unit: "s", Doc: "decision time per unscheduled task of " + class + " jobs (t_task)"},
	}
}

var omegaCommonParams = []bench.Param{
	{Name: "retry", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "1s", Doc: "delay before a job with tasks left re-enters its scheduler's queue"},
	{Name: "max_attempts_nothing", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "100", Doc: "abandon a job after more than this many attempts with nothing placed"},
	{Name: "max_attempts", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "1000", Doc: "abandon a job after more than this many attempts in all"},
	{Name: "placer", Type: bench.TypeEnum, Default: "random", Doc: "random: the Omega simulator's randomised first fit; given: the --placer"},
}

// readOmegaCommon reads the parameters every Omega-family scheduler has.
func readOmegaCommon(p *bench.Params, cfg *omega.Config, newPlacer func() (scheduler.Placer, error)) {
	cfg.RetryDelay = p.Duration("retry", cfg.RetryDelay)
	cfg.MaxAttemptsNothingPlaced = p.Int("max_attempts_nothing", cfg.MaxAttemptsNothingPlaced)
	cfg.MaxAttempts = p.Int("max_attempts", cfg.MaxAttempts)
	if p.Enum("placer", "random", "random", "given") == "given" {
		cfg.NewPlacer = newPlacer
	}
}

func readDecision(p *bench.Params, suffix string, def omega.DecisionTime) omega.DecisionTime {
	return omega.DecisionTime{Job: p.Duration("t_job"+suffix, def.Job), Task: p.Duration("t_task"+suffix, def.Task)}
}

func newOmegaScheduler(cfg omega.Config, p *bench.Params) (scheduler.Scheduler, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	return omega.New(cfg)
}

func registerOmega(reg *bench.Registry) {
	reg.RegisterPlacer(bench.PlacerSpec{Name: OmegaPlacer,
		Doc: "the Omega simulator's randomised first fit: random machines until one fits; machines that do not fit leave the pool for the rest of the attempt",
		New: func(*bench.Params) (scheduler.Placer, error) { return omega.NewRandomFirstFit(), nil }})

	registerOmegaScheduler(reg)

	reg.RegisterScheduler(bench.SchedulerSpec{Name: "monolithic-single-path",
		Doc: "the Omega paper's monolithic baseline: one serial scheduler, one FIFO queue, the same decision time t_job + t_task × tasks for every job, placing on the live state (no conflicts)",
		Params: append(append([]bench.Param{},
			omegaDecisionParams("", "every")...), omegaCommonParams...),
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			cfg := omega.DefaultConfig()
			cfg.Monolithic = true
			cfg.Batch = readDecision(p, "", cfg.Batch)
			cfg.Service = cfg.Batch
			readOmegaCommon(p, &cfg, newPlacer)
			return newOmegaScheduler(cfg, p)
		}})

	reg.RegisterScheduler(bench.SchedulerSpec{Name: "monolithic-fast-path",
		Doc: "the Omega paper's monolithic multi-path baseline: one serial scheduler and FIFO queue, with a fast decision time for batch jobs and its own for service jobs",
		Params: append(append(append([]bench.Param{},
			omegaDecisionParams("_batch", "batch")...), omegaDecisionParams("_service", "service")...), omegaCommonParams...),
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			cfg := omega.DefaultConfig()
			cfg.Monolithic = true
			cfg.Batch = readDecision(p, "_batch", cfg.Batch)
			cfg.Service = readDecision(p, "_service", cfg.Service)
			readOmegaCommon(p, &cfg, newPlacer)
			return newOmegaScheduler(cfg, p)
		}})

	def := workload.DefaultOmega()
	classParams := func(prefix string, c workload.OmegaClass) []bench.Param {
		return []bench.Param{
			{Name: prefix + "_interarrival", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: c.Interarrival.String(), Unit: "s", Doc: prefix + ": mean time between jobs (exponential)"},
			{Name: prefix + "_tasks", Type: bench.TypeFloat, Range: "(0, 100000]", Memory: true, Default: bench.Num(c.Tasks), Unit: "tasks", Doc: prefix + ": mean tasks per job (exponential, ⌈·⌉ ≥ 1)"},
			{Name: prefix + "_duration", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: c.Duration.String(), Unit: "s", Doc: prefix + ": mean task runtime (exponential, one draw per job)"},
			{Name: prefix + "_cpu", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: fmt.Sprint(c.CPU), Unit: "milli-cores", Doc: prefix + ": CPU per task"},
			{Name: prefix + "_mem", Type: bench.TypeInt, Range: "[0, 1000000000000]", Default: fmt.Sprint(c.Mem), Unit: "MiB", Doc: prefix + ": memory per task"},
		}
	}
	readClass := func(p *bench.Params, prefix string, c *workload.OmegaClass) {
		c.Interarrival = p.Duration(prefix+"_interarrival", c.Interarrival)
		c.Tasks = p.Float(prefix+"_tasks", c.Tasks)
		c.Duration = p.Duration(prefix+"_duration", c.Duration)
		c.CPU = int64(p.Int(prefix+"_cpu", int(c.CPU)))
		c.Mem = int64(p.Int(prefix+"_mem", int(c.Mem)))
	}
	reg.RegisterWorkload(bench.WorkloadSpec{Name: "omega",
		Doc: "the Omega lightweight simulator's workload: batch and service jobs with exponential interarrival, tasks and duration on a cell of 10k × (4 cores, 16 GiB) pre-filled to 60 % (REFERENCES.md §3.3); brings its own cell",
		Params: append(append(append([]bench.Param{}, classParams("batch", def.Batch)...), classParams("service", def.Service)...),
			bench.Param{Name: "lambda_batch", Type: bench.TypeFloat, Range: "[0, 1000]", Default: "1", Unit: "×", Doc: "multiplier of the batch arrival rate"},
			bench.Param{Name: "lambda_service", Type: bench.TypeFloat, Range: "[0, 1000]", Default: "1", Unit: "×", Doc: "multiplier of the service arrival rate"},
			bench.Param{Name: "machines", Type: bench.TypeInt, Range: "[1, 2000000]", Memory: true, Default: "10000", Doc: "machines in the cell"},
			bench.Param{Name: "machine_cpu", Type: bench.TypeInt, Range: "[1, 1000000000]", Default: "4000", Unit: "milli-cores", Doc: "CPU per machine"},
			bench.Param{Name: "machine_mem", Type: bench.TypeInt, Range: "[1, 1000000000000]", Default: "16384", Unit: "MiB", Doc: "memory per machine"},
			bench.Param{Name: "prefill", Type: bench.TypeFloat, Range: "[0, 1)", Default: "0.6", Doc: "share of the cell's CPU filled at t=0 by long-running service-shaped jobs (tenant \"prefill\")"},
			bench.Param{Name: "prefill_job_tasks", Type: bench.TypeInt, Range: "[1, 1000000]", Memory: true, Default: "100", Doc: "tasks per prefill job"},
			bench.Param{Name: "horizon", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "1d", Unit: "s", Doc: "no submissions at or after this time"},
			bench.Param{Name: "gang", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0", Doc: "fraction of batch jobs that are gangs (MinMember = tasks); not in the paper"},
		),
		New: func(p *bench.Params, seed uint64) (*bench.Workload, error) {
			c := workload.DefaultOmega()
			readClass(p, "batch", &c.Batch)
			readClass(p, "service", &c.Service)
			c.BatchRate = p.Float("lambda_batch", c.BatchRate)
			c.ServiceRate = p.Float("lambda_service", c.ServiceRate)
			c.Machines = p.Int("machines", c.Machines)
			c.MachineCPU = int64(p.Int("machine_cpu", int(c.MachineCPU)))
			c.MachineMem = int64(p.Int("machine_mem", int(c.MachineMem)))
			c.Prefill = p.Float("prefill", c.Prefill)
			c.PrefillJobTasks = p.Int("prefill_job_tasks", c.PrefillJobTasks)
			c.Horizon = p.Duration("horizon", c.Horizon)
			c.GangFraction = p.Float("gang", c.GangFraction)
			if err := p.Err(); err != nil {
				return nil, err
			}
			g, err := workload.NewOmega(c, seed)
			if err != nil {
				return nil, err
			}
			return &bench.Workload{Source: g, Nodes: g.Nodes()}, nil
		}})

	registerOmegaExperiments(reg)
}

// registerOmegaScheduler registers the "omega" scheduler.
func registerOmegaScheduler(reg *bench.Registry) {
	reg.RegisterScheduler(bench.SchedulerSpec{Name: "omega",
		Doc: "Omega shared-state schedulers (1 service + k batch): each plans against the cell state at its attempt's start, commits after t_job + t_task × tasks; conflicts rolled back, 1 s retry, abandonment after 100/1,000 attempts",
		Params: append(append(append([]bench.Param{
			{Name: "batch", Type: bench.TypeInt, Range: "[1, 10000]", Memory: true, Default: "1", Doc: "number of batch schedulers"},
			{Name: "service", Type: bench.TypeInt, Range: "[0, 10000]", Memory: true, Default: "1", Doc: "number of service schedulers (0: service jobs go to the batch schedulers)"},
			{Name: "conflict", Type: bench.TypeEnum, Default: "fit", Doc: "conflict detection: fit (resource fit, fine-grained) or seq (sequence numbers, coarse-grained)"},
			{Name: "transaction", Type: bench.TypeEnum, Default: "incremental", Doc: "incremental (skip conflicting claims) or all-or-nothing (gang: undo all on the first conflict)"},
			{Name: "spread", Type: bench.TypeEnum, Default: "round-robin", Doc: "how new jobs are assigned to a class's schedulers: round-robin (the public simulator) or hash (of the job ID: the paper's \"hashing\")"},
			{Name: "seq_releases", Type: bench.TypeBool, Default: "false", Doc: "with conflict=seq, capacity freed on a machine since the plan (a task ended there) also invalidates its claims: the paper's wording (§5.2); the public simulator's rule (false) counts only claims"},
		}, omegaDecisionParams("_batch", "batch")...), omegaDecisionParams("_service", "service")...), omegaCommonParams...),
		New: func(p *bench.Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			cfg := omega.DefaultConfig()
			cfg.SeqCountsReleases = p.Bool("seq_releases", false)
			cfg.BatchSchedulers = p.Int("batch", 1)
			cfg.ServiceSchedulers = p.Int("service", 1)
			d, err := omega.ParseDetection(p.Enum("conflict", "fit", "fit", "seq"))
			if err != nil {
				return nil, err
			}
			cfg.Detection = d
			sp, err := omega.ParseSpread(p.Enum("spread", "round-robin", "round-robin", "hash"))
			if err != nil {
				return nil, err
			}
			cfg.Spread = sp
			if cfg.SeqCountsReleases && d != scheduler.DetectSeq {
				p.Fail("seq_releases", "true", "false unless conflict=seq (it widens sequence-number detection only)")
				return nil, p.Err()
			}
			tx, err := omega.ParseTransaction(p.Enum("transaction", "incremental", "incremental", "all-or-nothing"))
			if err != nil {
				return nil, err
			}
			cfg.Transaction = tx
			cfg.Batch = readDecision(p, "_batch", cfg.Batch)
			cfg.Service = readDecision(p, "_service", cfg.Service)
			readOmegaCommon(p, &cfg, newPlacer)
			return newOmegaScheduler(cfg, p)
		}})
}

// omegaSpec joins a name and k=v pairs into a spec string.
func omegaSpec(name string, kv ...string) string {
	if len(kv) == 0 {
		return name
	}
	return name + ":" + strings.Join(kv, ",")
}
