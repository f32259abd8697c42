package binpack

import (
	"cmp"
	"slices"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// PodShape is the shape the FGD paper's policies and fragmentation measure use
// (docs/fgd.md): CPU request in non-zero form (100 m if 0), per-GPU milli g (0 for
// CPU-only tasks), GPU count k and the GPU-model constraint ("|"-joined, "" = any).
// Memory is not part of it.
type PodShape struct {
	CPU      int64
	GPUMilli int32
	GPUCount int32
	Spec     string
}

// ShapeOf returns task t's shape.
func ShapeOf(t *scheduler.Task) PodShape {
	sh := PodShape{CPU: t.Request[scheduler.CPU]}
	if sh.CPU == 0 {
		sh.CPU = DefaultMilliCPURequest
	}
	if t.GPUCount > 0 {
		sh.GPUMilli, sh.GPUCount = t.GPUMilli, t.GPUCount
		if t.Constraints != nil && len(t.Constraints.GPUModels) > 0 {
			sh.Spec = strings.Join(t.Constraints.GPUModels, "|")
		}
	}
	return sh
}

// IsShare reports whether the shape takes a fraction of one GPU.
func (p PodShape) IsShare() bool { return p.GPUCount == 1 && p.GPUMilli < 1000 }

// TypicalPod is one shape of the typical-pod distribution and its count in the trace.
type TypicalPod struct {
	PodShape
	Count int64
}

// TypicalPods is the typical-pod distribution of docs/fgd.md: the most frequent
// shapes of a workload, kept until they cover Threshold percent of its pods;
// p_m = Count_m / Total.
type TypicalPods struct {
	Pods  []TypicalPod
	Total int64 // Σ Count over Pods
	N     int64 // pods in the workload
}

// NewTypicalPods counts the shapes, sorts them by count descending (equal counts by
// (CPU, GPUMilli, GPUCount, Spec) descending) and keeps shapes one at a time until
// their cumulative count reaches threshold percent of the pods (the paper uses 95).
func NewTypicalPods(shapes []PodShape, threshold int) *TypicalPods {
	counts := map[PodShape]int64{}
	for _, s := range shapes {
		counts[s]++
	}
	return NewTypicalPodsFromCounts(counts, threshold)
}

// NewTypicalPodsFromCounts is NewTypicalPods from a count per shape. Cost
// O(s log s) for s shapes.
func NewTypicalPodsFromCounts(counts map[PodShape]int64, threshold int) *TypicalPods {
	all := make([]TypicalPod, 0, len(counts))
	var n int64
	for s, c := range counts {
		all = append(all, TypicalPod{s, c})
		n += c
	}
	slices.SortFunc(all, func(a, b TypicalPod) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(b.CPU, a.CPU); c != 0 {
			return c
		}
		if c := cmp.Compare(b.GPUMilli, a.GPUMilli); c != 0 {
			return c
		}
		if c := cmp.Compare(b.GPUCount, a.GPUCount); c != 0 {
			return c
		}
		return strings.Compare(b.Spec, a.Spec)
	})
	tp := &TypicalPods{N: n}
	for _, p := range all {
		if tp.Total*100 >= int64(threshold)*tp.N {
			break
		}
		tp.Pods = append(tp.Pods, p)
		tp.Total += p.Count
	}
	return tp
}

// Frag computes the expected GPU fragmentation of a node under a typical-pod
// distribution (docs/fgd.md). Values are kept as exact integers scaled by
// TypicalPods.Total: FragScaled returns Σ_m Count_m·frag(n, m), and the
// fragmentation in milli-GPU is that divided by Total. Exact integers make a
// placement that changes nothing score exactly Δ = 0, and sums never drift.
// Classes and FragFloat give the same measure in the FGD simulator's float64
// arithmetic, which the reproduction of its runs needs.
//
// Results are memoised by node state (GPU model, free CPU, multiset of free device
// shares) for nodes of at most 8 devices. A Frag is not safe for concurrent use.
type Frag struct {
	Typical  *TypicalPods
	models   map[string]int32
	allowed  [][]bool // per typical pod, per model index
	memo     map[fragKey]int64
	fmemo    map[fragKey]float64
	freq     []float64 // p_m as the FGD simulator computes it
	modelsOf [][]string
}

// The fragmentation classes of docs/fgd.md, in the order the FGD simulator
// keeps them.
const (
	FragQ1LackBoth = iota
	FragQ2LackGPU
	FragQ3Satisfied
	FragQ4LackCPU
	FragXLSatisfied
	FragXRLackCPU
	FragNoAccess
	NumFragClasses
)

// FragClassNames are the classes' names in the FGD simulator's report.
var FragClassNames = [NumFragClasses]string{"q1_lack_both", "q2_lack_gpu", "q3_satisfied", "q4_lack_cpu", "xl_satisfied", "xr_lack_cpu", "no_access"}

type fragKey struct {
	model int32
	n     int32
	cpu   int64
	free  [8]int16
}

// NewFrag returns a fragmentation measure for the typical pods tp.
func NewFrag(tp *TypicalPods) *Frag {
	f := &Frag{Typical: tp, models: map[string]int32{}, memo: map[fragKey]int64{}, fmemo: map[fragKey]float64{}}
	// The simulator normalises each count by the workload's pods and then by the
	// kept share (GetTypicalPods); the same two float divisions give the same p_m.
	f.freq = make([]float64, len(tp.Pods))
	for i, p := range tp.Pods {
		f.freq[i] = float64(p.Count) / float64(tp.N)
		if tp.Total != tp.N {
			f.freq[i] /= float64(tp.Total) / float64(tp.N)
		}
	}
	f.allowed = make([][]bool, len(tp.Pods))
	f.modelsOf = make([][]string, len(tp.Pods))
	for i, p := range tp.Pods {
		if p.Spec != "" {
			for _, m := range strings.Split(p.Spec, "|") {
				if m != "" {
					f.modelsOf[i] = append(f.modelsOf[i], m)
				}
			}
		}
	}
	return f
}

// Model returns the index Frag uses for GPU model name.
func (f *Frag) Model(name string) int32 {
	if id, ok := f.models[name]; ok {
		return id
	}
	id := int32(len(f.models))
	f.models[name] = id
	for i := range f.allowed {
		f.allowed[i] = append(f.allowed[i], len(f.modelsOf[i]) == 0 || slices.Contains(f.modelsOf[i], name))
	}
	return id
}

// FragScaled returns Total × the fragmentation (milli-GPU) of a node with GPU model
// index model (from Model), free CPU cpuLeft and free device shares free (any
// order; not modified).
func (f *Frag) FragScaled(model int32, cpuLeft int64, free []int32) int64 {
	if len(free) == 0 {
		return 0
	}
	if len(free) > 8 {
		return f.compute(model, cpuLeft, free)
	}
	k := fragKey{model: model, n: int32(len(free)), cpu: cpuLeft}
	for i, g := range free {
		k.free[i] = int16(g)
	}
	sortSmall(k.free[:len(free)])
	if v, ok := f.memo[k]; ok {
		return v
	}
	v := f.compute(model, cpuLeft, free)
	f.memo[k] = v
	return v
}

// Classes returns a node's idle GPU (milli-GPU) by fragmentation class
// (FragQ1LackBoth …), computed as the FGD simulator does (NodeGpuShareFragAmount):
// p_m × amount accumulated in float64 over the typical pods in order. Their sum is
// the node's idle GPU; all but FragQ3Satisfied are fragment.
func (f *Frag) Classes(model int32, cpuLeft int64, free []int32) [NumFragClasses]float64 {
	var c [NumFragClasses]float64
	if len(free) == 0 {
		return c
	}
	var idle int64
	for _, g := range free {
		idle += int64(g)
	}
	for i := range f.Typical.Pods {
		m := &f.Typical.Pods[i]
		p := f.freq[i]
		switch {
		case m.GPUMilli == 0 && cpuLeft >= m.CPU:
			c[FragXLSatisfied] += p * float64(idle)
		case m.GPUMilli == 0:
			c[FragXRLackCPU] += p * float64(idle)
		case !f.allowed[i][model]:
			c[FragNoAccess] += p * float64(idle)
		default:
			var fit int32
			var small int64
			for _, g := range free {
				if g >= m.GPUMilli {
					fit++
				} else {
					small += int64(g)
				}
			}
			cpu := cpuLeft >= m.CPU
			switch {
			case fit >= m.GPUCount && cpu:
				c[FragQ2LackGPU] += p * float64(small)
				c[FragQ3Satisfied] += p * float64(idle-small)
			case fit >= m.GPUCount:
				c[FragQ4LackCPU] += p * float64(idle)
			case cpu:
				c[FragQ2LackGPU] += p * float64(idle)
			default:
				c[FragQ1LackBoth] += p * float64(idle)
			}
		}
	}
	return c
}

// FragSum returns the fragment part of classes c: every class but
// FragQ3Satisfied, summed in class order as the FGD simulator does.
func FragSum(c *[NumFragClasses]float64) float64 {
	var out float64
	for i, v := range c {
		if i != FragQ3Satisfied {
			out += v
		}
	}
	return out
}

// FragFloat returns a node's fragmentation (milli-GPU) in the FGD simulator's
// float64 arithmetic: FragSum of Classes, memoised like FragScaled. It equals
// FragScaled / Typical.Total up to rounding.
func (f *Frag) FragFloat(model int32, cpuLeft int64, free []int32) float64 {
	if len(free) == 0 {
		return 0
	}
	if len(free) > 8 {
		c := f.Classes(model, cpuLeft, free)
		return FragSum(&c)
	}
	k := fragKey{model: model, n: int32(len(free)), cpu: cpuLeft}
	for i, g := range free {
		k.free[i] = int16(g)
	}
	sortSmall(k.free[:len(free)])
	if v, ok := f.fmemo[k]; ok {
		return v
	}
	c := f.Classes(model, cpuLeft, free)
	v := FragSum(&c)
	f.fmemo[k] = v
	return v
}

func sortSmall(a []int16) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func (f *Frag) compute(model int32, cpuLeft int64, free []int32) int64 {
	var idle int64
	for _, g := range free {
		idle += int64(g)
	}
	var total int64
	for i := range f.Typical.Pods {
		m := &f.Typical.Pods[i]
		if m.GPUMilli == 0 || !f.allowed[i][model] {
			total += m.Count * idle // CPU-only shape, or no access: all idle GPU
			continue
		}
		var fit int32
		var small int64
		for _, g := range free {
			if g >= m.GPUMilli {
				fit++
			} else {
				small += int64(g)
			}
		}
		if fit >= m.GPUCount && cpuLeft >= m.CPU {
			total += m.Count * small // q3: only the devices too small for g
		} else {
			total += m.Count * idle
		}
	}
	return total
}

// FragTracker keeps the fragmentation of every node of a state and the cluster
// total up to date through a scheduler.NodeListener (O(1) amortised per change
// with the memo). It is the docs/fgd.md metric and FGD's F_n.
type FragTracker struct {
	F      *Frag
	s      *scheduler.State
	model  []int32
	node   []int64  // scaled by Typical.Total
	stamp  []uint64 // per node, a value never issued before, set on every change
	issued uint64   // last stamp issued
	total  int64
	idle   int64
	idleOf []int64
}

// NewFragTracker returns a tracker over s, registered as its listener. Cost
// O(nodes).
func NewFragTracker(f *Frag, s *scheduler.State) *FragTracker {
	tr := newFragTracker(f, s)
	s.AddListener(tr)
	return tr
}

// newFragTracker returns a tracker over s that its owner keeps current by
// forwarding NodeChanged.
func newFragTracker(f *Frag, s *scheduler.State) *FragTracker {
	tr := &FragTracker{F: f, s: s}
	tr.grow()
	return tr
}

// grow adds the nodes of s that the tracker does not know yet.
func (tr *FragTracker) grow() {
	for i := len(tr.node); i < tr.s.NumNodes(); i++ {
		tr.model = append(tr.model, tr.F.Model(tr.s.Node(scheduler.NodeID(i)).GPUModel))
		tr.node, tr.idleOf, tr.stamp = append(tr.node, 0), append(tr.idleOf, 0), append(tr.stamp, 0)
		tr.update(scheduler.NodeID(i))
	}
}

func (tr *FragTracker) update(id scheduler.NodeID) {
	tr.total -= tr.node[id]
	tr.idle -= tr.idleOf[id]
	tr.node[id], tr.idleOf[id] = 0, 0
	tr.issued++
	tr.stamp[id] = tr.issued
	if tr.s.Up(id) {
		free := tr.s.GPUFree(id)
		tr.node[id] = tr.F.FragScaled(tr.model[id], tr.s.Free(id)[scheduler.CPU], free)
		for _, g := range free {
			tr.idleOf[id] += int64(g)
		}
	}
	tr.total += tr.node[id]
	tr.idle += tr.idleOf[id]
}

// NodeChanged implements scheduler.NodeListener.
func (tr *FragTracker) NodeChanged(id scheduler.NodeID) {
	if int(id) >= len(tr.node) {
		tr.grow() // nodes were added
		return
	}
	tr.update(id)
}

// NodeScaled returns node id's fragmentation × Typical.Total.
func (tr *FragTracker) NodeScaled(id scheduler.NodeID) int64 { return tr.node[id] }

// FragMilli returns the cluster's fragmented GPU in milli-GPU (Σ_n F_n).
func (tr *FragTracker) FragMilli() float64 {
	return float64(tr.total) / float64(tr.F.Typical.Total)
}

// IdleMilli returns the cluster's idle GPU in milli-GPU (Σ_n G_n).
func (tr *FragTracker) IdleMilli() int64 { return tr.idle }

// Ratio returns the fragmentation ratio in percent: 100 · Σ F_n / Σ G_n (0 when
// nothing is idle).
func (tr *FragTracker) Ratio() float64 {
	if tr.idle == 0 {
		return 0
	}
	return 100 * float64(tr.total) / float64(tr.F.Typical.Total) / float64(tr.idle)
}
