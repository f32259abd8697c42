package scheduler

import (
	"fmt"
	"slices"
	"strconv"
)

// NodeID identifies a node. IDs are dense: the state stores nodes in a slice indexed
// by ID, so a cluster of N nodes uses IDs 0..N-1 and added nodes take the next ID.
type NodeID int32

// NoNode is the NodeID of a task that is not placed.
const NoNode NodeID = -1

// JobID identifies a job. Sources assign them; they must be unique within a run.
type JobID int64

// TaskID identifies a task within a run. The engine assigns them densely, in
// submission order, when a job is submitted.
type TaskID int64

// MaxGPUsPerNode is the most GPU devices a node may have (a device set is a uint64).
const MaxGPUsPerNode = 64

// Label is one key=value node label.
type Label struct{ Key, Value string }

// Node is the static description of a machine.
type Node struct {
	ID       NodeID
	Name     string    // trace machine ID or generated name; informational
	Capacity Resources // allocatable capacity
	// GPUs is the number of GPU devices. Capacity[GPU] must equal GPUs × 1000, or
	// GPUs may be 0 with Capacity[GPU] a multiple of 1000, and NewState derives it.
	GPUs     int
	GPUModel string  // e.g. "V100M16"; matched against Constraints.GPUModels
	Labels   []Label // sorted by key by NewState
	Domain   string  // failure domain (rack or zone); empty = none
}

// Label returns the value of label key and whether it is set.
func (n *Node) Label(key string) (string, bool) {
	i, ok := slices.BinarySearchFunc(n.Labels, key, func(l Label, k string) int {
		switch {
		case l.Key < k:
			return -1
		case l.Key > k:
			return 1
		}
		return 0
	})
	if !ok {
		return "", false
	}
	return n.Labels[i].Value, true
}

// SelectorOp is the operator of a label selector.
type SelectorOp uint8

// Selector operators. Lt and Gt compare values as integers (Google's constraints).
const (
	OpEq SelectorOp = iota
	OpNe
	OpIn
	OpNotIn
	OpExists
	OpNotExists
	OpLt
	OpGt
)

// Selector is one node-label requirement.
type Selector struct {
	Key    string
	Op     SelectorOp
	Values []string // one value for Eq, Ne, Lt, Gt; any number for In, NotIn
}

// Matches reports whether node n satisfies the selector. A missing label fails
// Eq, In, Exists, Lt and Gt and satisfies Ne, NotIn and NotExists, as in Kubernetes
// and the Google trace (where a missing attribute counts as the empty value for Ne).
func (s *Selector) Matches(n *Node) bool {
	v, ok := n.Label(s.Key)
	switch s.Op {
	case OpEq:
		return ok && len(s.Values) > 0 && v == s.Values[0]
	case OpNe:
		return !ok || len(s.Values) == 0 || v != s.Values[0]
	case OpIn:
		return ok && slices.Contains(s.Values, v)
	case OpNotIn:
		return !ok || !slices.Contains(s.Values, v)
	case OpExists:
		return ok
	case OpNotExists:
		return !ok
	case OpLt, OpGt:
		if !ok || len(s.Values) == 0 {
			return false
		}
		a, err1 := strconv.ParseInt(v, 10, 64)
		b, err2 := strconv.ParseInt(s.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if s.Op == OpLt {
			return a < b
		}
		return a > b
	}
	return false
}

// Constraints restrict where a task may run. A nil *Constraints means none.
type Constraints struct {
	Selectors []Selector // all must match
	GPUModels []string   // allowed GPU models; empty = any
	// DistinctNodes forbids two tasks of the same job on one node (Google's
	// "different machine" flag, Kubernetes' hostname anti-affinity within a job).
	DistinctNodes bool
}

// TaskState is where a task is in its life. The zero value is TaskNew: not yet
// submitted.
type TaskState uint8

// Task states. Completed, Failed and Abandoned are terminal.
const (
	TaskNew       TaskState = iota // not yet submitted
	TaskBlocked                    // submitted, waiting for DAG dependencies
	TaskPending                    // waiting in a scheduler's queue
	TaskHeld                       // resources reserved but not running: Permit wait, placeholder, hoarded offer
	TaskRunning                    // running on a node
	TaskCompleted                  // finished its runtime
	TaskFailed                     // never schedulable, or lost more often than the retry limit allows
	TaskAbandoned                  // its job was given up by the scheduler (Omega, Mesos attempt limits)
	numTaskStates
)

var taskStateNames = [...]string{"new", "blocked", "pending", "held", "running", "completed", "failed", "abandoned"}

// String returns the state's lower-case name.
func (s TaskState) String() string {
	if int(s) < len(taskStateNames) {
		return taskStateNames[s]
	}
	return fmt.Sprintf("TaskState(%d)", int(s))
}

// Terminal reports whether s is Completed, Failed or Abandoned.
func (s TaskState) Terminal() bool { return s >= TaskCompleted }

// GPUSet is a set of GPU device indexes on one node (bit i = device i).
type GPUSet uint64

// Count returns the number of devices in the set.
func (g GPUSet) Count() int {
	n := 0
	for ; g != 0; g &= g - 1 {
		n++
	}
	return n
}

// Has reports whether device i is in the set.
func (g GPUSet) Has(i int) bool { return g&(1<<uint(i)) != 0 }

// Task is the scheduling unit (a pod, a Borg task, an Alibaba instance).
//
// The fields above the line are its description, set by the source before the job
// is submitted; the rest are owned by the simulation and read-only to policies.
type Task struct {
	ID    TaskID
	Job   *Job
	Index int32 // index within the job (Google task index, Alibaba instance)
	Group int32 // index into Job.Groups for DAG jobs; 0 otherwise
	// Request is the pod's effective request (see PodRequest). Request[GPU] is the
	// total milli-GPU, GPUCount × GPUMilli.
	Request Resources
	// GPUCount is the number of GPU devices the task needs and GPUMilli the share of
	// each (1..1000). Zero GPUCount with Request[GPU] > 0 is normalised at submission:
	// below 1000 is a share of one device, a multiple of 1000 is whole devices.
	GPUCount    int32
	GPUMilli    int32
	Runtime     Time // how long it runs once started; Forever (or < 0) = until the horizon
	Priority    int32
	Constraints *Constraints

	// ---- owned by the simulation ----
	State    TaskState
	Node     NodeID // NoNode when not placed
	GPUs     GPUSet // devices held on Node
	Attempts int32  // placement attempts by the scheduler
	Restarts int32  // times lost to node failure or evicted and resubmitted
	Ready    Time   // when it last became pending (submit, or resubmit)
	Started  Time   // when it last started running
	Ended    Time   // when it reached a terminal state

	epoch      uint32 // bumped on every start; finish events carry it
	held       bool
	prev, next *Task // the node's task list
}

// String identifies the task as "job/index".
func (t *Task) String() string {
	if t.Job == nil {
		return fmt.Sprintf("task%d", t.ID)
	}
	return fmt.Sprintf("%d/%d", t.Job.ID, t.Index)
}

// IsShareGPU reports whether the task takes a fraction of one GPU device.
func (t *Task) IsShareGPU() bool { return t.GPUCount == 1 && t.GPUMilli < 1000 }

// normalizeGPU fills GPUCount and GPUMilli from Request[GPU] (or the reverse) and
// reports an error for impossible combinations.
func (t *Task) normalizeGPU() error {
	g := t.Request[GPU]
	switch {
	case t.GPUCount < 0 || t.GPUMilli < 0 || g < 0:
		return fmt.Errorf("negative gpu request")
	case t.GPUCount == 0 && g == 0:
		t.GPUMilli = 0
		return nil
	case t.GPUCount == 0:
		if g < 1000 {
			t.GPUCount, t.GPUMilli = 1, int32(g)
		} else if g%1000 == 0 {
			if g/1000 > MaxGPUsPerNode {
				return fmt.Errorf("gpu request %d milli needs more than %d devices", g, MaxGPUsPerNode)
			}
			t.GPUCount, t.GPUMilli = int32(g/1000), 1000
		} else {
			return fmt.Errorf("gpu request %d milli is neither a share of one device nor whole devices", g)
		}
		return nil
	}
	if t.GPUMilli == 0 {
		t.GPUMilli = 1000
	}
	if t.GPUMilli > 1000 || t.GPUCount > MaxGPUsPerNode {
		return fmt.Errorf("gpu request %d × %d milli is out of range", t.GPUCount, t.GPUMilli)
	}
	if t.GPUCount > 1 && t.GPUMilli != 1000 {
		return fmt.Errorf("a multi-gpu request must take whole devices (got %d × %d milli)", t.GPUCount, t.GPUMilli)
	}
	t.Request[GPU] = int64(t.GPUCount) * int64(t.GPUMilli)
	return nil
}

// Class is a job's scheduling class.
type Class uint8

// Job classes (Omega's workload split). The zero value is Batch.
const (
	Batch Class = iota
	Service
)

// String returns "batch" or "service".
func (c Class) String() string {
	if c == Service {
		return "service"
	}
	return "batch"
}

// Group is one task group of a DAG job (an Alibaba 2018 task such as "R2_1"): its
// tasks become pending only once every task of the groups in After has completed.
type Group struct {
	Name  string
	After []int32 // indexes into Job.Groups
}

// Job is a set of tasks submitted together.
//
// The fields above the line are its description, set by the source; the rest are
// owned by the simulation.
type Job struct {
	ID       JobID
	Name     string // trace identifier; informational
	Submit   Time
	Priority int32
	Class    Class
	Tenant   string // namespace / user / framework, for quotas and fairness; "" is the default tenant
	// MinMember makes the job a gang: it starts only when MinMember of its tasks run
	// together. 0 means not a gang. It must not exceed len(Tasks).
	MinMember int32
	// Tasks holds the job's tasks by value; the simulation refers to them by pointer,
	// so the slice must not be reallocated after submission.
	Tasks  []Task
	Groups []Group // DAG of task groups; nil = one group
	After  []JobID // jobs that must complete before this one is submitted (Google 2019 start-after)

	// ---- owned by the simulation ----
	TenantID   int32
	Started    Time // first task started (-1 until then)
	GangReady  Time // MinMember tasks running together for the first time (-1 until then)
	Done       Time // all tasks terminal (-1 until then)
	Abandoned  bool
	running    int32
	terminal   int32
	completed  int32
	groupLeft  []int32 // per group: tasks not yet completed
	deps       int32   // unfinished jobs in After
	dependents []*Job
}

// IsGang reports whether the job is a gang (MinMember > 0).
func (j *Job) IsGang() bool { return j.MinMember > 0 }

// Running returns the number of its tasks now running.
func (j *Job) Running() int { return int(j.running) }

// Completed returns the number of its tasks that completed.
func (j *Job) Completed() int { return int(j.completed) }
