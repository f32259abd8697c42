package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputReproducers replays the command lines that once crashed, ran out of
// memory, hung, accepted NaN or overflowed (issue 16): each now exits 2 with a
// message naming the parameter or flag at fault, and never a stack trace.
func TestBadInputReproducers(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	gangCluster := "--cluster=nodes=16,cpu=64000,mem=262144,gpu=8"
	for _, c := range []struct{ args, want string }{
		// Memory: parameters that size memory have declared maxima.
		{"run --workload synthetic:jobs=20,size_scale=1e9", `size_scale="1e9": want a value in (0, 1000000]`},
		{"run --workload synthetic:jobs=20,size_scale=10000", `parameter size_scale=10000: jobs of up to 500 tasks would have up to 5e+06`},
		{"run --workload synthetic:jobs=5,tasks=1e12", `tasks="1e12": want a distribution whose values lie in [0, 1000000]`},
		{"run --workload google2011:scale=1000000,days=0.001", `scale="1000000": want a value in (0, 100]`},
		{"run --workload omega:machines=100000000", `machines="100000000": want a value in [1, 2000000]`},
		{"run --workload gang-burst:max_gang=100000000 " + gangCluster, `max_gang="100000000": want a value in [2, 1000000]`},
		{"run --workload alibaba-gpu:gang=1,gang_size=100000000:1", `gang_size="100000000:1": want a value in [1, 1000000]`},
		{"run --scheduler omega:batch=100000000 " + tinyRun, `batch="100000000": want a value in [1, 10000]`},
		{"run --cluster nodes=3000000 --workload cli-tiny", `nodes="3000000": want a value in [1, 2000000]`},
		// Recovered panics and silent overflow.
		{"run --workload google2011:scale=1e308", `scale="1e308"`},
		{"run --workload synthetic:jobs=5,size_scale=1e15", `size_scale="1e15"`},
		{"run --workload synthetic:jobs=20,request_scale=1e20", `request_scale="1e20": want a value in (0, 1000000]`},
		{"run --workload synthetic:jobs=3,size_scale=1e19", `size_scale="1e19"`},
		// NaN and infinities.
		{"run --scheduler gang-admission:overcommit=NaN --workload gang-burst:jobs=100 " + gangCluster, `overcommit="NaN": want a finite number in [0, 1000]`},
		{"run --scheduler mesos:jitter=NaN " + tinyRun, `jitter="NaN": want a finite number`},
		{"run --scheduler monolithic:t_job=NaN " + tinyRun, `parameter t_job="NaN"`},
		{"run --horizon NaN " + tinyRun, `invalid value "NaN" for flag -horizon`},
		{"run --sample-every forever " + tinyRun, `--sample-every: want a finite sample interval`},
		{"run --sample-every 1e-9 " + tinyRun, `below the resolution of simulated time`},
		// Looked like hangs.
		{"bench --scenario fgd:tune=0 --out " + filepath.Join(dir, "fgd"), `scenario fgd: parameter tune="0": want a value in (0, 10]`},
		{"bench --scenario fgd:arithmetic=fast --out " + filepath.Join(dir, "fgd"), `parameter arithmetic="fast": want one of artifact, exact`},
		{"run --placer randomk:k=100000000 " + tinyRun, `k="100000000": want a value in [1, 1000000]`},
		{"run --workload omega:lambda_batch=1e308,machines=10,horizon=60s", `lambda_batch="1e308": want a value in [0, 1000]`},
		// Exit 0 instead of 2, conflicts accepted, unclear messages.
		{"--parallel -2", `invalid value "-2" for flag -parallel: want an integer in [0, 4096]`},
		{"--format xml", `schedlab: --format: unknown format "xml"`},
		{"bench --shard 0/2 --shards 3 --workload cli-tiny --out " + filepath.Join(dir, "b"), `--shard 0/2 and --shards 3 disagree`},
		{"run --placer gpu-fgd:typical=" + empty + " " + tinyRun, `placer gpu-fgd: parameter typical=`},
		{"run --placer volcano:resources=foo:1 " + tinyRun, `placer volcano: parameter resources="foo:1"`},
		{"run --placer volcano:resources=cpu:-1 " + tinyRun, `weight "-1": want an integer in [0, 1000]`},
		{"run --workload cli-tiny --cluster nodes=4+", `an empty shape`},
	} {
		t.Run(c.args, func(t *testing.T) {
			code, _, stderr := runCLI(strings.Fields(c.args)...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr does not contain %q:\n%s", c.want, stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") || strings.HasPrefix(stderr, "schedlab : ") {
				t.Errorf("stack trace or unnamed program on stderr:\n%s", stderr)
			}
		})
	}
}

// TestSampleEveryBounded is the reproducer that grew to 7.6 GB in 15 s: a 1 µs
// interval now gives at most MaxSamples points, evenly spaced, and reports the
// coarsened interval.
func TestSampleEveryBounded(t *testing.T) {
	code, out, stderr := runCLI(append([]string{"run", "--sample-every", "1us", "--format", "json"}, strings.Fields(tinyRun)...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Series      []struct{ T float64 } `json:"series"`
		SampleEvery float64               `json:"sample_every_seconds"`
		SimSeconds  float64               `json:"sim_seconds"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if n := len(res.Series); n == 0 || n > 1<<14 {
		t.Fatalf("%d samples", n)
	}
	if res.SampleEvery <= 1e-6 || res.SimSeconds/res.SampleEvery > 1<<14 {
		t.Errorf("interval %gs over %gs", res.SampleEvery, res.SimSeconds)
	}
}

// TestFlagTable feeds every numeric and duration flag of every command NaN, Inf,
// -1, 0, 1e308 and "": each is an error (exit 2) naming the flag, or a documented
// acceptance (0 means "the default" or "none"; 1e308 seconds of horizon is
// forever).
func TestFlagTable(t *testing.T) {
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	accepted := map[string]bool{ // flag=value pairs documented as valid
		"--horizon=0": true, "--horizon=1e308": true, "--horizon=Inf": true, "--sample-every=0": true, "--seed=0": true,
		"--parallel=0": true, "--seeds=0": true, "--shards=0": true, "--window=": true, "--warmup=0": true,
	}
	i := 0
	for _, c := range []struct {
		cmd   []string // the command, with everything but the flag valid
		flags []string
	}{
		{append([]string{"run"}, strings.Fields(tinyRun)...), []string{"horizon", "sample-every", "seed", "window", "warmup"}},
		{[]string{"--workload=cli-tiny", "--cluster=nodes=4,cpu=4000,mem=8192"}, []string{"parallel", "seed", "window", "warmup"}},
		{[]string{"bench", "--workload=cli-tiny", "--cluster=nodes=4,cpu=4000,mem=8192", "--horizon=60s"}, []string{"parallel", "seeds", "shards", "horizon", "sample-every"}},
	} {
		for _, f := range c.flags {
			for _, v := range []string{"NaN", "Inf", "-1", "0", "1e308", ""} {
				args := append([]string(nil), c.cmd...)
				if c.cmd[0] == "bench" {
					i++
					args = append(args, "--out="+out("b"+string(rune('a'+i%26))+strings.Repeat("x", i/26)))
				}
				args = append(args, "--"+f+"="+v)
				code, _, stderr := runCLI(args...)
				key := "--" + f + "=" + v
				if accepted[key] || (c.cmd[0] == "bench" && v == "" && (f == "horizon" || f == "sample-every")) {
					if code != exitOK {
						t.Errorf("%v: exit %d, want 0 (documented): %s", args, code, firstLine(stderr))
					}
					continue
				}
				if code != exitUsage || !strings.Contains(stderr, "-"+f) {
					t.Errorf("%v: exit %d, want 2 naming -%s: %s", args, code, f, firstLine(stderr))
				}
			}
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// TestTraceBadInputReproducers: the trace and sweep command lines that exited 1
// (or 0) on bad input or unusable output paths now exit 2 naming the file.
func TestTraceBadInputReproducers(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "file")
	if err := os.WriteFile(existing, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// An openb2023 pod list with a UTF-8 BOM is read like the original.
	bom := filepath.Join(dir, "bom")
	if err := os.Mkdir(bom, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"openb_node_list_fixture.csv", "openb_pod_list_fixture.csv"} {
		b, err := os.ReadFile(filepath.Join(traceFixtures, "openb2023", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bom, f), append([]byte("\ufeff"), b...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, withBOM, stderr := runCLI("trace", "stats", "--format", "openb2023", bom)
	_, plain, _ := runCLI("trace", "stats", "--format", "openb2023", filepath.Join(traceFixtures, "openb2023"))
	if code != exitOK || !strings.Contains(withBOM, `"jobs"`) || strings.Contains(withBOM, `"jobs": 0,`) {
		t.Errorf("BOM: exit %d, %s\n%s", code, stderr, withBOM)
	}
	strip := func(s string) string { // the paths differ
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, "openb_") && !strings.Contains(l, `"paths"`) {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	if strip(withBOM) != strip(plain) {
		t.Errorf("BOM changes the stats:\n%s\nvs\n%s", withBOM, plain)
	}
	// A damaged cells.jsonl of a sweep directory.
	sweep := filepath.Join(dir, "sweep")
	if err := os.MkdirAll(sweep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sweep, "cells.jsonl"), []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	swf := filepath.Join(traceFixtures, "swf")
	az := filepath.Join(traceFixtures, "azure2020")
	for _, c := range []struct{ args, want string }{
		{"trace stats --format azure2020 --options machine_type=77 " + az, `machine_type="77": no vmType row has that machineId`},
		{"run --workload trace:azure2020:" + az + " --cluster trace", "has no machines of its own"},
		{"trace stats --format azure2020 " + filepath.Join(az, "vm.csv"), "no vmType rows among the inputs"},
		{"trace convert --format swf --out " + dir + " " + swf, dir},
		{"trace convert --format swf --out /nonexistent/x.gz " + swf, "/nonexistent/x.gz"},
		{"trace sample --format swf --out " + existing + " " + swf, existing},
		{"trace stats --skip-bad --options skip_bad=false --format swf " + swf, "contradict"},
		{"bench --workload cli-tiny --cluster nodes=4,cpu=4000,mem=8192 --horizon 60s --out " + sweep, "cells.jsonl:1: not a cell record"},
		// A spec inside a sweep or scenario that is bad input fails its cells as
		// bad input: exit 2, not a failed run.
		{"bench --workload cli-tiny --cluster x --out " + filepath.Join(dir, "s2"), "5 cell(s) failed on bad input"},
		{"bench --scenario compaction:cluster=x --seeds 1 --out " + filepath.Join(dir, "s3"), "5 cell(s) failed on bad input"},
	} {
		t.Run(c.args, func(t *testing.T) {
			code, _, stderr := runCLI(strings.Fields(c.args)...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want 2 and %q in:\n%s", code, c.want, stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.gz")); err == nil {
		t.Error("a failed convert left its output behind")
	}
	// The Azure 2020 export replays on a cluster given by the caller.
	code, out, stderr := runCLI("run", "--workload", "trace:azure2020:"+az, "--cluster", "nodes=4,cpu=64000,mem=262144", "--format", "json")
	if code != exitOK || !strings.Contains(out, `"tasks_completed": 8`) {
		t.Errorf("azure2020 run: exit %d, %s\n%s", code, stderr, out)
	}
}
