package gang

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// randomGangWorkload draws a contended gang workload: a cluster of 6–12 nodes of 4
// CPUs, and 30 jobs in bursts (several submitted at the same instant) of which
// about two thirds are gangs of 1–8 tasks of 1 or 2 CPUs with MinMember = size.
func randomGangWorkload(seed uint64) ([]scheduler.Node, func() []*scheduler.Job) {
	r := rand.New(rand.NewPCG(seed, 99))
	ns := nodes(6+r.IntN(7), scheduler.Res(4000, 16384, 0))
	type spec struct {
		submit          scheduler.Time
		n, min          int
		runtime         scheduler.Time
		interleavedCPUs int64
	}
	var specs []spec
	t := scheduler.Time(0)
	for i := 0; i < 30; i++ {
		if r.IntN(3) == 0 {
			t += scheduler.Time(r.IntN(40)) * scheduler.Second
		}
		n := 1 + r.IntN(8)
		minM := 0
		if r.IntN(3) > 0 {
			minM = n
		}
		specs = append(specs, spec{submit: t, n: n, min: minM, runtime: scheduler.Time(10+r.IntN(90)) * scheduler.Second, interleavedCPUs: int64(1 + r.IntN(2))})
	}
	return ns, func() []*scheduler.Job {
		var jobs []*scheduler.Job
		for i, s := range specs {
			jobs = append(jobs, gangJob(i+1, s.submit, s.n, s.min, scheduler.Res(1000*s.interleavedCPUs, 1024, 0), s.runtime))
		}
		return jobs
	}
}

// atomicity records, per gang, when its tasks were held and started.
type atomicity struct {
	starts map[scheduler.JobID][]scheduler.Time
	holds  int
	jobs   map[scheduler.JobID]*scheduler.Job
}

func (a *atomicity) Observe(r scheduler.Record) {
	if r.Task == nil || !r.Task.Job.IsGang() {
		return
	}
	switch r.What {
	case "start":
		a.starts[r.Task.Job.ID] = append(a.starts[r.Task.Job.ID], r.Time)
		a.jobs[r.Task.Job.ID] = r.Task.Job
	case "hold":
		a.holds++
	}
}

// check returns "" if every gang's first MinMember starts happened at one instant,
// the instant it became ready: no gang ever ran partially.
func (a *atomicity) check() string {
	ids := make([]scheduler.JobID, 0, len(a.starts))
	for id := range a.starts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		ts, j := a.starts[id], a.jobs[id]
		m := int(j.MinMember)
		if len(ts) < m {
			return fmt.Sprintf("gang %d: %d tasks started, fewer than MinMember %d", id, len(ts), m)
		}
		for _, x := range ts[:m] {
			if x != ts[0] || x != j.GangReady {
				return fmt.Sprintf("gang %d: first %d starts at %v, ready at %v", id, m, ts[:m], j.GangReady)
			}
		}
	}
	return ""
}

func runRandom(t *testing.T, seed uint64, c Config, obs scheduler.Observer) *scheduler.Result {
	t.Helper()
	ns, mk := randomGangWorkload(seed)
	cfg := scheduler.DefaultConfig()
	cfg.Nodes, cfg.Seed, cfg.Observer = ns, seed, obs
	cfg.Horizon = 2 * scheduler.Hour
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := scheduler.NewSim(cfg, &scheduler.SliceSource{Jobs: mk()}, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run()
	if err != nil {
		t.Fatal(err)
	}
	if msg := sim.State.CheckInvariants(); msg != "" {
		t.Fatalf("seed %d %v: %s", seed, c.Variant, msg)
	}
	return res
}

// TestPropertyStrictIsGangAtomicAndNeverDeadlocks: over random contended workloads
// the Strict variant never holds, starts every gang's MinMember tasks at one
// instant, never deadlocks and drains the workload.
func TestPropertyStrictIsGangAtomicAndNeverDeadlocks(t *testing.T) {
	for _, c := range []Config{DefaultConfig(Strict), with(DefaultConfig(Strict), func(c *Config) { c.Overcommit = 1.2 }),
		with(DefaultConfig(Strict), func(c *Config) { c.Placer = scheduler.ScanFirstFit{}; c.Backtrack = 0 })} {
		for seed := uint64(1); seed <= 25; seed++ {
			a := &atomicity{starts: map[scheduler.JobID][]scheduler.Time{}, jobs: map[scheduler.JobID]*scheduler.Job{}}
			res := runRandom(t, seed, c, a)
			if a.holds != 0 {
				t.Fatalf("seed %d: strict held %d tasks", seed, a.holds)
			}
			if msg := a.check(); msg != "" {
				t.Fatalf("seed %d: %s", seed, msg)
			}
			if res.Deadlock.Terminal || res.Deadlock.Episodes != 0 || res.JobsCompleted != res.JobsSubmitted {
				t.Fatalf("seed %d: %s", seed, summary(res))
			}
		}
	}
}

// TestPropertyHoldingVariantsStartGangsAtomically: Permit, NonStrict and Hard
// placeholders hold members but start them only together.
func TestPropertyHoldingVariantsStartGangsAtomically(t *testing.T) {
	hard := DefaultConfig(Placeholder)
	hard.Style = Hard
	for _, c := range []Config{DefaultConfig(Permit), KEP4671Alpha(), interleaved(DefaultConfig(NonStrict)), hard} {
		for seed := uint64(1); seed <= 20; seed++ {
			a := &atomicity{starts: map[scheduler.JobID][]scheduler.Time{}, jobs: map[scheduler.JobID]*scheduler.Job{}}
			runRandom(t, seed, c, a)
			if msg := a.check(); msg != "" {
				t.Fatalf("%v seed %d: %s", c.Variant, seed, msg)
			}
		}
	}
}

// TestPropertyNonStrictDeadlockRate: NonStrict without a timeout deadlocks on a
// measurable share of random contended workloads, and every such run stops with a
// terminal deadlock; with a timeout, no run ends in a terminal deadlock and episodes
// are counted (runs may still livelock: gangs that time out together re-interleave).
func TestPropertyNonStrictDeadlockRate(t *testing.T) {
	const seeds = 40
	terminalRuns, episodes := 0, 0
	for seed := uint64(1); seed <= seeds; seed++ {
		res := runRandom(t, seed, interleaved(noTimeout(DefaultConfig(NonStrict))), nil)
		if res.Deadlock.Terminal {
			terminalRuns++
			if res.StopReason != "terminal deadlock" || res.Deadlock.Episodes == 0 || res.Deadlock.Gangs < 2 {
				t.Fatalf("seed %d: %s", seed, summary(res))
			}
		}
		timed := runRandom(t, seed, interleaved(with(DefaultConfig(NonStrict), func(c *Config) { c.Timeout = 60 * scheduler.Second })), nil)
		if timed.Deadlock.Terminal || timed.StopReason == "terminal deadlock" {
			t.Fatalf("seed %d with timeout: %s", seed, summary(timed))
		}
		episodes += timed.Deadlock.Episodes
	}
	t.Logf("NonStrict, no timeout: %d/%d runs end in a terminal deadlock; with 60 s: %d episodes", terminalRuns, seeds, episodes)
	if terminalRuns == 0 || terminalRuns == seeds {
		t.Fatalf("deadlock rate %d/%d: want measurable (neither 0 nor all)", terminalRuns, seeds)
	}
	if episodes == 0 {
		t.Fatal("no episodes counted with a timeout")
	}
}

// TestDeterministic: the same seed gives the same result, for every variant.
func TestDeterministic(t *testing.T) {
	for v := Strict; v < numVariants; v++ {
		c := interleaved(DefaultConfig(v))
		a, b := runRandom(t, 7, c, nil), runRandom(t, 7, c, nil)
		if a.Hash() != b.Hash() {
			t.Fatalf("%v: results differ", v)
		}
	}
}

// TestBacktrackVolcano1297: tasks of 30 and 50 CPUs, nodes with 53 and 31 free:
// greedy first fit puts 30 on the 53-CPU node and fails; backtracking finds
// 50→53, 30→31.
func TestBacktrackVolcano1297(t *testing.T) {
	st, err := scheduler.NewState([]scheduler.Node{{Capacity: scheduler.Res(53000, 1<<20, 0)}, {Capacity: scheduler.Res(31000, 1<<20, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	j := gangJob(1, 0, 2, 2, scheduler.Res(30000, 1, 0), scheduler.Second)
	j.Tasks[1].Request = scheduler.Res(50000, 1, 0)
	tasks := []*scheduler.Task{&j.Tasks[0], &j.Tasks[1]}
	for i := range j.Tasks {
		j.Tasks[i].Node = scheduler.NoNode
		j.Tasks[i].ID = scheduler.TaskID(i)
	}
	before := st.Fingerprint()
	if _, status := (&Backtrack{Placer: scheduler.ScanFirstFit{}}).PlaceGang(st, tasks, 2); status.IsOK() {
		t.Fatal("greedy first fit should fail")
	}
	claims, status := (&Backtrack{Placer: scheduler.ScanFirstFit{}, Budget: 100}).PlaceGang(st, tasks, 2)
	if !status.IsOK() || len(claims) != 2 {
		t.Fatalf("backtracking: %v %v", claims, status)
	}
	got := map[int64]scheduler.NodeID{}
	for _, c := range claims {
		got[c.Task.Request[scheduler.CPU]] = c.Node
	}
	if got[50000] != 0 || got[30000] != 1 {
		t.Fatalf("placement %v", got)
	}
	if st.Fingerprint() != before {
		t.Fatal("PlaceGang changed the state")
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Variant = numVariants },
		func(c *Config) { c.Order = numOrders },
		func(c *Config) { c.Timeout = -1 },
		func(c *Config) { c.RejectPercent = 101 },
		func(c *Config) { c.Overcommit = 0.5 },
		func(c *Config) { c.Backtrack = -1 },
		func(c *Config) { c.Period = -1 },
	}
	for i, f := range bad {
		c := DefaultConfig(Permit)
		f(&c)
		if _, err := New(c); err == nil {
			t.Errorf("case %d: want an error", i)
		}
	}
	for v := Strict; v < numVariants; v++ {
		if _, err := New(DefaultConfig(v)); err != nil {
			t.Errorf("%v: %v", v, err)
		}
		if got, err := ParseVariant(v.String()); err != nil || got != v {
			t.Errorf("ParseVariant(%q) = %v, %v", v.String(), got, err)
		}
	}
	if _, err := ParseVariant("nope"); err == nil {
		t.Error("ParseVariant accepted a bad name")
	}
	if o, err := ParseOrder("fifo"); err != nil || o != Group {
		t.Error("fifo is group order")
	}
}
