package traces

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// A table's column schema: each CSV table of a format declares its columns
// once, in file order, as a struct of column values (see newSchemaTable). The
// readers parse a field through its column (ali18TaskCols.InstanceNum.optInt(r)
// rather than r.optInt(1)), so an error names the column the schema names, an
// accessor of the wrong kind for its column is a programming error caught by
// every test that reads the table, and docs/traces.md's column tables are
// generated from the same declarations (TestSchemaDocs). A CSV table with a
// header row (openb2023, azure2020) declares its columns the same way, as a
// headerTable; its columns are found by name in each file's header
// (bindHeader). JSON tables declare their keys (jsonschema.go).

// colKind is what a column holds; it decides which accessors may read it.
type colKind uint8

const (
	kindString         colKind = iota + 1
	kindInt                    // a decimal int64
	kindFloat                  // a decimal number
	kindSeconds                // a time in whole seconds
	kindFloatSeconds           // a time in seconds, possibly fractional
	kindMicros                 // a time in whole µs
	kindRoundedSeconds         // a time in seconds, an integer or a decimal rounded once
	kindBucket                 // a positive number, or an open-ended bucket such as ">24"
	kindIntOrFloat             // an integer, or a decimal rounded once
	kindDays                   // a time in fractional days
)

// kindNames are the kinds as docs/traces.md writes them.
var kindNames = map[colKind]string{kindString: "string", kindInt: "integer", kindFloat: "number",
	kindSeconds: "time (integer s)", kindFloatSeconds: "time (s)", kindMicros: "time (integer µs)",
	kindRoundedSeconds: "time (s, rounded)", kindBucket: "number or >N", kindIntOrFloat: "integer (or decimal, rounded)",
	kindDays: "time (fractional days)"}

// column is one declared column of a CSV table.
type column struct {
	name     string  // as the trace's schema names it; errors name it
	kind     colKind // what it holds
	unit     string  // the unit of its values, if they have one
	required bool    // an empty value is bad input (missing_field)
	use      string  // what the reader does with it ("" = not read)
	// mayLack: a header table's column that a file's header may lack (a
	// column it must have and lacks is bad input: missing_column).
	mayLack bool
	index   int // 0-based position in the row, set by newSchemaTable or bindHeader
}

// newSchemaTable builds the csvTable name whose columns are the column fields
// of *cols, in declaration order (which is file order); it sets each column's
// index.
func newSchemaTable(name string, cols any) *csvTable {
	t := &csvTable{name: name, schema: schemaColumns(name, cols)}
	for i, c := range t.schema {
		c.index = i
		t.cols = append(t.cols, c.name)
	}
	return t
}

// schemaColumns returns the column fields of *cols, in declaration order. The
// fields are exported (the struct types are not), so that reflect may take
// their addresses.
func schemaColumns(table string, cols any) []*column {
	v := reflect.ValueOf(cols).Elem()
	var out []*column
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		if sf.Type != reflect.TypeFor[column]() {
			panic("traces: table " + table + ": field " + sf.Name + " is not a column")
		}
		if !sf.IsExported() {
			panic("traces: table " + table + ": column field " + sf.Name + " is unexported")
		}
		out = append(out, f.Addr().Interface().(*column))
	}
	return out
}

// headerTable describes a CSV table with a header row, whose columns are found
// by their names in the header, in any order. Its schema is a struct of column
// values, as a csvTable's (see newHeaderTable), bound to each file's header by
// bindHeader.
type headerTable struct {
	name   string    // the table's name in counters and errors
	keys   []string  // the columns whose presence in a header identifies the table
	fold   bool      // header names match in any case (an export may fold them)
	schema []*column // the declared columns; their index is −1 (unbound)
}

// newHeaderTable builds the headerTable name whose columns are the column
// fields of *cols (in the order the docs list them) and whose header is
// recognised by the columns keys.
func newHeaderTable(name string, fold bool, keys []string, cols any) *headerTable {
	t := &headerTable{name: name, keys: keys, fold: fold, schema: schemaColumns(name, cols)}
	for _, c := range t.schema {
		c.index = -1
		if c.required && c.mayLack {
			panic("traces: table " + name + ": column " + c.name + " is required but may be absent")
		}
	}
	for _, k := range keys {
		if !slices.ContainsFunc(t.schema, func(c *column) bool { return c.name == k && !c.mayLack }) {
			panic("traces: table " + name + ": key " + k + " is not a column the header must have")
		}
	}
	return t
}

// find returns the position of column name in h's header, or −1.
func (t *headerTable) find(h *headerCSV, name string) int {
	if i := h.col(name); i >= 0 || !t.fold {
		return i
	}
	return slices.IndexFunc(h.names, func(hn string) bool { return strings.EqualFold(hn, name) })
}

// identifies reports whether h is this table's header: it has the key columns.
func (t *headerTable) identifies(h *headerCSV) bool {
	for _, k := range t.keys {
		if t.find(h, k) < 0 {
			return false
		}
	}
	return true
}

// check returns the bad-input error for the first column h lacks that the
// table's header must have (nil if none), reported at line.
func (t *headerTable) check(h *headerCSV, file string, line int64) error {
	for _, c := range t.schema {
		if !c.mayLack && t.find(h, c.name) < 0 {
			return &InputError{File: file, Line: line, Field: c.name, Reason: "missing_column",
				Msg: "required column \"" + c.name + "\" is absent (header: " + strings.Join(h.names, ",") + ")"}
		}
	}
	return nil
}

// mustHave lists the columns the table's header must have, joined by ", ".
func (t *headerTable) mustHave() string {
	var names []string
	for _, c := range t.schema {
		if !c.mayLack {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, ", ")
}

// bindHeader returns a copy of *cols, the schema struct of t, with each
// column's index its position in h's header (−1 when h lacks it).
func bindHeader[T any](t *headerTable, h *headerCSV, cols *T) *T {
	b := new(T)
	*b = *cols
	for _, c := range schemaColumns(t.name, b) {
		c.index = t.find(h, c.name)
	}
	return b
}

// present reports whether a header table's column is in the file's header.
func (c *column) present() bool { return c.index >= 0 }

// is panics unless the column holds kind: a reader reading a column as what its
// schema says it is not.
func (c *column) is(kind colKind) int {
	if c.kind != kind {
		panic(fmt.Sprintf("traces: column %s is %s, read as %s", c.name, kindNames[c.kind], kindNames[kind]))
	}
	return c.index
}

// has reports whether the column is present and non-empty in r.
func (c *column) has(r *row) bool { return r.has(c.index) }

// bytes returns the column's raw field in r (nil when absent).
func (c *column) bytes(r *row) []byte { return r.bytes(c.index) }

// str returns a copy of the column's field in r.
func (c *column) str(r *row) string { return r.str(c.index) }

// fail records a problem with the column in r (unless one is recorded already).
func (c *column) fail(r *row, reason, msg string) { r.fail(c.index, reason, msg) }

// missing records that the column is empty in r.
func (c *column) missing(r *row) { r.fail(c.index, "missing_field", "required value is empty") }

// requireValue records the column as missing in r when it is empty.
func (c *column) requireValue(r *row) {
	if !c.has(r) {
		c.missing(r)
	}
}

func (c *column) int(r *row) int64                { return r.int(c.is(kindInt)) }
func (c *column) optInt(r *row) (int64, bool)     { return r.optInt(c.is(kindInt)) }
func (c *column) float(r *row) float64            { return r.float(c.is(kindFloat)) }
func (c *column) optFloat(r *row) (float64, bool) { return r.optFloat(c.is(kindFloat)) }
func (c *column) seconds(r *row) int64            { return r.seconds(c.is(kindSeconds)) }
func (c *column) optSeconds(r *row) (int64, bool) {
	return r.optSeconds(c.is(kindSeconds))
}
func (c *column) floatSeconds(r *row) float64 { return r.floatSeconds(c.is(kindFloatSeconds)) }
func (c *column) optFloatSeconds(r *row) (float64, bool) {
	return r.optFloatSeconds(c.is(kindFloatSeconds))
}
func (c *column) micros(r *row, sentinel int64) int64 { return r.micros(c.is(kindMicros), sentinel) }
func (c *column) intOrFloat(r *row) (int64, bool)     { return r.intOrFloat(c.is(kindIntOrFloat)) }
func (c *column) optSecondsRounded(r *row) (int64, bool) {
	return r.optSecondsRounded(c.is(kindRoundedSeconds))
}

// schemaMarkdown renders a table's schema as docs/traces.md shows it: one row
// per column, with its 1-based position, kind, unit, whether it is required and
// what the reader does with it.
// Tables listed in optional (the format's optional tables) are marked so.
func schemaMarkdown(optional []string, tables ...*csvTable) string {
	var b strings.Builder
	b.WriteString("| table | # | column | kind | unit | required | used as |\n|---|---|---|---|---|---|---|\n")
	for _, t := range tables {
		for i, c := range t.schema {
			fmt.Fprintf(&b, "| %s | %d | `%s` | %s | %s | %s | %s |\n", docTableCell(i, t.name, optional), c.index+1, c.name, kindNames[c.kind], c.unit, yesIf(c.required), usedAs(c.use))
		}
	}
	return b.String()
}

// docTableCell is the table column of a schema table's row i in docs/traces.md:
// the table's name on its first row (marked when it is one of the optional
// tables), else empty.
func docTableCell(i int, name string, optional []string) string {
	if i > 0 {
		return ""
	}
	if slices.Contains(optional, name) {
		return "`" + name + "` (optional)"
	}
	return "`" + name + "`"
}

// yesIf is a schema table's "required" cell.
func yesIf(required bool) string {
	if required {
		return "yes"
	}
	return ""
}

// usedAs is a schema table's "used as" cell: what the reader does with the
// column or key.
func usedAs(use string) string {
	if use == "" {
		return "not read"
	}
	return use
}

// headerSchemaMarkdown renders header tables' schemas as docs/traces.md shows
// them: one row per column, with its kind, unit, whether the header must have
// it ("column") and its value must be non-empty too ("yes"), and what the
// reader does with it; each table names the columns that identify it.
func headerSchemaMarkdown(tables ...*headerTable) string {
	var b strings.Builder
	b.WriteString("| table | column | kind | unit | required | used as |\n|---|---|---|---|---|---|\n")
	for _, t := range tables {
		for i, c := range t.schema {
			tab := ""
			if i == 0 {
				tab = "`" + t.name + "` (recognised by `" + strings.Join(t.keys, "`, `") + "`)"
			}
			req := yesIf(c.required)
			if req == "" && !c.mayLack {
				req = "column"
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s |\n", tab, c.name, kindNames[c.kind], c.unit, req, usedAs(c.use))
		}
	}
	return b.String()
}
