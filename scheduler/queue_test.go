package scheduler

import (
	"math"
	"slices"
	"testing"
)

func TestRankOrder(t *testing.T) {
	// In queue order: priority high first, then time, then tie, then seq.
	want := []Rank{
		{Priority: 5, Time: 9, Tie: 9, Seq: 9},
		{Priority: 1, Time: 1, Tie: 2, Seq: 1},
		{Priority: 1, Time: 2, Tie: 0, Seq: 0},
		{Priority: 1, Time: 2, Tie: 1, Seq: 0},
		{Priority: 1, Time: 2, Tie: 1, Seq: 3},
		{Priority: -3, Time: 0, Tie: 0, Seq: 0},
		{Priority: math.MinInt32, Time: 0, Tie: 0, Seq: 0},
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortFunc(got, Rank.Compare)
	if !slices.Equal(got, want) {
		t.Fatalf("sorted %v, want %v", got, want)
	}
	for i, r := range want {
		if r.Compare(r) != 0 {
			t.Errorf("%v.Compare(itself) = %d", r, r.Compare(r))
		}
		if i > 0 && (want[i-1].Compare(r) >= 0 || r.Compare(want[i-1]) <= 0) {
			t.Errorf("%v and %v compare out of order", want[i-1], r)
		}
	}
	// Extreme priorities compare without overflow.
	if (Rank{Priority: math.MaxInt32}).Compare(Rank{Priority: math.MinInt32}) >= 0 {
		t.Error("MaxInt32 priority does not come first")
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: Second, Max: 10 * Second}
	for _, c := range []struct {
		attempts int32
		size     int
		want     Time
	}{
		{0, 1, 0}, {1, 1, Second}, {2, 1, 2 * Second}, {4, 1, 8 * Second}, {5, 1, 10 * Second}, {40, 1, 10 * Second},
		// A gang of 4: the maximum scales by √4 = 2.
		{5, 4, 16 * Second}, {6, 4, 20 * Second}, {60, 4, 20 * Second},
	} {
		if got := b.Delay(c.attempts, c.size); got != c.want {
			t.Errorf("Delay(%d, %d) = %v, want %v", c.attempts, c.size, got, c.want)
		}
	}
	if got := (Backoff{Initial: Second, Max: -1}).Delay(3, 1); got != 0 {
		t.Errorf("disabled backoff: Delay = %v, want 0", got)
	}
	if got := (Backoff{Initial: 4 * Second, Max: Second}).Delay(1, 1); got != Second {
		t.Errorf("Max below Initial: Delay = %v, want Max", got)
	}
}

func TestBackoffRetry(t *testing.T) {
	b := Backoff{Initial: Second, Max: 10 * Second, FlushAfter: Minute}
	var r Retry
	if r.Failed() {
		t.Fatal("zero Retry has failed")
	}
	b.Fail(&r, 100*Second, 1)
	b.Fail(&r, 200*Second, 1)
	if !r.Failed() || r.Attempts != 2 || r.Since != 200*Second || r.NotBefore != 202*Second {
		t.Fatalf("after two failures: %+v", r)
	}
	if b.Expired(&r, 202*Second-1) || !b.Expired(&r, 202*Second) {
		t.Error("Expired is not now >= NotBefore")
	}
	if b.FlushAt(&r) != 260*Second || b.Flushed(&r, 260*Second-1) || !b.Flushed(&r, 260*Second) {
		t.Error("the flush is not due FlushAfter after the last failure")
	}
}
