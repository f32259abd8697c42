package traces

import (
	"errors"
	"fmt"
	"strings"
)

// Spec is a trace workload spec, parsed: the format, the files and the reader
// options. Its text form is
//
//	trace:FORMAT:PATH[,PATH...][:OPTION=VALUE,...]
//
// (the "trace:" prefix is optional for ParseSpec). The options part is the last
// ':'-separated segment when every comma-separated item of it is KEY=VALUE with
// a non-empty key; otherwise that segment belongs to the paths.
type Spec struct {
	Format  string   // a name from FormatNames, checked
	Paths   []string // at least one, trimmed, none empty
	Options Options  // DefaultOptions with the spec's options set, validated
}

// ErrSpecSyntax is the error of a spec that does not have the shape
// FORMAT:PATH[,PATH...][:OPTION=VALUE,...] (no format name, or no path).
var ErrSpecSyntax = errors.New("want trace:FORMAT:PATH[,PATH...][:OPTION=VALUE,...]")

// SpecError is the error of ParseSpec: the spec as given, the part that is
// wrong ("format", "paths" or "options") and what is wrong with it: ErrSpecSyntax
// for a missing format or path, the error of ParseOptions or of the options'
// validation for a bad option, an error listing the valid names for an unknown
// format.
type SpecError struct {
	Spec string
	Part string
	Err  error
}

// Error formats the error as `trace spec "SPEC": PART: ERR`.
func (e *SpecError) Error() string {
	return fmt.Sprintf("trace spec %q: %s: %v", e.Spec, e.Part, e.Err)
}

// Unwrap returns the underlying error.
func (e *SpecError) Unwrap() error { return e.Err }

// ParseSpec parses a trace spec (see Spec). It checks the shape, then the
// options (parsed on top of DefaultOptions), then the format name, then the
// options' cross-field rules; the first problem is a *SpecError naming the part.
// On error the returned Spec holds the parts parsed so far (Format, once the
// shape is right).
func ParseSpec(s string) (Spec, error) {
	rest := strings.TrimPrefix(strings.TrimSpace(s), "trace:")
	format, paths, opts, part := splitSpec(rest)
	if part != "" {
		return Spec{}, &SpecError{Spec: s, Part: part, Err: ErrSpecSyntax}
	}
	sp := Spec{Format: format}
	o, err := ParseOptions(opts)
	if err != nil {
		return sp, &SpecError{Spec: s, Part: "options", Err: err}
	}
	if _, err := lookupFormat(format); err != nil {
		return sp, &SpecError{Spec: s, Part: "format", Err: err}
	}
	if err := o.validate(); err != nil {
		return sp, &SpecError{Spec: s, Part: "options", Err: err}
	}
	sp.Paths, sp.Options = paths, o
	return sp, nil
}

// splitSpec splits FORMAT:PATH[,PATH...][:OPTION=VALUE,...] into its parts;
// bad names the part that is missing ("format" or "paths"), if one is.
func splitSpec(rest string) (format string, paths []string, opts string, bad string) {
	format, p, ok := strings.Cut(rest, ":")
	if strings.TrimSpace(format) == "" {
		return "", nil, "", "format"
	}
	if !ok || strings.TrimSpace(p) == "" {
		return "", nil, "", "paths"
	}
	if i := strings.LastIndexByte(p, ':'); i >= 0 && isOptionList(p[i+1:]) {
		p, opts = p[:i], p[i+1:]
	}
	for _, x := range strings.Split(p, ",") {
		if x = strings.TrimSpace(x); x != "" {
			paths = append(paths, x)
		}
	}
	if len(paths) == 0 {
		return "", nil, "", "paths"
	}
	return strings.TrimSpace(format), paths, opts, ""
}

// isOptionList reports whether s is non-empty and every comma-separated item of
// it is KEY=VALUE with a non-empty key.
func isOptionList(s string) bool {
	if s == "" {
		return false
	}
	for _, kv := range strings.Split(s, ",") {
		if k, _, ok := strings.Cut(kv, "="); !ok || strings.TrimSpace(k) == "" {
			return false
		}
	}
	return true
}

// String formats the spec as trace:FORMAT:PATH,...[:OPTION=VALUE,...], with
// the options that differ from DefaultOptions in declaration order. ParseSpec
// reads it back when no path holds a ',' or ends in a KEY=VALUE list after a ':'.
func (s Spec) String() string {
	out := "trace:" + s.Format + ":" + strings.Join(s.Paths, ",")
	def := DefaultOptions()
	var opts []string
	for _, d := range optionDefs {
		if v := d.get(&s.Options); v != d.get(&def) {
			opts = append(opts, d.name+"="+v)
		}
	}
	if len(opts) > 0 {
		out += ":" + strings.Join(opts, ",")
	}
	return out
}

// OpenSpec opens the trace of a parsed spec: Open(s.Format, s.Paths, s.Options).
func OpenSpec(s Spec) (*Replay, error) {
	return Open(s.Format, s.Paths, s.Options)
}
