package binpack

import (
	"fmt"
	"math"

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

// Validate checks the configuration and fills defaults for nil lists.
func (c *KubeConfig) Validate() error {
	if c.Strategy > RequestedToCapacityRatio {
		return fmt.Errorf("binpack: kube: unknown strategy %d", c.Strategy)
	}
	if c.Resources == nil {
		c.Resources = []ResourceWeight{{scheduler.CPU, 1}, {scheduler.Memory, 1}}
	}
	for i, r := range c.Resources {
		if r.Resource < 0 || r.Resource >= scheduler.NumResources {
			return fmt.Errorf("binpack: kube: resource %d is not a resource", r.Resource)
		}
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
// Pods already on a node are charged their non-zero requests by NodeResourcesFit:
// the placer keeps, per node, how many tasks declare no CPU or no memory, through a
// scheduler.NodeListener. Cost per decision O(nodes examined + k).
type Kube struct {
	cfg   KubeConfig
	start int
	s     *scheduler.State
	nodes []kubeNode // per node, maintained through the listener
	tree  fitTree    // to skip runs of infeasible nodes in the filter
	cand  []scheduler.NodeID
}

var _ scheduler.Placer = (*Kube)(nil)

// NewKube returns a Kube placer; it validates cfg (filling defaults).
func NewKube(cfg KubeConfig) (*Kube, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Kube{cfg: cfg}, nil
}

// Config returns the validated configuration.
func (k *Kube) Config() KubeConfig { return k.cfg }

func (k *Kube) attach(s *scheduler.State) {
	if k.s == s && len(k.nodes) == s.NumNodes() {
		return
	}
	if k.s != nil && k.s != s {
		k.s.RemoveListener(k)
	}
	if k.s != s {
		s.AddListener(k)
		k.start = 0
	}
	k.s = s
	k.nodes = make([]kubeNode, s.NumNodes())
	for i := range k.nodes {
		k.count(scheduler.NodeID(i))
	}
}

func (k *Kube) count(id scheduler.NodeID) {
	var z [2]int32
	k.s.Tasks(id, func(t *scheduler.Task) bool {
		if t.Request[scheduler.CPU] == 0 {
			z[0]++
		}
		if t.Request[scheduler.Memory] == 0 {
			z[1]++
		}
		return true
	})
	cp := k.s.Node(id).Capacity
	used := cp.Sub(k.s.Free(id))
	k.nodes[id] = kubeNode{cap: cp, used: used, free: k.s.Free(id), zeros: z, up: k.s.Up(id),
		balance: balance(used, cp, k.cfg.BalancedResources)}
}

// kubeNode is the placer's compact copy of what scoring reads about a node.
type kubeNode struct {
	cap, used, free scheduler.Resources
	zeros           [2]int32 // tasks with zero cpu, zero memory
	up              bool
	balance         int64 // balance(used), the "before" of BalancedAllocation
}

// NodeChanged implements scheduler.NodeListener.
func (k *Kube) NodeChanged(id scheduler.NodeID) {
	if int(id) >= len(k.nodes) {
		k.nodes = append(k.nodes, make([]kubeNode, int(id)+1-len(k.nodes))...)
	}
	k.count(id)
}

// Score returns the total score of task t on node id (which must fit).
func (k *Kube) Score(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID) int64 {
	k.attach(s)
	return k.score(s, t, id)
}

func (k *Kube) score(s *scheduler.State, t *scheduler.Task, id scheduler.NodeID) int64 {
	return k.scoreNode(&k.nodes[id], t.Request, NonZero(t.Request), bestEffort(t, k.cfg.BalancedResources))
}

// scoreNode scores a node from the placer's cache: req is the pod's declared
// request, nz its non-zero form, be whether BalancedAllocation skips the pod.
func (k *Kube) scoreNode(kn *kubeNode, req, nz scheduler.Resources, be bool) int64 {
	cp, used := kn.cap, kn.used
	total := int64(0)
	if k.cfg.FitWeight > 0 {
		r := used.Add(nz)
		r[scheduler.CPU] += int64(kn.zeros[0]) * DefaultMilliCPURequest
		r[scheduler.Memory] += int64(kn.zeros[1]) * DefaultMemoryRequestMiB
		var f int64
		switch k.cfg.Strategy {
		case LeastAllocated:
			f = LeastAllocatedScore(r, cp, k.cfg.Resources)
		case MostAllocated:
			f = MostAllocatedScore(r, cp, k.cfg.Resources)
		default:
			f = RequestedToCapacityRatioScore(r, cp, k.cfg.Resources, k.cfg.Shape)
		}
		total += k.cfg.FitWeight * f
	}
	if k.cfg.BalancedWeight > 0 && !be {
		after := balance(used.Add(req), cp, k.cfg.BalancedResources)
		b := after
		if !k.cfg.LegacyBalanced {
			b = 50 + (50+after-kn.balance)/2
		}
		total += k.cfg.BalancedWeight * b
	}
	return total
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
	k.attach(s)
	n := s.NumNodes()
	if n == 0 {
		return scheduler.NoNode, 0, StatusNoNodes
	}
	want := NumFeasibleNodesToFind(n, k.cfg.Percentage)
	if k.start >= n {
		k.start = 0
	}
	k.cand = k.cand[:0]
	k.tree.attach(s)
	// The sequential filter from the start index, wrapping, keeping the first want
	// feasible nodes. Dense stretches are scanned node by node; after a node that
	// does not fit, the segment tree jumps to the next feasible node in O(log n),
	// which visits exactly the nodes a sequential scan would accept. processed is
	// the number of nodes a sequential scan would have examined.
	// For a task with no GPU and no constraints, State.Fits is exactly "up and the
	// request fits the free vector".
	simple := t.GPUCount == 0 && t.Constraints == nil
	processed, misses := 0, 0
	pos := k.start // next node to examine, in [start, start+n)
	end := k.start + n
	for pos < end && len(k.cand) < want {
		i := pos
		if i >= n {
			i -= n
		}
		id := scheduler.NodeID(i)
		kn := &k.nodes[i]
		if kn.up && t.Request.LessEq(kn.free) && (simple || s.Fits(t, id).IsOK()) {
			k.cand = append(k.cand, id)
			pos++
			misses = 0
			continue
		}
		if misses++; misses < jumpAfter {
			pos++
			continue
		}
		misses = 0
		// Jump: the next feasible node in [i+1, min(n, i+rest)) or, wrapping,
		// in [0, end−n).
		var next scheduler.NodeID
		if pos < n {
			next = k.tree.first(t, i+1, min(n, end))
			if next == scheduler.NoNode && end > n {
				if w := k.tree.first(t, 0, end-n); w != scheduler.NoNode {
					next = w
					pos = n + int(w)
				} else {
					pos = end
				}
			} else if next == scheduler.NoNode {
				pos = end
			} else {
				pos = int(next)
			}
		} else {
			next = k.tree.first(t, i+1, end-n)
			if next == scheduler.NoNode {
				pos = end
			} else {
				pos = n + int(next)
			}
		}
		if next != scheduler.NoNode {
			k.cand = append(k.cand, next)
			pos++
		}
	}
	processed = pos - k.start
	k.start = (k.start + processed) % n
	if len(k.cand) == 0 {
		return scheduler.NoNode, 0, StatusNoFit
	}
	best, bestScore := scheduler.NoNode, int64(-1)
	nz, be := NonZero(t.Request), bestEffort(t, k.cfg.BalancedResources)
	for _, id := range k.cand {
		sc := k.scoreNode(&k.nodes[id], t.Request, nz, be)
		if sc > bestScore || sc == bestScore && id < best {
			best, bestScore = id, sc
		}
	}
	return best, s.ChooseGPUs(t, best), scheduler.StatusOK
}
