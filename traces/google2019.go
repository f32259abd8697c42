package traces

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// google2019: Google ClusterData 2019, Borg trace v3, one cell (TRACES.md §4,
// §11.3). Rows are converted to the google2011 record layout (event codes mapped
// to 2011's) and assembled by the same code.

// g19Format is the google2019 entry of formatTable.
var g19Format = formatSpec{info: FormatInfo{Name: "google2019",
	Doc: "Google ClusterData 2019 (Borg v3), one cell: machine_events → machines (ADD 1, REMOVE 2 = fail, UPDATE 3; switch → domain); collection_events (jobs; alloc sets flattened) + instance_events → jobs of instances, " +
		"start_after_collection_ids → After, constraints → selectors, max_per_machine 1 → distinct nodes; int64 as number or string",
	Files: "collection_events-*.json.gz, instance_events-*.json.gz, machine_events-*.json.gz, machine_attributes-*.json.gz (newline-delimited JSON); instance_usage is not read"},
	newReader: func(*Options) reader { return &g19Reader{g11Reader{shards: map[string]*shardSet{}}} },
	optional:  []string{"machine_attributes"}}

var g19Tables = []*csvTable{{name: "collection_events"}, {name: "instance_events"}, {name: "machine_events"}, {name: "machine_attributes"}, {name: "instance_usage"}}

// The key schemas of the tables read. One decoder (g19Row) reads them all; a
// key of another table is checked too when a row has it.
var (
	g19Time          = jsonKey{name: "time", kind: jsonInt, unit: "µs", required: true, use: "when the event happens (0 before, 2^63−1 after the window)"}
	g19MissingType   = jsonKey{name: "missing_type", kind: jsonInt, use: "nonzero: the row's times are synthesised (see missing_info)"}
	g19CollectionID  = jsonKey{name: "collection_id", kind: jsonInt, required: true, use: "the job"}
	g19MachineEvents = &jsonTable{name: "machine_events", keys: []jsonKey{
		{name: "time", kind: jsonInt, unit: "µs", required: true, use: "when the event happens (0 before the window)"},
		{name: "machine_id", kind: jsonInt, required: true, use: "the machine's name"},
		{name: "type", kind: jsonInt, required: true, use: "1 ADD, 2 REMOVE (fail), 3 UPDATE; 0 counted and ignored"},
		{name: "platform_id", kind: jsonString, use: "label platform"},
		{name: "capacity", kind: jsonObject, use: "the capacity (absent: the last known)"},
		{name: "capacity.cpus", kind: jsonNumber, unit: "normalised 0..1", use: "CPU capacity × norm_cpu (empty: the last known)"},
		{name: "capacity.memory", kind: jsonNumber, unit: "normalised 0..1", use: "memory capacity × norm_mem (empty: the last known)"},
		{name: "switch_id", kind: jsonString, use: "the machine's domain and label switch"},
		{name: "missing_data_reason", kind: jsonInt, use: "nonzero: counted (machine_events_missing_data)"},
	}}
	g19MachineAttributes = &jsonTable{name: "machine_attributes", keys: []jsonKey{
		{name: "time", kind: jsonInt, unit: "µs", required: true, use: "when the attribute is set"},
		{name: "machine_id", kind: jsonInt, required: true, use: "the machine"},
		{name: "name", kind: jsonString, use: "a label's key (attributes in force at the first ADD)"},
		{name: "value", kind: jsonString, use: "the label's value"},
		{name: "deleted", kind: jsonBool, use: "true: the attribute is deleted"},
	}}
	g19CollectionEvents = &jsonTable{name: "collection_events", keys: []jsonKey{
		g19Time,
		{name: "type", kind: jsonInt, required: true, use: "0..10: the first SUBMIT (0) is the job's submit; QUEUE and ENABLE counted only"},
		g19CollectionID,
		{name: "scheduling_class", kind: jsonInt, use: "0..3: 2 or 3 makes a service job"},
		g19MissingType,
		{name: "collection_type", kind: jsonInt, use: "0 a job; 1 an alloc set (flattened)"},
		{name: "priority", kind: jsonInt, use: "the job's priority"},
		{name: "user", kind: jsonString, use: "the tenant"},
		{name: "parent_collection_id", kind: jsonInt, use: "recorded, not enforced (parent_edges_recorded_not_enforced)"},
		{name: "start_after_collection_ids", kind: jsonIntList, use: "start-after dependencies (Job.After)"},
		{name: "max_per_machine", kind: jsonInt, use: "1: the instances on distinct machines; larger counted, not enforced"},
	}}
	g19InstanceEvents = &jsonTable{name: "instance_events", keys: []jsonKey{
		g19Time,
		{name: "type", kind: jsonInt, required: true, use: "0..10: SCHEDULE starts an attempt, EVICT…LOST end it; QUEUE and ENABLE counted only"},
		g19CollectionID,
		{name: "scheduling_class", kind: jsonInt, use: "0..3"},
		g19MissingType,
		{name: "collection_type", kind: jsonInt, use: "1: an alloc set's instance, dropped (alloc_instance_rows_flattened)"},
		{name: "priority", kind: jsonInt, use: "the task's priority; the job's is its tasks' largest"},
		{name: "instance_index", kind: jsonInt, required: true, use: "the task"},
		{name: "machine_id", kind: jsonInt, use: "counted (unknown machines; −1: dedicated_machine_rows)"},
		{name: "resource_request", kind: jsonObject, use: "the request (last non-empty value)"},
		{name: "resource_request.cpus", kind: jsonNumber, unit: "normalised 0..1", use: "CPU request × norm_cpu"},
		{name: "resource_request.memory", kind: jsonNumber, unit: "normalised 0..1", use: "memory request × norm_mem"},
		{name: "user", kind: jsonString, use: "the tenant, when the collection has no user"},
		{name: "constraint", kind: jsonObjectList, use: "selectors (constraints=enforce)"},
		{name: "constraint.name", kind: jsonString, use: "the selector's key"},
		{name: "constraint.value", kind: jsonString, use: "the selector's value (an integer for the ordering relations)"},
		{name: "constraint.relation", kind: jsonInt, use: "0 EQUAL, 1 NOT_EQUAL, 2 LESS_THAN, 3 GREATER_THAN, 4 LESS_THAN_EQUAL, 5 GREATER_THAN_EQUAL, 6 PRESENT, 7 NOT_PRESENT"},
	}}
	// g19Schemas are the tables read, in the order docs/traces.md shows them.
	g19Schemas = []*jsonTable{g19MachineEvents, g19MachineAttributes, g19CollectionEvents, g19InstanceEvents}
	// g19Required is, per table, which of g19IntKeys its schema requires.
	g19Required = g19RequiredInts(g19Schemas)
)

// g19IntKeys are the integer keys problem checks, in its order.
var g19IntKeys = [...]string{"time", "type", "collection_id", "scheduling_class", "missing_type", "collection_type",
	"priority", "parent_collection_id", "max_per_machine", "instance_index", "machine_id", "missing_data_reason"}

// g19RequiredInts returns, per table of schemas, which of g19IntKeys its schema
// requires (the only keys the reader requires).
func g19RequiredInts(schemas []*jsonTable) map[string][len(g19IntKeys)]bool {
	out := map[string][len(g19IntKeys)]bool{}
	for _, t := range schemas {
		req, err := t.requiredOf(g19IntKeys[:])
		if err != nil {
			panic(err)
		}
		out[t.name] = [len(g19IntKeys)]bool(req)
	}
	return out
}

var g19EventNames = []string{"SUBMIT", "QUEUE", "ENABLE", "SCHEDULE", "EVICT", "FAIL", "FINISH", "KILL", "LOST", "UPDATE_PENDING", "UPDATE_RUNNING"}

// g19To11 maps a 2019 EventType to the 2011 code (−1: QUEUE and ENABLE, kept as
// events only).
var g19To11 = []int64{0, -1, -1, 1, 2, 3, 4, 5, 6, 7, 8}

type g19Res struct {
	CPUs   jFloat `json:"cpus"`
	Memory jFloat `json:"memory"`
}

type g19Constraint struct {
	Name     jStr `json:"name"`
	Value    jStr `json:"value"`
	Relation jInt `json:"relation"`
}

// g19Row is the union of the rows of the four tables read.
type g19Row struct {
	Time               jInt            `json:"time"`
	Type               jInt            `json:"type"`
	CollectionID       jInt            `json:"collection_id"`
	SchedulingClass    jInt            `json:"scheduling_class"`
	MissingType        jInt            `json:"missing_type"`
	CollectionType     jInt            `json:"collection_type"`
	Priority           jInt            `json:"priority"`
	User               jStr            `json:"user"`
	ParentCollectionID jInt            `json:"parent_collection_id"`
	StartAfter         []jInt          `json:"start_after_collection_ids"`
	MaxPerMachine      jInt            `json:"max_per_machine"`
	InstanceIndex      jInt            `json:"instance_index"`
	MachineID          jInt            `json:"machine_id"`
	ResourceRequest    *g19Res         `json:"resource_request"`
	Constraint         []g19Constraint `json:"constraint"`
	SwitchID           jStr            `json:"switch_id"`
	Capacity           *g19Res         `json:"capacity"`
	PlatformID         jStr            `json:"platform_id"`
	MissingDataReason  jInt            `json:"missing_data_reason"`
	Name               jStr            `json:"name"`
	Value              jStr            `json:"value"`
	Deleted            jBool           `json:"deleted"`
}

type g19Reader struct{ g11Reader }

func (g *g19Reader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	t := matchTable(name, g19Tables)
	if t == nil || t.name == "instance_usage" {
		return false, 0, nil
	}
	return true, 0, func(line []byte) (rowKeys, bool) {
		var r g19Row
		if json.Unmarshal(line, &r) != nil {
			return rowKeys{}, false
		}
		var k rowKeys
		if r.Time.Ok && r.Time.V > 0 && r.Time.V < g11After {
			k.time, k.hasTime = scheduler.Time(r.Time.V-g11Origin), true
		}
		if r.CollectionID.Ok {
			k.job = []byte(strconv.FormatInt(r.CollectionID.V, 10))
		}
		if r.MachineID.Ok && r.MachineID.V > 0 {
			k.machine = []byte(strconv.FormatInt(r.MachineID.V, 10))
		}
		return k, true
	}
}

// jsonErr builds the error for a bad row.
func jsonErr(file string, line int64, col int, field, reason, msg string) *InputError {
	return &InputError{File: file, Line: line, Column: col, Field: field, Reason: reason, Msg: msg}
}

// g19Input reads one google2019 table: the table, its lines, the per-type event
// counts and the buffers reused between rows.
type g19Input struct {
	g                   *g19Reader
	b                   *builder
	t                   *csvTable
	lr                  *lineReader
	req                 [len(g19IntKeys)]bool // the integer keys the table requires
	counts              [11]int64
	key, sub, buf, mbuf []byte
}

func (g *g19Reader) input(b *builder, m member) (bool, error) {
	t := matchTable(m.name, g19Tables)
	if t == nil || t.name == "instance_usage" {
		return false, nil
	}
	in := &g19Input{g: g, b: b, t: t, lr: newLineReader(m), req: g19Required[t.name]}
	b.inTable(t.name)
	defer in.flushCounts()
	for {
		line, err := in.lr.next()
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return true, err
		}
		if len(trimSpace(line)) == 0 {
			continue
		}
		b.addRows(t.name, 1)
		if err := in.row(line); err != nil {
			return true, err
		}
	}
}

// flushCounts adds the per-type counts to the statistics' events.
func (in *g19Input) flushCounts() {
	for i, n := range in.counts {
		if n > 0 {
			in.b.st.Events[in.t.name+"/"+g19EventNames[i]] += n
		}
	}
}

// row decodes, checks and dispatches one line.
func (in *g19Input) row(line []byte) error {
	var r g19Row
	if err := json.Unmarshal(line, &r); err != nil {
		return in.b.bad(in.jsonError(err))
	}
	if field, reason, msg, bad := r.problem(in.t.name, &in.req); bad {
		return in.b.bad(jsonErr(in.lr.file, in.lr.line, 0, field, reason, msg))
	}
	b := in.b
	b.timeSeen(in.t.name, r.Time.V < 0, float64(r.Time.V), r.Time.V > 0 && r.Time.V != g11After)
	tm, before, after := in.g.time(b, r.Time.V)
	if !before && !after && in.t.name != "machine_attributes" {
		b.seen(tm)
	}
	switch in.t.name {
	case "machine_events":
		return in.machineEvent(&r, tm, after)
	case "machine_attributes":
		return in.machineAttribute(&r, tm, after)
	case "collection_events":
		return in.collectionEvent(&r, tm)
	case "instance_events":
		return in.instanceEvent(&r, tm, before, after)
	}
	return nil
}

// jsonError is the bad-input error for a line that is not a valid row.
func (in *g19Input) jsonError(err error) *InputError {
	col, msg := 0, err.Error()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	field := "json"
	if errors.As(err, &se) {
		col = int(se.Offset)
	} else if errors.As(err, &te) {
		col, field = int(te.Offset), te.Field
	}
	return jsonErr(in.lr.file, in.lr.line, col, field, "bad_json", "invalid JSON: "+msg)
}

// ints returns the integer keys of r that problem checks, in g19IntKeys' order.
func (r *g19Row) ints() [len(g19IntKeys)]jInt {
	return [...]jInt{r.Time, r.Type, r.CollectionID, r.SchedulingClass, r.MissingType, r.CollectionType,
		r.Priority, r.ParentCollectionID, r.MaxPerMachine, r.InstanceIndex, r.MachineID, r.MissingDataReason}
}

// problem returns the first thing wrong with a row of table (bad is false if
// nothing is); req says which of its integer keys the table requires.
func (r *g19Row) problem(table string, req *[len(g19IntKeys)]bool) (field, reason, msg string, bad bool) {
	for k, v := range r.ints() {
		name := g19IntKeys[k]
		if v.Bad != "" && v.Range && name == "time" {
			return name, "overflow", timeRangeMsg(v.Bad), true
		}
		if v.Bad != "" {
			return name, "bad_number", "value " + v.Bad + " is not an int64", true
		}
		if req[k] && !v.Ok {
			return name, "missing_field", "required key is absent or null", true
		}
	}
	for _, a := range r.StartAfter {
		if a.Bad != "" || !a.Ok {
			return "start_after_collection_ids", "bad_number", "element " + a.Bad + " is not an int64", true
		}
	}
	for _, res := range []*g19Res{r.ResourceRequest, r.Capacity} {
		if res != nil && (res.CPUs.Bad != "" || res.Memory.Bad != "") {
			return "resources", "bad_number", "cpus/memory value is not a number", true
		}
	}
	if r.Time.V != g11After && !checkTimeMicros(r.Time.V) {
		return "time", "overflow", timeRangeMsg(strconv.FormatInt(r.Time.V, 10)), true
	}
	if r.Deleted.Bad != "" {
		return "deleted", "bad_bool", "value " + r.Deleted.Bad + " is not a boolean", true
	}
	if table != "machine_attributes" {
		limit := int64(10)
		if table == "machine_events" {
			limit = 3
		}
		if r.Type.V < 0 || r.Type.V > limit {
			return "type", "unknown_code", "unknown event type " + strconv.FormatInt(r.Type.V, 10), true
		}
	}
	return "", "", "", false
}

// machineEvent keeps a machine_events row, in the 2011 layout.
func (in *g19Input) machineEvent(r *g19Row, tm scheduler.Time, after bool) error {
	b, g := in.b, in.g
	if r.Type.V == 0 {
		b.count("machine_events_unknown_type", 1)
		return nil
	}
	b.st.Events["machine_events/"+[]string{"", "ADD", "REMOVE", "UPDATE"}[r.Type.V]]++
	if after {
		return nil
	}
	if r.MissingDataReason.Ok && r.MissingDataReason.V != 0 {
		b.count("machine_events_missing_data", 1)
	}
	if g.machines == nil {
		g.machines = newSorter(b.opt)
	}
	g.seq++
	e := enc{in.buf[:0]}
	e.int(int64(tm))
	e.int(r.MachineID.V)
	e.int(r.Type.V - 1)
	e.str(r.PlatformID.V)
	var cap g19Res
	if r.Capacity != nil {
		cap = *r.Capacity
	}
	e.optFloat(cap.CPUs.V, cap.CPUs.Ok)
	e.optFloat(cap.Memory.V, cap.Memory.Ok)
	e.str(r.SwitchID.V)
	in.buf = e.b
	return g.machines.add(appendKeyInt(appendKeyInt(nil, int64(tm)), g.seq), in.buf)
}

// machineAttribute keeps a machine_attributes row, in the 2011 layout.
func (in *g19Input) machineAttribute(r *g19Row, tm scheduler.Time, after bool) error {
	b, g := in.b, in.g
	if after {
		return nil
	}
	if g.attrs == nil {
		g.attrs = newSorter(b.opt)
	}
	g.seq++
	e := enc{in.buf[:0]}
	e.str(r.Name.V)
	e.str(r.Value.V)
	if r.Deleted.V {
		e.int(1)
	} else {
		e.int(0)
	}
	in.buf = e.b
	return g.attrs.add(appendKeyInt(appendKeyInt(appendKeyInt(nil, r.MachineID.V), int64(tm)), g.seq), in.buf)
}

// collectionEvent groups a collection_events row under its job, as a 2011
// job_events row.
func (in *g19Input) collectionEvent(r *g19Row, tm scheduler.Time) error {
	in.counts[r.Type.V]++
	in.key = appendKeyInt(in.key[:0], r.CollectionID.V)
	in.sub = appendKeyInt(append(in.sub[:0], 0), int64(tm))
	typ := g19To11[r.Type.V]
	if typ < 0 {
		typ = 7 // QUEUE, ENABLE: no lifecycle effect (UPDATE_PENDING in 2011 terms)
	}
	e := enc{in.buf[:0]}
	e.int(int64(tm))
	e.optInt(r.MissingType.V, r.MissingType.Ok && r.MissingType.V != 0)
	e.int(typ)
	e.str(r.User.V)
	e.optInt(r.SchedulingClass.V, r.SchedulingClass.Ok)
	x := g11JobExtra{prio: r.Priority.V, hasPrio: r.Priority.Ok, alloc: r.CollectionType.V == 1,
		parent: r.ParentCollectionID.Ok && r.ParentCollectionID.V != 0, maxPerMachine: r.MaxPerMachine.V}
	for _, a := range r.StartAfter {
		x.after = append(x.after, a.V)
	}
	e = appendJobExtra(e, x)
	in.buf = e.b
	return in.b.group(in.key, in.sub, in.buf)
}

// instanceEvent groups an instance_events row under its job, as a 2011
// task_events row followed by its constraints.
func (in *g19Input) instanceEvent(r *g19Row, tm scheduler.Time, before, after bool) error {
	b := in.b
	in.counts[r.Type.V]++
	if r.CollectionType.V == 1 {
		b.count("alloc_instance_rows_flattened", 1)
		return nil
	}
	typ := g19To11[r.Type.V]
	if typ < 0 {
		return nil
	}
	in.key = appendKeyInt(in.key[:0], r.CollectionID.V)
	in.sub = appendKeyInt(appendKeyInt(append(in.sub[:0], 1), r.InstanceIndex.V), int64(tm))
	var bits byte
	if before {
		bits |= 1
	}
	if after {
		bits |= 2
	}
	if r.MissingType.Ok && r.MissingType.V != 0 {
		bits |= 4
	}
	e := enc{append(in.buf[:0], bits, byte(typ))}
	e.int(int64(tm))
	mach := r.MachineID
	if mach.V == -1 {
		b.count("dedicated_machine_rows", 1)
	}
	e.optInt(mach.V, mach.Ok && mach.V > 0)
	if mach.Ok && mach.V > 0 {
		in.mbuf = strconv.AppendInt(in.mbuf[:0], mach.V, 10)
		b.machineRef("instance_events", in.mbuf)
	}
	e.int(r.Priority.V)
	e.optInt(r.SchedulingClass.V, r.SchedulingClass.Ok)
	var req g19Res
	if r.ResourceRequest != nil {
		req = *r.ResourceRequest
	}
	e.optFloat(req.CPUs.V, req.CPUs.Ok)
	e.optFloat(req.Memory.V, req.Memory.Ok)
	e.optFloat(0, false)
	e.str(r.User.V)
	in.buf = e.b
	if err := b.group(in.key, in.sub, in.buf); err != nil {
		return err
	}
	return in.constraints(r, tm)
}

// constraints groups an instance's constraints under its job, as 2011
// task_constraints rows at the same time.
func (in *g19Input) constraints(r *g19Row, tm scheduler.Time) error {
	for _, c := range r.Constraint {
		op, vals, ok := g19Relation(c)
		if !ok {
			in.b.count("constraints_unsupported_relation", 1)
			continue
		}
		csub := appendKeyInt(appendKeyInt([]byte{2}, r.InstanceIndex.V), int64(tm))
		ce := enc{}
		ce.int(int64(op))
		ce.str(c.Name.V)
		ce.uint(uint64(len(vals)))
		for _, v := range vals {
			ce.str(v)
		}
		if err := in.b.group(in.key, csub, ce.b); err != nil {
			return err
		}
	}
	return nil
}

// g19Relation maps a MachineConstraint relation to a selector. The core compares
// Lt/Gt as integers: LESS_THAN_EQUAL x becomes Lt x+1 (and GREATER_THAN_EQUAL Gt
// x−1) when x is an integer; non-integer ordering values are unsupported.
func g19Relation(c g19Constraint) (scheduler.SelectorOp, []string, bool) {
	v := c.Value.V
	switch c.Relation.V {
	case 0:
		return scheduler.OpEq, []string{v}, true
	case 1:
		return scheduler.OpNe, []string{v}, true
	case 2, 3, 4, 5:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, nil, false
		}
		switch c.Relation.V {
		case 2:
			return scheduler.OpLt, []string{strconv.FormatInt(n, 10)}, true
		case 3:
			return scheduler.OpGt, []string{strconv.FormatInt(n, 10)}, true
		case 4:
			return scheduler.OpLt, []string{strconv.FormatInt(n+1, 10)}, true
		default:
			return scheduler.OpGt, []string{strconv.FormatInt(n-1, 10)}, true
		}
	case 6:
		return scheduler.OpExists, nil, true
	case 7:
		return scheduler.OpNotExists, nil, true
	}
	return 0, nil, false
}
