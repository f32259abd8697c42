package bench

import (
	"math"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func compareResult(util, wait, above float64, censored int) *scheduler.Result {
	r := &scheduler.Result{JobsSubmitted: 10, JobsCompleted: 10}
	r.Utilization.GPU, r.UsefulUtilization.GPU = util, util
	r.JobWait = scheduler.Percentiles{P50: wait, P90: wait, P99: wait, Mean: wait, N: 10, NStarted: 10 - censored, NCensored: censored, Above: above}
	return r
}

// CompareTable leaves out a column that is the same in every row and says so;
// the best-row line names the best row, ties, and refuses to name one when a
// censored row might be better.
func TestCompareTableColumnsAndBest(t *testing.T) {
	labels := [][]string{{"a"}, {"b"}, {"c"}}
	res := []*scheduler.Result{compareResult(0.5, 10, 10, 0), compareResult(0.8, 20, 20, 0), compareResult(0.8, math.NaN(), 30, 4)}
	tab, notes := CompareTable(labels, []string{"row"}, res, nil)
	head := strings.Join(tab.Header, "|")
	if !strings.Contains(head, "util gpu") || !strings.Contains(head, "wait p50 s") || strings.Contains(head, "util cpu") || strings.Contains(head, "deadlock") {
		t.Fatalf("header %q: want the varying columns only", head)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"Same in every row (column left out): ", "util cpu 0", "deadlock no",
		"util gpu: 2 rows tie at 0.8 (b, c)", "wait p50 s a (10)"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
	if !strings.Contains(tab.Rows[2][indexOf(tab.Header, "wait p50 s")], "> 30") {
		t.Errorf("censored cell: %v", tab.Rows[2])
	}
	// A censored row whose bound (5) lies below the best measured wait (10) might
	// be the best: no row is named.
	res[2] = compareResult(0.8, math.NaN(), 5, 4)
	_, notes = CompareTable(labels, []string{"row"}, res, nil)
	if all := strings.Join(notes, "\n"); !strings.Contains(all, "wait p50 s: undetermined (a censored row may be below 10)") {
		t.Errorf("notes:\n%s", all)
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

func TestConflictsCellShowsParts(t *testing.T) {
	r := &scheduler.Result{Conflicts: scheduler.ConflictStats{Transactions: 100, Fraction: 0.0465},
		Extra: map[string]float64{"batch.conflict_fraction": 0.01, "service.conflict_fraction": 0.87}}
	if c := conflictsCell(r); c != "0.0465 (batch 0.01, service 0.87)" {
		t.Errorf("cell %q", c)
	}
	if c := conflictsCell(&scheduler.Result{}); c != "-" {
		t.Errorf("no transactions: %q, want -", c)
	}
}
