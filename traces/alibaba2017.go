package traces

import (
	"strconv"

	"github.com/schedlab/schedlab/scheduler"
)

// alibaba2017: Alibaba cluster-trace-v2017 (TRACES.md §5, §11.4).

// ali17Format is the alibaba2017 entry of formatTable.
var ali17Format = formatSpec{info: FormatInfo{Name: "alibaba2017",
	Doc: "Alibaba cluster-trace-v2017: server_event → machines (add, harderror = fail, later add = recover; softerror per softerror=); batch_task → tasks of instances (plan_cpu cores, plan_mem × norm_mem), " +
		"batch_instance final attempts (seq_no = total_seq_no) → instances; container_event Create/Remove → one-task service jobs",
	Files: "server_event.csv, batch_task.csv, batch_instance.csv, container_event.csv (or the shipped tar.gz); usage tables and schema.csv are not read"},
	newReader: func(*Options) reader { return &ali17Reader{} },
	optional:  []string{"container_event"}}

// The column schemas of the tables read, in file order.
var (
	ali17ServerCols = struct{ Timestamp, MachineID, EventType, EventDetail, CPUs, Memory, Disk column }{
		column{name: "timestamp", kind: kindSeconds, required: true, use: "when the event happens"},
		column{name: "machine_id", kind: kindInt, required: true, use: "the machine's name"},
		column{name: "event_type", kind: kindString, required: true, use: "add, softerror (see softerror), harderror"},
		column{name: "event_detail", kind: kindString},
		column{name: "cpus", kind: kindInt, unit: "cores", use: "CPU capacity"},
		column{name: "memory", kind: kindFloat, unit: "normalised 0..1", use: "memory capacity × norm_mem"},
		column{name: "disk", kind: kindFloat, unit: "normalised 0..1", use: "disk capacity × norm_disk (with disk=true)"},
	}
	ali17TaskCols = struct {
		CreateTimestamp, ModifyTimestamp, JobID, TaskID, InstanceNum, Status, PlanCPU, PlanMem column
	}{
		column{name: "create_timestamp", kind: kindSeconds, required: true, use: "the job's submit (earliest); start without instance rows"},
		column{name: "modify_timestamp", kind: kindSeconds, use: "the end without instance rows; a Failed attempt's end under missing_end=task-end"},
		column{name: "job_id", kind: kindInt, required: true, use: "the job"},
		column{name: "task_id", kind: kindInt, required: true, use: "the task"},
		column{name: "instance_num", kind: kindInt, required: true, use: "instances, without batch_instance rows (0..1048576)"},
		column{name: "status", kind: kindString, use: "an end only when Terminated; counted"},
		column{name: "plan_cpu", kind: kindInt, unit: "cores", use: "CPU request per instance"},
		column{name: "plan_mem", kind: kindFloat, unit: "normalised 0..1", use: "memory request per instance × norm_mem"},
	}
	ali17InstanceCols = struct {
		StartTimestamp, EndTimestamp, JobID, TaskID, MachineID, Status, SeqNo, TotalSeqNo,
		RealCPUMax, RealCPUAvg, RealMemMax, RealMemAvg column
	}{
		column{name: "start_timestamp", kind: kindSeconds, use: "the attempt's start (0 unset unless Terminated)"},
		column{name: "end_timestamp", kind: kindSeconds, use: "the attempt's end (0 unset unless Terminated)"},
		column{name: "job_id", kind: kindInt, use: "the job (empty: the row is counted and dropped)"},
		column{name: "task_id", kind: kindInt, use: "the task (empty: the row is counted and dropped)"},
		column{name: "machine_id", kind: kindString, use: "counted (unknown machines)"},
		column{name: "status", kind: kindString, use: "Failed ends per missing_end; counted"},
		column{name: "seq_no", kind: kindInt, use: "the attempt; seq_no = total_seq_no is the final one"},
		column{name: "total_seq_no", kind: kindInt, use: "the attempts"},
		column{name: "real_cpu_max", kind: kindFloat, use: "checked, not used"},
		column{name: "real_cpu_avg", kind: kindFloat, use: "checked, not used"},
		column{name: "real_mem_max", kind: kindFloat, use: "checked, not used"},
		column{name: "real_mem_avg", kind: kindFloat, use: "checked, not used"},
	}
	ali17ContainerCols = struct{ Timestamp, EventType, InstanceID, MachineID, CPUs, Memory, Disk, CPUSet column }{
		column{name: "timestamp", kind: kindSeconds, required: true, use: "Create: submit and start; Remove: end"},
		column{name: "event_type", kind: kindString, required: true, use: "Create or Remove (the first of each counts)"},
		column{name: "instance_id", kind: kindInt, required: true, use: "the job (container-ID)"},
		column{name: "machine_id", kind: kindString, use: "counted (unknown machines)"},
		column{name: "cpus", kind: kindInt, unit: "cores", required: true, use: "CPU request (Create row)"},
		column{name: "memory", kind: kindFloat, unit: "normalised 0..1", required: true, use: "memory request × norm_mem (Create row)"},
		column{name: "disk", kind: kindFloat, unit: "normalised 0..1", required: true, use: "disk request × norm_disk (with disk=true)"},
		column{name: "cpuset", kind: kindString},
	}
)

var (
	ali17Server    = newSchemaTable("server_event", &ali17ServerCols)
	ali17Task      = newSchemaTable("batch_task", &ali17TaskCols)
	ali17Instance  = newSchemaTable("batch_instance", &ali17InstanceCols)
	ali17Container = newSchemaTable("container_event", &ali17ContainerCols)
	ali17Tables    = []*csvTable{ali17Server, ali17Task, ali17Instance, ali17Container, {name: "server_usage"}, {name: "container_usage"}}
)

const (
	ali17BatchEnd     = 24 * scheduler.Hour
	ali17ContainerEnd = 12 * scheduler.Hour
)

type ali17Reader struct {
	servers *sorter
	seq     int64
}

func (a *ali17Reader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	t := matchTable(name, ali17Tables)
	if t == nil || t.cols == nil {
		return false, 0, nil
	}
	cols := map[*csvTable][3]int{ // time, job, machine columns (-1 = none)
		ali17Server:    {ali17ServerCols.Timestamp.index, -1, ali17ServerCols.MachineID.index},
		ali17Task:      {ali17TaskCols.CreateTimestamp.index, ali17TaskCols.JobID.index, -1},
		ali17Instance:  {ali17InstanceCols.StartTimestamp.index, ali17InstanceCols.JobID.index, ali17InstanceCols.MachineID.index},
		ali17Container: {ali17ContainerCols.Timestamp.index, ali17ContainerCols.InstanceID.index, ali17ContainerCols.MachineID.index}}[t]
	return true, 0, csvRowKeys(t, cols, false, func(b []byte) (scheduler.Time, bool) {
		if v, e := atoi(b); e == numOK && v > 0 {
			return secondsToTime(v), true
		}
		return 0, false
	})
}

func (a *ali17Reader) time(b *builder, s int64) scheduler.Time {
	if b.opt.Origin >= 0 {
		s -= b.opt.Origin
	}
	return secondsToTime(s)
}

func (a *ali17Reader) input(b *builder, m member) (bool, error) {
	t := matchTable(m.name, ali17Tables)
	if t == nil || t.cols == nil {
		return false, nil
	}
	switch t {
	case ali17Server:
		return true, a.serverEvents(b, m)
	case ali17Task:
		return true, a.batchTasks(b, m)
	case ali17Instance:
		return true, a.batchInstances(b, m)
	case ali17Container:
		return true, a.containerEvents(b, m)
	}
	return false, nil
}

// serverEvents reads server_event: the machine events, sorted by time.
func (a *ali17Reader) serverEvents(b *builder, m member) error {
	c := &ali17ServerCols
	var buf []byte
	if a.servers == nil {
		a.servers = newSorter(b.opt)
	}
	return b.readCSV(m, ali17Server, func(r *row) error {
		ts := c.Timestamp.seconds(r)
		id := c.MachineID.int(r)
		cpu, hc := c.CPUs.optInt(r)
		mem, hm := c.Memory.optFloat(r)
		disk, hd := c.Disk.optFloat(r)
		typ := string(c.EventType.bytes(r))
		if r.err == nil && typ != "add" && typ != "softerror" && typ != "harderror" {
			c.EventType.fail(r, "unknown_code", "unknown server event "+quoteField(c.EventType.bytes(r))+" (want add, softerror, harderror)")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		b.st.Events["server_event/"+typ]++
		tm := a.time(b, ts)
		if ts > 0 {
			b.seen(tm)
		}
		a.seq++
		e := enc{buf[:0]}
		e.int(int64(tm))
		e.int(id)
		e.str(typ)
		e.optInt(cpu, hc)
		e.optFloat(mem, hm)
		e.optFloat(disk, hd)
		buf = e.b
		return a.servers.add(appendKeyInt(appendKeyInt(nil, int64(max(tm, 0))), a.seq), buf)
	})
}

// batchTasks reads batch_task: the task rows, grouped under their job.
func (a *ali17Reader) batchTasks(b *builder, m member) error {
	c := &ali17TaskCols
	var buf []byte
	st := statusCounter{prefix: "batch_task/"}
	defer st.flush(b)
	return b.readCSV(m, ali17Task, func(r *row) error {
		create := c.CreateTimestamp.seconds(r)
		end, he := c.ModifyTimestamp.optSeconds(r)
		job := c.JobID.int(r)
		task := c.TaskID.int(r)
		num := c.InstanceNum.int(r)
		cpu, hc := c.PlanCPU.optInt(r)
		mem, hm := c.PlanMem.optFloat(r)
		if r.err == nil && (num < 0 || num > 1<<20) {
			c.InstanceNum.fail(r, "invalid", "instance count out of range 0..1048576")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		st.add(c.Status.bytes(r))
		if create > 0 {
			b.seen(a.time(b, create))
		}
		if he && end > 0 {
			b.seen(a.time(b, end))
		}
		e := enc{buf[:0]}
		e.int(create)
		e.optInt(end, he)
		e.int(num)
		e.str(bstr(c.Status.bytes(r)))
		e.optInt(cpu, hc)
		e.optFloat(mem, hm)
		buf = e.b
		return b.group(appendKeyInt([]byte{'b'}, job), appendKeyInt([]byte{0}, task), buf)
	})
}

// batchInstances reads batch_instance: the instance attempts, grouped under their job.
func (a *ali17Reader) batchInstances(b *builder, m member) error {
	c := &ali17InstanceCols
	var buf []byte
	st := statusCounter{prefix: "batch_instance/"}
	defer st.flush(b)
	return b.readCSV(m, ali17Instance, func(r *row) error {
		start, hs := c.StartTimestamp.optSeconds(r)
		end, he := c.EndTimestamp.optSeconds(r)
		job, hj := c.JobID.optInt(r)
		task, ht := c.TaskID.optInt(r)
		seq, _ := c.SeqNo.optInt(r)
		total, _ := c.TotalSeqNo.optInt(r)
		c.RealCPUMax.optFloat(r)
		c.RealCPUAvg.optFloat(r)
		c.RealMemMax.optFloat(r)
		c.RealMemAvg.optFloat(r)
		if r.err != nil {
			return b.bad(r.err)
		}
		st.add(c.Status.bytes(r))
		b.machineRef("batch_instance", c.MachineID.bytes(r))
		if !hj || !ht {
			b.count("instances_without_job_or_task", 1)
			return nil
		}
		if hs && start > 0 {
			b.seen(a.time(b, start))
		}
		if he && end > 0 {
			b.seen(a.time(b, end))
		}
		e := enc{buf[:0]}
		e.optInt(start, hs)
		e.optInt(end, he)
		e.str(bstr(c.Status.bytes(r)))
		e.int(seq)
		e.int(total)
		e.str(bstr(c.MachineID.bytes(r))) // machine: not used, but part of what makes two rows the same
		buf = e.b
		return b.group(appendKeyInt([]byte{'b'}, job), appendKeyInt([]byte{1}, task), buf)
	})
}

// containerEvents reads container_event: the container rows, grouped under their container.
func (a *ali17Reader) containerEvents(b *builder, m member) error {
	c := &ali17ContainerCols
	var buf []byte
	return b.readCSV(m, ali17Container, func(r *row) error {
		ts := c.Timestamp.seconds(r)
		id := c.InstanceID.int(r)
		cpu := c.CPUs.int(r)
		mem := c.Memory.float(r)
		disk := c.Disk.float(r)
		typ := string(c.EventType.bytes(r))
		if r.err == nil && typ != "Create" && typ != "Remove" {
			c.EventType.fail(r, "unknown_code", "unknown container event "+quoteField(c.EventType.bytes(r))+" (want Create, Remove)")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		b.st.Events["container_event/"+typ]++
		b.machineRef("container_event", c.MachineID.bytes(r))
		if ts > 0 {
			b.seen(a.time(b, ts))
		}
		e := enc{buf[:0]}
		e.int(ts)
		e.str(typ)
		e.str(bstr(c.MachineID.bytes(r)))
		e.int(cpu)
		e.float(mem)
		e.float(disk)
		buf = e.b
		return b.group(appendKeyInt([]byte{'c'}, id), appendKeyInt(nil, ts), buf)
	})
}

// finish replays server events in time order: the first add adds the machine,
// harderror (and softerror with softerror=fail) fails it, a later add recovers it
// (with an update if its capacity changed).
func (a *ali17Reader) finish(b *builder) error {
	if a.servers == nil {
		return nil
	}
	defer a.servers.close()
	it, err := a.servers.iter()
	if err != nil {
		return err
	}
	state := map[int64]*ali17Machine{}
	for {
		_, v, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := ali17ServerEvent(b, state, v); err != nil {
			return err
		}
	}
}

// ali17Machine is a machine's state while its server events are replayed.
type ali17Machine struct {
	node      scheduler.Node
	added, up bool
}

// ali17ServerEvent applies one sorted server_event record to its machine's state,
// emitting the node events it implies.
func ali17ServerEvent(b *builder, state map[int64]*ali17Machine, v []byte) error {
	d := dec{b: v}
	tm := max(scheduler.Time(d.int()), 0)
	id := d.int()
	typ := d.str()
	cpu, hc := d.optInt()
	mem, hm := d.optFloat()
	disk, hd := d.optFloat()
	m := state[id]
	if m == nil {
		m = &ali17Machine{node: scheduler.Node{Name: strconv.FormatInt(id, 10)}}
		state[id] = m
	}
	old := m.node.Capacity
	if hc {
		m.node.Capacity[scheduler.CPU] = max(cpu, 0) * 1000
	}
	if hm {
		m.node.Capacity[scheduler.Memory] = scaleRound(mem, float64(b.opt.NormMem))
	}
	if hd && b.opt.Disk {
		m.node.Capacity[scheduler.Disk] = scaleRound(disk, float64(b.opt.NormDisk))
	}
	ev := scheduler.NodeEvent{Time: tm, Node: scheduler.Node{Name: m.node.Name}}
	switch {
	case typ == "add" && !m.added:
		m.added, m.up = true, true
		ev.Kind, ev.Node = scheduler.NodeAdd, m.node
	case typ == "add" && !m.up:
		m.up = true
		ev.Kind = scheduler.NodeRecover
		if err := b.node(&ev); err != nil {
			return err
		}
		if old == m.node.Capacity {
			return nil
		}
		ev.Kind, ev.Node.Capacity = scheduler.NodeUpdate, m.node.Capacity
	case typ == "add":
		b.count("machine_add_while_up", 1)
		if old == m.node.Capacity {
			return nil
		}
		ev.Kind, ev.Node.Capacity = scheduler.NodeUpdate, m.node.Capacity
	case typ == "harderror" || typ == "softerror" && b.opt.SoftError == "fail":
		if !m.added || !m.up {
			if !m.added {
				if err := b.orphan("machine"); err != nil {
					return err
				}
			} else {
				b.count("machine_fail_while_down", 1)
			}
			return nil
		}
		m.up = false
		ev.Kind = scheduler.NodeFail
	default:
		return nil
	}
	return b.node(&ev)
}

// ali17Inst is a batch instance's final attempt.
type ali17Inst struct {
	start, end int64
	hs, he     bool
	status     string
}

// ali17BatchTask is a batch task: its batch_task row and its instances.
type ali17BatchTask struct {
	id          int64
	create, end int64
	hasEnd      bool
	num         int64
	status      string
	cpu         int64
	mem         float64
	hc, hm      bool
	present     bool
	final       []ali17Inst
	retries     int
}

func (a *ali17Reader) assemble(b *builder, key []byte, recs []record) error {
	if key[0] == 'c' {
		return a.assembleContainer(b, key, recs)
	}
	jobID := int64(uint64FromKey(key[1:9]))
	b.st.Jobs++
	tasks := collectAli17Tasks(b, recs)
	var submit int64
	have := false
	for _, t := range tasks {
		if t.present && (!have || t.create < submit) {
			submit, have = t.create, true
		}
	}
	if !have {
		return b.orphanN("task", len(tasks))
	}
	jb := &ali17Job{a: a, b: b, end: b.traceEnd(ali17BatchEnd), left: submit <= 0,
		j: &scheduler.Job{ID: scheduler.JobID(jobID), Name: strconv.FormatInt(jobID, 10), Submit: a.time(b, submit)}}
	dropped, err := jb.addTasks(tasks)
	if err != nil || dropped {
		return err
	}
	j := jb.j
	if len(j.Tasks) == 0 {
		b.count("jobs_without_tasks", 1)
		return nil
	}
	j.Submit = max(j.Submit, 0)
	switch b.gang("none") {
	case "job":
		j.MinMember = int32(len(j.Tasks))
	case "task":
		if len(tasks) == 1 {
			j.MinMember = int32(len(j.Tasks))
		} else {
			b.count("gang_task_multi_task_job", 1)
		}
	}
	return b.job(j, jb.flags)
}

// collectAli17Tasks decodes a job's records (sub key 0: task row, else an
// instance attempt) into its tasks, in first-seen order.
func collectAli17Tasks(b *builder, recs []record) []*ali17BatchTask {
	var tasks []*ali17BatchTask
	byID := map[int64]*ali17BatchTask{}
	for _, rc := range recs {
		id := int64(uint64FromKey(rc.sub[1:9]))
		cur := byID[id]
		if cur == nil {
			cur = &ali17BatchTask{id: id}
			byID[id] = cur
			tasks = append(tasks, cur)
		}
		d := dec{b: rc.val}
		if rc.sub[0] == 0 {
			if cur.present {
				b.count("duplicate_task_rows", 1)
			}
			cur.present = true
			cur.create = d.int()
			cur.end, cur.hasEnd = d.optInt()
			cur.num = d.int()
			cur.status = d.str()
			cur.cpu, cur.hc = d.optInt()
			cur.mem, cur.hm = d.optFloat()
			continue
		}
		var in ali17Inst
		in.start, in.hs = d.optInt()
		in.end, in.he = d.optInt()
		in.status = d.str()
		seq, total := d.int(), d.int()
		if seq == total {
			cur.final = append(cur.final, in)
			b.st.Tasks++
		} else {
			cur.retries++
		}
	}
	return tasks
}

// ali17Job is a batch job being built from its tasks.
type ali17Job struct {
	a     *ali17Reader
	b     *builder
	j     *scheduler.Job
	flags []uint8
	end   scheduler.Time
	left  bool // submitted before the trace window
}

// addTasks adds every present task's instances; dropped says
// missing-request=drop-job dropped the job.
func (jb *ali17Job) addTasks(tasks []*ali17BatchTask) (dropped bool, err error) {
	b := jb.b
	for _, t := range tasks {
		if !t.present {
			if err := b.orphan("task"); err != nil {
				return false, err
			}
			continue
		}
		if len(t.final) == 0 {
			b.st.Tasks += t.num
		}
		if !t.hc || !t.hm || t.cpu < 0 || t.mem < 0 {
			switch missingRequest(b) {
			case "drop-job":
				return true, nil
			case "drop-task":
				continue
			}
		}
		req := scheduler.Res(max(t.cpu, 0)*1000, scaleRound(t.mem, float64(b.opt.NormMem)), 0)
		jb.addInstances(t, req)
	}
	return false, nil
}

// addInstances adds a task's final instance attempts (or, without instance
// rows, instance_num copies of the task) as tasks.
func (jb *ali17Job) addInstances(t *ali17BatchTask, req scheduler.Resources) {
	a, b, j := jb.a, jb.b, jb.j
	if len(t.final) == 0 {
		l := lifetime{submit: j.Submit, start: a.time(b, t.create), hasStart: true}
		if t.hasEnd && t.status == "Terminated" && t.end >= t.create {
			l.end, l.hasEnd = a.time(b, t.end), true
		}
		for k := int64(0); k < t.num; k++ {
			jb.emit(l, false, req)
		}
		return
	}
	for _, in := range t.final {
		l, keep := jb.instanceLife(t, in)
		if keep {
			jb.emit(l, t.retries > 0, req)
		}
	}
}

// instanceLife is the lifetime of an instance's final attempt; keep is false
// when missing-end=drop drops it.
func (jb *ali17Job) instanceLife(t *ali17BatchTask, in ali17Inst) (l lifetime, keep bool) {
	a, b := jb.a, jb.b
	l = lifetime{submit: jb.j.Submit}
	// Zero times on unfinished rows mean "not set" (TRACES.md §13.13).
	if in.hs && (in.start != 0 || in.status == "Terminated") {
		l.start, l.hasStart = a.time(b, in.start), true
		if in.start < 0 {
			l.submit = -1
		}
	}
	if in.he && (in.end != 0 || in.status == "Terminated") && (!l.hasStart || in.end >= in.start) {
		l.end, l.hasEnd = a.time(b, in.end), true
	}
	if !l.hasEnd && in.status == "Failed" {
		switch b.opt.MissingEnd {
		case "task-end":
			if t.hasEnd && t.end > 0 {
				l.end, l.hasEnd = a.time(b, t.end), true
				b.count("failed_end_from_task", 1)
			}
		case "drop":
			b.count("tasks_dropped_missing_end", 1)
			return l, false
		}
	}
	return l, true
}

// emit adds one task of lifetime l, unless the lifetime is dropped.
func (jb *ali17Job) emit(l lifetime, retried bool, req scheduler.Resources) {
	if jb.left {
		l.submit = -1
	}
	_, rt, f, drop := jb.b.resolve(l, jb.end)
	if drop {
		jb.b.count("tasks_dropped", 1)
		return
	}
	if retried {
		f |= flagRetried
	}
	jb.j.Tasks = append(jb.j.Tasks, scheduler.Task{Index: int32(len(jb.j.Tasks)), Request: req, Runtime: rt})
	jb.flags = append(jb.flags, f)
}

func (a *ali17Reader) assembleContainer(b *builder, key []byte, recs []record) error {
	id := int64(uint64FromKey(key[1:9]))
	b.st.Jobs++
	b.st.Tasks++
	var created, removed bool
	var ct, rt int64
	var req scheduler.Resources
	for _, rc := range recs {
		d := dec{b: rc.val}
		ts := d.int()
		typ := d.str()
		d.str()
		cpu := d.int()
		mem := d.float()
		disk := d.float()
		if typ == "Create" && !created {
			created, ct = true, ts
			req = scheduler.Res(max(cpu, 0)*1000, scaleRound(mem, float64(b.opt.NormMem)), 0)
			if b.opt.Disk {
				req[scheduler.Disk] = scaleRound(disk, float64(b.opt.NormDisk))
			}
		}
		if typ == "Remove" && !removed {
			removed, rt = true, ts
		}
	}
	if !created {
		return b.orphan("container_create")
	}
	l := lifetime{submit: a.time(b, ct), start: a.time(b, ct), hasStart: true}
	if ct <= 0 {
		l.submit, l.start = -1, 0
	}
	if removed {
		l.end, l.hasEnd = a.time(b, rt), true
	}
	submit, run, flags, drop := b.resolve(l, b.traceEnd(ali17ContainerEnd))
	if drop {
		b.count("containers_dropped", 1)
		return nil
	}
	j := &scheduler.Job{ID: scheduler.JobID(-id - 1), Name: "container-" + strconv.FormatInt(id, 10), Submit: submit, Class: scheduler.Service,
		Tasks: []scheduler.Task{{Request: req, Runtime: run}}}
	return b.job(j, []uint8{flags})
}
