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

func runBench(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "merge" {
		return runMerge(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "results" {
		return runResults(args[1:], stdout, stderr)
	}
	fs := newFlagSet("bench", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	scenario := fs.String("scenario", "", "run the built-in scenario `NAME[:k=v,...]` (see schedlab list)")
	specFile := fs.String("spec", "", "run the sweep described by JSON `FILE` (format: go doc bench.Sweep)")
	seeds := intVar(fs, "seeds", 0, 0, maxSeeds, fmt.Sprintf("seeds per cell (`N`; 0 = the scenario's or spec's own, else %d)", bench.DefaultSeeds))
	parallel := intVar(fs, "parallel", 0, 0, maxParallel, "cells run at once (`N`; 0 = one per CPU)")
	shard := fs.String("shard", "", "run only shard `i/n` (cells with index % n == i); default from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID")
	shards := intVar(fs, "shards", 0, 0, maxShards, "number of shards `n` when the index comes from the environment (else SCHEDLAB_SHARDS or SLURM_ARRAY_TASK_COUNT)")
	out := fs.String("out", "", "output `DIR` (shards write DIR/shard-IIII-of-NNNN)")
	retry := fs.Bool("retry-failed", false, "rerun cells that an earlier run recorded as failed")
	progress := fs.String("progress", "auto", "progress bar: auto (on a terminal, not in CI), always or never")
	var scheds, placers, workloads, clusters, params listFlag
	fs.Var(&scheds, "scheduler", "scheduler `SPEC` of an ad-hoc sweep (repeatable)")
	fs.Var(&placers, "placer", "placer `SPEC` (repeatable)")
	fs.Var(&workloads, "workload", "workload `SPEC` (repeatable)")
	fs.Var(&clusters, "cluster", "cluster `SPEC` (repeatable)")
	fs.Var(&params, "param", "sweep parameter `NAME=VALUE`, used as {NAME} in specs (repeatable; one value each)")
	horizon := fs.String("horizon", "", "simulated `DURATION` of each run of an ad-hoc sweep")
	sample := fs.String("sample-every", "", "utilization sample interval `DURATION` (default 60s)")
	name := fs.String("name", "", "title of an ad-hoc sweep")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "schedlab bench: "+format+"\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return bad("unexpected argument %q (merge is `schedlab bench merge DIR...`)", fs.Arg(0))
	}
	if *out == "" {
		return bad("--out: an output directory is required")
	}
	if *seeds < 0 {
		return bad("--seeds: %d must not be negative", *seeds)
	}
	if *parallel < 0 {
		return bad("--parallel: %d must not be negative", *parallel)
	}
	if *shards < 0 {
		return bad("--shards: %d must not be negative", *shards)
	}
	if *progress != "auto" && *progress != "always" && *progress != "never" {
		return bad("--progress: unknown value %q (valid: auto, always, never)", *progress)
	}
	for _, f := range []struct{ name, v string }{{"horizon", *horizon}, {"sample-every", *sample}} {
		if f.v == "" {
			continue // not given: the sweep's default
		}
		t, err := scheduler.ParseTime(f.v)
		if err != nil {
			return bad("--%s: %v", f.name, strings.TrimPrefix(err.Error(), "scheduler: "))
		}
		if f.name == "sample-every" && t >= scheduler.Forever {
			return bad("--sample-every: %q: want a finite interval (0 = no series)", f.v)
		}
	}
	adhoc := len(scheds)+len(placers)+len(workloads)+len(clusters)+len(params) > 0 || *horizon != "" || *sample != "" || *name != ""
	plan := bench.Plan{Seeds: *seeds}
	switch {
	case *scenario != "" && (*specFile != "" || adhoc):
		return bad("--scenario: give a scenario, a --spec file, or ad-hoc sweep flags, not several")
	case *specFile != "" && adhoc:
		return bad("--spec: give a --spec file or ad-hoc sweep flags, not both")
	case *scenario != "":
		plan.Scenario = *scenario
	case *specFile != "":
		sw, err := bench.LoadSweep(*specFile)
		if err != nil {
			return bad("--spec: %v", err)
		}
		plan.Spec = sw
	case adhoc:
		sw := &bench.Sweep{Name: *name, Schedulers: scheds, Placers: placers, Workloads: workloads,
			Clusters: clusters, Horizon: *horizon, SampleEvery: *sample}
		for _, p := range params {
			k, v, ok := strings.Cut(p, "=")
			if !ok || strings.TrimSpace(k) == "" {
				return bad("--param: %q is not NAME=VALUE", p)
			}
			if sw.Params == nil {
				sw.Params = map[string][]string{}
			}
			sw.Params[k] = append(sw.Params[k], v)
		}
		if err := sw.Validate(); err != nil {
			return bad("%v", err)
		}
		plan.Spec = sw
	default:
		return bad("give --scenario NAME, --spec FILE or --workload SPEC (see schedlab bench --help)")
	}
	si, sn, err := shardFromArgs(*shard, *shards)
	if err != nil {
		return bad("%v", err)
	}
	dir := *out
	if sn > 1 {
		dir = bench.ShardDir(*out, si, sn)
	}
	opt := bench.Options{Parallel: *parallel, Shard: si, Shards: sn, Log: stderr, RetryFailed: *retry}
	// progress bar on a terminal, quiet in CI or when stderr is not a terminal
	show := *progress == "always"
	if *progress == "auto" && benchEnv("CI") != "true" {
		if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			show = true
		}
	}
	var bar *progressbar.ProgressBar
	if show {
		opt.Progress = func(done, total int, last string) {
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
	// An interrupt stops starting new cells; running cells finish and are recorded.
	stop := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			fmt.Fprintln(stderr, "\nschedlab bench: interrupted; finishing the running cells (interrupt again to quit now)")
			close(stop)
			if _, ok := <-sigs; ok {
				os.Exit(exitFail)
			}
		}
	}()
	opt.Stop = stop
	start := time.Now()
	o, err := bench.Execute(plan, dir, opt)
	if err != nil {
		return failure(stderr, "bench", err)
	}
	fmt.Fprintf(stdout, "%s: %d cells (%d run now, %d already done, %d failed, %d not run) in %s → %s\n",
		plan.Title(), o.Cells, o.Ran, o.Skipped, o.Failed, o.Missing, time.Since(start).Round(time.Millisecond), dir)
	if sn > 1 && o.Missing == 0 {
		fmt.Fprintf(stdout, "shard %d/%d done; when all shards are: schedlab bench merge %s\n", si, sn, *out)
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
	o, err := bench.Merge(*out, dirs)
	if err != nil {
		return failure(stderr, "bench merge", err)
	}
	fmt.Fprintf(stdout, "merged %d directories: %d of %d cells (%d failed, %d missing) → %s\n", len(dirs), o.Cells-o.Missing, o.Cells, o.Failed, o.Missing, *out)
	if o.Missing > 0 || o.Failed > 0 {
		return exitFail
	}
	return exitOK
}
