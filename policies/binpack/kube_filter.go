package binpack

import (
	"slices"

	"github.com/schedlab/schedlab/scheduler"
)

// The Kube filter: kube-scheduler scans the nodes sequentially from the start
// index, wrapping, and keeps the first want feasible ones. Positions are unrolled:
// node i sits at i if i ≥ start, else at i+n, so the scan covers [start, start+n).
// Both filters below append to k.cand exactly the nodes that scan accepts and
// return the unrolled position after the last node it examined (start+n when it
// ran out of nodes).
//
// Dense stretches are scanned node by node; after jumpAfter nodes in a row that do
// not fit, the segment tree jumps to the next feasible node in O(log n).

// filterAll scans every node.
func (k *Kube) filterAll(s *scheduler.State, t *scheduler.Task, want int, simple bool, end, n int) int {
	if simple && smallRequest(t.Request) {
		return k.filterSimple(t, want, end, n)
	}
	free := k.nodes.free[:n] // a down node's entry is all −1: no request fits it
	req := t.Request
	misses := 0
	pos := k.start
	for pos < end {
		i := pos
		if i >= n {
			i -= n
		}
		if req.LessEq(free[i]) && (simple || s.Fits(t, scheduler.NodeID(i)).IsOK()) {
			k.cand = append(k.cand, scheduler.NodeID(i))
			pos++
			if len(k.cand) == want {
				return pos
			}
			misses = 0
			continue
		}
		if misses++; misses < jumpAfter {
			pos++
			continue
		}
		misses = 0
		next, p := k.jump(t, i, pos, end, n)
		if next == scheduler.NoNode {
			return end
		}
		k.cand = append(k.cand, next)
		pos = p + 1
		if len(k.cand) == want {
			return pos
		}
	}
	return end
}

// filterList scans only the nodes of list (sorted IDs), which must hold every node
// that could fit t; the others are infeasible, so skipping them leaves the accepted
// nodes and the final position as in the full scan.
func (k *Kube) filterList(s *scheduler.State, t *scheduler.Task, list []int32, want int, simple bool, end, n int) int {
	m := len(list)
	if m == 0 {
		return end
	}
	free := k.nodes.free[:n]
	req := t.Request
	// For an unconstrained task asking for whole GPUs or a share of one, the
	// segment tree's leaf decides State.Fits exactly: the free vector (all −1 when
	// down), the count of fully free devices and the largest free share.
	leaves := k.tree.v[k.tree.size:][:n]
	byLeaf := t.Constraints == nil && (t.GPUMilli == 1000 || t.GPUCount == 1 && t.GPUMilli > 0 && t.GPUMilli < 1000)
	start := k.start
	j0, _ := slices.BinarySearch(list, int32(start)) // first listed node at or after start
	misses := 0
	for c := 0; c < m; {
		j := j0 + c
		if j >= m {
			j -= m
		}
		i := int(list[j])
		pos := i
		if pos < start {
			pos += n
		}
		c++
		var fits bool
		if byLeaf {
			fits = dominates(&leaves[i], t)
		} else {
			fits = req.LessEq(free[i]) && (simple || s.Fits(t, scheduler.NodeID(i)).IsOK())
		}
		if fits {
			k.cand = append(k.cand, scheduler.NodeID(i))
			if len(k.cand) == want {
				return pos + 1
			}
			misses = 0
			continue
		}
		if misses++; misses < jumpAfter {
			continue
		}
		misses = 0
		next, p := k.jump(t, i, pos, end, n)
		if next == scheduler.NoNode {
			return end
		}
		k.cand = append(k.cand, next)
		if len(k.cand) == want {
			return p + 1
		}
		// Continue after next in the list.
		jn, ok := slices.BinarySearch(list, int32(next))
		if !ok {
			panic("binpack: kube: a feasible node is missing from the GPU node list")
		}
		if jn >= j0 {
			c = jn - j0 + 1
		} else {
			c = jn + m - j0 + 1
		}
	}
	return end
}

// jump returns the first node after node i (at unrolled position pos) and before
// end that fits t, and its unrolled position; NoNode and end if there is none.
func (k *Kube) jump(t *scheduler.Task, i, pos, end, n int) (scheduler.NodeID, int) {
	if pos < n {
		if next := k.tree.first(t, i+1, min(n, end)); next != scheduler.NoNode {
			return next, int(next)
		}
		if end > n {
			if w := k.tree.first(t, 0, end-n); w != scheduler.NoNode {
				return w, n + int(w)
			}
		}
		return scheduler.NoNode, end
	}
	if next := k.tree.first(t, i+1, end-n); next != scheduler.NoNode {
		return next, n + int(next)
	}
	return scheduler.NoNode, end
}

// smallRequest reports whether every dimension of r is in [0, 2^62], so that
// free − r cannot overflow for any free amount in [−1, 2^63).
func smallRequest(r scheduler.Resources) bool {
	for _, v := range r {
		if v < 0 || v > 1<<62 {
			return false
		}
	}
	return true
}

// filterSimple is filterAll for a task whose fit is just "the request fits the free
// vector" (no GPU devices, no constraints), without data-dependent branches in the
// common case: the sign of (free₀−r₀)|(free₁−r₁)|… says whether the node fits, the
// node is written to the candidate buffer unconditionally and kept by advancing
// the count. Free amounts are ≥ 0 for up nodes and −1 for down ones, and
// smallRequest(t.Request) holds, so no subtraction overflows.
func (k *Kube) filterSimple(t *scheduler.Task, want, end, n int) int {
	free := k.nodes.free[:n]
	r0, r1, r2, r3 := t.Request[0], t.Request[1], t.Request[2], t.Request[3]
	if cap(k.cand) < want+1 {
		k.cand = make([]scheduler.NodeID, 0, want+1)
	}
	buf := k.cand[:want+1]
	m, misses := 0, 0
	pos := k.start
	for pos < end {
		i := pos
		if i >= n {
			i -= n
		}
		f := &free[i]
		d := (f[0] - r0) | (f[1] - r1) | (f[2] - r2) | (f[3] - r3)
		ok := int(uint64(^d) >> 63) // 1 when d ≥ 0: every dimension fits
		buf[m] = scheduler.NodeID(i)
		m += ok
		pos++
		if m == want {
			break
		}
		misses = (misses + 1) & (ok - 1) // reset by a fit
		if misses < jumpAfter {
			continue
		}
		misses = 0
		next, p := k.jump(t, i, pos-1, end, n)
		if next == scheduler.NoNode {
			pos = end
			break
		}
		buf[m] = next
		m++
		pos = p + 1
		if m == want {
			break
		}
	}
	k.cand = buf[:m]
	return pos // end unless the want-th node was found
}
