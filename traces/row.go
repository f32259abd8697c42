package traces

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
