package workload

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func drainOmega(t *testing.T, cfg Omega, seed uint64) []*scheduler.Job {
	t.Helper()
	g, err := NewOmega(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []*scheduler.Job
	for {
		j, err := g.Next()
		if errors.Is(err, io.EOF) {
			return jobs
		}
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
}

// TestOmegaDefaultsMatchTheSimulator checks half a day of the default workload
// against the documented means (Workloads.scala's example) and the 60 % prefill.
func TestOmegaDefaultsMatchTheSimulator(t *testing.T) {
	cfg := DefaultOmega()
	cfg.Horizon = 12 * scheduler.Hour
	jobs := drainOmega(t, cfg, 7)
	var prefillTasks int
	var nb, ns int
	var tb, ts, db, ds float64
	last := scheduler.Time(0)
	for _, j := range jobs {
		if j.Submit < last {
			t.Fatalf("job %d submitted at %v before %v", j.ID, j.Submit, last)
		}
		last = j.Submit
		if j.Submit >= cfg.Horizon {
			t.Fatalf("job %d submitted at %v, at or after the horizon", j.ID, j.Submit)
		}
		if j.Tenant == OmegaPrefillTenant {
			prefillTasks += len(j.Tasks)
			if j.Submit != 0 || j.Tasks[0].Runtime != scheduler.Forever {
				t.Fatalf("prefill job %d: submit %v runtime %v", j.ID, j.Submit, j.Tasks[0].Runtime)
			}
			continue
		}
		switch j.Class {
		case scheduler.Batch:
			nb++
			tb += float64(len(j.Tasks))
			db += j.Tasks[0].Runtime.Seconds()
		case scheduler.Service:
			ns++
			ts += float64(len(j.Tasks))
			ds += j.Tasks[0].Runtime.Seconds()
		}
		if j.Tasks[0].Request != scheduler.Res(1000, 2048, 0) {
			t.Fatalf("job %d request %v", j.ID, j.Tasks[0].Request)
		}
	}
	if want := 24000; prefillTasks != want {
		t.Errorf("prefill %d one-core tasks, want %d (60%% of 10,000 × 4 cores)", prefillTasks, want)
	}
	near := func(name string, got, want, tol float64) {
		if math.Abs(got-want) > tol*want {
			t.Errorf("%s = %.2f, want %.2f ± %.0f%%", name, got, want, 100*tol)
		}
	}
	near("batch jobs/12h", float64(nb), 4320, 0.06)
	near("service jobs/12h", float64(ns), 2160, 0.08)
	near("batch tasks/job", tb/float64(nb), 1/(1-math.Exp(-1.0/100)), 0.06)
	near("service tasks/job", ts/float64(ns), 1/(1-math.Exp(-1.0/10)), 0.08)
	near("batch duration", db/float64(nb), 100, 0.06)
	near("service duration", ds/float64(ns), 500, 0.08)
}

func TestOmegaDeterministicAndRateScaling(t *testing.T) {
	cfg := DefaultOmega()
	cfg.Horizon = 2 * scheduler.Hour
	cfg.Prefill = 0
	a, b := drainOmega(t, cfg, 3), drainOmega(t, cfg, 3)
	if len(a) != len(b) {
		t.Fatalf("same seed: %d and %d jobs", len(a), len(b))
	}
	for i := range a {
		if a[i].Submit != b[i].Submit || len(a[i].Tasks) != len(b[i].Tasks) || a[i].Class != b[i].Class {
			t.Fatalf("same seed, job %d differs", i)
		}
	}
	cfg.BatchRate = 4
	cfg.ServiceRate = 0
	c := drainOmega(t, cfg, 3)
	for _, j := range c {
		if j.Class != scheduler.Batch {
			t.Fatal("service rate 0 still submitted a service job")
		}
	}
	if want := 4 * 720.0; math.Abs(float64(len(c))-want) > 0.1*want {
		t.Errorf("λ(batch)×4 over 2 h: %d jobs, want ≈ %.0f", len(c), want)
	}
}

func TestOmegaGangsAndNodes(t *testing.T) {
	cfg := DefaultOmega()
	cfg.Horizon = scheduler.Hour
	cfg.Machines, cfg.Prefill, cfg.GangFraction = 7, 0, 1
	g, err := NewOmega(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := g.Nodes(); len(n) != 7 || n[6].Capacity != scheduler.Res(4000, 16384, 0) || n[6].Name != "m6" {
		t.Fatalf("nodes %+v", n)
	}
	for _, j := range drainOmega(t, cfg, 1) {
		if j.Class == scheduler.Batch && int(j.MinMember) != len(j.Tasks) {
			t.Fatalf("batch job %d: MinMember %d of %d tasks with gang fraction 1", j.ID, j.MinMember, len(j.Tasks))
		}
		if j.Class == scheduler.Service && j.MinMember != 0 {
			t.Fatalf("service job %d is a gang", j.ID)
		}
	}
}

func TestOmegaValidateNamesTheField(t *testing.T) {
	for _, c := range []struct {
		mod  func(*Omega)
		want string
	}{
		{func(c *Omega) { c.Batch.Interarrival = 0 }, "Batch.Interarrival"},
		{func(c *Omega) { c.Service.Tasks = math.NaN() }, "Service.Tasks"},
		{func(c *Omega) { c.Batch.CPU = 5000 }, "does not fit a machine"},
		{func(c *Omega) { c.BatchRate = -1 }, "rates"},
		{func(c *Omega) { c.Prefill = 1.5 }, "Prefill"},
		{func(c *Omega) { c.Machines = 0 }, "cell"},
		{func(c *Omega) { c.Horizon = 0 }, "Horizon"},
		{func(c *Omega) { c.GangFraction = 2 }, "GangFraction"},
	} {
		cfg := DefaultOmega()
		c.mod(&cfg)
		if _, err := NewOmega(cfg, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one naming %q", err, c.want)
		}
	}
}
