package schedtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
)

// Flags that tune every property of the package from the go test command line:
//
//	go test ./policies/mine -schedtest.n=5000 -schedtest.seed=42 -schedtest.out=/tmp/cex
var (
	flagN    = flag.Int("schedtest.n", 0, "schedtest: cases per property (0 = each test's default, DefaultCases for Conformance)")
	flagSeed = flag.Int64("schedtest.seed", 0, "schedtest: gopter generator seed (0 = each test's fixed default)")
	flagOut  = flag.String("schedtest.out", "", "schedtest: directory to save shrunk counterexamples in (replay them with schedtest.Replay)")
	flagWall = flag.Duration("schedtest.wall", 0, "schedtest: wall-clock budget of one run (0 = none; a run over it is a violation — not for CI, where machines vary)")
)

// DefaultCases is the number of generated scenarios per property of Conformance
// when neither Options.Cases nor -schedtest.n says otherwise: sized so that the
// whole suite takes a second or two per policy on one core.
const DefaultCases = 200

// DefaultSeed is the generator seed when neither Options.Seed nor -schedtest.seed
// says otherwise. It is fixed, so CI runs are reproducible; it is printed on failure.
const DefaultSeed int64 = 20261127

// Options declares the policy's guarantees and sizes the suite. The zero value
// checks what every policy must keep (the safety invariants, nothing lost,
// liveness, determinism, the budgets) on DefaultCases scenarios per property.
type Options struct {
	// GangAtomic declares that a gang never has a task running before MinMember of
	// its tasks run together (strict all-or-nothing co-scheduling).
	GangAtomic bool
	// DeadlockFree declares that, when the run is not cut by a horizon, every job
	// that fits the cluster on its own eventually finishes (no deadlock, no
	// starvation), whatever else is pending. See CheckLive.
	DeadlockFree bool
	// WorkConserving declares that a run that drains or quiesces leaves no pending
	// task that could be placed as the cluster stands (see CheckIdleFit).
	WorkConserving bool
	// Abandons declares what the policy may legitimately give up on, or leave
	// waiting while it fits. Every policy is checked for liveness by default
	// (CheckLiveness: a job that fits the cluster on its own is never failed or
	// abandoned by the policy, and is not left pending once the cluster has room);
	// AbandonGangs excuses gang jobs, AbandonAny turns the check off.
	Abandons Abandon
	// Cases is the number of scenarios per property; 0 = -schedtest.n, else
	// DefaultCases.
	Cases int
	// Seed is the generator seed; 0 = -schedtest.seed, else DefaultSeed.
	Seed int64
	// Shape bounds and restricts the generated scenarios (zero = DefaultShape).
	Shape Shape
	// MaxSteps bounds one run's simulation steps (events); 0 = DefaultMaxSteps. A
	// run that does not end within it is reported with its seed and scenario.
	MaxSteps int
	// MaxPlaces bounds one run's Place and PlaceGang calls (placer factories);
	// 0 = DefaultMaxPlaces. A run that exceeds it is reported like MaxSteps.
	MaxPlaces int

	// deadline, when set (Conformance takes it from the test's deadline), stops
	// the suite before go test would kill it, reporting the slowest scenario.
	deadline time.Time
}

// Deterministic budgets of one run: generous for the generated scenarios (a few
// dozen tasks), small enough that a policy that loops is reported with its seed
// and scenario long before a go test timeout.
const (
	DefaultMaxSteps  = 200000
	DefaultMaxPlaces = 1000000
)

// ReplayRuns is the number of runs a determinism check makes at most when it
// replays a saved scenario (Replay) or re-checks a shrunk counterexample: it
// reruns until the first run that diverges from the first one. A divergence that
// shows in one run out of five (a map-order placer choosing between two nodes
// does about that) is missed with probability 0.8⁹⁹ < 10⁻⁹.
const ReplayRuns = 100

func (o *Options) checks() Checks {
	return Checks{GangAtomic: o.GangAtomic, DeadlockFree: o.DeadlockFree, WorkConserving: o.WorkConserving,
		Abandons: o.Abandons, MaxSteps: o.MaxSteps, MaxPlaces: o.MaxPlaces}
}

func (o *Options) cases() int {
	switch {
	case *flagN > 0:
		return *flagN
	case o.Cases > 0:
		return o.Cases
	}
	return DefaultCases
}

func (o *Options) seed() int64 {
	switch {
	case *flagSeed != 0:
		return *flagSeed
	case o.Seed != 0:
		return o.Seed
	}
	return DefaultSeed
}

func (o *Options) runOpts() runOpts {
	return runOpts{checks: o.checks(), deadline: o.deadline}
}

// Failure is a property that did not hold, with its shrunk counterexample.
type Failure struct {
	Property  string
	Policy    string
	Seed      int64 // gopter generator seed
	Passed    int   // cases that passed before the failing one
	Shrinks   int
	Violation string // of the shrunk scenario
	Original  Scenario
	Scenario  Scenario // shrunk
	Checks    Checks
	Error     string // a property that errored rather than failed (a bug in the suite)
}

// String reports the failure for a test log: the property, the seed, the violation
// and the shrunk scenario as JSON, ready to be saved under testdata/ and replayed.
func (f *Failure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "schedtest: %s: property %q falsified after %d passed cases (generator seed %d; rerun with -schedtest.seed=%d)\n",
		f.Policy, f.Property, f.Passed, f.Seed, f.Seed)
	if f.Error != "" {
		fmt.Fprintf(&b, "  error: %s\n", f.Error)
		return b.String()
	}
	fmt.Fprintf(&b, "  violation: %s\n", f.Violation)
	fmt.Fprintf(&b, "  shrunk %d times from %d jobs/%d tasks/%d nodes to %d jobs/%d tasks/%d nodes\n", f.Shrinks,
		len(f.Original.Jobs), f.Original.NumTasks(), len(f.Original.Nodes), len(f.Scenario.Jobs), f.Scenario.NumTasks(), len(f.Scenario.Nodes))
	fmt.Fprintf(&b, "  save this as testdata/<name>.json and call schedtest.Replay(t, path, factory) to keep it as a regression test:\n%s",
		f.File())
	return b.String()
}

// File returns the failure in the saved-counterexample form that Replay reads.
func (f *Failure) File() []byte {
	return marshalFile(&file{Policy: f.Policy, Property: f.Property, GenSeed: f.Seed,
		Violation: f.Violation, Checks: f.Checks, Scenario: f.Scenario})
}

// property is one named check of a scenario.
type property struct {
	name  string
	shape func(Shape) Shape
	// check returns the violation ("" = none) and whether the case was skipped
	// (the suite's deadline passed).
	check func(sc *Scenario) (string, bool)
	// recheck is check for the shrunk counterexample that is reported (nil = check).
	recheck func(sc *Scenario) (string, bool)
}

func properties(f Factory, o Options) []property {
	ro := o.runOpts()
	safety := ro
	safety.checks.DeadlockFree = false
	runCheck := func(ro runOpts) func(sc *Scenario) (string, bool) {
		return func(sc *Scenario) (string, bool) {
			out := run(sc, f, ro)
			return out.Violation, out.skipped
		}
	}
	ps := []property{
		{name: "safety: no over-commit, conservation, consistent task states and nothing lost at every step, liveness" + suffix(o),
			check: runCheck(safety)},
		{name: "determinism: the same scenario and seed give the same transcript and result hash",
			check:   func(sc *Scenario) (string, bool) { return checkDeterminism(sc, f, safety, 2) },
			recheck: func(sc *Scenario) (string, bool) { return checkDeterminism(sc, f, safety, ReplayRuns) }},
	}
	if o.DeadlockFree {
		ps = append(ps, property{name: "deadlock-free: every job that fits on its own finishes",
			shape: func(s Shape) Shape { s.Live = true; return s },
			check: runCheck(ro)})
	}
	return ps
}

// suffix names the declared guarantees that the safety property checks too.
func suffix(o Options) string {
	s := ""
	if o.Abandons != AbandonNothing {
		s += " (may abandon " + o.Abandons.String() + ")"
	}
	if o.GangAtomic {
		s += ", gangs atomic"
	}
	if o.WorkConserving {
		s += ", work-conserving"
	}
	return s
}

// checkDeterminism runs sc once, then again up to runs-1 times until a run
// diverges from the first, and reports the first divergence.
func checkDeterminism(sc *Scenario, f Factory, ro runOpts, runs int) (string, bool) {
	ro.keep = true
	a := run(sc, f, ro)
	if a.skipped {
		return "", true
	}
	if a.Violation != "" {
		return "", false // the safety property reports these
	}
	for k := 2; k <= max(runs, 2); k++ {
		b := run(sc, f, ro)
		if b.skipped {
			return "", true
		}
		if b.Violation != "" {
			return fmt.Sprintf("run %d of the same scenario fails where run 1 passed: %s", k, b.Violation), false
		}
		if a.Transcript != b.Transcript {
			for i := 0; i < len(a.Lines) || i < len(b.Lines); i++ {
				var la, lb string
				if i < len(a.Lines) {
					la = a.Lines[i]
				}
				if i < len(b.Lines) {
					lb = b.Lines[i]
				}
				if la != lb {
					return fmt.Sprintf("runs 1 and %d of the same scenario diverge at transcript line %d:\n    run 1: %s\n    run %d: %s", k, i+1, la, k, lb), false
				}
			}
		}
		if ha, hb := a.Result.Hash(), b.Result.Hash(); ha != hb {
			return fmt.Sprintf("runs 1 and %d of the same scenario give result hashes %s and %s", k, ha[:12], hb[:12]), false
		}
	}
	return "", false
}

// Check runs every property of the suite for the policy that f builds and returns
// the failures (nil when all hold). Conformance is Check plus reporting; Check is
// for tests that expect a policy to fail (the suite's own tests of broken policies).
func Check(f Factory, o Options) []*Failure {
	if err := f.validate(); err != nil {
		return []*Failure{{Property: "factory", Error: err.Error()}}
	}
	name := f.name()
	var fails []*Failure
	for _, p := range properties(f, o) {
		if fl := checkProperty(p, name, o); fl != nil {
			fails = append(fails, fl)
		}
	}
	return fails
}

func checkProperty(p property, policy string, o Options) *Failure {
	sh := o.Shape
	if p.shape != nil {
		sh = p.shape(sh)
	}
	seed := o.seed()
	params := gopter.DefaultTestParametersWithSeed(seed)
	params.MinSuccessfulTests = o.cases()
	params.MaxShrinkCount = 200
	var last string
	skipped, ran := 0, 0
	var slowest time.Duration
	var slowSc Scenario
	pr := prop.ForAll(func(sc Scenario) string {
		began := time.Now() // wall time only for the report of a suite stopped at its deadline
		v, skip := p.check(&sc)
		if skip {
			skipped++
			return ""
		}
		ran++
		if d := time.Since(began); d > slowest {
			slowest, slowSc = d, sc
		}
		if v != "" {
			last = v
		}
		return v
	}, Scenarios(sh))
	res := pr.Check(params)
	fl := &Failure{Property: p.name, Policy: policy, Seed: seed, Passed: res.Succeeded, Checks: o.checks()}
	if p.shape != nil && p.shape(Shape{}).Live {
		fl.Checks.DeadlockFree = true
	}
	if res.Passed() && skipped > 0 {
		fl.Passed = ran
		fl.Error = fmt.Sprintf("stopped before the go test deadline: %d of %d cases ran, %d skipped (raise -timeout or lower -schedtest.n); the slowest case took %v:\n%s",
			ran, ran+skipped, skipped, slowest.Round(time.Millisecond), slowSc.String())
		return fl
	}
	if res.Passed() {
		return nil
	}
	if res.Error != nil {
		fl.Error = fmt.Sprintf("%v\n%s", res.Error, res.ErrorStack)
		return fl
	}
	if len(res.Args) == 0 {
		fl.Error = fmt.Sprintf("gopter reported %v without a counterexample", res.Status)
		return fl
	}
	arg := res.Args[0]
	fl.Scenario, _ = arg.Arg.(Scenario)
	fl.Original, _ = arg.OrigArg.(Scenario)
	fl.Shrinks = arg.Shrinks
	// Re-run the shrunk scenario to report its own violation.
	re := p.recheck
	if re == nil {
		re = p.check
	}
	fl.Violation, _ = re(&fl.Scenario)
	if fl.Violation == "" {
		fl.Violation = last
	}
	return fl
}

// Conformance checks the policy that f builds against generated scenarios: the
// safety invariants at every simulation step (no over-commit of any resource or GPU
// device, allocated + free = capacity, every submitted task in exactly one state
// consistent with its placement, the placer contract), nothing lost, the result's
// counts, determinism (two runs give the same transcript and Result.Hash), and the
// guarantees o declares (GangAtomic, DeadlockFree). A failing property reports its
// generator seed and a shrunk scenario as JSON that Replay can run again; with
// -schedtest.out=DIR it is also saved there.
func Conformance(t *testing.T, f Factory, o Options) {
	t.Helper()
	if d, ok := t.Deadline(); ok {
		// Stop in time to report which scenario was slow, rather than be killed by
		// go test with a goroutine dump that names none.
		o.deadline = d.Add(-time.Until(d) / 10).Add(-5 * time.Second)
	}
	for _, fl := range Check(f, o) {
		t.Error(fl.String())
		if *flagOut != "" && fl.Error == "" {
			name := strings.NewReplacer("/", "_", "*", "", ".", "_", " ", "_").Replace(fl.Policy)
			path := filepath.Join(*flagOut, fmt.Sprintf("%s-%s-%d.json", name, strings.SplitN(fl.Property, ":", 2)[0], fl.Seed))
			if err := os.MkdirAll(*flagOut, 0o755); err == nil {
				err = os.WriteFile(path, fl.File(), 0o644)
				if err == nil {
					t.Logf("schedtest: counterexample saved to %s", path)
				}
			}
		}
	}
}

// Replay runs the scenario saved at path (a failure's JSON, or a bare Scenario)
// with the policy that f builds and fails t if any check the file names — or any
// safety invariant, liveness, or determinism — does not hold. Determinism is
// checked by running the scenario again, up to ReplayRuns times, until a run
// diverges from the first. Keep counterexamples under testdata/ and replay them
// as regression tests.
func Replay(t *testing.T, path string, f Factory) {
	t.Helper()
	if msg := replay(path, f); msg != "" {
		t.Errorf("schedtest: replay %s: %s", path, msg)
	}
}

// ReplayOptions is Replay with the checks that o declares in place of those the
// file names: replay one policy's counterexample against another policy, with
// that one's declarations.
func ReplayOptions(t *testing.T, path string, f Factory, o Options) {
	t.Helper()
	c := o.checks()
	if msg := replayChecks(path, f, &c); msg != "" {
		t.Errorf("schedtest: replay %s: %s", path, msg)
	}
}

func replay(path string, f Factory) string { return replayChecks(path, f, nil) }

func replayChecks(path string, f Factory, c *Checks) string {
	sc, checks, err := Load(path)
	if err != nil {
		return err.Error()
	}
	if c != nil {
		checks = *c
	}
	ro := runOpts{checks: checks}
	if v := run(&sc, f, ro).Violation; v != "" {
		return v
	}
	v, _ := checkDeterminism(&sc, f, ro, ReplayRuns)
	return v
}

// propSeed returns -schedtest.seed if set, else def: the seed of a property test
// outside Conformance.
func propSeed(def int64) int64 {
	if *flagSeed != 0 {
		return *flagSeed
	}
	return def
}

// propCases returns -schedtest.n if set, else def.
func propCases(def int) int {
	if *flagN > 0 {
		return *flagN
	}
	return def
}
