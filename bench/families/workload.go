package families

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// This file registers the workload generators of package workload. Distribution
// parameters use workload.ParseDist syntax (e.g. median(60;1.5)[1;86400]); choices
// use workload.ParseChoice syntax (V:W;V:W).

// transformParams are accepted by every generated workload: inflation and
// sub-sampling (see workload.Inflate and workload.Subsample).
var transformParams = []bench.Param{
	{Name: "arrival_scale", Type: bench.TypeFloat, Range: "(0, 1000000]", Default: "1", Unit: "×", Doc: "multiply the arrival rate (divide submit times); 2 = twice as many jobs per hour"},
	{Name: "size_scale", Type: bench.TypeFloat, Range: "(0, 1000000]", Default: "1", Unit: "×", Doc: "multiply every job's task count (stochastic rounding; MinMember scales too)"},
	{Name: "request_scale", Type: bench.TypeFloat, Range: "(0, 1000000]", Default: "1", Unit: "×", Doc: "multiply every task's CPU and memory request"},
	{Name: "sample", Type: bench.TypeFloat, Range: "(0, 1]", Default: "1", Doc: "keep each job with this probability (sub-sampling)"},
}

// transforms holds the transform parameters read from a spec.
type transforms struct {
	inf    workload.Inflation
	sample float64
}

// readTransforms reads the transform parameters (before Params.Err is checked).
func readTransforms(p *bench.Params) transforms {
	return transforms{
		inf: workload.Inflation{
			Arrivals: p.Float("arrival_scale", 1),
			Tasks:    p.Float("size_scale", 1),
			Requests: p.Float("request_scale", 1),
		},
		sample: p.Float("sample", 1),
	}
}

// checkSize rejects a size_scale that would grow jobs of up to maxTasks tasks
// (0: not known) beyond workload.MaxTasksPerJob. Jobs whose size is not bounded in
// advance are checked as they are generated (workload.ErrLimit).
func (t transforms) checkSize(maxTasks float64) error {
	if x := maxTasks * t.inf.Tasks; maxTasks > 0 && x > workload.MaxTasksPerJob {
		return fmt.Errorf("parameter size_scale=%g: jobs of up to %g tasks would have up to %g, more than %d tasks per job (workload.MaxTasksPerJob)",
			t.inf.Tasks, maxTasks, x, workload.MaxTasksPerJob)
	}
	return nil
}

// maxJobTasks returns the largest task count c can draw (0 when unbounded).
func maxJobTasks(c workload.Synthetic) float64 {
	_, hi, ok := c.Tasks.Bounds()
	if !ok {
		return 0
	}
	if lo, ghi, gok := c.GangTasks.Bounds(); c.GangFraction > 0 && (lo != 0 || ghi != 0) {
		if !gok {
			return 0
		}
		hi = max(hi, ghi)
	}
	return hi
}

// apply wraps src with the transforms asked for.
func (t transforms) apply(src scheduler.Source, seed uint64) (scheduler.Source, error) {
	if t.sample != 1 {
		s, err := workload.Subsample(src, t.sample, seed)
		if err != nil {
			return nil, err
		}
		src = s
	}
	if t.inf != (workload.Inflation{Arrivals: 1, Tasks: 1, Requests: 1}) {
		s, err := workload.Inflate(src, t.inf, seed)
		if err != nil {
			return nil, err
		}
		src = s
	}
	return src, nil
}

func withTransforms(ps ...bench.Param) []bench.Param { return append(ps, transformParams...) }

// failureParams are accepted by workloads that bring their own nodes: a machine
// failure schedule (workload.Failures) streamed with the jobs.
var failureParams = []bench.Param{
	{Name: "mtbf", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "0", Unit: "s", Doc: "per-node mean time between failures (0 = no node failures)"},
	{Name: "mttr", Type: bench.TypeDuration, Range: "(0s, forever]", Default: "1h", Doc: "mean time to repair a failed node"},
	{Name: "domain_mtbf", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "0", Unit: "s", Doc: "per-rack mean time between failures (0 = none); a rack's nodes fail together"},
	{Name: "domain_mttr", Type: bench.TypeDuration, Range: "(0s, forever]", Default: "2h", Doc: "mean time to repair a failed rack"},
	{Name: "failures_until", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "the horizon, or 1d", Doc: "no failures at or after this time (a schedule must end)"},
}

// readFailures reads the failure parameters; ok is false when none are asked for.
// Until is 0 unless failures_until is given: withFailures then uses the workload's
// horizon, or one day.
func readFailures(p *bench.Params) (f workload.Failures, ok bool) {
	f = workload.Failures{
		MTBF:       p.Duration("mtbf", 0),
		MTTR:       p.Duration("mttr", scheduler.Hour),
		DomainMTBF: p.Duration("domain_mtbf", 0),
		DomainMTTR: p.Duration("domain_mttr", 2*scheduler.Hour),
		Until:      p.Duration("failures_until", 0),
	}
	return f, f.MTBF > 0 || f.DomainMTBF > 0
}

// withFailures attaches the failure schedule f over nodes to src; a zero f.Until
// becomes horizon, or one day when horizon is 0.
func withFailures(src scheduler.Source, f workload.Failures, nodes []scheduler.Node, horizon scheduler.Time, seed uint64) (scheduler.Source, error) {
	if f.Until == 0 {
		f.Until = horizon
		if f.Until <= 0 {
			f.Until = scheduler.Day
		}
	}
	fs, err := workload.NewFailureSchedule(f, nodes, seed)
	if err != nil {
		return nil, err
	}
	return &workload.WithNodeEvents{Source: src, Events: fs}, nil
}

// registerSynthetic adds the synthetic generator (workload.Synthetic).
func registerSynthetic(reg *bench.Registry) {
	def := workload.DefaultSynthetic()
	reg.RegisterWorkload(bench.WorkloadSpec{
		Name: "synthetic",
		Doc:  "synthetic batch jobs: Poisson (or bursty, diurnal) arrivals, lognormal sizes and runtimes, correlated CPU/memory (Gaussian copula), optional gangs, GPUs, DAGs, services, priorities",
		Params: withTransforms(
			bench.Param{Name: "jobs", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "10000", Doc: "number of jobs (0 = until horizon)"},
			bench.Param{Name: "horizon", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "0", Unit: "s", Doc: "no arrivals at or after this time (0 = none)"},
			bench.Param{Name: "arrival", Type: bench.TypeEnum, Default: "poisson", Doc: "poisson, bursty (two-state MMPP) or diurnal"},
			bench.Param{Name: "rate", Type: bench.TypeFloat, Range: "(0, 1000000]", Default: "2", Unit: "jobs/s", Doc: "arrival rate (poisson), calm rate (bursty) or mean rate (diurnal)"},
			bench.Param{Name: "burst_rate", Type: bench.TypeFloat, Range: "(0, 1000000]", Default: "10×rate", Unit: "jobs/s", Doc: "bursty: rate in the burst state"},
			bench.Param{Name: "calm", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "1h", Doc: "bursty: mean time in the calm state"},
			bench.Param{Name: "burst", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "5m", Doc: "bursty: mean time in the burst state"},
			bench.Param{Name: "amplitude", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0.5", Doc: "diurnal: relative swing of the rate, 0..1"},
			bench.Param{Name: "period", Type: bench.TypeDuration, Range: "(0s, 3650d]", Default: "24h", Doc: "diurnal: period"},
			bench.Param{Name: "tasks", Type: bench.TypeDist, Range: "[0, 1000000]", Memory: true, Default: def.Tasks.String(), Unit: "tasks", Doc: "tasks per job"},
			bench.Param{Name: "runtime", Type: bench.TypeDist, Range: "[0, 1e15]", Default: def.Runtime.String(), Unit: "s", Doc: "job runtime"},
			bench.Param{Name: "task_sigma", Type: bench.TypeFloat, Range: "[0, 10]", Default: "0", Doc: "per-task lognormal runtime spread within a job (log σ)"},
			bench.Param{Name: "cpu", Type: bench.TypeDist, Range: "[0, 1000000000]", Default: def.CPU.String(), Unit: "milli-cores", Doc: "CPU request per task"},
			bench.Param{Name: "mem", Type: bench.TypeDist, Range: "[0, 1000000000000]", Default: def.Mem.String(), Unit: "MiB", Doc: "memory request per task"},
			bench.Param{Name: "corr", Type: bench.TypeFloat, Range: "[-1, 1]", Default: "0.6", Doc: "CPU–memory correlation (Gaussian copula), -1..1"},
			bench.Param{Name: "gang", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0.1", Doc: "fraction of jobs that are gangs"},
			bench.Param{Name: "min_member", Type: bench.TypeFloat, Range: "(0, 1]", Default: "1", Doc: "MinMember as a fraction of a gang's tasks (rounded up)"},
			bench.Param{Name: "gang_tasks", Type: bench.TypeDist, Range: "[0, 1000000]", Memory: true, Default: "= tasks", Unit: "tasks", Doc: "tasks per gang job, if gangs are sized differently from other jobs"},
			bench.Param{Name: "gpu", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0", Doc: "fraction of jobs whose tasks request GPUs"},
			bench.Param{Name: "gpu_count", Type: bench.TypeChoice, Range: "[0, 64]", Default: "1", Unit: "GPUs", Doc: "GPUs per task of a whole-GPU job, as a choice V:W;V:W"},
			bench.Param{Name: "gpu_share", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0", Doc: "fraction of GPU jobs taking a share of one GPU"},
			bench.Param{Name: "share_milli", Type: bench.TypeDist, Range: "[0, 1000]", Default: "500", Unit: "milli-GPU", Doc: "share of a GPU per task of a sharing job"},
			bench.Param{Name: "dag", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0", Doc: "fraction of (non-gang) jobs that are DAGs of task groups"},
			bench.Param{Name: "stages", Type: bench.TypeDist, Range: "[0, 1000]", Memory: true, Default: "3", Doc: "task groups per DAG job"},
			bench.Param{Name: "service", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0", Doc: "fraction of jobs of class service"},
			bench.Param{Name: "service_runtime", Type: bench.TypeDist, Range: "[0, 1e15]", Default: "1e15 (forever)", Unit: "s", Doc: "runtime of service jobs"},
			bench.Param{Name: "priority", Type: bench.TypeChoice, Range: "[-1000000000, 1000000000]", Default: "0", Doc: "job priority, as a choice V:W;V:W"},
			bench.Param{Name: "tenants", Type: bench.TypeInt, Range: "[0, 100000]", Memory: true, Default: "0", Doc: "spread jobs over this many tenants t0, t1, …"},
		),
		New: newSynthetic,
	})
}

// newSynthetic builds the synthetic workload from its parameters.
func newSynthetic(p *bench.Params, seed uint64) (*bench.Workload, error) {
	c := workload.DefaultSynthetic()
	c.Jobs = p.Int("jobs", c.Jobs)
	c.Horizon = p.Duration("horizon", 0)
	kind, err := workload.ParseArrivalKind(p.Enum("arrival", "poisson", "poisson", "bursty", "diurnal"))
	if err != nil {
		return nil, err
	}
	c.Arrival.Kind = kind
	c.Arrival.Rate = p.Float("rate", c.Arrival.Rate)
	c.Arrival.BurstRate = p.Float("burst_rate", 10*c.Arrival.Rate)
	c.Arrival.CalmMean = p.Duration("calm", scheduler.Hour)
	c.Arrival.BurstMean = p.Duration("burst", 5*scheduler.Minute)
	c.Arrival.Amplitude = p.Float("amplitude", 0.5)
	c.Arrival.Period = p.Duration("period", scheduler.Day)
	c.Tasks = p.Dist("tasks", c.Tasks)
	c.Runtime = p.Dist("runtime", c.Runtime)
	c.TaskRuntimeSigma = p.Float("task_sigma", 0)
	c.CPU = p.Dist("cpu", c.CPU)
	c.Mem = p.Dist("mem", c.Mem)
	c.CPUMemCorrelation = p.Float("corr", c.CPUMemCorrelation)
	c.GangFraction = p.Float("gang", c.GangFraction)
	c.MinMemberFraction = p.Float("min_member", 1)
	c.GangTasks = p.Dist("gang_tasks", c.GangTasks)
	c.GPUFraction = p.Float("gpu", 0)
	c.GPUCount = p.Choice("gpu_count", c.GPUCount)
	c.GPUShareFraction = p.Float("gpu_share", 0)
	c.GPUShareMilli = p.Dist("share_milli", c.GPUShareMilli)
	c.DAGFraction = p.Float("dag", 0)
	c.DAGStages = p.Dist("stages", c.DAGStages)
	c.ServiceFraction = p.Float("service", 0)
	c.ServiceRuntime = p.Dist("service_runtime", c.ServiceRuntime)
	c.Priority = p.Choice("priority", c.Priority)
	c.Tenants = p.Int("tenants", 0)
	return buildSynthetic(p, c, seed, nil)
}

// registerAlibabaGPU adds alibaba-gpu, the embedded default workload.
func registerAlibabaGPU(reg *bench.Registry) {
	adef := workload.DefaultAlibabaGPU()
	reg.RegisterWorkload(bench.WorkloadSpec{
		Name: "alibaba-gpu",
		Doc:  "the embedded default: the openb GPU cluster's node shapes and pod mix (FGD.md §1; CPU-only, GPU-sharing, 1/2/4/8-GPU pods) with multi-GPU training gangs added; Poisson arrivals at a target GPU load; generated from published statistics, never trace rows",
		Params: append(withTransforms(
			bench.Param{Name: "nodes", Type: bench.TypeInt, Range: "[1, 2000000]", Memory: true, Default: "300", Unit: "nodes", Doc: "cluster size (openb node shapes scaled in proportion; 1213 = the full openb GPU cluster); also sets the arrival rate"},
			bench.Param{Name: "jobs", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: "10000", Doc: "number of jobs: single pods and gangs (0 = until horizon)"},
			bench.Param{Name: "horizon", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "0", Unit: "s", Doc: "no arrivals at or after this time (0 = none)"},
			bench.Param{Name: "load", Type: bench.TypeFloat, Range: "(0, 100]", Default: "1.1", Doc: "offered GPU load as a fraction of GPU capacity (above 1 a queue builds)"},
			bench.Param{Name: "gang", Type: bench.TypeFloat, Range: "[0, 1]", Default: "0.02", Doc: "fraction of jobs that are training gangs"},
			bench.Param{Name: "gang_size", Type: bench.TypeChoice, Range: "[1, 1000000]", Memory: true, Default: adef.GangSize.String(), Unit: "pods", Doc: "pods per gang, as a choice V:W;V:W"},
			bench.Param{Name: "gang_gpus", Type: bench.TypeChoice, Range: "[1, 64]", Default: adef.GangGPUs.String(), Unit: "GPUs", Doc: "whole GPUs per gang pod (1, 2, 4 or 8), as a choice"},
			bench.Param{Name: "runtime", Type: bench.TypeDist, Range: "[0, 1e15]", Default: adef.Runtime.String(), Unit: "s", Doc: "runtime of single pods"},
			bench.Param{Name: "gang_runtime", Type: bench.TypeDist, Range: "[0, 1e15]", Default: adef.GangRuntime.String(), Unit: "s", Doc: "runtime of gangs"},
			bench.Param{Name: "cpu_only", Type: bench.TypeFloat, Range: "[0, 1000000000]", Default: "1088", Doc: "relative weight of CPU-only pods (FGD.md §1.2 count)"},
			bench.Param{Name: "share", Type: bench.TypeFloat, Range: "[0, 1000000000]", Default: "3078", Doc: "relative weight of GPU-sharing pods"},
			bench.Param{Name: "gpu1", Type: bench.TypeFloat, Range: "[0, 1000000000]", Default: "3911", Doc: "relative weight of whole 1-GPU pods"},
			bench.Param{Name: "gpu2", Type: bench.TypeFloat, Range: "[0, 1000000000]", Default: "16", Doc: "relative weight of 2-GPU pods"},
			bench.Param{Name: "gpu4", Type: bench.TypeFloat, Range: "[0, 1000000000]", Default: "15", Doc: "relative weight of 4-GPU pods"},
			bench.Param{Name: "gpu8", Type: bench.TypeFloat, Range: "[0, 1000000000]", Default: "44", Doc: "relative weight of 8-GPU pods"},
		), failureParams...),
		New: newAlibabaGPU,
	})
}

// newAlibabaGPU builds the alibaba-gpu workload from its parameters.
func newAlibabaGPU(p *bench.Params, seed uint64) (*bench.Workload, error) {
	c := workload.DefaultAlibabaGPU()
	c.Nodes = p.Int("nodes", c.Nodes)
	c.Jobs = p.Int("jobs", c.Jobs)
	c.Horizon = p.Duration("horizon", 0)
	c.Load = p.Float("load", c.Load)
	c.GangFraction = p.Float("gang", c.GangFraction)
	c.GangSize = p.Choice("gang_size", c.GangSize)
	c.GangGPUs = p.Choice("gang_gpus", c.GangGPUs)
	c.Runtime = p.Dist("runtime", c.Runtime)
	c.GangRuntime = p.Dist("gang_runtime", c.GangRuntime)
	for i, k := range []string{"cpu_only", "share", "gpu1", "gpu2", "gpu4", "gpu8"} {
		c.Mix[i] = p.Float(k, c.Mix[i])
	}
	tr := readTransforms(p)
	fail, failing := readFailures(p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if err := tr.checkSize(float64(slices.Max(c.GangSize.Values))); err != nil {
		return nil, err
	}
	g, err := workload.NewAlibabaGPU(c, seed)
	if err != nil {
		return nil, err
	}
	return finishWorkload(g, g.Nodes(), c.Horizon, tr, fail, failing, seed)
}

func registerPresets(reg *bench.Registry) {
	presetParams := func(c workload.Synthetic) []bench.Param {
		return withTransforms(
			bench.Param{Name: "jobs", Type: bench.TypeInt, Range: "[0, 1000000000]", Default: intString(c.Jobs), Doc: "number of jobs (0 = until horizon)"},
			bench.Param{Name: "horizon", Type: bench.TypeDuration, Range: "[0s, forever]", Default: "0", Unit: "s", Doc: "no arrivals at or after this time (0 = none)"},
			bench.Param{Name: "rate", Type: bench.TypeFloat, Range: "(0, 1000000]", Default: floatString(c.Arrival.Rate), Unit: "jobs/s", Doc: "Poisson arrival rate"},
		)
	}
	preset := func(c workload.Synthetic, p *bench.Params, seed uint64) (*bench.Workload, error) {
		c.Jobs = p.Int("jobs", c.Jobs)
		c.Horizon = p.Duration("horizon", 0)
		c.Arrival.Rate = p.Float("rate", c.Arrival.Rate)
		return buildSynthetic(p, c, seed, nil)
	}
	ml := workload.GangML()
	reg.RegisterWorkload(bench.WorkloadSpec{
		Name:   "gang-ml",
		Doc:    "gang-heavy ML-style jobs (workload.GangML): 60% strict gangs of 1..64 GPU workers (1/2/4/8 GPUs or a GPU share each), long runtimes, two priorities, 8 tenants; use GPU nodes (e.g. --cluster trace with alibaba-gpu's nodes, or a gpu= cluster)",
		Params: presetParams(ml),
		New:    func(p *bench.Params, seed uint64) (*bench.Workload, error) { return preset(workload.GangML(), p, seed) },
	})
	dag := workload.DAGJobs()
	reg.RegisterWorkload(bench.WorkloadSpec{
		Name:   "dag",
		Doc:    "DAG jobs in the style of Alibaba 2018 batch (workload.DAGJobs): 2..6 task groups with random precedence, 2..1000 tasks, short runtimes",
		Params: presetParams(dag),
		New: func(p *bench.Params, seed uint64) (*bench.Workload, error) {
			return preset(workload.DAGJobs(), p, seed)
		},
	})
	reg.RegisterWorkload(bench.WorkloadSpec{
		Name: "google2011",
		Doc:  "trace-shaped Google 2011 cell (workload.Google2011): the published 10 machine shapes of 12,583 machines, 672,004 jobs and 25.4M tasks over 29 days at scale=1; diurnal arrivals, heavy-tailed job sizes, priorities 0-11; scaled to any size",
		Params: append(withTransforms(
			bench.Param{Name: "scale", Type: bench.TypeFloat, Range: "(0, 100]", Memory: true, Default: "1", Unit: "×", Doc: "machines, jobs and arrival rate × scale (same load per machine, same span)"},
			bench.Param{Name: "days", Type: bench.TypeFloat, Range: "(0, 3650]", Default: "29", Unit: "days", Doc: "span of arrivals (jobs scale with it)"},
		), failureParams...),
		New: func(p *bench.Params, seed uint64) (*bench.Workload, error) {
			shape := workload.Google2011()
			scale := p.Float("scale", 1)
			days := p.Float("days", 29)
			tr := readTransforms(p)
			if !(days > 0) {
				p.Fail("days", floatString(days), "a positive number of days")
			}
			span := scheduler.Seconds(days * 86400)
			fail, failing := readFailures(p)
			if err := p.Err(); err != nil {
				return nil, err
			}
			c, nodes, err := shape.Scaled(scale)
			if err != nil {
				return nil, err
			}
			c.Jobs = max(1, int(float64(c.Jobs)*days/29))
			c.Horizon = span
			return buildFitted(c, nodes, tr, fail, failing, seed)
		},
	})
}

func registerFit(reg *bench.Registry) {
	reg.RegisterWorkload(bench.WorkloadSpec{
		Name: "fit",
		Doc:  "trace-shaped: read a trace once, fit its statistics (workload.FitTrace: empirical task counts, runtimes, requests, CPU-memory correlation, gang/GPU/DAG/service fractions, priorities, arrival rate, machine shapes), then generate a synthetic workload of any scale from the fit; no trace row is replayed",
		Params: append(withTransforms(
			bench.Param{Name: "trace", Type: bench.TypeString, Default: "", Doc: "FORMAT:PATH[;PATH...] of the trace to fit (required)"},
			bench.Param{Name: "scale", Type: bench.TypeFloat, Range: "(0, 100]", Memory: true, Default: "1", Unit: "×", Doc: "machines, jobs and arrival rate × scale (same load per machine, same span)"},
			bench.Param{Name: "arrivals", Type: bench.TypeEnum, Default: "fitted", Doc: "fitted (Poisson at the trace's mean rate) or replay (the trace's own submit times, each repeated or thinned by scale)"},
		), failureParams...),
		New: func(p *bench.Params, seed uint64) (*bench.Workload, error) {
			spec := p.String("trace", "")
			scale := p.Float("scale", 1)
			replay := p.Enum("arrivals", "fitted", "fitted", "replay") == "replay"
			tr := readTransforms(p)
			fail, failing := readFailures(p)
			if err := p.Err(); err != nil {
				return nil, err
			}
			format, paths, ok := strings.Cut(spec, ":")
			if !ok || format == "" || paths == "" {
				return nil, fmt.Errorf("workload fit: parameter trace=%q: want FORMAT:PATH[;PATH...]", spec)
			}
			w, err := bench.OpenTrace(format, strings.Split(paths, ";"))
			if err != nil {
				return nil, fmt.Errorf("workload fit: %w", err)
			}
			c, nodes, err := fitWorkload(format, w, scale, replay)
			if err != nil {
				return nil, err
			}
			return buildFitted(c, nodes, tr, fail, failing, seed)
		},
	})
}

// fitWorkload fits a trace workload and scales the fit, optionally replaying the
// trace's submit times. The trace's machines are
// its Nodes, or else the NodeAdd events its Source streams before the first job.
func fitWorkload(name string, w *bench.Workload, scale float64, replay bool) (workload.Synthetic, []scheduler.Node, error) {
	machines := w.Nodes
	if machines == nil {
		if ns, ok := w.Source.(scheduler.NodeSource); ok {
			for {
				e, err := ns.NextNodeEvent()
				if err == io.EOF {
					break
				}
				if err != nil {
					return workload.Synthetic{}, nil, fmt.Errorf("workload fit %s: %w", name, err)
				}
				if e.Kind == scheduler.NodeAdd {
					machines = append(machines, e.Node)
				}
			}
		}
	}
	shape, err := workload.FitTrace(name, w.Source, machines)
	if err != nil {
		return workload.Synthetic{}, nil, err
	}
	if shape.MachineCount() == 0 {
		return workload.Synthetic{}, nil, fmt.Errorf("workload fit %s: the trace has no machines to scale", name)
	}
	if replay {
		if err := shape.ReplayArrivals(); err != nil {
			return workload.Synthetic{}, nil, err
		}
	}
	return shape.Scaled(scale)
}

// buildFitted generates the synthetic model c (fitted to a trace or published
// statistics) with transforms and, if failing, failures.
func buildFitted(c workload.Synthetic, nodes []scheduler.Node, tr transforms, fail workload.Failures, failing bool, seed uint64) (*bench.Workload, error) {
	if err := tr.checkSize(maxJobTasks(c)); err != nil {
		return nil, err
	}
	g, err := workload.NewSynthetic(c, seed)
	if err != nil {
		return nil, err
	}
	return finishWorkload(g, nodes, c.Horizon, tr, fail, failing, seed)
}

// finishWorkload wraps the generator's stream g with the transforms and, if
// failing, a failure schedule over nodes up to horizon (see withFailures).
func finishWorkload(g scheduler.Source, nodes []scheduler.Node, horizon scheduler.Time, tr transforms, fail workload.Failures, failing bool, seed uint64) (*bench.Workload, error) {
	src, err := tr.apply(g, seed)
	if err != nil {
		return nil, err
	}
	if failing {
		if src, err = withFailures(src, fail, nodes, horizon, seed); err != nil {
			return nil, err
		}
	}
	return &bench.Workload{Source: src, Nodes: nodes}, nil
}

func intString(n int) string       { return strconv.Itoa(n) }
func floatString(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// buildSynthetic validates c, builds its generator and applies the transforms.
func buildSynthetic(p *bench.Params, c workload.Synthetic, seed uint64, nodes []scheduler.Node) (*bench.Workload, error) {
	tr := readTransforms(p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return buildFitted(c, nodes, tr, workload.Failures{}, false, seed)
}
