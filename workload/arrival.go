package workload

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// ArrivalKind names an arrival process.
type ArrivalKind uint8

// Arrival processes. The zero value is Poisson.
const (
	// Poisson arrivals: exponential inter-arrival times at Rate.
	Poisson ArrivalKind = iota
	// Bursty is a two-state Markov-modulated Poisson process (MMPP-2): arrivals at
	// Rate in the calm state and BurstRate in the burst state; the process stays in
	// each state for an exponential time with mean CalmMean or BurstMean.
	Bursty
	// Diurnal is a non-homogeneous Poisson process with rate
	// Rate·(1 + Amplitude·cos(2π(t − Peak)/Period)), drawn by thinning.
	Diurnal
	// Replay submits jobs at the given Times, in order.
	Replay
)

var arrivalNames = [...]string{"poisson", "bursty", "diurnal", "replay"}

// String returns "poisson", "bursty", "diurnal" or "replay".
func (k ArrivalKind) String() string {
	if int(k) < len(arrivalNames) {
		return arrivalNames[k]
	}
	return fmt.Sprintf("ArrivalKind(%d)", int(k))
}

// ParseArrivalKind returns the kind named s.
func ParseArrivalKind(s string) (ArrivalKind, error) {
	for i, n := range arrivalNames {
		if n == s {
			return ArrivalKind(i), nil
		}
	}
	return 0, fmt.Errorf("workload: unknown arrival process %q (valid: poisson, bursty, diurnal, replay)", s)
}

// Arrival configures when jobs arrive. Rates are jobs per simulated second.
type Arrival struct {
	Kind ArrivalKind
	// Rate is the Poisson rate, the calm-state rate of Bursty, or the mean rate of
	// Diurnal (jobs per second).
	Rate float64
	// BurstRate is Bursty's rate in the burst state (jobs per second).
	BurstRate float64
	// CalmMean and BurstMean are Bursty's mean sojourn times in each state.
	CalmMean, BurstMean scheduler.Time
	// Amplitude is Diurnal's relative swing, in [0, 1]: the rate varies between
	// Rate·(1−Amplitude) and Rate·(1+Amplitude).
	Amplitude float64
	// Period is Diurnal's period (default one day when 0) and Peak the time within
	// the period at which the rate peaks.
	Period, Peak scheduler.Time
	// Times are Replay's arrival times, non-decreasing. The slice is read, not copied.
	Times []scheduler.Time
	// Start offsets the first arrival (Poisson, Bursty, Diurnal): arrivals begin
	// at Start rather than 0.
	Start scheduler.Time
}

// MeanRate returns the long-run arrival rate in jobs per second (for Replay, the
// number of times over the span of the times; 0 when there are fewer than two).
func (a *Arrival) MeanRate() float64 {
	switch a.Kind {
	case Bursty:
		c, b := a.CalmMean.Seconds(), a.BurstMean.Seconds()
		return (a.Rate*c + a.BurstRate*b) / (c + b)
	case Replay:
		if len(a.Times) < 2 || a.Times[len(a.Times)-1] == a.Times[0] {
			return 0
		}
		return float64(len(a.Times)-1) / (a.Times[len(a.Times)-1] - a.Times[0]).Seconds()
	}
	return a.Rate
}

// Validate reports an invalid parameter.
func (a *Arrival) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("workload: %s arrivals: "+format, append([]any{a.Kind}, args...)...)
	}
	if a.Start < 0 {
		return bad("negative start")
	}
	switch a.Kind {
	case Poisson:
		if !(a.Rate > 0) || math.IsInf(a.Rate, 0) {
			return bad("rate %g must be > 0 jobs/s", a.Rate)
		}
	case Bursty:
		if !(a.Rate >= 0) || !(a.BurstRate > 0) || math.IsInf(a.Rate+a.BurstRate, 0) {
			return bad("rates %g (calm) and %g (burst) must be ≥ 0 and > 0 jobs/s", a.Rate, a.BurstRate)
		}
		if a.CalmMean <= 0 || a.BurstMean <= 0 {
			return bad("mean sojourns %v (calm) and %v (burst) must be > 0", a.CalmMean, a.BurstMean)
		}
	case Diurnal:
		if !(a.Rate > 0) || math.IsInf(a.Rate, 0) {
			return bad("rate %g must be > 0 jobs/s", a.Rate)
		}
		if !(a.Amplitude >= 0 && a.Amplitude <= 1) {
			return bad("amplitude %g must be in [0, 1]", a.Amplitude)
		}
		if a.Period < 0 {
			return bad("negative period")
		}
	case Replay:
		for i, t := range a.Times {
			if t < 0 || (i > 0 && t < a.Times[i-1]) {
				return bad("time %d (%v) is negative or before the previous one", i, t)
			}
		}
	default:
		return errors.New("workload: unknown arrival kind")
	}
	return nil
}

// arrivals is the state of an arrival process. Time is kept in float64 seconds
// internally (µs resolution over centuries) and rounded on output, so inter-arrival
// times shorter than a microsecond do not accumulate rounding error.
type arrivals struct {
	a        Arrival
	rnd      *rand.Rand
	now      float64 // seconds
	burst    bool
	switchAt float64 // Bursty: time of the next state change
	period   float64
	i        int
}

func newArrivals(a Arrival, rnd *rand.Rand) *arrivals {
	p := &arrivals{a: a, rnd: rnd, now: a.Start.Seconds()}
	if a.Kind == Bursty {
		p.switchAt = p.now + rnd.ExpFloat64()*a.CalmMean.Seconds()
	}
	if a.Kind == Diurnal {
		p.period = a.Period.Seconds()
		if p.period == 0 {
			p.period = scheduler.Day.Seconds()
		}
	}
	return p
}

// next returns the next arrival time, or false when a replay is exhausted.
func (p *arrivals) next() (scheduler.Time, bool) {
	switch p.a.Kind {
	case Poisson:
		p.now += p.rnd.ExpFloat64() / p.a.Rate
	case Bursty:
		for {
			rate := p.a.Rate
			if p.burst {
				rate = p.a.BurstRate
			}
			dt := math.Inf(1)
			if rate > 0 {
				dt = p.rnd.ExpFloat64() / rate
			}
			if p.now+dt <= p.switchAt {
				p.now += dt
				break
			}
			// The process is memoryless: restart the draw at the state change.
			p.now = p.switchAt
			p.burst = !p.burst
			mean := p.a.CalmMean
			if p.burst {
				mean = p.a.BurstMean
			}
			p.switchAt = p.now + p.rnd.ExpFloat64()*mean.Seconds()
		}
	case Diurnal:
		max := p.a.Rate * (1 + p.a.Amplitude)
		peak := p.a.Peak.Seconds()
		for {
			p.now += p.rnd.ExpFloat64() / max
			r := p.a.Rate * (1 + p.a.Amplitude*math.Cos(2*math.Pi*(p.now-peak)/p.period))
			if p.rnd.Float64()*max <= r {
				break
			}
		}
	case Replay:
		if p.i >= len(p.a.Times) {
			return 0, false
		}
		p.i++
		return p.a.Times[p.i-1], true
	}
	return scheduler.Seconds(p.now), true
}
