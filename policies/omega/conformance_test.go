package omega_test

import (
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

// TestConformance runs the shared conformance suite on the Omega schedulers and the
// monolithic baselines: safety invariants, nothing lost, determinism; all-or-nothing
// Omega also promises gang atomicity.
func TestConformance(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*omega.Config)
		opt  schedtest.Options
	}{
		{"omega-fit-incremental", func(*omega.Config) {}, schedtest.Options{Cases: 100}},
		{"omega-seq-incremental", func(c *omega.Config) { c.Detection = scheduler.DetectSeq }, schedtest.Options{Cases: 100}},
		{"omega-fit-all-or-nothing", func(c *omega.Config) { c.Transaction = omega.AllOrNothing }, schedtest.Options{Cases: 100, GangAtomic: true}},
		{"omega-seq-all-or-nothing-bestfit", func(c *omega.Config) {
			c.Detection, c.Transaction = scheduler.DetectSeq, omega.AllOrNothing
			c.NewPlacer = func() (scheduler.Placer, error) { return scheduler.BestFit{}, nil }
		}, schedtest.Options{Cases: 100, GangAtomic: true}},
		{"monolithic-fast-path", func(c *omega.Config) {
			c.Monolithic = true
			c.Service = omega.DecisionTime{Job: scheduler.Second, Task: 10 * scheduler.Millisecond}
		}, schedtest.Options{Cases: 100}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			schedtest.Conformance(t, factory(c.name, c.mod), c.opt)
		})
	}
}
