package workload

import (
	"io"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func drainFailures(t *testing.T, f Failures, nodes []scheduler.Node, seed uint64) []scheduler.NodeEvent {
	t.Helper()
	s, err := NewFailureSchedule(f, nodes, seed)
	if err != nil {
		t.Fatal(err)
	}
	var out []scheduler.NodeEvent
	for {
		e, err := s.NextNodeEvent()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > 0 && e.Time < out[len(out)-1].Time {
			t.Fatalf("event at %v after one at %v", e.Time, out[len(out)-1].Time)
		}
		out = append(out, e)
	}
}

func TestNodeFailuresAlternateAndMatchTheRates(t *testing.T) {
	nodes := OpenBNodes(200)
	f := Failures{MTBF: 10 * scheduler.Day, MTTR: 2 * scheduler.Hour, Until: 200 * scheduler.Day}
	evs := drainFailures(t, f, nodes, 1)
	down := map[string]scheduler.Time{}
	var downtime scheduler.Time
	fails := 0
	for _, e := range evs {
		switch e.Kind {
		case scheduler.NodeFail:
			if _, ok := down[e.Node.Name]; ok {
				t.Fatalf("%s failed twice without recovering", e.Node.Name)
			}
			if e.Time >= f.Until {
				t.Fatalf("failure at %v after Until", e.Time)
			}
			down[e.Node.Name] = e.Time
			fails++
		case scheduler.NodeRecover:
			at, ok := down[e.Node.Name]
			if !ok {
				t.Fatalf("%s recovered without failing", e.Node.Name)
			}
			downtime += e.Time - at
			delete(down, e.Node.Name)
		default:
			t.Fatalf("unexpected event kind %v", e.Kind)
		}
	}
	if len(down) != 0 {
		t.Fatalf("%d nodes never recovered", len(down))
	}
	// 200 nodes × 200 days ÷ 10 days = 4000 failures (fewer: a failure on a node
	// already down merges into its outage); mean outage about 2 h.
	within(t, "failures per node-day", float64(fails)/(200*200), 0.1, 0.006)
	within(t, "mean outage (h)", downtime.Seconds()/3600/float64(fails), 2, 0.15)
	// Same seed, same schedule.
	again := drainFailures(t, f, nodes, 1)
	if len(again) != len(evs) {
		t.Fatal("same seed gave a different schedule")
	}
	for i := range evs {
		if again[i].Time != evs[i].Time || again[i].Kind != evs[i].Kind || again[i].Node.Name != evs[i].Node.Name {
			t.Fatalf("same seed: event %d differs", i)
		}
	}
}

func TestDomainFailuresTakeDownTheWholeRack(t *testing.T) {
	nodes := OpenBNodes(64) // 4 racks of 16
	f := Failures{DomainMTBF: 5 * scheduler.Day, DomainMTTR: scheduler.Hour, Until: 30 * scheduler.Day}
	evs := drainFailures(t, f, nodes, 2)
	if len(evs) == 0 {
		t.Fatal("no failures")
	}
	rack := map[string]string{}
	for _, n := range nodes {
		rack[n.Name] = n.Domain
	}
	for i := 0; i < len(evs); {
		e := evs[i]
		j := i
		for j < len(evs) && evs[j].Time == e.Time && evs[j].Kind == e.Kind {
			if rack[evs[j].Node.Name] != rack[e.Node.Name] {
				t.Fatalf("simultaneous %v events across racks", e.Kind)
			}
			j++
		}
		if j-i != OpenBRackSize {
			t.Fatalf("%d nodes %v at %v, want a whole rack of %d", j-i, e.Kind, e.Time, OpenBRackSize)
		}
		i = j
	}
}

func TestFailureScheduleInARun(t *testing.T) {
	c := DefaultAlibabaGPU()
	c.Nodes, c.Jobs = 60, 1500
	g, _ := NewAlibabaGPU(c, 1)
	nodes := g.Nodes()
	fs, err := NewFailureSchedule(Failures{MTBF: 6 * scheduler.Hour, MTTR: 20 * scheduler.Minute, Until: c.Span()}, nodes, 1)
	if err != nil {
		t.Fatal(err)
	}
	mono, _ := scheduler.NewMonolithic(scheduler.DefaultMonolithicConfig())
	cfg := scheduler.DefaultConfig()
	cfg.Nodes = nodes
	cfg.NodeEvents = fs
	res, err := scheduler.Run(cfg, g, mono)
	if err != nil {
		t.Fatal(err)
	}
	if res.TasksLost == 0 {
		t.Errorf("no task was lost to %v of node failures", c.Span())
	}
	if res.TasksCompleted+res.TasksFailed != res.TasksSubmitted {
		t.Errorf("%d submitted, %d completed, %d failed, %d pending, %d running; stop %q", res.TasksSubmitted, res.TasksCompleted, res.TasksFailed, res.TasksPending, res.TasksRunning, res.StopReason)
	}
}

func TestFailuresValidate(t *testing.T) {
	nodes := OpenBNodes(4)
	for _, f := range []Failures{
		{MTBF: scheduler.Day, MTTR: scheduler.Hour},                        // no Until
		{MTBF: scheduler.Day, Until: scheduler.Day},                        // no MTTR
		{DomainMTBF: scheduler.Day, Until: scheduler.Day},                  // no DomainMTTR
		{MTBF: -1, MTTR: scheduler.Hour, Until: scheduler.Day},             // negative
		{Start: 2 * scheduler.Day, Until: scheduler.Day, MTBF: 1, MTTR: 1}, // empty window
	} {
		if _, err := NewFailureSchedule(f, nodes, 1); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	nodes[2].Name = ""
	if _, err := NewFailureSchedule(Failures{MTBF: 1, MTTR: 1, Until: 10}, nodes, 1); err == nil {
		t.Error("unnamed node accepted")
	}
}
