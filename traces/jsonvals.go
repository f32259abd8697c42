package traces

import (
	"bytes"
	"math"
	"strconv"
)

// Tolerant JSON scalars for BigQuery exports (TRACES.md §4.1): an integer may be a
// number or a numeric string, a float a number or numeric string, a boolean true or
// "true"; null and an absent key mean missing. Decoding never fails: a bad value is
// kept in Bad, so the caller can name the field in its error.

// jInt is an optional int64.
type jInt struct {
	V     int64
	Ok    bool
	Bad   string // the raw value when it is not an integer
	Range bool   // Bad is a number, too large for an int64
}

func unquote(b []byte) ([]byte, bool) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1], true
	}
	return b, false
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *jInt) UnmarshalJSON(b []byte) error {
	*x = jInt{}
	if string(b) == "null" {
		return nil
	}
	v, _ := unquote(b)
	if len(v) == 0 {
		return nil
	}
	n, e := atoi(v)
	if e != numOK {
		// Accept integral floats such as 3.0 or 1e3.
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || f != float64(int64(f)) || f > 9e18 || f < -9e18 {
			x.Bad = string(b)
			ne, _ := err.(*strconv.NumError)
			x.Range = e == numRange || ne != nil && ne.Err == strconv.ErrRange || err == nil && !math.IsInf(f, 0) && (f > 9e18 || f < -9e18)
			return nil
		}
		n = int64(f)
	}
	x.V, x.Ok = n, true
	return nil
}

// jFloat is an optional float64.
type jFloat struct {
	V   float64
	Ok  bool
	Bad string
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *jFloat) UnmarshalJSON(b []byte) error {
	*x = jFloat{}
	if string(b) == "null" {
		return nil
	}
	v, _ := unquote(b)
	if len(v) == 0 {
		return nil
	}
	f, e := atof(v)
	if e != numOK {
		x.Bad = string(b)
		return nil
	}
	x.V, x.Ok = f, true
	return nil
}

// jStr is an optional string; a number is accepted as its text.
type jStr struct {
	V  string
	Ok bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *jStr) UnmarshalJSON(b []byte) error {
	*x = jStr{}
	if string(b) == "null" {
		return nil
	}
	if v, q := unquote(b); q {
		if bytes.IndexByte(v, '\\') >= 0 {
			s, err := strconv.Unquote(string(b))
			if err != nil {
				return err
			}
			x.V, x.Ok = s, true
			return nil
		}
		x.V, x.Ok = string(v), true
		return nil
	}
	x.V, x.Ok = string(b), true
	return nil
}

// jBool is an optional boolean: true, false, "true", "false", 1, 0.
type jBool struct {
	V   bool
	Ok  bool
	Bad string
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *jBool) UnmarshalJSON(b []byte) error {
	*x = jBool{}
	if string(b) == "null" {
		return nil
	}
	v, _ := unquote(b)
	switch string(v) {
	case "true", "1", "TRUE", "True":
		x.V, x.Ok = true, true
	case "false", "0", "FALSE", "False":
		x.Ok = true
	case "":
	default:
		x.Bad = string(b)
	}
	return nil
}
