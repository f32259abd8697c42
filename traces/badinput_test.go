package traces

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestMatchTableByBaseName(t *testing.T) {
	cases := []struct{ name, want string }{
		{"trace/task_events/part-00000-of-00500.csv.gz", "task_events"},
		{"trace/task_events.tar.gz:part-00000-of-00500.csv.gz", "task_events"},
		{"trace/batch_task.csv", "batch_task"},
		{"trace/batch_task_copy/batch_task.csv", "batch_task"},
		{"trace/batch_task_copy/schema.csv", ""},
		{"trace/batch_task_copy/batch_instance.csv", "batch_instance"},
		{"trace/task_events_v2/part-00000-of-00500.csv.gz", ""},
		{"trace/all.tar.gz:machine_meta.csv", "machine_meta"},
		{"container_meta.tar.gz:container_meta.csv", "container_meta"},
	}
	tables := append(slices.Clone(g11Tables), ali18Tables...)
	tables = append(tables, ali17Tables...)
	for _, c := range cases {
		got := ""
		if tb := matchTable(c.name, tables); tb != nil {
			got = tb.name
		}
		if got != c.want {
			t.Errorf("matchTable(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	// The audit's case: the Alibaba 2017 fixture in a directory batch_task_copy/.
	dir := filepath.Join(t.TempDir(), "batch_task_copy")
	os.MkdirAll(dir, 0o755)
	for name, data := range unpackFixture(t, "alibaba2017") {
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	st, err := Stats("alibaba2017", []string{dir}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want, err := Stats("alibaba2017", []string{filepath.Join("testdata", "alibaba2017")}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if st.Jobs != want.Jobs || st.Machines != want.Machines || len(st.Ignored) != 1 || !strings.HasSuffix(st.Ignored[0], "schema.csv") {
		t.Errorf("in batch_task_copy/: jobs %d machines %d ignored %v; want jobs %d machines %d, schema.csv ignored", st.Jobs, st.Machines, st.Ignored, want.Jobs, want.Machines)
	}
}

func TestEmptyTables(t *testing.T) {
	skip := DefaultOptions()
	skip.SkipBad = true
	log := string(fixture(t, "philly/cluster_job_log"))
	cases := []struct {
		name, format string
		files        map[string]string
		opt          Options
		want         string // error substring; "" = success
		counter      string // with success: a counter that must be 1
		skipped      string // with success: a Skipped key that must be 1
	}{
		{"philly header only", "philly", map[string]string{"cluster_machine_list": "machineId,number of GPUs,single GPU mem\n", "cluster_job_log": log},
			DefaultOptions(), "cluster_machine_list: table cluster_machine_list is empty (no data rows)", "", ""},
		{"philly header only, skip_bad", "philly", map[string]string{"cluster_machine_list": "machineId,number of GPUs,single GPU mem\n", "cluster_job_log": log},
			skip, "table cluster_machine_list has no data rows in any input", "", ""},
		{"philly empty job log", "philly", map[string]string{"cluster_machine_list": "m1,8,24GB\n", "cluster_job_log": "[]\n"},
			DefaultOptions(), "cluster_job_log: table cluster_job_log is empty", "", ""},
		{"openb nodes header only", "openb2023", map[string]string{"nodes.csv": "sn,cpu_milli,memory_mib,gpu,model\n", "pods.csv": "name,cpu_milli,memory_mib,num_gpu\np,1,2,0\n"},
			DefaultOptions(), "nodes.csv: table nodes is empty (no data rows)", "", ""},
		{"alibaba2017 empty file", "alibaba2017", map[string]string{"server_event.csv": "0,1,add,,64,0.69,1\n", "batch_task.csv": ""},
			DefaultOptions(), "batch_task.csv: table batch_task is empty", "", ""},
		{"azure2020 vm header only", "azure2020", map[string]string{"vm.csv": "vmId,tenantId,vmTypeId,priority,starttime,endtime\n", "vmType.csv": "vmTypeId,machineId,core,memory\n0,1,0.5,0.5\n"},
			DefaultOptions(), "vm.csv: table vm is empty (no data rows)", "", ""},
		{"azure2020 vmType header only, skip_bad", "azure2020", map[string]string{"vm.csv": "vmId,tenantId,vmTypeId,priority,starttime,endtime\n1,2,0,0,0,1\n", "vmType.csv": "vmTypeId,machineId,core,memory\n"},
			skip, "table vmType has no data rows in any input", "", ""},
		{"swf comments only", "swf", map[string]string{"log.swf": "; MaxProcs: 4\n"},
			DefaultOptions(), "log.swf: table jobs is empty", "", ""},
		{"google2019 blank lines only", "google2019", map[string]string{"machine_events-000000000000.json": "\n\n"},
			DefaultOptions(), "machine_events-000000000000.json: table machine_events is empty", "", ""},
		{"optional table", "alibaba2018", map[string]string{"machine_meta.csv": "m_1,0,1,a,96,100,USING\n", "batch_task.csv": "M1,1,j_1,1,Terminated,1,2,100,1\n", "container_meta.csv": ""},
			DefaultOptions(), "", "empty_table/container_meta", ""},
		{"one empty shard, skip_bad", "google2011", map[string]string{
			"machine_events/part-00000-of-00001.csv":   "0,1,0,,0.5,0.5\n",
			"task_events/part-00000-of-00002.csv":      "",
			"task_events/part-00001-of-00002.csv":      "700000000,,1,0,1,0,u,0,0,0.1,0.1,,\n",
			"job_events/part-00000-of-00001.csv":       "700000000,,1,0,u,0,n,\n",
			"task_constraints/part-00000-of-00001.csv": ""},
			skip, "", "empty_table/task_constraints", "empty_table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := statsMem(c.format, c.files, c.opt)
			if c.want != "" {
				if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrBadInput) {
					t.Fatalf("err = %v, want bad input containing %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Counters[c.counter] != 1 {
				t.Errorf("counter %s = %d, want 1 (counters %v)", c.counter, st.Counters[c.counter], st.Counters)
			}
			if c.skipped != "" && st.Skipped[c.skipped] != 1 {
				t.Errorf("skipped %v, want %s: 1", st.Skipped, c.skipped)
			}
		})
	}
}

func TestReadOpenbEmpty(t *testing.T) {
	dir := t.TempDir()
	nodes := filepath.Join(dir, "openb_node_list_x.csv")
	pods := filepath.Join(dir, "openb_pod_list_x.csv")
	os.WriteFile(nodes, []byte("\ufeffsn,cpu_milli,memory_mib,gpu,model\n"), 0o644)
	os.WriteFile(pods, []byte("name,cpu_milli,memory_mib,num_gpu\n"), 0o644)
	if _, err := ReadOpenbNodes(nodes); err == nil || !strings.Contains(err.Error(), nodes+": table nodes is empty") || !errors.Is(err, ErrBadInput) {
		t.Errorf("ReadOpenbNodes of a header: err = %v", err)
	}
	if _, err := ReadOpenbPods(pods); err == nil || !strings.Contains(err.Error(), pods+": table pods is empty") {
		t.Errorf("ReadOpenbPods of a header: err = %v", err)
	}
	os.WriteFile(nodes, []byte("\ufeffsn,cpu_milli,memory_mib,gpu,model\r\nn0,1000,1024,1,G2\r\n"), 0o644)
	if ns, err := ReadOpenbNodes(nodes); err != nil || len(ns) != 1 || ns[0].Name != "n0" || ns[0].GPUModel != "G2" {
		t.Errorf("ReadOpenbNodes with a BOM and CRLF: %v, %v", ns, err)
	}
}

// TestTimeRangeEveryFormat checks that a time beyond the range is the same error
// in every format.
func TestTimeRangeEveryFormat(t *testing.T) {
	const msg = "overflows the time range (±100 years)"
	const u = "AL1ptJgzhEaoLf97k5xU6Uc2VO0yUaPQd/feJ5LMWhA="
	cases := []struct{ name, format, file, content string }{
		{"alibaba2018 batch_instance int", "alibaba2018", "batch_instance.csv", "i,M1,j_1,1,Terminated,9999999999999999999999,2,m_1,1,1,1,1,1,1\n"},
		{"alibaba2018 batch_instance float", "alibaba2018", "batch_instance.csv", "i,M1,j_1,1,Terminated,1e308,2,m_1,1,1,1,1,1,1\n"},
		{"alibaba2018 beyond 100 years", "alibaba2018", "batch_task.csv", "M1,1,j_1,1,Terminated,3155760001,2,1,1\n"},
		{"pai2020 task int", "pai2020", "pai_task_table.csv", "j,t,1,Terminated,9999999999999999999999,2,100,1,0,\n"},
		{"pai2020 task float", "pai2020", "pai_task_table.csv", "j,t,1,Terminated,1e308,2,100,1,0,\n"},
		{"alibaba2017", "alibaba2017", "batch_task.csv", "9999999999999999999999,2,1,1,1,Terminated,1,0.1\n"},
		{"google2011", "google2011", "task_events/part-00000-of-00001.csv", "9999999999999999999999,,1,0,,0," + u + ",0,0,0.1,0.1,,\n"},
		{"google2011 beyond 100 years", "google2011", "job_events/part-00000-of-00001.csv", "3155760000000001,,1,0,u,0,n,\n"},
		{"google2019", "google2019", "collection_events-000000000000.json", `{"time":9999999999999999999999,"type":0,"collection_id":1}` + "\n"},
		{"google2019 string", "google2019", "collection_events-000000000000.json", `{"time":"-3155760000000001","type":0,"collection_id":1}` + "\n"},
		{"openb2023", "openb2023", "pods.csv", "name,cpu_milli,memory_mib,num_gpu,creation_time\np,1,2,0,1e308\n"},
		{"swf", "swf", "log.swf", "1 9999999999999999999999 0 10 1 -1 -1 1 10 -1 1 1 1 1 1 1 -1 -1\n"},
		{"philly", "philly", "cluster_job_log", `[{"jobid":"a","submitted_time":"9999-10-03 00:08:00","attempts":[]}]`},
		{"azure2020 start", "azure2020", "vm.csv", "vmId,tenantId,vmTypeId,priority,starttime,endtime\n1,2,3,0,36526000,\n"},
		{"azure2020 end", "azure2020", "vm.csv", "vmId,tenantId,vmTypeId,priority,starttime,endtime\n1,2,3,0,0,1e308\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := statsMem(c.format, map[string]string{c.file: c.content}, DefaultOptions())
			if err == nil || !strings.Contains(err.Error(), msg) || !regexp.MustCompile(regexp.QuoteMeta(c.file)+`:[12]:`).MatchString(err.Error()) || !errors.Is(err, ErrBadInput) {
				t.Fatalf("err = %v, want %s:LINE: ... %s", err, c.file, msg)
			}
			var ie *InputError
			if errors.As(err, &ie) && ie.Reason != "overflow" {
				t.Errorf("reason %q, want overflow", ie.Reason)
			}
		})
	}
	// The largest time in range is accepted.
	if _, err := statsMem("alibaba2018", map[string]string{"batch_task.csv": "M1,1,j_1,1,Terminated,3155760000,3155760000,1,1\n"}, DefaultOptions()); err != nil {
		t.Errorf("100 years: %v", err)
	}
}

// TestSuspiciousRowsCounted checks the counters of valid but suspicious rows:
// negative times, rows out of time order, references to machines the trace never
// adds, and the same row twice.
func TestSuspiciousRowsCounted(t *testing.T) {
	cases := []struct {
		name, format string
		files        map[string]string
		counters     map[string]int64
	}{
		{"alibaba2017", "alibaba2017", map[string]string{
			"server_event.csv":   "0,1,add,,64,0.5,0.5\n0,1,add,,64,0.5,0.5\n50,1,harderror,,,,\n60,1,harderror,,,,\n",
			"batch_task.csv":     "100,500,7,1,2,Terminated,1,0.01\n-5,90,8,1,1,Terminated,1,0.01\n",
			"batch_instance.csv": "200,300,7,1,1,Terminated,1,1,,,,\n150,300,7,1,9,Terminated,1,1,,,,\n150,300,7,1,9,Terminated,1,1,,,,\n",
		}, map[string]int64{"negative_time/batch_task": 1, "out_of_order/batch_task": 0, "out_of_order/batch_instance": 1,
			"unknown_machine/batch_instance": 2, "duplicate_rows": 1, "machine_add_while_up": 1, "machine_fail_while_down": 1}},
		{"alibaba2018", "alibaba2018", map[string]string{
			"machine_meta.csv":   "m_1,0,1,a,96,100,USING\nm_1,0,1,a,96,100,USING\n",
			"batch_task.csv":     "M1,1,j_1,1,Terminated,300,400,100,1\nM1,1,j_2,1,Terminated,200,400,100,1\n",
			"batch_instance.csv": "i,M1,j_1,1,Terminated,300,400,m_nope,1,1,,,,\ni,M1,j_2,1,Terminated,200,400,m_1,1,1,,,,\n",
		}, map[string]int64{"out_of_order/batch_task": 1, "out_of_order/batch_instance": 1, "unknown_machine/batch_instance": 1, "duplicate_machine_rows": 1}},
		{"google2011", "google2011", map[string]string{
			"machine_events/part-00000-of-00001.csv": "0,1,0,,0.5,0.5\n",
			"task_events/part-00000-of-00001.csv":    "700000000,,1,0,,0,u,0,0,0.1,0.1,,\n710000000,,1,0,999,1,u,0,0,0.1,0.1,,\n705000000,,1,0,1,4,u,0,0,0.1,0.1,,\n705000000,,1,0,1,4,u,0,0,0.1,0.1,,\n",
			"job_events/part-00000-of-00001.csv":     "-700000000,,1,0,u,0,n,\n",
		}, map[string]int64{"negative_time/job_events": 1, "out_of_order/task_events": 1, "unknown_machine/task_events": 1, "duplicate_rows": 1}},
		{"google2019", "google2019", map[string]string{
			"machine_events-000000000000.json":    `{"time":0,"machine_id":1,"type":1,"capacity":{"cpus":0.5,"memory":0.5}}` + "\n",
			"collection_events-000000000000.json": `{"time":700000000,"type":0,"collection_id":1}` + "\n" + `{"time":600000000,"type":0,"collection_id":2}` + "\n",
			"instance_events-000000000000.json":   `{"time":-1,"type":3,"collection_id":1,"instance_index":0,"machine_id":5}` + "\n",
		}, map[string]int64{"out_of_order/collection_events": 1, "negative_time/instance_events": 1, "unknown_machine/instance_events": 1}},
		{"philly", "philly", map[string]string{
			"cluster_machine_list": "m1,8,24GB\n",
			"cluster_job_log": `[{"jobid":"a","submitted_time":"2017-10-03 00:08:00","attempts":[{"start_time":"2017-10-03 00:09:00","end_time":"2017-10-03 00:10:00","detail":[{"ip":"m9","gpus":["gpu0"]}]}]},
{"jobid":"b","submitted_time":"2017-10-02 00:08:00","attempts":[]}]`,
		}, map[string]int64{"out_of_order/cluster_job_log": 1, "unknown_machine/cluster_job_log": 1}},
		{"swf", "swf", map[string]string{"log.swf": "1 100 0 10 1 -1 -1 1 10 -1 1 1 1 1 1 1 -1 -1\n2 50 0 10 1 -1 -1 1 10 -1 1 1 1 1 1 1 -1 -1\n3 -7 0 10 1 -1 -1 1 10 -1 1 1 1 1 1 1 -1 -1\n"},
			map[string]int64{"out_of_order/jobs": 1, "negative_time/jobs": 1}},
		{"openb2023", "openb2023", map[string]string{"nodes.csv": "sn,cpu_milli,memory_mib,gpu,model\nn,1,2,0,\n",
			"pods.csv": "name,cpu_milli,memory_mib,num_gpu,creation_time\np,1,2,0,100\nq,1,2,0,50\n"},
			map[string]int64{"out_of_order/pods": 1}},
		{"pai2020", "pai2020", map[string]string{"pai_machine_spec.csv": "m1,V100,96,512,8\n",
			"pai_job_table.csv":      "j,i,u,Terminated,1594000010,1594003600\n",
			"pai_task_table.csv":     "j,t,1,Terminated,1594000010,1594003600,600,29,,\n",
			"pai_instance_table.csv": "j,t,i0,w0,x,Terminated,1594000020,1594003500,m7\n"},
			map[string]int64{"unknown_machine/pai_instance_table": 1}},
		{"azure2020", "azure2020", map[string]string{"vmType.csv": "vmTypeId,machineId,core,memory\n0,1,0.5,0.5\n",
			"vm.csv": "vmId,tenantId,vmTypeId,priority,starttime,endtime\n1,t,0,0,2,3\n2,t,0,0,1,3\n3,t,0,1,-1,\n3,t,0,1,-1,\n"},
			map[string]int64{"out_of_order/vm": 1, "negative_time/vm": 2, "duplicate_rows": 1, "duplicate_vm_rows": 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := statsMem(c.format, c.files, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range c.counters {
				if st.Counters[k] != want {
					t.Errorf("%s = %d, want %d (counters %v)", k, st.Counters[k], want, st.Counters)
				}
			}
		})
	}
}

// TestDuplicateRowsCounted duplicates a data row of every table of every fixture
// and checks that some counter records it.
func TestDuplicateRowsCounted(t *testing.T) {
	for _, mf := range mutationFormats {
		files := unpackFixture(t, mf.dir)
		want, err := readTrace(t, mf.format, writeFixture(t, files), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range mf.tables {
			if tb.kind == kindJSONArray {
				continue // philly's duplicate jobs: TestSuspiciousRowsCounted and duplicate_jobs
			}
			ls := splitLines(files[tb.file])
			i := tb.dataLines(ls)[0]
			ls = slices.Insert(ls, i+1, ls[i])
			m := map[string][]byte{}
			for k, v := range files {
				m[k] = v
			}
			m[tb.file] = joinLines(ls)
			got, err := readTrace(t, mf.format, writeFixture(t, m), false)
			if err != nil {
				t.Errorf("%s %s: %v", mf.format, tb.file, err)
				continue
			}
			if got.stats == want.stats {
				t.Errorf("%s %s: a duplicated row changes no counter: %s", mf.format, tb.file, got.stats)
			}
		}
	}
}

func TestOutputPathErrors(t *testing.T) {
	dir := t.TempDir()
	in := []string{filepath.Join("testdata", "swf")}
	for _, out := range []string{dir, filepath.Join(dir, "nonexistent", "x.gz")} {
		if _, err := ConvertFile("swf", in, DefaultOptions(), out); err == nil || !errors.Is(err, ErrBadInput) {
			t.Errorf("ConvertFile(%s): err = %v, want bad input", out, err)
		}
	}
	out := filepath.Join(dir, "x.schedlab.gz")
	if _, err := ConvertFile("swf", in, DefaultOptions(), out); err != nil {
		t.Fatal(err)
	}
	if _, err := ConvertFile("swf", []string{filepath.Join(dir, "missing")}, DefaultOptions(), filepath.Join(dir, "y.gz")); err == nil {
		t.Error("ConvertFile of a missing input: no error")
	} else if _, serr := os.Stat(filepath.Join(dir, "y.gz")); serr == nil {
		t.Error("ConvertFile left its output behind after an error")
	}
	spec := SampleSpec{From: -1, To: -1, Machines: 1, Jobs: 1}
	if _, err := Sample("swf", in, DefaultOptions(), spec, out); err == nil || !errors.Is(err, ErrBadInput) {
		t.Errorf("Sample to an existing file: err = %v, want bad input", err)
	}
}
