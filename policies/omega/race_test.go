package omega

import (
	"fmt"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

func mkJob(id int, class scheduler.Class, submit scheduler.Time, n int, req scheduler.Resources, runtime scheduler.Time) *scheduler.Job {
	j := &scheduler.Job{ID: scheduler.JobID(id), Submit: submit, Class: class, Tasks: make([]scheduler.Task, n)}
	for i := range j.Tasks {
		j.Tasks[i] = scheduler.Task{Index: int32(i), Request: req, Runtime: runtime}
	}
	return j
}

func mkNodes(n int, cpu, mem int64) []scheduler.Node {
	nodes := make([]scheduler.Node, n)
	for i := range nodes {
		nodes[i] = scheduler.Node{Name: fmt.Sprintf("m%d", i), Capacity: scheduler.Res(cpu, mem, 0)}
	}
	return nodes
}

// commitCheck records, for every commit, the state's fingerprint just before and
// just after, and the result.
type commitCheck struct {
	agent       string
	before      string
	after       string
	res         scheduler.CommitResult
	seqs, seqsB []uint64 // the claimed nodes' sequence numbers after / before
}

// raceRun runs jobs under cfg (with a deterministic first-fit placer) and returns
// the transcript, the result, the sim and every commit's check.
func raceRun(t *testing.T, header string, cfg Config, nodes []scheduler.Node, jobs []*scheduler.Job) (string, *scheduler.Result, *scheduler.Sim, []commitCheck) {
	t.Helper()
	tr := &schedtest.Recorder{Keep: true}
	cfg.NewPlacer = func() (scheduler.Placer, error) { return scheduler.ScanFirstFit{}, nil }
	o, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var checks []commitCheck
	var cur commitCheck
	o.beforeCommit = func(a *agent, p *scheduler.Plan) {
		cur = commitCheck{agent: a.name, before: a.o.sim.State.Fingerprint()}
		for _, c := range p.Claims {
			cur.seqsB = append(cur.seqsB, a.o.sim.State.Seq(c.Node))
		}
	}
	o.afterCommit = func(a *agent, p *scheduler.Plan, res scheduler.CommitResult) {
		cur.after, cur.res = a.o.sim.State.Fingerprint(), res
		for _, c := range p.Claims {
			cur.seqs = append(cur.seqs, a.o.sim.State.Seq(c.Node))
		}
		checks = append(checks, cur)
		if msg := a.o.sim.State.CheckInvariants(); msg != "" {
			t.Fatalf("after %s's commit: %s", a.name, msg)
		}
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes = nodes
	sc.Observer = tr
	sim, err := scheduler.NewSim(sc, &scheduler.SliceSource{Jobs: jobs}, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run()
	if err != nil {
		t.Fatal(err)
	}
	if msg := sim.State.CheckInvariants(); msg != "" {
		t.Fatal(msg)
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		b.WriteString("# " + strings.TrimSpace(l) + "\n")
	}
	fmt.Fprintf(&b, "# config: detection=%v transaction=%v batch=%v+%v×n service=%v+%v×n retry=%v\n\n",
		cfg.Detection, cfg.Transaction, cfg.Batch.Job, cfg.Batch.Task, cfg.Service.Job, cfg.Service.Task, cfg.RetryDelay)
	for _, l := range tr.Lines() {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "\nresult: jobs=%d/%d abandoned=%d transactions=%d conflicted=%d fraction=%.3f busy.useful=%.4f busy.wasted=%.4f\n",
		res.JobsCompleted, res.JobsSubmitted, res.JobsAbandoned, res.Conflicts.Transactions, res.Conflicts.Conflicted,
		res.Conflicts.Fraction, res.Busyness.Useful, res.Busyness.Wasted)
	return b.String(), res, sim, checks
}

// raceConfig: one batch scheduler deciding in 1 s, one service scheduler in 2 s, so
// both plan at t=0 and the batch scheduler commits first.
func raceConfig(d scheduler.Detection, tx Transaction) Config {
	cfg := DefaultConfig()
	cfg.Batch = DecisionTime{Job: scheduler.Second}
	cfg.Service = DecisionTime{Job: 2 * scheduler.Second}
	cfg.Detection, cfg.Transaction = d, tx
	return cfg
}

func startOf(j *scheduler.Job) scheduler.Time { return j.Tasks[0].Started }

// TestRaceFitLoserRollsBackAndRetries: two schedulers race for the only machine;
// the loser's claim no longer fits, is rolled back exactly, and its retry (1 s
// later, once the winner's task finished) succeeds.
func TestRaceFitLoserRollsBackAndRetries(t *testing.T) {
	const cores = 1000
	jobs := []*scheduler.Job{
		mkJob(1, scheduler.Batch, 0, 1, scheduler.Res(3*cores, 1024, 0), 2*scheduler.Second),
		mkJob(2, scheduler.Service, 0, 1, scheduler.Res(2*cores, 1024, 0), 10*scheduler.Second),
	}
	out, res, _, checks := raceRun(t, `
Two schedulers race for the same machine (4 cores). At t=0 the batch scheduler
(decision 1 s) and the service scheduler (decision 2 s) both plan against the same
state and both claim machine 0. The batch job commits first, at 1 s. At 2 s the
service job's claim (2 cores) no longer fits beside it (1 core free): it conflicts
and is rolled back exactly. The job retries 1 s later; by then the batch task has
finished, so the retry plans at 3 s, commits at 5 s and succeeds.`,
		raceConfig(scheduler.DetectFit, Incremental), mkNodes(1, 4*cores, 16384), jobs)
	schedtest.Golden(t, "testdata/race_fit.txt", out)
	if len(checks) != 3 {
		t.Fatalf("%d commits, want 3 (win, conflict, retry)", len(checks))
	}
	lose := checks[1]
	if lose.agent != "service-0" || lose.res.Committed != 0 || len(lose.res.Conflicts) != 1 {
		t.Fatalf("second commit: %+v, want service-0 with its one claim conflicted", lose)
	}
	if lose.before != lose.after {
		t.Errorf("the conflicted claim left a trace:\nbefore %s\nafter  %s", lose.before, lose.after)
	}
	if got := startOf(jobs[1]); got != 5*scheduler.Second {
		t.Errorf("loser started at %v, want 5s (retry at 3s + 2s decision)", got)
	}
	if res.Conflicts.Transactions != 3 || res.Conflicts.Conflicted != 1 || res.Conflicts.Fraction != 0.5 {
		t.Errorf("conflicts %+v, want 3 transactions, 1 conflicted, fraction 0.5", res.Conflicts)
	}
}

// seqRace: the winner's task (3 cores) keeps running; the loser's claim (1 core)
// would still fit beside it.
func seqRace() []*scheduler.Job {
	return []*scheduler.Job{
		mkJob(1, scheduler.Batch, 0, 1, scheduler.Res(3000, 1024, 0), 100*scheduler.Second),
		mkJob(2, scheduler.Service, 0, 1, scheduler.Res(1000, 1024, 0), 10*scheduler.Second),
	}
}

// TestRaceSeqConflictsAlthoughItFits: the same race under sequence-number
// detection conflicts even though the resources would still fit; under
// resource-fit detection it does not.
func TestRaceSeqConflictsAlthoughItFits(t *testing.T) {
	jobs := seqRace()
	out, res, _, checks := raceRun(t, `
The same race under sequence-number (coarse) detection. The batch job takes 3 of
the machine's 4 cores at 1 s and keeps running. The service job's claim (1 core)
would still fit, but the machine's sequence number moved from 0 to 1 since the
service scheduler read it, so at 2 s the claim conflicts and is rolled back
(sequence number restored). The retry reads sequence number 1 at 3 s and commits at
5 s.`,
		raceConfig(scheduler.DetectSeq, Incremental), mkNodes(1, 4000, 16384), jobs)
	schedtest.Golden(t, "testdata/race_seq.txt", out)
	if len(checks) != 3 {
		t.Fatalf("%d commits, want 3", len(checks))
	}
	lose := checks[1]
	if lose.res.Committed != 0 || lose.res.First.Code != scheduler.Conflict {
		t.Fatalf("second commit %+v, want a sequence-number conflict", lose.res)
	}
	if lose.before != lose.after || lose.seqs[0] != lose.seqsB[0] {
		t.Errorf("rollback not exact: seq %d → %d\nbefore %s\nafter  %s", lose.seqsB[0], lose.seqs[0], lose.before, lose.after)
	}
	if got := startOf(jobs[1]); got != 5*scheduler.Second {
		t.Errorf("loser started at %v, want 5s", got)
	}
	if res.Conflicts.Conflicted != 1 {
		t.Errorf("conflicts %+v, want 1", res.Conflicts)
	}

	// Control: resource-fit detection lets the same claim through at 2 s.
	jobs = seqRace()
	out, res, _, _ = raceRun(t, `
Control for race_seq.txt: the same race under resource-fit (fine) detection. The
service job's 1-core claim still fits beside the batch job's 3 cores, so it commits
at 2 s without conflict.`,
		raceConfig(scheduler.DetectFit, Incremental), mkNodes(1, 4000, 16384), jobs)
	schedtest.Golden(t, "testdata/race_seq_fit_control.txt", out)
	if got := startOf(jobs[1]); got != 2*scheduler.Second || res.Conflicts.Conflicted != 0 {
		t.Errorf("fit control: loser started at %v with %d conflicts, want 2s and 0", got, res.Conflicts.Conflicted)
	}
}

// aonRace: the batch job takes 3 cores of machine 0; the service job claimed two
// 1-core tasks on machine 0, of which only one still fits.
func aonRace() []*scheduler.Job {
	return []*scheduler.Job{
		mkJob(1, scheduler.Batch, 0, 1, scheduler.Res(3000, 1024, 0), 100*scheduler.Second),
		mkJob(2, scheduler.Service, 0, 2, scheduler.Res(1000, 1024, 0), 10*scheduler.Second),
	}
}

// TestRaceAllOrNothingUndoesAppliedClaims: under all-or-nothing transactions the
// second claim's conflict undoes the first, already applied; incrementally the first
// commits and only the second retries.
func TestRaceAllOrNothingUndoesAppliedClaims(t *testing.T) {
	jobs := aonRace()
	out, _, _, checks := raceRun(t, `
All-or-nothing transactions. Both schedulers plan at t=0 on two 4-core machines;
first fit puts the batch task (3 cores) and both service tasks (1 core each) on
machine 0. At 2 s the service commit applies its first claim (1 core still free),
then its second does not fit: the whole transaction is undone, the first claim
included, and the state is exactly as before the commit. The retry at 3 s places one
task on each machine and commits at 5 s.`,
		raceConfig(scheduler.DetectFit, AllOrNothing), mkNodes(2, 4000, 16384), jobs)
	schedtest.Golden(t, "testdata/race_all_or_nothing.txt", out)
	lose := checks[1]
	if lose.res.Committed != 0 || len(lose.res.Conflicts) != 2 || lose.before != lose.after {
		t.Fatalf("all-or-nothing commit %+v left the state changed=%v", lose.res, lose.before != lose.after)
	}
	if a, b := startOf(jobs[1]), jobs[1].Tasks[1].Started; a != 5*scheduler.Second || b != 5*scheduler.Second {
		t.Errorf("service tasks started at %v and %v, want both at 5s", a, b)
	}

	jobs = aonRace()
	out, _, _, checks = raceRun(t, `
Control for race_all_or_nothing.txt: incremental transactions. At 2 s the service
commit keeps its first claim and skips the second, which conflicts; the transaction
still counts as failed. Only the remaining task retries: it plans at 3 s (machine 1,
first fit) and commits at 5 s.`,
		raceConfig(scheduler.DetectFit, Incremental), mkNodes(2, 4000, 16384), jobs)
	schedtest.Golden(t, "testdata/race_incremental_control.txt", out)
	lose = checks[1]
	if lose.res.Committed != 1 || len(lose.res.Conflicts) != 1 {
		t.Fatalf("incremental commit %+v, want 1 committed and 1 conflicted", lose.res)
	}
	if a, b := startOf(jobs[1]), jobs[1].Tasks[1].Started; a != 2*scheduler.Second || b != 5*scheduler.Second {
		t.Errorf("service tasks started at %v and %v, want 2s and 5s", a, b)
	}
}
