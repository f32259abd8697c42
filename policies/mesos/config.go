package mesos

import (
	"errors"
	"fmt"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// Scope says how much of the free capacity one offer carries.
type Scope uint8

// Offer scopes (REFERENCES.md §4.1). The zero value is ScopeAll.
const (
	// ScopeAll offers a framework every free, unlocked, unfiltered resource of the
	// cell (Mesos 0.9's simple allocator, the Omega paper's model).
	ScopeAll Scope = iota
	// ScopeFair caps an offer at the framework's weighted fair share of the cell
	// minus what it already holds (the Omega paper's suggested remedy). A task
	// larger than its framework's share is never offered enough and waits for
	// good, even on an idle cell: the cap is strict, with no spill-over of what
	// the other frameworks leave unused.
	ScopeFair
)

// String returns "all" or "fair".
func (s Scope) String() string {
	if s == ScopeFair {
		return "fair"
	}
	return "all"
}

// ParseScope returns the Scope named s ("all" or "fair").
func ParseScope(s string) (Scope, error) {
	switch strings.ToLower(s) {
	case "all":
		return ScopeAll, nil
	case "fair":
		return ScopeFair, nil
	}
	return 0, fmt.Errorf("mesos: unknown offer scope %q (valid: all, fair)", s)
}

// ReleasePolicy says what a gang framework gives back when its hold timeout fires.
type ReleasePolicy uint8

// Release policies (REFERENCES.md §4.3). The zero value is ReleaseAll.
const (
	// ReleaseAll unholds every member the gang holds: it starts over.
	ReleaseAll ReleasePolicy = iota
	// ReleasePartial unholds only the newest half of the held members (rounded
	// up, last acquired first) and keeps the rest, so the gang keeps part of its
	// progress while giving the others room (the "partial / LIFO" option).
	ReleasePartial
)

// String returns "all" or "partial".
func (p ReleasePolicy) String() string {
	if p == ReleasePartial {
		return "partial"
	}
	return "all"
}

// ParseReleasePolicy returns the policy named s ("all" or "partial").
func ParseReleasePolicy(s string) (ReleasePolicy, error) {
	switch strings.ToLower(s) {
	case "all":
		return ReleaseAll, nil
	case "partial", "lifo":
		return ReleasePartial, nil
	}
	return 0, fmt.Errorf("mesos: unknown release policy %q (valid: all, partial)", s)
}

// FrameworkConfig describes one framework: a scheduler with its own job queue and
// decision time that receives offers from the allocator.
//
// Zero durations and counts take the documented defaults (see
// DefaultFrameworkConfig); a negative value means "none" where noted.
type FrameworkConfig struct {
	// Name identifies the framework in metrics (Result.Extra keys) and in the
	// job-assignment rule (a job whose Tenant equals Name goes to it). Required,
	// unique.
	Name string
	// Class is the job class the framework serves in the assignment rule.
	Class scheduler.Class
	// Gang makes the framework rigid: it accepts offers for a gang's members and
	// hoards them (Sim.Hold) until MinMember are held, then starts them all.
	// An ordinary framework places a not-yet-started gang only when the whole
	// remaining need fits in one offer, and never hoards.
	Gang bool
	// HoardAll lets a gang framework hoard for every queued gang at once, in
	// queue order, each taking what is left of an offer. By default it hoards for
	// one gang at a time: the one that holds members, else the oldest one not
	// backing off (later gangs wait; jobs that are not open gangs are still
	// placed).
	HoardAll bool
	// Weight is the framework's DRF weight (role weight). Default 1.
	Weight float64
	// DecisionJob and DecisionTask give the simulated time the framework takes
	// to handle one job of an offer: DecisionJob + DecisionTask × (its tasks still
	// unscheduled). The offer stays locked for the sum over the jobs it handles.
	// Default 0 (instant).
	DecisionJob, DecisionTask scheduler.Time
	// RefuseSeconds is the decline filter (Filters.refuse_seconds) put on the
	// resources of an offer the framework did not use while it had work.
	// Default 5 s; negative means no filter.
	RefuseSeconds scheduler.Time
	// IdleRefuse is the decline filter used when the framework had nothing to
	// place (empty queue, everything in retry, or at its Cap): SPARK-13001's
	// workaround sets it to 120 s. Default: RefuseSeconds.
	IdleRefuse scheduler.Time
	// Suppress makes the framework suppress offers while it has no queued work
	// and revive them when work arrives (suppressOffers / reviveOffers).
	Suppress bool
	// Cap bounds the framework's total allocation, per resource (Spark's
	// spark.cores.max); a zero dimension is unbounded. At its cap the framework
	// declines every offer with IdleRefuse.
	Cap scheduler.Resources
	// Concurrent makes the framework decide every offer as it arrives, as the
	// Omega simulator's MesosScheduler does (resourceOffer plans at once on the
	// offer's private cell state; the decision time only delays the answer). By
	// default (false) it decides its offers one at a time, in the order received,
	// and the others wait locked in its inbox (up to Config.MaxOffers). With
	// Concurrent, a task planned on an offer not yet answered is not planned
	// again, and a job's retry delay runs from the attempt (the simulator
	// re-enqueues it RetryDelay after dequeuing it), not from the answer.
	Concurrent bool
	// Request makes the framework ask for offers only while some queued job is
	// ready to be tried: not waiting for its retry delay or a gang back-off, and
	// with tasks not planned on an offer yet to be answered. This is the Omega
	// simulator's requestOffer (on addJob, also when a retried job comes back) and
	// cancelOfferRequest (when handling an offer empties the framework's
	// pendingQueue). It is stricter than Suppress, which keeps offers coming while
	// any job is queued, even one waiting for a retry.
	Request bool
	// RequeueTail sends a job that is retried to the back of the framework's
	// queue, as the Omega simulator does (addJob appends to pendingQueue after
	// the retry delay), so the queue rotates. By default (false) the queue keeps
	// arrival order: the oldest job is handled first in every offer.
	RequeueTail bool
	// RetryDelay is how long a job that was not fully placed waits before it is
	// tried again (the Omega simulator's fixed 1 s). Default 1 s.
	RetryDelay scheduler.Time
	// MaxAttempts and MaxAttemptsNothing are the Omega simulator's abandonment
	// rule: after an attempt the job is abandoned if attempts > MaxAttempts, or
	// attempts > MaxAttemptsNothing with none of its tasks placed yet. Defaults
	// 1000 and 100; negative means no limit.
	MaxAttempts, MaxAttemptsNothing int

	// HoldTimeout is the longest a gang framework holds a partial gang before it
	// releases (by Release) and backs off. 0 or scheduler.Forever means no
	// timeout (Mesos' default: deadlock-prone).
	HoldTimeout scheduler.Time
	// Release says what the gang gives back on a hold timeout.
	Release ReleasePolicy
	// Backoff is the wait after a hold timeout before the gang accepts offers
	// again; it doubles with every timeout of the same gang up to MaxBackoff
	// (MaxBackoff <= Backoff gives a fixed back-off). Default 1 s.
	Backoff, MaxBackoff scheduler.Time
	// BackoffJitter adds a uniform random extra of up to this fraction of the
	// back-off (Aurora's offer_hold_jitter_window), drawn from the run's seed.
	// Default 0.
	BackoffJitter float64
	// MaxGangAttempts abandons a gang (Sim.Abandon) after this many hold
	// timeouts. 0 means no limit (with a hold timeout, a gang that never fits
	// then keeps re-hoarding and can starve other frameworks: see the package
	// documentation).
	MaxGangAttempts int
}

// DefaultFrameworkConfig returns a framework named name serving class c with the
// documented defaults.
func DefaultFrameworkConfig(name string, c scheduler.Class) FrameworkConfig {
	return FrameworkConfig{Name: name, Class: c, Weight: 1, RefuseSeconds: 5 * scheduler.Second,
		IdleRefuse: 5 * scheduler.Second, RetryDelay: scheduler.Second, MaxAttempts: 1000,
		MaxAttemptsNothing: 100, HoldTimeout: scheduler.Forever, Backoff: scheduler.Second,
		MaxBackoff: scheduler.Second}
}

// withDefaults fills zero fields.
func (f FrameworkConfig) withDefaults() FrameworkConfig {
	if f.Weight == 0 {
		f.Weight = 1
	}
	if f.RefuseSeconds == 0 {
		f.RefuseSeconds = 5 * scheduler.Second
	}
	if f.IdleRefuse == 0 {
		f.IdleRefuse = f.RefuseSeconds
	}
	if f.RetryDelay == 0 {
		f.RetryDelay = scheduler.Second
	}
	if f.MaxAttempts == 0 {
		f.MaxAttempts = 1000
	}
	if f.MaxAttemptsNothing == 0 {
		f.MaxAttemptsNothing = 100
	}
	if f.HoldTimeout == 0 {
		f.HoldTimeout = scheduler.Forever
	}
	if f.Backoff == 0 {
		f.Backoff = scheduler.Second
	}
	if f.MaxBackoff < f.Backoff {
		f.MaxBackoff = f.Backoff
	}
	return f
}

// Validate reports the first invalid field.
func (f *FrameworkConfig) Validate() error {
	switch {
	case f.Name == "":
		return errors.New("mesos: framework without a name")
	case f.Weight < 0:
		return fmt.Errorf("mesos: framework %s: negative weight", f.Name)
	case f.DecisionJob < 0 || f.DecisionTask < 0:
		return fmt.Errorf("mesos: framework %s: negative decision time", f.Name)
	case f.RetryDelay < 0 || f.HoldTimeout < 0 || f.Backoff < 0 || f.MaxBackoff < 0:
		return fmt.Errorf("mesos: framework %s: negative duration", f.Name)
	case f.BackoffJitter < 0:
		return fmt.Errorf("mesos: framework %s: negative back-off jitter", f.Name)
	case f.MaxGangAttempts < 0:
		return fmt.Errorf("mesos: framework %s: negative gang attempt limit", f.Name)
	case f.Cap.AnyNegative():
		return fmt.Errorf("mesos: framework %s: negative cap", f.Name)
	}
	return nil
}

// Config configures the allocator and its frameworks.
type Config struct {
	// Frameworks are the registered frameworks, in registration order (which
	// breaks DRF ties). Nil means DefaultFrameworks().
	Frameworks []FrameworkConfig
	// Interval is the allocation interval (--allocation_interval): at most one
	// offer round per Interval. Default 1 s.
	Interval scheduler.Time
	// Scope is the offer scope. Default ScopeAll.
	Scope Scope
	// MinOffer is the minimum offer per node (--min_allocatable_resources): a
	// node's unlocked free resources are offered only if they reach MinOffer in
	// every dimension where MinOffer is non-zero. Default cpu 10 m and 32 MiB
	// (Mesos' MIN_CPUS and MIN_MEM); set NoMinOffer to offer any sliver.
	MinOffer   scheduler.Resources
	NoMinOffer bool
	// MaxOffers is the most outstanding offers one framework may hold (Mesos'
	// MAX_OFFERS_PER_FRAMEWORK); a framework decides its offers one at a time,
	// in the order received, and the queued ones stay locked. Default 50; 1
	// gives one offer at a time.
	MaxOffers int
	// OfferTimeout rescinds an offer the framework has not answered after this
	// long (--offer_timeout); placements decided on a rescinded offer are lost
	// and their jobs retry. 0 means off (Mesos' default).
	OfferTimeout scheduler.Time
	// FilterWholeNode makes a decline filter hide the whole node from the
	// framework until it expires. By default (false) it hides only offers that
	// are a subset of what was declined there, as Mesos does (mesos/chronos#509):
	// once more becomes free on the node, it is offered again.
	FilterWholeNode bool
	// Placer, if set, is asked first where a task goes inside an offer; its
	// choice is used when it lies inside the offer. Otherwise (and as a
	// fallback) tasks go first-fit over the offer's nodes in node-ID order.
	Placer scheduler.Placer
	// NoDeadlockCheck turns off the wait-for-graph deadlock detector (and so
	// the stop at a terminal deadlock).
	NoDeadlockCheck bool
	// Check verifies the allocator's invariants (no double offer, no framework
	// holding more than it was offered) after every step; the first violation
	// is kept and returned by Mesos.Violation. For tests; costs O(nodes) per step.
	Check bool
}

// DefaultFrameworks returns the two frameworks of the Omega paper's Mesos
// experiment: "batch" (t_job 0.1 s, t_task 5 ms) and "service" (same decision
// time; the experiment sweeps it).
func DefaultFrameworks() []FrameworkConfig {
	b := DefaultFrameworkConfig("batch", scheduler.Batch)
	s := DefaultFrameworkConfig("service", scheduler.Service)
	for _, f := range []*FrameworkConfig{&b, &s} {
		f.DecisionJob, f.DecisionTask = 100*scheduler.Millisecond, 5*scheduler.Millisecond
	}
	return []FrameworkConfig{b, s}
}

// DefaultConfig returns the documented defaults with DefaultFrameworks.
func DefaultConfig() Config {
	return Config{Frameworks: DefaultFrameworks(), Interval: scheduler.Second,
		MinOffer: scheduler.Res(10, 32, 0), MaxOffers: 50}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	if c.Interval < 0 || c.OfferTimeout < 0 || c.MaxOffers < 0 {
		return errors.New("mesos: negative interval or offer timeout")
	}
	if c.MinOffer.AnyNegative() {
		return errors.New("mesos: negative minimum offer")
	}
	if len(c.Frameworks) == 0 {
		return errors.New("mesos: no frameworks")
	}
	seen := map[string]bool{}
	for i := range c.Frameworks {
		f := &c.Frameworks[i]
		if err := f.Validate(); err != nil {
			return err
		}
		if seen[f.Name] {
			return fmt.Errorf("mesos: framework %q registered twice", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}
