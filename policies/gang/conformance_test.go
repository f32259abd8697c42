package gang

import (
	"math/rand"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// conformanceCase is one configuration the shared suite checks, with what it
// declares.
type conformanceCase struct {
	name string
	cfg  Config
	opt  schedtest.Options
}

// conformanceCases are every variant and preset, declaring what each promises:
//
//   - Strict (greedy or backtracking, with or without sessions): gang-atomic,
//     deadlock-free and work-conserving; it gives up on nothing that fits.
//   - Strict behind Volcano's gate: gang-atomic; it may leave a gang waiting
//     while it fits (the gate can starve a job that fits behind one that never
//     will: kube-batch#514).
//   - Permit (coscheduling defaults, and the KEP-4671 alpha preset), NonStrict
//     with and without a timeout and behind a gate, Hard placeholders:
//     gang-atomic (held members start together), not deadlock-free (partial holds
//     deadlock until a timeout, or for good, or livelock); they may leave gangs
//     waiting, and Hard placeholders fail a gang on timeout.
//   - Soft placeholders: nothing beyond safety (after a timeout a gang runs best
//     effort, partially); gangs may wait.
//
// Every one is judged for liveness on ordinary jobs.
func conformanceCases() []conformanceCase {
	hard := DefaultConfig(Placeholder)
	hard.Style = Hard
	gate := DefaultConfig(Strict)
	gate.Overcommit = 1.2
	all := schedtest.Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true}
	atomic := schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}
	return []conformanceCase{
		{"strict", DefaultConfig(Strict), all},
		{"strict-firstfit-greedy", with(DefaultConfig(Strict), func(c *Config) { c.Placer = scheduler.ScanFirstFit{}; c.Backtrack = 0 }), all},
		{"strict-session-interleave", session(interleaved(DefaultConfig(Strict))), all},
		{"admission-1.2", gate, atomic},
		{"permit", DefaultConfig(Permit), atomic},
		{"permit-kep4671", KEP4671Alpha(), atomic},
		{"permit-fair", with(DefaultConfig(Permit), func(c *Config) { c.Order = Fair }), atomic},
		{"placeholder-hard", hard, atomic},
		{"placeholder-soft", DefaultConfig(Placeholder), schedtest.Options{Abandons: schedtest.AbandonGangs}},
		{"placeholder-soft-fair", with(DefaultConfig(Placeholder), func(c *Config) { c.Order = Fair }), schedtest.Options{Abandons: schedtest.AbandonGangs}},
		{"nonstrict", interleaved(DefaultConfig(NonStrict)), atomic},
		{"nonstrict-forever", noTimeout(DefaultConfig(NonStrict)), atomic},
		{"nonstrict-gate-1.2", with(DefaultConfig(NonStrict), func(c *Config) { c.Overcommit = 1.2 }), atomic},
	}
}

// TestConformance runs the shared conformance suite (scheduler/schedtest) on every
// configuration of conformanceCases.
func TestConformance(t *testing.T) {
	for _, c := range conformanceCases() {
		t.Run(c.name, func(t *testing.T) {
			c.opt.Cases = 100
			schedtest.Conformance(t, factory(t, c), c.opt)
		})
	}
}

func factory(t *testing.T, c conformanceCase) schedtest.Factory {
	return schedtest.Factory{Name: "gang-" + c.name, Scheduler: func() scheduler.Scheduler {
		s, err := New(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}}
}

// TestConformanceReplays replays the counterexamples that deep conformance runs
// (-schedtest.n=2000) found, with every configuration and its own declarations:
// each must pass them.
func TestConformanceReplays(t *testing.T) {
	for _, path := range []string{
		// A started gang (MinMember 1, distinct nodes) whose other member could
		// not be placed was never tried again: no retry was armed, and the run
		// drained with the member pending (strict, strict-firstfit-greedy,
		// admission-1.2).
		"testdata/strict-started-gang-member.json",
		// The admission gate failed a gang as "can never be admitted" while the
		// only node was down for a minute: it compared against the up capacity.
		"testdata/admission-node-down.json",
		// A started gang's member lost to a node failure came back as a new
		// group that the gate (overcommit 1.2) never admitted again: pending
		// for good, no retry armed (admission-1.2, nonstrict-gate-1.2).
		"testdata/admission-started-gang-member.json",
		// A gang kept at the gate while a task that never ends held part of
		// the cluster: no release would come, and no retry was armed for the
		// gate (admission-1.2, nonstrict-gate-1.2).
		"testdata/admission-gate-no-release.json",
	} {
		for _, c := range conformanceCases() {
			t.Run(path+"/"+c.name, func(t *testing.T) { schedtest.ReplayOptions(t, path, factory(t, c), c.opt) })
		}
	}
}

// TestHarnessRunsAsTheEngine: the conformance suite's stepped run of a scheduler
// ends as a plain run does. The harness once hid the scheduler's
// DeadlockBreaker from the engine, so a deadlock that a timeout would break was
// taken as terminal and every such run was cut short.
func TestHarnessRunsAsTheEngine(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	cfg := interleaved(DefaultConfig(NonStrict))
	cfg.Timeout = 30 * scheduler.Second
	// Two gangs of three one-GPU pods, offered round-robin on four GPUs: each
	// holds two, a deadlock until the 30 s timeout breaks it.
	gang3 := schedtest.JobSpec{MinMember: 3, Tasks: []schedtest.TaskSpec{{N: 3, CPU: 100, Mem: 128, GPU: 1000, Runtime: 10}}}
	deadlock := schedtest.Scenario{Nodes: []schedtest.NodeSpec{{CPU: 8000, Mem: 8192, GPUs: 4}}, Jobs: []schedtest.JobSpec{gang3, gang3}}
	terminal := 0
	for i := 0; i < 400; i++ {
		sc := deadlock
		if i > 0 {
			sc = schedtest.GenScenario(r, schedtest.Shape{})
		}
		b := sc.Build()
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := scheduler.NewSim(b.Config, &scheduler.SliceSource{Jobs: b.Jobs}, s)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := sim.Run()
		if err != nil {
			t.Fatal(err)
		}
		out := schedtest.Run(&sc, schedtest.Factory{Scheduler: func() scheduler.Scheduler { s, _ := New(cfg); return s }}, schedtest.Checks{Abandons: schedtest.AbandonAny})
		if out.Result == nil {
			t.Fatalf("case %d: %s", i, out.Violation)
		}
		got := out.Result
		if got.StopReason != plain.StopReason || got.SimSeconds != plain.SimSeconds || got.TasksCompleted != plain.TasksCompleted ||
			got.TasksFailed != plain.TasksFailed || got.TasksPending != plain.TasksPending || got.Deadlock.Terminal != plain.Deadlock.Terminal {
			t.Fatalf("case %d: the harness's run ends %q at %.3fs (%d completed, %d failed, %d pending), a plain run %q at %.3fs (%d, %d, %d)\n%s",
				i, got.StopReason, got.SimSeconds, got.TasksCompleted, got.TasksFailed, got.TasksPending,
				plain.StopReason, plain.SimSeconds, plain.TasksCompleted, plain.TasksFailed, plain.TasksPending, sc.String())
		}
		if plain.Deadlock.Episodes > 0 {
			terminal++
		}
	}
	if terminal == 0 {
		t.Fatal("no generated scenario deadlocked: the comparison proves nothing")
	}
}
