package schedtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"time"

	"github.com/schedlab/schedlab/scheduler"
)

// Factory builds a fresh policy for every run. Set exactly one of Placer (run under
// scheduler.NewMonolithic with the Monolithic config) and Scheduler (a complete
// Scheduler). Use PlacerFactory or SchedulerFactory to make one.
type Factory struct {
	// Name identifies the policy in failure reports and saved files; empty takes
	// the built value's type name.
	Name string
	// Placer returns a new placer; it is run by the monolithic scheduler.
	Placer func() scheduler.Placer
	// Monolithic configures the monolithic scheduler a Placer runs under (its
	// Placer field is ignored). The zero value takes NewMonolithic's defaults.
	Monolithic scheduler.MonolithicConfig
	// Scheduler returns a new scheduler.
	Scheduler func() scheduler.Scheduler
}

// PlacerFactory returns a Factory for a placer, which the suite runs under the
// core's monolithic scheduler with its defaults. fn must return a new placer, with
// no state shared with earlier ones, on every call.
func PlacerFactory(fn func() scheduler.Placer) Factory { return Factory{Placer: fn} }

// SchedulerFactory returns a Factory for a complete scheduler. fn must return a new
// scheduler, with no state shared with earlier ones, on every call.
func SchedulerFactory(fn func() scheduler.Scheduler) Factory { return Factory{Scheduler: fn} }

func (f *Factory) validate() error {
	if (f.Placer == nil) == (f.Scheduler == nil) {
		return fmt.Errorf("schedtest: a Factory needs exactly one of Placer and Scheduler")
	}
	return nil
}

// name returns the factory's name, building one policy to learn its type if unset.
func (f *Factory) name() string {
	if f.Name != "" {
		return f.Name
	}
	if f.Placer != nil {
		return fmt.Sprintf("%T", f.Placer())
	}
	return fmt.Sprintf("%T", f.Scheduler())
}

// build returns a new scheduler, with the placer wrapped by the contract checker.
func (f *Factory) build(pc *placerCheck) (scheduler.Scheduler, error) {
	if f.Scheduler != nil {
		s := f.Scheduler()
		if s == nil {
			return nil, fmt.Errorf("schedtest: the factory returned a nil Scheduler")
		}
		return s, nil
	}
	p := f.Placer()
	if p == nil {
		return nil, fmt.Errorf("schedtest: the factory returned a nil Placer")
	}
	cfg := f.Monolithic
	cfg.Placer = pc.wrap(p)
	return scheduler.NewMonolithic(cfg)
}

// Outcome is what one checked run produced.
type Outcome struct {
	Result *scheduler.Result
	// Transcript is the SHA-256 of every transition record of the run, in order.
	Transcript string
	// Lines is the transcript itself, kept only when asked for.
	Lines []string
	// Violation is "" when every checked invariant held, else the first violation,
	// prefixed with the simulated time and step at which it was seen.
	Violation string
	// Steps is the number of simulation steps taken.
	Steps int
	// Jobs are the run's jobs as they were left at the end.
	Jobs []*scheduler.Job

	skipped bool // stopped at the suite's deadline: judged nothing
}

// runOpts says what a run checks.
type runOpts struct {
	checks   Checks
	keep     bool      // keep transcript lines
	deadline time.Time // stop (skip the case) past it; zero = none
}

// SelfChecker is implemented by a policy (a Scheduler, or a factory's Placer) that
// checks invariants of its own: the suite calls Violation after every simulation
// step and reports a non-empty answer like any other violation, with the seed, the
// shrunk scenario and the replay command. Violation must not change the policy.
type SelfChecker interface {
	Violation() string
}

// Recorder is a scheduler.Observer that records a run's transcript: a SHA-256 of
// every transition record in order and, if Keep is set, the records' lines (for a
// golden file or a diff). Set it as Config.Observer. The zero value is ready.
type Recorder struct {
	// Keep keeps every line (memory grows with the run); otherwise only the hash.
	Keep  bool
	h     hash.Hash
	lines []string
}

// Observe implements scheduler.Observer.
func (r *Recorder) Observe(rec scheduler.Record) {
	if r.h == nil {
		r.h = sha256.New()
	}
	s := rec.String()
	r.h.Write([]byte(s))
	r.h.Write([]byte{'\n'})
	if r.Keep {
		r.lines = append(r.lines, s)
	}
}

// Hash returns the hex SHA-256 of the records so far (equal for runs that made
// the same transitions in the same order).
func (r *Recorder) Hash() string {
	if r.h == nil {
		r.h = sha256.New()
	}
	return hex.EncodeToString(r.h.Sum(nil))
}

// Lines returns the recorded lines (nil unless Keep). The slice is the recorder's.
func (r *Recorder) Lines() []string { return r.lines }

// transcript is the run's recorder plus the gang tracker fed from it.
type transcript struct {
	Recorder
	gangs *GangTracker // fed the start records, if set
}

func (tr *transcript) Observe(r scheduler.Record) {
	tr.Recorder.Observe(r)
	if tr.gangs != nil && r.What == "start" && r.Task != nil {
		tr.gangs.OnStart(r.Task)
	}
}

// Run runs scenario sc with a policy from f, checking after every simulation step
// the state invariants (CheckState), the task bookkeeping (CheckTasks), the placer
// contract for placer factories (a placer never modifies the state and only
// returns nodes that fit, with a valid GPU device set), the tenants' usage and
// quotas (CheckTenants), the policy's own invariants (SelfChecker), gang atomicity
// (GangTracker) if checks.GangAtomic, and the budgets (checks.MaxSteps,
// checks.MaxPlaces, and -schedtest.wall if set); and at the end the result
// (CheckResult), that nothing was lost (CheckNothingLost), liveness as
// checks.Abandons allows (CheckLiveness), if checks.WorkConserving that nothing
// that fits was left waiting (CheckIdleFit), and, if checks.DeadlockFree, that
// every job that fits the cluster on its own finished (CheckLive). A panic in the
// policy is reported as a violation. It does not check determinism (run twice and
// compare Transcript).
func Run(sc *Scenario, f Factory, checks Checks) Outcome {
	return run(sc, f, runOpts{checks: checks})
}

func run(sc *Scenario, f Factory, o runOpts) (out Outcome) {
	if err := f.validate(); err != nil {
		out.Violation = err.Error()
		return out
	}
	if !o.deadline.IsZero() && time.Now().After(o.deadline) {
		out.skipped = true
		return out
	}
	c := newCaseRun(sc, o, &out)
	defer func() {
		if p := recover(); p != nil {
			out.Violation = fmt.Sprintf("%s: panic: %v\n%s", c.where(), p, trimStack(debug.Stack()))
		}
	}()
	inner, err := f.build(c.pc)
	if err != nil {
		out.Violation = err.Error()
		return out
	}
	if sc, ok := inner.(SelfChecker); ok {
		c.selfChecks = append(c.selfChecks, sc)
	}
	if pc, ok := c.pc.inner.(SelfChecker); ok {
		c.selfChecks = append(c.selfChecks, pc)
	}
	c.sim, err = scheduler.NewSim(c.b.Config, &scheduler.SliceSource{Jobs: c.b.Jobs}, inner)
	if err != nil {
		out.Violation = "scenario rejected: " + err.Error()
		return out
	}
	if err := c.sim.Init(); err != nil {
		out.Violation = "run error: " + err.Error()
		return out
	}
	c.drive()
	res, err := c.sim.Result()
	if err != nil {
		if out.Violation == "" {
			out.Violation = "run error: " + err.Error()
		}
		return out
	}
	out.Result = res
	out.Transcript = c.tr.Hash()
	out.Lines = c.tr.Lines()
	if out.Violation != "" || out.skipped {
		return out
	}
	if msg := c.endViolation(res); msg != "" {
		out.Violation = "at the end (" + res.StopReason + fmt.Sprintf(", %.3fs): ", res.SimSeconds) + msg
	}
	return out
}

// caseRun is one scenario's run under the suite's checks.
type caseRun struct {
	sc         *Scenario
	o          runOpts
	out        *Outcome
	b          *Built
	tr         *transcript
	pc         *placerCheck
	gangs      *GangTracker
	selfChecks []SelfChecker
	sim        *scheduler.Sim
	maxSteps   int
	wallEnd    time.Time
}

func newCaseRun(sc *Scenario, o runOpts, out *Outcome) *caseRun {
	c := &caseRun{sc: sc, o: o, out: out, maxSteps: o.checks.MaxSteps, gangs: &GangTracker{}}
	if c.maxSteps <= 0 {
		c.maxSteps = DefaultMaxSteps
	}
	maxPlaces := o.checks.MaxPlaces
	if maxPlaces <= 0 {
		maxPlaces = DefaultMaxPlaces
	}
	if *flagWall > 0 {
		c.wallEnd = time.Now().Add(*flagWall)
	}
	c.b = sc.Build()
	out.Jobs = c.b.Jobs
	c.tr = &transcript{Recorder: Recorder{Keep: o.keep}}
	c.b.Config.Observer = c.tr
	c.pc = &placerCheck{max: maxPlaces}
	if o.checks.GangAtomic {
		c.tr.gangs = c.gangs
	}
	return c
}

// where names the point of the run, for a violation.
func (c *caseRun) where() string {
	if c.sim == nil {
		return "at start"
	}
	return fmt.Sprintf("at %.3fs step %d", c.sim.Now().Seconds(), c.out.Steps)
}

// drive runs the simulation one step at a time, checking in between, until it
// ends, a check fails, a budget is spent or the deadline passes.
func (c *caseRun) drive() {
	out, sim := c.out, c.sim
	for {
		if msg := c.stepViolation(); msg != "" {
			out.Violation = c.where() + ": " + msg
			sim.Stop("schedtest: violation")
			return
		}
		if !c.o.deadline.IsZero() && time.Now().After(c.o.deadline) {
			out.skipped = true
			sim.Stop("schedtest: deadline")
			return
		}
		if msg := c.budget(); msg != "" {
			out.Violation = c.where() + ": " + msg
			sim.Stop("schedtest: budget")
			return
		}
		if !sim.Step() {
			if msg := c.stepViolation(); msg != "" {
				out.Violation = c.where() + ": " + msg
			}
			return
		}
		out.Steps++
	}
}

// stepViolation runs the checks made after every step.
func (c *caseRun) stepViolation() string {
	st, jobs := c.sim.State, c.b.Jobs
	if c.pc.violation != "" {
		return c.pc.violation
	}
	if msg := CheckState(st); msg != "" {
		return msg
	}
	if msg := CheckTasks(st, jobs); msg != "" {
		return msg
	}
	if msg := CheckTenants(st, jobs, c.b.Config.Quotas); msg != "" {
		return msg
	}
	for _, sc := range c.selfChecks {
		if msg := sc.Violation(); msg != "" {
			return "policy invariant: " + msg
		}
	}
	if c.o.checks.GangAtomic {
		if msg := c.gangs.Check(jobs); msg != "" {
			return "gang atomicity: " + msg
		}
	}
	return ""
}

// budget reports a spent step or wall-clock budget.
func (c *caseRun) budget() string {
	switch {
	case c.out.Steps >= c.maxSteps:
		return fmt.Sprintf("budget: the run did not end within %d simulation steps (Options.MaxSteps)", c.maxSteps)
	case !c.wallEnd.IsZero() && time.Now().After(c.wallEnd):
		return fmt.Sprintf("budget: the run took longer than the wall-clock budget -schedtest.wall=%v", *flagWall)
	}
	return ""
}

// endViolation runs the checks made on the finished run's result.
func (c *caseRun) endViolation(res *scheduler.Result) string {
	st, jobs, checks := c.sim.State, c.b.Jobs, c.o.checks
	if msg := c.stepViolation(); msg != "" {
		return msg
	}
	if msg := CheckResult(res, jobs); msg != "" {
		return msg
	}
	if msg := CheckNothingLost(res, jobs); msg != "" {
		return msg
	}
	if msg := CheckLiveness(res, c.sc, st, jobs, checks.Abandons); msg != "" {
		return msg
	}
	if checks.WorkConserving {
		if msg := CheckIdleFit(res, st, jobs, c.b.Config.Quotas); msg != "" {
			return msg
		}
	}
	if checks.DeadlockFree && c.sc.Horizon <= 0 {
		return CheckLive(c.sc, jobs)
	}
	return ""
}

// trimStack keeps the first lines of a panic stack below the runtime frames.
func trimStack(b []byte) string {
	lines := strings.Split(string(b), "\n")
	if len(lines) > 24 {
		lines = lines[:24]
	}
	return strings.Join(lines, "\n")
}

// placerCheck wraps a placer and records the first breach of the Placer contract
// (Place must not modify the state; a node it returns with an OK status must fit
// the task, State.Fits, at that moment, and the GPU devices it names must exist
// there, be free enough and match the task's count) or of the Place budget.
type placerCheck struct {
	violation string
	inner     scheduler.Placer
	calls     int
	max       int
}

func (pc *placerCheck) wrap(p scheduler.Placer) scheduler.Placer {
	pc.inner = p
	cp := &checkedPlacer{inner: p, pc: pc}
	if gp, ok := p.(scheduler.GangPlacer); ok {
		return &checkedGangPlacer{checkedPlacer: cp, gang: gp}
	}
	return cp
}

// count counts one call against the budget.
func (pc *placerCheck) count() {
	pc.calls++
	if pc.calls > pc.max && pc.violation == "" {
		pc.violation = fmt.Sprintf("budget: more than %d Place/PlaceGang calls in one run (Options.MaxPlaces)", pc.max)
	}
}

type checkedPlacer struct {
	inner scheduler.Placer
	pc    *placerCheck
}

func (c *checkedPlacer) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	c.pc.count()
	v := s.Version()
	id, gpus, st := c.inner.Place(s, t)
	if c.pc.violation != "" {
		return id, gpus, st
	}
	if s.Version() != v {
		c.pc.violation = fmt.Sprintf("placer contract: Place(%v) modified the state", t)
	} else if st.IsOK() {
		if int(id) < 0 || int(id) >= s.NumNodes() {
			c.pc.violation = fmt.Sprintf("placer contract: Place(%v) returned node %d with an OK status, but the cluster has nodes 0..%d", t, id, s.NumNodes()-1)
		} else if fit := s.Fits(t, id); !fit.IsOK() {
			c.pc.violation = fmt.Sprintf("placer contract: Place(%v) chose node %d, which does not fit (%v)", t, id, fit)
		} else if msg := checkGPUs(s, t, id, gpus); msg != "" {
			c.pc.violation = fmt.Sprintf("placer contract: Place(%v) chose node %d with GPU devices %s: %s", t, id, devices(gpus), msg)
		}
	}
	return id, gpus, st
}

// checkGPUs checks the device set a placer returned for task t on node id: none
// (the state chooses), or exactly the task's GPU count of devices that exist on
// the node and each have the task's share free.
func checkGPUs(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID, gpus scheduler.GPUSet) string {
	if gpus == 0 {
		return ""
	}
	if t.GPUCount == 0 {
		return "the task needs no GPU"
	}
	free := s.GPUFree(id)
	if gpus>>uint(len(free)) != 0 {
		return fmt.Sprintf("the node has %d devices (0..%d)", len(free), len(free)-1)
	}
	if n := gpus.Count(); n != int(t.GPUCount) {
		return fmt.Sprintf("%d devices for a task that needs %d", n, t.GPUCount)
	}
	for i, g := range free {
		if gpus.Has(i) && g < t.GPUMilli {
			return fmt.Sprintf("device %d has %d milli-GPU free, the task needs %d of each device", i, g, t.GPUMilli)
		}
	}
	return ""
}

// devices formats a device set as {0,3}.
func devices(g scheduler.GPUSet) string {
	var parts []string
	for i := 0; i < 64; i++ {
		if g.Has(i) {
			parts = append(parts, fmt.Sprint(i))
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// Attach forwards the attach hook to the wrapped placer (scheduler.Attacher).
func (c *checkedPlacer) Attach(s *scheduler.State, r *rand.Rand) {
	scheduler.AttachPlacer(c.inner, s, r)
}

type checkedGangPlacer struct {
	*checkedPlacer
	gang scheduler.GangPlacer
}

func (c *checkedGangPlacer) PlaceGang(s *scheduler.State, tasks []*scheduler.Task, need int) ([]scheduler.Claim, scheduler.Status) {
	c.pc.count()
	fp := s.Fingerprint()
	claims, st := c.gang.PlaceGang(s, tasks, need)
	if c.pc.violation == "" && s.Fingerprint() != fp {
		c.pc.violation = "placer contract: PlaceGang left the state changed"
	}
	return claims, st
}
