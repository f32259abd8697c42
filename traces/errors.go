package traces

import (
	"errors"
	"fmt"
)

// ErrBadInput is wrapped by every error about malformed trace input, so callers can
// tell bad input (exit status 2) from I/O failures with errors.Is.
var ErrBadInput = errors.New("traces: bad input")

// InputError describes one malformed row: the file (for an archive member,
// "archive.tar.gz:member.csv"), the 1-based line (0 when the problem is the whole
// file, such as an empty table), the 1-based column (0 when the problem is the
// whole row, such as a wrong field count), the field's name, and what is wrong
// with it.
type InputError struct {
	File   string
	Line   int64
	Column int
	Field  string
	Reason string // short machine-friendly reason, used as the skip counter key
	Msg    string
}

// Error formats the error as "file:line: column C (field): message".
func (e *InputError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("%s:%d: column %d (%s): %s", e.File, e.Line, e.Column, e.Field, e.Msg)
	}
	if e.Line <= 0 {
		// A problem with the whole file (an empty table, a bad gzip header).
		if e.Field != "" {
			return fmt.Sprintf("%s: %s: %s", e.File, e.Field, e.Msg)
		}
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap returns ErrBadInput.
func (e *InputError) Unwrap() error { return ErrBadInput }

// badf returns an error wrapping ErrBadInput that is not tied to one row (a missing
// table, an unknown option).
func badf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadInput}, args...)...)
}
