package schedtest

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// Counterexamples saved under testdata/ are regression tests: the correct policies
// pass them, and the broken ones that produced them still fail them.

func TestReplaySavedCounterexamples(t *testing.T) {
	firstFit := PlacerFactory(func() scheduler.Placer { return scheduler.ScanFirstFit{} })
	cases := []struct {
		path   string
		broken Factory
		want   string
	}{
		{"testdata/partial-gang.json", PlacerFactory(func() scheduler.Placer { return partialGang{} }), "partial gang"},
		{"testdata/hoarding-blocks-a-job.json", SchedulerFactory(func() scheduler.Scheduler { return &fifo{bug: hoardGangs} }), "still pending"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			Replay(t, c.path, firstFit)
			Replay(t, c.path, SchedulerFactory(func() scheduler.Scheduler { return &fifo{} }))
			if msg := replay(c.path, c.broken); !strings.Contains(msg, c.want) {
				t.Errorf("the broken policy passes its own counterexample (got %q, want %q)", msg, c.want)
			}
		})
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	for _, bad := range []string{`{`, `{"schedtest":"scenario/v9","scenario":{}}`, `{"nodes":[],"jobs":[],"bogus":1}`} {
		if _, err := parseFile([]byte(bad)); err == nil {
			t.Errorf("parseFile(%s) accepted bad input", bad)
		}
	}
	if _, _, err := Load("testdata/no-such-file.json"); err == nil || !strings.Contains(err.Error(), "no-such-file") {
		t.Errorf("Load of a missing file: %v", err)
	}
	sc, _, err := Load("testdata/partial-gang.json")
	if err != nil || len(sc.Jobs) != 1 || sc.Jobs[0].MinMember != 2 {
		t.Errorf("Load: %v %+v", err, sc)
	}
}

func TestLoadNamesTheLine(t *testing.T) {
	_, err := parseFile([]byte("{\n  \"nodes\": [\n    {\"cpu\": \"many\"}\n  ],\n  \"jobs\": []\n}\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "cpu") {
		t.Errorf("want an error naming line 3 and the cpu field, got %v", err)
	}
}

func TestSavedFileRoundTrips(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for i := 0; i < 200; i++ {
		sc := GenScenario(r, Shape{})
		f := &file{Policy: "p", Property: "safety: x", GenSeed: 9, Violation: "v \"quoted\"\nline", Checks: Checks{GangAtomic: true}, Scenario: sc}
		got, err := parseFile(marshalFile(f))
		if err != nil {
			t.Fatalf("%v\n%s", err, marshalFile(f))
		}
		if len(got.Scenario.Jobs) == 0 && len(sc.Jobs) == 0 {
			got.Scenario.Jobs = sc.Jobs // null and [] are the same workload
		}
		if !reflect.DeepEqual(got.Scenario, sc) {
			t.Fatalf("round trip changed the scenario:\n%s\n%s", sc, got.Scenario)
		}
		if got.Checks != f.Checks || got.Violation != f.Violation {
			t.Fatalf("round trip changed the header: %+v", got)
		}
	}
}
