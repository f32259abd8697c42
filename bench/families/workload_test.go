package families

import (
	"io"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// firstJobs returns the submit time and task count of the first n jobs.
func firstJobs(t *testing.T, w *bench.Workload, n int) []int64 {
	t.Helper()
	var out []int64
	for range n {
		j, err := w.Source.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, int64(j.Submit), int64(len(j.Tasks)), j.Tasks[0].Request[scheduler.CPU])
	}
	return out
}

func TestWorkloadFamilyBuildsEveryGenerator(t *testing.T) {
	specs := []string{
		"synthetic:jobs=50",
		"synthetic:jobs=50,arrival=bursty,gang=0.5,gpu=0.5,gpu_count=1:1;2:1,gpu_share=0.5,dag=0.3,service=0.1,priority=0:3;9:1,tenants=3,tasks=median(8;1)[1;64],runtime=exp(120)",
		"synthetic:jobs=50,gang=0.5,gang_tasks=uniform(2;17),min_member=0.75",
		"synthetic:jobs=50,arrival=diurnal,amplitude=0.8,period=12h,corr=-0.2,cpu=uniform(100;4000),mem=pareto(512;2)[0;65536]",
		"alibaba-gpu:nodes=50,jobs=50",
		"alibaba-gpu:nodes=50,jobs=50,mtbf=1d,domain_mtbf=10d,gang=0.5,gang_size=2;4,share=0",
		"gang-ml:jobs=50",
		"dag:jobs=50,rate=5",
		"google2011:scale=0.01,days=0.5",
		"google2011:scale=0.01,days=0.5,arrival_scale=2,size_scale=0.5,request_scale=1.5,sample=0.5,mtbf=30d",
	}
	for _, spec := range specs {
		t.Run(spec, func(t *testing.T) {
			a, err := testRegistry.NewWorkload(spec, 7)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := testRegistry.NewWorkload(spec, 7)
			ja, jb := firstJobs(t, a, 50), firstJobs(t, b, 50)
			if len(ja) == 0 {
				t.Fatal("no jobs")
			}
			if len(ja) != len(jb) {
				t.Fatalf("same seed: %d and %d values", len(ja), len(jb))
			}
			for i := range ja {
				if ja[i] != jb[i] {
					t.Fatalf("same seed differs at %d", i)
				}
			}
			needNodes := strings.HasPrefix(spec, "alibaba") || strings.HasPrefix(spec, "google")
			if needNodes != (len(a.Nodes) > 0) {
				t.Errorf("%d nodes", len(a.Nodes))
			}
			if _, isNS := a.Source.(scheduler.NodeSource); isNS != strings.Contains(spec, "mtbf") {
				t.Errorf("failure schedule attached = %v", isNS)
			}
		})
	}
}

func TestWorkloadFamilyRejectsBadParameters(t *testing.T) {
	for spec, want := range map[string]string{
		"synthetic:jobs=x":                  "jobs",
		"synthetic:runtime=lognormal(1)":    "runtime",
		"synthetic:gpu_count=a:b":           "gpu_count",
		"synthetic:arrival=weekly":          "arrival",
		"synthetic:bogus=1":                 "bogus",
		"synthetic:gang=2":                  `gang="2": want a value in [0, 1]`,
		"alibaba-gpu:load=0":                `load="0": want a value in (0, 100]`,
		"alibaba-gpu:gang_gpus=3":           "GangGPUs",
		"alibaba-gpu:mtbf=1d,mttr=0":        `mttr="0": want a value in (0s, forever]`,
		"google2011:scale=0":                "scale",
		"google2011:sample=2":               `sample="2": want a value in (0, 1]`,
		"fit:scale=2":                       "trace",
		"fit:trace=google2011:/nonexistent": "google2011",
	} {
		_, err := testRegistry.NewWorkload(spec, 1)
		if err == nil {
			t.Errorf("%s: accepted", spec)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q does not mention %q", spec, err, want)
		}
	}
}

func TestWorkloadFamilyParamsAreDocumented(t *testing.T) {
	workloads := map[string]bench.WorkloadSpec{}
	for _, s := range testRegistry.Workloads() {
		workloads[s.Name] = s
	}
	for _, name := range []string{"synthetic", "alibaba-gpu", "gang-ml", "dag", "google2011", "fit"} {
		s, ok := workloads[name]
		if !ok {
			t.Fatalf("%s not registered", name)
		}
		if s.Doc == "" || len(s.Params) == 0 {
			t.Errorf("%s: no doc or params", name)
		}
		for _, p := range s.Params {
			if p.Name == "" || p.Doc == "" {
				t.Errorf("%s: undocumented parameter %+v", name, p)
			}
		}
	}
}

func TestFitWorkloadScalesATrace(t *testing.T) {
	c := workload.DefaultSynthetic()
	c.Jobs = 2000
	g, err := workload.NewSynthetic(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	nodes := workload.OpenBNodes(40)
	// Machines given as NodeAdd events, as a trace reader streams them.
	evs := make([]scheduler.NodeEvent, len(nodes))
	for i, n := range nodes {
		evs[i] = scheduler.NodeEvent{Kind: scheduler.NodeAdd, Node: n}
	}
	w := &bench.Workload{Source: &workload.WithNodeEvents{Source: g, Events: &scheduler.SliceNodeSource{Events: evs}}}
	fitted, fnodes, err := fitWorkload("test", w, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(fnodes) != 120 || fitted.Jobs != 6000 {
		t.Errorf("scaled ×3: %d nodes, %d jobs", len(fnodes), fitted.Jobs)
	}
	out, err := buildFitted(fitted, fnodes, transforms{inf: workload.Inflation{Arrivals: 1, Tasks: 1, Requests: 1}, sample: 1},
		workload.Failures{MTBF: scheduler.Day, MTTR: scheduler.Hour}, true, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(firstJobs(t, out, 10)) == 0 {
		t.Fatal("fitted workload yields no jobs")
	}
}

func TestFitWorkloadReplaysArrivals(t *testing.T) {
	c := workload.DefaultSynthetic()
	c.Jobs = 500
	g, _ := workload.NewSynthetic(c, 3)
	w := &bench.Workload{Source: g, Nodes: workload.OpenBNodes(10)}
	fitted, _, err := fitWorkload("test", w, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	if fitted.Arrival.Kind != workload.Replay || len(fitted.Arrival.Times) != 500 {
		t.Fatalf("arrival %v with %d times", fitted.Arrival.Kind, len(fitted.Arrival.Times))
	}
}
