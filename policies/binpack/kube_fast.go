package binpack

import (
	"math"

	"github.com/schedlab/schedlab/scheduler"
)

// The Kube placer's fast path. Scoring reads a struct-of-arrays copy of what the
// formulas need about each node, kept current through scheduler.NodeListener, and
// the incoming pod's constants are computed once per decision. The scores are
// those of the exported reference functions (LeastAllocatedScore, …,
// BalancedAllocationScore), exactly:
//
//   - BalancedAllocation's floating-point operations are the same, in the same
//     order (balanceOf is shared; the unrolled two-resource case repeats it);
//   - where the integer work differs (unsigned division of non-negative operands,
//     the RTCR shape tabulated at 0..100, RTCR's rounding done in integers), the
//     comment beside it says why the result is equal;
//   - a node is skipped only when an upper bound of its total is below the best
//     so far (or equal with a higher ID), so the winner and its score never change.
//
// kube_diff_test.go checks all of this against a reference over random states.

// kubeCache is the per-node cache: one slice per (quantity, resource), indexed by
// node ID. Slices for resources no plugin reads stay nil.
type kubeCache struct {
	n    int
	free []scheduler.Resources // the filter's view; every field −1 when the node is down
	cap  [scheduler.NumResources][]int64
	// nz is the non-zero requested amount (declared requests, plus 100 m / 200 MiB
	// for each task that declares no cpu / memory): NodeResourcesFit's "requested".
	nz [scheduler.NumResources][]int64
	// used is the declared requested amount: BalancedAllocation's "requested".
	used [scheduler.NumResources][]int64
	bal  []int64 // balance(used): BalancedAllocation's "before"
	// least is LeastAllocatedScore of the node before the pod (nil for the other
	// strategies): adding a pod only lowers it, so it bounds the score from above.
	least []int64
	// inv is 100/cap as a float64 (0 for cap 0), for MostAllocated's fit
	// resources only: it bounds ⌊min(req, cap)·100/cap⌋ from above with a
	// multiplication (see best22).
	inv [scheduler.NumResources][]float64
	// gpu[i] says whether node i has GPU capacity; gpuList lists those nodes in ID
	// order, rebuilt on demand when gpuDirty.
	gpu      []bool
	gpuList  []int32
	gpuDirty bool
}

// gpuNodes returns the IDs of the nodes with GPU capacity, in increasing order.
func (c *kubeCache) gpuNodes() []int32 {
	if c.gpuDirty {
		c.gpuList = c.gpuList[:0]
		for i, g := range c.gpu {
			if g {
				c.gpuList = append(c.gpuList, int32(i))
			}
		}
		c.gpuDirty = false
	}
	return c.gpuList
}

var downFree = scheduler.Resources{-1, -1, -1, -1}

// newKubeCache builds the cache for every node of s (O(nodes + tasks)).
func newKubeCache(s *scheduler.State, cfg *KubeConfig) *kubeCache {
	c := &kubeCache{}
	var needCap, needNZ, needUsed [scheduler.NumResources]bool
	for _, rw := range cfg.Resources {
		needCap[rw.Resource], needNZ[rw.Resource] = true, true
	}
	for _, r := range cfg.BalancedResources {
		needCap[r], needUsed[r] = true, true
	}
	for r := range scheduler.NumResources {
		if needCap[r] {
			c.cap[r] = []int64{}
		}
		if needNZ[r] {
			c.nz[r] = []int64{}
		}
		if needUsed[r] {
			c.used[r] = []int64{}
		}
	}
	if cfg.Strategy == LeastAllocated {
		c.least = []int64{}
	}
	if cfg.Strategy == MostAllocated {
		for _, rw := range cfg.Resources {
			c.inv[rw.Resource] = []float64{}
		}
	}
	c.grow(s.NumNodes())
	for i := range c.n {
		c.set(s, cfg, scheduler.NodeID(i))
	}
	return c
}

// grow extends every slice to n nodes.
func (c *kubeCache) grow(n int) {
	if n <= c.n {
		return
	}
	ext := func(v []int64) []int64 {
		if v == nil {
			return nil
		}
		return append(v, make([]int64, n-len(v))...)
	}
	for r := range scheduler.NumResources {
		c.cap[r], c.nz[r], c.used[r] = ext(c.cap[r]), ext(c.nz[r]), ext(c.used[r])
	}
	c.bal = append(c.bal, make([]int64, n-len(c.bal))...)
	c.least = ext(c.least)
	for r := range scheduler.NumResources {
		if c.inv[r] != nil {
			c.inv[r] = append(c.inv[r], make([]float64, n-len(c.inv[r]))...)
		}
	}
	c.gpu = append(c.gpu, make([]bool, n-len(c.gpu))...)
	for len(c.free) < n {
		c.free = append(c.free, downFree)
	}
	c.n = n
}

// set refreshes node id from the state. Cost O(tasks on the node): the non-zero
// rule needs to know how many of them declare no cpu or no memory.
func (c *kubeCache) set(s *scheduler.State, cfg *KubeConfig, id scheduler.NodeID) {
	var zcpu, zmem int64
	s.Tasks(id, func(t *scheduler.Task) bool {
		if t.Request[scheduler.CPU] == 0 {
			zcpu++
		}
		if t.Request[scheduler.Memory] == 0 {
			zmem++
		}
		return true
	})
	cp := s.Node(id).Capacity
	free := s.Free(id)
	used := cp.Sub(free)
	nz := used
	nz[scheduler.CPU] += zcpu * DefaultMilliCPURequest
	nz[scheduler.Memory] += zmem * DefaultMemoryRequestMiB
	for r := range scheduler.NumResources {
		if c.cap[r] != nil {
			c.cap[r][id] = cp[r]
		}
		if c.nz[r] != nil {
			c.nz[r][id] = nz[r]
		}
		if c.used[r] != nil {
			c.used[r][id] = used[r]
		}
	}
	if s.Up(id) {
		c.free[id] = free
	} else {
		c.free[id] = downFree
	}
	c.bal[id] = balance(used, cp, cfg.BalancedResources)
	if c.least != nil {
		c.least[id] = LeastAllocatedScore(nz, cp, cfg.Resources)
	}
	for r := range scheduler.NumResources {
		if c.inv[r] != nil {
			c.inv[r][id] = 0
			if cp[r] != 0 {
				c.inv[r][id] = MaxNodeScore / float64(cp[r])
			}
		}
	}
	if g := cp[scheduler.GPU] > 0; g != c.gpu[id] {
		c.gpu[id], c.gpuDirty = g, true
	}
}

// fitTerm is one NodeResourcesFit resource for one decision.
type fitTerm struct {
	cap, nz []int64
	inv     []float64 // MostAllocated only
	w       int64
	pod     int64 // the pod's non-zero request
}

// balTerm is one BalancedAllocation resource for one decision.
type balTerm struct {
	cap, used []int64
	pod       int64 // the pod's declared request
}

// kubeScorer holds one decision's constants.
type kubeScorer struct {
	c        *kubeCache
	strategy Strategy
	fitW     int64 // FitWeight (0: plugin off)
	balW     int64 // BalancedWeight, 0 when off or when the pod is best-effort
	legacy   bool
	fit      []fitTerm
	bt       []balTerm
	shape    *[MaxNodeScore + 1]int64 // RTCR: f(u) for u = 0..100
}

// scorer prepares the constants for scoring task t (reusing k's buffers).
func (k *Kube) scorer(t *scheduler.Task) *kubeScorer {
	sc := &k.sc
	sc.c = k.nodes
	sc.strategy = k.cfg.Strategy
	sc.fitW = k.cfg.FitWeight
	sc.legacy = k.cfg.LegacyBalanced
	sc.shape = &k.shapeTab
	sc.balW = k.cfg.BalancedWeight
	if bestEffort(t, k.cfg.BalancedResources) {
		sc.balW = 0
	}
	nz := NonZero(t.Request)
	sc.fit = sc.fit[:0]
	for _, rw := range k.cfg.Resources {
		r := rw.Resource
		sc.fit = append(sc.fit, fitTerm{cap: k.nodes.cap[r], nz: k.nodes.nz[r], inv: k.nodes.inv[r], w: rw.Weight, pod: nz[r]})
	}
	sc.bt = sc.bt[:0]
	for _, r := range k.cfg.BalancedResources {
		sc.bt = append(sc.bt, balTerm{cap: k.nodes.cap[r], used: k.nodes.used[r], pod: t.Request[r]})
	}
	return sc
}

// buildShapeTable tabulates ShapeScore at every utilisation 0..100.
func buildShapeTable(shape []ShapePoint) (tab [MaxNodeScore + 1]int64) {
	for u := range tab {
		tab[u] = ShapeScore(shape, int64(u))
	}
	return tab
}

// best returns the candidate with the highest score, the lowest ID among equal
// scores, and its score (NoNode, −1 for no candidates).
func (sc *kubeScorer) best(cand []scheduler.NodeID) (scheduler.NodeID, int64) {
	if len(sc.fit) == 2 && len(sc.bt) == 2 {
		return sc.best22(cand)
	}
	best, bestScore := scheduler.NoNode, int64(-1)
	for _, id := range cand {
		i := int(id)
		if sc.c.least != nil {
			// LeastAllocated before the pod bounds NodeResourcesFit: skip the node
			// when the bound of the total cannot win.
			ub := sc.fitW * sc.c.least[i]
			if sc.balW > 0 {
				ub += sc.balW * sc.balBound(i)
			}
			if ub < bestScore || ub == bestScore && id > best {
				continue
			}
		}
		v := sc.fitPart(i)
		if sc.balW > 0 {
			// Skip BalancedAllocation where even its largest value cannot win.
			if ub := v + sc.balW*sc.balBound(i); ub < bestScore || ub == bestScore && id > best {
				continue
			}
			v += sc.balW * sc.balanced(i)
		}
		if v > bestScore || v == bestScore && id < best {
			best, bestScore = id, v
		}
	}
	return best, bestScore
}

// best22 is best for the usual shape of the configuration: two NodeResourcesFit
// resources and two BalancedAllocation resources. It evaluates the same
// expressions as least, most, rtcr and balanced, unrolled, with the integer
// divisions done unsigned (every operand is non-negative there) and the per-node
// slices resliced to one length so the compiler drops most bounds checks. Before
// the divisions it tries to skip the node by an upper bound of its total:
// LeastAllocated before the pod (cached) or a multiplication bound of
// MostAllocated, plus the largest BalancedAllocation the cached "before" allows.
func (sc *kubeScorer) best22(cand []scheduler.NodeID) (scheduler.NodeID, int64) {
	n := sc.c.n
	f0, f1 := &sc.fit[0], &sc.fit[1]
	fc0, fc1, fq0, fq1 := f0.cap[:n], f1.cap[:n], f0.nz[:n], f1.nz[:n]
	fw0, fw1, fp0, fp1 := f0.w, f1.w, f0.pod, f1.pod
	least := sc.strategy == LeastAllocated
	most := sc.strategy == MostAllocated
	shape := sc.shape
	b0, b1 := &sc.bt[0], &sc.bt[1]
	bc0, bc1, bu0, bu1 := b0.cap[:n], b1.cap[:n], b0.used[:n], b1.used[:n]
	bp0, bp1 := b0.pod, b1.pod
	before := sc.c.bal[:n]
	var leastBefore []int64
	var fi0, fi1 []float64
	if least {
		leastBefore = sc.c.least[:n]
	} else if most {
		fi0, fi1 = f0.inv[:n], f1.inv[:n]
	}
	fitW, balW, legacy := sc.fitW, sc.balW, sc.legacy
	best, bestScore := scheduler.NoNode, int64(-1)
	legacyUB := balW * MaxNodeScore // 0 without BalancedAllocation
	for _, id := range cand {
		i := int(id)
		// balUB is the largest BalancedAllocation part the cached "before" allows
		// (see balBound); the legacy form does not read "before" at all.
		balUB := legacyUB
		if balW > 0 && !legacy {
			balUB = balW * balancedMax(before[i])
		}
		if least {
			// LeastAllocated before the pod bounds NodeResourcesFit: skip the node
			// when the bound of the total cannot win.
			if ub := fitW*leastBefore[i] + balUB; ub < bestScore || ub == bestScore && id > best {
				continue
			}
		} else if most && fitW > 0 && bestScore >= 0 {
			// MostAllocated: y = min(q, c)·fl(100/c) is within a relative 2^-52
			// of the exact quotient (x < 2^53 is exact), so ⌊y + 1e-9⌋ ≥ each
			// resource's score and N/W bounds NodeResourcesFit. Skip the node
			// when fitW·N/W + the balanced bound < bestScore, tested without
			// dividing: fitW·N + B·W < bestScore·W.
			var num, wsum int64
			if c := fc0[i]; c != 0 {
				num += fw0 * mostAllocatedBound(fq0[i]+fp0, c, fi0[i])
				wsum += fw0
			}
			if c := fc1[i]; c != 0 {
				num += fw1 * mostAllocatedBound(fq1[i]+fp1, c, fi1[i])
				wsum += fw1
			}
			if wsum == 0 {
				if balUB < bestScore {
					continue
				}
			} else if fitW*num+balUB*wsum < bestScore*wsum {
				continue
			}
		}
		total := int64(0)
		if fitW > 0 && !least && !most {
			// RequestedToCapacityRatio. round(num/wsum) for 0 ≤ num ≤ 100·wsum
			// is ⌊(2·num + wsum) / (2·wsum)⌋: a float64 quotient of such small
			// integers is never close enough to a half to round differently.
			var num, wsum int64
			if c := fc0[i]; c != 0 {
				if f := shape[rtcrUtilization(fq0[i]+fp0, c)]; f > 0 {
					num += f * fw0
					wsum += fw0
				}
			}
			if c := fc1[i]; c != 0 {
				if f := shape[rtcrUtilization(fq1[i]+fp1, c)]; f > 0 {
					num += f * fw1
					wsum += fw1
				}
			}
			if wsum != 0 {
				total = fitW * int64(uint64(2*num+wsum)/uint64(2*wsum))
			}
		} else if fitW > 0 {
			var score, wsum int64
			if c := fc0[i]; c != 0 {
				score += allocatedScore(fq0[i]+fp0, c, least) * fw0
				wsum += fw0
			}
			if c := fc1[i]; c != 0 {
				score += allocatedScore(fq1[i]+fp1, c, least) * fw1
				wsum += fw1
			}
			if wsum != 0 {
				total = fitW * int64(uint64(score)/uint64(wsum))
			}
		}
		if balW > 0 {
			// Skip BalancedAllocation where even its largest value cannot win.
			if ub := total + balUB; ub < bestScore || ub == bestScore && id > best {
				continue
			}
			after := balanceOfTwo(bu0[i]+bp0, bc0[i], bu1[i]+bp1, bc1[i])
			if !legacy {
				after = 50 + (50+after-before[i])/2
			}
			total += balW * after
		}
		if total > bestScore || total == bestScore && id < best {
			best, bestScore = id, total
		}
	}
	return best, bestScore
}

// The helpers of best22: one resource's part of each score, on plain integers so
// that the compiler inlines them into the loop.

// balancedMax is the largest current-form BalancedAllocation score a node can
// get: the score at balance 100 given the node's balance before the pod. (The
// legacy form's is 100.)
func balancedMax(before int64) int64 {
	return 50 + (50+MaxNodeScore-before)/2
}

// mostAllocatedBound is an upper bound of one resource's MostAllocated score
// min(q, c)·100/c, from inv = fl(100/c) (see best22).
func mostAllocatedBound(q, c int64, inv float64) int64 {
	return int64(float64(min(q, c))*inv + 1e-9)
}

// rtcrUtilization is RequestedToCapacityRatio's utilisation 0..100 of one
// resource with q requested of capacity c > 0 (100 when over capacity).
func rtcrUtilization(q, c int64) int64 {
	if q > c {
		return MaxNodeScore
	}
	return int64(uint64(max(q, 0)*MaxNodeScore) / uint64(c))
}

// allocatedScore is one resource's LeastAllocated ((c−q)·100/c, 0 over capacity)
// or MostAllocated (min(q, c)·100/c) score, capacity c > 0, q ≥ 0.
func allocatedScore(q, c int64, least bool) int64 {
	if least {
		if q > c {
			return 0
		}
		return int64(uint64((c-q)*MaxNodeScore) / uint64(c))
	}
	return int64(uint64(min(q, c)*MaxNodeScore) / uint64(c))
}

// balanceOfTwo is BalancedAllocation's balance of two resources after the pod,
// (1 − |r0 − r1|/2)·100 with r = min(requested/capacity, 1); 100 when a capacity
// is zero (fewer than two resources: std 0).
func balanceOfTwo(q0, c0, q1, c1 int64) int64 {
	if c0 <= 0 || c1 <= 0 {
		return MaxNodeScore
	}
	r0 := float64(q0) / float64(c0)
	if r0 > 1 {
		r0 = 1
	}
	r1 := float64(q1) / float64(c1)
	if r1 > 1 {
		r1 = 1
	}
	std := math.Abs(r0-r1) / 2
	return int64((1 - std) * MaxNodeScore)
}

// score returns the total score of node i.
func (sc *kubeScorer) score(i int) int64 {
	total := sc.fitPart(i)
	if sc.balW > 0 {
		total += sc.balW * sc.balanced(i)
	}
	return total
}

// balBound is an upper bound of balanced(i): balance(after) ≤ 100, and the
// current form is non-decreasing in it (Go's division truncates toward zero,
// which is monotone).
func (sc *kubeScorer) balBound(i int) int64 {
	if sc.legacy {
		return MaxNodeScore
	}
	return 50 + (50+MaxNodeScore-sc.c.bal[i])/2
}

// fitPart returns FitWeight × NodeResourcesFit of node i.
func (sc *kubeScorer) fitPart(i int) int64 {
	total := int64(0)
	if sc.fitW > 0 {
		var f int64
		switch sc.strategy {
		case LeastAllocated:
			f = sc.least(i)
		case MostAllocated:
			f = sc.most(i)
		default:
			f = sc.rtcr(i)
		}
		total = sc.fitW * f
	}
	return total
}

// least is LeastAllocatedScore on node i.
func (sc *kubeScorer) least(i int) int64 {
	var score, wsum int64
	for j := range sc.fit {
		ft := &sc.fit[j]
		c := ft.cap[i]
		if c == 0 {
			continue
		}
		q := ft.nz[i] + ft.pod
		if q <= c {
			score += (c - q) * MaxNodeScore / c * ft.w
		}
		wsum += ft.w
	}
	if wsum == 0 {
		return 0
	}
	return score / wsum
}

// most is MostAllocatedScore on node i.
func (sc *kubeScorer) most(i int) int64 {
	var score, wsum int64
	for j := range sc.fit {
		ft := &sc.fit[j]
		c := ft.cap[i]
		if c == 0 {
			continue
		}
		score += min(ft.nz[i]+ft.pod, c) * MaxNodeScore / c * ft.w
		wsum += ft.w
	}
	if wsum == 0 {
		return 0
	}
	return score / wsum
}

// rtcr is RequestedToCapacityRatioScore on node i, with the shape tabulated.
func (sc *kubeScorer) rtcr(i int) int64 {
	var num, wsum int64
	for j := range sc.fit {
		ft := &sc.fit[j]
		c := ft.cap[i]
		if c == 0 {
			continue
		}
		q := ft.nz[i] + ft.pod
		u := int64(MaxNodeScore)
		if q <= c {
			u = max(q, 0) * MaxNodeScore / c
		}
		if f := sc.shape[u]; f > 0 {
			num += f * ft.w
			wsum += ft.w
		}
	}
	if wsum == 0 {
		return 0
	}
	return int64(math.Round(float64(num) / float64(wsum)))
}

// balanced is BalancedAllocationScore on node i.
func (sc *kubeScorer) balanced(i int) int64 {
	var fr [scheduler.NumResources]float64
	n := 0
	for j := range sc.bt {
		bt := &sc.bt[j]
		c := bt.cap[i]
		if c <= 0 {
			continue
		}
		fr[n] = min(float64(bt.used[i]+bt.pod)/float64(c), 1)
		n++
	}
	after := balanceOf(&fr, n)
	if sc.legacy {
		return after
	}
	return 50 + (50+after-sc.c.bal[i])/2
}
