package families

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

	"gonum.org/v1/gonum/stat"

	"github.com/schedlab/schedlab/bench"
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

// FGDRandomAlpha is the significance level at which the Random policy's
// distribution over seeds counts as different from the artifact's (Welch's
// two-sided t-test per checkpoint).
const FGDRandomAlpha = 0.01

// FGDRandomCheck compares one checkpoint of the Random policy on one pod list,
// as a distribution over seeds: schedlab's runs against the artifact's. Random
// cannot be compared run for run: the artifact draws a uniform index into its
// list of feasible nodes, whose order comes from parallel filtering.
type FGDRandomCheck struct {
	Trace, Metric  string     // metric: alloc@130, frag@80 or unalloc@100
	Ours, Artifact [2]float64 // mean, sd
	N, NArtifact   int
	P              float64 // Welch's two-sided p-value
}

// Consistent reports whether the two distributions' means do not differ at
// FGDRandomAlpha.
func (c FGDRandomCheck) Consistent() bool { return c.P >= FGDRandomAlpha }

// fgdCheckpoints are the paper's table columns: GPU alloc % at 130 % arrived,
// frag ratio % at 80 %, unallocated GPU % at 100 %.
var fgdCheckpoints = []struct {
	name, key string
	x         int
	frag      bool
	f         func(float64) float64
}{
	{"alloc@130", "alloc_at_130", 130, false, func(a float64) float64 { return a }},
	{"frag@80", "frag_at_80", 80, true, func(f float64) float64 { return f }},
	{"unalloc@100", "alloc_at_100", 100, false, func(a float64) float64 { return 100 - a }},
}

// point returns the artifact run's alloc or frag point at x.
func (a *FGDArtifactRun) point(x int, frag bool) (float64, bool) {
	if x < 0 || x > FGDMaxX {
		return 0, false
	}
	if frag {
		return a.Frag[x], a.HasFrag[x]
	}
	return a.Alloc[x], a.HasAlloc[x]
}

// FGDArtifactComparison is a set of runs compared with the artifact's cached
// results: every deterministic run that has a counterpart run for run, and the
// Random runs as distributions over seeds.
type FGDArtifactComparison struct {
	Diffs  []FGDRunDiff
	Random []FGDRandomCheck
}

// AttachFGDArtifact gives every run its counterpart in a (same pod list, policy,
// tune and seed), if there is one, and the deviation from it (FGDRun.Artifact,
// FGDRun.Diff).
func AttachFGDArtifact(runs []*FGDRun, a FGDArtifact) {
	for _, r := range runs {
		if r == nil {
			continue
		}
		k := FGDArtifactKey{r.Trace, r.Policy, r.Tune, r.Seed}
		if ar := a[k]; ar != nil {
			d := CompareFGDRun(r, k, ar)
			r.Artifact, r.Diff = ar, &d
		}
	}
}

// CompareFGDArtifact compares the runs that have a counterpart (see
// AttachFGDArtifact): the deterministic ones run for run, Random per pod list as
// a distribution over seeds.
func CompareFGDArtifact(runs []*FGDRun) FGDArtifactComparison {
	var c FGDArtifactComparison
	random := map[fgdGroup][]*FGDRun{}
	var order []fgdGroup
	for _, r := range runs {
		if r == nil || r.Artifact == nil {
			continue
		}
		if r.Policy == binpack.GPURandom {
			g := r.group()
			if random[g] == nil {
				order = append(order, g)
			}
			random[g] = append(random[g], r)
			continue
		}
		if r.Diff != nil {
			c.Diffs = append(c.Diffs, *r.Diff)
		}
	}
	for _, g := range order {
		for _, cp := range fgdCheckpoints {
			var xs, ys []float64
			for _, r := range random[g] {
				al, fr, ok := r.At(cp.x)
				v, aok := r.Artifact.point(cp.x, cp.frag)
				if !ok || !aok {
					continue
				}
				if cp.frag {
					al = fr
				}
				xs, ys = append(xs, cp.f(al)), append(ys, cp.f(v))
			}
			if len(xs) < 2 {
				continue
			}
			ch := FGDRandomCheck{Trace: g.trace, Metric: cp.name, N: len(xs), NArtifact: len(ys), P: bench.WelchP(xs, ys)}
			ch.Ours[0], ch.Ours[1] = stat.MeanStdDev(xs, nil)
			ch.Artifact[0], ch.Artifact[1] = stat.MeanStdDev(ys, nil)
			c.Random = append(c.Random, ch)
		}
	}
	return c
}

// Identical returns how many deterministic runs are identical to the artifact's,
// and the runs with the largest alloc and frag ratio deviations.
func (c FGDArtifactComparison) Identical() (n int, worstAlloc, worstFrag FGDRunDiff) {
	for i, d := range c.Diffs {
		if d.Identical() {
			n++
		}
		if i == 0 || d.MaxAlloc > worstAlloc.MaxAlloc {
			worstAlloc = d
		}
		if i == 0 || d.MaxFrag > worstFrag.MaxFrag {
			worstFrag = d
		}
	}
	return n, worstAlloc, worstFrag
}

// Verdict states the comparison's result, computed from the measurements.
func (c FGDArtifactComparison) Verdict() string {
	var b strings.Builder
	if len(c.Diffs) > 0 {
		n, wa, wf := c.Identical()
		word := "all identical"
		if n < len(c.Diffs) {
			word = fmt.Sprintf("%d differ", len(c.Diffs)-n)
		}
		fmt.Fprintf(&b, "Run for run: %d of %d deterministic per-seed curves are identical to the artifact's (every point of GPU alloc %% and frag ratio %% within %.2f pp): %s.",
			n, len(c.Diffs), FGDRunTolerance, word)
		if wa.MaxAlloc == 0 && wf.MaxFrag == 0 {
			b.WriteString(" Every point is equal to the artifact's (largest deviation 0).")
		} else {
			fmt.Fprintf(&b, " Largest deviations: %.4g pp GPU alloc (%s, %s, seed %d, at %d %% arrived), %.4g pp frag ratio (%s, %s, seed %d, at %d %%).",
				wa.MaxAlloc, wa.Key.Trace, wa.Key.Policy, wa.Key.Seed, wa.AllocX, wf.MaxFrag, wf.Key.Trace, wf.Key.Policy, wf.Key.Seed, wf.FragX)
		}
	}
	if len(c.Random) > 0 {
		k := 0
		for _, r := range c.Random {
			if r.Consistent() {
				k++
			}
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		lists := "pod lists"
		if len(c.Random) <= len(fgdCheckpoints) {
			lists = "pod list"
		}
		fmt.Fprintf(&b, "Random, as a distribution over seeds (it cannot match run for run: the artifact draws among feasible nodes in the order its parallel filter returns them): %d of %d checkpoints (%d %s × alloc@130, frag@80, unalloc@100) show no difference in mean from the artifact's at α = %.2f (Welch's t-test)",
			k, len(c.Random), (len(c.Random)+len(fgdCheckpoints)-1)/len(fgdCheckpoints), lists, FGDRandomAlpha)
		if k == len(c.Random) {
			b.WriteString(": consistent.")
		} else {
			fmt.Fprintf(&b, ": %d differ.", len(c.Random)-k)
		}
	}
	if b.Len() == 0 {
		return "No run has a counterpart in the artifact's results (they cover tune 1.3, seeds 42–51)."
	}
	return b.String()
}

// Table formats the comparison: one row per (pod list, policy) with the count of
// identical seeds and the largest deviations, then the Random checks.
func (c FGDArtifactComparison) Table() string {
	var b strings.Builder
	if len(c.Diffs) > 0 {
		b.WriteString("| pod list | policy | runs identical | max Δ GPU alloc (pp) | max Δ frag ratio (pp) |\n|---|---|---|---|---|\n")
		type row struct {
			trace  string
			policy binpack.GPUKind
		}
		agg := map[row]*[4]float64{}
		var rows []row
		for _, d := range c.Diffs {
			r := row{d.Key.Trace, d.Key.Policy}
			a := agg[r]
			if a == nil {
				a = &[4]float64{}
				agg[r] = a
				rows = append(rows, r)
			}
			if d.Identical() {
				a[0]++
			}
			a[1]++
			a[2], a[3] = max(a[2], d.MaxAlloc), max(a[3], d.MaxFrag)
		}
		slices.SortStableFunc(rows, func(x, y row) int {
			if c := strings.Compare(x.trace, y.trace); c != 0 {
				return c
			}
			return int(x.policy) - int(y.policy)
		})
		for _, r := range rows {
			a := agg[r]
			fmt.Fprintf(&b, "| %s | %s | %.0f of %.0f | %.2f | %.2f |\n", r.trace, r.policy, a[0], a[1], a[2], a[3])
		}
	}
	if len(c.Random) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "| pod list | Random checkpoint | schedlab mean (sd), n | artifact mean (sd), n | Welch p | verdict (α = %.2f) |\n|---|---|---|---|---|---|\n", FGDRandomAlpha)
		for _, r := range c.Random {
			v := "consistent"
			if !r.Consistent() {
				v = "differs"
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f (%.2f), %d | %.2f (%.2f), %d | %.3f | %s |\n", r.Trace, r.Metric, r.Ours[0], r.Ours[1], r.N, r.Artifact[0], r.Artifact[1], r.NArtifact, r.P, v)
		}
	}
	return b.String()
}
