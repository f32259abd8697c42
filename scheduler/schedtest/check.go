package schedtest

import (
	"fmt"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// CheckState verifies the cluster state's own invariants (State.CheckInvariants:
// no resource or GPU device over-committed, free + allocated = capacity per node,
// totals and indexes in agreement). It returns "" when they hold, else the first
// violation. Cost O(nodes + tasks).
func CheckState(st *scheduler.State) string {
	if msg := st.CheckInvariants(); msg != "" {
		return "state: " + msg
	}
	return ""
}

// CheckTasks verifies that the tasks of jobs and the state agree, whatever a policy
// did: every submitted task is in exactly one valid state; it is placed exactly
// when it is held or running, and then on an up node whose task list holds it;
// held tasks are the held allocations; each job's running count is right; and the
// nodes hold no task that is not one of jobs' (a double placement or a forged task).
// Jobs that were never submitted (all tasks TaskNew) are ignored. It returns "" or
// the first violation. Cost O(nodes + tasks); it does not allocate.
func CheckTasks(st *scheduler.State, jobs []*scheduler.Job) string {
	placed := 0
	for _, j := range jobs {
		running := 0
		for i := range j.Tasks {
			t := &j.Tasks[i]
			if t.State == scheduler.TaskNew {
				continue
			}
			if t.State > scheduler.TaskAbandoned {
				return fmt.Sprintf("task %v: invalid state %v", t, t.State)
			}
			on := t.Node != scheduler.NoNode
			want := t.State == scheduler.TaskHeld || t.State == scheduler.TaskRunning
			if on != want {
				return fmt.Sprintf("task %v is %v but its node is %d", t, t.State, t.Node)
			}
			if t.State == scheduler.TaskRunning {
				running++
			}
			if !on {
				continue
			}
			placed++
			if int(t.Node) >= st.NumNodes() || !st.Up(t.Node) {
				return fmt.Sprintf("task %v is %v on node %d, which is down or unknown", t, t.State, t.Node)
			}
			if t.IsHeld() != (t.State == scheduler.TaskHeld) {
				return fmt.Sprintf("task %v is %v but its allocation held=%v", t, t.State, t.IsHeld())
			}
		}
		if running != j.Running() {
			return fmt.Sprintf("job %d: %d tasks running but the job counts %d", j.ID, running, j.Running())
		}
	}
	onNodes := 0
	bad := ""
	for id := scheduler.NodeID(0); int(id) < st.NumNodes(); id++ {
		st.Tasks(id, func(t *scheduler.Task) bool {
			onNodes++
			if j := t.Job; j == nil || t.Index < 0 || int(t.Index) >= len(j.Tasks) || &j.Tasks[t.Index] != t || t.State == scheduler.TaskNew {
				bad = fmt.Sprintf("node %d holds task %v (id %d) that is not a submitted task of the workload (double placement or forged task)", id, t, t.ID)
				return false
			}
			if t.State != scheduler.TaskHeld && t.State != scheduler.TaskRunning {
				bad = fmt.Sprintf("node %d holds task %v, which is %v", id, t, t.State)
				return false
			}
			return true
		})
		if bad != "" {
			return bad
		}
	}
	if onNodes != placed {
		return fmt.Sprintf("the nodes hold %d tasks but %d tasks are held or running", onNodes, placed)
	}
	return ""
}

// GangTracker checks gang atomicity: a gang (MinMember > 0) never has a task
// running before MinMember of its tasks run together, and those first MinMember
// start in one atomic step. Precisely, when a member of a gang that has not started
// yet starts running, at least MinMember members must already be placed (a plan
// committed as a whole, or held members activated together) and at least MinMember
// must be running at the end of that step; and after every simulation step, a gang
// that has not started has no task running. Once it has
// started, members may finish, fail or be restarted one by one. Feed it every
// "start" record (OnStart) and call Check after every step; the zero value is ready.
type GangTracker struct {
	started   map[scheduler.JobID]bool
	starting  []*scheduler.Job // started since the last Check: must be running MinMember by then
	violation string
}

// OnStart records that task t started running. A violation is kept and returned by
// the next Check. Cost O(tasks of the job) for a gang that has not started.
func (g *GangTracker) OnStart(t *scheduler.Task) {
	j := t.Job
	if j == nil || !j.IsGang() || g.violation != "" {
		return
	}
	if g.started == nil {
		g.started = map[scheduler.JobID]bool{}
	}
	if g.started[j.ID] {
		return
	}
	placed := 0
	for i := range j.Tasks {
		if j.Tasks[i].Node != scheduler.NoNode {
			placed++
		}
	}
	if placed < int(j.MinMember) {
		g.violation = fmt.Sprintf("gang job %d: task %v started while only %d of its MinMember %d tasks were placed (a partial gang)",
			j.ID, t, placed, j.MinMember)
		return
	}
	g.started[j.ID] = true
	g.starting = append(g.starting, j)
}

// Check returns "" or a description of the first gang that started partially or
// is partially running without ever having started. Cost O(tasks of gang jobs).
func (g *GangTracker) Check(jobs []*scheduler.Job) string {
	if g.violation != "" {
		return g.violation
	}
	if g.started == nil {
		g.started = map[scheduler.JobID]bool{}
	}
	for _, j := range g.starting {
		if j.Running() < int(j.MinMember) {
			return fmt.Sprintf("gang job %d started only %d of its MinMember %d tasks in one step", j.ID, j.Running(), j.MinMember)
		}
	}
	g.starting = g.starting[:0]
	for _, j := range jobs {
		if !j.IsGang() || g.started[j.ID] {
			continue
		}
		running := 0
		for i := range j.Tasks {
			if j.Tasks[i].State == scheduler.TaskRunning {
				running++
			}
		}
		switch {
		case running >= int(j.MinMember):
			g.started[j.ID] = true
		case running > 0:
			return fmt.Sprintf("gang job %d has %d of its MinMember %d tasks running before the gang ever started",
				j.ID, running, j.MinMember)
		}
	}
	return ""
}

// CheckTenants verifies the tenants' accounting: each tenant's usage in the state
// (State.TenantUsage) equals the requests of its placed (held or running) tasks, and
// stays within its quota if quotas has one. It returns "" or the first violation.
// Cost O(tasks × tenants).
func CheckTenants(st *scheduler.State, jobs []*scheduler.Job, quotas map[string]scheduler.Resources) string {
	type use struct {
		name string
		sum  scheduler.Resources
	}
	var uses []use
	for _, j := range jobs {
		k := -1
		for i := range uses {
			if uses[i].name == j.Tenant {
				k = i
				break
			}
		}
		if k < 0 {
			uses = append(uses, use{name: j.Tenant})
			k = len(uses) - 1
		}
		for i := range j.Tasks {
			if t := &j.Tasks[i]; t.State != scheduler.TaskNew && t.Node != scheduler.NoNode {
				uses[k].sum = uses[k].sum.Add(t.Request)
			}
		}
	}
	for _, u := range uses {
		if got := st.TenantUsage(u.name); got != u.sum {
			return fmt.Sprintf("tenant %q: the state counts usage %v, its placed tasks request %v", u.name, got, u.sum)
		}
		if q, ok := quotas[u.name]; ok && !u.sum.LessEq(q) {
			return fmt.Sprintf("tenant %q uses %v, over its quota %v", u.name, u.sum, q)
		}
	}
	return ""
}

// CheckResult verifies that a finished run's Result agrees with its tasks: the
// per-state counts match the tasks' states, they add up to the submitted tasks, and
// the job counts are right. Call it after the run, with the same jobs. It returns
// "" or the first disagreement. Cost O(tasks).
func CheckResult(res *scheduler.Result, jobs []*scheduler.Job) string {
	var count [scheduler.TaskAbandoned + 1]int
	submitted, jobsSubmitted, jobsCompleted, jobsAbandoned := 0, 0, 0, 0
	for _, j := range jobs {
		sub := false
		for i := range j.Tasks {
			t := &j.Tasks[i]
			if t.State == scheduler.TaskNew {
				continue
			}
			sub = true
			submitted++
			if t.State <= scheduler.TaskAbandoned {
				count[t.State]++
			}
			if t.State == scheduler.TaskCompleted && t.Ended < t.Started {
				return fmt.Sprintf("task %v completed at %v before it started at %v", t, t.Ended, t.Started)
			}
		}
		if sub {
			jobsSubmitted++
			if j.Done >= 0 && j.Completed() == len(j.Tasks) && !j.Abandoned {
				jobsCompleted++
			}
			if j.Abandoned {
				jobsAbandoned++
			}
		}
	}
	type pair struct {
		name      string
		got, want int
	}
	for _, p := range []pair{
		{"tasks_submitted", res.TasksSubmitted, submitted},
		{"tasks_completed", res.TasksCompleted, count[scheduler.TaskCompleted]},
		{"tasks_failed", res.TasksFailed, count[scheduler.TaskFailed]},
		{"tasks_abandoned", res.TasksAbandoned, count[scheduler.TaskAbandoned]},
		{"tasks_pending", res.TasksPending, count[scheduler.TaskPending]},
		{"tasks_held", res.TasksHeld, count[scheduler.TaskHeld]},
		{"tasks_running", res.TasksRunning, count[scheduler.TaskRunning]},
		{"tasks_blocked", res.TasksBlocked, count[scheduler.TaskBlocked]},
		{"jobs_submitted", res.JobsSubmitted, jobsSubmitted},
		{"jobs_completed", res.JobsCompleted, jobsCompleted},
		{"jobs_abandoned", res.JobsAbandoned, jobsAbandoned},
	} {
		if p.got != p.want {
			return fmt.Sprintf("result %s = %d but %d tasks/jobs are in that state", p.name, p.got, p.want)
		}
	}
	sum := res.TasksCompleted + res.TasksFailed + res.TasksAbandoned + res.TasksPending + res.TasksHeld + res.TasksRunning + res.TasksBlocked
	if sum != res.TasksSubmitted {
		return fmt.Sprintf("result task states add up to %d, not tasks_submitted %d", sum, res.TasksSubmitted)
	}
	return ""
}

// CheckNothingLost verifies, after a run that drained (stop reason "drained": the
// event queue ran dry, so nothing will ever happen again), that no task was left
// pending or held: a policy must place, fail or abandon every task it is given,
// or keep a timer to come back to it. It returns "" or the first lost task.
func CheckNothingLost(res *scheduler.Result, jobs []*scheduler.Job) string {
	if res.StopReason != "drained" {
		return ""
	}
	for _, j := range jobs {
		for i := range j.Tasks {
			t := &j.Tasks[i]
			if t.State == scheduler.TaskPending || t.State == scheduler.TaskHeld {
				return fmt.Sprintf("task %v is still %v after the run drained (nothing left to wake the policy): the policy lost it", t, t.State)
			}
		}
	}
	return ""
}

// CheckLive verifies the liveness that a deadlock-free policy promises, after a run
// of sc without a horizon and without tasks that run forever (on other scenarios it
// judges nothing and returns ""): every job that fits the cluster on its own (the nodes
// that are up at the end of the failure schedule, empty, by a first-fit packing of
// all its tasks at once, within its tenant's quota) and whose prerequisite jobs do
// too ended with no task pending, held or still running. Jobs that do not fit on
// their own may wait forever; they must not stop the others. Blocked tasks (DAG
// groups and job dependencies) are the engine's business, not the policy's, and
// are not judged. It returns "" or the first stuck task. Cost O(jobs × tasks ×
// nodes).
func CheckLive(sc *Scenario, jobs []*scheduler.Job) string {
	if sc.Horizon > 0 {
		return ""
	}
	for _, j := range jobs {
		for i := range j.Tasks {
			if j.Tasks[i].Runtime == scheduler.Forever {
				return "" // a task that never ends may hold what others need: liveness is not judged
			}
		}
	}
	feasible := Feasible(sc)
	for _, j := range jobs {
		if !feasible[j.ID] {
			continue
		}
		for i := range j.Tasks {
			t := &j.Tasks[i]
			switch {
			case t.State == scheduler.TaskPending, t.State == scheduler.TaskHeld,
				t.State == scheduler.TaskRunning && t.Runtime != scheduler.Forever:
				return fmt.Sprintf("deadlock-free: task %v of job %d, which fits the cluster on its own, is still %v", t, j.ID, t.State)
			}
		}
	}
	return ""
}

// Feasible reports, for each job of sc (by JobID), whether it could run on its own:
// all its tasks fit at once, by first fit in task order, on the empty nodes that
// are up at the end of the failure schedule, within its tenant's quota, and every job it waits for (submitted
// before it) is feasible too. First fit is a sufficient test, not an exact one: a
// job it calls infeasible might still fit another way. Cost O(tasks × nodes).
func Feasible(sc *Scenario) map[scheduler.JobID]bool {
	total := len(sc.Nodes) + len(sc.Adds)
	return feasibleOn(sc, total, lasting(sc, total))
}

// lasting marks the nodes among the first n of sc that the failure schedule takes
// away for good (removed, or down without recovery).
func lasting(sc *Scenario, n int) []bool {
	total := len(sc.Nodes) + len(sc.Adds)
	gone := make([]bool, n)
	for _, f := range sc.Failures {
		if total > 0 && (f.Remove || f.For <= 0) {
			if i := ((f.Node % total) + total) % total; i < n {
				gone[i] = true
			}
		}
	}
	return gone
}

// feasibleOn is Feasible on the first n nodes of sc (initial nodes, then added
// ones) except those marked gone.
func feasibleOn(sc *Scenario, n int, gone []bool) map[scheduler.JobID]bool {
	var nodes []scheduler.Node
	for i := 0; i < n; i++ {
		if gone[i] {
			continue
		}
		if i < len(sc.Nodes) {
			nodes = append(nodes, sc.Nodes[i].node(sc.nodeName(i)))
		} else {
			nodes = append(nodes, sc.Adds[i-len(sc.Nodes)].Node.node(sc.nodeName(i)))
		}
	}
	out := map[scheduler.JobID]bool{}
	st, err := scheduler.NewState(nodes)
	if err != nil {
		return out
	}
	set := map[string]bool{}
	for _, q := range sc.Quotas {
		if !set[q.Tenant] { // the first entry for a tenant counts, as in Build
			set[q.Tenant] = true
			st.SetQuota(q.Tenant, scheduler.Res(max(q.CPU, 0), max(q.Mem, 0), max(q.GPU, 0)))
		}
	}
	b := sc.Build()
	seen := map[scheduler.JobID]bool{}
	for _, j := range b.Jobs {
		ok := true
		for _, d := range j.After {
			if seen[d] && !out[d] {
				ok = false
			}
		}
		seen[j.ID] = true
		if !ok {
			continue
		}
		tx := st.Begin()
		for i := range j.Tasks {
			t := &j.Tasks[i]
			t.Job, t.Node = j, scheduler.NoNode
			j.TenantID = st.TenantID(j.Tenant)
			placed := false
			for id := scheduler.NodeID(0); int(id) < st.NumNodes(); id++ {
				if st.Place(t, id, 0, false).IsOK() {
					placed = true
					break
				}
			}
			if !placed {
				ok = false
				break
			}
		}
		tx.Rollback()
		out[j.ID] = ok
	}
	return out
}

// Abandon declares what work a policy may legitimately leave undone: the jobs
// that the default liveness check (CheckLiveness) does not judge. The zero value,
// AbandonNothing, judges every job.
type Abandon uint8

const (
	// AbandonNothing: every job that fits the cluster on its own is placed once the
	// cluster has room; the policy fails or abandons none of its tasks.
	AbandonNothing Abandon = iota
	// AbandonGangs: the policy may give up on gang jobs (MinMember > 0), or leave
	// them waiting while their members fit (timeouts, gates, partial holds that
	// deadlock); ordinary jobs are judged.
	AbandonGangs
	// AbandonAny: the policy may give up on any job, or leave it waiting (offers
	// declined, attempts capped, decision latency longer than the run):
	// liveness is not judged.
	AbandonAny
)

var abandonNames = [...]string{"nothing", "gangs", "any"}

// String returns the declaration's name: "nothing", "gangs" or "any".
func (a Abandon) String() string {
	if int(a) < len(abandonNames) {
		return abandonNames[a]
	}
	return fmt.Sprintf("Abandon(%d)", a)
}

// MarshalText implements encoding.TextMarshaler (the saved-counterexample form).
func (a Abandon) MarshalText() ([]byte, error) {
	if int(a) >= len(abandonNames) {
		return nil, fmt.Errorf("schedtest: invalid Abandon %d", a)
	}
	return []byte(a.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Abandon) UnmarshalText(b []byte) error {
	for i, n := range abandonNames {
		if string(b) == n {
			*a = Abandon(i)
			return nil
		}
	}
	return fmt.Errorf("schedtest: unknown abandon declaration %q (want nothing, gangs or any)", b)
}

// CheckLiveness verifies the liveness every policy owes by default, at the end of
// a run of sc that drained or quiesced (a run cut by a horizon is not judged). A job
// is judged when it fits, on its own, the empty cluster of the nodes present from
// the start that the failure schedule does not take away for good (the test of
// Feasible), and abandon does not excuse it. A judged job must not have been given
// up by the policy: none of its tasks failed or abandoned while never lost to a
// node (a task failed after a restart may have hit the restart limit; a DAG stage
// whose predecessor did not complete is the engine's business). And none of its
// tasks may still be pending while it fits the cluster as it stands at the end
// (for a gang that has not started: while the members it needs fit together, by
// first fit): the cluster has room, and nothing more was going to happen. It
// returns "" or the first violation. Cost O(jobs × tasks × nodes).
func CheckLiveness(res *scheduler.Result, sc *Scenario, st *scheduler.State, jobs []*scheduler.Job, abandon Abandon) string {
	if abandon >= AbandonAny || (res.StopReason != "drained" && res.StopReason != "quiesced") {
		return ""
	}
	feasible := feasibleOn(sc, len(sc.Nodes), lasting(sc, len(sc.Nodes)))
	var judged []*scheduler.Job
	for _, j := range jobs {
		if !feasible[j.ID] || (abandon == AbandonGangs && j.IsGang()) {
			continue
		}
		judged = append(judged, j)
		for i := range j.Tasks {
			t := &j.Tasks[i]
			if (t.State != scheduler.TaskFailed && t.State != scheduler.TaskAbandoned) || t.Restarts > 0 || cancelled(j, t) {
				continue
			}
			return fmt.Sprintf("liveness: task %v of job %d, which fits the cluster on its own, was %v by the policy (declare Options.Abandons if the policy may give up on work)",
				t, j.ID, t.State)
		}
	}
	if msg := CheckIdleFit(res, st, judged, sc.quotas()); msg != "" {
		return "liveness: " + strings.TrimPrefix(msg, "work-conserving: ") + " (the cluster has room, and nothing more was going to happen)"
	}
	return ""
}

// cancelled reports whether t belongs to a DAG stage with a predecessor stage that
// did not complete (the engine ends such stages with their predecessor's state).
func cancelled(j *scheduler.Job, t *scheduler.Task) bool {
	if int(t.Group) >= len(j.Groups) || len(j.Groups[t.Group].After) == 0 {
		return false
	}
	for _, a := range j.Groups[t.Group].After {
		for i := range j.Tasks {
			if o := &j.Tasks[i]; o.Group == a && o.State != scheduler.TaskCompleted {
				return true
			}
		}
	}
	return false
}

// CheckIdleFit verifies the work conservation that a policy may declare, at the
// end of a run that drained or quiesced (nothing else was going to happen): no
// pending task could be placed as the cluster stands. A pending task of an ordinary
// job (or of a gang that has started) must not fit any node (State.Fits, and its
// tenant's quota); the pending members of a gang that has not started must not be
// placeable together, MinMember of them, by first fit. It returns "" or the first
// task left waiting. Cost O(tasks × nodes).
func CheckIdleFit(res *scheduler.Result, st *scheduler.State, jobs []*scheduler.Job, quotas map[string]scheduler.Resources) string {
	if res.StopReason != "drained" && res.StopReason != "quiesced" {
		return ""
	}
	inQuota := func(t *scheduler.Task) bool {
		q, ok := quotas[t.Job.Tenant]
		return !ok || st.TenantUsage(t.Job.Tenant).Add(t.Request).LessEq(q)
	}
	for _, j := range jobs {
		var pending []*scheduler.Task
		for i := range j.Tasks {
			if t := &j.Tasks[i]; t.State == scheduler.TaskPending {
				pending = append(pending, t)
			}
		}
		if len(pending) == 0 {
			continue
		}
		if j.IsGang() && j.GangReady < 0 {
			need := int(j.MinMember) - j.Running()
			for i := range j.Tasks {
				if j.Tasks[i].State == scheduler.TaskHeld {
					need--
				}
			}
			if need <= 0 || need > len(pending) {
				continue
			}
			if claims, s := scheduler.PlaceGang(st, scheduler.ScanFirstFit{}, pending, need); s.IsOK() {
				var sum scheduler.Resources
				for _, c := range claims[:need] {
					sum = sum.Add(c.Task.Request)
				}
				if q, ok := quotas[j.Tenant]; !ok || st.TenantUsage(j.Tenant).Add(sum).LessEq(q) {
					return fmt.Sprintf("work-conserving: gang job %d waits with %d pending members that fit together now (%d needed)", j.ID, len(pending), need)
				}
			}
			continue
		}
		for _, t := range pending {
			if !inQuota(t) {
				continue
			}
			for id := scheduler.NodeID(0); int(id) < st.NumNodes(); id++ {
				if st.Fits(t, id).IsOK() {
					return fmt.Sprintf("work-conserving: task %v is still pending at the end, but fits node %d now", t, id)
				}
			}
		}
	}
	return ""
}
