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

var (
	placers    = map[string]PlacerSpec{}
	schedulers = map[string]SchedulerSpec{}
	workloads  = map[string]WorkloadSpec{}
)

// RegisterPlacer adds a placer; it panics on a duplicate name (a programming error).
func RegisterPlacer(s PlacerSpec) {
	if _, dup := placers[s.Name]; dup {
		panic("bench: placer registered twice: " + s.Name)
	}
	if err := checkDecl("placer "+s.Name, s.Params); err != nil {
		panic("bench: " + err.Error())
	}
	placers[s.Name] = s
}

// RegisterScheduler adds a scheduler; it panics on a duplicate name.
func RegisterScheduler(s SchedulerSpec) {
	if _, dup := schedulers[s.Name]; dup {
		panic("bench: scheduler registered twice: " + s.Name)
	}
	if err := checkDecl("scheduler "+s.Name, s.Params); err != nil {
		panic("bench: " + err.Error())
	}
	schedulers[s.Name] = s
}

// RegisterWorkload adds a workload generator; it panics on a duplicate name.
func RegisterWorkload(s WorkloadSpec) {
	if _, dup := workloads[s.Name]; dup {
		panic("bench: workload registered twice: " + s.Name)
	}
	if err := checkDecl("workload "+s.Name, s.Params); err != nil {
		panic("bench: " + err.Error())
	}
	workloads[s.Name] = s
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Placers returns the registered placers sorted by name.
func Placers() []PlacerSpec {
	var out []PlacerSpec
	for _, k := range sortedKeys(placers) {
		out = append(out, placers[k])
	}
	return out
}

// Schedulers returns the registered schedulers sorted by name.
func Schedulers() []SchedulerSpec {
	var out []SchedulerSpec
	for _, k := range sortedKeys(schedulers) {
		out = append(out, schedulers[k])
	}
	return out
}

// Workloads returns the registered workload generators sorted by name.
func Workloads() []WorkloadSpec {
	var out []WorkloadSpec
	for _, k := range sortedKeys(workloads) {
		out = append(out, workloads[k])
	}
	return out
}

// NewPlacer builds the placer of spec "NAME[:k=v,...]". An unknown name's error
// lists the valid names.
func NewPlacer(spec string) (scheduler.Placer, error) {
	name, p, err := ParseSpec("placer", spec)
	if err != nil {
		return nil, err
	}
	s, ok := placers[name]
	if !ok {
		return nil, fmt.Errorf("unknown placer %q (valid: %s)", name, strings.Join(sortedKeys(placers), ", "))
	}
	pl, err := s.New(p.declare(s.Params))
	if err != nil {
		return nil, err
	}
	return pl, p.Err()
}

// NewScheduler builds the scheduler of spec "NAME[:k=v,...]" with placers from
// placerSpec.
func NewScheduler(spec, placerSpec string) (scheduler.Scheduler, error) {
	name, p, err := ParseSpec("scheduler", spec)
	if err != nil {
		return nil, err
	}
	s, ok := schedulers[name]
	if !ok {
		return nil, fmt.Errorf("unknown scheduler %q (valid: %s)", name, strings.Join(sortedKeys(schedulers), ", "))
	}
	if _, err := NewPlacer(placerSpec); err != nil {
		return nil, err
	}
	sc, err := s.New(p.declare(s.Params), func() (scheduler.Placer, error) { return NewPlacer(placerSpec) })
	if err != nil {
		return nil, err
	}
	return sc, p.Err()
}

// NewWorkload builds the workload of spec "NAME[:k=v,...]" for the given seed.
// Trace workloads ("trace:FORMAT:PATH,...") are handled by the trace registry.
func NewWorkload(spec string, seed uint64) (*Workload, error) {
	name, p, err := ParseSpec("workload", spec)
	if err != nil {
		return nil, err
	}
	s, ok := workloads[name]
	if !ok {
		return nil, fmt.Errorf("unknown workload %q (valid: %s)", name, strings.Join(sortedKeys(workloads), ", "))
	}
	w, err := s.New(p.declare(s.Params), seed)
	if err != nil {
		return nil, err
	}
	return w, p.Err()
}

func init() {
	RegisterPlacer(PlacerSpec{Name: "firstfit", Doc: firstFitDoc, New: newFirstFitPlacer})
	RegisterPlacer(PlacerSpec{Name: "bestfit", Doc: bestFitDoc, Params: bestFitParams, New: newBestFitPlacer})
	RegisterScheduler(SchedulerSpec{Name: "monolithic", Doc: "one Kubernetes-style queue (priority, then arrival; backoff 1s doubling to 10s); gangs placed all-or-nothing in one cycle",
		Params: []Param{
			{Name: "t_job", Type: TypeDuration, Range: "[0s, 3650d]", Default: "0", Unit: "s", Doc: "simulated decision time per attempt"},
			{Name: "t_task", Type: TypeDuration, Range: "[0s, 3650d]", Default: "0", Unit: "s", Doc: "simulated decision time per task attempted"},
			{Name: "backoff", Type: TypeDuration, Range: "(0s, 3650d]", Default: "1s", Doc: "initial backoff"},
			{Name: "max_backoff", Type: TypeDuration, Range: "(0s, 3650d]", Default: "10s", Doc: "maximum backoff (×√size for gangs)"},
			{Name: "preemption", Type: TypeBool, Default: "false", Doc: "evict lower-priority tasks for a task that fits nowhere"},
		},
		New: func(p *Params, newPlacer func() (scheduler.Placer, error)) (scheduler.Scheduler, error) {
			pl, err := newPlacer()
			if err != nil {
				return nil, err
			}
			cfg := scheduler.DefaultMonolithicConfig()
			cfg.Placer = pl
			cfg.DecisionJob = p.Duration("t_job", 0)
			cfg.DecisionTask = p.Duration("t_task", 0)
			cfg.InitialBackoff = p.Duration("backoff", cfg.InitialBackoff)
			cfg.MaxBackoff = p.Duration("max_backoff", cfg.MaxBackoff)
			cfg.Preemption = p.Bool("preemption", false)
			if err := p.Err(); err != nil {
				return nil, err
			}
			return scheduler.NewMonolithic(cfg)
		}})
}
