package omega

import (
	"errors"
	"fmt"

	"github.com/schedlab/schedlab/scheduler"
)

// Transaction says what a commit does with the claims of a plan when some of them
// conflict.
type Transaction uint8

// Transaction modes (Omega §3.4).
const (
	// Incremental (the paper's default) applies every claim that does not conflict
	// and skips the rest.
	Incremental Transaction = iota
	// AllOrNothing undoes every claim applied so far at the first conflict: the
	// whole transaction fails. It gives gang scheduling without hoarding.
	AllOrNothing
)

// String returns "incremental" or "all-or-nothing".
func (t Transaction) String() string {
	if t == AllOrNothing {
		return "all-or-nothing"
	}
	return "incremental"
}

// ParseTransaction returns the mode named s: incremental (inc) or all-or-nothing
// (aon, gang).
func ParseTransaction(s string) (Transaction, error) {
	switch s {
	case "incremental", "inc":
		return Incremental, nil
	case "all-or-nothing", "aon", "gang":
		return AllOrNothing, nil
	}
	return 0, fmt.Errorf("omega: unknown transaction mode %q (valid: incremental, all-or-nothing)", s)
}

// ParseDetection returns the conflict-detection mode named s: fit (resource-fit,
// fine-grained) or seq (sequence numbers, coarse-grained).
func ParseDetection(s string) (scheduler.Detection, error) {
	switch s {
	case "fit", "resource-fit", "fine":
		return scheduler.DetectFit, nil
	case "seq", "sequence-numbers", "coarse":
		return scheduler.DetectSeq, nil
	}
	return 0, fmt.Errorf("omega: unknown conflict mode %q (valid: fit, seq)", s)
}

// DecisionTime is a scheduler's simulated decision time per attempt:
// Job + Task × n, where n is the number of the job's tasks still unscheduled.
type DecisionTime struct {
	Job  scheduler.Time // t_job
	Task scheduler.Time // t_task
}

// For returns the decision time of an attempt over n tasks.
func (d DecisionTime) For(n int) scheduler.Time { return d.Job + d.Task*scheduler.Time(n) }

// PaperDecisionTime is the paper's default, "somewhat conservative" decision time:
// t_job = 0.1 s, t_task = 5 ms (REFERENCES.md §3.2).
var PaperDecisionTime = DecisionTime{Job: 100 * scheduler.Millisecond, Task: 5 * scheduler.Millisecond}

// DefaultPrefillTenant is the tenant that marks a workload's prefill jobs: jobs
// present when the run starts that fill the cell to its initial utilization. They are
// placed at once, outside any scheduler's decision time and metrics.
// workload.OmegaPrefillTenant has the same value.
const DefaultPrefillTenant = "prefill"

// Spread says how new jobs of a class are assigned to the class's schedulers.
type Spread uint8

// Spread modes.
const (
	// SpreadRoundRobin cycles through the schedulers in arrival order, as the
	// released simulator does: consecutive jobs always go to different schedulers
	// once there are two or more.
	SpreadRoundRobin Spread = iota
	// SpreadHash picks the scheduler from a hash of the job's ID, the paper's
	// wording ("hashing", REFERENCES.md §3.1): two consecutive jobs share a scheduler with
	// probability 1/N, so the share of overlapping decisions that run on different
	// schedulers, and with it the conflict fraction, keeps growing as (N−1)/N.
	SpreadHash
)

// String returns "round-robin" or "hash".
func (s Spread) String() string {
	if s == SpreadHash {
		return "hash"
	}
	return "round-robin"
}

// ParseSpread returns the mode named s: round-robin (rr) or hash.
func ParseSpread(s string) (Spread, error) {
	switch s {
	case "round-robin", "rr":
		return SpreadRoundRobin, nil
	case "hash":
		return SpreadHash, nil
	}
	return 0, fmt.Errorf("omega: unknown spread %q (want round-robin or hash)", s)
}

// Config configures an Omega (or monolithic baseline) scheduler. Build it from
// DefaultConfig; New validates it.
type Config struct {
	// BatchSchedulers and ServiceSchedulers are the number of schedulers serving
	// each job class. At least one must be positive. Jobs of a class that has no
	// scheduler go to the other class's schedulers (the released simulator's
	// zero-service-scheduler sweep). Jobs of a class are spread round-robin over
	// its schedulers, as in the simulator (see Spread). Defaults 1 and 1.
	BatchSchedulers, ServiceSchedulers int
	// Spread assigns each new job to one of its class's schedulers:
	// SpreadRoundRobin (default, the simulator) or SpreadHash (the paper's wording).
	Spread Spread
	// Batch and Service are the decision times of the schedulers serving each
	// class. In Monolithic mode they are the decision times of each class's jobs.
	// Default PaperDecisionTime for both.
	Batch, Service DecisionTime
	// Detection is the conflict detection of every commit: DetectFit (default) or
	// DetectSeq.
	Detection scheduler.Detection
	// Transaction is Incremental (default) or AllOrNothing.
	Transaction Transaction
	// SeqCountsReleases widens DetectSeq to the paper's wording (§5.2: a placement
	// is rejected if any change was made to the target machine since the local copy
	// was synchronised): a claim also conflicts when capacity was freed on its
	// machine since the plan (a task ended or was released there, or the machine was
	// added or recovered: every Released call). The released simulator bumps a
	// machine's sequence number only when a claim is applied to it
	// (CoreClusterSimulation.scala, ClaimDelta.apply; freeResources leaves it), so
	// the default, false, is the simulator's rule. Ignored under DetectFit.
	SeqCountsReleases bool
	// RetryDelay is how long a job with tasks left waits before it re-enters its
	// scheduler's queue. Default 1 s.
	RetryDelay scheduler.Time
	// MaxAttemptsNothingPlaced abandons a job once it has had more than this many
	// attempts without any task placed. Default 100 (the simulator's rule).
	MaxAttemptsNothingPlaced int
	// MaxAttempts abandons a job once it has had more than this many attempts in
	// all. Default 1,000 (the paper's rule).
	MaxAttempts int
	// Monolithic turns the scheduler into the paper's monolithic baseline: one
	// scheduler, one FIFO queue for every class, serial, placing on the live state
	// at the end of each decision time (so no conflicts are possible). Single-path:
	// set Batch = Service; fast-path (the paper's multi-path): give Batch its own,
	// faster, decision time. BatchSchedulers and ServiceSchedulers are ignored.
	Monolithic bool
	// NewPlacer builds each scheduler's placer; nil means NewRandomFirstFit.
	// The simulator attaches each (scheduler.Attacher) with its own stream,
	// "omega/placer/NAME", derived from the run's seed.
	NewPlacer func() (scheduler.Placer, error)
	// PrefillTenant names the tenant of prefill jobs (see DefaultPrefillTenant);
	// "" disables the special handling.
	PrefillTenant string
}

// DefaultConfig returns the paper's defaults: one batch and one service scheduler,
// t_job = 0.1 s and t_task = 5 ms for both, resource-fit detection, incremental
// transactions, 1 s retry, abandonment after 100 attempts with nothing placed or
// 1,000 in all, randomised first fit.
func DefaultConfig() Config {
	return Config{
		BatchSchedulers:          1,
		ServiceSchedulers:        1,
		Batch:                    PaperDecisionTime,
		Service:                  PaperDecisionTime,
		Detection:                scheduler.DetectFit,
		Transaction:              Incremental,
		RetryDelay:               scheduler.Second,
		MaxAttemptsNothingPlaced: 100,
		MaxAttempts:              1000,
		PrefillTenant:            DefaultPrefillTenant,
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case c.BatchSchedulers < 0 || c.ServiceSchedulers < 0:
		return errors.New("omega: negative scheduler count")
	case !c.Monolithic && c.BatchSchedulers+c.ServiceSchedulers == 0:
		return errors.New("omega: no schedulers (BatchSchedulers + ServiceSchedulers must be positive)")
	case c.Batch.Job < 0 || c.Batch.Task < 0 || c.Service.Job < 0 || c.Service.Task < 0:
		return errors.New("omega: negative decision time")
	case c.RetryDelay <= 0:
		return errors.New("omega: retry delay must be positive")
	case c.MaxAttemptsNothingPlaced < 1 || c.MaxAttempts < 1:
		return errors.New("omega: attempt limits must be at least 1")
	case c.Detection != scheduler.DetectFit && c.Detection != scheduler.DetectSeq:
		return fmt.Errorf("omega: unknown detection %d", c.Detection)
	case c.Transaction != Incremental && c.Transaction != AllOrNothing:
		return fmt.Errorf("omega: unknown transaction mode %d", c.Transaction)
	case c.Spread != SpreadRoundRobin && c.Spread != SpreadHash:
		return fmt.Errorf("omega: unknown spread %d", c.Spread)
	}
	return nil
}
