package traces

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/schedlab/schedlab/scheduler"
)

// philly: Microsoft Philly traces (TRACES.md §10, §11.9).

// phillyFormat is the philly entry of formatTable.
var phillyFormat = formatSpec{info: FormatInfo{Name: "philly",
	Doc: "Microsoft Philly (ATC'19): cluster_machine_list → GPU machines at time 0; cluster_job_log jobs → one task per host of the chosen attempt (its GPUs), " +
		"ganged per attempt, submitted at submitted_time (tz=), runtime end−start, tenant = vc; jobs without attempts have no demand (missing_request)",
	Files: "cluster_job_log (JSON array), cluster_machine_list (CSV); the util files are not read"},
	newReader: func(*Options) reader { return &phillyReader{} }}

// phillyMachineCols are cluster_machine_list's columns, in file order (a header
// line is skipped; fields are trimmed).
var phillyMachineCols = struct{ MachineID, GPUs, GPUMem column }{
	column{name: "machineId", kind: kindString, required: true, use: "the machine's name (the job log's ip)"},
	column{name: "number of GPUs", kind: kindInt, unit: "GPUs", required: true, use: "whole GPU devices, 0..64"},
	column{name: "single GPU mem", kind: kindString, unit: "GB", required: true, use: "label gpu_mem_gb (a whole number such as 24GB)"},
}

var (
	phillyMachines = newSchemaTable("cluster_machine_list", &phillyMachineCols)
	phillyTables   = []*csvTable{{name: "cluster_job_log"}, phillyMachines, {name: "cluster_gpu_util"}, {name: "cluster_cpu_util"}, {name: "cluster_mem_util"}}
)

// phillyJobKeys are the keys of cluster_job_log's jobs (phillyJob decodes
// them); errors name them.
var phillyJobKeys = struct {
	Status, VC, JobID, SubmittedTime, User, Attempts, StartTime, EndTime, Detail, IP, GPUs jsonKey
}{
	jsonKey{name: "status", kind: jsonString, use: "counted"},
	jsonKey{name: "vc", kind: jsonString, use: "the tenant"},
	jsonKey{name: "jobid", kind: jsonString, required: true, use: "the job's name (empty: missing)"},
	jsonKey{name: "submitted_time", kind: jsonDateTime, unit: "zone tz", use: "the submit (None: the job is dropped, jobs_without_submit); the earliest is the origin"},
	jsonKey{name: "user", kind: jsonString, use: "decoded, not used"},
	jsonKey{name: "attempts", kind: jsonObjectList, use: "the last is the chosen attempt (none: missing_request); runtime=sum-attempts adds the others"},
	jsonKey{name: "attempts.start_time", kind: jsonDateTime, unit: "zone tz", use: "the attempt's start"},
	jsonKey{name: "attempts.end_time", kind: jsonDateTime, unit: "zone tz", use: "the attempt's end (None: censored)"},
	jsonKey{name: "attempts.detail", kind: jsonObjectList, use: "the attempt's hosts: one task each"},
	jsonKey{name: "attempts.detail.ip", kind: jsonString, use: "counted (unknown machines); not joined to the machine list"},
	jsonKey{name: "attempts.detail.gpus", kind: jsonStringList, use: "the host's GPUs: the task's GPU count"},
}

var phillyJobLog = newJSONTable("cluster_job_log", &phillyJobKeys)

type phillyReader struct {
	loc     *time.Location
	origin  int64 // earliest submit, Unix µs
	haveMin bool
	maxT    int64
}

type phillyDetail struct {
	IP   jStr   `json:"ip"`
	GPUs []jStr `json:"gpus"`
}

type phillyAttempt struct {
	Start  jStr           `json:"start_time"`
	End    jStr           `json:"end_time"`
	Detail []phillyDetail `json:"detail"`
}

type phillyJob struct {
	Status    jStr            `json:"status"`
	VC        jStr            `json:"vc"`
	JobID     jStr            `json:"jobid"`
	Submitted jStr            `json:"submitted_time"`
	User      jStr            `json:"user"`
	Attempts  []phillyAttempt `json:"attempts"`
}

// parseTime parses "YYYY-MM-DD HH:MM:SS" in loc into Unix µs; missing values
// (null, "None", "") give ok = false; anything else unparseable is an error.
func (p *phillyReader) parseTime(s jStr) (int64, bool, error) {
	v := strings.TrimSpace(s.V)
	if !s.Ok || v == "" || v == "None" || v == "null" {
		return 0, false, nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", v, p.loc)
	if err != nil {
		return 0, false, fmt.Errorf("time %q is not YYYY-MM-DD HH:MM:SS", v)
	}
	if !checkTimeSeconds(float64(t.Unix())) {
		return 0, false, &phillyRangeError{timeRangeMsg(strconv.Quote(v)) + " of the Unix epoch"}
	}
	return t.UnixMicro(), true, nil
}

// phillyRangeError is a well-formed time outside the time range.
type phillyRangeError struct{ msg string }

func (e *phillyRangeError) Error() string { return e.msg }

// timeReason is the InputError reason of a parseTime error.
func timeReason(err error) string {
	var re *phillyRangeError
	if errors.As(err, &re) {
		return "overflow"
	}
	return "bad_time"
}

func (p *phillyReader) input(b *builder, m member) (bool, error) {
	t := matchTable(m.name, phillyTables)
	if t == nil {
		return false, nil
	}
	if p.loc == nil {
		loc, err := time.LoadLocation(b.opt.Location)
		if err != nil {
			return false, badf("option tz=%q: %v", b.opt.Location, err)
		}
		p.loc = loc
	}
	switch t.name {
	case "cluster_machine_list":
		return true, p.machineList(b, m)
	case "cluster_job_log":
		return true, p.jobLog(b, m)
	}
	return false, nil
}

// machineList reads cluster_machine_list: one GPU machine per row, at time 0.
func (p *phillyReader) machineList(b *builder, m member) error {
	c := &phillyMachineCols
	return b.readCSV(m, phillyMachines, func(r *row) error {
		for i := range r.f {
			r.f[i] = trimSpace(r.f[i])
		}
		if string(c.MachineID.bytes(r)) == "machineId" || string(c.MachineID.bytes(r)) == "machine" {
			b.addRows(phillyMachines.name, -1)
			return nil // header
		}
		n := c.GPUs.int(r)
		mem := strings.TrimSuffix(strings.ToUpper(string(c.GPUMem.bytes(r))), "GB")
		gb, err := strconv.ParseInt(strings.TrimSpace(mem), 10, 64)
		if r.err == nil && err != nil {
			c.GPUMem.fail(r, "bad_number", "value "+quoteField(c.GPUMem.bytes(r))+" is not a whole number of GB such as 24GB")
		}
		if r.err == nil && (n < 0 || n > scheduler.MaxGPUsPerNode) {
			c.GPUs.fail(r, "invalid", "number of GPUs out of range 0..64")
		}
		if r.err == nil && len(c.MachineID.bytes(r)) == 0 {
			c.MachineID.missing(r)
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		node := scheduler.Node{Name: c.MachineID.str(r), GPUs: int(n), Capacity: scheduler.Res(0, 0, n*1000),
			Labels: []scheduler.Label{{Key: "gpu_mem_gb", Value: strconv.FormatInt(gb, 10)}}}
		if _, dup := b.machines[node.Name]; dup {
			return b.orphan("duplicate_machine")
		}
		return b.node(&scheduler.NodeEvent{Kind: scheduler.NodeAdd, Node: node})
	})
}

// lineCounter counts the newlines before each byte offset still of interest.
type lineCounter struct {
	r       io.Reader
	off     int64
	dropped int64   // newlines before offsets no longer kept
	nl      []int64 // offsets of kept newlines
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			c.nl = append(c.nl, c.off+int64(i))
		}
	}
	c.off += int64(n)
	return n, err
}

// forget drops newlines before off.
func (c *lineCounter) forget(off int64) {
	i := sort.Search(len(c.nl), func(i int) bool { return c.nl[i] >= off })
	c.dropped += int64(i)
	c.nl = append(c.nl[:0], c.nl[i:]...)
}

// line returns the 1-based line of offset off (off must not be forgotten).
func (c *lineCounter) line(off int64) int64 {
	return c.dropped + int64(sort.Search(len(c.nl), func(i int) bool { return c.nl[i] >= off })) + 1
}

// phillyLog reads cluster_job_log: one JSON array of jobs.
type phillyLog struct {
	p   *phillyReader
	b   *builder
	m   member
	lc  *lineCounter
	dec *json.Decoder
	st  statusCounter
	buf []byte
}

// phillyAttemptTimes is an attempt's times and the GPU count on each of its hosts.
type phillyAttemptTimes struct {
	s, e   int64
	hs, he bool
	hosts  []int64
}

func (p *phillyReader) jobLog(b *builder, m member) error {
	lc := &lineCounter{r: bufio.NewReaderSize(m.r, 256<<10)}
	b.inTable("cluster_job_log")
	in := &phillyLog{p: p, b: b, m: m, lc: lc, dec: json.NewDecoder(lc), st: statusCounter{prefix: "cluster_job_log/"}}
	defer in.st.flush(b)
	tok, err := in.dec.Token()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return in.fail(0, "json", "bad_json", "invalid JSON: "+err.Error())
	}
	array := tok == json.Delim('[')
	if !array {
		return in.fail(0, "json", "bad_json", "want a JSON array of jobs")
	}
	for in.dec.More() {
		start := in.elementStart()
		var j phillyJob
		if err := in.dec.Decode(&j); err != nil {
			var te *json.UnmarshalTypeError
			field := "json"
			if errors.As(err, &te) {
				field = te.Field
				// A type error leaves the decoder usable: skip the element.
				b.addRows("cluster_job_log", 1)
				if e := b.bad(in.fail(start, field, "bad_json", "in the job starting here: "+err.Error())); e != nil {
					return e
				}
				continue
			}
			return in.fail(start, field, "bad_json", "invalid JSON in the job starting here: "+err.Error())
		}
		b.addRows("cluster_job_log", 1)
		if err := in.job(start, &j); err != nil {
			return err
		}
	}
	if _, err := in.dec.Token(); err != nil {
		return in.fail(in.dec.InputOffset(), "json", "bad_json", "unterminated job array: "+err.Error())
	}
	return nil
}

// fail is the bad-input error for a field of the element at offset off.
func (in *phillyLog) fail(off int64, field, reason, msg string) *InputError {
	return &InputError{File: in.m.name, Line: in.lc.line(off), Field: field, Reason: reason, Msg: msg}
}

// elementStart is the offset of the next element's first byte (past the
// separator), for its line number.
func (in *phillyLog) elementStart() int64 {
	start := in.dec.InputOffset()
	if br, ok := in.dec.Buffered().(io.ByteReader); ok {
		for {
			c, err := br.ReadByte()
			if err != nil || (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ',') {
				break
			}
			start++
		}
	}
	in.lc.forget(start)
	return start
}

// check parses a job's times: the submit time and its attempts', or the
// bad-input error for the first that is wrong.
func (in *phillyLog) check(start int64, j *phillyJob) (sub int64, hs bool, atts []phillyAttemptTimes, ie *InputError) {
	p := in.p
	sub, hs, err := p.parseTime(j.Submitted)
	if err != nil {
		return 0, false, nil, in.fail(start, phillyJobKeys.SubmittedTime.name, timeReason(err), err.Error())
	} else if !j.JobID.Ok || j.JobID.V == "" {
		return 0, false, nil, in.fail(start, phillyJobKeys.JobID.name, "missing_field", "required key is absent or empty")
	}
	for _, a := range j.Attempts {
		var x phillyAttemptTimes
		var err error
		if x.s, x.hs, err = p.parseTime(a.Start); err != nil {
			return 0, false, nil, in.fail(start, phillyJobKeys.StartTime.name, timeReason(err), err.Error())
		}
		if x.e, x.he, err = p.parseTime(a.End); err != nil {
			return 0, false, nil, in.fail(start, phillyJobKeys.EndTime.name, timeReason(err), err.Error())
		}
		for _, d := range a.Detail {
			x.hosts = append(x.hosts, int64(len(d.GPUs)))
		}
		atts = append(atts, x)
	}
	return sub, hs, atts, nil
}

// job checks one decoded job, records its times and machines and groups it.
func (in *phillyLog) job(start int64, j *phillyJob) error {
	p, b := in.p, in.b
	sub, hs, atts, ie := in.check(start, j)
	if ie != nil {
		return b.bad(ie)
	}
	in.st.add([]byte(j.Status.V))
	neg := hs && sub < 0
	for _, a := range atts {
		neg = neg || a.hs && a.s < 0 || a.he && a.e < 0
	}
	b.timeSeen("cluster_job_log", neg, float64(sub), hs && sub > 0)
	for _, a := range j.Attempts {
		for _, d := range a.Detail {
			b.machineRef("cluster_job_log", []byte(d.IP.V))
		}
	}
	if hs && (!p.haveMin || sub < p.origin) {
		p.origin, p.haveMin = sub, true
	}
	if hs {
		p.maxT = max(p.maxT, sub)
	}
	e := enc{in.buf[:0]}
	e.optInt(sub, hs)
	e.str(j.VC.V)
	e.str(j.User.V)
	e.uint(uint64(len(atts)))
	for _, a := range atts {
		e.optInt(a.s, a.hs)
		e.optInt(a.e, a.he)
		if a.he {
			p.maxT = max(p.maxT, a.e)
		}
		if a.hs {
			p.maxT = max(p.maxT, a.s)
		}
		e.uint(uint64(len(a.hosts)))
		for _, h := range a.hosts {
			e.int(h)
		}
	}
	in.buf = e.b
	return b.group([]byte(j.JobID.V), nil, in.buf)
}

func (p *phillyReader) originMicros(b *builder) int64 {
	if b.opt.Origin >= 0 {
		return b.opt.Origin * 1e6
	}
	return p.origin
}

func (p *phillyReader) finish(b *builder) error {
	if p.haveMin {
		b.seen(0)
		if p.maxT > 0 {
			b.seen(scheduler.Time(p.maxT - p.originMicros(b)))
		}
	}
	return nil
}

func (p *phillyReader) assemble(b *builder, key []byte, recs []record) error {
	if len(recs) > 1 {
		b.count("duplicate_jobs", int64(len(recs)-1))
	}
	b.st.Jobs++
	d := dec{b: recs[0].val}
	sub, hs := d.optInt()
	vc, _ := d.str(), d.str()
	n := d.count()
	type att struct {
		s, e   int64
		hs, he bool
		hosts  []int64
	}
	atts := make([]att, n)
	for i := range atts {
		a := &atts[i]
		a.s, a.hs = d.optInt()
		a.e, a.he = d.optInt()
		for k := d.count(); k > 0; k-- {
			a.hosts = append(a.hosts, d.int())
		}
	}
	if !hs {
		b.count("jobs_without_submit", 1)
		return nil
	}
	o := p.originMicros(b)
	j := &scheduler.Job{ID: scheduler.JobID(b.st.Jobs), Name: string(key), Submit: scheduler.Time(sub - o), Tenant: vc}
	if len(atts) == 0 || len(atts[len(atts)-1].hosts) == 0 {
		b.count("jobs_without_attempts", 1)
		if b.opt.MissingRequest != "zero" {
			return nil
		}
		atts = []att{{hosts: []int64{0}}}
	}
	last := atts[len(atts)-1]
	b.st.Tasks += int64(len(last.hosts))
	l := lifetime{submit: j.Submit}
	if last.hs {
		l.start, l.hasStart = scheduler.Time(last.s-o), true
	}
	if last.he {
		l.end, l.hasEnd = scheduler.Time(last.e-o), true
	}
	submit, rt, f, drop := b.resolve(l, b.traceEnd(0))
	if drop {
		b.count("jobs_dropped", 1)
		return nil
	}
	if b.opt.RuntimeSource == "sum-attempts" && rt != scheduler.Forever {
		for _, a := range atts[:len(atts)-1] {
			if a.hs && a.he && a.e > a.s {
				rt += scheduler.Time(a.e - a.s)
			}
		}
	}
	if len(atts) > 1 {
		f |= flagRetried
	}
	j.Submit = submit
	var flags []uint8
	for i, g := range last.hosts {
		t := scheduler.Task{Index: int32(i), Runtime: rt}
		if g > 0 {
			t.GPUCount, t.GPUMilli = int32(min(g, scheduler.MaxGPUsPerNode)), 1000
			t.Request[scheduler.GPU] = int64(t.GPUCount) * 1000
		}
		j.Tasks = append(j.Tasks, t)
		flags = append(flags, f)
	}
	if g := b.gang("attempt"); g == "job" || g == "task" {
		j.MinMember = int32(len(j.Tasks))
	}
	return b.job(j, flags)
}

func (p *phillyReader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	t := matchTable(name, phillyTables)
	if t == nil || t.name != "cluster_machine_list" {
		return false, 0, nil
	}
	var f [][]byte
	return true, 0, func(line []byte) (rowKeys, bool) {
		f, _, _ = splitCSV(line, f, nil)
		if len(f) < 1 || string(f[0]) == "machineId" {
			return rowKeys{}, false
		}
		return rowKeys{machine: trimSpace(f[0])}, true
	}
}
