package traces

import (
	"slices"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// alibaba2018: Alibaba cluster-trace-v2018 (TRACES.md §6, §11.5).

// ali18Format is the alibaba2018 entry of formatTable.
var ali18Format = formatSpec{info: FormatInfo{Name: "alibaba2018",
	Doc: "Alibaba cluster-trace-v2018: machine_meta → machines (cpu_num cores, mem normalised [0,100] × norm_mem/100; unavailable outside machine_status); " +
		"batch_task rows → DAG task groups of a job (task_name digits), batch_instance attempts → tasks (dedup on job,task,instance,seq_no; runtime per runtime=); container_meta → one-task service jobs",
	Files: "batch_task, batch_instance, machine_meta, container_meta (.csv, .csv.gz or the shipped .tar.gz); machine_usage and container_usage are not read"},
	newReader: func(*Options) reader { return &ali18Reader{} },
	optional:  []string{"container_meta", "batch_instance"}}

// The column schemas of the tables read, in file order.
var (
	ali18MachineCols = struct{ MachineID, TimeStamp, FailureDomain1, FailureDomain2, CPUNum, MemSize, Status column }{
		column{name: "machine_id", kind: kindString, required: true, use: "the machine's name"},
		column{name: "time_stamp", kind: kindFloatSeconds, required: true, use: "when the row applies"},
		column{name: "failure_domain_1", kind: kindString, use: "the machine's domain and label failure_domain_1"},
		column{name: "failure_domain_2", kind: kindString, use: "label failure_domain_2"},
		column{name: "cpu_num", kind: kindFloat, unit: "cores", use: "CPU capacity (see invalid)"},
		column{name: "mem_size", kind: kindFloat, unit: "normalised 0..100", use: "memory capacity × norm_mem/100 (see invalid)"},
		column{name: "status", kind: kindString, use: "available when in machine_status; counted"},
	}
	ali18ContainerCols = struct{ ContainerID, MachineID, TimeStamp, AppDU, Status, CPURequest, CPULimit, MemSize column }{
		column{name: "container_id", kind: kindString, required: true, use: "the job's name"},
		column{name: "machine_id", kind: kindString, use: "counted (unknown machines)"},
		column{name: "time_stamp", kind: kindFloatSeconds, required: true, use: "the first row's is the submit and start"},
		column{name: "app_du", kind: kindString, use: "the job's tenant (first row)"},
		column{name: "status", kind: kindString, use: "the first `stopped` row ends the container; counted"},
		column{name: "cpu_request", kind: kindFloat, unit: "1/100 core", use: "CPU request"},
		column{name: "cpu_limit", kind: kindFloat, unit: "1/100 core", use: "checked, not used"},
		column{name: "mem_size", kind: kindFloat, unit: "normalised 0..100", use: "memory request × norm_mem/100"},
	}
	ali18TaskCols = struct {
		TaskName, InstanceNum, JobName, TaskType, Status, StartTime, EndTime, PlanCPU, PlanMem column
	}{
		column{name: "task_name", kind: kindString, required: true, use: "the task group's name; its DAG position (M1_2_3…)"},
		column{name: "instance_num", kind: kindInt, required: true, use: "instances, without batch_instance rows (0..1048576)"},
		column{name: "job_name", kind: kindString, required: true, use: "the job"},
		column{name: "task_type", kind: kindString},
		column{name: "status", kind: kindString, use: "a start of 0 is unset unless Terminated; counted"},
		column{name: "start_time", kind: kindFloatSeconds, use: "the job's submit (earliest start); start without instance rows"},
		column{name: "end_time", kind: kindFloatSeconds, use: "end without instance rows"},
		column{name: "plan_cpu", kind: kindFloat, unit: "1/100 core", use: "CPU request (see invalid)"},
		column{name: "plan_mem", kind: kindFloat, unit: "normalised 0..100", use: "memory request × norm_mem/100 (see invalid)"},
	}
	ali18InstanceCols = struct {
		InstanceName, TaskName, JobName, TaskType, Status, StartTime, EndTime, MachineID, SeqNo, TotalSeqNo,
		CPUAvg, CPUMax, MemAvg, MemMax column
	}{
		column{name: "instance_name", kind: kindString, required: true, use: "the task (one per instance)"},
		column{name: "task_name", kind: kindString, required: true, use: "the instance's task group"},
		column{name: "job_name", kind: kindString, required: true, use: "the job"},
		column{name: "task_type", kind: kindString},
		column{name: "status", kind: kindString, use: "a time of 0 is unset unless Terminated; counted"},
		column{name: "start_time", kind: kindFloatSeconds, use: "the attempt's start"},
		column{name: "end_time", kind: kindFloatSeconds, use: "the attempt's end"},
		column{name: "machine_id", kind: kindString, use: "counted (unknown machines)"},
		column{name: "seq_no", kind: kindInt, use: "the attempt (empty = 0); the same seq_no twice keeps the last row"},
		column{name: "total_seq_no", kind: kindInt, use: "checked, not used"},
		column{name: "cpu_avg", kind: kindFloat, use: "checked, not used"},
		column{name: "cpu_max", kind: kindFloat, use: "checked, not used"},
		column{name: "mem_avg", kind: kindFloat, use: "checked, not used"},
		column{name: "mem_max", kind: kindFloat, use: "checked, not used"},
	}
)

var (
	ali18MachineMetaT = newSchemaTable("machine_meta", &ali18MachineCols)
	ali18ContainerT   = newSchemaTable("container_meta", &ali18ContainerCols)
	ali18TaskT        = newSchemaTable("batch_task", &ali18TaskCols)
	ali18InstanceT    = newSchemaTable("batch_instance", &ali18InstanceCols)
	ali18Usage        = []*csvTable{{name: "machine_usage"}, {name: "container_usage"}}
	ali18Tables       = []*csvTable{ali18MachineMetaT, ali18ContainerT, ali18TaskT, ali18InstanceT, ali18Usage[0], ali18Usage[1]}
)

// ali18TraceEnd is the documented length: 8 days.
const ali18TraceEnd = 8 * scheduler.Day

type ali18Reader struct {
	machines *sorter // machine_meta rows keyed (machine, time, seq)
	seq      int64
	haveTask bool
	lastSeq  []byte
}

// Group-key tags: batch jobs and containers never share a key.
const (
	ali18Batch     = 'b'
	ali18Container = 'c'
	subTask        = 0
	subInstance    = 1
)

func (a *ali18Reader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	t := matchTable(name, ali18Tables)
	if t == nil || t.cols == nil {
		return false, 0, nil
	}
	cols := map[*csvTable][3]int{ // time, job, machine columns (-1 = none)
		ali18MachineMetaT: {ali18MachineCols.TimeStamp.index, -1, ali18MachineCols.MachineID.index},
		ali18ContainerT:   {ali18ContainerCols.TimeStamp.index, ali18ContainerCols.ContainerID.index, ali18ContainerCols.MachineID.index},
		ali18TaskT:        {ali18TaskCols.StartTime.index, ali18TaskCols.JobName.index, -1},
		ali18InstanceT:    {ali18InstanceCols.StartTime.index, ali18InstanceCols.JobName.index, ali18InstanceCols.MachineID.index}}[t]
	return true, 0, csvRowKeys(t, cols, false, func(b []byte) (scheduler.Time, bool) {
		if v, e := atof(b); e == numOK && v > 0 {
			return floatSecondsToTime(v), true
		}
		return 0, false
	})
}

func (a *ali18Reader) input(b *builder, m member) (bool, error) {
	t := matchTable(m.name, ali18Tables)
	if t == nil || t.cols == nil {
		return false, nil
	}
	switch t {
	case ali18MachineMetaT:
		if a.machines == nil {
			a.machines = newSorter(b.opt)
		}
		return true, b.readCSV(m, t, func(r *row) error { return a.machineRow(b, r) })
	case ali18ContainerT:
		return true, a.containerMeta(b, m)
	case ali18TaskT:
		return true, a.batchTasks(b, m)
	case ali18InstanceT:
		return true, a.batchInstances(b, m)
	}
	return false, nil
}

// containerMeta reads container_meta: the container rows, grouped under their container.
func (a *ali18Reader) containerMeta(b *builder, m member) error {
	c := &ali18ContainerCols
	var buf []byte
	st := statusCounter{prefix: "container_meta/"}
	defer st.flush(b)
	return b.readCSV(m, ali18ContainerT, func(r *row) error {
		ts, _ := c.TimeStamp.optFloatSeconds(r)
		if !c.TimeStamp.has(r) {
			c.TimeStamp.missing(r)
		}
		cpu, hc := c.CPURequest.optFloat(r)
		lim, hl := c.CPULimit.optFloat(r)
		mem, hm := c.MemSize.optFloat(r)
		if !c.ContainerID.has(r) {
			c.ContainerID.missing(r)
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		st.add(c.Status.bytes(r))
		b.machineRef("container_meta", c.MachineID.bytes(r))
		b.seen(floatSecondsToTime(ts))
		e := enc{buf[:0]}
		e.float(ts)
		e.str(bstr(c.Status.bytes(r)))
		e.str(bstr(c.AppDU.bytes(r)))
		e.optFloat(cpu, hc)
		e.optFloat(lim, hl)
		e.optFloat(mem, hm)
		buf = e.b
		key := append([]byte{ali18Container}, c.ContainerID.bytes(r)...)
		sub := appendKeyInt(nil, int64(floatSecondsToTime(ts)))
		return b.group(key, sub, buf)
	})
}

// batchTasks reads batch_task: the task rows, grouped under their job.
func (a *ali18Reader) batchTasks(b *builder, m member) error {
	c := &ali18TaskCols
	a.haveTask = true
	var key, sub, buf []byte
	st := statusCounter{prefix: "batch_task/"}
	defer st.flush(b)
	return b.readCSV(m, ali18TaskT, func(r *row) error {
		num, hn := c.InstanceNum.optInt(r)
		start, hs := c.StartTime.optFloatSeconds(r)
		end, he := c.EndTime.optFloatSeconds(r)
		cpu, hc := c.PlanCPU.optFloat(r)
		mem, hm := c.PlanMem.optFloat(r)
		if !c.TaskName.has(r) {
			c.TaskName.missing(r)
		} else if !c.JobName.has(r) {
			c.JobName.missing(r)
		} else if !hn && r.err == nil {
			c.InstanceNum.missing(r)
		} else if num < 0 || num > 1<<20 {
			c.InstanceNum.fail(r, "invalid", "instance_num out of range 0..1048576")
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		st.add(c.Status.bytes(r))
		if hs && start > 0 {
			b.seen(floatSecondsToTime(start))
		}
		if he && end > 0 {
			b.seen(floatSecondsToTime(end))
		}
		key = append(append(key[:0], ali18Batch), c.JobName.bytes(r)...)
		sub = append(append(sub[:0], subTask), c.TaskName.bytes(r)...)
		e := enc{buf[:0]}
		e.int(num)
		e.str(bstr(c.Status.bytes(r)))
		e.optFloat(start, hs)
		e.optFloat(end, he)
		e.optFloat(cpu, hc)
		e.optFloat(mem, hm)
		buf = e.b
		return b.group(key, sub, buf)
	})
}

// batchInstances reads batch_instance: the instance attempts, grouped under their job and task.
func (a *ali18Reader) batchInstances(b *builder, m member) error {
	c := &ali18InstanceCols
	var key, sub, buf []byte
	st := statusCounter{prefix: "batch_instance/"}
	defer st.flush(b)
	return b.readCSV(m, ali18InstanceT, func(r *row) error {
		start, hs := c.StartTime.optFloatSeconds(r)
		end, he := c.EndTime.optFloatSeconds(r)
		seq, hq := c.SeqNo.optInt(r)
		c.TotalSeqNo.optInt(r)
		c.CPUAvg.optFloat(r)
		c.CPUMax.optFloat(r)
		c.MemAvg.optFloat(r)
		c.MemMax.optFloat(r)
		if !c.InstanceName.has(r) {
			c.InstanceName.missing(r)
		} else if !c.TaskName.has(r) {
			c.TaskName.missing(r)
		} else if !c.JobName.has(r) {
			c.JobName.missing(r)
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		st.add(c.Status.bytes(r))
		b.machineRef("batch_instance", c.MachineID.bytes(r))
		if hs && start > 0 {
			b.seen(floatSecondsToTime(start))
		}
		if he && end > 0 {
			b.seen(floatSecondsToTime(end))
		}
		if !hq {
			seq = 0
		}
		key = append(append(key[:0], ali18Batch), c.JobName.bytes(r)...)
		sub = append(append(sub[:0], subInstance), c.TaskName.bytes(r)...)
		sub = append(sub, 0)
		sub = append(sub, c.InstanceName.bytes(r)...)
		sub = append(sub, 0)
		sub = appendKeyInt(sub, seq)
		e := enc{buf[:0]}
		e.str(bstr(c.Status.bytes(r)))
		e.optFloat(start, hs)
		e.optFloat(end, he)
		buf = e.b
		return b.group(key, sub, buf)
	})
}

func (a *ali18Reader) machineRow(b *builder, r *row) error {
	c := &ali18MachineCols
	ts := c.TimeStamp.floatSeconds(r)
	cpu, hc := c.CPUNum.optFloat(r)
	mem, hm := c.MemSize.optFloat(r)
	if !c.MachineID.has(r) {
		c.MachineID.missing(r)
	}
	if r.err != nil {
		return b.bad(r.err)
	}
	b.st.Events["machine_meta/"+string(c.Status.bytes(r))]++
	a.seq++
	k := appendKeyStr(nil, c.MachineID.bytes(r))
	k = appendKeyInt(k, int64(floatSecondsToTime(ts)))
	k = appendKeyInt(k, a.seq)
	e := enc{}
	e.float(ts)
	e.str(bstr(c.FailureDomain1.bytes(r)))
	e.str(bstr(c.FailureDomain2.bytes(r)))
	e.optFloat(cpu, hc)
	e.optFloat(mem, hm)
	e.str(bstr(c.Status.bytes(r)))
	return a.machines.add(k, e.b)
}

// finish turns machine_meta rows, per machine in time order, into node events:
// the first row adds the machine; a status outside machine_status fails it, a
// return recovers it; a capacity change is an update.
// ali18Capacity is capacity c with a machine_meta row's valid cpu_num and
// mem_size (when present) set.
func ali18Capacity(b *builder, c scheduler.Resources, cpu float64, hc bool, mem float64, hm bool) (scheduler.Resources, error) {
	if hc {
		if v, ok, err := b.invalid(cpu, 0, 1e6, "cpu_num"); err != nil {
			return c, err
		} else if ok {
			c[scheduler.CPU] = scaleRound(v, 1000)
		}
	}
	if hm {
		if v, ok, err := b.invalid(mem, 0, 100, "mem_size"); err != nil {
			return c, err
		} else if ok {
			c[scheduler.Memory] = scaleRound(v/100, float64(b.opt.NormMem))
		}
	}
	return c, nil
}

func (a *ali18Reader) finish(b *builder) error {
	if a.machines == nil {
		return nil
	}
	defer a.machines.close()
	avail := strings.Split(b.opt.MachineStatus, "|")
	it, err := a.machines.iter()
	if err != nil {
		return err
	}
	var cur string
	var node scheduler.Node
	up := false
	var prevT scheduler.Time
	for {
		k, v, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		name := string(k[:len(k)-17])
		d := dec{b: v}
		ts := d.float()
		fd1, fd2 := d.str(), d.str()
		cpu, hc := d.optFloat()
		mem, hm := d.optFloat()
		status := d.str()
		t := floatSecondsToTime(ts)
		if t < 0 {
			t = 0
		}
		c := node.Capacity
		if name != cur {
			c = scheduler.Resources{}
		} else if t == prevT {
			b.count("duplicate_machine_rows", 1) // two rows of one machine at one time
		}
		prevT = t
		if c, err = ali18Capacity(b, c, cpu, hc, mem, hm); err != nil {
			return err
		}
		isUp := slices.Contains(avail, status)
		if name != cur {
			cur = name
			node = scheduler.Node{Name: name, Capacity: c, Domain: fd1,
				Labels: []scheduler.Label{{Key: "failure_domain_1", Value: fd1}, {Key: "failure_domain_2", Value: fd2}}}
			if err := b.node(&scheduler.NodeEvent{Time: t, Kind: scheduler.NodeAdd, Node: node}); err != nil {
				return err
			}
			up = true
		} else if c != node.Capacity {
			node.Capacity = c
			if err := b.node(&scheduler.NodeEvent{Time: t, Kind: scheduler.NodeUpdate, Node: node}); err != nil {
				return err
			}
		}
		if up && !isUp {
			up = false
			err = b.node(&scheduler.NodeEvent{Time: t, Kind: scheduler.NodeFail, Node: scheduler.Node{Name: name}})
		} else if !up && isUp {
			up = true
			err = b.node(&scheduler.NodeEvent{Time: t, Kind: scheduler.NodeRecover, Node: scheduler.Node{Name: name}})
		}
		if err != nil {
			return err
		}
	}
}

type ali18Task struct {
	name    string
	num     int64
	status  string
	start   float64
	hasS    bool
	end     float64
	hasE    bool
	cpu     float64
	hasCPU  bool
	mem     float64
	hasMem  bool
	dag     dagName
	insts   []ali18Inst
	present bool
}

type ali18Inst struct {
	name     string
	attempts []ali18Attempt
}

type ali18Attempt struct {
	status string
	start  float64
	hasS   bool
	end    float64
	hasE   bool
}

func (a *ali18Reader) assemble(b *builder, key []byte, recs []record) error {
	if key[0] == ali18Container {
		return a.assembleContainer(b, key[1:], recs)
	}
	tasks := a.collectTasks(b, recs)
	b.st.Jobs++
	tasks, err := ali18KeepPresent(b, tasks)
	if err != nil || len(tasks) == 0 {
		return err
	}
	submit, have := ali18Submit(tasks)
	if !have {
		b.count("jobs_without_start", 1)
		return nil
	}
	after, err := ali18DAG(b, tasks)
	if err != nil {
		return err
	}
	jb := &ali18Job{b: b, end: b.traceEnd(ali18TraceEnd), submit: submit,
		j: &scheduler.Job{ID: scheduler.JobID(b.st.Jobs), Name: string(key[1:]), Submit: floatSecondsToTime(submit)}}
	groupOf, dropJob, err := jb.addTasks(tasks)
	if err != nil {
		return err
	}
	if dropJob {
		b.count("jobs_dropped_missing_request", 1)
		return nil
	}
	if len(jb.j.Tasks) == 0 {
		b.count("jobs_without_tasks", 1)
		return nil
	}
	ali18Link(jb.j, groupOf, after)
	ali18Gang(b, jb.j, len(tasks))
	return b.job(jb.j, jb.flags)
}

// ali18TaskSet gathers a job's tasks by name, in first-seen order.
type ali18TaskSet struct {
	tasks  []*ali18Task
	byName map[string]*ali18Task
	last   *ali18Task
}

// get returns the task named name, adding it if it is new.
func (s *ali18TaskSet) get(name []byte) *ali18Task {
	if s.last != nil && s.last.name == string(name) {
		return s.last
	}
	t := s.byName[string(name)]
	if t == nil {
		t = &ali18Task{name: string(name)}
		s.byName[t.name] = t
		s.tasks = append(s.tasks, t)
	}
	s.last = t
	return t
}

// collectTasks decodes a job's records into its tasks and their instances'
// attempts.
func (a *ali18Reader) collectTasks(b *builder, recs []record) []*ali18Task {
	s := &ali18TaskSet{byName: map[string]*ali18Task{}}
	for _, rc := range recs {
		d := dec{b: rc.val}
		switch rc.sub[0] {
		case subTask:
			t := s.get(rc.sub[1:])
			if t.present {
				b.count("duplicate_task_rows", 1)
			}
			t.present = true
			t.num = d.int()
			t.status = d.str()
			t.start, t.hasS = d.optFloat()
			t.end, t.hasE = d.optFloat()
			t.cpu, t.hasCPU = d.optFloat()
			t.mem, t.hasMem = d.optFloat()
		case subInstance:
			a.addAttempt(b, s, rc.sub[1:], &d)
		}
	}
	return s.tasks
}

// addAttempt adds one batch_instance record (sub key task\0instance\0seq) to
// its task's instance.
func (a *ali18Reader) addAttempt(b *builder, s *ali18TaskSet, rest []byte, d *dec) {
	i := indexByte(rest, 0)
	t := s.get(rest[:i])
	rest = rest[i+1:]
	j := indexByte(rest, 0)
	inst := rest[:j]
	at := ali18Attempt{status: d.strView()}
	at.start, at.hasS = d.optFloat()
	at.end, at.hasE = d.optFloat()
	if n := len(t.insts); n == 0 || t.insts[n-1].name != string(inst) {
		t.insts = append(t.insts, ali18Inst{name: string(inst)})
		b.st.Tasks++
	}
	last := &t.insts[len(t.insts)-1]
	seqKey := rest[j+1:]
	if n := len(last.attempts); n > 0 && string(seqKey) == string(a.lastSeq) {
		last.attempts[n-1] = at // duplicate (job, task, instance, seq_no): keep the last row
		b.count("duplicate_attempt_rows", 1)
	} else {
		last.attempts = append(last.attempts, at)
	}
	a.lastSeq = append(a.lastSeq[:0], seqKey...)
}

// ali18KeepPresent drops the tasks known only from batch_instance (orphans).
func ali18KeepPresent(b *builder, tasks []*ali18Task) ([]*ali18Task, error) {
	kept := tasks[:0]
	for _, t := range tasks {
		if !t.present {
			if err := b.orphan("task"); err != nil {
				return nil, err
			}
			continue
		}
		if len(t.insts) == 0 {
			b.st.Tasks += t.num
		}
		kept = append(kept, t)
	}
	return kept, nil
}

// ali18Submit is a job's submit time: the earliest valid task start (instances'
// if no task has one).
func ali18Submit(tasks []*ali18Task) (submit float64, have bool) {
	for _, t := range tasks {
		if s, ok := ali18Start(t.start, t.hasS, t.end, t.hasE, t.status); ok && (!have || s < submit) {
			submit, have = s, true
		}
	}
	if have {
		return submit, true
	}
	for _, t := range tasks {
		for _, in := range t.insts {
			for _, at := range in.attempts {
				if s, ok := ali18Start(at.start, at.hasS, at.end, at.hasE, at.status); ok && (!have || s < submit) {
					submit, have = s, true
				}
			}
		}
	}
	return submit, have
}

// ali18DAG is the tasks' dependencies from their names (after[i]: the tasks i
// runs after), counting the names and edges it cannot use.
func ali18DAG(b *builder, tasks []*ali18Task) ([][]int32, error) {
	names := make([]dagName, len(tasks))
	for i, t := range tasks {
		names[i] = parseDAGName(t.name)
		if names[i].bad {
			b.count("dag_unparseable_names", 1)
		}
	}
	after, dangling, cyclic := dagEdges(names)
	if dangling > 0 {
		if err := b.orphanN("dag_parent", dangling); err != nil {
			return nil, err
		}
	}
	b.count("dag_cyclic_edges_dropped", int64(cyclic))
	return after, nil
}

// ali18Job is a batch job being built from its tasks.
type ali18Job struct {
	b      *builder
	j      *scheduler.Job
	flags  []uint8
	end    scheduler.Time
	submit float64
}

// addTasks adds a group per kept task and its instances as tasks; groupOf[i] is
// task i's group (−1: dropped), dropJob whether missing-request=drop-job applies.
func (jb *ali18Job) addTasks(tasks []*ali18Task) (groupOf []int32, dropJob bool, err error) {
	b, j := jb.b, jb.j
	groupOf = make([]int32, len(tasks))
	for gi, t := range tasks {
		req, okReq, err := ali18Request(b, t)
		if err != nil {
			return nil, false, err
		}
		if !okReq {
			b.count("tasks_missing_request", 1)
			switch b.opt.MissingRequest {
			case "drop-job":
				dropJob = true
			case "drop-task":
				groupOf[gi] = -1
				continue
			}
		}
		groupOf[gi] = int32(len(j.Groups))
		j.Groups = append(j.Groups, scheduler.Group{Name: t.name})
		jb.addInstances(t, groupOf[gi], req)
	}
	return groupOf, dropJob, nil
}

// ali18Request is a task's request, and whether it is complete and valid.
func ali18Request(b *builder, t *ali18Task) (req scheduler.Resources, okReq bool, err error) {
	okReq = t.hasCPU && t.hasMem
	if t.hasCPU {
		if v, ok, err := b.invalid(t.cpu, 0, 1e7, "plan_cpu"); err != nil {
			return req, false, err
		} else if ok {
			req[scheduler.CPU] = scaleRound(v, 10)
		} else {
			okReq = false
		}
	}
	if t.hasMem {
		if v, ok, err := b.invalid(t.mem, 0, 100, "plan_mem"); err != nil {
			return req, false, err
		} else if ok {
			req[scheduler.Memory] = scaleRound(v/100, float64(b.opt.NormMem))
		} else {
			okReq = false
		}
	}
	return req, okReq, nil
}

// addInstances adds a task's instances (or, without batch_instance rows,
// instance_num copies of the task) to group g.
func (jb *ali18Job) addInstances(t *ali18Task, g int32, req scheduler.Resources) {
	if len(t.insts) == 0 {
		l := ali18Life(t.start, t.hasS, t.end, t.hasE, t.status, jb.submit)
		for k := int64(0); k < t.num; k++ {
			jb.emit(l, false, g, req)
		}
		return
	}
	for _, in := range t.insts {
		last := in.attempts[len(in.attempts)-1]
		l := ali18Life(last.start, last.hasS, last.end, last.hasE, last.status, jb.submit)
		if jb.b.opt.RuntimeSource == "sum-attempts" && len(in.attempts) > 1 && l.hasEnd {
			// Earlier attempts' durations are added to the last one's.
			for _, at := range in.attempts[:len(in.attempts)-1] {
				if la := ali18Life(at.start, at.hasS, at.end, at.hasE, at.status, jb.submit); la.hasEnd {
					l.end += la.end - la.start
				}
			}
		}
		jb.emit(l, len(in.attempts) > 1, g, req)
	}
}

// emit adds one task of lifetime l to group g, unless the lifetime is dropped.
func (jb *ali18Job) emit(l lifetime, retried bool, g int32, req scheduler.Resources) {
	_, rt, f, drop := jb.b.resolve(l, jb.end)
	if drop {
		jb.b.count("tasks_dropped", 1)
		return
	}
	if retried {
		f |= flagRetried
	}
	jb.j.Tasks = append(jb.j.Tasks, scheduler.Task{Index: int32(len(jb.j.Tasks)), Group: g, Request: req, Runtime: rt})
	jb.flags = append(jb.flags, f)
}

// ali18Link sets the groups' After from the task dependencies, or, when the job
// has none, folds every task into one unnamed group.
func ali18Link(j *scheduler.Job, groupOf []int32, after [][]int32) {
	useDAG := false
	for _, a := range after {
		if len(a) > 0 {
			useDAG = true
		}
	}
	if !useDAG {
		j.Groups = nil
		for k := range j.Tasks {
			j.Tasks[k].Group = 0
		}
		return
	}
	for gi := range groupOf {
		g := groupOf[gi]
		if g < 0 {
			continue
		}
		for _, p := range after[gi] {
			if pg := groupOf[p]; pg >= 0 {
				j.Groups[g].After = append(j.Groups[g].After, pg)
			}
		}
	}
}

// ali18Gang sets the job's gang size under gang=.
func ali18Gang(b *builder, j *scheduler.Job, ntasks int) {
	switch b.gang("none") {
	case "job":
		j.MinMember = int32(len(j.Tasks))
	case "task":
		if ntasks == 1 {
			j.MinMember = int32(len(j.Tasks))
		} else {
			b.count("gang_task_multi_task_job", 1)
		}
	}
}

// ali18Start returns the start of a row unless it is missing: on a row that is
// not Terminated a time of 0 means "not set" (TRACES.md §6.2; ali18Life treats an
// end of 0, or an end before the start, the same way).
func ali18Start(start float64, hasS bool, end float64, hasE bool, status string) (float64, bool) {
	if !hasS || start < 0 {
		return 0, false
	}
	if status != "Terminated" && start == 0 {
		return 0, false
	}
	return start, true
}

// ali18Life builds the lifetime of an attempt relative to the job's submit.
func ali18Life(start float64, hasS bool, end float64, hasE bool, status string, submit float64) lifetime {
	l := lifetime{submit: floatSecondsToTime(submit)}
	if s, ok := ali18Start(start, hasS, end, hasE, status); ok {
		l.start, l.hasStart = floatSecondsToTime(s), true
		if hasE && end >= s && (end > 0 || status == "Terminated") {
			l.end, l.hasEnd = floatSecondsToTime(end), true
		}
	}
	if !l.hasStart {
		l.start, l.hasStart = l.submit, true
	}
	return l
}

func (a *ali18Reader) assembleContainer(b *builder, id []byte, recs []record) error {
	b.st.Jobs++
	b.st.Tasks++
	var first, stop scheduler.Time
	stopped := false
	var app string
	var req scheduler.Resources
	okReq := false
	for i, rc := range recs {
		d := dec{b: rc.val}
		ts := floatSecondsToTime(d.float())
		status := d.str()
		appdu := d.str()
		cpu, hc := d.optFloat()
		_, _ = d.optFloat()
		mem, hm := d.optFloat()
		if i == 0 {
			first, app = ts, appdu
		}
		if hc && hm && cpu >= 0 && mem >= 0 && mem <= 100 {
			req = scheduler.Resources{scheduler.CPU: scaleRound(cpu, 10), scheduler.Memory: scaleRound(mem/100, float64(b.opt.NormMem))}
			okReq = true
		}
		if status == "stopped" && !stopped {
			stop, stopped = ts, true
		}
	}
	if !okReq {
		b.count("containers_missing_request", 1)
		if b.opt.MissingRequest != "zero" {
			return nil
		}
	}
	l := lifetime{submit: first, start: first, hasStart: true, end: stop, hasEnd: stopped}
	if first <= 0 {
		l.submit, l.start = -1, -1 // created before the trace
	}
	submit, rt, flags, drop := b.resolve(l, b.traceEnd(ali18TraceEnd))
	if drop {
		b.count("containers_dropped", 1)
		return nil
	}
	if first <= 0 && stopped {
		rt = stop
	}
	j := &scheduler.Job{ID: scheduler.JobID(b.st.Jobs), Name: string(id), Submit: submit, Class: scheduler.Service, Tenant: app,
		Tasks: []scheduler.Task{{Request: req, Runtime: rt}}}
	return b.job(j, []uint8{flags})
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return len(b)
}
