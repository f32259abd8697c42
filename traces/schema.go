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
// generated from the same declarations (TestSchemaDocs).

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
)

// kindNames are the kinds as docs/traces.md writes them.
var kindNames = map[colKind]string{kindString: "string", kindInt: "integer", kindFloat: "number",
	kindSeconds: "time (integer s)", kindFloatSeconds: "time (s)", kindMicros: "time (integer µs)",
	kindRoundedSeconds: "time (s, rounded)", kindBucket: "number or >N", kindIntOrFloat: "integer (or decimal, rounded)"}

// column is one declared column of a CSV table.
type column struct {
	name     string  // as the trace's schema names it; errors name it
	kind     colKind // what it holds
	unit     string  // the unit of its values, if they have one
	required bool    // an empty value is bad input (missing_field)
	use      string  // what the reader does with it ("" = not read)
	index    int     // 0-based position in the row, set by newSchemaTable
}

// newSchemaTable builds the csvTable name whose columns are the column fields
// of *cols, in declaration order (which is file order); it sets each column's
// index. The fields are exported (the struct types are not), so that reflect
// may take their addresses.
func newSchemaTable(name string, cols any) *csvTable {
	v := reflect.ValueOf(cols).Elem()
	t := &csvTable{name: name}
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		if sf.Type != reflect.TypeFor[column]() {
			panic("traces: table " + name + ": field " + sf.Name + " is not a column")
		}
		if !sf.IsExported() {
			panic("traces: table " + name + ": column field " + sf.Name + " is unexported")
		}
		c := f.Addr().Interface().(*column)
		c.index = i
		t.cols = append(t.cols, c.name)
		t.schema = append(t.schema, c)
	}
	return t
}

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
			tab := ""
			if i == 0 {
				tab = "`" + t.name + "`"
				if slices.Contains(optional, t.name) {
					tab += " (optional)"
				}
			}
			req := ""
			if c.required {
				req = "yes"
			}
			use := c.use
			if use == "" {
				use = "not read"
			}
			fmt.Fprintf(&b, "| %s | %d | `%s` | %s | %s | %s | %s |\n", tab, c.index+1, c.name, kindNames[c.kind], c.unit, req, use)
		}
	}
	return b.String()
}
