package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/bench"
)

// TestTraceSubcommandHelp: -h and --help on every trace subcommand print the
// usage and exit 0, as `run -h` does.
func TestTraceSubcommandHelp(t *testing.T) {
	for _, sub := range []string{"stats", "convert", "sample"} {
		for _, h := range []string{"-h", "--help"} {
			code, _, stderr := runCLI("trace", sub, h)
			if code != exitOK || !strings.Contains(stderr, "schedlab trace stats") {
				t.Errorf("trace %s %s: exit %d, stderr %q", sub, h, code, stderr)
			}
		}
	}
	if code, _, _ := runCLI("run", "-h"); code != exitOK {
		t.Errorf("run -h: exit %d", code)
	}
}

// TestBenchHelpNamesDefaultSeeds: the help of --seeds names the default the
// code uses (bench.DefaultSeeds).
func TestBenchHelpNamesDefaultSeeds(t *testing.T) {
	code, _, stderr := runCLI("bench", "--help")
	want := fmt.Sprintf("else %d)", bench.DefaultSeeds)
	if code != exitOK || !strings.Contains(stderr, want) {
		t.Fatalf("bench --help: exit %d, want %q in %q", code, want, stderr)
	}
}
