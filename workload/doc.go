// Package workload generates synthetic and trace-shaped workloads for schedlab: job
// streams (scheduler.Source) and failure schedules (scheduler.NodeSource), seeded and
// deterministic, that yield jobs in submit order without holding the workload in
// memory.
//
// # Distributions
//
// Dist describes a non-negative quantity — a runtime in seconds, a task count, a
// request in milli-cores or MiB — as a constant, exponential, lognormal, Pareto,
// uniform or empirical distribution. The parametric kinds draw through gonum's
// stat/distuv; Empirical interpolates linearly between given quantiles (the p0, p50,
// p90, … that a trace summary reports), which makes its CDF piecewise linear and its
// draws exact inverse-CDF samples. ParseDist reads the same distributions from text
// ("median(60;1.5)[1;86400]"). Choice is a discrete distribution over integers (GPU
// counts, priorities, gang sizes).
//
// # Arrivals
//
// Arrival selects Poisson arrivals, a bursty two-state Markov-modulated Poisson
// process, a diurnal (sinusoidal-rate) Poisson process drawn by thinning, or the
// replay of given arrival times.
//
// # Generators
//
// Synthetic is the general generator: task counts, runtimes, correlated CPU and
// memory requests (a Gaussian copula over any two marginals), GPU requests (whole
// devices or shares), gangs with MinMember, DAG jobs with task groups, service jobs,
// priorities and tenants. GangML and DAGJobs are presets of it. AlibabaGPU is the
// embedded default: the node shapes and pod mix of Alibaba's openb GPU cluster (see
// OpenBNodes) with training gangs added. A TraceShape is a Synthetic fitted to a
// trace's statistics plus its machine shapes, scaled to any size by Scaled:
// FitTrace builds one from any trace Source (ReplayArrivals then keeps the trace's
// own submit times), and Google2011 is one built from published numbers.
//
// # Transforms
//
// Inflate scales arrival rates, job sizes or requests; Subsample keeps a random
// fraction of jobs. Both wrap any scheduler.Source.
//
// # Failures
//
// Failures generates machine failures and recoveries, per node at a rate or per
// failure domain, as a scheduler.NodeSource for scheduler.Config.NodeEvents.
//
// # Determinism and cost
//
// Every generator takes a seed and derives one math/rand/v2 PCG stream per random
// component (scheduler.NewRand), so the same configuration and seed give the same
// stream, and changing one distribution does not shift the draws of another. A
// generated job costs one Job and one []Task allocation (plus its groups for a DAG
// job); no task is allocated on its own.
package workload
