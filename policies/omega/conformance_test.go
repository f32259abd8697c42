package omega_test

import (
	"math"
	"testing"

	"github.com/schedlab/schedlab/policies/omega"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// factory returns a schedtest factory for an Omega configuration changed by mod.
func factory(name string, mod func(*omega.Config)) schedtest.Factory {
	f := schedtest.SchedulerFactory(func() scheduler.Scheduler {
		cfg := omega.DefaultConfig()
		cfg.BatchSchedulers = 2
		mod(&cfg)
		o, err := omega.New(cfg)
		if err != nil {
			panic(err)
		}
		return o
	})
	f.Name = name
	return f
}

// unlimited turns off the paper's abandonment rule, so that the default liveness
// check (a job that fits on its own is never given up) can judge the mode.
func unlimited(c *omega.Config) {
	c.MaxAttempts, c.MaxAttemptsNothingPlaced = math.MaxInt32, math.MaxInt32
}

// TestConformance runs the shared conformance suite on the Omega schedulers and the
// monolithic baselines: safety invariants, nothing lost, liveness, determinism;
// all-or-nothing Omega also promises gang atomicity. Every mode runs without the
// abandonment rule (so liveness is judged); the paper's configuration, which
// abandons a job after 100 attempts with nothing placed or 1,000 in all, declares
// that it may abandon any job.
func TestConformance(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*omega.Config)
		opt  schedtest.Options
	}{
		{"omega-paper-abandonment", func(*omega.Config) {}, schedtest.Options{Abandons: schedtest.AbandonAny}},
		{"omega-fit-incremental", unlimited, schedtest.Options{}},
		{"omega-seq-incremental", func(c *omega.Config) { unlimited(c); c.Detection = scheduler.DetectSeq }, schedtest.Options{}},
		{"omega-fit-all-or-nothing", func(c *omega.Config) { unlimited(c); c.Transaction = omega.AllOrNothing }, schedtest.Options{GangAtomic: true}},
		{"omega-seq-all-or-nothing-bestfit", func(c *omega.Config) {
			unlimited(c)
			c.Detection, c.Transaction = scheduler.DetectSeq, omega.AllOrNothing
			c.NewPlacer = func() (scheduler.Placer, error) { return scheduler.KeyBestFit{}, nil }
		}, schedtest.Options{GangAtomic: true}},
		{"omega-service-schedulers-2", func(c *omega.Config) { unlimited(c); c.ServiceSchedulers = 2 }, schedtest.Options{}},
		{"monolithic-single-path", func(c *omega.Config) {
			unlimited(c)
			c.Monolithic = true
		}, schedtest.Options{}},
		{"monolithic-fast-path", func(c *omega.Config) {
			unlimited(c)
			c.Monolithic = true
			c.Service = omega.DecisionTime{Job: scheduler.Second, Task: 10 * scheduler.Millisecond}
		}, schedtest.Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.Cases = 100
			schedtest.Conformance(t, factory(c.name, c.mod), c.opt)
		})
	}
}
