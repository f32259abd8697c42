package schedtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// Scenario is a compact, serialisable description of one test run: a cluster, a
// workload and a failure schedule, plus the run's seed and horizon. Every value of
// the type is valid: Build clamps and drops whatever does not make sense (a
// MinMember above the job's size, a failure naming node 7 of 3, a dependency on a
// later job), so that shrinking and hand-editing never produce an invalid scenario.
//
// Its JSON form (see String) is what a failing property prints and what Replay
// reads back from a testdata file.
type Scenario struct {
	// Seed is the run seed (scheduler.Config.Seed).
	Seed uint64 `json:"seed"`
	// Horizon stops the run after this many simulated seconds; 0 drains it.
	Horizon int64 `json:"horizon_s,omitempty"`
	// MaxRestarts is scheduler.Config.MaxRestarts; 0 takes the default (10).
	MaxRestarts int           `json:"max_restarts,omitempty"`
	Nodes       []NodeSpec    `json:"nodes"`
	Jobs        []JobSpec     `json:"jobs"`
	Failures    []FailureSpec `json:"failures,omitempty"`
	// Adds are nodes that join the cluster during the run.
	Adds []AddSpec `json:"adds,omitempty"`
	// Quotas limit tenants' total allocation (scheduler.Config.Quotas); the first
	// entry for a tenant counts.
	Quotas []QuotaSpec `json:"quotas,omitempty"`
}

// AddSpec is a node that joins the cluster At seconds into the run. Its name is
// "a" followed by its index in Scenario.Adds.
type AddSpec struct {
	At   int64    `json:"at_s"`
	Node NodeSpec `json:"node"`
}

// QuotaSpec is a tenant's quota.
type QuotaSpec struct {
	Tenant string `json:"tenant"`
	CPU    int64  `json:"cpu"` // milli-cores
	Mem    int64  `json:"mem"` // MiB
	GPU    int64  `json:"gpu"` // milli-GPU
}

// quotas returns the scenario's quotas as the engine takes them (nil if none).
func (sc *Scenario) quotas() map[string]scheduler.Resources {
	if len(sc.Quotas) == 0 {
		return nil
	}
	q := map[string]scheduler.Resources{}
	for _, qs := range sc.Quotas {
		if _, dup := q[qs.Tenant]; !dup {
			q[qs.Tenant] = scheduler.Res(max(qs.CPU, 0), max(qs.Mem, 0), max(qs.GPU, 0))
		}
	}
	return q
}

// nodeName returns the name of node i of the scenario's initial nodes followed by
// its added nodes.
func (sc *Scenario) nodeName(i int) string {
	if i < len(sc.Nodes) {
		return "n" + strconv.Itoa(i)
	}
	return "a" + strconv.Itoa(i-len(sc.Nodes))
}

// NodeSpec describes one node. Its name in the built cluster is "n" followed by its
// index in Scenario.Nodes.
type NodeSpec struct {
	CPU    int64    `json:"cpu"`              // milli-cores
	Mem    int64    `json:"mem"`              // MiB
	GPUs   int      `json:"gpus,omitempty"`   // whole devices (0..64)
	Model  string   `json:"model,omitempty"`  // GPU model
	Labels []string `json:"labels,omitempty"` // "key=value"
	Domain string   `json:"domain,omitempty"` // failure domain
}

// TaskSpec describes N identical tasks of a job.
type TaskSpec struct {
	N       int   `json:"n,omitempty"`        // replicas; 0 counts as 1
	CPU     int64 `json:"cpu"`                // milli-cores
	Mem     int64 `json:"mem"`                // MiB
	GPU     int64 `json:"gpu,omitempty"`      // milli-GPU: below 1000 a share of one device, else whole devices
	Runtime int64 `json:"runtime_s"`          // seconds; negative runs until the horizon
	Group   int   `json:"group,omitempty"`    // DAG group index (taken modulo the number of groups)
	Prio    int32 `json:"priority,omitempty"` // task priority; 0 inherits the job's
}

// JobSpec describes one job. Its JobID in the built workload is its index in
// Scenario.Jobs plus one.
type JobSpec struct {
	Submit    int64      `json:"submit_s"`             // seconds
	Priority  int32      `json:"priority,omitempty"`   // job priority
	MinMember int        `json:"min_member,omitempty"` // gang size; 0 = not a gang (clamped to the task count)
	Tasks     []TaskSpec `json:"tasks"`
	// Groups lists, per DAG group, the earlier groups it waits for. Empty = no DAG.
	// Edges to a group that is not earlier are dropped.
	Groups    [][]int  `json:"groups,omitempty"`
	After     []int    `json:"after,omitempty"`      // indexes of jobs that must complete first
	Selector  string   `json:"selector,omitempty"`   // "key=value" node label the tasks require
	GPUModels []string `json:"gpu_models,omitempty"` // allowed GPU models for GPU tasks
	Distinct  bool     `json:"distinct,omitempty"`   // at most one task of the job per node
	Tenant    string   `json:"tenant,omitempty"`
}

// FailureSpec is one entry of a failure schedule: node Node (an index into the
// initial nodes followed by the added ones, taken modulo their number) fails at At seconds and, if For > 0, recovers For seconds later. With
// Remove it leaves the cluster for good instead.
type FailureSpec struct {
	At     int64 `json:"at_s"`
	Node   int   `json:"node"`
	For    int64 `json:"for_s,omitempty"`
	Remove bool  `json:"remove,omitempty"`
}

// String returns the scenario as one line of JSON.
func (sc Scenario) String() string {
	b, err := json.Marshal(sc)
	if err != nil {
		return fmt.Sprintf("schedtest: scenario: %v", err)
	}
	return string(b)
}

// NumTasks returns the number of tasks the scenario's jobs hold.
func (sc *Scenario) NumTasks() int {
	n := 0
	for i := range sc.Jobs {
		n += sc.Jobs[i].numTasks()
	}
	return n
}

func (j *JobSpec) numTasks() int {
	n := 0
	for _, t := range j.Tasks {
		n += max(t.N, 1)
	}
	return n
}

// Built is a scenario turned into simulator inputs. Jobs are in submit order and
// owned by the caller until passed to a run; build a new one for every run.
type Built struct {
	Config scheduler.Config
	Jobs   []*scheduler.Job
	// Failures is the failure schedule (also set as Config.NodeEvents).
	Failures []scheduler.NodeEvent
}

// Build turns the scenario into a Config (nodes, seed, horizon, failure schedule)
// and jobs, normalising every field as the type documentation says. Cost
// O(nodes + tasks + failures).
func (sc *Scenario) Build() *Built {
	cfg := scheduler.DefaultConfig()
	cfg.Seed = sc.Seed
	if sc.Horizon > 0 {
		cfg.Horizon = scheduler.Time(sc.Horizon) * scheduler.Second
	}
	if sc.MaxRestarts != 0 {
		cfg.MaxRestarts = sc.MaxRestarts
	}
	for i, ns := range sc.Nodes {
		cfg.Nodes = append(cfg.Nodes, ns.node(sc.nodeName(i)))
	}
	cfg.Quotas = sc.quotas()
	b := &Built{}
	b.Failures = sc.failureEvents()
	if len(b.Failures) > 0 {
		cfg.NodeEvents = &scheduler.SliceNodeSource{Events: slices.Clone(b.Failures)}
	}
	b.Config = cfg
	order := make([]int, len(sc.Jobs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, c int) int {
		return cmpInt64(max(sc.Jobs[a].Submit, 0), max(sc.Jobs[c].Submit, 0))
	})
	for _, i := range order {
		b.Jobs = append(b.Jobs, sc.Jobs[i].job(i, len(sc.Jobs)))
	}
	return b
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (ns *NodeSpec) node(name string) scheduler.Node {
	gpus := min(max(ns.GPUs, 0), scheduler.MaxGPUsPerNode)
	n := scheduler.Node{
		Name:     name,
		Capacity: scheduler.Res(max(ns.CPU, 0), max(ns.Mem, 0), int64(gpus)*1000),
		GPUs:     gpus,
		GPUModel: ns.Model,
		Domain:   ns.Domain,
	}
	for _, l := range ns.Labels {
		k, v, _ := strings.Cut(l, "=")
		n.Labels = append(n.Labels, scheduler.Label{Key: k, Value: v})
	}
	return n
}

func (sc *Scenario) failureEvents() []scheduler.NodeEvent {
	var evs []scheduler.NodeEvent
	for i, a := range sc.Adds {
		evs = append(evs, scheduler.NodeEvent{Time: scheduler.Time(max(a.At, 0)) * scheduler.Second,
			Kind: scheduler.NodeAdd, Node: a.Node.node(sc.nodeName(len(sc.Nodes) + i))})
	}
	total := len(sc.Nodes) + len(sc.Adds)
	for _, f := range sc.Failures {
		if total == 0 {
			break
		}
		if f.At < 0 {
			f.At = 0
		}
		name := sc.nodeName(((f.Node % total) + total) % total)
		at := scheduler.Time(f.At) * scheduler.Second
		if f.Remove {
			evs = append(evs, scheduler.NodeEvent{Time: at, Kind: scheduler.NodeRemove, Node: scheduler.Node{Name: name}})
			continue
		}
		evs = append(evs, scheduler.NodeEvent{Time: at, Kind: scheduler.NodeFail, Node: scheduler.Node{Name: name}})
		if f.For > 0 {
			evs = append(evs, scheduler.NodeEvent{Time: at + scheduler.Time(f.For)*scheduler.Second,
				Kind: scheduler.NodeRecover, Node: scheduler.Node{Name: name}})
		}
	}
	slices.SortStableFunc(evs, func(a, b scheduler.NodeEvent) int { return cmpInt64(int64(a.Time), int64(b.Time)) })
	return evs
}

// job builds job i of n.
func (js *JobSpec) job(i, n int) *scheduler.Job {
	j := &scheduler.Job{
		ID:       scheduler.JobID(i + 1),
		Name:     "j" + strconv.Itoa(i+1),
		Submit:   scheduler.Time(max(js.Submit, 0)) * scheduler.Second,
		Priority: js.Priority,
		Tenant:   js.Tenant,
	}
	var cons *scheduler.Constraints
	if js.Selector != "" || len(js.GPUModels) > 0 || js.Distinct {
		cons = &scheduler.Constraints{GPUModels: js.GPUModels, DistinctNodes: js.Distinct}
		if js.Selector != "" {
			k, v, _ := strings.Cut(js.Selector, "=")
			cons.Selectors = []scheduler.Selector{{Key: k, Op: scheduler.OpEq, Values: []string{v}}}
		}
	}
	ng := len(js.Groups)
	for g := range js.Groups {
		grp := scheduler.Group{Name: "g" + strconv.Itoa(g)}
		for _, a := range js.Groups[g] {
			if a >= 0 && a < g && !slices.Contains(grp.After, int32(a)) {
				grp.After = append(grp.After, int32(a))
			}
		}
		j.Groups = append(j.Groups, grp)
	}
	specs := js.Tasks
	if len(specs) == 0 {
		specs = []TaskSpec{{}} // a job has at least one task
	}
	total := max(js.numTasks(), 1)
	j.Tasks = make([]scheduler.Task, 0, total)
	for _, ts := range specs {
		for r := 0; r < max(ts.N, 1); r++ {
			t := scheduler.Task{
				Index:       int32(len(j.Tasks)),
				Request:     scheduler.Res(max(ts.CPU, 0), max(ts.Mem, 0), normGPU(ts.GPU)),
				Runtime:     scheduler.Time(ts.Runtime) * scheduler.Second,
				Priority:    ts.Prio,
				Constraints: cons,
			}
			if ts.Runtime < 0 {
				t.Runtime = scheduler.Forever
			}
			if g := t.Request[scheduler.GPU]; g > 0 && g < 1000 {
				t.GPUCount, t.GPUMilli = 1, int32(g)
			} else if g > 0 {
				t.GPUCount, t.GPUMilli = int32(g/1000), 1000
			}
			if ng > 0 {
				t.Group = int32(((ts.Group % ng) + ng) % ng)
			}
			j.Tasks = append(j.Tasks, t)
		}
	}
	j.MinMember = int32(min(max(js.MinMember, 0), total))
	for _, a := range js.After {
		if a >= 0 && a < n && a != i && !slices.Contains(j.After, scheduler.JobID(a+1)) {
			j.After = append(j.After, scheduler.JobID(a+1))
		}
	}
	return j
}

// normGPU makes a milli-GPU request valid: a share of one device below 1000, else
// whole devices (rounded down), at most MaxGPUsPerNode of them.
func normGPU(g int64) int64 {
	switch {
	case g <= 0:
		return 0
	case g < 1000:
		return g
	}
	return min(g/1000, scheduler.MaxGPUsPerNode) * 1000
}

// file is the JSON layout of a saved counterexample.
type file struct {
	Format    string   `json:"schedtest"`
	Policy    string   `json:"policy,omitempty"`
	Property  string   `json:"property,omitempty"`
	GenSeed   int64    `json:"gen_seed,omitempty"`
	Violation string   `json:"violation,omitempty"`
	Checks    Checks   `json:"checks"`
	Scenario  Scenario `json:"scenario"`
}

const fileFormat = "scenario/v1"

// Checks says what a run is checked against beyond the safety invariants that
// every policy must keep: the declared guarantees, the liveness declaration and
// the run's budgets (zero = the defaults). A saved counterexample carries them, so
// that a replay checks what the failing property checked.
type Checks struct {
	GangAtomic     bool `json:"gang_atomic,omitempty"`
	DeadlockFree   bool `json:"deadlock_free,omitempty"`
	WorkConserving bool `json:"work_conserving,omitempty"`
	// Abandons is what the policy may give up on (see CheckLiveness); the zero
	// value judges every job.
	Abandons Abandon `json:"abandons,omitempty"`
	// MaxSteps bounds a run's simulation steps (events); 0 = DefaultMaxSteps.
	MaxSteps int `json:"max_steps,omitempty"`
	// MaxPlaces bounds a run's Place and PlaceGang calls of a placer factory's
	// placer; 0 = DefaultMaxPlaces.
	MaxPlaces int `json:"max_places,omitempty"`
}

// marshalFile returns the saved-counterexample form of a failure: JSON with one
// node, job or failure per line, which Replay and Load read back and which diffs
// well under testdata/.
func marshalFile(f *file) []byte {
	f.Format = fileFormat
	var b bytes.Buffer
	enc := func(v any) string {
		out, _ := json.Marshal(v)
		return string(out)
	}
	var fields []string
	add := func(k string, v any) { fields = append(fields, fmt.Sprintf("%q: %s", k, enc(v))) }
	add("schedtest", f.Format)
	if f.Policy != "" {
		add("policy", f.Policy)
	}
	if f.Property != "" {
		add("property", f.Property)
	}
	if f.GenSeed != 0 {
		add("gen_seed", f.GenSeed)
	}
	if f.Violation != "" {
		add("violation", f.Violation)
	}
	add("checks", f.Checks)
	b.WriteString("{\n")
	for _, fl := range fields {
		b.WriteString("  " + fl + ",\n")
	}
	sc := &f.Scenario
	var parts []string
	parts = append(parts, fmt.Sprintf("%q: %d", "seed", sc.Seed))
	if sc.Horizon != 0 {
		parts = append(parts, fmt.Sprintf("%q: %d", "horizon_s", sc.Horizon))
	}
	if sc.MaxRestarts != 0 {
		parts = append(parts, fmt.Sprintf("%q: %d", "max_restarts", sc.MaxRestarts))
	}
	list := func(k string, n int, item func(i int) any) {
		if n == 0 && k != "nodes" && k != "jobs" {
			return
		}
		var l strings.Builder
		fmt.Fprintf(&l, "%q: [", k)
		for i := 0; i < n; i++ {
			if i > 0 {
				l.WriteByte(',')
			}
			l.WriteString("\n      " + enc(item(i)))
		}
		if n > 0 {
			l.WriteString("\n    ")
		}
		l.WriteByte(']')
		parts = append(parts, l.String())
	}
	list("nodes", len(sc.Nodes), func(i int) any { return sc.Nodes[i] })
	list("jobs", len(sc.Jobs), func(i int) any { return sc.Jobs[i] })
	list("failures", len(sc.Failures), func(i int) any { return sc.Failures[i] })
	list("adds", len(sc.Adds), func(i int) any { return sc.Adds[i] })
	list("quotas", len(sc.Quotas), func(i int) any { return sc.Quotas[i] })
	b.WriteString("  \"scenario\": {\n    " + strings.Join(parts, ",\n    ") + "\n  }\n}\n")
	return b.Bytes()
}

// Load reads a scenario saved by a failing property (or written by hand) from path.
// It accepts both the saved-counterexample form and a bare Scenario object.
func Load(path string) (Scenario, Checks, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, Checks{}, fmt.Errorf("schedtest: %w", err)
	}
	f, err := parseFile(data)
	if err != nil {
		return Scenario{}, Checks{}, fmt.Errorf("schedtest: %s: %w", path, err)
	}
	return f.Scenario, f.Checks, nil
}

func parseFile(data []byte) (*file, error) {
	f, err := parseFile1(data)
	if err != nil {
		var off int64 = -1
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = te.Offset
			if te.Field != "" {
				err = fmt.Errorf("field %s: %w", te.Field, err)
			}
		}
		if off >= 0 && off <= int64(len(data)) {
			err = fmt.Errorf("line %d: %w", bytes.Count(data[:off], []byte{'\n'})+1, err)
		}
	}
	return f, err
}

func parseFile1(data []byte) (*file, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	f := &file{}
	if _, ok := probe["schedtest"]; ok {
		if err := dec.Decode(f); err != nil {
			return nil, err
		}
		if f.Format != fileFormat {
			return nil, fmt.Errorf("unknown format %q (want %q)", f.Format, fileFormat)
		}
		return f, nil
	}
	if err := dec.Decode(&f.Scenario); err != nil {
		return nil, err
	}
	return f, nil
}
