package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(progName(name), flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// durationFlag is a flag holding a simulated duration ("90s", "1.5h", "2d", "forever").
type durationFlag struct{ t *scheduler.Time }

func (d durationFlag) String() string {
	if d.t == nil || *d.t == 0 {
		return "0"
	}
	return d.t.String()
}

func (d durationFlag) Set(s string) error {
	t, err := scheduler.ParseTime(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 90s, 1.5h, 2d or forever: %v", strings.TrimPrefix(err.Error(), "scheduler: "))
	}
	*d.t = t
	return nil
}

// windowFlags are --window and --warmup; apply sets the spec's window from them.
type windowFlags struct {
	window string
	warmup scheduler.Time
}

func addWindowFlags(fs *flag.FlagSet, def string) *windowFlags {
	w := &windowFlags{}
	fs.StringVar(&w.window, "window", def, "measure utilization and throughput over `WINDOW`: all (the whole run), arrivals (first to last submission) or START,END (durations)")
	fs.Var(durationFlag{&w.warmup}, "warmup", "leave the first `DURATION` of the window out of the averages")
	return w
}

// apply parses the flags into spec.Window, printing the error naming the flag.
func (w *windowFlags) apply(stderr io.Writer, cmd string, spec *bench.RunSpec) bool {
	win, err := bench.ParseWindow(w.window, w.warmup)
	if err != nil {
		flagName := "--window"
		if strings.HasPrefix(err.Error(), "warm-up") {
			flagName = "--warmup"
		}
		fmt.Fprintf(stderr, "schedlab %s: %s: %v\n", cmd, flagName, err)
		return false
	}
	spec.Window = win
	return true
}

// seedFlag is a uint64 flag that gives a clear message for negative numbers.
type seedFlag struct{ v *uint64 }

func (s seedFlag) String() string {
	if s.v == nil {
		return "1"
	}
	return strconv.FormatUint(*s.v, 10)
}

func (s seedFlag) Set(v string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return fmt.Errorf("want a non-negative integer")
	}
	*s.v = n
	return nil
}

// checkFormat validates --format.
func checkFormat(stderr io.Writer, cmd, f string) bool {
	if f != "table" && f != "json" {
		fmt.Fprintf(stderr, "%s: --format: unknown format %q (valid: table, json)\n", progName(cmd), f)
		return false
	}
	return true
}

// openOut returns the writer for --out (stdout when empty) and a function that
// closes it, reporting the first write or close error.
func openOut(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", stderr)
	var spec bench.RunSpec
	spec.Seed = 1
	fs.StringVar(&spec.Scheduler, "scheduler", "monolithic", "scheduler `NAME[:k=v,...]` (see schedlab list)")
	fs.StringVar(&spec.Placer, "placer", "bestfit", "placer `NAME[:k=v,...]` (see schedlab list)")
	fs.StringVar(&spec.Workload, "workload", defaultWorkload(), "workload `SPEC`: NAME[:k=v,...] or trace:FORMAT:PATH[,PATH...]")
	fs.StringVar(&spec.Cluster, "cluster", "auto", "cluster `SPEC`: nodes=N,cpu=MILLI,mem=MIB,gpu=N | trace | auto")
	fs.Var(seedFlag{&spec.Seed}, "seed", "random seed `N` (non-negative integer)")
	fs.Var(durationFlag{&spec.Horizon}, "horizon", "stop at this simulated `DURATION` (0 = until the workload drains)")
	fs.Var(durationFlag{&spec.SampleEvery}, "sample-every", "record a utilization time series every simulated `DURATION` (0 = none)")
	win := addWindowFlags(fs, "all")
	format := fs.String("format", "table", "output `format`: table or json")
	out := fs.String("out", "", "write the result to `FILE` instead of standard output")
	prof := addProfileFlags(fs)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "schedlab run: unexpected argument %q (all options are --flags)\n", fs.Arg(0))
		return exitUsage
	}
	if !checkFormat(stderr, "run", *format) || !win.apply(stderr, "run", &spec) {
		return exitUsage
	}
	stopProfile, ok := prof.start(stderr, "run")
	if !ok {
		return exitUsage
	}
	res, err := registry.Run(spec)
	if perr := stopProfile(); perr != nil {
		fmt.Fprintf(stderr, "schedlab run: %v\n", perr)
		return exitFail
	}
	if err != nil {
		return failure(stderr, "run", err)
	}
	w, closeOut, err := openOut(*out, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "schedlab run: --out: %v\n", err)
		return exitUsage
	}
	if *format == "json" {
		err = writeJSON(w, res)
	} else {
		err = writeResultTable(w, res)
	}
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "schedlab run: writing output: %v\n", err)
		return exitFail
	}
	return exitOK
}

// writeJSON writes v as one indented JSON object and a newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeResultTable writes one result as a two-column metric/value table.
func writeResultTable(w io.Writer, r *scheduler.Result) error {
	t := &bench.Table{Header: []string{"metric", "value"}, Left: true}
	pct := func(p scheduler.Percentiles) string {
		c := func(v float64, mean bool) string { return bench.Censored(p, v, mean) }
		return fmt.Sprintf("p50 %s  p90 %s  p99 %s  mean %s  (n=%d, %d censored at the stop)", c(p.P50, false), c(p.P90, false), c(p.P99, false), c(p.Mean, true), p.N, p.NCensored)
	}
	res := func(p scheduler.PerResource) string {
		return fmt.Sprintf("cpu %s  mem %s  gpu %s", bench.Num(p.CPU), bench.Num(p.Mem), bench.Num(p.GPU))
	}
	t.Add("scheduler", r.Scheduler)
	t.Add("placer", r.Placer)
	t.Add("workload", r.Workload)
	t.Add("seed", strconv.FormatUint(r.Seed, 10))
	t.Add("stop reason", r.StopReason)
	t.Add("simulated seconds", bench.Num(r.SimSeconds))
	t.Add("wall seconds", bench.Num(r.WallSeconds))
	t.Add("events", strconv.FormatInt(r.Events, 10))
	t.Add("events per wall second", bench.Num(r.EventsPerSecond))
	t.Add("placements", strconv.FormatInt(r.Placements, 10))
	t.Add("placements per wall second", bench.Num(r.PlacementsPerSecond))
	t.Add("jobs submitted/completed/abandoned", fmt.Sprintf("%d / %d / %d", r.JobsSubmitted, r.JobsCompleted, r.JobsAbandoned))
	t.Add("tasks submitted/completed/failed", fmt.Sprintf("%d / %d / %d", r.TasksSubmitted, r.TasksCompleted, r.TasksFailed))
	t.Add("tasks pending/held/running at end", fmt.Sprintf("%d / %d / %d", r.TasksPending, r.TasksHeld, r.TasksRunning))
	t.Add("tasks placed per simulated hour", bench.Num(r.TasksPerHour))
	wn := r.Window
	span := fmt.Sprintf("%s: [%ss, %ss)", wn.Mode, bench.Num(wn.StartSeconds), bench.Num(wn.EndSeconds))
	if wn.WarmupSeconds > 0 {
		span += fmt.Sprintf(" after a %ss warm-up", bench.Num(wn.WarmupSeconds))
	}
	if wn.Empty {
		span += " — empty: the averages below are not measured"
	}
	t.Add("window", span)
	t.Add("makespan (s)", bench.Num(r.Makespan))
	t.Add("utilization", res(r.Utilization))
	t.Add("useful utilization", res(r.UsefulUtilization))
	t.Add("held-idle", res(r.HeldIdle))
	t.Add("job wait (s)", pct(r.JobWait))
	t.Add("gang wait (s)", pct(r.GangWait))
	t.Add("job completion (s)", pct(r.JobCompletion))
	dl := "none"
	if r.Deadlock.Terminal {
		dl = fmt.Sprintf("terminal at %ss", bench.Num(r.Deadlock.FirstSeconds))
	}
	t.Add("deadlock", fmt.Sprintf("%s, %d episodes, %d gangs, %s resource-s held", dl, r.Deadlock.Episodes, r.Deadlock.Gangs, bench.Num(r.Deadlock.HeldResourceSeconds)))
	t.Add("conflicts", fmt.Sprintf("%d of %d transactions (fraction %s)", r.Conflicts.Conflicted, r.Conflicts.Transactions, bench.Num(r.Conflicts.Fraction)))
	t.Add("busyness", fmt.Sprintf("useful %s  wasted %s", bench.Num(r.Busyness.Useful), bench.Num(r.Busyness.Wasted)))
	t.Add("stranded free capacity at the end", bench.Num(r.Fragmentation)+" (result key fragmentation; not FGD's fragmentation ratio)")
	keys := make([]string, 0, len(r.Extra))
	for k := range r.Extra {
		keys = append(keys, k)
	}
	sortStrings(keys)
	for _, k := range keys {
		t.Add(k, bench.Num(r.Extra[k]))
	}
	return t.WriteText(w)
}
