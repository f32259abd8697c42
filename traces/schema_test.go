package traces

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateSchemaDocs = flag.Bool("update-schema-docs", false, "rewrite docs/traces.md's generated column tables from the schemas")

// schemaDocs lists, per format with a column schema, its tables in the order
// docs/traces.md shows them.
var schemaDocs = []struct {
	format string
	tables []*csvTable
}{
	{"alibaba2017", []*csvTable{ali17Server, ali17Task, ali17Instance, ali17Container}},
	{"google2011", []*csvTable{g11MachineEv, g11MachineAttr, g11JobEvents, g11TaskEvents, g11Constraints}},
	{"alibaba2018", []*csvTable{ali18MachineMetaT, ali18TaskT, ali18InstanceT, ali18ContainerT}},
	{"pai2020", []*csvTable{paiSpec, paiJob, paiTask, paiInstance}},
	{"philly", []*csvTable{phillyMachines}},
	{"swf", []*csvTable{swfTable}},
	{"azure2017", []*csvTable{azure2017Table}},
	{"azure2019", []*csvTable{azure2019Table}},
}

// schemaBlock returns the marked block of docs/traces.md generated for format.
func schemaBlock(format string, tables []*csvTable) string {
	return "<!-- schema " + format + ": generated from the column schemas; go test ./traces -run TestSchemaDocs -update-schema-docs -->\n" +
		schemaMarkdown(formatByName[format].optional, tables...) + "<!-- end schema " + format + " -->\n"
}

// docs/traces.md's column tables are the ones the readers' schemas generate.
func TestSchemaDocs(t *testing.T) {
	path := filepath.Join("..", "docs", "traces.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, f := range schemaDocs {
		begin := "<!-- schema " + f.format + ":"
		end := "<!-- end schema " + f.format + " -->\n"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Errorf("%s: no generated column table (markers %q … %q) in %s", f.format, begin, end, path)
			continue
		}
		want := schemaBlock(f.format, f.tables)
		if got := doc[i : j+len(end)]; got != want {
			if *updateSchemaDocs {
				doc = doc[:i] + want + doc[j+len(end):]
				continue
			}
			t.Errorf("%s: the column table in %s differs from the schema (run with -update-schema-docs); want\n%s", f.format, path, want)
		}
		for _, tab := range f.tables {
			if len(tab.schema) == 0 || len(tab.schema) != len(tab.cols) {
				t.Errorf("%s: table %s has no schema", f.format, tab.name)
			}
		}
	}
	if *updateSchemaDocs && doc != string(raw) {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A column the schema calls required is one whose empty value is an error
// naming it; no other column's is (checked on the last data row of each
// table's fixture: the first decides task_constraints' layout).
func TestSchemaRequired(t *testing.T) {
	for _, f := range schemaDocs {
		var mf mutFormat
		for _, m := range mutationFormats {
			if m.format == f.format {
				mf = m
			}
		}
		files := unpackFixture(t, mf.dir)
		for _, tab := range f.tables {
			var tb *mutTable
			for i := range mf.tables {
				if matchTable(mf.tables[i].file, []*csvTable{tab}) != nil {
					tb = &mf.tables[i]
				}
			}
			if f.format == "swf" {
				continue // whitespace-separated: a field cannot be empty
			}
			if tb == nil || tb.kind != kindCSV {
				t.Errorf("%s: no CSV fixture for table %s", f.format, tab.name)
				continue
			}
			lines := splitLines(files[tb.file])
			data := tb.dataLines(lines)
			last := data[len(data)-1]
			for _, c := range tab.schema {
				fields := strings.Split(string(lines[last]), ",")
				if c.index >= len(fields) || fields[c.index] == "" {
					continue
				}
				fields[c.index] = ""
				damaged := map[string][]byte{}
				for k, v := range files {
					damaged[k] = v
				}
				ls := slices.Clone(lines)
				ls[last] = []byte(strings.Join(fields, ","))
				damaged[tb.file] = joinLines(ls)
				_, err := readTrace(t, f.format, writeFixture(t, damaged), false)
				var ie *InputError
				missing := errors.As(err, &ie) && ie.Field == c.name
				if missing != c.required {
					t.Errorf("%s %s: column %s empty: got %v (schema: required %v)", f.format, tab.name, c.name, err, c.required)
				}
			}
		}
	}
}

// newSchemaTable takes only exported column fields, in order.
func TestNewSchemaTable(t *testing.T) {
	cols := struct{ A, B column }{column{name: "a", kind: kindInt}, column{name: "b", kind: kindString}}
	tab := newSchemaTable("t", &cols)
	if !slices.Equal(tab.cols, []string{"a", "b"}) || cols.B.index != 1 || tab.schema[1] != &cols.B {
		t.Errorf("newSchemaTable: cols %v, B's index %d", tab.cols, cols.B.index)
	}
	for _, bad := range []any{
		&struct{ A, b column }{},
		&struct {
			A column
			N int
		}{},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("newSchemaTable(%T) did not panic", bad)
				}
			}()
			newSchemaTable("t", bad)
		}()
	}
}
