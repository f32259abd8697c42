package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// defaultWorkloads are the workload specs the default comparison prefers, in
// order: the built-in trace-shaped one, the plain synthetic generator as a
// fallback. The default is a third of the openb cluster (100 nodes) offered 1.2×
// its GPU capacity for about 3,000 jobs: loaded enough that a queue forms and the
// policies differ in waiting, held-idle and gang wait, small enough that all 24
// scheduler × placer runs finish in a few seconds.
var defaultWorkloads = []string{"alibaba-gpu:nodes=100,jobs=3000,load=1.2", "synthetic:jobs=2000"}

// defaultSchedulers and defaultPlacers are the comparison's rows, those that are
// registered in this build, crossed.
var (
	defaultSchedulers = []string{"monolithic", "gang-strict", "gang-permit", "gang-nonstrict", "gang-placeholder", "gang-admission", "omega:placer=given", "mesos"}
	defaultPlacers    = []string{"firstfit", "bestfit", "gpu-fgd"}
)

// defaultWorkload returns the first registered of defaultWorkloads, or "".
func defaultWorkload() string {
	for _, spec := range defaultWorkloads {
		name, _, _ := strings.Cut(spec, ":")
		for _, w := range registry.Workloads() {
			if w.Name == name {
				return spec
			}
		}
	}
	return ""
}

func registered[T any](specs []T, name func(T) string, want []string) []string {
	var out []string
	for _, w := range want {
		n, _, _ := strings.Cut(w, ":")
		if slices.ContainsFunc(specs, func(s T) bool { return name(s) == n }) {
			out = append(out, w)
		}
	}
	return out
}

// runDefault is `schedlab` with no command: every registered default scheduler ×
// placer on the built-in workload, in parallel, as one comparison table.
func runDefault(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("", stderr)
	seed := uint64(1)
	fs.Var(seedFlag{&seed}, "seed", "random seed `N`")
	workload := fs.String("workload", defaultWorkload(), "workload `SPEC` to compare on")
	cluster := fs.String("cluster", "auto", "cluster `SPEC`")
	format := fs.String("format", "table", "output `format`: table or json")
	parallel := intVar(fs, "parallel", 0, 0, maxParallel, "runs at once (0 = one per CPU)")
	win := addWindowFlags(fs, "arrivals")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "schedlab: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var window bench.RunSpec
	if !checkFormat(stderr, "", *format) || !win.apply(stderr, "", &window) {
		return exitUsage
	}
	if *workload == "" {
		fmt.Fprintln(stderr, "schedlab: no built-in workload is registered in this build (want one of "+strings.Join(defaultWorkloads, ", ")+")")
		return exitFail
	}
	scheds := registered(registry.Schedulers(), func(s bench.SchedulerSpec) string { return s.Name }, defaultSchedulers)
	placers := registered(registry.Placers(), func(s bench.PlacerSpec) string { return s.Name }, defaultPlacers)
	var cells []bench.Cell
	var labels [][]string
	for _, s := range scheds {
		for _, p := range placers {
			spec := bench.RunSpec{Scheduler: s, Placer: p, Workload: *workload, Cluster: *cluster, Seed: seed, Window: window.Window}
			cells = append(cells, bench.Cell{
				Labels: []bench.Label{{Key: "scheduler", Value: s}, {Key: "placer", Value: p}},
				Seed:   seed,
				Run:    func() (*scheduler.Result, error) { return registry.Run(spec) },
			})
			labels = append(labels, []string{s, p})
		}
	}
	if len(cells) == 0 {
		fmt.Fprintln(stderr, "schedlab: no scheduler or placer registered")
		return exitFail
	}
	results, errs := bench.RunCells(cells, *parallel, nil)
	for _, err := range errs {
		if ue, ok := bench.IsUsage(err); ok {
			return failure(stderr, "", ue)
		}
	}
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	if *format == "json" {
		type row struct {
			Result *scheduler.Result `json:"result,omitempty"`
			Error  string            `json:"error,omitempty"`
		}
		rows := make([]row, len(cells))
		for i := range cells {
			rows[i].Result = results[i]
			if errs[i] != nil {
				rows[i].Error = firstLineOf(errs[i].Error())
			}
		}
		if err := writeJSON(stdout, map[string]any{"workload": *workload, "seed": seed, "runs": rows}); err != nil {
			return exitFail
		}
	} else {
		fmt.Fprintf(stdout, "schedlab %s: workload %s, cluster %s, seed %d\n\n", version, *workload, *cluster, seed)
		t, notes := bench.CompareTable(labels, []string{"scheduler", "placer"}, results, errs)
		if err := t.WriteText(stdout); err != nil {
			return exitFail
		}
		fmt.Fprintln(stdout)
		for _, n := range notes {
			fmt.Fprintln(stdout, n)
		}
		fmt.Fprintf(stdout, "\nWindow %s: util = allocated/capacity and jobs/sim-h = jobs completed per simulated hour, both over the window;\n", window.Window.Mode)
		fmt.Fprintln(stdout, "useful = util minus held-idle (allocated but not running; the column is the max of cpu and gpu); makespan = last completion.")
		fmt.Fprintln(stdout, "Waits (simulated seconds) count every job, those not started at the stop censored there: \"> X\" is a percentile beyond")
		fmt.Fprintln(stdout, "the longest wait observed, X. deadlock = terminal gang deadlock; conflicts = Omega conflict fraction. docs/metrics.md defines each.")
		fmt.Fprintln(stdout, "Details: schedlab run --scheduler S --placer P --workload "+*workload+" --format json")
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "schedlab: %d of %d runs failed\n", failed, len(cells))
		return exitFail
	}
	return exitOK
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
