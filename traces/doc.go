// Package traces reads public cluster traces — Google 2011 and 2019 (Borg), Alibaba
// 2017, 2018, PAI 2020 and openb 2023, Microsoft Philly, and the Standard Workload
// Format of the Parallel Workloads Archive — from the files exactly as their
// publishers ship them, and replays them as one stream: scheduler.Jobs in submit
// order (a scheduler.Source) and scheduler.NodeEvents in time order (a
// scheduler.NodeSource). The formats, codes, units and mapping rules are specified
// in TRACES.md; every choice the trace leaves open is an Options field.
//
// # Formats
//
// Formats lists the readers; Open(format, paths, opts) returns a *Replay. Paths may
// be files or directories of shards; files may be plain, gzip, tar or tar.gz (the
// content decides, not the name), and the tables of a trace are recognised by the
// table name in each file or archive-member name (for openb, by the header). Files
// that are no table of the format are ignored and listed in TraceStats.Ignored.
//
// # Job assembly
//
// Rows of one job are spread over files and over the whole trace (Google task
// events, Alibaba instances). A trace is read in three stages, each bounded by
// Options.SortMemMiB and spilling s2-compressed sorted runs to Options.TempDir:
// rows are parsed and validated once and grouped by job with an external merge
// sort; each job is then assembled from all of its rows (so every task of a job is
// known exactly, with no look-ahead window) and sorted by submit time; Replay
// streams the result. Memory grows with the sort budget and the largest single job,
// not with the number of rows; temporary disk grows with the trace. Open therefore
// returns only once the whole trace has been read; converting a trace once to the
// canonical format (Convert, format "schedlab") makes later replays a plain
// sequential decode.
//
// # Bad input
//
// A malformed row is an *InputError naming the file (or archive:member), line,
// column and field; it wraps ErrBadInput. With Options.SkipBad the row is skipped
// and counted by reason (Replay.Skipped, TraceStats.Skipped). No input panics: every
// reader has a fuzz target.
//
// # Units
//
// Resources follow the scheduler: CPU milli-cores, memory MiB, GPU milli-GPUs, disk
// MiB. Normalised trace values are scaled by Options.NormCPU, NormMem and NormDisk.
// Simulated time is µs since the trace origin.
package traces
