package bench

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// Param documents one k=v parameter of a scheduler, placer, workload or scenario.
type Param struct {
	Name    string `json:"name"`
	Default string `json:"default"`
	Unit    string `json:"unit,omitempty"`
	Doc     string `json:"doc"`
}

// Params are the k=v pairs given after NAME: in a spec such as "omega:batch=2,mode=seq".
// Getters return the default when a key is absent and remember the first parse error;
// Err reports it, and also any key that no getter asked for (a misspelt parameter).
type Params struct {
	owner string
	kv    map[string]string
	used  map[string]bool
	err   error
}

// ParseSpec splits "NAME:k=v,k=v" into the name and its parameters. kind names what
// the spec is for ("scheduler", "placer", ...) in error messages.
func ParseSpec(kind, spec string) (string, *Params, error) {
	name, rest, _ := strings.Cut(spec, ":")
	name = strings.TrimSpace(name)
	p := &Params{owner: kind + " " + name, kv: map[string]string{}, used: map[string]bool{}}
	if name == "" {
		return "", nil, fmt.Errorf("empty %s name", kind)
	}
	if strings.TrimSpace(rest) == "" {
		return name, p, nil
	}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return "", nil, fmt.Errorf("%s %s: parameter %q is not k=v", kind, name, kv)
		}
		if _, dup := p.kv[k]; dup {
			return "", nil, fmt.Errorf("%s %s: parameter %q given twice", kind, name, k)
		}
		p.kv[k] = strings.TrimSpace(v)
	}
	return name, p, nil
}

// NewParams returns parameters from a map (for programmatic use and tests).
func NewParams(owner string, kv map[string]string) *Params {
	if kv == nil {
		kv = map[string]string{}
	}
	return &Params{owner: owner, kv: kv, used: map[string]bool{}}
}

func (p *Params) get(k string) (string, bool) {
	p.used[k] = true
	v, ok := p.kv[k]
	return v, ok
}

func (p *Params) fail(k, v, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: parameter %s=%q: want %s", p.owner, k, v, want)
	}
}

// String returns the value of k, or def.
func (p *Params) String(k, def string) string {
	if v, ok := p.get(k); ok {
		return v
	}
	return def
}

// Int returns the integer value of k, or def.
func (p *Params) Int(k string, def int) int {
	v, ok := p.get(k)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail(k, v, "an integer")
		return def
	}
	return n
}

// Float returns the float value of k, or def.
func (p *Params) Float(k string, def float64) float64 {
	v, ok := p.get(k)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		p.fail(k, v, "a number")
		return def
	}
	return f
}

// Bool returns the boolean value of k (true/false/1/0), or def.
func (p *Params) Bool(k string, def bool) bool {
	v, ok := p.get(k)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(k, v, "true or false")
		return def
	}
	return b
}

// Duration returns the duration value of k ("90s", "1.5h", "forever", or seconds),
// or def.
func (p *Params) Duration(k string, def scheduler.Time) scheduler.Time {
	v, ok := p.get(k)
	if !ok {
		return def
	}
	d, err := scheduler.ParseTime(v)
	if err != nil {
		p.fail(k, v, "a duration such as 90s, 1.5h, forever")
		return def
	}
	return d
}

// Enum returns the value of k, which must be one of choices, or def.
func (p *Params) Enum(k, def string, choices ...string) string {
	v, ok := p.get(k)
	if !ok {
		return def
	}
	if !slices.Contains(choices, v) {
		p.fail(k, v, "one of "+strings.Join(choices, ", "))
		return def
	}
	return v
}

// Err returns the first parse error, or an error naming keys no getter asked for.
func (p *Params) Err() error {
	if p.err != nil {
		return p.err
	}
	var unknown []string
	for k := range p.kv {
		if !p.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("%s: unknown parameter(s) %s", p.owner, strings.Join(unknown, ", "))
	}
	return nil
}

// PlacerSpec registers a placer by name.
type PlacerSpec struct {
	Name   string
	Doc    string
	Params []Param
	// New builds a placer. seed is derived from the run's seed for placers that
	// draw random numbers (they may also implement scheduler.Seeder).
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
	placers[s.Name] = s
}

// RegisterScheduler adds a scheduler; it panics on a duplicate name.
func RegisterScheduler(s SchedulerSpec) {
	if _, dup := schedulers[s.Name]; dup {
		panic("bench: scheduler registered twice: " + s.Name)
	}
	schedulers[s.Name] = s
}

// RegisterWorkload adds a workload generator; it panics on a duplicate name.
func RegisterWorkload(s WorkloadSpec) {
	if _, dup := workloads[s.Name]; dup {
		panic("bench: workload registered twice: " + s.Name)
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
	pl, err := s.New(p)
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
	sc, err := s.New(p, func() (scheduler.Placer, error) { return NewPlacer(placerSpec) })
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
	w, err := s.New(p, seed)
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
			{Name: "t_job", Default: "0", Unit: "s", Doc: "simulated decision time per attempt"},
			{Name: "t_task", Default: "0", Unit: "s", Doc: "simulated decision time per task attempted"},
			{Name: "backoff", Default: "1s", Doc: "initial backoff"},
			{Name: "max_backoff", Default: "10s", Doc: "maximum backoff (×√size for gangs)"},
			{Name: "preemption", Default: "false", Doc: "evict lower-priority tasks for a task that fits nowhere"},
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
