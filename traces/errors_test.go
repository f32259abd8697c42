package traces

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// statsMem runs Stats over in-memory inputs (name → content).
func statsMem(format string, files map[string]string, opt Options) (*TraceStats, error) {
	f, err := lookupFormat(format)
	if err != nil {
		return nil, err
	}
	if err := opt.validate(); err != nil {
		return nil, err
	}
	b := newBuilder(format, &opt, true)
	defer b.close()
	names := sortedKeys(files)
	err = b.runWalk(f.newReader(&opt), func(fn func(m member) error) error {
		for _, n := range names {
			if err := fn(newMember(n, strings.NewReader(files[n]))); err != nil {
				return err
			}
		}
		return nil
	})
	return b.st, err
}

// TestMalformedInput checks that each kind of malformed row yields an error that
// names file, line, column and field and wraps ErrBadInput, and that skip_bad
// skips and counts it instead.
func TestMalformedInput(t *testing.T) {
	const u = "AL1ptJgzhEaoLf97k5xU6Uc2VO0yUaPQd/feJ5LMWhA="
	cases := []struct {
		name, format, file, content, want, reason string
	}{
		{"field count", "alibaba2018", "batch_instance.csv", "i,M1,j_1,1,Terminated,1,2,m_1,1,1,1,1,1\n", "batch_instance.csv:1: 13 fields, want 14", "field_count"},
		{"non-numeric", "alibaba2018", "batch_task.csv", "M1,1,j_1,1,Terminated,1,2,1,1\nM1,1,j_2,1,Terminated,x1,2,1,1\n", "batch_task.csv:2: column 6 (start_time): value \"x1\" is not a number", "bad_number"},
		{"int64 overflow", "google2011", "task_events/part-00000-of-00001.csv", "99999999999999999999,,1,0,,0," + u + ",0,0,0.1,0.1,,\n", "column 1 (time): value \"99999999999999999999\" overflows the time range", "overflow"},
		{"unknown enum", "google2011", "task_events/part-00000-of-00001.csv", "700000000,,1,0,,9," + u + ",0,0,0.1,0.1,,\n", "column 6 (event_type): unknown event type 9", "unknown_code"},
		{"unknown machine event", "google2011", "machine_events/part-00000-of-00001.csv", "0,1,3,,0.5,0.5\n", "column 3 (event_type): unknown machine event type 3", "unknown_code"},
		{"priority range", "google2011", "task_events/part-00000-of-00001.csv", "700000000,,1,0,,0," + u + ",0,13,0.1,0.1,,\n", "column 9 (priority): priority 13 out of range", "unknown_code"},
		{"constraint layout", "google2011", "task_constraints/part-00000-of-00001.csv", "0,1,0," + u + ",x," + u + "\n", "cannot tell the column order", ""},
		{"invalid JSON", "google2019", "instance_events-000000000000.json", "{\"time\":1,\"type\":0,\"collection_id\":1,\"instance_index\":0}\n{\"time\":2,\n", "instance_events-000000000000.json:2: column", "bad_json"},
		{"JSON int", "google2019", "collection_events-000000000000.json", "{\"time\":\"12x\",\"type\":0,\"collection_id\":1}\n", "collection_events-000000000000.json:1: time: value \"12x\" is not an int64", "bad_number"},
		{"JSON enum", "google2019", "collection_events-000000000000.json", "{\"time\":1,\"type\":11,\"collection_id\":1}\n", ":1: type: unknown event type 11", "unknown_code"},
		{"ali17 server", "alibaba2017", "server_event.csv", "0,1,add,,64,0.5,0.5\n0,2,reboot,,64,0.5,0.5\n", "server_event.csv:2: column 3 (event_type): unknown server event \"reboot\"", "unknown_code"},
		{"pai count", "pai2020", "pai_task_table.csv", "j,t,1,Terminated,1,2,100,1,0,\nj,t,1\n", "pai_task_table.csv:2: 3 fields, want 10", "field_count"},
		{"swf count", "swf", "log.swf", "; MaxProcs: 4\n1 0 0 10 1 -1 -1 1 10 -1 1 1 1 1 1 1 -1 -1\n2 0 0 10 1\n", "log.swf:3: 5 fields, want 18", "field_count"},
		{"swf number", "swf", "log.swf", "1 0 0 1x0 1 -1 -1 1 10 -1 1 1 1 1 1 1 -1 -1\n", "log.swf:1: column 4 (run_time)", "bad_number"},
		{"philly time", "philly", "cluster_job_log", "[\n{\"jobid\":\"a\",\"submitted_time\":\"2017-10-03 00:08:00\",\"attempts\":[]},\n{\"jobid\":\"b\",\"submitted_time\":\"yesterday\",\"attempts\":[]}\n]\n", "cluster_job_log:3: submitted_time: time \"yesterday\"", "bad_time"},
		{"philly gpu mem", "philly", "cluster_machine_list", "m1,8, 24XB\n", "cluster_machine_list:1: column 3 (single GPU mem)", "bad_number"},
		{"openb", "openb2023", "pods.csv", "name,cpu_milli,memory_mib,num_gpu\np,1,2,3\nq,1,2,-1\n", "pods.csv:3: column 4 (num_gpu): num_gpu -1 out of range", "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := statsMem(c.format, map[string]string{c.file: c.content}, DefaultOptions())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("err %v does not wrap ErrBadInput", err)
			}
			if c.reason == "" {
				return
			}
			opt := DefaultOptions()
			opt.SkipBad = true
			st, err := statsMem(c.format, map[string]string{c.file: c.content}, opt)
			if err != nil {
				t.Fatalf("skip_bad: %v", err)
			}
			if st.Skipped[c.reason] != 1 {
				t.Errorf("skip_bad: skipped = %v, want %s: 1", st.Skipped, c.reason)
			}
		})
	}
}

func TestTruncatedGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := 0; i < 2000; i++ {
		zw.Write([]byte("M1,1,j_1,1,Terminated,1,2,100,1\n"))
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "batch_task.csv.gz")
	os.WriteFile(path, buf.Bytes()[:buf.Len()/2], 0o644)
	_, err := Stats("alibaba2018", []string{path}, DefaultOptions())
	if err == nil || !strings.Contains(err.Error(), "batch_task.csv.gz:") || !strings.Contains(err.Error(), "truncated") || !errors.Is(err, ErrBadInput) {
		t.Fatalf("err = %v, want a truncated-file error naming the file", err)
	}
}

func TestMissingShardCounted(t *testing.T) {
	st, err := Stats("google2011", []string{filepath.Join("testdata", "google2011")}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if st.Counters["missing_shards_task_events"] != 1 {
		t.Errorf("missing_shards_task_events = %d, want 1 (part-00001-of-00003 is absent)", st.Counters["missing_shards_task_events"])
	}
}

func TestUnknownFormatAndOptions(t *testing.T) {
	_, err := Open("google2012", []string{"x"}, DefaultOptions())
	if err == nil || !strings.Contains(err.Error(), "valid: alibaba2017, alibaba2018") {
		t.Errorf("unknown format: %v", err)
	}
	_, err = ParseOptions("runtime=last")
	if err == nil || !strings.Contains(err.Error(), "final-attempt, sum-attempts") {
		t.Errorf("bad enum option: %v", err)
	}
	_, err = ParseOptions("nope=1")
	if err == nil || !strings.Contains(err.Error(), "valid: censored") {
		t.Errorf("unknown option: %v", err)
	}
	o, err := ParseOptions("runtime=sum-attempts, skip_bad=true,norm_cpu=1000,trace_end=2d,origin=5")
	if err != nil || o.RuntimeSource != "sum-attempts" || !o.SkipBad || o.NormCPU != 1000 || o.TraceEnd != 2*86400e6 || o.Origin != 5 {
		t.Errorf("ParseOptions = %+v, %v", o, err)
	}
	back, err := ParseOptions(o.String())
	if err != nil || back != o {
		t.Errorf("String round trip: %+v, %v", back, err)
	}
	if _, err := Stats("swf", []string{filepath.Join("testdata", "alibaba2018", "machine_meta.csv"), "/nonexistent"}, DefaultOptions()); err == nil {
		t.Error("missing path: no error")
	}
}

func TestOptionsChangeMapping(t *testing.T) {
	dir := filepath.Join("testdata", "alibaba2018")
	base, err := Stats("alibaba2018", []string{dir}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	opt := DefaultOptions()
	opt.Censored = "drop"
	opt.MissingRequest = "zero"
	opt.Gang = "job"
	st, err := Stats("alibaba2018", []string{dir}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if base.Counters["tasks_censored"] == 0 || st.Counters["tasks_censored"] != 0 || st.Counters["tasks_dropped"] == 0 {
		t.Errorf("censored=drop: counters %v", st.Counters)
	}
	if st.Counters["gangs"] == 0 || base.Counters["gangs"] != 0 {
		t.Errorf("gang=job: gangs %d (default %d)", st.Counters["gangs"], base.Counters["gangs"])
	}
	opt = DefaultOptions()
	opt.InvalidValue = "error"
	if _, err := Stats("alibaba2018", []string{dir}, opt); err == nil || !strings.Contains(err.Error(), "invalid=error") {
		t.Errorf("invalid=error: %v", err)
	}
	opt = DefaultOptions()
	opt.Orphans = "error"
	if _, err := Stats("alibaba2018", []string{dir}, opt); err == nil || !strings.Contains(err.Error(), "orphans=error") {
		t.Errorf("orphans=error: %v", err)
	}
}

func TestSortSpills(t *testing.T) {
	// A tiny sort budget forces spills; the replay must not change.
	dir := filepath.Join("testdata", "google2011")
	opt := DefaultOptions()
	r1, err := Open("google2011", []string{dir}, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	s := newSorter(&opt)
	s.budget = 4 // two records per run: more than maxRuns runs, so cascade merges happen
	for i := 0; i < 250; i++ {
		s.add([]byte{byte(i % 7)}, []byte{byte(i)})
		if len(s.runs) >= maxRuns {
			t.Fatalf("%d runs: the cascade merge did not run", len(s.runs))
		}
	}
	if len(s.runs) < 2 {
		t.Fatalf("runs = %d, want several", len(s.runs))
	}
	it, err := s.iter()
	if err != nil {
		t.Fatal(err)
	}
	prevK, prevV := -1, -1
	n := 0
	for {
		k, v, ok, err := it.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		n++
		if int(k[0]) < prevK || int(k[0]) == prevK && int(v[0]) <= prevV {
			t.Fatalf("order broken at %d/%d after %d/%d", k[0], v[0], prevK, prevV)
		}
		prevK, prevV = int(k[0]), int(v[0])
	}
	s.close()
	if n != 250 {
		t.Fatalf("got %d records, want 250", n)
	}
}
