package workload

import (
	"io"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// BenchmarkGenerate measures generator throughput: b.N jobs per run, reported as
// tasks/s and jobs/s. The generators stream: the jobs are dropped as they come.
func BenchmarkGenerate(b *testing.B) {
	google := func() scheduler.Source {
		s := Google2011()
		g, err := NewSynthetic(s.Model, 1)
		if err != nil {
			b.Fatal(err)
		}
		return g
	}
	cases := []struct {
		name string
		src  func() scheduler.Source
	}{
		{"google2011", google},
		{"synthetic", func() scheduler.Source {
			c := DefaultSynthetic()
			c.Jobs = 0
			c.Horizon = scheduler.Forever - 1
			g, err := NewSynthetic(c, 1)
			if err != nil {
				b.Fatal(err)
			}
			return g
		}},
		{"alibaba-gpu", func() scheduler.Source {
			c := DefaultAlibabaGPU()
			c.Jobs = 0
			c.Horizon = scheduler.Forever - 1
			g, err := NewAlibabaGPU(c, 1)
			if err != nil {
				b.Fatal(err)
			}
			return g
		}},
	}
	for _, c := range cases {
		for _, window := range []int{0, 4096} {
			name := c.name
			if window > 0 {
				name += "/live=4096"
			}
			b.Run(name, func(b *testing.B) { benchGenerate(b, c.src, window) })
		}
	}
}

// benchGenerate draws b.N jobs from src. With window > 0 the last window jobs stay
// reachable, as the engine keeps its live jobs: the Go heap then has a realistic
// size, and the collector runs less often per allocated byte than with an empty heap.
func benchGenerate(b *testing.B, newSrc func() scheduler.Source, window int) {
	src := newSrc()
	var live []*scheduler.Job
	if window > 0 {
		live = make([]*scheduler.Job, window)
	}
	tasks := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j, err := src.Next()
		if err == io.EOF {
			b.StopTimer()
			src = newSrc()
			b.StartTimer()
			j, err = src.Next()
		}
		if err != nil {
			b.Fatal(err)
		}
		tasks += len(j.Tasks)
		if window > 0 {
			live[i%window] = j
		}
	}
	if tasks < b.N {
		b.Fatalf("%d tasks in %d jobs", tasks, b.N)
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(tasks)/s, "tasks/s")
	b.ReportMetric(float64(b.N)/s, "jobs/s")
}
