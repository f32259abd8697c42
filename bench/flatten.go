package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/schedlab/schedlab/scheduler"
)

// Flat is a result flattened to "a.b" keys (the columns of results.csv), in the
// order of the JSON encoding. Booleans are "true"/"false", numbers are formatted
// as encoding/json formats them (shortest exact form), so equal results give equal
// text.
type Flat struct {
	Keys   []string
	Values map[string]string
}

// Float returns the value of key as a number (true = 1, false = 0) and whether it
// is numeric.
func (f *Flat) Float(key string) (float64, bool) {
	v, ok := f.Values[key]
	if !ok {
		return 0, false
	}
	switch v {
	case "true":
		return 1, true
	case "false":
		return 0, true
	}
	x, err := strconv.ParseFloat(v, 64)
	return x, err == nil
}

// WallClockKeys are the result keys that depend on the wall clock; everything else
// is identical for identical inputs and seed.
var WallClockKeys = []string{"wall_seconds", "events_per_second", "placements_per_second"}

// Flatten flattens r's JSON encoding, leaving out the time series ("series").
func Flatten(r *scheduler.Result) (*Flat, error) {
	c := *r
	c.Series = nil
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	f := &Flat{Values: map[string]string{}}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := flattenValue(dec, "", f); err != nil {
		return nil, err
	}
	return f, nil
}

func flattenValue(dec *json.Decoder, prefix string, f *Flat) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if prefix != "" {
					k = prefix + "." + k
				}
				if err := flattenValue(dec, k, f); err != nil {
					return err
				}
			}
			_, err := dec.Token() // '}'
			return err
		case '[':
			i := 0
			for dec.More() {
				if err := flattenValue(dec, prefix+"."+strconv.Itoa(i), f); err != nil {
					return err
				}
				i++
			}
			_, err := dec.Token()
			return err
		}
		return fmt.Errorf("bench: unexpected JSON delimiter %v", t)
	case json.Number:
		f.set(prefix, t.String())
	case string:
		f.set(prefix, t)
	case bool:
		f.set(prefix, strconv.FormatBool(t))
	case nil:
		f.set(prefix, "")
	}
	return nil
}

func (f *Flat) set(k, v string) {
	if _, ok := f.Values[k]; !ok {
		f.Keys = append(f.Keys, k)
	}
	f.Values[k] = v
}

// unionKeys merges ordered key lists: a key first seen in a later list is placed
// after the key that precedes it there, so extra keys of some rows stay next to
// their neighbours. Deterministic in the order of the lists.
func unionKeys(lists [][]string) []string {
	var out []string
	pos := map[string]int{}
	for _, l := range lists {
		for i, k := range l {
			if _, ok := pos[k]; ok {
				continue
			}
			at := 0
			if i > 0 {
				at = pos[l[i-1]] + 1
			}
			out = append(out, "")
			copy(out[at+1:], out[at:])
			out[at] = k
			for j := at; j < len(out); j++ {
				pos[out[j]] = j
			}
		}
	}
	return out
}
