package bench

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func TestWilson(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 5e-4 }
	for _, c := range []struct {
		k, n      int
		p, lo, hi float64
	}{
		{0, 5, 0, 0, 0.4345}, {5, 5, 1, 0.5655, 1}, {1, 10, 0.1, 0.0179, 0.4042}, {10, 20, 0.5, 0.2993, 0.7007},
	} {
		p, lo, hi := Wilson(c.k, c.n)
		if !near(p, c.p) || !near(lo, c.lo) || !near(hi, c.hi) || lo < 0 || hi > 1 {
			t.Errorf("Wilson(%d, %d) = %v [%v, %v], want %v [%v, %v]", c.k, c.n, p, lo, hi, c.p, c.lo, c.hi)
		}
	}
	if p, _, _ := Wilson(0, 0); !math.IsNaN(p) {
		t.Errorf("Wilson(0, 0) = %v", p)
	}
}

func groupOf(vals []float64, set func(*scheduler.Result, float64)) *Group {
	g := &Group{}
	for _, v := range vals {
		r := &scheduler.Result{}
		set(r, v)
		g.Results = append(g.Results, r)
	}
	return g
}

// A rate over seeds gets a Wilson interval inside [0, 100] (a Student-t one on
// 1 of 6 deadlocked runs would reach below 0); a percentage's t interval is
// clipped to [0, 100]; with fewer than MinIntervalSeeds seeds no interval is
// claimed.
func TestIntervalOf(t *testing.T) {
	dl := func(r *scheduler.Result, v float64) { r.Deadlock.Terminal = v != 0 }
	g := groupOf([]float64{1, 0, 0, 0, 0, 0}, dl)
	if mean, half := MeanCI(g.Values(MetricDeadlockRate)); mean-half >= 0 {
		t.Fatalf("the Student-t interval this replaces: %v ± %v", mean, half)
	}
	iv := IntervalOf(g, MetricDeadlockRate)
	if math.Abs(iv.Mean-100.0/6) > 1e-9 || iv.Lo < 0 || iv.Hi > 100 || !iv.HasInterval() || iv.Lo >= iv.Mean {
		t.Fatalf("deadlock rate interval %+v", iv)
	}
	if c := iv.Cell(); c != "16.67 [3.005, 56.35]" {
		t.Errorf("cell %q", c)
	}
	util := func(r *scheduler.Result, v float64) { r.Utilization.CPU = v }
	iv = IntervalOf(groupOf([]float64{0.99, 1, 1, 0.5, 1}, util), MetricUtilCPU)
	if iv.Hi != 100 || iv.Lo < 0 || !iv.HasInterval() {
		t.Errorf("clipped utilization interval %+v", iv)
	}
	iv = IntervalOf(groupOf([]float64{0.2, 0.4, 0.6}, util), MetricUtilCPU)
	if iv.HasInterval() || iv.Cell() != "40" {
		t.Errorf("three seeds: %+v %q, want the mean alone", iv, iv.Cell())
	}
	iv = IntervalOf(groupOf([]float64{0.2, 0.4, 0.6, 0.2, 0.4}, util), MetricUtilCPU)
	if !iv.HasInterval() || iv.Cell() != "36 ± 20.78" {
		t.Errorf("five seeds: %+v %q", iv, iv.Cell())
	}
}

// A categorical parameter is drawn on a categorical axis: its values are the
// ticks ("forever" among them), in LabelCategories order, and the points are
// not joined by lines.
func TestCategoricalChart(t *testing.T) {
	groups := []Group{
		{Labels: []Label{{"timeout", "forever"}}, Results: []*scheduler.Result{{}}},
		{Labels: []Label{{"timeout", "60s"}}, Results: []*scheduler.Result{{}}},
		{Labels: []Label{{"timeout", "10s"}}, Results: []*scheduler.Result{{}}},
	}
	cats := LabelCategories(groups, "timeout")
	if len(cats) != 3 || cats[0] != "10s" || cats[1] != "60s" || cats[2] != "forever" {
		t.Fatalf("categories %v, want 10s, 60s, forever", cats)
	}
	lines := MetricVsCategory(groups, "timeout", MetricUtilCPU, cats)
	if len(lines) != 1 || len(lines[0].X) != 3 || lines[0].X[2] != 2 {
		t.Fatalf("lines %+v", lines)
	}
	c := &Chart{Title: "t", Categories: cats, Lines: lines}
	base := t.TempDir() + "/c"
	if err := c.Save(base); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil || !strings.Contains(string(svg), "forever") {
		t.Fatalf("svg lacks the category tick: %v", err)
	}
}

// summary.md shows no pooled conflict fraction or busyness without its parts,
// and leaves both out where no scheduler measures them (not a column of zeros).
func TestSummaryColumnsParts(t *testing.T) {
	keys := func(ms []Metric) string {
		var ks []string
		for _, m := range ms {
			ks = append(ks, m.Key)
		}
		return strings.Join(ks, " ")
	}
	plain := []Group{{Results: []*scheduler.Result{{JobsCompleted: 1}}}, {Results: []*scheduler.Result{{JobsCompleted: 2}}}}
	ms, _, _ := summaryColumns(plain)
	if k := keys(ms); strings.Contains(k, "busyness") || strings.Contains(k, "conflicts") {
		t.Errorf("no optimistic scheduler, yet columns %s", k)
	}
	omega := &scheduler.Result{JobsCompleted: 3, Conflicts: scheduler.ConflictStats{Transactions: 10, Conflicted: 1, Fraction: 0.1},
		Busyness: scheduler.Busyness{Useful: 0.2, Schedulers: 2},
		Extra:    map[string]float64{"batch.conflict_fraction": 0.01, "service.conflict_fraction": 0.87, "batch.busyness": 0.1, "service.busyness": 0.3}}
	ms, _, _ = summaryColumns(append(plain, Group{Results: []*scheduler.Result{omega}}))
	k := keys(ms)
	for _, want := range []string{"conflicts.fraction", "busyness.useful", "extra.batch.conflict_fraction", "extra.service.conflict_fraction", "extra.service.busyness"} {
		if !strings.Contains(k, want) {
			t.Errorf("columns %s lack %s", k, want)
		}
	}
	if cell := IntervalOf(&plain[0], MetricBusyness).Cell(); cell != "-" {
		t.Errorf("busyness of a run that does not measure it: %q, want -", cell)
	}
}
