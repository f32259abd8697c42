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
	maxSteps, maxPlaces := o.checks.MaxSteps, o.checks.MaxPlaces
	if maxSteps <= 0 {
		maxSteps = DefaultMaxSteps
	}
	if maxPlaces <= 0 {
		maxPlaces = DefaultMaxPlaces
	}
	var wallEnd time.Time
	if *flagWall > 0 {
		wallEnd = time.Now().Add(*flagWall)
	}
	b := sc.Build()
	out.Jobs = b.Jobs
	tr := &transcript{Recorder: Recorder{Keep: o.keep}}
	b.Config.Observer = tr
	pc := &placerCheck{max: maxPlaces}
	var sim *scheduler.Sim
	where := func() string {
		if sim == nil {
			return "at start"
		}
		return fmt.Sprintf("at %.3fs step %d", sim.Now().Seconds(), out.Steps)
	}
	defer func() {
		if p := recover(); p != nil {
			out.Violation = fmt.Sprintf("%s: panic: %v\n%s", where(), p, trimStack(debug.Stack()))
		}
	}()
	inner, err := f.build(pc)
	if err != nil {
		out.Violation = err.Error()
		return out
	}
	var selfChecks []SelfChecker
	if c, ok := inner.(SelfChecker); ok {
		selfChecks = append(selfChecks, c)
	}
	if c, ok := pc.inner.(SelfChecker); ok {
		selfChecks = append(selfChecks, c)
	}
	gangs := &GangTracker{}
	if o.checks.GangAtomic {
		tr.gangs = gangs
	}
	check := func() string {
		if pc.violation != "" {
			return pc.violation
		}
		if msg := CheckState(sim.State); msg != "" {
			return msg
		}
		if msg := CheckTasks(sim.State, b.Jobs); msg != "" {
			return msg
		}
		if msg := CheckTenants(sim.State, b.Jobs, b.Config.Quotas); msg != "" {
			return msg
		}
		for _, c := range selfChecks {
			if msg := c.Violation(); msg != "" {
				return "policy invariant: " + msg
			}
		}
		if o.checks.GangAtomic {
			if msg := gangs.Check(b.Jobs); msg != "" {
				return "gang atomicity: " + msg
			}
		}
		return ""
	}
	budget := func() string {
		switch {
		case out.Steps >= maxSteps:
			return fmt.Sprintf("budget: the run did not end within %d simulation steps (Options.MaxSteps)", maxSteps)
		case !wallEnd.IsZero() && time.Now().After(wallEnd):
			return fmt.Sprintf("budget: the run took longer than the wall-clock budget -schedtest.wall=%v", *flagWall)
		}
		return ""
	}
	sim, err = scheduler.NewSim(b.Config, &scheduler.SliceSource{Jobs: b.Jobs}, inner)
	if err != nil {
		out.Violation = "scenario rejected: " + err.Error()
		return out
	}
	if err := sim.Init(); err != nil {
		out.Violation = "run error: " + err.Error()
		return out
	}
	// Drive the run one step at a time, checking in between.
	for {
		if msg := check(); msg != "" {
			out.Violation = where() + ": " + msg
			sim.Stop("schedtest: violation")
			break
		}
		if !o.deadline.IsZero() && time.Now().After(o.deadline) {
			out.skipped = true
			sim.Stop("schedtest: deadline")
			break
		}
		if msg := budget(); msg != "" {
			out.Violation = where() + ": " + msg
			sim.Stop("schedtest: budget")
			break
		}
		if !sim.Step() {
			if msg := check(); msg != "" {
				out.Violation = where() + ": " + msg
			}
			break
		}
		out.Steps++
	}
	res, err := sim.Result()
	if err != nil {
		if out.Violation == "" {
			out.Violation = "run error: " + err.Error()
		}
		return out
	}
	out.Result = res
	out.Transcript = tr.Hash()
	out.Lines = tr.Lines()
	if out.Violation != "" || out.skipped {
		return out
	}
	for _, c := range []func() string{
		check,
		func() string { return CheckResult(res, b.Jobs) },
		func() string { return CheckNothingLost(res, b.Jobs) },
		func() string { return CheckLiveness(res, sc, sim.State, b.Jobs, o.checks.Abandons) },
		func() string {
			if o.checks.WorkConserving {
				return CheckIdleFit(res, sim.State, b.Jobs, b.Config.Quotas)
			}
			return ""
		},
		func() string {
			if o.checks.DeadlockFree && sc.Horizon <= 0 {
				return CheckLive(sc, b.Jobs)
			}
			return ""
		},
	} {
		if msg := c(); msg != "" {
			out.Violation = "at the end (" + res.StopReason + fmt.Sprintf(", %.3fs): ", res.SimSeconds) + msg
			return out
		}
	}
	return out
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
