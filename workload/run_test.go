package workload_test

import (
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// runMonolithic replays src on nodes with best-fit under the monolithic scheduler.
func runMonolithic(t testing.TB, nodes []scheduler.Node, src scheduler.Source, cfg scheduler.Config) *scheduler.Result {
	t.Helper()
	mono, err := scheduler.NewMonolithic(scheduler.DefaultMonolithicConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Nodes = nodes
	res, err := scheduler.Run(cfg, src, mono)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAlibabaGPURunsEndToEnd(t *testing.T) {
	c := workload.DefaultAlibabaGPU()
	c.Nodes = 100
	c.Jobs = 2000
	g, err := workload.NewAlibabaGPU(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := scheduler.DefaultConfig()
	cfg.Seed = 1
	cfg.Horizon = c.Span()
	res := runMonolithic(t, g.Nodes(), g, cfg)
	if res.JobsSubmitted < 1800 {
		t.Fatalf("jobs submitted = %d by the expected span %v, want about 2000", res.JobsSubmitted, c.Span())
	}
	if res.TasksCompleted == 0 {
		t.Fatalf("no task completed")
	}
	if res.Utilization.GPU < 0.5 {
		t.Errorf("GPU utilization %.2f: the default load should keep the cluster busy", res.Utilization.GPU)
	}
	t.Logf("sim %.0fs events %d util %+v wait %+v gangwait %+v stop %q", res.SimSeconds, res.Events, res.Utilization, res.JobWait, res.GangWait, res.StopReason)
}

func TestSyntheticRunsEndToEnd(t *testing.T) {
	c := workload.DefaultSynthetic()
	c.Jobs = 2000
	g, err := workload.NewSynthetic(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	nodes := make([]scheduler.Node, 200)
	for i := range nodes {
		nodes[i] = scheduler.Node{ID: scheduler.NodeID(i), Capacity: scheduler.Res(32000, 131072, 0)}
	}
	cfg := scheduler.DefaultConfig()
	cfg.Seed = 1
	res := runMonolithic(t, nodes, g, cfg)
	if res.JobsSubmitted != 2000 || res.TasksCompleted == 0 {
		t.Fatalf("jobs %d tasks completed %d", res.JobsSubmitted, res.TasksCompleted)
	}
	t.Logf("sim %.0fs events %d tasks %d util %+v wait %+v stop %q", res.SimSeconds, res.Events, res.TasksSubmitted, res.Utilization, res.JobWait, res.StopReason)
}
