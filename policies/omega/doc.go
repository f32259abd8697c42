// Package omega implements the shared-state scheduling architecture of the Omega
// paper (Schwarzkopf et al., EuroSys 2013): several schedulers, each with its own
// queue and simulated decision time, plan optimistically against the shared cell
// state and commit their plans as transactions, with conflicts detected and rolled
// back exactly. It also provides the paper's monolithic baselines (single-path and
// fast-path) with the same metrics, and the randomised first-fit placer of the
// paper's lightweight simulator.
//
// # Model
//
// New builds BatchSchedulers + ServiceSchedulers schedulers ("service-0", …,
// "batch-0", …). A new job goes round-robin to a scheduler of its class (to the
// other class's schedulers if its own has none). Each scheduler takes the jobs of
// its FIFO queue one at a time. An attempt on a job with n unscheduled tasks:
//
//  1. At its start, the scheduler plans against the cell state as it is then: it
//     places the tasks tentatively inside a State transaction (State.Begin, Place)
//     and rolls the transaction back at once, keeping the claims with each node's
//     sequence number as seen, which includes the bumps of the plan's own earlier
//     claims. This is the paper's private copy, without the copy.
//  2. It stays busy for the decision time t_job + t_task × n.
//  3. It commits the plan (Sim.CommitPlan) with the configured conflict detection
//     (resource fit, or sequence numbers: any claim that landed on the node since
//     the read) and transaction mode (incremental: conflicting claims are skipped;
//     all-or-nothing: the first conflict undoes every claim applied). Conflicted
//     claims leave no trace: allocations and sequence numbers are restored exactly.
//     As in the released simulator, only applied claims bump a node's sequence
//     number, not task completions; Config.SeqCountsReleases also counts every
//     release on the node as a change, which is the paper's wording ("any change to
//     the machine", §5.2; see docs/omega-v7.md).
//  4. A job with tasks left re-enters the queue after RetryDelay (1 s). It is
//     abandoned (Sim.Abandon) after more than MaxAttemptsNothingPlaced (100)
//     attempts with nothing placed, or more than MaxAttempts (1,000) in all.
//
// With Config.Monolithic there is one scheduler for every class, which plans and
// commits on the live state at the end of each decision time, so no conflict is
// possible; jobs' decision times follow their class (single-path: set Batch =
// Service; fast-path: a faster Batch).
//
// A gang job (MinMember > 0) under all-or-nothing transactions is planned only if
// at least its missing members fit, so a commit starts the whole gang or nothing.
// Under incremental transactions a gang may start partially, which is the deadlock
// risk the paper names.
//
// Prefill jobs (tenant Config.PrefillTenant, "prefill") are placed at once by the
// scheduler that receives them, outside decision time and metrics: they stand for
// the cell's initial occupation.
//
// # Accounting decisions
//
// The simulator's choices are kept and made explicit (REFERENCES.md §3.6):
//   - A transaction with any conflicting claim is failed, even an incremental one
//     that committed some claims, and its whole decision time is wasted.
//   - An attempt whose plan has no claim (nothing fits) makes no transaction; its
//     decision time is wasted, for Omega and for the monolithic baselines alike
//     (the simulator does not count it for monolithic: a known undercount).
//   - A conflict-free transaction is successful and its time useful, even if some
//     tasks found no room.
//
// # Metrics
//
// Report fills Result.Conflicts (transactions with at least one claim, conflicted
// ones, and conflicted / successful transactions, which can exceed 1: 3 means four
// attempts per success) and Result.Busyness (busy time / run time, useful and
// wasted, averaged over the schedulers). Result.Extra holds, with stable keys:
//
//   - per scheduler NAME: omega.NAME.{busy_useful, busy_wasted, busyness, attempts,
//     no_fit_attempts, transactions, conflicted, conflict_fraction,
//     task_conflict_fraction, jobs_abandoned};
//   - per class C (batch, service): C.{busy_useful, busy_wasted, busyness} averaged
//     over the class's schedulers (the monolithic scheduler for both classes),
//     C.{schedulers, transactions, conflict_fraction, task_conflict_fraction,
//     jobs_abandoned};
//   - per class, wait times of the class's jobs in simulated seconds, each as
//     .mean, .p50, .p90, .p99 (real percentiles) and .n: C.wait_attempt (submit to
//     the start of the first attempt: the paper's "job wait time"), C.wait_first
//     (to the first task placed) and C.wait_full (to every task placed: "time until
//     fully scheduled").
//
// # Placement
//
// Each scheduler has its own placer, built by Config.NewPlacer (any
// scheduler.Placer works; GangPlacers are used for all-or-nothing gangs) and seeded
// from the run's seed. The default, RandomFirstFit, is the simulator's randomised
// first fit.
package omega
