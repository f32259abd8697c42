package scheduler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Percentiles summarises a distribution of simulated seconds (or, for Slowdown,
// of ratios) over every job the statistic concerns, including those for which the
// measured event (start, gang ready, completion) had not happened when the run
// stopped. Those are right-censored at the stop: all that is known is that their
// value exceeds stop − submit. The percentiles and the mean are then Kaplan–Meier
// estimates; one the estimate cannot give (it lies beyond the longest time
// observed, because too many observations are censored) is NaN, encoded as JSON
// null, never a smaller number. Without censoring they are the plain empirical
// quantiles and the sample mean.
type Percentiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Mean float64 `json:"mean"`
	// N counts every observation: NStarted + NCensored.
	N int `json:"n"`
	// NStarted counts the observations whose event happened during the run (the
	// job started, the gang was ready, the job completed).
	NStarted int `json:"n_started"`
	// NCensored counts the observations censored at the stop.
	NCensored int `json:"n_censored"`
	// Above is the longest time observed, censored or not: a percentile that is
	// NaN exceeds it. 0 without observations.
	Above float64 `json:"above"`
	// MeanAbove is the Kaplan–Meier mean restricted to [0, Above]: when Mean is
	// NaN the mean exceeds it. Equal to Mean when Mean is defined.
	MeanAbove float64 `json:"mean_above"`
}

// Defined reports whether every field of p is a number (no percentile falls among
// censored observations).
func (p Percentiles) Defined() bool {
	return !math.IsNaN(p.P50) && !math.IsNaN(p.P90) && !math.IsNaN(p.P99) && !math.IsNaN(p.Mean)
}

type percentilesJSON struct {
	P50       *float64 `json:"p50"`
	P90       *float64 `json:"p90"`
	P99       *float64 `json:"p99"`
	Mean      *float64 `json:"mean"`
	N         int      `json:"n"`
	NStarted  int      `json:"n_started"`
	NCensored int      `json:"n_censored"`
	Above     float64  `json:"above"`
	MeanAbove float64  `json:"mean_above"`
}

func nanNull(f float64) *float64 {
	if math.IsNaN(f) {
		return nil
	}
	return &f
}

func nullNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON encodes an undefined (NaN) percentile or mean as null.
func (p Percentiles) MarshalJSON() ([]byte, error) {
	return json.Marshal(percentilesJSON{nanNull(p.P50), nanNull(p.P90), nanNull(p.P99), nanNull(p.Mean),
		p.N, p.NStarted, p.NCensored, p.Above, p.MeanAbove})
}

// UnmarshalJSON decodes null as NaN.
func (p *Percentiles) UnmarshalJSON(b []byte) error {
	var j percentilesJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Percentiles{nullNaN(j.P50), nullNaN(j.P90), nullNaN(j.P99), nullNaN(j.Mean), j.N, j.NStarted, j.NCensored, j.Above, j.MeanAbove}
	return nil
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
// averaged over the run's Schedulers. Only schedulers that model decision time
// (Omega, Mesos) measure it; for the others Schedulers is 0 and the figures are
// not measured (tables leave them out). The per-scheduler parts are in
// Result.Extra under keys ending in ".busyness".
type Busyness struct {
	Useful     float64 `json:"useful"`
	Wasted     float64 `json:"wasted"`
	Schedulers int     `json:"schedulers"`
}

// Sample is one point of the utilization time series.
type Sample struct {
	Seconds   float64     `json:"t"`
	Allocated PerResource `json:"allocated"`
	Held      PerResource `json:"held"`
	Pending   int         `json:"pending"`
	Running   int         `json:"running"`
}

// SchemaVersion is the version of the Result JSON contract. 2: the wait,
// completion and slowdown statistics count censored jobs (the started-only forms
// moved to *_started keys); time-averaged metrics are measured over Window.
const SchemaVersion = 2

// Result is the record of one run. The JSON keys are a stable contract (DESIGN.md):
// keys are added, never renamed. Every field but WallSeconds and the per-second
// rates is identical for identical inputs and seed; the core leaves those zero and
// bench or the CLI fill them from the wall clock.
type Result struct {
	// SchemaVersion is the version of this contract (SchemaVersion).
	SchemaVersion       int     `json:"schema_version"`
	Scheduler           string  `json:"scheduler"`
	Placer              string  `json:"placer"`
	Workload            string  `json:"workload"`
	Seed                uint64  `json:"seed"`
	SimSeconds          float64 `json:"sim_seconds"`
	WallSeconds         float64 `json:"wall_seconds"`
	Events              int64   `json:"events"`
	EventsPerSecond     float64 `json:"events_per_second"`
	Placements          int64   `json:"placements"`
	PlacementsPerSecond float64 `json:"placements_per_second"`
	JobsSubmitted       int     `json:"jobs_submitted"`
	JobsCompleted       int     `json:"jobs_completed"`
	JobsAbandoned       int     `json:"jobs_abandoned"`
	TasksSubmitted      int     `json:"tasks_submitted"`
	TasksCompleted      int     `json:"tasks_completed"`
	TasksFailed         int     `json:"tasks_failed"`
	TasksAbandoned      int     `json:"tasks_abandoned"`
	TasksPending        int     `json:"tasks_pending"`
	TasksHeld           int     `json:"tasks_held"`
	TasksRunning        int     `json:"tasks_running"`
	TasksBlocked        int     `json:"tasks_blocked"`
	TasksEvicted        int     `json:"tasks_evicted"`
	TasksLost           int     `json:"tasks_lost"`
	TasksPerHour        float64 `json:"tasks_placed_per_sim_hour"`
	JobsPerHour         float64 `json:"jobs_completed_per_sim_hour"`
	Makespan            float64 `json:"makespan_seconds"` // last task completion
	// Window is the interval Utilization, HeldIdle, UsefulUtilization,
	// TasksPerHour and JobsPerHour were measured over (Config.Window).
	Window            WindowResult `json:"window"`
	Utilization       PerResource  `json:"utilization"`
	HeldIdle          PerResource  `json:"held_idle"`
	UsefulUtilization PerResource  `json:"useful_utilization"`
	// JobWait (submit → first task running), GangWait (submit → MinMember tasks
	// running together, gangs only), JobCompletion (submit → last task done) and
	// Slowdown (completion time / longest task runtime) count every submitted
	// job, the ones still without their event at the stop right-censored there
	// (see Percentiles).
	JobWait       Percentiles `json:"job_wait_seconds"`
	GangWait      Percentiles `json:"gang_wait_seconds"`
	JobCompletion Percentiles `json:"job_completion_seconds"`
	Slowdown      Percentiles `json:"slowdown"`
	// The same over the jobs that started (gangs that were ready, jobs that
	// completed) only, as before schema version 2. They flatter a policy that
	// leaves jobs waiting; use them only beside the censored forms.
	JobWaitStarted        Percentiles   `json:"job_wait_seconds_started"`
	GangWaitStarted       Percentiles   `json:"gang_wait_seconds_started"`
	JobCompletionFinished Percentiles   `json:"job_completion_seconds_started"`
	SlowdownFinished      Percentiles   `json:"slowdown_started"`
	Deadlock              DeadlockStats `json:"deadlock"`
	Conflicts             ConflictStats `json:"conflicts"`
	Busyness              Busyness      `json:"busyness"`
	// Fragmentation is the stranded free capacity at the end of the run (see
	// Sim.Fragmentation): an end-of-run share, not the FGD paper's
	// fragmentation ratio, which bench's fgd scenario reports as frag_xNNN.
	Fragmentation float64 `json:"fragmentation"`
	StopReason    string  `json:"stop_reason"`
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
	// jobs that ended without the event a statistic measures, to be censored
	// at the stop
	cens        censorSet
	series      []Sample
	sampleEvery Time // the interval in force (Config.SampleEvery, doubled by coarsening)

	// the measurement window: its configuration, its boundaries (-1 and Forever
	// while unknown) and the counters at them
	win              Window
	winStart, winEnd Time
	start, end       snapshot
}

func (r *recorder) init(s *Sim) {
	r.sim = s
	r.windowInit(s.cfg.Window)
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
	r.windowSubmitted(r.sim.now)
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

func longestRuntime(j *Job) Time {
	var longest Time
	for i := range j.Tasks {
		longest = max(longest, j.Tasks[i].Runtime)
	}
	return longest
}

func (r *recorder) jobDone(j *Job) {
	r.liveJobTasks -= len(j.Tasks)
	completed := j.completed == int32(len(j.Tasks)) && !j.Abandoned
	if completed {
		r.jobsCompleted++
		jct := (r.sim.now - j.Submit).Seconds()
		r.jct = append(r.jct, jct)
		if longest := longestRuntime(j); longest > 0 {
			r.slowdown = append(r.slowdown, jct/longest.Seconds())
		}
	}
	r.cens.add(j, completed)
}

// censorSet holds the submit times of jobs that lack an event (start, gang
// ready, completion; for completion also the longest runtime, for slowdown),
// to be censored at the stop.
type censorSet struct {
	noStart, noGang, noFinish, noFinishLongest []Time
}

// add records the events j lacks; completed says whether it completed.
func (c *censorSet) add(j *Job, completed bool) {
	if j.Started < 0 {
		c.noStart = append(c.noStart, j.Submit)
	}
	if j.IsGang() && j.GangReady < 0 {
		c.noGang = append(c.noGang, j.Submit)
	}
	if !completed {
		c.noFinish = append(c.noFinish, j.Submit)
		c.noFinishLongest = append(c.noFinishLongest, longestRuntime(j))
	}
}

// censored returns, for the jobs that were submitted and lack the event a
// statistic measures when the run stops at now, the censored values of job wait,
// gang wait, completion time and slowdown (stop − submit; for slowdown divided by
// the longest runtime). Sorted, so the map order of live jobs does not matter.
// The recorder is not changed.
func (r *recorder) censored(now Time, live map[JobID]*Job) (wait, gang, jct, slow []float64) {
	c := censorSet{slices.Clone(r.cens.noStart), slices.Clone(r.cens.noGang), slices.Clone(r.cens.noFinish), slices.Clone(r.cens.noFinishLongest)}
	for _, j := range live {
		c.add(j, false)
	}
	secs := func(ts []Time) []float64 {
		out := make([]float64, len(ts))
		for i, t := range ts {
			out[i] = (now - t).Seconds()
		}
		slices.Sort(out)
		return out
	}
	wait, gang, jct = secs(c.noStart), secs(c.noGang), secs(c.noFinish)
	for i, t := range c.noFinish {
		if l := c.noFinishLongest[i]; l > 0 {
			slow = append(slow, (now-t).Seconds()/l.Seconds())
		}
	}
	slices.Sort(slow)
	return wait, gang, jct, slow
}

// percentiles returns p50/p90/p99 (empirical quantiles, gonum/stat) and the mean.
// It sorts xs in place.
func percentiles(xs []float64) Percentiles {
	if len(xs) == 0 {
		return Percentiles{}
	}
	slices.Sort(xs)
	mean := stat.Mean(xs, nil)
	return Percentiles{
		P50:  stat.Quantile(0.50, stat.Empirical, xs, nil),
		P90:  stat.Quantile(0.90, stat.Empirical, xs, nil),
		P99:  stat.Quantile(0.99, stat.Empirical, xs, nil),
		Mean: mean, N: len(xs), NStarted: len(xs),
		Above: xs[len(xs)-1], MeanAbove: mean,
	}
}

// survival summarises observed values obs and right-censored values cens: the
// Kaplan–Meier product-limit estimate of the distribution, its p50/p90/p99 (the
// smallest observed value at which the estimated distribution reaches p; NaN where
// it never does) and its mean (the area under the survival curve; NaN unless the
// curve reaches 0). At equal values events come before censorings. Without
// censored values it is percentiles(obs). It sorts both slices in place.
func survival(obs, cens []float64) Percentiles {
	n := len(obs) + len(cens)
	if n == 0 {
		return Percentiles{}
	}
	slices.Sort(obs)
	slices.Sort(cens)
	top := 0.0
	if len(obs) > 0 {
		top = obs[len(obs)-1]
	}
	if len(cens) > 0 {
		top = max(top, cens[len(cens)-1])
	}
	if len(cens) == 0 {
		return percentiles(obs)
	}
	return kaplanMeier(obs, cens, top)
}

// kaplanMeier is survival's estimate for sorted obs and cens, top the largest
// value of both.
func kaplanMeier(obs, cens []float64, top float64) Percentiles {
	n := len(obs) + len(cens)
	p := Percentiles{N: n, NStarted: len(obs), NCensored: len(cens), Above: top}
	qs := [...]float64{0.50, 0.90, 0.99}
	got := [...]float64{math.NaN(), math.NaN(), math.NaN()}
	surv, prev, area := 1.0, 0.0, 0.0
	const eps = 1e-12 // the product telescopes to k/n without censoring; allow for rounding
	for i, j := 0, 0; i < len(obs); {
		t := obs[i]
		for j < len(cens) && cens[j] < t {
			j++
		}
		d := 0
		for i+d < len(obs) && obs[i+d] == t {
			d++
		}
		atRisk := n - i - j
		area += surv * (t - prev)
		surv *= 1 - float64(d)/float64(atRisk)
		for k, q := range qs {
			if math.IsNaN(got[k]) && 1-surv >= q-eps {
				got[k] = t
			}
		}
		prev = t
		i += d
	}
	p.P50, p.P90, p.P99 = got[0], got[1], got[2]
	p.MeanAbove = area + surv*(top-prev)
	p.Mean = math.NaN()
	if surv == 0 {
		p.Mean = area
	}
	return p
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
	wa, wb, win := r.windowed(s.now)
	var alloc, held, capa [NumResources]float64
	for i := range alloc {
		alloc[i], held[i], capa[i] = wb.alloc[i]-wa.alloc[i], wb.held[i]-wa.held[i], wb.cap[i]-wa.cap[i]
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
		Utilization:    perRes(alloc, capa),
		HeldIdle:       perRes(held, capa),
		Window:         win,
		SchemaVersion:  SchemaVersion,
		Fragmentation:  s.Fragmentation(),
		StopReason:     s.stopReason,
		Series:         r.series,
		SampleEvery:    r.sampleEvery.Seconds(),
	}
	cw, cg, cj, cs := r.censored(s.now, s.jobs)
	res.JobWaitStarted, res.GangWaitStarted = percentiles(r.jobWait), percentiles(r.gangWait)
	res.JobCompletionFinished, res.SlowdownFinished = percentiles(r.jct), percentiles(r.slowdown)
	res.JobWait, res.GangWait = survival(r.jobWait, cw), survival(r.gangWait, cg)
	res.JobCompletion, res.Slowdown = survival(r.jct, cj), survival(r.slowdown, cs)
	res.TasksBlocked = res.TasksSubmitted - res.TasksCompleted - res.TasksFailed - res.TasksAbandoned - res.TasksPending - res.TasksHeld - res.TasksRunning
	if res.StopReason == "" {
		res.StopReason = "drained"
	}
	res.Deadlock.FirstSeconds = -1
	s.reportDeadlock(res)
	u, h := res.Utilization, res.HeldIdle
	res.UsefulUtilization = PerResource{u.CPU - h.CPU, u.Mem - h.Mem, u.GPU - h.GPU, u.Disk - h.Disk}
	if hrs := (wb.at - wa.at).Seconds() / 3600; hrs > 0 {
		res.TasksPerHour = float64(wb.placements-wa.placements) / hrs
		res.JobsPerHour = float64(wb.jobsCompleted-wa.jobsCompleted) / hrs
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
