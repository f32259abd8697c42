package mesos

import (
	"fmt"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

func nodes(n int, cpu, mem int64) []scheduler.Node {
	out := make([]scheduler.Node, n)
	for i := range out {
		out[i] = scheduler.Node{Name: fmt.Sprintf("n%d", i), Capacity: scheduler.Res(cpu, mem, 0)}
	}
	return out
}

func mkJob(id int, tenant string, submit scheduler.Time, minMember int, req scheduler.Resources, runtimes ...scheduler.Time) *scheduler.Job {
	j := &scheduler.Job{ID: scheduler.JobID(id), Tenant: tenant, Submit: submit, MinMember: int32(minMember),
		Tasks: make([]scheduler.Task, len(runtimes))}
	for i := range j.Tasks {
		j.Tasks[i] = scheduler.Task{Index: int32(i), Request: req, Runtime: runtimes[i]}
	}
	return j
}

// twoGangs is the hoarding-deadlock scenario: four 4-core nodes are busy with a
// filler job whose tasks end at 10, 20, 30 and 40 s; two gang frameworks each
// want a gang of three 4-core tasks (either fits the cell, not both). DRF hands the
// node freed at 10 s to gang-a (share 0, registered first), 20 s to gang-b, 30 s to
// gang-a (tie), 40 s to gang-b: each holds two of the three nodes it needs.
func twoGangs(hold, backoff scheduler.Time) (Config, []*scheduler.Job) {
	s := scheduler.Second
	fill := DefaultFrameworkConfig("filler", scheduler.Batch)
	ga := DefaultFrameworkConfig("gang-a", scheduler.Batch)
	gb := DefaultFrameworkConfig("gang-b", scheduler.Batch)
	for _, g := range []*FrameworkConfig{&ga, &gb} {
		g.Gang = true
		g.HoldTimeout = hold
		g.Backoff, g.MaxBackoff = backoff, backoff
	}
	cfg := DefaultConfig()
	cfg.Frameworks = []FrameworkConfig{fill, ga, gb}
	cfg.Check = true
	req := scheduler.Res(4000, 8192, 0)
	jobs := []*scheduler.Job{
		mkJob(1, "filler", 0, 0, req, 10*s, 20*s, 30*s, 40*s),
		mkJob(2, "gang-a", 1*s, 3, req, 50*s, 50*s, 50*s),
		mkJob(3, "gang-b", 1*s, 3, req, 50*s, 50*s, 50*s),
	}
	return cfg, jobs
}

func runScenario(t *testing.T, header string, cfg Config, jobs []*scheduler.Job) (string, *scheduler.Result) {
	t.Helper()
	tr := &schedtest.Recorder{Keep: true}
	scfg := scheduler.DefaultConfig()
	scfg.Nodes = nodes(4, 4000, 16384)
	scfg.Observer = tr
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := scheduler.NewSim(scfg, &scheduler.SliceSource{Jobs: jobs}, m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run()
	if err != nil {
		t.Fatal(err)
	}
	if v := m.Violation(); v != "" {
		t.Fatalf("invariant violated: %s", v)
	}
	if msg := sim.State.CheckInvariants(); msg != "" {
		t.Fatal(msg)
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		b.WriteString("# " + strings.TrimSpace(l) + "\n")
	}
	b.WriteString("\n")
	for _, l := range tr.Lines() {
		b.WriteString(l + "\n")
	}
	d := res.Deadlock
	fmt.Fprintf(&b, "\nresult: stop=%s sim=%.3fs jobs=%d/%d tasks completed=%d held=%d pending=%d abandoned=%d\n",
		res.StopReason, res.SimSeconds, res.JobsCompleted, res.JobsSubmitted, res.TasksCompleted, res.TasksHeld,
		res.TasksPending, res.TasksAbandoned)
	fmt.Fprintf(&b, "deadlock: terminal=%v first=%.3fs episodes=%d gangs=%d held_resource_seconds=%.3f\n",
		d.Terminal, d.FirstSeconds, d.Episodes, d.Gangs, d.HeldResourceSeconds)
	fmt.Fprintf(&b, "mesos: offers=%.0f declined=%.0f hold_timeouts=%.0f gang_releases=%.0f hoarded_idle=%.4f locked=%.4f held_idle.cpu=%.4f\n",
		res.Extra[KeyOffers], res.Extra[KeyDeclined], res.Extra[KeyHoldTimeouts], res.Extra[KeyGangReleases],
		res.Extra[KeyHoardedIdle], res.Extra[KeyLockedFraction], res.HeldIdle.CPU)
	return b.String(), res
}

func TestGoldenHoardingDeadlockNoTimeout(t *testing.T) {
	cfg, jobs := twoGangs(scheduler.Forever, 10*scheduler.Second)
	got, res := runScenario(t, `
Mesos hoarding deadlock without a hold timeout.
Four 4-core nodes run a filler job whose tasks end at 10, 20, 30 and 40 s. Two gang
frameworks (gang-a, gang-b) each want three 4-core members (MinMember 3): the cell fits
either gang, not both. In DRF order the freed nodes go a, b, a, b; each framework hoards
two nodes and waits for a third that the other holds (the idle filler framework, which
does not suppress offers, is offered each freed node first when its share is lowest and
declines it, hence the one-second lags). Nothing can break the cycle: the round at 42 s
makes no offer, the detector finds the cycle and reports a terminal deadlock, and the run
stops there.`, cfg, jobs)
	schedtest.Golden(t, "testdata/hoarding_deadlock_no_timeout.txt", got)
	if !res.Deadlock.Terminal || res.StopReason != "terminal deadlock" {
		t.Errorf("want a terminal deadlock, got terminal=%v stop=%q", res.Deadlock.Terminal, res.StopReason)
	}
	if res.Deadlock.Episodes != 1 || res.Deadlock.Gangs != 2 {
		t.Errorf("want one episode over two gangs, got %+v", res.Deadlock)
	}
	if res.TasksHeld != 4 {
		t.Errorf("want 4 hoarded members at the end, got %d", res.TasksHeld)
	}
}

func TestGoldenHoardingDeadlockTimeoutBreaks(t *testing.T) {
	cfg, jobs := twoGangs(60*scheduler.Second, 10*scheduler.Second)
	got, res := runScenario(t, `
Mesos hoarding deadlock broken by a hold timeout.
Same cell and jobs as hoarding_deadlock_no_timeout.txt, but each gang framework releases
everything it hoards 60 s after it started hoarding, then backs off 10 s. gang-a's timeout
at 70 s ends the episode; gang-a, lowest in DRF order, is offered its released nodes at
71 s but declines them (backing off), so gang-b takes one at 72 s and starts; gang-a hoards again and starts once gang-b's tasks finish. Both gangs
run; one episode, no terminal deadlock.`, cfg, jobs)
	schedtest.Golden(t, "testdata/hoarding_deadlock_timeout.txt", got)
	if res.Deadlock.Terminal {
		t.Errorf("a hold timeout must break the deadlock: %+v", res.Deadlock)
	}
	if res.Deadlock.Episodes < 1 {
		t.Errorf("want at least one deadlock episode, got %+v", res.Deadlock)
	}
	if res.JobsCompleted != 3 || res.TasksHeld != 0 {
		t.Errorf("want all 3 jobs completed and nothing held, got %d completed, %d held", res.JobsCompleted, res.TasksHeld)
	}
}
