// Package schedtest is schedlab's exported property-based test harness: generators
// of clusters, workloads and failure schedules (leanovate/gopter, seeded and
// shrinking), invariant checks usable on any state or run, and a conformance suite
// that every placer and scheduler — in this repository or a researcher's own —
// runs from its tests.
package schedtest
