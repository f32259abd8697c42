// Package binpack holds schedlab's placement policies: where a task goes. Every
// policy implements scheduler.Placer (one task) and returns the node and the GPU
// devices it chose; FFD also implements scheduler.GangPlacer (a whole gang).
//
// # Classic placers
//
//   - FirstFit: the lowest-numbered node that fits. A segment tree over node IDs
//     (maximum free capacity, largest free GPU share, most fully free devices per
//     subtree) makes a decision O(log n).
//   - NextFit: first fit starting at the last chosen node, wrapping once.
//   - Fit: best fit or worst fit by a Norm. NormKey (one resource) walks the core
//     State's btree index; NormSum (Σ_r free_r / M_r with fixed weights) walks an
//     index of its own; both are O(log n) plus nodes skipped because another
//     dimension does not fit. NormL2 and NormMax depend on each node's capacity and
//     are full scans.
//   - Random (uniform over feasible nodes), RandomK (power of k choices), Tetris
//     (alignment score), FFD (first-fit decreasing for gangs).
//
// Indexed placers keep their index current through scheduler.NodeListener, an
// optional hook on the State (scheduler/listener.go). The package tests check, on
// random clusters under random placements, releases, rollbacks and node failures,
// that every indexed placer chooses exactly what a naive full scan chooses.
//
// # Kubernetes scorers
//
// Kube imitates kube-scheduler's filter and score phases: NodeResourcesFit with
// LeastAllocated, MostAllocated or RequestedToCapacityRatio, and
// NodeResourcesBalancedAllocation (current or legacy form), combined with plugin
// weights; integer division and rounding exactly as REFERENCES.md §1.4–1.5 give
// them; non-zero default requests (100 m CPU, 200 MiB) for NodeResourcesFit; and
// percentageOfNodesToScore sampling with a rotating start index (§1.7). The pure
// score functions (LeastAllocatedScore, …) are exported and table-tested against
// hand-computed values. Ties go to the lowest node ID (kube picks randomly).
//
// # Nomad
//
// Nomad is the bin-pack ("BestFit v3") or spread score over a candidate limit of
// feasible nodes from a shuffled order (REFERENCES.md §5.3).
//
// # GPU policies of the FGD paper
//
// GPUPolicy implements the six policies of "Beware of Fragmentation" (USENIX ATC'23)
// exactly as docs/fgd.md specifies: Random, DotProduct, GpuClustering, GpuPacking,
// BestFit and FGD, with the simulator's integer scores, its node tie-break ranks
// and its GPU device choice. TypicalPods, Frag and FragTracker implement the
// typical-pod distribution and the expected-fragmentation measure, kept as exact
// integers (scaled by the distribution's total count), or in the paper simulator's
// float64 arithmetic (GPUPolicy.ArtifactArithmetic). The bench package's "fgd"
// scenario reproduces the paper's simulator with them, run for run.
//
// # Determinism
//
// No placer reads the clock, starts goroutines or ranges over a map to decide.
//
// # Attaching
//
// Placers that index the state (FirstFit, NextFit, FFD, Fit with NormSum, Kube,
// GPUPolicy) or draw random numbers (Random, RandomK, Nomad, GPURandom) implement
// scheduler.Attacher. The simulator calls Attach once, before the run's first
// event, with the run's state and the placer's own random stream; the indexes
// register their node listeners there and grow as nodes are added. Code that
// drives a placer outside a run calls scheduler.AttachPlacer first. Place before
// Attach, Place on another state, or a random placer attached without a stream
// panics: each is a programming error that would otherwise give wrong numbers.
package binpack
