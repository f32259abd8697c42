package traces

// Mutation test: every table of every reader, each damaged in the ways real files
// get damaged, through Open and Stats.
//
// HOW TO ADD A FORMAT: add one entry to mutationFormats below: the format name,
// its fixture directory under testdata (gzip files and tar archives in it are
// unpacked into plain files first), and one mutTable per table the reader reads:
// the unpacked file's path relative to the fixture directory, the table's
// syntax (kind), how many header lines it starts with, and which field to damage
// with the numeric mutations (a CSV/SWF column, or a JSON key; pick a time field
// where the table has one, so that the range check is exercised; the field must
// be one whose damage the reader rejects). Mark a table optional when the
// format lists it as one that may be empty (formatSpec.optional).
// TestMutationCoversFormats fails while a registered format has no entry (the
// Azure formats included: their entry belongs with their reader).

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// mutKind is a table's syntax, which decides how a row is damaged.
type mutKind int

const (
	kindCSV       mutKind = iota // comma-separated, one row per line
	kindSWF                      // whitespace-separated, ';' header comments
	kindJSONLines                // one JSON object per line
	kindJSONArray                // one JSON array of objects (pretty-printed)
)

type mutTable struct {
	file     string  // path of the unpacked file, relative to the fixture directory
	kind     mutKind // syntax
	header   int     // header lines before the first data row
	field    int     // CSV/SWF: 0-based column damaged by the numeric mutations
	key      string  // JSON: key damaged by the numeric mutations (its value becomes a string)
	required string  // JSON: a required key, removed by "too few columns"
	optional bool    // the format may leave this table empty
}

type mutFormat struct {
	format string
	dir    string // under testdata
	tables []mutTable
}

var mutationFormats = []mutFormat{
	{"alibaba2017", "alibaba2017", []mutTable{
		{file: "server_event.csv", field: 0},
		{file: "batch_task.csv", field: 0},
		{file: "batch_instance.csv", field: 0},
		{file: "container_event.csv", field: 0, optional: true},
	}},
	{"alibaba2018", "alibaba2018", []mutTable{
		{file: "machine_meta.csv", field: 1},
		{file: "batch_task.csv", field: 5},
		{file: "batch_instance.csv", field: 5, optional: true},
		{file: "container_meta.csv", field: 2, optional: true},
	}},
	{"google2011", "google2011", []mutTable{
		{file: "job_events/part-00000-of-00001.csv", field: 0},
		{file: "task_events/part-00000-of-00003.csv", field: 0},
		{file: "machine_events/part-00000-of-00001.csv", field: 0},
		{file: "machine_attributes/part-00000-of-00001.csv", field: 0, optional: true},
		{file: "task_constraints/part-00000-of-00001.csv", field: 0, optional: true},
	}},
	{"google2019", "google2019", []mutTable{
		{file: "collection_events-000000000000.json", kind: kindJSONLines, key: "time", required: "time"},
		{file: "instance_events-000000000000.json", kind: kindJSONLines, key: "time", required: "time"},
		{file: "machine_events-000000000000.json", kind: kindJSONLines, key: "time", required: "time"},
		{file: "machine_attributes-000000000000.json", kind: kindJSONLines, key: "time", required: "time", optional: true},
	}},
	{"pai2020", "pai2020", []mutTable{
		{file: "pai_job_table.csv", field: 4},
		{file: "pai_task_table.csv", field: 4},
		{file: "pai_instance_table.csv", field: 6},
		{file: "pai_machine_spec.csv", field: 4},
	}},
	{"openb2023", "openb2023", []mutTable{
		{file: "openb_node_list_fixture.csv", header: 1, field: 1},
		{file: "openb_pod_list_fixture.csv", header: 1, field: 8},
	}},
	{"philly", "philly", []mutTable{
		{file: "cluster_machine_list", header: 1, field: 1},
		{file: "cluster_job_log", kind: kindJSONArray, key: "submitted_time", required: "jobid"},
	}},
	{"swf", "swf", []mutTable{
		{file: "fixture.swf", kind: kindSWF, header: -1, field: 1}, // header −1: the leading ';' lines
	}},
	{"azure2017", "azure2017", []mutTable{
		{file: "vmtable.csv", field: 3}, // vmcreated; deployment.csv in the fixture is not a table
	}},
	{"azure2019", "azure2019", []mutTable{
		{file: "vmtable.csv", field: 3}, // vmcreated (the fixture is vmtable.csv.gz)
	}},
	{"azure2020", "azure2020", []mutTable{
		{file: "vm.csv", header: 1, field: 4},     // starttime
		{file: "vmType.csv", header: 1, field: 3}, // core
	}},
}

func TestMutationCoversFormats(t *testing.T) {
	for _, f := range Formats() {
		if f.Name == CanonicalFormat {
			continue // the canonical format is binary, written by Convert; FuzzCanonical covers it
		}
		if !slices.ContainsFunc(mutationFormats, func(m mutFormat) bool { return m.format == f.Name }) {
			t.Errorf("format %s has no entry in mutationFormats (traces/mutation_test.go): add one", f.Name)
		}
	}
}

// unpackFixture reads every input under testdata/dir (gunzipped, tar members
// extracted) into plain files: relative path → content. A tar member is named by
// its base name; a .gz suffix is dropped.
func unpackFixture(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	root := filepath.Join("testdata", dir)
	out := map[string][]byte{}
	err := walkInputs([]string{root}, func(m member) error {
		name := m.name
		if i := strings.LastIndex(name, ":"); i >= 0 {
			name = filepath.Join(filepath.Dir(name[:i]), filepath.Base(name[i+1:]))
		}
		rel, err := filepath.Rel(root, name)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(m.r); err != nil {
			return err
		}
		out[strings.TrimSuffix(rel, ".gz")] = buf.Bytes()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeFixture writes files into a new directory and returns it.
func writeFixture(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// result is what a read of a trace yields, for comparing harmless mutations.
type mutResult struct {
	replay string
	stats  string
}

// readTrace runs Stats and Open (replaying everything) over dir; the two must
// agree on success.
func readTrace(t *testing.T, format, dir string, skip bool) (mutResult, error) {
	t.Helper()
	opt := DefaultOptions()
	opt.SkipBad = skip
	opt.SortMemMiB = 1
	st, serr := Stats(format, []string{dir}, opt)
	r, oerr := Open(format, []string{dir}, opt)
	if (serr == nil) != (oerr == nil) {
		t.Fatalf("Stats error %v but Open error %v", serr, oerr)
	}
	if serr != nil {
		return mutResult{}, serr
	}
	defer r.Close()
	var sk []string
	for _, k := range sortedKeys(st.Skipped) {
		if st.Skipped[k] != 0 {
			sk = append(sk, fmt.Sprintf("%s=%d", k, st.Skipped[k]))
		}
	}
	var cs []string
	for _, k := range sortedKeys(st.Counters) {
		cs = append(cs, fmt.Sprintf("%s=%d", k, st.Counters[k]))
	}
	return mutResult{replay: dumpReplay(t, r),
		stats: fmt.Sprintf("jobs=%d tasks=%d machines=%d skipped=%v counters=%v", st.Jobs, st.Tasks, st.Machines, sk, cs)}, nil
}

// splitLines splits content into lines without their LF.
func splitLines(b []byte) [][]byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) == 0 {
		return nil
	}
	return bytes.Split(b, []byte("\n"))
}

func joinLines(ls [][]byte) []byte {
	if len(ls) == 0 {
		return nil
	}
	return append(bytes.Join(ls, []byte("\n")), '\n')
}

// dataLines returns the indexes of the data rows of a table's lines.
func (tb mutTable) dataLines(ls [][]byte) []int {
	var out []int
	for i, l := range ls {
		s := strings.TrimSpace(string(l))
		switch {
		case s == "" || s[0] == '#':
		case tb.kind == kindSWF && s[0] == ';':
		case tb.kind == kindCSV && i < tb.header:
		case tb.kind == kindJSONArray && !strings.Contains(s, `"`+tb.key+`"`):
			// a JSON array's "row" is the line holding the damaged key
		default:
			out = append(out, i)
		}
	}
	return out
}

// damage returns the row at line l with its numeric field (or key) set to v.
func (tb mutTable) damage(t *testing.T, line []byte, v string) []byte {
	switch tb.kind {
	case kindCSV:
		f := strings.Split(string(line), ",")
		f[tb.field] = v
		return []byte(strings.Join(f, ","))
	case kindSWF:
		f := strings.Fields(string(line))
		f[tb.field] = v
		return []byte(strings.Join(f, " "))
	}
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(tb.key) + `"\s*:\s*("[^"]*"|[^,}\s]+)`)
	if !re.Match(line) {
		t.Fatalf("%s: key %q not found in %q", tb.file, tb.key, line)
	}
	return re.ReplaceAll(line, []byte(`"`+tb.key+`": "`+v+`"`))
}

// mutation is one way of damaging a table's content.
type mutation struct {
	name string
	// apply returns the damaged content, or ok = false when the mutation does
	// not apply to the table. gz asks for the file to be written gzip'd
	// (and then cut).
	apply func(t *testing.T, tb mutTable, data []byte) (out []byte, ok bool)
	// harmless: the read must succeed with the same replay and stats as the
	// original. Else the read must fail with ErrBadInput naming the file
	// (and the line, when row), unless maybe (negative values: valid data).
	harmless, row, maybe, gz bool
}

const garbage = "\x00\xff\xfe\x80 garbage\x7f\x01"

var mutations = []mutation{
	{name: "empty", apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) { return nil, true }},
	{name: "header_only", apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		ls := splitLines(data)
		switch {
		case tb.kind == kindJSONArray:
			return []byte("[\n]\n"), true
		case tb.header > 0:
			return joinLines(ls[:tb.header]), true
		case tb.header < 0:
			var h [][]byte
			for _, l := range ls {
				if bytes.HasPrefix(l, []byte(";")) {
					h = append(h, l)
				}
			}
			return joinLines(h), len(h) > 0
		}
		return nil, false
	}},
	{name: "bom", harmless: true, apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		return append([]byte("\ufeff"), data...), true
	}},
	{name: "crlf", harmless: true, apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		return bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), true
	}},
	{name: "truncated_gzip", gz: true, apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		return buf.Bytes()[:buf.Len()/2], true
	}},
	{name: "garbage_line", row: true, apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		return insertAfterFirstRow(tb, data, []byte(garbage)), true
	}},
	{name: "too_few_columns", row: true, apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		if tb.kind == kindJSONArray {
			// A pretty-printed element: the required key has a line of its own.
			tb.key = tb.required
		}
		return mutateLastRow(t, tb, data, func(l []byte) []byte {
			switch tb.kind {
			case kindCSV:
				return []byte(strings.Join(strings.Split(string(l), ",")[:2], ","))
			case kindSWF:
				return []byte(strings.Join(strings.Fields(string(l))[:2], " "))
			}
			re := regexp.MustCompile(`"` + regexp.QuoteMeta(tb.required) + `"\s*:\s*("[^"]*"|[^,}\s]+)\s*,?`)
			return re.ReplaceAll(l, nil)
		})
	}},
	{name: "too_many_columns", row: true, apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		if tb.kind == kindJSONLines || tb.kind == kindJSONArray {
			return nil, false // an unknown JSON key is ignored (tested as harmless below)
		}
		return mutateLastRow(t, tb, data, func(l []byte) []byte {
			if tb.kind == kindSWF {
				return append(append([]byte(nil), l...), " 1 2 3"...)
			}
			return append(append([]byte(nil), l...), ",1,2,3"...)
		})
	}},
	{name: "unknown_json_key", harmless: true, apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		if tb.kind != kindJSONLines {
			return nil, false
		}
		return mutateLastRow(t, tb, data, func(l []byte) []byte {
			return bytes.Replace(l, []byte("{"), []byte(`{"schedlab_unknown_key": [1, "x"], `), 1)
		})
	}},
	{name: "non_numeric", row: true, apply: numeric("12abc")},
	{name: "int_overflow", row: true, apply: numeric("99999999999999999999999")},
	{name: "float_overflow", row: true, apply: numeric("1e308")},
	{name: "nan", row: true, apply: numeric("NaN")},
	{name: "inf", row: true, apply: numeric("Inf")},
	{name: "negative", row: true, maybe: true, apply: numeric("-5")},
}

// numeric sets the table's numeric field of its last data row to v.
func numeric(v string) func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
	return func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
		return mutateLastRow(t, tb, data, func(l []byte) []byte { return tb.damage(t, l, v) })
	}
}

func mutateLastRow(t *testing.T, tb mutTable, data []byte, f func([]byte) []byte) ([]byte, bool) {
	ls := splitLines(data)
	rows := tb.dataLines(ls)
	if len(rows) == 0 {
		t.Fatalf("%s: no data rows in the fixture", tb.file)
	}
	i := rows[len(rows)-1]
	ls[i] = f(ls[i])
	return joinLines(ls), true
}

func insertAfterFirstRow(tb mutTable, data, line []byte) []byte {
	ls := splitLines(data)
	i := tb.dataLines(ls)[0]
	ls = slices.Insert(ls, i+1, line)
	return joinLines(ls)
}

func TestMutations(t *testing.T) {
	for _, mf := range mutationFormats {
		t.Run(mf.format, func(t *testing.T) {
			files := unpackFixture(t, mf.dir)
			want, err := readTrace(t, mf.format, writeFixture(t, files), false)
			if err != nil {
				t.Fatalf("unmutated fixture: %v", err)
			}
			for ti, tb := range mf.tables {
				data, ok := files[tb.file]
				if !ok {
					t.Fatalf("fixture %s has no %s (have %v)", mf.dir, tb.file, sortedKeys(files))
				}
				muts := mutations
				if ti == 0 {
					// The 10 MB line once per format: a garbage line longer
					// than any buffer.
					muts = append(slices.Clip(muts), mutation{name: "line_10MB", row: true,
						apply: func(t *testing.T, tb mutTable, data []byte) ([]byte, bool) {
							return insertAfterFirstRow(tb, data, bytes.Repeat([]byte("x"), 10<<20)), true
						}})
				}
				for _, mu := range muts {
					out, ok := mu.apply(t, tb, slices.Clone(data))
					if !ok {
						continue
					}
					t.Run(strings.ReplaceAll(tb.file, "/", "_")+"/"+mu.name, func(t *testing.T) {
						checkMutation(t, mf, tb, mu, files, out, want)
					})
				}
			}
		})
	}
}

func checkMutation(t *testing.T, mf mutFormat, tb mutTable, mu mutation, files map[string][]byte, out []byte, want mutResult) {
	m := map[string][]byte{}
	for k, v := range files {
		m[k] = v
	}
	name := tb.file
	if mu.gz {
		delete(m, name)
		name += ".gz"
	}
	m[name] = out
	dir := writeFixture(t, m)
	path := filepath.Join(dir, name)
	got, err := readTrace(t, mf.format, dir, false)
	switch {
	case mu.harmless:
		if err != nil {
			t.Fatalf("harmless mutation failed: %v", err)
		}
		if got != want {
			t.Fatalf("harmless mutation changed the result:\n got %s\nwant %s\n got replay:\n%s\nwant replay:\n%s", got.stats, want.stats, got.replay, want.replay)
		}
		return
	case mu.name == "empty" && tb.optional:
		if err != nil {
			t.Fatalf("empty optional table: %v", err)
		}
		if !strings.Contains(got.stats, "empty_table/") {
			t.Fatalf("empty optional table not counted: %s", got.stats)
		}
		return
	case err == nil && mu.maybe:
		return
	case err == nil:
		t.Fatalf("no error; stats %s", got.stats)
	}
	if !errors.Is(err, ErrBadInput) {
		t.Fatalf("error %v does not wrap ErrBadInput", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) {
		t.Fatalf("error %q does not name the file %s", msg, path)
	}
	if mu.row && !regexp.MustCompile(regexp.QuoteMeta(path)+`:[0-9]+:`).MatchString(msg) {
		t.Fatalf("error %q does not name file:line", msg)
	}
	if !mu.row {
		return
	}
	// Row-level damage: skip_bad reads on and counts it, except where a JSON
	// array is no longer valid JSON (its rest cannot be read).
	got, err = readTrace(t, mf.format, dir, true)
	if tb.kind == kindJSONArray && (mu.name == "garbage_line" || mu.name == "line_10MB") {
		if err == nil || !errors.Is(err, ErrBadInput) {
			t.Fatalf("skip_bad over a broken JSON array: err = %v, want bad input", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("skip_bad: %v", err)
	}
	if !strings.Contains(got.stats, "skipped=[") || strings.Contains(got.stats, "skipped=[]") {
		t.Fatalf("skip_bad: nothing counted as skipped: %s", got.stats)
	}
}
