package families

import "github.com/schedlab/schedlab/bench"

// Register adds every family's placers, schedulers, workloads and scenarios to r.
// It panics if r already has one of their names.
func Register(r *bench.Registry) {
	RegisterBinpack(r)
	RegisterWorkloads(r)
	RegisterGang(r)
	RegisterOmega(r)
	RegisterMesos(r)
	RegisterFGD(r)
}

// NewRegistry returns a registry with every family registered: the names that
// `schedlab list` prints.
func NewRegistry() *bench.Registry {
	r := bench.NewRegistry()
	Register(r)
	return r
}

// RegisterBinpack adds the bin-packing family: the placers (firstfit, bestfit,
// worstfit, nextfit, random, randomk, tetris, ffd, kube, nomad, volcano and the
// GPU placers), the monolithic scheduler they plug into by default, and the
// compaction and perf scenarios.
func RegisterBinpack(r *bench.Registry) {
	registerMonolithic(r)
	registerPlacers(r)
	registerCompaction(r)
	registerPerf(r)
}

// RegisterWorkloads adds the workload generators: synthetic, the embedded default
// alibaba-gpu, the presets and the trace-shaped fit.
func RegisterWorkloads(r *bench.Registry) {
	registerSynthetic(r)
	registerAlibabaGPU(r)
	registerPresets(r)
	registerFit(r)
}

// RegisterGang adds the gang family: the gang-* schedulers, the gang-burst
// workload and the gang-deadlock scenario.
func RegisterGang(r *bench.Registry) { registerGang(r) }

// RegisterOmega adds the Omega family: its placer, the omega and monolithic
// comparison schedulers, the omega workload and the paper's scenarios.
func RegisterOmega(r *bench.Registry) { registerOmega(r) }

// RegisterMesos adds the Mesos family: the mesos scheduler and its decision-time,
// hoarding and starvation scenarios.
func RegisterMesos(r *bench.Registry) {
	registerMesosScheduler(r)
	registerMesosScenarios(r)
}

// RegisterFGD adds the FGD paper's reproduction scenario (fgd).
func RegisterFGD(r *bench.Registry) { registerFGD(r) }
