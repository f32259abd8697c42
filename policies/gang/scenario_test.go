package gang

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// variantCase is one co-scheduling configuration run on a scenario.
type variantCase struct {
	name string
	cfg  Config
}

// runCase runs jobs (built fresh by mk) on cfg under vc and returns the result and
// transcript lines.
func runCase(t *testing.T, simCfg scheduler.Config, vc variantCase, mk func() []*scheduler.Job, only map[string]bool) (*scheduler.Result, []string) {
	t.Helper()
	tr := &schedtest.Recorder{Keep: true}
	simCfg.Observer = schedtest.Filter{What: only, Next: tr}
	s, err := New(vc.cfg)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := scheduler.NewSim(simCfg, &scheduler.SliceSource{Jobs: mk()}, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run()
	if err != nil {
		t.Fatal(err)
	}
	if msg := sim.State.CheckInvariants(); msg != "" {
		t.Fatalf("%s: %s", vc.name, msg)
	}
	return res, tr.Lines()
}

func summary(res *scheduler.Result) string {
	d := res.Deadlock
	return fmt.Sprintf("result: stop=%s sim=%.0fs jobs=%d/%d gangs_started=%.0f pending=%d held=%d timeouts=%.0f rejections=%.0f "+
		"deadlock{terminal=%v first=%.0fs episodes=%d gangs=%d held=%.1f} held_idle{cpu=%.4f gpu=%.4f} util{cpu=%.4f gpu=%.4f} gang_wait{p50=%.1fs n=%d censored=%d}",
		res.StopReason, res.SimSeconds, res.JobsCompleted, res.JobsSubmitted, res.Extra["gangs_started"], res.TasksPending, res.TasksHeld,
		res.Extra["gang_timeouts"], res.Extra["gang_rejections"], d.Terminal, d.FirstSeconds, d.Episodes, d.Gangs, d.HeldResourceSeconds,
		res.HeldIdle.CPU, res.HeldIdle.GPU, res.Utilization.CPU, res.Utilization.GPU, res.GangWait.P50, res.GangWait.N, res.GangWait.NCensored)
}

func scenarioText(header string, sections []string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		b.WriteString("# " + strings.TrimSpace(l) + "\n")
	}
	for _, s := range sections {
		b.WriteString("\n" + s)
	}
	return b.String()
}

func gangJob(id int, submit scheduler.Time, n, minMember int, req scheduler.Resources, runtime scheduler.Time) *scheduler.Job {
	j := &scheduler.Job{ID: scheduler.JobID(id), Submit: submit, MinMember: int32(minMember), Tasks: make([]scheduler.Task, n)}
	for i := range j.Tasks {
		j.Tasks[i] = scheduler.Task{Index: int32(i), Request: req, Runtime: runtime}
	}
	return j
}

func nodes(n int, capa scheduler.Resources) []scheduler.Node {
	out := make([]scheduler.Node, n)
	for i := range out {
		out[i] = scheduler.Node{Capacity: capa}
	}
	return out
}

func with(c Config, f func(*Config)) Config { f(&c); return c }

// expect is an assertion on a scenario's result; it returns "" when it holds.
type expect func(r *scheduler.Result) string

func terminal(r *scheduler.Result) string {
	if !r.Deadlock.Terminal || r.StopReason != "terminal deadlock" {
		return "want a terminal deadlock"
	}
	return ""
}

func episodesNotTerminal(r *scheduler.Result) string {
	if r.Deadlock.Terminal || r.Deadlock.Episodes == 0 {
		return "want deadlock episodes broken without a terminal deadlock"
	}
	return ""
}

func noDeadlock(r *scheduler.Result) string {
	if r.Deadlock.Episodes != 0 || r.Deadlock.Terminal {
		return "want no deadlock"
	}
	return ""
}

func livelock(r *scheduler.Result) string {
	if r.Deadlock.Terminal || r.Deadlock.Episodes < 5 || r.JobsCompleted != 0 || r.Extra["gang_rejections"] < 5 {
		return "want a livelock: repeated rejections and episodes, nothing completed"
	}
	return ""
}

func completed(n int) expect {
	return func(r *scheduler.Result) string {
		if r.JobsCompleted != n {
			return fmt.Sprintf("want %d jobs completed, got %d", n, r.JobsCompleted)
		}
		return ""
	}
}

func all(es ...expect) expect {
	return func(r *scheduler.Result) string {
		for _, e := range es {
			if msg := e(r); msg != "" {
				return msg
			}
		}
		return ""
	}
}

// scenarioCase is one variant run on a scenario, with what it must show.
type scenarioCase struct {
	name, what string
	cfg        Config
	want       expect
	horizon    scheduler.Time // overrides the scenario's horizon when > 0
}

// runScenario runs every case, checks its expectation and compares the whole
// transcript with testdata/file. only filters the transcript's records (nil = all
// but submit and finish).
func runScenario(t *testing.T, file, header string, simCfg scheduler.Config, mk func() []*scheduler.Job, only map[string]bool, cases []scenarioCase) {
	t.Helper()
	if only == nil {
		only = map[string]bool{"hold": true, "unhold": true, "start": true, "deadlock": true, "abandoned": true, "failed": true}
	}
	var sections []string
	for _, c := range cases {
		sc := simCfg
		if c.horizon > 0 {
			sc.Horizon = c.horizon
		}
		res, lines := runCase(t, sc, variantCase{c.name, c.cfg}, mk, only)
		if msg := c.want(res); msg != "" {
			t.Errorf("%s: %s: %s", file, c.name, msg)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "## %s: %s\n", c.name, c.what)
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		b.WriteString(summary(res) + "\n")
		sections = append(sections, b.String())
	}
	schedtest.Golden(t, filepath.Join("testdata", file), scenarioText(header, sections))
}

var slot = scheduler.Res(1000, 1024, 0)

func interleaved(c Config) Config { c.Order = Interleave; return c }
func noTimeout(c Config) Config   { c.Timeout = scheduler.Forever; return c }
func session(c Config) Config     { c.Period = scheduler.Second; return c }

// TestScenarioKubeBatch158 reproduces kubernetes-retired/kube-batch#158 (and
// volcano#3373 in small): two jobs each needing more than half the nodes.
func TestScenarioKubeBatch158(t *testing.T) {
	cfg := scheduler.DefaultConfig()
	cfg.Nodes = nodes(10, slot)
	mk := func() []*scheduler.Job {
		return []*scheduler.Job{gangJob(1, 0, 6, 6, slot, 60*scheduler.Second), gangJob(2, 0, 6, 6, slot, 60*scheduler.Second)}
	}
	gate := func(f float64) Config {
		c := interleaved(noTimeout(DefaultConfig(NonStrict)))
		c.Overcommit = f
		return c
	}
	runScenario(t, "kube_batch_158.txt", `
kube-batch#158: 10 one-slot nodes; two gangs of 6 one-slot pods (MinMember 6), submitted
together, their pods reaching the queue interleaved. Partial holding without a timeout
deadlocks at 5/5 for good; a Permit timeout breaks the episode (KEP-4671 alpha: both
time out together after 300 s); coscheduling's whole-group reject and min-resources
PreFilter avoid it; single-cycle all-or-nothing and FIFO placeholders never hold partially
in a cycle. Volcano's enqueue gate at 1.2 admits both gangs (12 <= 1.2 x 10) and the
deadlock happens; at 1.0 it admits one at a time and it does not.`, cfg, mk, nil, []scenarioCase{
		{"strict", "single-cycle all-or-nothing", DefaultConfig(Strict), all(noDeadlock, completed(2)), 0},
		{"permit", "coscheduling defaults (60 s, reject 10 %), interleaved", interleaved(DefaultConfig(Permit)), all(noDeadlock, completed(2)), 0},
		{"permit-kep4671", "KEP-4671 alpha (300 s, no group reject), interleaved", interleaved(KEP4671Alpha()), all(episodesNotTerminal, completed(2)), 0},
		{"placeholder-fifo", "YuniKorn FIFO, 15 min Soft", DefaultConfig(Placeholder), all(noDeadlock, completed(2)), 0},
		{"placeholder-fair", "YuniKorn fair sort, 15 min Soft", with(DefaultConfig(Placeholder), func(c *Config) { c.Order = Fair }), all(episodesNotTerminal, completed(2)), 0},
		{"nonstrict", "Koordinator NonStrict, no timeout, interleaved", interleaved(noTimeout(DefaultConfig(NonStrict))), all(terminal, completed(0)), 0},
		{"nonstrict-600s", "Koordinator NonStrict, 600 s wait, interleaved", interleaved(DefaultConfig(NonStrict)), all(episodesNotTerminal, completed(2)), 0},
		{"gate-1.2+nonstrict", "Volcano enqueue at 1.2 in front of NonStrict", gate(1.2), terminal, 0},
		{"gate-1.0+nonstrict", "Volcano enqueue at 1.0 in front of NonStrict", gate(1.0), all(noDeadlock, completed(2)), 0},
	})
}

// TestScenarioSchedulerPlugins114 reproduces kubernetes-sigs/scheduler-plugins#114
// (and #117): 2 nodes × 8 GPUs, 60 gangs of 1–8 one-GPU pods arriving every 15 s.
func TestScenarioSchedulerPlugins114(t *testing.T) {
	cfg := scheduler.DefaultConfig()
	cfg.Nodes = nodes(2, scheduler.Res(64000, 256*1024, 8000))
	mk := func() []*scheduler.Job {
		r := scheduler.NewRand(114, "sizes")
		var jobs []*scheduler.Job
		for i := 0; i < 60; i++ {
			n := 1 + r.IntN(8)
			j := gangJob(i+1, scheduler.Time(i)*15*scheduler.Second, n, n, scheduler.Res(1000, 1024, 1000), 120*scheduler.Second)
			for k := range j.Tasks {
				j.Tasks[k].Runtime += scheduler.Time(r.IntN(30000)) * scheduler.Millisecond
			}
			jobs = append(jobs, j)
		}
		return jobs
	}
	era := DefaultConfig(Permit) // the coscheduling of the issue: no group rejection, no min-resources check
	era.RejectPercent, era.MinResources, era.FailureOrder = 100, false, false
	runScenario(t, "scheduler_plugins_114.txt", `
scheduler-plugins#114/#117: 2 nodes x 8 GPUs; 60 gangs of 1-8 one-GPU pods (sizes drawn
with seed 114; the issue does not give the pod shape, so one GPU per pod), one every 15 s,
each pod running 120 s plus up to 30 s, so a job's GPUs come free a few at a time. Pods
back off one by one (1 s doubling to 10 s): a release that comes while the head group's
pods are still backing off goes to a newer group's pods, so several groups hold GPUs in
Permit at once (the queue is group-contiguous only in activeQ). Without a timeout (the
coscheduling of the issue, no group rejection) the cluster deadlocks for good; a 60 s
wait breaks each episode; today's reject threshold, single-cycle placement and FIFO
placeholders avoid it. Only deadlock records are shown.`, cfg, mk, map[string]bool{"deadlock": true}, []scenarioCase{
		{"permit-issue", "Permit, no timeout, no group reject (the issue's coscheduling)", noTimeout(era), terminal, 0},
		{"permit-issue-60s", "the same with a 60 s Permit wait", era, episodesNotTerminal, 0},
		{"permit", "coscheduling defaults (60 s, reject 10 %, min-resources, failure order)", DefaultConfig(Permit), all(noDeadlock, completed(60)), 0},
		{"permit-kep4671", "KEP-4671 alpha (300 s, no group reject)", KEP4671Alpha(), all(episodesNotTerminal, completed(60)), 0},
		{"strict", "single-cycle all-or-nothing", DefaultConfig(Strict), all(noDeadlock, completed(60)), 0},
		{"placeholder-fifo", "YuniKorn FIFO, 15 min Soft", DefaultConfig(Placeholder), all(noDeadlock, completed(60)), 0},
		{"nonstrict", "Koordinator NonStrict, no timeout", noTimeout(DefaultConfig(NonStrict)), terminal, 0},
	})
}

// TestScenarioKoordinator872 reproduces koordinator-sh/koordinator#872: gang groups
// {A, B} and {C, D}, where A and C together fill the cluster, scheduled A, C, B, D.
func TestScenarioKoordinator872(t *testing.T) {
	cfg := scheduler.DefaultConfig()
	cfg.Nodes = nodes(4, slot)
	// A gang group is one gang here: job 1 = A (tasks 0-1) + B (tasks 2-3), job 2 =
	// C + D. Interleaved order offers A0 C0 A1 C1 B0 D0 B1 D1: A, C, B, D.
	mk := func() []*scheduler.Job {
		return []*scheduler.Job{gangJob(1, 0, 4, 4, slot, 60*scheduler.Second), gangJob(2, 0, 4, 4, slot, 60*scheduler.Second)}
	}
	koordStrict := DefaultConfig(Permit)
	koordStrict.RejectPercent, koordStrict.MinResources, koordStrict.Timeout, koordStrict.FailureOrder = 0, false, 600*scheduler.Second, false
	runScenario(t, "koordinator_872.txt", `
koordinator#872: 4 one-slot nodes; gang groups {A, B} and {C, D} of 2 pods each (a group
is modelled as one gang of 4), offered A, C, B, D. A and C fill the cluster, so neither
group completes: NonStrict deadlocks for good. The maintainers' fix has two parts: order
by group, and Strict mode, which rejects every waiting pod of the group on a failure
(Permit with reject threshold 0). Group order alone suffices here; Strict mode alone, with
the A C B D order, turns the deadlock into a livelock: both groups are rejected and retry
in step (shown for the first 30 s).`, cfg, mk, nil, []scenarioCase{
		{"nonstrict", "NonStrict, no timeout, order A C B D", interleaved(noTimeout(DefaultConfig(NonStrict))), all(terminal, completed(0)), 0},
		{"nonstrict-600s", "NonStrict, 600 s wait, order A C B D", interleaved(DefaultConfig(NonStrict)), all(episodesNotTerminal, completed(2)), 0},
		{"nonstrict-group-order", "NonStrict, no timeout, ordered by group (the fix)", noTimeout(DefaultConfig(NonStrict)), all(noDeadlock, completed(2)), 0},
		{"koordinator-strict", "Strict mode and group order (the fix)", koordStrict, all(noDeadlock, completed(2)), 0},
		{"koordinator-strict-acbd", "Strict mode alone, order A C B D: livelock", interleaved(koordStrict), livelock, 30 * scheduler.Second},
		{"strict", "single-cycle all-or-nothing", DefaultConfig(Strict), all(noDeadlock, completed(2)), 0},
	})
}

// TestScenarioKoordinatorNonStrictQuota reproduces the Koordinator gang proposal's
// NonStrict example: quota 10, three gangs of 5 one-unit pods, ending at 3/3/4.
func TestScenarioKoordinatorNonStrictQuota(t *testing.T) {
	cfg := scheduler.DefaultConfig()
	cfg.Nodes = nodes(20, slot)
	cfg.Quotas = map[string]scheduler.Resources{"": scheduler.Res(10000, 1<<40, 0)}
	mk := func() []*scheduler.Job {
		return []*scheduler.Job{gangJob(1, 0, 5, 5, slot, 60*scheduler.Second), gangJob(2, 0, 5, 5, slot, 60*scheduler.Second),
			gangJob(3, 0, 5, 5, slot, 60*scheduler.Second)}
	}
	runScenario(t, "koordinator_nonstrict_quota.txt", `
Koordinator NonStrict (proposal 20220901-gang-scheduling): a tenant quota of 10 one-CPU
units on a 20-slot cluster; three gangs of 5 one-unit pods submitted together and offered
interleaved (passes run as 1 s sessions so that one pass sees all three). NonStrict
accumulation ends at 4/3/3: no gang reaches 5 and, without a timeout, the deadlock is
terminal (the quota, not the nodes, closes the cycle). With Koordinator's 600 s wait it
lasts until the timeout. Single-cycle placement runs two gangs, then the third;
coscheduling's group reject releases the gang that falls short.`, cfg, mk, nil, []scenarioCase{
		{"nonstrict", "NonStrict, no timeout, interleaved", session(interleaved(noTimeout(DefaultConfig(NonStrict)))), all(terminal, completed(0)), 0},
		{"nonstrict-600s", "NonStrict, 600 s wait, interleaved", session(interleaved(DefaultConfig(NonStrict))), all(episodesNotTerminal, completed(3)), 0},
		{"strict", "single-cycle all-or-nothing", session(DefaultConfig(Strict)), all(noDeadlock, completed(3)), 0},
		{"permit", "coscheduling defaults, interleaved", session(interleaved(DefaultConfig(Permit))), all(noDeadlock, completed(3)), 0},
		{"placeholder-fifo", "YuniKorn FIFO", session(DefaultConfig(Placeholder)), all(noDeadlock, completed(3)), 0},
	})
}

// TestScenarioKubeBatch514 reproduces kubernetes-retired/kube-batch#514: a 10-CPU
// node, a 3 × 4-CPU gang created first and a 1 × 3-CPU gang behind it.
func TestScenarioKubeBatch514(t *testing.T) {
	cfg := scheduler.DefaultConfig()
	cfg.Nodes = nodes(1, scheduler.Res(10000, 64*1024, 0))
	cfg.Horizon = 1200 * scheduler.Second
	mk := func() []*scheduler.Job {
		return []*scheduler.Job{gangJob(1, 0, 3, 3, scheduler.Res(4000, 1024, 0), 60*scheduler.Second),
			gangJob(2, scheduler.Second, 1, 1, scheduler.Res(3000, 1024, 0), 60*scheduler.Second)}
	}
	gate := func(f float64) Config { c := DefaultConfig(Strict); c.Overcommit = f; return c }
	hard := DefaultConfig(Placeholder)
	hard.Style = Hard
	starves := func(n int) expect {
		return all(noDeadlock, completed(n))
	}
	runScenario(t, "kube_batch_514.txt", `
kube-batch#514: one 10-CPU node; PG1 = 3 x 4 CPU (submitted first, can never fit) and
PG2 = 1 x 3 CPU a second later; horizon 20 min. Nothing here is a deadlock (one partial
gang cannot form a cycle): it is starvation. Volcano's gate at 1.2 admits PG1 (12 <= 12)
and then refuses PG2 (15 > 12): both stay pending, as reported. At 1.0 PG1 can never be
admitted (12 > 10): schedlab fails it as unresolvable (Volcano would leave it pending)
and PG2 runs. Single-cycle placement runs PG2 at once; a partial hold without
rejection (NonStrict, KEP-4671 alpha) keeps 8 CPUs and starves PG2 until a timeout, if
any; YuniKorn Hard fails PG1 after 15 min and only then runs PG2.`, cfg, mk, nil, []scenarioCase{
		{"strict", "single-cycle all-or-nothing", DefaultConfig(Strict), starves(1), 0},
		{"gate-1.2+strict", "Volcano enqueue at 1.2, then all-or-nothing", gate(1.2), starves(0), 0},
		{"gate-1.0+strict", "Volcano enqueue at 1.0, then all-or-nothing", gate(1.0), starves(1), 0},
		{"permit", "coscheduling defaults (min-resources PreFilter rejects PG1)", DefaultConfig(Permit), starves(1), 0},
		{"permit-kep4671", "KEP-4671 alpha (300 s, no group reject)", KEP4671Alpha(), starves(1), 0},
		{"nonstrict", "NonStrict, no timeout", noTimeout(DefaultConfig(NonStrict)), starves(0), 0},
		{"placeholder-hard", "YuniKorn FIFO, 15 min Hard", hard, starves(1), 0},
	})
}
