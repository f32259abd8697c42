package binpack_test

import (
	"testing"

	"github.com/schedlab/schedlab/policies/binpack"
	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// TestConformance runs every placer of the package through the shared conformance
// suite under the core's monolithic scheduler (gangs all-or-nothing): safety
// invariants at every step, nothing lost, determinism, gang atomicity and liveness
// (every placer finds a feasible node whenever one exists).
func TestConformance(t *testing.T) {
	kube := func(cfg binpack.KubeConfig) func() scheduler.Placer {
		return func() scheduler.Placer {
			k, err := binpack.NewKube(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
	}
	most := binpack.DefaultKubeConfig()
	most.Strategy = binpack.MostAllocated
	most.Percentage = 30
	gpu := func(k binpack.GPUKind) func() scheduler.Placer {
		return func() scheduler.Placer {
			if k == binpack.GPUFGD {
				p, _ := binpack.NewOnlineFGD(5)
				return p
			}
			p, _ := binpack.NewGPUPolicy(k, nil)
			return p
		}
	}
	placers := []struct {
		name string
		fn   func() scheduler.Placer
	}{
		{"firstfit", func() scheduler.Placer { return &binpack.FirstFit{} }},
		{"nextfit", func() scheduler.Placer { return &binpack.NextFit{} }},
		{"ffd", func() scheduler.Placer { return &binpack.FFD{} }},
		{"bestfit-key", func() scheduler.Placer { return binpack.NewBestFit(binpack.NormKey, binpack.AutoKey) }},
		{"bestfit-sum", func() scheduler.Placer { return binpack.NewBestFit(binpack.NormSum, binpack.AutoKey) }},
		{"worstfit-l2", func() scheduler.Placer { return binpack.NewWorstFit(binpack.NormL2, binpack.AutoKey) }},
		{"worstfit-max", func() scheduler.Placer { return binpack.NewWorstFit(binpack.NormMax, binpack.AutoKey) }},
		{"random", func() scheduler.Placer { return &binpack.Random{} }},
		{"randomk", func() scheduler.Placer { return &binpack.RandomK{K: 2} }},
		{"randomk-every-node", func() scheduler.Placer { return &binpack.RandomK{K: 1000} }}, // K ≥ nodes: each node probed once
		{"tetris", func() scheduler.Placer { return binpack.Tetris{} }},
		{"kube-least", kube(binpack.DefaultKubeConfig())},
		{"kube-most-30", kube(most)},
		{"nomad", func() scheduler.Placer { return &binpack.Nomad{} }},
		{"volcano", func() scheduler.Placer { return &binpack.Volcano{} }},
		{"gpu-random", gpu(binpack.GPURandom)},
		{"gpu-dotprod", gpu(binpack.GPUDotProduct)},
		{"gpu-clustering", gpu(binpack.GPUClustering)},
		{"gpu-packing", gpu(binpack.GPUPacking)},
		{"gpu-bestfit", gpu(binpack.GPUBestFit)},
		{"gpu-fgd-online", gpu(binpack.GPUFGD)},
	}
	for _, p := range placers {
		t.Run(p.name, func(t *testing.T) {
			f := schedtest.PlacerFactory(p.fn)
			f.Name = p.name
			schedtest.Conformance(t, f, schedtest.Options{GangAtomic: true, DeadlockFree: true})
		})
	}
}
