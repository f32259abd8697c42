package traces

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// az20Want is the expected job of one fixture VM (times in s).
type az20Want struct {
	submit   int64
	class    scheduler.Class
	priority int32
	tenant   string
	cpu, mem int64
	runtime  int64 // -1 = Forever
	flags    uint8
}

const az20Day = 86400

// az20FixtureWant is, per VM of testdata/azure2020, the job it becomes with the
// default options: machine type 4 (four VM types run on it, three on 5, one on
// 9), norm_cpu 64000, norm_mem 262144. VM 3 (type 3: machine type 5 only) and
// VM 5 (type 7: no vmType row) are dropped.
var az20FixtureWant = map[string]az20Want{
	"0": {0, scheduler.Service, 1, "11", 8000, 12032, az20Day / 4, azL},                   // start −0.5 d: pre-trace
	"1": {az20Day / 8, scheduler.Batch, 0, "11", 16000, 24065, 3 * az20Day / 8, 0},        // 0.125 → 0.5 d; 0.0918 × 262144 = 24064.8
	"2": {8640, scheduler.Service, 1, "12", 32000, 48130, 14*az20Day - 8640, azC},         // NULL end: censored at 14 d
	"4": {3 * az20Day / 2, scheduler.Batch, 0, "13", 4000, 6029, 88*az20Day + 43200, azC}, // end 90.0 (the cap): censored at 90 d
	"6": {11 * az20Day / 4, scheduler.Batch, 0, "11", 8000, 12032, 71 * az20Day / 4, 0},   // ends at 20.5 d, after collection
	"7": {3 * az20Day, scheduler.Service, 1, "14", 16000, 24065, 0, 0},                    // end = start
	"8": {0, scheduler.Batch, 0, "11", 32000, 48130, 14 * az20Day, azLC},                  // pre-trace and NULL end
	"9": {11 * az20Day / 2, scheduler.Service, 1, "12", 4000, 6029, 3 * az20Day / 4, 0},
}

func az20Dir() string { return filepath.Join("testdata", "azure2020") }

// az20Run opens a trace and returns its jobs by name, with their flags.
func az20Run(t *testing.T, paths []string, opts string) (map[string]az20Want, map[string]scheduler.JobID, *TraceStats) {
	t.Helper()
	opt, err := ParseOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open("azure2020", paths, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	js, fl := azureJobs(t, r)
	got := map[string]az20Want{}
	ids := map[string]scheduler.JobID{}
	for i, j := range js {
		if len(j.Tasks) != 1 || j.MinMember != 0 || j.Tasks[0].Request[scheduler.GPU] != 0 {
			t.Fatalf("job %s: %d tasks, min member %d, request %v", j.Name, len(j.Tasks), j.MinMember, j.Tasks[0].Request)
		}
		rt := int64(-1)
		if j.Tasks[0].Runtime != scheduler.Forever {
			if j.Tasks[0].Runtime%scheduler.Second != 0 {
				t.Errorf("job %s: runtime %v is not whole seconds", j.Name, j.Tasks[0].Runtime)
			}
			rt = int64(j.Tasks[0].Runtime / scheduler.Second)
		}
		got[j.Name] = az20Want{int64(j.Submit / scheduler.Second), j.Class, j.Priority, j.Tenant,
			j.Tasks[0].Request[scheduler.CPU], j.Tasks[0].Request[scheduler.Memory], rt, fl[i]}
		ids[j.Name] = j.ID
	}
	return got, ids, r.Stats()
}

// TestAzure2020FixtureJobs checks every job of the fixture exactly, that IDs are
// the rank of the VM id among all VMs (dropped ones included), that jobs come in
// submit order and that the replay has no machines.
func TestAzure2020FixtureJobs(t *testing.T) {
	r, err := Open("azure2020", []string{az20Dir()}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := r.NextNodeEvent(); err == nil {
		t.Errorf("node event %+v; want none", ev)
	}
	js, _ := azureJobs(t, r)
	r.Close()
	for i := 1; i < len(js); i++ {
		if js[i].Submit < js[i-1].Submit || js[i].Submit == js[i-1].Submit && js[i].ID < js[i-1].ID {
			t.Errorf("jobs out of order at %d", i)
		}
	}
	got, ids, _ := az20Run(t, []string{az20Dir()}, "")
	if len(got) != len(az20FixtureWant) {
		t.Errorf("%d jobs, want %d", len(got), len(az20FixtureWant))
	}
	for name, w := range az20FixtureWant {
		if g, ok := got[name]; !ok || g != w {
			t.Errorf("VM %s = %+v, want %+v", name, g, w)
		}
		if want := scheduler.JobID(name[0]-'0') + 1; ids[name] != want {
			t.Errorf("VM %s: job ID %d, want %d", name, ids[name], want)
		}
	}
}

// TestAzure2020Stats checks the counters of the fixture.
func TestAzure2020Stats(t *testing.T) {
	st, err := Stats("azure2020", []string{az20Dir()}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	wantC := map[string]int64{"jobs_replayed": 8, "tasks_replayed": 8, "jobs_dropped": 2, "orphan_vm_type": 1,
		"vms_not_on_machine_type": 1, "end_null": 2, "end_at_90d_cap": 1, "tasks_censored": 3, "tasks_left_censored": 2,
		"machine_type_used/4": 1, "negative_time/vm": 2}
	for k, v := range wantC {
		if st.Counters[k] != v {
			t.Errorf("counters[%s] = %d, want %d", k, st.Counters[k], v)
		}
	}
	wantE := map[string]int64{"priority/0": 5, "priority/1": 5, "vm_types_on_machine_type/4": 4,
		"vm_types_on_machine_type/5": 3, "vm_types_on_machine_type/9": 1}
	for k, v := range wantE {
		if st.Events[k] != v {
			t.Errorf("events[%s] = %d, want %d", k, st.Events[k], v)
		}
	}
	if st.Machines != 0 || st.Jobs != 10 || st.Tasks != 10 || st.Rows["vm"] != 10 || st.Rows["vmType"] != 8 || st.Files != 2 ||
		st.Requested["cpu"] != 120000 || st.Requested["mem"] != 180512 || st.Requested["disk"] != 0 ||
		st.FirstSeconds != 8640 || st.LastSeconds != 90*az20Day {
		t.Errorf("stats = machines %d jobs %d tasks %d rows %v files %d requested %v first %v last %v",
			st.Machines, st.Jobs, st.Tasks, st.Rows, st.Files, st.Requested, st.FirstSeconds, st.LastSeconds)
	}
}

// TestAzure2020MachineType checks an explicit machine type, a machine type
// no row names, and the tie rule of the default.
func TestAzure2020MachineType(t *testing.T) {
	got, _, st := az20Run(t, []string{az20Dir()}, "machine_type=5")
	// On machine type 5: types 0, 1 and 3 (VMs 0, 1, 3, 6, 7); types 2 and 4
	// (VMs 2, 4, 8, 9) do not run there.
	if len(got) != 5 || st.Counters["vms_not_on_machine_type"] != 4 || st.Counters["machine_type_used/5"] != 1 {
		t.Errorf("machine_type=5: %d jobs, counters %v", len(got), st.Counters)
	}
	if g := got["3"]; g.cpu != 64000 || g.mem != 131072 {
		t.Errorf("VM 3 on machine type 5 requests %d, %d; want a whole machine's CPU, half its memory", g.cpu, g.mem)
	}
	if g := got["0"]; g.cpu != 4000 || g.mem != 6029 {
		t.Errorf("VM 0 on machine type 5 requests %d, %d; want 4000, 6029", g.cpu, g.mem)
	}
	got, _, _ = az20Run(t, []string{az20Dir()}, "machine_type=9")
	if len(got) != 2 || got["4"].cpu != 2000 || got["9"].mem != 3015 {
		t.Errorf("machine_type=9: %v", got)
	}
	opt := DefaultOptions()
	opt.MachineType = "77"
	_, err := Open("azure2020", []string{az20Dir()}, opt)
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), `machine_type="77"`) || !strings.Contains(err.Error(), "4, 5, 9") {
		t.Errorf("machine_type=77: %v", err)
	}
	// Ties: machine types 10 and 9 (and b and a) carry one VM type each; the
	// smallest ID wins, numerically before lexically, numbers before names.
	for _, c := range []struct{ machines, want string }{{"10,9", "9"}, {"b,a", "a"}, {"b,7", "7"}, {"10,9,9", "9"}} {
		ms := strings.Split(c.machines, ",")
		var types strings.Builder
		types.WriteString("vmTypeId,machineId,core,memory\n")
		for k, m := range ms {
			types.WriteString(string(rune('a'+k)) + "," + m + ",0.5,0.5\n")
		}
		if c.machines == "10,9,9" { // machine type 9 now runs two VM types: it wins outright
			types.Reset()
			types.WriteString("vmTypeId,machineId,core,memory\na,10,0.5,0.5\nb,9,0.5,0.5\nc,9,0.5,0.5\n")
		}
		dir := az20Write(t, "vmId,tenantId,vmTypeId,priority,starttime,endtime\nv,t,a,0,0,1\n", types.String())
		st, err := Stats("azure2020", []string{dir}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if st.Counters["machine_type_used/"+c.want] != 1 {
			t.Errorf("machine types %s: counters %v, want machine type %s", c.machines, st.Counters, c.want)
		}
	}
}

// az20Write writes vm and vmType content to a temporary directory; an empty
// string writes no file.
func az20Write(t *testing.T, vm, types string) string {
	t.Helper()
	dir := t.TempDir()
	for name, s := range map[string]string{"vm.csv": vm, "vmType.csv": types} {
		if s == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestAzure2020Options checks the mapping options that apply: censored,
// pretrace, trace_end, origin, norm_cpu, norm_mem, disk and orphans.
func TestAzure2020Options(t *testing.T) {
	dir := []string{az20Dir()}
	t.Run("censored=drop", func(t *testing.T) {
		got, _, st := az20Run(t, dir, "censored=drop")
		_, k2 := got["2"]
		_, k4 := got["4"]
		_, k8 := got["8"]
		if len(got) != 5 || k2 || k4 || k8 || st.Counters["jobs_dropped"] != 5 {
			t.Errorf("%d jobs (2, 4, 8 kept: %v %v %v), counters %v", len(got), k2, k4, k8, st.Counters)
		}
	})
	t.Run("censored=unbounded", func(t *testing.T) {
		got, _, _ := az20Run(t, dir, "censored=unbounded")
		if got["2"].runtime != -1 || got["4"].runtime != -1 || got["8"].runtime != -1 || got["6"].runtime != 71*az20Day/4 {
			t.Errorf("runtimes %v %v %v %v", got["2"], got["4"], got["8"], got["6"])
		}
	})
	t.Run("pretrace=drop", func(t *testing.T) {
		got, _, st := az20Run(t, dir, "pretrace=drop")
		_, k0 := got["0"]
		_, k8 := got["8"]
		if len(got) != 6 || k0 || k8 || st.Counters["tasks_left_censored"] != 0 {
			t.Errorf("%d jobs, counters %v", len(got), st.Counters)
		}
	})
	t.Run("trace_end=30d", func(t *testing.T) {
		// trace_end replaces both the 14-day collection end and the 90-day cap.
		got, _, _ := az20Run(t, dir, "trace_end=30d")
		if got["2"].runtime != 30*az20Day-8640 || got["4"].runtime != 30*az20Day-3*az20Day/2 || got["8"].runtime != 30*az20Day ||
			got["6"].runtime != 71*az20Day/4 {
			t.Errorf("runtimes %v %v %v %v", got["2"], got["4"], got["8"], got["6"])
		}
	})
	t.Run("origin=86400", func(t *testing.T) {
		// origin is in seconds; VMs 0 and 1 end before it.
		got, _, st := az20Run(t, dir, "origin=86400")
		if len(got) != 6 || st.Counters["vms_before_origin"] != 2 {
			t.Errorf("%d jobs, counters %v", len(got), st.Counters)
		}
		if got["2"].submit != 0 || got["2"].runtime != 13*az20Day || got["2"].flags != azLC ||
			got["6"].submit != 7*az20Day/4 || got["6"].runtime != 71*az20Day/4 || got["4"].runtime != 88*az20Day+43200 {
			t.Errorf("VMs 2, 6, 4 = %+v %+v %+v", got["2"], got["6"], got["4"])
		}
	})
	t.Run("norms", func(t *testing.T) {
		got, _, _ := az20Run(t, dir, "norm_cpu=32000,norm_mem=131072")
		if got["1"].cpu != 8000 || got["1"].mem != 12032 { // 0.0918 × 131072 = 12032.4
			t.Errorf("VM 1 = %+v", got["1"])
		}
	})
	t.Run("disk=true", func(t *testing.T) {
		st, err := Stats("azure2020", dir, func() Options { o := DefaultOptions(); o.Disk = true; return o }())
		if err != nil {
			t.Fatal(err)
		}
		// ssd fractions on machine type 4 × 1048576 MiB: VMs 0, 6 (0.0312), 1, 7 (0.0625), 2, 8 (0.125), 4, 9 (0.0156).
		want := 2 * (scaleRound(0.0312, 1048576) + scaleRound(0.0625, 1048576) + scaleRound(0.125, 1048576) + scaleRound(0.0156, 1048576))
		if st.Requested["disk"] != want {
			t.Errorf("disk requested %d, want %d", st.Requested["disk"], want)
		}
	})
	t.Run("orphans=error", func(t *testing.T) {
		opt := DefaultOptions()
		opt.Orphans = "error"
		_, err := Open("azure2020", dir, opt)
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "vm_type") {
			t.Errorf("err = %v, want bad input naming vm_type", err)
		}
	})
}

const (
	az20VMHeader   = "vmId,tenantId,vmTypeId,priority,starttime,endtime"
	az20VMRow      = "100,7,0,1,0.5,0.75"
	az20TypeHeader = "id,vmTypeId,machineId,core,memory,hdd,ssd,nic"
	az20TypeRow    = "1,0,4,0.125,0.0459,,0.0312,0.0078"
)

// TestAzure2020BadInput checks that each kind of malformed field of either
// table is an *InputError naming file:line:column (field), and that skip_bad
// skips the row and counts it by reason.
func TestAzure2020BadInput(t *testing.T) {
	cases := []struct {
		table  string // vm or vmType
		col    int    // 0-based column to replace; -1 = drop the last field
		value  string
		want   string // after "FILE:3: "
		reason string
	}{
		{"vm", -1, "", "5 fields, want 6 (as in the header)", "field_count"},
		{"vm", 1, `"7`, "unterminated quote", "bad_quote"},
		{"vm", 0, "", "column 1 (vmId): required value is empty", "missing_field"},
		{"vm", 2, "", "column 3 (vmTypeId): required value is empty", "missing_field"},
		{"vm", 3, "2", `column 4 (priority): unknown priority "2" (want 0 = high or 1 = low)`, "unknown_code"},
		{"vm", 3, "", `column 4 (priority): unknown priority ""`, "unknown_code"},
		{"vm", 4, "", "column 5 (starttime): required value is empty", "missing_field"},
		{"vm", 4, "x", `column 5 (starttime): value "x" is not a number of days`, "bad_number"},
		{"vm", 4, "NaN", `column 5 (starttime): value "NaN" is not a number of days`, "bad_number"},
		{"vm", 4, "-Inf", `column 5 (starttime): value "-Inf" is not a number of days`, "bad_number"},
		{"vm", 4, "1e7", `column 5 (starttime): value "1e7" overflows the time range (±100 years)`, "overflow"},
		{"vm", 5, "1e400", `column 6 (endtime): value "1e400" overflows the time range`, "overflow"},
		{"vm", 5, "0.25", "column 6 (endtime): endtime 0.25 is before starttime 0.5", "invalid"},
		{"vmType", -1, "", "7 fields, want 8 (as in the header)", "field_count"},
		{"vmType", 0, "x", `column 1 (id): value "x" is not an int64`, "bad_number"},
		{"vmType", 1, "", "column 2 (vmTypeId): required value is empty", "missing_field"},
		{"vmType", 2, "", "column 3 (machineId): required value is empty", "missing_field"},
		{"vmType", 3, "1.5", `column 4 (core): value "1.5" is not a fraction of the machine in [0, 1]`, "invalid"},
		{"vmType", 3, "", "column 4 (core): required value is empty", "missing_field"},
		{"vmType", 4, "-0.1", `column 5 (memory): value "-0.1" is not a fraction of the machine in [0, 1]`, "invalid"},
		{"vmType", 4, "Inf", `column 5 (memory): value "Inf" is not a fraction`, "bad_number"},
		{"vmType", 5, "NaN", `column 6 (hdd): value "NaN" is not a fraction`, "bad_number"},
		{"vmType", 6, "2", `column 7 (ssd): value "2" is not a fraction of the machine in [0, 1]`, "invalid"},
		{"vmType", 7, "1e999", `column 8 (nic): value "1e999" overflows a float64`, "overflow"},
	}
	for _, c := range cases {
		t.Run(c.table+"/"+c.reason+"/"+c.value, func(t *testing.T) {
			good := az20VMRow
			if c.table == "vmType" {
				good = az20TypeRow
			}
			bad := strings.Split(good, ",")
			if c.col < 0 {
				bad = bad[:len(bad)-1]
			} else {
				bad[c.col] = c.value
			}
			if c.table == "vm" {
				bad[0] = "101"
				if c.col == 0 {
					bad[0] = c.value
				}
			} else if c.col != 1 {
				bad[1] = "9" // another VM type
			}
			vm := az20VMHeader + "\n" + az20VMRow + "\n"
			types := az20TypeHeader + "\n" + az20TypeRow + "\n"
			file := "vm.csv"
			if c.table == "vm" {
				vm += strings.Join(bad, ",") + "\n"
			} else {
				types += strings.Join(bad, ",") + "\n"
				file = "vmType.csv"
			}
			// Line 3: the bad row follows the header and one good row.
			dir := az20Write(t, vm, types)
			_, err := Open("azure2020", []string{dir}, DefaultOptions())
			var ie *InputError
			if err == nil || !errors.Is(err, ErrBadInput) || !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *InputError wrapping ErrBadInput", err)
			}
			if !strings.HasSuffix(ie.File, file) || ie.Line != 3 || ie.Reason != c.reason || !strings.Contains(err.Error(), file+":3: "+c.want) {
				t.Errorf("err = %v (line %d reason %s), want %s:3: %s (%s)", err, ie.Line, ie.Reason, file, c.want, c.reason)
			}
			got, _, st := az20Run(t, []string{dir}, "skip_bad=true")
			if _, ok := got["100"]; !ok || len(got) != 1 || st.Skipped[c.reason] != 1 {
				t.Errorf("skip_bad: jobs %v, skipped %v", got, st.Skipped)
			}
		})
	}
}

// TestAzure2020Tables checks the table rules: both tables are required, a
// header must name the required columns, a header-only table is empty, an
// unrelated CSV is ignored, and the vmType rows held are bounded.
func TestAzure2020Tables(t *testing.T) {
	vm := az20VMHeader + "\n" + az20VMRow + "\n"
	types := az20TypeHeader + "\n" + az20TypeRow + "\n"
	cases := []struct {
		name, vm, types, want string
	}{
		{"no vmType", vm, "", "no vmType rows among the inputs"},
		{"no vm", "", types, "no vm table among the inputs"},
		{"vm header-only", az20VMHeader + "\n", types, "table vm is empty"},
		{"vmType header-only", vm, az20TypeHeader + "\n", "table vmType is empty"},
		{"vm without endtime", "vmId,tenantId,vmTypeId,priority,starttime\n100,7,0,1,0.5\n", types, `vm.csv:1: endtime: required column "endtime" is absent`},
		{"vmType without memory", vm, "vmTypeId,machineId,core\n0,4,0.5\n", `vmType.csv:1: memory: required column "memory" is absent`},
		{"headerless export", "100,7,0,1,0.5,0.75\n", types, "no vm table among the inputs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Stats("azure2020", []string{az20Write(t, c.vm, c.types)}, DefaultOptions())
			if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want bad input containing %q", err, c.want)
			}
		})
	}
	t.Run("unrelated csv ignored", func(t *testing.T) {
		dir := az20Write(t, vm, types)
		if err := os.WriteFile(filepath.Join(dir, "notes.csv"), []byte("a,b\n1,2\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := Stats("azure2020", []string{dir}, DefaultOptions())
		if err != nil || st.Files != 2 || len(st.Ignored) != 1 {
			t.Errorf("err %v, files %d, ignored %v", err, st.Files, st.Ignored)
		}
	})
	t.Run("vmType row bound", func(t *testing.T) {
		defer func(n int) { az20MaxTypeRows = n }(az20MaxTypeRows)
		az20MaxTypeRows = 2
		rows := types + "2,1,4,0.5,0.5,,,\n3,2,4,0.5,0.5,,,\n"
		_, err := Stats("azure2020", []string{az20Write(t, vm, rows)}, DefaultOptions())
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "vmType.csv:4: more than 2 distinct") {
			t.Errorf("err = %v", err)
		}
		opt := DefaultOptions()
		opt.SkipBad = true // the bound is not a row fault: skip_bad does not lift it
		if _, err := Stats("azure2020", []string{az20Write(t, vm, rows)}, opt); err == nil {
			t.Error("skip_bad lifted the vmType bound")
		}
	})
}

// TestAzure2020Quirks covers a BOM, CRLF endings, headers in another order and
// case, duplicate rows of both tables and a blank line.
func TestAzure2020Quirks(t *testing.T) {
	vm := "\ufeffSTARTTIME,endtime,vmid,TenantId,vmtypeid,priority\r\n0.5,0.75,100,7,0,1\r\n\r\n0.5,0.75,100,7,0,1\r\n1,,101,8,0,0\r\n"
	types := "vmTypeId,machineId,core,memory\n0,4,0.125,0.0459\n0,4,0.5,0.5\n"
	got, _, st := az20Run(t, []string{az20Write(t, vm, types)}, "")
	if len(got) != 2 || st.Counters["duplicate_vm_rows"] != 1 || st.Counters["duplicate_vmtype_rows"] != 1 || st.Rows["vm"] != 3 {
		t.Fatalf("%d jobs, rows %v, counters %v", len(got), st.Rows, st.Counters)
	}
	w := az20Want{az20Day / 2, scheduler.Batch, 0, "7", 8000, 12032, az20Day / 4, 0} // the first vmType row of (0, 4) counts
	if got["100"] != w || got["101"].class != scheduler.Service || got["101"].runtime != 13*az20Day || got["101"].flags != azC {
		t.Errorf("jobs = %+v", got)
	}
}

// TestAzure2020Determinism checks that the replay depends neither on the run
// nor on the order of rows and files.
func TestAzure2020Determinism(t *testing.T) {
	dump := func(paths []string) string {
		r, err := Open("azure2020", paths, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return dumpReplay(t, r)
	}
	a, b := dump([]string{az20Dir()}), dump([]string{az20Dir()})
	rev := func(s []byte) string {
		lines := strings.Split(strings.TrimSpace(string(s)), "\n")
		slices.Reverse(lines[1:])
		return strings.Join(lines, "\n") + "\n"
	}
	dir := az20Write(t, rev(fixture(t, "azure2020/vm.csv")), rev(fixture(t, "azure2020/vmType.csv")))
	c := dump([]string{filepath.Join(dir, "vmType.csv"), filepath.Join(dir, "vm.csv")})
	if a == "" || a != b || a != c {
		t.Errorf("replays differ:\n%s\n---\n%s\n---\n%s", a, b, c)
	}
}

// TestAzure2020Sample keeps a time range of the fixture: vm rows by starttime,
// every vmType row.
func TestAzure2020Sample(t *testing.T) {
	out := t.TempDir()
	res, err := Sample("azure2020", []string{az20Dir()}, DefaultOptions(), SampleSpec{From: 0, To: 3 * az20Day, Machines: 1, Jobs: 1}, out)
	if err != nil {
		t.Fatal(err)
	}
	// starttime in [0, 3 d): VMs 1, 2, 3, 4, 5, 6 (of 10); all 8 vmType rows.
	if res.Read != 18 || res.Kept != 14 {
		t.Errorf("sample read %d kept %d, want 18, 14", res.Read, res.Kept)
	}
	st, err := Stats("azure2020", []string{out}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if st.Jobs != 6 || st.Rows["vmType"] != 8 {
		t.Errorf("sampled trace: %d jobs, rows %v", st.Jobs, st.Rows)
	}
}

// FuzzAzure2020 feeds arbitrary vm and vmType content.
func FuzzAzure2020(f *testing.F) {
	f.Add(fixture(f, "azure2020/vm.csv"), fixture(f, "azure2020/vmType.csv"))
	f.Add([]byte("vmId,tenantId,vmTypeId,priority,starttime,endtime\n1,,x,0,-36524,\n2,,x,1,1e-300,90\n"),
		[]byte("vmTypeId,machineId,core,memory\nx,1,1,0\nx,1,0,1\n"))
	f.Fuzz(func(t *testing.T, vm, types []byte) {
		fuzzFormat(t, "azure2020", map[string][]byte{"vm.csv": vm, "vmType.csv": types})
	})
}
