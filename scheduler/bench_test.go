package scheduler

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// benchNodes returns n nodes of 16 cores, 64 GiB.
func benchNodes(n int) []Node {
	nodes := make([]Node, n)
	for i := range nodes {
		nodes[i] = Node{Capacity: Res(16000, 65536, 0)}
	}
	return nodes
}

// fillState places random tasks until the cluster is about 60% allocated.
func fillState(b *testing.B, n int) *State {
	s, err := NewState(benchNodes(n))
	if err != nil {
		b.Fatal(err)
	}
	r := NewRand(1, "fill")
	id := TaskID(0)
	for s.Allocated()[CPU] < s.Capacity()[CPU]*6/10 {
		t := &Task{ID: id, Request: Res(int64(250+r.IntN(3000)), int64(512+r.IntN(8192)), 0), Node: NoNode}
		id++
		s.Place(t, NodeID(r.IntN(n)), 0, false)
	}
	return s
}

// BenchmarkBestFitDecision measures one best-fit placement decision (no commit) on
// a cluster about 60% full.
func BenchmarkBestFitDecision(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			s := fillState(b, n)
			r := NewRand(2, "tasks")
			tasks := make([]Task, 1024)
			for i := range tasks {
				tasks[i] = Task{Request: Res(int64(250+r.IntN(3000)), int64(512+r.IntN(8192)), 0), Node: NoNode}
			}
			var p Placer = KeyBestFit{}
			p.Place(s, &tasks[0]) // build the index outside the timer
			b.ReportAllocs()
			b.ResetTimer()
			placed := 0
			for i := 0; i < b.N; i++ {
				if id, _, st := p.Place(s, &tasks[i&1023]); st.IsOK() && id != NoNode {
					placed++
				}
			}
			b.StopTimer()
			if placed != b.N {
				b.Fatalf("only %d of %d decisions found a node", placed, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

// BenchmarkCommitRollback measures a 10-claim all-or-nothing commit that is then
// rolled back, and an incremental commit of 10 claims released again.
func BenchmarkCommitRollback(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			s := fillState(b, n)
			s.AscendFree(CPU, 0, func(NodeID, int64) bool { return false })
			r := NewRand(3, "claims")
			tasks := make([]Task, 10)
			plan := &Plan{Claims: make([]Claim, 10)}
			for i := range tasks {
				tasks[i] = Task{ID: TaskID(1e9 + i), Request: Res(100, 100, 0), Node: NoNode}
			}
			var roomy []NodeID
			for id := 0; id < n; id++ {
				if Res(1000, 1000, 0).LessEq(s.Free(NodeID(id))) {
					roomy = append(roomy, NodeID(id))
				}
			}
			before := s.Fingerprint()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				base := r.IntN(len(roomy) - 10)
				for k := range plan.Claims {
					id := roomy[base+k]
					plan.Claims[k] = Claim{Task: &tasks[k], Node: id, Seq: s.Seq(id)}
				}
				tx := s.Begin()
				res := s.Commit(plan, DetectSeq, true)
				if res.Committed != 10 {
					b.Fatalf("commit: %+v", res)
				}
				tx.Rollback()
			}
			b.StopTimer()
			if s.Fingerprint() != before {
				b.Fatal("rollback did not restore the state")
			}
			b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "claims/s")
		})
	}
}

// genSource streams jobs of 1–10 tasks with Poisson arrivals and exponential
// runtimes (mean 300 s), sized to keep a cluster of 16-core nodes about 70% busy.
type genSource struct {
	r          *rand.Rand
	tasksLeft  int
	now        float64
	rate       float64 // jobs per second
	id         JobID
	liveTarget int
}

func newGenSource(seed uint64, nodes, tasks int) *genSource {
	return newLoadSource(seed, nodes, tasks, 0.7)
}

// newLoadSource offers load × the cluster's CPU capacity.
func newLoadSource(seed uint64, nodes, tasks int, load float64) *genSource {
	// Mean request 1.6 cores → 10 tasks per 16-core node at 100%.
	live := float64(nodes) * 10 * load
	taskRate := live / 300
	return &genSource{r: NewRand(seed, "gen"), tasksLeft: tasks, rate: taskRate / 5.5}
}

func (g *genSource) Next() (*Job, error) {
	if g.tasksLeft <= 0 {
		return nil, io.EOF
	}
	g.now += g.r.ExpFloat64() / g.rate
	n := min(1+g.r.IntN(10), g.tasksLeft)
	g.tasksLeft -= n
	g.id++
	j := &Job{ID: g.id, Submit: Seconds(g.now), Tasks: make([]Task, n)}
	req := Res(int64(200+g.r.IntN(2800)), int64(256+g.r.IntN(6000)), 0)
	for i := range j.Tasks {
		j.Tasks[i] = Task{Index: int32(i), Request: req, Runtime: Seconds(1 + g.r.ExpFloat64()*300)}
	}
	return j, nil
}

// BenchmarkMonolithicEndToEnd runs a whole synthetic workload under the monolithic
// scheduler with best fit and reports tasks and events per wall second and the heap
// bytes per live task at the end of the arrivals.
func BenchmarkMonolithicEndToEnd(b *testing.B) {
	for _, size := range []struct {
		nodes, tasks int
		load         float64
	}{{1000, 100000, 0.7}, {10000, 1000000, 0.7}, {1000, 50000, 1.2}, {10000, 1000000, 1.2}} {
		b.Run(fmt.Sprintf("nodes=%d/tasks=%d/load=%.1f", size.nodes, size.tasks, size.load), func(b *testing.B) {
			b.ReportAllocs()
			var events, placed int64
			for i := 0; i < b.N; i++ {
				cfg := DefaultConfig()
				cfg.Nodes = benchNodes(size.nodes)
				m, _ := NewMonolithic(MonolithicConfig{})
				res, err := Run(cfg, newLoadSource(uint64(i), size.nodes, size.tasks, size.load), m)
				if err != nil {
					b.Fatal(err)
				}
				if res.TasksCompleted != size.tasks {
					b.Fatalf("completed %d of %d tasks (%+v)", res.TasksCompleted, size.tasks, res)
				}
				events += res.Events
				placed += res.Placements
				if i == 0 {
					b.ReportMetric(res.Utilization.CPU, "util")
					b.ReportMetric(res.JobWait.P99, "wait-p99-s")
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(placed)/sec, "tasks/s")
			b.ReportMetric(float64(events)/sec, "events/s")
		})
	}
}

// BenchmarkMemoryPerLiveTask measures heap bytes per live task: it runs until the
// cluster is loaded, then divides the live heap (after GC, less the empty cluster's) by the number of pending and running tasks (bytes/live-task), and by the
// number of tasks of jobs not yet done (bytes/live-job-task: a job's tasks are held
// in one slice until its last task ends, so completed siblings of a running task
// still occupy memory).
func BenchmarkMemoryPerLiveTask(b *testing.B) {
	const nodes = 10000
	for i := 0; i < b.N; i++ {
		cfg := DefaultConfig()
		cfg.Nodes = benchNodes(nodes)
		cfg.Horizon = 1200 * Second
		m, _ := NewMonolithic(MonolithicConfig{})
		sim, err := NewSim(cfg, newGenSource(1, nodes, math.MaxInt32), m)
		if err != nil {
			b.Fatal(err)
		}
		if err := sim.start(); err != nil {
			b.Fatal(err)
		}
		sim.State.AscendFree(CPU, 0, func(NodeID, int64) bool { return false })
		runtime.GC()
		var ms0 runtime.MemStats
		runtime.ReadMemStats(&ms0) // the empty cluster and its index are not per task
		for sim.now < 1200*Second && sim.Step() {
		}
		runtime.GC()
		var ms1 runtime.MemStats
		runtime.ReadMemStats(&ms1)
		live := sim.rec.running + sim.rec.pending
		if live < nodes {
			b.Fatalf("only %d live tasks", live)
		}
		heap := float64(ms1.HeapAlloc - ms0.HeapAlloc)
		b.ReportMetric(heap/float64(live), "bytes/live-task")
		b.ReportMetric(heap/float64(sim.rec.liveJobTasks), "bytes/live-job-task")
		b.ReportMetric(float64(live), "live-tasks")
		runtime.KeepAlive(sim)
	}
}
