package scheduler

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// holder is a test scheduler: it holds the tasks named in plan on their nodes as
// they arrive (a "hoarding" policy under the test's control), starts the tasks named
// in start, and leaves the rest pending. At check time it calls CheckDeadlock. With
// release set, it unholds every held task of the gang named there at releaseAt.
type holder struct {
	sim       *Sim
	plan      map[[2]int]NodeID // {job, index} → node to hold on
	start     map[[2]int]NodeID // {job, index} → node to start on
	checkAt   []Time
	reports   []DeadlockReport
	release   JobID
	releaseAt Time
	breaker   bool
}

func (h *holder) Attach(s *Sim) error {
	h.sim = s
	for _, at := range h.checkAt {
		s.At(at, func() { h.reports = append(h.reports, s.CheckDeadlock()) })
	}
	if h.releaseAt > 0 {
		s.At(h.releaseAt, func() {
			j := s.dl.cand[h.release]
			if j == nil {
				return
			}
			for i := range j.Tasks {
				s.Unhold(&j.Tasks[i], "timeout")
			}
		})
	}
	return nil
}

func (h *holder) Enqueue(tasks []*Task) {
	for _, t := range tasks {
		k := [2]int{int(t.Job.ID), int(t.Index)}
		if id, ok := h.plan[k]; ok {
			if st := h.sim.Hold(t, id, 0); !st.IsOK() {
				panic(fmt.Sprintf("test plan: hold %v on %d: %v", t, id, st))
			}
		} else if id, ok := h.start[k]; ok {
			if st := h.sim.Start(t, id, 0); !st.IsOK() {
				panic(fmt.Sprintf("test plan: start %v on %d: %v", t, id, st))
			}
		}
	}
}

func (h *holder) Released(NodeID) {}

// CanRelease implements DeadlockBreaker when breaker is set.
func (h *holder) CanRelease(j *Job) bool { return h.breaker && j.ID == h.release }

func slotNodes(n int) []Node {
	nodes := make([]Node, n)
	for i := range nodes {
		nodes[i] = Node{Capacity: Res(1000, 1024, 0)}
	}
	return nodes
}

func gang(id, n, min int, runtime Time) *Job {
	j := job(id, 0, n, Res(1000, 1024, 0), runtime)
	j.MinMember = int32(min)
	return j
}

// TestDeadlockTwoGangs is kube-batch#158 in its smallest form: 4 one-slot nodes,
// two gangs of 3, each holding 2. Neither can start; the run stops at the check.
func TestDeadlockTwoGangs(t *testing.T) {
	h := &holder{plan: map[[2]int]NodeID{{1, 0}: 0, {1, 1}: 1, {2, 0}: 2, {2, 1}: 3}, checkAt: []Time{Second}}
	cfg := DefaultConfig()
	cfg.Nodes = slotNodes(4)
	res, err := Run(cfg, &SliceSource{Jobs: []*Job{gang(1, 3, 3, 10*Second), gang(2, 3, 3, 10*Second)}}, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.reports) != 1 {
		t.Fatalf("reports %d", len(h.reports))
	}
	r := h.reports[0]
	if !slices.Equal(r.Cycle, []JobID{1, 2}) || !r.Terminal || len(r.Edges) != 2 {
		t.Fatalf("report %+v", r)
	}
	d := res.Deadlock
	if !d.Terminal || d.Episodes != 1 || d.Gangs != 2 || d.FirstSeconds != 1 || res.StopReason != "terminal deadlock" {
		t.Fatalf("result %+v stop %q", d, res.StopReason)
	}
	// Held inside the episode: nothing, since the run stopped when it began.
	if d.HeldResourceSeconds != 0 {
		t.Fatalf("held %v", d.HeldResourceSeconds)
	}
}

// TestDeadlockEpisodeEndsOnRelease: the same two gangs, but the scheduler says it
// will release gang 2 (a timeout at 11 s). The episode is not terminal; it ends
// when gang 2 unholds, and the held resource-seconds are exact.
func TestDeadlockEpisodeEndsOnRelease(t *testing.T) {
	h := &holder{plan: map[[2]int]NodeID{{1, 0}: 0, {1, 1}: 1, {2, 0}: 2, {2, 1}: 3},
		checkAt: []Time{Second}, release: 2, releaseAt: 11 * Second, breaker: true}
	cfg := DefaultConfig()
	cfg.Nodes = slotNodes(4)
	cfg.Horizon = 20 * Second
	sim, err := NewSim(cfg, &SliceSource{Jobs: []*Job{gang(1, 3, 3, 10*Second), gang(2, 3, 3, 10*Second)}}, h)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run()
	if err != nil {
		t.Fatal(err)
	}
	d := res.Deadlock
	if d.Terminal || d.Episodes != 1 || d.Gangs != 2 || d.FirstSeconds != 1 {
		t.Fatalf("result %+v", d)
	}
	if sim.DeadlockActive() {
		t.Fatal("episode still active after the release")
	}
	// 4 of 4 slots held for 10 s: dominant share 1 × 10 s; 4000 milli-CPU × 10 s.
	if d.HeldResourceSeconds != 10 || d.HeldByResource.CPU != 40000 {
		t.Fatalf("held %v %+v", d.HeldResourceSeconds, d.HeldByResource)
	}
}

// TestNoDeadlockWhenRunningTasksWillRelease: gang 1 holds 2 slots and needs 1 more;
// a finite running task occupies the last slot. Its release will let gang 1 finish,
// so there is no cycle even though gang 2 also holds.
func TestNoDeadlockWhenRunningTasksWillRelease(t *testing.T) {
	h := &holder{plan: map[[2]int]NodeID{{1, 0}: 0, {1, 1}: 1, {2, 0}: 2},
		start: map[[2]int]NodeID{{3, 0}: 3}, checkAt: []Time{Second}}
	cfg := DefaultConfig()
	cfg.Nodes = slotNodes(4)
	cfg.Horizon = 5 * Second
	plain := job(3, 0, 1, Res(1000, 1024, 0), 100*Second)
	res, err := Run(cfg, &SliceSource{Jobs: []*Job{gang(1, 3, 3, Second), gang(2, 2, 2, Second), plain}}, h)
	if err != nil {
		t.Fatal(err)
	}
	r := h.reports[0]
	if r.Deadlocked() || len(r.Partial) != 2 || res.Deadlock.Episodes != 0 || res.Deadlock.FirstSeconds != -1 {
		t.Fatalf("report %+v result %+v", r, res.Deadlock)
	}
}

// TestDeadlockQuota: Koordinator NonStrict 3/3/4 under a quota of 10 slots on a
// large cluster: the tenant quota, not the nodes, closes the cycle.
func TestDeadlockQuota(t *testing.T) {
	plan := map[[2]int]NodeID{}
	held := []int{3, 3, 4}
	node := NodeID(0)
	for g, n := range held {
		for i := 0; i < n; i++ {
			plan[[2]int{g + 1, i}] = node
			node++
		}
	}
	h := &holder{plan: plan, checkAt: []Time{Second}}
	cfg := DefaultConfig()
	cfg.Nodes = slotNodes(20)
	cfg.Quotas = map[string]Resources{"": Res(10000, 10240, 0)}
	res, err := Run(cfg, &SliceSource{Jobs: []*Job{gang(1, 5, 5, Second), gang(2, 5, 5, Second), gang(3, 5, 5, Second)}}, h)
	if err != nil {
		t.Fatal(err)
	}
	r := h.reports[0]
	if !slices.Equal(r.Cycle, []JobID{1, 2, 3}) || !res.Deadlock.Terminal {
		t.Fatalf("report %+v result %+v", r, res.Deadlock)
	}
}

// TestDeadlockCheckLeavesStateUnchanged: the check runs inside a rolled-back
// transaction; the state's fingerprint (sequence numbers, task sets) is unchanged.
func TestDeadlockCheckLeavesStateUnchanged(t *testing.T) {
	h := &holder{plan: map[[2]int]NodeID{{1, 0}: 0, {2, 0}: 1}, start: map[[2]int]NodeID{{3, 0}: 2, {3, 1}: 2}}
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Capacity: Res(4000, 4096, 0)}, {Capacity: Res(4000, 4096, 0)}, {Capacity: Res(4000, 4096, 0)}}
	plain := job(3, 0, 2, Res(1000, 1024, 0), 100*Second)
	sim, err := NewSim(cfg, &SliceSource{Jobs: []*Job{gang(1, 8, 8, Second), gang(2, 8, 8, Second), plain}}, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		sim.Step()
	}
	var order []TaskID
	sim.State.Tasks(2, func(t *Task) bool { order = append(order, t.ID); return true })
	before := sim.State.Fingerprint()
	rep := sim.CheckDeadlock()
	if got := sim.State.Fingerprint(); got != before {
		t.Fatalf("state changed:\n%s\n%s", before, got)
	}
	var after []TaskID
	sim.State.Tasks(2, func(t *Task) bool { after = append(after, t.ID); return true })
	if !slices.Equal(order, after) {
		t.Fatalf("task order %v → %v", order, after)
	}
	if msg := sim.State.CheckInvariants(); msg != "" {
		t.Fatal(msg)
	}
	// 12 one-CPU slots: each gang holds 1 and needs 7 more; the plain job's 2 will
	// be released, so 10 are available: gang 1 can complete, then gang 2 (Holt's
	// reduction), hence no deadlock although neither fits right now.
	if rep.Deadlocked() {
		t.Fatalf("report %+v", rep)
	}
}

// TestPropertyDeadlockDetectorFindsConstructedRings builds, for many seeds, rings
// of k gangs over one-slot nodes where every slot is held and gang i's remaining
// need fits exactly in gang i+1's holdings, plus running tasks that never end. The
// detector must report every gang on the cycle, and none once the holdings of any
// one gang are replaced by free capacity that covers every other gang's need.
func TestPropertyDeadlockDetectorFindsConstructedRings(t *testing.T) {
	const seed = 20261127
	r := rand.New(rand.NewPCG(seed, 1))
	for iter := 0; iter < 200; iter++ {
		k := 2 + r.IntN(4)
		hold := make([]int, k)
		for i := range hold {
			hold[i] = 1 + r.IntN(4)
		}
		// need_i in 1..hold_{i+1}
		need := make([]int, k)
		for i := range need {
			need[i] = 1 + r.IntN(hold[(i+1)%k])
		}
		forever := r.IntN(3)
		total := forever
		for _, h := range hold {
			total += h
		}
		plan := map[[2]int]NodeID{}
		node := NodeID(0)
		var jobs []*Job
		for g := 0; g < k; g++ {
			jobs = append(jobs, gang(g+1, hold[g]+need[g], hold[g]+need[g], Second))
			for i := 0; i < hold[g]; i++ {
				plan[[2]int{g + 1, i}] = node
				node++
			}
		}
		start := map[[2]int]NodeID{}
		if forever > 0 {
			jobs = append(jobs, job(k+1, 0, forever, Res(1000, 1024, 0), -1))
			for i := 0; i < forever; i++ {
				start[[2]int{k + 1, i}] = node
				node++
			}
		}
		h := &holder{plan: plan, start: start, checkAt: []Time{Second}}
		cfg := DefaultConfig()
		cfg.Nodes = slotNodes(total)
		res, err := Run(cfg, &SliceSource{Jobs: jobs}, h)
		if err != nil {
			t.Fatal(err)
		}
		rep := h.reports[0]
		if len(rep.Cycle) != k || !res.Deadlock.Terminal || res.Deadlock.Gangs != k {
			t.Fatalf("seed %d iter %d: hold %v need %v forever %d: report %+v result %+v", seed, iter, hold, need, forever, rep, res.Deadlock)
		}

		// Negative: the same gangs with enough spare nodes for the largest need: no
		// cycle (everything can complete in turn).
		spare := slices.Max(need)
		h2 := &holder{plan: plan, start: start, checkAt: []Time{Second}}
		cfg.Nodes = slotNodes(total + spare)
		cfg.Horizon = 2 * Second
		for _, j := range jobs {
			resetJob(j)
		}
		res2, err := Run(cfg, &SliceSource{Jobs: jobs}, h2)
		if err != nil {
			t.Fatal(err)
		}
		if h2.reports[0].Deadlocked() || res2.Deadlock.Episodes != 0 {
			t.Fatalf("seed %d iter %d: spare %d: false deadlock %+v", seed, iter, spare, h2.reports[0])
		}
	}
}

// resetJob returns a job to its unsubmitted state so a test can run it again.
func resetJob(j *Job) {
	for i := range j.Tasks {
		t := &j.Tasks[i]
		*t = Task{Index: t.Index, Request: t.Request, Runtime: t.Runtime, Priority: 0}
	}
	*j = Job{ID: j.ID, Submit: j.Submit, MinMember: j.MinMember, Tasks: j.Tasks}
}

// TestPropertyNoDeadlockWithoutPartialGangs: runs where gangs only ever start
// whole (the monolithic scheduler's strict placement) never report a deadlock, and
// CheckDeadlock called after every event finds no partial gang.
func TestPropertyNoDeadlockWithoutPartialGangs(t *testing.T) {
	const seed = 7
	r := rand.New(rand.NewPCG(seed, 2))
	for iter := 0; iter < 30; iter++ {
		nodes := slotNodes(4 + r.IntN(8))
		var jobs []*Job
		for i := 0; i < 20; i++ {
			n := 1 + r.IntN(6)
			j := job(i+1, Time(r.IntN(30))*Second, n, Res(1000, 1024, 0), Time(1+r.IntN(20))*Second)
			if r.IntN(2) == 0 {
				j.MinMember = int32(1 + r.IntN(n))
			}
			jobs = append(jobs, j)
		}
		slices.SortStableFunc(jobs, func(a, b *Job) int { return int(a.Submit - b.Submit) })
		m, err := NewMonolithic(MonolithicConfig{})
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Nodes = nodes
		sim, err := NewSim(cfg, &SliceSource{Jobs: jobs}, m)
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.start(); err != nil {
			t.Fatal(err)
		}
		for sim.Step() {
			if rep := sim.CheckDeadlock(); len(rep.Partial) != 0 || rep.Deadlocked() {
				t.Fatalf("seed %d iter %d: %+v", seed, iter, rep)
			}
		}
		res := sim.finish()
		if res.Deadlock.Episodes != 0 || res.Deadlock.Terminal || res.Deadlock.FirstSeconds != -1 {
			t.Fatalf("seed %d iter %d: %+v", seed, iter, res.Deadlock)
		}
	}
}

// BenchmarkCheckDeadlock measures one uncached wait-for graph evaluation: a
// cluster of n 8-slot nodes, three quarters of the slots running finite tasks, and
// k partial gangs holding the rest, each needing everything the running tasks will
// release plus another gang's holdings (a deadlock by construction, and the worst
// case: every fit check places that many tasks).
func BenchmarkCheckDeadlock(b *testing.B) {
	for _, n := range []int{100, 1000} {
		for _, k := range []int{2, 8} {
			b.Run(fmt.Sprintf("nodes=%d/gangs=%d", n, k), func(b *testing.B) {
				nodes := make([]Node, n)
				for i := range nodes {
					nodes[i] = Node{Capacity: Res(8000, 8192, 0)}
				}
				slots := n * 8
				running := slots * 3 / 4
				heldPer := (slots - running) / k
				plan, start := map[[2]int]NodeID{}, map[[2]int]NodeID{}
				var jobs []*Job
				slot := 0
				next := func() NodeID { id := NodeID(slot / 8); slot++; return id }
				bg := job(k+1, 0, running, Res(1000, 1024, 0), Hour)
				for g := 0; g < k; g++ {
					size := 2*heldPer + running
					jobs = append(jobs, gang(g+1, size, size, Second))
					for i := 0; i < heldPer; i++ {
						plan[[2]int{g + 1, i}] = next()
					}
				}
				for i := 0; i < running; i++ {
					start[[2]int{k + 1, i}] = next()
				}
				jobs = append(jobs, bg)
				h := &holder{plan: plan, start: start}
				cfg := DefaultConfig()
				cfg.Nodes = nodes
				sim, err := NewSim(cfg, &SliceSource{Jobs: jobs}, h)
				if err != nil {
					b.Fatal(err)
				}
				if err := sim.start(); err != nil {
					b.Fatal(err)
				}
				for i := 0; i <= k; i++ {
					sim.Step()
				}
				if rep := sim.evalDeadlock(); len(rep.Partial) != k || len(rep.Cycle) != k {
					b.Fatalf("setup: %+v", rep)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					sim.dl.cacheOK = false
					sim.evalDeadlock()
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/check")
			})
		}
	}
}
