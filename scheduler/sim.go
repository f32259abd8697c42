package scheduler

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
)

// Scheduler is the architecture that decides when and where tasks run: a monolithic
// queue, Omega's shared-state schedulers, Mesos' offers. The engine calls it; it acts
// through the Sim (placing, starting, holding, timers).
//
// The simulator never calls the scheduler from inside one of the scheduler's own
// handlers (Attach, Enqueue, Released, a timer). What a handler causes — Unhold,
// and Fail or Abandon of a held task, free capacity (Released); Evict resubmits
// its victim (Enqueue, then Released); Fail or Abandon of a job's last open task
// may release the jobs that waited for it (Job.After, Enqueue) — is queued and
// delivered after the handler returns, in the order it was raised; what an event
// causes (a finish, an arrival, a node event) is delivered once the simulator has
// finished its own bookkeeping for that event. A handler may therefore act at once
// on what it is told: place, start, hold, fail. Sim.Notices counts the calls as
// they are raised, for a policy that must know whether anything changed since a
// moment of its own (a release it caused itself counts before its Released
// arrives).
//
// Two more rules, which the conformance suite (scheduler/schedtest) checks:
//
//   - A gang (MinMember > 0) starts in one step: its missing members are started by
//     one CommitPlan (all-or-nothing), or held one by one (Hold) and activated
//     together once MinMember are held. Starting them one by one with Start, even
//     inside one callback, is a partial gang: each Start is a transition of its
//     own. Members beyond MinMember of a gang that has started are ordinary tasks.
//   - Whatever waits has a wake-up. Every task handed over must be placed, failed
//     or abandoned, or the scheduler must keep a timer that comes back to it:
//     Released comes only when something frees capacity, and a node failure past
//     the restart limit, a quota refusal or a node that stays down calls nothing.
//     A run whose event queue runs dry with a task still pending or held lost it.
//
// A node failure does not call the scheduler for the tasks it ends: resubmitted
// tasks come back through Enqueue, and a task past the restart limit simply
// becomes Failed (a scheduler that tracks placements must notice on its own).
type Scheduler interface {
	// Attach binds the scheduler to sim before the first event.
	Attach(sim *Sim) error
	// Enqueue hands over tasks that became pending: a new job's runnable tasks, a
	// DAG group whose dependencies completed, or tasks resubmitted after their node
	// failed or they were evicted (these may include tasks the scheduler held).
	// The slice is only valid during the call.
	Enqueue(tasks []*Task)
	// Released tells the scheduler that capacity became free on node id: a task
	// finished or was released, or the node was added or recovered.
	Released(id NodeID)
}

// Reporter is implemented by schedulers that add their own metrics (conflicts,
// busyness, deadlock, held-idle of things the state does not see) to the result.
type Reporter interface {
	Report(r *Result)
}

// Observer receives a record of every task and node transition, in order. It is
// used for golden transcripts and debugging; it must not modify the simulation.
type Observer interface {
	Observe(e Record)
}

// Record is one transition, as given to an Observer.
type Record struct {
	Time   Time
	What   string // submit, start, hold, run, unhold, finish, lost, evict, fail, abandon, node-add, node-fail, ...
	Task   *Task  // nil for node records
	Node   NodeID // NoNode if not placed
	Reason string
}

// String formats the record as one transcript line.
func (r Record) String() string {
	s := fmt.Sprintf("%10.3fs %-8s", r.Time.Seconds(), r.What)
	if r.Task != nil {
		s += " task " + r.Task.String()
	}
	if r.Node != NoNode {
		s += fmt.Sprintf(" node %d", r.Node)
	}
	if r.Reason != "" {
		s += " (" + r.Reason + ")"
	}
	return s
}

// Config describes a run, apart from its workload and scheduler.
type Config struct {
	// Nodes is the initial cluster. It may be empty when the workload's node
	// events add the machines (a trace cluster).
	Nodes []Node
	// Seed seeds every random component of the run (see Sim.Rand).
	Seed uint64
	// Horizon stops the run at this simulated time; 0 runs until the workload is
	// drained.
	Horizon Time
	// Quiesce ends a drained run once only scheduler timers remain and nothing else
	// has happened for this long (a livelock of timeouts, tasks that can never be
	// placed). Default 1 h.
	Quiesce Time
	// MaxRestarts is how many times a task lost to node failure or eviction is
	// resubmitted before it fails. Negative means no limit. Default 10.
	MaxRestarts int
	// SampleEvery records a time series of utilization every so often (for plots);
	// 0 records none. The series is bounded: when it reaches MaxSamples points, every
	// other point is dropped and the interval doubles (Result.SampleEvery reports
	// the interval in force at the end), so memory and sampling events stay bounded
	// however small the interval and however long the run.
	SampleEvery Time
	// MaxLiveTasks bounds the tasks of jobs submitted and not yet finished, which
	// the run holds in memory at once (a few hundred bytes each): a workload that
	// would exceed it stops the run with an error wrapping ErrLimit instead of
	// exhausting the machine. 0 means DefaultMaxLiveTasks; negative, no limit.
	MaxLiveTasks int
	// NodeEvents is an optional extra stream of node events (a failure schedule).
	NodeEvents NodeSource
	// Quotas limits tenants' total allocation, enforced at every placement.
	Quotas map[string]Resources
	// Observer, if set, receives every transition.
	Observer Observer
	// Window is the interval over which the time-averaged metrics are measured;
	// the zero value is the whole run (WindowAll, no warm-up).
	Window Window
}

// DefaultMaxLiveTasks is the default Config.MaxLiveTasks: ten million tasks,
// far above the peak of any published trace replayed at scale 1 and well inside
// the memory of a 24 GiB machine.
const DefaultMaxLiveTasks = 10_000_000

// ErrLimit is wrapped by the error of a run stopped by a memory guard
// (Config.MaxLiveTasks).
var ErrLimit = errors.New("scheduler: limit exceeded")

// DefaultConfig returns a Config with the documented defaults and no nodes.
func DefaultConfig() Config {
	return Config{Quiesce: Hour, MaxRestarts: 10}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case c.Horizon < 0:
		return errors.New("scheduler: negative horizon")
	case c.Quiesce < 0:
		return errors.New("scheduler: negative quiesce")
	case c.SampleEvery < 0:
		return errors.New("scheduler: negative sample interval")
	case c.SampleEvery >= Forever:
		return errors.New("scheduler: sample interval forever: want a finite interval (0 = no series)")
	}
	if err := c.Window.validate(); err != nil {
		return err
	}
	for name, q := range c.Quotas {
		if q.AnyNegative() {
			return fmt.Errorf("scheduler: negative quota for tenant %q", name)
		}
	}
	return nil
}

// Sim is one simulation run: the cluster state, simulated time, the event queue,
// the workload stream, the scheduler and the metrics recorder.
type Sim struct {
	State *State
	cfg   Config
	now   Time
	q     eventQueue
	sched Scheduler
	src   Source
	nsrcs []NodeSource
	next  *Job // the source's next job, scheduled as an arrival
	nextN []NodeEvent
	rec   recorder
	err   error

	nodeByName  map[string]NodeID
	jobs        map[JobID]*Job // live jobs with dependents or awaiting deps
	waiting     map[JobID][]*Job
	nextTaskID  TaskID
	lastOutside Time
	done        bool
	started     bool
	failing     bool
	buf         []*Task
	stopReason  string
	dl          deadlock // the deadlock detector (deadlock.go)
	nq          notices  // Released and Enqueue calls not yet delivered (notify.go)
}

// NewSim builds a run. It validates cfg and the nodes; it does not start the run.
func NewSim(cfg Config, src Source, sched Scheduler) (*Sim, error) {
	if cfg.Quiesce == 0 {
		cfg.Quiesce = Hour
	}
	if cfg.MaxRestarts == 0 {
		cfg.MaxRestarts = 10
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if src == nil || sched == nil {
		return nil, errors.New("scheduler: NewSim needs a source and a scheduler")
	}
	st, err := NewState(cfg.Nodes)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cfg.Quotas))
	for name := range cfg.Quotas {
		names = append(names, name)
	}
	slices.Sort(names) // tenant IDs must not depend on map order
	for _, name := range names {
		st.SetQuota(name, cfg.Quotas[name])
	}
	s := &Sim{State: st, cfg: cfg, sched: sched, src: src, nodeByName: map[string]NodeID{},
		jobs: map[JobID]*Job{}, waiting: map[JobID][]*Job{}}
	for i := range st.nodes {
		if n := st.nodes[i].Name; n != "" {
			s.nodeByName[n] = NodeID(i)
		}
	}
	if ns, ok := src.(NodeSource); ok {
		s.nsrcs = append(s.nsrcs, ns)
	}
	if cfg.NodeEvents != nil {
		s.nsrcs = append(s.nsrcs, cfg.NodeEvents)
	}
	s.nextN = make([]NodeEvent, len(s.nsrcs))
	s.rec.init(s)
	return s, nil
}

// Run builds a Sim and runs it to the end.
func Run(cfg Config, src Source, sched Scheduler) (*Result, error) {
	s, err := NewSim(cfg, src, sched)
	if err != nil {
		return nil, err
	}
	return s.Run()
}

// Now returns the current simulated time.
func (s *Sim) Now() Time { return s.now }

// Config returns the run's configuration.
func (s *Sim) Config() *Config { return &s.cfg }

// Rand returns a new generator for the named component, derived from the run's
// seed (see NewRand). Call it once per component, at Attach.
func (s *Sim) Rand(component string) *rand.Rand { return NewRand(s.cfg.Seed, component) }

// At schedules fn at time t (not before now) and returns its timer.
func (s *Sim) At(t Time, fn func()) *Timer {
	if t < s.now {
		t = s.now
	}
	tm := &Timer{fn: fn}
	s.Arm(tm, t)
	return tm
}

// Arm (re)schedules timer tm to fire at time t (not before now), cancelling any
// earlier arming. It does not allocate.
func (s *Sim) Arm(tm *Timer, t Time) {
	if t < s.now {
		t = s.now
	}
	tm.gen++
	tm.at, tm.stopped = t, false
	s.q.push(event{at: t, kind: evTimer, timer: tm, epoch: tm.gen})
}

// After schedules fn after d and returns its timer. d = Forever never fires.
func (s *Sim) After(d Time, fn func()) *Timer {
	if d >= Forever-s.now {
		return &Timer{fn: fn, at: Forever, stopped: true}
	}
	return s.At(s.now+d, fn)
}

// Stop ends the run after the current event, recording why (e.g. "terminal
// deadlock").
func (s *Sim) Stop(reason string) {
	s.done = true
	s.stopReason = reason
}

// Run processes events until the workload is drained, the horizon is reached, or
// Stop is called, and returns the result. An error means bad input (a source error,
// jobs out of order, an invalid job); the run stops there.
func (s *Sim) Run() (*Result, error) {
	if err := s.Init(); err != nil {
		return nil, err
	}
	for s.Step() {
	}
	return s.Result()
}

// Init attaches the scheduler and pulls the first job and node events, so that the
// run can then be driven one event at a time with Step (for harnesses that check
// invariants between events). Run calls it; calling it again does nothing.
func (s *Sim) Init() error {
	if s.started {
		return s.err
	}
	s.started = true
	return s.start()
}

// Result ends the run's accounting at the current time and returns its result, or
// the error that stopped it. Call it once, after Step returned false (or earlier, to
// cut the run short).
func (s *Sim) Result() (*Result, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.finish(), nil
}

func (s *Sim) start() error {
	s.attachPlacers()
	s.enter()
	err := s.sched.Attach(s)
	s.leave()
	if err != nil {
		return err
	}
	s.pullJob()
	for i := range s.nsrcs {
		s.pullNode(i)
	}
	if s.cfg.SampleEvery > 0 {
		s.q.push(event{at: 0, kind: evSample})
	}
	return s.err
}

// attachPlacers attaches every placer of the scheduler (PlacerUser) to the run's
// state, each with its own random stream, once.
func (s *Sim) attachPlacers() {
	u, ok := s.sched.(PlacerUser)
	if !ok {
		return
	}
	var done []Attacher
	for _, slot := range u.Placers() {
		a, ok := slot.Placer.(Attacher)
		if !ok || slices.ContainsFunc(done, func(d Attacher) bool { return samePlacer(d, a) }) {
			continue
		}
		done = append(done, a)
		a.Attach(s.State, s.Rand(slot.Stream))
	}
}

// samePlacer reports whether a and b are the same placer: the same pointer, or
// equal values of a comparable type.
func samePlacer(a, b Attacher) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && any(a) == any(b)
}

// Step processes the next event and reports whether the run goes on.
func (s *Sim) Step() bool {
	if s.done || s.err != nil || s.q.Len() == 0 {
		return false
	}
	e := s.q.peek()
	if s.cfg.Horizon > 0 && e.at > s.cfg.Horizon {
		s.advance(s.cfg.Horizon)
		s.stopReason = "horizon"
		return false
	}
	if s.q.external == 0 && e.kind >= evTimer && s.next == nil && s.rec.pending == 0 && s.rec.held == 0 {
		// Nothing is waiting to be placed and nothing more will arrive: only
		// policy timers are left, and they have nothing to act on.
		return false
	}
	if s.q.external == 0 && e.kind >= evTimer && s.next == nil && e.at-s.lastOutside > s.cfg.Quiesce {
		// Only timers are left and nothing has come from outside for a while.
		s.stopReason = "quiesced"
		return false
	}
	ev := s.q.pop()
	s.advance(ev.at)
	s.rec.events++
	s.enter()
	s.handle(ev)
	s.leave()
	if s.dl.dirty {
		s.settleDeadlock()
	}
	return !s.done && s.err == nil
}

// handle processes one event. The scheduler calls it raises are delivered after it
// returns (notify.go).
func (s *Sim) handle(ev event) {
	switch ev.kind {
	case evArrival:
		s.lastOutside = s.now
		j := s.next
		s.next = nil
		s.pullJob()
		s.submit(j)
	case evFinish:
		s.lastOutside = s.now
		t := ev.task
		if t.State == TaskRunning && t.epoch == ev.epoch {
			s.complete(t)
		}
	case evNode:
		s.lastOutside = s.now
		i := int(ev.epoch)
		ne := s.nextN[i]
		s.pullNode(i)
		s.nodeEvent(ne)
	case evTimer:
		if tm := ev.timer; !tm.stopped && tm.gen == ev.epoch {
			tm.stopped = true
			tm.fn()
		}
	case evSample:
		s.rec.sample()
		// Sample on while anything can still happen: events from outside, jobs
		// to come, or tasks waiting (their placement may be a scheduler pass
		// queued after this sample).
		if s.q.external > 0 || s.next != nil || s.rec.pending > 0 || s.rec.running > 0 {
			s.q.push(event{at: s.now + s.rec.sampleEvery, kind: evSample})
		}
	}
}

func (s *Sim) advance(t Time) {
	if t > s.now {
		s.rec.advance(t)
		s.now = t
		s.q.now = t
	}
}

func (s *Sim) pullJob() {
	j, err := s.src.Next()
	if err == io.EOF {
		return
	}
	if err != nil {
		s.err = err
		return
	}
	if j == nil {
		s.err = errors.New("scheduler: source returned a nil job")
		return
	}
	if j.Submit < s.now {
		s.err = fmt.Errorf("scheduler: job %d (%s) submitted at %v, before the previous job (%v): sources must be in submit order", j.ID, j.Name, j.Submit, s.now)
		return
	}
	if max := s.cfg.MaxLiveTasks; max >= 0 {
		if max == 0 {
			max = DefaultMaxLiveTasks
		}
		if live := s.rec.liveJobTasks + len(j.Tasks); live > max {
			s.err = fmt.Errorf("%w: job %d at %v would make %d tasks submitted and not finished, more than Config.MaxLiveTasks (%d), a memory guard", ErrLimit, j.ID, j.Submit, live, max)
			return
		}
	}
	s.next = j
	s.q.push(event{at: j.Submit, kind: evArrival})
}

func (s *Sim) pullNode(i int) {
	ne, err := s.nsrcs[i].NextNodeEvent()
	if err == io.EOF {
		return
	}
	if err != nil {
		s.err = err
		return
	}
	if ne.Time < s.now {
		s.err = fmt.Errorf("scheduler: node event for %q at %v is out of time order (now %v)", ne.Node.Name, ne.Time, s.now)
		return
	}
	s.nextN[i] = ne
	s.q.push(event{at: ne.Time, kind: evNode, epoch: uint32(i)})
}

func (s *Sim) observe(what string, t *Task, n NodeID, reason string) {
	s.observeDeadlock(what, t)
	if s.cfg.Observer != nil {
		s.cfg.Observer.Observe(Record{Time: s.now, What: what, Task: t, Node: n, Reason: reason})
	}
}

// validateJob checks a job's description before submission.
func validateJob(j *Job) error {
	if j.MinMember < 0 || int(j.MinMember) > len(j.Tasks) {
		return fmt.Errorf("MinMember %d with %d tasks", j.MinMember, len(j.Tasks))
	}
	for gi, g := range j.Groups {
		for _, a := range g.After {
			if a < 0 || int(a) >= len(j.Groups) || int(a) == gi {
				return fmt.Errorf("group %q depends on bad group index %d", g.Name, a)
			}
		}
	}
	for i := range j.Tasks {
		t := &j.Tasks[i]
		if t.Request.AnyNegative() {
			return fmt.Errorf("task %d: negative request %v", i, t.Request)
		}
		if err := t.normalizeGPU(); err != nil {
			return fmt.Errorf("task %d: %w", i, err)
		}
		if len(j.Groups) == 0 && t.Group != 0 || len(j.Groups) > 0 && (t.Group < 0 || int(t.Group) >= len(j.Groups)) {
			return fmt.Errorf("task %d: group %d out of range", i, t.Group)
		}
	}
	return nil
}

func (s *Sim) submit(j *Job) {
	if err := validateJob(j); err != nil {
		s.err = fmt.Errorf("scheduler: job %d (%s): %w", j.ID, j.Name, err)
		return
	}
	j.TenantID = s.State.TenantID(j.Tenant)
	j.Started, j.GangReady, j.Done = -1, -1, -1
	for i := range j.Tasks {
		t := &j.Tasks[i]
		t.Job = j
		t.ID = s.nextTaskID
		s.nextTaskID++
		t.Node = NoNode
		t.State = TaskBlocked
		t.Ready = s.now
		if t.Priority == 0 {
			t.Priority = j.Priority
		}
	}
	s.rec.jobSubmitted(j)
	if len(j.After) > 0 {
		for _, d := range j.After {
			if dj, ok := s.jobs[d]; ok && dj.Done < 0 {
				j.deps++
				dj.dependents = append(dj.dependents, j)
			}
		}
		if j.deps > 0 {
			s.jobs[j.ID] = j
			s.observe("wait-deps", nil, NoNode, fmt.Sprintf("job %d waits for %d jobs", j.ID, j.deps))
			return
		}
	}
	s.jobs[j.ID] = j
	s.release(j)
}

// release makes a job's runnable tasks pending: all of them, or those of the DAG
// groups with no unfinished predecessors.
func (s *Sim) release(j *Job) {
	if len(j.Tasks) == 0 {
		s.jobDone(j)
		return
	}
	if len(j.Groups) > 0 {
		j.groupLeft = make([]int32, len(j.Groups))
		for i := range j.Tasks {
			j.groupLeft[j.Tasks[i].Group]++
		}
		s.releaseGroups(j)
		return
	}
	s.buf = s.buf[:0]
	for i := range j.Tasks {
		t := &j.Tasks[i]
		t.State = TaskPending
		s.observe("submit", t, NoNode, "")
		s.buf = append(s.buf, t)
	}
	s.rec.pending += len(s.buf)
	s.notifyEnqueue(s.buf)
}

// releaseGroups makes pending the blocked tasks of every group whose predecessors
// have all completed.
func (s *Sim) releaseGroups(j *Job) {
	s.buf = s.buf[:0]
	for i := range j.Tasks {
		t := &j.Tasks[i]
		if t.State != TaskBlocked {
			continue
		}
		ready := true
		for _, a := range j.Groups[t.Group].After {
			if j.groupLeft[a] > 0 {
				ready = false
				break
			}
		}
		if ready {
			t.State = TaskPending
			t.Ready = s.now
			s.observe("submit", t, NoNode, "")
			s.buf = append(s.buf, t)
		}
	}
	if len(s.buf) > 0 {
		s.rec.pending += len(s.buf)
		s.notifyEnqueue(s.buf)
	}
}

// Start places pending task t on node id (gpus = 0 lets the state choose the
// devices) and starts it running. It returns the state's status if the placement is
// invalid, and changes nothing then.
func (s *Sim) Start(t *Task, id NodeID, gpus GPUSet) Status {
	if t.State != TaskPending {
		return Status{Error, "task is not pending"}
	}
	if st := s.State.Place(t, id, gpus, false); !st.IsOK() {
		return st
	}
	s.rec.placements++
	s.run(t)
	return StatusOK
}

// Hold places pending task t on node id without starting it: its resources are
// reserved and count as held-idle until Activate or Unhold.
func (s *Sim) Hold(t *Task, id NodeID, gpus GPUSet) Status {
	if t.State != TaskPending {
		return Status{Error, "task is not pending"}
	}
	if st := s.State.Place(t, id, gpus, true); !st.IsOK() {
		return st
	}
	s.rec.placements++
	s.rec.pending--
	s.rec.held++
	t.State = TaskHeld
	s.observe("hold", t, id, "")
	return StatusOK
}

// Activate starts a held task running on the node it holds.
func (s *Sim) Activate(t *Task) {
	if t.State != TaskHeld {
		return
	}
	s.State.Activate(t)
	s.rec.held--
	s.rec.pending++ // run() moves it from pending to running
	s.run(t)
}

// Unhold releases a held task's reservation; the task is pending again and stays
// with the scheduler that held it (it is not passed to Enqueue).
func (s *Sim) Unhold(t *Task, reason string) {
	if t.State != TaskHeld {
		return
	}
	id := t.Node
	s.State.Release(t)
	s.rec.held--
	s.rec.pending++
	t.State = TaskPending
	s.observe("unhold", t, id, reason)
	s.notifyReleased(id)
	s.deliver()
}

// CommitPlan commits plan p (see State.Commit) and starts, or holds, every task
// whose claim was applied.
func (s *Sim) CommitPlan(p *Plan, d Detection, allOrNothing bool) CommitResult {
	res := s.State.Commit(p, d, allOrNothing)
	if res.Committed == 0 {
		return res
	}
	ci := 0
	for i := range p.Claims {
		if ci < len(res.Conflicts) && res.Conflicts[ci] == i {
			ci++
			continue
		}
		c := &p.Claims[i]
		t := c.Task
		s.rec.placements++
		if c.Held {
			s.rec.pending--
			s.rec.held++
			t.State = TaskHeld
			s.observe("hold", t, t.Node, "")
		} else {
			s.run(t)
		}
	}
	return res
}

// run starts a placed task: it becomes Running and its finish is scheduled.
func (s *Sim) run(t *Task) {
	t.State = TaskRunning
	t.Started = s.now
	t.epoch++
	s.rec.pending--
	s.rec.running++
	j := t.Job
	j.running++
	if j.Started < 0 {
		j.Started = s.now
		s.rec.jobStarted(j)
	}
	if j.GangReady < 0 && j.running >= max(j.MinMember, 1) {
		j.GangReady = s.now
		s.rec.gangReady(j)
	}
	s.observe("start", t, t.Node, "")
	if t.Runtime >= 0 && t.Runtime < Forever-s.now {
		s.q.push(event{at: s.now + t.Runtime, kind: evFinish, task: t, epoch: t.epoch})
	}
}

// complete ends a running task that reached its runtime.
func (s *Sim) complete(t *Task) {
	id := t.Node
	s.State.Release(t)
	s.rec.running--
	t.Job.running--
	s.observe("finish", t, id, "")
	s.terminal(t, TaskCompleted, "")
	s.notifyReleased(id)
}

// terminal moves t to a terminal state and handles job completion and DAG release.
func (s *Sim) terminal(t *Task, st TaskState, reason string) {
	t.State = st
	t.Ended = s.now
	j := t.Job
	j.terminal++
	s.rec.taskEnded(t, st)
	if st == TaskCompleted {
		j.completed++
		if j.groupLeft != nil {
			j.groupLeft[t.Group]--
			if j.groupLeft[t.Group] == 0 {
				s.releaseGroups(j)
			}
		}
	} else {
		if reason != "" {
			s.observe(st.String(), t, NoNode, reason)
		}
		if j.groupLeft != nil {
			s.cancelSuccessors(j, t.Group, st)
		}
	}
	if int(j.terminal) == len(j.Tasks) {
		s.jobDone(j)
	}
}

// cancelSuccessors ends, with the same state, every still-blocked task of the groups
// that depend on group g directly or indirectly: a DAG stage whose predecessor
// failed or was abandoned can never run.
func (s *Sim) cancelSuccessors(j *Job, g int32, st TaskState) {
	dead := make([]bool, len(j.Groups))
	dead[g] = true
	for changed := true; changed; {
		changed = false
		for gi, gr := range j.Groups {
			if dead[gi] {
				continue
			}
			for _, a := range gr.After {
				if dead[a] {
					dead[gi], changed = true, true
					break
				}
			}
		}
	}
	for i := range j.Tasks {
		o := &j.Tasks[i]
		if o.State == TaskBlocked && dead[o.Group] {
			s.terminal(o, st, "predecessor "+j.Groups[g].Name+" "+st.String())
		}
	}
}

func (s *Sim) jobDone(j *Job) {
	if j.Done >= 0 {
		// Already done: a failed DAG stage ends its successors from inside
		// terminal, and each enclosing terminal call sees the job complete again.
		return
	}
	j.Done = s.now
	s.rec.jobDone(j)
	delete(s.jobs, j.ID)
	for _, d := range j.dependents {
		d.deps--
		if d.deps == 0 {
			s.release(d)
		}
	}
	j.dependents = nil
}

// Fail ends a pending or held task that can never be placed (Unresolvable, or a
// policy's own limit). Its job continues with its other tasks.
func (s *Sim) Fail(t *Task, reason string) {
	s.end(t, TaskFailed, reason)
	s.deliver()
}

// Abandon ends every non-terminal task of job j that is not running (pending,
// blocked or held; held reservations are released): the scheduler gave up on it.
// Running tasks run to completion.
func (s *Sim) Abandon(j *Job, reason string) {
	if !j.Abandoned {
		j.Abandoned = true
		s.rec.jobsAbandoned++
	}
	for i := range j.Tasks {
		t := &j.Tasks[i]
		if t.State == TaskPending || t.State == TaskHeld || t.State == TaskBlocked {
			s.end(t, TaskAbandoned, reason)
		}
	}
	s.deliver()
}

func (s *Sim) end(t *Task, st TaskState, reason string) {
	switch t.State {
	case TaskHeld:
		id := t.Node
		s.State.Release(t)
		s.rec.held--
		s.terminal(t, st, reason)
		s.notifyReleased(id)
	case TaskPending:
		s.rec.pending--
		s.terminal(t, st, reason)
	case TaskBlocked:
		s.terminal(t, st, reason)
	}
}

// Evict stops running (or held) task t to make room for another (preemption): it
// is released and resubmitted through Enqueue, or fails once it has been restarted
// more than Config.MaxRestarts times.
func (s *Sim) Evict(t *Task, reason string) {
	if t.State != TaskRunning && t.State != TaskHeld {
		return
	}
	s.rec.evictions++
	s.observe("evict", t, t.Node, reason)
	s.lose(t, reason)
	s.deliver()
}

// lose takes a running or held task off its node and resubmits it.
func (s *Sim) lose(t *Task, reason string) {
	id := t.Node
	s.State.Release(t)
	if t.State == TaskRunning {
		s.rec.running--
		t.Job.running--
	} else {
		s.rec.held--
	}
	t.Restarts++
	if s.cfg.MaxRestarts >= 0 && int(t.Restarts) > s.cfg.MaxRestarts {
		s.terminal(t, TaskFailed, "restart limit")
	} else {
		t.State = TaskPending
		t.Ready = s.now
		s.rec.pending++
		s.rec.resubmitted++
		s.buf = append(s.buf[:0], t)
		s.notifyEnqueue(s.buf)
	}
	if !s.failing {
		s.notifyReleased(id)
	}
}

func (s *Sim) nodeEvent(ne NodeEvent) {
	if ne.Kind == NodeAdd {
		id, err := s.State.AddNode(ne.Node)
		if err != nil {
			s.err = err
			return
		}
		if ne.Node.Name != "" {
			if _, dup := s.nodeByName[ne.Node.Name]; dup {
				s.err = fmt.Errorf("scheduler: node %q added twice", ne.Node.Name)
				return
			}
			s.nodeByName[ne.Node.Name] = id
		}
		s.observe("node-add", nil, id, ne.Node.Name)
		s.notifyReleased(id)
		return
	}
	id, ok := s.nodeByName[ne.Node.Name]
	if !ok || s.State.Removed(id) {
		s.rec.unknownNodeEvents++
		return
	}
	switch ne.Kind {
	case NodeFail, NodeRemove:
		s.observe("node-"+ne.Kind.String(), nil, id, "")
		var victims []*Task
		s.State.Tasks(id, func(t *Task) bool { victims = append(victims, t); return true })
		// Lose the oldest placement first, so resubmission order is deterministic
		// and follows placement order.
		s.failing = true
		for i := len(victims) - 1; i >= 0; i-- {
			s.rec.lost++
			s.observe("lost", victims[i], id, "node "+ne.Kind.String())
			s.lose(victims[i], "node "+ne.Kind.String())
		}
		s.failing = false
		if ne.Kind == NodeFail {
			s.State.SetDown(id, true)
		} else {
			s.State.Remove(id)
		}
	case NodeRecover:
		s.State.SetDown(id, false)
		s.observe("node-recover", nil, id, "")
		s.notifyReleased(id)
	case NodeUpdate:
		c := ne.Node.Capacity
		c[GPU] = s.State.Node(id).Capacity[GPU]
		if err := s.State.Update(id, c); err != nil {
			s.rec.unknownNodeEvents++ // a shrink below what runs there: ignored
			return
		}
		s.observe("node-update", nil, id, "")
		s.notifyReleased(id)
	}
}

// Job returns the live job with the given ID, or nil once it is done.
func (s *Sim) Job(id JobID) *Job { return s.jobs[id] }
