package gang

import "github.com/schedlab/schedlab/scheduler"

// gate is the admission stage in front of the placement mode: which gangs may
// place members at all.
type gate interface {
	// onArrival reports whether a new group of job j is admitted as it arrives.
	onArrival(j *scheduler.Job) bool
	// admit runs at the start of every pass and admits waiting groups.
	admit(s *Scheduler)
	// prune returns g's reservation once its gang started or ended, or (gone) the
	// group is dropped.
	prune(g *group, gone bool)
	// wakeAt returns when the gate must be tried again without a release, or
	// scheduler.Forever.
	wakeAt(flushAfter scheduler.Time) scheduler.Time
	// report adds the gate's counters to a run's result.
	report(r *scheduler.Result)
}

// openGate admits everything on arrival (Config.Overcommit 0).
type openGate struct{}

func (openGate) onArrival(*scheduler.Job) bool        { return true }
func (openGate) admit(*Scheduler)                     {}
func (openGate) prune(*group, bool)                   {}
func (openGate) wakeAt(scheduler.Time) scheduler.Time { return scheduler.Forever }
func (openGate) report(*scheduler.Result)             {}

// overcommitGate is Volcano's enqueue action: a gang is admitted only while the
// MinMember requests of the admitted, not yet started gangs (inqueue) plus its own
// fit in factor × capacity − allocated on the resources it requests. Jobs that are
// not gangs pass on arrival.
type overcommitGate struct {
	factor   float64
	inqueue  scheduler.Resources
	gatedAt  scheduler.Time // last pass that left a gang at the gate; -1 = none
	admitted int
}

func newOvercommitGate(factor float64) *overcommitGate {
	return &overcommitGate{factor: factor, gatedAt: -1}
}

func (o *overcommitGate) onArrival(j *scheduler.Job) bool { return !j.IsGang() }

func (o *overcommitGate) admit(s *Scheduler) {
	o.gatedAt = -1
	for _, g := range s.groupOrder() {
		if g.admitted {
			continue
		}
		if g.job.GangReady >= 0 {
			// The gang started before: these are members resubmitted after a
			// node failure, and the job is past the gate (Volcano does not
			// enqueue a running PodGroup again). Gating them anew left them
			// pending for good with no retry armed (deep conformance:
			// testdata/admission-started-gang-member.json).
			g.admitted = true
			continue
		}
		o.admitOne(s, g)
	}
}

// admitOne admits g if it fits the gate now, fails it if it never can, and
// otherwise leaves it waiting.
func (o *overcommitGate) admitOne(s *Scheduler, g *group) {
	st := s.sim.State
	var minRes scheduler.Resources
	for i := 0; i < int(g.job.MinMember) && i < len(g.job.Tasks); i++ {
		minRes = minRes.Add(g.job.Tasks[i].Request)
	}
	if o.never(st, minRes) && st.NumNodes() > 0 {
		// Not admissible even into an empty cluster: Unresolvable.
		for _, m := range g.members {
			s.sim.Fail(m.t, "gang can never be admitted: its MinMember requests exceed overcommit x capacity")
		}
		return
	}
	if !o.fits(st, minRes) {
		o.gatedAt = s.sim.Now()
		return
	}
	g.admitted, g.inqueue, g.minRes = true, true, minRes
	o.inqueue = o.inqueue.Add(minRes)
	o.admitted++
}

// never reports whether minRes exceeds factor × the capacity of every node that
// is not removed. Against those and not the up ones: a gang that only the nodes
// now down could admit waits for them (failing it was a bug found by deep
// conformance: testdata/admission-node-down.json).
func (o *overcommitGate) never(st *scheduler.State, minRes scheduler.Resources) bool {
	potential := st.Potential()
	never := false
	for r := range minRes {
		if minRes[r] > int64(float64(potential[r])*o.factor) {
			never = true
		}
	}
	return never
}

// fits reports whether minRes fits the gate's headroom on every resource it
// requests.
func (o *overcommitGate) fits(st *scheduler.State, minRes scheduler.Resources) bool {
	capa, alloc := st.Capacity(), st.Allocated()
	for r := range minRes {
		if minRes[r] == 0 {
			continue
		}
		idle := int64(float64(capa[r])*o.factor) - alloc[r]
		if o.inqueue[r]+minRes[r] > idle {
			return false
		}
	}
	return true
}

func (o *overcommitGate) prune(g *group, gone bool) {
	if g.inqueue && (gone || g.job.GangReady >= 0 || g.job.Done >= 0 || g.job.Abandoned) {
		o.inqueue = o.inqueue.Sub(g.minRes)
		g.inqueue = false
	}
}

// wakeAt: a gang waits at the gate, so the gate is tried again after FlushAfter
// even if no release comes (Volcano runs its enqueue action every session), so
// that it is never left without a wake-up (deep conformance:
// testdata/admission-gate-no-release.json).
func (o *overcommitGate) wakeAt(flushAfter scheduler.Time) scheduler.Time {
	if o.gatedAt < 0 {
		return scheduler.Forever
	}
	return o.gatedAt + flushAfter
}

func (o *overcommitGate) report(r *scheduler.Result) {
	r.SetExtra("gang_admitted", float64(o.admitted))
}
