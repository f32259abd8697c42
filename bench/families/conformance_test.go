package families_test

import (
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench/families"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// catalogue is every shipped scheduler configuration a user can name on the
// command line, with what it declares to the conformance suite. Every registered
// scheduler must have at least its default here (TestCatalogueIsDeclared), so a
// new one cannot ship unchecked.
//
// The declarations:
//   - gang-strict: gang-atomic, deadlock-free, work-conserving; gives up on nothing.
//   - monolithic: as gang-strict (gangs all-or-nothing in one cycle).
//   - gang-admission, gang-permit, gang-nonstrict, hard placeholders: gang-atomic;
//     may leave gangs waiting while they fit (gate, partial holds) or fail them
//     (hard placeholders on timeout). Soft placeholders: gangs may wait, and run
//     partially after a timeout (not gang-atomic).
//   - omega, monolithic-single-path, monolithic-fast-path and mesos with the
//     Omega simulator's attempt limits: may abandon any job. With the limits
//     lifted (max_attempts=1000000000 or -1) ordinary jobs are judged.
//   - mesos: gang frameworks hoard offers; held members never run before the gang
//     is complete (gang-atomic). With scope=fair an offer is capped at the
//     framework's fair share, so a task larger than that share waits for good
//     even on an idle cluster (found at depth): it may leave any job waiting.
//     A gang framework with a hold timeout but no gang attempt limit re-hoards
//     for good a gang that never fits, and DRF can hand every slot it frees to
//     the idle and the hoarding frameworks before the one whose job fits it
//     (found at depth, TestHoarderStarvesWithoutAttemptLimit): it may leave any
//     job waiting; with gang_attempts ordinary jobs are judged.
var catalogue = []struct {
	spec string
	opt  schedtest.Options
}{
	{"monolithic", schedtest.Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true}},
	{"monolithic:t_job=1s,t_task=10ms,preemption=true", schedtest.Options{GangAtomic: true}},
	{"gang-strict", schedtest.Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true}},
	{"gang-strict:backtrack=0,order=interleave,period=1s", schedtest.Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true}},
	{"gang-admission", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"gang-permit", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"gang-permit:preset=kep4671", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"gang-permit:order=fair,group_backoff=30s", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"gang-placeholder", schedtest.Options{Abandons: schedtest.AbandonGangs}},
	{"gang-placeholder:style=hard", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"gang-placeholder:order=fair,timeout=forever", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"gang-nonstrict", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"gang-nonstrict:timeout=forever", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"gang-nonstrict:overcommit=1.2,order=interleave", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"omega", schedtest.Options{Abandons: schedtest.AbandonAny}},
	{"omega:batch=2,service=0,conflict=seq,max_attempts=1000000000,max_attempts_nothing=1000000000", schedtest.Options{}},
	{"omega:transaction=all-or-nothing,max_attempts=1000000000,max_attempts_nothing=1000000000", schedtest.Options{GangAtomic: true}},
	{"omega:conflict=seq,transaction=all-or-nothing,placer=given", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonAny}},
	{"omega:batch=3,spread=hash,conflict=seq,seq_releases=true", schedtest.Options{Abandons: schedtest.AbandonAny}},
	{"omega:batch=2,spread=hash,conflict=seq,seq_releases=true,transaction=all-or-nothing", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonAny}},
	{"monolithic-single-path", schedtest.Options{Abandons: schedtest.AbandonAny}},
	{"monolithic-single-path:placer=given,max_attempts=1000000000,max_attempts_nothing=1000000000", schedtest.Options{}},
	{"monolithic-fast-path", schedtest.Options{Abandons: schedtest.AbandonAny}},
	{"mesos", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonAny}},
	{"mesos:hold_timeout=30s,backoff=1s,max_backoff=8s,jitter=0.5,gang_attempts=20", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonAny}},
	{"mesos:gang=0,max_attempts=-1,max_attempts_nothing=-1", schedtest.Options{Abandons: schedtest.AbandonGangs}},
	{"mesos:hold_timeout=10s,release=partial,hoard_all=true,gang_attempts=20,max_attempts=-1,max_attempts_nothing=-1", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"mesos:hold_timeout=10s,release=partial,hoard_all=true,max_attempts=-1,max_attempts_nothing=-1", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonAny}},
	{"mesos:filter=node,suppress=true,offer_timeout=5s,max_attempts=-1,max_attempts_nothing=-1", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonGangs}},
	{"mesos:scope=fair,max_attempts=-1,max_attempts_nothing=-1", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonAny}},
	{"mesos:gang=0,refuse=0,request=true,concurrent=true,requeue_tail=true", schedtest.Options{Abandons: schedtest.AbandonAny}},
	{"mesos:request=true,concurrent=true,requeue_tail=true,hold_timeout=30s,gang_attempts=20", schedtest.Options{GangAtomic: true, Abandons: schedtest.AbandonAny}},
}

// registry is every family registered, as the command has it.
var registry = families.NewRegistry()

// TestCatalogueIsDeclared: every registered scheduler has a declaration.
func TestCatalogueIsDeclared(t *testing.T) {
	have := map[string]bool{}
	for _, c := range catalogue {
		have[strings.SplitN(c.spec, ":", 2)[0]] = true
	}
	for _, s := range registry.Schedulers() {
		if !have[s.Name] {
			t.Errorf("scheduler %q is registered but not in the conformance catalogue: declare what it promises", s.Name)
		}
	}
}

// TestCatalogueConformance runs the shared conformance suite on every catalogue
// configuration with the default placer (firstfit), and on every registered
// placer under monolithic and gang-strict, from their command-line names: what
// the CLI builds is what is checked. TestCataloguePlacers crosses the rest.
func TestCatalogueConformance(t *testing.T) {
	for _, c := range catalogue {
		t.Run(c.spec, func(t *testing.T) { conform(t, c.spec, "firstfit", c.opt, 40) })
	}
}

// TestCataloguePlacers runs every registered placer under every catalogue
// configuration (a placer's own parameters at their defaults).
func TestCataloguePlacers(t *testing.T) {
	for _, p := range registry.Placers() {
		for _, c := range catalogue {
			if p.Name == "firstfit" {
				continue // TestCatalogueConformance
			}
			t.Run(p.Name+"/"+c.spec, func(t *testing.T) { conform(t, c.spec, p.Name, c.opt, 8) })
		}
	}
}

func conform(t *testing.T, spec, placer string, o schedtest.Options, cases int) {
	t.Helper()
	o.Cases = cases
	schedtest.Conformance(t, catalogueFactory(t, spec, placer), o)
}

// TestCatalogueReplays replays the counterexamples that deep catalogue runs
// found, with the CLI configuration named.
func TestCatalogueReplays(t *testing.T) {
	cases := []struct{ path, spec, placer string }{
		// A gang framework that re-hoards without an attempt limit starves the
		// batch framework (see TestHoarderStarvesWithoutAttemptLimit); with
		// gang_attempts the gang is given up and the ordinary job runs.
		{"testdata/mesos-hoard-all-partial-release.json", "mesos:hold_timeout=10s,release=partial,hoard_all=true,gang_attempts=20,max_attempts=-1,max_attempts_nothing=-1", "firstfit"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			schedtest.Replay(t, c.path, catalogueFactory(t, c.spec, c.placer))
		})
	}
}

// TestHoarderStarvesWithoutAttemptLimit keeps the reason the catalogue declares
// a Mesos gang framework with a hold timeout but no gang attempt limit as
// leaving any job waiting: on this scenario (found at -schedtest.seed=424242) a
// gang that can never fit releases half its members every 10 s and takes them
// back one round later; each freed slot goes in DRF order to the idle service
// framework (share 0, declines) and then to the gang (its share, hoarded
// members included, just below the batch framework's), so the batch job that
// fits the freed slot never gets an offer of it. This is the modelled
// allocator's behaviour, not a bookkeeping bug: if it changes, this test says
// so and the declaration can be tightened.
func TestHoarderStarvesWithoutAttemptLimit(t *testing.T) {
	sc, checks, err := schedtest.Load("testdata/mesos-hoard-all-partial-release.json")
	if err != nil {
		t.Fatal(err)
	}
	spec := "mesos:hold_timeout=10s,release=partial,hoard_all=true,max_attempts=-1,max_attempts_nothing=-1"
	out := schedtest.Run(&sc, catalogueFactory(t, spec, "firstfit"), checks)
	if !strings.Contains(out.Violation, "liveness: task 5/0 is still pending") {
		t.Fatalf("%s: want the batch task 5/0 starved (liveness), got %q", spec, out.Violation)
	}
}

// catalogueFactory builds the scheduler spec with placer from their CLI names
// (once up front, so that a bad name fails the test rather than a case).
func catalogueFactory(t *testing.T, spec, placer string) schedtest.Factory {
	t.Helper()
	if _, err := registry.NewScheduler(spec, placer); err != nil {
		t.Fatalf("%s with %s: %v", spec, placer, err)
	}
	return schedtest.Factory{Name: spec + " --placer " + placer, Scheduler: func() scheduler.Scheduler {
		s, err := registry.NewScheduler(spec, placer)
		if err != nil {
			panic(err) // built once above
		}
		return s
	}}
}
