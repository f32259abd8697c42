package traces

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// swf: the Standard Workload Format v2.2 of the Parallel Workloads Archive
// (TRACES.md §10a).

// swfFormat is the swf entry of formatTable.
var swfFormat = formatSpec{info: FormatInfo{Name: "swf",
	Doc: "Standard Workload Format (Parallel Workloads Archive): each job → a rigid gang of requested (else allocated) one-core tasks, runtime = Run Time, memory KB/processor; " +
		"preceding job → After; machines: MaxNodes nodes of MaxProcs/MaxNodes cores from the header (else one-core nodes for the largest job)",
	Files: "*.swf, *.swf.gz (any input is read as SWF)"},
	newReader: func(*Options) reader { return &swfReader{} }}

// swfColumns are an SWF line's 18 fields, in order (every field is a number,
// −1 for unknown).
var swfColumns = struct {
	JobNumber, SubmitTime, WaitTime, RunTime, AllocatedProcessors, AverageCPUTime, UsedMemory,
	RequestedProcessors, RequestedTime, RequestedMemory, Status, UserID, GroupID, Executable,
	Queue, Partition, PrecedingJob, ThinkTime column
}{
	column{name: "job_number", kind: kindIntOrFloat, use: "the job's ID and name"},
	column{name: "submit_time", kind: kindRoundedSeconds, use: "the submit (s since the log's start; −1 is pre-trace)"},
	column{name: "wait_time", kind: kindRoundedSeconds, use: "the start: submit + wait"},
	column{name: "run_time", kind: kindRoundedSeconds, use: "the runtime (−1: censored at the largest time in the data)"},
	column{name: "allocated_processors", kind: kindIntOrFloat, use: "the task count when requested_processors is unknown"},
	column{name: "average_cpu_time", kind: kindIntOrFloat, use: "checked, not used"},
	column{name: "used_memory", kind: kindIntOrFloat, unit: "KB", use: "memory per processor when requested_memory is unknown"},
	column{name: "requested_processors", kind: kindIntOrFloat, use: "the task count (one-core tasks)"},
	column{name: "requested_time", kind: kindIntOrFloat, use: "checked, not used"},
	column{name: "requested_memory", kind: kindIntOrFloat, unit: "KB", use: "memory per processor, rounded up to MiB"},
	column{name: "status", kind: kindIntOrFloat, use: "counted"},
	column{name: "user_id", kind: kindIntOrFloat, use: "the tenant uN"},
	column{name: "group_id", kind: kindIntOrFloat, use: "checked, not used"},
	column{name: "executable", kind: kindIntOrFloat, use: "checked, not used"},
	column{name: "queue", kind: kindIntOrFloat, use: "checked, not used"},
	column{name: "partition", kind: kindIntOrFloat, use: "checked, not used"},
	column{name: "preceding_job", kind: kindIntOrFloat, use: "a start-after dependency on that job"},
	column{name: "think_time", kind: kindIntOrFloat, use: "not applied (think_time_ignored)"},
}

// swfTable is the schema'd table of SWF lines (whitespace-separated, not CSV).
var swfTable = newSchemaTable("jobs", &swfColumns)

// swfMaxNodes bounds the machine an SWF log may describe.
const swfMaxNodes = 1 << 20

type swfReader struct {
	maxProcs, maxNodes int64
	maxJob             int64 // largest job, in processors
	maxMemKB           int64 // largest per-processor memory request
}

func (s *swfReader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	var f [][]byte
	return true, 0, func(line []byte) (rowKeys, bool) {
		f = bytes.Fields(line)
		if len(f) < 2 {
			return rowKeys{}, false
		}
		var k rowKeys
		if v, e := atoi(f[1]); e == numOK && v >= 0 {
			k.time, k.hasTime = secondsToTime(v), true
		}
		k.job = f[0]
		return k, true
	}
}

func (s *swfReader) input(b *builder, m member) (bool, error) {
	lr := newLineReader(m)
	b.inTable("jobs")
	st := statusCounter{prefix: "status/"}
	defer st.flush(b)
	var fields [][]byte
	var buf []byte
	for {
		line, err := lr.next()
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return true, err
		}
		line = trimSpace(line)
		if len(line) == 0 {
			continue
		}
		if line[0] == ';' {
			s.header(string(line[1:]))
			continue
		}
		b.addRows("jobs", 1)
		fields = fields[:0]
		for _, f := range bytes.Fields(line) {
			fields = append(fields, f)
		}
		r := row{file: lr.file, line: lr.line, names: swfTable.cols, f: fields}
		if len(fields) != len(swfTable.schema) {
			r.failRow("field_count", strconv.Itoa(len(fields))+" fields, want 18 (SWF)")
			if err := b.bad(r.err); err != nil {
				return true, err
			}
			continue
		}
		v := swfValues(&r)
		if r.err != nil {
			if err := b.bad(r.err); err != nil {
				return true, err
			}
			continue
		}
		c := &swfColumns
		submit, wait, run := v[c.SubmitTime.index], v[c.WaitTime.index], v[c.RunTime.index]
		r.negTime = submit < -1 || wait < -1 || run < -1 // −1 means unknown
		b.rowDone("jobs", &r)
		st.add(c.Status.bytes(&r))
		if submit >= 0 {
			b.seen(secondsToTime(submit))
			if wait >= 0 && run >= 0 {
				b.seen(secondsToTime(submit + wait + run))
			}
		}
		procs := v[c.RequestedProcessors.index]
		if procs <= 0 {
			procs = v[c.AllocatedProcessors.index]
		}
		if procs <= swfMaxNodes {
			s.maxJob = max(s.maxJob, procs)
		}
		s.maxMemKB = max(s.maxMemKB, v[c.RequestedMemory.index], v[c.UsedMemory.index])
		e := enc{buf[:0]}
		for _, x := range v {
			e.int(x)
		}
		buf = e.b
		if err := b.group(appendKeyInt(nil, v[c.JobNumber.index]), nil, buf); err != nil {
			return true, err
		}
	}
}

// swfValues parses every field of r as its column's kind declares (all are
// optional: an SWF line has no empty fields).
func swfValues(r *row) (v [18]int64) {
	for _, c := range swfTable.schema {
		if c.kind == kindRoundedSeconds {
			v[c.index], _ = c.optSecondsRounded(r)
		} else {
			v[c.index], _ = c.intOrFloat(r)
		}
	}
	return v
}

// header reads "MaxProcs: 128" style header comments.
func (s *swfReader) header(line string) {
	k, v, ok := strings.Cut(line, ":")
	if !ok {
		return
	}
	n, err := strconv.ParseInt(strings.Fields(v + " x")[0], 10, 64)
	if err != nil || n <= 0 {
		return
	}
	switch strings.TrimSpace(k) {
	case "MaxProcs":
		s.maxProcs = n
	case "MaxNodes":
		s.maxNodes = n
	}
}

// finish adds the machine: MaxNodes nodes of MaxProcs/MaxNodes cores, or, without
// MaxNodes, MaxProcs (else the largest job's) one-core nodes. Node memory is the
// cores times the largest per-processor memory of the log, so memory never binds
// before processors do.
func (s *swfReader) finish(b *builder) error {
	procs, nodes := s.maxProcs, s.maxNodes
	if procs <= 0 {
		procs = s.maxJob
		b.count("machine_from_largest_job", 1)
	}
	if nodes <= 0 {
		nodes = procs
	}
	if nodes <= 0 {
		return nil
	}
	if nodes > swfMaxNodes {
		return badf("swf: a machine of %d nodes (MaxNodes, MaxProcs or the largest job) exceeds the limit of %d", nodes, swfMaxNodes)
	}
	per := (procs + nodes - 1) / nodes
	memPer := (s.maxMemKB + 1023) / 1024
	for i := int64(0); i < nodes; i++ {
		n := scheduler.Node{Name: "n" + strconv.FormatInt(i, 10), Capacity: scheduler.Res(per*1000, per*memPer, 0)}
		if err := b.node(&scheduler.NodeEvent{Kind: scheduler.NodeAdd, Node: n}); err != nil {
			return err
		}
	}
	return nil
}

func (s *swfReader) assemble(b *builder, key []byte, recs []record) error {
	if len(recs) > 1 {
		b.count("duplicate_job_numbers", int64(len(recs)-1))
	}
	d := dec{b: recs[0].val}
	var v [18]int64
	for i := range v {
		v[i] = d.int()
	}
	c := &swfColumns
	job, submitS, waitS, runS := v[c.JobNumber.index], v[c.SubmitTime.index], v[c.WaitTime.index], v[c.RunTime.index]
	procs := v[c.RequestedProcessors.index]
	if procs <= 0 {
		procs = v[c.AllocatedProcessors.index]
	}
	b.st.Jobs++
	if procs <= 0 {
		b.count("jobs_without_processors", 1)
		return nil
	}
	b.st.Tasks += procs
	if procs > 1<<20 {
		b.count("jobs_too_large", 1)
		return nil
	}
	l := lifetime{submit: secondsToTime(submitS)}
	if waitS >= 0 {
		l.start, l.hasStart = l.submit+secondsToTime(waitS), true
	}
	if runS >= 0 {
		l.end, l.hasEnd = l.start+secondsToTime(runS), true
		if !l.hasStart {
			l.end = l.submit + secondsToTime(runS)
		}
	}
	if submitS < 0 {
		l.submit = -1
	}
	submit, rt, flags, drop := b.resolve(l, b.traceEnd(0))
	if drop {
		b.count("jobs_dropped", 1)
		return nil
	}
	memKB := v[c.RequestedMemory.index]
	if memKB < 0 {
		memKB = v[c.UsedMemory.index]
	}
	req := scheduler.Res(1000, max((memKB+1023)/1024, 0), 0)
	j := &scheduler.Job{ID: scheduler.JobID(job), Name: strconv.FormatInt(job, 10), Submit: submit,
		Tenant: "u" + strconv.FormatInt(v[c.UserID.index], 10), Tasks: make([]scheduler.Task, procs)}
	fl := make([]uint8, procs)
	for i := range j.Tasks {
		j.Tasks[i] = scheduler.Task{Index: int32(i), Request: req, Runtime: rt}
		fl[i] = flags
	}
	if g := b.gang("task"); g == "task" || g == "job" {
		j.MinMember = int32(procs)
	}
	if pre := v[c.PrecedingJob.index]; pre > 0 {
		j.After = []scheduler.JobID{scheduler.JobID(pre)}
		if v[c.ThinkTime.index] > 0 {
			b.count("think_time_ignored", 1)
		}
	}
	return b.job(j, fl)
}
