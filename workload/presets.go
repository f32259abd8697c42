package workload

import "github.com/schedlab/schedlab/scheduler"

// GangML returns a gang-heavy, ML-style Synthetic workload (every number chosen by
// schedlab, shaped after published descriptions of GPU training clusters rather than
// measured): 5,000 jobs arriving by Poisson every 20 s on average; 60% of jobs are
// strict gangs (MinMember = all tasks); tasks per job lognormal with median 4 (σ 0.9,
// 1..64 workers); 90% of jobs use GPUs — 10% of those share one device (uniform
// 100..900 milli-GPU), the rest take 1, 2, 4 or 8 whole GPUs per task (weights 0.3,
// 0.2, 0.2, 0.3); CPU per task lognormal median 8 cores (σ 0.5, 1..64 cores), memory
// median 32 GiB (σ 0.6, 2..256 GiB) with correlation 0.7; runtimes lognormal with
// median 1 h (σ 1.2, 1 min..3 days); priorities 0 (70%) and 100 (30%); 8 tenants.
// Pair it with GPU nodes such as OpenBNodes.
func GangML() Synthetic {
	c := DefaultSynthetic()
	c.Jobs = 5000
	c.Arrival = Arrival{Kind: Poisson, Rate: 0.05}
	c.GangFraction = 0.6
	c.MinMemberFraction = 1
	c.Tasks = LogNormalMedian(4, 0.9).Clamp(1, 64)
	c.GPUFraction = 0.9
	c.GPUShareFraction = 0.1
	c.GPUShareMilli = UniformDist(100, 900)
	c.GPUCount = Choice{Values: []int64{1, 2, 4, 8}, Weights: []float64{0.3, 0.2, 0.2, 0.3}}
	c.CPU = LogNormalMedian(8000, 0.5).Clamp(1000, 64000)
	c.Mem = LogNormalMedian(32768, 0.6).Clamp(2048, 262144)
	c.CPUMemCorrelation = 0.7
	c.Runtime = LogNormalMedian(3600, 1.2).Clamp(60, 3*86400)
	c.Priority = Choice{Values: []int64{0, 100}, Weights: []float64{0.7, 0.3}}
	c.Tenants = 8
	return c
}

// DAGJobs returns a Synthetic workload of DAG jobs in the style of Alibaba's 2018
// batch trace (numbers chosen by schedlab): 10,000 jobs arriving by Poisson at 1
// job/s, every job with more than one task a DAG of 2..6 task groups (uniform,
// rounded); tasks per job lognormal with median 20 (σ 1.0, 2..1,000); each group's
// tasks run lognormal with median 60 s (σ 1.0, 1 s..6 h) with per-task spread σ 0.3;
// CPU lognormal median 1 core (σ 0.5, 0.1..8 cores), memory median 2 GiB (σ 0.6,
// 128 MiB..32 GiB) with correlation 0.6. No gangs.
func DAGJobs() Synthetic {
	c := DefaultSynthetic()
	c.Jobs = 10000
	c.Arrival = Arrival{Kind: Poisson, Rate: 1}
	c.GangFraction = 0
	c.DAGFraction = 1
	c.DAGStages = UniformDist(2, 6)
	c.Tasks = LogNormalMedian(20, 1.0).Clamp(2, 1000)
	c.Runtime = LogNormalMedian(60, 1.0).Clamp(1, 6*3600)
	c.TaskRuntimeSigma = 0.3
	c.CPU = LogNormalMedian(1000, 0.5).Clamp(100, 8000)
	c.Mem = LogNormalMedian(2048, 0.6).Clamp(128, 32768)
	c.CPUMemCorrelation = 0.6
	return c
}

// WithNodeEvents is a Source that also streams node events (a failure schedule), so
// a workload can carry its own failures: the engine reads the node events of any
// Source that implements scheduler.NodeSource. If the wrapped Source was itself a
// NodeSource (a trace with machine events), those events are replaced, not merged.
type WithNodeEvents struct {
	scheduler.Source
	Events scheduler.NodeSource
}

// NextNodeEvent returns the next node event of Events.
func (w *WithNodeEvents) NextNodeEvent() (scheduler.NodeEvent, error) {
	return w.Events.NextNodeEvent()
}

var (
	_ scheduler.Source     = (*WithNodeEvents)(nil)
	_ scheduler.NodeSource = (*WithNodeEvents)(nil)
)
