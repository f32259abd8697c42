package binpack

import (
	"math"

	"github.com/schedlab/schedlab/scheduler"
)

// leaf is what the segment tree keeps per node: the free vector, the largest free
// share of one GPU device, the number of fully free devices and the CPU–memory
// sketch. Internal entries hold the component-wise maximum of their children. A
// down, removed or absent node has every field −1, so it never dominates a request.
type leaf struct {
	free  scheduler.Resources
	dev   int32 // largest free share of one device, milli
	whole int32 // fully free devices
	sk    sketch
}

// sketchN is the number of slopes of the CPU–memory sketch.
const sketchN = 7

// sketch holds, for each slope k, min(x, y·2^(k−3)) where x and y are a node's
// free CPU and memory as fractions of the largest capacities (fitTree.unit). The
// maximum over a subtree of these minima is what the per-resource maxima miss:
// a subtree of one node with free CPU and no memory and another with free memory
// and no CPU has large maxima of both, but small minima at every slope. Each
// minimum is monotone in (x, y), so a node that dominates a request has, at
// every slope, a value at least the request's: pruning a subtree whose maximum
// is below the request's value never drops a node that fits (the choice stays
// exactly the linear scan's). At the slope where y·2^(k−3) equals x for the
// request the test is exact for one node; the two slopes bracketing the
// request's ratio are the ones searches test.
type sketch [sketchN]float32

// sketchOf returns the sketch of free CPU c and memory m (unit: 1/capacity).
func sketchOf(c, m int64, unit [2]float32) sketch {
	var k sketch
	x, y := float32(c)*unit[0], float32(m)*unit[1]
	t := float32(1.0 / 8)
	for i := range k {
		k[i] = min(x, y*t)
		t *= 2
	}
	return k
}

// bracket returns the lower of the two slopes that bracket a request's ratio of
// CPU to memory (both as fractions), clamped to the sketch's range.
func bracket(c, m int64, unit [2]float32) int {
	x, y := float64(float32(c)*unit[0]), float64(float32(m)*unit[1])
	if y <= 0 {
		return sketchN - 2
	}
	if x <= 0 {
		return 0
	}
	k := int(math.Floor(math.Log2(x/y))) + 3
	return max(0, min(sketchN-2, k))
}

var noLeaf = func() leaf {
	l := leaf{free: scheduler.Resources{-1, -1, -1, -1}, dev: -1, whole: -1}
	for i := range l.sk {
		l.sk[i] = -1
	}
	return l
}()

// raise sets l to the component-wise maximum of l and b.
func (l *leaf) raise(b *leaf) {
	for i := range l.free {
		l.free[i] = max(l.free[i], b.free[i])
	}
	l.dev = max(l.dev, b.dev)
	l.whole = max(l.whole, b.whole)
	for i := range l.sk {
		l.sk[i] = max(l.sk[i], b.sk[i])
	}
}

// maxOf sets l to the component-wise maximum of a and b.
func (l *leaf) maxOf(a, b *leaf) {
	*l = *a
	l.raise(b)
}

// fitTree is a segment tree over node IDs that finds the lowest-numbered node, at or
// after a start ID, whose free capacity dominates a request. It listens to the state
// (scheduler.NodeListener) so it is updated in O(log n) per change. A search costs
// O(log n) when the first dominating node fits; nodes that dominate the request by
// the vector but fail State.Fits (labels, GPU model, distinct nodes) cost
// O(log n) each more.
type fitTree struct {
	s    *scheduler.State
	size int // leaves (a power of two)
	n    int // nodes indexed
	v    []leaf
	unit [2]float32 // 1 / the largest CPU and memory capacity when bound (the sketch's scale)
}

// bind makes the tree index s and registers it as a listener of s (Cost O(n)).
// Binding again to the same state does nothing; binding to another state panics.
func (t *fitTree) bind(s *scheduler.State) {
	if t.s == s {
		return
	}
	mustBeUnbound(t.s, s)
	t.s = s
	t.unit = sketchUnit(s)
	s.AddListener(t)
	t.rebuild()
}

// check panics unless the tree indexes s.
func (t *fitTree) check(s *scheduler.State) { mustBeBound(t.s, s) }

func (t *fitTree) rebuild() {
	n := t.s.NumNodes()
	size := 1
	for size < n {
		size <<= 1
	}
	t.n, t.size = n, size
	t.v = make([]leaf, 2*size)
	for i := 0; i < size; i++ {
		t.v[size+i] = t.leafOf(i)
	}
	for i := size - 1; i >= 1; i-- {
		t.v[i].maxOf(&t.v[2*i], &t.v[2*i+1])
	}
}

func (t *fitTree) leafOf(i int) leaf {
	if i >= t.n || !t.s.Up(scheduler.NodeID(i)) {
		return noLeaf
	}
	return nodeLeaf(t.s, scheduler.NodeID(i), t.unit)
}

// nodeLeaf returns the leaf of node id of s, its sketch at scale unit.
func nodeLeaf(s *scheduler.State, id scheduler.NodeID, unit [2]float32) leaf {
	l := leaf{free: s.Free(id)}
	l.sk = sketchOf(l.free[scheduler.CPU], l.free[scheduler.Memory], unit)
	for _, g := range s.GPUFree(id) {
		l.dev = max(l.dev, g)
		if g == 1000 {
			l.whole++
		}
	}
	return l
}

// sketchUnit returns the sketch's scale for s: one over the largest CPU and
// memory capacity of its nodes when bound (any positive scale keeps searches
// exact; this one makes the slopes span typical request ratios).
func sketchUnit(s *scheduler.State) [2]float32 {
	m := MaxCapacity(s)
	return [2]float32{1 / float32(max(1, m[scheduler.CPU])), 1 / float32(max(1, m[scheduler.Memory]))}
}

// NodeChanged implements scheduler.NodeListener. An added node takes a free leaf
// (O(log n)); the tree doubles when it has none (O(n), amortised O(1) per node).
func (t *fitTree) NodeChanged(id scheduler.NodeID) {
	if int(id) >= t.n {
		n := t.s.NumNodes()
		if n > t.size {
			t.rebuild()
			return
		}
		old := t.n
		t.n = n
		for i := old; i < n; i++ {
			t.update(i)
		}
		return
	}
	t.update(int(id))
}

// update recomputes node id's leaf and its ancestors, stopping at the first
// ancestor that does not change (its own ancestors then do not either).
func (t *fitTree) update(id int) {
	i := t.size + id
	t.v[i] = t.leafOf(id)
	var m leaf
	for i >>= 1; i >= 1; i >>= 1 {
		m.maxOf(&t.v[2*i], &t.v[2*i+1])
		if m == t.v[i] {
			return
		}
		t.v[i] = m
	}
}

// request is a task as a search tests it: the task, and its sketch values at the
// two slopes that bracket its CPU–memory ratio.
type request struct {
	t      *scheduler.Task
	k      int
	lo, hi float32
}

func newRequest(tk *scheduler.Task, unit [2]float32) request {
	c, m := tk.Request[scheduler.CPU], tk.Request[scheduler.Memory]
	k := bracket(c, m, unit)
	sk := sketchOf(c, m, unit)
	return request{t: tk, k: k, lo: sk[k], hi: sk[k+1]}
}

// covers reports whether entry l (a subtree) could hold request q: its maxima
// dominate the request and its sketch is at least the request's at both slopes.
func covers(l *leaf, q *request) bool {
	return l.sk[q.k] >= q.lo && l.sk[q.k+1] >= q.hi && dominates(l, q.t)
}

// dominates reports whether entry l could hold task t.
func dominates(l *leaf, t *scheduler.Task) bool {
	if !t.Request.LessEq(l.free) {
		return false
	}
	if t.GPUCount > 0 {
		if t.GPUMilli < 1000 {
			return l.dev >= t.GPUMilli
		}
		return l.whole >= t.GPUCount
	}
	return true
}

// first returns the lowest node ID in [from, to) that fits t (State.Fits), or NoNode.
func (t *fitTree) first(tk *scheduler.Task, from, to int) scheduler.NodeID {
	if from >= to {
		return scheduler.NoNode
	}
	q := newRequest(tk, t.unit)
	return t.find(1, 0, t.size, from, to, &q)
}

func (t *fitTree) find(i, lo, hi, from, to int, q *request) scheduler.NodeID {
	if hi <= from || lo >= to || !covers(&t.v[i], q) {
		return scheduler.NoNode
	}
	if hi-lo == 1 {
		if t.s.Fits(q.t, scheduler.NodeID(lo)).IsOK() {
			return scheduler.NodeID(lo)
		}
		return scheduler.NoNode
	}
	mid := (lo + hi) / 2
	if id := t.find(2*i, lo, mid, from, to, q); id != scheduler.NoNode {
		return id
	}
	return t.find(2*i+1, mid, hi, from, to, q)
}

// mustBeUnbound panics if a placer part bound to state old is bound to another
// state s.
func mustBeUnbound(old, s *scheduler.State) {
	if old != nil && old != s {
		panic("binpack: placer attached to a second state (each scheduler needs its own placer)")
	}
}

// mustBeBound panics unless a placer part is bound to s: Place before Attach, or
// with another state than the attached one, is a programming error.
func mustBeBound(bound, s *scheduler.State) {
	if bound != s {
		if bound == nil {
			panic("binpack: Place before Attach (the simulator attaches placers; outside a run call scheduler.AttachPlacer)")
		}
		panic("binpack: Place with another state than the attached one")
	}
}
