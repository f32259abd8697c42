package gang

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// Backtrack is a scheduler.GangPlacer that first places the gang greedily with
// Placer (scheduler.PlaceGang) and, if that fails, searches: tasks largest first,
// each tried on up to Branch candidate nodes of distinct free capacity (best fit
// first), undoing and trying the next candidate when the rest of the gang cannot be
// placed, within a budget of Budget tentative placements. It finds the placement
// that greedy order misses in volcano#1297 (tasks of 30 and 50 CPU on nodes with 53
// and 31 free). The state is unchanged on return. PlaceGang opens a transaction, so
// it must not be called while one is open.
type Backtrack struct {
	Placer scheduler.Placer // greedy first try; nil means scheduler.KeyBestFit{}
	Budget int              // tentative placements of the search; 0 = greedy only
	Branch int              // candidate nodes per task; 0 means 8
}

var (
	_ scheduler.GangPlacer = (*Backtrack)(nil)
	_ scheduler.Attacher   = (*Backtrack)(nil)
)

// Attach implements scheduler.Attacher: it attaches the greedy placer.
func (b *Backtrack) Attach(s *scheduler.State, r *rand.Rand) {
	scheduler.AttachPlacer(b.placer(), s, r)
}

// Place implements scheduler.Placer with the greedy placer.
func (b *Backtrack) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	return b.placer().Place(s, t)
}

func (b *Backtrack) placer() scheduler.Placer {
	if b.Placer == nil {
		return scheduler.KeyBestFit{}
	}
	return b.Placer
}

// PlaceGang implements scheduler.GangPlacer. Cost: the greedy pass, plus at most
// Budget placements of the search, each O(log n + candidates).
func (b *Backtrack) PlaceGang(s *scheduler.State, tasks []*scheduler.Task, need int) ([]scheduler.Claim, scheduler.Status) {
	claims, st := scheduler.PlaceGang(s, b.placer(), tasks, need)
	if st.IsOK() || b.Budget <= 0 || st.Code == scheduler.Unresolvable || len(tasks) < need {
		return claims, st
	}
	// Cheap bound: the need smallest requests must fit the free sum.
	small := slices.Clone(tasks)
	slices.SortFunc(small, func(x, y *scheduler.Task) int { return cmpSize(y, x) })
	var sum scheduler.Resources
	for _, t := range small[len(small)-need:] {
		sum = sum.Add(t.Request)
	}
	if !sum.LessEq(s.Capacity().Sub(s.Allocated())) {
		return nil, st
	}
	order := slices.Clone(tasks)
	slices.SortStableFunc(order, cmpSize)
	branch := b.Branch
	if branch <= 0 {
		branch = 8
	}
	tx := s.Begin()
	sr := search{s: s, tx: tx, tasks: order, need: need, budget: b.Budget, branch: branch}
	ok := sr.dfs(0, 0)
	var out []scheduler.Claim
	if ok {
		for _, t := range order {
			if t.Node != scheduler.NoNode {
				out = append(out, scheduler.Claim{Task: t, Node: t.Node, GPUs: t.GPUs})
			}
		}
	}
	tx.Rollback()
	if !ok {
		return nil, st
	}
	// Sequence numbers as the planner saw them (after the rollback).
	for i := range out {
		out[i].Seq = s.Seq(out[i].Node)
	}
	return out, scheduler.StatusOK
}

// cmpSize orders tasks largest first (sizeKey), then by ID.
func cmpSize(x, y *scheduler.Task) int {
	kx, ky := sizeKey(x), sizeKey(y)
	for i := range kx {
		if kx[i] != ky[i] {
			if kx[i] > ky[i] {
				return -1
			}
			return 1
		}
	}
	return int(x.ID - y.ID)
}

// sizeKey orders tasks for the search: GPU, then CPU, then memory, largest first.
func sizeKey(t *scheduler.Task) [3]int64 {
	r := t.Request
	return [3]int64{r[scheduler.GPU], r[scheduler.CPU], r[scheduler.Memory]}
}

type search struct {
	s      *scheduler.State
	tx     *scheduler.Tx
	tasks  []*scheduler.Task
	need   int
	budget int
	branch int
}

func (sr *search) dfs(i, placed int) bool {
	if placed == sr.need {
		return true
	}
	if len(sr.tasks)-i < sr.need-placed || sr.budget <= 0 {
		return false
	}
	t := sr.tasks[i]
	for _, id := range sr.candidates(t) {
		if sr.budget <= 0 {
			return false
		}
		sr.budget--
		mark := sr.tx.Len()
		if !sr.s.Place(t, id, 0, false).IsOK() {
			continue
		}
		if sr.dfs(i+1, placed+1) {
			return true
		}
		sr.tx.RollbackTo(mark)
	}
	// Leave this task out if the gang has more tasks than it needs.
	if len(sr.tasks)-i-1 >= sr.need-placed {
		return sr.dfs(i+1, placed)
	}
	return false
}

// candidates returns up to branch nodes that fit t, best fit first on its key
// resource, skipping nodes whose free capacity and description equal one already
// chosen (they are interchangeable for the rest of the search).
func (sr *search) candidates(t *scheduler.Task) []scheduler.NodeID {
	key := scheduler.CPU
	if t.Request[scheduler.GPU] > 0 {
		key = scheduler.GPU
	}
	var out []scheduler.NodeID
	var seen []string
	sr.s.AscendFree(key, t.Request[key], func(id scheduler.NodeID, _ int64) bool {
		if !t.Request.LessEq(sr.s.Free(id)) || !sr.s.Fits(t, id).IsOK() {
			return true
		}
		sig := nodeSig(sr.s, id, t)
		if slices.Contains(seen, sig) {
			return true
		}
		seen = append(seen, sig)
		out = append(out, id)
		return len(out) < sr.branch
	})
	return out
}

// nodeSig describes what makes two nodes different for the rest of a search.
func nodeSig(s *scheduler.State, id scheduler.NodeID, t *scheduler.Task) string {
	n := s.Node(id)
	var b strings.Builder
	b.WriteString(s.Free(id).String())
	b.WriteByte('|')
	b.WriteString(n.Capacity.String())
	b.WriteByte('|')
	b.WriteString(n.GPUModel)
	for _, g := range s.GPUFree(id) {
		b.WriteByte(',')
		b.WriteString(itoa(int64(g)))
	}
	for _, l := range n.Labels {
		b.WriteString("|" + l.Key + "=" + l.Value)
	}
	if t.Constraints != nil && t.Constraints.DistinctNodes && s.NumTasks(id) > 0 {
		// Tasks of the same job on the node matter for DistinctNodes.
		b.WriteString("|#" + itoa(int64(id)))
	}
	return b.String()
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	neg := v < 0
	if neg {
		v = -v
	}
	var buf [20]byte
	i := len(buf)
	for v > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}
