package bench

import (
	"strings"
	"sync/atomic"

	"github.com/schedlab/schedlab/bench/internal/benchtest"
	"github.com/schedlab/schedlab/scheduler"
)

// tinyBuilt counts tiny workloads built, i.e. cells run.
var tinyBuilt atomic.Int64

// testRegistry holds the few names the engine's own tests run: the tiny
// workload, two placers of the core and the monolithic scheduler. The engine has
// no catalogue of its own (bench/families has it), so its tests build theirs.
var testRegistry = func() *Registry {
	r := NewRegistry()
	r.RegisterWorkload(WorkloadSpec{Name: "tiny", Doc: "test workload",
		Params: []Param{{Name: "jobs", Type: TypeInt, Range: "[0, 100000]", Default: "40", Doc: "jobs"}},
		New: func(p *Params, seed uint64) (*Workload, error) {
			tinyBuilt.Add(1)
			return &Workload{Source: benchtest.TinySource(p.Int("jobs", 40), seed)}, p.Err()
		}})
	r.RegisterPlacer(PlacerSpec{Name: "firstfit", Doc: "lowest-numbered node that fits (scan)",
		New: func(*Params) (scheduler.Placer, error) { return scheduler.ScanFirstFit{}, nil }})
	r.RegisterPlacer(PlacerSpec{Name: "bestfit", Doc: "least free key resource that fits (ordered index)",
		New: func(*Params) (scheduler.Placer, error) { return scheduler.KeyBestFit{}, nil }})
	r.RegisterScheduler(SchedulerSpec{Name: "monolithic", Doc: "scheduler.Monolithic with its defaults",
		Params: []Param{{Name: "t_job", Type: TypeDuration, Range: "[0s, 3650d]", Default: "0", Unit: "s", Doc: "simulated decision time per attempt"}},
		New: func(p *Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			pl, err := newPlacer()
			if err != nil {
				return nil, err
			}
			cfg := scheduler.DefaultMonolithicConfig()
			cfg.Placer = pl
			cfg.DecisionJob = p.Duration("t_job", 0)
			if err := p.Err(); err != nil {
				return nil, err
			}
			return scheduler.NewMonolithic(cfg)
		}})
	return r
}()

var readNonEmpty = benchtest.ReadNonEmpty

func contains(s, sub string) bool { return strings.Contains(s, sub) }
