package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/schedlab/schedlab/traces"
)

const traceUsage = `usage:
  schedlab trace stats   --format FORMAT [--options k=v,...] [--skip-bad] PATH...
  schedlab trace convert --format FORMAT [--options k=v,...] [--skip-bad] --out FILE PATH...
  schedlab trace sample  --format FORMAT [--options k=v,...] [--skip-bad] --out DIR
                         [--from SECONDS] [--to SECONDS] [--machines FRACTION] [--jobs FRACTION] [--seed N] PATH...

stats    prints one JSON object: machines, jobs, tasks, rows, events, first_seconds,
         last_seconds, requested, skipped, counters, options.
convert  writes the canonical format (replay it with --format schedlab).
sample   writes a smaller trace in the same format: rows in a time window, of a
         fraction of the machines or of the jobs (chosen by a seeded hash of their ID).
PATH     files or directories of shards; plain, .gz, .tar or .tar.gz.
`

// runTrace runs `schedlab trace stats|convert|sample`. It returns 0 on success, 2
// for bad usage or bad input (the message names the flag, or the file, line and
// field), 1 for other failures.
func runTrace(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, traceUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("schedlab trace "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "", "trace format (one of: "+strings.Join(traces.FormatNames(), ", ")+")")
	options := fs.String("options", "", "mapping options k=v,... (see schedlab list)")
	skipBad := fs.Bool("skip-bad", false, "skip malformed rows and count them by reason")
	out := fs.String("out", "", "output file (convert) or directory (sample)")
	from := fs.Float64("from", -1, "sample: keep rows at or after this trace second")
	to := fs.Float64("to", -1, "sample: keep rows before this trace second")
	machines := fs.Float64("machines", 1, "sample: fraction of machines to keep")
	jobs := fs.Float64("jobs", 1, "sample: fraction of jobs to keep")
	seed := fs.Uint64("seed", 1, "sample: seed of the machine and job choice")
	switch sub {
	case "stats", "convert", "sample":
	default:
		fmt.Fprintf(stderr, "schedlab trace: unknown subcommand %q (valid: stats, convert, sample)\n\n%s", sub, traceUsage)
		return exitUsage
	}
	if err := fs.Parse(interleaved(fs, rest)); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stderr, traceUsage)
			return exitOK
		}
		fmt.Fprintf(stderr, "schedlab trace %s: %v\n\n%s", sub, err, traceUsage)
		return exitUsage
	}
	paths := fs.Args()
	if *format == "" {
		fmt.Fprintf(stderr, "schedlab trace %s: flag --format is required (valid: %s)\n", sub, strings.Join(traces.FormatNames(), ", "))
		return exitUsage
	}
	if len(paths) == 0 {
		fmt.Fprintf(stderr, "schedlab trace %s: no PATH given\n", sub)
		return exitUsage
	}
	opt, err := traces.ParseOptions(*options)
	if err != nil {
		fmt.Fprintf(stderr, "schedlab trace %s: flag --options: %v\n", sub, err)
		return exitUsage
	}
	if *skipBad {
		for _, kv := range strings.Split(*options, ",") {
			if k, _, _ := strings.Cut(kv, "="); strings.TrimSpace(k) == "skip_bad" && !opt.SkipBad {
				fmt.Fprintf(stderr, "schedlab trace %s: --skip-bad and --options skip_bad=false contradict each other (give one)\n", sub)
				return exitUsage
			}
		}
		opt.SkipBad = true
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "schedlab trace %s: %v\n", sub, err)
		if errors.Is(err, traces.ErrBadInput) {
			return exitUsage
		}
		return exitFail
	}
	switch sub {
	case "stats":
		st, err := traces.Stats(*format, paths, opt)
		if err != nil {
			return fail(err)
		}
		return printJSON(stdout, stderr, st)
	case "convert":
		if *out == "" {
			fmt.Fprintln(stderr, "schedlab trace convert: flag --out is required")
			return exitUsage
		}
		st, err := traces.ConvertFile(*format, paths, opt, *out)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "schedlab trace convert: wrote %s: %d jobs, %d tasks, %d machines\n",
			*out, st.Counters["jobs_replayed"], st.Counters["tasks_replayed"], st.Machines)
		return printJSON(stdout, stderr, st)
	case "sample":
		if *out == "" {
			fmt.Fprintln(stderr, "schedlab trace sample: flag --out is required")
			return exitUsage
		}
		spec := traces.SampleSpec{From: *from, To: *to, Machines: *machines, Jobs: *jobs, Seed: *seed}
		res, err := traces.Sample(*format, paths, opt, spec, *out)
		if err != nil {
			return fail(err)
		}
		return printJSON(stdout, stderr, res)
	}
	return exitUsage
}

// interleaved moves flags after positional arguments to the front, so that
// `trace stats PATH --format F` works like `trace stats --format F PATH`.
func interleaved(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil {
			if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
				continue
			}
			if i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		}
	}
	return append(flags, pos...)
}

func printJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "schedlab trace: %v\n", err)
		return exitFail
	}
	return exitOK
}
