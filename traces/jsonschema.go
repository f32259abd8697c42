package traces

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// A JSON table's key schema: the keys a JSON format's rows are read by,
// declared once per table (their name, kind, unit, whether they are required and
// what the reader does with them), as a CSV table's columns are (schema.go). The
// decoder's struct tags are checked against the declarations
// (TestJSONSchemaDecoder), the required flags against the reader
// (TestJSONSchemaRequired), and docs/traces.md's key tables are generated from
// them (TestSchemaDocs).

// jsonKind is what a JSON key holds.
type jsonKind uint8

const (
	jsonInt        jsonKind = iota + 1 // an integer: a number or a numeric string (jInt)
	jsonNumber                         // a number or a numeric string (jFloat)
	jsonString                         // a string; a number is taken as its text (jStr)
	jsonDateTime                       // a "YYYY-MM-DD HH:MM:SS" string (jStr)
	jsonBool                           // true, false, "true", "false", 1 or 0 (jBool)
	jsonIntList                        // an array of integers ([]jInt)
	jsonStringList                     // an array of strings ([]jStr)
	jsonObject                         // an object, whose keys are declared as key.child
	jsonObjectList                     // an array of objects, whose keys are declared as key.child
)

// jsonKindNames are the kinds as docs/traces.md writes them.
var jsonKindNames = map[jsonKind]string{jsonInt: "integer (number or string)", jsonNumber: "number (or numeric string)",
	jsonString: "string", jsonDateTime: "time (YYYY-MM-DD HH:MM:SS)", jsonBool: "boolean (or \"true\", 1, …)",
	jsonIntList: "array of integers", jsonStringList: "array of strings", jsonObject: "object", jsonObjectList: "array of objects"}

// jsonKey is one declared key of a JSON table's rows.
type jsonKey struct {
	name     string // the key; key.child for a key of the object (or of each object of the array) under key
	kind     jsonKind
	unit     string // the unit of its values, if they have one
	required bool   // an absent or null value is bad input (missing_field)
	use      string // what the reader does with it
}

// jsonTable is a JSON table's declared keys, in the order the docs list them.
type jsonTable struct {
	name string
	keys []jsonKey
}

// newJSONTable builds the jsonTable name whose keys are the jsonKey fields of
// *keys, in declaration order (exported fields, as schemaColumns takes).
func newJSONTable(name string, keys any) *jsonTable {
	v := reflect.ValueOf(keys).Elem()
	t := &jsonTable{name: name}
	for i := 0; i < v.NumField(); i++ {
		sf := v.Type().Field(i)
		if sf.Type != reflect.TypeFor[jsonKey]() || !sf.IsExported() {
			panic("traces: table " + name + ": field " + sf.Name + " is not an exported jsonKey")
		}
		t.keys = append(t.keys, v.Field(i).Interface().(jsonKey))
	}
	return t
}

// key returns the declared key name (nil if none).
func (t *jsonTable) key(name string) *jsonKey {
	if i := slices.IndexFunc(t.keys, func(k jsonKey) bool { return k.name == name }); i >= 0 {
		return &t.keys[i]
	}
	return nil
}

// requiredOf returns, for each of names, whether t declares it required; a
// required key not among names is an error (the reader checks no other).
func (t *jsonTable) requiredOf(names []string) ([]bool, error) {
	req := make([]bool, len(names))
	for _, k := range t.keys {
		i := slices.Index(names, k.name)
		switch {
		case i >= 0:
			req[i] = k.required
		case k.required:
			return nil, fmt.Errorf("traces: table %s: required key %s is not one the reader checks (%s)", t.name, k.name, strings.Join(names, ", "))
		}
	}
	return req, nil
}

// jsonSchemaMarkdown renders JSON tables' key schemas as docs/traces.md shows
// them: one row per key. Tables listed in optional are marked so.
func jsonSchemaMarkdown(optional []string, tables ...*jsonTable) string {
	var b strings.Builder
	b.WriteString("| table | key | kind | unit | required | used as |\n|---|---|---|---|---|---|\n")
	for _, t := range tables {
		for i, k := range t.keys {
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s |\n", docTableCell(i, t.name, optional), k.name, jsonKindNames[k.kind], k.unit, yesIf(k.required), usedAs(k.use))
		}
	}
	return b.String()
}
