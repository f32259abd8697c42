package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// benchEnv reads the environment; tests replace it.
var benchEnv = os.Getenv

const benchUsage = `usage:
  schedlab bench --scenario NAME[:k=v,...] --out DIR [options]
  schedlab bench --spec FILE --out DIR [options]
  schedlab bench --workload SPEC [--scheduler S]... [--placer P]... [--cluster C]...
                 [--param NAME=VALUE]... --out DIR [options]
  schedlab bench merge [--out DIR] DIR...
  schedlab bench results [SCENARIO...]   (regenerates bench/RESULTS.md; see the Makefile)

options:
`

// runBench runs schedlab bench (or its merge and results subcommands) with
// args and returns the exit status.
func runBench(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "merge" {
		return runMerge(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "results" {
		return runResults(args[1:], stdout, stderr)
	}
	f, code, ok := parseBenchFlags(args, stderr)
	if !ok {
		return code
	}
	bad := func(err error) int {
		fmt.Fprintf(stderr, "schedlab bench: %v\n", err)
		return exitUsage
	}
	if err := f.validate(); err != nil {
		return bad(err)
	}
	plan, err := f.plan()
	if err != nil {
		return bad(err)
	}
	si, sn, err := shardFromArgs(*f.shard, *f.shards)
	if err != nil {
		return bad(err)
	}
	dir := *f.out
	if sn > 1 {
		dir = bench.ShardDir(*f.out, si, sn)
	}
	opt := bench.Options{Parallel: *f.parallel, Shard: si, Shards: sn, Log: stderr, RetryFailed: *f.retry}
	if showProgress(*f.progress, stderr) {
		opt.Progress = progressBar(stderr)
	}
	stop, release := stopOnInterrupt(stderr)
	defer release()
	opt.Stop = stop
	stopProfile, ok := f.prof.start(stderr, "bench")
	if !ok {
		return exitUsage
	}
	start := time.Now()
	o, err := bench.Execute(registry, plan, dir, opt)
	if perr := stopProfile(); perr != nil {
		fmt.Fprintf(stderr, "schedlab bench: %v\n", perr)
		return exitFail
	}
	if err != nil {
		return failure(stderr, "bench", err)
	}
	return reportBench(stdout, stderr, plan, o, dir, *f.out, si, sn, start)
}

// benchFlags holds the parsed flags of schedlab bench.
type benchFlags struct {
	fs                                           *flag.FlagSet
	scenario, specFile                           *string
	seeds, parallel, shards                      *int
	shard, out, progress                         *string
	retry                                        *bool
	scheds, placers, workloads, clusters, params listFlag
	horizon, sample, name                        *string
	prof                                         *profileFlags
}

// parseBenchFlags parses the flags of schedlab bench. When ok is false the
// command is over and code is its exit status (help asked for, or bad flags).
func parseBenchFlags(args []string, stderr io.Writer) (f *benchFlags, code int, ok bool) {
	fs := newFlagSet("bench", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	f = &benchFlags{fs: fs}
	f.scenario = fs.String("scenario", "", "run the built-in scenario `NAME[:k=v,...]` (see schedlab list)")
	f.specFile = fs.String("spec", "", "run the sweep described by JSON `FILE` (format: go doc bench.Sweep)")
	f.seeds = intVar(fs, "seeds", 0, 0, maxSeeds, fmt.Sprintf("seeds per cell (`N`; 0 = the scenario's or spec's own, else %d)", bench.DefaultSeeds))
	f.parallel = intVar(fs, "parallel", 0, 0, maxParallel, "cells run at once (`N`; 0 = one per CPU)")
	f.shard = fs.String("shard", "", "run only shard `i/n` (cells with index % n == i); default from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID")
	f.shards = intVar(fs, "shards", 0, 0, maxShards, "number of shards `n` when the index comes from the environment (else SCHEDLAB_SHARDS or SLURM_ARRAY_TASK_COUNT)")
	f.out = fs.String("out", "", "output `DIR` (shards write DIR/shard-IIII-of-NNNN)")
	f.retry = fs.Bool("retry-failed", false, "rerun cells that an earlier run recorded as failed")
	f.progress = fs.String("progress", "auto", "progress bar: auto (on a terminal, not in CI), always or never")
	fs.Var(&f.scheds, "scheduler", "scheduler `SPEC` of an ad-hoc sweep (repeatable)")
	fs.Var(&f.placers, "placer", "placer `SPEC` (repeatable)")
	fs.Var(&f.workloads, "workload", "workload `SPEC` (repeatable)")
	fs.Var(&f.clusters, "cluster", "cluster `SPEC` (repeatable)")
	fs.Var(&f.params, "param", "sweep parameter `NAME=VALUE`, used as {NAME} in specs (repeatable; one value each)")
	f.horizon = fs.String("horizon", "", "simulated `DURATION` of each run of an ad-hoc sweep")
	f.sample = fs.String("sample-every", "", "utilization sample interval `DURATION` (default 60s)")
	f.name = fs.String("name", "", "title of an ad-hoc sweep")
	f.prof = addProfileFlags(fs)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, exitOK, false
		}
		return nil, exitUsage, false
	}
	return f, 0, true
}

// validate checks the flags that need no sweep to check: arguments, counts,
// the progress mode and the durations.
func (f *benchFlags) validate() error {
	if f.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (merge is `schedlab bench merge DIR...`)", f.fs.Arg(0))
	}
	if *f.out == "" {
		return fmt.Errorf("--out: an output directory is required")
	}
	if *f.seeds < 0 {
		return fmt.Errorf("--seeds: %d must not be negative", *f.seeds)
	}
	if *f.parallel < 0 {
		return fmt.Errorf("--parallel: %d must not be negative", *f.parallel)
	}
	if *f.shards < 0 {
		return fmt.Errorf("--shards: %d must not be negative", *f.shards)
	}
	if *f.progress != "auto" && *f.progress != "always" && *f.progress != "never" {
		return fmt.Errorf("--progress: unknown value %q (valid: auto, always, never)", *f.progress)
	}
	for _, d := range []struct{ name, v string }{{"horizon", *f.horizon}, {"sample-every", *f.sample}} {
		if d.v == "" {
			continue // not given: the sweep's default
		}
		t, err := scheduler.ParseTime(d.v)
		if err != nil {
			return fmt.Errorf("--%s: %v", d.name, strings.TrimPrefix(err.Error(), "scheduler: "))
		}
		if d.name == "sample-every" && t >= scheduler.Forever {
			return fmt.Errorf("--sample-every: %q: want a finite interval (0 = no series)", d.v)
		}
	}
	return nil
}

// plan builds the plan to run from a scenario, a spec file or the ad-hoc
// sweep flags, exactly one of which must be given.
func (f *benchFlags) plan() (bench.Plan, error) {
	adhoc := len(f.scheds)+len(f.placers)+len(f.workloads)+len(f.clusters)+len(f.params) > 0 || *f.horizon != "" || *f.sample != "" || *f.name != ""
	plan := bench.Plan{Seeds: *f.seeds}
	switch {
	case *f.scenario != "" && (*f.specFile != "" || adhoc):
		return plan, fmt.Errorf("--scenario: give a scenario, a --spec file, or ad-hoc sweep flags, not several")
	case *f.specFile != "" && adhoc:
		return plan, fmt.Errorf("--spec: give a --spec file or ad-hoc sweep flags, not both")
	case *f.scenario != "":
		plan.Scenario = *f.scenario
	case *f.specFile != "":
		sw, err := bench.LoadSweep(*f.specFile)
		if err != nil {
			return plan, fmt.Errorf("--spec: %v", err)
		}
		plan.Spec = sw
	case adhoc:
		sw, err := f.adhocSweep()
		if err != nil {
			return plan, err
		}
		plan.Spec = sw
	default:
		return plan, fmt.Errorf("give --scenario NAME, --spec FILE or --workload SPEC (see schedlab bench --help)")
	}
	return plan, nil
}

// adhocSweep builds and validates the sweep of the ad-hoc sweep flags.
func (f *benchFlags) adhocSweep() (*bench.Sweep, error) {
	sw := &bench.Sweep{Name: *f.name, Schedulers: f.scheds, Placers: f.placers, Workloads: f.workloads,
		Clusters: f.clusters, Horizon: *f.horizon, SampleEvery: *f.sample}
	for _, p := range f.params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--param: %q is not NAME=VALUE", p)
		}
		if sw.Params == nil {
			sw.Params = map[string][]string{}
		}
		sw.Params[k] = append(sw.Params[k], v)
	}
	if err := sw.Validate(); err != nil {
		return nil, err
	}
	return sw, nil
}

// showProgress reports whether to draw a progress bar for mode (auto, always
// or never): auto draws one on a terminal, but not in CI or when stderr is not
// a terminal.
func showProgress(mode string, stderr io.Writer) bool {
	show := mode == "always"
	if mode == "auto" && benchEnv("CI") != "true" {
		if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			show = true
		}
	}
	return show
}

// progressBar returns a bench progress callback that draws a bar of cells on
// stderr, created at the first report.
func progressBar(stderr io.Writer) func(done, total int, last string) {
	var bar *progressbar.ProgressBar
	return func(done, total int, last string) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription("cells"),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionShowElapsedTimeOnFinish(),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
		}
		bar.Set(done)
	}
}

// stopOnInterrupt returns a channel closed at the first interrupt (or
// SIGTERM), which stops starting new cells while running cells finish and are
// recorded; a second interrupt exits at once. Call release when done.
func stopOnInterrupt(stderr io.Writer) (stop chan struct{}, release func()) {
	stop = make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sigs; ok {
			fmt.Fprintln(stderr, "\nschedlab bench: interrupted; finishing the running cells (interrupt again to quit now)")
			close(stop)
			if _, ok := <-sigs; ok {
				os.Exit(exitFail)
			}
		}
	}()
	return stop, func() { signal.Stop(sigs) }
}

// reportBench prints the summary of a finished bench run o and returns the
// exit status: usage when cells failed on bad input, failure when any failed
// or were not run.
func reportBench(stdout, stderr io.Writer, plan bench.Plan, o bench.Outcome, dir, out string, si, sn int, start time.Time) int {
	fmt.Fprintf(stdout, "%s: %d cells (%d run now, %d already done, %d failed, %d not run) in %s → %s\n",
		plan.Title(), o.Cells, o.Ran, o.Skipped, o.Failed, o.Missing, time.Since(start).Round(time.Millisecond), dir)
	if sn > 1 && o.Missing == 0 {
		fmt.Fprintf(stdout, "shard %d/%d done; when all shards are: schedlab bench merge %s\n", si, sn, out)
	}
	if o.Usage > 0 {
		fmt.Fprintf(stderr, "schedlab bench: %d cell(s) failed on bad input (a workload, cluster, placer or scheduler spec of the sweep)\n", o.Usage)
		return exitUsage
	}
	if o.Failed > 0 || o.Missing > 0 {
		return exitFail
	}
	return exitOK
}

// shardFromArgs returns the shard to run: from --shard i/n, else from
// JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (less
// SLURM_ARRAY_TASK_MIN) with the total from --shards, SCHEDLAB_SHARDS or
// SLURM_ARRAY_TASK_COUNT. No shard: 0/1.
func shardFromArgs(flagShard string, flagShards int) (int, int, error) {
	if flagShard != "" {
		i, n, err := bench.ParseShard(flagShard)
		if err != nil {
			return 0, 0, fmt.Errorf("--shard: %v", err)
		}
		if flagShards != 0 && flagShards != n {
			return 0, 0, fmt.Errorf("--shard %s and --shards %d disagree on the number of shards (give one of them)", flagShard, flagShards)
		}
		return i, n, nil
	}
	envInt := func(k string) (int, bool, error) {
		v := benchEnv(k)
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, true, fmt.Errorf("environment %s=%q: want an integer", k, v)
		}
		return n, true, nil
	}
	idxVar := "JOB_COMPLETION_INDEX"
	idx, ok, err := envInt(idxVar)
	if err != nil {
		return 0, 0, err
	}
	if !ok {
		idxVar = "SLURM_ARRAY_TASK_ID"
		if idx, ok, err = envInt(idxVar); err != nil {
			return 0, 0, err
		}
		if ok {
			if lo, has, err := envInt("SLURM_ARRAY_TASK_MIN"); err != nil {
				return 0, 0, err
			} else if has {
				idx -= lo
			}
		}
	}
	if !ok {
		if flagShards > 1 {
			return 0, 0, fmt.Errorf("--shards %d given but no shard index: give --shard i/n or set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID", flagShards)
		}
		return 0, 1, nil
	}
	n := flagShards
	for _, k := range []string{"SCHEDLAB_SHARDS", "SLURM_ARRAY_TASK_COUNT"} {
		if n > 0 {
			break
		}
		if v, has, err := envInt(k); err != nil {
			return 0, 0, err
		} else if has {
			n = v
		}
	}
	if n <= 0 {
		return 0, 0, fmt.Errorf("%s=%d is set but the number of shards is not: give --shards N or set SCHEDLAB_SHARDS", idxVar, idx)
	}
	if idx < 0 || idx >= n {
		return 0, 0, fmt.Errorf("%s=%d is out of range for %d shards", idxVar, idx, n)
	}
	return idx, n, nil
}

func runMerge(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench merge", stderr)
	out := fs.String("out", "", "write the merged sweep to `DIR` (default: the single DIR whose shard-* subdirectories are merged)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	dirs := fs.Args()
	if len(dirs) == 0 {
		fmt.Fprintln(stderr, "schedlab bench merge: give the shard directories, or one directory holding shard-* directories")
		return exitUsage
	}
	if len(dirs) == 1 {
		if sub := bench.ShardDirs(dirs[0]); len(sub) > 0 {
			if *out == "" {
				*out = dirs[0]
			}
			dirs = sub
		}
	}
	if *out == "" {
		fmt.Fprintln(stderr, "schedlab bench merge: --out: give the directory to write the merged sweep to")
		return exitUsage
	}
	o, err := bench.Merge(registry, *out, dirs)
	if err != nil {
		return failure(stderr, "bench merge", err)
	}
	fmt.Fprintf(stdout, "merged %d directories: %d of %d cells (%d failed, %d missing) → %s\n", len(dirs), o.Cells-o.Missing, o.Cells, o.Failed, o.Missing, *out)
	if o.Missing > 0 || o.Failed > 0 {
		return exitFail
	}
	return exitOK
}
