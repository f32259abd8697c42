package families

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
)

// registered is one registered name with its declarations and a builder that
// constructs it from a spec (and, for workloads, draws a few jobs).
type registered struct {
	kind, name string
	params     []bench.Param
	build      func(spec string) error
}

func allRegistered() []registered {
	var out []registered
	for _, s := range testRegistry.Placers() {
		out = append(out, registered{"placer", s.Name, s.Params, func(spec string) error {
			_, err := testRegistry.NewPlacer(spec)
			return err
		}})
	}
	for _, s := range testRegistry.Schedulers() {
		out = append(out, registered{"scheduler", s.Name, s.Params, func(spec string) error {
			_, err := testRegistry.NewScheduler(spec, "firstfit")
			return err
		}})
	}
	for _, s := range testRegistry.Workloads() {
		out = append(out, registered{"workload", s.Name, s.Params, func(spec string) error {
			w, err := testRegistry.NewWorkload(spec, 1)
			if err != nil {
				return err
			}
			if c, ok := w.Source.(io.Closer); ok {
				defer c.Close()
			}
			// A few jobs: generation must not fail or blow up on an accepted value.
			for range 5 {
				if _, err := w.Source.Next(); err == io.EOF {
					break
				} else if err != nil {
					return err
				}
			}
			return nil
		}})
	}
	for _, s := range testRegistry.Scenarios() {
		out = append(out, registered{"scenario", s.Name, s.Params, func(spec string) error {
			_, _, err := (&bench.Plan{Scenario: spec, Seeds: 1}).Expand(testRegistry)
			return err
		}})
	}
	return out
}

// registrationBug reports an error that only a wrong declaration can cause.
func registrationBug(err error) bool {
	return err != nil && strings.Contains(err.Error(), "(a bug in its registration)")
}

// TestParamDeclarations builds every registered placer, scheduler, workload and
// scenario with its defaults: every parameter its constructor reads must be
// declared, with the type of the getter that reads it.
func TestParamDeclarations(t *testing.T) {
	for _, r := range allRegistered() {
		if err := r.build(r.name); registrationBug(err) {
			t.Errorf("%s %s: %v", r.kind, r.name, err)
		}
	}
}

// TestParamTable feeds every declared parameter of every registered name the
// values NaN, Inf, -1, 0, 1e308 and "". A value outside the declared type or range
// must be an error naming the parameter and the value; a value inside it must not
// panic (it may still be refused by the component's own validation, with an
// error). Nothing may panic or read an undeclared key.
func TestParamTable(t *testing.T) {
	values := []string{"NaN", "Inf", "-Inf", "-1", "0", "1e308", ""}
	n := 0
	for _, r := range allRegistered() {
		for _, d := range r.params {
			for _, v := range values {
				spec := r.name + ":" + d.Name + "=" + v
				var err error
				func() {
					defer func() {
						if p := recover(); p != nil {
							err = fmt.Errorf("panic: %v", p)
						}
					}()
					err = r.build(spec)
				}()
				n++
				switch {
				case err != nil && strings.HasPrefix(err.Error(), "panic:"):
					t.Errorf("%s %q: %v", r.kind, spec, err)
				case registrationBug(err):
					t.Errorf("%s %q: %v", r.kind, spec, err)
				case err != nil && strings.Contains(err.Error(), "unknown parameter(s) "+d.Name):
					// A declared parameter reported as unknown: its constructor
					// checked Err before reading it.
					t.Errorf("%s %q: %v", r.kind, spec, err)
				case (d.Type == bench.TypeInt || d.Type == bench.TypeFloat || d.Type == bench.TypeDuration || d.Type == bench.TypeDist || d.Type == bench.TypeChoice) && !d.Valid(v):
					if err == nil {
						t.Errorf("%s %q: accepted, but %q is outside %s %s", r.kind, spec, v, d.Type, d.Range)
					} else if !strings.Contains(err.Error(), d.Name) {
						t.Errorf("%s %q: error does not name the parameter: %v", r.kind, spec, err)
					}
				}
			}
		}
	}
	t.Logf("%d cases", n)
}
