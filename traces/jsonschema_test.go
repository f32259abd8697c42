package traces

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// jsonKindOf is the kind a decoder field of type t holds (0: none).
func jsonKindOf(t reflect.Type) jsonKind {
	switch t {
	case reflect.TypeFor[jInt]():
		return jsonInt
	case reflect.TypeFor[jFloat]():
		return jsonNumber
	case reflect.TypeFor[jStr]():
		return jsonString
	case reflect.TypeFor[jBool]():
		return jsonBool
	case reflect.TypeFor[[]jInt]():
		return jsonIntList
	case reflect.TypeFor[[]jStr]():
		return jsonStringList
	}
	switch {
	case t.Kind() == reflect.Struct, t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		return jsonObject
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return jsonObjectList
	}
	return 0
}

// decodedKeys returns the keys a decoder struct type reads (by its json tags),
// as paths (key.child for the keys of nested objects), with their kinds.
func decodedKeys(t reflect.Type, prefix string, out map[string]jsonKind) map[string]jsonKind {
	if out == nil {
		out = map[string]jsonKind{}
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		path := prefix + name
		out[path] = jsonKindOf(f.Type)
		switch e := f.Type; {
		case e.Kind() == reflect.Struct:
			decodedKeys(e, path+".", out)
		case (e.Kind() == reflect.Pointer || e.Kind() == reflect.Slice) && e.Elem().Kind() == reflect.Struct:
			decodedKeys(e.Elem(), path+".", out)
		}
	}
	return out
}

// decoderProblems returns where the decoder type and the tables' key schemas
// disagree: a key the decoder reads that no table declares, a declared key it
// does not read, or a kind the decoder's field cannot hold (a time is a string).
func decoderProblems(decoder reflect.Type, tables []*jsonTable) []string {
	var problems []string
	decoded := decodedKeys(decoder, "", nil)
	declared := map[string]bool{}
	for _, t := range tables {
		for _, k := range t.keys {
			declared[k.name] = true
			dk, ok := decoded[k.name]
			want := k.kind
			if want == jsonDateTime {
				want = jsonString
			}
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: key %s is declared but %s does not read it", t.name, k.name, decoder))
			case dk != want:
				problems = append(problems, fmt.Sprintf("%s: key %s is declared %s but %s reads it as %s", t.name, k.name, jsonKindNames[k.kind], decoder, jsonKindNames[dk]))
			}
		}
	}
	for _, name := range sortedKeys(decoded) {
		if !declared[name] {
			problems = append(problems, fmt.Sprintf("%s reads key %s, which no table declares", decoder, name))
		}
	}
	return problems
}

// jsonDecoders are the JSON formats' decoders and the tables they read.
var jsonDecoders = []struct {
	decoder reflect.Type
	tables  []*jsonTable
}{
	{reflect.TypeFor[g19Row](), g19Schemas},
	{reflect.TypeFor[phillyJob](), []*jsonTable{phillyJobLog}},
}

// The decoders read exactly the keys the schemas declare, as what they declare.
func TestJSONSchemaDecoder(t *testing.T) {
	for _, d := range jsonDecoders {
		for _, p := range decoderProblems(d.decoder, d.tables) {
			t.Error(p)
		}
	}
	// problem checks every integer key of a google2019 row, as g19IntKeys names it.
	var r g19Row
	v := reflect.ValueOf(&r).Elem()
	var ints []string
	for i := 0; i < v.NumField(); i++ {
		if f := v.Type().Field(i); f.Type == reflect.TypeFor[jInt]() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			ints = append(ints, name)
			v.Field(i).Set(reflect.ValueOf(jInt{V: int64(i)}))
		}
	}
	if !slices.Equal(ints, g19IntKeys[:]) {
		t.Errorf("g19Row's integer keys %v, g19IntKeys %v", ints, g19IntKeys)
	}
	index := map[string]int{}
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		index[name] = i
	}
	for k, x := range r.ints() {
		if int(x.V) != index[g19IntKeys[k]] {
			t.Errorf("g19Row.ints()[%d] is not key %s", k, g19IntKeys[k])
		}
	}
}

// jsonTableWith returns a copy of tab whose key name is changed by edit (nil:
// dropped).
func jsonTableWith(tab *jsonTable, name string, edit func(k *jsonKey)) *jsonTable {
	cp := &jsonTable{name: tab.name}
	for _, k := range tab.keys {
		if k.name == name {
			if edit == nil {
				continue
			}
			edit(&k)
		}
		cp.keys = append(cp.keys, k)
	}
	return cp
}

// A schema that disagrees with its decoder fails decoderProblems: a key
// dropped, a key added, a kind changed; and a required key the reader does
// not check is refused.
func TestJSONSchemaDecoderMismatch(t *testing.T) {
	for _, c := range []struct {
		tables []*jsonTable
		what   string
	}{
		{[]*jsonTable{jsonTableWith(phillyJobLog, "vc", nil)}, "vc dropped"},
		{[]*jsonTable{jsonTableWith(phillyJobLog, "attempts.detail.gpus", nil)}, "a nested key dropped"},
		{[]*jsonTable{jsonTableWith(phillyJobLog, "vc", func(k *jsonKey) { k.kind = jsonInt })}, "vc's kind changed"},
		{[]*jsonTable{phillyJobLog, {name: "x", keys: []jsonKey{{name: "nosuch", kind: jsonString}}}}, "a key added"},
	} {
		if len(decoderProblems(reflect.TypeFor[phillyJob](), c.tables)) == 0 {
			t.Errorf("philly: a schema with %s passes", c.what)
		}
	}
	bad := slices.Clone(g19Schemas)
	bad[3] = jsonTableWith(g19InstanceEvents, "constraint.relation", nil)
	if len(decoderProblems(reflect.TypeFor[g19Row](), bad)) == 0 {
		t.Errorf("google2019: a schema without constraint.relation passes")
	}
	if _, err := jsonTableWith(g19MachineAttributes, "name", func(k *jsonKey) { k.required = true }).requiredOf(g19IntKeys[:]); err == nil {
		t.Errorf("google2019: a required string key is accepted though the reader checks only integer keys")
	}
}

// dropKey deletes the key at path (key.child…) from v, in every element of the
// arrays on the way, and reports whether there was one.
func dropKey(v any, path []string) bool {
	switch x := v.(type) {
	case []any:
		found := false
		for _, e := range x {
			found = dropKey(e, path) || found
		}
		return found
	case map[string]any:
		c, ok := x[path[0]]
		if !ok {
			return false
		}
		if len(path) == 1 {
			delete(x, path[0])
			return true
		}
		return dropKey(c, path[1:])
	}
	return false
}

func decodeNumbers(t *testing.T, b []byte) any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// jsonRequiredProblems removes each key of tab from the last row of file that
// has it (file is JSON lines, or with array a JSON array of rows) and returns
// where the reader disagrees with the schema: the row must be an error naming
// the key exactly when the key is required.
func jsonRequiredProblems(t *testing.T, format string, files map[string][]byte, file string, array bool, tab *jsonTable) []string {
	var problems []string
	for _, k := range tab.keys {
		path := strings.Split(k.name, ".")
		var damaged []byte
		if array {
			rows := decodeNumbers(t, files[file]).([]any)
			for i := len(rows) - 1; i >= 0 && damaged == nil; i-- {
				if dropKey(rows[i], path) {
					damaged, _ = json.MarshalIndent(rows, "", "  ")
				}
			}
		} else {
			lines := splitLines(files[file])
			for i := len(lines) - 1; i >= 0 && damaged == nil; i-- {
				if len(bytes.TrimSpace(lines[i])) == 0 {
					continue
				}
				row := decodeNumbers(t, lines[i])
				if dropKey(row, path) {
					ls := slices.Clone(lines)
					ls[i], _ = json.Marshal(row)
					damaged = joinLines(ls)
				}
			}
		}
		if damaged == nil {
			t.Logf("%s %s: no row has key %s", format, file, k.name)
			continue
		}
		fs := map[string][]byte{}
		for name, v := range files {
			fs[name] = v
		}
		fs[file] = damaged
		_, err := readTrace(t, format, writeFixture(t, fs), false)
		var ie *InputError
		if named := errors.As(err, &ie) && ie.Field == k.name; named != k.required {
			problems = append(problems, fmt.Sprintf("key %s removed: got %v (schema: required %v)", k.name, err, k.required))
		}
	}
	return problems
}

// jsonFixtures names the fixture file of each JSON table.
var jsonFixtures = []struct {
	format, file string
	array        bool
	table        *jsonTable
}{
	{"google2019", "machine_events-000000000000.json", false, g19MachineEvents},
	{"google2019", "machine_attributes-000000000000.json", false, g19MachineAttributes},
	{"google2019", "collection_events-000000000000.json", false, g19CollectionEvents},
	{"google2019", "instance_events-000000000000.json", false, g19InstanceEvents},
	{"philly", "cluster_job_log", true, phillyJobLog},
}

// A key the schema calls required is one whose absence is an error naming it;
// no other key's is.
func TestJSONSchemaRequired(t *testing.T) {
	for _, f := range jsonFixtures {
		files := unpackFixture(t, f.format)
		for _, p := range jsonRequiredProblems(t, f.format, files, f.file, f.array, f.table) {
			t.Errorf("%s %s: %s", f.format, f.table.name, p)
		}
	}
}

// A schema whose required flags disagree with the reader fails
// jsonRequiredProblems.
func TestJSONSchemaRequiredMismatch(t *testing.T) {
	for _, c := range []struct {
		format, file string
		array        bool
		table        *jsonTable
	}{
		{"philly", "cluster_job_log", true, jsonTableWith(phillyJobLog, "jobid", func(k *jsonKey) { k.required = false })},
		{"philly", "cluster_job_log", true, jsonTableWith(phillyJobLog, "vc", func(k *jsonKey) { k.required = true })},
		{"google2019", "machine_events-000000000000.json", false, jsonTableWith(g19MachineEvents, "machine_id", func(k *jsonKey) { k.required = false })},
		{"google2019", "instance_events-000000000000.json", false, jsonTableWith(g19InstanceEvents, "machine_id", func(k *jsonKey) { k.required = true })},
	} {
		if len(jsonRequiredProblems(t, c.format, unpackFixture(t, c.format), c.file, c.array, c.table)) == 0 {
			t.Errorf("%s %s: a schema with a required flag flipped passes", c.format, c.table.name)
		}
	}
}
