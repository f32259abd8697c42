package traces

import (
	"io"
	"sort"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// FormatInfo documents one trace format.
type FormatInfo struct {
	Name  string // the --format name, e.g. "alibaba2018"
	Doc   string // one line: what the trace is and how it maps to jobs and machines
	Files string // which files it reads (table names matched in file and archive member names)
}

type formatSpec struct {
	info      FormatInfo
	newReader func(opt *Options) reader
	// optional lists the tables that may legitimately be empty (a subset
	// without constraints, attributes or containers): an empty file of one is
	// counted as empty_table/TABLE. An empty file of any other table is bad
	// input (see builder.endInput).
	optional []string
}

// formatTable lists every readable format, in name order. It is the one
// place formats are wired in (no init registration).
var formatTable = []formatSpec{
	ali17Format,
	ali18Format,
	azure2017Format,
	azure2019Format,
	azure2020Format,
	g11Format,
	g19Format,
	openbFormat,
	paiFormat,
	phillyFormat,
	canonicalFormatSpec,
	swfFormat,
}

var formatByName = indexFormats(formatTable)

// indexFormats maps each format's name to its entry; a name listed twice is a
// programming error.
func indexFormats(table []formatSpec) map[string]formatSpec {
	m := make(map[string]formatSpec, len(table))
	for _, f := range table {
		if _, dup := m[f.info.Name]; dup {
			panic("traces: format listed twice: " + f.info.Name)
		}
		m[f.info.Name] = f
	}
	return m
}

// Formats returns every readable format, sorted by name.
func Formats() []FormatInfo {
	var out []FormatInfo
	for _, f := range formatByName {
		out = append(out, f.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FormatNames returns the format names, sorted.
func FormatNames() []string {
	var ns []string
	for _, f := range Formats() {
		ns = append(ns, f.Name)
	}
	return ns
}

func lookupFormat(name string) (formatSpec, error) {
	f, ok := formatByName[name]
	if !ok {
		return f, badf("unknown trace format %q (valid: %s)", name, strings.Join(FormatNames(), ", "))
	}
	return f, nil
}

// Replay is an opened trace: a scheduler.Source of its jobs in submit order and a
// scheduler.NodeSource of its machine events in time order. The trace's machines
// arrive as NodeAdd events named by the trace machine ID (at time 0 for machines
// present at the start). A Replay is not safe for concurrent use; Close it to
// remove its temporary files.
type Replay struct {
	format   string
	opt      Options
	stats    *TraceStats
	nextJob  func() (*scheduler.Job, error)
	nextNode func() (scheduler.NodeEvent, error)
	closer   func() error
	closed   bool
	// nodeEvents: a canonical replay has at least one node event.
	nodeEvents bool
	flags      *[]uint8 // task flags of the last job returned
}

var (
	_ scheduler.Source     = (*Replay)(nil)
	_ scheduler.NodeSource = (*Replay)(nil)
)

// Open reads a trace in the named format from paths (files, directories of shards,
// .gz, .tar.gz) and returns its replay. Reading happens here, in full: Open
// returns once the trace has been parsed, validated, grouped into jobs and sorted
// by submit time (see the package documentation, "Job assembly"). A malformed row
// is an *InputError unless opt.SkipBad; an unknown format's error lists the valid
// names.
func Open(format string, paths []string, opt Options) (*Replay, error) {
	f, err := lookupFormat(format)
	if err != nil {
		return nil, err
	}
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if f.info.Name == CanonicalFormat {
		return openCanonical(paths, opt)
	}
	b := newBuilder(f.info.Name, &opt, false)
	if err := b.run(f.newReader(&opt), paths); err != nil {
		b.close()
		return nil, err
	}
	jit, err := b.jobs.iter()
	if err != nil {
		b.close()
		return nil, err
	}
	nit, err := b.nodes.iter()
	if err != nil {
		b.close()
		return nil, err
	}
	var flags []uint8
	r := &Replay{format: f.info.Name, opt: opt, stats: b.st, flags: &flags}
	r.nextJob = func() (*scheduler.Job, error) {
		_, v, ok, err := jit.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
		var j *scheduler.Job
		j, flags, err = decodeJob(v, flags)
		return j, err
	}
	r.nextNode = func() (scheduler.NodeEvent, error) {
		_, v, ok, err := nit.next()
		if err != nil {
			return scheduler.NodeEvent{}, err
		}
		if !ok {
			return scheduler.NodeEvent{}, io.EOF
		}
		return decodeNodeEvent(v)
	}
	r.closer = func() error { b.close(); return nil }
	return r, nil
}

// Next returns the next job in submit order (ties by job ID), or io.EOF.
func (r *Replay) Next() (*scheduler.Job, error) {
	if r.closed {
		return nil, io.EOF
	}
	return r.nextJob()
}

// NextNodeEvent returns the next machine event in time order, or io.EOF.
func (r *Replay) NextNodeEvent() (scheduler.NodeEvent, error) {
	if r.closed {
		return scheduler.NodeEvent{}, io.EOF
	}
	return r.nextNode()
}

// Close releases the replay's temporary files. It is idempotent.
func (r *Replay) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.closer()
}

// Skipped returns the malformed rows skipped (Options.SkipBad), by reason. The map
// is a copy.
func (r *Replay) Skipped() map[string]int {
	m := map[string]int{}
	for k, v := range r.stats.Skipped {
		m[k] = int(v)
	}
	return m
}

// Stats returns the counters gathered while reading the trace (the same object as
// Stats would return). The caller must not modify it.
func (r *Replay) Stats() *TraceStats { return r.stats }

// HasMachines reports whether the replay has machines: a parsed trace counts
// them (Stats().Machines); a canonical replay's machines are its node events,
// which its stats do not count.
func (r *Replay) HasMachines() bool { return r.stats.Machines > 0 || r.nodeEvents }

// lastFlags returns the task flags of the job last returned by Next.
func (r *Replay) lastFlags() []uint8 { return *r.flags }

// Format returns the replay's format name.
func (r *Replay) Format() string { return r.format }

// Options returns the options the replay was opened with.
func (r *Replay) Options() Options { return r.opt }

// Nodes drains the replay's NodeAdd events at time 0 into a slice (the initial
// inventory) and returns it with the remaining events as a NodeSource. It is a
// convenience for callers that want Config.Nodes; the Replay itself must not be
// used as a NodeSource afterwards.
func (r *Replay) Nodes() ([]scheduler.Node, scheduler.NodeSource, error) {
	var nodes []scheduler.Node
	for {
		ev, err := r.NextNodeEvent()
		if err == io.EOF {
			return nodes, &scheduler.SliceNodeSource{}, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if ev.Kind != scheduler.NodeAdd || ev.Time > 0 {
			return nodes, &restNodes{first: ev, r: r}, nil
		}
		ev.Node.ID = scheduler.NodeID(len(nodes))
		nodes = append(nodes, ev.Node)
	}
}

type restNodes struct {
	first scheduler.NodeEvent
	used  bool
	r     *Replay
}

func (s *restNodes) NextNodeEvent() (scheduler.NodeEvent, error) {
	if !s.used {
		s.used = true
		return s.first, nil
	}
	return s.r.NextNodeEvent()
}

// canonicalFormatSpec is the schedlab entry of formatTable.
var canonicalFormatSpec = formatSpec{info: FormatInfo{Name: CanonicalFormat,
	Doc:   "schedlab's canonical replay format, written by `schedlab trace convert`: machine events then jobs, binary records in one gzip stream; replays without parsing or sorting",
	Files: "one .schedlab.gz file"}}

// checkOne reports an error unless paths has exactly one entry.
func checkOne(format string, paths []string) error {
	if len(paths) != 1 {
		return badf("%s: want exactly one file, got %d", format, len(paths))
	}
	return nil
}
