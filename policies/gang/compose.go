package gang

import "github.com/schedlab/schedlab/scheduler"

// stages are the parts a Scheduler is composed of, chosen once by New from the
// Config: the admission gate, the placement mode (with its member order), the
// hold/permit rule, the timeout rule and the retry backoff.
type stages struct {
	gate    gate
	mode    placement
	hold    holdRule
	timeout timeoutRule
	bo      scheduler.Backoff
}

// compose returns the stages of cfg (after defaults): Config.Variant selects the
// default composition, the other fields parameterise it.
func compose(cfg Config) stages {
	st := stages{gate: openGate{}, hold: accumulate{}, timeout: forever{},
		bo: scheduler.Backoff{Initial: cfg.InitialBackoff, Max: cfg.MaxBackoff, FlushAfter: cfg.FlushAfter}}
	if cfg.Overcommit > 0 {
		st.gate = newOvercommitGate(cfg.Overcommit)
	}
	switch cfg.Variant {
	case Strict:
		st.mode = allOrNothing{gp: &Backtrack{Placer: cfg.Placer, Budget: cfg.Backtrack, Branch: cfg.Branch}}
		return st // it never holds: no hold or timeout rule
	case Permit:
		st.mode = oneByOne{newMemberOrder(cfg.Order)}
		st.hold = permitBarrier{rejectPercent: cfg.RejectPercent, minResources: cfg.MinResources}
		st.timeout = waitTimeout{cfg.Timeout}
	case Placeholder:
		st.mode = reservation{newMemberOrder(cfg.Order)}
		st.bo.Max = -1 // YuniKorn retries pending asks on every scheduling cycle: no backoff
		st.timeout = softTimeout{cfg.Timeout}
		if cfg.Style == Hard {
			st.timeout = hardTimeout{cfg.Timeout}
		}
	case NonStrict:
		st.mode = oneByOne{newMemberOrder(cfg.Order)}
		st.timeout = waitTimeout{cfg.Timeout}
	}
	if cfg.Timeout == scheduler.Forever {
		st.timeout = forever{}
	}
	return st
}
