package omega

import (
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// releaseRace: a batch task (1 core, 1 s) starts on machine 0 at t=0; the service
// job (one task of svcCPU milli-cores) arrives at 0.5 s and its scheduler, deciding
// for 2 s, plans against the state at 0.5 s and commits at 2.5 s. The batch task
// ends at 1 s, inside the service decision; nothing else is placed meanwhile.
func releaseRace(svcCPU int64) []*scheduler.Job {
	return []*scheduler.Job{
		mkJob(1, scheduler.Batch, 0, 1, scheduler.Res(1000, 1024, 0), scheduler.Second),
		mkJob(2, scheduler.Service, 500*scheduler.Millisecond, 1, scheduler.Res(svcCPU, 1024, 0), 10*scheduler.Second),
	}
}

// TestSeqCountsReleases: under DetectSeq with Config.SeqCountsReleases a task that
// ends on the claimed machine during the decision makes the claim conflict (the
// paper's "any change to the machine"); without it only applied claims count, as in
// the released simulator, and the claim commits. A release on another machine, and
// resource-fit detection, never conflict.
func TestSeqCountsReleases(t *testing.T) {
	for _, c := range []struct {
		name     string
		d        scheduler.Detection
		tx       Transaction
		releases bool
		svcCPU   int64 // 1 core: machine 0 (first fit); 4 cores: only machine 1 fits at 0.5 s
		conflict int
		start    scheduler.Time
	}{
		{"seq, simulator rule: a release is no change", scheduler.DetectSeq, Incremental, false, 1000, 0, 2500 * scheduler.Millisecond},
		{"seq, releases count", scheduler.DetectSeq, Incremental, true, 1000, 1, 5500 * scheduler.Millisecond},
		{"seq, releases count, all-or-nothing", scheduler.DetectSeq, AllOrNothing, true, 1000, 1, 5500 * scheduler.Millisecond},
		{"seq, releases count, release on another machine", scheduler.DetectSeq, Incremental, true, 4000, 0, 2500 * scheduler.Millisecond},
		{"fit ignores the option", scheduler.DetectFit, Incremental, true, 1000, 0, 2500 * scheduler.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := raceConfig(c.d, c.tx)
			cfg.Batch = DecisionTime{}
			cfg.SeqCountsReleases = c.releases
			jobs := releaseRace(c.svcCPU)
			out, res, sim, checks := raceRun(t, "release during the service decision", cfg, mkNodes(2, 4000, 16384), jobs)
			if res.Conflicts.Conflicted != c.conflict {
				t.Errorf("conflicted transactions %d, want %d\n%s", res.Conflicts.Conflicted, c.conflict, out)
			}
			if got := startOf(jobs[1]); got != c.start {
				t.Errorf("service task started at %v, want %v\n%s", got, c.start, out)
			}
			if c.conflict > 0 {
				// The conflicted commit left no trace, and the transcript says why.
				lose := checks[1]
				if lose.res.Committed != 0 || lose.res.First.Code != scheduler.Conflict || lose.before != lose.after {
					t.Errorf("conflicted commit %+v changed the state: %v", lose.res, lose.before != lose.after)
				}
				if !strings.Contains(out, "capacity freed on the machine since the plan") {
					t.Errorf("transcript does not name the release:\n%s", out)
				}
			}
			if res.JobsCompleted != 2 {
				t.Errorf("%d jobs completed, want 2", res.JobsCompleted)
			}
			if msg := sim.State.CheckInvariants(); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}
