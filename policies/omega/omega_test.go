package omega

import (
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no schedulers", func(c *Config) { c.BatchSchedulers, c.ServiceSchedulers = 0, 0 }, "no schedulers"},
		{"negative count", func(c *Config) { c.BatchSchedulers = -1 }, "negative scheduler count"},
		{"negative time", func(c *Config) { c.Service.Task = -1 }, "negative decision time"},
		{"zero retry", func(c *Config) { c.RetryDelay = 0 }, "retry delay"},
		{"zero limit", func(c *Config) { c.MaxAttempts = 0 }, "attempt limits"},
		{"bad detection", func(c *Config) { c.Detection = 9 }, "unknown detection"},
		{"bad transaction", func(c *Config) { c.Transaction = 9 }, "unknown transaction"},
	} {
		cfg := DefaultConfig()
		c.mod(&cfg)
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	cfg := DefaultConfig()
	cfg.BatchSchedulers, cfg.ServiceSchedulers = 0, 0
	cfg.Monolithic = true
	if _, err := New(cfg); err != nil {
		t.Errorf("monolithic ignores the scheduler counts: %v", err)
	}
}

func TestParseModes(t *testing.T) {
	for s, want := range map[string]Transaction{"incremental": Incremental, "inc": Incremental, "all-or-nothing": AllOrNothing, "aon": AllOrNothing} {
		if got, err := ParseTransaction(s); err != nil || got != want {
			t.Errorf("ParseTransaction(%q) = %v, %v", s, got, err)
		}
	}
	for s, want := range map[string]scheduler.Detection{"fit": scheduler.DetectFit, "seq": scheduler.DetectSeq, "coarse": scheduler.DetectSeq} {
		if got, err := ParseDetection(s); err != nil || got != want {
			t.Errorf("ParseDetection(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseTransaction("sometimes"); err == nil {
		t.Error("ParseTransaction accepted a bad name")
	}
	if _, err := ParseDetection("maybe"); err == nil {
		t.Error("ParseDetection accepted a bad name")
	}
	if got := (DecisionTime{Job: scheduler.Second, Task: 10 * scheduler.Millisecond}).For(50); got != 1500*scheduler.Millisecond {
		t.Errorf("For(50) = %v, want 1.5s", got)
	}
}

func TestSchedulerNamesAndRouting(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BatchSchedulers, cfg.ServiceSchedulers = 3, 0
	o, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(o.Schedulers(), ","); got != "batch-0,batch-1,batch-2" {
		t.Fatalf("schedulers %s", got)
	}
	if len(o.byClass[scheduler.Service]) != 3 {
		t.Fatalf("service jobs have %d schedulers, want the 3 batch ones", len(o.byClass[scheduler.Service]))
	}
	// Six one-task jobs of both classes spread round-robin per class.
	var jobs []*scheduler.Job
	for i := 0; i < 6; i++ {
		jobs = append(jobs, mkJob(i+1, scheduler.Class(i%2), 0, 1, scheduler.Res(100, 100, 0), scheduler.Second))
	}
	sc := scheduler.DefaultConfig()
	sc.Nodes = mkNodes(2, 4000, 4096)
	if _, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: jobs}, o); err != nil {
		t.Fatal(err)
	}
	for _, a := range o.agents {
		if a.stats.attempts != 2 {
			t.Errorf("%s made %d attempts, want 2 (round-robin)", a.name, a.stats.attempts)
		}
	}
}

// TestAbandonmentRules: a job that can never be placed while the cell is full is
// abandoned after more than MaxAttemptsNothingPlaced attempts; one that placed some
// tasks keeps trying until more than MaxAttempts.
func TestAbandonmentRules(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Batch = DecisionTime{Job: 10 * scheduler.Millisecond}
	cfg.MaxAttemptsNothingPlaced, cfg.MaxAttempts = 5, 12
	o, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Machine 0 is taken for an hour; job 2 gets one of its two 4-core tasks onto
	// machine 1 and never the other; job 3 (submitted later) never places anything.
	blocker := mkJob(1, scheduler.Service, 0, 1, scheduler.Res(4000, 1024, 0), scheduler.Hour)
	partial := mkJob(2, scheduler.Batch, scheduler.Second, 2, scheduler.Res(4000, 1024, 0), scheduler.Hour)
	nothing := mkJob(3, scheduler.Batch, 10*scheduler.Second, 1, scheduler.Res(4000, 1024, 0), scheduler.Second)
	sc := scheduler.DefaultConfig()
	sc.Nodes = mkNodes(2, 4000, 16384)
	res, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: []*scheduler.Job{blocker, partial, nothing}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.JobsAbandoned != 2 || !partial.Abandoned || !nothing.Abandoned {
		t.Fatalf("abandoned %d jobs (partial %v, nothing %v), want both", res.JobsAbandoned, partial.Abandoned, nothing.Abandoned)
	}
	if a := nothing.Tasks[0].Attempts; a != 6 {
		t.Errorf("job with nothing placed had %d attempts, want 6 (more than 5)", a)
	}
	if a := partial.Tasks[1].Attempts; a != 13 {
		t.Errorf("partly placed job's last task had %d attempts, want 13 (more than 12 in all)", a)
	}
	if partial.Tasks[0].State != scheduler.TaskCompleted || partial.Tasks[1].State != scheduler.TaskAbandoned {
		t.Errorf("partly placed job: task states %v and %v, want completed (it ran) and abandoned", partial.Tasks[0].State, partial.Tasks[1].State)
	}
}

func TestRandomFirstFitPoolAndDeterminism(t *testing.T) {
	st, err := scheduler.NewState(mkNodes(50, 4000, 16384))
	if err != nil {
		t.Fatal(err)
	}
	j := mkJob(1, scheduler.Batch, 0, 300, scheduler.Res(1000, 1024, 0), scheduler.Second)
	for i := range j.Tasks {
		j.Tasks[i].Job, j.Tasks[i].Node, j.Tasks[i].ID = j, scheduler.NoNode, scheduler.TaskID(i)
	}
	place := func(seed uint64) ([]scheduler.NodeID, int) {
		p := NewRandomFirstFit()
		p.Attach(st, scheduler.NewRand(seed, "t"))
		tx := st.Begin()
		defer tx.Rollback()
		var ids []scheduler.NodeID
		fails := 0
		for i := range j.Tasks {
			id, _, s := p.Place(st, &j.Tasks[i])
			if !s.IsOK() {
				fails++
				continue
			}
			if !st.Place(&j.Tasks[i], id, 0, false).IsOK() {
				t.Fatalf("placer returned node %d where the task does not fit", id)
			}
			ids = append(ids, id)
		}
		return ids, fails
	}
	a, fa := place(1)
	b, _ := place(1)
	c, _ := place(2)
	if len(a) != 200 || fa != 100 {
		t.Fatalf("placed %d and failed %d of 300 one-core tasks on 50 four-core machines, want 200 and 100", len(a), fa)
	}
	if len(b) != len(a) || len(c) != len(a) {
		t.Fatal("runs differ in count")
	}
	same, diff := true, false
	for i := range a {
		same = same && a[i] == b[i]
		diff = diff || a[i] != c[i]
	}
	if !same || !diff {
		t.Errorf("same seed same placements: %v; different seed different placements: %v", same, diff)
	}
}

// TestSpreadHash: with Config.Spread = SpreadHash each new job goes to the
// scheduler mix64(ID) mod N (the paper's "hashing"), so consecutive jobs sometimes
// share a scheduler; round-robin (the default, the simulator's) never lets them.
func TestSpreadHash(t *testing.T) {
	for s, want := range map[string]Spread{"round-robin": SpreadRoundRobin, "rr": SpreadRoundRobin, "hash": SpreadHash} {
		if got, err := ParseSpread(s); err != nil || got != want {
			t.Errorf("ParseSpread(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseSpread("random"); err == nil {
		t.Error("ParseSpread accepted a bad name")
	}
	bad := DefaultConfig()
	bad.Spread = 7
	if bad.Validate() == nil {
		t.Error("Validate accepted an unknown spread")
	}
	const n, jobs = 4, 400
	for _, sp := range []Spread{SpreadRoundRobin, SpreadHash} {
		cfg := DefaultConfig()
		cfg.BatchSchedulers, cfg.ServiceSchedulers = n, 0
		cfg.Spread = sp
		o, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var js []*scheduler.Job
		want := make([]int, n)
		shared := 0 // consecutive jobs on the same scheduler
		for i := 1; i <= jobs; i++ {
			js = append(js, mkJob(i, scheduler.Batch, scheduler.Time(i)*scheduler.Second, 1, scheduler.Res(100, 100, 0), scheduler.Second))
			k := (i - 1) % n
			if sp == SpreadHash {
				k = int(mix64(uint64(i)) % n)
				if i > 1 && k == int(mix64(uint64(i-1))%n) {
					shared++
				}
			}
			want[k]++
		}
		sc := scheduler.DefaultConfig()
		sc.Nodes = mkNodes(2, 4000, 4096)
		if _, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: js}, o); err != nil {
			t.Fatal(err)
		}
		for i, a := range o.agents {
			if a.stats.attempts != want[i] {
				t.Errorf("%v: %s made %d attempts, want %d", sp, a.name, a.stats.attempts, want[i])
			}
			if sp == SpreadHash && (want[i] < jobs/n/2 || want[i] > 2*jobs/n) {
				t.Errorf("hash spread is lopsided: %s gets %d of %d jobs", a.name, want[i], jobs)
			}
		}
		// About 1/N of consecutive pairs share a scheduler under hashing.
		if sp == SpreadHash && (shared < jobs/n/2 || shared > 2*jobs/n) {
			t.Errorf("hash: %d of %d consecutive pairs share a scheduler, want ≈ %d", shared, jobs-1, jobs/n)
		}
	}
}
