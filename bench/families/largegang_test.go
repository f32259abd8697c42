package families

import (
	"fmt"
	"testing"

	"github.com/schedlab/schedlab/bench"
)

// largeGangCluster holds at most 128 of gang-burst's pods at a time (16 nodes of
// 8 GPUs), so gangs of thousands of pods never fit.
const largeGangCluster = "nodes=16,cpu=64000,mem=262144,gpu=8"

// Every scheduler given gangs far larger than the cluster ends with every task
// accounted for: completed, failed, abandoned, or still pending, held, running
// or blocked.
func TestLargeGangAccounting(t *testing.T) {
	for _, s := range testRegistry.Schedulers() {
		t.Run(s.Name, func(t *testing.T) {
			res, err := testRegistry.Run(bench.RunSpec{Scheduler: s.Name, Workload: "gang-burst:jobs=6,max_gang=3000", Cluster: largeGangCluster, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			sum := res.TasksCompleted + res.TasksFailed + res.TasksAbandoned + res.TasksPending + res.TasksHeld + res.TasksRunning + res.TasksBlocked
			if res.TasksSubmitted < 3000 || sum != res.TasksSubmitted {
				t.Errorf("%d tasks submitted, %d completed + %d failed + %d abandoned + %d pending + %d held + %d running + %d blocked = %d",
					res.TasksSubmitted, res.TasksCompleted, res.TasksFailed, res.TasksAbandoned, res.TasksPending, res.TasksHeld, res.TasksRunning, res.TasksBlocked, sum)
			}
		})
	}
}

// BenchmarkLargeGang runs gang-burst with gangs up to max_gang pods on a
// cluster that holds 128: the cost per submitted task should stay flat as
// max_gang grows (a policy that scans a gang's members once per member is
// quadratic here).
func BenchmarkLargeGang(b *testing.B) {
	for _, s := range testRegistry.Schedulers() {
		for _, g := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("sched=%s/max_gang=%d", s.Name, g), func(b *testing.B) {
				var tasks int
				for b.Loop() {
					res, err := testRegistry.Run(bench.RunSpec{Scheduler: s.Name, Workload: fmt.Sprintf("gang-burst:jobs=6,max_gang=%d", g), Cluster: largeGangCluster, Seed: 1})
					if err != nil {
						b.Fatal(err)
					}
					tasks = res.TasksSubmitted
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(tasks), "ns/task")
			})
		}
	}
}
