package workload

import (
	"math"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// drawArrivals returns n arrival times of a.
func drawArrivals(t *testing.T, a Arrival, n int) []scheduler.Time {
	t.Helper()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	p := newArrivals(a, scheduler.NewRand(3, "arrivals"))
	out := make([]scheduler.Time, 0, n)
	prev := scheduler.Time(-1)
	for range n {
		at, ok := p.next()
		if !ok {
			break
		}
		if at < prev {
			t.Fatalf("arrival %v before the previous %v", at, prev)
		}
		prev = at
		out = append(out, at)
	}
	return out
}

func TestPoissonArrivalsAreExponential(t *testing.T) {
	const rate = 2.5
	ts := drawArrivals(t, Arrival{Kind: Poisson, Rate: rate}, convergeN)
	gaps := make([]float64, len(ts)-1)
	for i := range gaps {
		gaps[i] = (ts[i+1] - ts[i]).Seconds()
	}
	got := float64(len(ts)-1) / (ts[len(ts)-1] - ts[0]).Seconds()
	if math.Abs(got-rate) > 0.01*rate {
		t.Errorf("rate %g, want %g ± 1%%", got, rate)
	}
	exp := Exp(1 / rate)
	// Times are rounded to the microsecond: allow for that in the CDF comparison.
	if d := ksStatistic(gaps, exp.CDF); d > ksTolerance {
		t.Errorf("inter-arrival KS distance %.4f > %.4f", d, ksTolerance)
	}
}

// countsPer returns the number of arrivals in consecutive windows of width w.
func countsPer(ts []scheduler.Time, w scheduler.Time) []float64 {
	n := int(ts[len(ts)-1]/w) + 1
	c := make([]float64, n)
	for _, at := range ts {
		c[at/w]++
	}
	return c[:n-1] // drop the partial last window
}

const time60s = 60 * scheduler.Second

func meanVar(xs []float64) (m, v float64) {
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, v / float64(len(xs)-1)
}

func TestBurstyArrivalsHaveTheMeanRateAndAreOverdispersed(t *testing.T) {
	// Short sojourns give many calm/burst cycles (about 11,000), so the long-run
	// rate is estimated to about 1%.
	a := Arrival{Kind: Bursty, Rate: 1, BurstRate: 20, CalmMean: time60s, BurstMean: 6 * scheduler.Second}
	ts := drawArrivals(t, a, 2000000)
	got := float64(len(ts)-1) / (ts[len(ts)-1] - ts[0]).Seconds()
	want := a.MeanRate() // (1·60 + 20·6) / 66 ≈ 2.727
	if math.Abs(got-want) > 0.03*want {
		t.Errorf("long-run rate %g, want %g ± 3%%", got, want)
	}
	m, v := meanVar(countsPer(ts, 10*scheduler.Second))
	if v/m < 5 {
		t.Errorf("index of dispersion of 10-second counts %.2f, want ≫ 1 (Poisson is 1)", v/m)
	}
	p := drawArrivals(t, Arrival{Kind: Poisson, Rate: want}, 200000)
	if m, v := meanVar(countsPer(p, 10*scheduler.Second)); math.Abs(v/m-1) > 0.1 {
		t.Errorf("Poisson index of dispersion %.3f, want 1 ± 0.1", v/m)
	}
}

func TestDiurnalArrivalsFollowTheRateCurve(t *testing.T) {
	a := Arrival{Kind: Diurnal, Rate: 1, Amplitude: 0.6, Period: scheduler.Day, Peak: 14 * scheduler.Hour}
	ts := drawArrivals(t, a, 30*86400) // about 30 days
	got := float64(len(ts)-1) / (ts[len(ts)-1] - ts[0]).Seconds()
	if math.Abs(got-1) > 0.01 {
		t.Errorf("mean rate %g, want 1 ± 1%%", got)
	}
	var byHour [24]float64
	for _, at := range ts {
		byHour[(at%scheduler.Day)/scheduler.Hour]++
	}
	days := float64(ts[len(ts)-1]) / float64(scheduler.Day)
	for h, c := range byHour {
		mid := (float64(h) + 0.5) * 3600
		// mean rate over the hour ≈ rate at its midpoint (curvature error < 0.1%)
		want := 3600 * days * (1 + 0.6*math.Cos(2*math.Pi*(mid-14*3600)/86400))
		if math.Abs(c-want) > 4*math.Sqrt(want)+0.01*want {
			t.Errorf("hour %d: %v arrivals, want %.0f", h, c, want)
		}
	}
}

func TestReplayArrivalsAreTheGivenTimes(t *testing.T) {
	times := []scheduler.Time{0, 5, 5, 90, 1000}
	got := drawArrivals(t, Arrival{Kind: Replay, Times: times}, 100)
	if len(got) != len(times) {
		t.Fatalf("%d arrivals, want %d", len(got), len(times))
	}
	for i := range times {
		if got[i] != times[i] {
			t.Errorf("arrival %d at %v, want %v", i, got[i], times[i])
		}
	}
	bad := Arrival{Kind: Replay, Times: []scheduler.Time{5, 3}}
	if err := bad.Validate(); err == nil {
		t.Error("decreasing replay times accepted")
	}
}

func TestArrivalValidate(t *testing.T) {
	for _, a := range []Arrival{
		{Kind: Poisson},
		{Kind: Poisson, Rate: math.Inf(1)},
		{Kind: Bursty, Rate: 1, BurstRate: 0, CalmMean: 1, BurstMean: 1},
		{Kind: Bursty, Rate: 1, BurstRate: 2},
		{Kind: Diurnal, Rate: 1, Amplitude: 1.5},
		{Kind: ArrivalKind(9), Rate: 1},
		{Kind: Poisson, Rate: 1, Start: -1},
	} {
		if err := a.Validate(); err == nil {
			t.Errorf("%+v accepted", a)
		}
	}
}
