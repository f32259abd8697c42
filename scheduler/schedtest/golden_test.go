package schedtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// fakeTB records the failures a helper reports instead of failing the test.
type fakeTB struct {
	testing.TB
	fatal, errs []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatal(args ...any) {
	f.fatal = append(f.fatal, fmt.Sprint(args...))
	panic(f)
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = append(f.fatal, fmt.Sprintf(format, args...))
	panic(f) // stop the helper as t.Fatalf would
}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// golden runs Golden on a fakeTB and returns it.
func golden(path, got string) (f *fakeTB) {
	f = &fakeTB{}
	defer func() {
		if r := recover(); r != nil && r != f {
			panic(r)
		}
	}()
	Golden(f, path, got)
	return f
}

func setUpdate(t *testing.T, on bool) {
	t.Helper()
	old := Updating()
	if err := flag.Set("update", fmt.Sprint(on)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Set("update", fmt.Sprint(old)) })
}

func TestGoldenCompares(t *testing.T) {
	setUpdate(t, false)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.txt")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if f := golden(path, "a\nb\n"); len(f.fatal)+len(f.errs) != 0 {
		t.Errorf("equal content failed: %v %v", f.fatal, f.errs)
	}
	f := golden(path, "a\nc\n")
	if len(f.fatal) != 0 || len(f.errs) != 1 {
		t.Fatalf("different content: fatal %v, errors %v; want one error", f.fatal, f.errs)
	}
	if !strings.Contains(f.errs[0], path+" differs from the golden file") || !strings.HasSuffix(f.errs[0], "a\nc\n") {
		t.Errorf("error %q does not name the file and show the new content", f.errs[0])
	}
	f = golden(filepath.Join(dir, "missing.txt"), "a\n")
	if len(f.fatal) != 1 || !strings.Contains(f.fatal[0], "run go test -update to create it") {
		t.Errorf("missing file: fatal %v, want one with the -update hint", f.fatal)
	}
	if b, _ := os.ReadFile(path); string(b) != "a\nb\n" {
		t.Errorf("comparing modified the golden file: %q", b)
	}
}

func TestGoldenUpdateWrites(t *testing.T) {
	setUpdate(t, true)
	path := filepath.Join(t.TempDir(), "testdata", "new.txt")
	if f := golden(path, "fresh\n"); len(f.fatal)+len(f.errs) != 0 {
		t.Fatalf("update failed: %v %v", f.fatal, f.errs)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "fresh\n" {
		t.Fatalf("after -update read %q, %v; want %q", b, err, "fresh\n")
	}
	if f := golden(path, "other\n"); len(f.fatal)+len(f.errs) != 0 {
		t.Fatalf("update over an existing file failed: %v %v", f.fatal, f.errs)
	}
	setUpdate(t, false)
	if f := golden(path, "other\n"); len(f.fatal)+len(f.errs) != 0 {
		t.Errorf("the rewritten file does not match: %v %v", f.fatal, f.errs)
	}
}

func TestLookupOrDefineBool(t *testing.T) {
	fs := flag.NewFlagSet("a", flag.ContinueOnError)
	get := lookupOrDefineBool(fs, "update", "")
	if fs.Lookup("update") == nil || get() {
		t.Fatal("flag not registered, or not false by default")
	}
	if err := fs.Parse([]string{"-update"}); err != nil || !get() {
		t.Fatalf("-update not seen: %v", err)
	}
	// A flag the binary already has is shared, not registered twice (which panics).
	fs = flag.NewFlagSet("b", flag.ContinueOnError)
	own := fs.Bool("update", false, "")
	get = lookupOrDefineBool(fs, "update", "")
	if get() {
		t.Fatal("shared flag true by default")
	}
	if err := fs.Parse([]string{"-update"}); err != nil || !*own || !get() {
		t.Fatalf("shared flag not read: %v own=%v", err, *own)
	}
}

func TestFilter(t *testing.T) {
	recs := []scheduler.Record{{What: "submit"}, {What: "start"}, {What: "deadlock", Reason: "r"}, {What: "finish"}}
	for _, tc := range []struct {
		what map[string]bool
		want int
	}{{nil, 4}, {map[string]bool{"start": true, "deadlock": true}, 2}, {map[string]bool{}, 0}} {
		all, kept := &Recorder{Keep: true}, &Recorder{Keep: true}
		f := Filter{What: tc.what, Next: kept}
		for _, r := range recs {
			all.Observe(r)
			f.Observe(r)
		}
		var want []string
		for i, r := range recs {
			if tc.what == nil || tc.what[r.What] {
				want = append(want, all.Lines()[i])
			}
		}
		if got := kept.Lines(); len(got) != tc.want || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("Filter %v kept %q, want %q", tc.what, got, want)
		}
	}
}
