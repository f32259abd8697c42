package scheduler

import (
	"errors"
	"fmt"
)

// WindowMode selects the interval over which a run's time-averaged metrics
// (utilization, held-idle, useful utilization, tasks placed and jobs completed
// per simulated hour) are measured.
type WindowMode uint8

const (
	// WindowAll measures from time 0 to the stop: the drain tail after the last
	// arrival included, which dilutes every average towards the load of the
	// longest job.
	WindowAll WindowMode = iota
	// WindowArrivals measures from the first to the last job submission: the
	// period in which the workload offers its load.
	WindowArrivals
	// WindowExplicit measures over [Window.Start, Window.End).
	WindowExplicit
)

// String returns "all", "arrivals" or "explicit".
func (m WindowMode) String() string {
	switch m {
	case WindowAll:
		return "all"
	case WindowArrivals:
		return "arrivals"
	case WindowExplicit:
		return "explicit"
	}
	return fmt.Sprintf("WindowMode(%d)", uint8(m))
}

// Window is the measurement window of Config. Warmup is added to the start in
// every mode. A window that ends before it starts (a warm-up past the last
// arrival) is empty: its averages are 0 and Result.Window says so. A window that
// reaches past the stop ends at the stop.
type Window struct {
	Mode       WindowMode
	Start, End Time // WindowExplicit only: [Start, End)
	Warmup     Time
}

func (w *Window) validate() error {
	switch {
	case w.Mode > WindowExplicit:
		return fmt.Errorf("scheduler: unknown window mode %d", w.Mode)
	case w.Warmup < 0:
		return errors.New("scheduler: negative window warm-up")
	case w.Mode != WindowExplicit && (w.Start != 0 || w.End != 0):
		return fmt.Errorf("scheduler: window start and end are for the explicit mode, not %s", w.Mode)
	case w.Mode == WindowExplicit && (w.Start < 0 || w.End <= w.Start):
		return fmt.Errorf("scheduler: window [%v, %v): want 0 <= start < end", w.Start, w.End)
	}
	return nil
}

// WindowResult is the window a run's time-averaged metrics were measured over.
type WindowResult struct {
	Mode          string  `json:"mode"`
	StartSeconds  float64 `json:"start_seconds"`
	EndSeconds    float64 `json:"end_seconds"`
	WarmupSeconds float64 `json:"warmup_seconds"`
	// Empty is true when the window holds no time (it ended before it started,
	// or the run stopped before it began): the averages are then 0, not measured.
	Empty bool `json:"empty"`
}

// snapshot is the recorder's cumulative counters at one instant.
type snapshot struct {
	at               Time
	alloc, held, cap [NumResources]float64
	placements       int64
	jobsCompleted    int
	taken            bool
}

func (r *recorder) snap(at Time) snapshot {
	return snapshot{at: at, alloc: r.allocInt, held: r.heldInt, cap: r.capInt, placements: r.placements, jobsCompleted: r.jobsCompleted, taken: true}
}

// windowInit sets the boundaries known before the run.
func (r *recorder) windowInit(w Window) {
	r.win = w
	r.winStart, r.winEnd = -1, Forever
	switch w.Mode {
	case WindowAll:
		r.winStart = w.Warmup
	case WindowExplicit:
		r.winStart, r.winEnd = w.Start+w.Warmup, w.End
	}
	r.takeStart()
}

// takeStart snapshots the window's start once the recorder has integrated up to
// it.
func (r *recorder) takeStart() {
	if !r.start.taken && r.winStart >= 0 && r.winStart <= r.last {
		r.start = r.snap(r.last)
	}
}

// integrate adds the state's allocation from r.last to t.
func (r *recorder) integrate(t Time) {
	dt := (t - r.last).Seconds()
	st := r.sim.State
	for i := 0; i < int(NumResources); i++ {
		if st.allocated[i] != 0 {
			r.allocInt[i] += float64(st.allocated[i]) * dt
		}
		if st.held[i] != 0 {
			r.heldInt[i] += float64(st.held[i]) * dt
		}
		r.capInt[i] += float64(st.capacity[i]) * dt
	}
	r.last = t
}

// advance integrates up to t, snapshotting the window's boundaries on the way.
// Events at the start time count in the window; those at the end time do not.
func (r *recorder) advance(t Time) {
	if !r.start.taken && r.winStart >= 0 && r.winStart > r.last && r.winStart <= t {
		r.integrate(r.winStart)
		r.start = r.snap(r.winStart)
	}
	if !r.end.taken && r.winEnd > r.last && r.winEnd <= t {
		r.integrate(r.winEnd)
		r.end = r.snap(r.winEnd)
	}
	r.integrate(t)
}

// windowSubmitted moves the arrivals window's boundaries at a submission.
func (r *recorder) windowSubmitted(now Time) {
	if r.win.Mode != WindowArrivals {
		return
	}
	if r.winStart < 0 {
		r.winStart = now + r.win.Warmup
		r.takeStart()
	}
	r.end = r.snap(now) // the last submission so far
}

// windowed returns the start and end snapshots of the run's window, the end
// clipped to the stop, and the window's record.
func (r *recorder) windowed(stop Time) (a, b snapshot, w WindowResult) {
	a, b = r.start, r.end
	if !b.taken || b.at > stop {
		b = r.snap(stop)
	}
	w = WindowResult{Mode: r.win.Mode.String(), WarmupSeconds: r.win.Warmup.Seconds()}
	if !a.taken || a.at >= b.at {
		at := r.winStart
		if at < 0 {
			at = stop
		}
		w.StartSeconds, w.EndSeconds, w.Empty = at.Seconds(), b.at.Seconds(), true
		return b, b, w
	}
	w.StartSeconds, w.EndSeconds = a.at.Seconds(), b.at.Seconds()
	return a, b, w
}
