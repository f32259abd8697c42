package bench

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// Param types: how the value of a Param is written and read. Each has one Params
// getter (Int, Float, Duration, Bool, String, Enum, Dist, Choice, List).
const (
	TypeInt      = "int"      // an integer (1e6 is accepted when integral)
	TypeFloat    = "float"    // a finite number
	TypeDuration = "duration" // 90s, 1.5h, 29d, forever, or seconds
	TypeBool     = "bool"     // true/false/1/0
	TypeString   = "string"   // free text: a path, a nested spec
	TypeEnum     = "enum"     // one of a fixed set of words
	TypeDist     = "dist"     // a workload.ParseDist distribution
	TypeChoice   = "choice"   // a workload.ParseChoice choice V:W;V:W
	TypeList     = "list"     // a list of values or specs joined with + or |
)

// Param declares one k=v parameter of a scheduler, placer, workload or scenario:
// its name, type, default, unit, valid range and whether it sizes memory. It is the
// one declaration of the parameter: `schedlab list` prints it, and the Params
// getters enforce its type and range, so an out-of-range value is an error naming
// the parameter, the value and the range.
type Param struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Default string `json:"default"`
	Unit    string `json:"unit,omitempty"`
	// Range is the valid interval, inclusive "[lo, hi]" or exclusive "(lo, hi)"
	// on either side, with values written as the parameter's own (for durations
	// "[0s, forever]"; "inf" for no upper bound). It is required for int, float,
	// duration, dist and choice parameters, and applies to every value a
	// distribution or choice can take (a distribution unbounded above is clamped
	// at a finite upper bound) and to each number of a list.
	Range string `json:"range,omitempty"`
	// Memory marks a parameter whose value sizes memory held at once (machines,
	// tasks per job, schedulers, candidates); its upper bound is a guard against
	// running the machine out of memory, so it must be finite.
	Memory bool   `json:"memory,omitempty"`
	Doc    string `json:"doc"`
}

// interval is a parsed Param.Range.
type interval struct {
	lo, hi         float64
	loOpen, hiOpen bool
}

func (iv interval) contains(x float64) bool {
	if math.IsNaN(x) {
		return false
	}
	if x < iv.lo || (iv.loOpen && x == iv.lo) {
		return false
	}
	if x > iv.hi || (iv.hiOpen && x == iv.hi) {
		return false
	}
	return true
}

// inRange reports whether x, in the parameter's unit (seconds for a duration,
// +Inf for forever), lies in d's declared Range. Without a Range every number is
// in range; a Range that does not parse contains nothing (checkDecl refuses such
// a declaration when it is registered).
func (d Param) inRange(x float64) bool {
	if d.Range == "" {
		return true
	}
	iv, err := parseRange(d.Type, d.Range)
	return err == nil && iv.contains(x)
}

// Valid reports whether v is a valid value of d by its declaration alone: of its
// type and inside its Range (for a distribution, its bounds; for a choice, every
// value). String, enum and list values are always valid here: their consumer
// checks them.
func (d Param) Valid(v string) bool {
	num := d.inRange
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

// parseRange reads "[lo, hi]" (either bracket may be round) for a parameter of type
// typ. Durations are read with scheduler.ParseTime and kept in seconds.
func parseRange(typ, s string) (interval, error) {
	s = strings.TrimSpace(s)
	var iv interval
	if len(s) < 5 || (s[0] != '[' && s[0] != '(') || (s[len(s)-1] != ']' && s[len(s)-1] != ')') {
		return iv, fmt.Errorf("range %q: want [lo, hi] or (lo, hi)", s)
	}
	iv.loOpen, iv.hiOpen = s[0] == '(', s[len(s)-1] == ')'
	los, his, ok := strings.Cut(s[1:len(s)-1], ",")
	if !ok {
		return iv, fmt.Errorf("range %q: want [lo, hi]", s)
	}
	num := func(v string) (float64, error) {
		v = strings.TrimSpace(v)
		switch v {
		case "inf", "forever":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		}
		if typ == TypeDuration {
			t, err := scheduler.ParseTime(v)
			return t.Seconds(), err
		}
		return strconv.ParseFloat(v, 64)
	}
	var err error
	if iv.lo, err = num(los); err != nil {
		return iv, fmt.Errorf("range %q: %v", s, err)
	}
	if iv.hi, err = num(his); err != nil {
		return iv, fmt.Errorf("range %q: %v", s, err)
	}
	if !(iv.lo <= iv.hi) {
		return iv, fmt.Errorf("range %q: lo > hi", s)
	}
	return iv, nil
}

// rangedTypes are the types that must declare a Range.
var rangedTypes = []string{TypeInt, TypeFloat, TypeDuration, TypeDist, TypeChoice}

// checkDecl reports a malformed declaration (a programming error: the Register
// functions panic on it).
func checkDecl(owner string, ps []Param) error {
	seen := map[string]bool{}
	for _, p := range ps {
		if p.Name == "" {
			return fmt.Errorf("%s: a parameter without a name", owner)
		}
		if seen[p.Name] {
			return fmt.Errorf("%s: parameter %s declared twice", owner, p.Name)
		}
		seen[p.Name] = true
		switch p.Type {
		case TypeInt, TypeFloat, TypeDuration, TypeBool, TypeString, TypeEnum, TypeDist, TypeChoice, TypeList:
		default:
			return fmt.Errorf("%s: parameter %s: unknown type %q", owner, p.Name, p.Type)
		}
		if p.Range == "" {
			if slices.Contains(rangedTypes, p.Type) {
				return fmt.Errorf("%s: parameter %s (%s) declares no range", owner, p.Name, p.Type)
			}
			if p.Memory {
				return fmt.Errorf("%s: parameter %s sizes memory but declares no range", owner, p.Name)
			}
			continue
		}
		iv, err := parseRange(p.Type, p.Range)
		if err != nil {
			return fmt.Errorf("%s: parameter %s: %v", owner, p.Name, err)
		}
		if p.Memory && math.IsInf(iv.hi, 1) {
			return fmt.Errorf("%s: parameter %s sizes memory but has no finite upper bound", owner, p.Name)
		}
	}
	return nil
}

// Params are the k=v pairs given after NAME: in a spec such as "omega:batch=2,mode=seq".
// Getters return the default when a key is absent and remember the first error;
// Err reports it, and also any key that no getter asked for (a misspelt parameter).
// Params of a registered name know its declarations: a getter checks the value
// against the declared type and range, and asking for an undeclared key is an
// error (a bug in the registration, which the registry's tests catch).
type Params struct {
	owner string
	kv    map[string]string
	used  map[string]bool
	decl  map[string]Param // nil: no declarations (NewParams)
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

// NewParams returns parameters from a map (for programmatic use and tests). They
// have no declarations, so values are checked only for their type.
func NewParams(owner string, kv map[string]string) *Params {
	if kv == nil {
		kv = map[string]string{}
	}
	return &Params{owner: owner, kv: kv, used: map[string]bool{}}
}

// declare attaches the declarations ps (of a registered name) to p.
func (p *Params) declare(ps []Param) *Params {
	p.decl = make(map[string]Param, len(ps))
	for _, d := range ps {
		p.decl[d.Name] = d
	}
	return p
}

// lookup marks k used and returns its value and declaration. It records an error
// when p has declarations and k is not one of them or is declared with another
// type than typ.
func (p *Params) lookup(k, typ string) (string, Param, bool) {
	p.used[k] = true
	v, ok := p.kv[k]
	var d Param
	if p.decl != nil {
		var known bool
		d, known = p.decl[k]
		switch {
		case !known:
			p.setErr(fmt.Errorf("%s: parameter %s is read but not declared (a bug in its registration)", p.owner, k))
		case d.Type != typ:
			p.setErr(fmt.Errorf("%s: parameter %s is declared %s but read as %s (a bug in its registration)", p.owner, k, d.Type, typ))
		}
	}
	return v, d, ok
}

func (p *Params) setErr(err error) {
	if p.err == nil {
		p.err = err
	}
}

// Fail records, unless an error is already recorded, that parameter k's value v
// is not what the constructor wants ("OWNER: parameter k=\"v\": want WANT").
func (p *Params) Fail(k, v, want string) {
	p.setErr(fmt.Errorf("%s: parameter %s=%q: want %s", p.owner, k, v, want))
}

// inRange checks x (in the parameter's unit; seconds for durations) against d's
// range, recording an error naming the value and the range; it reports whether x
// is valid. A declaration without a range accepts any x.
func (p *Params) inRange(d Param, v string, x float64) bool {
	if d.Range == "" {
		return true
	}
	iv, err := parseRange(d.Type, d.Range)
	if err != nil {
		p.setErr(fmt.Errorf("%s: parameter %s: %v", p.owner, d.Name, err))
		return false
	}
	if !iv.contains(x) {
		p.Fail(d.Name, v, "a value in "+d.Range+rangeUnit(d))
		return false
	}
	return true
}

func rangeUnit(d Param) string {
	if d.Unit == "" || d.Type == TypeDuration || d.Unit == "s" || d.Unit == "×" || d.Unit == "x" {
		return "" // a duration's range carries its unit; a factor has none
	}
	return " " + d.Unit
}

// String returns the value of k, or def.
func (p *Params) String(k, def string) string {
	if v, _, ok := p.lookup(k, TypeString); ok {
		return v
	}
	return def
}

// parseInt reads an integer, also written as an integral number such as 1e6.
func parseInt(v string) (int64, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// Int returns the integer value of k, or def.
func (p *Params) Int(k string, def int) int {
	v, d, ok := p.lookup(k, TypeInt)
	if !ok {
		return def
	}
	n, good := parseInt(v)
	if !good || n != int64(int(n)) {
		p.Fail(k, v, "an integer"+rangeSuffix(d))
		return def
	}
	if !p.inRange(d, v, float64(n)) {
		return def
	}
	return int(n)
}

func rangeSuffix(d Param) string {
	if d.Range == "" {
		return ""
	}
	return " in " + d.Range + rangeUnit(d)
}

// Float returns the value of k, a finite number, or def.
func (p *Params) Float(k string, def float64) float64 {
	v, d, ok := p.lookup(k, TypeFloat)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.Fail(k, v, "a finite number"+rangeSuffix(d))
		return def
	}
	if !p.inRange(d, v, f) {
		return def
	}
	return f
}

// Bool returns the boolean value of k (true/false/1/0), or def.
func (p *Params) Bool(k string, def bool) bool {
	v, _, ok := p.lookup(k, TypeBool)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.Fail(k, v, "true or false")
		return def
	}
	return b
}

// Duration returns the duration value of k ("90s", "1.5h", "forever", or seconds),
// or def.
func (p *Params) Duration(k string, def scheduler.Time) scheduler.Time {
	v, d, ok := p.lookup(k, TypeDuration)
	if !ok {
		return def
	}
	t, err := scheduler.ParseTime(v)
	if err != nil {
		p.Fail(k, v, "a duration such as 90s, 1.5h, forever"+rangeSuffix(d))
		return def
	}
	x := t.Seconds()
	if t >= scheduler.Forever {
		x = math.Inf(1)
	}
	if !p.inRange(d, v, x) {
		return def
	}
	return t
}

// Enum returns the value of k, which must be one of choices, or def.
func (p *Params) Enum(k, def string, choices ...string) string {
	v, _, ok := p.lookup(k, TypeEnum)
	if !ok {
		return def
	}
	if !slices.Contains(choices, v) {
		p.Fail(k, v, "one of "+strings.Join(choices, ", "))
		return def
	}
	return v
}

// List returns the value of k (a list of values or specs, split by the caller), or
// def. A declared range applies to every element that is a number.
func (p *Params) List(k, def string) string {
	v, d, ok := p.lookup(k, TypeList)
	if !ok {
		return def
	}
	if d.Range != "" {
		for _, e := range strings.FieldsFunc(v, func(r rune) bool { return r == '+' || r == '|' }) {
			e = strings.TrimSpace(e)
			f, err := strconv.ParseFloat(e, 64)
			if t, terr := scheduler.ParseTime(e); err != nil && terr == nil {
				f, err = t.Seconds(), nil
			}
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				continue // not a number: the caller parses it
			}
			if !p.inRange(d, v, f) {
				return def
			}
		}
	}
	return v
}

// Dist returns the distribution value of k, or def. Every value it can take must
// lie in the declared range; a distribution unbounded above (exp, lognormal,
// pareto without a clamp) is clamped at the range's upper bound.
func (p *Params) Dist(k string, def workload.Dist) workload.Dist {
	v, d, ok := p.lookup(k, TypeDist)
	if !ok {
		return def
	}
	dist, err := workload.ParseDist(v)
	if err != nil {
		p.Fail(k, v, "a distribution such as 5, exp(300), median(60;1.5), lognormal(4;1.2), pareto(1;1.5), uniform(1;8) or empirical(0:1;0.5:4;1:64), optionally clamped [lo;hi]"+rangeSuffix(d))
		return def
	}
	if d.Range == "" {
		return dist
	}
	iv, err := parseRange(d.Type, d.Range)
	if err != nil {
		p.setErr(err)
		return def
	}
	lo, hi, bounded := dist.Bounds()
	if !iv.contains(lo) || (bounded && !iv.contains(hi)) {
		p.Fail(k, v, "a distribution whose values lie in "+d.Range+rangeUnit(d))
		return def
	}
	if !bounded && !math.IsInf(iv.hi, 1) {
		dist = dist.Clamp(dist.Lo, iv.hi)
	}
	return dist
}

// Choice returns the choice value of k, or def; every value must lie in the
// declared range.
func (p *Params) Choice(k string, def workload.Choice) workload.Choice {
	v, d, ok := p.lookup(k, TypeChoice)
	if !ok {
		return def
	}
	c, err := workload.ParseChoice(v)
	if err != nil {
		p.Fail(k, v, "integer values with weights such as 1:0.5;2:0.3;8:0.2"+rangeSuffix(d))
		return def
	}
	for _, x := range c.Values {
		if !p.inRange(d, v, float64(x)) {
			return def
		}
	}
	return c
}

// ReadErr returns the first error of the getters called so far, without the
// check for keys no getter asked for (for constructors that read their parameters
// in stages; Err must still be called at the end).
func (p *Params) ReadErr() error { return p.err }

// Err returns the first error, or an error naming keys no getter asked for.
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
		valid := make([]string, 0, len(p.decl))
		for k := range p.decl {
			valid = append(valid, k)
		}
		sort.Strings(valid)
		msg := fmt.Sprintf("%s: unknown parameter(s) %s", p.owner, strings.Join(unknown, ", "))
		if len(valid) > 0 {
			msg += " (valid: " + strings.Join(valid, ", ") + ")"
		}
		return fmt.Errorf("%s", msg)
	}
	return nil
}
