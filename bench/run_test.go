package bench

import (
	"errors"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func TestParseCluster(t *testing.T) {
	nodes, err := ParseCluster("nodes=3,cpu=4000,mem=8192,gpu=2,gpumodel=V100,racks=2+nodes=1,cpu=1000,mem=512")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 4 {
		t.Fatalf("got %d nodes", len(nodes))
	}
	n := nodes[1]
	if n.Name != "node-1" || n.Capacity != (scheduler.Resources{4000, 8192, 2000, 0}) || n.GPUs != 2 || n.GPUModel != "V100" || n.Domain != "rack-1" {
		t.Fatalf("node 1 = %+v", n)
	}
	if nodes[3].Capacity != scheduler.Res(1000, 512, 0) || nodes[3].ID != 3 || nodes[3].Domain != "" {
		t.Fatalf("node 3 = %+v", nodes[3])
	}
	for _, bad := range []struct{ spec, want string }{
		{"nodes=0", `nodes="0": want a value in [1, 2000000] machines`},
		{"nodes=-3", `nodes="-3": want a value in [1, 2000000]`},
		{"nodes=2000001", `nodes="2000001": want a value in [1, 2000000]`},
		{"nodes=1500000+nodes=600000", "2100000 machines in all, more than 2000000"},
		{"nodes=4+", "an empty shape"},
		{"nodes=4++nodes=2", "an empty shape"},
		{"cpu=-1", `cpu="-1": want a value in [1, 1000000000] milli-cores`},
		{"gpu=-1", `gpu="-1": want a value in [0, 64] GPUs`},
		{"gpu=65", `gpu="65": want a value in [0, 64] GPUs`},
		{"cpu=NaN", `cpu="NaN": want an integer`},
		{"nodes=x", `nodes="x": want an integer`},
		{"cores=4", `unknown key "cores"`},
		{"nodes=2,nodes=3", `key "nodes" given twice`},
		{"nodes", `"nodes" is not key=value`},
		{"", "empty cluster spec"},
	} {
		_, err := ParseCluster(bad.spec)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseCluster(%q) = %v, want error containing %q", bad.spec, err, bad.want)
		}
	}
}

func TestRunFillsNamesAndWallClock(t *testing.T) {
	res, err := testRegistry.Run(RunSpec{Workload: "tiny:jobs=20", Cluster: "nodes=4,cpu=4000,mem=8192", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scheduler != "monolithic" || res.Placer != "bestfit" || res.Workload != "tiny:jobs=20" || res.Seed != 3 {
		t.Fatalf("names: %q %q %q %d", res.Scheduler, res.Placer, res.Workload, res.Seed)
	}
	if res.JobsSubmitted != 20 || res.JobsCompleted != 20 || res.WallSeconds <= 0 || res.EventsPerSecond <= 0 {
		t.Fatalf("result: %+v", res)
	}
}

func TestRunUsageErrorsNameTheField(t *testing.T) {
	for _, c := range []struct {
		spec         RunSpec
		field, wants string
	}{
		{RunSpec{Scheduler: "nope", Workload: "tiny"}, "scheduler", "(valid: "},
		{RunSpec{Placer: "nope", Workload: "tiny"}, "placer", "firstfit"},
		{RunSpec{Placer: "firstfit:key=cpu", Workload: "tiny"}, "placer", "unknown parameter(s) key"},
		{RunSpec{Scheduler: "monolithic:tjob=1", Workload: "tiny"}, "scheduler", "unknown parameter(s) tjob"},
		{RunSpec{Workload: "nope"}, "workload", "tiny"},
		{RunSpec{Workload: "tiny:jobs=x"}, "workload", "want an integer"},
		{RunSpec{Workload: "trace:borg"}, "workload", "trace:FORMAT:PATH"},
		{RunSpec{Workload: "tiny", Cluster: "nodes=-1"}, "cluster", `nodes="-1": want a value in [1, 2000000]`},
		{RunSpec{Workload: "tiny", Cluster: "trace"}, "cluster", "no machines of its own"},
		{RunSpec{Workload: "tiny", Horizon: -1}, "horizon", "negative"},
	} {
		_, err := testRegistry.Run(c.spec)
		ue, ok := IsUsage(err)
		if !ok || ue.Field != c.field || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("testRegistry.Run(%+v) = %v (usage %v, field %q), want %s error containing %q", c.spec, err, ok, fieldOf(ue), c.field, c.wants)
		}
	}
}

func fieldOf(u *UsageError) string {
	if u == nil {
		return ""
	}
	return u.Field
}

func TestRunDeterministic(t *testing.T) {
	spec := RunSpec{Workload: "tiny:jobs=30", Cluster: "nodes=3,cpu=4000,mem=8192", Seed: 9, SampleEvery: 10 * scheduler.Second}
	a, err := testRegistry.Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := testRegistry.Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() != b.Hash() || len(a.Series) == 0 {
		t.Fatalf("same seed, different results (or no series: %d samples)", len(a.Series))
	}
	spec.Seed = 10
	c, _ := testRegistry.Run(spec)
	if c.Hash() == a.Hash() {
		t.Fatal("different seeds gave identical results: the seed does not reach the workload")
	}
}

func TestRunCellsRecoversPanicsAndKeepsOrder(t *testing.T) {
	cells := make([]Cell, 5)
	for i := range cells {
		i := i
		cells[i] = Cell{Labels: []Label{{"i", string(rune('a' + i))}}, Seed: uint64(i), Run: func() (*scheduler.Result, error) {
			switch i {
			case 2:
				panic("boom")
			case 3:
				return nil, errors.New("bad cell")
			}
			return testRegistry.Run(RunSpec{Workload: "tiny:jobs=5", Cluster: "nodes=2,cpu=4000,mem=8192", Seed: uint64(i)})
		}}
	}
	res, errs := RunCells(cells, 3, nil)
	if !errors.Is(errs[2], ErrPanic) || errs[3] == nil || res[2] != nil || res[3] != nil {
		t.Fatalf("errs = %v", errs)
	}
	for _, i := range []int{0, 1, 4} {
		if errs[i] != nil || res[i] == nil || res[i].Seed != uint64(i) {
			t.Fatalf("cell %d: %v %v", i, res[i], errs[i])
		}
	}
}
