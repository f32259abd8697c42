package binpack

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// Strategy is a NodeResourcesFit scoring strategy (REFERENCES.md §1.4).
type Strategy uint8

// NodeResourcesFit strategies.
const (
	LeastAllocated           Strategy = iota // the default: spread
	MostAllocated                            // pack
	RequestedToCapacityRatio                 // a broken-linear shape of utilisation
)

var strategyNames = [...]string{"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"}

// String returns the strategy's Kubernetes name.
func (s Strategy) String() string {
	if int(s) < len(strategyNames) {
		return strategyNames[s]
	}
	return fmt.Sprintf("Strategy(%d)", int(s))
}

// ParseStrategy accepts the Kubernetes names and the short forms least, most, rtcr.
func ParseStrategy(s string) (Strategy, error) {
	switch s {
	case "LeastAllocated", "least":
		return LeastAllocated, nil
	case "MostAllocated", "most":
		return MostAllocated, nil
	case "RequestedToCapacityRatio", "rtcr":
		return RequestedToCapacityRatio, nil
	}
	return 0, fmt.Errorf("binpack: unknown strategy %q (valid: least, most, rtcr)", s)
}

// ResourceWeight is one entry of ScoringStrategy.Resources. A weight of 0 counts as
// 1, as in Kubernetes.
type ResourceWeight struct {
	Resource scheduler.Resource
	Weight   int64
}

// ShapePoint is one point of a RequestedToCapacityRatio shape: utilisation in
// 0..100 and score in 0..10 (scaled ×10 before use).
type ShapePoint struct {
	Utilization int64
	Score       int64
}

// Kubernetes constants.
const (
	MaxNodeScore            = 100
	maxCustomPriorityScore  = 10
	minFeasibleNodesToFind  = 100
	minFeasiblePercentage   = 5
	DefaultMilliCPURequest  = 100 // non-zero default CPU request, milli-cores (§1.6)
	DefaultMemoryRequestMiB = 200 // non-zero default memory request, MiB (§1.6)
)

// KubeConfig configures the Kubernetes scorer pipeline: NodeResourcesFit (with a
// strategy) and NodeResourcesBalancedAllocation, combined with weights as in the
// default profile, after a filter that samples percentageOfNodesToScore.
type KubeConfig struct {
	Strategy  Strategy
	Resources []ResourceWeight // NodeResourcesFit resources; nil = cpu and memory, weight 1
	Shape     []ShapePoint     // for RequestedToCapacityRatio; nil = {(0,0),(100,10)}
	// FitWeight and BalancedWeight are the plugins' weights in the final score
	// (default profile: 1 and 1). 0 disables a plugin.
	FitWeight, BalancedWeight int64
	BalancedResources         []scheduler.Resource // nil = cpu and memory
	// LegacyBalanced selects the pre-1.34 BalancedAllocation (⌊(1−std)×100⌋ after the
	// pod) instead of the current change-in-balance form.
	LegacyBalanced bool
	// Percentage is percentageOfNodesToScore: 0 = adaptive (50 − N/125, at least 5),
	// ≥ 100 = all nodes.
	Percentage int
}

// DefaultKubeConfig returns the default profile: LeastAllocated on cpu and memory,
// both plugins at weight 1, current BalancedAllocation, adaptive sampling.
func DefaultKubeConfig() KubeConfig {
	return KubeConfig{Strategy: LeastAllocated, FitWeight: 1, BalancedWeight: 1}
}

// Validate checks the configuration and fills defaults for nil lists. A resource
// listed twice in Resources or BalancedResources is an error, as in Kubernetes'
// argument validation.
func (c *KubeConfig) Validate() error {
	if c.Strategy > RequestedToCapacityRatio {
		return fmt.Errorf("binpack: kube: unknown strategy %d", c.Strategy)
	}
	if c.Resources == nil {
		c.Resources = []ResourceWeight{{scheduler.CPU, 1}, {scheduler.Memory, 1}}
	}
	var seen [scheduler.NumResources]bool
	for i, r := range c.Resources {
		if r.Resource < 0 || r.Resource >= scheduler.NumResources {
			return fmt.Errorf("binpack: kube: resource %d is not a resource", r.Resource)
		}
		if seen[r.Resource] {
			return fmt.Errorf("binpack: kube: resource %v listed twice", r.Resource)
		}
		seen[r.Resource] = true
		if r.Weight < 0 || r.Weight > 100 {
			return fmt.Errorf("binpack: kube: weight %d of %v is outside 1..100", r.Weight, r.Resource)
		}
		if r.Weight == 0 {
			c.Resources[i].Weight = 1
		}
	}
	if c.Shape == nil {
		c.Shape = []ShapePoint{{0, 0}, {100, 10}}
	}
	for i, p := range c.Shape {
		if p.Utilization < 0 || p.Utilization > 100 || p.Score < 0 || p.Score > maxCustomPriorityScore {
			return fmt.Errorf("binpack: kube: shape point %d (%d,%d) out of range (utilisation 0..100, score 0..10)", i, p.Utilization, p.Score)
		}
		if i > 0 && p.Utilization <= c.Shape[i-1].Utilization {
			return fmt.Errorf("binpack: kube: shape utilisations must increase (point %d)", i)
		}
	}
	if c.BalancedResources == nil {
		c.BalancedResources = []scheduler.Resource{scheduler.CPU, scheduler.Memory}
	}
	seen = [scheduler.NumResources]bool{}
	for _, r := range c.BalancedResources {
		if r < 0 || r >= scheduler.NumResources {
			return fmt.Errorf("binpack: kube: balanced resource %d is not a resource", r)
		}
		if seen[r] {
			return fmt.Errorf("binpack: kube: balanced resource %v listed twice", r)
		}
		seen[r] = true
	}
	if c.FitWeight < 0 || c.BalancedWeight < 0 {
		return fmt.Errorf("binpack: kube: negative plugin weight")
	}
	if c.Percentage < 0 {
		return fmt.Errorf("binpack: kube: percentageOfNodesToScore %d < 0", c.Percentage)
	}
	return nil
}

// NumFeasibleNodesToFind returns how many feasible nodes the filter looks for in a
// cluster of n nodes with percentageOfNodesToScore pct (kube-scheduler
// numFeasibleNodesToFind, REFERENCES.md §1.7).
func NumFeasibleNodesToFind(n, pct int) int {
	if n < minFeasibleNodesToFind || pct >= 100 {
		return n
	}
	p := pct
	if p <= 0 {
		p = max(50-n/125, minFeasiblePercentage)
	}
	return max(n*p/100, minFeasibleNodesToFind)
}

// LeastAllocatedScore is ⌊Σ_r w_r·⌊(cap_r−req_r)·100/cap_r⌋ / Σ_r w_r⌋ over the
// resources with cap_r > 0 (a request above capacity scores 0). requested includes
// the incoming pod (non-zero requests).
func LeastAllocatedScore(requested, capacity scheduler.Resources, res []ResourceWeight) int64 {
	var score, wsum int64
	for _, rw := range res {
		c, q := capacity[rw.Resource], requested[rw.Resource]
		if c == 0 {
			continue
		}
		s := int64(0)
		if q <= c {
			s = (c - q) * MaxNodeScore / c
		}
		score += s * rw.Weight
		wsum += rw.Weight
	}
	if wsum == 0 {
		return 0
	}
	return score / wsum
}

// MostAllocatedScore is ⌊Σ_r w_r·⌊min(req_r, cap_r)·100/cap_r⌋ / Σ_r w_r⌋ over the
// resources with cap_r > 0.
func MostAllocatedScore(requested, capacity scheduler.Resources, res []ResourceWeight) int64 {
	var score, wsum int64
	for _, rw := range res {
		c, q := capacity[rw.Resource], requested[rw.Resource]
		if c == 0 {
			continue
		}
		score += min(q, c) * MaxNodeScore / c * rw.Weight
		wsum += rw.Weight
	}
	if wsum == 0 {
		return 0
	}
	return score / wsum
}

// ShapeScore evaluates the broken-linear shape (scores already ×10) at utilisation
// p with integer arithmetic (kube's helper.BuildBrokenLinearFunction).
func ShapeScore(shape []ShapePoint, p int64) int64 {
	k := len(shape)
	if k == 0 {
		return 0
	}
	for i := range k {
		if p <= shape[i].Utilization {
			if i == 0 {
				return shape[0].Score * 10
			}
			a, b := shape[i-1], shape[i]
			return a.Score*10 + (b.Score*10-a.Score*10)*(p-a.Utilization)/(b.Utilization-a.Utilization)
		}
	}
	return shape[k-1].Score * 10
}

// RequestedToCapacityRatioScore is round(Σ_r w_r·f(u_r) / Σ_r w_r) with
// u_r = ⌊min(req_r, cap_r)·100/cap_r⌋ and f the shape, both sums over the resources
// with cap_r > 0 and f(u_r) > 0; a request above capacity scores f(100).
func RequestedToCapacityRatioScore(requested, capacity scheduler.Resources, res []ResourceWeight, shape []ShapePoint) int64 {
	var num, wsum int64
	for _, rw := range res {
		c, q := capacity[rw.Resource], requested[rw.Resource]
		if c == 0 {
			continue
		}
		var f int64
		if q > c {
			f = ShapeScore(shape, 100)
		} else {
			f = ShapeScore(shape, max(q, 0)*100/c)
		}
		if f > 0 {
			num += f * rw.Weight
			wsum += rw.Weight
		}
	}
	if wsum == 0 {
		return 0
	}
	return int64(math.Round(float64(num) / float64(wsum)))
}

// balance returns int64((1 − std(f)) × 100) with f_r = min(x_r/cap_r, 1) over the
// resources with cap_r > 0.
func balance(x, capacity scheduler.Resources, res []scheduler.Resource) int64 {
	var fr [scheduler.NumResources]float64
	n := 0
	for _, r := range res {
		if capacity[r] <= 0 {
			continue
		}
		fr[n] = min(float64(x[r])/float64(capacity[r]), 1)
		n++
	}
	return balanceOf(&fr, n)
}

// balanceOf returns int64((1 − std) × 100) for the fractions fr[:n]. The reference
// (balance) and the fast path (kubeScorer.balanced) share it, so the floating-point
// operations are the same.
func balanceOf(fr *[scheduler.NumResources]float64, n int) int64 {
	std := 0.0
	switch {
	case n == 2:
		std = math.Abs(fr[0]-fr[1]) / 2
	case n > 2:
		mean := 0.0
		for _, f := range fr[:n] {
			mean += f
		}
		mean /= float64(n)
		v := 0.0
		for _, f := range fr[:n] {
			v += (f - mean) * (f - mean)
		}
		std = math.Sqrt(v / float64(n))
	}
	return int64((1 - std) * MaxNodeScore)
}

// BalancedAllocationScore is NodeResourcesBalancedAllocation (REFERENCES.md §1.5)
// for a node whose declared requests are before, before and after the incoming pod.
// The current form is 50 + (50 + balance(after) − balance(before))/2 (integer
// division); legacy is balance(after) alone.
func BalancedAllocationScore(before, after, capacity scheduler.Resources, res []scheduler.Resource, legacy bool) int64 {
	if legacy {
		return balance(after, capacity, res)
	}
	return 50 + (50+balance(after, capacity, res)-balance(before, capacity, res))/2
}

// NonZero returns r with a zero CPU request raised to 100 m and a zero memory request
// raised to 200 MiB (kube's scoring defaults for pods that request nothing).
func NonZero(r scheduler.Resources) scheduler.Resources {
	if r[scheduler.CPU] == 0 {
		r[scheduler.CPU] = DefaultMilliCPURequest
	}
	if r[scheduler.Memory] == 0 {
		r[scheduler.Memory] = DefaultMemoryRequestMiB
	}
	return r
}

// jumpAfter is how many infeasible nodes in a row the filter scans one by one
// before it asks the segment tree for the next feasible node.
const jumpAfter = 8

// Kube is the kube-scheduler placement pipeline: the filter (State.Fits) runs
// sequentially over the nodes in ID order from a rotating start index and stops
// after NumFeasibleNodesToFind feasible nodes; the next decision starts where this
// one stopped (start += nodes examined, mod N). Each feasible node scores
// FitWeight·NodeResourcesFit + BalancedWeight·BalancedAllocation; the highest total
// wins and ties go to the lowest node ID (kube breaks ties by reservoir sampling;
// this model fixes a deterministic rule, REFERENCES.md §1.3).
//
// Pods already on a node are charged their non-zero requests by NodeResourcesFit.
// The placer keeps a struct-of-arrays cache per node (allocatable, declared and
// non-zero requests, the balance before the pod) current through a
// scheduler.NodeListener, and scores from it with the pod's constants computed
// once per decision, skipping nodes whose score bound cannot win (kube_fast.go).
// The filter scans plain tasks without data-dependent branches and GPU tasks over
// the list of GPU nodes only (kube_filter.go). Cost per decision O(nodes examined
// + k): a few nanoseconds per node, about 6 µs at 5,000 nodes (k = 500).
type Kube struct {
	cfg      KubeConfig
	start    int
	s        *scheduler.State
	nodes    *kubeCache // per node, maintained through the listener
	tree     fitTree    // to skip runs of infeasible nodes in the filter
	cand     []scheduler.NodeID
	sc       kubeScorer
	shapeTab [MaxNodeScore + 1]int64 // the RTCR shape at every utilisation
}

var (
	_ scheduler.Placer   = (*Kube)(nil)
	_ scheduler.Attacher = (*Kube)(nil)
)

// NewKube returns a Kube placer; it validates cfg (filling defaults).
func NewKube(cfg KubeConfig) (*Kube, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Kube{cfg: cfg, shapeTab: buildShapeTable(cfg.Shape)}, nil
}

// Config returns the validated configuration.
func (k *Kube) Config() KubeConfig { return k.cfg }

// Attach implements scheduler.Attacher: it builds the per-node cache and the
// segment tree over s and registers them as listeners (O(nodes + tasks)).
func (k *Kube) Attach(s *scheduler.State, _ *rand.Rand) {
	if k.s == s {
		return
	}
	mustBeUnbound(k.s, s)
	k.s = s
	k.start = 0
	k.nodes = newKubeCache(s, &k.cfg)
	s.AddListener(k)
	k.tree.bind(s)
}

// NodeChanged implements scheduler.NodeListener.
func (k *Kube) NodeChanged(id scheduler.NodeID) {
	k.nodes.grow(int(id) + 1)
	k.nodes.set(k.s, &k.cfg, id)
}

// Score returns the total score of task t on node id (which must fit).
func (k *Kube) Score(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID) int64 {
	mustBeBound(k.s, s)
	return k.scorer(t).score(int(id))
}

// bestEffort reports whether t requests none of res (BalancedAllocation's PreScore
// skips such pods).
func bestEffort(t *scheduler.Task, res []scheduler.Resource) bool {
	for _, r := range res {
		if t.Request[r] != 0 {
			return false
		}
	}
	return true
}

// Place implements scheduler.Placer.
func (k *Kube) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	mustBeBound(k.s, s)
	n := s.NumNodes()
	if n == 0 {
		return scheduler.NoNode, 0, StatusNoNodes
	}
	want := NumFeasibleNodesToFind(n, k.cfg.Percentage)
	if k.start >= n {
		k.start = 0
	}
	k.cand = k.cand[:0]
	// The sequential filter from the start index, wrapping, keeping the first want
	// feasible nodes (kube_filter.go). For a task with no GPU and no constraints,
	// State.Fits is exactly "up and the request fits the free vector".
	simple := t.GPUCount == 0 && t.Constraints == nil
	end := k.start + n
	var pos int // the unrolled position after the last node examined, in [start, end]
	if t.Request[scheduler.GPU] > 0 {
		// Only nodes with GPU capacity can hold the task: scan their list.
		pos = k.filterList(s, t, k.nodes.gpuNodes(), want, simple, end, n)
	} else {
		pos = k.filterAll(s, t, want, simple, end, n)
	}
	processed := pos - k.start
	k.start = (k.start + processed) % n
	if len(k.cand) == 0 {
		return scheduler.NoNode, 0, StatusNoFit
	}
	best, _ := k.scorer(t).best(k.cand)
	return best, s.ChooseGPUs(t, best), scheduler.StatusOK
}
