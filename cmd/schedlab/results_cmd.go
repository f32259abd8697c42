package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schedlab/schedlab/bench"
)

// runResults is `schedlab bench results`: run every built-in scenario (or those
// named) and assemble bench/RESULTS.md with their tables and plots. Sweeps go to
// --work and are resumable, so an interrupted regeneration continues.
func runResults(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench results", stderr)
	out := fs.String("out", "bench/RESULTS.md", "write the document to `FILE`")
	plots := fs.String("plots", "bench/results", "copy the plots (PNG) under `DIR`")
	work := fs.String("work", filepath.Join(os.TempDir(), "schedlab-results"), "sweep output `DIR` (kept: a rerun resumes)")
	parallel := intVar(fs, "parallel", 0, 0, maxParallel, "cells at once (`N`; 0 = one per CPU)")
	seeds := intVar(fs, "seeds", 0, 0, maxSeeds, "seeds per cell (`N`; 0 = each scenario's own)")
	revision := fs.String("revision", "", "source `REVISION` to record (e.g. git describe --always --dirty)")
	command := fs.String("command", "make results", "the regenerating `COMMAND` to record in the document")
	scoreboard := fs.String("scoreboard", "", "open the document with this scoreboard (`FILE` written by schedlab reproduce --format json)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: schedlab bench results [options] [SCENARIO[:k=v,...]...]   (default: every scenario)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if *parallel < 0 || *seeds < 0 {
		fmt.Fprintln(stderr, "schedlab bench results: --parallel and --seeds must not be negative")
		return exitUsage
	}
	specs := fs.Args()
	if len(specs) == 0 {
		for _, s := range registry.Scenarios() {
			specs = append(specs, s.Name)
		}
	}
	for _, s := range specs {
		name, _, _ := strings.Cut(s, ":")
		if _, err := registry.LookupScenario(name); err != nil {
			fmt.Fprintf(stderr, "schedlab bench results: %v\n", err)
			return exitUsage
		}
	}
	dirs := map[string]string{}
	doc := &bench.ResultsDoc{Command: *command, Revision: *revision, Elapsed: map[string]time.Duration{}, Registry: registry}
	if *scoreboard != "" {
		f, err := os.Open(*scoreboard)
		if err == nil {
			doc.Scoreboard, err = bench.ReadScoreboardJSON(f)
			f.Close()
		}
		if err != nil {
			fmt.Fprintf(stderr, "schedlab bench results: --scoreboard: %v\n", err)
			return exitUsage
		}
		doc.ScoreboardFrom = "Every claim of `schedlab reproduce` (docs/reproduce.md) at full scale, graded from its runs; `" + filepath.Base(*scoreboard) + "` holds the same as JSON."
	}
	failed := 0
	for _, s := range specs {
		name, _, _ := strings.Cut(s, ":")
		dir := filepath.Join(*work, name)
		start := time.Now()
		fmt.Fprintf(stderr, "schedlab bench results: %s → %s\n", s, dir)
		o, err := bench.Execute(registry, bench.Plan{Scenario: s, Seeds: *seeds}, dir, bench.Options{Parallel: *parallel, Log: stderr})
		if err != nil {
			fmt.Fprintf(stderr, "schedlab bench results: %s: %v\n", s, firstLineOf(err.Error()))
			failed++
			continue
		}
		if o.Failed > 0 || o.Missing > 0 {
			failed++
		}
		if o.Skipped == 0 { // a fresh run: its wall time means something
			doc.Elapsed[name] = time.Since(start)
		}
		dirs[name] = dir
		// Rewrite the document after every scenario, so an interrupted
		// regeneration leaves the finished ones documented.
		if err := doc.Write(*out, *plots, dirs); err != nil {
			fmt.Fprintf(stderr, "schedlab bench results: %v\n", err)
			return exitFail
		}
	}
	fmt.Fprintf(stdout, "%d scenarios → %s (plots in %s)\n", len(dirs), *out, *plots)
	if failed > 0 {
		fmt.Fprintf(stderr, "schedlab bench results: %d scenarios had failed or missing cells\n", failed)
		return exitFail
	}
	return exitOK
}
