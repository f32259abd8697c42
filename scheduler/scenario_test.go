package scheduler

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// transcript is an Observer that keeps the lines of a run.
type transcript struct{ lines []string }

func (tr *transcript) Observe(r Record) { tr.lines = append(tr.lines, r.String()) }

// golden compares got with testdata/name, or rewrites it with -update.
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

// scenario runs jobs on nodes under the monolithic scheduler and returns the
// transcript (prose header, transitions, result summary) and the result.
func scenario(t *testing.T, header string, cfg Config, mcfg MonolithicConfig, jobs []*Job) (string, *Result, *Sim) {
	t.Helper()
	tr := &transcript{}
	cfg.Observer = tr
	m, err := NewMonolithic(mcfg)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := NewSim(cfg, &SliceSource{Jobs: jobs}, m)
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
	b.WriteString("\n")
	for _, l := range tr.lines {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "\nresult: stop=%s sim=%.3fs jobs=%d/%d tasks completed=%d failed=%d pending=%d running=%d evicted=%d lost=%d util.cpu=%.4f wait.p50=%.3fs\n",
		res.StopReason, res.SimSeconds, res.JobsCompleted, res.JobsSubmitted, res.TasksCompleted, res.TasksFailed,
		res.TasksPending, res.TasksRunning, res.TasksEvicted, res.TasksLost, res.Utilization.CPU, res.JobWait.P50)
	return b.String(), res, sim
}

func job(id int, submit Time, n int, req Resources, runtime Time) *Job {
	j := &Job{ID: JobID(id), Submit: submit, Tasks: make([]Task, n)}
	for i := range j.Tasks {
		j.Tasks[i] = Task{Index: int32(i), Request: req, Runtime: runtime}
	}
	return j
}

func TestScenarioSmallRun(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "n0", Capacity: Res(4000, 8192, 0)}, {Name: "n1", Capacity: Res(2000, 4096, 0)}}
	gang := job(3, 2*Second, 2, Res(2000, 1024, 0), 5*Second)
	gang.MinMember = 2
	jobs := []*Job{
		job(1, 0, 2, Res(1000, 1024, 0), 10*Second),
		job(2, Second, 1, Res(2000, 2048, 0), 4*Second),
		gang,
		job(4, 3*Second, 1, Res(8000, 1024, 0), Second), // larger than every node
	}
	out, res, _ := scenario(t, `
		A small run on two nodes with best fit: two one-task jobs fill node 1 and part of
		node 0; a two-task gang must wait until both members fit at once, then starts
		together; a task larger than every node fails at once and the run continues.`,
		cfg, MonolithicConfig{}, jobs)
	golden(t, "small_run.txt", out)
	if res.TasksFailed != 1 || res.TasksCompleted != 5 || res.GangWait.N != 1 {
		t.Errorf("unexpected result %+v", res)
	}
}

func TestScenarioNodeFailure(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "a", Capacity: Res(4000, 4096, 0)}, {Name: "b", Capacity: Res(4000, 4096, 0)}}
	cfg.NodeEvents = &SliceNodeSource{Events: []NodeEvent{
		{Time: 5 * Second, Kind: NodeFail, Node: Node{Name: "a"}},
		{Time: 30 * Second, Kind: NodeRecover, Node: Node{Name: "a"}},
	}}
	jobs := []*Job{job(1, 0, 4, Res(2000, 1024, 0), 20*Second)}
	out, res, _ := scenario(t, `
		A node failure reschedules its tasks: four 2-CPU tasks fill nodes a and b; node a
		fails at 5 s and its two tasks are lost and resubmitted; they wait (backoff, then
		the unschedulable pool) until b frees up at 20 s, or a recovers at 30 s.`,
		cfg, MonolithicConfig{}, jobs)
	golden(t, "node_failure.txt", out)
	if res.TasksLost != 2 || res.TasksCompleted != 4 || res.JobsCompleted != 1 {
		t.Errorf("unexpected result %+v", res)
	}
}

func TestScenarioPreemption(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "a", Capacity: Res(4000, 4096, 0)}}
	low := job(1, 0, 2, Res(2000, 1024, 0), 100*Second)
	high := job(2, Second, 1, Res(2000, 1024, 0), 10*Second)
	high.Priority = 10
	out, res, _ := scenario(t, `
		Priority preemption: two low-priority tasks fill the node; a high-priority task
		arrives at 1 s and evicts one of them (the most recently started among the lowest
		priority), which is resubmitted and runs once the high-priority task is done.`,
		cfg, MonolithicConfig{Preemption: true}, []*Job{low, high})
	golden(t, "preemption.txt", out)
	if res.TasksEvicted != 1 || res.TasksCompleted != 3 {
		t.Errorf("unexpected result %+v", res)
	}
}

func TestScenarioDAGAndDependencies(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "a", Capacity: Res(8000, 8192, 0)}}
	dag := job(1, 0, 3, Res(1000, 0, 0), 10*Second)
	dag.Groups = []Group{{Name: "M1"}, {Name: "R2_1", After: []int32{0}}}
	dag.Tasks[2].Group = 1
	dag.Tasks[1].Runtime = 5 * Second
	after := job(2, Second, 1, Res(1000, 0, 0), 3*Second)
	after.After = []JobID{1}
	out, res, _ := scenario(t, `
		A DAG job: group R2_1 starts only when both tasks of M1 completed (at 10 s). Job 2
		declares it starts after job 1, so it is held until job 1 is done (at 20 s).`,
		cfg, MonolithicConfig{}, []*Job{dag, after})
	golden(t, "dag.txt", out)
	if res.JobsCompleted != 2 || res.SimSeconds != 23 {
		t.Errorf("unexpected result %+v", res)
	}
}

func TestQuotaInRun(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Capacity: Res(10000, 0, 0)}}
	cfg.Quotas = map[string]Resources{"team": Res(2000, 0, 0)}
	j := job(1, 0, 4, Res(1000, 0, 0), 10*Second)
	j.Tenant = "team"
	_, res, _ := scenario(t, "quota", cfg, MonolithicConfig{}, []*Job{j})
	// Two at a time: 4 tasks finish by 20 s plus the backoff/pool wake-up.
	if res.TasksCompleted != 4 || res.SimSeconds < 20 {
		t.Fatalf("%+v", res)
	}
	if res.Utilization.CPU > 0.2+1e-9 {
		t.Fatalf("quota exceeded: utilization %v", res.Utilization.CPU)
	}
}

func TestDeterministicJSON(t *testing.T) {
	run := func() []byte {
		cfg := DefaultConfig()
		cfg.Seed = 7
		for i := 0; i < 20; i++ {
			cfg.Nodes = append(cfg.Nodes, Node{Capacity: Res(4000, 8192, 2000)})
		}
		r := NewRand(7, "jobs")
		var jobs []*Job
		at := Time(0)
		for i := 0; i < 300; i++ {
			at += Time(r.IntN(int(2 * Second)))
			j := job(i, at, 1+r.IntN(6), Res(int64(100+r.IntN(2000)), int64(100+r.IntN(4000)), int64(r.IntN(3))*500), Time(1+r.IntN(60))*Second)
			if r.IntN(4) == 0 {
				j.MinMember = int32(len(j.Tasks))
			}
			jobs = append(jobs, j)
		}
		m, _ := NewMonolithic(MonolithicConfig{Preemption: true})
		res, err := Run(cfg, &SliceSource{Jobs: jobs}, m)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res)
		return b
	}
	a, b := run(), run()
	if string(a) != string(b) {
		t.Fatalf("same seed, different JSON:\n%s\n%s", a, b)
	}
}

func TestBadJobs(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Capacity: Res(1000, 0, 0)}}
	cases := map[string]*Job{
		"MinMember":       {ID: 1, MinMember: 3, Tasks: make([]Task, 2)},
		"negative":        {ID: 1, Tasks: []Task{{Request: Res(-1, 0, 0)}}},
		"gpu shape":       {ID: 1, Tasks: []Task{{Request: Res(0, 0, 1500)}}},
		"group range":     {ID: 1, Tasks: []Task{{Group: 1}}},
		"self dependency": {ID: 1, Groups: []Group{{Name: "a", After: []int32{0}}}, Tasks: []Task{{}}},
	}
	for name, j := range cases {
		m, _ := NewMonolithic(MonolithicConfig{})
		_, err := Run(cfg, &SliceSource{Jobs: []*Job{j}}, m)
		if err == nil || !strings.Contains(err.Error(), "job 1") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// Out-of-order submission.
	m, _ := NewMonolithic(MonolithicConfig{})
	_, err := Run(cfg, &SliceSource{Jobs: []*Job{job(1, 5*Second, 1, Res(1, 0, 0), 1), job(2, Second, 1, Res(1, 0, 0), 1)}}, m)
	if err == nil || !strings.Contains(err.Error(), "submit order") {
		t.Errorf("out of order: %v", err)
	}
	if _, err := NewSim(Config{Horizon: -1}, &SliceSource{}, m); err == nil {
		t.Error("negative horizon accepted")
	}
}

func TestHorizonAndQuiesce(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Capacity: Res(1000, 0, 0)}}
	cfg.Horizon = 30 * Second
	svc := job(1, 0, 1, Res(1000, 0, 0), Forever)
	waiting := job(2, Second, 1, Res(1000, 0, 0), Second)
	_, res, _ := scenario(t, "horizon", cfg, MonolithicConfig{}, []*Job{svc, waiting})
	if res.StopReason != "horizon" || res.SimSeconds != 30 || res.TasksRunning != 1 || res.TasksPending != 1 {
		t.Fatalf("%+v", res)
	}
	cfg.Horizon = 0
	_, res, _ = scenario(t, "quiesce", cfg, MonolithicConfig{}, []*Job{job(1, 0, 1, Res(1000, 0, 0), Forever), job(2, Second, 1, Res(1000, 0, 0), Second)})
	if res.StopReason != "quiesced" || res.TasksPending != 1 {
		t.Fatalf("%+v", res)
	}
}

func TestFailedDAGStageCancelsSuccessors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "a", Capacity: Res(4000, 4096, 0)}}
	dag := job(1, 0, 3, Res(100, 128, 0), Second)
	dag.Tasks[0].Request = Res(64000, 128, 0) // can never fit: M1 fails
	dag.Groups = []Group{{Name: "M1"}, {Name: "R2_1", After: []int32{0}}, {Name: "R3_2", After: []int32{1}}}
	dag.Tasks[1].Group, dag.Tasks[2].Group = 1, 2
	after := job(2, Second, 1, Res(100, 128, 0), Second)
	after.After = []JobID{1}
	out, res, _ := scenario(t, `
		A DAG stage that fails ends its successors: M1 can never fit, so R2_1 and R3_2
		(which needs R2_1) fail too; job 1 is then done and job 2, which waits for it,
		is released and runs.`, cfg, MonolithicConfig{}, []*Job{dag, after})
	golden(t, "dag_failure.txt", out)
	if res.TasksFailed != 3 || res.TasksBlocked != 0 || res.TasksCompleted != 1 || res.StopReason != "drained" {
		t.Fatalf("%+v", res)
	}
	// Job 1 is done once (its failing stage ends its successors from inside the
	// enclosing terminal calls): two jobs counted, the one that never started
	// censored once.
	if w := res.JobWait; w.N != 2 || w.NCensored != 1 || w.P50 != 0 {
		t.Fatalf("job wait %+v, want n=2 with 1 censored and p50 0", w)
	}
}

func TestTenantIDsIndependentOfMapOrder(t *testing.T) {
	quotas := map[string]Resources{"a": {}, "b": {}, "c": {}, "d": {}}
	for i := 0; i < 20; i++ {
		m, _ := NewMonolithic(MonolithicConfig{})
		s, err := NewSim(Config{Quotas: quotas}, &SliceSource{}, m)
		if err != nil {
			t.Fatal(err)
		}
		if id := s.State.TenantID("a"); id != 1 {
			t.Fatalf("tenant a got ID %d", id)
		}
	}
}

func TestGangLargerThanClusterFails(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Capacity: Res(4000, 4096, 0)}, {Capacity: Res(4000, 4096, 0)}}
	big := job(1, 0, 3, Res(4000, 1024, 0), Second) // each task fits a node; all three never
	big.MinMember = 3
	small := job(2, 0, 2, Res(4000, 1024, 0), Second)
	small.MinMember = 2
	_, res, sim := scenario(t, "gang larger than the cluster", cfg, MonolithicConfig{}, []*Job{big, small})
	if res.TasksFailed != 3 || res.TasksCompleted != 2 || res.StopReason != "drained" {
		t.Fatalf("%+v", res)
	}
	st := sim.State
	var three, two []*Task
	for i := range big.Tasks {
		three = append(three, &big.Tasks[i])
	}
	two = three[:2]
	if st.CanEverFitGang(three, 3) || !st.CanEverFitGang(two, 2) || !st.CanEverFitGang(three, 2) {
		t.Fatal("CanEverFitGang")
	}
}
