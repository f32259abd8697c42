// Package traces reads public cluster traces from the files exactly as their
// publishers ship them and replays them as one stream: scheduler.Jobs in submit
// order (a scheduler.Source) and scheduler.NodeEvents in time order (a
// scheduler.NodeSource). The formats, codes, units and mapping rules follow
// TRACES.md; every choice a trace leaves open is an Options field with a
// documented default.
//
// # Formats
//
//	google2011   Google clusterdata-2011-2: job_events, task_events, machine_events,
//	             machine_attributes, task_constraints (task_usage is not read)
//	google2019   Google ClusterData 2019 (Borg v3), one cell: collection_events,
//	             instance_events, machine_events, machine_attributes (JSON lines)
//	alibaba2017  Alibaba cluster-trace-v2017: server_event, batch_task,
//	             batch_instance, container_event
//	alibaba2018  Alibaba cluster-trace-v2018: machine_meta, batch_task,
//	             batch_instance, container_meta
//	pai2020      Alibaba cluster-trace-gpu-v2020: pai_job_table, pai_task_table,
//	             pai_instance_table, pai_machine_spec (.header files are checked)
//	openb2023    Alibaba cluster-trace-gpu-v2023: node and pod lists (CSV with header)
//	philly       Microsoft Philly: cluster_job_log, cluster_machine_list
//	swf          Standard Workload Format (Parallel Workloads Archive)
//	azure2017    Azure Public Dataset V1 (2017 VM trace): vmtable (no machines)
//	azure2019    Azure Public Dataset V2 (2019 VM trace): vmtable (no machines)
//	schedlab     the canonical format written by Convert
//
// Formats lists them with a one-line mapping summary.
//
// The Azure VM traces (azure2017, azure2019) read only vmtable.csv(.gz): one
// headerless row per VM (vmid, subscriptionid, deploymentid, vmcreated,
// vmdeleted, CPU utilisation max/avg/p95, vmcategory, cores, memory GB) over a
// 30-day window sampled every 5 minutes. Each VM becomes a one-task job named by
// its vmid, submitted at vmcreated, in the tenant of its subscription:
// Interactive VMs are service jobs, Delay-insensitive and Unknown (spelled
// "Unkown" in 2017) ones batch. The request is the VM's size — cores × 1000
// milli-cores, GB × 1024 MiB — exact in 2017; in 2019 the buckets are named by
// their upper bound (cores 2, 4, 8, 12, 24; GB 2, 4, 8, 32, 64) and the
// open-ended >24 cores and >64 GB stand for 30 and 70, the values the dataset's
// own notebook uses. The runtime is vmdeleted − vmcreated, at least 300 s (one
// reading, as the notebook computes lifetimes). vmcreated 0 means the VM existed
// when the window opened: it is pre-trace (Options.PreTrace). A vmdeleted at the
// window's last reading (2591700 s) or later means the VM was still alive: it is
// censored (Options.Censored) at the trace end, 30 days unless Options.TraceEnd.
// Options.Origin shifts time 0 (VMs gone before it are dropped). The traces have
// no machines: Open's replay has no node events and a run needs a cluster given
// by the caller. The deployment, subscription and CPU-reading files are not read.
//
// Azure 2020 (the packing trace, a SQLite database) is not read: the only pure-Go
// SQLite driver (modernc.org/sqlite) is a transpiled C library of several hundred
// thousand lines with a large module graph, not among the project's chosen
// dependencies. Export its two tables (VM requests and VM types; `sqlite3 FILE
// .tables` names them) to CSV with the sqlite3 tool instead, one `sqlite3 -header
// -csv FILE 'SELECT * FROM TABLE' > TABLE.csv` each (a reader of those CSVs would
// be small).
//
// # Files
//
// Open, Stats, Convert and Sample take paths: files or directories (walked
// recursively in lexical order, hidden files skipped). A file may be plain, gzip
// (klauspost/compress), tar or tar.gz — decided from its content, not its name —
// and an archive's members are separate inputs named "archive:member". Each input is
// matched to a table by the table name in its base name or parent directory
// (openb2023: by its header); inputs that are no table of the format are ignored
// and listed in TraceStats.Ignored. Shards of a table may come in any order and
// any subset; missing Google 2011 shards (part-NNNNN-of-MMMMM) are counted.
//
// # Job assembly
//
// The rows of one job are spread across the whole trace and across tables
// (Google task events over weeks, Alibaba instances in another table). A trace is
// therefore read in three stages, each bounded by Options.SortMemMiB and spilling
// s2-compressed sorted runs to Options.TempDir beyond it:
//
//  1. every row is parsed and validated once; machine rows become node events
//     (sorted by time); job rows go, keyed by (job, table, task, time, file order),
//     into an external merge sort;
//  2. the sorted rows are read back one job at a time — all rows of a job are
//     adjacent — and the format's assembler builds the whole job from them (so
//     every task of a job is known exactly: there is no look-ahead window and no
//     task is split from its job); jobs go into a second sort keyed by (submit time,
//     job ID);
//  3. the Replay streams both sorts.
//
// Memory grows with the sort budget and the largest single job, never with the
// number of rows; temporary disk grows with the trace (s2-compressed). Open returns
// once stages 1 and 2 are done, which for a full trace takes a while; Convert writes
// the result in the canonical format ("schedlab"), which later replays decode
// sequentially with no parsing, grouping or sorting. Machines (and their
// attributes) are held per machine, not per row.
//
// Google tasks (job, index) take the request in force at their final SCHEDULE and
// the runtime of the attempt chosen by Options.RuntimeSource; every task arrives
// with its job (the job's first SUBMIT), as the core has no per-task arrival. A
// task that never ran in the trace (killed while pending, pending at the end) is
// not replayed and is counted as tasks_never_scheduled.
//
// # Mapping
//
// Each reader's Doc (Formats) states its mapping; the details follow TRACES.md §11:
// machines present at the start are NodeAdd events at time 0 named by the trace
// machine ID; a machine leaving (Google REMOVE, Alibaba harderror or an unavailable
// status) is NodeFail and its return NodeRecover, so that it keeps its name;
// capacity changes are NodeUpdate. Counters in TraceStats record every rule
// applied: orphans, censored and pre-trace tasks, dropped jobs, unparseable DAG
// names, cycles broken, duplicate attempt rows, missing shards and so on.
//
// # Bad input
//
// A malformed row — wrong field count, non-numeric or overflowing integer, bad
// JSON, an unknown enum code — is an *InputError naming the file (or
// archive:member), line, column and field; it wraps ErrBadInput. With
// Options.SkipBad the row is skipped and counted by reason (Replay.Skipped,
// TraceStats.Skipped). A truncated or corrupt gzip file is always an error. No
// input panics: every reader has a fuzz target (FuzzAlibaba2018, FuzzGoogle2011, ...).
//
// # Units
//
// Resources follow the scheduler: CPU milli-cores, memory MiB, GPU milli-GPUs, disk
// MiB (disk only with Options.Disk). Normalised trace values are scaled by
// Options.NormCPU, NormMem and NormDisk (Google: largest machine = 1.0 = 64 cores
// and 256 GiB by default; Alibaba 2018 memory 100 = NormMem). Simulated time is µs
// since the trace origin (Google: raw 600 s; PAI and Philly: the earliest job;
// others: 0), overridable with Options.Origin.
package traces
