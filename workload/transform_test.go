package workload

import (
	"io"
	"math"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func TestInflateScalesArrivalsSizesAndRequests(t *testing.T) {
	c := everything()
	c.Jobs = 6000
	base := collect(t, c, 2)
	g, _ := NewSynthetic(c, 2)
	inf, err := Inflate(g, Inflation{Arrivals: 2, Tasks: 2.5, Requests: 0.5}, 2)
	if err != nil {
		t.Fatal(err)
	}
	var before, after float64
	for i := 0; ; i++ {
		j, err := inf.Next()
		if err == io.EOF {
			if i != len(base) {
				t.Fatalf("%d jobs after inflation, want %d", i, len(base))
			}
			break
		}
		b := base[i]
		if want := scheduler.Time(math.Round(float64(b.Submit) / 2)); j.Submit != want {
			t.Fatalf("job %d submit %v, want %v", i, j.Submit, want)
		}
		before += float64(len(b.Tasks))
		after += float64(len(j.Tasks))
		if n := len(j.Tasks); n != int(2.5*float64(len(b.Tasks))) && n != int(2.5*float64(len(b.Tasks)))+1 {
			t.Fatalf("job %d: %d tasks from %d", i, n, len(b.Tasks))
		}
		if b.MinMember > 0 && (j.MinMember < 1 || int(j.MinMember) > len(j.Tasks)) {
			t.Fatalf("job %d: MinMember %d with %d tasks", i, j.MinMember, len(j.Tasks))
		}
		if len(j.Groups) > 0 {
			checkDAG(t, j)
		}
		for k := range j.Tasks {
			if int(j.Tasks[k].Index) != k {
				t.Fatalf("job %d task %d has index %d", i, k, j.Tasks[k].Index)
			}
		}
		bc, jc := b.Tasks[0].Request[scheduler.CPU], j.Tasks[0].Request[scheduler.CPU]
		if want := max(1, int64(math.Round(float64(bc)*0.5))); jc != want {
			t.Fatalf("job %d: CPU %d from %d, want %d", i, jc, bc, want)
		}
		if j.Tasks[0].Request[scheduler.GPU] != b.Tasks[0].Request[scheduler.GPU] {
			t.Fatalf("job %d: GPU request changed", i)
		}
	}
	within(t, "task inflation", after/before, 2.5, 0.02)
}

func TestInflateShrinksKeepingDAGGroups(t *testing.T) {
	c := DAGJobs()
	c.Jobs = 2000
	g, _ := NewSynthetic(c, 3)
	inf, err := Inflate(g, Inflation{Arrivals: 1, Tasks: 0.3, Requests: 1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for {
		j, err := inf.Next()
		if err == io.EOF {
			break
		}
		if len(j.Tasks) == 0 {
			t.Fatalf("job %d lost all its tasks", j.ID)
		}
		if len(j.Groups) > 0 {
			checkDAG(t, j)
		}
	}
	if _, err := Inflate(g, Inflation{Arrivals: 0, Tasks: 1, Requests: 1}, 1); err == nil {
		t.Error("zero arrival factor accepted")
	}
}

func TestSubsampleKeepsTheFraction(t *testing.T) {
	c := DefaultSynthetic()
	c.Jobs = 50000
	g, _ := NewSynthetic(c, 8)
	s, err := Subsample(g, 0.25, 8)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	prev := scheduler.JobID(-1)
	for {
		j, err := s.Next()
		if err == io.EOF {
			break
		}
		if j.ID <= prev {
			t.Fatalf("IDs out of order: %d after %d", j.ID, prev)
		}
		prev = j.ID
		n++
	}
	within(t, "kept fraction", float64(n)/50000, 0.25, 4*math.Sqrt(0.25*0.75/50000))
	for _, f := range []float64{0, -1, 1.5, math.NaN()} {
		if _, err := Subsample(g, f, 1); err == nil {
			t.Errorf("fraction %g accepted", f)
		}
	}
}
