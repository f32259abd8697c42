package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// registered is one registered name with its declarations and a builder that
// constructs it from a spec (and, for workloads, draws a few jobs).
type registered struct {
	kind, name string
	params     []Param
	build      func(spec string) error
}

func allRegistered() []registered {
	var out []registered
	for _, s := range Placers() {
		out = append(out, registered{"placer", s.Name, s.Params, func(spec string) error {
			_, err := NewPlacer(spec)
			return err
		}})
	}
	for _, s := range Schedulers() {
		out = append(out, registered{"scheduler", s.Name, s.Params, func(spec string) error {
			_, err := NewScheduler(spec, "firstfit")
			return err
		}})
	}
	for _, s := range Workloads() {
		out = append(out, registered{"workload", s.Name, s.Params, func(spec string) error {
			w, err := NewWorkload(spec, 1)
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
	for _, s := range Scenarios() {
		out = append(out, registered{"scenario", s.Name, s.Params, func(spec string) error {
			_, _, err := (&Plan{Scenario: spec, Seeds: 1}).Expand()
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
		if err := checkDecl(r.kind+" "+r.name, r.params); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// valueValid reports whether v is a valid value of d by its declaration alone:
// of its type and inside its range.
func valueValid(d Param, v string) bool {
	num := func(x float64) bool {
		if d.Range == "" {
			return true
		}
		iv, err := parseRange(d.Type, d.Range)
		return err == nil && iv.contains(x)
	}
	switch d.Type {
	case TypeInt:
		n, ok := parseInt(v)
		return ok && num(float64(n))
	case TypeFloat:
		f, err := strconv.ParseFloat(v, 64)
		return err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && num(f)
	case TypeDuration:
		t, err := scheduler.ParseTime(v)
		if err != nil {
			return false
		}
		x := t.Seconds()
		if t >= scheduler.Forever {
			x = math.Inf(1)
		}
		return num(x)
	case TypeBool:
		_, err := strconv.ParseBool(v)
		return err == nil
	case TypeDist:
		dist, err := workload.ParseDist(v)
		if err != nil {
			return false
		}
		lo, hi, bounded := dist.Bounds()
		return num(lo) && (!bounded || num(hi))
	case TypeChoice:
		c, err := workload.ParseChoice(v)
		if err != nil {
			return false
		}
		for _, x := range c.Values {
			if !num(float64(x)) {
				return false
			}
		}
		return true
	}
	return true // string, enum and list values are checked by their consumer
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
				case (d.Type == TypeInt || d.Type == TypeFloat || d.Type == TypeDuration || d.Type == TypeDist || d.Type == TypeChoice) && !valueValid(d, v):
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

func TestParamsRange(t *testing.T) {
	decl := []Param{
		{Name: "n", Type: TypeInt, Range: "[1, 10]", Default: "1", Unit: "nodes", Doc: "n"},
		{Name: "f", Type: TypeFloat, Range: "(0, 1]", Default: "1", Doc: "f"},
		{Name: "d", Type: TypeDuration, Range: "[0s, 1h]", Default: "0", Doc: "d"},
		{Name: "t", Type: TypeDist, Range: "[0, 100]", Memory: true, Default: "1", Doc: "t"},
		{Name: "c", Type: TypeChoice, Range: "[1, 8]", Default: "1", Doc: "c"},
		{Name: "l", Type: TypeList, Range: "[1, 10]", Default: "1", Doc: "l"},
	}
	cases := []struct {
		spec, want string // want: "" = accepted, else a substring of the error
	}{
		{"x:n=10", ""},
		{"x:n=1e1", ""},
		{"x:n=11", `parameter n="11": want a value in [1, 10] nodes`},
		{"x:n=1.5", `parameter n="1.5": want an integer in [1, 10] nodes`},
		{"x:f=0", `parameter f="0": want a value in (0, 1]`},
		{"x:f=NaN", `parameter f="NaN": want a finite number in (0, 1]`},
		{"x:f=+Inf", `want a finite number`},
		{"x:d=1h", ""},
		{"x:d=61m", `parameter d="61m": want a value in [0s, 1h]`},
		{"x:d=forever", `want a value in [0s, 1h]`},
		{"x:d=NaN", `parameter d="NaN": want a duration`},
		{"x:t=exp(5)", ""},
		{"x:t=101", `want a distribution whose values lie in [0, 100]`},
		{"x:t=uniform(1;200)", `want a distribution whose values lie in [0, 100]`},
		{"x:t=uniform(1;200)[0;50]", ""},
		{"x:c=1;2;8", ""},
		{"x:c=1;16", `parameter c="1;16": want a value in [1, 8]`},
		{"x:l=1+5+10", ""},
		{"x:l=1+50", `parameter l="1+50": want a value in [1, 10]`},
		{"x:z=1", `unknown parameter(s) z (valid: c, d, f, l, n, t)`},
	}
	for _, c := range cases {
		_, p, err := ParseSpec("placer", c.spec)
		if err != nil {
			t.Fatal(err)
		}
		p.declare(decl)
		p.Int("n", 1)
		p.Float("f", 1)
		p.Duration("d", 0)
		d := p.Dist("t", workload.Const(1))
		p.Choice("c", workload.Choice{Values: []int64{1}})
		p.List("l", "1")
		err = p.Err()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.spec, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.spec, err, c.want)
		}
		if c.spec == "x:t=exp(5)" {
			if _, hi, bounded := d.Bounds(); !bounded || hi != 100 {
				t.Errorf("exp(5) under range [0, 100]: bounds hi=%g bounded=%v, want clamped at 100", hi, bounded)
			}
		}
	}
	// Reading an undeclared key, or a key as another type, is a registration bug.
	_, p, _ := ParseSpec("placer", "x")
	p.declare(decl)
	p.Float("n", 1)
	if err := p.Err(); !registrationBug(err) {
		t.Errorf("reading int n as float: %v, want a registration error", err)
	}
	_, p, _ = ParseSpec("placer", "x")
	p.declare(decl)
	p.Int("undeclared", 1)
	if err := p.Err(); !registrationBug(err) {
		t.Errorf("reading an undeclared key: %v, want a registration error", err)
	}
}

func TestCheckDecl(t *testing.T) {
	bad := map[string]Param{
		"no type":              {Name: "a", Default: "1", Doc: "a"},
		"no range":             {Name: "a", Type: TypeInt, Default: "1", Doc: "a"},
		"bad range":            {Name: "a", Type: TypeInt, Range: "1..2", Default: "1", Doc: "a"},
		"reversed":             {Name: "a", Type: TypeInt, Range: "[2, 1]", Default: "1", Doc: "a"},
		"memory without bound": {Name: "a", Type: TypeInt, Range: "[0, inf]", Memory: true, Default: "1", Doc: "a"},
	}
	for what, p := range bad {
		if err := checkDecl("x", []Param{p}); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
	if err := checkDecl("x", []Param{{Name: "a", Type: TypeString, Doc: "a"}, {Name: "a", Type: TypeString, Doc: "a"}}); err == nil {
		t.Error("duplicate accepted")
	}
	if err := checkDecl("x", []Param{{Name: "a", Type: TypeDuration, Range: "[0s, forever]", Doc: "a"}}); err != nil {
		t.Error(err)
	}
}

// TestTraceOptionDeclarations: the trace reader options carry the same kind of
// declaration as every other parameter, valid by the same rules.
func TestTraceOptionDeclarations(t *testing.T) {
	for _, f := range TraceFormats() {
		for _, o := range f.Options {
			d := o
			if d.Type == TypeInt && d.Range == "" {
				t.Errorf("trace option %s: int without a range", d.Name)
			}
			if err := checkDecl("trace option", []Param{d}); err != nil {
				t.Error(err)
			}
		}
		break // every format has the same options
	}
}
