package scheduler

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Without censoring the Kaplan–Meier estimate is the empirical distribution: its
// quantiles and mean equal percentiles' (ties included).
func TestKaplanMeierWithoutCensoringIsEmpirical(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 500; trial++ {
		n := 1 + rng.IntN(300)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(50)) // many ties
		}
		slices.Sort(xs)
		want := percentiles(slices.Clone(xs))
		got := kaplanMeier(xs, nil, xs[n-1])
		if got.P50 != want.P50 || got.P90 != want.P90 || got.P99 != want.P99 || math.Abs(got.Mean-want.Mean) > 1e-9*max(1, want.Mean) {
			t.Fatalf("n=%d: KM %+v, empirical %+v", n, got, want)
		}
	}
}

// A worked example: 3, 4+, 5, 6+, 8 (+ = censored). S(3) = 4/5, S(5) = 4/5·2/3,
// S(8) = 0; the median is 8 and the mean the area under S: 3 + 2·0.8 + 3·0.5333.
func TestKaplanMeierWorkedExample(t *testing.T) {
	p := survival([]float64{8, 3, 5}, []float64{6, 4})
	if p.P50 != 8 || p.P90 != 8 || p.N != 5 || p.NStarted != 3 || p.NCensored != 2 || p.Above != 8 {
		t.Fatalf("%+v", p)
	}
	if want := 3 + 2*0.8 + 3*0.8*2/3; math.Abs(p.Mean-want) > 1e-12 || p.MeanAbove != p.Mean {
		t.Fatalf("mean %v, want %v", p.Mean, want)
	}
	// An event and a censoring at the same value: the event comes first, so the
	// censored one is still at risk there. 2, 2+, 4: S(2) = 2/3, S(4) = 0.
	p = survival([]float64{2, 4}, []float64{2})
	if p.P50 != 4 || math.Abs(p.Mean-(2+2*2.0/3)) > 1e-12 {
		t.Fatalf("tie: %+v", p)
	}
}

// Percentiles beyond the longest observation are NaN (null in JSON), never the
// started-only figure; Above bounds them.
func TestSurvivalCensoredTail(t *testing.T) {
	p := survival([]float64{1, 2}, []float64{10, 10, 10})
	if !math.IsNaN(p.P50) || !math.IsNaN(p.P99) || !math.IsNaN(p.Mean) || p.Defined() || p.Above != 10 {
		t.Fatalf("%+v", p)
	}
	if want := 1 + 1*0.8 + 8*0.6; math.Abs(p.MeanAbove-want) > 1e-12 {
		t.Fatalf("restricted mean %v, want %v", p.MeanAbove, want)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"p50":null,"p90":null,"p99":null,"mean":null,"n":5,"n_started":2,"n_censored":3,"above":10,"mean_above":`; !strings.HasPrefix(string(b), want) {
		t.Fatalf("JSON %s, want it to begin %s", b, want)
	}
	var back Percentiles
	if err := json.Unmarshal(b, &back); err != nil || !math.IsNaN(back.P50) || back.NCensored != 3 || back.MeanAbove != p.MeanAbove {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	// p50 defined, p99 not.
	p = survival([]float64{1, 2, 3, 4}, []float64{9})
	if p.P50 != 3 || !math.IsNaN(p.P99) {
		t.Fatalf("%+v", p)
	}
}

// A scheduler that never starts a job cannot report a short wait: the censored
// wait counts it, the started-only form does not.
func TestCensoredWaitCountsJobsNeverStarted(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes = []Node{{Name: "a", Capacity: Res(4000, 4096, 0)}}
	cfg.Horizon = 100 * Second
	var jobs []*Job
	jobs = append(jobs, job(1, 0, 1, Res(4000, 0, 0), Forever)) // takes the node for good
	for i := 2; i <= 5; i++ {
		jobs = append(jobs, job(i, Time(i)*Second, 1, Res(1000, 0, 0), Second))
	}
	sched, err := NewMonolithic(MonolithicConfig{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(cfg, &SliceSource{Jobs: jobs}, sched)
	if err != nil {
		t.Fatal(err)
	}
	w := res.JobWait
	if w.N != 5 || w.NStarted != 1 || w.NCensored != 4 || !math.IsNaN(w.P50) || w.Above != 98 {
		t.Fatalf("censored wait %+v", w)
	}
	if s := res.JobWaitStarted; s.N != 1 || s.P50 != 0 {
		t.Fatalf("started-only wait %+v", s)
	}
	if c := res.JobCompletion; c.N != 5 || c.NCensored != 5 || !math.IsNaN(c.P50) {
		t.Fatalf("completion %+v", c)
	}
	if res.SchemaVersion != SchemaVersion {
		t.Fatalf("schema_version %d", res.SchemaVersion)
	}
}
