package traces

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// Fuzz targets: one per reader. Each feeds arbitrary content to the reader's
// tables (as in-memory files) with the default options and with skip_bad, and
// checks that the result is a value or an error wrapping ErrBadInput, never a
// panic. The seed corpus is the fixtures under testdata plus hand-written edge
// rows. Run one with e.g. go test ./traces -run '^$' -fuzz FuzzAlibaba2018 -fuzztime 60s.

// fixture returns a fixture file's content, gunzipped if needed.
func fixture(t testing.TB, path string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(b, gzipMagic) {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		b, err = io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func fuzzFormat(t *testing.T, format string, files map[string][]byte) {
	m := map[string]string{}
	for k, v := range files {
		m[k] = string(v)
	}
	for _, skip := range []bool{false, true} {
		opt := DefaultOptions()
		opt.SkipBad = skip
		opt.SortMemMiB = 1
		st, err := statsMem(format, m, opt)
		if err != nil {
			if !errors.Is(err, ErrBadInput) {
				t.Fatalf("skip_bad=%v: error %v does not wrap ErrBadInput", skip, err)
			}
			continue
		}
		if st.Jobs < st.Counters["jobs_replayed"] {
			t.Fatalf("more jobs replayed (%d) than seen (%d)", st.Counters["jobs_replayed"], st.Jobs)
		}
	}
}

func FuzzAlibaba2018(f *testing.F) {
	f.Add(fixture(f, "alibaba2018/batch_task.csv"), fixture(f, "alibaba2018/batch_instance.csv.gz"), fixture(f, "alibaba2018/machine_meta.csv"))
	f.Add([]byte("M1,1,j,1,Terminated,1,2,100,1\n"), []byte("i,M1,j,1,Terminated,1,2,m,1,1,1,1,1,1\ni,M1,j,1,Terminated,1,2,m,1,1,1,1,1,1\n"), []byte("m,0,1,a,96,100,USING\n"))
	f.Add([]byte("M2_1,1,j,1,Running,0,0,-1,101\nM1_2,1,j,1,Running,0,0,1e308,1\n"), []byte(""), []byte("m,x,1,a,96,100,USING\n"))
	f.Fuzz(func(t *testing.T, task, inst, meta []byte) {
		fuzzFormat(t, "alibaba2018", map[string][]byte{"batch_task.csv": task, "batch_instance.csv": inst, "machine_meta.csv": meta})
	})
}

func FuzzAlibaba2017(f *testing.F) {
	f.Add(fixture(f, "alibaba2017/batch_task.csv"), fixture(f, "alibaba2017/batch_instance.csv"), fixture(f, "alibaba2017/server_event.csv"))
	f.Add([]byte("-5,0,1,1,1,Failed,1,0.1\n"), []byte("0,0,1,1,1,Failed,1,1,,,,\n"), []byte("0,1,add,,1,1,1\n0,1,harderror,,,,\n"))
	f.Fuzz(func(t *testing.T, task, inst, server []byte) {
		fuzzFormat(t, "alibaba2017", map[string][]byte{"batch_task.csv": task, "batch_instance.csv": inst, "server_event.csv": server})
	})
}

func FuzzGoogle2011(f *testing.F) {
	f.Add(fixture(f, "google2011/job_events/part-00000-of-00001.csv"), fixture(f, "google2011/task_events/part-00000-of-00003.csv.gz"),
		fixture(f, "google2011/machine_events/part-00000-of-00001.csv"), fixture(f, "google2011/task_constraints/part-00000-of-00001.csv.gz"))
	f.Add([]byte("0,,1,0,,0,,\n"), []byte("9223372036854775807,,1,0,1,1,u,0,0,,,,\n0,1,1,0,1,4,u,3,12,1,1,1,1\n"), []byte("0,1,0,,1,1\n0,1,1,,,\n"), []byte("0,1,0,0,a,b\n"))
	f.Fuzz(func(t *testing.T, jobs, tasks, machines, cons []byte) {
		fuzzFormat(t, "google2011", map[string][]byte{"job_events/part-00000-of-00001.csv": jobs, "task_events/part-00000-of-00001.csv": tasks,
			"machine_events/part-00000-of-00001.csv": machines, "task_constraints/part-00000-of-00001.csv": cons})
	})
}

func FuzzGoogle2019(f *testing.F) {
	f.Add(fixture(f, "google2019/collection_events-000000000000.json.gz"), fixture(f, "google2019/instance_events-000000000000.json.gz"), fixture(f, "google2019/machine_events-000000000000.json.gz"))
	f.Add([]byte(`{"time":"1","type":"0","collection_id":"1","start_after_collection_ids":["1",null]}`+"\n"), []byte(`{"time":1,"type":3,"collection_id":1,"instance_index":"-1","constraint":[{"relation":5,"value":"9223372036854775807"}]}`+"\n"), []byte(`{"time":0,"machine_id":1,"type":1,"capacity":{"cpus":"x"}}`))
	f.Fuzz(func(t *testing.T, coll, inst, mach []byte) {
		fuzzFormat(t, "google2019", map[string][]byte{"collection_events-000000000000.json": coll, "instance_events-000000000000.json": inst, "machine_events-000000000000.json": mach})
	})
}

func FuzzPAI2020(f *testing.F) {
	f.Add(fixture(f, "pai2020/pai_job_table.csv"), fixture(f, "pai2020/pai_task_table.csv"), fixture(f, "pai2020/pai_machine_spec.csv"))
	f.Add([]byte("j,i,u,Running,,\n"), []byte("j,t,3,Running,1,,100,1,150,V100\n"), []byte("m,V100,1,1,65\n"))
	f.Fuzz(func(t *testing.T, job, task, spec []byte) {
		fuzzFormat(t, "pai2020", map[string][]byte{"pai_job_table.csv": job, "pai_task_table.csv": task, "pai_machine_spec.csv": spec})
	})
}

func FuzzOpenb2023(f *testing.F) {
	f.Add([]byte("sn,cpu_milli,memory_mib,gpu,model\nn0,32000,262144,8,G2\n"), []byte("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\np0,1000,1024,1,460,V100M16|G2,LS,Running,0,10,0\np1,1000,1024,2,1000,,BE,Pending,5,,\n"))
	f.Add([]byte("sn,cpu_milli\n\"n,0\",1\n"), []byte("name,cpu_milli,memory_mib,num_gpu\np,1.5e3,2,65\n"))
	f.Fuzz(func(t *testing.T, nodes, pods []byte) {
		fuzzFormat(t, "openb2023", map[string][]byte{"nodes.csv": nodes, "pods.csv": pods})
	})
}

func FuzzSWF(f *testing.F) {
	f.Add(fixture(f, "swf/fixture.swf"))
	f.Add([]byte("; MaxNodes: 0\n; MaxProcs: -1\n1 -1 -1 -1 -1 -1 -1 99999999 -1 -1 1 1 1 1 1 1 1 -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzFormat(t, "swf", map[string][]byte{"log.swf": data})
	})
}

func FuzzPhilly(f *testing.F) {
	f.Add(fixture(f, "philly/cluster_job_log"), fixture(f, "philly/cluster_machine_list"))
	f.Add([]byte(`[{"jobid":"a","submitted_time":"2017-10-03 00:08:00","attempts":[{"start_time":"None","end_time":null,"detail":[{"gpus":[1,2]}]}]}]`), []byte("m1,65,1GB\n"))
	f.Fuzz(func(t *testing.T, log, machines []byte) {
		fuzzFormat(t, "philly", map[string][]byte{"cluster_job_log": log, "cluster_machine_list": machines})
	})
}

// FuzzCanonical decodes arbitrary job and node-event records.
func FuzzCanonical(f *testing.F) {
	r, err := Open("swf", []string{filepath.Join("testdata", "swf")}, DefaultOptions())
	if err != nil {
		f.Fatal(err)
	}
	j, _ := r.Next()
	ev, _ := r.NextNodeEvent()
	r.Close()
	f.Add(encodeJob(nil, j, nil), encodeNodeEvent(nil, &ev))
	f.Fuzz(func(t *testing.T, job, node []byte) {
		if j, _, err := decodeJob(job, nil); err == nil && j == nil {
			t.Fatal("nil job without error")
		}
		decodeNodeEvent(node)
	})
}
