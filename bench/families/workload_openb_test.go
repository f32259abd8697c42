package families

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/traces"
	"github.com/schedlab/schedlab/workload"
)

// workloadOpenbDir is where the shared openb data lives, relative to this package.
var workloadOpenbDir = filepath.Join("..", "..", "shared", "data", "openb")

func openbFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(workloadOpenbDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("openb data not present (%s): this test compares the generator with the real file when it is", p)
	}
	return p
}

func shapeKey(n scheduler.Node) string {
	return fmt.Sprintf("%s/%d/%d/%d", n.GPUModel, n.GPUs, n.Capacity[scheduler.CPU], n.Capacity[scheduler.Memory])
}

// The generated openb cluster has exactly the node shapes of the published GPU
// node list (as a multiset: FGD.md §1.1 gives counts, not order).
func TestOpenBNodesEqualTheRealGPUNodeList(t *testing.T) {
	real, err := traces.ReadOpenbNodes(openbFile(t, "openb_node_list_gpu_node.csv"))
	if err != nil {
		t.Fatal(err)
	}
	gen := workload.OpenBNodes(workload.OpenBNodeCount)
	var a, b []string
	for _, n := range real {
		a = append(a, shapeKey(n))
	}
	for _, n := range gen {
		b = append(b, shapeKey(n))
	}
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("node shapes differ: real %d nodes, generated %d", len(a), len(b))
	}
}

// The generated pod mix matches the real default pod list's kinds, and the medians
// of CPU and memory (lognormals calibrated on the file's quantiles) are within 25%
// of the file's; other quantiles are logged for comparison.
func TestAlibabaGPUPodMixMatchesTheRealPodList(t *testing.T) {
	pods, err := traces.ReadOpenbPods(openbFile(t, "openb_pod_list_default.csv"))
	if err != nil {
		t.Fatal(err)
	}
	kind := func(gpus int, milli int64) int {
		switch {
		case gpus == 0:
			return workload.PodCPUOnly
		case gpus == 1 && milli < 1000:
			return workload.PodShare
		case gpus == 1:
			return workload.PodGPU1
		case gpus == 2:
			return workload.PodGPU2
		case gpus == 4:
			return workload.PodGPU4
		}
		return workload.PodGPU8
	}
	var real [6]float64
	var realCPU, realMem []float64
	for _, p := range pods {
		real[kind(p.NumGPU, p.GPUMilli)]++
		realCPU = append(realCPU, float64(p.CPUMilli))
		realMem = append(realMem, float64(p.MemoryMiB))
	}
	c := workload.DefaultAlibabaGPU()
	c.GangFraction = 0
	c.Jobs = 50000
	g, err := workload.NewAlibabaGPU(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	var gen [6]float64
	var genCPU, genMem []float64
	for {
		j, err := g.Next()
		if err != nil {
			break
		}
		tk := &j.Tasks[0]
		gen[kind(int(tk.GPUCount), int64(tk.GPUMilli))]++
		genCPU = append(genCPU, float64(tk.Request[scheduler.CPU]))
		genMem = append(genMem, float64(tk.Request[scheduler.Memory]))
	}
	for k := range real {
		pr, pg := real[k]/float64(len(pods)), gen[k]/float64(c.Jobs)
		if d := pr - pg; d > 0.01 || d < -0.01 {
			t.Errorf("pod kind %d: real share %.4f, generated %.4f", k, pr, pg)
		}
	}
	q := func(xs []float64, p float64) float64 {
		slices.Sort(xs)
		return xs[int(p*float64(len(xs)-1))]
	}
	for _, c := range []struct {
		what      string
		real, gen []float64
	}{{"CPU", realCPU, genCPU}, {"memory", realMem, genMem}} {
		r, g := q(c.real, 0.5), q(c.gen, 0.5)
		if g < 0.75*r || g > 1.25*r {
			t.Errorf("median %s: real %.0f, generated %.0f", c.what, r, g)
		}
	}
	for _, p := range []float64{0.1, 0.5, 0.9, 0.99} {
		t.Logf("p%.0f: CPU real %.0f generated %.0f milli; memory real %.0f generated %.0f MiB",
			100*p, q(realCPU, p), q(genCPU, p), q(realMem, p), q(genMem, p))
	}
}
