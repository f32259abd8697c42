package binpack

import "github.com/schedlab/schedlab/scheduler"

// leaf is what the segment tree keeps per node: the free vector, the largest free
// share of one GPU device and the number of fully free devices. Internal entries hold
// the component-wise maximum of their children. A down, removed or absent node has
// every field −1, so it never dominates a request.
type leaf struct {
	free  scheduler.Resources
	dev   int32 // largest free share of one device, milli
	whole int32 // fully free devices
}

var noLeaf = leaf{free: scheduler.Resources{-1, -1, -1, -1}, dev: -1, whole: -1}

func maxLeaf(a, b leaf) leaf {
	for i := range a.free {
		if b.free[i] > a.free[i] {
			a.free[i] = b.free[i]
		}
	}
	if b.dev > a.dev {
		a.dev = b.dev
	}
	if b.whole > a.whole {
		a.whole = b.whole
	}
	return a
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
}

// bind makes the tree index s and registers it as a listener of s (Cost O(n)).
// Binding again to the same state does nothing; binding to another state panics.
func (t *fitTree) bind(s *scheduler.State) {
	if t.s == s {
		return
	}
	mustBeUnbound(t.s, s)
	t.s = s
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
		t.v[i] = maxLeaf(t.v[2*i], t.v[2*i+1])
	}
}

func (t *fitTree) leafOf(i int) leaf {
	if i >= t.n || !t.s.Up(scheduler.NodeID(i)) {
		return noLeaf
	}
	id := scheduler.NodeID(i)
	l := leaf{free: t.s.Free(id)}
	for _, g := range t.s.GPUFree(id) {
		if g > l.dev {
			l.dev = g
		}
		if g == 1000 {
			l.whole++
		}
	}
	return l
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

func (t *fitTree) update(id int) {
	i := t.size + id
	t.v[i] = t.leafOf(id)
	for i >>= 1; i >= 1; i >>= 1 {
		t.v[i] = maxLeaf(t.v[2*i], t.v[2*i+1])
	}
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
	return t.find(1, 0, t.size, from, to, tk)
}

func (t *fitTree) find(i, lo, hi, from, to int, tk *scheduler.Task) scheduler.NodeID {
	if hi <= from || lo >= to || !dominates(&t.v[i], tk) {
		return scheduler.NoNode
	}
	if hi-lo == 1 {
		if t.s.Fits(tk, scheduler.NodeID(lo)).IsOK() {
			return scheduler.NodeID(lo)
		}
		return scheduler.NoNode
	}
	mid := (lo + hi) / 2
	if id := t.find(2*i, lo, mid, from, to, tk); id != scheduler.NoNode {
		return id
	}
	return t.find(2*i+1, mid, hi, from, to, tk)
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
