package binpack

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// GPUKind is one of the six scoring policies of the FGD paper (docs/fgd.md).
type GPUKind uint8

// The FGD paper's policies.
const (
	GPURandom     GPUKind = iota // uniform over feasible nodes, random fitting device
	GPUDotProduct                // Tetris-style dot product, merge dimension, max-normalised
	GPUClustering                // co-locate tasks of the same GPU-count tag
	GPUPacking                   // partly used devices first, then partly used nodes, then idle nodes
	GPUBestFit                   // least CPU+GPU left, min–max normalised
	GPUFGD                       // fragmentation gradient descent
)

var gpuKindNames = [...]string{"random", "dotprod", "clustering", "packing", "bestfit", "fgd"}

// String returns the policy's short name (as in the fgd scenario's labels).
func (k GPUKind) String() string {
	if int(k) < len(gpuKindNames) {
		return gpuKindNames[k]
	}
	return fmt.Sprintf("GPUKind(%d)", int(k))
}

// ParseGPUKind returns the GPUKind named s.
func ParseGPUKind(s string) (GPUKind, error) {
	for i, n := range gpuKindNames {
		if n == s {
			return GPUKind(i), nil
		}
	}
	return 0, fmt.Errorf("binpack: unknown gpu policy %q (valid: random, dotprod, clustering, packing, bestfit, fgd)", s)
}

// Constants of the FGD simulator's scores.
const (
	fgdMaxCPU = 128000 // MaxCPU, milli
	fgdMaxGPU = 8000   // MaxGPU, milli
)

// GPUPolicy places a task the way the FGD paper's simulator does with one score
// plugin enabled (docs/fgd.md): every up node is filtered with State.Fits, each
// feasible node gets an integer score in 0..100, the highest score wins and ties go
// to the node with the smallest Rank. If exactly one node is feasible it is chosen
// without scoring. Place also chooses the GPU devices: FGD chooses a share task's
// device by its score, Random a uniformly random fitting device, the others the
// tightest fitting device; whole-device tasks always get the lowest-indexed fully
// free devices.
//
// Cost per decision: O(nodes × devices), plus for FGD O(nodes × devices ×
// typical shapes) on memo misses. The FGD kind needs Frag; GPUClustering walks each
// feasible node's task list.
type GPUPolicy struct {
	Kind GPUKind
	// Frag is the fragmentation measure (FGD only).
	Frag *Frag
	// Rank is the tie-break rank of each node ID (the FGD simulator's random name
	// prefix); nil ranks nodes by ID.
	Rank []int32
	// Intn, if set, is the random source of GPURandom (the FGD reproduction passes
	// its math/rand v1 stream); otherwise the stream given to Attach is used.
	Intn func(n int) int
	// OnlineEvery, for FGD without a fixed Frag, learns the typical pods online:
	// the policy counts the shapes of the tasks it is asked to place and rebuilds
	// the distribution (95 %) after every OnlineEvery tasks (and after the first).
	// Until a distribution exists every node scores 50 (ties by rank).
	OnlineEvery int
	// ArtifactArithmetic makes FGD score as the FGD simulator does, in float64
	// (Frag.FragFloat and ⌊σ(Δ/1000)·100⌋): where the exact integer Δ is 0 but
	// the float sums differ by a rounding residue, the score is 49 or 50 as there,
	// not always 50. The fgd scenario sets it to reproduce the artifact run for run.
	ArtifactArithmetic bool

	// FGD score cache: per node and shape, valid while the node's stamp is unchanged
	// (only the node a task lands on changes per decision).
	shapeIDs map[PodShape]int32
	fcache   [][]fgdEntry

	seen  map[PodShape]int64
	nseen int
	rng   *rand.Rand
	s     *scheduler.State // the attached state
	tr    *FragTracker     // FGD: over s, for Frag; rebuilt when Frag changes
	feas  []scheduler.NodeID
	raw   []int64
	gpu   []scheduler.GPUSet
	buf   [scheduler.MaxGPUsPerNode]int32
	devs  []int
	shape PodShape
}

var (
	_ scheduler.Placer       = (*GPUPolicy)(nil)
	_ scheduler.Attacher     = (*GPUPolicy)(nil)
	_ scheduler.NodeListener = (*GPUPolicy)(nil)
)

// NewGPUPolicy returns a policy of kind k; FGD requires f.
func NewGPUPolicy(k GPUKind, f *Frag) (*GPUPolicy, error) {
	if k > GPUFGD {
		return nil, fmt.Errorf("binpack: unknown gpu policy %d", k)
	}
	if k == GPUFGD && f == nil {
		return nil, fmt.Errorf("binpack: the fgd policy needs a typical-pod distribution (or use NewOnlineFGD)")
	}
	return &GPUPolicy{Kind: k, Frag: f}, nil
}

// NewOnlineFGD returns an FGD policy that learns its typical pods from the tasks it
// places, rebuilding the distribution every `every` tasks (see OnlineEvery).
func NewOnlineFGD(every int) (*GPUPolicy, error) {
	if every < 1 {
		return nil, fmt.Errorf("binpack: online fgd: refresh interval %d < 1", every)
	}
	return &GPUPolicy{Kind: GPUFGD, OnlineEvery: every}, nil
}

// Attach implements scheduler.Attacher: the policy serves s and draws from r (r may
// be nil when Intn is set). It registers itself as a listener of s, to keep FGD's
// fragmentation tracker current.
func (p *GPUPolicy) Attach(s *scheduler.State, r *rand.Rand) {
	if p.s == s {
		return
	}
	mustBeUnbound(p.s, s)
	p.s, p.rng = s, r
	s.AddListener(p)
}

// NodeChanged implements scheduler.NodeListener: it updates the FGD tracker.
func (p *GPUPolicy) NodeChanged(id scheduler.NodeID) {
	if p.tr != nil {
		p.tr.NodeChanged(id)
	}
}

func (p *GPUPolicy) intn(n int) int {
	if p.Intn != nil {
		return p.Intn(n)
	}
	if p.rng == nil {
		panic("binpack: GPUPolicy draws a random number before Attach gave it a stream")
	}
	return p.rng.IntN(n)
}

func (p *GPUPolicy) rank(id scheduler.NodeID) int32 {
	if p.Rank == nil || int(id) >= len(p.Rank) {
		return int32(id)
	}
	return p.Rank[id]
}

// Place implements scheduler.Placer.
func (p *GPUPolicy) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	mustBeBound(p.s, s)
	if p.Kind == GPUFGD && p.OnlineEvery > 0 {
		p.learn(t)
	}
	if p.Kind == GPUFGD && p.Frag == nil {
		return p.placeNoFrag(s, t)
	}
	if p.Kind == GPUFGD {
		if p.tr == nil || p.tr.F != p.Frag {
			p.tr = newFragTracker(p.Frag, s) // kept current by p.NodeChanged
			p.shapeIDs, p.fcache = nil, nil
		}
	}
	p.shape = ShapeOf(t)
	p.feas = p.feas[:0]
	for i := range s.NumNodes() {
		id := scheduler.NodeID(i)
		if t.Request.LessEq(s.Free(id)) && s.Fits(t, id).IsOK() {
			p.feas = append(p.feas, id)
		}
	}
	if len(p.feas) == 0 {
		return scheduler.NoNode, 0, StatusNoFit
	}
	if p.Kind == GPURandom {
		id := p.feas[0]
		if len(p.feas) > 1 {
			id = p.feas[p.intn(len(p.feas))]
		}
		return id, p.randomDevice(s, t, id), scheduler.StatusOK
	}
	p.raw, p.gpu = p.raw[:0], p.gpu[:0]
	score := p.Score
	if p.Kind == GPUFGD {
		score = p.cachedFGD(p.shape)
	}
	for _, id := range p.feas {
		sc, g := score(s, t, id)
		p.raw = append(p.raw, sc)
		p.gpu = append(p.gpu, g)
	}
	if p.Kind == GPUBestFit {
		NormalizeMinMax(p.raw)
	}
	best := 0
	for i := 1; i < len(p.feas); i++ {
		if p.raw[i] > p.raw[best] || p.raw[i] == p.raw[best] && p.rank(p.feas[i]) < p.rank(p.feas[best]) {
			best = i
		}
	}
	id := p.feas[best]
	g := p.gpu[best]
	if g == 0 {
		g = s.ChooseGPUs(t, id)
	}
	return id, g, scheduler.StatusOK
}

// NormalizeMinMax rescales scores in place to ⌊(s − min)·100/(max − min)⌋, or all 0
// when max = min (the FGD simulator's NormalizeScore).
func NormalizeMinMax(sc []int64) {
	if len(sc) == 0 {
		return
	}
	lo, hi := sc[0], sc[0]
	for _, v := range sc {
		lo, hi = min(lo, v), max(hi, v)
	}
	for i, v := range sc {
		if hi == lo {
			sc[i] = 0
		} else {
			sc[i] = (v - lo) * MaxNodeScore / (hi - lo)
		}
	}
}

func (p *GPUPolicy) randomDevice(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID) scheduler.GPUSet {
	if !t.IsShareGPU() {
		return s.ChooseGPUs(t, id)
	}
	p.devs = p.devs[:0]
	for j, g := range s.GPUFree(id) {
		if g >= t.GPUMilli {
			p.devs = append(p.devs, j)
		}
	}
	if len(p.devs) == 0 {
		return 0
	}
	return 1 << uint(p.devs[p.intn(len(p.devs))])
}

// Score returns task t's raw score on feasible node id under the policy (before
// BestFit's normalisation; Random scores 0) and, for FGD and share tasks, the
// device the score chose (0 otherwise).
func (p *GPUPolicy) Score(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID) (int64, scheduler.GPUSet) {
	sh := ShapeOf(t)
	free := s.GPUFree(id)
	cpuLeft := s.Free(id)[scheduler.CPU]
	var G int64
	for _, g := range free {
		G += int64(g)
	}
	D := int64(sh.GPUCount) * int64(sh.GPUMilli)
	switch p.Kind {
	case GPUDotProduct:
		c, cl := float64(sh.CPU)/fgdMaxCPU, float64(cpuLeft)/fgdMaxCPU
		d, gl := float64(D)/fgdMaxGPU, float64(G)/fgdMaxGPU
		return int64(100 * (1 - (c*cl+d*gl)/2)), 0
	case GPUClustering:
		return clusteringScore(s, t, id, G), 0
	case GPUPacking:
		return packingScore(sh, free), 0
	case GPUBestFit:
		raw := 0.5*float64(cpuLeft-sh.CPU)/fgdMaxCPU + 0.5*float64(G-D)/fgdMaxGPU
		return int64(100 * (1 - raw)), 0
	case GPUFGD:
		return p.fgdScore(s, sh, id, cpuLeft, free)
	}
	return 0, 0
}

// gpuTag is a task's GpuClustering affinity tag: 0 for none (CPU-only), 1 for a
// share task, 1+k for a k-device task.
func gpuTag(t *scheduler.Task) uint {
	switch {
	case t.GPUCount == 0:
		return 0
	case t.IsShareGPU():
		return 1
	}
	return 1 + uint(min(t.GPUCount, 62))
}

func clusteringScore(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID, G int64) int64 {
	tag := gpuTag(t)
	if tag == 0 {
		return 0
	}
	var tags uint64
	s.Tasks(id, func(o *scheduler.Task) bool {
		if g := gpuTag(o); g != 0 {
			tags |= 1 << g
		}
		return true
	})
	base := 25 * (fgdMaxGPU - G) / fgdMaxGPU
	own := uint64(1) << tag
	switch {
	case tags == own:
		return base + 75
	case tags&own != 0:
		return base + 50
	case tags == 0:
		return base + 25
	}
	return base
}

func packingScore(sh PodShape, free []int32) int64 {
	if sh.GPUCount == 0 {
		return 0
	}
	var f int64
	for _, g := range free {
		if g == 1000 {
			f++
		}
	}
	if f == int64(len(free)) {
		return max(33-f, f)
	}
	// Ascending free, stable: visit values from low to high, each value's devices
	// in index order.
	var buf [scheduler.MaxGPUsPerNode]int32
	a := buf[:len(free)]
	copy(a, free)
	insertionSort32(a)
	var taken, u, sum int64
	for _, g := range a {
		if taken == int64(sh.GPUCount) {
			break
		}
		if g >= sh.GPUMilli {
			taken++
			if g == 1000 {
				u++
			}
			sum += int64(g) * 100 / 1000
		}
	}
	if u > 0 {
		return max(50-u, 33)
	}
	return max(100-sum/10, 50)
}

func insertionSort32(a []int32) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

type fgdEntry struct {
	stamp uint64 // the node's FragTracker stamp when computed; 0 = empty
	score int64
	gpu   scheduler.GPUSet
}

// maxCachedShapes bounds the FGD score cache's width.
const maxCachedShapes = 256

// cachedFGD returns a scoring function for shape sh that memoises FGD scores per
// (node, shape) until the node changes.
func (p *GPUPolicy) cachedFGD(sh PodShape) func(*scheduler.State, *scheduler.Task, scheduler.NodeID) (int64, scheduler.GPUSet) {
	if p.shapeIDs == nil {
		p.shapeIDs = map[PodShape]int32{}
		p.fcache = make([][]fgdEntry, len(p.tr.node))
	}
	si, ok := p.shapeIDs[sh]
	if !ok {
		if len(p.shapeIDs) >= maxCachedShapes {
			return p.Score
		}
		si = int32(len(p.shapeIDs))
		p.shapeIDs[sh] = si
	}
	if len(p.fcache) < len(p.tr.node) {
		p.fcache = append(p.fcache, make([][]fgdEntry, len(p.tr.node)-len(p.fcache))...)
	}
	return func(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID) (int64, scheduler.GPUSet) {
		row := p.fcache[id]
		if int(si) < len(row) && row[si].stamp == p.tr.stamp[id] {
			return row[si].score, row[si].gpu
		}
		sc, g := p.Score(s, t, id)
		if int(si) >= len(row) {
			row = append(row, make([]fgdEntry, int(si)+1-len(row))...)
			p.fcache[id] = row
		}
		row[si] = fgdEntry{p.tr.stamp[id], sc, g}
		return sc, g
	}
}

// FGDScore maps a fragmentation change into the FGD score:
// ⌊100·σ((F_n − F_n′)/1000)⌋, with the fragmentations given × total.
func FGDScore(before, after, total int64) int64 {
	if before == after {
		return 50
	}
	x := float64(before-after) / float64(total) / 1000
	return int64(100 / (1 + math.Exp(-x)))
}

// artifactFGDScore is FGDScore in the FGD simulator's arithmetic
// (calculateGpuShareFragExtendScore): int64(sigmoid((F_n − F_n′)/1000) · 100).
func artifactFGDScore(before, after float64) int64 {
	return int64(1.0 / (1.0 + math.Exp(-((before - after) / 1000))) * 100)
}

func (p *GPUPolicy) fgdScore(s *scheduler.State, sh PodShape, id scheduler.NodeID, cpuLeft int64, free []int32) (int64, scheduler.GPUSet) {
	tr := p.tr
	before := tr.NodeScaled(id)
	model := tr.model[id]
	total := p.Frag.Typical.Total
	score := func(after []int32) int64 {
		if p.ArtifactArithmetic {
			return artifactFGDScore(p.Frag.FragFloat(model, cpuLeft, free), p.Frag.FragFloat(model, cpuLeft-sh.CPU, after))
		}
		return FGDScore(before, p.Frag.FragScaled(model, cpuLeft-sh.CPU, after), total)
	}
	hyp := p.buf[:len(free)]
	copy(hyp, free)
	if sh.IsShare() {
		best, bestJ := int64(-1), -1
		for j, g := range free {
			if g < sh.GPUMilli {
				continue
			}
			dup := false
			for i := range j {
				if free[i] == g {
					dup = true // same multiset as device i: same score, i is lower
					break
				}
			}
			if dup {
				continue
			}
			hyp[j] = g - sh.GPUMilli
			sc := score(hyp)
			hyp[j] = g
			if sc > best {
				best, bestJ = sc, j
			}
		}
		if bestJ < 0 {
			return 0, 0
		}
		return best, 1 << uint(bestJ)
	}
	if sh.GPUCount > 0 {
		// The first k devices with free ≥ g in ascending (stable) order; for the
		// frag multiset only the values matter.
		insertionSort32(hyp)
		k := sh.GPUCount
		for i := range hyp {
			if k == 0 {
				break
			}
			if hyp[i] >= sh.GPUMilli {
				hyp[i] -= sh.GPUMilli
				k--
			}
		}
	}
	return score(hyp), 0
}

func (p *GPUPolicy) learn(t *scheduler.Task) {
	if p.seen == nil {
		p.seen = map[PodShape]int64{}
	}
	p.seen[ShapeOf(t)]++
	p.nseen++
	if p.nseen == 1 || p.nseen%p.OnlineEvery == 0 {
		p.Frag = NewFrag(NewTypicalPodsFromCounts(p.seen, 95))
	}
}

// placeNoFrag is FGD before any distribution exists: every feasible node scores
// the same, so the lowest rank wins.
func (p *GPUPolicy) placeNoFrag(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	best := scheduler.NoNode
	for i := range s.NumNodes() {
		id := scheduler.NodeID(i)
		if s.Fits(t, id).IsOK() && (best == scheduler.NoNode || p.rank(id) < p.rank(best)) {
			best = id
		}
	}
	if best == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	return best, s.ChooseGPUs(t, best), scheduler.StatusOK
}
