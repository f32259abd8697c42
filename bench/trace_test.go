package bench

import (
	"path/filepath"
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
