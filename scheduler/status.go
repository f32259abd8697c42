package scheduler

import "fmt"

// Code classifies the outcome of a placement, admission or commit. The zero value
// is OK: a zero Status is success.
type Code uint8

// Status codes. "Does not fit" is a value, never an error.
const (
	OK            Code = iota // success
	Unschedulable             // no node can take the task now; it may fit later
	Unresolvable              // the task can never fit: larger than every node, or no node matches its constraints
	Conflict                  // a commit found the claim stale (Omega)
	QuotaExceeded             // the tenant's quota would be exceeded
	Wait                      // the task is held (Permit barrier, placeholder) until its gang is ready
	Rejected                  // refused by a policy (admission gate, gang rule)
	NodeDown                  // the node is down or removed
	Error                     // an internal failure of the policy
)

var codeNames = [...]string{"OK", "Unschedulable", "Unresolvable", "Conflict", "QuotaExceeded", "Wait", "Rejected", "NodeDown", "Error"}

// String returns the code's name.
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// Status is a code with a short, static reason ("insufficient cpu"). Reasons are
// constant strings so that building a Status never allocates.
type Status struct {
	Code   Code
	Reason string
}

// IsOK reports whether s is success.
func (s Status) IsOK() bool { return s.Code == OK }

// String formats the status as "Code: reason".
func (s Status) String() string {
	if s.Reason == "" {
		return s.Code.String()
	}
	return s.Code.String() + ": " + s.Reason
}

// Statuses used by the core.
var (
	StatusOK             = Status{}
	statusNoCPU          = Status{Unschedulable, "insufficient cpu"}
	statusNoMem          = Status{Unschedulable, "insufficient memory"}
	statusNoGPU          = Status{Unschedulable, "insufficient gpu"}
	statusNoDisk         = Status{Unschedulable, "insufficient disk"}
	statusGPUFrag        = Status{Unschedulable, "no gpu device with enough free share"}
	statusGPUModel       = Status{Unresolvable, "gpu model not allowed"}
	statusSelector       = Status{Unresolvable, "node labels do not match"}
	statusDistinct       = Status{Unschedulable, "another task of the job is on the node"}
	statusDown           = Status{NodeDown, "node is down"}
	statusNoNode         = Status{NodeDown, "no such node"}
	statusQuota          = Status{QuotaExceeded, "tenant quota exceeded"}
	statusConflictSeq    = Status{Conflict, "node changed since the snapshot"}
	statusNoFeasibleNode = Status{Unschedulable, "no node fits"}
	statusTooLarge       = Status{Unresolvable, "larger than every node"}
	statusPlaced         = Status{Error, "task is already placed"}
	statusGPUSet         = Status{Error, "gpu set does not match the task's gpu count"}
)
