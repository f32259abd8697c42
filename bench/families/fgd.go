package families

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/binpack"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/traces"
)

// FGD reproduction (docs/fgd.md): the experiment of the USENIX ATC'23 paper "Beware of
// Fragmentation" on the Alibaba openb trace, one (trace, policy, seed) per run.

// OpenbEnv is the environment variable that names the openb data directory.
const OpenbEnv = "SCHEDLAB_OPENB"

// DefaultOpenbDir returns $SCHEDLAB_OPENB, or ../shared/data/openb (the project's
// shared data, relative to the module root) when it is unset.
func DefaultOpenbDir() string {
	if d := os.Getenv(OpenbEnv); d != "" {
		return d
	}
	return filepath.Join("..", "shared", "data", "openb")
}

// FGDTuneRatio is the arrived GPU demand the trace is tuned to, × capacity.
const FGDTuneRatio = 1.3

// FGDInput is a loaded openb experiment input: the GPU-node cluster and one pod list.
// It is read-only once loaded, so runs may share it.
type FGDInput struct {
	Trace string
	Nodes []scheduler.Node
	Pods  []traces.OpenbPod // sorted by name (W0)
	// Typical is the typical-pod distribution of the original trace (95 %).
	Typical *binpack.TypicalPods
}

// LoadFGDInput reads openb_node_list_gpu_node.csv and openb_pod_list_<trace>.csv
// from dir.
func LoadFGDInput(dir, trace string) (*FGDInput, error) {
	nodes, err := traces.ReadOpenbNodes(filepath.Join(dir, "openb_node_list_gpu_node.csv"))
	if err != nil {
		return nil, err
	}
	pods, err := traces.ReadOpenbPods(filepath.Join(dir, "openb_pod_list_"+trace+".csv"))
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 || len(pods) == 0 {
		return nil, fmt.Errorf("fgd: %s: empty node or pod list", dir)
	}
	slices.SortStableFunc(pods, func(a, b traces.OpenbPod) int { return strings.Compare(a.Name, b.Name) })
	in := &FGDInput{Trace: trace, Nodes: nodes, Pods: pods}
	shapes := make([]binpack.PodShape, len(pods))
	for i := range pods {
		t := fgdTask(&pods[i])
		shapes[i] = binpack.ShapeOf(&t)
	}
	in.Typical = binpack.NewTypicalPods(shapes, 95)
	return in, nil
}

// fgdTask converts a pod as pod_csv_to_yaml.py does (docs/fgd.md).
func fgdTask(p *traces.OpenbPod) scheduler.Task {
	t := scheduler.Task{Request: scheduler.Res(p.CPUMilli, p.MemoryMiB, 0)}
	if p.NumGPU != 0 {
		g := min(max(p.GPUMilli, 0), 1000)
		t.GPUCount, t.GPUMilli = int32(p.NumGPU), int32(g)
		t.Request[scheduler.GPU] = int64(p.NumGPU) * g
		var models []string
		for _, m := range strings.Split(p.GPUSpec, "|") {
			if m != "" {
				models = append(models, m)
			}
		}
		if len(models) > 0 {
			t.Constraints = &scheduler.Constraints{GPUModels: models}
		}
	}
	return t
}

// FGDMaxX is the last point of the curves at the default tune ratio (130 %
// arrived); a run tuned higher has its curves up to FGDRun.MaxX.
const FGDMaxX = 130

// FGDInformerDraws is how many values the FGD simulator's client-go reflectors
// draw from its seeded source between the tune draws and the node permutation
// (watch jitter; docs/fgd.md). Consuming them gives the artifact's node ranks.
const FGDInformerDraws = 10

// FGDOptions are a run's protocol parameters.
type FGDOptions struct {
	// Tune is the arrived GPU demand the pod list is tuned to, × capacity (the
	// artifact's -tune; the paper uses 1.3). It must be in (0, 10].
	Tune float64
	// InformerDraws is the number of values drawn from the seeded source between
	// the tune draws and Perm (FGDInformerDraws reproduces the artifact's runs;
	// 0 is the protocol as written in the paper's code without its informers).
	InformerDraws int
	// Exact scores FGD with exact integer fragmentation instead of the artifact's
	// float64 sums (a placement that changes nothing then always scores 50; with
	// the artifact's arithmetic a rounding residue can make it 49).
	Exact bool
}

// DefaultFGDOptions returns the artifact's protocol: tune 1.3, 10 informer
// draws, the artifact's float arithmetic.
func DefaultFGDOptions() FGDOptions {
	return FGDOptions{Tune: FGDTuneRatio, InformerDraws: FGDInformerDraws}
}

func (o FGDOptions) validate() error {
	if !(o.Tune > 0 && o.Tune <= 10) {
		return fmt.Errorf("fgd: tune %v: want a ratio in (0, 10]", o.Tune)
	}
	if o.InformerDraws < 0 || o.InformerDraws > 1000 {
		return fmt.Errorf("fgd: informer draws %d: want 0..1000", o.InformerDraws)
	}
	return nil
}

// fgdMaxX is the last curve point for tune ratio tune.
func fgdMaxX(tune float64) int { return max(FGDMaxX, int(math.Ceil(100*tune))+1) }

// FGDRun is the outcome of one run: the curves of docs/fgd.md, the end-of-run
// report of §6.3 and totals.
type FGDRun struct {
	Trace    string
	Policy   binpack.GPUKind
	Seed     int64
	Tune     float64
	Pods     int // after tuning
	Failed   int
	Arrived  int64 // milli-GPU
	Capacity int64 // milli-GPU
	// Alloc[x] and Frag[x] are the curve points at x % arrived (x = 0..MaxX);
	// Has[x] is false for a missing point.
	Alloc, Frag []float64
	Has         []bool
	// Report is the end-of-run "Cluster Analysis" (nil for a run rebuilt from a
	// result without it).
	Report *FGDReport
	// Artifact and Diff are the FGD artifact's run with the same pod list,
	// policy, tune and seed, and this run's deviation from it (nil without one;
	// see AttachFGDArtifact). A run rebuilt from a result carries only the
	// artifact's checkpoints.
	Artifact *FGDArtifactRun
	Diff     *FGDRunDiff
	Wall     time.Duration
}

// fgdGroup is a set of runs on one pod list at one tune ratio.
type fgdGroup struct {
	trace string
	tune  float64
}

func (r *FGDRun) group() fgdGroup { return fgdGroup{r.Trace, r.Tune} }

// MaxX is the last curve point.
func (r *FGDRun) MaxX() int { return len(r.Has) - 1 }

// At returns the curve points at x, and whether x has them.
func (r *FGDRun) At(x int) (alloc, frag float64, ok bool) {
	if x < 0 || x >= len(r.Has) || !r.Has[x] {
		return 0, 0, false
	}
	return r.Alloc[x], r.Frag[x], true
}

func newFGDCurves(r *FGDRun, maxX int) {
	r.Alloc, r.Frag, r.Has = make([]float64, maxX+1), make([]float64, maxX+1), make([]bool, maxX+1)
}

// RunFGD runs one (trace, policy, seed) of the FGD protocol with the default
// options (DefaultFGDOptions).
func RunFGD(in *FGDInput, kind binpack.GPUKind, seed int64) (*FGDRun, error) {
	return RunFGDWith(in, kind, seed, DefaultFGDOptions())
}

// RunFGDWith runs one (trace, policy, seed) of the FGD protocol (docs/fgd.md):
// math/rand v1 seeded with seed; one Int(); Shuffle of the name-sorted pods; tune
// to opt.Tune × capacity; opt.InformerDraws draws; Perm for the node tie-break
// ranks; then one pod at a time, failed pods never retried, metrics after every
// event; the end-of-run report.
func RunFGDWith(in *FGDInput, kind binpack.GPUKind, seed int64, opt FGDOptions) (*FGDRun, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	rng := rand.New(rand.NewSource(seed))
	_ = rng.Int() // the eagerly evaluated debug-log argument

	// Step 4: pod order.
	n0 := len(in.Pods)
	list := make([]int, n0, n0+n0/2)
	for i := range list {
		list[i] = i
	}
	rng.Shuffle(n0, func(i, j int) { list[i], list[j] = list[j], list[i] })

	// Step 5: tune.
	var capacity int64
	for i := range in.Nodes {
		capacity += in.Nodes[i].Capacity[scheduler.GPU]
	}
	demand := func(i int) int64 {
		p := &in.Pods[i]
		if p.NumGPU == 0 {
			return 0
		}
		return int64(p.NumGPU) * min(max(p.GPUMilli, 0), 1000)
	}
	var D int64
	for _, i := range list {
		D += demand(i)
	}
	T := int64(float64(capacity) * opt.Tune)
	if D < T {
		for {
			idx := rng.Intn(n0)
			g := int64(0)
			if in.Pods[idx].NumGPU != 0 {
				g = min(max(in.Pods[idx].GPUMilli, 0), 1000)
			}
			if D+g > T {
				break
			}
			list = append(list, idx)
			D += demand(idx)
		}
	} else {
		for D > T {
			idx := rng.Intn(len(list))
			D -= demand(list[idx])
			list = slices.Delete(list, idx, idx+1)
		}
	}

	// The informers' reflector jitter.
	for range opt.InformerDraws {
		rng.Int63()
	}

	// Step 6: node ranks.
	byName := make([]int, len(in.Nodes))
	for i := range byName {
		byName[i] = i
	}
	slices.SortStableFunc(byName, func(a, b int) int { return strings.Compare(in.Nodes[a].Name, in.Nodes[b].Name) })
	perm := rng.Perm(len(in.Nodes))
	rank := make([]int32, len(in.Nodes))
	for pos, id := range byName {
		rank[id] = int32(perm[pos])
	}

	s, err := scheduler.NewState(in.Nodes)
	if err != nil {
		return nil, fmt.Errorf("fgd: %w", err)
	}
	frag := binpack.NewFrag(in.Typical)
	pol, err := binpack.NewGPUPolicy(kind, frag)
	if err != nil {
		return nil, err
	}
	pol.Rank = rank
	pol.Intn = rng.Intn
	pol.ArtifactArithmetic = !opt.Exact
	scheduler.AttachPlacer(pol, s, nil) // Random draws from the artifact's stream (Intn)
	tr := binpack.NewFragTracker(frag, s)

	// Step 7: replay, with the per-event metrics of docs/fgd.md
	maxX := fgdMaxX(opt.Tune)
	tasks := make([]scheduler.Task, len(list))
	run := &FGDRun{Trace: in.Trace, Policy: kind, Seed: seed, Tune: opt.Tune, Pods: len(list), Capacity: capacity}
	ev := fgdEvents{gpus: float64(capacity / 1000)}
	ev.grow(len(list))
	var arrived int64
	for i, pi := range list {
		t := &tasks[i]
		*t = fgdTask(&in.Pods[pi])
		t.ID = scheduler.TaskID(i)
		t.Node = scheduler.NoNode
		arrived += t.Request[scheduler.GPU]
		id, gpus, st := pol.Place(s, t)
		if st.IsOK() {
			st = s.Place(t, id, gpus, false)
		}
		if !st.IsOK() {
			run.Failed++
		}
		ev.add(arrived, s.Allocated()[scheduler.GPU], tr.Ratio())
	}
	run.Arrived = arrived
	ev.curves(run, maxX)
	run.Report = fgdReport(s, frag)
	run.Wall = time.Since(start)
	return run, nil
}

// fgdEvents holds the per-event values of a run in event order, as the
// artifact's analysis scripts (merge_alloc_discrete.py, merge_frag_ratio_discrete.py)
// read them from its logs: arrive% = round(arrived / GPUs / 10), alloc% =
// round(used / GPUs / 10, 2), the frag ratio as logged with two decimals.
type fgdEvents struct {
	gpus        float64
	x           []int
	alloc, frag []float64
}

func (e *fgdEvents) grow(n int) {
	e.x, e.alloc, e.frag = make([]int, 0, n), make([]float64, 0, n), make([]float64, 0, n)
}

func (e *fgdEvents) add(arrived, used int64, ratio float64) {
	e.x = append(e.x, int(math.RoundToEven(float64(arrived)/e.gpus/10)))
	e.alloc = append(e.alloc, numpyRound2(float64(used)/e.gpus/10))
	e.frag = append(e.frag, goRound2(ratio))
}

// curves sets run's curve points 0..maxX (docs/fgd.md): the mean over the
// events with arrive% = x, or if there are none over those with x−1 ≤ arrive% ≤
// x+1, summed in event order as numpy sums (pandas' mean); alloc rounded to 2
// decimals as numpy rounds. With numpy's rounding and summation every alloc
// point equals the artifact's bit for bit; sequential sums or correctly rounded
// decimals differ from it at about one point in a thousand, by 0.01, where a
// mean lands on a rounding tie. arrive% never decreases, so each set is a
// contiguous run of events.
func (e *fgdEvents) curves(run *FGDRun, maxX int) {
	newFGDCurves(run, maxX)
	span := func(lo, hi int) (int, int) { // events with lo ≤ x ≤ hi
		a, _ := slices.BinarySearch(e.x, lo)
		b, _ := slices.BinarySearch(e.x, hi+1)
		return a, b
	}
	for x := 0; x <= maxX; x++ {
		a, b := span(x, x)
		if a == b {
			a, b = span(x-1, x+1)
		}
		if a == b {
			continue
		}
		n := float64(b - a)
		run.Alloc[x] = numpyRound2(numpySum(e.alloc[a:b]) / n)
		run.Frag[x] = numpySum(e.frag[a:b]) / n
		run.Has[x] = true
	}
}

// numpyRound2 is round(v, 2) on a numpy float64, as the analysis scripts apply
// it: rint(v·100)/100 (the product is rounded first, then ties go to even).
func numpyRound2(v float64) float64 { return math.RoundToEven(v*100) / 100 }

// goRound2 is v as the simulator logs it, with "%.2f" (correctly rounded),
// read back.
func goRound2(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 2, 64), 64)
	return r
}

// numpySum is numpy's sum of a contiguous float64 array: pairwise summation
// in blocks of up to 128 with eight accumulators, as pandas' mean uses it; the
// order matters for the last bits, and so for a mean that lands on a rounding
// tie.
func numpySum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		var r float64
		for _, v := range a {
			r += v
		}
		return r
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return numpySum(a[:n2]) + numpySum(a[n2:])
	}
}

// FGDReport is the end-of-run "Cluster Analysis" of the FGD simulator
// (docs/fgd.md, pkg/simulator/analysis.go): allocation ratios and the cluster's
// idle GPU by fragmentation class.
type FGDReport struct {
	// Requested and allocatable amounts: MilliCPU (milli-CPU), Memory (bytes, as
	// the simulator prints them: MiB × 2^20), GPU (devices with any allocation /
	// all devices), MilliGPU (allocated milli-GPU / capacity).
	MilliCPU, Memory, GPU, MilliGPU [2]int64
	// Classes is the idle GPU (milli-GPU) by class, indexed like
	// binpack.FragClassNames, in the simulator's float64 arithmetic.
	Classes [binpack.NumFragClasses]float64
}

// Idle returns idle_gpu_milli: the sum of the classes.
func (r *FGDReport) Idle() float64 {
	var v float64
	for _, c := range r.Classes {
		v += c
	}
	return v
}

// Frag returns frag_gpu_milli: every class but q3_satisfied.
func (r *FGDReport) Frag() float64 { return binpack.FragSum(&r.Classes) }

// Share returns v as a percentage of the idle GPU (0 when nothing is idle), as
// the simulator prints each class's share.
func (r *FGDReport) Share(v float64) float64 {
	if idle := r.Idle(); idle != 0 {
		return 100 * v / idle
	}
	return 0
}

func ratioPct(a [2]int64) float64 {
	if a[1] == 0 {
		return 0
	}
	return 100 * float64(a[0]) / float64(a[1])
}

func fgdReport(s *scheduler.State, f *binpack.Frag) *FGDReport {
	r := &FGDReport{}
	for i := range s.NumNodes() {
		id := scheduler.NodeID(i)
		n := s.Node(id)
		free := s.Free(id)
		r.MilliCPU[0] += n.Capacity[scheduler.CPU] - free[scheduler.CPU]
		r.MilliCPU[1] += n.Capacity[scheduler.CPU]
		r.Memory[0] += (n.Capacity[scheduler.Memory] - free[scheduler.Memory]) << 20
		r.Memory[1] += n.Capacity[scheduler.Memory] << 20
		gfree := s.GPUFree(id)
		for _, g := range gfree {
			if g < 1000 {
				r.GPU[0]++
			}
			r.MilliGPU[0] += 1000 - int64(g)
		}
		r.GPU[1] += int64(len(gfree))
		r.MilliGPU[1] += 1000 * int64(len(gfree))
		c := f.Classes(f.Model(n.GPUModel), free[scheduler.CPU], gfree)
		for k, v := range c {
			r.Classes[k] += v
		}
	}
	return r
}

// String formats the report as the simulator's log does.
func (r *FGDReport) String() string {
	var b strings.Builder
	b.WriteString("Allocation Ratio:\n")
	for _, a := range []struct {
		name string
		v    [2]int64
	}{{"MilliCpu", r.MilliCPU}, {"Memory", r.Memory}, {"Gpu", r.GPU}, {"MilliGpu", r.MilliGPU}} {
		fmt.Fprintf(&b, "    %-9s: %4.1f%% (%d/%d)\n", a.name, ratioPct(a.v), a.v[0], a.v[1])
	}
	idle := r.Idle()
	share := func(v float64) float64 {
		if idle == 0 {
			return 0
		}
		return 100 * v / idle
	}
	for k, v := range r.Classes {
		fmt.Fprintf(&b, "%-13s: %6.2f x 10^3 (%5.2f%%)\n", binpack.FragClassNames[k], v/1000, share(v))
	}
	b.WriteString("--------------------\n")
	fmt.Fprintf(&b, "%-13s: %6.2f x 10^3 (100.0%%)\n", "idle_gpu_milli", idle/1000)
	fmt.Fprintf(&b, "%-13s: %6.2f x 10^3 (%5.2f%%)\n", "frag_gpu_milli", r.Frag()/1000, share(r.Frag()))
	return b.String()
}

// FGDPaper holds the published means for openb_pod_list_default (docs/fgd.md):
// GPU alloc % at 130 % arrived, frag ratio % at 80 % arrived, unallocated % at 100 %.
var FGDPaper = map[binpack.GPUKind][3]float64{
	binpack.GPURandom:     {87.47, 74.64, 13.70},
	binpack.GPUDotProduct: {90.85, 50.50, 9.38},
	binpack.GPUClustering: {91.88, 46.86, 8.35},
	binpack.GPUPacking:    {92.00, 46.43, 8.22},
	binpack.GPUBestFit:    {93.08, 41.49, 7.14},
	binpack.GPUFGD:        {95.39, 29.86, 4.77},
}

// FGDSummary is the mean, min and max over seeds of one policy's checkpoints on
// one pod list at one tune ratio.
type FGDSummary struct {
	Trace                        string
	Tune                         float64
	Policy                       binpack.GPUKind
	Seeds                        int
	Alloc130, Frag80, Unalloc100 [3]float64 // mean, min, max
	Wall                         time.Duration
}

// Paper returns the published means for s (FGDPaper), which exist only for the
// default pod list at tune 1.3.
func (s FGDSummary) Paper() ([3]float64, bool) {
	p, ok := FGDPaper[s.Policy]
	return p, ok && s.Trace == "default" && s.Tune == FGDTuneRatio
}

func meanMinMax(v []float64) [3]float64 {
	if len(v) == 0 {
		return [3]float64{math.NaN(), math.NaN(), math.NaN()}
	}
	r := [3]float64{0, v[0], v[0]}
	for _, x := range v {
		r[0] += x
		r[1], r[2] = min(r[1], x), max(r[2], x)
	}
	r[0] /= float64(len(v))
	return r
}

// SummarizeFGD groups runs by pod list and tune (in the order they first
// appear) and policy (in GPUKind order).
func SummarizeFGD(runs []*FGDRun) []FGDSummary {
	var groups []fgdGroup
	for _, r := range runs {
		if r != nil && !slices.Contains(groups, r.group()) {
			groups = append(groups, r.group())
		}
	}
	var out []FGDSummary
	for _, g := range groups {
		for k := binpack.GPURandom; k <= binpack.GPUFGD; k++ {
			var a, f, u []float64
			var wall time.Duration
			for _, r := range runs {
				if r == nil || r.Policy != k || r.Trace != g.trace || r.Tune != g.tune {
					continue
				}
				wall += r.Wall
				if v, _, ok := r.At(130); ok {
					a = append(a, v)
				}
				if _, v, ok := r.At(80); ok {
					f = append(f, v)
				}
				if v, _, ok := r.At(100); ok {
					u = append(u, 100-v)
				}
			}
			if len(a)+len(f) == 0 {
				continue
			}
			out = append(out, FGDSummary{Trace: g.trace, Tune: g.tune, Policy: k, Seeds: len(a), Alloc130: meanMinMax(a), Frag80: meanMinMax(f), Unalloc100: meanMinMax(u), Wall: wall})
		}
	}
	return out
}

// FGDTable formats summaries beside the paper's numbers (where the paper has
// them: the default pod list at tune 1.3; "–" elsewhere) as a markdown table.
func FGDTable(sums []FGDSummary) string {
	var b strings.Builder
	b.WriteString("| pod list | tune | policy | seeds | GPU alloc % @130% arrived: measured mean [min, max] | paper | Δ | FGD fragmentation ratio % @80% arrived: measured mean [min, max] | paper | Δ | unallocated % @100%: measured | paper |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range sums {
		p, ok := s.Paper()
		paper := func(i int, v float64, delta bool) string {
			if !ok {
				if delta {
					return "– | –"
				}
				return "–"
			}
			if delta {
				d := v - p[i]
				if math.Abs(d) < 0.005 {
					d = 0 // no "-0.00"
				}
				return fmt.Sprintf("%.2f | %+.2f", p[i], d)
			}
			return fmt.Sprintf("%.2f", p[i])
		}
		fmt.Fprintf(&b, "| %s | %g | %s | %d | %.2f [%.2f, %.2f] | %s | %.2f [%.2f, %.2f] | %s | %.2f | %s |\n",
			s.Trace, s.Tune, s.Policy, s.Seeds, s.Alloc130[0], s.Alloc130[1], s.Alloc130[2], paper(0, s.Alloc130[0], true),
			s.Frag80[0], s.Frag80[1], s.Frag80[2], paper(1, s.Frag80[0], true), s.Unalloc100[0], paper(2, 0, false))
	}
	return b.String()
}

// FGDCurvesCSV formats the runs' curves: trace, tune, policy, seed, x, alloc, frag.
func FGDCurvesCSV(runs []*FGDRun) string {
	var b strings.Builder
	b.WriteString("trace,tune,policy,seed,arrived_pct,alloc_pct,frag_ratio_pct\n")
	for _, r := range runs {
		if r == nil {
			continue
		}
		for x := range r.Has {
			if r.Has[x] {
				fmt.Fprintf(&b, "%s,%g,%s,%d,%d,%.2f,%.4f\n", r.Trace, r.Tune, r.Policy, r.Seed, x, r.Alloc[x], r.Frag[x])
			}
		}
	}
	return b.String()
}

// FGDReportTable formats every run's end-of-run report as a markdown table: the
// allocation ratios, then each class's idle GPU in 10^3 milli-GPU with its share
// of the idle GPU, as the simulator's "Cluster Analysis" prints them.
func FGDReportTable(runs []*FGDRun) string {
	var b strings.Builder
	b.WriteString("| pod list | tune | policy | seed | MilliCpu % | Memory % | Gpu % (used/all) | MilliGpu % (allocated/capacity) |")
	for _, n := range binpack.FragClassNames {
		b.WriteString(" " + n + " ×10³ (%) |")
	}
	b.WriteString(" idle_gpu_milli ×10³ | frag_gpu_milli ×10³ (%) |\n|---|---|---|---|---|---|---|---|")
	b.WriteString(strings.Repeat("---|", binpack.NumFragClasses+2) + "\n")
	for _, r := range runs {
		if r == nil || r.Report == nil {
			continue
		}
		rp := r.Report
		fmt.Fprintf(&b, "| %s | %g | %s | %d | %.1f | %.1f | %.1f (%d/%d) | %.1f (%d/%d) |", r.Trace, r.Tune, r.Policy, r.Seed,
			ratioPct(rp.MilliCPU), ratioPct(rp.Memory), ratioPct(rp.GPU), rp.GPU[0], rp.GPU[1], ratioPct(rp.MilliGPU), rp.MilliGPU[0], rp.MilliGPU[1])
		for _, v := range rp.Classes {
			fmt.Fprintf(&b, " %.2f (%.2f) |", v/1000, rp.Share(v))
		}
		fmt.Fprintf(&b, " %.2f | %.2f (%.2f) |\n", rp.Idle()/1000, rp.Frag()/1000, rp.Share(rp.Frag()))
	}
	return b.String()
}

// fgdReportJSON is one run's entry in fgd_report.json: its end-of-run report and,
// when the artifact has the same run, the deviation from it.
type fgdReportJSON struct {
	Trace      string                  `json:"trace"`
	Tune       float64                 `json:"tune"`
	Policy     string                  `json:"policy"`
	Seed       int64                   `json:"seed"`
	Allocation map[string]fgdAllocJSON `json:"allocation"`
	Classes    map[string]fgdClassJSON `json:"classes"`
	Idle       float64                 `json:"idle_gpu_milli"`
	Frag       fgdClassJSON            `json:"frag_gpu_milli"`
	Artifact   *fgdDiffJSON            `json:"artifact,omitempty"`
}

type fgdDiffJSON struct {
	Identical   bool    `json:"identical"`
	Points      int     `json:"points"`
	Missing     int     `json:"missing"`
	MaxDevAlloc float64 `json:"max_dev_alloc_pp"`
	AllocAt     int     `json:"max_dev_alloc_at"`
	MaxDevFrag  float64 `json:"max_dev_frag_pp"`
	FragAt      int     `json:"max_dev_frag_at"`
}

// FGDReportJSON formats every run's end-of-run report as a JSON array.
func FGDReportJSON(runs []*FGDRun) ([]byte, error) {
	out := []fgdReportJSON{}
	for _, r := range runs {
		if r == nil || r.Report == nil {
			continue
		}
		rp := r.Report
		cls := func(v float64) fgdClassJSON { return fgdClassJSON{Milli: v, Pct: rp.Share(v)} }
		alloc := func(a [2]int64) fgdAllocJSON { return fgdAllocJSON{a[0], a[1], ratioPct(a)} }
		j := fgdReportJSON{Trace: r.Trace, Tune: r.Tune, Policy: r.Policy.String(), Seed: r.Seed,
			Allocation: map[string]fgdAllocJSON{"MilliCpu": alloc(rp.MilliCPU), "Memory": alloc(rp.Memory), "Gpu": alloc(rp.GPU), "MilliGpu": alloc(rp.MilliGPU)},
			Classes:    map[string]fgdClassJSON{}, Idle: rp.Idle(), Frag: cls(rp.Frag())}
		for k, v := range rp.Classes {
			j.Classes[binpack.FragClassNames[k]] = cls(v)
		}
		if d := r.Diff; d != nil {
			j.Artifact = &fgdDiffJSON{d.Identical(), d.Points, d.Missing, d.MaxAlloc, d.AllocX, d.MaxFrag, d.FragX}
		}
		out = append(out, j)
	}
	return json.MarshalIndent(out, "", "  ")
}

type fgdAllocJSON struct {
	Requested   int64   `json:"requested"`
	Allocatable int64   `json:"allocatable"`
	Pct         float64 `json:"pct"`
}

type fgdClassJSON struct {
	Milli float64 `json:"milli"`
	Pct   float64 `json:"pct_of_idle"`
}

// fgdResult packs a run into a scheduler.Result: the curves go into Extra under
// alloc_xNNN / frag_xNNN, the checkpoints under alloc_at_130, frag_at_80,
// alloc_at_100.
func fgdResult(in *FGDInput, r *FGDRun) *scheduler.Result {
	res := &scheduler.Result{Scheduler: "fgd-replay", Placer: "gpu:" + r.Policy.String(),
		Workload: "openb:" + in.Trace, Seed: uint64(r.Seed), WallSeconds: r.Wall.Seconds(),
		TasksSubmitted: r.Pods, TasksFailed: r.Failed, Placements: int64(r.Pods - r.Failed),
		Extra: map[string]float64{"tune": r.Tune}}
	if r.Wall > 0 {
		res.PlacementsPerSecond = float64(res.Placements) / r.Wall.Seconds()
	}
	for x := range r.Has {
		if r.Has[x] {
			res.Extra[fmt.Sprintf("alloc_x%03d", x)] = r.Alloc[x]
			res.Extra[fmt.Sprintf("frag_x%03d", x)] = r.Frag[x]
		}
	}
	for _, c := range fgdCheckpoints {
		if a, f, ok := r.At(c.x); ok {
			if c.frag {
				a = f
			}
			res.Extra[c.key] = a
		}
		if r.Artifact != nil {
			if v, ok := r.Artifact.point(c.x, c.frag); ok {
				res.Extra["artifact."+c.key] = v
			}
		}
	}
	if a, f, ok := r.At(FGDMaxX); ok {
		res.Utilization.GPU = a / 100
		res.Fragmentation = f / 100
	}
	if r.Report != nil {
		for _, f := range r.Report.fields() {
			res.Extra[f.key] = f.get()
		}
	}
	if d := r.Diff; d != nil {
		for _, f := range d.fields() {
			res.Extra[f.key] = f.get()
		}
	}
	return res
}

// extraField is one value of a run stored under a key of the result's Extra.
type extraField struct {
	key string
	get func() float64
	set func(float64)
}

func intField(key string, p *int64) extraField {
	return extraField{key, func() float64 { return float64(*p) }, func(v float64) { *p = int64(v) }}
}

func floatField(key string, p *float64) extraField {
	return extraField{key, func() float64 { return *p }, func(v float64) { *p = v }}
}

func intOf(key string, p *int) extraField {
	return extraField{key, func() float64 { return float64(*p) }, func(v float64) { *p = int(v) }}
}

// fields are the report's values under their result keys ("end." + quantity).
// Amounts up to 2^53 are exact in a float64.
func (r *FGDReport) fields() []extraField {
	var out []extraField
	for _, a := range []struct {
		name string
		v    *[2]int64
	}{{"milli_cpu", &r.MilliCPU}, {"memory_bytes", &r.Memory}, {"gpu", &r.GPU}, {"milli_gpu", &r.MilliGPU}} {
		out = append(out, intField("end."+a.name+".requested", &a.v[0]), intField("end."+a.name+".allocatable", &a.v[1]))
	}
	for k := range r.Classes {
		out = append(out, floatField("end."+binpack.FragClassNames[k]+"_milli", &r.Classes[k]))
	}
	return out
}

// fields are the deviation's values under their result keys ("artifact.").
func (d *FGDRunDiff) fields() []extraField {
	return []extraField{intOf("artifact.points", &d.Points), intOf("artifact.missing", &d.Missing),
		floatField("artifact.max_dev_alloc", &d.MaxAlloc), intOf("artifact.max_dev_alloc_at", &d.AllocX),
		floatField("artifact.max_dev_frag", &d.MaxFrag), intOf("artifact.max_dev_frag_at", &d.FragX)}
}

// fgdRunFromResult rebuilds an FGDRun from fgdResult's Extra: the curves, the
// report, and the artifact's deviation and checkpoints when the result has them.
func fgdRunFromResult(r *scheduler.Result) *FGDRun {
	k, err := binpack.ParseGPUKind(strings.TrimPrefix(r.Placer, "gpu:"))
	if err != nil {
		return nil
	}
	run := &FGDRun{Trace: strings.TrimPrefix(r.Workload, "openb:"), Policy: k, Seed: int64(r.Seed), Pods: r.TasksSubmitted, Failed: r.TasksFailed,
		Tune: FGDTuneRatio, Wall: time.Duration(r.WallSeconds * float64(time.Second))}
	if t, ok := r.Extra["tune"]; ok {
		run.Tune = t
	}
	maxX := FGDMaxX
	for k := range r.Extra {
		if n, ok := strings.CutPrefix(k, "alloc_x"); ok {
			if x, err := strconv.Atoi(n); err == nil && x > maxX && x <= 1001 {
				maxX = x
			}
		}
	}
	newFGDCurves(run, maxX)
	for x := 0; x <= maxX; x++ {
		a, ok := r.Extra[fmt.Sprintf("alloc_x%03d", x)]
		if ok {
			run.Alloc[x], run.Frag[x], run.Has[x] = a, r.Extra[fmt.Sprintf("frag_x%03d", x)], true
		}
	}
	if _, ok := r.Extra["end.milli_gpu.allocatable"]; ok {
		rep := &FGDReport{}
		for _, f := range rep.fields() {
			f.set(r.Extra[f.key])
		}
		run.Report = rep
	}
	if _, ok := r.Extra["artifact.points"]; ok {
		d := &FGDRunDiff{Key: FGDArtifactKey{run.Trace, run.Policy, run.Tune, run.Seed}}
		for _, f := range d.fields() {
			f.set(r.Extra[f.key])
		}
		run.Diff = d
	}
	a := &FGDArtifactRun{}
	for _, c := range fgdCheckpoints {
		if v, ok := r.Extra["artifact."+c.key]; ok {
			if c.frag {
				a.Frag[c.x], a.HasFrag[c.x] = v, true
			} else {
				a.Alloc[c.x], a.HasAlloc[c.x] = v, true
			}
			run.Artifact = a
		}
	}
	return run
}

func registerFGD(reg *bench.Registry) {
	reg.RegisterScenario(bench.ScenarioSpec{
		Name: "fgd",
		Doc: "FGD paper reproduction (USENIX ATC'23) on the Alibaba openb trace, run for run with the paper's simulator: 6 GPU policies × seeds 42.., " +
			"GPU alloc % and the FGD fragmentation ratio % against arrived demand beside the published means and, where the data directory has them, the artifact's per-seed runs; the end-of-run Cluster Analysis of every run",
		Params: []bench.Param{
			{Name: "path", Type: bench.TypeString, Default: "$" + OpenbEnv + " or ../shared/data/openb", Doc: "directory with openb_node_list_gpu_node.csv and openb_pod_list_<trace>.csv (alibaba/clusterdata cluster-trace-gpu-v2023), and optionally the artifact's " + FGDArtifactAllocFile + " and " + FGDArtifactFragFile},
			{Name: "trace", Type: bench.TypeList, Default: "default", Doc: "pod lists, joined by +: openb_pod_list_<trace>.csv each"},
			{Name: "policies", Type: bench.TypeList, Default: "random+dotprod+clustering+packing+bestfit+fgd", Doc: "policies, joined by +"},
			{Name: "first_seed", Type: bench.TypeInt, Range: "[0, inf]", Default: "42", Doc: "seed of the first run (the paper uses 42..51)"},
			{Name: "tune", Type: bench.TypeFloat, Range: "(0, 10]", Default: "1.3", Doc: "arrived GPU demand the pod list is tuned to, × cluster GPU capacity (the artifact's -tune)"},
			{Name: "informer_draws", Type: bench.TypeInt, Range: "[0, 1000]", Default: "10", Doc: "values drawn from the seeded source between tuning and the node permutation, as the artifact's client-go reflectors do (10 gives its node ranks)"},
			{Name: "arithmetic", Type: bench.TypeEnum, Default: "artifact", Doc: "FGD's fragmentation sums: artifact (float64, as the paper's simulator: run for run) or exact (integers: a placement that changes nothing always scores 50)"},
		},
		Cells:  fgdCells,
		Report: fgdWriteReport,
	})
	registerFGDClaims(reg)
}

// fgdWriteReport writes the scenario's outputs: fgd_table.md (the summary beside
// the paper, the run-for-run comparison with the artifact and its verdict),
// fgd_report.md and fgd_report.json (every run's end-of-run report),
// fgd_curves.csv and the charts.
func fgdWriteReport(dir string, params *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	var runs []*FGDRun
	for _, r := range results {
		if r != nil {
			if run := fgdRunFromResult(r); run != nil {
				runs = append(runs, run)
			}
		}
	}
	var b strings.Builder
	b.WriteString("# FGD reproduction\n\nMeasured with the protocol of the paper's simulator (docs/fgd.md) beside the published means (paper: default pod list, tune 1.3, seeds 42–51).\n\n")
	b.WriteString(FGDTable(SummarizeFGD(runs)))
	c := CompareFGDArtifact(runs)
	b.WriteString("\n## Run for run against the paper's simulator\n\n" + c.Verdict() + "\n\n" + c.Table())
	b.WriteString("\n## Claims\n\n")
	for _, cl := range []bench.ClaimSpec{fgdClaimTable, fgdClaimRanking, fgdClaimRunForRun} {
		b.WriteString(claimVerdictLine(cl, params, cells, results))
	}
	b.WriteString("\nThe end-of-run report of every run is in fgd_report.md and fgd_report.json.\n")
	for _, t := range fgdTraces(runs) {
		suffix := fgdChartSuffix(runs, t)
		fmt.Fprintf(&b, "\n![GPU allocation vs arrived demand, %[1]s](fgd_alloc%[2]s.png)\n\n![Fragmentation ratio vs arrived demand, %[1]s](fgd_frag%[2]s.png)\n", t, suffix)
	}
	if err := os.WriteFile(filepath.Join(dir, "fgd_table.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	rep := "# FGD reproduction: end-of-run reports\n\nThe Cluster Analysis of the paper's simulator after each run (docs/fgd.md): allocation ratios, and the idle GPU by fragmentation class with its share.\n\n" + FGDReportTable(runs)
	if err := os.WriteFile(filepath.Join(dir, "fgd_report.md"), []byte(rep), 0o644); err != nil {
		return err
	}
	js, err := FGDReportJSON(runs)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "fgd_report.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "fgd_curves.csv"), []byte(FGDCurvesCSV(runs)), 0o644); err != nil {
		return err
	}
	for _, t := range fgdTraces(runs) {
		var sel []*FGDRun
		for _, r := range runs {
			if r.Trace == t {
				sel = append(sel, r)
			}
		}
		if err := fgdCharts(sel, dir, fgdChartSuffix(runs, t)); err != nil {
			return err
		}
	}
	return nil
}

// fgdTraces returns the runs' pod lists in order of appearance.
func fgdTraces(runs []*FGDRun) []string {
	var ts []string
	for _, r := range runs {
		if !slices.Contains(ts, r.Trace) {
			ts = append(ts, r.Trace)
		}
	}
	return ts
}

// fgdChartSuffix is "" when the runs cover one pod list, else "_" + trace.
func fgdChartSuffix(runs []*FGDRun, trace string) string {
	if len(fgdTraces(runs)) <= 1 {
		return ""
	}
	return "_" + trace
}

func fgdCells(reg *bench.Registry, p *bench.Params, seeds int) ([]bench.Cell, error) {
	dir := p.String("path", "")
	if dir == "" {
		dir = DefaultOpenbDir()
	}
	traceList := p.List("trace", "default")
	pols := p.List("policies", "random+dotprod+clustering+packing+bestfit+fgd")
	first := p.Int("first_seed", 42)
	opt := FGDOptions{Tune: p.Float("tune", FGDTuneRatio), InformerDraws: p.Int("informer_draws", FGDInformerDraws),
		Exact: p.Enum("arithmetic", "artifact", "artifact", "exact") == "exact"}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if err := opt.validate(); err != nil {
		return nil, fmt.Errorf("scenario fgd: %w", err)
	}
	var kinds []binpack.GPUKind
	for _, name := range strings.Split(pols, "+") {
		k, err := binpack.ParseGPUKind(strings.TrimSpace(name))
		if err != nil {
			return nil, fmt.Errorf("scenario fgd: parameter policies: %w", err)
		}
		if slices.Contains(kinds, k) {
			return nil, fmt.Errorf("scenario fgd: parameter policies: %s given twice", k)
		}
		kinds = append(kinds, k)
	}
	var traceNames []string
	for _, t := range strings.Split(traceList, "+") {
		t = strings.TrimSpace(t)
		if t == "" || strings.ContainsAny(t, `/\`) || t == "." || t == ".." {
			return nil, fmt.Errorf("scenario fgd: parameter trace: %q is not a pod list name (openb_pod_list_<name>.csv)", t)
		}
		if slices.Contains(traceNames, t) {
			return nil, fmt.Errorf("scenario fgd: parameter trace: %s given twice", t)
		}
		traceNames = append(traceNames, t)
	}
	if seeds <= 0 {
		seeds = 10
	}
	art, err := ReadFGDArtifact(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("scenario fgd: %w", err)
	}
	var cells []bench.Cell
	for _, trace := range traceNames {
		in, err := LoadFGDInput(dir, trace)
		if err != nil {
			return nil, fmt.Errorf("scenario fgd: %w (set path= or $%s to the openb data directory)", err, OpenbEnv)
		}
		for _, k := range kinds {
			for i := range seeds {
				seed := int64(first + i)
				cells = append(cells, bench.Cell{
					Labels: []bench.Label{{Key: "policy", Value: k.String()}, {Key: "trace", Value: trace}},
					Seed:   uint64(seed),
					Run: func() (*scheduler.Result, error) {
						r, err := RunFGDWith(in, k, seed, opt)
						if err != nil {
							return nil, err
						}
						AttachFGDArtifact([]*FGDRun{r}, art)
						return fgdResult(in, r), nil
					},
				})
			}
		}
	}
	return cells, nil
}

// FGDCharts draws the paper's two curves from runs, averaged over seeds per policy:
// GPU allocation (% of capacity) against arrived GPU demand (% of capacity), with
// the 45° line of "everything arrived is placed" (the paper's Fig. 9 plots 100 minus
// it), and the fragmentation ratio against arrived demand (Fig. 7b). It writes
// fgd_alloc.{png,svg} and fgd_frag.{png,svg} into dir.
func FGDCharts(runs []*FGDRun, dir string) error { return fgdCharts(runs, dir, "") }

func fgdCharts(runs []*FGDRun, dir, suffix string) error {
	var kinds []binpack.GPUKind
	byKind := map[binpack.GPUKind][]*FGDRun{}
	for _, r := range runs {
		if _, ok := byKind[r.Policy]; !ok {
			kinds = append(kinds, r.Policy)
		}
		byKind[r.Policy] = append(byKind[r.Policy], r)
	}
	slices.Sort(kinds)
	curve := func(rs []*FGDRun, frag bool) (xs, ys []float64) {
		for x := 0; x <= FGDMaxX; x++ {
			sum, n := 0.0, 0
			for _, r := range rs {
				if a, f, ok := r.At(x); ok {
					if frag {
						sum += f
					} else {
						sum += a
					}
					n++
				}
			}
			if n > 0 {
				xs, ys = append(xs, float64(x)), append(ys, sum/float64(n))
			}
		}
		return xs, ys
	}
	note := fmt.Sprintf("openb %s, %d runs; mean over seeds per policy", strings.Join(fgdTraces(runs), "+"), len(runs))
	alloc := bench.Chart{Title: "FGD reproduction: GPU allocation vs arrived demand", Note: note,
		XLabel: "arrived GPU demand (% of cluster GPU capacity)", YLabel: "allocated GPU (% of capacity)",
		YFrom0: true, YMax: 100, XMin: 0, XMax: FGDMaxX}
	frag := bench.Chart{Title: "FGD reproduction: FGD fragmentation ratio vs arrived demand", Note: note,
		XLabel: "arrived GPU demand (% of cluster GPU capacity)", YLabel: "fragmented idle GPU (% of idle GPU)",
		YFrom0: true, YMax: 100, XMin: 0, XMax: FGDMaxX}
	for _, k := range kinds {
		x, y := curve(byKind[k], false)
		alloc.Lines = append(alloc.Lines, bench.Line{Name: k.String(), X: x, Y: y})
		x, y = curve(byKind[k], true)
		frag.Lines = append(frag.Lines, bench.Line{Name: k.String(), X: x, Y: y})
	}
	alloc.Lines = append(alloc.Lines, bench.Line{Name: "all placed", X: []float64{0, 100}, Y: []float64{0, 100}, Dashed: true, Color: len(bench.Palette)})
	if err := alloc.Save(filepath.Join(dir, "fgd_alloc"+suffix)); err != nil {
		return err
	}
	return frag.Save(filepath.Join(dir, "fgd_frag"+suffix))
}
