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

// attach makes the tree index s, building it if s is new (O(n)).
func (t *fitTree) attach(s *scheduler.State) {
	if t.s == s && t.n == s.NumNodes() {
		return
	}
	if t.s != nil && t.s != s {
		t.s.RemoveListener(t)
	}
	if t.s != s {
		s.AddListener(t)
	}
	t.s = s
	t.rebuild()
}

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

// NodeChanged implements scheduler.NodeListener.
func (t *fitTree) NodeChanged(id scheduler.NodeID) {
	if int(id) >= t.n {
		t.rebuild() // a node was added
		return
	}
	i := t.size + int(id)
	t.v[i] = t.leafOf(int(id))
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

// detach unregisters the tree from the state it indexes.
func (t *fitTree) detach() {
	if t.s != nil {
		t.s.RemoveListener(t)
		t.s, t.n, t.v = nil, 0, nil
	}
}
