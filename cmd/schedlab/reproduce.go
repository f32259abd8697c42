package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/schedlab/schedlab/bench"
)

// runReproduce is `schedlab reproduce`: run every registered claim (or those
// selected with --only), grade it and print the scoreboard.
func runReproduce(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("reproduce", stderr)
	quick := fs.Bool("quick", false, "run every claim at its reduced scale (the tests' scale: minutes instead of tens of minutes)")
	only := fs.String("only", "", "run only the claims whose id starts with one of these `PREFIXES` (comma-separated: omega-V7,gang-)")
	format := fs.String("format", "table", "output `format`: table, markdown or json")
	parallel := intVar(fs, "parallel", 0, 0, maxParallel, "runs at once (`N`; 0 = one per CPU)")
	reports := fs.String("reports", "", "also write each scenario's own report (tables, plots) under `DIR`/SCENARIO_PARAMS")
	out := fs.String("out", "", "write the scoreboard to `FILE` instead of stdout")
	list := fs.Bool("list", false, "list the claims (id, source, scenario) without running them")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: schedlab reproduce [--quick] [--only PREFIX,...] [--format table|markdown|json] [--parallel N] [--reports DIR] [--out FILE] [--list]")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExit status: 0 when every selected claim was graded (whatever its verdict), 1 when some claim could not run, 2 for bad usage.")
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "schedlab reproduce: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *format != "table" && *format != "markdown" && *format != "json" {
		fmt.Fprintf(stderr, "schedlab reproduce: --format: unknown format %q (valid: table, markdown, json)\n", *format)
		return exitUsage
	}
	var prefixes []string
	for _, p := range strings.Split(*only, ",") {
		if p = strings.TrimSpace(p); p != "" {
			prefixes = append(prefixes, p)
		}
	}
	if *list {
		claims, err := registry.SelectClaims(prefixes)
		if err != nil {
			return failure(stderr, "reproduce", bench.Usage("only", err))
		}
		t := &bench.Table{Header: []string{"id", "source", "scenario", "quick"}}
		for _, c := range claims {
			t.Add(c.ID, c.Source, c.Scenario, c.Quick)
		}
		if err := t.WriteText(stdout); err != nil {
			return failure(stderr, "reproduce", err)
		}
		return exitOK
	}
	w, closeOut, err := openOut(*out, stdout)
	if err != nil {
		return failure(stderr, "reproduce", bench.Usage("out", err))
	}
	results, err := registry.Reproduce(bench.ReproduceOptions{Quick: *quick, Only: prefixes, Parallel: *parallel, Dir: *reports, Log: stderr})
	if err != nil {
		closeOut()
		return failure(stderr, "reproduce", err)
	}
	switch *format {
	case "json":
		err = bench.WriteScoreboardJSON(w, results)
	case "markdown":
		err = bench.WriteScoreboardMarkdown(w, results)
	default:
		if err = bench.ScoreboardTable(results).WriteText(w); err == nil {
			_, err = fmt.Fprintln(w, "\n"+bench.TallyLine(results))
		}
	}
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		return failure(stderr, "reproduce", err)
	}
	if bench.Tally(results)[bench.NotRun] > 0 {
		for _, r := range results {
			if r.Verdict == bench.NotRun {
				fmt.Fprintf(stderr, "schedlab reproduce: %s not run: %s\n", r.ID, r.Err)
			}
		}
		return exitFail
	}
	return exitOK
}
