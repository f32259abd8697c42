package traces

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"github.com/schedlab/schedlab/scheduler"
)

// A trace is read in three stages, each bounded in memory by Options.SortMemMiB
// (spilling to Options.TempDir beyond it):
//
//  1. Every row of every input is parsed and validated once. Machine rows become
//     node events in a time-keyed sorter; job rows (events, tasks, instances,
//     constraints) go, as (job key, sub-key) records, into a grouping sorter.
//  2. The grouping sorter is read back one job at a time: all rows of a job are
//     adjacent, in sub-key order, and the format's assembler turns them into one
//     scheduler.Job, which goes into a sorter keyed by (submit time, job ID).
//  3. Replay streams that sorter (jobs in submit order) and the node-event sorter
//     (events in time order).
//
// Memory therefore grows with the sort budget and the largest single job, never
// with the number of rows.

// reader is one format's row parser and job assembler.
type reader interface {
	// input reads one logical input file; it reports false if the file is not
	// one of the format's tables (it is then ignored and listed in the stats).
	input(b *builder, m member) (bool, error)
	// finish runs after all inputs, before assembly (emit machines, check tables).
	finish(b *builder) error
	// assemble builds the job(s) of one group of records (all sharing one job
	// key), in sub-key order.
	assemble(b *builder, key []byte, recs []record) error
}

// record is one grouped row: sub-key and value, valid during assemble.
type record struct{ sub, val []byte }

// builder holds the state of one read of a trace.
type builder struct {
	opt       *Options
	format    string
	statsOnly bool
	// discardGroups drops grouped rows (benchmarks of the parse pass only).
	discardGroups bool
	groups        *sorter
	nodes         *sorter
	jobs          *sorter
	st            *TraceStats
	machines      map[string]struct{}
	nodeSeq       int64
	kbuf          []byte
	vbuf          []byte
	haveTime      bool
	first         scheduler.Time
	last          scheduler.Time
	in            inputState              // the input being read
	emptyReq      []string                // required tables met as an empty file (SkipBad)
	refTables     map[string]*machineRefs // per table: rows referring to each machine name
	refs          *machineRefs            // the table of the last machineRef
	nrefs         int                     // distinct names in refTables
}

func newBuilder(format string, opt *Options, statsOnly bool) *builder {
	b := &builder{opt: opt, format: format, statsOnly: statsOnly,
		groups: newSorter(opt), nodes: newSorter(opt), jobs: newSorter(opt),
		machines: map[string]struct{}{},
		st: &TraceStats{Format: format, Rows: map[string]int64{}, Events: map[string]int64{},
			Requested: map[string]int64{}, Skipped: map[string]int64{}, Counters: map[string]int64{},
			Options: opt.Map()}}
	for r := scheduler.Resource(0); r < scheduler.NumResources; r++ {
		b.st.Requested[r.String()] = 0
	}
	return b
}

func (b *builder) close() {
	b.groups.close()
	b.nodes.close()
	b.jobs.close()
}

// bad handles a malformed row: with SkipBad it is counted and nil returned (the
// caller drops the row), otherwise the error is returned.
func (b *builder) bad(e *InputError) error {
	if b.opt.SkipBad {
		b.st.Skipped[e.Reason]++
		return nil
	}
	return e
}

// count adds to a named counter.
func (b *builder) count(name string, n int64) { b.st.Counters[name] += n }

// orphan counts a reference to an absent entity, or fails under orphans=error.
func (b *builder) orphan(what string) error {
	b.st.Counters["orphan_"+what]++
	if b.opt.Orphans == "error" {
		return badf("%s: reference to an absent %s (option orphans=error)", b.format, what)
	}
	return nil
}

// seen widens the trace's observed time span (simulation time).
func (b *builder) seen(t scheduler.Time) {
	if !b.haveTime {
		b.first, b.last, b.haveTime = t, t, true
		return
	}
	b.first = min(b.first, t)
	b.last = max(b.last, t)
}

// group adds a row to the grouping sorter under (job key, sub-key).
func (b *builder) group(jobKey []byte, sub []byte, val []byte) error {
	if b.discardGroups {
		return nil
	}
	k := binary.BigEndian.AppendUint16(b.kbuf[:0], uint16(len(jobKey)))
	k = append(k, jobKey...)
	k = append(k, sub...)
	b.kbuf = k
	return b.groups.add(k, val)
}

// node adds a machine event; events with equal times keep their order.
func (b *builder) node(ev *scheduler.NodeEvent) error {
	if ev.Kind == scheduler.NodeAdd {
		b.machines[ev.Node.Name] = struct{}{}
	}
	b.nodeSeq++
	k := appendKeyInt(b.kbuf[:0], int64(ev.Time))
	k = appendKeyInt(k, b.nodeSeq)
	b.kbuf = k
	b.vbuf = encodeNodeEvent(b.vbuf[:0], ev)
	return b.nodes.add(k, b.vbuf)
}

// job emits an assembled job (after the drop rules), counting what it requests.
func (b *builder) job(j *scheduler.Job, flags []uint8) error {
	b.st.Counters["jobs_replayed"]++
	b.st.Counters["tasks_replayed"] += int64(len(j.Tasks))
	for k := range j.Tasks {
		for r, v := range j.Tasks[k].Request {
			b.st.Requested[scheduler.Resource(r).String()] += v
		}
		if k < len(flags) {
			f := flags[k]
			if f&flagCensored != 0 {
				b.st.Counters["tasks_censored"]++
			}
			if f&flagLeftCensored != 0 {
				b.st.Counters["tasks_left_censored"]++
			}
			if f&flagMissingInfo != 0 {
				b.st.Counters["tasks_missing_info"]++
			}
			if f&flagRetried != 0 {
				b.st.Counters["tasks_retried"]++
			}
		}
	}
	if j.MinMember > 0 {
		b.st.Counters["gangs"]++
	}
	if b.statsOnly {
		return nil
	}
	k := appendKeyInt(b.kbuf[:0], int64(j.Submit))
	k = appendKeyInt(k, int64(j.ID))
	b.kbuf = k
	b.vbuf = encodeJob(b.vbuf[:0], j, flags)
	return b.jobs.add(k, b.vbuf)
}

// run reads every input and assembles every job.
func (b *builder) run(rd reader, paths []string) error {
	return b.runWalk(rd, func(fn func(m member) error) error { return walkInputs(paths, fn) })
}

// runWalk is run over the inputs that walk yields (tests use in-memory inputs).
func (b *builder) runWalk(rd reader, walk func(fn func(m member) error) error) error {
	if err := b.readInputs(rd, walk); err != nil {
		return err
	}
	if err := b.checkTables(); err != nil {
		return err
	}
	if err := rd.finish(b); err != nil {
		return err
	}
	b.countUnknownMachines()
	if err := b.assembleGroups(rd); err != nil {
		return err
	}
	b.groups.close()
	b.st.Machines = int64(len(b.machines))
	if b.haveTime {
		b.st.FirstSeconds = b.first.Seconds()
		b.st.LastSeconds = b.last.Seconds()
	}
	sort.Strings(b.st.Ignored)
	return nil
}

// readInputs gives every input file to the reader, counting the files it reads
// and listing those it ignores; none read is an error.
func (b *builder) readInputs(rd reader, walk func(fn func(m member) error) error) error {
	err := walk(func(m member) error {
		b.in = inputState{}
		ok, err := rd.input(b, m)
		if err != nil {
			return err
		}
		if ok {
			b.st.Files++
			if err := b.endInput(m.name); err != nil {
				return err
			}
		} else {
			b.st.Ignored = append(b.st.Ignored, m.name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if b.st.Files == 0 {
		return badf("%s: none of the %d input file(s) is a table of this format (%s)", b.format, len(b.st.Ignored), formatByName[b.format].info.Files)
	}
	return nil
}

// recordGroup is the records of one group key, gathered from the sorted groups
// into one arena.
type recordGroup struct {
	key   []byte // nil before the first group
	arena []byte
	spans [][4]int // sub start, sub end, value start, value end in arena
	recs  []record
}

// assembleGroups hands each group key's records, in sorted order, to the
// reader's assemble.
func (b *builder) assembleGroups(rd reader) error {
	it, err := b.groups.iter()
	if err != nil {
		return err
	}
	var g recordGroup
	for {
		k, v, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		n := int(binary.BigEndian.Uint16(k))
		gk, sub := k[2:2+n], k[2+n:]
		if g.key == nil || string(gk) != string(g.key) {
			if err := b.flushGroup(rd, &g); err != nil {
				return err
			}
			g.key = append(g.key[:0], gk...)
			if g.key == nil {
				g.key = []byte{}
			}
			g.arena, g.spans = g.arena[:0], g.spans[:0]
		}
		a := len(g.arena)
		g.arena = append(g.arena, sub...)
		c := len(g.arena)
		g.arena = append(g.arena, v...)
		g.spans = append(g.spans, [4]int{a, c, c, len(g.arena)})
	}
	return b.flushGroup(rd, &g)
}

// flushGroup assembles the gathered group, if any, counting rows that appear
// twice.
func (b *builder) flushGroup(rd reader, g *recordGroup) error {
	if g.key == nil {
		return nil
	}
	g.recs = g.recs[:0]
	for i, s := range g.spans {
		rc := record{sub: g.arena[s[0]:s[1]:s[1]], val: g.arena[s[2]:s[3]:s[3]]}
		if i > 0 && bytes.Equal(rc.sub, g.recs[i-1].sub) && bytes.Equal(rc.val, g.recs[i-1].val) {
			// The same row twice (same job, table, keys and content):
			// the format's rules decide what it means, this counts it.
			b.count("duplicate_rows", 1)
		}
		g.recs = append(g.recs, rc)
	}
	return rd.assemble(b, g.key, g.recs)
}

// TraceStats summarises a trace read with the given options: the JSON object of
// `schedlab trace stats`.
type TraceStats struct {
	Format string `json:"format"`
	// Machines is the number of distinct machines that the trace adds.
	Machines int64 `json:"machines"`
	// Jobs and Tasks count the distinct jobs and schedulable units seen in the
	// data (Google (job, index) pairs, Alibaba instances, PAI instances, openb
	// pods, SWF processors), before any drop rule; Counters["jobs_replayed"] and
	// ["tasks_replayed"] count what a replay yields.
	Jobs  int64 `json:"jobs"`
	Tasks int64 `json:"tasks"`
	// Rows counts rows read per table; Events counts rows per event type or
	// status where the format has them ("table/TYPE").
	Rows   map[string]int64 `json:"rows"`
	Events map[string]int64 `json:"events"`
	// FirstSeconds and LastSeconds span the in-window times of the data, in
	// simulated seconds since the trace origin.
	FirstSeconds float64 `json:"first_seconds"`
	LastSeconds  float64 `json:"last_seconds"`
	// Requested totals the requests of the replayed tasks: cpu milli-cores, mem
	// MiB, gpu milli-GPUs, disk MiB.
	Requested map[string]int64 `json:"requested"`
	// Skipped counts malformed rows skipped (skip_bad=true) by reason.
	Skipped map[string]int64 `json:"skipped"`
	// Counters holds the mapping counters: orphans, censored and pre-trace
	// tasks, dropped entities, unparseable DAG names, cycles, ...
	Counters map[string]int64 `json:"counters"`
	// Files is the number of inputs read; Ignored lists inputs that are not a
	// table of the format.
	Files   int      `json:"files"`
	Ignored []string `json:"ignored,omitempty"`
	// Options records the mapping options used.
	Options map[string]string `json:"options"`
}

// Stats reads a whole trace and summarises it. It assembles jobs (so that jobs and
// tasks are counted exactly, and the drop rules are applied) but does not sort
// them by submit time.
func Stats(format string, paths []string, opt Options) (*TraceStats, error) {
	f, err := lookupFormat(format)
	if err != nil {
		return nil, err
	}
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if f.info.Name == CanonicalFormat {
		return canonicalStats(paths, &opt)
	}
	b := newBuilder(f.info.Name, &opt, true)
	defer b.close()
	if err := b.run(f.newReader(&opt), paths); err != nil {
		return nil, err
	}
	return b.st, nil
}

// secondsToTime converts trace seconds to simulated time, saturating. Every
// trace time is range-checked where it is parsed (row.optSeconds and the other
// time accessors in row.go: ±100 years), so a time from the data, or the
// difference of two, never reaches the saturation; it guards only what options
// and sentinels add.
func secondsToTime(s int64) scheduler.Time {
	if s >= math.MaxInt64/int64(scheduler.Second) {
		return scheduler.Forever
	}
	if s <= math.MinInt64/int64(scheduler.Second) {
		return -scheduler.Forever
	}
	return scheduler.Time(s) * scheduler.Second
}

// floatSecondsToTime rounds float seconds to simulated µs, once (saturating,
// like secondsToTime).
func floatSecondsToTime(s float64) scheduler.Time {
	if s >= float64(math.MaxInt64)/1e6 {
		return scheduler.Forever
	}
	if s <= -float64(math.MaxInt64)/1e6 {
		return -scheduler.Forever
	}
	return scheduler.Seconds(s)
}

// scaleRound returns round(v × unit), saturating at 0 for negatives.
func scaleRound(v float64, unit float64) int64 {
	x := v * unit
	if x <= 0 || math.IsNaN(x) {
		return 0
	}
	if x >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return int64(x + 0.5)
}

// errTooBig reports a value that no Time can hold.
func errTooBig(what string) error { return fmt.Errorf("%s out of range", what) }
