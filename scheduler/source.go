package scheduler

import "io"

// Source streams a workload's jobs in non-decreasing Submit order. Next returns
// io.EOF after the last job. The engine pulls one job ahead of simulated time, so a
// source never needs to hold the whole workload in memory. Each returned job is owned
// by the simulation from then on.
type Source interface {
	Next() (*Job, error)
}

// NodeEventKind says what happens to a node.
type NodeEventKind uint8

// Node event kinds.
const (
	NodeAdd     NodeEventKind = iota // a new node joins (Node describes it)
	NodeRemove                       // the node leaves for good; its tasks are lost
	NodeFail                         // the node goes down; its tasks are lost
	NodeRecover                      // a failed node comes back, empty
	NodeUpdate                       // the node's capacity changes (Node.Capacity)
)

var nodeEventNames = [...]string{"add", "remove", "fail", "recover", "update"}

// String returns "add", "remove", "fail", "recover" or "update".
func (k NodeEventKind) String() string {
	if int(k) < len(nodeEventNames) {
		return nodeEventNames[k]
	}
	return "node-event?"
}

// NodeEvent is a change to the cluster at a point in time. Nodes are named by
// Node.Name for every kind but NodeAdd (which adds Node); an event naming an unknown
// node is ignored and counted.
type NodeEvent struct {
	Time Time
	Kind NodeEventKind
	Node Node
}

// NodeSource streams node events in non-decreasing Time order; NextNodeEvent returns
// io.EOF after the last. A workload Source may also implement NodeSource (a trace's
// machine events); Config.NodeEvents adds a separate one (a failure schedule).
type NodeSource interface {
	NextNodeEvent() (NodeEvent, error)
}

// SliceSource is a Source over jobs held in memory, for tests and small examples.
type SliceSource struct {
	Jobs []*Job
	i    int
}

// Next returns the next job, or io.EOF.
func (s *SliceSource) Next() (*Job, error) {
	if s.i >= len(s.Jobs) {
		return nil, io.EOF
	}
	s.i++
	return s.Jobs[s.i-1], nil
}

// SliceNodeSource is a NodeSource over events held in memory.
type SliceNodeSource struct {
	Events []NodeEvent
	i      int
}

// NextNodeEvent returns the next event, or io.EOF.
func (s *SliceNodeSource) NextNodeEvent() (NodeEvent, error) {
	if s.i >= len(s.Events) {
		return NodeEvent{}, io.EOF
	}
	s.i++
	return s.Events[s.i-1], nil
}
