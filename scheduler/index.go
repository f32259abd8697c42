package scheduler

import "github.com/google/btree"

// nodeKey orders nodes by one dimension of free capacity, then by ID.
type nodeKey struct {
	free int64
	id   NodeID
}

func lessNodeKey(a, b nodeKey) bool {
	if a.free != b.free {
		return a.free < b.free
	}
	return a.id < b.id
}

// freeIndex is an ordered index of the up nodes by free capacity of one resource.
type freeIndex struct {
	r Resource
	t *btree.BTreeG[nodeKey]
}

func newFreeIndex(s *State, r Resource) *freeIndex {
	ix := &freeIndex{r: r, t: btree.NewG[nodeKey](32, lessNodeKey)}
	for i := range s.nodes {
		n := &s.nodes[i]
		if n.up {
			ix.t.ReplaceOrInsert(nodeKey{n.free[r], NodeID(i)})
		}
	}
	return ix
}

// AscendFree calls fn for every up node whose free capacity of resource r is at
// least min, in ascending order of (free[r], NodeID), until fn returns false. The
// first call builds the index for r (O(n log n)); from then on the state maintains
// it on every change (O(log n) per change) and a call costs O(log n + visited).
// fn must not modify the state.
func (s *State) AscendFree(r Resource, min int64, fn func(id NodeID, free int64) bool) {
	ix := s.index(r)
	ix.t.AscendGreaterOrEqual(nodeKey{min, -1 << 31}, func(k nodeKey) bool { return fn(k.id, k.free) })
}

// DescendFree calls fn for every up node in descending order of (free[r], NodeID),
// until fn returns false. Costs as AscendFree.
func (s *State) DescendFree(r Resource, fn func(id NodeID, free int64) bool) {
	ix := s.index(r)
	ix.t.Descend(func(k nodeKey) bool { return fn(k.id, k.free) })
}

func (s *State) index(r Resource) *freeIndex {
	if s.idx[r] == nil {
		s.idx[r] = newFreeIndex(s, r)
	}
	return s.idx[r]
}

// reindex moves node id in every built index from its old free vector to the new.
func (s *State) reindex(id NodeID, old, now Resources, wasUp, isUp bool) {
	defer s.notify(id)
	for r, ix := range s.idx {
		if ix == nil {
			continue
		}
		if wasUp && isUp && old[r] == now[r] {
			continue
		}
		if wasUp {
			ix.t.Delete(nodeKey{old[r], id})
		}
		if isUp {
			ix.t.ReplaceOrInsert(nodeKey{now[r], id})
		}
	}
}
