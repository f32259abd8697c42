package bench

import (
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// Label is one coordinate of a sweep cell ("scheduler"="omega", "timeout"="60s").
type Label struct {
	Key, Value string
}

// Cell is one independent run of a scenario: its coordinates, its seed, and the
// function that performs it. Run must be deterministic in (Labels, Seed) and safe to
// call concurrently with other cells' Run (cells share nothing mutable).
type Cell struct {
	Labels []Label
	Seed   uint64
	Run    func() (*scheduler.Result, error)
	// RunDetail, if set, is used by sweeps instead of Run: the same run, also
	// returning the curves of Detail for the sweep's plots (see SpecCell).
	RunDetail func() (*scheduler.Result, *Detail, error)
}

// Key returns the cell's coordinates as "k=v,k=v" (without the seed).
func (c *Cell) Key() string {
	var b strings.Builder
	for i, l := range c.Labels {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.Key + "=" + l.Value)
	}
	return b.String()
}

// ScenarioSpec registers a named experiment for `schedlab bench --scenario NAME`.
type ScenarioSpec struct {
	Name   string
	Doc    string
	Params []Param
	// Cells expands the scenario into its runs, seeds per coordinate (the
	// scenario's own default when seeds <= 0). r is the registry the scenario was
	// looked up in; its cells build their schedulers, placers and workloads there.
	Cells func(r *Registry, p *Params, seeds int) ([]Cell, error)
	// Report, if set, writes the scenario's own tables and plots (e.g. the
	// expected trend beside the measured one) into dir, after every cell ran.
	// p holds the scenario's parameters, as Cells read them; results[i] is
	// cells[i]'s result, nil for a cell that failed. A scenario keeps no state
	// between Cells and Report: a registry is shared.
	Report func(dir string, p *Params, cells []Cell, results []*scheduler.Result) error
	// Serial makes sweeps run the scenario's cells one at a time whatever
	// --parallel says (cells that measure wall-clock speed).
	Serial bool
}
