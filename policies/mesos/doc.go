// Package mesos is two-level scheduling in the style of Apache Mesos: an allocator
// that offers free resources to frameworks in Dominant Resource Fairness order, and
// frameworks — each a scheduler with its own job queue and decision time — that
// accept, decline or hoard what they are offered.
//
// It reproduces both mechanisms the literature separates (REFERENCES.md §4):
// allocator-side pessimistic offer locking, as modelled in the Omega paper, and
// framework-side hoarding by rigid (gang) frameworks, which can deadlock.
//
// # Allocator
//
// Once per Config.Interval (1 s, --allocation_interval) while some framework has
// queued work, the allocator ranks the frameworks that do not suppress offers and
// hold fewer than Config.MaxOffers outstanding offers (50, Mesos'
// MAX_OFFERS_PER_FRAMEWORK) by weighted dominant share (max over resources of
// allocated / capacity, where allocated counts running and hoarded tasks; ties go
// to the framework registered first) and offers each, in that order, the free
// resources that are not locked by another offer and not filtered for it. The scope is all of them (ScopeAll, Mesos
// 0.9 and the Omega model) or at most the framework's fair share minus what it holds
// (ScopeFair). A node is offered only if its part reaches Config.MinOffer (10
// milli-cores and 32 MiB, Mesos' MIN_CPUS / MIN_MEM). Offered resources are locked
// until the framework answers; the lock is the allocator's own accounting (the
// State does not see it), reported as the locked fraction. An optional offer
// timeout (off by default, as in Mesos) rescinds an unanswered offer.
//
// # Frameworks
//
// A framework decides its offers one at a time, in the order received (the others
// wait, locked). Deciding an offer, it handles its queued jobs in arrival order
// while the offer has room, each job costing DecisionJob + DecisionTask × (its
// unscheduled tasks) of simulated time; the offer stays locked for the sum, and the
// framework answers at the end. Placement inside an offer uses Config.Placer when its choice
// lies in the offer, else first fit over the offered nodes. An ordinary framework
// starts what fits (incremental placement) and declines the rest with a
// refuse_seconds filter (5 s; IdleRefuse when it had nothing to place, e.g. at its
// Cap — SPARK-13001's 120 s); a decline filter hides only offers that are a subset
// of what was declined on the node, unless Config.FilterWholeNode. A job not fully
// placed retries after RetryDelay (1 s) and is abandoned by the Omega simulator's
// rule (more than 100 attempts with nothing placed, or more than 1,000). A
// framework with Suppress set is not offered anything while its queue is empty.
//
// A gang framework (FrameworkConfig.Gang) hoards: it accepts offers for a gang's
// members and holds them (Sim.Hold) until MinMember are held, then starts them all
// (Sim.Activate). It hoards for one gang at a time — the one holding members, else
// the oldest not backing off — unless HoardAll. A hold timeout (none by default)
// releases all, or the newest half, of a partial gang's members (Sim.Unhold), after
// which the gang backs off (fixed or doubling, optional jitter) and, after
// MaxGangAttempts timeouts, is abandoned.
//
// A hold timeout without MaxGangAttempts can starve other frameworks for good: a
// gang that never fits releases members and takes them back one round later, and
// the slot it frees goes, in DRF order, to whichever framework has the lowest
// share — often an idle one (which declines) and then the hoarder itself, whose
// share counts its hoarded members and so is lowest right after a release. A job
// of a framework with a higher share that fits only that slot then waits as long
// as the gang keeps trying (found by deep conformance; the bench package keeps
// the scenario). MaxGangAttempts ends it.
//
// Decision time makes a feedback loop: every queued job handled costs time even
// when it does not fit, so a framework with a long queue decides each offer slowly
// while up to MaxOffers more offers wait in its inbox, locked. On an overloaded
// cell (the alibaba-gpu workload at its default load 1.1) the batch framework's
// inbox ends up locking most of the cell for hours, its jobs starve, and the
// attempt rule abandons a quarter of them; MaxOffers 1, zero decision time, or no
// attempt limit avoid it.
//
// # Cost
//
// A round visits only the nodes whose unlocked free resources can be offered (a
// bit set kept by Released and by unlocking offers), and skips for each framework
// the nodes its decline filter is known to hide, until the filter expires or the
// node frees more. Each framework's allocation (for DRF and caps) is kept per node
// and updated by Released, so it is not recomputed from its tasks. A round costs
// O(nodes/64 + frameworks + nodes offered); deciding an offer costs O(jobs
// handled × offered nodes) in the worst case (first fit). Config.Check verifies
// these structures against a full recomputation.
//
// # Job assignment
//
// A job goes to the framework named by its Tenant; otherwise a gang job goes to the
// gang frameworks round-robin; otherwise to the non-gang frameworks serving its
// Class, round-robin; otherwise to all frameworks round-robin.
//
// # Metrics and deadlock
//
// Report adds to Result.Extra the time-weighted locked fraction, the hoarded-idle
// fraction, starved jobs (never offered room for one of their tasks), abandoned
// jobs, offers, declines and hold timeouts, overall and per framework (see the Key
// constants). A wait-for-graph detector over the partial gangs runs whenever a
// round or an answer makes no progress; it fills Result.Deadlock (episodes, gangs,
// held resource-seconds) and stops the run at a terminal deadlock — a cycle that no
// armed hold timeout or attempt limit can break.
package mesos
