package traces

import (
	"errors"
	"flag"
	"fmt"
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

// headerSchemaDocs lists, per format of header tables, its tables in the order
// docs/traces.md shows them.
var headerSchemaDocs = []struct {
	format string
	tables []*headerTable
}{
	{"openb2023", []*headerTable{openbNodes, openbPods}},
	{"azure2020", []*headerTable{az20VMs, az20Types}},
}

// schemaBlock returns the marked block of docs/traces.md generated for key (a
// format, or a format and table), of the given schemas ("column" or "key"),
// around body.
func schemaBlock(key, schemas, body string) string {
	return "<!-- schema " + key + ": generated from the " + schemas + " schemas; go test ./traces -run TestSchemaDocs -update-schema-docs -->\n" +
		body + "<!-- end schema " + key + " -->\n"
}

// schemaBlocks returns every block of docs/traces.md generated from a schema:
// its key and its text.
func schemaBlocks() (keys, blocks []string) {
	for _, f := range schemaDocs {
		keys = append(keys, f.format)
		blocks = append(blocks, schemaBlock(f.format, "column", schemaMarkdown(formatByName[f.format].optional, f.tables...)))
	}
	for _, f := range headerSchemaDocs {
		keys = append(keys, f.format)
		blocks = append(blocks, schemaBlock(f.format, "column", headerSchemaMarkdown(f.tables...)))
	}
	keys = append(keys, "google2019", "philly cluster_job_log")
	blocks = append(blocks, schemaBlock("google2019", "key", jsonSchemaMarkdown(formatByName["google2019"].optional, g19Schemas...)),
		schemaBlock("philly cluster_job_log", "key", jsonSchemaMarkdown(nil, phillyJobLog)))
	return keys, blocks
}

// checkSchemaBlock returns doc with key's generated block replaced by want, and
// what is wrong with the block doc has ("" if it is want).
func checkSchemaBlock(doc, key, want string) (string, string) {
	begin := "<!-- schema " + key + ":"
	end := "<!-- end schema " + key + " -->\n"
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return doc, fmt.Sprintf("no generated table (markers %q … %q)", begin, end)
	}
	if strings.Count(doc, begin) > 1 {
		return doc, fmt.Sprintf("more than one marker %q", begin)
	}
	if got := doc[i : j+len(end)]; got != want {
		return doc[:i] + want + doc[j+len(end):], "the table differs from the schema (run with -update-schema-docs); want\n" + want
	}
	return doc, ""
}

// docs/traces.md's column tables are the ones the readers' schemas generate.
func TestSchemaDocs(t *testing.T) {
	path := filepath.Join("..", "docs", "traces.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	keys, blocks := schemaBlocks()
	for k, key := range keys {
		updated, problem := checkSchemaBlock(doc, key, blocks[k])
		if problem != "" && *updateSchemaDocs && updated != doc {
			doc = updated
			continue
		}
		if problem != "" {
			t.Errorf("%s: %s: %s", path, key, problem)
		}
	}
	for k, key := range keys {
		if p := tableShape(blocks[k]); p != "" {
			t.Errorf("%s: %s", key, p)
		}
	}
	for _, f := range schemaDocs {
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

// tableShape returns what is wrong with the shape of a generated markdown
// table ("" if nothing): every row must have as many cells as its header (a |
// in a cell must be escaped).
func tableShape(block string) string {
	cells := -1
	for _, l := range strings.Split(block, "\n") {
		if !strings.HasPrefix(l, "|") {
			continue
		}
		n := strings.Count(l, "|") - strings.Count(l, `\|`)
		if cells < 0 {
			cells = n
		} else if n != cells {
			return fmt.Sprintf("row %q has %d cells, the header %d", l, n-1, cells-1)
		}
	}
	return ""
}

// checkSchemaBlock fails a block that is absent, doubled or not the schema's.
func TestSchemaDocsMismatch(t *testing.T) {
	keys, blocks := schemaBlocks()
	for k, key := range keys {
		good := "# doc\n\n" + blocks[k] + "\ntext\n"
		if _, p := checkSchemaBlock(good, key, blocks[k]); p != "" {
			t.Errorf("%s: the generated block itself fails: %s", key, p)
		}
		// A column's row changed: its last cell ("used as") edited.
		lines := strings.Split(blocks[k], "\n")
		lines[3] = strings.TrimSuffix(lines[3], " |") + " (edited) |"
		edited := "# doc\n\n" + strings.Join(lines, "\n") + "\ntext\n"
		for name, doc := range map[string]string{
			"edited":   edited,
			"missing":  "# doc\n\ntext\n",
			"doubled":  good + blocks[k],
			"row lost": "# doc\n\n" + strings.Join(append(lines[:3:3], lines[4:]...), "\n"),
		} {
			if _, p := checkSchemaBlock(doc, key, blocks[k]); p == "" {
				t.Errorf("%s: a doc with its block %s passes", key, name)
			}
		}
		if tableShape(strings.Replace(blocks[k], " | ", " | a | b ", 1)) == "" {
			t.Errorf("%s: a row with extra cells passes", key)
		}
	}
}

// A column the schema calls required is one whose empty value is an error
// naming it; no other column's is (checked on the last data row of each
// table's fixture: the first decides task_constraints' layout).
func TestSchemaRequired(t *testing.T) {
	for _, f := range schemaDocs {
		if f.format == "swf" {
			continue // whitespace-separated: a field cannot be empty
		}
		for _, tab := range f.tables {
			for _, p := range csvRequiredProblems(t, f.format, tab) {
				t.Errorf("%s %s: %s", f.format, tab.name, p)
			}
		}
	}
}

// csvRequiredProblems empties each column of tab in the last data row of its
// fixture (format's entry in mutationFormats) and returns where the reader
// disagrees with the schema: the row must be an error naming the column exactly
// when the column is required.
func csvRequiredProblems(t *testing.T, format string, tab *csvTable) []string {
	var mf mutFormat
	for _, m := range mutationFormats {
		if m.format == format {
			mf = m
		}
	}
	var tb *mutTable
	for i := range mf.tables {
		if matchTable(mf.tables[i].file, []*csvTable{tab}) != nil {
			tb = &mf.tables[i]
		}
	}
	if tb == nil || tb.kind != kindCSV {
		return []string{"no CSV fixture"}
	}
	files := unpackFixture(t, mf.dir)
	lines := splitLines(files[tb.file])
	data := tb.dataLines(lines)
	last := data[len(data)-1]
	var problems []string
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
		_, err := readTrace(t, format, writeFixture(t, damaged), false)
		var ie *InputError
		if missing := errors.As(err, &ie) && ie.Field == c.name; missing != c.required {
			problems = append(problems, fmt.Sprintf("column %s empty: got %v (schema: required %v)", c.name, err, c.required))
		}
	}
	return problems
}

// A CSV schema whose required flags disagree with the reader fails
// csvRequiredProblems.
func TestSchemaRequiredMismatch(t *testing.T) {
	for _, c := range []struct {
		format string
		table  *csvTable
		column string
	}{
		{"alibaba2018", ali18TaskT, "job_name"},    // required, declared optional
		{"alibaba2018", ali18TaskT, "status"},      // optional, declared required
		{"azure2017", azure2017Table, "vmcreated"}, // required, declared optional
	} {
		bad := *c.table
		bad.schema = nil
		for _, col := range c.table.schema {
			cp := *col
			if cp.name == c.column {
				cp.required = !cp.required
			}
			bad.schema = append(bad.schema, &cp)
		}
		if len(csvRequiredProblems(t, c.format, &bad)) == 0 {
			t.Errorf("%s %s: a schema with column %s's required flag flipped passes", c.format, c.table.name, c.column)
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
