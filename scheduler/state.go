package scheduler

import (
	"fmt"
	"slices"
	"strings"
)

// nodeState is a node's mutable allocation state, with a pointer to its static
// description: the hot fields of many nodes share cache lines.
type nodeState struct {
	*Node
	free    Resources
	gpuFree []int32 // per device, milli
	up      bool
	removed bool
	seq     uint64
	head    *Task
	ntasks  int32
}

// State is the cluster state: nodes, their free capacity and GPU devices, the tasks
// placed on them, per-node sequence numbers, ordered free-capacity indexes and tenant
// quotas. It is the only thing that changes allocations: policies read it and propose
// placements, and State validates each one before applying it.
//
// # Sequence numbers
//
// Seq(id) is bumped every time a claim is applied to the node (and when it goes down
// or is removed). As in the Omega paper's cell state, releases do not bump it and
// undoing a claim inside a transaction restores it.
//
// # Transactions
//
// Begin starts a transaction; every Place and Release until Commit or Rollback is
// logged, and Rollback undoes exactly those changes, sequence numbers included.
type State struct {
	nodes     []nodeState
	capacity  Resources // of up nodes
	potential Resources // of nodes not removed (up or down): what could ever be free
	allocated Resources // running + held, on up nodes
	held      Resources
	version   uint64 // bumped on every change
	idx       [NumResources]*freeIndex

	tenantIDs   map[string]int32
	tenantNames []string
	tenantUse   []Resources
	tenantQuota []Resources
	hasQuota    []bool

	shapes []nodeShape // distinct node shapes, for "can this ever fit"
	tx     *Tx

	listeners []NodeListener // see listener.go
}

type nodeShape struct {
	cap      Resources
	gpus     int
	gpuModel string
}

// NewState builds a state with the given nodes, all up and empty. Node IDs are
// reassigned to their index in nodes. It returns an error for negative capacity, a
// GPU capacity that does not match the device count, or more than MaxGPUsPerNode
// devices.
func NewState(nodes []Node) (*State, error) {
	s := &State{tenantIDs: map[string]int32{"": 0}, tenantNames: []string{""},
		tenantUse: make([]Resources, 1), tenantQuota: make([]Resources, 1), hasQuota: make([]bool, 1)}
	s.nodes = make([]nodeState, 0, len(nodes))
	for i := range nodes {
		if _, err := s.AddNode(nodes[i]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// AddNode adds a node, up and empty, and returns its ID (the next dense ID; n.ID is
// ignored). Cost O(log n) per built index.
func (s *State) AddNode(n Node) (NodeID, error) {
	id := NodeID(len(s.nodes))
	if err := validateNode(&n); err != nil {
		return NoNode, fmt.Errorf("scheduler: node %d (%s): %w", id, n.Name, err)
	}
	n.ID = id
	ns := nodeState{Node: &n, free: n.Capacity, up: true}
	if n.GPUs > 0 {
		ns.gpuFree = make([]int32, n.GPUs)
		for i := range ns.gpuFree {
			ns.gpuFree[i] = 1000
		}
	}
	s.nodes = append(s.nodes, ns)
	s.capacity = s.capacity.Add(n.Capacity)
	s.potential = s.potential.Add(n.Capacity)
	s.reindex(id, Resources{}, n.Capacity, false, true)
	s.addShape(s.nodes[id].Node)
	s.version++
	return id, nil
}

func validateNode(n *Node) error {
	if n.Capacity.AnyNegative() {
		return fmt.Errorf("negative capacity %v", n.Capacity)
	}
	if n.GPUs == 0 && n.Capacity[GPU] > 0 {
		if n.Capacity[GPU]%1000 != 0 {
			return fmt.Errorf("gpu capacity %d milli is not whole devices", n.Capacity[GPU])
		}
		n.GPUs = int(n.Capacity[GPU] / 1000)
	}
	if n.GPUs < 0 || n.GPUs > MaxGPUsPerNode {
		return fmt.Errorf("%d gpus (at most %d)", n.GPUs, MaxGPUsPerNode)
	}
	if n.Capacity[GPU] == 0 {
		n.Capacity[GPU] = int64(n.GPUs) * 1000
	}
	if n.Capacity[GPU] != int64(n.GPUs)*1000 {
		return fmt.Errorf("gpu capacity %d milli does not match %d devices", n.Capacity[GPU], n.GPUs)
	}
	if len(n.Labels) > 0 {
		n.Labels = slices.Clone(n.Labels)
		slices.SortStableFunc(n.Labels, func(a, b Label) int { return strings.Compare(a.Key, b.Key) })
	}
	return nil
}

func (s *State) addShape(n *Node) {
	for _, sh := range s.shapes {
		if sh.cap == n.Capacity && sh.gpuModel == n.GPUModel {
			return
		}
	}
	s.shapes = append(s.shapes, nodeShape{n.Capacity, n.GPUs, n.GPUModel})
}

// NumNodes returns the number of node IDs ever assigned (up, down and removed).
func (s *State) NumNodes() int { return len(s.nodes) }

// Node returns the static description of node id. The caller must not modify it.
func (s *State) Node(id NodeID) *Node { return s.nodes[id].Node }

// Free returns the free capacity of node id.
func (s *State) Free(id NodeID) Resources { return s.nodes[id].free }

// GPUFree returns the free milli-GPU of each device of node id. The slice is owned
// by the state: read it, do not keep or modify it.
func (s *State) GPUFree(id NodeID) []int32 { return s.nodes[id].gpuFree }

// Up reports whether node id is up (not failed and not removed).
func (s *State) Up(id NodeID) bool { return s.nodes[id].up }

// Seq returns node id's sequence number (see the type documentation).
func (s *State) Seq(id NodeID) uint64 { return s.nodes[id].seq }

// NumTasks returns the number of tasks placed (running or held) on node id.
func (s *State) NumTasks(id NodeID) int { return int(s.nodes[id].ntasks) }

// Tasks calls fn for every task placed on node id, most recently placed first, until
// fn returns false. fn must not modify the state. Cost O(tasks on the node).
func (s *State) Tasks(id NodeID, fn func(*Task) bool) {
	for t := s.nodes[id].head; t != nil; t = t.next {
		if !fn(t) {
			return
		}
	}
}

// Capacity returns the total capacity of the up nodes.
func (s *State) Capacity() Resources { return s.capacity }

// Potential returns the total capacity of the nodes not removed, up or down: what
// could ever be free. A request above it is Unresolvable; one above Capacity only
// may fit once down nodes recover.
func (s *State) Potential() Resources { return s.potential }

// Allocated returns the total allocated (running + held) on up nodes.
func (s *State) Allocated() Resources { return s.allocated }

// Held returns the total held by tasks that are reserved but not running.
func (s *State) Held() Resources { return s.held }

// Version returns a counter bumped on every change of the state.
func (s *State) Version() uint64 { return s.version }

// Fits reports whether task t can be placed on node id now: the node is up, every
// resource fits, enough GPU devices have the share the task needs and are of an
// allowed model, the labels match and, for DistinctNodes, no task of the same job is
// there. It does not check quotas (Place does). Cost O(1) plus O(devices), plus
// O(tasks on the node) for DistinctNodes.
func (s *State) Fits(t *Task, id NodeID) Status {
	if id < 0 || int(id) >= len(s.nodes) {
		return statusNoNode
	}
	n := &s.nodes[id]
	if !n.up {
		return statusDown
	}
	r, f := &t.Request, &n.free
	if r[CPU] > f[CPU] {
		return statusNoCPU
	}
	if r[Memory] > f[Memory] {
		return statusNoMem
	}
	if r[GPU] > f[GPU] {
		return statusNoGPU
	}
	if r[Disk] > f[Disk] {
		return statusNoDisk
	}
	if t.GPUCount > 0 {
		if c := t.Constraints; c != nil && len(c.GPUModels) > 0 && !slices.Contains(c.GPUModels, n.GPUModel) {
			return statusGPUModel
		}
		if t.GPUMilli < 1000 || n.free[GPU] < int64(t.GPUCount)*1000 {
			// Count devices with enough free share (whole devices fit by total
			// only if enough devices are fully free).
			k := int32(0)
			for _, g := range n.gpuFree {
				if g >= t.GPUMilli {
					k++
				}
			}
			if k < t.GPUCount {
				return statusGPUFrag
			}
		} else if !enoughWhole(n.gpuFree, t.GPUCount) {
			return statusGPUFrag
		}
	}
	if c := t.Constraints; c != nil {
		for i := range c.Selectors {
			if !c.Selectors[i].Matches(n.Node) {
				return statusSelector
			}
		}
		if c.DistinctNodes && t.Job != nil {
			for o := n.head; o != nil; o = o.next {
				if o.Job == t.Job && o != t {
					return statusDistinct
				}
			}
		}
	}
	return StatusOK
}

func enoughWhole(free []int32, k int32) bool {
	for _, g := range free {
		if g == 1000 {
			k--
			if k == 0 {
				return true
			}
		}
	}
	return k <= 0
}

// CanEverFit reports whether some node shape in the cluster (up or down) could hold
// task t when empty, ignoring DistinctNodes. A task for which it is false is
// Unresolvable. Cost O(distinct node shapes), plus O(nodes) for tasks with label
// selectors.
func (s *State) CanEverFit(t *Task) bool {
	var models []string
	if t.Constraints != nil {
		models = t.Constraints.GPUModels
	}
	ok := false
	for _, sh := range s.shapes {
		if t.Request.LessEq(sh.cap) && int(t.GPUCount) <= sh.gpus &&
			(t.GPUCount == 0 || len(models) == 0 || slices.Contains(models, sh.gpuModel)) {
			ok = true
			break
		}
	}
	if !ok || t.Constraints == nil || len(t.Constraints.Selectors) == 0 {
		return ok
	}
	for i := range s.nodes {
		n := &s.nodes[i]
		if n.removed || !t.Request.LessEq(n.Capacity) || int(t.GPUCount) > n.GPUs {
			continue
		}
		match := true
		for j := range t.Constraints.Selectors {
			if !t.Constraints.Selectors[j].Matches(n.Node) {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// CanEverFitGang reports whether need of tasks could ever run together in this
// cluster when it is empty: at least need of them pass CanEverFit, and, for every
// resource, the need smallest requests among those add up to no more than the
// capacity of all nodes not removed (up or down). It is a necessary condition (a
// gang for which it is false is Unresolvable), not a sufficient one: packing is not
// checked. Cost O(tasks × log tasks + shapes × tasks).
func (s *State) CanEverFitGang(tasks []*Task, need int) bool {
	if need <= 0 {
		return true
	}
	var ok []*Task
	for _, t := range tasks {
		if s.CanEverFit(t) {
			ok = append(ok, t)
		}
	}
	if len(ok) < need {
		return false
	}
	vals := make([]int64, len(ok))
	for r := Resource(0); r < NumResources; r++ {
		for i, t := range ok {
			vals[i] = t.Request[r]
		}
		slices.Sort(vals)
		var sum int64
		for _, v := range vals[:need] {
			sum += v
		}
		if sum > s.potential[r] {
			return false
		}
	}
	return true
}

// ChooseGPUs returns the devices the state would give task t on node id when the
// placement names none: for a share of one device the tightest device that fits
// (smallest free share, lowest index on ties); for whole devices the lowest-indexed
// fully free ones. It returns 0 if the task needs no GPU or none fits.
func (s *State) ChooseGPUs(t *Task, id NodeID) GPUSet {
	if t.GPUCount == 0 {
		return 0
	}
	free := s.nodes[id].gpuFree
	if t.GPUMilli < 1000 && t.GPUCount == 1 {
		best := -1
		for i, g := range free {
			if g >= t.GPUMilli && (best < 0 || g < free[best]) {
				best = i
			}
		}
		if best < 0 {
			return 0
		}
		return 1 << uint(best)
	}
	var set GPUSet
	k := t.GPUCount
	for i, g := range free {
		if g >= t.GPUMilli && (t.GPUMilli < 1000 || g == 1000) {
			set |= 1 << uint(i)
			k--
			if k == 0 {
				return set
			}
		}
	}
	return 0
}

// Place puts task t on node id, holding the GPU devices gpus (0 = let ChooseGPUs
// pick). If held, the allocation counts as held-idle until Activate. It validates the
// placement (Fits, the device set, the tenant quota) and returns a non-OK Status
// without changing anything if it is invalid. It bumps the node's sequence number.
func (s *State) Place(t *Task, id NodeID, gpus GPUSet, held bool) Status {
	if t.Node != NoNode {
		return statusPlaced
	}
	if st := s.Fits(t, id); !st.IsOK() {
		return st
	}
	n := &s.nodes[id]
	if t.GPUCount > 0 {
		if gpus == 0 {
			gpus = s.ChooseGPUs(t, id)
		}
		if gpus.Count() != int(t.GPUCount) || gpus>>uint(len(n.gpuFree)) != 0 {
			return statusGPUSet
		}
		for i := range n.gpuFree {
			if gpus.Has(i) && n.gpuFree[i] < t.GPUMilli {
				return statusGPUFrag
			}
		}
	} else {
		gpus = 0
	}
	ten := s.tenantOf(t)
	if s.hasQuota[ten] && !s.tenantUse[ten].Add(t.Request).LessEq(s.tenantQuota[ten]) {
		return statusQuota
	}
	if s.tx != nil {
		s.tx.log = append(s.tx.log, undo{t: t, node: id, gpus: gpus, held: held, seq: n.seq, placed: true})
	}
	s.apply(t, id, gpus, held)
	n.seq++
	return StatusOK
}

func (s *State) tenantOf(t *Task) int32 {
	if t.Job == nil {
		return 0
	}
	return t.Job.TenantID
}

// apply performs a validated placement.
func (s *State) apply(t *Task, id NodeID, gpus GPUSet, held bool) {
	n := &s.nodes[id]
	old := n.free
	n.free = n.free.Sub(t.Request)
	for i := range n.gpuFree {
		if gpus.Has(i) {
			n.gpuFree[i] -= t.GPUMilli
		}
	}
	t.Node, t.GPUs, t.held = id, gpus, held
	t.prev, t.next = nil, n.head
	if n.head != nil {
		n.head.prev = t
	}
	n.head = t
	n.ntasks++
	s.allocated = s.allocated.Add(t.Request)
	if held {
		s.held = s.held.Add(t.Request)
	}
	ten := s.tenantOf(t)
	s.tenantUse[ten] = s.tenantUse[ten].Add(t.Request)
	s.reindex(id, old, n.free, true, true)
	s.version++
}

// Release frees task t's allocation. It is a no-op for a task that is not placed.
func (s *State) Release(t *Task) {
	id := t.Node
	if id == NoNode {
		return
	}
	n := &s.nodes[id]
	if s.tx != nil {
		s.tx.log = append(s.tx.log, undo{t: t, node: id, gpus: t.GPUs, held: t.held, seq: n.seq})
	}
	s.unapply(t)
}

func (s *State) unapply(t *Task) {
	id := t.Node
	n := &s.nodes[id]
	old := n.free
	n.free = n.free.Add(t.Request)
	for i := range n.gpuFree {
		if t.GPUs.Has(i) {
			n.gpuFree[i] += t.GPUMilli
		}
	}
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		n.head = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next = nil, nil
	n.ntasks--
	if n.up {
		s.allocated = s.allocated.Sub(t.Request)
		if t.held {
			s.held = s.held.Sub(t.Request)
		}
	}
	ten := s.tenantOf(t)
	s.tenantUse[ten] = s.tenantUse[ten].Sub(t.Request)
	s.reindex(id, old, n.free, n.up, n.up)
	t.Node, t.GPUs, t.held = NoNode, 0, false
	s.version++
}

// Activate turns a held allocation into a running one (held-idle ends). It is a
// no-op for a task that is not held.
func (s *State) Activate(t *Task) {
	if t.Node == NoNode || !t.held {
		return
	}
	if s.tx != nil {
		s.tx.log = append(s.tx.log, undo{t: t, activated: true})
	}
	t.held = false
	s.held = s.held.Sub(t.Request)
	s.version++
}

// IsHeld reports whether t is placed and held (reserved, not running).
func (t *Task) IsHeld() bool { return t.held }

// SetDown marks node id down (failed) or up again. The caller must first release
// the tasks on a node it takes down. Taking a node down bumps its sequence number.
func (s *State) SetDown(id NodeID, down bool) {
	n := &s.nodes[id]
	if n.removed || n.up == !down {
		return
	}
	if down && n.ntasks > 0 {
		panic("scheduler: SetDown on a node that still has tasks")
	}
	s.reindex(id, n.free, n.free, n.up, !down)
	n.up = !down
	if down {
		s.capacity = s.capacity.Sub(n.Capacity)
		n.seq++
	} else {
		s.capacity = s.capacity.Add(n.Capacity)
	}
	s.version++
	s.notify(id)
}

// Remove takes node id out of the cluster for good. The caller must first release
// its tasks. Its ID is not reused.
func (s *State) Remove(id NodeID) {
	s.SetDown(id, true)
	if !s.nodes[id].removed {
		s.potential = s.potential.Sub(s.nodes[id].Capacity)
	}
	s.nodes[id].removed = true
}

// Removed reports whether node id was removed.
func (s *State) Removed(id NodeID) bool { return s.nodes[id].removed }

// Update replaces node id's capacity (a trace's machine UPDATE event). The node must
// be empty or the new capacity must still hold its tasks; otherwise Update returns
// an error and changes nothing.
func (s *State) Update(id NodeID, capacity Resources) error {
	n := &s.nodes[id]
	used := n.Capacity.Sub(n.free)
	if !used.LessEq(capacity) || capacity[GPU] != n.Capacity[GPU] {
		return fmt.Errorf("scheduler: node %d: new capacity %v cannot hold %v in use (gpu capacity may not change)", id, capacity, used)
	}
	old := n.free
	if n.up {
		s.capacity = s.capacity.Sub(n.Capacity).Add(capacity)
	}
	if !n.removed {
		s.potential = s.potential.Sub(n.Capacity).Add(capacity)
	}
	n.Capacity = capacity
	n.free = capacity.Sub(used)
	s.reindex(id, old, n.free, n.up, n.up)
	s.addShape(n.Node)
	s.version++
	return nil
}

// TenantID returns the ID of tenant name, registering it on first use.
func (s *State) TenantID(name string) int32 {
	if id, ok := s.tenantIDs[name]; ok {
		return id
	}
	id := int32(len(s.tenantNames))
	s.tenantIDs[name] = id
	s.tenantNames = append(s.tenantNames, name)
	s.tenantUse = append(s.tenantUse, Resources{})
	s.tenantQuota = append(s.tenantQuota, Resources{})
	s.hasQuota = append(s.hasQuota, false)
	return id
}

// SetQuota limits the total allocation of tenant name to quota, checked by Place.
func (s *State) SetQuota(name string, quota Resources) {
	id := s.TenantID(name)
	s.tenantQuota[id], s.hasQuota[id] = quota, true
}

// TenantUsage returns the allocation of tenant name.
func (s *State) TenantUsage(name string) Resources {
	if id, ok := s.tenantIDs[name]; ok {
		return s.tenantUse[id]
	}
	return Resources{}
}

// CheckInvariants verifies, node by node, that no resource or GPU device is
// over-committed, that free + the sum of the placed tasks' requests = capacity, and
// that the totals agree. It returns a description of the first violation, or "".
// Cost O(nodes + tasks).
func (s *State) CheckInvariants() string {
	var capTotal, alloc, held Resources
	for i := range s.nodes {
		n := &s.nodes[i]
		var sum Resources
		gsum := make([]int32, len(n.gpuFree))
		cnt := int32(0)
		for t := n.head; t != nil; t = t.next {
			if t.Node != NodeID(i) {
				return fmt.Sprintf("task %v on node %d's list claims node %d", t, i, t.Node)
			}
			sum = sum.Add(t.Request)
			for d := range gsum {
				if t.GPUs.Has(d) {
					gsum[d] += t.GPUMilli
				}
			}
			if n.up {
				alloc = alloc.Add(t.Request)
				if t.held {
					held = held.Add(t.Request)
				}
			}
			cnt++
		}
		if cnt != n.ntasks {
			return fmt.Sprintf("node %d: task count %d, list has %d", i, n.ntasks, cnt)
		}
		if n.free.AnyNegative() {
			return fmt.Sprintf("node %d over-committed: free %v", i, n.free)
		}
		if sum.Add(n.free) != n.Capacity {
			return fmt.Sprintf("node %d: allocated %v + free %v != capacity %v", i, sum, n.free, n.Capacity)
		}
		for d, g := range n.gpuFree {
			if g < 0 || g > 1000 || g+gsum[d] != 1000 {
				return fmt.Sprintf("node %d gpu %d: free %d + allocated %d != 1000", i, d, g, gsum[d])
			}
		}
		if n.up {
			capTotal = capTotal.Add(n.Capacity)
		}
	}
	if capTotal != s.capacity || alloc != s.allocated || held != s.held {
		return fmt.Sprintf("totals drifted: capacity %v/%v allocated %v/%v held %v/%v",
			s.capacity, capTotal, s.allocated, alloc, s.held, held)
	}
	for r, ix := range s.idx {
		if ix == nil {
			continue
		}
		n := 0
		bad := ""
		ix.t.Ascend(func(k nodeKey) bool {
			if !s.nodes[k.id].up || s.nodes[k.id].free[r] != k.free {
				bad = fmt.Sprintf("index %v: stale entry for node %d", Resource(r), k.id)
				return false
			}
			n++
			return true
		})
		if bad != "" {
			return bad
		}
		up := 0
		for i := range s.nodes {
			if s.nodes[i].up {
				up++
			}
		}
		if n != up {
			return fmt.Sprintf("index %v has %d entries for %d up nodes", Resource(r), n, up)
		}
	}
	return ""
}

// Fingerprint returns a string that is equal for two states exactly when every
// node's up flag, free vector, GPU devices, sequence number and task set (by ID,
// devices and held flag) are equal. Tests use it to prove that rollback restores a
// state exactly. Cost O(nodes + tasks).
func (s *State) Fingerprint() string {
	var b strings.Builder
	for i := range s.nodes {
		n := &s.nodes[i]
		fmt.Fprintf(&b, "%d:%v:%v:%v:%d:", i, n.up, n.free, n.gpuFree, n.seq)
		var ids []string
		for t := n.head; t != nil; t = t.next {
			ids = append(ids, fmt.Sprintf("%d/%x/%v", t.ID, uint64(t.GPUs), t.held))
		}
		slices.Sort(ids)
		b.WriteString(strings.Join(ids, ","))
		b.WriteByte(';')
	}
	fmt.Fprintf(&b, "|%v|%v|%v|%v", s.capacity, s.allocated, s.held, s.tenantUse)
	return b.String()
}
