package families

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/omega"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

func TestOmegaPrefillTenantsAgree(t *testing.T) {
	if workload.OmegaPrefillTenant != omega.DefaultPrefillTenant {
		t.Fatalf("workload.OmegaPrefillTenant %q != omega.DefaultPrefillTenant %q", workload.OmegaPrefillTenant, omega.DefaultPrefillTenant)
	}
}

func TestOmegaRegistrationsParseAndReject(t *testing.T) {
	for _, spec := range []string{
		"omega", "omega:batch=3,service=0,conflict=seq,transaction=all-or-nothing,t_job_service=10s,t_task_batch=1ms,retry=2s,max_attempts=50,max_attempts_nothing=5,placer=given",
		"monolithic-single-path:t_job=1s,t_task=5ms", "monolithic-fast-path:t_job_service=10s",
	} {
		if _, err := testRegistry.NewScheduler(spec, "firstfit"); err != nil {
			t.Errorf("%s: %v", spec, err)
		}
	}
	for _, bad := range []string{"omega:conflict=maybe", "omega:batch=0,service=0", "omega:tjob=1s", "omega:seq_releases=true", "omega:spread=sideways", "monolithic-single-path:t_job=-1", "omega:retry=0s"} {
		if _, err := testRegistry.NewScheduler(bad, "firstfit"); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if _, err := testRegistry.NewWorkload("omega:machines=10,lambda_batch=2,gang=0.5,horizon=1h", 1); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"omega:prefill=2", "omega:machines=0", "omega:batch_cpu=9000", "omega:lambda=2"} {
		if _, err := testRegistry.NewWorkload(bad, 1); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestOmegaRunEndToEnd runs the omega scheduler on the omega workload through the
// registry on a small cell and checks that the metrics are filled and consistent.
func TestOmegaRunEndToEnd(t *testing.T) {
	res, err := testRegistry.Run(bench.RunSpec{Scheduler: "omega:batch=2,t_job_service=2s", Placer: OmegaPlacer,
		Workload: "omega:machines=300,horizon=20m,lambda_batch=0.5", Seed: 3, Horizon: 20 * scheduler.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts.Transactions == 0 || res.Extra["batch.schedulers"] != 2 || res.Extra["service.wait_attempt.n"] == 0 {
		t.Fatalf("metrics missing: conflicts %+v extra %v", res.Conflicts, res.Extra)
	}
	if res.Utilization.CPU < 0.55 {
		t.Errorf("cpu utilization %.3f: the 60%% prefill did not happen", res.Utilization.CPU)
	}
	sum := res.Extra["omega.batch-0.transactions"] + res.Extra["omega.batch-1.transactions"] + res.Extra["omega.service-0.transactions"]
	if int(sum) != res.Conflicts.Transactions {
		t.Errorf("per-scheduler transactions sum to %v, total %d", sum, res.Conflicts.Transactions)
	}
	again, err := testRegistry.Run(bench.RunSpec{Scheduler: "omega:batch=2,t_job_service=2s", Placer: OmegaPlacer,
		Workload: "omega:machines=300,horizon=20m,lambda_batch=0.5", Seed: 3, Horizon: 20 * scheduler.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.Hash() != again.Hash() {
		t.Error("same spec and seed gave different results")
	}
}

// TestOmegaSeqReleases: seq_releases makes sequence numbers count task
// completions, so the same run sees more conflicts.
func TestOmegaSeqReleases(t *testing.T) {
	conflicts := func(sched string) int {
		res, err := testRegistry.Run(bench.RunSpec{Scheduler: sched, Placer: OmegaPlacer,
			Workload: "omega:machines=300,horizon=20m,lambda_batch=0.5", Seed: 3, Horizon: 20 * scheduler.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return res.Conflicts.Conflicted
	}
	off, on := conflicts("omega:conflict=seq,t_job_service=2s"), conflicts("omega:conflict=seq,seq_releases=true,t_job_service=2s")
	if on <= off {
		t.Errorf("conflicted transactions: %d with seq_releases, %d without; want more with", on, off)
	}
}

// TestOmegaSpread: spread=hash assigns batch jobs to schedulers by a hash of the
// job ID, so the per-scheduler transaction counts differ from round-robin's.
func TestOmegaSpread(t *testing.T) {
	perScheduler := func(sched string) [2]float64 {
		res, err := testRegistry.Run(bench.RunSpec{Scheduler: sched, Placer: OmegaPlacer,
			Workload: "omega:machines=300,horizon=20m,lambda_batch=0.5", Seed: 3, Horizon: 20 * scheduler.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return [2]float64{res.Extra["omega.batch-0.transactions"], res.Extra["omega.batch-1.transactions"]}
	}
	rr, hash := perScheduler("omega:batch=2"), perScheduler("omega:batch=2,spread=hash")
	if rr == hash {
		t.Errorf("per-scheduler transactions %v under both spreads: spread has no effect", rr)
	}
	if hash[0] == 0 || hash[1] == 0 {
		t.Errorf("hash spread left a scheduler idle: %v", hash)
	}
}

// TestOmegaScenariosTiny expands and reports every Omega scenario on a tiny cell
// and a short horizon: cells run, tables are written, and every claim's verdict
// line, graded on the same cells.
func TestOmegaScenariosTiny(t *testing.T) {
	dir := t.TempDir()
	for _, s := range testRegistry.Scenarios() {
		if !strings.HasPrefix(s.Name, "omega-") {
			continue
		}
		p := bench.NewParams("scenario "+s.Name, map[string]string{"machines": "200", "horizon": "3m"})
		cells, err := s.Cells(testRegistry, p, 1)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		results, errs := bench.RunCells(cells, 2, nil)
		for i, e := range errs {
			if e != nil {
				t.Fatalf("%s cell %s: %v", s.Name, cells[i].Key(), e)
			}
		}
		if err := s.Report(dir, p, cells, results); err != nil {
			t.Fatalf("%s report: %v", s.Name, err)
		}
		// The report states the scale of these cells, read from the same parameters.
		if md, err := readNonEmpty(dir, s.Name+".md"); err != nil || !strings.Contains(md, "Scale: 200 machines, 3m0s simulated per run") {
			t.Errorf("%s report: %v, scale not stated:\n%.400s", s.Name, err, md)
		}
		b, err := os.ReadFile(filepath.Join(dir, s.Name+".md"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "**Paper (expected trend).**") {
			t.Errorf("%s.md lacks the expected trend:\n%s", s.Name, b)
		}
		// Every claim of the scenario is in the report with the verdict computed from
		// these very cells.
		n := 0
		for _, e := range omegaScenarios() {
			if e.spec.Name != s.Name {
				continue
			}
			for _, c := range e.claims {
				n++
				res := c.result(groupOmega(cells, results))
				if want := "**" + c.id + " — " + string(res.Verdict) + "**"; !strings.Contains(string(b), want) {
					t.Errorf("%s.md lacks %q:\n%s", s.Name, want, b)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s grades no claim", s.Name)
		}
	}
}

// BenchmarkOmegaDay simulates one day of the default setup: 10,000 machines of 4
// cores and 16 GiB pre-filled to 60 %, the Omega workload, one service and two
// batch schedulers with the paper's decision times.
func BenchmarkOmegaDay(b *testing.B) {
	for b.Loop() {
		res, err := testRegistry.Run(bench.RunSpec{Scheduler: "omega:batch=2", Placer: OmegaPlacer, Workload: "omega", Seed: 1, Horizon: scheduler.Day})
		if err != nil {
			b.Fatal(err)
		}
		if res.Conflicts.Transactions < 10000 || res.SimSeconds != scheduler.Day.Seconds() {
			b.Fatalf("run did not complete a day: %d transactions, %.0f s", res.Conflicts.Transactions, res.SimSeconds)
		}
		b.ReportMetric(float64(res.Conflicts.Transactions)/res.WallSeconds, "transactions/wall-s")
		b.ReportMetric(res.EventsPerSecond, "events/wall-s")
		b.ReportMetric(res.PlacementsPerSecond, "placements/wall-s")
		b.ReportMetric(res.WallSeconds, "wall-s/sim-day")
	}
}
