package traces

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// TestReplayInSimulator runs every fixture's replay through the simulator with
// the cluster taken from the trace's node events (no Config.Nodes): the stream
// must be accepted (time-ordered, valid jobs, node events naming known machines).
func TestReplayInSimulator(t *testing.T) {
	for _, format := range goldenFormats {
		t.Run(format, func(t *testing.T) {
			r, err := Open(format, []string{filepath.Join("testdata", format)}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			mc := scheduler.DefaultMonolithicConfig()
			mc.Placer = scheduler.ScanFirstFit{}
			sched, err := scheduler.NewMonolithic(mc)
			if err != nil {
				t.Fatal(err)
			}
			cfg := scheduler.DefaultConfig()
			cfg.Horizon = 0 // run until the workload is drained
			res, err := scheduler.Run(cfg, r, sched)
			if err != nil {
				t.Fatal(err)
			}
			want := r.Stats().Counters["tasks_replayed"]
			if int64(res.TasksSubmitted) != want {
				t.Errorf("simulator saw %d tasks, replay yielded %d", res.TasksSubmitted, want)
			}
		})
	}
}

// TestReplayOrder checks the stream contract on every fixture: jobs in
// non-decreasing submit order, node events in non-decreasing time order, every
// non-add event naming a machine added before it.
func TestReplayOrder(t *testing.T) {
	for _, format := range goldenFormats {
		r, err := Open(format, []string{filepath.Join("testdata", format)}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		last := scheduler.Time(-1)
		for {
			j, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if j.Submit < last || j.Submit < 0 {
				t.Errorf("%s: job %d submit %v after %v", format, j.ID, j.Submit, last)
			}
			last = j.Submit
		}
		last = -1
		added := map[string]bool{}
		for {
			ev, err := r.NextNodeEvent()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Time < last || ev.Time < 0 {
				t.Errorf("%s: node event at %v after %v", format, ev.Time, last)
			}
			last = ev.Time
			if ev.Kind == scheduler.NodeAdd {
				if added[ev.Node.Name] {
					t.Errorf("%s: machine %s added twice", format, ev.Node.Name)
				}
				added[ev.Node.Name] = true
			} else if !added[ev.Node.Name] {
				t.Errorf("%s: %s event for unknown machine %s", format, ev.Kind, ev.Node.Name)
			}
		}
		r.Close()
	}
}

// TestOpenbReplayRealTrace replays the shared openb trace (GPU nodes, default
// pods) and checks the §12 counts.
func TestOpenbReplayRealTrace(t *testing.T) {
	needOpenb(t)
	paths := []string{filepath.Join(openbDir, "openb_node_list_gpu_node.csv"), filepath.Join(openbDir, "openb_pod_list_default.csv")}
	st, err := Stats("openb2023", paths, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if st.Machines != 1213 || st.Jobs != 8152 || st.Tasks != 8152 || st.Counters["jobs_replayed"] != 8152 {
		t.Errorf("machines %d jobs %d tasks %d replayed %d; want 1213, 8152, 8152, 8152", st.Machines, st.Jobs, st.Tasks, st.Counters["jobs_replayed"])
	}
	if st.Events["pod_phase/Pending"] != 897 || st.LastSeconds != 12902960 {
		t.Errorf("pending %d, last %v", st.Events["pod_phase/Pending"], st.LastSeconds)
	}
}

func TestReplayNodesHelper(t *testing.T) {
	r, err := Open("google2011", []string{filepath.Join("testdata", "google2011")}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	nodes, rest, err := r.Nodes()
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 3 || nodes[0].Name != "5" || nodes[2].ID != 2 {
		t.Fatalf("initial nodes = %+v", nodes)
	}
	n := 0
	for {
		ev, err := rest.NextNodeEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Time == 0 && ev.Kind == scheduler.NodeAdd {
			t.Fatalf("initial add left in the rest: %+v", ev)
		}
		n++
	}
	if n != 5 {
		t.Errorf("%d later events, want 5", n)
	}
}
