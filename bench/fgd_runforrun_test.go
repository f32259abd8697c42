package bench

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/schedlab/schedlab/policies/binpack"
)

// fgdArtifactTraces are the pod lists whose artifact results ../shared/data/openb holds.
var fgdArtifactTraces = []string{"default", "cpu050", "gpushare100", "gpuspec33", "multigpu50"}

// runArtifactMatrix runs every (trace, policy, seed) of the artifact's cache with
// opt on two workers and compares each run with the artifact's.
func runArtifactMatrix(t *testing.T, dir string, art FGDArtifact, kinds []binpack.GPUKind, opt FGDOptions) []FGDRunDiff {
	t.Helper()
	var keys []FGDArtifactKey
	for k := range art {
		if k.Tune == opt.Tune && k.Policy != binpack.GPURandom && (kinds == nil || slices.Contains(kinds, k.Policy)) {
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
	diffs := make([]FGDRunDiff, len(keys))
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
				diffs[i] = CompareFGDRun(r, k, art[k])
			}
		}()
	}
	for i := range keys {
		next <- i
	}
	close(next)
	wg.Wait()
	return diffs
}

func (d FGDRunDiff) String() string {
	return fmt.Sprintf("%s/%s/seed %d: max |Δ alloc| %.4f pp at %d %%, max |Δ frag| %.4f pp at %d %%, %d points, %d missing",
		d.Key.Trace, d.Key.Policy, d.Key.Seed, d.MaxAlloc, d.AllocX, d.MaxFrag, d.FragX, d.Points, d.Missing)
}

// TestFGDRunForRun is the fgd scenario's protocol check: every deterministic
// per-seed curve on the five shared pod lists equals the artifact's within
// FGDRunTolerance.
func TestFGDRunForRun(t *testing.T) {
	dir := openbDir(t)
	art, err := ReadFGDArtifact(dir)
	if err != nil {
		t.Skipf("the artifact's cached results are not in %s: %v", dir, err)
	}
	diffs := runArtifactMatrix(t, dir, art, nil, DefaultFGDOptions())
	identical := 0
	var worstA, worstF FGDRunDiff
	for _, d := range diffs {
		if d.Identical() {
			identical++
		} else {
			t.Errorf("not identical: %v", d)
		}
		if d.MaxAlloc >= worstA.MaxAlloc {
			worstA = d
		}
		if d.MaxFrag >= worstF.MaxFrag {
			worstF = d
		}
	}
	t.Logf("%d of %d deterministic per-seed curves identical; largest deviations: %v; %v", identical, len(diffs), worstA, worstF)
	if len(diffs) != 250 {
		t.Errorf("%d runs compared, want 250 (5 lists × 5 deterministic policies × 10 seeds)", len(diffs))
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
			if want := opt == DefaultFGDOptions(); d.Identical() != want {
				t.Errorf("%+v: identical %v, want %v: %v", opt, d.Identical(), want, d)
			}
		}
	}
}
