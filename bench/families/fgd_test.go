package families

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/binpack"
	"github.com/schedlab/schedlab/scheduler"
)

var fgdFull = flag.Bool("fgd.full", false, "run the whole 6-policy × 10-seed FGD reproduction and print the table")

// openbDir returns the openb data directory, or skips the test when it is absent.
func openbDir(t testing.TB) string {
	d := os.Getenv(OpenbEnv)
	if d == "" {
		d = filepath.Join("..", "..", "..", "shared", "data", "openb") // from bench/families/ to the module root's ../shared
	}
	if _, err := os.Stat(filepath.Join(d, "openb_pod_list_default.csv")); err != nil {
		t.Skipf("openb trace not found at %s (set %s or put cluster-trace-gpu-v2023 under ../shared/data/openb): %v", d, OpenbEnv, err)
	}
	return d
}

var (
	fgdOnce sync.Once
	fgdIn   *FGDInput
	fgdErr  error
)

func loadDefault(t testing.TB) *FGDInput {
	d := openbDir(t)
	fgdOnce.Do(func() { fgdIn, fgdErr = LoadFGDInput(d, "default") })
	if fgdErr != nil {
		t.Fatal(fgdErr)
	}
	return fgdIn
}

// TestFGDInputMatchesSpec checks the numbers FGD.md §1 and §5.6.1 give for the
// default trace: 1213 nodes, 6212 GPUs, 8152 pods, 35 typical shapes covering 7766.
func TestFGDInputMatchesSpec(t *testing.T) {
	in := loadDefault(t)
	var gpus int64
	for _, n := range in.Nodes {
		gpus += n.Capacity[scheduler.GPU]
	}
	if len(in.Nodes) != 1213 || gpus != 6212000 {
		t.Fatalf("cluster: %d nodes, %d milli-GPU; want 1213, 6212000", len(in.Nodes), gpus)
	}
	if len(in.Pods) != 8152 {
		t.Fatalf("pods: %d, want 8152", len(in.Pods))
	}
	tp := in.Typical
	if len(tp.Pods) != 35 || tp.Total != 7766 {
		t.Fatalf("typical pods: %d shapes covering %d; want 35 covering 7766", len(tp.Pods), tp.Total)
	}
	var cpuOnly int64
	for _, p := range tp.Pods {
		if p.GPUCount == 0 {
			cpuOnly += p.Count
		}
	}
	if got := float64(cpuOnly) / float64(tp.Total); math.Abs(got-0.1360) > 0.0005 {
		t.Fatalf("CPU-only typical probability %.4f, want 0.1360", got)
	}
}

// TestFGDCalibrationEmptyCluster is FGD.md §7's calibration check: the empty
// cluster's frag ratio for the default trace is 13.95 %.
func TestFGDCalibrationEmptyCluster(t *testing.T) {
	in := loadDefault(t)
	s, err := scheduler.NewState(in.Nodes)
	if err != nil {
		t.Fatal(err)
	}
	tr := binpack.NewFragTracker(binpack.NewFrag(in.Typical), s)
	if got := tr.Ratio(); math.Abs(got-13.95) > 0.01 {
		t.Fatalf("empty-cluster frag ratio %.4f %%, want 13.95 %%", got)
	}
}

// TestFGDRunProtocol runs one seed of FGD and checks the protocol's invariants:
// tuned demand ≈ 130 %, curves present at the checkpoints, FGD near its published
// numbers for that seed range.
func TestFGDRunProtocol(t *testing.T) {
	in := loadDefault(t)
	r, err := RunFGD(in, binpack.GPUFGD, 42)
	if err != nil {
		t.Fatal(err)
	}
	arr := 100 * float64(r.Arrived) / float64(r.Capacity)
	if arr < 129.9 || arr > 130.2 || r.Pods < 10000 || r.Pods > 11500 {
		t.Fatalf("tuned to %.2f %% arrived with %d pods; want ≈130 %% and ≈10.8k pods", arr, r.Pods)
	}
	for _, x := range []int{0, 80, 100, 130} {
		if !r.Has[x] {
			t.Fatalf("curve point %d missing", x)
		}
	}
	if math.Abs(r.Frag[0]-13.95) > 0.2 {
		t.Errorf("frag at 0 %% arrived %.2f, want ≈13.95", r.Frag[0])
	}
	t.Logf("fgd seed 42: alloc@130 %.2f frag@80 %.2f alloc@100 %.2f failed %d/%d wall %v", r.Alloc[130], r.Frag[80], r.Alloc[100], r.Failed, r.Pods, r.Wall)
	if r.Alloc[130] < 94 || r.Alloc[130] > 96.5 {
		t.Errorf("FGD alloc@130 %.2f, published range 95.27–95.49", r.Alloc[130])
	}
	// Same seed, same run.
	r2, err := RunFGD(in, binpack.GPUFGD, 42)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r2.Alloc, r.Alloc) || !slices.Equal(r2.Frag, r.Frag) || r2.Failed != r.Failed || *r2.Report != *r.Report {
		t.Fatal("two runs with the same seed differ")
	}
}

// TestFGDReproduction runs the whole 6 × 10 experiment (flag -fgd.full) and checks
// each mean against the paper and the ordering.
func TestFGDReproduction(t *testing.T) {
	if !*fgdFull {
		t.Skip("the full reproduction runs with -fgd.full")
	}
	in := loadDefault(t)
	start := time.Now()
	var runs []*FGDRun
	var mu sync.Mutex
	var wg sync.WaitGroup
	jobs := make(chan [2]int64)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r, err := RunFGD(in, binpack.GPUKind(j[0]), j[1])
				if err != nil {
					t.Error(err)
					continue
				}
				mu.Lock()
				runs = append(runs, r)
				mu.Unlock()
			}
		}()
	}
	for k := binpack.GPURandom; k <= binpack.GPUFGD; k++ {
		for s := int64(42); s < 52; s++ {
			jobs <- [2]int64{int64(k), s}
		}
	}
	close(jobs)
	wg.Wait()
	wall := time.Since(start)
	sums := SummarizeFGD(runs)
	t.Logf("6 policies × 10 seeds in %v wall (2 workers)\n%s", wall, FGDTable(sums))
	for _, s := range sums {
		t.Logf("%s: %v CPU time over 10 runs", s.Policy, s.Wall)
		p := FGDPaper[s.Policy]
		if d := s.Alloc130[0] - p[0]; math.Abs(d) > 1 {
			t.Errorf("%s: alloc@130 %.2f vs paper %.2f (Δ %+.2f > 1 pp)", s.Policy, s.Alloc130[0], p[0], d)
		}
		if d := s.Frag80[0] - p[1]; math.Abs(d) > 1 {
			t.Errorf("%s: frag@80 %.2f vs paper %.2f (Δ %+.2f > 1 pp)", s.Policy, s.Frag80[0], p[1], d)
		}
	}
}

// TestFGDScenarioCellsAndReport expands the registered "fgd" scenario for one
// policy and one seed, runs the cell and writes the report.
func TestFGDScenarioCellsAndReport(t *testing.T) {
	dir := openbDir(t)
	sc, err := testRegistry.LookupScenario("fgd")
	if err != nil {
		t.Fatal(err)
	}
	p := bench.NewParams("scenario fgd", map[string]string{"path": dir, "policies": "dotprod"})
	cells, err := sc.Cells(testRegistry, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 1 || cells[0].Seed != 42 || cells[0].Key() != "policy=dotprod,trace=default" {
		t.Fatalf("cells %+v", cells)
	}
	res, err := cells[0].Run()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Extra["alloc_at_130"]; !ok {
		t.Fatalf("result lacks alloc_at_130: %v", res.Extra)
	}
	out := t.TempDir()
	if err := sc.Report(out, p, cells, []*scheduler.Result{res}); err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile(filepath.Join(out, "fgd_table.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(table), "| dotprod | 1 |") || !strings.Contains(string(table), "90.85") {
		t.Fatalf("table:\n%s", table)
	}
	curves, err := os.ReadFile(filepath.Join(out, "fgd_curves.csv"))
	if err != nil || !strings.Contains(string(curves), "dotprod,42,130,") {
		t.Fatalf("curves: %v\n%.300s", err, curves)
	}
	for _, f := range []string{"fgd_report.md", "fgd_report.json", "fgd_alloc.png", "fgd_frag.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("report output: %v", err)
		}
	}
	rep, _ := os.ReadFile(filepath.Join(out, "fgd_report.md"))
	if !strings.Contains(string(rep), "| default | 1.3 | dotprod | 42 |") || !strings.Contains(string(rep), "q1_lack_both") {
		t.Errorf("fgd_report.md:\n%s", rep)
	}
	var js []map[string]any
	if b, err := os.ReadFile(filepath.Join(out, "fgd_report.json")); err != nil || json.Unmarshal(b, &js) != nil || len(js) != 1 {
		t.Fatalf("fgd_report.json: %v %s", err, b)
	}
	for _, k := range []string{"trace", "tune", "policy", "seed", "allocation", "classes", "idle_gpu_milli", "frag_gpu_milli"} {
		if _, ok := js[0][k]; !ok {
			t.Errorf("fgd_report.json lacks %q: %v", k, js[0])
		}
	}
	for _, c := range []struct{ k, v, want string }{
		{"policies", "magic", "unknown gpu policy"},
		{"policies", "fgd+fgd", "fgd given twice"},
		{"trace", "../default", "is not a pod list name"},
		{"trace", "default+default", "default given twice"},
		{"tune", "0", `tune="0": want a value in (0, 10]`},
		{"tune", "10.5", `tune="10.5"`},
		{"tune", "NaN", `tune="NaN": want a finite number`},
		{"informer_draws", "-1", `informer_draws="-1"`},
		{"informer_draws", "5000", `informer_draws="5000"`},
		{"arithmetic", "fast", `arithmetic="fast": want one of artifact, exact`},
	} {
		_, _, err := (&bench.Plan{Scenario: "fgd:path=" + dir + "," + c.k + "=" + c.v, Seeds: 1}).Expand(testRegistry)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: error %v, want %q", c.k, c.v, err, c.want)
		}
	}
	if _, err := sc.Cells(testRegistry, bench.NewParams("scenario fgd", map[string]string{"path": t.TempDir()}), 1); err == nil || !strings.Contains(err.Error(), OpenbEnv) {
		t.Fatalf("missing data: error %v should point at %s", err, OpenbEnv)
	}
}

// TestFGDTuneParameter checks that tune sets the arrived demand the pod list is
// tuned to (down for a ratio below the trace's own demand, up above it) and that
// the curves reach it.
func TestFGDTuneParameter(t *testing.T) {
	in := loadDefault(t)
	for _, tune := range []float64{0.5, 1.0, 2.0} {
		opt := DefaultFGDOptions()
		opt.Tune = tune
		r, err := RunFGDWith(in, binpack.GPUBestFit, 42, opt)
		if err != nil {
			t.Fatal(err)
		}
		arr := 100 * float64(r.Arrived) / float64(r.Capacity)
		if arr > 100*tune+0.12 || arr < 100*tune-0.12 {
			t.Errorf("tune %v: arrived %.3f %%", tune, arr)
		}
		top := int(math.Round(100 * tune))
		if _, _, ok := r.At(top); !ok || r.MaxX() < top {
			t.Errorf("tune %v: no curve point at %d %% (max x %d)", tune, top, r.MaxX())
		}
		if _, _, ok := r.At(top + 5); ok {
			t.Errorf("tune %v: a curve point at %d %%, beyond the arrived demand", tune, top+5)
		}
		// The result keeps the tune and the curves up to the top.
		back := fgdRunFromResult(fgdResult(in, r))
		if back.Tune != tune || !slices.Equal(back.Alloc, r.Alloc) || !slices.Equal(back.Has, r.Has) || *back.Report != *r.Report {
			t.Errorf("tune %v: the run does not survive the round trip through its result", tune)
		}
	}
	if _, err := RunFGDWith(in, binpack.GPUBestFit, 42, FGDOptions{Tune: 0}); err == nil {
		t.Error("tune 0 accepted")
	}
	if _, err := RunFGDWith(in, binpack.GPUBestFit, 42, FGDOptions{Tune: 1.3, InformerDraws: -1}); err == nil {
		t.Error("negative informer draws accepted")
	}
}

// TestFGDReportSeed42 is the artifact's documented end-of-run report for the
// default pod list, FGD, seed 42 (its experiments/README.md).
func TestFGDReportSeed42(t *testing.T) {
	in := loadDefault(t)
	r, err := RunFGD(in, binpack.GPUFGD, 42)
	if err != nil {
		t.Fatal(err)
	}
	rp := r.Report
	if rp.MilliCPU != [2]int64{89928302, 107018000} || rp.Memory != [2]int64{328998433325056, 528302452244480} ||
		rp.GPU != [2]int64{6189, 6212} || rp.MilliGPU != [2]int64{5919410, 6212000} {
		t.Errorf("allocation %v %v %v %v", rp.MilliCPU, rp.Memory, rp.GPU, rp.MilliGPU)
	}
	want := map[string]string{"q1_lack_both": "138.43", "q2_lack_gpu": "85.86", "q3_satisfied": "1.23", "q4_lack_cpu": "27.28",
		"xl_satisfied": "6.06", "xr_lack_cpu": "33.73", "no_access": "0.00"}
	for k, v := range rp.Classes {
		if got := fmt.Sprintf("%.2f", v/1000); got != want[binpack.FragClassNames[k]] {
			t.Errorf("%s: %s × 10^3, want %s", binpack.FragClassNames[k], got, want[binpack.FragClassNames[k]])
		}
	}
	if got := fmt.Sprintf("%.2f %.2f %.2f", rp.Idle()/1000, rp.Frag()/1000, 100*rp.Frag()/rp.Idle()); got != "292.59 291.36 99.58" {
		t.Errorf("idle, frag, share: %s, want 292.59 291.36 99.58", got)
	}
	if s := rp.String(); !strings.Contains(s, "MilliGpu : 95.3% (5919410/6212000)") || !strings.Contains(s, "frag_gpu_milli: 291.36 x 10^3 (99.58%)") {
		t.Errorf("report text:\n%s", s)
	}
}
