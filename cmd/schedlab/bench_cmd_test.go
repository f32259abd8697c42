package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func withEnv(t *testing.T, env map[string]string) {
	t.Helper()
	saved := benchEnv
	benchEnv = func(k string) string { return env[k] }
	t.Cleanup(func() { benchEnv = saved })
}

func TestShardFromEnvironment(t *testing.T) {
	for _, c := range []struct {
		env     map[string]string
		flag    string
		shards  int
		i, n    int
		wantErr string
	}{
		{env: nil, i: 0, n: 1},
		{env: nil, flag: "2/4", i: 2, n: 4},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, shards: 8, i: 3, n: 8},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "3", "SCHEDLAB_SHARDS": "5"}, i: 3, n: 5},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "3", "SLURM_ARRAY_TASK_ID": "1"}, shards: 4, i: 3, n: 4},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "4"}, i: 2, n: 4},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, flag: "1/2", i: 1, n: 2},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, wantErr: "JOB_COMPLETION_INDEX=3 is set but the number of shards is not"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "x"}, wantErr: `JOB_COMPLETION_INDEX="x": want an integer`},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"}, wantErr: "SLURM_ARRAY_TASK_ID=4 is out of range for 4 shards"},
		{env: nil, shards: 3, wantErr: "--shards 3 given but no shard index"},
		{env: nil, flag: "3/3", wantErr: "--shard: shard \"3/3\""},
	} {
		withEnv(t, c.env)
		i, n, err := shardFromArgs(c.flag, c.shards)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%v %q %d: err %v, want %q", c.env, c.flag, c.shards, err, c.wantErr)
			}
			continue
		}
		if err != nil || i != c.i || n != c.n {
			t.Errorf("%v %q %d: got %d/%d %v, want %d/%d", c.env, c.flag, c.shards, i, n, err, c.i, c.n)
		}
	}
}

func TestBenchUsageErrors(t *testing.T) {
	withEnv(t, nil)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\n \"workloads\": [\"cli-tiny\"],\n \"seeds\": \"two\"\n}\n"), 0o644)
	for _, c := range []struct{ args, want string }{
		{"bench --scenario compaction", "--out: an output directory is required"},
		{"bench --out " + dir, "give --scenario NAME, --spec FILE or --workload SPEC"},
		{"bench --scenario compaction --spec x.json --out " + dir, "not several"},
		{"bench --scenario nosuch --out " + dir, `unknown scenario "nosuch" (valid: `},
		{"bench --scenario compaction:bogus=1 --out " + dir, "unknown parameter(s) bogus"},
		{"bench --spec " + bad + " --out " + dir, bad + `:3:15: field "seeds": want int`},
		{"bench --spec /no/such.json --out " + dir, "no such file"},
		{"bench --workload cli-tiny --seeds -2 --out " + dir, `invalid value "-2" for flag -seeds: want an integer in [0, 100000]`},
		{"bench --workload cli-tiny --shard 3/3 --out " + dir, `--shard: shard "3/3"`},
		{"bench --workload cli-tiny --param jobs --out " + dir, `--param: "jobs" is not NAME=VALUE`},
		{"bench --workload cli-tiny --param jobs=3 --out " + dir, `param "jobs" is used by no spec`},
		{"bench --workload cli-tiny --progress loud --out " + dir, `--progress: unknown value "loud"`},
		{"bench merge", "give the shard directories"},
		{"bench merge " + dir, "--out: give the directory"},
		{"bench merge --out " + dir + " /no/such/dir", "is not a sweep output directory"},
	} {
		code, _, stderr := runCLI(strings.Fields(c.args)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func TestBenchAdHocSweepShardsAndMerge(t *testing.T) {
	withEnv(t, map[string]string{"CI": "true"})
	root := t.TempDir()
	args := "bench --workload cli-tiny:jobs={jobs} --param jobs=8 --param jobs=16 --placer bestfit --placer firstfit " +
		"--cluster nodes=3,cpu=4000,mem=8192 --seeds 2 --progress never --out "
	whole := filepath.Join(root, "whole")
	code, stdout, stderr := runCLI(strings.Fields(args + whole)...)
	if code != exitOK || !strings.Contains(stdout, "8 cells (8 run now") || stderr != "" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	for _, f := range []string{"results.csv", "results.json", "summary.md", "plots/wait_cdf.png"} {
		if _, err := os.Stat(filepath.Join(whole, f)); err != nil {
			t.Error(err)
		}
	}
	sharded := filepath.Join(root, "sharded")
	for i := 0; i < 2; i++ {
		withEnv(t, map[string]string{"JOB_COMPLETION_INDEX": string(rune('0' + i)), "SCHEDLAB_SHARDS": "2", "CI": "true"})
		code, stdout, stderr = runCLI(strings.Fields(args + sharded)...)
		if code != exitOK || !strings.Contains(stdout, "shard "+string(rune('0'+i))+"/2 done") {
			t.Fatalf("shard %d: exit %d\n%s\n%s", i, code, stdout, stderr)
		}
	}
	code, stdout, stderr = runCLI("bench", "merge", sharded)
	if code != exitOK || !strings.Contains(stdout, "merged 2 directories: 8 of 8 cells") {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(whole, "results.csv"))
	b, _ := os.ReadFile(filepath.Join(sharded, "results.csv"))
	if len(a) == 0 || strings.Count(string(a), "\n") != strings.Count(string(b), "\n") {
		t.Fatalf("merged results.csv has %d lines, unsharded %d", strings.Count(string(b), "\n"), strings.Count(string(a), "\n"))
	}
	// A merge with a shard missing reports it and exits 1.
	code, stdout, _ = runCLI("bench", "merge", "--out", filepath.Join(root, "partial"), filepath.Join(sharded, "shard-0000-of-0002"))
	if code != exitFail || !strings.Contains(stdout, "4 of 8 cells (0 failed, 4 missing)") {
		t.Fatalf("partial merge: exit %d %s", code, stdout)
	}
}

// A cell that fails on bad input (cli-tiny:jobs=bad) is recorded, the sweep goes
// on and its reports are written; the exit status is 2 (a cell that fails for
// another reason gives 1).
func TestBenchFailingCellExit2AndProgress(t *testing.T) {
	withEnv(t, nil)
	dir := t.TempDir()
	code, stdout, stderr := runCLI(strings.Fields("bench --workload cli-tiny:jobs=5 --workload cli-tiny:jobs=bad --cluster nodes=2,cpu=4000,mem=8192 --seeds 1 --progress always --out " + dir)...)
	if code != exitUsage || !strings.Contains(stdout, "1 failed") || !strings.Contains(stderr, "1 cell(s) failed on bad input") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "cell 1 (scheduler=monolithic,placer=bestfit,workload=cli-tiny:jobs=bad") || !strings.Contains(stderr, "cells") || !strings.Contains(stderr, "2/2") {
		t.Errorf("stderr lacks the failed cell or the progress bar:\n%q", stderr)
	}
}
