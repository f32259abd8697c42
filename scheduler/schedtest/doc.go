// Package schedtest is schedlab's exported property-based test harness: seeded,
// shrinking generators of clusters, workloads and failure schedules
// (leanovate/gopter), invariant checks usable on any state or run, and a
// conformance suite that every placer and scheduler — in this repository or a
// researcher's own — runs from its tests.
//
// # Checking a policy
//
// A test builds a Factory (a fresh policy per run) and declares what the policy
// promises:
//
//	func TestMyPlacer(t *testing.T) {
//		schedtest.Conformance(t, schedtest.PlacerFactory(func() scheduler.Placer { return &MyPlacer{} }),
//			schedtest.Options{GangAtomic: true, DeadlockFree: true})
//	}
//
// A placer runs under the core's monolithic scheduler (Factory.Monolithic
// configures it); a complete scheduler comes from SchedulerFactory. Check returns
// the failures instead of failing a test.
//
// # Properties
//
// Every policy must keep, on every generated scenario:
//
//   - safety, checked after every simulation step: State.CheckInvariants (no
//     resource or GPU device over-committed, free + allocated = capacity, totals and
//     indexes agree); every submitted task in exactly one state, placed exactly when
//     held or running, on an up node that lists it, no task on a node that is not a
//     submitted task (double placement); for placers, the Placer contract (Place
//     does not modify the state; with an OK status it returns an existing node that
//     fits, and GPU devices that exist there, are free enough and number the task's
//     GPU count); the policy's own invariants, for a policy that is a SelfChecker;
//   - at the end: the Result's per-state counts agree with the tasks and add up to
//     tasks_submitted; nothing lost (a run that drained leaves no task pending or
//     held);
//   - liveness (CheckLiveness), unless Options.Abandons excuses it: a job that fits
//     the cluster on its own is never failed or abandoned by the policy, and is not
//     left pending at the end of a run that drained or quiesced while it fits;
//   - determinism: two runs of a scenario give the same transcript (every
//     transition, in order) and the same Result.Hash; a replay reruns up to
//     ReplayRuns times until a run diverges;
//   - budgets: Options.MaxSteps simulation steps and Options.MaxPlaces placer calls
//     per run (deterministic), and the opt-in -schedtest.wall.
//
// Declared guarantees add:
//
//   - GangAtomic: a gang's first MinMember tasks start together — when a member of
//     a gang that has not started starts, at least MinMember members are placed,
//     and by the end of that step MinMember run — and after every step a gang that
//     has not started has no task running;
//   - DeadlockFree: on scenarios without a horizon, where every failed node
//     recovers, every job that fits the cluster on its own finishes (CheckLive);
//   - WorkConserving: a run that drains or quiesces leaves no pending task that fits
//     as the cluster stands, of any job (CheckIdleFit).
//
// Every option has a test in which a policy violating exactly it fails.
//
// # Writing a Scheduler
//
// The scheduler.Scheduler documentation states the rules the suite enforces: a
// gang starts in one step (CommitPlan, or Hold then Activate; never Start member by
// member), and whatever waits has a wake-up (a retry timer). ExampleSchedulerFactory
// is a minimal correct scheduler that passes with every declaration.
//
// # Scenarios, shrinking and replay
//
// A Scenario is a small JSON-serialisable description (nodes, jobs with gangs,
// DAG groups, dependencies and constraints, a failure schedule, a seed and a
// horizon) in which every value is valid, so gopter can shrink a failing one
// freely: fewer jobs, failures and nodes, smaller jobs, simpler tasks. A failing
// property prints its generator seed and the shrunk scenario; save it under
// testdata/ and call Replay to keep it as a regression test. -schedtest.out=DIR
// saves every counterexample.
//
// # Flags
//
// -schedtest.n=N runs N cases per property instead of DefaultCases (200);
// -schedtest.seed=S changes the generator seed (DefaultSeed is fixed so that CI is
// reproducible); -schedtest.out=DIR saves counterexamples; -schedtest.wall=DUR sets
// a wall-clock budget per run (off by default: not for CI); -update makes Golden
// rewrite golden files instead of comparing with them. When the test has a
// deadline, Conformance stops before it and reports the slowest scenario.
//
// # Golden transcripts
//
// Recorder{Keep: true} keeps every transition of a run as a line (Filter passes on
// only some kinds); Golden compares the text built from them with a file under
// testdata/. A package whose tests import schedtest uses its -update flag and must
// not define its own.
//
// # Generators
//
// Scenarios, Clusters, Workloads, Gangs and FailureSchedules are gopter
// generators bounded by a Shape (nodes, jobs and tasks per job; features can be
// switched off for policies that do not handle them). GenScenario draws one
// scenario from any *rand.Rand.
//
// # How a run is stepped
//
// The suite wraps the policy's scheduler so that the run's first event (a timer at
// time 0, which adds one event to Result.Events) drives the rest of the run with
// Sim.Step, checking between steps. The wrapper forwards Attach, Enqueue, Released,
// and the engine's optional interfaces the policy implements (scheduler.Reporter,
// scheduler.DeadlockBreaker).
package schedtest
