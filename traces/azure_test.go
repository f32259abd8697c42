package traces

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// azureWant is the expected job of one fixture line.
type azureWant struct {
	submit  int64 // s
	class   scheduler.Class
	cpu     int64 // milli-cores
	mem     int64 // MiB
	runtime int64 // s; -1 = Forever
	flags   uint8
}

const (
	azC  = flagCensored
	azL  = flagLeftCensored
	azLC = flagCensored | flagLeftCensored
)

// azureFixtureWant lists, per fixture line, the job it must become with the
// default options.
var azureFixtureWant = map[string][]azureWant{
	"azure2017": {
		{0, scheduler.Batch, 1000, 1792, 2592000, azLC},     // created 0, deleted 2591700
		{0, scheduler.Service, 1000, 768, 1539300, azL},     // created 0
		{2188800, scheduler.Batch, 1000, 1792, 403200, azC}, // deleted 2591700: runs to 30 days
		{0, scheduler.Batch, 8000, 57344, 2592000, azLC},    // 8 cores, 56 GB
		{2290500, scheduler.Batch, 1000, 1792, 1800, 0},     // "Unkown"
		{2281200, scheduler.Batch, 2000, 3584, 18900, 0},    // 3.5 GB
		{1209600, scheduler.Service, 4000, 7168, 300, 0},    // deleted = created: floored at 300 s
		{345600, scheduler.Batch, 16000, 114688, 86400, 0},  // 112 GB
		{600, scheduler.Service, 2000, 14336, 300, 0},       // 300 s exactly
	},
	"azure2019": {
		{0, scheduler.Service, 2000, 4096, 2592000, azLC},
		{558300, scheduler.Batch, 8000, 32768, 1115400, 0},
		{424500, scheduler.Batch, 4000, 32768, 900, 0},   // Unknown → batch
		{1133100, scheduler.Batch, 4000, 32768, 300, 0},  // floored
		{0, scheduler.Service, 2000, 4096, 2591400, azL}, // deleted 2591400: not censored
		{228300, scheduler.Batch, 30000, 71680, 1500, 0}, // >24, >64
		{2188800, scheduler.Service, 12000, 65536, 403200, azC},
		{86400, scheduler.Batch, 24000, 65536, 86400, 0},
		{3600, scheduler.Service, 4000, 8192, 3600, 0},
		{1800, scheduler.Batch, 2000, 2048, 300, 0},
	},
}

// azureLines returns the fixture's rows, split into fields.
func azureLines(t testing.TB, format string) [][]string {
	name := format + "/vmtable.csv"
	if format == "azure2019" {
		name += ".gz"
	}
	var out [][]string
	for _, l := range strings.Split(strings.TrimSpace(string(fixture(t, name))), "\n") {
		out = append(out, strings.Split(l, ","))
	}
	return out
}

// azureJobs drains a replay into jobs with their task flags.
func azureJobs(t *testing.T, r *Replay) ([]*scheduler.Job, []uint8) {
	t.Helper()
	var js []*scheduler.Job
	var fl []uint8
	for {
		j, err := r.Next()
		if err == io.EOF {
			return js, fl
		}
		if err != nil {
			t.Fatal(err)
		}
		js = append(js, j)
		fl = append(fl, r.lastFlags()[0])
	}
}

// TestAzureFixtureJobs checks every job of both fixtures exactly: ID (rank of the
// VM id), name, tenant, submit, class, request, runtime and flags, and that the
// replay has no machine events.
func TestAzureFixtureJobs(t *testing.T) {
	for format, want := range azureFixtureWant {
		t.Run(format, func(t *testing.T) {
			lines := azureLines(t, format)
			if len(lines) != len(want) {
				t.Fatalf("%d fixture lines, %d expectations", len(lines), len(want))
			}
			var ids []string
			for _, l := range lines {
				ids = append(ids, l[0])
			}
			slices.Sort(ids)
			r, err := Open(format, []string{filepath.Join("testdata", format)}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if ev, err := r.NextNodeEvent(); err != io.EOF {
				t.Errorf("node event %+v, %v; want none", ev, err)
			}
			js, fl := azureJobs(t, r)
			byName := map[string]int{}
			for i, j := range js {
				byName[j.Name] = i
			}
			if len(js) != len(want) {
				t.Fatalf("%d jobs, want %d", len(js), len(want))
			}
			for i, w := range want {
				l := lines[i]
				k, ok := byName[l[0]]
				if !ok {
					t.Errorf("line %d: no job for VM %s", i+1, l[0])
					continue
				}
				j, f := js[k], fl[k]
				rt := w.runtime * int64(scheduler.Second)
				if w.runtime < 0 {
					rt = int64(scheduler.Forever)
				}
				wantID := scheduler.JobID(slices.Index(ids, l[0]) + 1)
				if j.ID != wantID || j.Tenant != l[1] || j.Submit != scheduler.Time(w.submit)*scheduler.Second || j.Class != w.class ||
					len(j.Tasks) != 1 || j.MinMember != 0 || j.Tasks[0].Request != scheduler.Res(w.cpu, w.mem, 0) ||
					int64(j.Tasks[0].Runtime) != rt || f != w.flags {
					var got azureWant
					if len(j.Tasks) == 1 {
						got = azureWant{int64(j.Submit / scheduler.Second), j.Class, j.Tasks[0].Request[scheduler.CPU], j.Tasks[0].Request[scheduler.Memory],
							int64(j.Tasks[0].Runtime / scheduler.Second), f}
					}
					t.Errorf("line %d: job %d tenant %.8s… = %+v, want job %d tenant %.8s… %+v", i+1, j.ID, j.Tenant, got, wantID, l[1], w)
				}
			}
			for i := 1; i < len(js); i++ {
				if js[i].Submit < js[i-1].Submit || js[i].Submit == js[i-1].Submit && js[i].ID < js[i-1].ID {
					t.Errorf("jobs out of order at %d", i)
				}
			}
		})
	}
}

// TestAzureStats checks the stats counters of both fixtures.
func TestAzureStats(t *testing.T) {
	cases := []struct {
		format             string
		rows, censored     int64
		left, floored      int64
		openCores, openMem int64
		cpu, mem           int64
		events             map[string]int64
		ignored            []string
	}{
		{"azure2017", 9, 3, 3, 1, 0, 0, 36000, 203264,
			map[string]int64{"vmcategory/Delay-insensitive": 4, "vmcategory/Interactive": 3, "vmcategory/Unkown": 2, "vmcorecount/1": 4, "vmmemory/1.75": 3, "vmmemory/112": 1},
			[]string{filepath.Join("testdata", "azure2017", "deployment.csv")}},
		{"azure2019", 10, 2, 2, 1, 1, 1, 92000, 319488,
			map[string]int64{"vmcategory/Delay-insensitive": 3, "vmcategory/Interactive": 4, "vmcategory/Unknown": 3, "vmcorecountbucket/>24": 1, "vmmemorybucket/>64": 1, "vmmemorybucket/32": 3},
			nil},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			st, err := Stats(c.format, []string{filepath.Join("testdata", c.format)}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			ct := st.Counters
			if st.Machines != 0 || st.Jobs != c.rows || st.Tasks != c.rows || st.Rows["vmtable"] != c.rows || st.Files != 1 ||
				ct["jobs_replayed"] != c.rows || ct["tasks_replayed"] != c.rows || ct["tasks_censored"] != c.censored ||
				ct["tasks_left_censored"] != c.left || ct["runtime_floored_300s"] != c.floored ||
				ct["open_core_bucket_rows"] != c.openCores || ct["open_memory_bucket_rows"] != c.openMem ||
				st.Requested["cpu"] != c.cpu || st.Requested["mem"] != c.mem || st.FirstSeconds != 0 || st.LastSeconds != 2591700 {
				t.Errorf("stats = machines %d jobs %d tasks %d rows %v files %d first %v last %v requested %v counters %v",
					st.Machines, st.Jobs, st.Tasks, st.Rows, st.Files, st.FirstSeconds, st.LastSeconds, st.Requested, ct)
			}
			for k, v := range c.events {
				if st.Events[k] != v {
					t.Errorf("events[%s] = %d, want %d", k, st.Events[k], v)
				}
			}
			if !slices.Equal(st.Ignored, c.ignored) {
				t.Errorf("ignored = %v, want %v", st.Ignored, c.ignored)
			}
		})
	}
}

// azureOpen opens in-memory vmtable content (written to a temporary file).
func azureOpen(t *testing.T, format, content string, opt Options) (*Replay, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vmtable.csv"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return Open(format, []string{dir}, opt)
}

func azureFixtureText(t testing.TB, format string) string {
	var sb strings.Builder
	for _, l := range azureLines(t, format) {
		sb.WriteString(strings.Join(l, ",") + "\n")
	}
	return sb.String()
}

// TestAzureOptions checks the mapping options that apply: censored, pretrace,
// trace_end and origin.
func TestAzureOptions(t *testing.T) {
	lines := azureLines(t, "azure2019")
	content := azureFixtureText(t, "azure2019")
	type got struct {
		submit, runtime int64
	}
	run := func(t *testing.T, opts string) (map[string]got, *TraceStats) {
		t.Helper()
		opt, err := ParseOptions(opts)
		if err != nil {
			t.Fatal(err)
		}
		r, err := azureOpen(t, "azure2019", content, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		js, _ := azureJobs(t, r)
		m := map[string]got{}
		for _, j := range js {
			rt := int64(-1)
			if j.Tasks[0].Runtime != scheduler.Forever {
				rt = int64(j.Tasks[0].Runtime / scheduler.Second)
			}
			m[j.Name] = got{int64(j.Submit / scheduler.Second), rt}
		}
		return m, r.Stats()
	}
	vm := func(line int) string { return lines[line-1][0] }
	t.Run("censored=drop", func(t *testing.T) {
		m, st := run(t, "censored=drop")
		if _, ok := m[vm(1)]; ok || len(m) != 8 || st.Counters["jobs_dropped"] != 2 {
			t.Errorf("jobs %d, dropped %d; want 8, 2 (lines 1 and 7)", len(m), st.Counters["jobs_dropped"])
		}
		if _, ok := m[vm(7)]; ok {
			t.Error("censored line 7 kept")
		}
	})
	t.Run("censored=unbounded", func(t *testing.T) {
		m, _ := run(t, "censored=unbounded")
		if m[vm(1)].runtime != -1 || m[vm(7)].runtime != -1 || m[vm(5)].runtime != 2591400 {
			t.Errorf("runtimes %v %v %v, want Forever, Forever, 2591400", m[vm(1)], m[vm(7)], m[vm(5)])
		}
	})
	t.Run("pretrace=drop", func(t *testing.T) {
		m, st := run(t, "pretrace=drop")
		_, ok1 := m[vm(1)]
		_, ok5 := m[vm(5)]
		if ok1 || ok5 || len(m) != 8 || st.Counters["tasks_left_censored"] != 0 {
			t.Errorf("jobs %d (line 1 kept %v, line 5 kept %v), counters %v", len(m), ok1, ok5, st.Counters)
		}
	})
	t.Run("trace_end=31d", func(t *testing.T) {
		m, _ := run(t, "trace_end=31d")
		if m[vm(7)].runtime != 31*86400-2188800 || m[vm(1)].runtime != 31*86400 || m[vm(2)].runtime != 1115400 {
			t.Errorf("runtimes %v %v %v", m[vm(7)], m[vm(1)], m[vm(2)])
		}
	})
	t.Run("origin=86400", func(t *testing.T) {
		m, st := run(t, "origin=86400")
		if _, ok := m[vm(9)]; ok || st.Counters["vms_before_origin"] != 2 {
			// lines 9 (3600..7200) and 10 (1800..2100) end before the origin
			t.Errorf("vms_before_origin = %d, line 9 kept %v", st.Counters["vms_before_origin"], ok)
		}
		if m[vm(8)] != (got{0, 86400}) || m[vm(2)] != (got{558300 - 86400, 1115400}) ||
			m[vm(1)] != (got{0, 2592000 - 86400}) || m[vm(7)] != (got{2188800 - 86400, 403200}) {
			t.Errorf("lines 8, 2, 1, 7 = %v %v %v %v", m[vm(8)], m[vm(2)], m[vm(1)], m[vm(7)])
		}
		if st.Counters["tasks_left_censored"] != 2 { // lines 1 and 5; 9 and 10 are dropped
			t.Errorf("left-censored %d, want 2", st.Counters["tasks_left_censored"])
		}
	})
}

// azureBase is a valid vmtable row of each format.
var azureBase = map[string][]string{
	"azure2017": {"x/XsOfHO4ocsV99i4NluqKDuxctW2MMVmwqOPAlg4wp8mqbBOe3wxBlQo0+Qx+uf", "VDU4C8cqdr+ORcqquwMRcsBA2l0SC6lCPys0wdghKROuxPYysA2XYii9Y5ZkaYaq",
		"Pc2VLB8aDxK2DCC96itq4vW/zVDp4wioAUiB3HoGSFYQ0o6/ZCegTpb9vEH4LeMTEWVObHTPRYEY81TYivZCMQ==", "300", "3900", "99.369869", "3.4240942342446719", "10.194309", "Delay-insensitive", "1", "1.75"},
	"azure2019": {"71fJw0x+SDRdAxKPwLyHZhTgQpYw2afS6tjJhfT6kHnmLHRUi4mGbAS2cAw8cKt3", "GB6uQC1NSArW5n+TtOybL7GQ1yByjuWtZnsj+5QccZ525RpDeZ4E3cuJDcvb3YaA",
		"2sh/ZjaYdfpslv4iYBfNzFe4rs982kHVvNGJGeQ8MIBCDrBDEwaRjyn2WnuiM7jJ0WDwkNcYoP+vdQ5ZVW+MPQ==", "558300", "1673700", "91.776885", "0.728879", "20.75963", "Delay-insensitive", "8", "32"},
}

// TestAzureBadInput checks that each kind of malformed field is an *InputError
// naming file:line:column (field) and wrapping ErrBadInput, and that skip_bad
// skips the row and counts it by reason.
func TestAzureBadInput(t *testing.T) {
	cases := []struct {
		format string
		col    int    // 0-based column to replace; -1 = drop the last field
		value  string // replacement
		want   string // after "vmtable.csv:2: "
		reason string
	}{
		{"azure2019", -1, "", "10 fields, want 11 (vmtable)", "field_count"},
		{"azure2019", azure2019Cols.MaxCPU.index, `"91.7`, "unterminated quote", "bad_quote"},
		{"azure2019", azure2019Cols.VMID.index, "", "column 1 (vmid): required value is empty", "missing_field"},
		{"azure2019", azure2019Cols.VMCreated.index, "12x", `column 4 (vmcreated): value "12x" is not an integer`, "bad_number"},
		{"azure2019", azure2019Cols.VMCreated.index, "99999999999999999999", "column 4 (vmcreated): value \"99999999999999999999\" overflows the time range", "overflow"},
		{"azure2019", azure2019Cols.VMCreated.index, "1e15", "column 4 (vmcreated): value \"1e15\" overflows the time range", "overflow"},
		{"azure2019", azure2019Cols.VMDeleted.index, "", "column 5 (vmdeleted): required value is empty", "missing_field"},
		{"azure2019", azure2019Cols.VMDeleted.index, "558000", "column 5 (vmdeleted): vmdeleted 558000 is before vmcreated 558300", "invalid"},
		{"azure2019", azure2019Cols.AvgCPU.index, "n/a", `column 7 (avgcpu): value "n/a" is not a number`, "bad_number"},
		{"azure2019", azure2019Cols.VMCategory.index, "Batch", `column 9 (vmcategory): unknown VM category "Batch"`, "unknown_code"},
		{"azure2019", azure2019Cols.Cores.index, "eight", `column 10 (vmcorecountbucket): value "eight" is not a core count`, "bad_number"},
		{"azure2019", azure2019Cols.Cores.index, ">32", `column 10 (vmcorecountbucket): unknown open-ended bucket ">32" (want a number or >24)`, "unknown_code"},
		{"azure2019", azure2019Cols.Memory.index, "0", `column 11 (vmmemorybucket): value "0" is not a positive memory size in GB`, "invalid"},
		{"azure2019", azure2019Cols.Memory.index, "", "column 11 (vmmemorybucket): required value is empty", "missing_field"},
		{"azure2017", azure2019Cols.Cores.index, "1.5x", `column 10 (vmcorecount): value "1.5x" is not a core count`, "bad_number"},
		{"azure2017", azure2019Cols.Memory.index, "-1.75", `column 11 (vmmemory): value "-1.75" is not a positive memory size in GB`, "invalid"},
		{"azure2017", azure2019Cols.VMCategory.index, "unknown", `column 9 (vmcategory): unknown VM category "unknown"`, "unknown_code"},
	}
	for _, c := range cases {
		t.Run(c.format+"/"+c.reason+"/"+c.value, func(t *testing.T) {
			good := azureBase[c.format]
			bad := slices.Clone(good)
			bad[0] = "bad" + bad[0][3:]
			if c.col < 0 {
				bad = bad[:len(bad)-1]
			} else {
				bad[c.col] = c.value
			}
			content := strings.Join(good, ",") + "\n" + strings.Join(bad, ",") + "\n"
			_, err := azureOpen(t, c.format, content, DefaultOptions())
			wantCol := c.col + 1
			if c.reason == "field_count" || c.reason == "bad_quote" {
				wantCol = 0 // the whole row
			}
			var ie *InputError
			if err == nil || !errors.Is(err, ErrBadInput) || !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *InputError wrapping ErrBadInput", err)
			}
			if !strings.HasSuffix(ie.File, "vmtable.csv") || ie.Line != 2 || ie.Column != wantCol || ie.Reason != c.reason ||
				!strings.Contains(err.Error(), "vmtable.csv:2: "+c.want) {
				t.Errorf("err = %v (line %d column %d reason %s), want vmtable.csv:2: %s (%s)", err, ie.Line, ie.Column, ie.Reason, c.want, c.reason)
			}
			opt := DefaultOptions()
			opt.SkipBad = true
			r, err := azureOpen(t, c.format, content, opt)
			if err != nil {
				t.Fatalf("skip_bad: %v", err)
			}
			defer r.Close()
			js, _ := azureJobs(t, r)
			if len(js) != 1 || js[0].Name != good[0] || r.Skipped()[c.reason] != 1 || r.Stats().Rows["vmtable"] != 2 {
				t.Errorf("skip_bad: %d jobs, skipped %v, rows %v", len(js), r.Skipped(), r.Stats().Rows)
			}
		})
	}
}

// TestAzureQuirks covers a header line, duplicate VM rows, blank lines, CRLF
// endings, decimal times and the "Unkown" spelling.
func TestAzureQuirks(t *testing.T) {
	b := azureBase["azure2019"]
	header := "vmid,subscriptionid,deploymentid,vmcreated,vmdeleted,maxcpu,avgcpu,p95maxcpu,vmcategory,vmcorecountbucket,vmmemorybucket"
	row := strings.Join(b, ",")
	other := slices.Clone(b)
	other[0], other[azure2019Cols.VMCreated.index], other[azure2019Cols.VMDeleted.index], other[azure2019Cols.VMCategory.index] = "other"+b[0][5:], "600.0", "1200", "Unkown"
	content := header + "\r\n" + row + "\r\n\r\n" + row + "\n" + strings.Join(other, ",")
	r, err := azureOpen(t, "azure2019", content, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	js, _ := azureJobs(t, r)
	st := r.Stats()
	if len(js) != 2 || st.Counters["duplicate_vm_rows"] != 1 || st.Rows["vmtable"] != 3 || st.Jobs != 2 {
		t.Fatalf("%d jobs, rows %v, counters %v", len(js), st.Rows, st.Counters)
	}
	if js[0].Name != other[0] || js[0].Submit != 600*scheduler.Second || js[0].Tasks[0].Runtime != 600*scheduler.Second || js[0].Class != scheduler.Batch {
		t.Errorf("first job = %+v", js[0])
	}
}

// TestAzureDeterminism checks that the replay does not depend on the run or on
// the order of the rows.
func TestAzureDeterminism(t *testing.T) {
	for _, format := range []string{"azure2017", "azure2019"} {
		dir := filepath.Join("testdata", format)
		var dumps []string
		for i := 0; i < 2; i++ {
			r, err := Open(format, []string{dir}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			dumps = append(dumps, dumpReplay(t, r))
			r.Close()
		}
		lines := strings.Split(strings.TrimSpace(azureFixtureText(t, format)), "\n")
		slices.Reverse(lines)
		r, err := azureOpen(t, format, strings.Join(lines, "\n")+"\n", DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		dumps = append(dumps, dumpReplay(t, r))
		r.Close()
		if dumps[0] != dumps[1] || dumps[0] != dumps[2] || dumps[0] == "" {
			t.Errorf("%s: replays differ:\n%s\n---\n%s\n---\n%s", format, dumps[0], dumps[1], dumps[2])
		}
	}
}

// azureReplayed is the number of jobs each Azure fixture replays.
func azureReplayed(format string) int {
	if format == "azure2020" {
		return len(az20FixtureWant)
	}
	return len(azureFixtureWant[format])
}

// TestAzureConvertRoundTrip converts each fixture to the canonical format and
// checks that its replay and stats match.
func TestAzureConvertRoundTrip(t *testing.T) {
	for _, format := range []string{"azure2017", "azure2019", "azure2020"} {
		dir := filepath.Join("testdata", format)
		var buf bytes.Buffer
		if _, err := Convert(format, []string{dir}, DefaultOptions(), &buf); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "t.schedlab.gz")
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		r1, err := Open(format, []string{dir}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		r2, err := Open(CanonicalFormat, []string{out}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if a, b := dumpReplay(t, r1), dumpReplay(t, r2); a != b {
			t.Errorf("%s: canonical replay differs:\n%s\n---\n%s", format, a, b)
		}
		r1.Close()
		r2.Close()
		st, err := Stats(CanonicalFormat, []string{out}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if st.Counters["tasks_replayed"] != int64(azureReplayed(format)) || st.Machines != 0 {
			t.Errorf("%s: canonical stats %v, machines %d", format, st.Counters, st.Machines)
		}
	}
}

// TestAzureReplayOnCluster runs each fixture in the simulator on a cluster given
// by the caller (the trace has no machines): every VM is placed and finishes,
// the censored ones included.
func TestAzureReplayOnCluster(t *testing.T) {
	for _, format := range []string{"azure2017", "azure2019", "azure2020"} {
		r, err := Open(format, []string{filepath.Join("testdata", format)}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		mc := scheduler.DefaultMonolithicConfig()
		mc.Placer = scheduler.ScanFirstFit{}
		sched, err := scheduler.NewMonolithic(mc)
		if err != nil {
			t.Fatal(err)
		}
		cfg := scheduler.DefaultConfig()
		cfg.Horizon = 0
		for i := 0; i < 4; i++ {
			cfg.Nodes = append(cfg.Nodes, scheduler.Node{ID: scheduler.NodeID(i), Name: "n" + string(rune('0'+i)), Capacity: scheduler.Res(64000, 512*1024, 0)})
		}
		res, err := scheduler.Run(cfg, r, sched)
		if err != nil {
			t.Fatal(err)
		}
		n := azureReplayed(format)
		if res.TasksSubmitted != n || res.TasksCompleted != n {
			t.Errorf("%s: submitted %d, completed %d, want %d", format, res.TasksSubmitted, res.TasksCompleted, n)
		}
		r.Close()
	}
}

// TestAzureSample keeps a time range of the 2019 fixture with Sample.
func TestAzureSample(t *testing.T) {
	out := t.TempDir()
	res, err := Sample("azure2019", []string{filepath.Join("testdata", "azure2019")}, DefaultOptions(),
		SampleSpec{From: 0, To: 500000, Machines: 1, Jobs: 1}, out)
	if err != nil {
		t.Fatal(err)
	}
	// vmcreated in [0, 500000): lines 1, 3, 5, 6, 8, 9, 10
	if res.Read != 10 || res.Kept != 7 {
		t.Errorf("sample read %d kept %d, want 10, 7", res.Read, res.Kept)
	}
	st, err := Stats("azure2019", []string{out}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if st.Jobs != 7 {
		t.Errorf("sampled trace has %d jobs", st.Jobs)
	}
}

// FuzzAzure feeds arbitrary vmtable content to both formats.
func FuzzAzure(f *testing.F) {
	f.Add(fixture(f, "azure2017/vmtable.csv"))
	f.Add(fixture(f, "azure2019/vmtable.csv.gz"))
	f.Add([]byte("a,s,d,0,2591700,1,1,1,Unkown,>24,>64\na,s,d,-5,-1,,,,Interactive,1e9,0.001\n"))
	f.Add([]byte("vmid,x\n\"a\",s,d,9223372036854775807,9223372036854775807,1,1,1,Interactive,2,2\nb,,,0,0,x,,,Unknown,>,>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []string{"azure2017", "azure2019"} {
			fuzzFormat(t, format, map[string][]byte{"vmtable.csv": data})
		}
	})
}
