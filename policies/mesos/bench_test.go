package mesos

import (
	"fmt"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// benchJobs is an Omega-like stream for nodes machines of 4 cores: batch jobs every
// 10 s × 100/nodes... scaled so the cell runs about 60 % busy, service jobs every
// 20 s, for one simulated hour.
func benchJobs(nodes int, seed uint64) []*scheduler.Job {
	r := scheduler.NewRand(seed, "mesos/bench")
	scale := float64(nodes) / 100
	var jobs []*scheduler.Job
	id := 0
	for at := scheduler.Time(0); at < scheduler.Hour; at += scheduler.Time(r.ExpFloat64() * float64(2*scheduler.Second) / scale) {
		id++
		n := 1 + int(r.ExpFloat64()*10)
		class := scheduler.Batch
		rt := scheduler.Time(r.ExpFloat64() * float64(60*scheduler.Second))
		if r.IntN(4) == 0 {
			class, rt = scheduler.Service, 5*rt
		}
		rts := make([]scheduler.Time, n)
		for i := range rts {
			rts[i] = rt + scheduler.Second
		}
		j := mkJob(id, "", at, 0, scheduler.Res(1000, 2048, 0), rts...)
		j.Class = class
		jobs = append(jobs, j)
	}
	return jobs
}

// BenchmarkMesosHour simulates one hour of a batch and a service framework
// (default decision times) on cells of several sizes and reports offers,
// placements and simulation events per wall second.
func BenchmarkMesosHour(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			var offers, placements, events float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				jobs := benchJobs(n, 1)
				m, err := New(DefaultConfig())
				if err != nil {
					b.Fatal(err)
				}
				sc := scheduler.DefaultConfig()
				sc.Nodes = nodes(n, 4000, 16384)
				sc.Horizon = scheduler.Hour
				b.StartTimer()
				res, err := scheduler.Run(sc, &scheduler.SliceSource{Jobs: jobs}, m)
				if err != nil {
					b.Fatal(err)
				}
				if res.TasksCompleted == 0 || res.JobsSubmitted != len(jobs) {
					b.Fatalf("run did not succeed: %d tasks completed, %d/%d jobs submitted", res.TasksCompleted, res.JobsSubmitted, len(jobs))
				}
				offers += res.Extra[KeyOffers]
				placements += float64(res.Placements)
				events += float64(res.Events)
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(offers/sec, "offers/s")
			b.ReportMetric(placements/sec, "placements/s")
			b.ReportMetric(events/sec, "events/s")
		})
	}
}
