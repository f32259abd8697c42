// Package bench is schedlab's experiment engine: single runs named by strings (as
// the command line gives them), sweeps of many runs in parallel, and the tables,
// files and plots that report them. Wall time is read here and in cmd only, never
// in the simulation. The engine knows no scheduler, placer, workload or scenario
// by itself: the policy families and the paper experiments live in bench/families
// and register there.
//
// # Registries
//
// A Registry (NewRegistry) maps names to schedulers, placers, workload generators
// and scenarios (RegisterScheduler, RegisterPlacer, RegisterWorkload,
// RegisterScenario), each with documented k=v parameters (Param, Params). It is
// an explicit value: families.Register(r) adds every family's names, and the
// command builds one registry and passes it down; a program may build its own
// with only some families, or add its own policies beside them. A spec string is
// "NAME[:k=v,...]"; an unknown name's error lists the valid ones.
//
// # One run
//
// RunSpec names a scheduler, placer, workload, cluster, seed and horizon;
// Registry.Run builds them, runs the simulation and fills the result's names and
// wall-clock rates (WallSeconds, EventsPerSecond, PlacementsPerSecond). A workload is a
// registered generator or a trace replay, "trace:FORMAT:PATH[,PATH...][:OPTION=VALUE,...]"
// (traces.Open). Errors in the spec are UsageErrors naming the field at fault; a
// panic in a run is recovered into an error wrapping ErrPanic. Registry.RunDetailed also
// collects the curves of Detail (job wait quantiles, arrived GPU demand).
//
// # Clusters
//
// ParseCluster reads "nodes=N,cpu=MILLI,mem=MIB,gpu=N[,gpumodel=M,disk=MIB,racks=R]",
// several shapes joined with '+'. The cluster "trace" is the workload's own
// machines; "auto" (or empty) uses them when the workload has some, else
// DefaultCluster.
//
// # Sweeps
//
// A sweep is a list of Cells, each one deterministic run with labels and a seed.
// It comes from a named scenario (ScenarioSpec.Cells) or from a Sweep: the cross
// product schedulers × placers × workloads × clusters × parameter values × seeds,
// read from a JSON file (LoadSweep; the format is documented on Sweep) or built
// from `schedlab bench` flags. A Plan names one or the other.
//
// Execute runs a plan's cells on goroutines (Options.Parallel) into an output
// directory:
//
//	sweep.json    the plan, the number of cells and a digest of them
//	cells.jsonl   one Record per finished cell (labels, seed, result or error),
//	              appended and synced as cells finish, in completion order
//	results.csv   one row per cell in cell order: cell index, labels, error, then
//	              every result key flattened with '.' (Flatten)
//	results.json  the plan and every record, in cell order
//	summary.md    per cell (labels without the seed): mean ± 95% interval over
//	              seeds (MeanCI: Student's t), failed runs, simulator speed
//	plots/        PNG and SVG: job-wait CDF, utilization and held-idle over time,
//	              each metric against each numeric sweep parameter (deadlock rate,
//	              utilization, conflict fraction, busyness, wait p99), GPU
//	              allocation against arrived GPU demand
//
// Results do not depend on the parallelism: reports are written from the records
// sorted by cell index, and only the wall-clock columns (WallClockKeys) differ
// between runs. A stopped or killed sweep resumes: Execute skips the cells already
// in cells.jsonl (a half-written last line is dropped). A failing cell is recorded
// with its error and the sweep goes on.
//
// # Sharding
//
// Options.Shard and Shards run the cells whose index % Shards == Shard, into their
// own directory (ShardDir); Merge joins shard directories into the reports an
// unsharded run would have written. bench/deploy holds a Kubernetes Indexed Job and
// a Slurm array script that run shards on a batch engine.
//
// # Reports and plots
//
// Chart, Line, CDFLine, MeanQuantiles, MetricVsLabel, Groups and the Metric values
// are exported so that scenario Report functions draw the same kind of plots.
// Table writes aligned text or Markdown; CompareTable is the comparison that
// `schedlab` prints. ResultsDoc assembles bench/RESULTS.md (`make results`).
package bench
