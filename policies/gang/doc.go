// Package gang implements the all-or-nothing co-scheduling variants that real
// cluster schedulers chose, each as a scheduler.Scheduler that works with any
// scheduler.Placer, and measures their deadlock behaviour with the core's detector
// (scheduler.Sim.CheckDeadlock).
//
// A gang is a job with MinMember > 0: it starts only when MinMember of its tasks run
// together. Resources that a gang holds before it starts are scheduler.Sim.Hold'd
// tasks, so the run's held_idle metric counts them and the deadlock detector sees
// them as partial gangs.
//
// # Variants
//
// One Scheduler type runs every variant; Config.Variant chooses the stages it is
// composed of (see Stages below).
//
//   - Strict: the gang's MinMember tasks are planned against one snapshot and started
//     together by an all-or-nothing commit, or nothing is placed (KEP-4671 beta's
//     workload cycle, Volcano's transactional allocate). Greedy placement with the
//     configured placer is tried first, then a bounded backtracking search
//     (Backtrack) so a gang that fits is not refused because of greedy order
//     (volcano#1297). It never holds resources: it cannot deadlock, but large gangs
//     can starve.
//   - Permit: members are placed one by one and held at a barrier until MinMember are
//     held, then all are activated (scheduler-plugins coscheduling). The barrier's
//     wait timeout runs from the first held member; a member that fails triggers
//     PostFilter, which rejects the whole group when (MinMember − held)/MinMember
//     exceeds RejectPercent; an optional group backoff and failure-time ordering
//     (PR #949) follow a rejection. KEP4671Alpha gives the KEP-4671 alpha defaults.
//   - Placeholder: placeholders reserve the gang's MinMember tasks one at a time and
//     the real tasks swap in when all are reserved (YuniKorn). The timeout runs from
//     the first placeholder; Soft releases the placeholders and schedules the tasks
//     best effort, Hard fails the job. Order Group is YuniKorn's FIFO, Fair its fair
//     sort.
//   - NonStrict: members accumulate as they fit and are held until MinMember are
//     held (Koordinator NonStrict). Without a timeout it deadlocks by design.
//
// Config.Overcommit > 0 puts Volcano's enqueue gate in front of any variant. A gang
// whose MinMember requests exceed Overcommit × capacity could never be admitted:
// it fails as unresolvable (Volcano would leave it pending). Config.Period > 0 runs
// passes as sessions (Volcano's schedule-period) instead of after every event.
//
// # Parameters and defaults
//
// DefaultConfig(v) gives each variant the defaults of the system it models:
//
//	variant      timeout   other defaults                                    source
//	strict       —         backtracking budget 1000, branch 8                KEP-4671 beta, Volcano
//	permit       60 s      reject 10 %, group backoff 0, failure order,       scheduler-plugins
//	                       min-resources PreFilter
//	permit (KEP) 300 s     no group reject, no min-resources check            KEP-4671 alpha
//	placeholder  15 min    Soft, FIFO (order group)                           YuniKorn
//	nonstrict    600 s     (Forever: no timeout, deadlocks by design)         Koordinator
//	gate         —         overcommit 1.2 (1.0 admits only what fits)         Volcano enqueue
//
// Every variant but Placeholder retries a failed pod (Strict: a failed gang)
// after a backoff of 1 s doubling to 10 s (× √MinMember for a gang), and every
// variant once a release or an enqueue wakes it, or after 5 min without one
// (kube-scheduler's flush). Placeholder has no backoff: YuniKorn retries pending
// asks on every cycle.
//
// # Stages
//
// A Scheduler is composed by New of small stages, chosen once from the Config
// (Variant selects the default composition, the other fields parameterise it);
// its pass runs them in order and does not look at the variant:
//
//   - admission gate (gate.go): openGate admits everything; overcommitGate is
//     Volcano's enqueue action (Config.Overcommit), tried again after FlushAfter
//     while a gang waits at it.
//   - placement mode (placement.go): allOrNothing is Strict's snapshot plan
//     (greedy, then Backtrack) and atomic commit, with a gang-level backoff;
//     oneByOne (Permit, NonStrict) offers members one at a time and holds a
//     gang's members; reservation (Placeholder) does the same with placeholders,
//     a gang whose MinMember are reserved waiting for the swap. The one-by-one
//     modes offer members in a member order (order.go): listOrder (Group,
//     Interleave) or fairOrder (Fair).
//   - hold/permit rule (hold.go): accumulate (NonStrict, placeholders) holds
//     what fits; permitBarrier is coscheduling's PreFilter (group backoff,
//     MinResources) and PostFilter (whole-group reject beyond RejectPercent).
//     Under both, the held members are activated together once MinMember are
//     held or running.
//   - timeout rule (timeout.go), armed when a gang holds its first member:
//     forever (Timeout Forever, and Strict, which never holds); waitTimeout
//     (Permit, NonStrict) releases the gang, fails its pending members' attempt
//     and applies group backoff and failure order; softTimeout and hardTimeout
//     (Placeholder, Style) release the placeholders and schedule the job best
//     effort, or fail it.
//   - retry backoff: the core's scheduler.Backoff over scheduler.Retry, the same
//     rule Monolithic's queue uses, disabled for Placeholder; groups are ordered
//     by scheduler.Rank, the order of Monolithic's active queue with the job ID
//     as tie-break. Unlike Monolithic's heaps and node-budgeted pool, the queue
//     is walked whole in every pass and a failed entry is woken by any release
//     or enqueue (scheduler.Sim.Notices), with one timer at the earliest expiry
//     or flush.
//
// # Queue order
//
// Order Group keeps a gang's members back to back (priority, then the gang's
// timestamp, then job ID, then task index); Interleave offers the members of gangs
// submitted together round-robin, as pods created by several controllers at once
// reach the queue; Fair offers the next member of the gang with the smallest
// dominant share. Interleaving is what lets two gangs each hold part of the cluster.
//
// # Deadlock
//
// At the end of every pass that leaves work unplaced while some gang holds
// resources, the scheduler calls scheduler.Sim.CheckDeadlock. The Scheduler
// implements scheduler.DeadlockBreaker: a gang with an armed timeout, or a Permit
// gang that its next failed retry will reject, can still be released, so a cycle of
// such gangs is an episode and not a terminal deadlock. NonStrict without a timeout
// has no way out: its cycles are terminal and stop the run.
//
// # Guarantees
//
// The conformance suite (scheduler/schedtest) checks what each variant declares:
// Strict is gang-atomic, deadlock-free and work-conserving; Permit, NonStrict and
// Hard placeholders are gang-atomic (held members start together) but not
// deadlock-free; Soft placeholders only keep the safety invariants, since a gang
// that timed out runs best effort.
//
// # Metrics
//
// Besides the core's result, Report adds under Result.Extra: gangs_submitted, gang_timeouts,
// gang_rejections, gangs_started, deadlock_checks and (with the gate)
// gang_admitted.
package gang
