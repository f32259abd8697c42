package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// Sweep is a sweep specification: the cross product of schedulers × placers ×
// workloads × clusters × parameter values × seeds. It is read from a JSON file
// (LoadSweep) or built from `schedlab bench` flags. The file format:
//
//	{
//	  "name":         "gang-timeouts",                 // optional title
//	  "schedulers":   ["monolithic", "gang-permit:timeout={timeout}"],
//	  "placers":      ["bestfit", "firstfit"],          // default ["bestfit"]
//	  "workloads":    ["synthetic:jobs=200"],            // required
//	  "clusters":     ["nodes=50,cpu=32000,mem=131072"], // default ["auto"]
//	  "params":       {"timeout": ["10s", "30s", "60s"]},
//	  "seeds":        5,                                 // default 5 (or --seeds)
//	  "first_seed":   1,                                 // seeds are first_seed, first_seed+1, ...
//	  "horizon":      "2h",                              // default: until drained
//	  "sample_every": "60s",                             // utilization series; default 60s, "0" = none
//	  "window":       "arrivals",                        // all (default), arrivals or START,END
//	  "warmup":       "10m"                              // added to the window's start; default 0
//	}
//
// Every string of schedulers, placers, workloads and clusters may contain {NAME}
// placeholders for the parameters in "params"; each combination of parameter values
// is a separate cell, and each parameter becomes a label (a column of results.csv
// and an x axis of the metric-versus-parameter plots). A placeholder without a
// parameter, or a parameter used by no string, is an error. Comments are not
// allowed in the JSON file itself.
type Sweep struct {
	Name        string              `json:"name,omitempty"`
	Schedulers  []string            `json:"schedulers,omitempty"`
	Placers     []string            `json:"placers,omitempty"`
	Workloads   []string            `json:"workloads"`
	Clusters    []string            `json:"clusters,omitempty"`
	Params      map[string][]string `json:"params,omitempty"`
	Seeds       int                 `json:"seeds,omitempty"`
	FirstSeed   uint64              `json:"first_seed,omitempty"`
	Horizon     string              `json:"horizon,omitempty"`
	SampleEvery string              `json:"sample_every,omitempty"`
	Window      string              `json:"window,omitempty"`
	Warmup      string              `json:"warmup,omitempty"`
}

// window returns the sweep's measurement window.
func (s *Sweep) window() (scheduler.Window, error) {
	var warm scheduler.Time
	if s.Warmup != "" {
		t, err := scheduler.ParseTime(s.Warmup)
		if err != nil {
			return scheduler.Window{}, fmt.Errorf("field \"warmup\": %q: want a duration such as 90s, 1.5h, 2d", s.Warmup)
		}
		warm = t
	}
	w, err := ParseWindow(s.Window, warm)
	if err != nil {
		return w, fmt.Errorf("field \"window\": %v", err)
	}
	return w, nil
}

// DefaultSeeds is the number of seeds of a sweep that names none.
const DefaultSeeds = MinIntervalSeeds

// LoadSweep reads a sweep file. Errors name the file, and the line and column of a
// syntax error or the field of a bad value.
func LoadSweep(path string) (*Sweep, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSweep(path, b)
}

// ParseSweep parses sweep JSON; name is used in error messages.
func ParseSweep(name string, b []byte) (*Sweep, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Sweep
	if err := dec.Decode(&s); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			l, c := lineCol(b, se.Offset)
			return nil, fmt.Errorf("%s:%d:%d: %v", name, l, c, err)
		case errors.As(err, &te):
			l, c := lineCol(b, te.Offset)
			return nil, fmt.Errorf("%s:%d:%d: field %q: want %v, got JSON %s", name, l, c, te.Field, te.Type, te.Value)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", name)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &s, nil
}

func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	pre := b[:off]
	l := bytes.Count(pre, []byte("\n")) + 1
	c := int(off) - bytes.LastIndexByte(pre, '\n') - 1 // the byte just read
	return l, c
}

var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_.-]+)\}`)

// Validate checks the sweep's fields (not the names inside the specs, which are
// checked when each cell runs).
func (s *Sweep) Validate() error {
	if len(s.Workloads) == 0 {
		return errors.New(`field "workloads": at least one workload is required`)
	}
	if s.Seeds < 0 {
		return fmt.Errorf(`field "seeds": %d must not be negative`, s.Seeds)
	}
	for _, f := range []struct{ name, v string }{{"horizon", s.Horizon}, {"sample_every", s.SampleEvery}} {
		if f.v == "" {
			continue
		}
		t, err := scheduler.ParseTime(f.v)
		if err != nil {
			return fmt.Errorf("field %q: %q: want a duration such as 90s, 1.5h, 2d", f.name, f.v)
		}
		if f.name == "sample_every" && t >= scheduler.Forever {
			return fmt.Errorf("field %q: %q: want a finite interval (0 = no series)", f.name, f.v)
		}
	}
	if _, err := s.window(); err != nil {
		return err
	}
	used := map[string]bool{}
	for _, list := range [][]string{s.Schedulers, s.Placers, s.Workloads, s.Clusters} {
		for _, v := range list {
			if strings.TrimSpace(v) == "" {
				return errors.New("an empty scheduler, placer, workload or cluster spec")
			}
			for _, m := range placeholder.FindAllStringSubmatch(v, -1) {
				if _, ok := s.Params[m[1]]; !ok {
					return fmt.Errorf("spec %q uses {%s}, which is not in \"params\"", v, m[1])
				}
				used[m[1]] = true
			}
		}
	}
	for k, vs := range s.Params {
		if !used[k] {
			return fmt.Errorf("param %q is used by no spec (write {%s} in a scheduler, placer, workload or cluster)", k, k)
		}
		if len(vs) == 0 {
			return fmt.Errorf("param %q has no values", k)
		}
		for _, l := range []string{"scheduler", "placer", "workload", "cluster", "seed"} {
			if k == l {
				return fmt.Errorf("param %q: the name is reserved", k)
			}
		}
	}
	return nil
}

func orDefault(list []string, def string) []string {
	if len(list) == 0 {
		return []string{def}
	}
	return list
}

// Cells expands the sweep into its cells, in a fixed order: schedulers, placers,
// workloads, clusters, parameter combinations (parameters sorted by name, values in
// the given order), then seeds, the last varying fastest. seeds > 0 overrides the
// file's count.
func (s *Sweep) Cells(r *Registry, seeds int) ([]Cell, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if seeds <= 0 {
		seeds = s.Seeds
	}
	if seeds <= 0 {
		seeds = DefaultSeeds
	}
	first := s.FirstSeed
	if first == 0 {
		first = 1
	}
	var horizon, sample scheduler.Time
	if s.Horizon != "" {
		horizon, _ = scheduler.ParseTime(s.Horizon)
	}
	sample = time60s
	if s.SampleEvery != "" {
		sample, _ = scheduler.ParseTime(s.SampleEvery)
	}
	win, err := s.window()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(s.Params))
	for k := range s.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	// combos of parameter values, first parameter slowest
	combos := [][]string{{}}
	for _, k := range names {
		var next [][]string
		for _, c := range combos {
			for _, v := range s.Params[k] {
				next = append(next, append(append([]string{}, c...), v))
			}
		}
		combos = next
	}
	subst := func(tmpl string, combo []string) string {
		return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
			k := m[1 : len(m)-1]
			i := sort.SearchStrings(names, k)
			return combo[i]
		})
	}
	var cells []Cell
	for _, sc := range orDefault(s.Schedulers, "monolithic") {
		for _, pl := range orDefault(s.Placers, "bestfit") {
			for _, wl := range s.Workloads {
				for _, cl := range orDefault(s.Clusters, "auto") {
					for _, combo := range combos {
						labels := []Label{
							{"scheduler", subst(sc, combo)}, {"placer", subst(pl, combo)},
							{"workload", subst(wl, combo)}, {"cluster", subst(cl, combo)},
						}
						for i, k := range names {
							labels = append(labels, Label{k, combo[i]})
						}
						for k := 0; k < seeds; k++ {
							spec := RunSpec{Scheduler: labels[0].Value, Placer: labels[1].Value,
								Workload: labels[2].Value, Cluster: labels[3].Value,
								Seed: first + uint64(k), Horizon: horizon, SampleEvery: sample, Window: win}
							cells = append(cells, r.SpecCell(spec, labels...))
						}
					}
				}
			}
		}
	}
	return cells, nil
}

const time60s = 60 * scheduler.Second
