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
	s   *scheduler.State
	key scheduler.Resource
	// needKey: only nodes with capacity of key are indexed
	needKey bool
	unit    [2]float32 // the sketch's scale, as fitTree.unit
	root    int32
	e       []keyEntry // by node ID
	path    []int32    // fixPath's scratch
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
// With needKey it indexes only the nodes with capacity of key: enough for a
// placer that searches it only for requests of key.
func (t *keyTree) bind(s *scheduler.State, key scheduler.Resource, needKey bool) {
	t.s, t.key, t.needKey, t.root = s, key, needKey, noEntry
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

// refresh brings node id's entry up to date with the state. A node without
// capacity of the key is left out when the tree serves only requests of it.
func (t *keyTree) refresh(id int32) {
	e := &t.e[id]
	nid := scheduler.NodeID(id)
	up := t.s.Up(nid) && (!t.needKey || t.s.Node(nid).Capacity[t.key] > 0)
	free := t.s.Free(nid)
	if e.in && up && free[t.key] == e.key {
		if own := t.leafOf(id); own != e.own {
			e.own = own
			t.fixPath(id)
		}
		return
	}
	if e.in {
		t.remove(id)
		e.in = false
	}
	if up {
		e.key, e.own, e.in = free[t.key], t.leafOf(id), true
		e.agg = e.own
		t.insert(id)
	}
}

func (t *keyTree) leafOf(id int32) leaf { return nodeLeaf(t.s, scheduler.NodeID(id), t.unit) }

// before reports whether entry a comes before entry b in (key, ID) order.
func (t *keyTree) before(a, b int32) bool {
	ka, kb := t.e[a].key, t.e[b].key
	return ka < kb || (ka == kb && a < b)
}

// pull recomputes entry i's subtree maxima from its own leaf and its children's
// and reports whether they changed.
func (t *keyTree) pull(i int32) bool {
	e := &t.e[i]
	agg := e.own
	if e.left != noEntry {
		agg.raise(&t.e[e.left].agg)
	}
	if e.right != noEntry {
		agg.raise(&t.e[e.right].agg)
	}
	if agg == e.agg {
		return false
	}
	e.agg = agg
	return true
}

// pathTo records the entries from the root down to entry id's parent in t.path
// and returns the link that points at id.
func (t *keyTree) pathTo(id int32) *int32 {
	t.path = t.path[:0]
	link := &t.root
	for *link != id {
		i := *link
		t.path = append(t.path, i)
		if t.before(id, i) {
			link = &t.e[i].left
		} else {
			link = &t.e[i].right
		}
	}
	return link
}

// pullPath recomputes the maxima of the entries of t.path bottom-up, stopping at
// the first that does not change (those above it then do not either).
func (t *keyTree) pullPath() {
	for n := len(t.path) - 1; n >= 0 && t.pull(t.path[n]); n-- {
	}
}

// fixPath refreshes the maxima above entry id after its own leaf changed but
// not its key.
func (t *keyTree) fixPath(id int32) {
	t.pathTo(id)
	if t.pull(id) {
		t.pullPath()
	}
}

// insert adds entry id (its links unset, its maxima its own leaf): down from the
// root every entry it passes under takes id's leaf into its maxima (one maximum
// each); where id's priority wins, the subtree there is split around id.
func (t *keyTree) insert(id int32) {
	link := &t.root
	for *link != noEntry && t.e[*link].prio >= t.e[id].prio {
		i := *link
		t.e[i].agg.raise(&t.e[id].own)
		if t.before(id, i) {
			link = &t.e[i].left
		} else {
			link = &t.e[i].right
		}
	}
	t.e[id].left, t.e[id].right = t.split(*link, id)
	t.pull(id)
	*link = id
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

// remove deletes entry id: its children are merged in its place and the maxima
// above are recomputed up to the first entry they do not change.
func (t *keyTree) remove(id int32) {
	link := t.pathTo(id)
	*link = t.merge(t.e[id].left, t.e[id].right)
	t.pullPath()
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
