package bench

import (
	"fmt"
	"sort"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// PlacerSpec registers a placer by name.
type PlacerSpec struct {
	Name   string
	Doc    string
	Params []Param
	// New builds a placer. A placer that draws random numbers or keeps state
	// about the cluster may also implement scheduler.Attacher: the simulator
	// calls its Attach(s *State, r *rand.Rand) when it installs the placer.
	New func(p *Params) (scheduler.Placer, error)
}

// SchedulerSpec registers a scheduler (an architecture, possibly with a
// co-scheduling policy) by name.
type SchedulerSpec struct {
	Name   string
	Doc    string
	Params []Param
	// New builds a scheduler. newPlacer returns a fresh placer each call (built
	// from --placer), so schedulers that run several sub-schedulers give each its own.
	New func(p *Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error)
}

// Workload is a built workload: a job source and, for workloads that come with
// their own machines (trace replays, trace-shaped clusters), those nodes.
type Workload struct {
	Source scheduler.Source
	Nodes  []scheduler.Node // used by --cluster trace; nil if the workload has none
}

// WorkloadSpec registers a workload generator by name.
type WorkloadSpec struct {
	Name   string
	Doc    string
	Params []Param
	New    func(p *Params, seed uint64) (*Workload, error)
}

// Registry is a catalogue of names: the placers, schedulers, workload generators
// and scenarios that specs ("NAME[:k=v,...]") refer to. The engine has none of its
// own; families add theirs with the Register methods (the command registers every
// family of bench/catalog and bench/scenarios). A Registry is filled before use and
// then only read, so it may be shared by concurrent runs.
type Registry struct {
	placers    map[string]PlacerSpec
	schedulers map[string]SchedulerSpec
	workloads  map[string]WorkloadSpec
	scenarios  map[string]ScenarioSpec
	claims     []ClaimSpec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{placers: map[string]PlacerSpec{}, schedulers: map[string]SchedulerSpec{},
		workloads: map[string]WorkloadSpec{}, scenarios: map[string]ScenarioSpec{}}
}

// register adds spec under name to m; a duplicate name or a malformed parameter
// declaration is a programming error and panics.
func register[V any](m map[string]V, kind, name string, ps []Param, spec V) {
	if _, dup := m[name]; dup {
		panic("bench: " + kind + " registered twice: " + name)
	}
	if err := checkDecl(kind+" "+name, ps); err != nil {
		panic("bench: " + err.Error())
	}
	m[name] = spec
}

// RegisterPlacer adds a placer; it panics on a duplicate name (a programming error).
func (r *Registry) RegisterPlacer(s PlacerSpec) { register(r.placers, "placer", s.Name, s.Params, s) }

// RegisterScheduler adds a scheduler; it panics on a duplicate name.
func (r *Registry) RegisterScheduler(s SchedulerSpec) {
	register(r.schedulers, "scheduler", s.Name, s.Params, s)
}

// RegisterWorkload adds a workload generator; it panics on a duplicate name.
func (r *Registry) RegisterWorkload(s WorkloadSpec) {
	register(r.workloads, "workload", s.Name, s.Params, s)
}

// RegisterScenario adds a scenario; it panics on a duplicate name.
func (r *Registry) RegisterScenario(s ScenarioSpec) {
	register(r.scenarios, "scenario", s.Name, s.Params, s)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sortedValues[V any](m map[string]V) []V {
	var out []V
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// Placers returns the registered placers sorted by name.
func (r *Registry) Placers() []PlacerSpec { return sortedValues(r.placers) }

// Schedulers returns the registered schedulers sorted by name.
func (r *Registry) Schedulers() []SchedulerSpec { return sortedValues(r.schedulers) }

// Workloads returns the registered workload generators sorted by name.
func (r *Registry) Workloads() []WorkloadSpec { return sortedValues(r.workloads) }

// Scenarios returns the registered scenarios sorted by name.
func (r *Registry) Scenarios() []ScenarioSpec { return sortedValues(r.scenarios) }

// HasPlacer reports whether a placer named name is registered.
func (r *Registry) HasPlacer(name string) bool { _, ok := r.placers[name]; return ok }

// LookupScenario returns the scenario named name; an unknown name's error lists the
// valid ones.
func (r *Registry) LookupScenario(name string) (ScenarioSpec, error) {
	s, ok := r.scenarios[name]
	if !ok {
		return s, fmt.Errorf("unknown scenario %q (valid: %s)", name, strings.Join(sortedKeys(r.scenarios), ", "))
	}
	return s, nil
}

// NewPlacer builds the placer of spec "NAME[:k=v,...]". An unknown name's error
// lists the valid names.
func (r *Registry) NewPlacer(spec string) (scheduler.Placer, error) {
	name, p, err := ParseSpec("placer", spec)
	if err != nil {
		return nil, err
	}
	s, ok := r.placers[name]
	if !ok {
		return nil, fmt.Errorf("unknown placer %q (valid: %s)", name, strings.Join(sortedKeys(r.placers), ", "))
	}
	pl, err := s.New(p.declare(s.Params))
	if err != nil {
		return nil, err
	}
	return pl, p.Err()
}

// NewScheduler builds the scheduler of spec "NAME[:k=v,...]" with placers from
// placerSpec.
func (r *Registry) NewScheduler(spec, placerSpec string) (scheduler.Scheduler, error) {
	return r.newScheduler(spec, placerSpec, nil)
}

// newScheduler is NewScheduler; first, if not nil, is a placer already built
// from placerSpec (by a caller that checked placerSpec first). The placer built
// to check placerSpec is the scheduler's first: a placer is built once for a
// scheduler that runs one, and afresh for each further sub-scheduler.
func (r *Registry) newScheduler(spec, placerSpec string, first scheduler.Placer) (scheduler.Scheduler, error) {
	name, p, err := ParseSpec("scheduler", spec)
	if err != nil {
		return nil, err
	}
	s, ok := r.schedulers[name]
	if !ok {
		return nil, fmt.Errorf("unknown scheduler %q (valid: %s)", name, strings.Join(sortedKeys(r.schedulers), ", "))
	}
	if first == nil {
		if first, err = r.NewPlacer(placerSpec); err != nil {
			return nil, err
		}
	}
	sc, err := s.New(p.declare(s.Params), func() (scheduler.Placer, error) {
		if pl := first; pl != nil {
			first = nil
			return pl, nil
		}
		return r.NewPlacer(placerSpec)
	})
	if err != nil {
		return nil, err
	}
	return sc, p.Err()
}

// NewWorkload builds the workload of spec "NAME[:k=v,...]" for the given seed.
// Trace workloads ("trace:FORMAT:PATH,...") are opened by OpenWorkload.
func (r *Registry) NewWorkload(spec string, seed uint64) (*Workload, error) {
	name, p, err := ParseSpec("workload", spec)
	if err != nil {
		return nil, err
	}
	s, ok := r.workloads[name]
	if !ok {
		return nil, fmt.Errorf("unknown workload %q (valid: %s)", name, strings.Join(sortedKeys(r.workloads), ", "))
	}
	w, err := s.New(p.declare(s.Params), seed)
	if err != nil {
		return nil, err
	}
	return w, p.Err()
}
