package gang

import (
	"errors"
	"fmt"

	"github.com/schedlab/schedlab/scheduler"
)

// Variant is a co-scheduling strategy: how a gang acquires its resources.
type Variant uint8

// The variants. The zero value is Strict.
const (
	// Strict plans the gang's MinMember tasks against one snapshot and starts them
	// together, or places nothing (KEP-4671 beta's workload cycle, Volcano's
	// transactional allocate). It never holds resources, so it cannot deadlock.
	Strict Variant = iota
	// Permit places members one by one and holds them at a barrier until
	// MinMember are held, then starts them together (scheduler-plugins
	// coscheduling, KEP-4671 alpha). A wait timeout and a whole-group reject
	// threshold release partial holds.
	Permit
	// Placeholder reserves the gang's resources with placeholders, one member at a
	// time, and swaps the real tasks in when all MinMember are reserved (YuniKorn).
	// The timeout runs from the first placeholder; Soft falls back to best-effort
	// scheduling, Hard fails the job.
	Placeholder
	// NonStrict accumulates members as they fit and holds them until MinMember are
	// held (Koordinator NonStrict). With no timeout it can deadlock by design.
	NonStrict
	numVariants
)

var variantNames = [...]string{"strict", "permit", "placeholder", "nonstrict"}

// String returns the variant's name.
func (v Variant) String() string {
	if v < numVariants {
		return variantNames[v]
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// ParseVariant returns the variant named s.
func ParseVariant(s string) (Variant, error) {
	for i, n := range variantNames {
		if n == s {
			return Variant(i), nil
		}
	}
	return 0, fmt.Errorf("gang: unknown variant %q (valid: strict, permit, placeholder, nonstrict)", s)
}

// Order is the order in which the queue offers pending work.
type Order uint8

// Queue orders. The zero value is Group.
const (
	// Group keeps a gang's members back to back: priority (high first), then the
	// gang's timestamp (submission, or its last failure with FailureOrder), then
	// job ID, then task index. This is coscheduling's QueueSort and YuniKorn's FIFO.
	Group Order = iota
	// Interleave offers the members of gangs submitted together round-robin:
	// priority, then task index, then the gang's timestamp and ID, as pods that
	// several controllers create at once reach the queue.
	Interleave
	// Fair offers the next member of the gang that holds or runs the least (its
	// dominant share of the cluster), then by timestamp and ID: YuniKorn's fair
	// queue sort, which the YuniKorn docs warn against for gangs.
	Fair
	numOrders
)

var orderNames = [...]string{"group", "interleave", "fair"}

// String returns the order's name.
func (o Order) String() string {
	if o < numOrders {
		return orderNames[o]
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// ParseOrder returns the order named s ("fifo" is an alias of group).
func ParseOrder(s string) (Order, error) {
	if s == "fifo" {
		return Group, nil
	}
	for i, n := range orderNames {
		if n == s {
			return Order(i), nil
		}
	}
	return 0, fmt.Errorf("gang: unknown order %q (valid: group (fifo), interleave, fair)", s)
}

// Style is what a placeholder timeout does (YuniKorn's gangSchedulingStyle).
type Style uint8

// Placeholder timeout styles. The zero value is Soft, YuniKorn's default.
const (
	// Soft releases the placeholders and schedules the job's tasks best effort,
	// one by one, without gang semantics.
	Soft Style = iota
	// Hard releases the placeholders and fails the job (Sim.Abandon).
	Hard
)

// String returns "soft" or "hard".
func (s Style) String() string {
	if s == Hard {
		return "hard"
	}
	return "soft"
}

// Config configures a gang Scheduler. Durations are simulated time; Forever
// disables a timeout.
type Config struct {
	// Variant is the co-scheduling strategy.
	Variant Variant
	// Placer chooses nodes for single tasks and, for Strict, the greedy first try
	// of a gang; nil means scheduler.KeyBestFit{}.
	Placer scheduler.Placer
	// Order is the queue order (default Group).
	Order Order
	// Timeout bounds how long a partial gang may hold resources: the Permit wait
	// (from the first held member), the placeholder timeout (from the first
	// placeholder), the NonStrict wait. Forever disables it. Ignored by Strict.
	Timeout scheduler.Time
	// RejectPercent is Permit's whole-group reject threshold: when a member fails
	// and (MinMember − held)/MinMember exceeds RejectPercent %, every held member of
	// the group is released (scheduler-plugins PostFilter, default 10). 100
	// disables group rejection (KEP-4671 alpha).
	RejectPercent int
	// MinResources is coscheduling's PreFilter check (Permit only): a member is
	// tried only while the gang's remaining need fits the cluster-wide free sum
	// (not per node: a fragmented cluster passes it). Default true for Permit;
	// false in KEP4671Alpha, whose PreEnqueue only waits for MinMember pods.
	MinResources bool
	// GroupBackoff is how long a rejected or timed-out group is denied before its
	// members are tried again (scheduler-plugins podGroupBackoffSeconds; 0 = off).
	GroupBackoff scheduler.Time
	// FailureOrder sorts a group that failed by its last failure time instead of its
	// submission, so it does not block newer groups (scheduler-plugins PR #949).
	FailureOrder bool
	// Style is what a placeholder timeout does (default Soft).
	Style Style
	// InitialBackoff and MaxBackoff bound the retry backoff of a failed pod (or, for
	// Strict, of a failed gang): min(initial × 2^(n−1), max), with max × √MinMember
	// for a gang (KEP-4671). Placeholder has no backoff: YuniKorn retries pending
	// asks on every cycle. A failed entity is retried once a
	// release wakes it and its backoff has expired, or after FlushAfter without a
	// wake. Defaults 1 s, 10 s; a negative MaxBackoff disables backoff.
	InitialBackoff, MaxBackoff scheduler.Time
	// FlushAfter retries a failed entity even without a wake-up after it has
	// waited this long (kube-scheduler's 5 min unschedulable flush). Default 5 min.
	FlushAfter scheduler.Time
	// Period, when > 0, runs scheduling passes as sessions at multiples of Period
	// (Volcano's schedule-period, 1 s): work that arrives at the same instant is
	// seen by one session. 0 runs a pass right after every arrival or release.
	Period scheduler.Time
	// Overcommit, when > 0, puts Volcano's enqueue gate in front of the variant: a
	// gang is admitted only while the MinMember requests of the admitted, not yet
	// started gangs plus its own fit in Overcommit × capacity − allocated (on the
	// resources it requests). Volcano's default is 1.2; 1.0 admits only what fits.
	// 0 disables the gate.
	Overcommit float64
	// Backtrack is the budget (tentative placements) of Strict's backtracking
	// search, tried when greedy placement with Placer fails (volcano#1297).
	// 0 disables backtracking. Default 1000.
	Backtrack int
	// Branch is how many distinct candidate nodes backtracking tries per task
	// (default 8).
	Branch int
}

// DefaultConfig returns the documented defaults of variant v, taken from the
// system that made it: Strict (backtracking budget 1000), Permit with
// scheduler-plugins coscheduling's defaults (60 s wait, 10 % reject threshold, no
// group backoff, failure-time ordering), Placeholder with YuniKorn's (15 min, Soft,
// FIFO), NonStrict with Koordinator's 600 s wait.
func DefaultConfig(v Variant) Config {
	c := Config{Variant: v, Placer: scheduler.KeyBestFit{}, Timeout: scheduler.Forever, RejectPercent: 100,
		InitialBackoff: scheduler.Second, MaxBackoff: 10 * scheduler.Second, FlushAfter: 5 * scheduler.Minute,
		Backtrack: 1000, Branch: 8}
	switch v {
	case Permit:
		c.Timeout = 60 * scheduler.Second
		c.RejectPercent = 10
		c.FailureOrder = true
		c.MinResources = true
	case Placeholder:
		c.Timeout = 15 * scheduler.Minute
	case NonStrict:
		c.Timeout = 600 * scheduler.Second
	}
	return c
}

// KEP4671Alpha returns the Permit barrier as KEP-4671 alpha ships it: a hard-coded
// 300 s Permit wait, no whole-group rejection, pod backoff 1 → 10 s.
func KEP4671Alpha() Config {
	c := DefaultConfig(Permit)
	c.Timeout = 300 * scheduler.Second
	c.RejectPercent = 100
	c.FailureOrder = false
	c.MinResources = false
	return c
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case c.Variant >= numVariants:
		return fmt.Errorf("gang: bad variant %d", c.Variant)
	case c.Order >= numOrders:
		return fmt.Errorf("gang: bad order %d", c.Order)
	case c.Timeout <= 0:
		return errors.New("gang: timeout must be positive (use scheduler.Forever for none)")
	case c.RejectPercent < 0 || c.RejectPercent > 100:
		return fmt.Errorf("gang: reject percent %d is outside 0..100", c.RejectPercent)
	case c.GroupBackoff < 0 || c.InitialBackoff < 0 || c.FlushAfter < 0 || c.Period < 0:
		return errors.New("gang: negative backoff")
	case c.Overcommit < 0 || c.Overcommit > 0 && c.Overcommit < 1:
		return fmt.Errorf("gang: overcommit %v must be 0 (off) or at least 1.0 (Volcano rejects less)", c.Overcommit)
	case c.Backtrack < 0 || c.Branch < 0:
		return errors.New("gang: negative backtracking budget")
	case c.Style > Hard:
		return fmt.Errorf("gang: bad style %d", c.Style)
	}
	return nil
}
