package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReproduceUsage: bad flags and selections exit 2 naming the flag; -h exits 0.
func TestReproduceUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"reproduce", "--format", "xml"}, exitUsage, `--format: unknown format "xml"`},
		{[]string{"reproduce", "--only", "nosuch"}, exitUsage, `--only: no claim id starts with "nosuch" (valid: `},
		{[]string{"reproduce", "--list", "--only", "nosuch"}, exitUsage, `--only: no claim id starts with "nosuch"`},
		{[]string{"reproduce", "--parallel", "-1"}, exitUsage, "--parallel"},
		{[]string{"reproduce", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"reproduce", "-h"}, exitOK, "usage: schedlab reproduce"},
	} {
		code, _, stderr := runCLI(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

// TestReproduceList: --list names every claim with its scenarios, without running.
func TestReproduceList(t *testing.T) {
	code, stdout, stderr := runCLI("reproduce", "--list")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, id := range []string{"omega-V1", "omega-V10", "mesos-V3", "mesos-V11", "mesos-V12", "fgd-table"} {
		if !strings.Contains(stdout, id+" ") {
			t.Errorf("--list lacks %s:\n%s", id, stdout)
		}
	}
}

// TestReproduceJSON: one cheap claim as JSON has the documented keys and a
// computed verdict; --reports writes the scenario's report; --out writes the file.
func TestReproduceJSON(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "board.json")
	code, _, stderr := runCLI("reproduce", "--quick", "--only", "mesos-V12", "--format", "json", "--out", out, "--reports", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0]["id"] != "mesos-V12" {
		t.Fatalf("rows: %s", b)
	}
	for _, k := range []string{"id", "source", "claim", "paper", "measured", "tolerance", "verdict", "checks"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("row lacks %q", k)
		}
	}
	if v := rows[0]["verdict"]; v != "reproduced" {
		t.Errorf("mesos-V12 verdict %v", v)
	}
	rep, err := os.ReadFile(filepath.Join(dir, "mesos-offer-starvation_horizon=10m", "mesos_offer_starvation.md"))
	if err != nil || !strings.Contains(string(rep), "**mesos-V12 — reproduced**") {
		t.Errorf("--reports: %v\n%s", err, rep)
	}
}

// TestReproduceNotRunExits1: a claim whose input is missing is reported and the
// command exits 1.
func TestReproduceNotRunExits1(t *testing.T) {
	t.Setenv("SCHEDLAB_OPENB", t.TempDir())
	code, stdout, stderr := runCLI("reproduce", "--quick", "--only", "fgd-ranking")
	if code != exitFail || !strings.Contains(stderr, "fgd-ranking not run") || !strings.Contains(stdout, "1 not run") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}
