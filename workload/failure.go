package workload

import (
	"container/heap"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"

	"github.com/schedlab/schedlab/scheduler"
)

// Failures configures a machine-failure schedule. Node failures and domain failures
// are independent Poisson processes; repairs take exponential times. A node that is
// down for several reasons at once (its own failure and its rack's) recovers when the
// last of them is repaired.
type Failures struct {
	// MTBF is each node's mean time between failures: node failures arrive at rate
	// nodes ÷ MTBF, each striking a node chosen uniformly (one already down stays
	// down until its last repair). 0 = no independent node failures.
	MTBF scheduler.Time
	// MTTR is the mean time to repair a failed node (exponential, at least 1 µs).
	MTTR scheduler.Time
	// DomainMTBF is each failure domain's mean time between failures (Node.Domain:
	// a rack or zone); all of a domain's nodes fail together and recover together
	// after an exponential time with mean DomainMTTR. 0 = no domain failures.
	DomainMTBF, DomainMTTR scheduler.Time
	// Start and Until bound when failures happen: none before Start, none at or
	// after Until. Until is required (a schedule must end, or a run never drains);
	// repairs of failures before Until are still emitted after it.
	Start, Until scheduler.Time
}

// Validate reports an invalid field.
func (f *Failures) Validate() error {
	switch {
	case f.MTBF < 0 || f.MTTR < 0 || f.DomainMTBF < 0 || f.DomainMTTR < 0:
		return errors.New("workload: failures: negative MTBF or MTTR")
	case f.MTBF > 0 && f.MTTR <= 0:
		return errors.New("workload: failures: MTBF set but MTTR is not positive")
	case f.DomainMTBF > 0 && f.DomainMTTR <= 0:
		return errors.New("workload: failures: DomainMTBF set but DomainMTTR is not positive")
	case f.Start < 0 || f.Until <= f.Start:
		return fmt.Errorf("workload: failures: need 0 ≤ Start < Until (got %v, %v); Until bounds the schedule", f.Start, f.Until)
	}
	return nil
}

// failKind is what a scheduled failure-event does.
type failKind uint8

const (
	nextNodeFailure failKind = iota // a node failure (picks its node when it fires)
	nextDomainFailure
	nodeRepair
	domainRepair
)

type failEvent struct {
	at     scheduler.Time
	seq    uint64
	kind   failKind
	target int32 // node or domain index
}

type failHeap []failEvent

func (h failHeap) Len() int { return len(h) }
func (h failHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h failHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *failHeap) Push(x any)   { *h = append(*h, x.(failEvent)) }
func (h *failHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// FailureSchedule streams the node events of a Failures configuration over a set of
// nodes; it implements scheduler.NodeSource (use it as scheduler.Config.NodeEvents).
// Its memory is O(nodes): one down-counter per node and a heap of pending repairs.
type FailureSchedule struct {
	cfg     Failures
	nodes   []scheduler.Node
	domains [][]int32 // node indexes per domain, domains sorted by name
	down    []int16
	h       failHeap
	seq     uint64
	rnd     *rand.Rand
	out     []scheduler.NodeEvent
	outI    int
}

var _ scheduler.NodeSource = (*FailureSchedule)(nil)

// NewFailureSchedule returns the failure schedule of cfg over nodes, drawing from a
// stream derived from seed. Every node needs a Name (node events name their node).
// The nodes slice is kept, not copied.
func NewFailureSchedule(cfg Failures, nodes []scheduler.Node, seed uint64) (*FailureSchedule, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for i := range nodes {
		if nodes[i].Name == "" {
			return nil, fmt.Errorf("workload: failures: node %d has no name (node events name their node)", i)
		}
	}
	s := &FailureSchedule{cfg: cfg, nodes: nodes, down: make([]int16, len(nodes)),
		rnd: scheduler.NewRand(seed, "workload/failures")}
	if cfg.DomainMTBF > 0 {
		byName := map[string][]int32{}
		for i := range nodes {
			if d := nodes[i].Domain; d != "" {
				byName[d] = append(byName[d], int32(i))
			}
		}
		names := make([]string, 0, len(byName))
		for n := range byName {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			s.domains = append(s.domains, byName[n])
		}
	}
	if len(nodes) > 0 && cfg.MTBF > 0 {
		s.schedule(nextNodeFailure, cfg.Start, -1)
	}
	if len(s.domains) > 0 {
		s.schedule(nextDomainFailure, cfg.Start, -1)
	}
	return s, nil
}

// exp draws an exponential duration with the given mean, at least 1 µs.
func (s *FailureSchedule) exp(mean scheduler.Time) scheduler.Time {
	return max(1, scheduler.Time(s.rnd.ExpFloat64()*float64(mean)))
}

// schedule pushes the event of kind that follows time from.
func (s *FailureSchedule) schedule(kind failKind, from scheduler.Time, target int32) {
	var at scheduler.Time
	switch kind {
	case nextNodeFailure:
		at = from + max(1, scheduler.Time(s.rnd.ExpFloat64()*float64(s.cfg.MTBF)/float64(len(s.nodes))))
	case nextDomainFailure:
		at = from + max(1, scheduler.Time(s.rnd.ExpFloat64()*float64(s.cfg.DomainMTBF)/float64(len(s.domains))))
	case nodeRepair:
		at = from + s.exp(s.cfg.MTTR)
	case domainRepair:
		at = from + s.exp(s.cfg.DomainMTTR)
	}
	if (kind == nextNodeFailure || kind == nextDomainFailure) && at >= s.cfg.Until {
		return
	}
	s.seq++
	heap.Push(&s.h, failEvent{at: at, seq: s.seq, kind: kind, target: target})
}

func (s *FailureSchedule) fail(at scheduler.Time, i int32) {
	if s.down[i] == 0 {
		s.out = append(s.out, scheduler.NodeEvent{Time: at, Kind: scheduler.NodeFail, Node: s.nodes[i]})
	}
	s.down[i]++
}

func (s *FailureSchedule) recover(at scheduler.Time, i int32) {
	s.down[i]--
	if s.down[i] == 0 {
		s.out = append(s.out, scheduler.NodeEvent{Time: at, Kind: scheduler.NodeRecover, Node: s.nodes[i]})
	}
}

// NextNodeEvent returns the next failure or recovery, or io.EOF once the schedule
// has ended and every failed node has been repaired.
func (s *FailureSchedule) NextNodeEvent() (scheduler.NodeEvent, error) {
	for s.outI >= len(s.out) {
		s.out, s.outI = s.out[:0], 0
		if len(s.h) == 0 {
			return scheduler.NodeEvent{}, io.EOF
		}
		e := heap.Pop(&s.h).(failEvent)
		switch e.kind {
		case nextNodeFailure:
			i := int32(s.rnd.IntN(len(s.nodes)))
			s.fail(e.at, i)
			s.schedule(nodeRepair, e.at, i)
			s.schedule(nextNodeFailure, e.at, -1)
		case nextDomainFailure:
			d := int32(s.rnd.IntN(len(s.domains)))
			for _, i := range s.domains[d] {
				s.fail(e.at, i)
			}
			s.schedule(domainRepair, e.at, d)
			s.schedule(nextDomainFailure, e.at, -1)
		case nodeRepair:
			s.recover(e.at, e.target)
		case domainRepair:
			for _, i := range s.domains[e.target] {
				s.recover(e.at, i)
			}
		}
	}
	s.outI++
	return s.out[s.outI-1], nil
}
