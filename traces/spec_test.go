package traces

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ParseSpec: every error path names its part and keeps the underlying error;
// the shapes that parse give the format, the trimmed paths and the options.
func TestParseSpec(t *testing.T) {
	gang := DefaultOptions()
	gang.Gang = "none"
	two := DefaultOptions()
	two.Gang, two.SkipBad = "job", true
	for _, c := range []struct {
		spec   string
		part   string // "" = no error
		errHas string
		format string
		paths  []string
		opt    Options
	}{
		{spec: "trace:google2011:a", format: "google2011", paths: []string{"a"}, opt: DefaultOptions()},
		{spec: "google2011:a", format: "google2011", paths: []string{"a"}, opt: DefaultOptions()},
		{spec: " trace: google2011 : a , b ,, :gang=none", format: "google2011", paths: []string{"a", "b"}, opt: gang},
		{spec: "trace:swf:a:b:gang=job, skip_bad=true", format: "swf", paths: []string{"a:b"}, opt: two},
		// A last segment that is not all k=v belongs to the paths.
		{spec: "trace:swf:a:b=1,c", format: "swf", paths: []string{"a:b=1", "c"}, opt: DefaultOptions()},
		{spec: "trace:swf:a:", format: "swf", paths: []string{"a:"}, opt: DefaultOptions()},
		{spec: "trace:swf:a:=1", format: "swf", paths: []string{"a:=1"}, opt: DefaultOptions()},

		{spec: "", part: "format", errHas: ErrSpecSyntax.Error()},
		{spec: "trace:", part: "format", errHas: ErrSpecSyntax.Error()},
		{spec: "trace: :a", part: "format", errHas: ErrSpecSyntax.Error()},
		{spec: "trace:google2011", part: "paths", errHas: ErrSpecSyntax.Error()},
		{spec: "trace:google2011:", part: "paths", errHas: ErrSpecSyntax.Error()},
		{spec: "trace:google2011: , ", part: "paths", errHas: ErrSpecSyntax.Error()},
		{spec: "trace:google2011: , :gang=none", part: "paths", errHas: ErrSpecSyntax.Error()},
		{spec: "trace:google2011:a:nope=1", part: "options", errHas: `unknown option "nope"`, format: "google2011"},
		{spec: "trace:google2011:a:runtime=bogus", part: "options", errHas: `option runtime="bogus"`, format: "google2011"},
		{spec: "trace:google2011:a:norm_cpu=x", part: "options", errHas: `option norm_cpu="x"`, format: "google2011"},
		// Options are checked before the format name, the name before the
		// cross-field rules (the order Open checks them in).
		{spec: "trace:nope:a:nope=1", part: "options", errHas: `unknown option "nope"`, format: "nope"},
		{spec: "trace:nope:a", part: "format", errHas: `unknown trace format "nope" (valid: `, format: "nope"},
		{spec: "trace:nope:a:machine_status=", part: "format", errHas: `unknown trace format "nope"`, format: "nope"},
		{spec: "trace:google2011:a:machine_status=", part: "options", errHas: `option machine_status=""`, format: "google2011"},
		{spec: "trace:google2011:a:temp_dir=/nonexistent/dir", part: "options", errHas: `option temp_dir="/nonexistent/dir": not an existing directory`, format: "google2011"},
	} {
		s, err := ParseSpec(c.spec)
		if c.part == "" {
			if err != nil {
				t.Errorf("%q: %v", c.spec, err)
				continue
			}
			if s.Format != c.format || !slices.Equal(s.Paths, c.paths) || s.Options != c.opt {
				t.Errorf("%q: got %+v", c.spec, s)
			}
			back, err := ParseSpec(s.String())
			if err != nil || back.Format != s.Format || !slices.Equal(back.Paths, s.Paths) || back.Options != s.Options {
				t.Errorf("%q: String %q does not parse back (%v)", c.spec, s.String(), err)
			}
			continue
		}
		var se *SpecError
		if !errors.As(err, &se) {
			t.Errorf("%q: want a *SpecError, got %v", c.spec, err)
			continue
		}
		if se.Part != c.part || se.Spec != c.spec || !strings.Contains(se.Err.Error(), c.errHas) {
			t.Errorf("%q: got part %q, error %v; want part %q, error containing %q", c.spec, se.Part, se.Err, c.part, c.errHas)
		}
		if want := "trace spec " + strconv.Quote(c.spec) + ": " + c.part + ": "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %q does not start with %q", c.spec, err, want)
		}
		if (c.part == "options" || c.errHas != ErrSpecSyntax.Error()) != errors.Is(err, ErrBadInput) {
			t.Errorf("%q: errors.Is(ErrBadInput) = %v", c.spec, errors.Is(err, ErrBadInput))
		}
		if (c.errHas == ErrSpecSyntax.Error()) != errors.Is(err, ErrSpecSyntax) {
			t.Errorf("%q: errors.Is(ErrSpecSyntax) = %v", c.spec, errors.Is(err, ErrSpecSyntax))
		}
		if s.Format != c.format {
			t.Errorf("%q: partial spec format %q, want %q", c.spec, s.Format, c.format)
		}
	}
}

// OpenSpec opens what Open opens.
func TestOpenSpec(t *testing.T) {
	s, err := ParseSpec("trace:swf:testdata/swf/fixture.swf:gang=none")
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != "swf" || r.Options() != s.Options {
		t.Errorf("opened %s with %v", r.Format(), r.Options())
	}
}
