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

var swfCols = []string{"job_number", "submit_time", "wait_time", "run_time", "allocated_processors", "average_cpu_time",
	"used_memory", "requested_processors", "requested_time", "requested_memory", "status", "user_id", "group_id",
	"executable", "queue", "partition", "preceding_job", "think_time"}

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
		r := row{file: lr.file, line: lr.line, names: swfCols, f: fields}
		if len(fields) != 18 {
			r.failRow("field_count", strconv.Itoa(len(fields))+" fields, want 18 (SWF)")
			if err := b.bad(r.err); err != nil {
				return true, err
			}
			continue
		}
		var v [18]int64
		for i := range v {
			if i >= 1 && i <= 3 { // submit, wait and run time: seconds
				v[i], _ = r.optSecondsRounded(i)
			} else {
				v[i], _ = r.intOrFloat(i)
			}
		}
		if r.err != nil {
			if err := b.bad(r.err); err != nil {
				return true, err
			}
			continue
		}
		r.negTime = v[1] < -1 || v[2] < -1 || v[3] < -1 // −1 means unknown
		b.rowDone("jobs", &r)
		st.add(fields[10])
		if v[1] >= 0 {
			b.seen(secondsToTime(v[1]))
			if v[2] >= 0 && v[3] >= 0 {
				b.seen(secondsToTime(v[1] + v[2] + v[3]))
			}
		}
		procs := v[7]
		if procs <= 0 {
			procs = v[4]
		}
		if procs <= swfMaxNodes {
			s.maxJob = max(s.maxJob, procs)
		}
		s.maxMemKB = max(s.maxMemKB, v[9], v[6])
		e := enc{buf[:0]}
		for _, x := range v {
			e.int(x)
		}
		buf = e.b
		if err := b.group(appendKeyInt(nil, v[0]), nil, buf); err != nil {
			return true, err
		}
	}
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
	procs := v[7]
	if procs <= 0 {
		procs = v[4]
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
	l := lifetime{submit: secondsToTime(v[1])}
	if v[2] >= 0 {
		l.start, l.hasStart = l.submit+secondsToTime(v[2]), true
	}
	if v[3] >= 0 {
		l.end, l.hasEnd = l.start+secondsToTime(v[3]), true
		if !l.hasStart {
			l.end = l.submit + secondsToTime(v[3])
		}
	}
	if v[1] < 0 {
		l.submit = -1
	}
	submit, rt, flags, drop := b.resolve(l, b.traceEnd(0))
	if drop {
		b.count("jobs_dropped", 1)
		return nil
	}
	memKB := v[9]
	if memKB < 0 {
		memKB = v[6]
	}
	req := scheduler.Res(1000, max((memKB+1023)/1024, 0), 0)
	j := &scheduler.Job{ID: scheduler.JobID(v[0]), Name: strconv.FormatInt(v[0], 10), Submit: submit,
		Tenant: "u" + strconv.FormatInt(v[11], 10), Tasks: make([]scheduler.Task, procs)}
	fl := make([]uint8, procs)
	for i := range j.Tasks {
		j.Tasks[i] = scheduler.Task{Index: int32(i), Request: req, Runtime: rt}
		fl[i] = flags
	}
	if g := b.gang("task"); g == "task" || g == "job" {
		j.MinMember = int32(procs)
	}
	if v[16] > 0 {
		j.After = []scheduler.JobID{scheduler.JobID(v[16])}
		if v[17] > 0 {
			b.count("think_time_ignored", 1)
		}
	}
	return b.job(j, fl)
}
