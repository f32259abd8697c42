package families

import (
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/bench/internal/benchtest"
	"github.com/schedlab/schedlab/scheduler"
)

// testRegistry is every family's names plus the tests' tiny workload.
var testRegistry = func() *bench.Registry {
	r := NewRegistry()
	r.RegisterWorkload(bench.WorkloadSpec{Name: "tiny", Doc: "test workload",
		Params: []bench.Param{{Name: "jobs", Type: bench.TypeInt, Range: "[0, 100000]", Default: "40", Doc: "jobs"}},
		New: func(p *bench.Params, seed uint64) (*bench.Workload, error) {
			return &bench.Workload{Source: benchtest.TinySource(p.Int("jobs", 40), seed)}, p.Err()
		}})
	return r
}()

// shuffleLike applies Compact's seeded machine order.
func shuffleLike(ns []scheduler.Node, seed uint64) {
	r := scheduler.NewRand(seed, "compaction-order")
	r.Shuffle(len(ns), func(i, j int) { ns[i], ns[j] = ns[j], ns[i] })
}

var readNonEmpty = benchtest.ReadNonEmpty

func contains(s, sub string) bool { return strings.Contains(s, sub) }
