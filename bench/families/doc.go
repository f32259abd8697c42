// Package families is schedlab's catalogue: every policy family's names for the
// experiment engine (package bench) and the paper experiments built on them.
// Register(r) adds all of them to a bench.Registry, NewRegistry returns a
// registry with all of them; each family also has its own Register function, so a
// program can take only some, or add its own policies beside them:
//
//	RegisterBinpack    the placers (firstfit, bestfit, worstfit, nextfit, random,
//	                   randomk, tetris, ffd, kube, nomad, volcano and the FGD
//	                   paper's GPU placers), the monolithic scheduler, and the
//	                   compaction (Compact) and perf (PerfSpec, BenchmarkPerf)
//	                   scenarios
//	RegisterWorkloads  synthetic, its presets (alibaba-gpu, gang-ml, dag,
//	                   google2011, ...) and the trace-shaped fit
//	RegisterGang       the gang-* schedulers (policies/gang), the gang-burst
//	                   workload and the gang-deadlock scenario
//	RegisterOmega      the Omega placer, the omega and monolithic-*-path
//	                   schedulers (policies/omega), the omega workload and the
//	                   paper's scenarios (omega-*)
//	RegisterMesos      the mesos scheduler (policies/mesos) and the decision-time,
//	                   hoarding and starvation scenarios
//	RegisterFGD        the FGD paper's run-for-run reproduction (fgd)
//
// The engine imports none of this: the command (cmd/schedlab) builds its registry
// with Register, and the tests of this package check every registered name's
// parameter declarations, its conformance (scheduler/schedtest) and the
// scenarios' reproductions.
package families
