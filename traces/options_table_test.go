package traces

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// TestOptionTable feeds every option NaN, Inf, -1, 0, 1e308 and "": a value
// outside the option's declared type, choices or range is bad input naming the
// option; a value inside it is accepted.
func TestOptionTable(t *testing.T) {
	inRange := func(rng string, x float64) bool {
		lo, hi, _ := strings.Cut(strings.Trim(rng, "[]()"), ",")
		l, _ := strconv.ParseFloat(strings.TrimSpace(lo), 64)
		h, _ := strconv.ParseFloat(strings.TrimSpace(hi), 64)
		if strings.HasSuffix(strings.TrimSpace(hi), "d") {
			d, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(hi), "d"), 64)
			h = d * 86400
		}
		return x >= l && x <= h && !(rng[0] == '(' && x == l)
	}
	for _, d := range OptionDocs() {
		for _, v := range []string{"NaN", "Inf", "-1", "0", "1e308", ""} {
			var valid bool
			switch d.Type {
			case "bool":
				_, err := strconv.ParseBool(v)
				valid = err == nil
			case "enum":
				valid = strings.Contains(d.Doc, "("+v+",") || strings.Contains(d.Doc, ", "+v+")") || strings.Contains(d.Doc, ", "+v+",")
			case "int":
				n, err := strconv.ParseInt(v, 10, 64)
				valid = err == nil && inRange(d.Range, float64(n))
			case "duration":
				tm, err := scheduler.ParseTime(v)
				x := tm.Seconds()
				if tm >= scheduler.Forever {
					x = math.Inf(1)
				}
				valid = err == nil && inRange(d.Range, x)
			case "string":
				valid = true
			default:
				t.Errorf("option %s: undeclared type %q", d.Name, d.Type)
				continue
			}
			_, err := ParseOptions(d.Name + "=" + v)
			switch {
			case valid && err != nil:
				t.Errorf("%s=%q: refused although in its declaration (%s %s): %v", d.Name, v, d.Type, d.Range, err)
			case !valid && err == nil:
				t.Errorf("%s=%q: accepted although outside its declaration (%s %s)", d.Name, v, d.Type, d.Range)
			case !valid && (!errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), d.Name)):
				t.Errorf("%s=%q: error does not name the option or is not bad input: %v", d.Name, v, err)
			}
		}
		if d.Memory && d.Range == "" {
			t.Errorf("option %s sizes memory but has no range", d.Name)
		}
	}
	if _, err := ParseOptions("sort_mem=" + strconv.Itoa(MaxSortMemMiB+1)); err == nil {
		t.Error("sort_mem above its maximum accepted")
	}
	for what, change := range map[string]func(*Options){
		"SortMemMiB above its maximum": func(o *Options) { o.SortMemMiB = MaxSortMemMiB + 1 },
		"no machine status":            func(o *Options) { o.MachineStatus = "|" },
		"a temp_dir that is no dir":    func(o *Options) { o.TempDir = "/nonexistent/schedlab" },
		"norm_cpu above its maximum":   func(o *Options) { o.NormCPU = maxNorm + 1 },
	} {
		o := DefaultOptions()
		change(&o)
		if err := o.validate(); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: validate = %v, want bad input", what, err)
		}
	}
	o := DefaultOptions()
	o.TempDir = t.TempDir()
	if err := o.validate(); err != nil {
		t.Errorf("an existing temp_dir: %v", err)
	}
}
