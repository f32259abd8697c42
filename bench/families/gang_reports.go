package families

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/gang"
	"github.com/schedlab/schedlab/scheduler"
)

// The gang-reports scenario: every user report of REFERENCES.md §2.9 whose
// mechanism policies/gang models, as deterministic runs of its cluster and jobs
// under the reported configuration and under the fix the report (or its
// resolution) names, and one claim per report (gang-G1, gang-G2, ...) whose
// checks are computed from those runs. docs/gang-reports.md describes each.

// gangReport is one modelled report.
type gangReport struct {
	id, source, claim string
	setup             string // the cluster and jobs, in words
	build             func() gangSetup
	variants          []gangReportVariant
	// grade computes the claim's checks (and a note) from the runs of the
	// variants by name; a missing run is absent from the map.
	grade func(r gangRuns) ([]bench.Check, string)
}

// gangSetup is one run's cluster and jobs, built fresh for every run.
type gangSetup struct {
	sim  scheduler.Config
	jobs []*scheduler.Job
}

// gangReportVariant is one configuration run on a report's setup.
type gangReportVariant struct {
	name, what string
	cfg        func() gang.Config
	build      func() gangSetup // replaces the report's setup when set
}

// gangRuns holds a report's results by variant name.
type gangRuns map[string]*scheduler.Result

// Per-job facts a run adds to Result.Extra, under "jobN.<fact>".
const (
	jobCompleted = "completed"    // 1 when every task completed
	jobReady     = "gang_ready_s" // when MinMember first ran together; -1 never
	jobDone      = "done_s"       // when every task was terminal; -1 never
	jobHeld      = "held"         // tasks held at the end
	jobRunning   = "running"      // tasks running at the end
	jobPending   = "pending"      // tasks pending at the end
	jobFailed    = "failed"       // tasks failed or abandoned
	jobRestarted = "restart_s"    // a task lost and resubmitted: when it ran again; -1 not (yet)
)

func jobKey(id int, fact string) string { return fmt.Sprintf("job%d.%s", id, fact) }

// jobFact returns a per-job fact of r (NaN when absent or r is nil).
func jobFact(r *scheduler.Result, id int, fact string) float64 {
	if r == nil {
		return math.NaN()
	}
	v, ok := r.Extra[jobKey(id, fact)]
	if !ok {
		return math.NaN()
	}
	return v
}

func jobInt(r *scheduler.Result, id int, fact string) int {
	v := jobFact(r, id, fact)
	if math.IsNaN(v) {
		return -1
	}
	return int(v)
}

func extraInt(r *scheduler.Result, k string) int {
	if r == nil {
		return -1
	}
	return int(r.Extra[k])
}

// runGangReport runs variant v of report rep on a freshly built setup.
func runGangReport(rep *gangReport, v *gangReportVariant) (*scheduler.Result, error) {
	build := rep.build
	if v.build != nil {
		build = v.build
	}
	su := build()
	s, err := gang.New(v.cfg())
	if err != nil {
		return nil, err
	}
	sim, err := scheduler.NewSim(su.sim, &scheduler.SliceSource{Jobs: su.jobs}, s)
	if err != nil {
		return nil, err
	}
	res, err := sim.Run()
	if err != nil {
		return nil, err
	}
	if msg := sim.State.CheckInvariants(); msg != "" {
		return nil, fmt.Errorf("gang-reports %s/%s: %s", rep.id, v.name, msg)
	}
	res.Scheduler = "gang-" + s.Config().Variant.String()
	res.Workload = "gang-reports:report=" + rep.id + ",variant=" + v.name
	for _, j := range su.jobs {
		id := int(j.ID)
		sec := func(t scheduler.Time) float64 {
			if t < 0 {
				return -1
			}
			return t.Seconds()
		}
		var held, running, pending, failed, done int
		restart, restarted := -1.0, false
		for i := range j.Tasks {
			t := &j.Tasks[i]
			switch t.State {
			case scheduler.TaskHeld:
				held++
			case scheduler.TaskRunning:
				running++
			case scheduler.TaskPending:
				pending++
			case scheduler.TaskFailed, scheduler.TaskAbandoned:
				failed++
			case scheduler.TaskCompleted:
				done++
			}
			if t.Restarts > 0 {
				restarted = true
				if t.State == scheduler.TaskRunning || t.State == scheduler.TaskCompleted {
					restart = max(restart, t.Started.Seconds())
				}
			}
		}
		completed := 0.0
		if done == len(j.Tasks) {
			completed = 1
		}
		res.SetExtra(jobKey(id, jobCompleted), completed)
		res.SetExtra(jobKey(id, jobReady), sec(j.GangReady))
		res.SetExtra(jobKey(id, jobDone), sec(j.Done))
		res.SetExtra(jobKey(id, jobHeld), float64(held))
		res.SetExtra(jobKey(id, jobRunning), float64(running))
		res.SetExtra(jobKey(id, jobPending), float64(pending))
		res.SetExtra(jobKey(id, jobFailed), float64(failed))
		if restarted {
			res.SetExtra(jobKey(id, jobRestarted), restart)
		}
	}
	return res, nil
}

// ---- builders shared by the reports ----

var reportSlot = scheduler.Res(1000, 1024, 0)

func reportJob(id int, submit scheduler.Time, n, minMember int, req scheduler.Resources, runtime scheduler.Time) *scheduler.Job {
	j := &scheduler.Job{ID: scheduler.JobID(id), Submit: submit, MinMember: int32(minMember), Tasks: make([]scheduler.Task, n)}
	for i := range j.Tasks {
		j.Tasks[i] = scheduler.Task{Index: int32(i), Request: req, Runtime: runtime}
	}
	return j
}

func reportNodes(n int, capa scheduler.Resources) []scheduler.Node {
	out := make([]scheduler.Node, n)
	for i := range out {
		out[i] = scheduler.Node{Capacity: capa, Name: fmt.Sprintf("n%d", i)}
	}
	return out
}

func reportSim(nodes []scheduler.Node, horizon scheduler.Time) scheduler.Config {
	c := scheduler.DefaultConfig()
	c.Nodes = nodes
	c.Horizon = horizon
	return c
}

// spread is a background job of n tasks of req, one per node, running to the horizon.
func spread(id, n int, req scheduler.Resources) *scheduler.Job {
	j := reportJob(id, 0, n, 0, req, scheduler.Forever)
	for i := range j.Tasks {
		j.Tasks[i].Constraints = &scheduler.Constraints{DistinctNodes: true}
	}
	return j
}

func cfgWith(v gang.Variant, f func(*gang.Config)) func() gang.Config {
	return func() gang.Config {
		c := gang.DefaultConfig(v)
		if f != nil {
			f(&c)
		}
		return c
	}
}

func interleave(c *gang.Config) { c.Order = gang.Interleave }
func noWait(c *gang.Config)     { c.Timeout = scheduler.Forever }
func sessions(c *gang.Config)   { c.Period = scheduler.Second }

// coschedulingEra is scheduler-plugins coscheduling before the reject threshold,
// the min-resources PreFilter and failure-time order: a Permit barrier only.
func coschedulingEra(c *gang.Config) {
	c.RejectPercent, c.MinResources, c.FailureOrder = 100, false, false
}

// ---- check helpers ----

func noDeadlockFact(r *scheduler.Result) bool {
	return r != nil && !r.Deadlock.Terminal && r.Deadlock.Episodes == 0
}

func terminalFact(r *scheduler.Result) bool { return r != nil && r.Deadlock.Terminal }

func completedOf(r *scheduler.Result) int {
	if r == nil {
		return -1
	}
	return r.JobsCompleted
}

// missing returns a missed check per absent run, so that a claim whose runs are
// missing is graded on what it has.
func missing(r gangRuns, names ...string) []bench.Check {
	var out []bench.Check
	for _, n := range names {
		if r[n] == nil {
			out = append(out, bench.Check{What: "run " + n, Paper: "measured", Tolerance: "present", Lo: 1, Hi: 1, Measured: bench.Value(math.NaN())})
		}
	}
	return out
}

// ---- the reports ----

func gangReports() []gangReport {
	return []gangReport{
		reportG1(), reportG2(), reportG3(), reportG4(), reportG5(), reportG7(), reportG8(),
		reportG9(), reportG10(), reportG14(), reportG15(), reportG17(),
	}
}

func reportG1() gangReport {
	return gangReport{
		id: "G1", source: "kubernetes-retired/kube-batch#158",
		claim: "two jobs each needing more than half the nodes, submitted together and waiting passively with partial holds, deadlock: neither ever starts; placing a gang all-or-nothing (or coscheduling's defaults) runs both",
		setup: "10 one-slot nodes; two gangs of 6 one-slot pods (MinMember 6, 60 s), submitted together, their pods reaching the queue interleaved",
		build: func() gangSetup {
			return gangSetup{sim: reportSim(reportNodes(10, reportSlot), 0),
				jobs: []*scheduler.Job{reportJob(1, 0, 6, 6, reportSlot, 60*scheduler.Second), reportJob(2, 0, 6, 6, reportSlot, 60*scheduler.Second)}}
		},
		variants: []gangReportVariant{
			{name: "nonstrict", what: "partial holds, no timeout, interleaved (the report)", cfg: cfgWith(gang.NonStrict, func(c *gang.Config) { interleave(c); noWait(c) })},
			{name: "strict", what: "all-or-nothing against one snapshot (kube-batch's gang allocate)", cfg: cfgWith(gang.Strict, nil)},
			{name: "permit", what: "coscheduling defaults (60 s, reject 10 %, min-resources), interleaved", cfg: cfgWith(gang.Permit, interleave)},
			{name: "nonstrict-600s", what: "partial holds with Koordinator's 600 s wait, interleaved", cfg: cfgWith(gang.NonStrict, interleave)},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			ns, st, pm := r["nonstrict"], r["strict"], r["permit"]
			return append(missing(r, "nonstrict", "strict", "permit"),
				bench.Holds("partial holds: terminal deadlock", "neither job ever starts", true, terminalFact(ns)),
				bench.Count("partial holds: jobs completed", "0 of 2", 0, 0, completedOf(ns)),
				bench.Holds("all-or-nothing: no deadlock", "gang allocate avoids it", true, noDeadlockFact(st)),
				bench.Count("all-or-nothing: jobs completed", "2 of 2", 2, 2, completedOf(st)),
				bench.Count("coscheduling defaults: jobs completed", "2 of 2", 2, 2, completedOf(pm)),
			), ""
		},
	}
}

func reportG2() gangReport {
	whole := func() gangSetup {
		return gangSetup{sim: reportSim(reportNodes(100, reportSlot), 0),
			jobs: []*scheduler.Job{reportJob(1, 0, 100, 100, reportSlot, 600*scheduler.Second), reportJob(2, 0, 100, 100, reportSlot, 600*scheduler.Second)}}
	}
	// Pods of 0.55 node: still one per node (two never share one), but the two
	// gangs' MinMember requests (2 x 55 nodes) pass the 1.2 gate together.
	pod := scheduler.Res(550, 563, 0)
	small := func() gangSetup {
		return gangSetup{sim: reportSim(reportNodes(100, reportSlot), 0),
			jobs: []*scheduler.Job{reportJob(1, 0, 100, 100, pod, 600*scheduler.Second), reportJob(2, 0, 100, 100, pod, 600*scheduler.Second)}}
	}
	volcano := func(c *gang.Config) { c.Overcommit = 1.2; sessions(c) }
	return gangReport{
		id: "G2", source: "volcano-sh/volcano#3373",
		claim: "on 100 nodes, two jobs of 100 pods (one pod per node, MinAvailable 100) submitted together under Volcano's default actions with gang and overcommit each get a subset of the nodes, and neither reaches 100",
		setup: "100 one-slot nodes; two gangs of 100 pods (MinMember 100, 600 s), submitted at the same instant; pods take a whole node (or 0.55 of one: still one per node, but both gangs then pass the 1.2 gate); Volcano = overcommit gate 1.2, 1 s sessions",
		build: whole,
		variants: []gangReportVariant{
			{name: "volcano", what: "gate 1.2 + all-or-nothing allocate, whole-node pods (the report's configuration)", cfg: cfgWith(gang.Strict, volcano)},
			{name: "volcano-0.55", what: "the same with 0.55-node pods (both gangs pass the gate)", cfg: cfgWith(gang.Strict, volcano), build: small},
			{name: "gate1.2-nonstrict", what: "gate 1.2 + partial holds across sessions, no timeout, interleaved, whole-node pods", cfg: cfgWith(gang.NonStrict, func(c *gang.Config) { volcano(c); interleave(c); noWait(c) })},
			{name: "gate1.2-nonstrict-0.55", what: "gate 1.2 + partial holds across sessions, 0.55-node pods", cfg: cfgWith(gang.NonStrict, func(c *gang.Config) { volcano(c); interleave(c); noWait(c) }), build: small},
			{name: "gate1.0-nonstrict-0.55", what: "gate 1.0 (what the reporter expected: one job gets all 100 nodes, the other waits)", cfg: cfgWith(gang.NonStrict, func(c *gang.Config) { volcano(c); c.Overcommit = 1.0; interleave(c); noWait(c) }), build: small},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			v, v55, h55, g10 := r["volcano"], r["volcano-0.55"], r["gate1.2-nonstrict-0.55"], r["gate1.0-nonstrict-0.55"]
			note := ""
			if v != nil && v55 != nil && extraInt(v, "gangs_started") > 0 && terminalFact(h55) {
				note = fmt.Sprintf("Under all-or-nothing allocate the gangs start one after the other (%d and %d gangs reached 100); the deadlock needs partial holds that outlive a session, which schedlab's Volcano allocate does not make.",
					extraInt(v, "gangs_started"), extraInt(v55, "gangs_started"))
			}
			return append(missing(r, "volcano", "volcano-0.55", "gate1.2-nonstrict-0.55", "gate1.0-nonstrict-0.55"),
				bench.Count("Volcano, whole-node pods: gangs reaching 100", "neither", 0, 0, extraInt(v, "gangs_started")),
				bench.Count("Volcano, 0.55-node pods: gangs reaching 100", "neither", 0, 0, extraInt(v55, "gangs_started")),
				bench.Holds("gate + partial holds: terminal deadlock", "each job gets a subset", true, terminalFact(h55)),
				bench.Count("gate + partial holds: gangs reaching 100", "neither", 0, 0, extraInt(h55, "gangs_started")),
				bench.Count("gate 1.0: jobs completed", "expected: one runs, the other waits, both finish", 2, 2, completedOf(g10)),
			), note
		},
	}
}

func reportG3() gangReport {
	build := func() gangSetup {
		r := scheduler.NewRand(114, "sizes")
		var jobs []*scheduler.Job
		for i := 0; i < 60; i++ {
			n := 1 + r.IntN(8)
			j := reportJob(i+1, scheduler.Time(i)*15*scheduler.Second, n, n, scheduler.Res(1000, 1024, 1000), 120*scheduler.Second)
			for k := range j.Tasks {
				j.Tasks[k].Runtime += scheduler.Time(r.IntN(30000)) * scheduler.Millisecond
			}
			jobs = append(jobs, j)
		}
		return gangSetup{sim: reportSim(reportNodes(2, scheduler.Res(64000, 256*1024, 8000)), 0), jobs: jobs}
	}
	return gangReport{
		id: "G3", source: "kubernetes-sigs/scheduler-plugins#114",
		claim: "with a Permit barrier, once running jobs finish, pods of different PodGroups interleave in Permit and no pending job ever starts although the freed GPUs would fit one; today's coscheduling (group reject, min-resources PreFilter) avoids it",
		setup: "2 nodes x 8 GPUs (Kubemark); 60 gangs of 1-8 one-GPU pods (sizes drawn with seed 114), one every 15 s, each pod running 120 s plus up to 30 s",
		build: build,
		variants: []gangReportVariant{
			{name: "permit-issue", what: "Permit barrier, no timeout, no group reject (the issue's coscheduling)", cfg: cfgWith(gang.Permit, func(c *gang.Config) { coschedulingEra(c); noWait(c) })},
			{name: "permit-issue-60s", what: "the same with a 60 s Permit wait", cfg: cfgWith(gang.Permit, coschedulingEra)},
			{name: "permit", what: "coscheduling defaults (60 s, reject 10 %, min-resources, failure order)", cfg: cfgWith(gang.Permit, nil)},
			{name: "strict", what: "all-or-nothing against one snapshot", cfg: cfgWith(gang.Strict, nil)},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			is, pm := r["permit-issue"], r["permit"]
			note := ""
			if is != nil {
				note = fmt.Sprintf("The issue's run stopped at %.0f s with %d of 60 jobs completed.", is.SimSeconds, is.JobsCompleted)
			}
			return append(missing(r, "permit-issue", "permit"),
				bench.Holds("issue's Permit: terminal deadlock", "no pending job ever starts", true, terminalFact(is)),
				bench.Count("issue's Permit: jobs completed", "fewer than 60", 0, 59, completedOf(is)),
				bench.Holds("coscheduling defaults: no deadlock", "fixed", true, noDeadlockFact(pm)),
				bench.Count("coscheduling defaults: jobs completed", "60 of 60", 60, 60, completedOf(pm)),
			), note
		},
	}
}

func reportG4() gangReport {
	koordStrict := func(c *gang.Config) {
		c.RejectPercent, c.MinResources, c.Timeout, c.FailureOrder = 0, false, 600*scheduler.Second, false
	}
	return gangReport{
		id: "G4", source: "koordinator-sh/koordinator#872",
		claim: "gang groups {A, B} and {C, D}, where A and C together fill the cluster, scheduled A, C, B, D: neither group completes; ordering by group with Strict mode (reject every waiting pod of the group on a failure) fixes it",
		setup: "4 one-slot nodes; gang groups {A, B} and {C, D} of 2 pods each (a group is one gang of 4, MinMember 4, 60 s), offered A, C, B, D (interleaved)",
		build: func() gangSetup {
			return gangSetup{sim: reportSim(reportNodes(4, reportSlot), 0),
				jobs: []*scheduler.Job{reportJob(1, 0, 4, 4, reportSlot, 60*scheduler.Second), reportJob(2, 0, 4, 4, reportSlot, 60*scheduler.Second)}}
		},
		variants: []gangReportVariant{
			{name: "nonstrict", what: "NonStrict, no timeout, order A C B D (the report)", cfg: cfgWith(gang.NonStrict, func(c *gang.Config) { interleave(c); noWait(c) })},
			{name: "koordinator-strict", what: "Strict mode (reject 0 %) and group order (the fix)", cfg: cfgWith(gang.Permit, koordStrict)},
			{name: "nonstrict-group-order", what: "NonStrict, no timeout, group order only", cfg: cfgWith(gang.NonStrict, noWait)},
			{name: "koordinator-strict-acbd", what: "Strict mode alone, order A C B D (30 s horizon)", cfg: cfgWith(gang.Permit, func(c *gang.Config) { koordStrict(c); interleave(c) }),
				build: func() gangSetup {
					return gangSetup{sim: reportSim(reportNodes(4, reportSlot), 30*scheduler.Second),
						jobs: []*scheduler.Job{reportJob(1, 0, 4, 4, reportSlot, 60*scheduler.Second), reportJob(2, 0, 4, 4, reportSlot, 60*scheduler.Second)}}
				}},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			ns, fix := r["nonstrict"], r["koordinator-strict"]
			return append(missing(r, "nonstrict", "koordinator-strict"),
				bench.Holds("A C B D: terminal deadlock", "neither group completes", true, terminalFact(ns)),
				bench.Count("A C B D: groups completed", "0 of 2", 0, 0, completedOf(ns)),
				bench.Holds("fix: no deadlock", "fixed", true, noDeadlockFact(fix)),
				bench.Count("fix: groups completed", "2 of 2", 2, 2, completedOf(fix)),
			), ""
		},
	}
}

func reportG5() gangReport {
	build := func() gangSetup {
		c := reportSim(reportNodes(20, reportSlot), 0)
		c.Quotas = map[string]scheduler.Resources{"": scheduler.Res(10000, 1<<40, 0)}
		return gangSetup{sim: c, jobs: []*scheduler.Job{reportJob(1, 0, 5, 5, reportSlot, 60*scheduler.Second),
			reportJob(2, 0, 5, 5, reportSlot, 60*scheduler.Second), reportJob(3, 0, 5, 5, reportSlot, 60*scheduler.Second)}}
	}
	return gangReport{
		id: "G5", source: "koordinator-sh/koordinator docs/proposals/scheduling/20220901-gang-scheduling.md",
		claim: "with a quota of 10 and three gangs of 5 one-unit pods, NonStrict accumulation ends at 3/3/4 and no gang reaches 5 (a resource deadlock between gangs); Strict mode does not",
		setup: "a tenant quota of 10 one-CPU units on 20 one-slot nodes; three gangs of 5 one-unit pods (MinMember 5, 60 s) submitted together, interleaved, passes as 1 s sessions",
		build: build,
		variants: []gangReportVariant{
			{name: "nonstrict", what: "NonStrict, no timeout, interleaved (the proposal)", cfg: cfgWith(gang.NonStrict, func(c *gang.Config) { interleave(c); noWait(c); sessions(c) })},
			{name: "nonstrict-600s", what: "NonStrict with the 600 s wait", cfg: cfgWith(gang.NonStrict, func(c *gang.Config) { interleave(c); sessions(c) })},
			{name: "koordinator-strict", what: "Koordinator Strict mode (reject 0 %, 600 s), interleaved", cfg: cfgWith(gang.Permit, func(c *gang.Config) {
				c.RejectPercent, c.MinResources, c.Timeout, c.FailureOrder = 0, false, 600*scheduler.Second, false
				interleave(c)
				sessions(c)
			})},
			{name: "strict", what: "all-or-nothing against one snapshot", cfg: cfgWith(gang.Strict, sessions)},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			ns, ks := r["nonstrict"], r["koordinator-strict"]
			var holds []int
			for id := 1; id <= 3; id++ {
				holds = append(holds, jobInt(ns, id, jobHeld))
			}
			slices.Sort(holds)
			note := fmt.Sprintf("NonStrict ends holding %d/%d/%d.", holds[0], holds[1], holds[2])
			return append(missing(r, "nonstrict", "koordinator-strict"),
				bench.Holds("NonStrict: terminal deadlock", "resource deadlock between gangs", true, terminalFact(ns)),
				bench.Count("NonStrict: gangs reaching 5", "none", 0, 0, extraInt(ns, "gangs_started")),
				bench.Count("NonStrict: largest partial gang", "4 (3/3/4)", 4, 4, holds[2]),
				bench.Count("NonStrict: smallest partial gang", "3 (3/3/4)", 3, 3, holds[0]),
				bench.Count("Strict mode: gangs completed", "3 of 3", 3, 3, completedOf(ks)),
			), note
		},
	}
}

func reportG7() gangReport {
	const newer = 5 // groups submitted after the big one
	build := func() gangSetup {
		// 11 nodes; a background job takes half of two of them, so 9 whole nodes
		// and two half ones are free: the free sum (10 slots) passes the
		// min-resources PreFilter, but only 9 members of the 10-pod group fit.
		jobs := []*scheduler.Job{spread(1, 2, scheduler.Res(500, 512, 0)), reportJob(2, scheduler.Second, 10, 10, reportSlot, 60*scheduler.Second)}
		for i := 0; i < newer; i++ {
			jobs = append(jobs, reportJob(3+i, scheduler.Time(30*(i+1))*scheduler.Second, 2, 2, reportSlot, 60*scheduler.Second))
		}
		return gangSetup{sim: reportSim(reportNodes(11, reportSlot), 15*scheduler.Minute), jobs: jobs}
	}
	newerDone := func(r *scheduler.Result) int {
		if r == nil {
			return -1
		}
		n := 0
		for i := 0; i < newer; i++ {
			n += max(0, jobInt(r, 3+i, jobCompleted))
		}
		return n
	}
	return gangReport{
		id: "G7", source: "kubernetes-sigs/scheduler-plugins#713",
		claim: "a 10-pod group with 9 pods assumed in Permit and the 10th failing Filter keeps the 9 holding resources (a 10 % gap is within the reject threshold) and newer groups starve; failure-time ordering (PR #949) lets them run",
		setup: "11 one-slot nodes, two of them half taken by a background job (so 9 whole slots and two half ones are free: the free sum passes min-resources, the 10th pod fits no node); a 10-pod group (MinMember 10) at 1 s; five newer 2-pod groups at 30, 60, ..., 150 s (60 s each); horizon 15 min",
		build: build,
		variants: []gangReportVariant{
			{name: "before-949", what: "coscheduling defaults without failure-time order (60 s, reject 10 %, min-resources)", cfg: cfgWith(gang.Permit, func(c *gang.Config) { c.FailureOrder = false })},
			{name: "pr949", what: "coscheduling defaults with failure-time order (PR #949)", cfg: cfgWith(gang.Permit, nil)},
			{name: "no-wait", what: "before #949 with no Permit wait (a PodGroup timeout longer than the run)", cfg: cfgWith(gang.Permit, func(c *gang.Config) { c.FailureOrder = false; noWait(c) })},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			b, f, nw := r["before-949"], r["pr949"], r["no-wait"]
			note := ""
			if b != nil && f != nil {
				note = fmt.Sprintf("Before #949 with the 60 s wait, the wait expired %d times and the first newer group (submitted at 30 s) started at %s.",
					extraInt(b, "gang_timeouts"), restartCell(jobFact(b, 3, jobReady)))
				if jobsCell(b, newer+2) == jobsCell(f, newer+2) {
					note += " Failure-time order changes nothing in this run (every job ends the same with and without it)."
				}
			}
			return append(missing(r, "before-949", "pr949", "no-wait"),
				bench.Count("before #949: group rejections", "none: a 10 % gap keeps the 9 waiting", 0, 0, extraInt(b, "gang_rejections")),
				bench.Count("before #949: newer groups completed", "they starve", 0, 0, newerDone(b)),
				bench.Count("no Permit wait: pods of the 10-pod group held at the end", "9 held persistently", 9, 9, jobInt(nw, 2, jobHeld)),
				bench.Count("no Permit wait: newer groups completed", "they starve", 0, 0, newerDone(nw)),
				bench.Count("PR #949: newer groups completed", fmt.Sprintf("%d of %d", newer, newer), newer, newer, newerDone(f)),
			), note
		},
	}
}

func reportG8() gangReport {
	const freshFrom, freshEvery, freshUntil = 150, 20, 1800 // seconds
	build := func() gangSetup {
		c := reportSim(reportNodes(4, reportSlot), 40*scheduler.Minute)
		c.NodeEvents = &scheduler.SliceNodeSource{Events: []scheduler.NodeEvent{
			{Time: 100 * scheduler.Second, Kind: scheduler.NodeFail, Node: scheduler.Node{Name: "n3"}},
			{Time: 200 * scheduler.Second, Kind: scheduler.NodeRecover, Node: scheduler.Node{Name: "n3"}},
		}}
		jobs := []*scheduler.Job{reportJob(1, 0, 4, 4, reportSlot, scheduler.Hour)}
		for t, id := freshFrom, 2; t <= freshUntil; t, id = t+freshEvery, id+1 {
			jobs = append(jobs, reportJob(id, scheduler.Time(t)*scheduler.Second, 1, 0, reportSlot, 60*scheduler.Second))
		}
		return gangSetup{sim: c, jobs: jobs}
	}
	return gangReport{
		id: "G8", source: "volcano-sh/volcano#5805",
		claim: "a running gang that falls below minAvailable when a node is remediated never gets the freed capacity back while fresh jobs keep arriving, because drf orders jobs by ascending dominant share and a fresh zero-share job always goes first",
		setup: fmt.Sprintf("4 one-slot nodes; a 4-pod gang (MinMember 4, 1 h) runs on all four; node n3 fails at 100 s (the gang falls to 3 running) and returns at 200 s; fresh one-pod jobs (60 s) arrive every %d s from %d s to %d s; horizon 40 min", freshEvery, freshFrom, freshUntil),
		build: build,
		variants: []gangReportVariant{
			{name: "drf", what: "fair order: least dominant share first (drf), 1 s sessions", cfg: cfgWith(gang.NonStrict, func(c *gang.Config) { c.Order = gang.Fair; sessions(c) })},
			{name: "fifo", what: "group (FIFO) order, 1 s sessions", cfg: cfgWith(gang.NonStrict, sessions)},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			d, f := r["drf"], r["fifo"]
			back := func(r *scheduler.Result) float64 { return jobFact(r, 1, jobRestarted) }
			before := func(r *scheduler.Result) bool {
				b := back(r)
				return !math.IsNaN(b) && b >= 0 && b < freshUntil
			}
			note := ""
			if d != nil && f != nil {
				note = fmt.Sprintf("The lost pod ran again: under drf %s, under FIFO %s (the node returned at 200 s, the horizon is at %.0f s).", restartAt(back(d)), restartAt(back(f)), d.SimSeconds)
			}
			return append(missing(r, "drf", "fifo"),
				bench.Holds("drf: gang back at minAvailable while fresh jobs arrive", "never recovers", false, before(d)),
				bench.Holds("FIFO: gang back at minAvailable while fresh jobs arrive", "drf's order is the cause", true, before(f)),
			), note
		},
	}
}

func numCell(x float64, prec int) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, x)
}

func restartAt(s float64) string {
	if math.IsNaN(s) || s < 0 {
		return "not by the end of the run"
	}
	return fmt.Sprintf("at %.0f s", s)
}

func restartCell(s float64) string {
	if math.IsNaN(s) || s < 0 {
		return "never"
	}
	return fmt.Sprintf("%.0f s", s)
}

func reportG9() gangReport {
	build := func() gangSetup {
		return gangSetup{sim: reportSim(reportNodes(1, scheduler.Res(72000, 1<<20, 0)), scheduler.Hour),
			jobs: []*scheduler.Job{reportJob(1, 0, 73, 73, scheduler.Res(1000, 1024, 0), 60*scheduler.Second)}}
	}
	return gangReport{
		id: "G9", source: "volcano-sh/volcano#1295",
		claim: "a job that needs more than the node has (73 CPUs on a 72-CPU node) stays Pending forever, since Volcano has no gang timeout; the maintainers point to a custom timeout",
		setup: "one 72-CPU node; a gang of 73 one-CPU pods (MinMember 73); horizon 1 h",
		build: build,
		variants: []gangReportVariant{
			{name: "volcano", what: "gate 1.2 (73 <= 86.4 is admitted) + all-or-nothing allocate, 1 s sessions", cfg: cfgWith(gang.Strict, func(c *gang.Config) { c.Overcommit = 1.2; sessions(c) })},
			{name: "gate1.0", what: "gate 1.0 (73 > 72: schedlab fails it as never admissible)", cfg: cfgWith(gang.Strict, func(c *gang.Config) { c.Overcommit = 1.0; sessions(c) })},
			{name: "timeout", what: "a gang timeout: YuniKorn placeholders, Hard style, 15 min", cfg: cfgWith(gang.Placeholder, func(c *gang.Config) { c.Style = gang.Hard })},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			v, to := r["volcano"], r["timeout"]
			return append(missing(r, "volcano", "timeout"),
				bench.Count("Volcano: pods still pending after 1 h", "all 73 (Pending forever)", 73, 73, jobInt(v, 1, jobPending)),
				bench.Count("Volcano: pods failed", "none (it never fails)", 0, 0, jobInt(v, 1, jobFailed)),
				bench.Near("gang timeout: job failed at", 900, 1, false, bench.Value(jobFact(to, 1, jobDone)), "s"),
			), ""
		},
	}
}

func reportG10() gangReport {
	build := func() gangSetup {
		return gangSetup{sim: reportSim(reportNodes(1, scheduler.Res(10000, 64*1024, 0)), 1200*scheduler.Second),
			jobs: []*scheduler.Job{reportJob(1, 0, 3, 3, scheduler.Res(4000, 1024, 0), 60*scheduler.Second),
				reportJob(2, scheduler.Second, 1, 1, scheduler.Res(3000, 1024, 0), 60*scheduler.Second)}}
	}
	gate := func(f float64) func() gang.Config {
		return cfgWith(gang.Strict, func(c *gang.Config) { c.Overcommit = f })
	}
	return gangReport{
		id: "G10", source: "kubernetes-retired/kube-batch#514",
		claim: "on one 10-CPU node, PG1 = 3 x 4 CPU (created first, can never fit) and PG2 = 1 x 3 CPU both stay pending",
		setup: "one 10-CPU node; PG1 = 3 x 4 CPU (MinMember 3) at 0 s, PG2 = 1 x 3 CPU (MinMember 1) at 1 s; horizon 20 min",
		build: build,
		variants: []gangReportVariant{
			{name: "gate1.2-strict", what: "Volcano's gate at 1.2 (admits PG1, 12 <= 12, then refuses PG2, 15 > 12), all-or-nothing", cfg: gate(1.2)},
			{name: "nonstrict", what: "partial holds (in-session allocations kept), no timeout", cfg: cfgWith(gang.NonStrict, noWait)},
			{name: "strict", what: "all-or-nothing against one snapshot, no gate", cfg: cfgWith(gang.Strict, nil)},
			{name: "gate1.0-strict", what: "gate 1.0 (PG1 can never be admitted: failed as unresolvable)", cfg: gate(1.0)},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			g, ns := r["gate1.2-strict"], r["nonstrict"]
			return append(missing(r, "gate1.2-strict", "nonstrict"),
				bench.Count("gate 1.2: PG1 and PG2 completed", "both pending", 0, 0, completedOf(g)),
				bench.Count("gate 1.2: PG2 pods pending at the end", "PG2 pending", 1, 1, jobInt(g, 2, jobPending)),
				bench.Count("partial holds: PG2 pods pending at the end", "PG2 pending", 1, 1, jobInt(ns, 2, jobPending)),
			), ""
		},
	}
}

func reportG14() gangReport {
	build := func() gangSetup {
		j := reportJob(1, 0, 2, 2, scheduler.Res(30000, 1024, 0), 60*scheduler.Second)
		j.Tasks[1].Request = scheduler.Res(50000, 1024, 0)
		return gangSetup{sim: reportSim([]scheduler.Node{{Name: "n0", Capacity: scheduler.Res(53000, 1<<20, 0)}, {Name: "n1", Capacity: scheduler.Res(31000, 1<<20, 0)}}, 10*scheduler.Minute),
			jobs: []*scheduler.Job{j}}
	}
	return gangReport{
		id: "G14", source: "volcano-sh/volcano#1297",
		claim: "a job with tasks of 30 and 50 CPU on nodes with 53 and 31 CPU free is refused when greedy one-by-one placement puts 30 on the 53-CPU node; placing 50 -> 53 and 30 -> 31 works",
		setup: "nodes of 53 and 31 CPU; one gang of a 30-CPU and a 50-CPU task (MinMember 2), tried in that order with first fit; horizon 10 min",
		build: build,
		variants: []gangReportVariant{
			{name: "greedy", what: "all-or-nothing, greedy first fit only (backtrack 0)", cfg: cfgWith(gang.Strict, func(c *gang.Config) { c.Placer = scheduler.ScanFirstFit{}; c.Backtrack = 0 })},
			{name: "backtrack", what: "all-or-nothing, first fit then backtracking (budget 1000)", cfg: cfgWith(gang.Strict, func(c *gang.Config) { c.Placer = scheduler.ScanFirstFit{} })},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			g, b := r["greedy"], r["backtrack"]
			return append(missing(r, "greedy", "backtrack"),
				bench.Count("greedy: jobs completed", "refused (50 fits nowhere)", 0, 0, completedOf(g)),
				bench.Count("50 -> 53, 30 -> 31: jobs completed", "works", 1, 1, completedOf(b)),
			), ""
		},
	}
}

func reportG15() gangReport {
	build := func() gangSetup {
		return gangSetup{sim: reportSim(reportNodes(10, reportSlot), 20*scheduler.Minute),
			jobs: []*scheduler.Job{reportJob(1, 0, 4, 0, reportSlot, scheduler.Forever),
				reportJob(2, scheduler.Second, 8, 8, reportSlot, 60*scheduler.Second), reportJob(3, 2*scheduler.Second, 4, 4, reportSlot, 60*scheduler.Second)}}
	}
	era := func(c *gang.Config) { coschedulingEra(c); noWait(c) }
	return gangReport{
		id: "G15", source: "kubernetes-retired/kube-batch#492",
		claim: "part of a job's tasks are allocated although the idle resources cannot satisfy all of them, and two jobs then sit pending next to idle (held) resources; a whole-job fit precheck avoids it",
		setup: "10 one-slot nodes, 4 taken by a background job to the horizon; job A = 8 pods (MinMember 8, cannot fit in the 6 free) at 1 s, job B = 4 pods (MinMember 4, fits) at 2 s; horizon 20 min",
		build: build,
		variants: []gangReportVariant{
			{name: "no-precheck", what: "Permit barrier without a fit precheck, no timeout, no group reject", cfg: cfgWith(gang.Permit, era)},
			{name: "precheck", what: "the same with the min-resources precheck (the whole remaining need must fit the free sum)", cfg: cfgWith(gang.Permit, func(c *gang.Config) { era(c); c.MinResources = true })},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			n, p := r["no-precheck"], r["precheck"]
			note := ""
			if n != nil {
				note = fmt.Sprintf("Without the precheck %.0f %% of the CPU was held idle over the run.", 100*n.HeldIdle.CPU)
			}
			return append(missing(r, "no-precheck", "precheck"),
				bench.Count("no precheck: A's pods allocated (held)", "part of A allocated", 1, 7, jobInt(n, 2, jobHeld)),
				bench.Count("no precheck: A and B completed", "both pending", 0, 0, jobInt(n, 2, jobCompleted)+jobInt(n, 3, jobCompleted)),
				bench.Count("precheck: A's pods held", "none", 0, 0, jobInt(p, 2, jobHeld)),
				bench.Count("precheck: B completed", "B runs", 1, 1, jobInt(p, 3, jobCompleted)),
			), note
		},
	}
}

func reportG17() gangReport {
	mk := func(bg int64) func() gangSetup {
		return func() gangSetup {
			return gangSetup{sim: reportSim(reportNodes(5, reportSlot), 20*scheduler.Minute),
				jobs: []*scheduler.Job{spread(1, 2, scheduler.Res(bg, 512, 0)), reportJob(2, scheduler.Second, 4, 4, reportSlot, 60*scheduler.Second)}}
		}
	}
	return gangReport{
		id: "G17", source: "kubernetes-sigs/scheduler-plugins CheckClusterResource (code TODO)",
		claim: "a gang whose minResources fits the cluster-wide free sum but not per node passes the PreFilter and fails later, in Filter; when the sum does not fit the PreFilter catches it",
		setup: "5 one-slot nodes, two of them half taken by a background job (free: 3 whole slots + 2 halves = 4 slots summed); a gang of 4 one-slot pods (MinMember 4) at 1 s; horizon 20 min. Control: the background takes 0.6 of each, so the free sum (3.8) is short",
		build: mk(500),
		variants: []gangReportVariant{
			{name: "fragmented", what: "coscheduling defaults; the free sum fits, no node takes the 4th pod", cfg: cfgWith(gang.Permit, nil)},
			{name: "sum-short", what: "coscheduling defaults; the free sum is short", cfg: cfgWith(gang.Permit, nil), build: mk(600)},
		},
		grade: func(r gangRuns) ([]bench.Check, string) {
			f, s := r["fragmented"], r["sum-short"]
			return append(missing(r, "fragmented", "sum-short"),
				bench.Count("fits the sum: rejections after members were assumed", "passes PreFilter, fails later", 1, math.MaxInt, extraInt(f, "gang_rejections")),
				bench.Count("fits the sum: gang completed", "fails", 0, 0, jobInt(f, 2, jobCompleted)),
				bench.Count("sum short: rejections after members were assumed", "caught by PreFilter: none", 0, 0, extraInt(s, "gang_rejections")),
			), ""
		},
	}
}

// ---- the scenario and its claims ----

func gangReportIDs() []string {
	var out []string
	for _, r := range gangReports() {
		out = append(out, r.id)
	}
	return out
}

func registerGangReports(reg *bench.Registry) {
	reg.RegisterScenario(bench.ScenarioSpec{
		Name: "gang-reports",
		Doc: "every user report of gang deadlock, starvation and fragmentation that policies/gang models (REFERENCES.md §2.9: " + strings.Join(gangReportIDs(), ", ") +
			"), each as deterministic runs of its cluster and jobs under the reported configuration and the fix; gang_reports.md with each report's outcomes and its claim's verdict (docs/gang-reports.md)",
		Params: []bench.Param{
			{Name: "report", Type: bench.TypeList, Default: strings.Join(gangReportIDs(), "+"), Doc: "reports run, joined with +"},
		},
		Cells:  gangReportCells,
		Report: gangReportsReport,
	})
	for _, rep := range gangReports() {
		rep := rep
		spec := "gang-reports:report=" + rep.id
		reg.RegisterClaim(bench.ClaimSpec{ID: "gang-" + rep.id, Source: rep.source, Claim: rep.claim, Scenario: spec, Quick: spec,
			Grade: func(_ *bench.Params, cells []bench.Cell, results []*scheduler.Result) ([]bench.Check, string) {
				return rep.grade(runsOf(rep.id, cells, results))
			}})
	}
}

// runsOf picks report id's results by variant.
func runsOf(id string, cells []bench.Cell, results []*scheduler.Result) gangRuns {
	out := gangRuns{}
	for i := range cells {
		var rep, v string
		for _, l := range cells[i].Labels {
			switch l.Key {
			case "report":
				rep = l.Value
			case "variant":
				v = l.Value
			}
		}
		if rep == id && i < len(results) && results[i] != nil {
			out[v] = results[i]
		}
	}
	return out
}

// selectedReports returns the reports named by the report parameter.
func selectedReports(p *bench.Params) ([]gangReport, error) {
	names := splitPlus(p.List("report", strings.Join(gangReportIDs(), "+")))
	if err := p.Err(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("scenario gang-reports: parameter report: empty list (valid: %s)", strings.Join(gangReportIDs(), ", "))
	}
	all := gangReports()
	var out []gangReport
	for _, n := range names {
		i := slices.IndexFunc(all, func(r gangReport) bool { return r.id == n })
		if i < 0 {
			return nil, fmt.Errorf("scenario gang-reports: parameter report: unknown report %q (valid: %s)", n, strings.Join(gangReportIDs(), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

func gangReportCells(_ *bench.Registry, p *bench.Params, _ int) ([]bench.Cell, error) {
	reps, err := selectedReports(p)
	if err != nil {
		return nil, err
	}
	var cells []bench.Cell
	for ri := range reps {
		rep := &reps[ri]
		for vi := range rep.variants {
			v := &rep.variants[vi]
			cells = append(cells, bench.Cell{
				Labels: []bench.Label{{Key: "report", Value: rep.id}, {Key: "variant", Value: v.name}},
				Seed:   1,
				Run:    func() (*scheduler.Result, error) { return runGangReport(rep, v) },
			})
		}
	}
	return cells, nil
}

// gradeReport grades one report's runs as its claim does.
func gradeReport(rep *gangReport, cells []bench.Cell, results []*scheduler.Result) bench.ClaimResult {
	checks, note := rep.grade(runsOf(rep.id, cells, results))
	return bench.GradeClaim("gang-"+rep.id, rep.source, rep.claim, checks, note)
}

// jobsCell summarises every job's end state: "1:done 2:held 9 ...".
func jobsCell(r *scheduler.Result, jobs int) string {
	var parts []string
	for id := 1; id <= jobs; id++ {
		s := ""
		switch {
		case jobInt(r, id, jobCompleted) == 1:
			s = fmt.Sprintf("done %.0fs", jobFact(r, id, jobDone))
		case jobInt(r, id, jobFailed) > 0:
			s = "failed"
		default:
			var st []string
			for _, f := range []string{jobRunning, jobHeld, jobPending} {
				if n := jobInt(r, id, f); n > 0 {
					st = append(st, fmt.Sprintf("%s %d", f, n))
				}
			}
			s = strings.Join(st, ", ")
		}
		parts = append(parts, fmt.Sprintf("%d: %s", id, s))
	}
	return strings.Join(parts, "; ")
}

func gangReportsReport(dir string, p *bench.Params, cells []bench.Cell, results []*scheduler.Result) error {
	reps, err := selectedReports(p)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# gang-reports\n\nEach user report of REFERENCES.md §2.9 that policies/gang models, run deterministically under the reported configuration and the fix it names; every check below is computed from these runs (docs/gang-reports.md explains each setup).\n")
	for ri := range reps {
		rep := &reps[ri]
		fmt.Fprintf(&b, "\n## %s — %s\n\n%s\n\nSetup: %s.\n\n", rep.id, rep.source, rep.claim, rep.setup)
		t := &bench.Table{Header: []string{"variant", "configuration", "stop", "sim (s)", "terminal deadlock", "episodes", "jobs completed", "gangs started", "timeouts", "rejections", "gang wait p50 (s)", "held-idle CPU (%)", "jobs at the end"}}
		runs := runsOf(rep.id, cells, results)
		for _, v := range rep.variants {
			r := runs[v.name]
			if r == nil {
				t.Add(v.name, v.what, "failed to run", "", "", "", "", "", "", "", "", "", "")
				continue
			}
			jobs := r.JobsSubmitted
			if jobs > 12 {
				jobs = 12
			}
			t.Add(v.name, v.what, r.StopReason, fmt.Sprintf("%.0f", r.SimSeconds), fmt.Sprint(r.Deadlock.Terminal), fmt.Sprint(r.Deadlock.Episodes),
				fmt.Sprintf("%d/%d", r.JobsCompleted, r.JobsSubmitted), fmt.Sprint(extraInt(r, "gangs_started")), fmt.Sprint(extraInt(r, "gang_timeouts")),
				fmt.Sprint(extraInt(r, "gang_rejections")), numCell(r.GangWait.P50, 1), fmt.Sprintf("%.1f", 100*r.HeldIdle.CPU), jobsCell(r, jobs))
		}
		if err := t.WriteMarkdown(&b); err != nil {
			return err
		}
		cr := gradeReport(rep, cells, results)
		b.WriteString("\n" + cr.VerdictLine() + "\n")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "gang_reports.md"), []byte(b.String()), 0o644)
}
