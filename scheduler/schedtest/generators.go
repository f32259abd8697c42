package schedtest

import (
	"math/rand"
	"reflect"
	"slices"

	"github.com/leanovate/gopter"
)

// Shape bounds and restricts the scenarios the generators make. The zero value
// takes the defaults (DefaultShape) and enables every feature; the No* fields turn
// features off for policies that do not handle them.
type Shape struct {
	MaxNodes int // nodes per cluster, at least 1; default 6
	MaxJobs  int // jobs per workload; default 8
	MaxTasks int // tasks per job; default 6

	NoGPUs        bool // no GPU nodes or GPU requests
	NoGangs       bool // no MinMember
	NoDAGs        bool // no task groups and no job dependencies
	NoFailures    bool // no failure schedule and no nodes added during the run
	NoConstraints bool // no label selectors, GPU models or distinct-node jobs
	NoTenants     bool // every job in the default tenant, no quotas
	NoHorizon     bool // always drain: no horizon, no tasks that run forever
	// Live makes every scenario one where liveness can be judged: no horizon, no
	// task that runs forever, and every failed node recovers.
	Live bool
}

// DefaultShape is the shape used for a zero Shape: small clusters and workloads
// that exercise every feature, sized so a few hundred cases run in about a second.
var DefaultShape = Shape{MaxNodes: 6, MaxJobs: 8, MaxTasks: 6}

func (s Shape) norm() Shape {
	if s.MaxNodes <= 0 {
		s.MaxNodes = DefaultShape.MaxNodes
	}
	if s.MaxJobs <= 0 {
		s.MaxJobs = DefaultShape.MaxJobs
	}
	if s.MaxTasks <= 0 {
		s.MaxTasks = DefaultShape.MaxTasks
	}
	if s.Live {
		s.NoHorizon = true
	}
	return s
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.Intn(len(xs))] }

// genNode draws one node: a few shapes, GPUs on some, zone labels and racks.
func genNode(r *rand.Rand, sh Shape) NodeSpec {
	n := NodeSpec{
		CPU: pick[int64](r, 2000, 4000, 8000, 16000),
		Mem: pick[int64](r, 4096, 8192, 16384, 32768),
	}
	if !sh.NoGPUs && r.Intn(3) == 0 {
		n.GPUs = pick(r, 1, 2, 4, 8)
		n.Model = pick(r, "A100", "V100")
	}
	if !sh.NoConstraints {
		n.Labels = append(n.Labels, "zone="+pick(r, "a", "b"))
		if r.Intn(3) == 0 {
			n.Labels = append(n.Labels, "ssd=true")
		}
	}
	n.Domain = pick(r, "rack0", "rack1", "rack2")
	return n
}

// genTask draws a task request; about one in twelve is too large for any node.
func genTask(r *rand.Rand, sh Shape, gpu bool) TaskSpec {
	t := TaskSpec{
		N:       1,
		CPU:     pick[int64](r, 100, 250, 500, 1000, 2000, 4000),
		Mem:     pick[int64](r, 128, 512, 1024, 2048, 4096),
		Runtime: pick[int64](r, 0, 1, 2, 5, 10, 30, 60),
	}
	if r.Intn(12) == 0 {
		if r.Intn(2) == 0 {
			t.CPU = 64000 // fits nowhere
		} else {
			t.Mem = 100000
		}
	}
	if gpu {
		t.GPU = pick[int64](r, 250, 500, 1000, 1000, 2000, 4000)
	}
	if !sh.NoHorizon && r.Intn(10) == 0 {
		t.Runtime = -1 // runs until the horizon
	}
	return t
}

// genJob draws job i: a plain job, a gang or a DAG job.
func genJob(r *rand.Rand, sh Shape, i int, submit int64) JobSpec {
	j := JobSpec{Submit: submit}
	if r.Intn(4) == 0 {
		j.Priority = int32(r.Intn(3))
	}
	gpu := !sh.NoGPUs && r.Intn(4) == 0
	kind := r.Intn(10)
	switch {
	case kind < 3 && !sh.NoGangs: // gang
		n := 2 + r.Intn(max(sh.MaxTasks-1, 1))
		t := genTask(r, sh, gpu)
		t.N = n
		j.Tasks = []TaskSpec{t}
		j.MinMember = 1 + r.Intn(n)
		if r.Intn(3) == 0 {
			j.MinMember = n
		}
	case kind < 5 && !sh.NoDAGs: // DAG of 2 or 3 groups
		ng := 2 + r.Intn(2)
		j.Groups = make([][]int, ng)
		for g := 1; g < ng; g++ {
			j.Groups[g] = []int{r.Intn(g)}
		}
		for g := 0; g < ng; g++ {
			t := genTask(r, sh, gpu)
			t.N = 1 + r.Intn(2)
			t.Group = g
			if t.Runtime < 0 {
				t.Runtime = 5
			}
			j.Tasks = append(j.Tasks, t)
		}
	default:
		n := 1 + r.Intn(min(3, sh.MaxTasks))
		for k := 0; k < n; k++ {
			j.Tasks = append(j.Tasks, genTask(r, sh, gpu))
		}
	}
	if !sh.NoConstraints {
		switch r.Intn(8) {
		case 0:
			j.Selector = "zone=" + pick(r, "a", "b")
		case 1:
			j.Distinct = true
		case 2:
			if gpu {
				j.GPUModels = []string{pick(r, "A100", "V100")}
			}
		}
	}
	if !sh.NoTenants && r.Intn(3) == 0 {
		j.Tenant = pick(r, "t1", "t2")
	}
	if !sh.NoDAGs && i > 0 && r.Intn(6) == 0 {
		j.After = []int{r.Intn(i)}
	}
	return j
}

// genFailure draws one failure of one of n nodes.
func genFailure(r *rand.Rand, sh Shape, n int) FailureSpec {
	f := FailureSpec{At: int64(r.Intn(60)), Node: r.Intn(n), For: pick[int64](r, 5, 20, 60)}
	if !sh.Live && r.Intn(5) == 0 {
		if r.Intn(2) == 0 {
			f.For = 0
		} else {
			f.Remove = true
		}
	}
	return f
}

// GenScenario draws one scenario of the given shape from r. Generators call it with
// gopter's seeded source; tests may call it with their own.
func GenScenario(r *rand.Rand, sh Shape) Scenario {
	sh = sh.norm()
	sc := Scenario{Seed: r.Uint64() % 1000}
	nn := 1 + r.Intn(sh.MaxNodes)
	for i := 0; i < nn; i++ {
		sc.Nodes = append(sc.Nodes, genNode(r, sh))
	}
	sc.Jobs = GenWorkload(r, sh)
	if !sh.NoFailures && r.Intn(3) == 0 {
		k := 1 + r.Intn(3)
		for i := 0; i < k; i++ {
			sc.Failures = append(sc.Failures, genFailure(r, sh, nn))
		}
	}
	if !sh.NoFailures && r.Intn(5) == 0 {
		for i := 0; i < 1+r.Intn(2); i++ {
			sc.Adds = append(sc.Adds, AddSpec{At: int64(r.Intn(60)), Node: genNode(r, sh)})
		}
	}
	if !sh.NoTenants && r.Intn(3) == 0 {
		for _, name := range []string{"t1", "t2"} {
			if r.Intn(2) == 0 {
				sc.Quotas = append(sc.Quotas, QuotaSpec{Tenant: name, CPU: pick[int64](r, 1000, 4000, 8000),
					Mem: 1 << 20, GPU: pick[int64](r, 2000, 1<<20)})
			}
		}
	}
	if !sh.NoHorizon && r.Intn(4) == 0 {
		sc.Horizon = pick[int64](r, 5, 20, 60)
	}
	if r.Intn(5) == 0 {
		sc.MaxRestarts = pick(r, 1, 2, -1)
	}
	return sc
}

// GenWorkload draws the jobs of a workload: up to MaxJobs arrivals, in bursts
// (several jobs at one instant) and gaps.
func GenWorkload(r *rand.Rand, sh Shape) []JobSpec {
	sh = sh.norm()
	nj := r.Intn(sh.MaxJobs + 1)
	var jobs []JobSpec
	t := int64(0)
	for i := 0; i < nj; i++ {
		t += pick[int64](r, 0, 0, 1, 2, 5, 10)
		jobs = append(jobs, genJob(r, sh, i, t))
	}
	return jobs
}

// Scenarios returns a gopter generator of scenarios of shape sh that shrinks a
// failing scenario toward a minimal one (see ShrinkScenario).
func Scenarios(sh Shape) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(GenScenario(p.Rng, sh), shrinkScenario)
	}
}

// Clusters returns a gopter generator of clusters (1..MaxNodes nodes of a few
// shapes, some with GPUs, zone labels and racks) that shrinks by removing nodes and
// simplifying them.
func Clusters(sh Shape) gopter.Gen {
	sh = sh.norm()
	return func(p *gopter.GenParameters) *gopter.GenResult {
		nn := 1 + p.Rng.Intn(sh.MaxNodes)
		nodes := make([]NodeSpec, nn)
		for i := range nodes {
			nodes[i] = genNode(p.Rng, sh)
		}
		return gopter.NewGenResult(nodes, func(v interface{}) gopter.Shrink {
			return shrinkList(v.([]NodeSpec), 1, shrinkNode)
		})
	}
}

// Workloads returns a gopter generator of workloads (jobs in submit order: plain
// jobs, gangs, DAG jobs, some too large for any node) that shrinks by removing jobs
// and simplifying them.
func Workloads(sh Shape) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(GenWorkload(p.Rng, sh), func(v interface{}) gopter.Shrink {
			sc := Scenario{Jobs: v.([]JobSpec)}
			var out []interface{}
			for _, c := range scenarioShrinks(sc) {
				out = append(out, c.Jobs)
			}
			return sliceShrink(out)
		})
	}
}

// Gangs returns a gopter generator of single gang jobs (2..MaxTasks tasks,
// 1 ≤ MinMember ≤ tasks) that shrinks toward fewer, smaller tasks.
func Gangs(sh Shape) gopter.Gen {
	sh = sh.norm()
	sh.NoDAGs = true
	return func(p *gopter.GenParameters) *gopter.GenResult {
		var j JobSpec
		for j.MinMember == 0 {
			j = genJob(p.Rng, sh, 0, 0)
		}
		return gopter.NewGenResult(j, func(v interface{}) gopter.Shrink {
			var out []interface{}
			for _, c := range jobShrinks(v.(JobSpec)) {
				if c.MinMember > 0 {
					out = append(out, c)
				}
			}
			return sliceShrink(out)
		})
	}
}

// FailureSchedules returns a gopter generator of failure schedules for a cluster
// of n nodes (up to three failures in the first minute, most of them recovering)
// that shrinks by removing failures.
func FailureSchedules(sh Shape, n int) gopter.Gen {
	sh = sh.norm()
	return func(p *gopter.GenParameters) *gopter.GenResult {
		k := p.Rng.Intn(4)
		fs := make([]FailureSpec, k)
		for i := range fs {
			fs[i] = genFailure(p.Rng, sh, max(n, 1))
		}
		return gopter.NewGenResult(fs, func(v interface{}) gopter.Shrink {
			return shrinkList(v.([]FailureSpec), 0, nil)
		})
	}
}

// sliceShrink returns a Shrink over a fixed list of candidates.
func sliceShrink(cands []interface{}) gopter.Shrink {
	i := 0
	return func() (interface{}, bool) {
		if i >= len(cands) {
			return nil, false
		}
		i++
		return cands[i-1], true
	}
}

// shrinkList proposes the list without each element (keeping at least minLen),
// then each element simplified by simplify (if not nil).
func shrinkList[T any](xs []T, minLen int, simplify func(T) []T) gopter.Shrink {
	var out []interface{}
	for _, c := range removals(xs, minLen) {
		out = append(out, c)
	}
	if simplify != nil {
		for i := range xs {
			for _, s := range simplify(xs[i]) {
				c := slices.Clone(xs)
				c[i] = s
				out = append(out, c)
			}
		}
	}
	return sliceShrink(out)
}

// removals returns xs without its second half, without its first half, then
// without each single element, never shorter than minLen.
func removals[T any](xs []T, minLen int) [][]T {
	var out [][]T
	if len(xs) >= 4 && len(xs)/2 >= minLen {
		out = append(out, slices.Clone(xs[:len(xs)/2]), slices.Clone(xs[len(xs)/2:]))
	}
	if len(xs) > minLen {
		for i := range xs {
			out = append(out, slices.Delete(slices.Clone(xs), i, i+1))
		}
	}
	return out
}

func shrinkNode(n NodeSpec) []NodeSpec {
	var out []NodeSpec
	if n.GPUs > 0 {
		c := n
		c.GPUs, c.Model = 0, ""
		out = append(out, c)
		if n.GPUs > 1 {
			c = n
			c.GPUs /= 2
			out = append(out, c)
		}
	}
	if len(n.Labels) > 0 {
		c := n
		c.Labels = nil
		out = append(out, c)
	}
	if n.Domain != "" {
		c := n
		c.Domain = ""
		out = append(out, c)
	}
	return out
}

// shrinkScenario is the gopter Shrinker of scenarios.
func shrinkScenario(v interface{}) gopter.Shrink {
	var out []interface{}
	for _, c := range scenarioShrinks(v.(Scenario)) {
		out = append(out, c)
	}
	return sliceShrink(out)
}

// scenarioShrinks lists simpler variants of sc, the largest simplifications first:
// fewer jobs, fewer failures, fewer nodes, no horizon, then simpler jobs, tasks and
// nodes, then a zero seed.
func scenarioShrinks(sc Scenario) []Scenario {
	var out []Scenario
	with := func(f func(*Scenario)) {
		c := sc.clone()
		f(&c)
		out = append(out, c)
	}
	for _, js := range removals(sc.Jobs, 0) {
		with(func(c *Scenario) { c.Jobs = fixAfter(sc.Jobs, js) })
	}
	for _, fs := range removals(sc.Failures, 0) {
		with(func(c *Scenario) { c.Failures = fs })
	}
	for _, ns := range removals(sc.Nodes, 1) {
		with(func(c *Scenario) { c.Nodes = ns })
	}
	for _, as := range removals(sc.Adds, 0) {
		with(func(c *Scenario) { c.Adds = as })
	}
	for _, qs := range removals(sc.Quotas, 0) {
		with(func(c *Scenario) { c.Quotas = qs })
	}
	if sc.Horizon != 0 {
		with(func(c *Scenario) { c.Horizon = 0 })
	}
	if sc.MaxRestarts != 0 {
		with(func(c *Scenario) { c.MaxRestarts = 0 })
	}
	for i := range sc.Jobs {
		for _, j := range jobShrinks(sc.Jobs[i]) {
			with(func(c *Scenario) { c.Jobs[i] = j })
		}
	}
	for i := range sc.Failures {
		f := sc.Failures[i]
		if f.At > 0 {
			with(func(c *Scenario) { c.Failures[i].At = f.At / 2 })
		}
		if f.Remove {
			with(func(c *Scenario) { c.Failures[i].Remove = false })
		}
	}
	for i := range sc.Nodes {
		for _, n := range shrinkNode(sc.Nodes[i]) {
			with(func(c *Scenario) { c.Nodes[i] = n })
		}
	}
	if sc.Seed != 0 {
		with(func(c *Scenario) { c.Seed = 0 })
	}
	return out
}

// fixAfter keeps the After references of kept (a subsequence of all, compared by
// identity of position) pointing at the same jobs, dropping references to removed ones.
func fixAfter(all, kept []JobSpec) []JobSpec {
	// Map old indexes to new by walking both lists; kept is a subsequence of all.
	newIdx := make([]int, len(all))
	k := 0
	for i := range all {
		if k < len(kept) && reflect.DeepEqual(all[i], kept[k]) {
			newIdx[i] = k
			k++
		} else {
			newIdx[i] = -1
		}
	}
	out := make([]JobSpec, len(kept))
	for i := range kept {
		out[i] = cloneJob(kept[i])
		var after []int
		for _, a := range kept[i].After {
			if a >= 0 && a < len(all) && newIdx[a] >= 0 {
				after = append(after, newIdx[a])
			}
		}
		out[i].After = after
	}
	return out
}

// jobShrinks lists simpler variants of one job.
func jobShrinks(j JobSpec) []JobSpec {
	var out []JobSpec
	with := func(f func(*JobSpec)) {
		c := cloneJob(j)
		f(&c)
		out = append(out, c)
	}
	for _, ts := range removals(j.Tasks, 1) {
		with(func(c *JobSpec) { c.Tasks = ts })
	}
	if len(j.Groups) > 0 {
		with(func(c *JobSpec) { c.Groups = nil })
	}
	if len(j.After) > 0 {
		with(func(c *JobSpec) { c.After = nil })
	}
	if j.MinMember > 1 {
		with(func(c *JobSpec) { c.MinMember = j.MinMember - 1 })
	}
	if j.MinMember > 0 {
		with(func(c *JobSpec) { c.MinMember = 0 })
	}
	if j.Selector != "" || len(j.GPUModels) > 0 || j.Distinct {
		with(func(c *JobSpec) { c.Selector, c.GPUModels, c.Distinct = "", nil, false })
	}
	if j.Priority != 0 {
		with(func(c *JobSpec) { c.Priority = 0 })
	}
	if j.Submit > 0 {
		with(func(c *JobSpec) { c.Submit = 0 })
	}
	if j.Tenant != "" {
		with(func(c *JobSpec) { c.Tenant = "" })
	}
	for i, t := range j.Tasks {
		for _, s := range taskShrinks(t) {
			with(func(c *JobSpec) { c.Tasks[i] = s })
		}
	}
	return out
}

func taskShrinks(t TaskSpec) []TaskSpec {
	var out []TaskSpec
	with := func(f func(*TaskSpec)) {
		c := t
		f(&c)
		out = append(out, c)
	}
	if t.N > 1 {
		with(func(c *TaskSpec) { c.N = t.N - 1 })
		if t.N > 2 {
			with(func(c *TaskSpec) { c.N = t.N / 2 })
		}
	}
	if t.GPU > 0 {
		with(func(c *TaskSpec) { c.GPU = 0 })
	}
	if t.Runtime != 1 {
		with(func(c *TaskSpec) { c.Runtime = 1 })
	}
	if t.Group != 0 {
		with(func(c *TaskSpec) { c.Group = 0 })
	}
	if t.Prio != 0 {
		with(func(c *TaskSpec) { c.Prio = 0 })
	}
	if t.CPU > 100 {
		with(func(c *TaskSpec) { c.CPU = t.CPU / 2 })
	}
	if t.Mem > 128 {
		with(func(c *TaskSpec) { c.Mem = t.Mem / 2 })
	}
	return out
}

func cloneJob(j JobSpec) JobSpec {
	j.Tasks = slices.Clone(j.Tasks)
	j.After = slices.Clone(j.After)
	j.GPUModels = slices.Clone(j.GPUModels)
	if j.Groups != nil {
		g := make([][]int, len(j.Groups))
		for i := range j.Groups {
			g[i] = slices.Clone(j.Groups[i])
		}
		j.Groups = g
	}
	return j
}

func (sc Scenario) clone() Scenario {
	c := sc
	c.Nodes = slices.Clone(sc.Nodes)
	for i := range c.Nodes {
		c.Nodes[i].Labels = slices.Clone(c.Nodes[i].Labels)
	}
	c.Failures = slices.Clone(sc.Failures)
	c.Adds = slices.Clone(sc.Adds)
	c.Quotas = slices.Clone(sc.Quotas)
	c.Jobs = make([]JobSpec, len(sc.Jobs))
	for i := range sc.Jobs {
		c.Jobs[i] = cloneJob(sc.Jobs[i])
	}
	return c
}
