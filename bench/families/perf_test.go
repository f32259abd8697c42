package families

import (
	"fmt"
	"testing"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// BenchmarkPerf measures placement decisions and events per wall second of whole
// runs (the perf scenario's cells) on both loads at 1k, 10k and 100k nodes: every
// registered placer under the monolithic scheduler, and every registered
// scheduler with bestfit. ns/decision is wall time per placement. Select with
// -bench, e.g.
//
//	go test ./bench/families -run '^$' -bench 'Perf/load=loaded/sched=monolithic/placer=bestfit/' -benchtime 1x -count 5 | tee new.txt
//	benchstat old.txt new.txt
func BenchmarkPerf(b *testing.B) {
	sizes := []int{1000, 10000, 100000}
	type combo struct{ sched, placer string }
	var combos []combo
	for _, p := range testRegistry.Placers() {
		combos = append(combos, combo{"monolithic", p.Name})
	}
	for _, s := range testRegistry.Schedulers() {
		if s.Name != "monolithic" {
			combos = append(combos, combo{s.Name, "bestfit"})
		}
	}
	for _, load := range []string{PerfLoaded, PerfEmpty} {
		for _, c := range combos {
			for _, n := range sizes {
				benchPerf(b, PerfSpec{Scheduler: c.sched, Placer: c.placer, Nodes: n, Load: load, Seed: 1})
			}
		}
	}
}

func benchPerf(b *testing.B, ps PerfSpec) {
	b.Run(fmt.Sprintf("load=%s/sched=%s/placer=%s/nodes=%d", ps.Load, ps.Scheduler, ps.Placer, ps.Nodes), func(b *testing.B) {
		spec := ps.RunSpec()
		var placements, events int64
		var util float64
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := testRegistry.Run(spec)
			if err != nil {
				b.Fatal(err)
			}
			if res.TasksSubmitted == 0 || res.Placements == 0 {
				b.Fatalf("run placed nothing: %+v", res)
			}
			placements += res.Placements
			events += res.Events
			util = res.Utilization.CPU
		}
		s := b.Elapsed().Seconds()
		b.ReportMetric(float64(placements)/s, "decisions/s")
		b.ReportMetric(float64(events)/s, "events/s")
		b.ReportMetric(1e9*s/float64(placements), "ns/decision")
		b.ReportMetric(float64(placements)/float64(b.N), "placements/op")
		b.ReportMetric(100*util, "cpu-util-%")
	})
}

func TestPerfAndCompactionScenariosTiny(t *testing.T) {
	d := t.TempDir()
	o, err := bench.Execute(testRegistry, bench.Plan{Scenario: "perf:nodes=20|40,placers=bestfit|firstfit,jobs_per_node=0.5"}, d, bench.Options{Parallel: 4})
	if err != nil || o.Cells != 4 || o.Failed != 0 {
		t.Fatalf("perf: %+v %v", o, err)
	}
	for _, f := range []string{"perf.md", "plots/perf_decisions.png", "plots/perf_events.svg"} {
		if _, err := readNonEmpty(d, f); err != nil {
			t.Error(err)
		}
	}
	d = t.TempDir()
	o, err = bench.Execute(testRegistry, bench.Plan{Scenario: "compaction:workload=tiny:jobs=30,cluster=nodes=6;cpu=4000;mem=8192+nodes=6;cpu=2000;mem=4096,placers=bestfit|firstfit|nosuch", Seeds: 3}, d, bench.Options{})
	if err != nil || o.Cells != 6 || o.Failed != 0 {
		t.Fatalf("compaction: %+v %v", o, err)
	}
	md, err := readNonEmpty(d, "compaction.md")
	if err != nil {
		t.Fatal(err)
	}
	if !contains(md, "| bestfit | 3 |") || !contains(md, "| firstfit | 3 |") {
		t.Errorf("compaction.md:\n%s", md)
	}
}

// TestCompactFindsTheSmallestFittingPrefix checks the binary search against a
// linear scan on a tiny case.
func TestCompactFindsTheSmallestFittingPrefix(t *testing.T) {
	spec := CompactionSpec{Scheduler: "monolithic", Placer: "bestfit", Workload: "tiny:jobs=12",
		Cluster: "nodes=5,cpu=4000,mem=8192+nodes=5,cpu=1500,mem=4096", WorkloadSeed: 1, OrderSeed: 4}
	res, err := Compact(testRegistry, spec)
	if err != nil {
		t.Fatal(err)
	}
	k := int(res.Extra["compaction.machines"])
	want := int(res.Extra["compaction.tasks_placed"])
	all, _ := bench.ParseCluster(spec.Cluster)
	// linear scan with the same order
	order := append([]scheduler.Node(nil), all...)
	shuffleLike(order, spec.OrderSeed)
	smallest := 0
	for n := 1; n <= len(order); n++ {
		ns := append([]scheduler.Node(nil), order[:n]...)
		for i := range ns {
			ns[i].ID = scheduler.NodeID(i)
		}
		r, err := placeSnapshot(testRegistry, spec, ns)
		if err != nil {
			t.Fatal(err)
		}
		if r.TasksRunning >= want {
			smallest = n
			break
		}
	}
	if k != smallest || k < 1 || k > 10 {
		t.Fatalf("binary search found %d machines, linear scan %d", k, smallest)
	}
	if res.TasksRunning != want {
		t.Fatalf("result at %d machines placed %d of %d", k, res.TasksRunning, want)
	}
}
