package workload

import (
	"math"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func TestGoogle2011ShapeMatchesThePublishedNumbers(t *testing.T) {
	s := Google2011()
	if n := s.MachineCount(); n != 12583 {
		t.Errorf("%d machines, want 12,583", n)
	}
	if s.Model.Jobs != 672004 || s.Span != 29*scheduler.Day {
		t.Errorf("jobs %d over %v", s.Model.Jobs, s.Span)
	}
	// 25,424,731 tasks / 672,004 jobs = 37.83 tasks per job; the rounded empirical
	// distribution's mean must be within 2%.
	mean := s.Model.Tasks.Mean()
	within(t, "mean tasks per job", mean, 37.83, 0.02*37.83)
	if err := s.Model.Validate(); err != nil {
		t.Fatal(err)
	}
	c, nodes, err := s.Scaled(0.1)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1258 || c.Jobs != 67200 {
		t.Errorf("scaled 0.1: %d nodes, %d jobs", len(nodes), c.Jobs)
	}
	within(t, "scaled rate", c.Arrival.Rate, 0.1*s.Model.Arrival.Rate, 1e-12)
	if _, _, err := s.Scaled(0); err == nil {
		t.Error("scale 0 accepted")
	}
}

// A fitted shape regenerates the statistics of the stream it was fitted to.
func TestFitTraceRecoversTheGeneratingModel(t *testing.T) {
	orig := everything()
	orig.Jobs = 20000
	orig.ServiceFraction = 0.02
	orig.Arrival = Arrival{Kind: Poisson, Rate: 3}
	g, _ := NewSynthetic(orig, 21)
	nodes := OpenBNodes(50)
	shape, err := FitTrace("test", g, nodes)
	if err != nil {
		t.Fatal(err)
	}
	m := shape.Model
	within(t, "rate", m.Arrival.Rate, 3, 0.05)
	within(t, "gang fraction", m.GangFraction, 0.2, 0.015)
	within(t, "service fraction", m.ServiceFraction, 0.02, 0.005)
	within(t, "GPU fraction", m.GPUFraction, 0.3, 0.015)
	within(t, "share fraction", m.GPUShareFraction, 0.3, 0.03)
	within(t, "task runtime spread", m.TaskRuntimeSigma, 0.3, 0.02)
	within(t, "MinMember fraction", m.MinMemberFraction, 0.55, 0.1) // ⌈0.5 n⌉/n ≥ 0.5
	// CPU and memory: the fitted quantiles match the configured (clamped) ones.
	for _, p := range []float64{0.1, 0.5, 0.9} {
		want := orig.CPU.clamp(orig.CPU.Quantile(p))
		within(t, "CPU quantile", m.CPU.Quantile(p)/want, 1, 0.05)
		wantM := orig.Mem.clamp(orig.Mem.Quantile(p))
		within(t, "memory quantile", m.Mem.Quantile(p)/wantM, 1, 0.05)
	}
	// Copula correlation 0.6 on clamped lognormals: the log correlation is a bit lower.
	within(t, "CPU–memory correlation", m.CPUMemCorrelation, 0.6, 0.06)
	if shape.MachineCount() != 50 || len(shape.Machines) < 3 {
		t.Errorf("machines: %d in %d shapes", shape.MachineCount(), len(shape.Machines))
	}
	// Regenerate at twice the size: twice the rate and the jobs, the same mix.
	big, bigNodes, err := shape.Scaled(2)
	if err != nil {
		t.Fatal(err)
	}
	if len(bigNodes) != 100 || big.Jobs != 40000 {
		t.Errorf("scaled: %d nodes, %d jobs", len(bigNodes), big.Jobs)
	}
	jobs := collect(t, big, 3)
	var gangs, tasks float64
	for _, j := range jobs {
		if j.MinMember > 0 {
			gangs++
		}
		tasks += float64(len(j.Tasks))
	}
	within(t, "regenerated gang fraction", gangs/float64(len(jobs)), 0.2, 0.015)
	origJobs := collect(t, orig, 21)
	var origTasks float64
	for _, j := range origJobs {
		origTasks += float64(len(j.Tasks))
	}
	within(t, "regenerated tasks per job (ratio)", (tasks/float64(len(jobs)))/(origTasks/float64(len(origJobs))), 1, 0.05)
	span := jobs[len(jobs)-1].Submit - jobs[0].Submit
	within(t, "regenerated rate", float64(len(jobs))/span.Seconds(), 6, 0.15)
}

func TestLogHistQuantiles(t *testing.T) {
	h := newLogHist()
	for i := 1; i <= 1000; i++ {
		h.add(float64(i))
	}
	q := h.quantiles([]float64{0, 0.5, 0.9, 1})
	if q[0] != 1 || q[3] != 1000 {
		t.Errorf("ends %v", q)
	}
	if math.Abs(q[1]-500)/500 > 0.01 || math.Abs(q[2]-900)/900 > 0.01 {
		t.Errorf("median %g, p90 %g; want 500, 900 within 1%%", q[1], q[2])
	}
}

func TestReplayArrivalsKeepTheTracePattern(t *testing.T) {
	orig := DefaultSynthetic()
	orig.Jobs = 3000
	orig.Arrival = Arrival{Kind: Bursty, Rate: 0.2, BurstRate: 20, CalmMean: scheduler.Minute, BurstMean: 10 * scheduler.Second}
	want := collect(t, orig, 4)
	g, _ := NewSynthetic(orig, 4)
	shape, err := FitTrace("bursty", g, OpenBNodes(10))
	if err != nil {
		t.Fatal(err)
	}
	if err := shape.ReplayArrivals(); err != nil {
		t.Fatal(err)
	}
	got := collect(t, shape.Model, 9)
	if len(got) != len(want) {
		t.Fatalf("%d jobs replayed, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Submit != want[i].Submit {
			t.Fatalf("job %d at %v, want the trace's %v", i, got[i].Submit, want[i].Submit)
		}
	}
	double, _, err := shape.Scaled(2)
	if err != nil {
		t.Fatal(err)
	}
	d := collect(t, double, 9)
	if len(d) != 2*len(want) || d[0].Submit != want[0].Submit || d[1].Submit != want[0].Submit || d[len(d)-1].Submit != want[len(want)-1].Submit {
		t.Fatalf("scaled ×2 replay: %d jobs", len(d))
	}
	empty := Google2011()
	if err := empty.ReplayArrivals(); err == nil {
		t.Error("replay without recorded submits accepted")
	}
}
