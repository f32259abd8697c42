// Package scheduler is the core of schedlab: a deterministic discrete-event
// simulator of a cluster.
//
// It holds the cluster model (resources, nodes, tasks, jobs), the cluster state
// with its ordered indexes, transactions and plan commits, the event engine, the
// Scheduler and Placer interfaces, a monolithic Kubernetes-style scheduler, and the
// metrics recorder. It imports no other schedlab package.
//
// # Units
//
// Time is int64 simulated microseconds. Resources are int64: CPU in milli-cores,
// memory in MiB, GPU in milli-GPUs (1000 = one device), disk in MiB.
//
// # Determinism
//
// Nothing here reads the wall clock, starts a goroutine or uses the global random
// source. Events fire in (Time, Seq) order, every random component draws from its own
// generator derived from the run's seed (NewRand), and every choice among equals
// falls back to an ID. The same inputs and seed give a byte-identical Result.
//
// # Policies propose, the state commits
//
// Placers read the State and return a node; schedulers act through the Sim (Start,
// Hold, CommitPlan), which validates every placement against the State. A Plan's
// claims commit atomically or incrementally, with fit or sequence-number conflict
// detection, and a transaction (State.Begin) rolls back exactly.
package scheduler
