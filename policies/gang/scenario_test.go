package gang

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// transcript keeps the transition lines of a run; with only set, it keeps only
// records whose What is listed.
type transcript struct {
	lines []string
	only  map[string]bool
}

func (tr *transcript) Observe(r scheduler.Record) {
	if tr.only == nil || tr.only[r.What] {
		tr.lines = append(tr.lines, r.String())
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (rerun with -update and review the diff):\n%s", path, got)
	}
}

// variantCase is one co-scheduling configuration run on a scenario.
type variantCase struct {
	name string
	cfg  Config
}

// runCase runs jobs (built fresh by mk) on cfg under vc and returns the result and
// transcript lines.
func runCase(t *testing.T, simCfg scheduler.Config, vc variantCase, mk func() []*scheduler.Job, only map[string]bool) (*scheduler.Result, []string) {
	t.Helper()
	tr := &transcript{only: only}
	simCfg.Observer = tr
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
	return res, tr.lines
}

func summary(res *scheduler.Result) string {
	d := res.Deadlock
	return fmt.Sprintf("result: stop=%s sim=%.0fs jobs=%d/%d gangs_started=%.0f pending=%d held=%d timeouts=%.0f rejections=%.0f "+
		"deadlock{terminal=%v first=%.0fs episodes=%d gangs=%d held=%.1f} held_idle{cpu=%.4f gpu=%.4f} util{cpu=%.4f gpu=%.4f} gang_wait_p50=%.1fs",
		res.StopReason, res.SimSeconds, res.JobsCompleted, res.JobsSubmitted, res.Extra["gangs_started"], res.TasksPending, res.TasksHeld,
		res.Extra["gang_timeouts"], res.Extra["gang_rejections"], d.Terminal, d.FirstSeconds, d.Episodes, d.Gangs, d.HeldResourceSeconds,
		res.HeldIdle.CPU, res.HeldIdle.GPU, res.Utilization.CPU, res.Utilization.GPU, res.GangWait.P50)
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
		res, lines := runCase(t, simCfg, variantCase{c.name, c.cfg}, mk, only)
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
	golden(t, file, scenarioText(header, sections))
}

var slot = scheduler.Res(1000, 1024, 0)

func interleaved(c Config) Config { c.Order = Interleave; return c }
func noTimeout(c Config) Config   { c.Timeout = scheduler.Forever; return c }

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
		{"strict", "single-cycle all-or-nothing", DefaultConfig(Strict), all(noDeadlock, completed(2))},
		{"permit", "coscheduling defaults (60 s, reject 10 %), interleaved", interleaved(DefaultConfig(Permit)), all(noDeadlock, completed(2))},
		{"permit-kep4671", "KEP-4671 alpha (300 s, no group reject), interleaved", interleaved(KEP4671Alpha()), all(episodesNotTerminal, completed(2))},
		{"placeholder-fifo", "YuniKorn FIFO, 15 min Soft", DefaultConfig(Placeholder), all(noDeadlock, completed(2))},
		{"placeholder-fair", "YuniKorn fair sort, 15 min Soft", with(DefaultConfig(Placeholder), func(c *Config) { c.Order = Fair }), all(episodesNotTerminal, completed(2))},
		{"nonstrict", "Koordinator NonStrict, no timeout, interleaved", interleaved(noTimeout(DefaultConfig(NonStrict))), all(terminal, completed(0))},
		{"nonstrict-600s", "Koordinator NonStrict, 600 s wait, interleaved", interleaved(DefaultConfig(NonStrict)), all(episodesNotTerminal, completed(2))},
		{"gate-1.2+nonstrict", "Volcano enqueue at 1.2 in front of NonStrict", gate(1.2), terminal},
		{"gate-1.0+nonstrict", "Volcano enqueue at 1.0 in front of NonStrict", gate(1.0), all(noDeadlock, completed(2))},
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
		{"permit-issue", "Permit, no timeout, no group reject (the issue's coscheduling)", noTimeout(era), terminal},
		{"permit-issue-60s", "the same with a 60 s Permit wait", era, episodesNotTerminal},
		{"permit", "coscheduling defaults (60 s, reject 10 %, min-resources, failure order)", DefaultConfig(Permit), all(noDeadlock, completed(60))},
		{"permit-kep4671", "KEP-4671 alpha (300 s, no group reject)", KEP4671Alpha(), all(episodesNotTerminal, completed(60))},
		{"strict", "single-cycle all-or-nothing", DefaultConfig(Strict), all(noDeadlock, completed(60))},
		{"placeholder-fifo", "YuniKorn FIFO, 15 min Soft", DefaultConfig(Placeholder), all(noDeadlock, completed(60))},
		{"nonstrict", "Koordinator NonStrict, no timeout", noTimeout(DefaultConfig(NonStrict)), terminal},
	})
}
