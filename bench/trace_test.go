package bench

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/traces"
)

// A canonical ("schedlab") replay's machines are its node events (its stats
// count none): --cluster trace must use them and auto must pick them, as for
// the trace it was converted from.
func TestCanonicalTraceCluster(t *testing.T) {
	src := []string{filepath.Join("..", "traces", "testdata", "google2011")}
	out := filepath.Join(t.TempDir(), "g.schedlab.gz")
	if _, err := traces.ConvertFile("google2011", src, traces.DefaultOptions(), out); err != nil {
		t.Fatal(err)
	}
	w, err := OpenTrace(traces.CanonicalFormat, []string{out})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Source.(scheduler.NodeSource); !ok {
		t.Fatal("canonical replay with machines opened without its node events")
	}
	w.Source.(interface{ Close() error }).Close()
	for _, cl := range []string{"trace", "auto"} {
		orig, err := testRegistry.Run(RunSpec{Workload: "trace:google2011:" + src[0], Cluster: cl})
		if err != nil {
			t.Fatalf("google2011 --cluster %s: %v", cl, err)
		}
		canon, err := testRegistry.Run(RunSpec{Workload: "trace:schedlab:" + out, Cluster: cl})
		if err != nil {
			t.Fatalf("schedlab --cluster %s: %v", cl, err)
		}
		if orig.JobsCompleted != canon.JobsCompleted || orig.Placements != canon.Placements || orig.Makespan != canon.Makespan {
			t.Errorf("--cluster %s: canonical replay ran differently from its source", cl)
		}
	}
}

// A trace workload spec's errors, as Registry.OpenWorkload reports them: a spec of the
// wrong shape is a "workload" error, a bad option or format a "trace FORMAT"
// one (the messages before traces.ParseSpec, unchanged).
func TestTraceSpecErrors(t *testing.T) {
	td := filepath.Join("..", "traces", "testdata", "google2011")
	syntax := ": want trace:FORMAT:PATH[,PATH...][:OPTION=VALUE,...]"
	for _, c := range []struct{ spec, want string }{
		{"trace:", `workload "trace:"` + syntax},
		{"trace:google2011", `workload "trace:google2011"` + syntax},
		{"trace::x", `workload "trace::x"` + syntax},
		{"trace:google2011: , ", `workload "trace:google2011: ,"` + syntax},
		{"trace:nope:x", `trace nope: traces: bad input: unknown trace format "nope" (valid: ` + strings.Join(traces.FormatNames(), ", ") + ")"},
		{"trace:nope:x:nope=1", `trace nope: traces: bad input: unknown option "nope" (valid: ` + strings.Join(traces.OptionNames(), ", ") + ")"},
		{"trace:google2011:" + td + ":runtime=bogus", `trace google2011: traces: bad input: option runtime="bogus": want one of final-attempt, sum-attempts`},
		{"trace:google2011:" + td + ":machine_status=", `trace google2011: traces: bad input: option machine_status="": want at least one status (such as USING); with none, no machine would ever be available`},
		{"trace:schedlab:a,b", `trace schedlab: traces: bad input: schedlab: want exactly one file, got 2`},
	} {
		_, isTrace, err := testRegistry.OpenWorkload(c.spec, 1)
		if !isTrace || err == nil || err.Error() != c.want {
			t.Errorf("%q: got %v (trace %v), want %s", c.spec, err, isTrace, c.want)
		}
		if bad := errors.Is(err, traces.ErrBadInput); bad != strings.HasPrefix(c.want, "trace ") {
			t.Errorf("%q: errors.Is(ErrBadInput) = %v", c.spec, bad)
		}
	}
}
