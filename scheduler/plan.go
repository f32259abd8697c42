package scheduler

// undo is one logged change of a transaction.
type undo struct {
	t         *Task
	node      NodeID
	gpus      GPUSet
	held      bool
	seq       uint64 // the node's sequence number before the change
	placed    bool   // a Place (else a Release, or an Activate)
	activated bool
}

// Tx is an open transaction on a State: every Place, Release and Activate until
// Commit or Rollback is logged so that Rollback can undo exactly those changes.
type Tx struct {
	s   *State
	log []undo
}

// Begin opens a transaction. Only one may be open at a time: Begin panics if one is.
func (s *State) Begin() *Tx {
	if s.tx != nil {
		panic("scheduler: nested transaction")
	}
	s.tx = &Tx{s: s}
	return s.tx
}

// Len returns the number of changes logged so far.
func (tx *Tx) Len() int { return len(tx.log) }

// Commit keeps the changes and closes the transaction.
func (tx *Tx) Commit() {
	if tx.s.tx == tx {
		tx.s.tx = nil
	}
}

// Rollback undoes every change of the transaction, in reverse order, restoring
// allocations, device shares and sequence numbers exactly, and closes it.
func (tx *Tx) Rollback() { tx.RollbackTo(0); tx.Commit() }

// RollbackTo undoes the changes logged after the first mark changes, leaving the
// transaction open. Use Len to take a mark.
func (tx *Tx) RollbackTo(mark int) {
	s := tx.s
	for i := len(tx.log) - 1; i >= mark; i-- {
		u := tx.log[i]
		switch {
		case u.activated:
			u.t.held = true
			s.held = s.held.Add(u.t.Request)
			s.version++
		case u.placed:
			s.unapply(u.t)
			s.nodes[u.node].seq = u.seq
		default:
			s.apply(u.t, u.node, u.gpus, u.held)
			s.nodes[u.node].seq = u.seq
		}
	}
	tx.log = tx.log[:mark]
}

// Claim proposes placing Task on Node. Seq is the node's sequence number as the
// planner saw it (used by sequence-number conflict detection); GPUs names the devices
// (0 = let the state choose); Held asks for a held (reserved, not running) allocation.
type Claim struct {
	Task *Task
	Node NodeID
	GPUs GPUSet
	Seq  uint64
	Held bool
}

// Plan is a set of claims that a policy proposes and the state commits.
type Plan struct {
	Claims []Claim
}

// Detection is how a commit decides that a claim is stale.
type Detection uint8

// Conflict detection modes (Omega §3.4).
const (
	// DetectFit (fine-grained): a claim conflicts only if it no longer fits.
	DetectFit Detection = iota
	// DetectSeq (coarse-grained): a claim conflicts if the node's sequence number
	// changed since the planner read it, even if the claim would still fit.
	DetectSeq
)

// String returns "fit" or "seq".
func (d Detection) String() string {
	if d == DetectSeq {
		return "seq"
	}
	return "fit"
}

// CommitResult reports what a commit applied.
type CommitResult struct {
	Committed int   // claims applied
	Conflicts []int // indexes of the claims that were not applied
	// First is the status of the first claim that was not applied (OK if none).
	First Status
}

// Commit applies plan p to the state. With allOrNothing, the first claim that fails
// validation undoes every claim applied so far and nothing is committed; otherwise
// each failing claim is skipped and the rest are applied (incremental). Claims are
// validated in order, each against the state as left by the claims before it, with
// detection d. Commit never leaves the state over-committed. Cost O(claims × Place).
func (s *State) Commit(p *Plan, d Detection, allOrNothing bool) CommitResult {
	var res CommitResult
	var tx *Tx
	outer := s.tx
	if allOrNothing {
		if outer == nil {
			tx = s.Begin()
		}
	}
	mark := 0
	if outer != nil {
		mark = outer.Len()
	}
	for i := range p.Claims {
		c := &p.Claims[i]
		st := StatusOK
		if d == DetectSeq && c.Node >= 0 && int(c.Node) < len(s.nodes) && s.nodes[c.Node].seq != c.Seq {
			st = statusConflictSeq
		} else {
			st = s.Place(c.Task, c.Node, c.GPUs, c.Held)
		}
		if st.IsOK() {
			res.Committed++
			continue
		}
		if st.Code == Unschedulable || st.Code == NodeDown {
			st.Code = Conflict
		}
		if res.First.IsOK() {
			res.First = st
		}
		res.Conflicts = append(res.Conflicts, i)
		if allOrNothing {
			if tx != nil {
				tx.Rollback()
			} else {
				outer.RollbackTo(mark)
			}
			res.Committed = 0
			res.Conflicts = res.Conflicts[:0]
			for j := range p.Claims {
				res.Conflicts = append(res.Conflicts, j)
			}
			return res
		}
	}
	if tx != nil {
		tx.Commit()
	}
	return res
}
