package workload

import (
	"flag"
	"runtime"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

var (
	fullScale     = flag.Bool("fullscale", false, "run BenchmarkGoogle2011FullScale (minutes of wall time, GiBs of memory; not for CI)")
	fullScaleSize = flag.Float64("fullscale.scale", 1, "machines and jobs × this factor (1 = 12,583 machines, 672,004 jobs)")
	fullScaleDays = flag.Float64("fullscale.days", 29, "simulated days of arrivals (the jobs scale with it)")
)

// BenchmarkGoogle2011FullScale replays the trace-shaped Google 2011 cell (Google2011:
// 12,583 machines, about 25M tasks over 29 simulated days) with best-fit under the
// monolithic scheduler, once. It is skipped unless -fullscale is given:
//
//	go test ./workload -run '^$' -bench Google2011FullScale -benchtime 1x -fullscale -timeout 30m
//
// It reports events/s, placements/s, tasks, and the Go heap's peak estimate
// (runtime.MemStats.Sys at the end: memory obtained from the OS). Peak RSS is best
// read with /usr/bin/time -v around the command.
func BenchmarkGoogle2011FullScale(b *testing.B) {
	if !*fullScale {
		b.Skip("full-scale replay runs only with -fullscale")
	}
	for i := 0; i < b.N; i++ {
		shape := Google2011()
		cfg, nodes, err := shape.Scaled(*fullScaleSize)
		if err != nil {
			b.Fatal(err)
		}
		cfg.Jobs = max(1, int(float64(cfg.Jobs)**fullScaleDays/29))
		cfg.Horizon = scheduler.Seconds(*fullScaleDays * 86400)
		gen, err := NewSynthetic(cfg, 1)
		if err != nil {
			b.Fatal(err)
		}
		mcfg := scheduler.DefaultMonolithicConfig()
		mcfg.Placer = scheduler.KeyBestFit{}
		mono, err := scheduler.NewMonolithic(mcfg)
		if err != nil {
			b.Fatal(err)
		}
		sc := scheduler.DefaultConfig()
		sc.Nodes = nodes
		sc.Seed = 1
		sc.Horizon = cfg.Horizon
		res, err := scheduler.Run(sc, gen, mono)
		if err != nil {
			b.Fatal(err)
		}
		if res.JobsSubmitted == 0 || res.TasksCompleted == 0 {
			b.Fatalf("nothing ran: %+v", res)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		wall := b.Elapsed().Seconds()
		b.ReportMetric(float64(res.Events)/wall, "events/s")
		b.ReportMetric(float64(res.Placements)/wall, "placements/s")
		b.ReportMetric(float64(res.TasksSubmitted), "tasks")
		b.ReportMetric(float64(res.Events), "events")
		b.ReportMetric(float64(ms.Sys)/(1<<30), "GiB-sys")
		b.ReportMetric(wall, "wall-s")
		b.Logf("machines %d, jobs %d submitted / %d completed, tasks %d submitted / %d completed / %d pending / %d running, placements %d, events %d, sim %.1f days, util cpu %.3f mem %.3f, job wait p50 %.1fs p99 %.1fs, stop %q",
			len(nodes), res.JobsSubmitted, res.JobsCompleted, res.TasksSubmitted, res.TasksCompleted, res.TasksPending, res.TasksRunning,
			res.Placements, res.Events, res.SimSeconds/86400, res.Utilization.CPU, res.Utilization.Mem, res.JobWait.P50, res.JobWait.P99, res.StopReason)
	}
}
