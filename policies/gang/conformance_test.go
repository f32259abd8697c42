package gang

import (
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/scheduler/schedtest"
)

// TestConformance runs the shared conformance suite (scheduler/schedtest) on every
// variant, declaring what each promises:
//
//   - Strict: gang-atomic, deadlock-free and work-conserving.
//   - Strict behind Volcano's gate: gang-atomic only (the gate can starve a job that
//     fits behind one that never will: kube-batch#514).
//   - Permit (coscheduling defaults), KEP-4671 alpha, NonStrict with and without a
//     timeout, Hard placeholders: gang-atomic (held members start together), not
//     deadlock-free (partial holds deadlock until a timeout, or for good, or
//     livelock).
//   - Soft placeholders: nothing beyond safety (after a timeout a gang runs best
//     effort, partially).
func TestConformance(t *testing.T) {
	hard := DefaultConfig(Placeholder)
	hard.Style = Hard
	gate := DefaultConfig(Strict)
	gate.Overcommit = 1.2
	cases := []struct {
		name string
		cfg  Config
		opt  schedtest.Options
	}{
		{"strict", DefaultConfig(Strict), schedtest.Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true}},
		{"strict-firstfit-greedy", with(DefaultConfig(Strict), func(c *Config) { c.Placer = scheduler.FirstFit{}; c.Backtrack = 0 }),
			schedtest.Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true}},
		{"admission-1.2", gate, schedtest.Options{GangAtomic: true}},
		{"permit", DefaultConfig(Permit), schedtest.Options{GangAtomic: true}},
		{"permit-kep4671", KEP4671Alpha(), schedtest.Options{GangAtomic: true}},
		{"placeholder-hard", hard, schedtest.Options{GangAtomic: true}},
		{"placeholder-soft-fair", with(DefaultConfig(Placeholder), func(c *Config) { c.Order = Fair }), schedtest.Options{}},
		{"nonstrict", interleaved(DefaultConfig(NonStrict)), schedtest.Options{GangAtomic: true}},
		{"nonstrict-forever", noTimeout(DefaultConfig(NonStrict)), schedtest.Options{GangAtomic: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.Cases = 60
			schedtest.Conformance(t, schedtest.Factory{Name: "gang-" + c.name, Scheduler: func() scheduler.Scheduler {
				s, err := New(c.cfg)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}}, c.opt)
		})
	}
}
