package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileFlags checks that run and bench write a CPU profile, an allocation
// profile and an execution trace that the go tool reads (gzip-compressed pprof
// protocol buffers, and a trace file's header), and that a file that cannot be
// created is a usage error naming its flag, before anything runs.
func TestProfileFlags(t *testing.T) {
	d := t.TempDir()
	files := func(prefix string) (cpu, mem, tr string) {
		return filepath.Join(d, prefix+".cpu"), filepath.Join(d, prefix+".mem"), filepath.Join(d, prefix+".trace")
	}
	check := func(cpu, mem, tr string) {
		t.Helper()
		for _, f := range []string{cpu, mem} {
			b, err := os.ReadFile(f)
			if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
				t.Errorf("%s: not a gzip-compressed profile (%d bytes, %v)", f, len(b), err)
			}
		}
		b, err := os.ReadFile(tr)
		if err != nil || !bytes.HasPrefix(b, []byte("go 1.")) {
			t.Errorf("%s: not an execution trace (%v)", tr, err)
		}
	}
	cpu, mem, tr := files("run")
	if code, _, e := runCLI(strings.Fields("run " + tinyRun + " --cpuprofile " + cpu + " --memprofile " + mem + " --trace " + tr)...); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, e)
	}
	check(cpu, mem, tr)
	cpu, mem, tr = files("bench")
	args := "bench --workload cli-tiny --cluster nodes=4,cpu=4000,mem=8192 --seeds 1 --progress never --out " + filepath.Join(d, "sweep") +
		" --cpuprofile " + cpu + " --memprofile " + mem + " --trace " + tr
	if code, _, e := runCLI(strings.Fields(args)...); code != exitOK {
		t.Fatalf("bench: exit %d: %s", code, e)
	}
	check(cpu, mem, tr)

	bad := filepath.Join(d, "no", "such", "dir", "f")
	for _, cmd := range []string{"run " + tinyRun, "bench --workload cli-tiny --out " + filepath.Join(d, "sweep2")} {
		for _, fl := range []string{"cpuprofile", "memprofile", "trace"} {
			code, _, e := runCLI(strings.Fields(cmd + " --" + fl + " " + bad)...)
			if code != exitUsage || !strings.Contains(e, "--"+fl+": open "+bad) {
				t.Errorf("%s --%s to a missing directory: exit %d, stderr %q; want 2 naming the flag", strings.Fields(cmd)[0], fl, code, e)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(d, "sweep2")); err == nil {
		t.Error("bench ran although a profile file could not be created")
	}
}
