//go:build !unix

package binpack

// cpuSeconds is unavailable here; benchmarks then omit the per-CPU-second rate.
func cpuSeconds() float64 { return 0 }
