package scheduler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Percentiles summarises a distribution of simulated seconds.
type Percentiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Mean float64 `json:"mean"`
	N    int     `json:"n"`
}

// PerResource holds one fraction per resource (0..1). Resources the cluster does not
// have are 0.
type PerResource struct {
	CPU  float64 `json:"cpu"`
	Mem  float64 `json:"mem"`
	GPU  float64 `json:"gpu"`
	Disk float64 `json:"disk"`
}

// DeadlockStats is the deadlock detector's report (see DESIGN.md).
type DeadlockStats struct {
	Terminal            bool    `json:"terminal"`
	FirstSeconds        float64 `json:"first_seconds"` // when the first episode began; -1 if none
	Episodes            int     `json:"episodes"`
	Gangs               int     `json:"gangs"` // distinct gangs involved in any episode
	HeldResourceSeconds float64 `json:"held_resource_seconds"`
	// HeldByResource splits HeldResourceSeconds (which sums the dominant share of
	// each holding) per resource, in resource-unit seconds.
	HeldByResource PerResource `json:"held_by_resource"`
}

// ConflictStats counts optimistic transactions (Omega). Fraction is conflicted
// transactions / successful transactions, and can exceed 1.
type ConflictStats struct {
	Transactions int     `json:"transactions"`
	Conflicted   int     `json:"conflicted"`
	Fraction     float64 `json:"fraction"`
}

// Busyness is scheduler busy time / run time, split into useful and wasted work,
// averaged over the run's schedulers.
type Busyness struct {
	Useful float64 `json:"useful"`
	Wasted float64 `json:"wasted"`
}

// Sample is one point of the utilization time series.
type Sample struct {
	Seconds   float64     `json:"t"`
	Allocated PerResource `json:"allocated"`
	Held      PerResource `json:"held"`
	Pending   int         `json:"pending"`
	Running   int         `json:"running"`
}

// Result is the record of one run. The JSON keys are a stable contract (DESIGN.md):
// keys are added, never renamed. Every field but WallSeconds and the per-second
// rates is identical for identical inputs and seed; the core leaves those zero and
// bench or the CLI fill them from the wall clock.
type Result struct {
	Scheduler           string        `json:"scheduler"`
	Placer              string        `json:"placer"`
	Workload            string        `json:"workload"`
	Seed                uint64        `json:"seed"`
	SimSeconds          float64       `json:"sim_seconds"`
	WallSeconds         float64       `json:"wall_seconds"`
	Events              int64         `json:"events"`
	EventsPerSecond     float64       `json:"events_per_second"`
	Placements          int64         `json:"placements"`
	PlacementsPerSecond float64       `json:"placements_per_second"`
	JobsSubmitted       int           `json:"jobs_submitted"`
	JobsCompleted       int           `json:"jobs_completed"`
	JobsAbandoned       int           `json:"jobs_abandoned"`
	TasksSubmitted      int           `json:"tasks_submitted"`
	TasksCompleted      int           `json:"tasks_completed"`
	TasksFailed         int           `json:"tasks_failed"`
	TasksAbandoned      int           `json:"tasks_abandoned"`
	TasksPending        int           `json:"tasks_pending"`
	TasksHeld           int           `json:"tasks_held"`
	TasksRunning        int           `json:"tasks_running"`
	TasksBlocked        int           `json:"tasks_blocked"`
	TasksEvicted        int           `json:"tasks_evicted"`
	TasksLost           int           `json:"tasks_lost"`
	TasksPerHour        float64       `json:"tasks_placed_per_sim_hour"`
	JobsPerHour         float64       `json:"jobs_completed_per_sim_hour"`
	Makespan            float64       `json:"makespan_seconds"` // last task completion
	Utilization         PerResource   `json:"utilization"`
	HeldIdle            PerResource   `json:"held_idle"`
	UsefulUtilization   PerResource   `json:"useful_utilization"`
	JobWait             Percentiles   `json:"job_wait_seconds"`
	GangWait            Percentiles   `json:"gang_wait_seconds"`
	JobCompletion       Percentiles   `json:"job_completion_seconds"`
	Slowdown            Percentiles   `json:"slowdown"`
	Deadlock            DeadlockStats `json:"deadlock"`
	Conflicts           ConflictStats `json:"conflicts"`
	Busyness            Busyness      `json:"busyness"`
	Fragmentation       float64       `json:"fragmentation"`
	StopReason          string        `json:"stop_reason"`
	// Extra holds policy-specific metrics (e.g. Mesos' locked fraction) under
	// stable keys of their own.
	Extra map[string]float64 `json:"extra,omitempty"`
	// Series is the utilization time series, when Config.SampleEvery is set: at
	// most MaxSamples points, SampleEvery apart.
	Series []Sample `json:"series,omitempty"`
	// SampleEvery is the interval of Series in seconds: Config.SampleEvery, doubled
	// each time the series reached MaxSamples points (0 without a series).
	SampleEvery float64 `json:"sample_every_seconds,omitempty"`
}

// Hash returns a hex SHA-256 of the result's JSON with the wall-clock fields
// zeroed: equal for runs that behaved identically.
func (r *Result) Hash() string {
	c := *r
	c.WallSeconds, c.EventsPerSecond, c.PlacementsPerSecond = 0, 0, 0
	b, _ := json.Marshal(&c)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// recorder accumulates the metrics of a run as it goes.
type recorder struct {
	sim        *Sim
	last       Time
	allocInt   [NumResources]float64 // ∫ allocated dt (unit·s)
	heldInt    [NumResources]float64
	capInt     [NumResources]float64
	events     int64
	placements int64

	jobsSubmitted, jobsCompleted, jobsAbandoned int
	tasksSubmitted                              int
	ended                                       [numTaskStates]int
	pending, held, running                      int
	evictions, lost, resubmitted                int
	unknownNodeEvents                           int
	makespan                                    Time
	liveJobTasks                                int // tasks of submitted jobs that are not done
	reqSum                                      Resources

	jobWait, gangWait, jct, slowdown []float64
	series                           []Sample
	sampleEvery                      Time // the interval in force (Config.SampleEvery, doubled by coarsening)
}

func (r *recorder) init(s *Sim) { r.sim = s }

func (r *recorder) advance(t Time) {
	dt := (t - r.last).Seconds()
	st := r.sim.State
	for i := 0; i < int(NumResources); i++ {
		if st.allocated[i] != 0 {
			r.allocInt[i] += float64(st.allocated[i]) * dt
		}
		if st.held[i] != 0 {
			r.heldInt[i] += float64(st.held[i]) * dt
		}
		r.capInt[i] += float64(st.capacity[i]) * dt
	}
	r.last = t
}

func frac(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// MaxSamples bounds Result.Series (see Config.SampleEvery).
const MaxSamples = 1 << 14

func (r *recorder) sample() {
	if r.sampleEvery == 0 {
		r.sampleEvery = r.sim.cfg.SampleEvery
	}
	if len(r.series) >= MaxSamples {
		// Coarsen: keep the points at even multiples of the interval and double it.
		// Points are at 0, Δ, …, (M−1)Δ with M = MaxSamples even, so the kept ones
		// are 0, 2Δ, …, (M−2)Δ and now, MΔ, is the next point of the coarser grid.
		k := 0
		for i := 0; i < len(r.series); i += 2 {
			r.series[k] = r.series[i]
			k++
		}
		r.series = r.series[:k]
		r.sampleEvery *= 2
	}
	st := r.sim.State
	c, a, h := st.capacity, st.allocated, st.held
	r.series = append(r.series, Sample{
		Seconds:   r.sim.now.Seconds(),
		Allocated: PerResource{frac(a[CPU], c[CPU]), frac(a[Memory], c[Memory]), frac(a[GPU], c[GPU]), frac(a[Disk], c[Disk])},
		Held:      PerResource{frac(h[CPU], c[CPU]), frac(h[Memory], c[Memory]), frac(h[GPU], c[GPU]), frac(h[Disk], c[Disk])},
		Pending:   r.pending, Running: r.running,
	})
}

func (r *recorder) jobSubmitted(j *Job) {
	r.jobsSubmitted++
	r.tasksSubmitted += len(j.Tasks)
	r.liveJobTasks += len(j.Tasks)
	for i := range j.Tasks {
		r.reqSum = r.reqSum.Add(j.Tasks[i].Request)
	}
}

func (r *recorder) jobStarted(j *Job) {
	r.jobWait = append(r.jobWait, (r.sim.now - j.Submit).Seconds())
}

func (r *recorder) gangReady(j *Job) {
	if j.IsGang() {
		r.gangWait = append(r.gangWait, (r.sim.now - j.Submit).Seconds())
	}
}

func (r *recorder) taskEnded(t *Task, st TaskState) {
	r.ended[st]++
	if st == TaskCompleted && r.sim.now > r.makespan {
		r.makespan = r.sim.now
	}
}

func (r *recorder) jobDone(j *Job) {
	r.liveJobTasks -= len(j.Tasks)
	if j.completed == int32(len(j.Tasks)) && !j.Abandoned {
		r.jobsCompleted++
		jct := (r.sim.now - j.Submit).Seconds()
		r.jct = append(r.jct, jct)
		var longest Time
		for i := range j.Tasks {
			longest = max(longest, j.Tasks[i].Runtime)
		}
		if longest > 0 {
			r.slowdown = append(r.slowdown, jct/longest.Seconds())
		}
	}
}

// percentiles returns p50/p90/p99 (empirical quantiles, gonum/stat) and the mean.
// It sorts xs in place.
func percentiles(xs []float64) Percentiles {
	if len(xs) == 0 {
		return Percentiles{}
	}
	slices.Sort(xs)
	return Percentiles{
		P50:  stat.Quantile(0.50, stat.Empirical, xs, nil),
		P90:  stat.Quantile(0.90, stat.Empirical, xs, nil),
		P99:  stat.Quantile(0.99, stat.Empirical, xs, nil),
		Mean: stat.Mean(xs, nil),
		N:    len(xs),
	}
}

func perRes(num, den [NumResources]float64) PerResource {
	f := func(i Resource) float64 {
		if den[i] == 0 {
			return 0
		}
		return num[i] / den[i]
	}
	return PerResource{f(CPU), f(Memory), f(GPU), f(Disk)}
}

// Fragmentation returns the share of free capacity that sits on up nodes where the
// typical task cannot fit. The typical task is the mean request of the submitted
// tasks; the share is measured on GPU when tasks request GPUs, else on CPU. Cost
// O(nodes).
func (s *Sim) Fragmentation() float64 {
	r := &s.rec
	if r.tasksSubmitted == 0 {
		return 0
	}
	typ := Task{Node: NoNode}
	for i := range typ.Request {
		typ.Request[i] = r.reqSum[i] / int64(r.tasksSubmitted)
	}
	dim := CPU
	if typ.Request[GPU] > 0 {
		dim = GPU
		if typ.Request[GPU] < 1000 {
			typ.GPUCount, typ.GPUMilli = 1, int32(typ.Request[GPU])
		} else {
			typ.GPUCount, typ.GPUMilli = int32(typ.Request[GPU]/1000), 1000
			typ.Request[GPU] = int64(typ.GPUCount) * 1000
		}
	}
	var free, stranded int64
	st := s.State
	for i := range st.nodes {
		n := &st.nodes[i]
		if !n.up {
			continue
		}
		free += n.free[dim]
		if !st.Fits(&typ, NodeID(i)).IsOK() {
			stranded += n.free[dim]
		}
	}
	return frac(stranded, free)
}

func (s *Sim) finish() *Result {
	r := &s.rec
	if s.now > r.last {
		r.advance(s.now)
	}
	res := &Result{
		Seed:           s.cfg.Seed,
		SimSeconds:     s.now.Seconds(),
		Events:         r.events,
		Placements:     r.placements,
		JobsSubmitted:  r.jobsSubmitted,
		JobsCompleted:  r.jobsCompleted,
		JobsAbandoned:  r.jobsAbandoned,
		TasksSubmitted: r.tasksSubmitted,
		TasksCompleted: r.ended[TaskCompleted],
		TasksFailed:    r.ended[TaskFailed],
		TasksAbandoned: r.ended[TaskAbandoned],
		TasksPending:   r.pending,
		TasksHeld:      r.held,
		TasksRunning:   r.running,
		TasksEvicted:   r.evictions,
		TasksLost:      r.lost,
		Makespan:       r.makespan.Seconds(),
		Utilization:    perRes(r.allocInt, r.capInt),
		HeldIdle:       perRes(r.heldInt, r.capInt),
		JobWait:        percentiles(r.jobWait),
		GangWait:       percentiles(r.gangWait),
		JobCompletion:  percentiles(r.jct),
		Slowdown:       percentiles(r.slowdown),
		Fragmentation:  s.Fragmentation(),
		StopReason:     s.stopReason,
		Series:         r.series,
		SampleEvery:    r.sampleEvery.Seconds(),
	}
	res.TasksBlocked = res.TasksSubmitted - res.TasksCompleted - res.TasksFailed - res.TasksAbandoned - res.TasksPending - res.TasksHeld - res.TasksRunning
	if res.StopReason == "" {
		res.StopReason = "drained"
	}
	res.Deadlock.FirstSeconds = -1
	s.reportDeadlock(res)
	u, h := res.Utilization, res.HeldIdle
	res.UsefulUtilization = PerResource{u.CPU - h.CPU, u.Mem - h.Mem, u.GPU - h.GPU, u.Disk - h.Disk}
	if hrs := s.now.Seconds() / 3600; hrs > 0 {
		res.TasksPerHour = float64(r.placements) / hrs
		res.JobsPerHour = float64(r.jobsCompleted) / hrs
	}
	if r.unknownNodeEvents > 0 {
		res.setExtra("node_events_ignored", float64(r.unknownNodeEvents))
	}
	if r.resubmitted > 0 {
		res.setExtra("tasks_resubmitted", float64(r.resubmitted))
	}
	if rep, ok := s.sched.(Reporter); ok {
		rep.Report(res)
	}
	for _, f := range []*float64{&res.Utilization.CPU, &res.HeldIdle.CPU, &res.Fragmentation} {
		if math.IsNaN(*f) {
			*f = 0
		}
	}
	return res
}

func (r *Result) setExtra(k string, v float64) {
	if r.Extra == nil {
		r.Extra = map[string]float64{}
	}
	r.Extra[k] = v
}

// SetExtra records a policy-specific metric under key k.
func (r *Result) SetExtra(k string, v float64) { r.setExtra(k, v) }
