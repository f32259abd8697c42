package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const traceFixtures = "../../traces/testdata"

func TestTraceStatsCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := runTrace([]string{"stats", "--format", "alibaba2018", filepath.Join(traceFixtures, "alibaba2018")}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var st map[string]any
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"machines", "jobs", "tasks", "rows", "events", "first_seconds", "last_seconds", "requested", "skipped"} {
		if _, ok := st[k]; !ok {
			t.Errorf("stats lacks key %q", k)
		}
	}
	if st["machines"].(float64) != 3 {
		t.Errorf("machines = %v, want 3", st["machines"])
	}
}

func TestTraceCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "batch_task.csv")
	os.WriteFile(bad, []byte("M1,2,j_1,1,Terminated,100,200,100,0.39\nM2,x,j_1,1,Terminated,100,200,100,0.39\n"), 0o644)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"stats", "--format", "nope", bad}, 2, "valid: "},
		{[]string{"stats", bad}, 2, "--format is required"},
		{[]string{"stats", "--format", "alibaba2018"}, 2, "no PATH"},
		{[]string{"stats", "--format", "alibaba2018", "--options", "bogus=1", bad}, 2, "unknown option \"bogus\" (valid:"},
		{[]string{"frob"}, 2, "unknown subcommand"},
		{[]string{"stats", "--format", "alibaba2018", bad}, 2, "batch_task.csv:2: column 2 (instance_num)"},
		{[]string{"stats", "--format", "alibaba2018", "--skip-bad", bad}, 0, ""},
		{[]string{"convert", "--format", "alibaba2018", bad}, 2, "--out is required"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := runTrace(c.args, &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d containing %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
	var out, errb bytes.Buffer
	if code := runTrace([]string{"stats", "--skip-bad", "--format", "alibaba2018", bad}, &out, &errb); code != 0 || !strings.Contains(out.String(), `"bad_number": 1`) {
		t.Errorf("skip-bad: exit %d, output %s", code, out.String())
	}
}

func TestTraceConvertAndSampleCommands(t *testing.T) {
	dir := t.TempDir()
	conv := filepath.Join(dir, "a.schedlab.gz")
	var out, errb bytes.Buffer
	if code := runTrace([]string{"convert", "--format", "alibaba2018", "--out", conv, filepath.Join(traceFixtures, "alibaba2018")}, &out, &errb); code != 0 {
		t.Fatalf("convert: exit %d: %s", code, errb.String())
	}
	out.Reset()
	if code := runTrace([]string{"stats", "--format", "schedlab", conv}, &out, &errb); code != 0 || !strings.Contains(out.String(), `"machines": 3`) {
		t.Fatalf("stats of converted: exit %d: %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	sdir := filepath.Join(dir, "sample")
	if code := runTrace([]string{"sample", "--format", "alibaba2018", "--jobs", "0.5", "--seed", "3", "--out", sdir, filepath.Join(traceFixtures, "alibaba2018")}, &out, &errb); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errb.String())
	}
	out.Reset()
	if code := runTrace([]string{"stats", "--format", "alibaba2018", sdir}, &out, &errb); code != 0 {
		t.Fatalf("stats of sample: exit %d: %s", code, errb.String())
	}
}
