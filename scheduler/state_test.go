package scheduler

import (
	"testing"
)

func mustState(t testing.TB, nodes ...Node) *State {
	t.Helper()
	s, err := NewState(nodes)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func gpuTask(count, milli int32, cpu int64) *Task {
	tk := &Task{Request: Res(cpu, 0, 0), GPUCount: count, GPUMilli: milli, Node: NoNode}
	if err := tk.normalizeGPU(); err != nil {
		panic(err)
	}
	return tk
}

func TestFits(t *testing.T) {
	job := &Job{ID: 1}
	nodes := []Node{
		{Capacity: Res(4000, 8192, 0), Labels: []Label{{"zone", "a"}, {"arch", "x86"}}},
		{Capacity: Res(8000, 16384, 2000), GPUModel: "T4", Labels: []Label{{"zone", "b"}, {"rank", "7"}}},
	}
	s := mustState(t, nodes...)
	onNode1 := &Task{Job: job, Request: Res(1000, 1024, 0), Node: NoNode}
	if st := s.Place(onNode1, 1, 0, false); !st.IsOK() {
		t.Fatal(st)
	}
	tests := []struct {
		name string
		task Task
		node NodeID
		want Code
		why  string
	}{
		{"fits", Task{Request: Res(4000, 8192, 0)}, 0, OK, ""},
		{"cpu", Task{Request: Res(4001, 0, 0)}, 0, Unschedulable, "insufficient cpu"},
		{"mem", Task{Request: Res(0, 8193, 0)}, 0, Unschedulable, "insufficient memory"},
		{"gpu total", Task{Request: Res(0, 0, 3000), GPUCount: 3, GPUMilli: 1000}, 1, Unschedulable, "insufficient gpu"},
		{"gpu on cpu node", Task{Request: Res(0, 0, 500), GPUCount: 1, GPUMilli: 500}, 0, Unschedulable, "insufficient gpu"},
		{"gpu model ok", Task{Request: Res(0, 0, 1000), GPUCount: 1, GPUMilli: 1000, Constraints: &Constraints{GPUModels: []string{"V100", "T4"}}}, 1, OK, ""},
		{"gpu model no", Task{Request: Res(0, 0, 1000), GPUCount: 1, GPUMilli: 1000, Constraints: &Constraints{GPUModels: []string{"V100"}}}, 1, Unresolvable, "gpu model not allowed"},
		{"selector eq", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "zone", Op: OpEq, Values: []string{"a"}}}}}, 0, OK, ""},
		{"selector eq miss", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "zone", Op: OpEq, Values: []string{"a"}}}}}, 1, Unresolvable, "node labels do not match"},
		{"selector ne missing label", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "gpu", Op: OpNe, Values: []string{"x"}}}}}, 0, OK, ""},
		{"selector in", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "zone", Op: OpIn, Values: []string{"b", "c"}}}}}, 1, OK, ""},
		{"selector notin", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "zone", Op: OpNotIn, Values: []string{"b"}}}}}, 1, Unresolvable, "node labels do not match"},
		{"selector exists", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "arch", Op: OpExists}}}}, 0, OK, ""},
		{"selector notexists", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "arch", Op: OpNotExists}}}}, 0, Unresolvable, "node labels do not match"},
		{"selector gt", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "rank", Op: OpGt, Values: []string{"5"}}}}}, 1, OK, ""},
		{"selector lt", Task{Constraints: &Constraints{Selectors: []Selector{{Key: "rank", Op: OpLt, Values: []string{"5"}}}}}, 1, Unresolvable, "node labels do not match"},
		{"distinct", Task{Job: job, Constraints: &Constraints{DistinctNodes: true}}, 1, Unschedulable, "another task of the job is on the node"},
		{"distinct other node", Task{Job: job, Constraints: &Constraints{DistinctNodes: true}}, 0, OK, ""},
		{"no such node", Task{}, 7, NodeDown, "no such node"},
	}
	for _, tc := range tests {
		tk := tc.task
		tk.Node = NoNode
		st := s.Fits(&tk, tc.node)
		if st.Code != tc.want || st.Reason != tc.why {
			t.Errorf("%s: got %v, want %v (%s)", tc.name, st, tc.want, tc.why)
		}
	}
	s.SetDown(0, true)
	if st := s.Fits(&Task{}, 0); st.Code != NodeDown {
		t.Errorf("down node: %v", st)
	}
}

func TestGPUDevices(t *testing.T) {
	s := mustState(t, Node{Capacity: Res(64000, 0, 4000), GPUModel: "V100"})
	share := gpuTask(1, 600, 100)
	if st := s.Place(share, 0, 0, false); !st.IsOK() {
		t.Fatal(st)
	}
	if share.GPUs != 1 {
		t.Fatalf("share pod took %b, want device 0", share.GPUs)
	}
	// A second share of 300 goes to the tightest device (device 0 has 400 free).
	share2 := gpuTask(1, 300, 100)
	s.Place(share2, 0, 0, false)
	if share2.GPUs != 1 {
		t.Fatalf("tightest fit took %b, want device 0", share2.GPUs)
	}
	// Three whole GPUs: devices 1,2,3 are fully free.
	whole := gpuTask(3, 1000, 100)
	if st := s.Place(whole, 0, 0, false); !st.IsOK() || whole.GPUs != 0b1110 {
		t.Fatalf("whole: %v %b", st, whole.GPUs)
	}
	// Now 100 milli free in total on device 0, nothing else: 200 does not fit even
	// though the node's total free GPU would have... it is 100.
	if st := s.Fits(gpuTask(1, 200, 0), 0); st.IsOK() {
		t.Fatal("over-committed a device")
	}
	s.Release(whole)
	// Two devices of 1000 free; a 2-GPU task fits; a 1×900 share goes to device 1.
	if st := s.Fits(gpuTask(2, 1000, 0), 0); !st.IsOK() {
		t.Fatal(st)
	}
	// Fragmented: total free 100+3000 but a 4-GPU whole request cannot fit.
	if st := s.Fits(gpuTask(4, 1000, 0), 0); st.IsOK() {
		t.Fatal("4 whole GPUs on a node with a shared device")
	}
	// Explicit device set that does not fit is rejected.
	x := gpuTask(1, 500, 0)
	if st := s.Place(x, 0, 1, false); st.IsOK() {
		t.Fatal("placed 500 on device 0 with 100 free")
	}
	if msg := s.CheckInvariants(); msg != "" {
		t.Fatal(msg)
	}
}

func TestTxRollbackRestoresExactly(t *testing.T) {
	s := mustState(t, Node{Capacity: Res(4000, 4096, 2000)}, Node{Capacity: Res(4000, 4096, 0)})
	s.AscendFree(CPU, 0, func(NodeID, int64) bool { return true }) // build an index
	a := &Task{ID: 1, Request: Res(1000, 1024, 0), Node: NoNode}
	s.Place(a, 0, 0, false)
	before := s.Fingerprint()
	tx := s.Begin()
	b := gpuTask(1, 500, 1000)
	b.ID = 2
	if st := s.Place(b, 0, 0, true); !st.IsOK() {
		t.Fatal(st)
	}
	s.Release(a)
	c := &Task{ID: 3, Request: Res(4000, 0, 0), Node: NoNode}
	if st := s.Place(c, 1, 0, false); !st.IsOK() {
		t.Fatal(st)
	}
	s.Activate(b)
	if s.Fingerprint() == before {
		t.Fatal("transaction changed nothing")
	}
	tx.Rollback()
	if got := s.Fingerprint(); got != before {
		t.Fatalf("rollback did not restore:\n got %s\nwant %s", got, before)
	}
	if msg := s.CheckInvariants(); msg != "" {
		t.Fatal(msg)
	}
	if a.Node != 0 || b.Node != NoNode || c.Node != NoNode {
		t.Fatalf("task placements after rollback: a=%d b=%d c=%d", a.Node, b.Node, c.Node)
	}
}

func TestCommitModes(t *testing.T) {
	newTasks := func() []*Task {
		var ts []*Task
		for i := 0; i < 3; i++ {
			ts = append(ts, &Task{ID: TaskID(i), Request: Res(2000, 0, 0), Node: NoNode})
		}
		return ts
	}
	// Node 0 has room for 2 tasks; the plan puts all three there.
	t.Run("incremental fit", func(t *testing.T) {
		s := mustState(t, Node{Capacity: Res(4000, 0, 0)})
		ts := newTasks()
		p := &Plan{}
		for _, tk := range ts {
			p.Claims = append(p.Claims, Claim{Task: tk, Node: 0})
		}
		res := s.Commit(p, DetectFit, false)
		if res.Committed != 2 || len(res.Conflicts) != 1 || res.Conflicts[0] != 2 || res.First.Code != Conflict {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("all or nothing", func(t *testing.T) {
		s := mustState(t, Node{Capacity: Res(4000, 0, 0)})
		before := s.Fingerprint()
		ts := newTasks()
		p := &Plan{}
		for _, tk := range ts {
			p.Claims = append(p.Claims, Claim{Task: tk, Node: 0})
		}
		res := s.Commit(p, DetectFit, true)
		if res.Committed != 0 || len(res.Conflicts) != 3 {
			t.Fatalf("%+v", res)
		}
		if s.Fingerprint() != before {
			t.Fatal("all-or-nothing commit left changes")
		}
	})
	t.Run("seq detects change even when it fits", func(t *testing.T) {
		s := mustState(t, Node{Capacity: Res(8000, 0, 0)})
		seen := s.Seq(0)
		other := &Task{ID: 9, Request: Res(1000, 0, 0), Node: NoNode}
		s.Place(other, 0, 0, false)
		tk := newTasks()[0]
		p := &Plan{Claims: []Claim{{Task: tk, Node: 0, Seq: seen}}}
		if res := s.Commit(p, DetectSeq, false); res.Committed != 0 || res.First.Code != Conflict {
			t.Fatalf("seq: %+v", res)
		}
		if res := s.Commit(p, DetectFit, false); res.Committed != 1 {
			t.Fatalf("fit: %+v", res)
		}
	})
	t.Run("seq of own earlier claims", func(t *testing.T) {
		s := mustState(t, Node{Capacity: Res(8000, 0, 0)})
		ts := newTasks()
		seq := s.Seq(0)
		p := &Plan{Claims: []Claim{{Task: ts[0], Node: 0, Seq: seq}, {Task: ts[1], Node: 0, Seq: seq + 1}}}
		if res := s.Commit(p, DetectSeq, true); res.Committed != 2 {
			t.Fatalf("%+v", res)
		}
	})
}

func TestQuota(t *testing.T) {
	s := mustState(t, Node{Capacity: Res(10000, 0, 0)})
	s.SetQuota("team", Res(3000, 0, 0))
	j := &Job{TenantID: s.TenantID("team")}
	var placed int
	for i := 0; i < 5; i++ {
		tk := &Task{ID: TaskID(i), Job: j, Request: Res(1000, 0, 0), Node: NoNode}
		st := s.Place(tk, 0, 0, false)
		if st.IsOK() {
			placed++
		} else if st.Code != QuotaExceeded {
			t.Fatal(st)
		}
	}
	if placed != 3 || s.TenantUsage("team") != Res(3000, 0, 0) {
		t.Fatalf("placed %d, usage %v", placed, s.TenantUsage("team"))
	}
}

func TestBestFitMatchesScan(t *testing.T) {
	var nodes []Node
	for i := 0; i < 200; i++ {
		nodes = append(nodes, Node{Capacity: Res(int64(1000+(i*37)%8000), int64(2048+(i*53)%16384), 0)})
	}
	s := mustState(t, nodes...)
	r := NewRand(1, "test")
	for k := 0; k < 2000; k++ {
		tk := &Task{ID: TaskID(k), Request: Res(int64(r.IntN(3000)), int64(r.IntN(6000)), 0), Node: NoNode}
		got, _, st := KeyBestFit{}.Place(s, tk)
		// naive scan
		want := NoNode
		for i := range nodes {
			id := NodeID(i)
			if s.Fits(tk, id).IsOK() && (want == NoNode || s.Free(id)[CPU] < s.Free(want)[CPU]) {
				want = id
			}
		}
		if got != want {
			t.Fatalf("decision %d: indexed %d, scan %d (%v)", k, got, want, st)
		}
		if got != NoNode {
			s.Place(tk, got, 0, false)
		}
	}
	if msg := s.CheckInvariants(); msg != "" {
		t.Fatal(msg)
	}
}

func TestNewStateRejectsBadNodes(t *testing.T) {
	bad := []Node{
		{Capacity: Res(-1, 0, 0)},
		{Capacity: Res(0, 0, 1500)},
		{Capacity: Res(0, 0, 2000), GPUs: 3},
		{GPUs: 65},
	}
	for i, n := range bad {
		if _, err := NewState([]Node{n}); err == nil {
			t.Errorf("node %d accepted: %+v", i, n)
		}
	}
}
