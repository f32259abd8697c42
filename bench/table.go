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

// CompareTable returns the comparison table of runs that `schedlab` prints: one row
// per result with throughput, utilization, held-idle, waits, deadlock and
// conflicts. errs[i], when non-nil, replaces row i's metrics with the error
// (errs may be nil).
func CompareTable(labels [][]string, labelHeader []string, results []*scheduler.Result, errs []error) *Table {
	t := &Table{Header: append(append([]string{}, labelHeader...),
		"jobs done", "tasks/sim-h", "util cpu", "util gpu", "held-idle", "wait p50 s", "wait p99 s",
		"gang p99 s", "deadlock", "conflicts", "events/wall-s")}
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
		dl := "no"
		if r.Deadlock.Terminal {
			dl = fmt.Sprintf("yes@%ss", Num(r.Deadlock.FirstSeconds))
		} else if r.Deadlock.Episodes > 0 {
			dl = fmt.Sprintf("%d episodes", r.Deadlock.Episodes)
		}
		held := max(r.HeldIdle.CPU, r.HeldIdle.GPU)
		t.Add(append(row,
			fmt.Sprintf("%d/%d", r.JobsCompleted, r.JobsSubmitted),
			Num(r.TasksPerHour),
			Num(r.Utilization.CPU), Num(r.Utilization.GPU), Num(held),
			Censored(r.JobWait, r.JobWait.P50, false), Censored(r.JobWait, r.JobWait.P99, false), Censored(r.GangWait, r.GangWait.P99, false),
			dl, Num(r.Conflicts.Fraction), Num(r.EventsPerSecond))...)
	}
	return t
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
