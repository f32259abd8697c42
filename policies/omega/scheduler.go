package omega

import (
	"fmt"

	"github.com/schedlab/schedlab/scheduler"
)

// Omega is the shared-state architecture of the Omega paper: N schedulers, each with
// its own FIFO queue and decision time, planning against the cell state as of the
// start of each attempt and committing the plan as a transaction at its end. With
// Config.Monolithic it is instead the paper's monolithic baseline: one serial
// scheduler that places on the live state.
//
// It implements scheduler.Scheduler and scheduler.Reporter.
type Omega struct {
	cfg     Config
	sim     *scheduler.Sim
	agents  []*agent
	byClass [2][]*agent // agents serving each class (both classes: the same one when monolithic)
	rr      [2]int      // round-robin cursor per class
	jobs    map[scheduler.JobID]*jobEntry

	// freed counts, per node, the Released calls so far; kept only with
	// Config.SeqCountsReleases under DetectSeq (see seqReleases).
	freed []uint64

	waits [2]classWaits

	// afterCommit, if set, is called after every commit with the plan and its
	// result (tests use it to check invariants at every interleaving point).
	beforeCommit func(a *agent, p *scheduler.Plan)
	afterCommit  func(a *agent, p *scheduler.Plan, res scheduler.CommitResult)
}

var (
	_ scheduler.Scheduler = (*Omega)(nil)
	_ scheduler.Reporter  = (*Omega)(nil)
)

// New returns an Omega scheduler (or, with cfg.Monolithic, the monolithic baseline).
// It validates cfg and builds one placer per scheduler.
func New(cfg Config) (*Omega, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	newPlacer := cfg.NewPlacer
	if newPlacer == nil {
		newPlacer = func() (scheduler.Placer, error) { return NewRandomFirstFit(), nil }
	}
	o := &Omega{cfg: cfg, jobs: map[scheduler.JobID]*jobEntry{}}
	add := func(name string, class scheduler.Class) error {
		pl, err := newPlacer()
		if err != nil {
			return fmt.Errorf("omega: placer for %s: %w", name, err)
		}
		if pl == nil {
			return fmt.Errorf("omega: placer for %s is nil", name)
		}
		a := &agent{o: o, name: name, class: class, placer: pl}
		o.agents = append(o.agents, a)
		return nil
	}
	if cfg.Monolithic {
		if err := add("monolithic", scheduler.Batch); err != nil {
			return nil, err
		}
		o.byClass[scheduler.Batch] = o.agents
		o.byClass[scheduler.Service] = o.agents
		return o, nil
	}
	for i := 0; i < cfg.ServiceSchedulers; i++ {
		if err := add(fmt.Sprintf("service-%d", i), scheduler.Service); err != nil {
			return nil, err
		}
	}
	for i := 0; i < cfg.BatchSchedulers; i++ {
		if err := add(fmt.Sprintf("batch-%d", i), scheduler.Batch); err != nil {
			return nil, err
		}
	}
	for _, a := range o.agents {
		o.byClass[a.class] = append(o.byClass[a.class], a)
	}
	for c := range o.byClass {
		if len(o.byClass[c]) == 0 {
			o.byClass[c] = o.byClass[1-c]
		}
	}
	return o, nil
}

// Config returns the scheduler's configuration.
func (o *Omega) Config() Config { return o.cfg }

// Schedulers returns the names of the schedulers, in the order of their metrics
// ("service-0", …, "batch-0", …; "monolithic" for the baseline).
func (o *Omega) Schedulers() []string {
	out := make([]string, len(o.agents))
	for i, a := range o.agents {
		out[i] = a.name
	}
	return out
}

// Placers implements scheduler.PlacerUser: every scheduler's placer, each on its
// own stream, "omega/placer/NAME".
func (o *Omega) Placers() []scheduler.PlacerSlot {
	out := make([]scheduler.PlacerSlot, len(o.agents))
	for i, a := range o.agents {
		out[i] = scheduler.PlacerSlot{Stream: "omega/placer/" + a.name, Placer: a.placer}
	}
	return out
}

// Attach implements scheduler.Scheduler.
func (o *Omega) Attach(sim *scheduler.Sim) error {
	o.sim = sim
	return nil
}

// decision returns the decision-time parameters for job j when attempted by a.
func (o *Omega) decision(a *agent, j *scheduler.Job) DecisionTime {
	c := a.class
	if o.cfg.Monolithic {
		c = j.Class
	}
	if c == scheduler.Service {
		return o.cfg.Service
	}
	return o.cfg.Batch
}

// pick returns the index, among n schedulers of class c, of the one that gets the
// new job id (Config.Spread).
func (o *Omega) pick(c scheduler.Class, id scheduler.JobID, n int) int {
	if o.cfg.Spread == SpreadHash {
		return int(mix64(uint64(id)) % uint64(n))
	}
	i := o.rr[c] % n
	o.rr[c]++
	return i
}

// mix64 is the SplitMix64 finaliser: a fixed, well-spread hash of x.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (o *Omega) isPrefill(j *scheduler.Job) bool {
	return o.cfg.PrefillTenant != "" && j.Tenant == o.cfg.PrefillTenant
}

// Enqueue implements scheduler.Scheduler. New jobs are routed to a scheduler of
// their class, round-robin or by a hash of the job ID (Config.Spread); tasks of a job the scheduler already holds (resubmitted
// after a node failure or eviction) join its entry. Enqueue only queues: attempts
// start from the agents' timers.
func (o *Omega) Enqueue(tasks []*scheduler.Task) {
	for _, t := range tasks {
		j := t.Job
		e := o.jobs[j.ID]
		if e == nil {
			c := j.Class
			if c > scheduler.Service {
				c = scheduler.Batch
			}
			as := o.byClass[c]
			a := as[o.pick(c, j.ID, len(as))]
			e = &jobEntry{job: j, agent: a, firstAttempt: -1, prefill: o.isPrefill(j), resubmit: j.Started >= 0}
			o.jobs[j.ID] = e
			e.tasks = append(e.tasks, t)
			a.push(e)
			continue
		}
		e.tasks = append(e.tasks, t)
		if e.where == whereNone {
			// Finished its scheduling earlier; a task came back.
			e.agent.push(e)
		}
	}
}

// Released implements scheduler.Scheduler. Omega does not react to releases: a job
// with tasks left retries after Config.RetryDelay, as in the paper. With
// Config.SeqCountsReleases under DetectSeq it counts them, per node, as changes
// that make a claim on the node stale.
func (o *Omega) Released(id scheduler.NodeID) {
	if !o.seqReleases() || id < 0 {
		return
	}
	if int(id) >= len(o.freed) {
		o.freed = append(o.freed, make([]uint64, int(id)+1-len(o.freed))...)
	}
	o.freed[id]++
}

// seqReleases reports whether releases count as changes for conflict detection.
func (o *Omega) seqReleases() bool {
	return o.cfg.SeqCountsReleases && o.cfg.Detection == scheduler.DetectSeq && !o.cfg.Monolithic
}

// freedOn returns the number of releases seen on node id so far.
func (o *Omega) freedOn(id scheduler.NodeID) uint64 {
	if int(id) < len(o.freed) && id >= 0 {
		return o.freed[id]
	}
	return 0
}

// seqFreed is the sequence number given to a claim whose machine had capacity
// freed since the plan (Config.SeqCountsReleases): no node reaches it, so the
// commit's sequence-number check rejects the claim like any other stale one.
const seqFreed = ^uint64(0)

// markFreed marks stale every claim of p whose node had a release since the plan;
// seen holds each claim's node's release count at plan time.
func (o *Omega) markFreed(p *scheduler.Plan, seen []uint64) {
	for i := range p.Claims {
		if i < len(seen) && o.freedOn(p.Claims[i].Node) != seen[i] {
			p.Claims[i].Seq = seqFreed
		}
	}
}

// observe emits a transcript record through the run's Observer, if any.
func (o *Omega) observe(what string, t *scheduler.Task, n scheduler.NodeID, reason string) {
	if obs := o.sim.Config().Observer; obs != nil {
		obs.Observe(scheduler.Record{Time: o.sim.Now(), What: what, Task: t, Node: n, Reason: reason})
	}
}

// where says where a job entry is.
type where uint8

const (
	whereNone     where = iota // not queued: done, or waiting for tasks to come back
	whereQueued                // in its agent's queue
	whereDeciding              // its agent is deciding on it
	whereRetry                 // waiting RetryDelay before rejoining the queue
)

// jobEntry is one job in a scheduler's hands.
type jobEntry struct {
	job          *scheduler.Job
	agent        *agent
	tasks        []*scheduler.Task // pending tasks not yet placed
	attempts     int
	placedAny    bool
	fullyDone    bool // wait-to-full recorded
	firstAttempt scheduler.Time
	where        where
	prefill      bool
	resubmit     bool // created for tasks of a job that had started: no wait metrics
}

// prune drops tasks that are no longer pending (placed, failed, abandoned).
func (e *jobEntry) prune() {
	k := 0
	for _, t := range e.tasks {
		if t.State == scheduler.TaskPending && t.Node == scheduler.NoNode {
			e.tasks[k] = t
			k++
		}
	}
	clear(e.tasks[k:])
	e.tasks = e.tasks[:k]
}
