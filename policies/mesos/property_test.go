package mesos

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/schedlab/schedlab/scheduler"
)

// propSeed is the fixed seed of the property tests; failures print it with the
// failing case.
const propSeed = 20110330

// propCase is one generated run: a small cell, jobs of ordinary and gang
// frameworks that contend for it, and an allocator configuration.
type propCase struct {
	Nodes     int  // 1..6 machines
	Jobs      int  // 1..30 jobs
	Ordinary  int  // 1..3 ordinary frameworks
	Gang      int  // 0..3 gang (hoarding) frameworks
	Fair      bool // fair-share offers (else all free)
	Subset    bool // strict-subset decline filters (else whole node)
	Partial   bool // release policy partial (else all)
	Suppress  bool
	Timeout   bool // offer timeout 2 s
	HoldSecs  int  // hold timeout 1..60 s
	DecisionM int  // t_job in 10 ms units, 0..300
	Seed      uint64
}

func (c propCase) String() string {
	type plain propCase // no String method: no recursion
	return fmt.Sprintf("%+v", plain(c))
}

func genCase() gopter.Gen {
	return gen.Struct(reflect.TypeOf(propCase{}), map[string]gopter.Gen{
		"Nodes":     gen.IntRange(1, 6),
		"Jobs":      gen.IntRange(1, 30),
		"Ordinary":  gen.IntRange(1, 3),
		"Gang":      gen.IntRange(0, 3),
		"Fair":      gen.Bool(),
		"Subset":    gen.Bool(),
		"Partial":   gen.Bool(),
		"Suppress":  gen.Bool(),
		"Timeout":   gen.Bool(),
		"HoldSecs":  gen.IntRange(1, 60),
		"DecisionM": gen.IntRange(0, 300),
		"Seed":      gen.UInt64(),
	})
}

// build turns a case into nodes, jobs and a configuration. Gangs never need more
// than the cell, so every gang can run once the others are out of the way; the
// gang attempt limit makes every run end.
func (c propCase) build() ([]scheduler.Node, []*scheduler.Job, Config) {
	r := scheduler.NewRand(c.Seed, "mesos/property")
	nodes := make([]scheduler.Node, c.Nodes)
	var slots int
	for i := range nodes {
		cores := 2 + r.IntN(3)
		slots += cores
		nodes[i] = scheduler.Node{Name: fmt.Sprintf("m%d", i), Capacity: scheduler.Res(int64(1000*cores), int64(2048*cores), 0)}
	}
	cfg := DefaultConfig()
	cfg.Check = true
	if c.Fair {
		cfg.Scope = ScopeFair
	}
	cfg.FilterWholeNode = !c.Subset
	if c.Timeout {
		cfg.OfferTimeout = 2 * scheduler.Second
	}
	cfg.Frameworks = nil
	for i := 0; i < c.Ordinary; i++ {
		f := DefaultFrameworkConfig(fmt.Sprintf("o%d", i), scheduler.Class(i%2))
		f.DecisionJob = scheduler.Time(c.DecisionM) * 10 * scheduler.Millisecond
		f.DecisionTask = 5 * scheduler.Millisecond
		f.Suppress = c.Suppress
		cfg.Frameworks = append(cfg.Frameworks, f)
	}
	for i := 0; i < c.Gang; i++ {
		f := DefaultFrameworkConfig(fmt.Sprintf("g%d", i), scheduler.Batch)
		f.Gang = true
		f.HoldTimeout = scheduler.Time(c.HoldSecs) * scheduler.Second
		f.Backoff, f.MaxBackoff = scheduler.Second, 8*scheduler.Second
		f.BackoffJitter = 0.5
		f.MaxGangAttempts = 20
		f.Suppress = c.Suppress
		if c.Partial {
			f.Release = ReleasePartial
		}
		cfg.Frameworks = append(cfg.Frameworks, f)
	}
	var jobs []*scheduler.Job
	at := scheduler.Time(0)
	for i := 0; i < c.Jobs; i++ {
		at += scheduler.Time(r.IntN(4000)) * scheduler.Millisecond
		n := 1 + r.IntN(min(slots, 6))
		req := scheduler.Res(int64(500+500*r.IntN(2)), int64(512+512*r.IntN(3)), 0)
		runtimes := make([]scheduler.Time, n)
		for k := range runtimes {
			runtimes[k] = scheduler.Time(1+r.IntN(20)) * scheduler.Second
		}
		mm := 0
		if c.Gang > 0 && r.IntN(2) == 0 {
			mm = 1 + r.IntN(n)
		}
		j := mkJob(i+1, "", at, mm, req, runtimes...)
		j.Class = scheduler.Class(r.IntN(2))
		jobs = append(jobs, j)
	}
	return nodes, jobs, cfg
}

// holdLog checks, from the transcript, how long each hoarded member stays held.
type holdLog struct {
	since   map[scheduler.TaskID]scheduler.Time
	longest scheduler.Time
}

func (h *holdLog) Observe(r scheduler.Record) {
	if r.Task == nil {
		return
	}
	id := r.Task.ID
	switch r.What {
	case "hold":
		h.since[id] = r.Time
	case "start", "unhold", "abandoned", "failed", "lost", "evict":
		if t0, ok := h.since[id]; ok {
			h.longest = max(h.longest, r.Time-t0)
			delete(h.since, id)
		}
	}
}

func runCase(c propCase) (*Mesos, *scheduler.Sim, *scheduler.Result, *holdLog, error) {
	nodes, jobs, cfg := c.build()
	m, err := New(cfg)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	hl := &holdLog{since: map[scheduler.TaskID]scheduler.Time{}}
	scfg := scheduler.DefaultConfig()
	scfg.Nodes = nodes
	scfg.Seed = c.Seed
	scfg.Observer = hl
	sim, err := scheduler.NewSim(scfg, &scheduler.SliceSource{Jobs: jobs}, m)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	res, err := sim.Run()
	return m, sim, res, hl, err
}

func params() *gopter.TestParameters {
	p := gopter.DefaultTestParametersWithSeed(propSeed)
	p.MinSuccessfulTests = 60
	return p
}

// TestPropertyOffersNeverDoubleAllocate: at every step, the resources locked by
// outstanding offers on a node never exceed its free capacity and equal the sum of
// those offers (no resource is in two offers, or in an offer and a task), and the
// State never over-commits.
func TestPropertyOffersNeverDoubleAllocate(t *testing.T) {
	ps := gopter.NewProperties(params())
	ps.Property("offers never double-allocate", prop.ForAll(func(c propCase) string {
		m, sim, _, _, err := runCase(c)
		if err != nil {
			return err.Error()
		}
		if v := m.Violation(); v != "" {
			return v
		}
		return sim.State.CheckInvariants()
	}, genCase()))
	ps.TestingRun(t)
}

// TestPropertyFrameworkHoldsAtMostItsOffer: what a framework launches or hoards
// from an offer fits, node by node, inside what the offer carried, and the
// hoarded members it tracks are exactly what the State holds.
func TestPropertyFrameworkHoldsAtMostItsOffer(t *testing.T) {
	ps := gopter.NewProperties(params())
	ps.Property("a framework never holds more than it was offered", prop.ForAll(func(c propCase) string {
		c.Gang = max(c.Gang, 1)
		m, _, res, _, err := runCase(c)
		if err != nil {
			return err.Error()
		}
		for _, f := range m.fws {
			if f.overAccepted != "" {
				return f.overAccepted
			}
			if !f.stats.acceptedRes.LessEq(f.stats.offeredRes) {
				return fmt.Sprintf("framework %s accepted %v of %v offered", f.cfg.Name, f.stats.acceptedRes, f.stats.offeredRes)
			}
		}
		if res.Placements < int64(res.TasksCompleted) {
			return "fewer placements than completions"
		}
		return m.Violation()
	}, genCase()))
	ps.TestingRun(t)
}

// TestPropertyHoardEventuallyReleased: with a hold timeout set, every hoarded
// member is eventually started or released — nothing is held when the run ends,
// the run never ends in a terminal deadlock, and with release policy "all" no
// member stays held longer than the hold timeout.
func TestPropertyHoardEventuallyReleased(t *testing.T) {
	ps := gopter.NewProperties(params())
	ps.Property("every hoarded resource is released or used", prop.ForAll(func(c propCase) string {
		c.Gang = max(c.Gang, 1)
		m, sim, res, hl, err := runCase(c)
		if err != nil {
			return err.Error()
		}
		if res.Deadlock.Terminal {
			return "terminal deadlock despite a hold timeout"
		}
		if res.TasksHeld != 0 || !sim.State.Held().IsZero() || len(hl.since) != 0 {
			return fmt.Sprintf("%d tasks still held at the end (%s)", res.TasksHeld, res.StopReason)
		}
		if !c.Partial && hl.longest > scheduler.Time(c.HoldSecs)*scheduler.Second {
			return fmt.Sprintf("a member was held %v, longer than the %ds timeout", hl.longest, c.HoldSecs)
		}
		return m.Violation()
	}, genCase()))
	ps.TestingRun(t)
}

// TestNoTimeoutDeadlockIsTerminal is the counterpart: the same two-gang scenario
// without a hold timeout never releases what it hoards.
func TestNoTimeoutDeadlockIsTerminal(t *testing.T) {
	cfg, jobs := twoGangs(scheduler.Forever, scheduler.Second)
	_, res := runScenario(t, "no timeout", cfg, jobs)
	if res.TasksHeld == 0 || !res.Deadlock.Terminal {
		t.Fatalf("want hoarded members left in a terminal deadlock, got held=%d deadlock=%+v", res.TasksHeld, res.Deadlock)
	}
}
