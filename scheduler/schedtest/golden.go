package schedtest

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// updateFlag is the -update flag that Golden honours. schedtest registers it
// unless the test binary already has one: the scheduler package's own tests
// cannot import schedtest (import cycle) and keep their own -update flag, yet
// its external tests link schedtest into the same binary. The scheduler package
// is initialised before schedtest (schedtest imports it), so its flag is seen
// here and shared instead of registered twice, which would panic. A package
// whose tests import schedtest must not register its own -update flag.
var updateFlag = lookupOrDefineBool(flag.CommandLine, "update", "rewrite golden files (schedtest.Golden) instead of comparing with them")

// lookupOrDefineBool returns a reader of fs's boolean flag name, registering the
// flag first if fs does not have it.
func lookupOrDefineBool(fs *flag.FlagSet, name, usage string) func() bool {
	if f := fs.Lookup(name); f != nil {
		return func() bool {
			if g, ok := f.Value.(flag.Getter); ok {
				if b, ok := g.Get().(bool); ok {
					return b
				}
			}
			b, _ := strconv.ParseBool(f.Value.String())
			return b
		}
	}
	p := fs.Bool(name, false, usage)
	return func() bool { return *p }
}

// Updating reports whether the test binary runs with -update, that is whether
// Golden rewrites golden files instead of comparing with them.
func Updating() bool { return updateFlag() }

// Golden compares got with the golden file at path (relative to the test's
// package directory, normally under testdata/). A missing file fails the test
// with a hint to run go test -update; a difference fails it with the whole of
// got, so that the new transcript can be read in the log. With -update, Golden
// instead writes got to path (creating its directory) and does not compare.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (rerun with -update and review the diff):\n%s", path, got)
	}
}

// Filter is a scheduler.Observer that passes to Next only the records whose
// What (start, hold, deadlock, …) is in What; a nil What passes every record. Put
// it in front of a Recorder to keep a golden transcript to the transitions a
// scenario is about:
//
//	rec := &schedtest.Recorder{Keep: true}
//	cfg.Observer = schedtest.Filter{What: map[string]bool{"deadlock": true}, Next: rec}
type Filter struct {
	What map[string]bool
	Next scheduler.Observer
}

// Observe implements scheduler.Observer.
func (f Filter) Observe(r scheduler.Record) {
	if f.What == nil || f.What[r.What] {
		f.Next.Observe(r)
	}
}
