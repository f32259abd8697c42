package binpack

import "github.com/schedlab/schedlab/scheduler"

// keyTree orders the up nodes by (free capacity of one resource, node ID), as
// State.AscendFree does, in a treap whose every entry also keeps the maxima and
// the sketch (see leaf) of its subtree. Best fit by that resource is then the
// first node in order, from the request's amount on, that fits; worst fit the
// last. A subtree whose maxima or sketch cannot hold the request is skipped
// whole, so nodes full in another dimension cost nothing unless a subtree of
// them looks, by its maxima, as if it could hold the request: O(log n) per
// search on a loaded cluster where the state's index would step through every
// node with enough of the key resource. It listens to the state; a change costs
// O(log n) (a node whose key is unchanged only refreshes the maxima on its path).
//
// Priorities are a hash of the node ID, so the treap's shape depends only on
// the set of keys, never on the order of the changes: searches are
// deterministic.
type keyTree struct {
	s    *scheduler.State
	key  scheduler.Resource
	unit [2]float32 // the sketch's scale, as fitTree.unit
	root int32
	e    []keyEntry // by node ID
	path []int32    // fixPath's scratch
}

type keyEntry struct {
	key         int64
	left, right int32 // entries (node IDs), -1 for none
	prio        uint32
	in          bool // the node is in the treap (it is up)
	own, agg    leaf // the node's leaf; the maxima over its subtree
}

const noEntry = -1

// bind makes the tree index s by free[key] and listen to it (O(n log n)).
func (t *keyTree) bind(s *scheduler.State, key scheduler.Resource) {
	t.s, t.key, t.root = s, key, noEntry
	t.unit = sketchUnit(s)
	s.AddListener(t)
	t.grow()
}

// grow adds entries for the nodes added to the state since the last call.
func (t *keyTree) grow() {
	for id := len(t.e); id < t.s.NumNodes(); id++ {
		t.e = append(t.e, keyEntry{left: noEntry, right: noEntry, prio: prioOf(id)})
		t.refresh(int32(id))
	}
}

// prioOf is the treap priority of node id (splitmix64's finaliser).
func prioOf(id int) uint32 {
	z := uint64(id) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return uint32((z ^ (z >> 31)) >> 32)
}

// NodeChanged implements scheduler.NodeListener.
func (t *keyTree) NodeChanged(id scheduler.NodeID) {
	if int(id) >= len(t.e) {
		t.grow()
		return
	}
	t.refresh(int32(id))
}

// refresh brings node id's entry up to date with the state.
func (t *keyTree) refresh(id int32) {
	e := &t.e[id]
	up := t.s.Up(scheduler.NodeID(id))
	free := t.s.Free(scheduler.NodeID(id))
	if e.in && up && free[t.key] == e.key {
		e.own = t.leafOf(id)
		t.fixPath(id)
		return
	}
	if e.in {
		t.root = t.remove(t.root, id)
		e.in = false
	}
	if up {
		e.key, e.own, e.in = free[t.key], t.leafOf(id), true
		e.left, e.right = noEntry, noEntry
		e.agg = e.own
		t.root = t.insert(t.root, id)
	}
}

func (t *keyTree) leafOf(id int32) leaf { return nodeLeaf(t.s, scheduler.NodeID(id), t.unit) }

// before reports whether entry a comes before entry b in (key, ID) order.
func (t *keyTree) before(a, b int32) bool {
	ka, kb := t.e[a].key, t.e[b].key
	return ka < kb || (ka == kb && a < b)
}

// pull recomputes entry i's subtree maxima from its own leaf and its children's.
func (t *keyTree) pull(i int32) {
	e := &t.e[i]
	agg := e.own
	if e.left != noEntry {
		agg = maxLeaf(&agg, &t.e[e.left].agg)
	}
	if e.right != noEntry {
		agg = maxLeaf(&agg, &t.e[e.right].agg)
	}
	e.agg = agg
}

// fixPath recomputes the maxima from the root down to entry id, bottom-up,
// after id's own leaf changed but not its key.
func (t *keyTree) fixPath(id int32) {
	path := t.path[:0]
	for i := t.root; i != id; {
		path = append(path, i)
		if t.before(id, i) {
			i = t.e[i].left
		} else {
			i = t.e[i].right
		}
	}
	t.path = path
	t.pull(id)
	for n := len(path) - 1; n >= 0; n-- {
		t.pull(path[n])
	}
}

// insert adds entry id to the subtree rooted at i and returns the new root.
func (t *keyTree) insert(i, id int32) int32 {
	if i == noEntry {
		return id
	}
	if t.e[id].prio > t.e[i].prio {
		l, r := t.split(i, id)
		t.e[id].left, t.e[id].right = l, r
		t.pull(id)
		return id
	}
	if t.before(id, i) {
		t.e[i].left = t.insert(t.e[i].left, id)
	} else {
		t.e[i].right = t.insert(t.e[i].right, id)
	}
	t.pull(i)
	return i
}

// split splits the subtree rooted at i into the entries before id and those after.
func (t *keyTree) split(i, id int32) (l, r int32) {
	if i == noEntry {
		return noEntry, noEntry
	}
	if t.before(i, id) {
		a, b := t.split(t.e[i].right, id)
		t.e[i].right = a
		t.pull(i)
		return i, b
	}
	a, b := t.split(t.e[i].left, id)
	t.e[i].left = b
	t.pull(i)
	return a, i
}

// remove deletes entry id from the subtree rooted at i and returns the new root.
func (t *keyTree) remove(i, id int32) int32 {
	if i == id {
		return t.merge(t.e[i].left, t.e[i].right)
	}
	if t.before(id, i) {
		t.e[i].left = t.remove(t.e[i].left, id)
	} else {
		t.e[i].right = t.remove(t.e[i].right, id)
	}
	t.pull(i)
	return i
}

// merge joins two subtrees, every entry of a before every entry of b.
func (t *keyTree) merge(a, b int32) int32 {
	switch {
	case a == noEntry:
		return b
	case b == noEntry:
		return a
	case t.e[a].prio > t.e[b].prio:
		t.e[a].right = t.merge(t.e[a].right, b)
		t.pull(a)
		return a
	default:
		t.e[b].left = t.merge(a, t.e[b].left)
		t.pull(b)
		return b
	}
}

// first returns the first node in (key, ID) order whose key is at least need
// and that fits the request (State.Fits), or NoNode.
func (t *keyTree) first(tk *scheduler.Task, need int64) scheduler.NodeID {
	q := newRequest(tk, t.unit)
	return scheduler.NodeID(t.firstIn(t.root, &q, need))
}

func (t *keyTree) firstIn(i int32, q *request, need int64) int32 {
	for i != noEntry {
		e := &t.e[i]
		if !covers(&e.agg, q) {
			return noEntry
		}
		if e.key < need { // the left subtree and i are below need
			i = e.right
			continue
		}
		if id := t.firstIn(e.left, q, need); id != noEntry {
			return id
		}
		if t.fits(i, q) {
			return i
		}
		i = e.right
	}
	return noEntry
}

// last returns the last node in (key, ID) order whose key is at least need and
// that fits the request, or NoNode.
func (t *keyTree) last(tk *scheduler.Task, need int64) scheduler.NodeID {
	q := newRequest(tk, t.unit)
	return scheduler.NodeID(t.lastIn(t.root, &q, need))
}

func (t *keyTree) lastIn(i int32, q *request, need int64) int32 {
	for i != noEntry {
		e := &t.e[i]
		if !covers(&e.agg, q) {
			return noEntry
		}
		if id := t.lastIn(e.right, q, need); id != noEntry {
			return id
		}
		if e.key < need { // so is everything to the left
			return noEntry
		}
		if t.fits(i, q) {
			return i
		}
		i = e.left
	}
	return noEntry
}

func (t *keyTree) fits(i int32, q *request) bool {
	return dominates(&t.e[i].own, q.t) && t.s.Fits(q.t, scheduler.NodeID(i)).IsOK()
}
