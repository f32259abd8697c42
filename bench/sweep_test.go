package bench

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testSweep is a small sweep: 2 schedulers' worth of placers × 2 job counts × 3 seeds.
func testSweep() *Sweep {
	return &Sweep{
		Name:        "test",
		Placers:     []string{"bestfit", "firstfit"},
		Workloads:   []string{"tiny:jobs={jobs}"},
		Clusters:    []string{"nodes=3,cpu=4000,mem=8192"},
		Params:      map[string][]string{"jobs": {"10", "25"}},
		Seeds:       3,
		SampleEvery: "5s",
	}
}

// csvWithoutWallClock returns results.csv of dir with the wall-clock columns removed.
func csvWithoutWallClock(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keep []int
	for i, h := range rows[0] {
		if !slices.Contains(WallClockKeys, h) {
			keep = append(keep, i)
		}
	}
	if len(keep) == len(rows[0]) {
		t.Fatalf("results.csv has no wall-clock columns: %v", rows[0])
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	for _, r := range rows {
		var rr []string
		for _, i := range keep {
			rr = append(rr, r[i])
		}
		w.Write(rr)
	}
	w.Flush()
	return out.String()
}

func TestSweepIdenticalWhateverTheParallelism(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	oa, err := Execute(testRegistry, Plan{Spec: testSweep()}, a, Options{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	ob, err := Execute(testRegistry, Plan{Spec: testSweep()}, b, Options{Parallel: 4})
	if err != nil {
		t.Fatal(err)
	}
	if oa.Cells != 12 || oa.Ran != 12 || ob.Ran != 12 || oa.Failed+ob.Failed != 0 {
		t.Fatalf("outcomes %+v %+v", oa, ob)
	}
	ca, cb := csvWithoutWallClock(t, a), csvWithoutWallClock(t, b)
	if ca != cb {
		t.Fatalf("results.csv differs between --parallel 1 and 4:\n%s\n---\n%s", ca, cb)
	}
	if n := strings.Count(ca, "\n"); n != 13 {
		t.Fatalf("results.csv has %d lines, want header + 12", n)
	}
	for _, f := range []string{"results.json", "summary.md", "plots/wait_cdf.png", "plots/wait_cdf.svg",
		"plots/utilization_time.png", "plots/utilization_cpu_vs_jobs.png"} {
		if st, err := os.Stat(filepath.Join(a, f)); err != nil || st.Size() == 0 {
			t.Errorf("missing output %s: %v", f, err)
		}
	}
	sum, _ := os.ReadFile(filepath.Join(a, "summary.md"))
	// three seeds: means without intervals, and the note says why
	if !strings.Contains(string(sum), "| placer | jobs | seeds |") || strings.Contains(string(sum), " ± ") || !strings.Contains(string(sum), "some cells here have 3, so they show the mean alone") {
		t.Errorf("summary.md lacks the per-cell table of means without intervals:\n%s", sum)
	}
	// A second Execute on a finished directory runs nothing.
	oc, err := Execute(testRegistry, Plan{Spec: testSweep()}, a, Options{Parallel: 2})
	if err != nil || oc.Ran != 0 || oc.Skipped != 12 {
		t.Fatalf("rerun: %+v %v", oc, err)
	}
	if csvWithoutWallClock(t, a) != ca {
		t.Fatal("rerun changed results.csv")
	}
}

func TestShardsMergedEqualUnsharded(t *testing.T) {
	whole := t.TempDir()
	if _, err := Execute(testRegistry, Plan{Spec: testSweep()}, whole, Options{Parallel: 2, NoPlots: true}); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var dirs []string
	total := 0
	for i := 0; i < 3; i++ {
		d := ShardDir(root, i, 3)
		o, err := Execute(testRegistry, Plan{Spec: testSweep()}, d, Options{Parallel: 2, Shard: i, Shards: 3, NoPlots: true})
		if err != nil {
			t.Fatal(err)
		}
		total += o.Ran
		dirs = append(dirs, d)
	}
	if total != 12 {
		t.Fatalf("shards ran %d cells, want 12", total)
	}
	if got := ShardDirs(root); !slices.Equal(got, dirs) {
		t.Fatalf("ShardDirs = %v, want %v", got, dirs)
	}
	merged := filepath.Join(root, "merged")
	o, err := Merge(testRegistry, merged, dirs)
	if err != nil || o.Missing != 0 || o.Cells != 12 {
		t.Fatalf("merge: %+v %v", o, err)
	}
	if a, b := csvWithoutWallClock(t, whole), csvWithoutWallClock(t, merged); a != b {
		t.Fatalf("merged shards differ from the unsharded run:\n%s\n---\n%s", a, b)
	}
	// Merging two shards only reports the missing cells.
	o, err = Merge(testRegistry, filepath.Join(root, "partial"), dirs[:2])
	if err != nil || o.Missing != 4 {
		t.Fatalf("partial merge: %+v %v", o, err)
	}
	// A shard of another sweep is refused.
	other := testSweep()
	other.Seeds = 2
	od := t.TempDir()
	if _, err := Execute(testRegistry, Plan{Spec: other}, od, Options{NoPlots: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(testRegistry, t.TempDir(), []string{dirs[0], od}); err == nil || !strings.Contains(err.Error(), "different sweep") {
		t.Fatalf("merging different sweeps: %v", err)
	}
}

func TestDirectoryOfAnotherSweepIsRefused(t *testing.T) {
	d := t.TempDir()
	if _, err := Execute(testRegistry, Plan{Spec: testSweep()}, d, Options{NoPlots: true}); err != nil {
		t.Fatal(err)
	}
	other := testSweep()
	other.Placers = []string{"bestfit"}
	_, err := Execute(testRegistry, Plan{Spec: other}, d, Options{})
	if ue, ok := IsUsage(err); !ok || ue.Field != "out" || !strings.Contains(err.Error(), "holds a different sweep") {
		t.Fatalf("got %v", err)
	}
}

func TestFailingCellIsReportedAndTheSweepGoesOn(t *testing.T) {
	s := testSweep()
	s.Params = nil
	s.Workloads = []string{"tiny:jobs=8", "tiny:jobs=oops"}
	s.Placers = []string{"bestfit"}
	s.Seeds = 2
	d := t.TempDir()
	var log bytes.Buffer
	o, err := Execute(testRegistry, Plan{Spec: s}, d, Options{Parallel: 2, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if o.Cells != 4 || o.Failed != 2 || o.Missing != 0 {
		t.Fatalf("outcome %+v", o)
	}
	if !strings.Contains(log.String(), "cell 2 (scheduler=monolithic,placer=bestfit,workload=tiny:jobs=oops") {
		t.Errorf("log: %s", log.String())
	}
	c := csvWithoutWallClock(t, d)
	if !strings.Contains(c, "want an integer") || strings.Count(c, "\n") != 5 {
		t.Errorf("results.csv:\n%s", c)
	}
	sum, _ := os.ReadFile(filepath.Join(d, "summary.md"))
	if !strings.Contains(string(sum), "## Failed runs") || !strings.Contains(string(sum), "0 (+2 failed)") {
		t.Errorf("summary.md:\n%s", sum)
	}
}

// TestHelperSweepProcess is the sweep that TestKilledSweepResumes kills; it does
// nothing unless run as that helper.
func TestHelperSweepProcess(t *testing.T) {
	dir := os.Getenv("SCHEDLAB_TEST_SWEEP_DIR")
	if dir == "" {
		t.Skip("helper process for TestKilledSweepResumes")
	}
	s := testSweep()
	s.Workloads = []string{"tiny:jobs={jobs}"}
	s.Params = map[string][]string{"jobs": {"100", "101", "102", "103"}}
	s.Seeds = 5
	Execute(testRegistry, Plan{Spec: s}, dir, Options{Parallel: 1, NoPlots: true})
}

func TestKilledSweepResumes(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(exe, "-test.run=^TestHelperSweepProcess$")
	cmd.Env = append(os.Environ(), "SCHEDLAB_TEST_SWEEP_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	recs := filepath.Join(dir, recordsFile)
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(recs)
		if bytes.Count(b, []byte("\n")) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("helper sweep recorded fewer than 3 cells in 60 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL: no chance to clean up
	cmd.Wait()
	b, _ := os.ReadFile(recs)
	done := bytes.Count(b, []byte("\n"))
	total := 2 * 1 * 4 * 5
	if done >= total {
		t.Skipf("the helper finished all %d cells before it was killed", total)
	}
	// Simulate a write cut short by the kill.
	f, _ := os.OpenFile(recs, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"index":39,"key":"half a rec`)
	f.Close()

	s := testSweep()
	s.Params = map[string][]string{"jobs": {"100", "101", "102", "103"}}
	s.Seeds = 5
	before := tinyBuilt.Load()
	o, err := Execute(testRegistry, Plan{Spec: s}, dir, Options{Parallel: 2, NoPlots: true})
	if err != nil {
		t.Fatal(err)
	}
	ran := int(tinyBuilt.Load() - before)
	if o.Skipped != done || o.Ran != total-done || ran != total-done || o.Missing != 0 || o.Failed != 0 {
		t.Fatalf("resume after %d of %d cells: %+v, %d workloads built", done, total, o, ran)
	}
	// The resumed sweep equals one that was never interrupted.
	whole := t.TempDir()
	if _, err := Execute(testRegistry, Plan{Spec: s}, whole, Options{Parallel: 2, NoPlots: true}); err != nil {
		t.Fatal(err)
	}
	if csvWithoutWallClock(t, dir) != csvWithoutWallClock(t, whole) {
		t.Fatal("resumed sweep differs from an uninterrupted one")
	}
	t.Logf("killed after %d of %d cells; the restart ran the other %d", done, total, ran)
}

func TestStopFinishesRunningCellsAndResumes(t *testing.T) {
	d := t.TempDir()
	stop := make(chan struct{})
	o, err := Execute(testRegistry, Plan{Spec: testSweep()}, d, Options{Parallel: 1, Stop: stop, Progress: func(done, total int, _ string) {
		if done == 5 {
			close(stop)
		}
	}})
	if err != nil || o.Ran != 5 || o.Missing != 7 {
		t.Fatalf("stopped run: %+v %v", o, err)
	}
	if _, err := os.Stat(filepath.Join(d, "results.csv")); err == nil {
		t.Fatal("reports written for an unfinished sweep")
	}
	o, err = Execute(testRegistry, Plan{Spec: testSweep()}, d, Options{Parallel: 3})
	if err != nil || o.Ran != 7 || o.Skipped != 5 {
		t.Fatalf("resumed run: %+v %v", o, err)
	}
}

func TestParseSweepErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"{\n  \"workloads\": [\"tiny\"],\n  \"seeds\": \"3\"\n}", `s.json:3:14: field "seeds": want int, got JSON string`},
		{"{\n  \"workloads\": [\"tiny\"],,\n}", "s.json:2:25: invalid character ','"},
		{`{"workloads": ["tiny"], "schedulerz": ["x"]}`, `unknown field "schedulerz"`},
		{`{"placers": ["bestfit"]}`, `field "workloads": at least one workload is required`},
		{`{"workloads": ["tiny"], "window": "5h,1h"}`, `field "window": window "5h,1h": want 0 <= START < END < forever`},
		{`{"workloads": ["tiny"], "window": "drain"}`, `field "window": window "drain": want all, arrivals or START,END`},
		{`{"workloads": ["tiny"], "warmup": "soon"}`, `field "warmup": "soon": want a duration`},
		{`{"workloads": ["tiny:jobs={n}"]}`, `uses {n}, which is not in "params"`},
		{`{"workloads": ["tiny"], "params": {"n": ["1"]}}`, `param "n" is used by no spec`},
		{`{"workloads": ["tiny"], "horizon": "soon"}`, `field "horizon": "soon": want a duration`},
		{`{"workloads": ["tiny"], "seeds": -1}`, `field "seeds": -1 must not be negative`},
	} {
		_, err := ParseSweep("s.json", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSweep(%q) = %v, want %q", c.src, err, c.want)
		}
	}
	s, err := ParseSweep("s.json", []byte(`{"workloads": ["tiny:jobs={n}"], "params": {"n": ["1", "2"]}, "seeds": 2, "first_seed": 7}`))
	if err != nil {
		t.Fatal(err)
	}
	cells, err := s.Cells(testRegistry, 0)
	if err != nil || len(cells) != 4 {
		t.Fatalf("%d cells, %v", len(cells), err)
	}
	if k := cells[3].Key(); k != "scheduler=monolithic,placer=bestfit,workload=tiny:jobs=2,cluster=auto,n=2" || cells[3].Seed != 8 {
		t.Fatalf("cell 3 = %s seed %d", k, cells[3].Seed)
	}
}

func TestParseShard(t *testing.T) {
	if i, n, err := ParseShard("2/5"); i != 2 || n != 5 || err != nil {
		t.Fatal(i, n, err)
	}
	for _, bad := range []string{"5/5", "-1/3", "1", "a/b", "0/0"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

func TestExampleSweepFilesParse(t *testing.T) {
	files, _ := filepath.Glob("sweeps/*.json")
	if len(files) == 0 {
		t.Fatal("no example sweep files in bench/sweeps")
	}
	for _, f := range files {
		s, err := LoadSweep(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if _, err := s.Cells(testRegistry, 0); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// A sweep's window reaches every run: the arrivals window ends at the last
// submission, before the makespan.
func TestSweepWindow(t *testing.T) {
	s := testSweep()
	s.Window, s.Warmup = "arrivals", "1s"
	cells, err := s.Cells(testRegistry, 1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cells[0].Run()
	if err != nil {
		t.Fatal(err)
	}
	if w := res.Window; w.Mode != "arrivals" || w.WarmupSeconds != 1 || w.EndSeconds >= res.Makespan {
		t.Fatalf("window %+v, makespan %v", w, res.Makespan)
	}
}
