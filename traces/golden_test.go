package traces

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// goldenFormats lists the fixture sets under testdata/<format>.
var goldenFormats = []string{"alibaba2017", "alibaba2018", "google2011", "google2019", "openb2023", "pai2020", "philly", "swf"}

// dumpReplay renders a replay as text: node events, then jobs with their tasks.
func dumpReplay(t *testing.T, r *Replay) string {
	t.Helper()
	var sb strings.Builder
	for {
		ev, err := r.NextNodeEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "node %v %s %s cap=%v gpus=%d model=%q domain=%q labels=%v\n",
			ev.Time, ev.Kind, ev.Node.Name, ev.Node.Capacity, ev.Node.GPUs, ev.Node.GPUModel, ev.Node.Domain, ev.Node.Labels)
	}
	for {
		j, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "job %d %q submit=%v prio=%d class=%s tenant=%q min=%d after=%v\n", j.ID, j.Name, j.Submit, j.Priority, j.Class, j.Tenant, j.MinMember, j.After)
		for _, g := range j.Groups {
			fmt.Fprintf(&sb, "  group %q after=%v\n", g.Name, g.After)
		}
		for k, tk := range j.Tasks {
			fmt.Fprintf(&sb, "  task %d group=%d req=%v gpu=%dx%d runtime=%v prio=%d flags=%d", tk.Index, tk.Group, tk.Request, tk.GPUCount, tk.GPUMilli, tk.Runtime, tk.Priority, r.lastFlags()[k])
			if c := tk.Constraints; c != nil {
				fmt.Fprintf(&sb, " constraints=%+v", *c)
			}
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./traces -run Golden -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output (run with -update and review the diff):\n--- got ---\n%s", path, got)
	}
}

// TestGoldenStats checks `trace stats` output and the full replay of every
// fixture set against the golden files, with the default options.
func TestGoldenStats(t *testing.T) {
	for _, format := range goldenFormats {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join("testdata", format)
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("fixture %s missing: %v", dir, err)
			}
			st, err := Stats(format, []string{dir}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			js, _ := json.MarshalIndent(st, "", "  ")
			checkGolden(t, filepath.Join("testdata", format+".stats.json"), string(js)+"\n")
			r, err := Open(format, []string{dir}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			checkGolden(t, filepath.Join("testdata", format+".replay.txt"), dumpReplay(t, r))
		})
	}
}

// TestConvertRoundTrip converts each fixture set to the canonical format and
// checks that replaying the result gives the same jobs and node events.
func TestConvertRoundTrip(t *testing.T) {
	for _, format := range goldenFormats {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join("testdata", format)
			out := filepath.Join(t.TempDir(), "t.schedlab.gz")
			f, err := os.Create(out)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Convert(format, []string{dir}, DefaultOptions(), f); err != nil {
				t.Fatal(err)
			}
			f.Close()
			r1, err := Open(format, []string{dir}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer r1.Close()
			r2, err := Open(CanonicalFormat, []string{out}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer r2.Close()
			a, b := dumpReplay(t, r1), dumpReplay(t, r2)
			if a != b {
				t.Fatalf("canonical replay differs:\n%s\n---\n%s", a, b)
			}
			st, err := Stats(CanonicalFormat, []string{out}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			st0, _ := Stats(format, []string{dir}, DefaultOptions())
			if st.Counters["tasks_replayed"] != st0.Counters["tasks_replayed"] || st.Machines != st0.Machines {
				t.Errorf("canonical stats %v/%d, want %v/%d", st.Counters, st.Machines, st0.Counters, st0.Machines)
			}
		})
	}
}

var _ = scheduler.Second
