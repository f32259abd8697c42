package omega

// Omega V7 (coarse-grained conflict detection): a regression test of what a
// sequence-number conflict is, and the measurement harness behind
// docs/omega-v7.md (skipped unless V7=1; see TestV7Measure).

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// v7Cell is one Omega-workload cell: the omega-modes scenario's by default
// (bench/families/omega_scenarios.go, scenarioModes).
type v7Cell struct {
	tjob, ttask      scheduler.Time // service decision time
	horizon          scheduler.Time
	prefill          float64
	machines         int
	lambdaB, lambdaS float64
	releases         bool   // Config.SeqCountsReleases
	leak             bool   // emulate the simulator's all-or-nothing rollback, which leaves the undone claims' seq bumps
	placer           string // "" (randomised first fit), "bestfit"
}

func defaultV7Cell() v7Cell {
	return v7Cell{tjob: 5 * scheduler.Second, ttask: 5 * scheduler.Millisecond, horizon: 2 * scheduler.Hour,
		prefill: 0.6, machines: 10000, lambdaB: 1, lambdaS: 1}
}

// v7Class is what the harness measures for one class's scheduler(s).
type v7Class struct {
	busy, conflictFraction  float64 // the Report's C.busyness and C.conflict_fraction
	first, retry, noFit     float64 // busy time / run time: first attempts' transactions, retries', attempts with no claim
	tx, retryTx, conflicted int
	claims, stale, staleFit int // claims; claims whose node's seq moved since the plan; of which would still fit
	unfit, unfitFresh       int // claims that would not fit; of which on a node whose seq had not moved
	spuriousTx              int // conflicted transactions (DetectSeq) in which every claim would still fit
	staleTx, unfitTx        int // transactions with a stale claim / with a claim that would not fit
}

func (c *v7Class) add(o v7Class) {
	c.busy += o.busy
	c.conflictFraction += o.conflictFraction
	c.first += o.first
	c.retry += o.retry
	c.noFit += o.noFit
	c.tx += o.tx
	c.retryTx += o.retryTx
	c.conflicted += o.conflicted
	c.claims += o.claims
	c.stale += o.stale
	c.staleFit += o.staleFit
	c.unfit += o.unfit
	c.unfitFresh += o.unfitFresh
	c.spuriousTx += o.spuriousTx
	c.staleTx += o.staleTx
	c.unfitTx += o.unfitTx
}

// v7Run runs one cell under detection d and transaction mode tx. Before every
// commit it checks each claim, in order, both ways: is it stale (the node's
// sequence number moved since the plan) and would it still fit (the state as left
// by the claims before it); the check is undone before the real commit.
func v7Run(t *testing.T, c v7Cell, d scheduler.Detection, tx Transaction, seed uint64) [2]v7Class {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Service = DecisionTime{Job: c.tjob, Task: c.ttask}
	cfg.Detection, cfg.Transaction = d, tx
	cfg.SeqCountsReleases = c.releases
	if c.placer == "bestfit" {
		cfg.NewPlacer = func() (scheduler.Placer, error) { return scheduler.KeyBestFit{}, nil }
	}
	o, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var st [2]v7Class
	var busyFirst, busyRetry [2]scheduler.Time
	var first bool
	var dec scheduler.Time
	applied := 0 // claims a seq commit applies before its first stale one
	o.beforeCommit = func(a *agent, p *scheduler.Plan) {
		s := a.o.sim.State
		e := a.o.jobs[p.Claims[0].Task.Job.ID]
		first = e.attempts == 1
		dec = a.o.decision(a, e.job).For(len(e.tasks))
		x := &st[a.class&1]
		probe := s.Begin()
		allFit, anyStale := true, false
		applied = 0
		for _, cl := range p.Claims {
			stale := s.Seq(cl.Node) != cl.Seq
			if !stale && !anyStale {
				applied++
			}
			fits := s.Place(cl.Task, cl.Node, cl.GPUs, cl.Held).IsOK()
			x.claims++
			if stale {
				anyStale = true
				x.stale++
				if fits {
					x.staleFit++
				}
			}
			if !fits {
				allFit = false
				x.unfit++
				if !stale {
					x.unfitFresh++
				}
			}
		}
		probe.Rollback()
		if anyStale {
			x.staleTx++
		}
		if !allFit {
			x.unfitTx++
		}
		if d == scheduler.DetectSeq && anyStale && allFit {
			x.spuriousTx++
		}
	}
	o.afterCommit = func(a *agent, p *scheduler.Plan, res scheduler.CommitResult) {
		if c.leak && d == scheduler.DetectSeq && tx == AllOrNothing && len(res.Conflicts) > 0 {
			// The simulator's rollback (ClaimDelta.unApply) frees the claims applied
			// before the conflict but keeps their seq bumps: bump each node once per
			// such claim with a zero-size task placed and released.
			s := a.o.sim.State
			for _, cl := range p.Claims[:applied] {
				dummy := &scheduler.Task{Node: scheduler.NoNode}
				if !s.Place(dummy, cl.Node, 0, false).IsOK() {
					t.Fatalf("leak emulation: %v", s.Place(dummy, cl.Node, 0, false))
				}
				s.Release(dummy)
			}
		}
		k := a.class & 1
		x := &st[k]
		x.tx++
		if len(res.Conflicts) > 0 {
			x.conflicted++
		}
		if first {
			busyFirst[k] += dec
		} else {
			x.retryTx++
			busyRetry[k] += dec
		}
	}
	wc := workload.DefaultOmega()
	wc.Horizon, wc.Machines, wc.Prefill = c.horizon, c.machines, c.prefill
	wc.BatchRate, wc.ServiceRate = c.lambdaB, c.lambdaS
	g, err := workload.NewOmega(wc, seed)
	if err != nil {
		t.Fatal(err)
	}
	sc := scheduler.DefaultConfig()
	sc.Seed, sc.Horizon, sc.Nodes = seed, c.horizon, g.Nodes()
	sim, err := scheduler.NewSim(sc, g, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run()
	if err != nil {
		t.Fatal(err)
	}
	T := sim.Now().Seconds()
	for k := 0; k < 2; k++ {
		name := scheduler.Class(k).String()
		x := &st[k]
		x.busy = res.Extra[name+".busyness"]
		x.conflictFraction = res.Extra[name+".conflict_fraction"]
		var total scheduler.Time
		n := 0
		for _, a := range o.agents {
			if int(a.class&1) == k {
				total += a.stats.useful + a.stats.wasted
				n++
			}
		}
		x.first = busyFirst[k].Seconds() / T / float64(n)
		x.retry = busyRetry[k].Seconds() / T / float64(n)
		x.noFit = (total - busyFirst[k] - busyRetry[k]).Seconds() / T / float64(n)
	}
	return st
}

// TestSeqNeverFinerThanFit: on a small, busy Omega cell, every claim that would
// not fit lands on a node whose sequence number moved since the plan (a machine
// untouched since the plan still has the room the plan saw; this needs the
// workload's one task size: with mixed sizes, a plan's second claim on a node can
// read as fresh when its first was skipped and exactly one foreign claim landed —
// a quirk the released simulator shares), so sequence numbers
// detect every conflict resource fit detects, plus the spurious ones; the busy time
// is exactly first attempts plus retries (no attempt here finds no machine); and
// first attempts cost the same under both detections (only retries differ).
func TestSeqNeverFinerThanFit(t *testing.T) {
	c := defaultV7Cell()
	c.machines, c.horizon, c.lambdaB = 1000, 30*scheduler.Minute, 0.5
	var firstBusy []float64
	for _, k := range []struct {
		d        scheduler.Detection
		releases bool
	}{{scheduler.DetectFit, false}, {scheduler.DetectSeq, false}, {scheduler.DetectSeq, true}} {
		c.releases = k.releases
		st := v7Run(t, c, k.d, Incremental, 1)
		for cl, x := range st {
			if x.tx == 0 {
				t.Fatalf("%v/%v: class %d made no transaction", k.d, k.releases, cl)
			}
			if x.unfitFresh != 0 {
				t.Errorf("%v releases=%v class %d: %d of %d claims that do not fit are on nodes whose seq did not move", k.d, k.releases, cl, x.unfitFresh, x.unfit)
			}
			// Up to a transaction's first stale (or unfitting) claim, every claim is
			// fresh and fits, so the probe and the commit agree: a transaction
			// conflicts exactly when the probe found a stale claim (seq) or one that
			// does not fit (fit).
			if want := x.unfitTx; k.d == scheduler.DetectSeq {
				want = x.staleTx
				if x.conflicted != want {
					t.Errorf("seq releases=%v class %d: %d conflicted transactions, %d with a stale claim", k.releases, cl, x.conflicted, want)
				}
			} else if x.conflicted != want {
				t.Errorf("fit class %d: %d conflicted transactions, %d with a claim that does not fit", cl, x.conflicted, want)
			}
			if x.noFit != 0 {
				t.Errorf("class %d: attempts with no claim (busy %.6f): the cell is meant to keep room", cl, x.noFit)
			}
			if d := x.busy - x.first - x.retry - x.noFit; d > 1e-9 || d < -1e-9 {
				t.Errorf("class %d: busyness %.6f ≠ first %.6f + retries %.6f + no-fit %.6f", cl, x.busy, x.first, x.retry, x.noFit)
			}
		}
		svc := st[scheduler.Service]
		t.Logf("%v releases=%v: service %d tx, %d conflicted, %d claims, %d stale (%d fit), %d unfit; busy %.4f", k.d, k.releases, svc.tx, svc.conflicted, svc.claims, svc.stale, svc.staleFit, svc.unfit, svc.busy)
		if svc.conflicted == 0 || svc.unfit == 0 {
			t.Fatalf("%v releases=%v: the cell is too quiet to test (%d conflicted, %d unfit claims)", k.d, k.releases, svc.conflicted, svc.unfit)
		}
		if k.d == scheduler.DetectSeq && svc.staleFit == 0 {
			t.Errorf("seq: no spurious claim (stale but fitting) on a cell with %d stale claims", svc.stale)
		}
		firstBusy = append(firstBusy, svc.first)
	}
	for i := range firstBusy {
		if firstBusy[i] != firstBusy[0] {
			t.Errorf("first-attempt busyness differs between detections: %v", firstBusy)
		}
	}
}

// TestV7Measure prints the tables of docs/omega-v7.md. It runs only with V7=1;
// the cell comes from V7_* variables (defaults: the omega-modes cells):
// V7_TJOB, V7_TTASK (service decision, seconds), V7_HORIZON (seconds), V7_PREFILL,
// V7_MACHINES, V7_LAMBDA (batch multipliers, comma-separated), V7_LSERV, V7_SEEDS,
// V7_RELEASE=1 (Config.SeqCountsReleases), V7_LEAK=1 (emulate the simulator's
// all-or-nothing rollback, which keeps the undone claims' seq bumps),
// V7_PLACER=bestfit, V7_MODES
// (comma-separated detection/transaction pairs).
func TestV7Measure(t *testing.T) {
	if os.Getenv("V7") == "" {
		t.Skip("set V7=1 to run the V7 measurement harness")
	}
	c := defaultV7Cell()
	c.tjob = scheduler.Seconds(v7Env("V7_TJOB", 5))
	c.ttask = scheduler.Seconds(v7Env("V7_TTASK", 0.005))
	c.horizon = scheduler.Seconds(v7Env("V7_HORIZON", 7200))
	c.prefill = v7Env("V7_PREFILL", 0.6)
	c.machines = int(v7Env("V7_MACHINES", 10000))
	c.lambdaS = v7Env("V7_LSERV", 1)
	c.releases = os.Getenv("V7_RELEASE") == "1"
	c.leak = os.Getenv("V7_LEAK") == "1"
	c.placer = os.Getenv("V7_PLACER")
	seeds := int(v7Env("V7_SEEDS", 1))
	lambdas := strings.Split(v7EnvStr("V7_LAMBDA", "1,10"), ",")
	modes := strings.Split(v7EnvStr("V7_MODES", "fit/incremental,fit/all-or-nothing,seq/incremental,seq/all-or-nothing"), ",")
	fmt.Printf("# service t_job=%v t_task=%v, horizon %v, %d machines, prefill %g, λ(service)×%g, SeqCountsReleases=%v, simulator rollback leak=%v, placer=%q, %d seed(s), means over seeds\n",
		c.tjob, c.ttask, c.horizon, c.machines, c.prefill, c.lambdaS, c.releases, c.leak, c.placer, seeds)
	fmt.Println("| λ(batch) | detection/transaction | svc conflict fraction | svc busy | first attempts | retries | no-fit | retry share of busy | svc tx | of which retries | stale claims | stale but fit | spurious share of conflicted tx | batch conflict fraction | batch busy |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, ls := range lambdas {
		lb, err := strconv.ParseFloat(ls, 64)
		if err != nil {
			t.Fatal(err)
		}
		c.lambdaB = lb
		for _, m := range modes {
			dn, tn, _ := strings.Cut(m, "/")
			d, err := ParseDetection(dn)
			if err != nil {
				t.Fatal(err)
			}
			tx, err := ParseTransaction(tn)
			if err != nil {
				t.Fatal(err)
			}
			var acc [2]v7Class
			for s := 1; s <= seeds; s++ {
				st := v7Run(t, c, d, tx, uint64(s))
				acc[0].add(st[0])
				acc[1].add(st[1])
			}
			n := float64(seeds)
			sv, bt := acc[scheduler.Service], acc[scheduler.Batch]
			staleFit, spur := "–", "–"
			if sv.stale > 0 {
				staleFit = fmt.Sprintf("%d (%.0f%%)", sv.staleFit, 100*float64(sv.staleFit)/float64(sv.stale))
			}
			if d == scheduler.DetectSeq && sv.conflicted > 0 {
				spur = fmt.Sprintf("%.2f", float64(sv.spuriousTx)/float64(sv.conflicted))
			}
			fmt.Printf("| ×%s | %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.1f%% | %d | %d | %d | %s | %s | %.4f | %.4f |\n",
				ls, m, sv.conflictFraction/n, sv.busy/n, sv.first/n, sv.retry/n, sv.noFit/n, 100*sv.retry/sv.busy,
				sv.tx, sv.retryTx, sv.stale, staleFit, spur, bt.conflictFraction/n, bt.busy/n)
		}
	}
}

func v7Env(name string, def float64) float64 {
	if s := os.Getenv(name); s != "" {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v
		}
	}
	return def
}

func v7EnvStr(name, def string) string {
	if s := os.Getenv(name); s != "" {
		return s
	}
	return def
}
