package families

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/schedlab/schedlab/policies/binpack"
)

// fgdArtifactTraces are the pod lists whose artifact results ../shared/data/openb holds.
var fgdArtifactTraces = []string{"default", "cpu050", "gpushare100", "gpuspec33", "multigpu50"}

// runArtifactMatrix runs every (trace, policy, seed) of the artifact's cache with
// opt on two workers (kinds nil: every policy).
func runArtifactMatrix(t *testing.T, dir string, art FGDArtifact, kinds []binpack.GPUKind, opt FGDOptions) []*FGDRun {
	t.Helper()
	var keys []FGDArtifactKey
	for k := range art {
		if k.Tune == opt.Tune && (kinds == nil || slices.Contains(kinds, k.Policy)) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Trace != b.Trace {
			return a.Trace < b.Trace
		}
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		return a.Seed < b.Seed
	})
	inputs := map[string]*FGDInput{}
	for _, k := range keys {
		if inputs[k.Trace] == nil {
			in, err := LoadFGDInput(dir, k.Trace)
			if err != nil {
				t.Fatal(err)
			}
			inputs[k.Trace] = in
		}
	}
	runs := make([]*FGDRun, len(keys))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				k := keys[i]
				r, err := RunFGDWith(inputs[k.Trace], k.Policy, k.Seed, opt)
				if err != nil {
					t.Error(err)
					continue
				}
				runs[i] = r
			}
		}()
	}
	for i := range keys {
		next <- i
	}
	close(next)
	wg.Wait()
	return runs
}

func (d FGDRunDiff) String() string {
	return fmt.Sprintf("%s/%s/seed %d: max |Δ alloc| %.4f pp at %d %%, max |Δ frag| %.4f pp at %d %%, %d points, %d missing",
		d.Key.Trace, d.Key.Policy, d.Key.Seed, d.MaxAlloc, d.AllocX, d.MaxFrag, d.FragX, d.Points, d.Missing)
}

// TestFGDRunForRun is the fgd scenario's protocol check: every deterministic
// per-seed curve on the five shared pod lists equals the artifact's within
// FGDRunTolerance, and Random's distribution over seeds is consistent with the
// artifact's at every checkpoint.
func TestFGDRunForRun(t *testing.T) {
	dir := openbDir(t)
	art, err := ReadFGDArtifact(dir)
	if err != nil {
		t.Skipf("the artifact's cached results are not in %s: %v", dir, err)
	}
	runs := runArtifactMatrix(t, dir, art, nil, DefaultFGDOptions())
	AttachFGDArtifact(runs, art)
	c := CompareFGDArtifact(runs)
	for _, d := range c.Diffs {
		if !d.Identical() {
			t.Errorf("not identical: %v", d)
		}
		// Stricter than the tolerance, as measured: the alloc points are the
		// artifact's to the bit (numpy's summation and rounding), the frag ratio
		// points to float noise.
		if d.MaxAlloc != 0 || d.MaxFrag > 1e-9 {
			t.Errorf("not bit-identical: %v", d)
		}
	}
	if len(c.Diffs) != 250 {
		t.Errorf("%d runs compared, want 250 (5 lists × 5 deterministic policies × 10 seeds)", len(c.Diffs))
	}
	for _, r := range c.Random {
		if !r.Consistent() {
			t.Errorf("Random differs from the artifact: %+v", r)
		}
	}
	if len(c.Random) != 15 {
		t.Errorf("%d Random checks, want 15 (5 lists × 3 checkpoints)", len(c.Random))
	}
	v := c.Verdict()
	if !strings.Contains(v, "250 of 250 deterministic per-seed curves are identical") || !strings.Contains(v, "all identical") || !strings.Contains(v, "15 of 15 checkpoints") || !strings.Contains(v, ": consistent.") {
		t.Errorf("verdict: %s", v)
	}
	t.Logf("%s\n%s", v, c.Table())
	checkReadmeFGD(t, runs, v)
}

var fgdUpdate = flag.Bool("fgd.update", false, "rewrite the README's FGD table and verdict from TestFGDRunForRun's runs")

// checkReadmeFGD compares the README's generated FGD block (between the fgd:begin
// and fgd:end markers) with the summary of the default pod list's runs and the
// verdict, or rewrites it with -fgd.update.
func checkReadmeFGD(t *testing.T, runs []*FGDRun, verdict string) {
	t.Helper()
	var def []*FGDRun
	for _, r := range runs {
		if r != nil && r.Trace == "default" {
			def = append(def, r)
		}
	}
	block := "\n" + FGDTable(SummarizeFGD(def)) + "\n" + verdict + "\n"
	const path, begin, end = "../../README.md", "<!-- fgd:begin -->", "<!-- fgd:end -->"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no %s … %s block", path, begin, end)
	}
	if got := s[i+len(begin) : j]; got != block {
		if !*fgdUpdate {
			t.Errorf("%s: the FGD block is stale (run with -fgd.update); want:%s", path, block)
			return
		}
		if err := os.WriteFile(path, []byte(s[:i+len(begin)]+block+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: FGD block rewritten", path)
	}
}

// TestFGDRunForRunNeedsBothDetails shows that each of the two protocol details
// the artifact needs is necessary: without the informers' ten draws the node ranks
// differ (BestFit, default, seed 42), and with exact integer fragmentation instead
// of the artifact's float sums FGD takes other decisions (gpuspec33, seed 48,
// where a rounding residue makes a no-change placement score 49).
func TestFGDRunForRunNeedsBothDetails(t *testing.T) {
	dir := openbDir(t)
	art, err := ReadFGDArtifact(dir)
	if err != nil {
		t.Skipf("the artifact's cached results are not in %s: %v", dir, err)
	}
	for _, c := range []struct {
		key FGDArtifactKey
		opt FGDOptions
	}{
		{FGDArtifactKey{"default", binpack.GPUBestFit, 1.3, 42}, FGDOptions{Tune: 1.3, InformerDraws: 0}},
		{FGDArtifactKey{"gpuspec33", binpack.GPUFGD, 1.3, 48}, FGDOptions{Tune: 1.3, InformerDraws: FGDInformerDraws, Exact: true}},
	} {
		in, err := LoadFGDInput(dir, c.key.Trace)
		if err != nil {
			t.Fatal(err)
		}
		for _, opt := range []FGDOptions{DefaultFGDOptions(), c.opt} {
			r, err := RunFGDWith(in, c.key.Policy, c.key.Seed, opt)
			if err != nil {
				t.Fatal(err)
			}
			d := CompareFGDRun(r, c.key, art[c.key])
			t.Logf("%+v: %v", opt, d)
			if want := opt == DefaultFGDOptions(); d.Identical() != want {
				t.Errorf("%+v: identical %v, want %v: %v", opt, d.Identical(), want, d)
			}
		}
	}
}

// TestFGDNumpyArithmetic pins the two details of the analysis scripts' arithmetic
// that decide a mean on a rounding tie: numpy rounds v·100 to even (59.035 → 59.04,
// where correct decimal rounding of the same double gives 59.03), and sums pairwise
// in blocks of eight accumulators (which differs from a sequential sum in the
// last bits).
func TestFGDNumpyArithmetic(t *testing.T) {
	v := 59.034999999999997 // the double nearest 59.035, below it
	if got := numpyRound2(v); got != 59.04 {
		t.Errorf("numpyRound2(%v) = %v, want 59.04", v, got)
	}
	if got := goRound2(v); got != 59.03 {
		t.Errorf("goRound2(%v) = %v, want 59.03", v, got)
	}
	// 64 values (a bin of cpu050/clustering/seed 46) whose sequential sum ends
	// above and pairwise sum below 5992.64.
	var a []float64
	for i := range 64 {
		if i < 16 {
			a = append(a, 93.62)
		} else {
			a = append(a, 93.64)
		}
	}
	var seq float64
	for _, x := range a {
		seq += x
	}
	pair := numpySum(a)
	if seq == pair {
		t.Fatalf("sequential and pairwise sums agree (%.17g); the case does not separate them", seq)
	}
	if pair != 5992.6399999999994 || seq != 5992.640000000004 {
		t.Errorf("pairwise %.17g, sequential %.17g; want 5992.6399999999994 and 5992.640000000004", pair, seq)
	}
	// Recursion above 128 values: the halves are cut at a multiple of 8.
	b := make([]float64, 300)
	for i := range b {
		b[i] = 0.1
	}
	if got, want := numpySum(b), numpySum(b[:144])+numpySum(b[144:]); got != want {
		t.Errorf("numpySum(300) = %.17g, want %.17g", got, want)
	}
}
