package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/schedlab/schedlab/bench"
)

// listEntry is one named thing in `schedlab list`.
type listEntry struct {
	Name   string        `json:"name"`
	Doc    string        `json:"doc"`
	Params []bench.Param `json:"params"`
}

// listing is the JSON document of `schedlab list --format json`.
type listing struct {
	Schedulers   []listEntry   `json:"schedulers"`
	Placers      []listEntry   `json:"placers"`
	Workloads    []listEntry   `json:"workloads"`
	Scenarios    []listEntry   `json:"scenarios"`
	TraceFormats []listEntry   `json:"trace_formats"`
	ClusterKeys  []bench.Param `json:"cluster_keys"`
}

func entry(name, doc string, ps []bench.Param) listEntry {
	if ps == nil {
		ps = []bench.Param{}
	}
	return listEntry{Name: name, Doc: doc, Params: ps}
}

func buildListing() listing {
	l := listing{Schedulers: []listEntry{}, Placers: []listEntry{}, Workloads: []listEntry{},
		Scenarios: []listEntry{}, TraceFormats: []listEntry{}, ClusterKeys: bench.ClusterKeys}
	for _, s := range registry.Schedulers() {
		l.Schedulers = append(l.Schedulers, entry(s.Name, s.Doc, s.Params))
	}
	for _, s := range registry.Placers() {
		l.Placers = append(l.Placers, entry(s.Name, s.Doc, s.Params))
	}
	for _, s := range registry.Workloads() {
		l.Workloads = append(l.Workloads, entry(s.Name, s.Doc, s.Params))
	}
	for _, s := range registry.Scenarios() {
		l.Scenarios = append(l.Scenarios, entry(s.Name, s.Doc, s.Params))
	}
	for _, s := range bench.TraceFormats() {
		l.TraceFormats = append(l.TraceFormats, entry(s.Name, s.Doc, s.Options))
	}
	return l
}

func runList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("list", stderr)
	format := fs.String("format", "table", "output `format`: table or json")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "schedlab list: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if !checkFormat(stderr, "list", *format) {
		return exitUsage
	}
	l := buildListing()
	var err error
	if *format == "json" {
		err = writeJSON(stdout, l)
	} else {
		err = writeListText(stdout, l)
	}
	if err != nil {
		fmt.Fprintf(stderr, "schedlab list: %v\n", err)
		return exitFail
	}
	return exitOK
}

func writeListText(w io.Writer, l listing) error {
	var b strings.Builder
	section := func(title, use string, es []listEntry) {
		fmt.Fprintf(&b, "%s (%s)\n", title, use)
		if len(es) == 0 {
			b.WriteString("  (none registered in this build)\n")
		}
		for _, e := range es {
			fmt.Fprintf(&b, "  %-20s %s\n", e.Name, e.Doc)
			writeParams(&b, e.Params)
		}
		b.WriteByte('\n')
	}
	section("SCHEDULERS", "--scheduler NAME[:k=v,...]", l.Schedulers)
	section("PLACERS", "--placer NAME[:k=v,...]", l.Placers)
	section("WORKLOADS", "--workload NAME[:k=v,...]", l.Workloads)
	b.WriteString("TRACE FORMATS (--workload trace:FORMAT:PATH[,PATH...][:OPTION=VALUE,...]; see schedlab trace)\n")
	if len(l.TraceFormats) == 0 {
		b.WriteString("  (none registered in this build)\n")
	}
	for _, e := range l.TraceFormats {
		fmt.Fprintf(&b, "  %-20s %s\n", e.Name, e.Doc)
	}
	if len(l.TraceFormats) > 0 {
		b.WriteString("    options (every format):\n")
		writeParams(&b, l.TraceFormats[0].Params)
	}
	b.WriteByte('\n')
	section("SCENARIOS", "schedlab bench --scenario NAME[:k=v,...]", l.Scenarios)
	b.WriteString("CLUSTER KEYS (--cluster k=v,...; or trace; shapes joined with +)\n")
	writeParams(&b, l.ClusterKeys)
	b.WriteByte('\n')
	b.WriteString(distributionsText)
	_, err := io.WriteString(w, b.String())
	return err
}

// distributionsText is the DISTRIBUTIONS section of `schedlab list`: the syntax
// of every parameter of type dist (workload.ParseDist).
const distributionsText = `DISTRIBUTIONS (the value of a parameter of type dist; arguments are separated by ';' so that a
distribution fits in a comma-separated NAME:k=v,... spec; values are in the parameter's unit)
  5, const(V)           always V (a bare number is a constant)
  exp(MEAN)             exponential with mean MEAN
  lognormal(MU;SIGMA)   log-normal: ln X is normal with mean MU and standard deviation SIGMA
  median(M;SIGMA)       the log-normal with median M (MU = ln M)
  pareto(XM;ALPHA)      Pareto with minimum XM and shape ALPHA (infinite mean for ALPHA <= 1)
  uniform(LO;HI)        uniform on [LO, HI)
  empirical(P:Q;...)    quantile Q at probability P, linear in between; P starts at 0, ends at 1 and rises,
                        Q does not fall: empirical(0:1;0.5:4;1:64) has median 4 and maximum 64
  D[LO;HI]              any of the above, each draw clamped to [LO, HI] (mass moves onto the bounds)
  A parameter's declared range must hold every value a distribution can take; one unbounded above
  (exp, lognormal, median, pareto without a clamp) is clamped at the range's upper bound.
  Examples: --workload synthetic:runtime=median(60;1.5)[1;86400],tasks=empirical(0:1;0.5:4;1:64)
            --workload synthetic:cpu=uniform(500;4000),mem=exp(2048)
`

// paramUnit returns the unit to print after a parameter's default: none for a
// duration (its default carries its unit, "0.1s") or an empty unit.
func paramUnit(p bench.Param) string {
	if p.Unit == "" || p.Type == bench.TypeDuration {
		return ""
	}
	return " " + p.Unit
}

func writeParams(b *strings.Builder, ps []bench.Param) {
	for _, p := range ps {
		def := p.Default
		if def == "" {
			def = `""`
		}
		unit := paramUnit(p)
		if p.Type == bench.TypeDuration && def == "0" {
			def = "0s"
		}
		kind := p.Type
		if p.Range != "" {
			kind += " in " + p.Range
		}
		if p.Memory {
			kind += ", sizes memory"
		}
		if kind != "" {
			kind = " (" + kind + ")"
		}
		fmt.Fprintf(b, "      %-18s default %s%s%s — %s\n", p.Name, def, unit, kind, p.Doc)
	}
}

func sortStrings(s []string) { sort.Strings(s) }
