package traces

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// openbDir is the shared copy of the openb 2023 trace, relative to this package.
const openbDir = "../../shared/data/openb"

func needOpenb(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(openbDir, "openb_pod_list_default.csv")); err != nil {
		t.Skipf("openb trace not found at %s (../shared/data/openb from the repo root): %v", openbDir, err)
	}
}

func TestReadOpenbNodesRealTrace(t *testing.T) {
	needOpenb(t)
	nodes, err := ReadOpenbNodes(filepath.Join(openbDir, "openb_node_list_all_node.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1523 {
		t.Fatalf("nodes = %d, want 1523", len(nodes))
	}
	gpuNodes, gpus := 0, 0
	models := map[string]int{}
	for _, n := range nodes {
		if n.GPUs > 0 {
			gpuNodes++
		}
		gpus += n.GPUs
		if n.Capacity[2] != int64(n.GPUs)*1000 {
			t.Fatalf("node %s: gpu capacity %d for %d GPUs", n.Name, n.Capacity[2], n.GPUs)
		}
		m := n.GPUModel
		if m == "" {
			m = "none"
		}
		models[m]++
	}
	if gpuNodes != 1213 || gpus != 6212 {
		t.Errorf("gpu nodes %d, gpus %d; want 1213, 6212", gpuNodes, gpus)
	}
	want := map[string]int{"G2": 549, "T4": 404, "none": 310, "P100": 134, "V100M16": 55, "G3": 39, "V100M32": 30, "A10": 2}
	for k, v := range want {
		if models[k] != v {
			t.Errorf("model %s: %d nodes, want %d", k, models[k], v)
		}
	}
	if nodes[0].Name != "openb-node-0000" || nodes[0].Capacity[0] != 32000 || nodes[0].Capacity[1] != 262144 {
		t.Errorf("first node = %+v", nodes[0])
	}
}

func TestReadOpenbPodsRealTrace(t *testing.T) {
	needOpenb(t)
	pods, err := ReadOpenbPods(filepath.Join(openbDir, "openb_pod_list_default.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 8152 {
		t.Fatalf("pods = %d, want 8152", len(pods))
	}
	qos, phase, ngpu := map[string]int{}, map[string]int{}, map[int]int{}
	var maxDel int64
	for _, p := range pods {
		qos[p.QoS]++
		phase[p.Phase]++
		ngpu[p.NumGPU]++
		maxDel = max(maxDel, p.Deletion)
	}
	check := func(what string, got, want map[string]int) {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s %s: %d, want %d", what, k, got[k], v)
			}
		}
	}
	check("qos", qos, map[string]int{"LS": 4647, "BE": 3398, "Burstable": 100, "Guaranteed": 7})
	check("phase", phase, map[string]int{"Running": 5193, "Failed": 1870, "Pending": 897, "Succeeded": 192})
	for k, v := range map[int]int{1: 6989, 0: 1088, 8: 44, 2: 16, 4: 15} {
		if ngpu[k] != v {
			t.Errorf("num_gpu %d: %d pods, want %d", k, ngpu[k], v)
		}
	}
	if maxDel != 12902960 {
		t.Errorf("max deletion_time %d, want 12902960", maxDel)
	}
	p := pods[1]
	if p.Name != "openb-pod-0001" || p.CPUMilli != 6000 || p.MemoryMiB != 12288 || p.NumGPU != 1 || p.GPUMilli != 460 ||
		p.QoS != "LS" || p.Phase != "Running" || p.Creation != 427061 || p.Deletion != 12902960 || p.Scheduled != 427061 {
		t.Errorf("pod 1 = %+v", p)
	}
	for _, p := range pods {
		if p.Phase == "Pending" && p.Scheduled != -1 {
			t.Fatalf("pending pod %s has scheduled time %d, want -1 (empty cell)", p.Name, p.Scheduled)
		}
	}
}

func TestReadOpenbPodsMissingOptionalColumns(t *testing.T) {
	needOpenb(t)
	pods, err := ReadOpenbPods(filepath.Join(openbDir, "openb_pod_list_multigpu50.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) == 0 || pods[0].Creation != -1 || pods[0].QoS != "" || pods[0].GPUMilli != 1000 {
		t.Fatalf("pods[0] = %+v", pods[0])
	}
}

func TestReadOpenbBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, content, want string }{
		{"badint", "name,cpu_milli,memory_mib,num_gpu\np1,12x,10,0\n", "p.csv:2: column 2 (cpu_milli): value \"12x\" is not an integer"},
		{"count", "name,cpu_milli,memory_mib,num_gpu\np1,1,10\n", "p.csv:2: 3 fields, want 4"},
		{"nocol", "name,cpu_milli,num_gpu\np1,1,0\n", "required column \"memory_mib\" is absent"},
		{"overflow", "name,cpu_milli,memory_mib,num_gpu\np1,99999999999999999999,10,0\n", "overflows"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, "p.csv")
		os.WriteFile(path, []byte(c.content), 0o644)
		_, err := ReadOpenbPods(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: err = %v, want it to contain %q and wrap ErrBadInput", c.name, err, c.want)
		}
	}
}
