package traces

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"strconv"
	"unsafe"
)

// lineReader yields the lines of one input without copying them: a returned line is
// valid until the next call. Line endings (LF or CRLF) are stripped; a final line
// without a newline is returned too.
type lineReader struct {
	br   *bufio.Reader
	file string
	line int64
	long []byte // accumulates a line longer than the buffer
}

func newLineReader(m member) *lineReader {
	br, ok := m.r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(m.r, 256<<10)
	}
	return &lineReader{br: br, file: m.name}
}

// next returns the next line, or io.EOF after the last one. A read error is
// returned as bad input naming the file and line.
func (r *lineReader) next() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			r.long = append(r.long, b...)
		}
		b = r.long
	}
	if err != nil && err != io.EOF {
		return nil, readError(r.file, r.line, err)
	}
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	r.line++
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, nil
}

// splitCSV splits one CSV line into fields, appending to dst[:0]. Unquoted fields
// are sub-slices of line (no copy). A field that starts with a double quote is
// unquoted ("" is an escaped quote) into scratch, which is returned for reuse. It
// reports false for an unterminated quote. Trailing empty fields are kept.
func splitCSV(line []byte, dst [][]byte, scratch []byte) ([][]byte, []byte, bool) {
	dst = dst[:0]
	if bytes.IndexByte(line, '"') < 0 {
		for {
			i := bytes.IndexByte(line, ',')
			if i < 0 {
				return append(dst, line), scratch, true
			}
			dst = append(dst, line[:i])
			line = line[i+1:]
		}
	}
	// Slow path: quoted fields. Unquoted content is copied into scratch so that
	// every field is a sub-slice of one buffer; scratch is sized up front so
	// that appending never moves it.
	if cap(scratch) < len(line) {
		scratch = make([]byte, 0, len(line))
	}
	scratch = scratch[:0]
	for {
		start := len(scratch)
		if len(line) > 0 && line[0] == '"' {
			line = line[1:]
			for {
				i := bytes.IndexByte(line, '"')
				if i < 0 {
					return dst, scratch, false
				}
				scratch = append(scratch, line[:i]...)
				line = line[i+1:]
				if len(line) > 0 && line[0] == '"' {
					scratch = append(scratch, '"')
					line = line[1:]
					continue
				}
				break
			}
			dst = append(dst, scratch[start:len(scratch):len(scratch)])
			if len(line) == 0 {
				return dst, scratch, true
			}
			if line[0] != ',' {
				return dst, scratch, false
			}
			line = line[1:]
			continue
		}
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			scratch = append(scratch, line...)
			return append(dst, scratch[start:len(scratch):len(scratch)]), scratch, true
		}
		scratch = append(scratch, line[:i]...)
		dst = append(dst, scratch[start:len(scratch):len(scratch)])
		line = line[i+1:]
	}
}

// bstr views b as a string without copying. The string must not outlive b.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// numErr says why a number did not parse.
type numErr uint8

const (
	numOK numErr = iota
	numSyntax
	numRange
)

// atoi parses a decimal int64 with an optional sign, detecting overflow.
func atoi(b []byte) (int64, numErr) {
	if len(b) == 0 {
		return 0, numSyntax
	}
	neg := false
	switch b[0] {
	case '-':
		neg = true
		b = b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, numSyntax
	}
	var u uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, numSyntax
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, numRange
		}
		u = u*10 + uint64(d)
	}
	if neg {
		if u > 1<<63 {
			return 0, numRange
		}
		return -int64(u), numOK
	}
	if u > math.MaxInt64 {
		return 0, numRange
	}
	return int64(u), numOK
}

// atof parses a float64; NaN and infinities are rejected as syntax errors.
func atof(b []byte) (float64, numErr) {
	if len(b) == 0 {
		return 0, numSyntax
	}
	// Fast path: plain integers, common in trace CSVs.
	if v, e := atoi(b); e == numOK && v > -1<<53 && v < 1<<53 {
		return float64(v), numOK
	}
	f, err := strconv.ParseFloat(bstr(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, numRange
		}
		return 0, numSyntax
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, numSyntax
	}
	return f, numOK
}

// trimSpace trims ASCII spaces and tabs.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
