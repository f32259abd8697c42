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
//	azure2020    Azure Trace for Packing 2020: the CSV export of its vm and
//	             vmType tables (no machines)
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
// The Azure packing trace of 2020 (azure2020) is a SQLite database with two
// tables. The module carries no SQLite driver (the only pure-Go one is a
// transpiled C library far heavier than this package), so the reader takes the
// tables' CSV export with a header row, one file each, as the sqlite3 tool
// writes it: `sqlite3 -header -csv FILE 'SELECT * FROM vm' > vm.csv`, and the
// same for vmType. Files are recognised by their header (column names in any
// order and case), not by their names: vm has vmId, tenantId, vmTypeId,
// priority, starttime and endtime; vmType has vmTypeId, machineId, core and
// memory (id, hdd, ssd and nic are optional and checked when present). Times
// are fractional days since collection start, converted to µs and rounded once;
// a negative starttime is pre-trace (Options.PreTrace); an empty endtime (NULL)
// means still alive and is censored at the end of the 14 days of collection; an
// endtime at the dataset's 90-day cap is censored at 90 days (Options.TraceEnd
// replaces both ends). Priority 0 (high) VMs are service jobs with Priority 1,
// priority 1 (low, evictable) ones batch jobs with Priority 0; any other value
// is a bad row. Each VM is a one-task job named by its vmId, in the tenant of
// its tenantId. A VM type's demand depends on the machine type (hardware
// generation) it runs on, one vmType row per pair, each a fraction of that
// machine in [0, 1]; a replay uses one machine type, Options.MachineType (by
// default the machineId with rows for the most VM types, ties to the smallest
// ID), and scales the fractions by Options.NormCPU and NormMem (one machine:
// 64 cores and 256 GiB by default; ssd by NormDisk when Options.Disk). A VM whose
// type has no row for that machine type is dropped and counted
// (vms_not_on_machine_type); one whose type has no row at all is an orphan
// (orphan_vm_type, or an error under orphans=error). Options.Origin is in
// seconds. The trace has no machines: a run needs a cluster from the caller.
//
// # Files
//
// Open, Stats, Convert and Sample take paths: files or directories (walked
// recursively in lexical order, hidden files skipped). A file may be plain, gzip
// (klauspost/compress), tar or tar.gz — decided from its content, not its name —
// and an archive's members are separate inputs named "archive:member". A UTF-8
// byte order mark at the start of an input is dropped, and lines may end in LF
// or CRLF, in every format. Each input is matched to a table by its base name
// (for an archive member, the member's): the table whose name occurs in it,
// the longest if several do ("batch_task.csv", "batch_task_part1.csv.gz",
// "instance_events-000000000007.json.gz"). Only when the base name names no
// table does the parent directory count, and then only if its name is exactly a
// table name, as in Google 2011's task_events/part-00000-of-00500.csv.gz (an
// archive counts as a directory here, less its .tar.gz, .tgz or .tar: so
// task_events.tar.gz:part-00000-of-00500.csv.gz is a task_events shard). A
// directory that merely contains a table name, such as a copy in
// batch_task_copy/, makes none of its other files a table. openb2023 matches by
// header. Inputs that are no table of the format are ignored and listed in
// TraceStats.Ignored. Shards of a table may come in any order and any subset;
// missing Google 2011 shards (part-NNNNN-of-MMMMM, read from the file name) are
// counted.
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
// JSON, an unknown enum code, a time out of range — is an *InputError naming the
// file (or archive:member), line, column and field; it wraps ErrBadInput. With
// Options.SkipBad the row is skipped and counted by reason (Replay.Skipped,
// TraceStats.Skipped). A truncated or corrupt gzip file is always an error, and
// so is a Philly job log that is no longer valid JSON (the rest of the array
// cannot be found). No input panics: every reader has a fuzz target
// (FuzzAlibaba2018, FuzzGoogle2011, ...), and a mutation test damages every
// table of every fixture (empty, header only, BOM, CRLF, truncated gzip, garbage,
// field counts, non-numbers, overflow, NaN, Inf, negative values, a 10 MB line).
//
// Times. Every time field goes through one conversion with one range rule: a
// finite number of seconds (Google: µs) within ±100 years (of 365.25 days) of
// the trace's zero, which holds relative and Unix times alike. Anything beyond,
// including values that overflow an int64 or a float64 (9999999999999999999999,
// 1e308), is the error "value ... overflows the time range (±100 years)" with
// reason "overflow", in every format; NaN, Inf and other non-numbers are
// "bad_number" (Philly: "bad_time"). Google's 2^63−1 "after the trace" is the
// one sentinel kept. Options.Origin beyond the range is rejected.
//
// Empty tables. A table file without a single data row (empty, or only a
// header, comments or blank lines; a Philly job log "[]") is bad input naming
// the file: "FILE: table NAME is empty (no data rows)" — the machine list, node
// list, job, task and instance tables of every format are required, since a run
// without them would be meaningless (zero machines, no jobs) rather than wrong
// in an obvious way. The tables a subset may legitimately lack are optional: an
// empty file of one is counted as Counters["empty_table/NAME"]. They are Google
// 2011 machine_attributes and task_constraints, Google 2019 machine_attributes,
// Alibaba 2017 container_event, and Alibaba 2018 container_meta and
// batch_instance (a subset, such as a Sample, may keep batch tasks whose
// instances all fall outside it; the trace is readable without that table). With
// Options.SkipBad an empty file of a required table is skipped and counted as
// Skipped["empty_table"] (one empty shard among many), but a required table with
// no data rows in any input is still an error.
//
// Suspicious rows. Rows that are valid but unusual are replayed by the format's
// rules and counted, per table NAME (as in TraceStats.Rows):
//
//	negative_time/NAME     rows with a negative time (what it means is the
//	                       format's rule, e.g. pre-trace in Alibaba 2017; SWF's
//	                       −1 "unknown" is not counted)
//	out_of_order/NAME      rows whose first positive time is earlier than that of
//	                       the previous such row of the same file (rows are
//	                       sorted anyway, so the replay does not depend on the
//	                       order; tables published unsorted count here too)
//	unknown_machine/NAME   rows naming a machine the trace never adds (Google
//	                       task and instance events, Alibaba instances and
//	                       containers, PAI instances, Philly attempt hosts)
//	duplicate_rows         a row identical to another of the same job, table and
//	                       keys
//
// and, for entities that must be unique: duplicate_task_rows (Alibaba, PAI),
// duplicate_job_rows (PAI), duplicate_jobs (Philly), duplicate_job_numbers (SWF),
// duplicate_pod_rows (openb), duplicate_attempt_rows (Alibaba 2018),
// duplicate_machine_rows (Alibaba 2018 machine_meta: two rows of a machine at one
// time), duplicate_attribute_rows (Google), orphan_duplicate_machine and
// orphan_duplicate_node (machine lists: the first row wins), machine_add_while_up
// and machine_fail_while_down (machine events repeated).
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
