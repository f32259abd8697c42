package binpack

import (
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// BenchmarkKubeScore measures the score phase alone: the 500 candidates of one
// decision at 5,000 nodes (the adaptive percentage's k), scored for a stream of
// tasks, reported per scored node. The filter and the state updates are in
// BenchmarkPlace.
func BenchmarkKubeScore(b *testing.B) {
	s, tasks := benchClusterMix(5000, false)
	most := DefaultKubeConfig()
	most.Strategy = MostAllocated
	rtcr := DefaultKubeConfig()
	rtcr.Strategy = RequestedToCapacityRatio
	legacy := DefaultKubeConfig()
	legacy.LegacyBalanced = true
	for _, c := range []struct {
		name string
		cfg  KubeConfig
	}{{"least", DefaultKubeConfig()}, {"most", most}, {"rtcr", rtcr}, {"least-legacy", legacy}} {
		b.Run(c.name, func(b *testing.B) {
			k, err := NewKube(c.cfg)
			if err != nil {
				b.Fatal(err)
			}
			k.Attach(s, nil)
			defer unlisten(s, k)
			cand := make([]scheduler.NodeID, 0, 500)
			for i := 0; len(cand) < 500; i++ {
				if s.Fits(tasks[0], scheduler.NodeID(i)).IsOK() {
					cand = append(cand, scheduler.NodeID(i))
				}
			}
			if k.Score(s, tasks[0], cand[0]) < 0 {
				b.Fatal("negative score")
			}
			sum := int64(0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, sc := k.scorer(tasks[i%len(tasks)]).best(cand)
				sum += sc
			}
			b.StopTimer()
			if sum <= 0 {
				b.Fatal("no candidate scored")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(cand)), "ns/node")
		})
	}
}

// BenchmarkKubePlace is BenchmarkPlace at 5,000 nodes for the Kube configurations
// it does not list: RequestedToCapacityRatio (default and a three-point shape),
// legacy BalancedAllocation, and NodeResourcesFit alone.
func BenchmarkKubePlace(b *testing.B) {
	rtcr := DefaultKubeConfig()
	rtcr.Strategy = RequestedToCapacityRatio
	rtcr3 := rtcr
	rtcr3.Shape = []ShapePoint{{0, 0}, {50, 2}, {100, 10}}
	legacy := DefaultKubeConfig()
	legacy.LegacyBalanced = true
	fitOnly := DefaultKubeConfig()
	fitOnly.BalancedWeight = 0
	for _, mix := range []string{"mixed", "cpu"} {
		s, tasks := benchClusterMix(5000, mix == "mixed")
		for _, c := range []struct {
			name string
			cfg  KubeConfig
		}{{"rtcr", rtcr}, {"rtcr-3pt", rtcr3}, {"least-legacy", legacy}, {"least-fit-only", fitOnly}} {
			cfg := c.cfg
			bp := benchPlacer{name: c.name, make: func(*scheduler.State, []*scheduler.Task) scheduler.Placer {
				k, err := NewKube(cfg)
				if err != nil {
					b.Fatal(err)
				}
				return k
			}}
			benchOne(b, c.name+"/tasks="+mix+"/nodes=5000", bp, s, tasks)
		}
	}
}
