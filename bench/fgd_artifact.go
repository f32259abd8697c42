package bench

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/policies/binpack"
)

// The FGD artifact's cached per-seed results (hkust-adsl/kubernetes-scheduler-simulator,
// experiments/analysis/expected_results): one row per (workload, policy, tune, seed)
// with the GPU allocation % and the fragmentation ratio % at each 1 % of arrived
// GPU demand. The fgd scenario compares its runs with them, run for run.

// FGDArtifactAllocFile and FGDArtifactFragFile are the names the cached results
// have in the openb data directory.
const (
	FGDArtifactAllocFile = "artifact_expected_alloc.csv"
	FGDArtifactFragFile  = "artifact_expected_frag_ratio.csv"
)

// FGDRunTolerance is the largest deviation, in percentage points, at which a
// curve point still counts as equal to the artifact's (its values carry two
// decimals).
const FGDRunTolerance = 0.01

// fgdArtifactPolicies maps the artifact's sc_policy labels to the policies.
var fgdArtifactPolicies = map[string]binpack.GPUKind{
	"01-Random": binpack.GPURandom, "02-DotProd": binpack.GPUDotProduct, "03-GpuClustering": binpack.GPUClustering,
	"04-GpuPacking": binpack.GPUPacking, "05-BestFit": binpack.GPUBestFit, "06-FGD": binpack.GPUFGD,
}

// FGDArtifactKey names one run of the artifact: pod list (the part after
// openb_pod_list_), policy, tune ratio and seed.
type FGDArtifactKey struct {
	Trace  string
	Policy binpack.GPUKind
	Tune   float64
	Seed   int64
}

// FGDArtifactRun is one cached run: the curve points the artifact reports.
type FGDArtifactRun struct {
	Alloc, Frag       [FGDMaxX + 1]float64
	HasAlloc, HasFrag [FGDMaxX + 1]bool
}

// FGDArtifact is the artifact's cached results, by run.
type FGDArtifact map[FGDArtifactKey]*FGDArtifactRun

// ReadFGDArtifact reads FGDArtifactAllocFile and FGDArtifactFragFile from dir.
// It returns an error wrapping fs.ErrNotExist when either is absent, and an error
// naming the file, line and column for a malformed row.
func ReadFGDArtifact(dir string) (FGDArtifact, error) {
	a := FGDArtifact{}
	if err := a.read(filepath.Join(dir, FGDArtifactAllocFile), false); err != nil {
		return nil, err
	}
	if err := a.read(filepath.Join(dir, FGDArtifactFragFile), true); err != nil {
		return nil, err
	}
	return a, nil
}

func (a FGDArtifact) read(path string, frag bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 64<<20))
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: line 1: %w", path, err)
	}
	for i := range head {
		head[i] = strings.TrimSpace(head[i])
	}
	first := 4 // workload, sc_policy, tune, seed
	if !frag {
		first = 5 // and total_gpus
	}
	want := []string{"workload", "sc_policy", "tune", "seed", "total_gpus"}[:first]
	if len(head) < first || !slices.Equal(head[:first], want) {
		return fmt.Errorf("%s: line 1: header starts %q, want %q", path, head[:min(len(head), first)], want)
	}
	xs := make([]int, len(head)-first)
	for i, h := range head[first:] {
		x, err := strconv.Atoi(h)
		if err != nil || x < 0 || x > FGDMaxX {
			return fmt.Errorf("%s: line 1: column %d: %q is not an arrived %% in 0..%d", path, first+i+1, h, FGDMaxX)
		}
		xs[i] = x
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		bad := func(col int, what string) error {
			return fmt.Errorf("%s: line %d: column %d (%s): %q is not %s", path, line, col+1, head[col], rec[col], what)
		}
		trace, ok := strings.CutPrefix(rec[0], "openb_pod_list_")
		if !ok || trace == "" {
			return bad(0, "openb_pod_list_<trace>")
		}
		kind, ok := fgdArtifactPolicies[rec[1]]
		if !ok {
			return bad(1, "a policy label (01-Random … 06-FGD)")
		}
		tune, err := strconv.ParseFloat(rec[2], 64)
		if err != nil || !(tune > 0) {
			return bad(2, "a positive tune ratio")
		}
		seed, err := strconv.ParseInt(rec[3], 10, 64)
		if err != nil {
			return bad(3, "an integer seed")
		}
		k := FGDArtifactKey{trace, kind, tune, seed}
		run := a[k]
		if run == nil {
			run = &FGDArtifactRun{}
			a[k] = run
		}
		for i, x := range xs {
			col := first + i
			if rec[col] == "" {
				continue
			}
			v, err := strconv.ParseFloat(rec[col], 64)
			if err != nil || math.IsNaN(v) || v < 0 || v > 100 {
				return bad(col, "a percentage")
			}
			if frag {
				run.Frag[x], run.HasFrag[x] = v, true
			} else {
				run.Alloc[x], run.HasAlloc[x] = v, true
			}
		}
	}
}

// FGDRunDiff is how far one run's curves are from the artifact's run with the
// same trace, policy, tune and seed.
type FGDRunDiff struct {
	Key FGDArtifactKey
	// Points is the number of curve points compared (both sides have a value);
	// Missing counts points only one side has.
	Points, Missing int
	// MaxAlloc and MaxFrag are the largest absolute deviations (pp), at AllocX and FragX.
	MaxAlloc, MaxFrag float64
	AllocX, FragX     int
}

// Identical reports whether every point is within FGDRunTolerance and no point
// is missing on either side.
func (d FGDRunDiff) Identical() bool {
	return d.Missing == 0 && d.Points > 0 && d.MaxAlloc <= FGDRunTolerance+1e-9 && d.MaxFrag <= FGDRunTolerance+1e-9
}

// CompareFGDRun compares run with the artifact's run a.
func CompareFGDRun(run *FGDRun, key FGDArtifactKey, a *FGDArtifactRun) FGDRunDiff {
	d := FGDRunDiff{Key: key}
	for x := 0; x <= FGDMaxX; x++ {
		alloc, frag, ok := run.At(x)
		for _, side := range []struct {
			has  bool
			ours float64
			v    float64
			max  *float64
			at   *int
		}{{a.HasAlloc[x], alloc, a.Alloc[x], &d.MaxAlloc, &d.AllocX}, {a.HasFrag[x], frag, a.Frag[x], &d.MaxFrag, &d.FragX}} {
			switch {
			case side.has && ok:
				d.Points++
				if dev := math.Abs(side.ours - side.v); dev > *side.max {
					*side.max, *side.at = dev, x
				}
			case side.has || ok:
				d.Missing++
			}
		}
	}
	return d
}
