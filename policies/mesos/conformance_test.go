package mesos

import (
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// TestConformanceOrdinary runs the shared conformance suite on the default
// configuration (a batch and a service framework, which place gangs only when the
// whole gang fits one offer). It is declared neither gang-atomic nor deadlock-free:
// offers and abandonment make no liveness promise.
func TestConformanceOrdinary(t *testing.T) {
	schedtest.Conformance(t, schedtest.Factory{Name: "mesos", Scheduler: func() scheduler.Scheduler {
		m, err := New(DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		m.cfg.Check = true
		return checked{m, t}
	}}, schedtest.Options{Cases: 60})
}

// TestConformanceHoarding runs the suite with a hoarding gang framework (hold
// timeout 30 s, back-off 1–8 s with jitter, 20 gang attempts). Hoarded members are
// held, never running, until the gang is complete, so it is declared gang-atomic;
// not deadlock-free (hoarding can deadlock until a timeout, and jobs can be
// abandoned).
func TestConformanceHoarding(t *testing.T) {
	schedtest.Conformance(t, schedtest.Factory{Name: "mesos-gang", Scheduler: func() scheduler.Scheduler {
		cfg := DefaultConfig()
		g := DefaultFrameworkConfig("gang", scheduler.Batch)
		g.Gang = true
		g.HoldTimeout = 30 * scheduler.Second
		g.Backoff, g.MaxBackoff, g.BackoffJitter = scheduler.Second, 8*scheduler.Second, 0.5
		g.MaxGangAttempts = 20
		cfg.Frameworks = append(cfg.Frameworks, g)
		cfg.Check = true
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return checked{m, t}
	}}, schedtest.Options{Cases: 60, GangAtomic: true})
}

// checked wraps a Mesos scheduler so that the allocator's own invariants (Config.Check)
// are asserted at the end of every run the suite makes.
type checked struct {
	*Mesos
	t *testing.T
}

func (c checked) Report(r *scheduler.Result) {
	c.Mesos.Report(r)
	if v := c.Violation(); v != "" {
		c.t.Errorf("mesos invariant: %s", v)
	}
}
