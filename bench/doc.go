// Package bench runs schedlab experiments: single runs named by strings (as the
// command line gives them), sweeps of many runs in parallel, and the tables, files
// and plots that report them.
//
// # Registries
//
// Schedulers, placers, workload generators and scenarios are registered by name
// (RegisterScheduler, RegisterPlacer, RegisterWorkload, RegisterScenario), each
// with documented k=v parameters (Param, Params). Policy families register theirs
// in files named family_*.go. A spec string is "NAME[:k=v,...]"; an unknown name's
// error lists the valid ones.
//
// # One run
//
// RunSpec names a scheduler, placer, workload, cluster, seed and horizon; Run
// builds them, runs the simulation and fills the result's names and wall-clock
// rates. Errors in the spec are UsageErrors naming the field at fault; a panic in
// a run is recovered into an error wrapping ErrPanic. Wall time is read here and in
// cmd only, never in the simulation.
//
// # Clusters
//
// ParseCluster reads "nodes=N,cpu=MILLI,mem=MIB,gpu=N[,gpumodel=M,disk=MIB,racks=R]",
// several shapes joined with '+'. The cluster "trace" is the workload's own
// machines; "auto" (or empty) uses them when the workload has some, else
// DefaultCluster.
//
// # Parallel cells
//
// A Cell is one independent, deterministic run. RunCells runs cells on goroutines
// and returns results by index, so results never depend on the parallelism.
//
// # Tables
//
// Table writes aligned text or Markdown; CompareTable is the comparison that
// `schedlab` prints.
package bench
