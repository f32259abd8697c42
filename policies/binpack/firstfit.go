package binpack

import (
	"cmp"
	"math/rand/v2"
	"slices"

	"github.com/schedlab/schedlab/scheduler"
)

// FirstFit places a task on the lowest-numbered node that fits. It keeps a segment
// tree over node IDs (the maximum free capacity of every resource, the largest free
// GPU share and the most fully free devices below each tree node), maintained
// through a scheduler.NodeListener, so a decision costs O(log n) when the first
// node whose free vector dominates the request also passes State.Fits. It chooses
// exactly what scheduler.ScanFirstFit's linear scan chooses.
//
// The zero FirstFit is ready to be attached (scheduler.Attacher): Attach builds
// the index over the state (O(n)); a FirstFit serves one state.
type FirstFit struct {
	tree fitTree
}

var (
	_ scheduler.Placer   = (*FirstFit)(nil)
	_ scheduler.Attacher = (*FirstFit)(nil)
)

// Attach implements scheduler.Attacher: it indexes s. Cost O(n).
func (f *FirstFit) Attach(s *scheduler.State, _ *rand.Rand) { f.tree.bind(s) }

// Place implements scheduler.Placer.
func (f *FirstFit) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	f.tree.check(s)
	id := f.tree.first(t, 0, f.tree.n)
	if id == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	return id, s.ChooseGPUs(t, id), scheduler.StatusOK
}

// NextFit places a task on the first node that fits at or after the node it chose
// last, wrapping around once: the classic next-fit heuristic, which keeps filling
// the current "bin" and only moves on when the task does not fit there. It uses the
// same segment tree as FirstFit (O(log n) per decision in the common case).
type NextFit struct {
	tree   fitTree
	cursor int
}

var (
	_ scheduler.Placer   = (*NextFit)(nil)
	_ scheduler.Attacher = (*NextFit)(nil)
)

// Attach implements scheduler.Attacher: it indexes s. Cost O(n).
func (f *NextFit) Attach(s *scheduler.State, _ *rand.Rand) { f.tree.bind(s) }

// Place implements scheduler.Placer.
func (f *NextFit) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	f.tree.check(s)
	if f.cursor >= f.tree.n {
		f.cursor = 0
	}
	id := f.tree.first(t, f.cursor, f.tree.n)
	if id == scheduler.NoNode {
		id = f.tree.first(t, 0, f.cursor)
	}
	if id == scheduler.NoNode {
		return scheduler.NoNode, 0, StatusNoFit
	}
	f.cursor = int(id)
	return id, s.ChooseGPUs(t, id), scheduler.StatusOK
}

// FFD is first-fit decreasing for gangs: PlaceGang sorts the gang's tasks by
// decreasing request (GPU, then CPU, then memory, then disk, ties by task ID) and
// places them one by one with first fit, tentatively, returning the claims if at
// least need tasks fit (see scheduler.PlaceGang; the state is unchanged on
// return). Place places a single task by first fit.
type FFD struct {
	FirstFit
}

var (
	_ scheduler.Placer     = (*FFD)(nil)
	_ scheduler.GangPlacer = (*FFD)(nil)
)

// PlaceGang implements scheduler.GangPlacer. Cost O(g log g) for the sort plus g
// first-fit decisions.
func (f *FFD) PlaceGang(s *scheduler.State, tasks []*scheduler.Task, need int) ([]scheduler.Claim, scheduler.Status) {
	order := slices.Clone(tasks)
	slices.SortStableFunc(order, func(a, b *scheduler.Task) int {
		for _, r := range [...]scheduler.Resource{scheduler.GPU, scheduler.CPU, scheduler.Memory, scheduler.Disk} {
			if c := cmp.Compare(b.Request[r], a.Request[r]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.ID, b.ID)
	})
	// scheduler.PlaceGang does the transaction bookkeeping; it sees only Place.
	return scheduler.PlaceGang(s, onlyPlace{&f.FirstFit}, order, need)
}

// onlyPlace hides a placer's GangPlacer so scheduler.PlaceGang places task by task.
type onlyPlace struct{ p scheduler.Placer }

func (o onlyPlace) Place(s *scheduler.State, t *scheduler.Task) (scheduler.NodeID, scheduler.GPUSet, scheduler.Status) {
	return o.p.Place(s, t)
}
