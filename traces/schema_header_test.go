package traces

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// headerFixtures names the fixture file of each header table.
var headerFixtures = []struct {
	format, file string // the format (also its fixture directory) and the table's file in it
	table        *headerTable
}{
	{"openb2023", "openb_node_list_fixture.csv", openbNodes},
	{"openb2023", "openb_pod_list_fixture.csv", openbPods},
	{"azure2020", "vm.csv", az20VMs},
	{"azure2020", "vmType.csv", az20Types},
}

// headerSchemaProblems damages file of format's fixture files column by column
// and returns where the reader disagrees with the schema tab: a column emptied
// in the last data row must be an error naming it exactly when the schema
// requires its value; a column dropped from the file (header and rows) must be a
// missing_column error naming it exactly when the header must have it — or, for
// a column that identifies the table, leave the file unrecognised (an error, or
// no rows read from it).
func headerSchemaProblems(t *testing.T, format string, files map[string][]byte, file string, tab *headerTable) []string {
	lines := splitLines(files[file])
	header := strings.Split(string(lines[0]), ",")
	var problems []string
	read := func(damaged []byte) (mutResult, error) {
		fs := map[string][]byte{}
		for k, v := range files {
			fs[k] = v
		}
		fs[file] = damaged
		return readTrace(t, format, writeFixture(t, fs), false)
	}
	good, err := read(files[file])
	if err != nil {
		t.Fatalf("%s %s: the fixture fails: %v", format, file, err)
	}
	for _, c := range tab.schema {
		i := slices.IndexFunc(header, func(h string) bool { return h == c.name || tab.fold && strings.EqualFold(h, c.name) })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("column %s is not in the fixture's header", c.name))
			continue
		}
		// The value emptied in the last data row.
		fields := strings.Split(string(lines[len(lines)-1]), ",")
		if fields[i] != "" {
			fields[i] = ""
			ls := slices.Clone(lines)
			ls[len(ls)-1] = []byte(strings.Join(fields, ","))
			_, err := read(joinLines(ls))
			var ie *InputError
			if named := errors.As(err, &ie) && ie.Field == c.name; named != c.required {
				problems = append(problems, fmt.Sprintf("column %s empty: got %v (schema: required %v)", c.name, err, c.required))
			}
		}
		// The column dropped.
		ls := make([][]byte, len(lines))
		for k, l := range lines {
			f := strings.Split(string(l), ",")
			ls[k] = []byte(strings.Join(slices.Delete(f, i, i+1), ","))
		}
		res, err := read(joinLines(ls))
		var ie *InputError
		missing := errors.As(err, &ie) && ie.Reason == "missing_column" && ie.Field == c.name
		switch {
		case slices.Contains(tab.keys, c.name):
			if err == nil && res == good {
				problems = append(problems, fmt.Sprintf("column %s (a key) dropped: the file is still read as %s", c.name, tab.name))
			}
		case missing == c.mayLack:
			problems = append(problems, fmt.Sprintf("column %s dropped: got %v (schema: the header may lack it %v)", c.name, err, c.mayLack))
		}
	}
	return problems
}

// A header table's schema says which columns its header must have and which
// values must not be empty; the reader agrees.
func TestHeaderSchemaRequired(t *testing.T) {
	for _, f := range headerFixtures {
		files := unpackFixture(t, f.format)
		for _, p := range headerSchemaProblems(t, f.format, files, f.file, f.table) {
			t.Errorf("%s %s: %s", f.format, f.table.name, p)
		}
	}
}

// headerTableWith returns a copy of tab whose column name is changed by edit.
func headerTableWith(tab *headerTable, name string, edit func(c *column)) *headerTable {
	cp := *tab
	cp.schema = nil
	for _, c := range tab.schema {
		c2 := *c
		if c2.name == name {
			edit(&c2)
		}
		cp.schema = append(cp.schema, &c2)
	}
	return &cp
}

// A schema that disagrees with the reader fails headerSchemaProblems: a
// required value declared optional, an optional value declared required, a
// column the header must have declared optional and the reverse.
func TestHeaderSchemaMismatch(t *testing.T) {
	files := map[string]map[string][]byte{}
	for _, c := range []struct {
		format, file, column string
		edit                 func(c *column)
	}{
		{"openb2023", "openb_node_list_fixture.csv", "memory_mib", func(c *column) { c.required, c.mayLack = false, true }},
		{"openb2023", "openb_node_list_fixture.csv", "gpu", func(c *column) { c.required = true }},
		{"openb2023", "openb_pod_list_fixture.csv", "qos", func(c *column) { c.mayLack = false }},
		{"azure2020", "vm.csv", "endtime", func(c *column) { c.mayLack = true }},
		{"azure2020", "vmType.csv", "core", func(c *column) { c.required = false }},
		{"azure2020", "vmType.csv", "nosuch", func(*column) {}},
	} {
		var tab *headerTable
		for _, f := range headerFixtures {
			if f.file == c.file {
				tab = f.table
			}
		}
		if files[c.format] == nil {
			files[c.format] = unpackFixture(t, c.format)
		}
		bad := headerTableWith(tab, c.column, c.edit)
		if c.column == "nosuch" {
			bad.schema = append(bad.schema, &column{name: "nosuch", kind: kindString, mayLack: true})
		}
		if len(headerSchemaProblems(t, c.format, files[c.format], c.file, bad)) == 0 {
			t.Errorf("%s %s: a schema with column %s edited passes", c.format, c.file, c.column)
		}
	}
}
