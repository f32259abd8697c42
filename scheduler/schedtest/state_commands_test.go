package schedtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"
	"github.com/leanovate/gopter/gen"

	"github.com/schedlab/schedlab/scheduler"
)

// A stateful test of scheduler.State with gopter's commands package: random
// sequences of Place, Release (a finishing task), Activate, plan commits (all or
// nothing, incremental, fit or sequence-number detection, inside or outside a
// transaction), Begin / Rollback / Commit of transactions and node failures and
// recoveries run against the real State and against a simple model (free vectors
// and per-device GPU shares, nothing else). After every command the two must agree
// exactly, CheckInvariants must hold, a rolled-back transaction must restore the
// Fingerprint of its Begin, and an all-or-nothing commit that fails must leave the
// Fingerprint unchanged.

// mNode and mTask are the model.
type mNode struct {
	free scheduler.Resources
	gpu  []int32
	up   bool
}

type mTask struct {
	req          scheduler.Resources
	count, milli int32
	node         int
	held         bool
	gpus         uint64
}

type model struct {
	nodes []mNode
	tasks []mTask
	saved *model // at Begin; nil when no transaction is open
	spec  *stateSpec
}

func (m *model) clone() *model {
	c := &model{nodes: slices.Clone(m.nodes), tasks: slices.Clone(m.tasks), saved: m.saved, spec: m.spec}
	for i := range c.nodes {
		c.nodes[i].gpu = slices.Clone(c.nodes[i].gpu)
	}
	return c
}

// choose returns the devices the state gives task t on node n (tightest device for
// a share, lowest-indexed free devices for whole ones), or false if it does not fit.
func (m *model) choose(ti, n int) (uint64, bool) {
	t, nd := &m.tasks[ti], &m.nodes[n]
	if !nd.up || t.node >= 0 || !t.req.LessEq(nd.free) {
		return 0, false
	}
	if t.count == 0 {
		return 0, true
	}
	if t.milli < 1000 {
		best := -1
		for i, g := range nd.gpu {
			if g >= t.milli && (best < 0 || g < nd.gpu[best]) {
				best = i
			}
		}
		if best < 0 {
			return 0, false
		}
		return 1 << uint(best), true
	}
	var set uint64
	k := t.count
	for i, g := range nd.gpu {
		if g == 1000 && k > 0 {
			set |= 1 << uint(i)
			k--
		}
	}
	return set, k == 0
}

func (m *model) place(ti, n int, held bool) bool {
	set, ok := m.choose(ti, n)
	if !ok {
		return false
	}
	t, nd := &m.tasks[ti], &m.nodes[n]
	nd.free = nd.free.Sub(t.req)
	for i := range nd.gpu {
		if set&(1<<uint(i)) != 0 {
			nd.gpu[i] -= t.milli
		}
	}
	t.node, t.held, t.gpus = n, held, set
	return true
}

func (m *model) release(ti int) {
	t := &m.tasks[ti]
	if t.node < 0 {
		return
	}
	nd := &m.nodes[t.node]
	nd.free = nd.free.Add(t.req)
	for i := range nd.gpu {
		if t.gpus&(1<<uint(i)) != 0 {
			nd.gpu[i] += t.milli
		}
	}
	t.node, t.held, t.gpus = -1, false, 0
}

// stateSpec is the generated initial cluster and task pool.
type stateSpec struct {
	Nodes []NodeSpec
	Tasks []TaskSpec
}

// sut is the system under test.
type sut struct {
	st    *scheduler.State
	tasks []*scheduler.Task
	tx    *scheduler.Tx
	fp    string // Fingerprint at Begin
}

func newSUT(sp *stateSpec) *sut {
	var nodes []scheduler.Node
	for i, ns := range sp.Nodes {
		nodes = append(nodes, ns.node(fmt.Sprint("n", i)))
	}
	st, err := scheduler.NewState(nodes)
	if err != nil {
		panic(err)
	}
	s := &sut{st: st}
	for i, ts := range sp.Tasks {
		j := (&JobSpec{Tasks: []TaskSpec{ts}}).job(i, len(sp.Tasks))
		t := &j.Tasks[0]
		t.ID, t.Job, t.Node = scheduler.TaskID(i), j, scheduler.NoNode
		s.tasks = append(s.tasks, t)
	}
	return s
}

func newModel(sp *stateSpec) *model {
	m := &model{spec: sp}
	s := newSUT(sp) // reuse Build's normalisation for requests
	for i := range sp.Nodes {
		n := s.st.Node(scheduler.NodeID(i))
		gpu := make([]int32, n.GPUs)
		for d := range gpu {
			gpu[d] = 1000
		}
		m.nodes = append(m.nodes, mNode{free: n.Capacity, gpu: gpu, up: true})
	}
	for _, t := range s.tasks {
		m.tasks = append(m.tasks, mTask{req: t.Request, count: t.GPUCount, milli: t.GPUMilli, node: -1})
	}
	return m
}

// observation is what a command saw of the SUT after running.
type observation struct {
	ok        bool
	committed int
	fpOK      bool // the fingerprint rule of the command held
	bad       string
	free      []scheduler.Resources
	gpu       [][]int32
	up        []bool
	node      []int
	held      []bool
}

func observe(s *sut) *observation {
	o := &observation{fpOK: true, bad: s.st.CheckInvariants()}
	for i := 0; i < s.st.NumNodes(); i++ {
		id := scheduler.NodeID(i)
		o.free = append(o.free, s.st.Free(id))
		o.gpu = append(o.gpu, slices.Clone(s.st.GPUFree(id)))
		o.up = append(o.up, s.st.Up(id))
	}
	for _, t := range s.tasks {
		o.node = append(o.node, int(t.Node))
		o.held = append(o.held, t.IsHeld())
	}
	return o
}

// agree compares an observation with the model.
func agree(m *model, o *observation) string {
	if o.bad != "" {
		return "invariants: " + o.bad
	}
	if !o.fpOK {
		return "fingerprint rule broken (rollback or failed all-or-nothing commit changed the state)"
	}
	for i, n := range m.nodes {
		if o.free[i] != n.free || o.up[i] != n.up || !slices.Equal(o.gpu[i], n.gpu) {
			return fmt.Sprintf("node %d: state free=%v gpu=%v up=%v, model free=%v gpu=%v up=%v",
				i, o.free[i], o.gpu[i], o.up[i], n.free, n.gpu, n.up)
		}
	}
	for i, t := range m.tasks {
		if o.node[i] != t.node || o.held[i] != t.held {
			return fmt.Sprintf("task %d: state node=%d held=%v, model node=%d held=%v", i, o.node[i], o.held[i], t.node, t.held)
		}
	}
	return ""
}

func post(state commands.State, res commands.Result, want func(*model, *observation) string) *gopter.PropResult {
	m, o := state.(*model), res.(*observation)
	msg := agree(m, o)
	if msg == "" && want != nil {
		msg = want(m, o)
	}
	if msg != "" {
		return &gopter.PropResult{Status: gopter.PropFalse, Labels: []string{msg}}
	}
	return &gopter.PropResult{Status: gopter.PropTrue}
}

// placeCmd places task T on node N (held or not).
type placeCmd struct {
	T, N int
	Held bool
	ok   bool // the model's prediction, set by NextState
}

func (c *placeCmd) Run(s commands.SystemUnderTest) commands.Result {
	u := s.(*sut)
	st := u.st.Place(u.tasks[c.T], scheduler.NodeID(c.N), 0, c.Held)
	o := observe(u)
	o.ok = st.IsOK()
	return o
}
func (c *placeCmd) NextState(state commands.State) commands.State {
	m := state.(*model).clone()
	c.ok = m.place(c.T, c.N, c.Held)
	return m
}
func (c *placeCmd) PreCondition(commands.State) bool { return true }
func (c *placeCmd) PostCondition(state commands.State, res commands.Result) *gopter.PropResult {
	return post(state, res, func(m *model, o *observation) string {
		if o.ok != c.ok {
			return fmt.Sprintf("Place returned ok=%v, the model says %v", o.ok, c.ok)
		}
		return ""
	})
}
func (c *placeCmd) String() string {
	return fmt.Sprintf("Place(task %d, node %d, held=%v)", c.T, c.N, c.Held)
}

// releaseCmd releases task T (a finishing task; a no-op if it is not placed).
type releaseCmd struct{ T int }

func (c *releaseCmd) Run(s commands.SystemUnderTest) commands.Result {
	u := s.(*sut)
	u.st.Release(u.tasks[c.T])
	return observe(u)
}
func (c *releaseCmd) NextState(state commands.State) commands.State {
	m := state.(*model).clone()
	m.release(c.T)
	return m
}
func (c *releaseCmd) PreCondition(commands.State) bool { return true }
func (c *releaseCmd) PostCondition(state commands.State, res commands.Result) *gopter.PropResult {
	return post(state, res, nil)
}
func (c *releaseCmd) String() string { return fmt.Sprintf("Release(task %d)", c.T) }

// activateCmd turns a held allocation into a running one.
type activateCmd struct{ T int }

func (c *activateCmd) Run(s commands.SystemUnderTest) commands.Result {
	u := s.(*sut)
	u.st.Activate(u.tasks[c.T])
	return observe(u)
}
func (c *activateCmd) NextState(state commands.State) commands.State {
	m := state.(*model).clone()
	m.tasks[c.T].held = false
	return m
}
func (c *activateCmd) PreCondition(commands.State) bool { return true }
func (c *activateCmd) PostCondition(state commands.State, res commands.Result) *gopter.PropResult {
	return post(state, res, nil)
}
func (c *activateCmd) String() string { return fmt.Sprintf("Activate(task %d)", c.T) }

// claimSpec is one claim of a generated plan; Stale gives it an outdated sequence
// number.
type claimSpec struct {
	T, N  int
	Stale bool
}

// commitCmd commits a plan.
type commitCmd struct {
	Claims       []claimSpec
	AllOrNothing bool
	Seq          bool // sequence-number detection (else fit)
	committed    int  // the model's prediction
}

func (c *commitCmd) Run(s commands.SystemUnderTest) commands.Result {
	u := s.(*sut)
	p := &scheduler.Plan{}
	for _, cl := range c.Claims {
		seq := u.st.Seq(scheduler.NodeID(cl.N))
		if cl.Stale {
			seq += 1000
		}
		p.Claims = append(p.Claims, scheduler.Claim{Task: u.tasks[cl.T], Node: scheduler.NodeID(cl.N), Seq: seq})
	}
	d := scheduler.DetectFit
	if c.Seq {
		d = scheduler.DetectSeq
	}
	before := u.st.Fingerprint()
	res := u.st.Commit(p, d, c.AllOrNothing)
	o := observe(u)
	o.committed = res.Committed
	if res.Committed+len(res.Conflicts) != len(c.Claims) {
		o.bad = fmt.Sprintf("commit result: %d committed + %d conflicts for %d claims", res.Committed, len(res.Conflicts), len(c.Claims))
	}
	if res.Committed == 0 {
		o.fpOK = u.st.Fingerprint() == before
	}
	return o
}
func (c *commitCmd) NextState(state commands.State) commands.State {
	m := state.(*model).clone()
	work := m.clone()
	touched := map[int]bool{}
	n := 0
	for _, cl := range c.Claims {
		ok := !(c.Seq && (cl.Stale || touched[cl.N])) && work.place(cl.T, cl.N, false)
		if ok {
			n++
			touched[cl.N] = true
		} else if c.AllOrNothing {
			n = 0
			work = m
			break
		}
	}
	c.committed = n
	work.saved = m.saved
	return work
}
func (c *commitCmd) PreCondition(commands.State) bool { return true }
func (c *commitCmd) PostCondition(state commands.State, res commands.Result) *gopter.PropResult {
	return post(state, res, func(m *model, o *observation) string {
		if o.committed != c.committed {
			return fmt.Sprintf("Commit applied %d claims, the model says %d", o.committed, c.committed)
		}
		return ""
	})
}
func (c *commitCmd) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Commit(allOrNothing=%v, seq=%v:", c.AllOrNothing, c.Seq)
	for _, cl := range c.Claims {
		fmt.Fprintf(&b, " task %d→node %d", cl.T, cl.N)
		if cl.Stale {
			b.WriteString(" (stale)")
		}
	}
	b.WriteString(")")
	return b.String()
}

// beginCmd, rollbackCmd and txCommitCmd drive a transaction.
type beginCmd struct{}

func (beginCmd) Run(s commands.SystemUnderTest) commands.Result {
	u := s.(*sut)
	u.fp = u.st.Fingerprint()
	u.tx = u.st.Begin()
	return observe(u)
}
func (beginCmd) NextState(state commands.State) commands.State {
	m := state.(*model).clone()
	m.saved = state.(*model).clone()
	return m
}
func (beginCmd) PreCondition(state commands.State) bool { return state.(*model).saved == nil }
func (beginCmd) PostCondition(state commands.State, res commands.Result) *gopter.PropResult {
	return post(state, res, nil)
}
func (beginCmd) String() string { return "Begin" }

type rollbackCmd struct{}

func (rollbackCmd) Run(s commands.SystemUnderTest) commands.Result {
	u := s.(*sut)
	u.tx.Rollback()
	u.tx = nil
	o := observe(u)
	o.fpOK = u.st.Fingerprint() == u.fp
	return o
}
func (rollbackCmd) NextState(state commands.State) commands.State {
	return state.(*model).saved.clone()
}
func (rollbackCmd) PreCondition(state commands.State) bool { return state.(*model).saved != nil }
func (rollbackCmd) PostCondition(state commands.State, res commands.Result) *gopter.PropResult {
	return post(state, res, nil)
}
func (rollbackCmd) String() string { return "Rollback" }

type txCommitCmd struct{}

func (txCommitCmd) Run(s commands.SystemUnderTest) commands.Result {
	u := s.(*sut)
	u.tx.Commit()
	u.tx = nil
	return observe(u)
}
func (txCommitCmd) NextState(state commands.State) commands.State {
	m := state.(*model).clone()
	m.saved = nil
	return m
}
func (txCommitCmd) PreCondition(state commands.State) bool { return state.(*model).saved != nil }
func (txCommitCmd) PostCondition(state commands.State, res commands.Result) *gopter.PropResult {
	return post(state, res, nil)
}
func (txCommitCmd) String() string { return "Tx.Commit" }

// failCmd fails node N (its tasks are released first, as the engine does) or, with
// Recover, brings it back. Not inside a transaction: the engine never does that.
type failCmd struct {
	N       int
	Recover bool
}

func (c *failCmd) Run(s commands.SystemUnderTest) commands.Result {
	u := s.(*sut)
	id := scheduler.NodeID(c.N)
	if !c.Recover {
		var victims []*scheduler.Task
		u.st.Tasks(id, func(t *scheduler.Task) bool { victims = append(victims, t); return true })
		for _, t := range victims {
			u.st.Release(t)
		}
	}
	u.st.SetDown(id, !c.Recover)
	return observe(u)
}
func (c *failCmd) NextState(state commands.State) commands.State {
	m := state.(*model).clone()
	if !c.Recover {
		for i := range m.tasks {
			if m.tasks[i].node == c.N {
				m.release(i)
			}
		}
	}
	m.nodes[c.N].up = c.Recover
	return m
}
func (c *failCmd) PreCondition(state commands.State) bool { return state.(*model).saved == nil }
func (c *failCmd) PostCondition(state commands.State, res commands.Result) *gopter.PropResult {
	return post(state, res, nil)
}
func (c *failCmd) String() string {
	if c.Recover {
		return fmt.Sprintf("Recover(node %d)", c.N)
	}
	return fmt.Sprintf("Fail(node %d)", c.N)
}

// stateCommands is the commands.Commands of the test.
func stateCommands() commands.Commands {
	initial := func(p *gopter.GenParameters) *gopter.GenResult {
		sh := Shape{NoConstraints: true}.norm()
		sp := &stateSpec{}
		for i := 0; i < 1+p.Rng.Intn(4); i++ {
			sp.Nodes = append(sp.Nodes, genNode(p.Rng, sh))
		}
		for i := 0; i < 1+p.Rng.Intn(8); i++ {
			sp.Tasks = append(sp.Tasks, genTask(p.Rng, sh, p.Rng.Intn(2) == 0))
		}
		return gopter.NewGenResult(sp, gopter.NoShrinker)
	}
	return &commands.ProtoCommands{
		NewSystemUnderTestFunc: func(state commands.State) commands.SystemUnderTest { return newSUT(state.(*model).spec) },
		InitialStateGen:        gopter.Gen(initial).Map(func(sp *stateSpec) *model { return newModel(sp) }),
		GenCommandFunc: func(state commands.State) gopter.Gen {
			m := state.(*model)
			nt, nn := len(m.tasks), len(m.nodes)
			task, node := gen.IntRange(0, nt-1), gen.IntRange(0, nn-1)
			claim := gopter.CombineGens(task, node, gen.Weighted([]gen.WeightedGen{{Weight: 5, Gen: gen.Const(false)}, {Weight: 1, Gen: gen.Const(true)}})).
				Map(func(v []interface{}) claimSpec { return claimSpec{T: v[0].(int), N: v[1].(int), Stale: v[2].(bool)} })
			return gen.Weighted([]gen.WeightedGen{
				{Weight: 6, Gen: gopter.CombineGens(task, node, gen.Bool()).Map(func(v []interface{}) commands.Command {
					return &placeCmd{T: v[0].(int), N: v[1].(int), Held: v[2].(bool)}
				})},
				{Weight: 3, Gen: task.Map(func(t int) commands.Command { return &releaseCmd{T: t} })},
				{Weight: 2, Gen: task.Map(func(t int) commands.Command { return &activateCmd{T: t} })},
				{Weight: 4, Gen: gopter.CombineGens(gen.SliceOfN(3, claim), gen.IntRange(1, 3), gen.Bool(), gen.Bool()).Map(func(v []interface{}) commands.Command {
					cl := v[0].([]claimSpec)[:v[1].(int)]
					return &commitCmd{Claims: cl, AllOrNothing: v[2].(bool), Seq: v[3].(bool)}
				})},
				{Weight: 2, Gen: gen.Const(commands.Command(beginCmd{}))},
				{Weight: 1, Gen: gen.Const(commands.Command(rollbackCmd{}))},
				{Weight: 1, Gen: gen.Const(commands.Command(txCommitCmd{}))},
				{Weight: 1, Gen: gopter.CombineGens(node, gen.Bool()).Map(func(v []interface{}) commands.Command {
					return &failCmd{N: v[0].(int), Recover: v[1].(bool)}
				})},
			})
		},
	}
}

func TestStateAgreesWithModelUnderRandomCommands(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(propSeed(DefaultSeed))
	params.MinSuccessfulTests = propCases(300)
	params.MaxSize = 40 // commands per sequence
	t.Logf("schedtest: generator seed %d (rerun with -schedtest.seed=N)", params.Seed())
	props := gopter.NewProperties(params)
	props.Property("State equals the model after every command; rollback restores the Begin fingerprint; a failed all-or-nothing commit changes nothing",
		commands.Prop(stateCommands()))
	props.TestingRun(t)
}
