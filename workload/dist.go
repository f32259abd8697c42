package workload

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// DistKind names the family of a Dist.
type DistKind uint8

// Distribution families. The zero value is Constant.
const (
	Constant    DistKind = iota // always A
	Exponential                 // mean A
	LogNormal                   // log is normal with mean A (μ) and standard deviation B (σ)
	Pareto                      // scale A (x_m, the minimum) and shape B (α)
	Uniform                     // uniform on [A, B)
	Empirical                   // piecewise-linear quantile function through (P[i], Q[i])
)

var distKindNames = [...]string{"const", "exp", "lognormal", "pareto", "uniform", "empirical"}

// String returns the kind's name as used by ParseDist.
func (k DistKind) String() string {
	if int(k) < len(distKindNames) {
		return distKindNames[k]
	}
	return fmt.Sprintf("DistKind(%d)", int(k))
}

// Dist is a univariate distribution of a non-negative quantity (a runtime in seconds,
// a task count, a request in milli-cores or MiB). It is a plain value: build one with
// Const, Exp, LogNormalDist, LogNormalMedian, ParetoDist, UniformDist or EmpiricalDist,
// or parse one with ParseDist. Exponential, LogNormal, Pareto and Uniform draw through
// gonum's distuv; Empirical is implemented here.
//
// Lo and Hi clamp every draw (Hi = 0 means no upper bound). The clamp is applied after
// drawing, so it moves mass onto the bounds rather than renormalising; Mean, CDF and
// Quantile describe the unclamped distribution.
type Dist struct {
	Kind DistKind
	A, B float64 // parameters, by Kind (see DistKind)
	// P and Q define an Empirical distribution: Q[i] is the P[i]-quantile. P must
	// start at 0, end at 1 and increase strictly; Q must not decrease. A nil P means
	// evenly spaced probabilities 0, 1/(n−1), …, 1.
	P, Q   []float64
	Lo, Hi float64 // clamp; Hi = 0 is no upper bound
}

// Const returns the distribution that is always v.
func Const(v float64) Dist { return Dist{Kind: Constant, A: v} }

// Exp returns the exponential distribution with the given mean.
func Exp(mean float64) Dist { return Dist{Kind: Exponential, A: mean} }

// LogNormalDist returns the lognormal distribution whose log has mean mu and standard
// deviation sigma.
func LogNormalDist(mu, sigma float64) Dist { return Dist{Kind: LogNormal, A: mu, B: sigma} }

// LogNormalMedian returns the lognormal distribution with the given median and log
// standard deviation sigma (μ = ln median).
func LogNormalMedian(median, sigma float64) Dist {
	return Dist{Kind: LogNormal, A: math.Log(median), B: sigma}
}

// ParetoDist returns the Pareto distribution with minimum xm and shape alpha (mean
// α·x_m/(α−1) when α > 1, infinite otherwise).
func ParetoDist(xm, alpha float64) Dist { return Dist{Kind: Pareto, A: xm, B: alpha} }

// UniformDist returns the uniform distribution on [lo, hi).
func UniformDist(lo, hi float64) Dist { return Dist{Kind: Uniform, A: lo, B: hi} }

// EmpiricalDist returns the distribution whose quantile function interpolates
// linearly between the points (probs[i], values[i]): the quantiles a trace summary
// reports (for example p0, p50, p90, p99, p100). A nil probs means evenly spaced
// probabilities. The slices are kept, not copied.
func EmpiricalDist(probs, values []float64) Dist {
	return Dist{Kind: Empirical, P: probs, Q: values}
}

// isSet reports whether d differs from the zero Dist (Const(0), unclamped), which
// optional distribution fields use to mean "not set".
func (d *Dist) isSet() bool {
	return d.Kind != Constant || d.A != 0 || d.Lo != 0 || d.Hi != 0 || d.P != nil || d.Q != nil
}

// Clamp returns d with every draw clamped to [lo, hi] (hi = 0: no upper bound).
func (d Dist) Clamp(lo, hi float64) Dist {
	d.Lo, d.Hi = lo, hi
	return d
}

// Validate reports an invalid parameter.
func (d *Dist) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("workload: %s distribution: "+format, append([]any{d.Kind}, args...)...)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !finite(d.A) || !finite(d.B) || !finite(d.Lo) || !finite(d.Hi) {
		return bad("parameters must be finite numbers")
	}
	if d.Lo < 0 || d.Hi < 0 || (d.Hi > 0 && d.Hi < d.Lo) {
		return bad("clamp [%g, %g] must satisfy 0 ≤ lo ≤ hi (hi 0 = none)", d.Lo, d.Hi)
	}
	switch d.Kind {
	case Constant:
		if d.A < 0 {
			return bad("value %g must be ≥ 0", d.A)
		}
	case Exponential:
		if d.A <= 0 {
			return bad("mean %g must be > 0", d.A)
		}
	case LogNormal:
		if d.B < 0 {
			return bad("sigma %g must be ≥ 0", d.B)
		}
	case Pareto:
		if d.A <= 0 || d.B <= 0 {
			return bad("xm %g and alpha %g must be > 0", d.A, d.B)
		}
	case Uniform:
		if d.A < 0 || d.B <= d.A {
			return bad("range [%g, %g) must satisfy 0 ≤ lo < hi", d.A, d.B)
		}
	case Empirical:
		if len(d.Q) < 2 {
			return bad("needs at least two quantile points, got %d", len(d.Q))
		}
		if d.P != nil {
			if len(d.P) != len(d.Q) {
				return bad("%d probabilities for %d values", len(d.P), len(d.Q))
			}
			if d.P[0] != 0 || d.P[len(d.P)-1] != 1 {
				return bad("probabilities must run from 0 to 1 (got %g … %g)", d.P[0], d.P[len(d.P)-1])
			}
			for i := 1; i < len(d.P); i++ {
				if !(d.P[i] > d.P[i-1]) {
					return bad("probabilities must increase strictly (p[%d]=%g after %g)", i, d.P[i], d.P[i-1])
				}
			}
		}
		for i, q := range d.Q {
			if !finite(q) || q < 0 {
				return bad("value %d (%g) must be a finite number ≥ 0", i, q)
			}
			if i > 0 && q < d.Q[i-1] {
				return bad("values must not decrease (q[%d]=%g after %g)", i, q, d.Q[i-1])
			}
		}
	default:
		return fmt.Errorf("workload: unknown distribution kind %d", d.Kind)
	}
	return nil
}

// prob returns the i-th probability of an Empirical distribution.
func (d *Dist) prob(i int) float64 {
	if d.P != nil {
		return d.P[i]
	}
	return float64(i) / float64(len(d.Q)-1)
}

// Quantile returns the p-quantile of the unclamped distribution, p in [0, 1].
func (d *Dist) Quantile(p float64) float64 {
	switch d.Kind {
	case Constant:
		return d.A
	case Exponential:
		return distuv.Exponential{Rate: 1 / d.A}.Quantile(p)
	case LogNormal:
		return distuv.LogNormal{Mu: d.A, Sigma: d.B}.Quantile(p)
	case Pareto:
		return distuv.Pareto{Xm: d.A, Alpha: d.B}.Quantile(p)
	case Uniform:
		return distuv.Uniform{Min: d.A, Max: d.B}.Quantile(p)
	case Empirical:
		return d.empiricalQuantile(p)
	}
	return math.NaN()
}

func (d *Dist) empiricalQuantile(p float64) float64 {
	n := len(d.Q)
	if p <= 0 {
		return d.Q[0]
	}
	if p >= 1 {
		return d.Q[n-1]
	}
	var i int
	if d.P == nil {
		x := p * float64(n-1)
		i = int(x)
		if i >= n-1 {
			i = n - 2
		}
		f := x - float64(i)
		return d.Q[i] + f*(d.Q[i+1]-d.Q[i])
	}
	// first index with P[i] > p, minus one: P[i] ≤ p < P[i+1]
	i = sort.SearchFloat64s(d.P, p)
	if i >= n || d.P[i] > p {
		i--
	}
	if i >= n-1 {
		i = n - 2
	}
	f := (p - d.P[i]) / (d.P[i+1] - d.P[i])
	return d.Q[i] + f*(d.Q[i+1]-d.Q[i])
}

// CDF returns P(X ≤ x) for the unclamped distribution.
func (d *Dist) CDF(x float64) float64 {
	switch d.Kind {
	case Constant:
		if x < d.A {
			return 0
		}
		return 1
	case Exponential:
		return distuv.Exponential{Rate: 1 / d.A}.CDF(x)
	case LogNormal:
		if d.B == 0 {
			if x < math.Exp(d.A) {
				return 0
			}
			return 1
		}
		return distuv.LogNormal{Mu: d.A, Sigma: d.B}.CDF(x)
	case Pareto:
		return distuv.Pareto{Xm: d.A, Alpha: d.B}.CDF(x)
	case Uniform:
		return distuv.Uniform{Min: d.A, Max: d.B}.CDF(x)
	case Empirical:
		n := len(d.Q)
		if x < d.Q[0] {
			return 0
		}
		if x >= d.Q[n-1] {
			return 1
		}
		// last segment whose start is ≤ x; a flat segment (an atom) jumps.
		i := sort.Search(n, func(i int) bool { return d.Q[i] > x }) - 1
		if d.Q[i+1] == d.Q[i] {
			return d.prob(i + 1)
		}
		f := (x - d.Q[i]) / (d.Q[i+1] - d.Q[i])
		return d.prob(i) + f*(d.prob(i+1)-d.prob(i))
	}
	return math.NaN()
}

// Mean returns the mean of the unclamped distribution (+Inf for a Pareto with α ≤ 1).
func (d *Dist) Mean() float64 {
	switch d.Kind {
	case Constant:
		return d.A
	case Exponential:
		return d.A
	case LogNormal:
		return math.Exp(d.A + d.B*d.B/2)
	case Pareto:
		return distuv.Pareto{Xm: d.A, Alpha: d.B}.Mean()
	case Uniform:
		return (d.A + d.B) / 2
	case Empirical:
		var m float64
		for i := 0; i+1 < len(d.Q); i++ {
			m += (d.prob(i+1) - d.prob(i)) * (d.Q[i] + d.Q[i+1]) / 2
		}
		return m
	}
	return math.NaN()
}

// ClampedMean estimates the mean of the clamped distribution by integrating the
// quantile function (midpoint rule over 4096 strata). It is exact for Constant and
// accurate to well under 1% for the other kinds with finite mean. Cost O(4096).
func (d *Dist) ClampedMean() float64 {
	if d.Kind == Constant {
		return d.clamp(d.A)
	}
	const n = 4096
	var s float64
	for i := range n {
		s += d.clamp(d.Quantile((float64(i) + 0.5) / n))
	}
	return s / n
}

func (d *Dist) clamp(x float64) float64 {
	if x < d.Lo {
		x = d.Lo
	}
	if d.Hi > 0 && x > d.Hi {
		x = d.Hi
	}
	return x
}

// String formats d in the syntax ParseDist reads (a lognormal in its median form,
// the median rounded to 12 significant digits).
func (d Dist) String() string {
	var s string
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch d.Kind {
	case Constant, Exponential:
		s = fmt.Sprintf("%s(%s)", d.Kind, g(d.A))
	case LogNormal:
		// The median form reads better: median(300;0.8) rather than lognormal(5.70…;0.8).
		s = fmt.Sprintf("median(%s;%s)", strconv.FormatFloat(math.Exp(d.A), 'g', 12, 64), g(d.B))
	case Pareto, Uniform:
		s = fmt.Sprintf("%s(%s;%s)", d.Kind, g(d.A), g(d.B))
	case Empirical:
		parts := make([]string, len(d.Q))
		for i, q := range d.Q {
			parts[i] = g(d.prob(i)) + ":" + g(q)
		}
		s = "empirical(" + strings.Join(parts, ";") + ")"
	default:
		s = d.Kind.String()
	}
	if d.Lo != 0 || d.Hi != 0 {
		s += fmt.Sprintf("[%s;%s]", g(d.Lo), g(d.Hi))
	}
	return s
}

// ErrDistSyntax is wrapped by every ParseDist error.
var ErrDistSyntax = errors.New("workload: bad distribution")

// ParseDist reads a distribution written as
//
//	const(V)  exp(MEAN)  lognormal(MU;SIGMA)  median(MEDIAN;SIGMA)  pareto(XM;ALPHA)
//	uniform(LO;HI)  empirical(P:Q;P:Q;...)  or a bare number (a constant)
//
// optionally followed by a clamp "[LO;HI]". Semicolons separate the arguments so that
// a distribution can be the value of a k=v parameter in a comma-separated spec.
// median(M;S) is the lognormal with median M. The result is validated.
func ParseDist(s string) (Dist, error) {
	s = strings.TrimSpace(s)
	fail := func(why string) (Dist, error) {
		return Dist{}, fmt.Errorf("%w %q: %s (want e.g. 5, exp(300), lognormal(4;1.2), median(60;1.5), pareto(1;1.5), uniform(1;8), empirical(0:1;0.5:4;1:64), optionally followed by a clamp [lo;hi])", ErrDistSyntax, s, why)
	}
	var d Dist
	body := s
	if i := strings.IndexByte(s, '['); i >= 0 {
		if !strings.HasSuffix(s, "]") {
			return fail("unterminated clamp")
		}
		lo, hi, ok := strings.Cut(s[i+1:len(s)-1], ";")
		if !ok {
			return fail("clamp needs [lo;hi]")
		}
		var err1, err2 error
		d.Lo, err1 = strconv.ParseFloat(strings.TrimSpace(lo), 64)
		d.Hi, err2 = strconv.ParseFloat(strings.TrimSpace(hi), 64)
		if err1 != nil || err2 != nil {
			return fail("clamp bounds must be numbers")
		}
		body = strings.TrimSpace(s[:i])
	}
	if v, err := strconv.ParseFloat(body, 64); err == nil {
		d.Kind, d.A = Constant, v
		if err := d.Validate(); err != nil {
			return Dist{}, fmt.Errorf("%w %q: %v", ErrDistSyntax, s, err)
		}
		return d, nil
	}
	name, args, ok := strings.Cut(body, "(")
	if !ok || !strings.HasSuffix(args, ")") {
		return fail("not a number or NAME(ARGS)")
	}
	args = args[:len(args)-1]
	parts := strings.Split(args, ";")
	nums := func(want int) ([]float64, bool) {
		if len(parts) != want {
			return nil, false
		}
		out := make([]float64, want)
		for i, p := range parts {
			v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return nil, false
			}
			out[i] = v
		}
		return out, true
	}
	switch strings.TrimSpace(strings.ToLower(name)) {
	case "const", "constant":
		v, ok := nums(1)
		if !ok {
			return fail("const takes one number")
		}
		d.Kind, d.A = Constant, v[0]
	case "exp", "exponential":
		v, ok := nums(1)
		if !ok {
			return fail("exp takes one number, the mean")
		}
		d.Kind, d.A = Exponential, v[0]
	case "lognormal":
		v, ok := nums(2)
		if !ok {
			return fail("lognormal takes mu;sigma")
		}
		d.Kind, d.A, d.B = LogNormal, v[0], v[1]
	case "median":
		v, ok := nums(2)
		if !ok || v[0] <= 0 {
			return fail("median takes median;sigma with median > 0")
		}
		d.Kind, d.A, d.B = LogNormal, math.Log(v[0]), v[1]
	case "pareto":
		v, ok := nums(2)
		if !ok {
			return fail("pareto takes xm;alpha")
		}
		d.Kind, d.A, d.B = Pareto, v[0], v[1]
	case "uniform":
		v, ok := nums(2)
		if !ok {
			return fail("uniform takes lo;hi")
		}
		d.Kind, d.A, d.B = Uniform, v[0], v[1]
	case "empirical":
		d.Kind = Empirical
		for _, p := range parts {
			ps, qs, ok := strings.Cut(p, ":")
			if !ok {
				return fail("empirical points are P:Q")
			}
			pv, err1 := strconv.ParseFloat(strings.TrimSpace(ps), 64)
			qv, err2 := strconv.ParseFloat(strings.TrimSpace(qs), 64)
			if err1 != nil || err2 != nil {
				return fail("empirical points are numbers P:Q")
			}
			d.P = append(d.P, pv)
			d.Q = append(d.Q, qv)
		}
	default:
		return fail("unknown distribution " + strconv.Quote(name))
	}
	if err := d.Validate(); err != nil {
		return Dist{}, fmt.Errorf("%w %q: %v", ErrDistSyntax, s, err)
	}
	return d, nil
}

// Sampler draws from a Dist with its own random source. It holds no per-draw state
// and does not allocate. Not safe for concurrent use.
type Sampler struct {
	d   Dist
	rnd *rand.Rand
	exp distuv.Exponential
	ln  distuv.LogNormal
	par distuv.Pareto
	uni distuv.Uniform
}

// NewSampler returns a sampler of d drawing from rnd. d must be valid.
func NewSampler(d Dist, rnd *rand.Rand) Sampler {
	s := Sampler{d: d, rnd: rnd}
	switch d.Kind {
	case Exponential:
		s.exp = distuv.Exponential{Rate: 1 / d.A, Src: rnd}
	case LogNormal:
		s.ln = distuv.LogNormal{Mu: d.A, Sigma: d.B, Src: rnd}
	case Pareto:
		s.par = distuv.Pareto{Xm: d.A, Alpha: d.B, Src: rnd}
	case Uniform:
		s.uni = distuv.Uniform{Min: d.A, Max: d.B, Src: rnd}
	}
	return s
}

// Dist returns the sampled distribution.
func (s *Sampler) Dist() Dist { return s.d }

// Draw returns one clamped draw.
func (s *Sampler) Draw() float64 {
	var x float64
	switch s.d.Kind {
	case Constant:
		x = s.d.A
	case Exponential:
		x = s.exp.Rand()
	case LogNormal:
		x = s.ln.Rand()
	case Pareto:
		x = s.par.Rand()
	case Uniform:
		x = s.uni.Rand()
	case Empirical:
		x = s.d.empiricalQuantile(s.rnd.Float64())
	}
	return s.d.clamp(x)
}

// FromNormal maps a standard normal deviate z to a clamped draw of the distribution
// with the same rank (x = Quantile(Φ(z))): the building block of a Gaussian copula,
// which is how correlated requests are drawn. For a lognormal this is exp(μ + σz).
func (s *Sampler) FromNormal(z float64) float64 {
	var x float64
	switch s.d.Kind {
	case Constant:
		x = s.d.A
	case LogNormal:
		x = math.Exp(s.d.A + s.d.B*z)
	default:
		x = s.d.Quantile(0.5 * math.Erfc(-z/math.Sqrt2))
	}
	return s.d.clamp(x)
}

// Choice is a discrete distribution over integer values with relative weights (a
// categorical distribution): GPU counts per task, priorities, gang sizes.
type Choice struct {
	Values  []int64
	Weights []float64 // relative, ≥ 0, at least one > 0; nil = equal weights
}

// Validate reports an empty or inconsistent choice.
func (c *Choice) Validate() error {
	if len(c.Values) == 0 {
		return errors.New("workload: choice has no values")
	}
	if c.Weights == nil {
		return nil
	}
	if len(c.Weights) != len(c.Values) {
		return fmt.Errorf("workload: choice has %d weights for %d values", len(c.Weights), len(c.Values))
	}
	var sum float64
	for i, w := range c.Weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("workload: choice weight %d (%g) must be a finite number ≥ 0", i, w)
		}
		sum += w
	}
	if sum <= 0 {
		return errors.New("workload: choice weights sum to zero")
	}
	return nil
}

// Prob returns the probability of the i-th value.
func (c *Choice) Prob(i int) float64 {
	if c.Weights == nil {
		return 1 / float64(len(c.Values))
	}
	var sum float64
	for _, w := range c.Weights {
		sum += w
	}
	return c.Weights[i] / sum
}

// Mean returns the expected value.
func (c *Choice) Mean() float64 {
	var m float64
	for i, v := range c.Values {
		m += c.Prob(i) * float64(v)
	}
	return m
}

// String formats c as "v:w;v:w" (the syntax ParseChoice reads).
func (c Choice) String() string {
	parts := make([]string, len(c.Values))
	for i, v := range c.Values {
		parts[i] = strconv.FormatInt(v, 10) + ":" + strconv.FormatFloat(c.Prob(i), 'g', 4, 64)
	}
	return strings.Join(parts, ";")
}

// ParseChoice reads "V:W;V:W;..." (values with relative weights) or "V;V;..." (equal
// weights).
func ParseChoice(s string) (Choice, error) {
	var c Choice
	weighted := strings.Contains(s, ":")
	for _, p := range strings.Split(s, ";") {
		vs, ws, _ := strings.Cut(p, ":")
		v, err := strconv.ParseInt(strings.TrimSpace(vs), 10, 64)
		if err != nil {
			return Choice{}, fmt.Errorf("workload: bad choice %q: value %q is not an integer (want V:W;V:W or V;V)", s, vs)
		}
		c.Values = append(c.Values, v)
		if weighted {
			w, err := strconv.ParseFloat(strings.TrimSpace(ws), 64)
			if err != nil {
				return Choice{}, fmt.Errorf("workload: bad choice %q: weight %q is not a number (want V:W;V:W)", s, ws)
			}
			c.Weights = append(c.Weights, w)
		}
	}
	return c, c.Validate()
}

// chooser draws from a Choice with a precomputed cumulative table.
type chooser struct {
	values []int64
	cum    []float64 // cumulative probabilities; last is 1
}

func newChooser(c Choice) chooser {
	ch := chooser{values: c.Values, cum: make([]float64, len(c.Values))}
	var acc float64
	for i := range c.Values {
		acc += c.Prob(i)
		ch.cum[i] = acc
	}
	ch.cum[len(ch.cum)-1] = 1
	return ch
}

func (c *chooser) draw(r *rand.Rand) int64 {
	if len(c.values) == 1 {
		return c.values[0]
	}
	u := r.Float64()
	for i, p := range c.cum {
		if u < p {
			return c.values[i]
		}
	}
	return c.values[len(c.values)-1]
}

// Bounds returns the smallest and largest values d can take, clamp included: lo
// and, when bounded, hi. A distribution with an unbounded upper tail and no upper
// clamp (exp, lognormal, pareto) has bounded false.
func (d *Dist) Bounds() (lo, hi float64, bounded bool) {
	switch d.Kind {
	case Constant:
		lo, hi, bounded = d.A, d.A, true
	case Uniform:
		lo, hi, bounded = d.A, d.B, true
	case Empirical:
		if len(d.Q) > 0 {
			lo, hi, bounded = d.Q[0], d.Q[len(d.Q)-1], true
		}
	case Pareto:
		lo = d.A
	}
	if d.Lo > lo {
		lo = d.Lo
	}
	if d.Hi > 0 {
		if !bounded || d.Hi < hi {
			hi = d.Hi
		}
		bounded = true
		if lo > hi {
			lo = hi
		}
	}
	if d.Kind == Constant || d.Kind == Uniform || d.Kind == Empirical {
		// A clamp moves values onto its bounds.
		lo, hi = d.clamp(lo), d.clamp(hi)
	}
	return lo, hi, bounded
}
