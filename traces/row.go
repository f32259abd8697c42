package traces

import "math"

// row is one parsed CSV row with typed, error-recording accessors: the first
// problem is kept in err (with file, line, column and field name) and later
// accessors return zero values, so a parser reads every field it needs and checks
// err once.
type row struct {
	file  string
	line  int64
	names []string // column names, by index
	f     [][]byte
	err   *InputError
	// What the time accessors saw (for the table's counters): a negative
	// time, and the row's order key (its first time field, when positive).
	negTime, timed, hasOrder bool
	order                    float64
}

func (r *row) colName(i int) string {
	if i < len(r.names) {
		return r.names[i]
	}
	return "?"
}

// fail records a problem with column i (0-based), unless one is recorded already.
func (r *row) fail(i int, reason, msg string) {
	if r.err == nil {
		r.err = &InputError{File: r.file, Line: r.line, Column: i + 1, Field: r.colName(i), Reason: reason, Msg: msg}
	}
}

// failRow records a problem with the whole row.
func (r *row) failRow(reason, msg string) {
	if r.err == nil {
		r.err = &InputError{File: r.file, Line: r.line, Reason: reason, Msg: msg}
	}
}

// has reports whether column i is present and non-empty.
func (r *row) has(i int) bool { return i < len(r.f) && len(r.f[i]) > 0 }

// bytes returns column i ("" when absent).
func (r *row) bytes(i int) []byte {
	if i < len(r.f) {
		return r.f[i]
	}
	return nil
}

// str returns a copy of column i.
func (r *row) str(i int) string { return string(r.bytes(i)) }

func (r *row) numFail(i int, e numErr, what string) {
	if e == numRange {
		r.fail(i, "overflow", "value "+quoteField(r.f[i])+" overflows "+what)
	} else {
		r.fail(i, "bad_number", "value "+quoteField(r.f[i])+" is not "+what)
	}
}

// int returns required integer column i.
func (r *row) int(i int) int64 {
	v, ok := r.optInt(i)
	if !ok && r.err == nil {
		r.fail(i, "missing_field", "required value is empty")
	}
	return v
}

// optInt returns integer column i and whether it is present.
func (r *row) optInt(i int) (int64, bool) {
	if !r.has(i) {
		return 0, false
	}
	v, e := atoi(r.f[i])
	if e != numOK {
		r.numFail(i, e, "an int64")
		return 0, false
	}
	return v, true
}

// float returns required float column i.
func (r *row) float(i int) float64 {
	v, ok := r.optFloat(i)
	if !ok && r.err == nil {
		r.fail(i, "missing_field", "required value is empty")
	}
	return v
}

// optFloat returns float column i and whether it is present.
func (r *row) optFloat(i int) (float64, bool) {
	if !r.has(i) {
		return 0, false
	}
	v, e := atof(r.f[i])
	if e != numOK {
		r.numFail(i, e, "a number")
		return 0, false
	}
	return v, true
}

// intOrFloat returns an integer column that may be written in decimal form
// ("12.0"), rounding once.
func (r *row) intOrFloat(i int) (int64, bool) {
	if !r.has(i) {
		return 0, false
	}
	if v, e := atoi(r.f[i]); e == numOK {
		return v, true
	}
	f, e := atof(r.f[i])
	if e != numOK || f >= 9.2e18 || f <= -9.2e18 {
		if e == numOK {
			e = numRange
		}
		r.numFail(i, e, "an integer")
		return 0, false
	}
	if f >= 0 {
		return int64(f + 0.5), true
	}
	return int64(f - 0.5), true
}

// quoteField quotes a field for an error message, shortening long values.
func quoteField(b []byte) string {
	if len(b) > 40 {
		return "\"" + string(b[:37]) + "...\""
	}
	return "\"" + string(b) + "\""
}

// Trace times. Every time field of every format goes through one of the
// accessors below (or, for the JSON readers, checkTimeSeconds/checkTimeMicros),
// so that one range rule and one error apply everywhere: a time is a finite
// number of seconds (or, for Google, µs) within ±maxTraceSeconds (100 years of
// 365.25 days) of the trace's zero — relative times and Unix times alike, which
// keeps every converted time and every difference of two far inside an int64 of
// µs. A value out of that range, including one that overflows an int64 or a
// float64, is an "overflow" error naming the field; a value that is not a number
// (NaN and Inf included) is "bad_number". Negative times are valid values (the
// format's mapping decides what they mean) but counted per table
// (negative_time/TABLE); the first time field of a row is also its order key
// (out_of_order/TABLE).
const (
	maxTraceSeconds = 100 * 36525 * 864 // 100 years of 365.25 days, in seconds
	maxTraceMicros  = maxTraceSeconds * 1_000_000
)

// checkTimeSeconds reports whether s seconds is a time in range.
func checkTimeSeconds(s float64) bool { return s >= -maxTraceSeconds && s <= maxTraceSeconds }

// checkTimeMicros reports whether us µs is a time in range.
func checkTimeMicros(us int64) bool { return us >= -maxTraceMicros && us <= maxTraceMicros }

// timeRangeMsg is the message of a time out of range.
func timeRangeMsg(v string) string { return "value " + v + " overflows the time range (±100 years)" }

func (r *row) timeFail(i int) { r.fail(i, "overflow", timeRangeMsg(quoteField(r.f[i]))) }

// noteTime records a parsed time (in the table's unit) for the row's counters.
func (r *row) noteTime(v float64) {
	if v < 0 {
		r.negTime = true
	}
	if !r.timed {
		r.timed = true
		if v > 0 {
			r.order, r.hasOrder = v, true
		}
	}
}

// optSeconds returns time column i in whole seconds and whether it is present.
func (r *row) optSeconds(i int) (int64, bool) {
	if !r.has(i) {
		return 0, false
	}
	v, e := atoi(r.f[i])
	if e == numSyntax {
		r.numFail(i, e, "an int64")
		return 0, false
	}
	if e == numRange || !checkTimeSeconds(float64(v)) {
		r.timeFail(i)
		return 0, false
	}
	r.noteTime(float64(v))
	return v, true
}

// seconds returns required time column i in whole seconds.
func (r *row) seconds(i int) int64 {
	v, ok := r.optSeconds(i)
	if !ok && r.err == nil {
		r.fail(i, "missing_field", "required value is empty")
	}
	return v
}

// optFloatSeconds returns time column i in (fractional) seconds and whether it
// is present.
func (r *row) optFloatSeconds(i int) (float64, bool) {
	if !r.has(i) {
		return 0, false
	}
	v, e := atof(r.f[i])
	if e == numSyntax {
		r.numFail(i, e, "a number")
		return 0, false
	}
	if e == numRange || !checkTimeSeconds(v) {
		r.timeFail(i)
		return 0, false
	}
	r.noteTime(v)
	return v, true
}

// floatSeconds returns required time column i in (fractional) seconds.
func (r *row) floatSeconds(i int) float64 {
	v, ok := r.optFloatSeconds(i)
	if !ok && r.err == nil {
		r.fail(i, "missing_field", "required value is empty")
	}
	return v
}

// optSecondsRounded returns time column i in seconds, written as an integer or
// in decimal form (rounded once), and whether it is present.
func (r *row) optSecondsRounded(i int) (int64, bool) {
	if !r.has(i) {
		return 0, false
	}
	if v, e := atoi(r.f[i]); e == numOK && checkTimeSeconds(float64(v)) {
		r.noteTime(float64(v))
		return v, true
	}
	f, e := atof(r.f[i])
	if e == numSyntax {
		r.numFail(i, e, "an integer")
		return 0, false
	}
	if e == numRange || !checkTimeSeconds(f) {
		r.timeFail(i)
		return 0, false
	}
	r.noteTime(f)
	return int64(math.Round(f)), true
}

// micros returns required time column i in µs; sentinel (when not 0) is
// accepted as is although out of range (Google's 2^63−1 "after the trace").
func (r *row) micros(i int, sentinel int64) int64 {
	if !r.has(i) {
		if r.err == nil {
			r.fail(i, "missing_field", "required value is empty")
		}
		return 0
	}
	v, e := atoi(r.f[i])
	if e == numSyntax {
		r.numFail(i, e, "an int64")
		return 0
	}
	if e == numOK && sentinel != 0 && v == sentinel {
		return v
	}
	if e == numRange || !checkTimeMicros(v) {
		r.timeFail(i)
		return 0
	}
	r.noteTime(float64(v))
	return v
}
