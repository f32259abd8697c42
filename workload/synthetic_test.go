package workload

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"io"
	"math"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// fingerprint hashes every described field of every job of src.
func fingerprint(t *testing.T, src scheduler.Source) (uint64, int) {
	t.Helper()
	h, n, err := hashStream(src)
	if err != nil {
		t.Fatal(err)
	}
	return h, n
}

// fingerprintOf is fingerprint for property tests (0 on error).
func fingerprintOf(src scheduler.Source) uint64 {
	h, _, err := hashStream(src)
	if err != nil {
		return 0
	}
	return h
}

func hashStream(src scheduler.Source) (uint64, int, error) {
	h := fnv.New64a()
	w := func(vs ...int64) {
		var b [8]byte
		for _, v := range vs {
			binary.LittleEndian.PutUint64(b[:], uint64(v))
			h.Write(b[:])
		}
	}
	n := 0
	for {
		j, err := src.Next()
		if err == io.EOF {
			return h.Sum64(), n, nil
		}
		if err != nil {
			return 0, n, err
		}
		n++
		w(int64(j.ID), int64(j.Submit), int64(j.Priority), int64(j.Class), int64(j.MinMember), int64(len(j.Tasks)), int64(len(j.Groups)))
		h.Write([]byte(j.Tenant))
		for _, g := range j.Groups {
			for _, a := range g.After {
				w(int64(a))
			}
		}
		for i := range j.Tasks {
			tk := &j.Tasks[i]
			w(int64(tk.Index), int64(tk.Group), int64(tk.Runtime), int64(tk.GPUCount), int64(tk.GPUMilli))
			w(tk.Request[:]...)
		}
	}
}

// everything turns on every feature of the generator.
func everything() Synthetic {
	c := DefaultSynthetic()
	c.Jobs = 3000
	c.Arrival = Arrival{Kind: Bursty, Rate: 1, BurstRate: 10, CalmMean: scheduler.Minute, BurstMean: 10 * scheduler.Second}
	c.TaskRuntimeSigma = 0.3
	c.PerTaskRequests = true
	c.GPUFraction = 0.3
	c.GPUShareFraction = 0.3
	c.GPUCount = Choice{Values: []int64{1, 2, 4, 8}}
	c.GPUShareMilli = UniformDist(100, 900)
	c.GangFraction = 0.2
	c.MinMemberFraction = 0.5
	c.DAGFraction = 0.2
	c.DAGStages = UniformDist(2, 6)
	c.ServiceFraction = 0.05
	c.Priority = Choice{Values: []int64{0, 5, 9}}
	c.Tenants = 4
	return c
}

func TestSameSeedGivesIdenticalStream(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Synthetic
	}{{"default", DefaultSynthetic()}, {"everything", everything()}, {"google2011", scaledGoogle(t, 0.002)}} {
		t.Run(c.name, func(t *testing.T) {
			gen := func(seed uint64) scheduler.Source {
				g, err := NewSynthetic(c.cfg, seed)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			a, n := fingerprint(t, gen(11))
			b, m := fingerprint(t, gen(11))
			if a != b || n != m {
				t.Fatalf("seed 11 twice: fingerprints %x (%d jobs) and %x (%d jobs)", a, n, b, m)
			}
			if d, _ := fingerprint(t, gen(12)); d == a {
				t.Fatalf("seeds 11 and 12 gave the same stream")
			}
		})
	}
}

func scaledGoogle(t *testing.T, scale float64) Synthetic {
	t.Helper()
	s := Google2011()
	c, _, err := s.Scaled(scale)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSyntheticStreamsInSubmitOrderAndStops(t *testing.T) {
	c := everything()
	g, err := NewSynthetic(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	var prev scheduler.Time
	n := 0
	for {
		j, err := g.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if j.Submit < prev {
			t.Fatalf("job %d at %v before %v", j.ID, j.Submit, prev)
		}
		prev = j.Submit
		if j.ID != scheduler.JobID(n) {
			t.Fatalf("job %d has ID %d", n, j.ID)
		}
		n++
	}
	if n != c.Jobs {
		t.Fatalf("%d jobs, want %d", n, c.Jobs)
	}
	if _, err := g.Next(); err != io.EOF {
		t.Fatalf("Next after EOF = %v", err)
	}
	// A horizon ends the stream early.
	c.Jobs = 0
	c.Horizon = 10 * scheduler.Minute
	g, _ = NewSynthetic(c, 1)
	n = 0
	for {
		j, err := g.Next()
		if err == io.EOF {
			break
		}
		if j.Submit >= c.Horizon {
			t.Fatalf("job at %v past the horizon", j.Submit)
		}
		n++
	}
	if n == 0 || n > 20000 {
		t.Fatalf("%d jobs before a 10-minute horizon", n)
	}
}

// collect draws every job of a generator.
func collect(t *testing.T, c Synthetic, seed uint64) []*scheduler.Job {
	t.Helper()
	g, err := NewSynthetic(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []*scheduler.Job
	for {
		j, err := g.Next()
		if err == io.EOF {
			return jobs
		}
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
}

func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f, want %.4f ± %.4f", what, got, want, tol)
	}
}

func TestSyntheticStatisticsConverge(t *testing.T) {
	c := everything()
	c.Jobs = 40000
	c.PerTaskRequests = false
	c.TaskRuntimeSigma = 0
	c.ServiceFraction = 0
	c.Runtime = LogNormalMedian(60, 1.5) // unclamped, to compare with its CDF
	c.CPU = LogNormalMedian(1000, 0.8)
	c.Mem = LogNormalMedian(2048, 0.9)
	c.CPUMemCorrelation = 0.6
	jobs := collect(t, c, 5)
	n := float64(len(jobs))
	var gangs, dags, gpu, share, mmOK float64
	var runtimes []float64
	var sx, sy, sxx, syy, sxy float64
	gpuCounts := map[int32]float64{}
	for _, j := range jobs {
		runtimes = append(runtimes, j.Tasks[0].Runtime.Seconds())
		x, y := math.Log(float64(j.Tasks[0].Request[scheduler.CPU])), math.Log(float64(j.Tasks[0].Request[scheduler.Memory]))
		sx, sy, sxx, syy, sxy = sx+x, sy+y, sxx+x*x, syy+y*y, sxy+x*y
		if j.MinMember > 0 {
			gangs++
			if want := int32(math.Ceil(0.5 * float64(len(j.Tasks)))); j.MinMember == want {
				mmOK++
			}
		}
		if len(j.Groups) > 0 {
			dags++
			checkDAG(t, j)
		}
		if tk := j.Tasks[0]; tk.GPUCount > 0 {
			gpu++
			if tk.GPUMilli < 1000 {
				share++
			} else {
				gpuCounts[tk.GPUCount]++
			}
		}
	}
	sd := func(p, m float64) float64 { return 4 * math.Sqrt(p*(1-p)/m) } // 4σ
	within(t, "gang fraction", gangs/n, 0.2, sd(0.2, n))
	if mmOK != gangs {
		t.Errorf("%v of %v gangs have MinMember = ⌈0.5 n⌉", mmOK, gangs)
	}
	// DAGs are drawn among non-gang jobs with ≥ 2 tasks.
	within(t, "DAG fraction", dags/n, 0.2*0.8*multiTaskFraction(jobs), sd(0.16, n)+0.01)
	within(t, "GPU fraction", gpu/n, 0.3, sd(0.3, n))
	within(t, "share fraction of GPU jobs", share/gpu, 0.3, sd(0.3, gpu))
	for _, k := range []int32{1, 2, 4, 8} {
		within(t, "whole-GPU count "+string(rune('0'+k)), gpuCounts[k]/(gpu-share), 0.25, sd(0.25, gpu-share))
	}
	// KS critical value at 1% for n = 40,000 is 1.63/√n ≈ 0.008; allow 0.01
	// (runtimes are rounded to the microsecond).
	if d := ksStatistic(runtimes, c.Runtime.CDF); d > 0.01 {
		t.Errorf("runtime KS distance %.4f > 0.01", d)
	}
	mx, my := sx/n, sy/n
	r := (sxy/n - mx*my) / math.Sqrt((sxx/n-mx*mx)*(syy/n-my*my))
	within(t, "CPU–memory log correlation", r, 0.6, 0.02)
}

func multiTaskFraction(jobs []*scheduler.Job) float64 {
	var m float64
	for _, j := range jobs {
		if len(j.Tasks) >= 2 {
			m++
		}
	}
	return m / float64(len(jobs))
}

// checkDAG verifies a DAG job: groups only wait on earlier groups, every group has
// tasks, and tasks' groups are in range.
func checkDAG(t *testing.T, j *scheduler.Job) {
	t.Helper()
	has := make([]bool, len(j.Groups))
	for i := range j.Tasks {
		g := j.Tasks[i].Group
		if g < 0 || int(g) >= len(j.Groups) {
			t.Fatalf("job %d task %d: group %d out of range", j.ID, i, g)
		}
		has[g] = true
	}
	for gi, g := range j.Groups {
		if !has[gi] {
			t.Fatalf("job %d: group %d has no task", j.ID, gi)
		}
		for _, a := range g.After {
			if int(a) >= gi {
				t.Fatalf("job %d: group %d waits on later group %d", j.ID, gi, a)
			}
		}
	}
	if j.MinMember > 0 {
		t.Fatalf("job %d is both a gang and a DAG", j.ID)
	}
}

func TestSyntheticValidateNamesTheField(t *testing.T) {
	cases := map[string]func(*Synthetic){
		"Jobs":              func(c *Synthetic) { c.Jobs = -1 },
		"endless":           func(c *Synthetic) { c.Jobs = 0 },
		"CPUMemCorrelation": func(c *Synthetic) { c.CPUMemCorrelation = 2 },
		"GangFraction":      func(c *Synthetic) { c.GangFraction = 1.5 },
		"Runtime":           func(c *Synthetic) { c.Runtime = Exp(-1) },
		"GPUCount":          func(c *Synthetic) { c.GPUFraction = 0.5; c.GPUCount = Choice{Values: []int64{100}} },
		"rate":              func(c *Synthetic) { c.Arrival.Rate = 0 },
		"Priority":          func(c *Synthetic) { c.Priority = Choice{Values: []int64{1, 2}, Weights: []float64{0, 0}} },
	}
	for name, mutate := range cases {
		c := DefaultSynthetic()
		mutate(&c)
		_, err := NewSynthetic(c, 1)
		if err == nil {
			t.Errorf("%s: invalid config accepted", name)
			continue
		}
		if name != "endless" && !containsFold(err.Error(), name) {
			t.Errorf("%s: error %q does not name the field", name, err)
		}
	}
	if _, err := NewSynthetic(DefaultSynthetic(), 1); err != nil {
		t.Fatal(err)
	}
	var d Dist
	d.Kind = DistKind(42)
	if err := d.Validate(); err == nil || errors.Is(err, ErrDistSyntax) {
		t.Errorf("unknown kind: %v", err)
	}
}

func containsFold(s, sub string) bool {
	ls, lsub := []rune(s), []rune(sub)
	for i := 0; i+len(lsub) <= len(ls); i++ {
		ok := true
		for k := range lsub {
			a, b := ls[i+k], lsub[k]
			if a|0x20 != b|0x20 {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func TestGangTasksSizesGangsOnly(t *testing.T) {
	c := DefaultSynthetic()
	c.Jobs = 4000
	c.Tasks = Const(1)
	c.GangFraction = 0.5
	c.GangTasks = UniformDist(2, 9) // rounded: 2..9
	var gangs int
	for _, j := range collect(t, c, 6) {
		n := len(j.Tasks)
		if j.MinMember > 0 {
			gangs++
			if n < 2 || n > 9 || int(j.MinMember) != n {
				t.Fatalf("gang with %d tasks, MinMember %d", n, j.MinMember)
			}
		} else if n != 1 {
			t.Fatalf("non-gang with %d tasks", n)
		}
	}
	within(t, "gang fraction", float64(gangs)/4000, 0.5, 4*math.Sqrt(0.25/4000))
	// Unset GangTasks leaves the stream exactly as before.
	a := DefaultSynthetic()
	b := DefaultSynthetic()
	b.GangTasks = Dist{}
	x, _ := NewSynthetic(a, 1)
	y, _ := NewSynthetic(b, 1)
	if fingerprintOf(x) != fingerprintOf(y) {
		t.Fatal("zero GangTasks changed the stream")
	}
}
