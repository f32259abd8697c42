package bench

import (
	"strings"
	"testing"

	"github.com/schedlab/schedlab/workload"
)

// registrationBug reports an error that only a wrong declaration can cause.
func registrationBug(err error) bool {
	return err != nil && strings.Contains(err.Error(), "(a bug in its registration)")
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

func TestParamValid(t *testing.T) {
	for _, c := range []struct {
		d    Param
		v    string
		want bool
	}{
		{Param{Type: TypeInt, Range: "[1, 10]"}, "5", true},
		{Param{Type: TypeInt, Range: "[1, 10]"}, "1e1", true},
		{Param{Type: TypeInt, Range: "[1, 10]"}, "0", false},
		{Param{Type: TypeInt, Range: "[1, 10]"}, "2.5", false},
		{Param{Type: TypeInt}, "-7", true},
		{Param{Type: TypeFloat, Range: "(0, 1]"}, "0", false},
		{Param{Type: TypeFloat, Range: "(0, 1]"}, "NaN", false},
		{Param{Type: TypeFloat, Range: "(0, 1]"}, "1", true},
		{Param{Type: TypeDuration, Range: "[0s, 3650d]"}, "forever", false},
		{Param{Type: TypeDuration, Range: "[0s, forever]"}, "forever", true},
		{Param{Type: TypeDuration, Range: "[0s, 3650d]"}, "-1s", false},
		{Param{Type: TypeBool}, "maybe", false},
		{Param{Type: TypeDist, Range: "[0, 100]"}, "uniform(1;50)", true},
		{Param{Type: TypeDist, Range: "[0, 100]"}, "uniform(1;500)", false},
		{Param{Type: TypeChoice, Range: "[1, 8]"}, "1:3;8:1", true},
		{Param{Type: TypeChoice, Range: "[1, 8]"}, "1:3;9:1", false},
		{Param{Type: TypeEnum}, "anything", true},
	} {
		if got := c.d.Valid(c.v); got != c.want {
			t.Errorf("%s %s: Valid(%q) = %v, want %v", c.d.Type, c.d.Range, c.v, got, c.want)
		}
	}
}
