package traces

import (
	"bytes"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// google2011: Google clusterdata-2011-2 (TRACES.md §3, §11.2).

// g11Format is the google2011 entry of formatTable.
var g11Format = formatSpec{info: FormatInfo{Name: "google2011",
	Doc: "Google clusterdata-2011-2 (Borg, May 2011): machine_events → machines (capacity × norm_cpu/norm_mem; REMOVE = fail, re-ADD = recover; attributes at add time → labels); " +
		"job_events + task_events + task_constraints → jobs of tasks (job, index) with the request and runtime of the attempt chosen by runtime=",
	Files: "job_events, task_events, machine_events, machine_attributes, task_constraints (directories of part-NNNNN-of-MMMMM.csv.gz shards); task_usage is not read"},
	newReader: func(*Options) reader { return &g11Reader{shards: map[string]*shardSet{}} },
	optional:  []string{"machine_attributes", "task_constraints"}}

// The column schemas of the tables read, in file order.
var (
	g11JobCols = struct {
		Time, MissingInfo, JobID, EventType, User, SchedulingClass, JobName, LogicalJobName column
	}{
		column{name: "time", kind: kindMicros, required: true, use: "when the event happens (0 before, 2^63−1 after the window)"},
		column{name: "missing_info", kind: kindInt, use: "0..2: the row's times are synthesised (see missing_info)"},
		column{name: "job_id", kind: kindInt, required: true, use: "the job"},
		column{name: "event_type", kind: kindInt, required: true, use: "0..8; the first SUBMIT is the job's submit"},
		column{name: "user", kind: kindString, use: "the tenant"},
		column{name: "scheduling_class", kind: kindInt, use: "0..3: 2 or 3 makes a service job"},
		column{name: "job_name", kind: kindString},
		column{name: "logical_job_name", kind: kindString},
	}
	g11TaskCols = struct {
		Time, MissingInfo, JobID, TaskIndex, MachineID, EventType, User, SchedulingClass, Priority,
		CPURequest, MemoryRequest, DiskRequest, DifferentMachines column
	}{
		column{name: "time", kind: kindMicros, required: true, use: "when the event happens (0 before, 2^63−1 after the window)"},
		column{name: "missing_info", kind: kindInt, use: "0..2: the row's times are synthesised (see missing_info)"},
		column{name: "job_id", kind: kindInt, required: true, use: "the job"},
		column{name: "task_index", kind: kindInt, required: true, use: "the task (0..2^31−1)"},
		column{name: "machine_id", kind: kindInt, use: "counted (unknown machines)"},
		column{name: "event_type", kind: kindInt, required: true, use: "0..8: SCHEDULE starts an attempt, EVICT to LOST end it"},
		column{name: "user", kind: kindString, use: "the tenant"},
		column{name: "scheduling_class", kind: kindInt, use: "0..3"},
		column{name: "priority", kind: kindInt, required: true, use: "0..12; the job's is its tasks' largest"},
		column{name: "cpu_request", kind: kindFloat, unit: "normalised 0..1", use: "CPU request × norm_cpu (last non-empty value)"},
		column{name: "memory_request", kind: kindFloat, unit: "normalised 0..1", use: "memory request × norm_mem (last non-empty value)"},
		column{name: "disk_request", kind: kindFloat, unit: "normalised 0..1", use: "disk request × norm_disk (with disk=true)"},
		column{name: "different_machines", kind: kindInt, use: "0 or 1: 1 keeps the task off machines running its job's other tasks"},
	}
	g11MachineCols = struct{ Timestamp, MachineID, EventType, PlatformID, CPUs, Memory column }{
		column{name: "timestamp", kind: kindMicros, required: true, use: "when the event happens (0 before the window)"},
		column{name: "machine_id", kind: kindInt, required: true, use: "the machine's name"},
		column{name: "event_type", kind: kindInt, required: true, use: "0 ADD, 1 REMOVE (fail), 2 UPDATE"},
		column{name: "platform_id", kind: kindString, use: "label platform"},
		column{name: "cpus", kind: kindFloat, unit: "normalised 0..1", use: "CPU capacity × norm_cpu (empty: the last known)"},
		column{name: "memory", kind: kindFloat, unit: "normalised 0..1", use: "memory capacity × norm_mem (empty: the last known)"},
	}
	g11AttrCols = struct{ Time, MachineID, AttributeName, AttributeValue, AttributeDeleted column }{
		column{name: "time", kind: kindMicros, required: true, use: "when the attribute is set"},
		column{name: "machine_id", kind: kindInt, required: true, use: "the machine"},
		column{name: "attribute_name", kind: kindString, required: true, use: "a label's key (attributes in force at the first ADD)"},
		column{name: "attribute_value", kind: kindString, use: "the label's value"},
		column{name: "attribute_deleted", kind: kindInt, required: true, use: "0 or 1 (1: the attribute is deleted)"},
	}
	g11ConstraintCols = struct {
		Time, JobID, TaskIndex, ComparisonOperator, AttributeName, AttributeValue column
	}{
		column{name: "time", kind: kindMicros, required: true, use: "orders the rows (the last per attribute and operator wins)"},
		column{name: "job_id", kind: kindInt, required: true, use: "the job"},
		column{name: "task_index", kind: kindInt, required: true, use: "the task"},
		column{name: "comparison_operator", kind: kindInt, required: true, use: "0 EQUAL, 1 NOT_EQUAL, 2 LESS_THAN, 3 GREATER_THAN"},
		column{name: "attribute_name", kind: kindString, required: true, use: "the selector's key"},
		column{name: "attribute_value", kind: kindString, use: "the selector's value"},
	}
	// The alternative task_constraints order: time, job, task, name, value,
	// operator (detected from a file's first row).
	g11ConstraintAltCols = struct {
		Time, JobID, TaskIndex, AttributeName, AttributeValue, ComparisonOperator column
	}{
		g11ConstraintCols.Time, g11ConstraintCols.JobID, g11ConstraintCols.TaskIndex,
		g11ConstraintCols.AttributeName, g11ConstraintCols.AttributeValue, g11ConstraintCols.ComparisonOperator,
	}
)

var (
	g11JobEvents      = newSchemaTable("job_events", &g11JobCols)
	g11TaskEvents     = newSchemaTable("task_events", &g11TaskCols)
	g11MachineEv      = newSchemaTable("machine_events", &g11MachineCols)
	g11MachineAttr    = newSchemaTable("machine_attributes", &g11AttrCols)
	g11Constraints    = newSchemaTable("task_constraints", &g11ConstraintCols)
	g11ConstraintsAlt = newSchemaTable("task_constraints", &g11ConstraintAltCols)
	g11Tables         = []*csvTable{g11JobEvents, g11TaskEvents, g11MachineEv, g11MachineAttr, g11Constraints, {name: "task_usage"}}
)

// Google 2011 event types (task_events col 6, job_events col 4).
var g11EventNames = []string{"SUBMIT", "SCHEDULE", "EVICT", "FAIL", "FINISH", "KILL", "LOST", "UPDATE_PENDING", "UPDATE_RUNNING"}

const (
	g11Submit        = 0
	g11Schedule      = 1
	g11UpdatePending = 7
	g11TraceEnd      = 29 * scheduler.Day
	g11Origin        = 600_000_000 // raw µs of trace start
	g11After         = math.MaxInt64
)

var shardRe = regexp.MustCompile(`part-(\d+)-of-(\d+)`)

type shardSet struct {
	of   int
	seen map[int]bool
}

type g11Reader struct {
	machines *sorter // machine_events rows keyed (time, seq)
	attrs    *sorter // machine_attributes rows keyed (machine, time, seq)
	seq      int64
	shards   map[string]*shardSet
}

// g11Time converts a raw time: before = the "before the window" sentinel (0),
// after = the "after the window" sentinel (2^63−1).
func (g *g11Reader) time(b *builder, raw int64) (t scheduler.Time, before, after bool) {
	if raw == 0 {
		return 0, true, false
	}
	if raw == g11After {
		return scheduler.Forever, false, true
	}
	origin := int64(g11Origin)
	if b.opt.Origin >= 0 {
		origin = b.opt.Origin
	}
	return scheduler.Time(raw - origin), false, false
}

// seenTime is time, recording a time inside the window as seen.
func (g *g11Reader) seenTime(b *builder, raw int64) (t scheduler.Time, before, after bool) {
	t, before, after = g.time(b, raw)
	if !before && !after {
		b.seen(t)
	}
	return t, before, after
}

// g11EventCounts counts the rows of a job or task events table by event type.
type g11EventCounts [9]int64

// flush adds the counts to the statistics' events, as prefix + event name.
func (c *g11EventCounts) flush(b *builder, prefix string) {
	for i, n := range c {
		if n > 0 {
			b.st.Events[prefix+g11EventNames[i]] += n
		}
	}
}

func (g *g11Reader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	t := matchTable(name, g11Tables)
	if t == nil || t.cols == nil {
		return false, 0, nil
	}
	cols := map[*csvTable][3]int{ // time, job, machine columns (-1 = none)
		g11JobEvents:   {g11JobCols.Time.index, g11JobCols.JobID.index, -1},
		g11TaskEvents:  {g11TaskCols.Time.index, g11TaskCols.JobID.index, g11TaskCols.MachineID.index},
		g11MachineEv:   {g11MachineCols.Timestamp.index, -1, g11MachineCols.MachineID.index},
		g11MachineAttr: {g11AttrCols.Time.index, -1, g11AttrCols.MachineID.index},
		g11Constraints: {g11ConstraintCols.Time.index, g11ConstraintCols.JobID.index, -1}}[t]
	return true, 0, csvRowKeys(t, cols, true, func(b []byte) (scheduler.Time, bool) {
		if v, e := atoi(b); e == numOK && v > 0 && v < g11After {
			return scheduler.Time(v - g11Origin), true
		}
		return 0, false
	})
}

func (g *g11Reader) input(b *builder, m member) (bool, error) {
	t := matchTable(m.name, g11Tables)
	if t == nil || t.cols == nil {
		return false, nil
	}
	g.noteShard(t, m)
	switch t {
	case g11JobEvents:
		return true, g.jobEvents(b, m)
	case g11TaskEvents:
		return true, g.taskEvents(b, m)
	case g11MachineEv:
		return true, g.readMachineEvents(b, m)
	case g11MachineAttr:
		return true, g.readMachineAttributes(b, m)
	case g11Constraints:
		return true, g.constraints(b, m)
	}
	return false, nil
}

// noteShard records the shard number of a table's file. The shard number is
// that of the file (or archive member), never of a directory above it.
func (g *g11Reader) noteShard(t *csvTable, m member) {
	if sm := shardRe.FindStringSubmatch(filepath.Base(strings.ReplaceAll(m.name, ":", "/"))); sm != nil {
		i, _ := strconv.Atoi(sm[1])
		of, _ := strconv.Atoi(sm[2])
		s := g.shards[t.name]
		if s == nil {
			s = &shardSet{of: of, seen: map[int]bool{}}
			g.shards[t.name] = s
		}
		s.seen[i] = true
	}
}

// readMachineEvents reads machine_events: the machine rows, sorted by time.
func (g *g11Reader) readMachineEvents(b *builder, m member) error {
	c := &g11MachineCols
	if g.machines == nil {
		g.machines = newSorter(b.opt)
	}
	var buf []byte
	return b.readCSV(m, g11MachineEv, func(r *row) error {
		raw := c.Timestamp.micros(r, g11After)
		id := c.MachineID.int(r)
		typ := c.EventType.int(r)
		cpu, hc := c.CPUs.optFloat(r)
		mem, hm := c.Memory.optFloat(r)
		if r.err == nil && (typ < 0 || typ > 2) {
			c.EventType.fail(r, "unknown_code", "unknown machine event type "+strconv.FormatInt(typ, 10)+" (want 0 ADD, 1 REMOVE, 2 UPDATE)")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		b.st.Events["machine_events/"+[]string{"ADD", "REMOVE", "UPDATE"}[typ]]++
		tm, before, after := g.time(b, raw)
		if after {
			b.count("machine_events_after_window", 1)
			return nil
		}
		if !before {
			b.seen(tm)
		}
		g.seq++
		e := enc{buf[:0]}
		e.int(int64(tm))
		e.int(id)
		e.int(typ)
		e.str(bstr(c.PlatformID.bytes(r)))
		e.optFloat(cpu, hc)
		e.optFloat(mem, hm)
		e.str("")
		buf = e.b
		return g.machines.add(appendKeyInt(appendKeyInt(nil, int64(tm)), g.seq), buf)
	})
}

// readMachineAttributes reads machine_attributes: the attribute rows, sorted by machine and time.
func (g *g11Reader) readMachineAttributes(b *builder, m member) error {
	c := &g11AttrCols
	if g.attrs == nil {
		g.attrs = newSorter(b.opt)
	}
	var buf []byte
	return b.readCSV(m, g11MachineAttr, func(r *row) error {
		raw := c.Time.micros(r, g11After)
		id := c.MachineID.int(r)
		del := c.AttributeDeleted.int(r)
		if !c.AttributeName.has(r) {
			c.AttributeName.missing(r)
		}
		if r.err == nil && del != 0 && del != 1 {
			c.AttributeDeleted.fail(r, "unknown_code", "attribute_deleted must be 0 or 1")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		tm, _, after := g.time(b, raw)
		if after {
			return nil
		}
		g.seq++
		e := enc{buf[:0]}
		e.str(bstr(c.AttributeName.bytes(r)))
		e.str(bstr(c.AttributeValue.bytes(r)))
		e.int(del)
		buf = e.b
		return g.attrs.add(appendKeyInt(appendKeyInt(appendKeyInt(nil, id), int64(tm)), g.seq), buf)
	})
}

func (g *g11Reader) jobEvents(b *builder, m member) error {
	c := &g11JobCols
	var key, sub, buf []byte
	var counts g11EventCounts
	defer counts.flush(b, "job_events/")
	return b.readCSV(m, g11JobEvents, func(r *row) error {
		raw := c.Time.micros(r, g11After)
		mi, hmi := c.MissingInfo.optInt(r)
		job := c.JobID.int(r)
		typ := c.EventType.int(r)
		class, hc := c.SchedulingClass.optInt(r)
		if r.err == nil && (typ < 0 || typ > 8) {
			c.EventType.fail(r, "unknown_code", "unknown event type "+strconv.FormatInt(typ, 10)+" (want 0..8)")
		}
		if r.err == nil && hmi && (mi < 0 || mi > 2) {
			c.MissingInfo.fail(r, "unknown_code", "unknown missing-info code "+strconv.FormatInt(mi, 10)+" (want 0..2 or empty)")
		}
		if r.err == nil && hc && (class < 0 || class > 3) {
			c.SchedulingClass.fail(r, "unknown_code", "scheduling class "+strconv.FormatInt(class, 10)+" out of range 0..3")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		counts[typ]++
		tm, _, _ := g.seenTime(b, raw)
		key = appendKeyInt(key[:0], job)
		sub = appendKeyInt(append(sub[:0], 0), int64(tm))
		e := enc{buf[:0]}
		e.int(int64(tm))
		e.optInt(mi, hmi)
		e.int(typ)
		e.str(bstr(c.User.bytes(r)))
		e.optInt(class, hc)
		e = appendJobExtra(e, g11JobExtra{})
		buf = e.b
		return b.group(key, sub, buf)
	})
}

// g11JobExtra holds the job fields that only Google 2019 has.
type g11JobExtra struct {
	prio          int64
	hasPrio       bool
	alloc         bool // collection_type 1: an alloc set
	after         []int64
	parent        bool
	maxPerMachine int64
}

func appendJobExtra(e enc, x g11JobExtra) enc {
	e.optInt(x.prio, x.hasPrio)
	var bits uint64
	if x.alloc {
		bits |= 1
	}
	if x.parent {
		bits |= 2
	}
	e.uint(bits)
	e.int(x.maxPerMachine)
	e.uint(uint64(len(x.after)))
	for _, a := range x.after {
		e.int(a)
	}
	return e
}

func decodeJobExtra(d *dec) g11JobExtra {
	var x g11JobExtra
	x.prio, x.hasPrio = d.optInt()
	bits := d.uint()
	x.alloc, x.parent = bits&1 != 0, bits&2 != 0
	x.maxPerMachine = d.int()
	if n := d.count(); n > 0 {
		x.after = make([]int64, n)
		for i := range x.after {
			x.after[i] = d.int()
		}
	}
	return x
}

func (g *g11Reader) taskEvents(b *builder, m member) error {
	c := &g11TaskCols
	var key, sub, buf []byte
	var counts g11EventCounts
	defer counts.flush(b, "task_events/")
	return b.readCSV(m, g11TaskEvents, func(r *row) error {
		raw := c.Time.micros(r, g11After)
		mi, hmi := c.MissingInfo.optInt(r)
		job := c.JobID.int(r)
		idx := c.TaskIndex.int(r)
		mach, hm := c.MachineID.optInt(r)
		typ := c.EventType.int(r)
		class, hc := c.SchedulingClass.optInt(r)
		prio := c.Priority.int(r)
		cpu, hcpu := c.CPURequest.optFloat(r)
		mem, hmem := c.MemoryRequest.optFloat(r)
		disk, hdisk := c.DiskRequest.optFloat(r)
		diff, hdiff := c.DifferentMachines.optInt(r)
		switch {
		case r.err != nil:
		case typ < 0 || typ > 8:
			c.EventType.fail(r, "unknown_code", "unknown event type "+strconv.FormatInt(typ, 10)+" (want 0..8)")
		case hmi && (mi < 0 || mi > 2):
			c.MissingInfo.fail(r, "unknown_code", "unknown missing-info code "+strconv.FormatInt(mi, 10)+" (want 0..2 or empty)")
		case hc && (class < 0 || class > 3):
			c.SchedulingClass.fail(r, "unknown_code", "scheduling class "+strconv.FormatInt(class, 10)+" out of range 0..3")
		case prio < 0 || prio > 12:
			c.Priority.fail(r, "unknown_code", "priority "+strconv.FormatInt(prio, 10)+" out of range 0..12")
		case hdiff && diff != 0 && diff != 1:
			c.DifferentMachines.fail(r, "unknown_code", "different-machines flag must be 0 or 1")
		case idx < 0 || idx > math.MaxInt32:
			c.TaskIndex.fail(r, "invalid", "task index out of range")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		if hm {
			b.machineRef("task_events", c.MachineID.bytes(r))
		}
		counts[typ]++
		tm, before, after := g.seenTime(b, raw)
		key = appendKeyInt(key[:0], job)
		sub = appendKeyInt(appendKeyInt(append(sub[:0], 1), idx), int64(tm))
		e := enc{buf[:0]}
		var bits byte
		if before {
			bits |= 1
		}
		if after {
			bits |= 2
		}
		if hmi {
			bits |= 4
		}
		if hdiff && diff == 1 {
			bits |= 8
		}
		e.b = append(e.b, bits, byte(typ))
		e.int(int64(tm))
		e.optInt(mach, hm)
		e.int(prio)
		e.optInt(class, hc)
		e.optFloat(cpu, hcpu)
		e.optFloat(mem, hmem)
		e.optFloat(disk, hdisk)
		e.str(bstr(c.User.bytes(r)))
		buf = e.b
		return b.group(key, sub, buf)
	})
}

// isHash reports whether b looks like a 2011 hashed string (44 base64 chars).
func isHash(b []byte) bool { return len(b) == 44 }

func isSmallInt(b []byte) bool {
	v, e := atoi(b)
	return e == numOK && v >= 0 && v <= 9
}

func (g *g11Reader) constraints(b *builder, m member) error {
	var key, sub, buf []byte
	c, alt := &g11ConstraintCols, &g11ConstraintAltCols
	var layout *csvTable // decided from the first row
	opCol, nameCol, valCol := &c.ComparisonOperator, &c.AttributeName, &c.AttributeValue
	return b.readCSV(m, g11Constraints, func(r *row) error {
		if layout == nil {
			// The columns at the default layout's operator, name and value.
			third, fourth, fifth := c.ComparisonOperator.bytes(r), c.AttributeName.bytes(r), c.AttributeValue.bytes(r)
			switch {
			case isSmallInt(third) && !isSmallInt(fifth):
				layout = g11Constraints
			case isSmallInt(fifth) && !isSmallInt(third):
				layout = g11ConstraintsAlt
				opCol, nameCol, valCol = &alt.ComparisonOperator, &alt.AttributeName, &alt.AttributeValue
			case isSmallInt(third) && isHash(fourth):
				layout = g11Constraints
			default:
				return &InputError{File: r.file, Line: r.line, Column: c.ComparisonOperator.index + 1, Field: c.ComparisonOperator.name, Reason: "bad_layout",
					Msg: "cannot tell the column order of task_constraints: neither column 4 nor column 6 is an operator code 0..3"}
			}
		}
		r.names = layout.cols
		raw := c.Time.micros(r, g11After)
		job := c.JobID.int(r)
		idx := c.TaskIndex.int(r)
		op := opCol.int(r)
		if r.err == nil && (op < 0 || op > 3) {
			opCol.fail(r, "unknown_code", "unknown comparison operator "+strconv.FormatInt(op, 10)+" (want 0..3)")
		}
		if r.err == nil && !nameCol.has(r) {
			nameCol.missing(r)
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		b.st.Events["task_constraints/"+[]string{"EQUAL", "NOT_EQUAL", "LESS_THAN", "GREATER_THAN"}[op]]++
		tm, _, _ := g.time(b, raw)
		key = appendKeyInt(key[:0], job)
		sub = appendKeyInt(appendKeyInt(append(sub[:0], 2), idx), int64(tm))
		e := enc{buf[:0]}
		e.int(int64([]scheduler.SelectorOp{scheduler.OpEq, scheduler.OpNe, scheduler.OpLt, scheduler.OpGt}[op]))
		e.str(bstr(nameCol.bytes(r)))
		e.uint(1)
		e.str(bstr(valCol.bytes(r)))
		buf = e.b
		return b.group(key, sub, buf)
	})
}

type g11Machine struct {
	added   bool
	up      bool
	addTime scheduler.Time
	node    scheduler.Node
	known   bool // capacity known
}

// finish replays machine_events in time order into node events, with the
// attributes in force at each machine's first ADD as its labels, in stages:
// countMissingShards, firstAdds, addLabels and machineEvents.
func (g *g11Reader) finish(b *builder) error {
	g.countMissingShards(b)
	if g.machines == nil {
		if g.attrs != nil {
			g.attrs.close()
		}
		return nil
	}
	defer g.machines.close()
	firstAdd, err := g.firstAdds()
	if err != nil {
		return err
	}
	labels, err := g.addLabels(b, firstAdd)
	if err != nil {
		return err
	}
	return g.machineEvents(b, labels)
}

// countMissingShards counts, per table, the shards of part-N-of-M names that
// were never read.
func (g *g11Reader) countMissingShards(b *builder) {
	for _, name := range sortedKeys(g.shards) {
		s := g.shards[name]
		missing := 0
		for i := 0; i < s.of; i++ {
			if !s.seen[i] {
				missing++
			}
		}
		if missing > 0 {
			b.count("missing_shards_"+name, int64(missing))
		}
	}
}

// g11MachineRow is one sorted machine_events row.
type g11MachineRow struct {
	t        scheduler.Time
	id, typ  int64
	platform string
	cpu, mem float64
	hc, hm   bool
	sw       string
}

// decodeG11MachineRow decodes a machine_events row as sorted.
func decodeG11MachineRow(v []byte) g11MachineRow {
	d := dec{b: v}
	var r g11MachineRow
	r.t = scheduler.Time(d.int())
	r.id, r.typ = d.int(), d.int()
	r.platform = d.str()
	r.cpu, r.hc = d.optFloat()
	r.mem, r.hm = d.optFloat()
	r.sw = d.str()
	return r
}

// firstAdds is pass 1 over machine_events: the first ADD time of every machine.
func (g *g11Reader) firstAdds() (map[int64]scheduler.Time, error) {
	it, err := g.machines.iter()
	if err != nil {
		return nil, err
	}
	firstAdd := map[int64]scheduler.Time{}
	for {
		_, v, ok, err := it.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		r := decodeG11MachineRow(v)
		if _, seen := firstAdd[r.id]; !seen && r.typ == 0 {
			firstAdd[r.id] = r.t
		}
	}
	return firstAdd, nil
}

// addLabels replays machine_attributes into the labels in force at each
// machine's first ADD; later changes are counted and ignored.
func (g *g11Reader) addLabels(b *builder, firstAdd map[int64]scheduler.Time) (map[int64][]scheduler.Label, error) {
	labels := map[int64][]scheduler.Label{}
	if g.attrs == nil {
		return labels, nil
	}
	ait, err := g.attrs.iter()
	if err != nil {
		return nil, err
	}
	var prevAttr, prevVal []byte
	for {
		k, v, ok, err := ait.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		id := int64(uint64FromKey(k[0:8]))
		tm := scheduler.Time(int64(uint64FromKey(k[8:16])))
		at, added := firstAdd[id]
		if !added {
			if err := b.orphan("attribute_machine"); err != nil {
				return nil, err
			}
			continue
		}
		if tm > at {
			b.count("attribute_changes_after_add_ignored", 1)
			continue
		}
		if bytes.Equal(k[:16], prevAttr) && bytes.Equal(v, prevVal) {
			b.count("duplicate_attribute_rows", 1)
		}
		prevAttr, prevVal = append(prevAttr[:0], k[:16]...), append(prevVal[:0], v...)
		d := dec{b: v}
		name, val, del := d.str(), d.str(), d.int()
		ls := labels[id]
		i := slices.IndexFunc(ls, func(l scheduler.Label) bool { return l.Key == name })
		switch {
		case del == 1 && i >= 0:
			ls = slices.Delete(ls, i, i+1)
		case del == 0 && i >= 0:
			ls[i].Value = val
		case del == 0:
			ls = append(ls, scheduler.Label{Key: name, Value: val})
		}
		labels[id] = ls
	}
	g.attrs.close()
	return labels, nil
}

// machineEvents is pass 2 over machine_events: each row in time order into
// the machine's state and node events.
func (g *g11Reader) machineEvents(b *builder, labels map[int64][]scheduler.Label) error {
	it, err := g.machines.iter()
	if err != nil {
		return err
	}
	state := map[int64]*g11Machine{}
	for {
		_, v, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		r := decodeG11MachineRow(v)
		m := state[r.id]
		if m == nil {
			m = &g11Machine{node: scheduler.Node{Name: strconv.FormatInt(r.id, 10)}}
			state[r.id] = m
		}
		if err := g.machineEvent(b, m, r, labels); err != nil {
			return err
		}
	}
}

// setCapacity applies the row's capacities, normalised, to the machine.
func (m *g11Machine) setCapacity(b *builder, r g11MachineRow) {
	if r.hc {
		m.node.Capacity[scheduler.CPU] = scaleRound(r.cpu, float64(b.opt.NormCPU))
	}
	if r.hm {
		m.node.Capacity[scheduler.Memory] = scaleRound(r.mem, float64(b.opt.NormMem))
	}
	if b.opt.Disk {
		m.node.Capacity[scheduler.Disk] = b.opt.NormDisk
	}
	if r.hc && r.hm {
		m.known = true
	}
}

// machineEvent applies one machine_events row to the machine and emits the
// node events it implies: ADD, REMOVE (fail) or UPDATE.
func (g *g11Reader) machineEvent(b *builder, m *g11Machine, r g11MachineRow, labels map[int64][]scheduler.Label) error {
	old := m.node.Capacity
	m.setCapacity(b, r)
	t := max(r.t, 0)
	ev := scheduler.NodeEvent{Time: t, Node: scheduler.Node{Name: m.node.Name}}
	switch r.typ {
	case 0: // ADD
		emit, err := g.machineAdd(b, m, r, old, labels, &ev)
		if err != nil || !emit {
			return err
		}
	case 1: // REMOVE
		if !m.added || !m.up {
			return b.orphan("machine_remove")
		}
		m.up = false
		ev.Kind = scheduler.NodeFail
	case 2: // UPDATE
		if !m.added {
			return b.orphan("machine_update")
		}
		if old == m.node.Capacity {
			return nil
		}
		ev.Kind, ev.Node.Capacity = scheduler.NodeUpdate, m.node.Capacity
	}
	return b.node(&ev)
}

// machineAdd fills ev for an ADD row: the first ADD adds the node with its
// labels, platform and switch; a later one recovers a failed node (emitted
// here) or is counted while up, either then updating a changed capacity.
// emit reports whether ev is still to be emitted.
func (g *g11Reader) machineAdd(b *builder, m *g11Machine, r g11MachineRow, old scheduler.Resources, labels map[int64][]scheduler.Label, ev *scheduler.NodeEvent) (emit bool, err error) {
	switch {
	case !m.known:
		b.count("machines_without_capacity", 1)
		return false, nil
	case !m.added:
		m.added, m.up = true, true
		ev.Kind, ev.Node = scheduler.NodeAdd, m.node
		ev.Node.Labels = labels[r.id]
		if r.platform != "" {
			ev.Node.Labels = append(slices.Clone(ev.Node.Labels), scheduler.Label{Key: "platform", Value: r.platform})
		}
		if r.sw != "" {
			ev.Node.Labels = append(slices.Clone(ev.Node.Labels), scheduler.Label{Key: "switch", Value: r.sw})
			ev.Node.Domain = r.sw
		}
	case !m.up:
		m.up = true
		ev.Kind = scheduler.NodeRecover
		if err := b.node(ev); err != nil {
			return false, err
		}
		if old == m.node.Capacity {
			return false, nil
		}
		ev.Kind, ev.Node.Capacity = scheduler.NodeUpdate, m.node.Capacity
	default:
		b.count("machine_add_while_up", 1)
		if old == m.node.Capacity {
			return false, nil
		}
		ev.Kind, ev.Node.Capacity = scheduler.NodeUpdate, m.node.Capacity
	}
	return true, nil
}

func uint64FromKey(k []byte) uint64 {
	var u uint64
	for _, c := range k {
		u = u<<8 | uint64(c)
	}
	return u ^ 1<<63
}

type g11Attempt struct {
	start, end scheduler.Time
	hasEnd     bool
	startPre   bool
	req        scheduler.Resources
	reqOK      bool
}

// g11JobHead is what a job's job_events rows say about the job.
type g11JobHead struct {
	submit     scheduler.Time
	haveSubmit bool
	class      int64
	tenant     string
	missing    bool // some row had missing_info
	extra      g11JobExtra
}

// g11Task is one task's task_events and task_constraints rows, folded.
type g11Task struct {
	idx       int64
	attempts  []g11Attempt
	req       scheduler.Resources
	reqOK     bool
	prio      int64
	submit    scheduler.Time
	hasSubmit bool
	missing   bool
	distinct  bool
	open      bool
	preSubmit bool
	sels      []scheduler.Selector
}

// assemble turns one job's grouped records (job events, then task events and
// constraints by task index) into a job, in stages: jobHead, groupTasks,
// jobSubmit, newJob, jobTasks and finishJob.
func (g *g11Reader) assemble(b *builder, key []byte, recs []record) error {
	jobID := int64(uint64FromKey(key))
	b.st.Jobs++
	h, i := g.jobHead(recs)
	if i == 0 {
		b.count("jobs_without_job_events", 1)
	}
	end := b.traceEnd(g11TraceEnd)
	tasks := g.groupTasks(b, recs[i:], &h.tenant)
	if h.extra.alloc {
		// AllocSet=flatten: the alloc set is dropped; its members are scheduled
		// directly (TRACES.md §11.3).
		b.count("alloc_sets_flattened", 1)
		return nil
	}
	b.st.Tasks += int64(len(tasks))
	if len(tasks) == 0 {
		b.count("jobs_without_tasks", 1)
		return nil
	}
	leftJob, keep := g.jobSubmit(b, &h, tasks)
	if !keep {
		return nil
	}
	j, distinct := g.newJob(b, jobID, &h)
	flags, maxPrio, minPrio, keep := g.jobTasks(b, j, tasks, leftJob, distinct, end)
	if !keep {
		return nil
	}
	return g.finishJob(b, j, &h, flags, maxPrio, minPrio)
}

// jobHead folds the leading job_events records of recs into the job's head
// and returns it with the index of the first record that is not a job event.
func (g *g11Reader) jobHead(recs []record) (h g11JobHead, i int) {
	h.class = -1
	for ; i < len(recs) && recs[i].sub[0] == 0; i++ {
		d := dec{b: recs[i].val}
		tm := scheduler.Time(d.int())
		_, hmi := d.optInt()
		typ := d.int()
		user := d.str()
		c, hc := d.optInt()
		x := decodeJobExtra(&d)
		if hmi {
			h.missing = true
		}
		if x.hasPrio {
			h.extra.prio, h.extra.hasPrio = x.prio, true
		}
		if x.alloc {
			h.extra.alloc = true
		}
		if len(x.after) > 0 {
			h.extra.after = x.after
		}
		if x.parent {
			h.extra.parent = true
		}
		if x.maxPerMachine != 0 {
			h.extra.maxPerMachine = x.maxPerMachine
		}
		if typ == g11Submit && !h.haveSubmit && tm != scheduler.Forever {
			h.submit, h.haveSubmit = tm, true
			h.tenant = user
			if hc {
				h.class = c
			}
		}
		if h.tenant == "" {
			h.tenant = user
		}
	}
	return h, i
}

// groupTasks groups task events and constraints records by task index into
// tasks, in order; a still empty *tenant takes the first task event's user.
func (g *g11Reader) groupTasks(b *builder, recs []record, tenant *string) []*g11Task {
	var tasks []*g11Task
	var cur *g11Task
	for _, rc := range recs {
		idx := int64(uint64FromKey(rc.sub[1:9]))
		if cur == nil || cur.idx != idx {
			cur = &g11Task{idx: idx}
			tasks = append(tasks, cur)
		}
		if rc.sub[0] == 2 {
			cur.addSelector(rc.val)
			continue
		}
		g.taskEvent(b, cur, rc.val, tenant)
	}
	return tasks
}

// addSelector adds the constraint encoded in v to the task's selectors,
// replacing an earlier one with the same key and operator.
func (t *g11Task) addSelector(v []byte) {
	d := dec{b: v}
	op, name := scheduler.SelectorOp(d.int()), d.str()
	s := scheduler.Selector{Key: name, Op: op}
	for n := d.count(); n > 0; n-- {
		s.Values = append(s.Values, d.str())
	}
	if j := slices.IndexFunc(t.sels, func(x scheduler.Selector) bool { return x.Key == s.Key && x.Op == s.Op }); j >= 0 {
		t.sels[j] = s
	} else {
		t.sels = append(t.sels, s)
	}
}

// taskEvent applies one encoded task event v to the task: its request,
// priority and flags, and the submit or attempt it opens or ends.
func (g *g11Reader) taskEvent(b *builder, cur *g11Task, v []byte, tenant *string) {
	bits, typ := v[0], int64(v[1])
	d := dec{b: v[2:]}
	tm := scheduler.Time(d.int())
	d.optInt() // machine
	prio := d.int()
	d.optInt() // class
	cpu, hcpu := d.optFloat()
	mem, hmem := d.optFloat()
	disk, hdisk := d.optFloat()
	user := d.str()
	if *tenant == "" {
		*tenant = user
	}
	before, after := bits&1 != 0, bits&2 != 0
	if bits&4 != 0 {
		cur.missing = true
	}
	if bits&8 != 0 {
		cur.distinct = true
	}
	cur.prio = prio
	if hcpu {
		cur.req[scheduler.CPU] = scaleRound(cpu, float64(b.opt.NormCPU))
	}
	if hmem {
		cur.req[scheduler.Memory] = scaleRound(mem, float64(b.opt.NormMem))
	}
	if hdisk && b.opt.Disk {
		cur.req[scheduler.Disk] = scaleRound(disk, float64(b.opt.NormDisk))
	}
	if hcpu && hmem {
		cur.reqOK = true
	}
	if before {
		tm = 0
	}
	switch {
	case typ == g11Submit:
		if !cur.hasSubmit && !after {
			cur.submit, cur.hasSubmit, cur.preSubmit = tm, true, before
		}
	case typ == g11Schedule:
		if after {
			return
		}
		if cur.open {
			b.count("schedule_without_terminal", 1)
			cur.attempts = cur.attempts[:len(cur.attempts)-1]
		}
		cur.attempts = append(cur.attempts, g11Attempt{start: tm, startPre: before, req: cur.req, reqOK: cur.reqOK})
		cur.open = true
	case typ >= 2 && typ <= 6:
		if cur.open {
			a := &cur.attempts[len(cur.attempts)-1]
			if !after {
				a.end, a.hasEnd = tm, true
			}
			cur.open = false
		}
	}
}

// jobSubmit settles the job's submit time (its own, else its earliest task's,
// else before the window) and reports whether the job left the window's start
// and whether it is kept under PreTrace and MissingInfo.
func (g *g11Reader) jobSubmit(b *builder, h *g11JobHead, tasks []*g11Task) (leftJob, keep bool) {
	if !h.haveSubmit {
		for _, t := range tasks {
			if t.hasSubmit && (!h.haveSubmit || t.submit < h.submit) {
				h.submit, h.haveSubmit = t.submit, true
			}
		}
	}
	if !h.haveSubmit {
		// Only SCHEDULE and later events: the job was submitted before the window.
		h.submit, h.haveSubmit = 0, true
		b.count("jobs_without_submit", 1)
	}
	leftJob = h.submit <= 0
	if leftJob && b.opt.PreTrace == "drop" {
		b.count("jobs_dropped_pretrace", 1)
		return leftJob, false
	}
	if h.missing && b.opt.MissingInfo == "drop-entity" {
		b.count("jobs_dropped_missing_info", 1)
		return leftJob, false
	}
	return leftJob, true
}

// newJob makes the job, without tasks, from its head; distinct is non-nil
// when max_per_machine 1 is enforced as distinct nodes for every task.
func (g *g11Reader) newJob(b *builder, jobID int64, h *g11JobHead) (j *scheduler.Job, distinct *bool) {
	j = &scheduler.Job{ID: scheduler.JobID(jobID), Name: strconv.FormatInt(jobID, 10), Submit: max(h.submit, 0), Tenant: h.tenant}
	if h.class >= 2 {
		j.Class = scheduler.Service
	}
	for _, a := range h.extra.after {
		j.After = append(j.After, scheduler.JobID(a))
	}
	if h.extra.parent {
		b.count("parent_edges_recorded_not_enforced", 1)
	}
	switch {
	case h.extra.maxPerMachine == 1:
		if b.opt.Constraints == "enforce" {
			t := true
			distinct = &t
		}
	case h.extra.maxPerMachine > 1:
		b.count("max_per_machine_not_enforced", 1)
	}
	return j, distinct
}

// jobTasks adds the job's runnable tasks, each from its last attempt, with
// their flags and the range of their priorities; keep is false when a missing
// request drops the whole job.
func (g *g11Reader) jobTasks(b *builder, j *scheduler.Job, tasks []*g11Task, leftJob bool, distinct *bool, end scheduler.Time) (flags []uint8, maxPrio, minPrio int64, keep bool) {
	maxPrio, minPrio = int64(-1), int64(math.MaxInt64)
	for _, t := range tasks {
		if t.missing && b.opt.MissingInfo == "drop-entity" {
			b.count("tasks_dropped_missing_info", 1)
			continue
		}
		if len(t.attempts) == 0 {
			b.count("tasks_never_scheduled", 1)
			continue
		}
		last := t.attempts[len(t.attempts)-1]
		l := lifetime{submit: j.Submit, start: last.start, hasStart: true, end: last.end, hasEnd: last.hasEnd}
		if last.startPre || leftJob {
			l.submit = -1
		}
		_, rt, f, drop := b.resolve(l, end)
		if drop {
			b.count("tasks_dropped", 1)
			continue
		}
		if b.opt.RuntimeSource == "sum-attempts" {
			for _, a := range t.attempts[:len(t.attempts)-1] {
				if a.hasEnd {
					rt += a.end - a.start
				}
			}
		}
		if len(t.attempts) > 1 {
			f |= flagRetried
		}
		if t.missing {
			f |= flagMissingInfo
		}
		req, ok := last.req, last.reqOK
		if !ok {
			req, ok = t.req, t.reqOK
		}
		if !ok {
			switch missingRequest(b) {
			case "drop-job":
				return flags, maxPrio, minPrio, false
			case "drop-task":
				continue
			}
		}
		task := scheduler.Task{Index: int32(t.idx), Request: req, Runtime: rt, Priority: int32(t.prio)}
		if distinct != nil {
			t.distinct = true
		}
		if b.opt.Constraints == "enforce" && (len(t.sels) > 0 || t.distinct) {
			task.Constraints = &scheduler.Constraints{Selectors: t.sels, DistinctNodes: t.distinct}
		}
		maxPrio, minPrio = max(maxPrio, t.prio), min(minPrio, t.prio)
		j.Tasks = append(j.Tasks, task)
		flags = append(flags, f)
	}
	return flags, maxPrio, minPrio, true
}

// finishJob sets the job's priority and gang size and hands it to the
// builder, unless it has no runnable task.
func (g *g11Reader) finishJob(b *builder, j *scheduler.Job, h *g11JobHead, flags []uint8, maxPrio, minPrio int64) error {
	if len(j.Tasks) == 0 {
		b.count("jobs_without_runnable_tasks", 1)
		return nil
	}
	if maxPrio != minPrio {
		b.count("jobs_mixed_priority", 1)
	}
	j.Priority = int32(maxPrio)
	if h.extra.hasPrio {
		j.Priority = int32(h.extra.prio)
	}
	if b.gang("none") == "job" {
		j.MinMember = int32(len(j.Tasks))
	}
	return b.job(j, flags)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
