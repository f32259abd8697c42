package traces

import (
	"io"
	"math"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// pai2020: Alibaba cluster-trace-gpu-v2020 (PAI; TRACES.md §7, §11.6).

// paiFormat is the pai2020 entry of formatTable.
var paiFormat = formatSpec{info: FormatInfo{Name: "pai2020",
	Doc: "Alibaba cluster-trace-gpu-v2020 (PAI, NSDI'22): machine_spec → machines at time 0 (cap_cpu vCPU, cap_mem GB, cap_gpu, gpu_type); job → job at start_time; " +
		"task rows → roles of inst_num instances (plan_cpu/100 vCPU, plan_mem GB, plan_gpu/100 GPU), instance rows → attempts; gang: a role's instances (a multi-role job: the whole job)",
	Files: "pai_job_table, pai_task_table, pai_instance_table, pai_machine_spec (+ optional .header files, checked); sensor, group_tag and machine_metric are not read"},
	newReader: func(*Options) reader { return &paiReader{minStart: math.Inf(1), maxTime: math.Inf(-1)} }}

// The column schemas of the tables read, in file order (a .header file must
// list exactly these names).
var (
	paiJobCols = struct{ JobName, InstID, User, Status, StartTime, EndTime column }{
		column{name: "job_name", kind: kindString, required: true, use: "the job"},
		column{name: "inst_id", kind: kindString},
		column{name: "user", kind: kindString, use: "the tenant"},
		column{name: "status", kind: kindString, use: "counted"},
		column{name: "start_time", kind: kindFloatSeconds, use: "the submit (none: the job is dropped); the earliest is the origin"},
		column{name: "end_time", kind: kindFloatSeconds, use: "the time range only"},
	}
	paiTaskCols = struct {
		JobName, TaskName, InstNum, Status, StartTime, EndTime, PlanCPU, PlanMem, PlanGPU, GPUType column
	}{
		column{name: "job_name", kind: kindString, required: true, use: "the job"},
		column{name: "task_name", kind: kindString, use: "the role"},
		column{name: "inst_num", kind: kindInt, required: true, use: "instances, without instance rows (0..1048576)"},
		column{name: "status", kind: kindString, use: "counted"},
		column{name: "start_time", kind: kindFloatSeconds, use: "start without instance rows"},
		column{name: "end_time", kind: kindFloatSeconds, use: "end without instance rows"},
		column{name: "plan_cpu", kind: kindFloat, unit: "1/100 vCPU", use: "CPU request (see missing_request)"},
		column{name: "plan_mem", kind: kindFloat, unit: "GB", use: "memory request (see missing_request)"},
		column{name: "plan_gpu", kind: kindFloat, unit: "1/100 GPU", use: "GPU request (empty = 0)"},
		column{name: "gpu_type", kind: kindString, use: "the GPU model constraint (constraints=enforce)"},
	}
	paiInstanceCols = struct {
		JobName, TaskName, InstName, WorkerName, InstID, Status, StartTime, EndTime, Machine column
	}{
		column{name: "job_name", kind: kindString, required: true, use: "the job"},
		column{name: "task_name", kind: kindString, use: "the role"},
		column{name: "inst_name", kind: kindString, use: "the task (one per instance)"},
		column{name: "worker_name", kind: kindString},
		column{name: "inst_id", kind: kindString},
		column{name: "status", kind: kindString, use: "counted"},
		column{name: "start_time", kind: kindFloatSeconds, use: "the attempt's start; orders the attempts"},
		column{name: "end_time", kind: kindFloatSeconds, use: "the attempt's end"},
		column{name: "machine", kind: kindString, use: "counted (unknown machines)"},
	}
	paiSpecCols = struct{ Machine, GPUType, CapCPU, CapMem, CapGPU column }{
		column{name: "machine", kind: kindString, required: true, use: "the machine's name"},
		column{name: "gpu_type", kind: kindString, use: "the GPU model, also label gpu_type"},
		column{name: "cap_cpu", kind: kindFloat, unit: "vCPU", required: true, use: "CPU capacity"},
		column{name: "cap_mem", kind: kindFloat, unit: "GB", required: true, use: "memory capacity"},
		column{name: "cap_gpu", kind: kindFloat, unit: "GPUs", use: "whole GPU devices, 0..64 (empty = 0)"},
	}
)

var (
	paiJob      = newSchemaTable("pai_job_table", &paiJobCols)
	paiTask     = newSchemaTable("pai_task_table", &paiTaskCols)
	paiInstance = newSchemaTable("pai_instance_table", &paiInstanceCols)
	paiSpec     = newSchemaTable("pai_machine_spec", &paiSpecCols)
	paiTables   = []*csvTable{paiJob, paiTask, paiInstance, paiSpec,
		{name: "pai_sensor_table"}, {name: "pai_group_tag_table"}, {name: "pai_machine_metric"}}
)

type paiReader struct {
	minStart float64 // origin: the earliest job start_time
	maxTime  float64
	minTime  float64
	anyTime  bool
}

func (p *paiReader) note(t float64) {
	if !p.anyTime {
		p.minTime, p.maxTime, p.anyTime = t, t, true
	}
	p.minTime, p.maxTime = min(p.minTime, t), max(p.maxTime, t)
}

func (p *paiReader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	t := matchTable(name, paiTables)
	if t == nil || t.cols == nil || strings.HasSuffix(name, ".header") {
		return false, 0, nil
	}
	cols := map[*csvTable][3]int{ // time, job, machine columns (-1 = none)
		paiJob:      {paiJobCols.StartTime.index, paiJobCols.JobName.index, -1},
		paiTask:     {paiTaskCols.StartTime.index, paiTaskCols.JobName.index, -1},
		paiInstance: {paiInstanceCols.StartTime.index, paiInstanceCols.JobName.index, paiInstanceCols.Machine.index},
		paiSpec:     {-1, -1, paiSpecCols.Machine.index}}[t]
	return true, 0, csvRowKeys(t, cols, false, func(b []byte) (scheduler.Time, bool) {
		if v, e := atof(b); e == numOK {
			return floatSecondsToTime(v), true
		}
		return 0, false
	})
}

func (p *paiReader) input(b *builder, m member) (bool, error) {
	t := matchTable(m.name, paiTables)
	if t == nil || t.cols == nil {
		return false, nil
	}
	if strings.HasSuffix(m.name, ".header") {
		return true, paiCheckHeader(m, t)
	}
	switch t {
	case paiSpec:
		return true, p.specTable(b, m)
	case paiJob:
		return true, p.jobTable(b, m)
	case paiTask:
		return true, p.taskTable(b, m)
	case paiInstance:
		return true, p.instanceTable(b, m)
	}
	return false, nil
}

// paiCheckHeader checks a table's .header file against the table's columns.
func paiCheckHeader(m member, t *csvTable) error {
	lr := newLineReader(m)
	line, err := lr.next()
	if err != nil && err != io.EOF {
		return err
	}
	if got := strings.TrimSpace(string(line)); got != strings.Join(t.cols, ",") {
		return &InputError{File: m.name, Line: 1, Reason: "bad_header",
			Msg: "columns " + got + " differ from the expected " + strings.Join(t.cols, ",")}
	}
	return nil
}

// specTable reads pai_machine_spec: one node per machine.
func (p *paiReader) specTable(b *builder, m member) error {
	c := &paiSpecCols
	return b.readCSV(m, paiSpec, func(r *row) error {
		cpu := c.CapCPU.float(r)
		mem := c.CapMem.float(r)
		gpu, hg := c.CapGPU.optFloat(r)
		if !c.Machine.has(r) {
			c.Machine.missing(r)
		}
		if r.err == nil && (gpu < 0 || gpu > scheduler.MaxGPUsPerNode || gpu != math.Trunc(gpu)) {
			c.CapGPU.fail(r, "invalid", "cap_gpu must be a whole number of GPUs in 0..64")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		if !hg {
			gpu = 0
		}
		n := scheduler.Node{Name: c.Machine.str(r), GPUs: int(gpu), GPUModel: c.GPUType.str(r),
			Capacity: scheduler.Res(scaleRound(cpu, 1000), scaleRound(mem, 1024), int64(gpu)*1000)}
		if n.GPUModel != "" {
			n.Labels = []scheduler.Label{{Key: "gpu_type", Value: n.GPUModel}}
		}
		if _, dup := b.machines[n.Name]; dup {
			return b.orphan("duplicate_machine")
		}
		return b.node(&scheduler.NodeEvent{Kind: scheduler.NodeAdd, Node: n})
	})
}

// jobTable reads pai_job_table: the job rows, grouped under the job.
func (p *paiReader) jobTable(b *builder, m member) error {
	c := &paiJobCols
	var buf []byte
	st := statusCounter{prefix: "pai_job_table/"}
	defer st.flush(b)
	return b.readCSV(m, paiJob, func(r *row) error {
		start, hs := c.StartTime.optFloatSeconds(r)
		end, he := c.EndTime.optFloatSeconds(r)
		if !c.JobName.has(r) {
			c.JobName.missing(r)
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		st.add(c.Status.bytes(r))
		if hs {
			p.minStart = min(p.minStart, start)
			p.note(start)
		}
		if he {
			p.note(end)
		}
		e := enc{buf[:0]}
		e.str(bstr(c.User.bytes(r)))
		e.str(bstr(c.Status.bytes(r)))
		e.optFloat(start, hs)
		e.optFloat(end, he)
		buf = e.b
		return b.group(c.JobName.bytes(r), []byte{0}, buf)
	})
}

// taskTable reads pai_task_table: the task (role) rows, grouped under their job.
func (p *paiReader) taskTable(b *builder, m member) error {
	c := &paiTaskCols
	var buf []byte
	st := statusCounter{prefix: "pai_task_table/"}
	defer st.flush(b)
	return b.readCSV(m, paiTask, func(r *row) error {
		num := c.InstNum.int(r)
		start, hs := c.StartTime.optFloatSeconds(r)
		end, he := c.EndTime.optFloatSeconds(r)
		cpu, hc := c.PlanCPU.optFloat(r)
		mem, hm := c.PlanMem.optFloat(r)
		gpu, hg := c.PlanGPU.optFloat(r)
		if r.err == nil && !c.JobName.has(r) {
			c.JobName.missing(r)
		}
		if r.err == nil && (num < 0 || num > 1<<20) {
			c.InstNum.fail(r, "invalid", "inst_num out of range 0..1048576")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		st.add(c.Status.bytes(r))
		if hs {
			p.note(start)
		}
		if he {
			p.note(end)
		}
		e := enc{buf[:0]}
		e.int(num)
		e.optFloat(start, hs)
		e.optFloat(end, he)
		e.optFloat(cpu, hc)
		e.optFloat(mem, hm)
		e.optFloat(gpu, hg)
		e.str(bstr(c.GPUType.bytes(r)))
		buf = e.b
		sub := append(append([]byte{1}, c.TaskName.bytes(r)...), 0)
		return b.group(c.JobName.bytes(r), sub, buf)
	})
}

// instanceTable reads pai_instance_table: the instance attempts, grouped under their job.
func (p *paiReader) instanceTable(b *builder, m member) error {
	c := &paiInstanceCols
	var buf []byte
	st := statusCounter{prefix: "pai_instance_table/"}
	defer st.flush(b)
	return b.readCSV(m, paiInstance, func(r *row) error {
		start, hs := c.StartTime.optFloatSeconds(r)
		end, he := c.EndTime.optFloatSeconds(r)
		if r.err == nil && !c.JobName.has(r) {
			c.JobName.missing(r)
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		st.add(c.Status.bytes(r))
		b.machineRef("pai_instance_table", c.Machine.bytes(r))
		if hs {
			p.note(start)
		}
		if he {
			p.note(end)
		}
		e := enc{buf[:0]}
		e.optFloat(start, hs)
		e.optFloat(end, he)
		buf = e.b
		sub := append(append([]byte{2}, c.TaskName.bytes(r)...), 0)
		sub = append(append(sub, c.InstName.bytes(r)...), 0)
		st := start
		if !hs {
			st = math.Inf(1)
		}
		sub = appendKeyInt(sub, int64(floatSecondsToTime(st)))
		return b.group(c.JobName.bytes(r), sub, buf)
	})
}

func (p *paiReader) origin(b *builder) float64 {
	if b.opt.Origin >= 0 {
		return float64(b.opt.Origin)
	}
	if math.IsInf(p.minStart, 1) {
		return 0
	}
	return p.minStart
}

func (p *paiReader) finish(b *builder) error {
	if p.anyTime {
		o := p.origin(b)
		b.seen(floatSecondsToTime(p.minTime - o))
		b.seen(floatSecondsToTime(p.maxTime - o))
	}
	return nil
}

type paiRole struct {
	name          string
	num           int64
	start, end    float64
	hasS, hasE    bool
	cpu, mem, gpu float64
	hc, hm, hg    bool
	gpuType       string
	present       bool
	insts         []paiInst
}

type paiInst struct {
	name     string
	attempts [][4]float64 // start, hasStart, end, hasEnd
}

func (p *paiReader) assemble(b *builder, key []byte, recs []record) error {
	o := p.origin(b)
	jr := collectPAIJob(b, recs)
	b.st.Jobs++
	if !jr.haveJob {
		if err := b.orphan("job"); err != nil {
			return err
		}
		for _, r := range jr.roles {
			if len(r.insts) == 0 {
				b.st.Tasks += r.num
			}
		}
		return nil
	}
	if !jr.hasS {
		b.count("jobs_without_start", 1)
		return nil
	}
	submit := floatSecondsToTime(jr.start - o)
	jb := &paiJobBuild{b: b, origin: o, submit: submit, traceEnd: b.traceEnd(0),
		j: &scheduler.Job{ID: scheduler.JobID(b.st.Jobs), Name: string(key), Submit: submit, Tenant: jr.tenant}}
	present, dropped, err := jb.addRoles(jr.roles)
	if err != nil || dropped {
		return err
	}
	if len(jb.j.Tasks) == 0 {
		b.count("jobs_without_tasks", 1)
		return nil
	}
	switch b.gang("task") {
	case "job":
		jb.j.MinMember = int32(len(jb.j.Tasks))
	case "task":
		jb.j.MinMember = int32(len(jb.j.Tasks))
		if present > 1 {
			b.count("gang_multi_role_as_job", 1)
		}
	}
	return b.job(jb.j, jb.flags)
}

// paiJobRecs is a job's records decoded: its job row and its roles (tasks) with
// their instances' attempts.
type paiJobRecs struct {
	tenant  string
	start   float64
	hasS    bool
	haveJob bool
	roles   []*paiRole
}

// role returns the role named name, adding it if it is new.
func (jr *paiJobRecs) role(name string) *paiRole {
	for _, r := range jr.roles {
		if r.name == name {
			return r
		}
	}
	r := &paiRole{name: name}
	jr.roles = append(jr.roles, r)
	return r
}

// collectPAIJob decodes a job's records (sub key 0 job, 1 task, 2 instance).
func collectPAIJob(b *builder, recs []record) *paiJobRecs {
	jr := &paiJobRecs{}
	for _, rc := range recs {
		d := dec{b: rc.val}
		switch rc.sub[0] {
		case 0:
			if jr.haveJob {
				b.count("duplicate_job_rows", 1)
			}
			jr.haveJob = true
			jr.tenant = d.str()
			d.str()
			jr.start, jr.hasS = d.optFloat()
			d.optFloat() // end: unused
		case 1:
			r := jr.role(string(rc.sub[1 : len(rc.sub)-1]))
			if r.present {
				b.count("duplicate_task_rows", 1)
			}
			r.present = true
			r.num = d.int()
			r.start, r.hasS = d.optFloat()
			r.end, r.hasE = d.optFloat()
			r.cpu, r.hc = d.optFloat()
			r.mem, r.hm = d.optFloat()
			r.gpu, r.hg = d.optFloat()
			r.gpuType = d.str()
		case 2:
			jr.addAttempt(b, rc.sub[1:], &d)
		}
	}
	return jr
}

// addAttempt adds one instance record (sub key role\0instance\0…) to its role.
func (jr *paiJobRecs) addAttempt(b *builder, rest []byte, d *dec) {
	i := indexByte(rest, 0)
	r := jr.role(string(rest[:i]))
	rest = rest[i+1:]
	name := string(rest[:indexByte(rest, 0)])
	s, hs := d.optFloat()
	e, he := d.optFloat()
	if n := len(r.insts); n == 0 || r.insts[n-1].name != name {
		r.insts = append(r.insts, paiInst{name: name})
		b.st.Tasks++
	}
	in := &r.insts[len(r.insts)-1]
	in.attempts = append(in.attempts, [4]float64{s, b2f(hs), e, b2f(he)})
}

// paiJobBuild is a job being built from its roles.
type paiJobBuild struct {
	b                *builder
	j                *scheduler.Job
	flags            []uint8
	origin           float64
	submit, traceEnd scheduler.Time
}

// addRoles adds the tasks of every present role; present counts those roles,
// dropped says missing-request=drop-job dropped the job.
func (jb *paiJobBuild) addRoles(roles []*paiRole) (present int, dropped bool, err error) {
	b := jb.b
	for _, r := range roles {
		if !r.present {
			if err := b.orphan("task"); err != nil {
				return 0, false, err
			}
			continue
		}
		present++
		if len(r.insts) == 0 {
			b.st.Tasks += r.num
		}
		if !r.hc || !r.hm {
			switch missingRequest(b) {
			case "drop-job":
				return 0, true, nil
			case "drop-task":
				continue
			}
		}
		jb.addRole(r, paiRoleTask(b, r))
	}
	return present, false, nil
}

// paiRoleTask is the task a role's instances share: its request, GPUs and GPU model
// constraint.
func paiRoleTask(b *builder, r *paiRole) scheduler.Task {
	gpu := r.gpu
	if !r.hg {
		b.count("plan_gpu_empty_as_zero", 1)
		gpu = 0
	}
	t := scheduler.Task{Request: scheduler.Res(scaleRound(r.cpu, 10), scaleRound(r.mem, 1024), 0)}
	if g := scaleRound(gpu, 10); g > 0 {
		if g <= 1000 {
			t.GPUCount, t.GPUMilli = 1, int32(g)
		} else {
			n := (g + 999) / 1000
			if n*1000 != g {
				b.count("gpu_request_rounded_up", 1)
			}
			t.GPUCount, t.GPUMilli = int32(min(n, scheduler.MaxGPUsPerNode)), 1000
		}
		t.Request[scheduler.GPU] = int64(t.GPUCount) * int64(t.GPUMilli)
		if r.gpuType != "" && b.opt.Constraints == "enforce" {
			t.Constraints = &scheduler.Constraints{GPUModels: []string{r.gpuType}}
		}
	}
	return t
}

// addRole adds a role's instances (or, without instance rows, inst_num copies
// of the role) as tasks like t.
func (jb *paiJobBuild) addRole(r *paiRole, t scheduler.Task) {
	if len(r.insts) == 0 {
		for k := int64(0); k < r.num; k++ {
			jb.emit(t, r.start, r.hasS, r.end, r.hasE, false)
		}
		return
	}
	for _, in := range r.insts {
		a := in.attempts[len(in.attempts)-1]
		if jb.b.opt.RuntimeSource == "sum-attempts" && a[3] == 1 {
			for _, x := range in.attempts[:len(in.attempts)-1] {
				if x[1] == 1 && x[3] == 1 {
					a[2] += x[2] - x[0]
				}
			}
		}
		jb.emit(t, a[0], a[1] == 1, a[2], a[3] == 1, len(in.attempts) > 1)
	}
}

// emit adds one task like t with the given start and end, unless its lifetime
// is dropped.
func (jb *paiJobBuild) emit(t scheduler.Task, s float64, hs bool, e float64, he bool, retried bool) {
	l := lifetime{submit: jb.submit}
	if hs {
		l.start, l.hasStart = floatSecondsToTime(s-jb.origin), true
	}
	if he {
		l.end, l.hasEnd = floatSecondsToTime(e-jb.origin), true
	}
	_, rt, f, drop := jb.b.resolve(l, jb.traceEnd)
	if drop {
		jb.b.count("tasks_dropped", 1)
		return
	}
	if retried {
		f |= flagRetried
	}
	t.Index = int32(len(jb.j.Tasks))
	t.Runtime = rt
	jb.j.Tasks = append(jb.j.Tasks, t)
	jb.flags = append(jb.flags, f)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
