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
		b.Run(c.name, func(b *testing.B) {
			src := c.src()
			tasks := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j, err := src.Next()
				if err == io.EOF {
					b.StopTimer()
					src = c.src()
					b.StartTimer()
					j, err = src.Next()
				}
				if err != nil {
					b.Fatal(err)
				}
				tasks += len(j.Tasks)
			}
			if tasks < b.N {
				b.Fatalf("%d tasks in %d jobs", tasks, b.N)
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(float64(tasks)/s, "tasks/s")
			b.ReportMetric(float64(b.N)/s, "jobs/s")
		})
	}
}
