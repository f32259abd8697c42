package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/schedlab/schedlab/scheduler"
)

// Table is a table of text cells, written aligned for a terminal (WriteText) or as
// GitHub Markdown (WriteMarkdown). Cells that parse as numbers are right-aligned.
type Table struct {
	Header []string
	Rows   [][]string
	// Left left-aligns every column in WriteText (for key/value listings).
	Left bool
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

func isNumeric(s string) bool {
	if a, b, ok := strings.Cut(s, " ± "); ok {
		return isNumeric(a) && isNumeric(b)
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	s = strings.TrimPrefix(s, "±")
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func (t *Table) widths() []int {
	w := make([]int, len(t.Header))
	for i, h := range t.Header {
		w[i] = utf8.RuneCountInString(h)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i < len(w) {
				w[i] = max(w[i], utf8.RuneCountInString(c))
			}
		}
	}
	return w
}

func pad(s string, w int, right bool) string {
	n := w - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

// WriteText writes the table with columns aligned and a rule under the header.
func (t *Table) WriteText(w io.Writer) error {
	ws := t.widths()
	var b strings.Builder
	line := func(cells []string, header bool) {
		for i := range ws {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			if i > 0 {
				b.WriteString("  ")
			}
			s := pad(c, ws[i], !header && !t.Left && isNumeric(c))
			if i == len(ws)-1 {
				s = strings.TrimRight(s, " ")
			}
			b.WriteString(s)
		}
		b.WriteByte('\n')
	}
	line(t.Header, true)
	rule := make([]string, len(ws))
	for i, n := range ws {
		rule[i] = strings.Repeat("-", n)
	}
	line(rule, true)
	for _, r := range t.Rows {
		line(r, false)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the table as a GitHub Markdown table; numeric columns
// (every row's cell numeric) are right-aligned.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	b.WriteString("|")
	for _, h := range t.Header {
		b.WriteString(" " + esc(h) + " |")
	}
	b.WriteString("\n|")
	for i := range t.Header {
		num := len(t.Rows) > 0
		for _, r := range t.Rows {
			if i < len(r) && r[i] != "" && !isNumeric(r[i]) {
				num = false
			}
		}
		if num {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteByte('\n')
	for _, r := range t.Rows {
		b.WriteString("|")
		for i := range t.Header {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			b.WriteString(" " + esc(c) + " |")
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Num formats a number the way tables show metrics: magnitudes of 1000 and more
// as integers, smaller ones with at most 4 significant digits (an exponent only
// below 0.0001).
func Num(f float64) string {
	switch {
	case f == 0:
		return "0"
	case math.IsNaN(f) || math.IsInf(f, 0):
		return strconv.FormatFloat(f, 'g', -1, 64)
	case f >= 1000 || f <= -1000:
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

// compareColumn is one metric column of CompareTable: its header, how a run
// shows it, and, for the best-row line, its value and whether smaller is better
// (nil value: not ranked).
type compareColumn struct {
	head    string
	cell    func(r *scheduler.Result) string
	value   func(r *scheduler.Result) float64 // NaN: censored, see bound
	bound   func(r *scheduler.Result) float64 // the censored value exceeds this
	smaller bool
}

func pctColumn(head string, p func(r *scheduler.Result) scheduler.Percentiles, q func(scheduler.Percentiles) float64) compareColumn {
	return compareColumn{head: head,
		cell:  func(r *scheduler.Result) string { return Censored(p(r), q(p(r)), false) },
		value: func(r *scheduler.Result) float64 { return q(p(r)) },
		bound: func(r *scheduler.Result) float64 { return p(r).Above }, smaller: true}
}

func numColumn(head string, get func(r *scheduler.Result) float64, smaller bool) compareColumn {
	return compareColumn{head: head, cell: func(r *scheduler.Result) string { return Num(get(r)) }, value: get, smaller: smaller}
}

var compareColumns = []compareColumn{
	{head: "jobs done", cell: func(r *scheduler.Result) string { return fmt.Sprintf("%d/%d", r.JobsCompleted, r.JobsSubmitted) }},
	numColumn("jobs/sim-h", func(r *scheduler.Result) float64 { return r.JobsPerHour }, false),
	numColumn("util cpu", func(r *scheduler.Result) float64 { return r.Utilization.CPU }, false),
	numColumn("util gpu", func(r *scheduler.Result) float64 { return r.Utilization.GPU }, false),
	numColumn("useful cpu", func(r *scheduler.Result) float64 { return r.UsefulUtilization.CPU }, false),
	numColumn("useful gpu", func(r *scheduler.Result) float64 { return r.UsefulUtilization.GPU }, false),
	numColumn("held-idle", func(r *scheduler.Result) float64 { return max(r.HeldIdle.CPU, r.HeldIdle.GPU) }, true),
	pctColumn("wait p50 s", func(r *scheduler.Result) scheduler.Percentiles { return r.JobWait }, func(p scheduler.Percentiles) float64 { return p.P50 }),
	pctColumn("wait p99 s", func(r *scheduler.Result) scheduler.Percentiles { return r.JobWait }, func(p scheduler.Percentiles) float64 { return p.P99 }),
	pctColumn("gang p99 s", func(r *scheduler.Result) scheduler.Percentiles { return r.GangWait }, func(p scheduler.Percentiles) float64 { return p.P99 }),
	numColumn("makespan s", func(r *scheduler.Result) float64 { return r.Makespan }, true),
	{head: "deadlock", cell: func(r *scheduler.Result) string {
		switch {
		case r.Deadlock.Terminal:
			return fmt.Sprintf("yes@%ss", Num(r.Deadlock.FirstSeconds))
		case r.Deadlock.Episodes > 0:
			return fmt.Sprintf("%d episodes", r.Deadlock.Episodes)
		}
		return "no"
	}},
	{head: "conflicts", cell: conflictsCell},
	{head: "events/wall-s", cell: func(r *scheduler.Result) string { return Num(r.EventsPerSecond) }},
}

// conflictsCell shows the conflict fraction of all schedulers with its
// per-class parts ("0.05 (batch 0.01, service 0.87)"), "-" without
// optimistic transactions.
func conflictsCell(r *scheduler.Result) string {
	if r.Conflicts.Transactions == 0 {
		return "-"
	}
	var parts []string
	for _, class := range []string{"batch", "service"} {
		if v, ok := r.Extra[class+".conflict_fraction"]; ok {
			parts = append(parts, class+" "+Num(v))
		}
	}
	s := Num(r.Conflicts.Fraction)
	if len(parts) > 1 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// CompareTable returns the comparison table of runs that `schedlab` prints: one row
// per result with throughput, utilization (all of it and the useful part),
// held-idle, censored waits, makespan, deadlock and conflicts. errs[i], when
// non-nil, replaces row i's metrics with the error (errs may be nil). A column
// that shows the same text in every successful row is left out; the returned
// notes name it with its common value, and add the best-row line (bestRows).
func CompareTable(labels [][]string, labelHeader []string, results []*scheduler.Result, errs []error) (*Table, []string) {
	var cols []compareColumn
	var notes, constant []string
	for _, c := range compareColumns {
		first, same, any := "", true, false
		for _, r := range results {
			if r == nil {
				continue
			}
			v := c.cell(r)
			if !any {
				first, any = v, true
			} else if v != first {
				same = false
			}
		}
		if any && same && len(results) > 1 && c.head != "jobs done" && c.head != "events/wall-s" {
			constant = append(constant, c.head+" "+first)
			continue
		}
		cols = append(cols, c)
	}
	t := &Table{Header: append([]string{}, labelHeader...)}
	for _, c := range cols {
		t.Header = append(t.Header, c.head)
	}
	for i, r := range results {
		row := append([]string{}, labels[i]...)
		if r == nil {
			msg := "failed"
			if errs != nil && errs[i] != nil {
				msg = "error: " + firstLine(errs[i].Error())
			}
			t.Add(append(row, msg)...)
			continue
		}
		for _, c := range cols {
			row = append(row, c.cell(r))
		}
		t.Add(row...)
	}
	if len(constant) > 0 {
		notes = append(notes, "Same in every row (column left out): "+strings.Join(constant, "; ")+".")
	}
	if best := bestRows(labels, results, cols); best != "" {
		notes = append(notes, best)
	}
	return t, notes
}

// bestRows names, for every ranked column, the row with the best value: the
// largest utilization, useful utilization and throughput, the smallest held-idle,
// waits and makespan. Rows within 1e-9 (relative) of the best tie. A censored
// wait is worse than its bound; when a censored row's bound lies below the best
// measured value the best row cannot be named, and the line says so.
func bestRows(labels [][]string, results []*scheduler.Result, cols []compareColumn) string {
	var parts []string
	for _, c := range cols {
		if c.value == nil {
			continue
		}
		best, have := 0.0, false
		for _, r := range results {
			if r == nil {
				continue
			}
			v := c.value(r)
			if math.IsNaN(v) {
				continue
			}
			if !have || (c.smaller && v < best) || (!c.smaller && v > best) {
				best, have = v, true
			}
		}
		if !have {
			parts = append(parts, c.head+": no row measured (all censored)")
			continue
		}
		tol := 1e-9 * math.Max(1, math.Abs(best))
		var rows []string
		undetermined := false
		for i, r := range results {
			if r == nil {
				continue
			}
			v := c.value(r)
			if math.IsNaN(v) {
				if c.bound != nil && c.bound(r) < best-tol {
					undetermined = true
				}
				continue
			}
			if math.Abs(v-best) <= tol {
				rows = append(rows, strings.Join(labels[i], "/"))
			}
		}
		switch {
		case undetermined:
			parts = append(parts, fmt.Sprintf("%s: undetermined (a censored row may be below %s)", c.head, Num(best)))
		case len(rows) == 1:
			parts = append(parts, fmt.Sprintf("%s %s (%s)", c.head, rows[0], Num(best)))
		case len(rows) == len(results):
			parts = append(parts, fmt.Sprintf("%s: all rows tie at %s", c.head, Num(best)))
		case len(rows) <= 3:
			parts = append(parts, fmt.Sprintf("%s: %d rows tie at %s (%s)", c.head, len(rows), Num(best), strings.Join(rows, ", ")))
		default:
			parts = append(parts, fmt.Sprintf("%s: %d rows tie at %s", c.head, len(rows), Num(best)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Best: " + strings.Join(parts, "; ") + "."
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
