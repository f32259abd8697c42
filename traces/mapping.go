package traces

import (
	"github.com/schedlab/schedlab/scheduler"
)

// traceEnd returns the end of the trace used by the Censored rule: the option,
// else the documented length, else the largest time seen in the data.
func (b *builder) traceEnd(documented scheduler.Time) scheduler.Time {
	switch {
	case b.opt.TraceEnd > 0:
		return b.opt.TraceEnd
	case documented > 0:
		return documented
	case b.haveTime:
		return b.last
	}
	return 0
}

// lifetime is what a trace says about one task attempt, in simulated time since
// the origin.
type lifetime struct {
	submit   scheduler.Time
	start    scheduler.Time
	hasStart bool
	end      scheduler.Time
	hasEnd   bool
}

// resolve applies the PreTrace and Censored rules to a task's lifetime: it returns
// the submit time, the runtime, the task flags, and drop = true when a rule drops
// the task. end is the trace end for censored tasks.
func (b *builder) resolve(l lifetime, end scheduler.Time) (submit, runtime scheduler.Time, flags uint8, drop bool) {
	submit = l.submit
	start := l.start
	if !l.hasStart {
		start = submit
	}
	if submit < 0 || start < 0 {
		flags |= flagLeftCensored
		if b.opt.PreTrace == "drop" {
			return 0, 0, flags, true
		}
		submit = max(submit, 0)
		start = max(start, 0)
	}
	if !l.hasEnd {
		flags |= flagCensored
		switch b.opt.Censored {
		case "drop":
			return 0, 0, flags, true
		case "unbounded":
			return submit, scheduler.Forever, flags, false
		}
		runtime = end - start
	} else {
		runtime = l.end - start
	}
	if runtime < 0 {
		b.count("negative_runtime_as_zero", 1)
		runtime = 0
	}
	return submit, runtime, flags, false
}

// invalid applies InvalidValue to a value outside [lo, hi]: it returns the value
// to use and ok = false when it is to be treated as missing.
func (b *builder) invalid(v, lo, hi float64, what string) (float64, bool, error) {
	if v >= lo && v <= hi {
		return v, true, nil
	}
	b.count("invalid_"+what, 1)
	switch b.opt.InvalidValue {
	case "clamp":
		return min(max(v, lo), hi), true, nil
	case "error":
		return 0, false, badf("%s: %s value %v outside [%v, %v] (option invalid=error)", b.format, what, v, lo, hi)
	}
	return 0, false, nil
}

// gang returns the gang option for a trace whose natural default is def.
func (b *builder) gang(def string) string {
	g := b.opt.Gang
	if g == "default" {
		g = def
	}
	if g == "attempt" {
		return "job"
	}
	return g
}

// orphanN counts n references to absent entities, or fails under orphans=error.
func (b *builder) orphanN(what string, n int) error {
	b.st.Counters["orphan_"+what] += int64(n)
	if b.opt.Orphans == "error" && n > 0 {
		return badf("%s: %d reference(s) to an absent %s (option orphans=error)", b.format, n, what)
	}
	return nil
}
