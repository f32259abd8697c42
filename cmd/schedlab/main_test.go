package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/scheduler"
)

// cliTiny is a small seeded workload so the CLI tests run in milliseconds.
type cliTiny struct {
	n, i int
	r    interface{ IntN(int) int }
	t    scheduler.Time
}

func (s *cliTiny) Next() (*scheduler.Job, error) {
	if s.i >= s.n {
		return nil, io.EOF
	}
	s.t += scheduler.Time(1+s.r.IntN(2000)) * scheduler.Millisecond
	k := 1 + s.r.IntN(3)
	j := &scheduler.Job{ID: scheduler.JobID(s.i), Submit: s.t, Tasks: make([]scheduler.Task, k)}
	for x := range j.Tasks {
		j.Tasks[x] = scheduler.Task{Request: scheduler.Res(int64(500+500*s.r.IntN(3)), 1024, 0),
			Runtime: scheduler.Time(3+s.r.IntN(20)) * scheduler.Second}
	}
	if s.i%4 == 0 && k > 1 {
		j.MinMember = int32(k)
	}
	s.i++
	return j, nil
}

// TestMain adds the tests' small workload to the command's registry and makes it
// the default comparison's workload.
func TestMain(m *testing.M) {
	registry.RegisterWorkload(bench.WorkloadSpec{Name: "cli-tiny", Doc: "CLI test workload",
		Params: []bench.Param{{Name: "jobs", Type: bench.TypeInt, Range: "[0, 100000]", Default: "30", Doc: "jobs"}},
		New: func(p *bench.Params, seed uint64) (*bench.Workload, error) {
			return &bench.Workload{Source: &cliTiny{n: p.Int("jobs", 30), r: scheduler.NewRand(seed, "cli-tiny")}}, p.Err()
		}})
	defaultWorkloads = []string{"cli-tiny"}
	os.Exit(m.Run())
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

const tinyRun = "--workload=cli-tiny --cluster=nodes=4,cpu=4000,mem=8192"

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		args string
		want string // in stderr
		also string // in stderr too, if set
	}{
		{"unknown command", "frobnicate", `unknown command "frobnicate" (valid: run, list`, ""},
		{"unknown scheduler", "run --scheduler nope " + tinyRun, `--scheduler: unknown scheduler "nope" (valid: `, "monolithic"},
		{"unknown placer", "run --placer nope " + tinyRun, `--placer: unknown placer "nope" (valid: `, "firstfit"},
		{"unknown scheduler parameter", "run --scheduler monolithic:bogus=1 " + tinyRun, "--scheduler: scheduler monolithic: unknown parameter(s) bogus", ""},
		{"unknown workload", "run --workload nope", `--workload: unknown workload "nope" (valid: `, "cli-tiny"},
		{"negative nodes", "run --workload cli-tiny --cluster nodes=-4,cpu=4000,mem=8192", "--cluster: cluster \"nodes=-4,cpu=4000,mem=8192\": parameter nodes=\"-4\": want a value in [1, 2000000] machines", ""},
		{"zero cpu", "run --workload cli-tiny --cluster nodes=4,cpu=0,mem=8192", `cpu="0": want a value in [1, 1000000000]`, ""},
		{"negative gpu", "run --workload cli-tiny --cluster nodes=4,gpu=-1", `gpu="-1": want a value in [0, 64]`, ""},
		{"bad horizon", "run --horizon 10parsecs " + tinyRun, `invalid value "10parsecs" for flag -horizon: want a duration such as 90s`, ""},
		{"negative horizon", "run --horizon -5s " + tinyRun, `invalid value "-5s" for flag -horizon`, ""},
		{"negative seed", "run --seed -1 " + tinyRun, `invalid value "-1" for flag -seed: want a non-negative integer`, ""},
		{"bad format", "run --format xml " + tinyRun, `--format: unknown format "xml" (valid: table, json)`, ""},
		{"unknown flag", "run --frob 1", "flag provided but not defined: -frob", ""},
		{"stray argument", "run extra " + tinyRun, `unexpected argument "extra"`, ""},
		{"list bad format", "list --format yaml", `unknown format "yaml"`, ""},
		{"version argument", "version now", `unexpected argument "now"`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(strings.Fields(c.args)...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, c.want) || !strings.Contains(stderr, c.also) {
				t.Errorf("stderr does not contain %q:\n%s", c.want, stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", stderr)
			}
		})
	}
}

// wallKeys matches the wall-clock fields of a result's JSON, which alone may differ
// between identical runs.
var wallKeys = regexp.MustCompile(`"(wall_seconds|events_per_second|placements_per_second)": [^,\n]*`)

func TestRunJSONDeterministic(t *testing.T) {
	args := strings.Fields("run --format json --seed 7 --sample-every 10s " + tinyRun)
	code, a, stderr := runCLI(args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, b, _ := runCLI(args...)
	if wallKeys.ReplaceAllString(a, "") != wallKeys.ReplaceAllString(b, "") {
		t.Fatalf("same seed, different JSON:\n%s\n---\n%s", a, b)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(a), &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, a)
	}
	for _, k := range []string{"scheduler", "placer", "workload", "seed", "sim_seconds", "wall_seconds", "events",
		"events_per_second", "placements", "placements_per_second", "jobs_submitted", "jobs_completed",
		"jobs_abandoned", "tasks_submitted", "tasks_completed", "tasks_failed", "tasks_pending", "tasks_running",
		"utilization", "held_idle", "job_wait_seconds", "gang_wait_seconds", "deadlock", "conflicts", "busyness",
		"fragmentation"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks stable key %q", k)
		}
	}
	if m["scheduler"] != "monolithic" || m["workload"] != "cli-tiny" || m["seed"] != 7.0 || m["jobs_submitted"] != 30.0 {
		t.Errorf("unexpected values: %v %v %v %v", m["scheduler"], m["workload"], m["seed"], m["jobs_submitted"])
	}
	_, c, _ := runCLI(strings.Fields("run --format json --seed 8 " + tinyRun)...)
	if wallKeys.ReplaceAllString(a, "") == wallKeys.ReplaceAllString(c, "") {
		t.Error("seeds 7 and 8 gave identical JSON")
	}
}

func TestRunTableAndOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.txt")
	code, stdout, stderr := runCLI(append([]string{"run", "--out", out}, strings.Fields(tinyRun)...)...)
	if code != exitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scheduler", "monolithic", "utilization", "job wait (s)", "stop reason"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("table lacks %q:\n%s", want, b)
		}
	}
}

func TestListJSON(t *testing.T) {
	code, stdout, stderr := runCLI("list", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var l listing
	if err := json.Unmarshal([]byte(stdout), &l); err != nil {
		t.Fatal(err)
	}
	has := func(es []listEntry, name string) bool {
		for _, e := range es {
			if e.Name == name {
				return true
			}
		}
		return false
	}
	if !has(l.Schedulers, "monolithic") || !has(l.Placers, "bestfit") || !has(l.Workloads, "cli-tiny") || len(l.ClusterKeys) == 0 {
		t.Fatalf("listing incomplete: %s", stdout)
	}
	code, stdout, _ = runCLI("list")
	if code != exitOK || !strings.Contains(stdout, "SCHEDULERS") || !strings.Contains(stdout, "max_backoff") {
		t.Fatalf("text listing: %d\n%s", code, stdout)
	}
}

func TestDefaultComparison(t *testing.T) {
	code, stdout, stderr := runCLI()
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"scheduler", "placer", "util cpu", "useful gpu", "wait p99 s", "makespan s", "monolithic", "bestfit", "firstfit", "Best: ", "Window arrivals"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("default table lacks %q:\n%s", want, stdout)
		}
	}
	// The rows differ for real reasons: measured over the arrivals window, no two
	// scheduler × placer rows share their GPU utilization, and useful utilization
	// is below utilization exactly where something was held.
	// (The test binary's default is cli-tiny; this is the built-in default.)
	code, stdout, stderr = runCLI("--format", "json", "--workload", "alibaba-gpu:nodes=100,jobs=3000,load=1.2")
	if code != exitOK {
		t.Fatalf("json: exit %d: %s", code, stderr)
	}
	var doc struct {
		Runs []struct{ Result *scheduler.Result }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[float64]int{}
	for i, r := range doc.Runs {
		res := r.Result
		if res == nil || res.Window.Mode != "arrivals" || res.Window.Empty || res.Window.EndSeconds >= res.Makespan {
			t.Fatalf("run %d: window %+v (makespan %v), want the arrivals window, ending before the drain", i, res.Window, res.Makespan)
		}
		seen[res.Utilization.GPU]++
		if held := res.HeldIdle.GPU > 0; held != (res.UsefulUtilization.GPU < res.Utilization.GPU) {
			t.Errorf("run %d (%s/%s): useful %v, util %v, held %v", i, res.Scheduler, res.Placer, res.UsefulUtilization.GPU, res.Utilization.GPU, res.HeldIdle.GPU)
		}
	}
	if len(seen) < len(doc.Runs)*3/4 {
		t.Errorf("only %d distinct GPU utilizations over %d rows: %v", len(seen), len(doc.Runs), seen)
	}
}

func TestVersionAndHelp(t *testing.T) {
	code, stdout, _ := runCLI("version")
	if code != exitOK || !strings.HasPrefix(stdout, "schedlab v") {
		t.Fatalf("version: %d %q", code, stdout)
	}
	code, stdout, _ = runCLI("help")
	if code != exitOK || !strings.Contains(stdout, "schedlab bench") {
		t.Fatalf("help: %d %q", code, stdout)
	}
}

func TestTraceDispatch(t *testing.T) {
	saved := traceCommand
	defer func() { traceCommand = saved }()
	var got []string
	traceCommand = func(args []string, stdout, stderr io.Writer) int { got = args; return 7 }
	if code, _, _ := runCLI("trace", "stats", "x"); code != 7 || strings.Join(got, " ") != "stats x" {
		t.Fatalf("trace dispatch: %d %v", code, got)
	}
}

func TestPanicBecomesExit1(t *testing.T) {
	saved := traceCommand
	defer func() { traceCommand = saved }()
	traceCommand = func(args []string, stdout, stderr io.Writer) int { panic("kaboom") }
	code, _, stderr := runCLI("trace")
	if code != exitFail || !strings.Contains(stderr, "internal error: kaboom") || strings.Contains(stderr, "goroutine") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// `schedlab list` documents the distribution syntax: every kind, the clamp, and
// examples that are themselves valid workload specs; a duration default carries
// its unit once.
func TestListDistributions(t *testing.T) {
	code, stdout, _ := runCLI("list")
	if code != exitOK {
		t.Fatal(code)
	}
	i := strings.Index(stdout, "DISTRIBUTIONS")
	if i < 0 {
		t.Fatalf("no DISTRIBUTIONS section:\n%s", stdout)
	}
	sec := stdout[i:]
	for _, kind := range []string{"const(V)", "exp(MEAN)", "lognormal(MU;SIGMA)", "median(M;SIGMA)", "pareto(XM;ALPHA)", "uniform(LO;HI)", "empirical(P:Q;...)", "[LO;HI]"} {
		if !strings.Contains(sec, kind) {
			t.Errorf("DISTRIBUTIONS lacks %q", kind)
		}
	}
	examples := 0
	for _, line := range strings.Split(sec, "\n") {
		f := strings.Fields(line)
		for k := 0; k+1 < len(f); k++ {
			if f[k] == "--workload" {
				examples++
				if _, _, err := registry.OpenWorkload(f[k+1], 1); err != nil {
					t.Errorf("example %q: %v", f[k+1], err)
				}
			}
		}
	}
	if examples < 2 {
		t.Errorf("%d examples in DISTRIBUTIONS", examples)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "(duration") && regexp.MustCompile(`default \S*[a-z] s \(`).MatchString(line) {
			t.Errorf("unit printed twice: %s", line)
		}
	}
	if _, help, _ := runCLI("help"); !strings.Contains(help, "empirical(P:Q;...)") || !strings.Contains(help, "--window") {
		t.Errorf("help does not mention the distribution syntax or --window:\n%s", help)
	}
}
