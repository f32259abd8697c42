package binpack

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/google/btree"
	"github.com/schedlab/schedlab/scheduler"
)

// Norm is how Fit reduces a node's free capacity (a vector) to one number.
type Norm uint8

// Norms. Key is served by an ordered index whose subtrees carry the maxima of
// every resource (keyTree), so nodes full in another dimension are skipped in
// groups: O(log n) on a loaded cluster. Sum is served by an ordered index too
// (O(log n) plus the nodes skipped because another dimension or a device does
// not fit); L2 and Max depend on each node's own capacity and on the request, so
// they are a full scan (O(n)).
const (
	// NormKey uses one resource: Fit.Key, or automatically GPU for tasks that
	// request GPUs and CPU otherwise.
	NormKey Norm = iota
	// NormSum is Σ_r free_r / M_r, where M_r is the largest capacity of resource r
	// on any node (resources no node has are left out). Because the weights are the
	// same for every node, ordering by free capacity before or after the placement is
	// the same, so an ordered index serves it.
	NormSum
	// NormL2 is √(Σ_r ((free_r − req_r)/cap_r)²) over the node's resources with
	// cap_r > 0: the Euclidean length of the normalised capacity left after the
	// placement.
	NormL2
	// NormMax is max_r (free_r − req_r)/cap_r over the node's resources with
	// cap_r > 0: the largest normalised leftover.
	NormMax
)

var normNames = [...]string{"key", "sum", "l2", "max"}

// String returns the norm's name as used in placer parameters.
func (n Norm) String() string {
	if int(n) < len(normNames) {
		return normNames[n]
	}
	return fmt.Sprintf("Norm(%d)", int(n))
}

// ParseNorm returns the Norm named s.
func ParseNorm(s string) (Norm, error) {
	for i, n := range normNames {
		if n == s {
			return Norm(i), nil
		}
	}
	return 0, fmt.Errorf("binpack: unknown norm %q (valid: key, sum, l2, max)", s)
}

// AutoKey as Fit.Key means GPU for tasks that request GPUs and CPU otherwise.
const AutoKey scheduler.Resource = -1

// Fit is best fit (the feasible node with the least free capacity by Norm) or,
// with Worst, worst fit (the most free capacity).
//
// Ties: best fit goes to the lowest node ID. Worst fit with NormKey or NormSum goes
// to the highest node ID (the ordered index is walked downward by (value, ID));
// with NormL2 or NormMax it goes to the lowest node ID. A naive full scan with these
// rules chooses the same node (the package tests check it).
type Fit struct {
	Worst bool
	Norm  Norm
	Key   scheduler.Resource // for NormKey; AutoKey for automatic
	bound *scheduler.State
	sum   sumIndex
	keys  [scheduler.NumResources]*keyTree // NormKey: the index of each key used
}

var (
	_ scheduler.Placer   = (*Fit)(nil)
	_ scheduler.Attacher = (*Fit)(nil)
)

// Attach implements scheduler.Attacher. For NormKey it builds the ordered index
// of each key the placer uses (keyTree: CPU and GPU for AutoKey), for NormSum
// the ordered index by the sum (O(n log n) each).
func (f *Fit) Attach(s *scheduler.State, _ *rand.Rand) {
	if f.bound == s {
		return
	}
	mustBeUnbound(f.bound, s)
	f.bound = s
	switch f.Norm {
	case NormSum:
		f.sum.bind(s)
	case NormKey:
		if f.Key >= 0 && f.Key < scheduler.NumResources {
			f.keys[f.Key] = &keyTree{}
			f.keys[f.Key].bind(s, f.Key, false)
			break
		}
		// AutoKey: CPU for tasks without GPUs; GPU for tasks with, which only
		// nodes with GPUs can hold.
		f.keys[scheduler.CPU], f.keys[scheduler.GPU] = &keyTree{}, &keyTree{}
		f.keys[scheduler.CPU].bind(s, scheduler.CPU, false)
		f.keys[scheduler.GPU].bind(s, scheduler.GPU, true)
	}
}

// NewBestFit returns a best-fit placer.
func NewBestFit(norm Norm, key scheduler.Resource) *Fit { return &Fit{Norm: norm, Key: key} }

// NewWorstFit returns a worst-fit placer.
func NewWorstFit(norm Norm, key scheduler.Resource) *Fit {
	return &Fit{Worst: true, Norm: norm, Key: key}
}

// KeyOf returns the resource a NormKey placer with key k fits on for task t.
func KeyOf(k scheduler.Resource, t *scheduler.Task) scheduler.Resource {
	if k >= 0 && k < scheduler.NumResources {
		return k
	}
	if t.Request[scheduler.GPU] > 0 {
		return scheduler.GPU
	}
	return scheduler.CPU
}

// Place implements scheduler.Placer.
func (f *Fit) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	mustBeBound(f.bound, s)
	var id scheduler.NodeID
	switch f.Norm {
	case NormKey:
		id = f.placeKey(t)
	case NormSum:
		id = f.placeSum(s, t)
	default:
		id = f.placeScan(s, t)
	}
	if id == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	return id, s.ChooseGPUs(t, id), scheduler.StatusOK
}

// placeKey is the first node by (free[key], ID) from the request's amount on
// that fits (best fit), or the last (worst fit): what walking the state's
// ordered index (State.AscendFree, State.DescendFree) finds, from the keyTree
// in O(log n).
func (f *Fit) placeKey(t *scheduler.Task) scheduler.NodeID {
	key := KeyOf(f.Key, t)
	tree := f.keys[key]
	if f.Worst {
		return tree.last(t, t.Request[key])
	}
	return tree.first(t, t.Request[key])
}

// NormValue returns the value of norm n (NormSum, NormL2 or NormMax; NormKey is
// the free capacity of key) for task t on node id. max is the largest capacity per
// resource, used by NormSum only.
func NormValue(n Norm, s *scheduler.State, t *scheduler.Task, id scheduler.NodeID, key scheduler.Resource, max scheduler.Resources) float64 {
	free := s.Free(id)
	switch n {
	case NormKey:
		return float64(free[KeyOf(key, t)])
	case NormSum:
		return sumKey(free, max)
	}
	cp := s.Node(id).Capacity
	v := 0.0
	for r := range cp {
		if cp[r] <= 0 {
			continue
		}
		x := float64(free[r]-t.Request[r]) / float64(cp[r])
		if n == NormL2 {
			v += x * x
		} else if x > v {
			v = x
		}
	}
	if n == NormL2 {
		v = math.Sqrt(v)
	}
	return v
}

func (f *Fit) placeScan(s *scheduler.State, t *scheduler.Task) scheduler.NodeID {
	best, bestV := scheduler.NoNode, 0.0
	for i := 0; i < s.NumNodes(); i++ {
		id := scheduler.NodeID(i)
		if !s.Up(id) || !t.Request.LessEq(s.Free(id)) || !s.Fits(t, id).IsOK() {
			continue
		}
		v := NormValue(f.Norm, s, t, id, f.Key, scheduler.Resources{})
		if best == scheduler.NoNode || (!f.Worst && v < bestV) || (f.Worst && v > bestV) {
			best, bestV = id, v
		}
	}
	return best
}

func (f *Fit) placeSum(s *scheduler.State, t *scheduler.Task) scheduler.NodeID {
	x := &f.sum
	lower := sumKey(t.Request, x.max)
	found := scheduler.NoNode
	visit := func(k sumEntry) bool {
		if k.v < lower {
			return false
		}
		if t.Request.LessEq(s.Free(k.id)) && s.Fits(t, k.id).IsOK() {
			found = k.id
			return false
		}
		return true
	}
	if f.Worst {
		x.t.Descend(visit)
	} else {
		x.t.AscendGreaterOrEqual(sumEntry{lower, -1}, visit)
	}
	return found
}

// MaxCapacity returns the largest capacity of each resource over the state's nodes.
func MaxCapacity(s *scheduler.State) scheduler.Resources {
	var m scheduler.Resources
	for i := 0; i < s.NumNodes(); i++ {
		m = m.Max(s.Node(scheduler.NodeID(i)).Capacity)
	}
	return m
}

func sumKey(free, max scheduler.Resources) float64 {
	v := 0.0
	for r := range free {
		if max[r] > 0 {
			v += float64(free[r]) / float64(max[r])
		}
	}
	return v
}

type sumEntry struct {
	v  float64
	id scheduler.NodeID
}

func lessSum(a, b sumEntry) bool {
	if a.v != b.v {
		return a.v < b.v
	}
	return a.id < b.id
}

// sumIndex orders the up nodes by NormSum, maintained through a NodeListener.
type sumIndex struct {
	s    *scheduler.State
	max  scheduler.Resources
	t    *btree.BTreeG[sumEntry]
	keys []float64 // per node, its entry's value (NaN when not indexed)
}

func (x *sumIndex) bind(s *scheduler.State) {
	if x.s == s {
		return
	}
	mustBeUnbound(x.s, s)
	x.s = s
	s.AddListener(x)
	x.rebuild()
}

func (x *sumIndex) rebuild() {
	x.max = MaxCapacity(x.s)
	x.t = btree.NewG[sumEntry](32, lessSum)
	x.keys = make([]float64, x.s.NumNodes())
	for i := range x.keys {
		x.keys[i] = math.NaN()
		x.put(scheduler.NodeID(i))
	}
}

func (x *sumIndex) put(id scheduler.NodeID) {
	if !math.IsNaN(x.keys[id]) {
		x.t.Delete(sumEntry{x.keys[id], id})
		x.keys[id] = math.NaN()
	}
	if x.s.Up(id) {
		v := sumKey(x.s.Free(id), x.max)
		x.t.ReplaceOrInsert(sumEntry{v, id})
		x.keys[id] = v
	}
}

// NodeChanged implements scheduler.NodeListener.
func (x *sumIndex) NodeChanged(id scheduler.NodeID) {
	if int(id) >= len(x.keys) {
		// Nodes were added: when they raise the largest capacity M every key
		// changes (O(n log n)); otherwise only theirs is new (O(log n) each).
		max := x.max
		for i := len(x.keys); i < x.s.NumNodes(); i++ {
			max = max.Max(x.s.Node(scheduler.NodeID(i)).Capacity)
		}
		if max != x.max {
			x.rebuild()
			return
		}
		for i := len(x.keys); i < x.s.NumNodes(); i++ {
			x.keys = append(x.keys, math.NaN())
			x.put(scheduler.NodeID(i))
		}
		return
	}
	x.put(id)
}
