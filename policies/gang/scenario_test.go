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
