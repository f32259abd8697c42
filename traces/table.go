package traces

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
)

// csvTable describes a headerless CSV table of a trace.
type csvTable struct {
	name     string    // table name, matched in file names
	cols     []string  // column names, in file order
	minCols  int       // fewest fields accepted (0 = len(cols))
	trailing bool      // rows may end with one extra empty field
	schema   []*column // the declared columns, when the table has a schema (see schema.go)
}

// matchTable returns the table of an input name. The base name decides: the
// table whose name occurs in it (longer names win, so that "machine_events" does
// not wrongly match a file of "machine_events_v2"). Failing that, the parent
// directory (or, for an archive member, the archive, less its .tar.gz, .tgz or
// .tar extension) counts only when its name is exactly a table name, as in Google
// 2011's task_events/part-00000-of-00500.csv.gz; a directory that merely
// contains a table name (batch_task_copy/) makes no file in it a table.
func matchTable(name string, tables []*csvTable) *csvTable {
	name = strings.ReplaceAll(name, ":", "/")
	base := strings.ToLower(filepath.Base(name))
	var best *csvTable
	for _, t := range tables {
		if strings.Contains(base, t.name) && (best == nil || len(t.name) > len(best.name)) {
			best = t
		}
	}
	if best != nil {
		return best
	}
	dir := strings.ToLower(filepath.Base(filepath.Dir(name)))
	for _, ext := range []string{".tar.gz", ".tgz", ".tar"} {
		if strings.HasSuffix(dir, ext) {
			dir = dir[:len(dir)-len(ext)]
			break
		}
	}
	for _, t := range tables {
		if dir == t.name {
			return t
		}
	}
	return nil
}

// readCSV reads every row of a headerless CSV input, calling fn with each row
// whose field count is right; rows with a wrong field count go to b.bad. Blank
// lines and lines starting with '#' (a comment some third-party samples add) are
// skipped. fn parses the row's fields and must itself hand r.err to b.bad.
func (b *builder) readCSV(m member, t *csvTable, fn func(r *row) error) error {
	lr := newLineReader(m)
	var fields [][]byte
	var quote []byte
	minC, maxC := t.minCols, len(t.cols)
	if minC == 0 {
		minC = len(t.cols)
	}
	if t.trailing {
		maxC++
	}
	rows := int64(0)
	b.inTable(t.name)
	defer func() { b.addRows(t.name, rows) }()
	r := &row{file: lr.file, names: t.cols}
	for {
		line, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		rows++
		*r = row{file: lr.file, line: lr.line, names: t.cols}
		var ok bool
		fields, quote, ok = splitCSV(line, fields, quote)
		r.f = fields
		if !ok {
			r.failRow("bad_quote", "unterminated quote")
		} else if len(fields) < minC || len(fields) > maxC {
			want := fmt.Sprint(len(t.cols))
			if minC != maxC {
				want = fmt.Sprintf("%d to %d", minC, maxC)
			}
			r.failRow("field_count", fmt.Sprintf("%d fields, want %s (%s)", len(fields), want, t.name))
		}
		if r.err != nil {
			if err := b.bad(r.err); err != nil {
				return err
			}
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
		b.rowDone(t.name, r)
	}
}

// statusCounter counts rows per status value without allocating per row.
type statusCounter struct {
	prefix string
	names  [][]byte
	counts []int64
}

func (s *statusCounter) add(v []byte) {
	for i, n := range s.names {
		if string(n) == string(v) {
			s.counts[i]++
			return
		}
	}
	s.names = append(s.names, append([]byte(nil), v...))
	s.counts = append(s.counts, 1)
}

func (s *statusCounter) flush(b *builder) {
	for i, n := range s.names {
		name := string(n)
		if name == "" {
			name = "(empty)"
		}
		b.st.Events[s.prefix+name] += s.counts[i]
	}
	s.names, s.counts = nil, nil
}

// float appends a float64 in 8 bytes (little-endian IEEE 754 bits).
func (e *enc) float(v float64) {
	u := math.Float64bits(v)
	e.b = append(e.b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24), byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56))
}

// float reads a float64 written by enc.float.
func (d *dec) float() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	b := d.b
	u := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	d.b = d.b[8:]
	return math.Float64frombits(u)
}

// present writes the presence byte of an optional value: 1 if ok, else 0.
// It returns ok: the value follows only when present.
func (e *enc) present(ok bool) bool {
	if !ok {
		e.b = append(e.b, 0)
		return false
	}
	e.b = append(e.b, 1)
	return true
}

// present reads the presence byte of an optional value (false, after marking
// the decoder failed, when none is left).
func (d *dec) present() bool {
	if len(d.b) < 1 {
		d.fail()
		return false
	}
	p := d.b[0]
	d.b = d.b[1:]
	return p != 0
}

// optFloat encodes an optional float: presence byte then value.
func (e *enc) optFloat(v float64, ok bool) {
	if e.present(ok) {
		e.float(v)
	}
}

// optFloat reads an optional float: the value and whether it is present.
func (d *dec) optFloat() (float64, bool) {
	if !d.present() {
		return 0, false
	}
	return d.float(), true
}

// optInt encodes an optional int: presence byte then varint.
func (e *enc) optInt(v int64, ok bool) {
	if e.present(ok) {
		e.int(v)
	}
}

// optInt reads an optional int: the value and whether it is present.
func (d *dec) optInt() (int64, bool) {
	if !d.present() {
		return 0, false
	}
	return d.int(), true
}
