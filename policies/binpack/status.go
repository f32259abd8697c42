package binpack

import "github.com/schedlab/schedlab/scheduler"

// Statuses returned by the placers of this package when no node is chosen.
var (
	// StatusNoFit: no up node can take the task now.
	StatusNoFit = scheduler.Status{Code: scheduler.Unschedulable, Reason: "binpack: no node fits"}
	// StatusNoNodes: the cluster has no up node.
	StatusNoNodes = scheduler.Status{Code: scheduler.Unschedulable, Reason: "binpack: no up node"}
)
