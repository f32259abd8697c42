package mesos

import (
	"github.com/schedlab/schedlab/scheduler"
)

// Keys of the metrics Mesos adds to Result.Extra. They are stable: added, never
// renamed. Per-framework variants append "." and the framework's name
// (e.g. "mesos_abandoned_jobs.batch").
const (
	// KeyLockedFraction is the time-weighted fraction of the cell locked in
	// outstanding offers: ∫ locked dt / ∫ capacity dt, for the dominant resource
	// (the larger of CPU and memory, and GPU when the cell has GPUs).
	KeyLockedFraction = "mesos_locked_fraction"
	// KeyLockedCPU, KeyLockedMem and KeyLockedGPU are the same per resource.
	KeyLockedCPU = "mesos_locked_fraction_cpu"
	KeyLockedMem = "mesos_locked_fraction_mem"
	KeyLockedGPU = "mesos_locked_fraction_gpu"
	// KeyHoardedIdle is the time-weighted fraction of the cell hoarded by gang
	// frameworks (held, not running), dominant resource; per resource below.
	KeyHoardedIdle    = "mesos_hoarded_idle_fraction"
	KeyHoardedIdleCPU = "mesos_hoarded_idle_fraction_cpu"
	KeyHoardedIdleMem = "mesos_hoarded_idle_fraction_mem"
	KeyHoardedIdleGPU = "mesos_hoarded_idle_fraction_gpu"
	// KeyStarvedJobs counts jobs that never received an offer in which one of
	// their pending tasks (for a gang, one member) fit — counted when the job
	// ends, or at the end of the run for jobs still waiting. KeyStarvedFraction
	// divides by the jobs the frameworks received.
	KeyStarvedJobs     = "mesos_starved_jobs"
	KeyStarvedFraction = "mesos_starved_fraction"
	// KeyAbandonedJobs counts jobs the frameworks gave up (attempt limits).
	KeyAbandonedJobs = "mesos_abandoned_jobs"
	// KeyOffers, KeyDeclined and KeyRescinded count offers made, offers from
	// which nothing was launched or held, and offers withdrawn by the offer
	// timeout.
	KeyOffers    = "mesos_offers"
	KeyDeclined  = "mesos_offers_declined"
	KeyRescinded = "mesos_offers_rescinded"
	// KeyAttempts counts job attempts (a job handled in an offer: the Omega
	// simulator's numSchedulingAttempts), KeyMaxAttempts the most of one job;
	// KeyIdleOffers counts offers in which no job was handled, KeyEmptyOffers
	// those in which jobs were handled and nothing was placed (both declined).
	// Per framework only (suffix ".NAME").
	KeyAttempts    = "mesos_attempts"
	KeyMaxAttempts = "mesos_attempts_max"
	KeyIdleOffers  = "mesos_offers_idle"
	KeyEmptyOffers = "mesos_offers_empty"
	// KeyMaxLock is the longest time one offer stayed locked, in seconds.
	KeyMaxLock = "mesos_offer_lock_max_seconds"
	// KeyRounds counts allocation rounds.
	KeyRounds = "mesos_rounds"
	// KeyDeadlockCheck counts the calls to the core deadlock detector.
	// KeyHoldTimeouts counts hold timeouts of partial gangs, and KeyGangReleases
	// the members released by them.
	KeyHoldTimeouts  = "mesos_hold_timeouts"
	KeyGangReleases  = "mesos_gang_releases"
	KeyJobs          = "mesos_jobs"
	KeyDeadlockCheck = "mesos_deadlock_checks"
	// KeyBusyness prefixes each framework's busyness (busy time / run time,
	// useful and wasted): "mesos_framework.NAME.busyness". Result.Busyness is
	// their mean.
	KeyBusyness = "mesos_framework"
)

// accounting integrates locked and hoarded resources over simulated time.
type accounting struct {
	last                     scheduler.Time
	locked, held, capacity   [scheduler.NumResources]float64
	lastCap                  scheduler.Resources
	lastLocked, lastHeldIdle scheduler.Resources
	started                  bool
}

// account integrates the values current since the last call up to now. It is
// called at the start of every callback, before the callback changes anything,
// so the values read have held since the previous callback.
func (m *Mesos) account() {
	a := &m.acct
	now := m.sim.Now()
	st := m.sim.State
	if !a.started {
		a.started = true
		a.last = now
	}
	if dt := (now - a.last).Seconds(); dt > 0 {
		c, l, h := st.Capacity(), m.lockedTotal, st.Held()
		for r := range c {
			a.capacity[r] += float64(c[r]) * dt
			a.locked[r] += float64(l[r]) * dt
			a.held[r] += float64(h[r]) * dt
		}
	}
	a.last = now
}

func fraction(num, den [scheduler.NumResources]float64, r scheduler.Resource) float64 {
	if den[r] == 0 {
		return 0
	}
	return num[r] / den[r]
}

func dominant(num, den [scheduler.NumResources]float64) float64 {
	d := 0.0
	for _, r := range []scheduler.Resource{scheduler.CPU, scheduler.Memory, scheduler.GPU} {
		d = max(d, fraction(num, den, r))
	}
	return d
}

// Report implements scheduler.Reporter: the Mesos metrics go into r.Extra under
// the Key* names, the deadlock detector's findings into r.Deadlock, and the
// frameworks' busy time (useful when an offer led to a launch or hold, wasted
// otherwise, averaged over frameworks) into r.Busyness. Result.Deadlock is filled by
// the core detector, which Mesos calls after every pass that makes no progress.
func (m *Mesos) Report(r *scheduler.Result) {
	m.account()
	a := &m.acct
	r.SetExtra(KeyLockedFraction, dominant(a.locked, a.capacity))
	r.SetExtra(KeyLockedCPU, fraction(a.locked, a.capacity, scheduler.CPU))
	r.SetExtra(KeyLockedMem, fraction(a.locked, a.capacity, scheduler.Memory))
	r.SetExtra(KeyHoardedIdle, dominant(a.held, a.capacity))
	r.SetExtra(KeyHoardedIdleCPU, fraction(a.held, a.capacity, scheduler.CPU))
	r.SetExtra(KeyHoardedIdleMem, fraction(a.held, a.capacity, scheduler.Memory))
	if a.capacity[scheduler.GPU] > 0 {
		r.SetExtra(KeyLockedGPU, fraction(a.locked, a.capacity, scheduler.GPU))
		r.SetExtra(KeyHoardedIdleGPU, fraction(a.held, a.capacity, scheduler.GPU))
	}
	var starved, jobs, abandoned, offers, declined, rescinded, timeouts, releases int
	var useful, wasted float64
	T := m.sim.Now()
	for _, f := range m.fws {
		f.pruneQueue()
		f.pruneLive(true)
		st, jb := f.stats.starved, f.stats.jobs
		for _, e := range f.live {
			jb++
			if !e.offeredEnough {
				st++
			}
		}
		n := "." + f.cfg.Name
		r.SetExtra(KeyStarvedJobs+n, float64(st))
		r.SetExtra(KeyJobs+n, float64(jb))
		r.SetExtra(KeyAbandonedJobs+n, float64(f.stats.abandoned))
		r.SetExtra(KeyOffers+n, float64(f.stats.offers))
		r.SetExtra(KeyDeclined+n, float64(f.stats.declined))
		r.SetExtra(KeyAttempts+n, float64(f.stats.attempts))
		r.SetExtra(KeyMaxAttempts+n, float64(f.stats.maxAttempts))
		r.SetExtra(KeyIdleOffers+n, float64(f.stats.idleOffers))
		r.SetExtra(KeyEmptyOffers+n, float64(f.stats.emptyOffers))
		if T > 0 {
			r.SetExtra(KeyBusyness+n+".busyness", float64(f.stats.busyUseful+f.stats.busyWasted)/float64(T))
		}
		starved += st
		jobs += jb
		abandoned += f.stats.abandoned
		offers += f.stats.offers
		declined += f.stats.declined
		rescinded += f.stats.rescinded
		timeouts += f.stats.holdTimeouts
		releases += f.stats.gangReleases
		if T > 0 {
			useful += float64(f.stats.busyUseful) / float64(T)
			wasted += float64(f.stats.busyWasted) / float64(T)
		}
	}
	r.SetExtra(KeyStarvedJobs, float64(starved))
	r.SetExtra(KeyJobs, float64(jobs))
	if jobs > 0 {
		r.SetExtra(KeyStarvedFraction, float64(starved)/float64(jobs))
	} else {
		r.SetExtra(KeyStarvedFraction, 0)
	}
	r.SetExtra(KeyAbandonedJobs, float64(abandoned))
	r.SetExtra(KeyOffers, float64(offers))
	r.SetExtra(KeyDeclined, float64(declined))
	r.SetExtra(KeyRescinded, float64(rescinded))
	r.SetExtra(KeyRounds, float64(m.rounds))
	r.SetExtra(KeyMaxLock, m.maxLock.Seconds())
	r.SetExtra(KeyHoldTimeouts, float64(timeouts))
	r.SetExtra(KeyGangReleases, float64(releases))
	r.SetExtra(KeyDeadlockCheck, float64(m.checks))
	if k := len(m.fws); k > 0 {
		r.Busyness.Useful = useful / float64(k)
		r.Busyness.Wasted = wasted / float64(k)
		r.Busyness.Schedulers = k
	}
}
