package families

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/schedlab/schedlab/bench"
)

// runMesosScenario executes a scenario into a temporary (or $MESOS_BENCH_OUT)
// directory and returns the directory.
func runMesosScenario(t *testing.T, spec string, seeds int) string {
	t.Helper()
	dir := t.TempDir()
	if d := os.Getenv("MESOS_BENCH_OUT"); d != "" {
		dir = filepath.Join(d, filepath.Base(t.Name()))
		_ = os.RemoveAll(dir)
	}
	start := time.Now()
	out, err := bench.Execute(testRegistry, bench.Plan{Scenario: spec, Seeds: seeds}, dir, bench.Options{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %+v in %v", spec, out, time.Since(start))
	return dir
}

// TestMesosScenarioFull runs a scenario at its default scale when
// MESOS_SCENARIO names it (for producing the bench results; minutes of wall time).
func TestMesosScenarioFull(t *testing.T) {
	name := os.Getenv("MESOS_SCENARIO")
	if name == "" {
		t.Skip("set MESOS_SCENARIO=mesos-decision-time (and MESOS_BENCH_OUT=dir) to run a Mesos scenario at full scale")
	}
	runMesosScenario(t, name, 0)
}

// TestMesosScenariosSmall runs the three Mesos scenarios at a small scale and
// checks that each report is written and shows its mechanism.
func TestMesosScenariosSmall(t *testing.T) {
	t.Run("starvation", func(t *testing.T) {
		cells, err := mesosStarvationCells(testRegistry, bench.NewParams("test", map[string]string{"small": "4+6", "refuse": "5s+120s", "horizon": "5m"}), 1)
		if err != nil {
			t.Fatal(err)
		}
		results, errs := bench.RunCells(cells, 2, nil)
		starved := map[string]float64{}
		for i, c := range cells {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			starved[c.Key()] = mesosMetricBigStarved.Get(results[i])
		}
		// MESOS-6111: with 5 s filters, 6 small frameworks starve the big one; 4 do not; 120 s filters never do.
		if starved["refuse=5s,small=6"] < 50 || starved["refuse=5s,small=4"] != 0 || starved["refuse=120s,small=6"] != 0 {
			t.Errorf("starvation pattern not reproduced: %v", starved)
		}
		dir := t.TempDir()
		if err := mesosStarvationReport(dir, nil, cells, results); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"mesos_offer_starvation.md", "mesos_starvation.png", "mesos_starvation.svg"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("hoarding", func(t *testing.T) {
		cells, err := mesosHoardingCells(testRegistry, bench.NewParams("test", map[string]string{"timeouts": "forever+60s", "backoffs": "exp",
			"baselines": "monolithic+no-such-scheduler", "horizon": "10m"}), 3)
		if err != nil {
			t.Fatal(err)
		}
		results, errs := bench.RunCells(cells, 2, nil)
		var terminalForever, terminalTimeout, terminalBase int
		for i, c := range cells {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			term := 0
			if results[i].Deadlock.Terminal {
				term = 1
			}
			switch c.Labels[0].Value + "/" + c.Labels[1].Value {
			case "mesos/forever":
				terminalForever += term
			case "mesos/60s":
				terminalTimeout += term
			default:
				terminalBase += term
			}
		}
		if terminalForever == 0 || terminalTimeout != 0 || terminalBase != 0 {
			t.Errorf("terminal deadlocks: forever %d/3 (want > 0), 60s %d (want 0), baseline %d (want 0)", terminalForever, terminalTimeout, terminalBase)
		}
		if err := mesosHoardingReport(t.TempDir(), nil, cells, results); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("decision-time", func(t *testing.T) {
		cells, err := mesosDecisionCells(testRegistry, bench.NewParams("test", map[string]string{"t_job": "0.1+100", "machines": "100", "horizon": "30m"}), 1)
		if err != nil {
			t.Fatal(err)
		}
		results, errs := bench.RunCells(cells, 2, nil)
		for i := range cells {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
		}
		if lo, hi := metricMesosLocked.Get(results[0]), metricMesosLocked.Get(results[1]); !(hi > 5*lo) {
			t.Errorf("locked fraction should rise with the service decision time: %.3f%% at 0.1 s, %.3f%% at 100 s", lo, hi)
		}
		if err := mesosDecisionReport(t.TempDir(), nil, cells, results); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMesosSchedulerParams(t *testing.T) {
	s, err := testRegistry.NewScheduler("mesos:batch=2,service=1,gang=1,hold_timeout=60s,release=partial,scope=fair,refuse=0", "firstfit")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(interface{ Frameworks() []string }); !ok {
		t.Fatalf("mesos scheduler has unexpected type %T", s)
	}
	got := s.(interface{ Frameworks() []string }).Frameworks()
	want := "[prefill batch batch-2 service gang]"
	if fmt.Sprint(got) != want {
		t.Errorf("frameworks %v, want %s", got, want)
	}
	// The simulator's framework model reaches every framework but the prefill one.
	_, p, err := bench.ParseSpec("scheduler", "mesos:request=true,concurrent=true,requeue_tail=true")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := MesosConfig(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cfg.Frameworks {
		on := f.Name != "prefill"
		if f.Request != on || f.Concurrent != on || f.RequeueTail != on {
			t.Errorf("framework %s: request %v concurrent %v requeue_tail %v, want %v", f.Name, f.Request, f.Concurrent, f.RequeueTail, on)
		}
	}
	if _, err := testRegistry.NewScheduler("mesos:request=true,concurrent=true,requeue_tail=true,refuse=0", "firstfit"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"mesos:request=maybe", "mesos:scope=half", "mesos:release=some", "mesos:batch=0,service=0,gang=0,prefill=false", "mesos:nope=1", "mesos:t_job=-1s"} {
		if _, err := testRegistry.NewScheduler(bad, "firstfit"); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

// BenchmarkMesosWorkload measures whole mesos runs (bestfit placer) on the
// alibaba-gpu workload (10 jobs per node) and on gang-ml (2 jobs per node, on
// 8-GPU nodes, arrivals scaled with the cell) at 100 and 1,000 nodes, and reports
// simulation events and placements per wall second. Select with -bench, e.g.
//
//	go test ./bench/families -run '^$' -bench MesosWorkload -benchtime 1x
func BenchmarkMesosWorkload(b *testing.B) {
	type wl struct{ name, workload, cluster string }
	for _, n := range []int{100, 1000} {
		for _, w := range []wl{
			{"alibaba-gpu", fmt.Sprintf("alibaba-gpu:nodes=%d,jobs=%d", n, 10*n), "auto"},
			{"gang-ml", fmt.Sprintf("gang-ml:jobs=%d,arrival_scale=%g", 2*n, float64(n)/100), fmt.Sprintf("nodes=%d,cpu=96000,mem=786432,gpu=8", n)},
		} {
			b.Run(fmt.Sprintf("workload=%s/nodes=%d", w.name, n), func(b *testing.B) {
				spec := bench.RunSpec{Scheduler: "mesos", Placer: "bestfit", Workload: w.workload, Cluster: w.cluster, Seed: 1}
				var events, placements int64
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					res, err := testRegistry.Run(spec)
					if err != nil {
						b.Fatal(err)
					}
					if res.JobsCompleted == 0 || res.JobsSubmitted == 0 {
						b.Fatalf("run did not succeed: %d/%d jobs completed", res.JobsCompleted, res.JobsSubmitted)
					}
					events += res.Events
					placements += res.Placements
				}
				s := b.Elapsed().Seconds()
				b.ReportMetric(float64(events)/s, "events/s")
				b.ReportMetric(float64(placements)/s, "placements/s")
			})
		}
	}
}
