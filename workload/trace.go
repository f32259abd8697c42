package workload

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/schedlab/schedlab/scheduler"
)

// NodeShape is one machine configuration of a cluster and how many machines have it.
type NodeShape struct {
	Capacity scheduler.Resources
	GPUs     int
	GPUModel string
	Count    int
}

// TraceShape is a workload fitted to a trace: its machine shapes and a Synthetic
// job model whose arrival rate, job count and horizon reproduce the trace's span.
// Scaled resizes it to any cluster size at the same per-machine load.
type TraceShape struct {
	Name string
	// Span is the length of the trace (and Model.Horizon).
	Span scheduler.Time
	// Machines are the node shapes, in a fixed order.
	Machines []NodeShape
	// Model generates the jobs. Its Jobs is the trace's job count, its Horizon the
	// Span and its arrival rate the trace's mean rate.
	Model Synthetic
	// Submits are the trace's own submit times, in order, when known (FitTrace
	// records them): ReplayArrivals switches the model to them.
	Submits []scheduler.Time
}

// ReplayArrivals makes the model submit its jobs at the trace's own submit times
// (Arrival kind Replay) instead of at the fitted mean rate, keeping the trace's
// burstiness and daily pattern. It fails when the shape has no recorded submits.
func (s *TraceShape) ReplayArrivals() error {
	if len(s.Submits) == 0 {
		return fmt.Errorf("workload: trace shape %s has no recorded submit times to replay", s.Name)
	}
	s.Model.Arrival = Arrival{Kind: Replay, Times: s.Submits}
	return nil
}

// MachineCount returns the number of machines over all shapes.
func (s *TraceShape) MachineCount() int {
	n := 0
	for _, m := range s.Machines {
		n += m.Count
	}
	return n
}

// Scaled returns the job model and the nodes of the shape scaled by factor: factor
// × as many machines (each shape's count rounded by largest remainder, ties to the
// first shape), arriving at factor × the rate, factor × as many jobs, over the same
// span — the same load per machine. Factor 1 is the trace's own size. Nodes are
// named "<name>-NNNNNN" and fall into failure domains of 40 consecutive machines
// ("<name>-rackNNNN", a choice of schedlab).
func (s *TraceShape) Scaled(factor float64) (Synthetic, []scheduler.Node, error) {
	if !(factor > 0) || math.IsInf(factor, 0) {
		return Synthetic{}, nil, fmt.Errorf("workload: trace shape %s: scale %g must be > 0", s.Name, factor)
	}
	if err := nodeCount(math.Round(float64(s.MachineCount())*factor), "trace shape "+s.Name+" scaled ×"+strconv.FormatFloat(factor, 'g', -1, 64)+" (scale)"); err != nil {
		return Synthetic{}, nil, err
	}
	if x := float64(s.Model.Jobs) * factor; !(x <= math.MaxInt32) {
		return Synthetic{}, nil, fmt.Errorf("%w: trace shape %s scaled ×%g (scale): %g jobs", ErrLimit, s.Name, factor, x)
	}
	m := s.Model
	m.Jobs = int(math.Round(float64(m.Jobs) * factor))
	if m.Jobs < 1 {
		m.Jobs = 1
	}
	switch m.Arrival.Kind {
	case Bursty:
		m.Arrival.Rate *= factor
		m.Arrival.BurstRate *= factor
	case Poisson, Diurnal:
		m.Arrival.Rate *= factor
	case Replay:
		// Arrival i of the scaled stream is the trace's arrival ⌊i/factor⌋: each
		// time repeated about factor times (factor > 1) or every 1/factor-th kept.
		if factor != 1 && len(m.Arrival.Times) > 0 {
			src := m.Arrival.Times
			n := max(1, int(math.Round(float64(len(src))*factor)))
			times := make([]scheduler.Time, n)
			for i := range times {
				times[i] = src[min(len(src)-1, int(float64(i)/factor))]
			}
			m.Arrival.Times = times
		}
		m.Jobs = min(m.Jobs, len(m.Arrival.Times))
	}
	total := s.MachineCount()
	want := int(math.Round(float64(total) * factor))
	counts := make([]int, len(s.Machines))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(s.Machines))
	got := 0
	for i, sh := range s.Machines {
		exact := float64(sh.Count) * float64(want) / float64(total)
		counts[i] = int(exact)
		got += counts[i]
		rems[i] = rem{i, exact - float64(counts[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool {
		if rems[a].r != rems[b].r {
			return rems[a].r > rems[b].r
		}
		return rems[a].i < rems[b].i
	})
	for k := 0; got < want && len(rems) > 0; k = (k + 1) % len(rems) {
		counts[rems[k].i]++
		got++
	}
	nodes := make([]scheduler.Node, 0, want)
	for i, sh := range s.Machines {
		for range counts[i] {
			id := len(nodes)
			nodes = append(nodes, scheduler.Node{
				ID:       scheduler.NodeID(id),
				Name:     fmt.Sprintf("%s-%06d", s.Name, id),
				Capacity: sh.Capacity,
				GPUs:     sh.GPUs,
				GPUModel: sh.GPUModel,
				Domain:   fmt.Sprintf("%s-rack%04d", s.Name, id/40),
			})
		}
	}
	return m, nodes, m.Validate()
}

// Google2011 machine units: the trace normalises capacity so that the largest
// machine is 1.0; schedlab maps 1.0 to these amounts (a choice; the trace does not
// publish absolute sizes).
const (
	Google2011CPU = 32000  // milli-cores per normalised CPU unit
	Google2011Mem = 131072 // MiB per normalised memory unit
)

// Google2011 returns a trace shape of the Google clusterdata-2011-2 cell.
//
// Published numbers (TRACES.md, from independent full-trace analyses): 29 days,
// 672,004 jobs and 25,424,731 tasks (37.8 tasks per job), 12,583 machines, priorities
// 0–11. The machine shapes are the ten (CPU, memory) configurations of the 2011 cell
// with their published shares (53.47% 0.5/0.5, 30.74% 0.5/0.25, 7.95% 0.5/0.75, 6.32%
// 1/1, 0.99% 0.25/0.25, 0.43% 0.5/0.12, 0.04% 0.5/0.03, 0.03% 0.5/0.97, 0.02% 1/0.5,
// 0.01% 0.5/0.06), rounded to 12,583 machines.
//
// Chosen by schedlab to resemble the published qualitative findings (Reiss et al.,
// SoCC'12: most jobs are small and short, a few are huge or long-running services):
// tasks per job empirical (60% of jobs have one task, p80 5, p90 20, p95 60, p98
// 300, p99.5 1,500, max 4,300; mean ≈ 37.9, matching the published ratio); runtimes
// lognormal with median 15 min (σ 1.8, 10 s..29 days) with a per-task spread σ 0.3;
// 0.1% of jobs are services that run to the end; normalised CPU requests empirical
// (p0 0.001, p25 0.0125, p50 0.025, p75 0.0625, p90 0.125, p99 0.25, max 0.5) and
// memory (p0 0.0005, p25 0.006, p50 0.0155, p75 0.03, p90 0.06, p99 0.17, max 0.5)
// with copula correlation 0.5; priorities 0 (free, 25%), 2–8 (batch, 55%) and 9–11
// (production, 20%); a diurnal arrival rate with amplitude 0.3 peaking at 14:00.
// No gangs (Borg jobs are not gangs). With these choices the offered CPU load is
// about 37% of capacity from batch work plus services accumulating to about 20% by
// the end of the span.
func Google2011() TraceShape {
	const machines = 12583
	shares := []struct {
		cpu, mem, pct float64
	}{
		{0.5, 0.5, 53.47}, {0.5, 0.25, 30.74}, {0.5, 0.75, 7.95}, {1, 1, 6.32}, {0.25, 0.25, 0.99},
		{0.5, 0.12, 0.43}, {0.5, 0.03, 0.04}, {0.5, 0.97, 0.03}, {1, 0.5, 0.02}, {0.5, 0.06, 0.01},
	}
	shapes := make([]NodeShape, len(shares))
	assigned := 0
	for i, s := range shares {
		c := int(math.Round(s.pct / 100 * machines))
		if c < 1 {
			c = 1
		}
		shapes[i] = NodeShape{Capacity: scheduler.Res(int64(s.cpu*Google2011CPU), int64(s.mem*Google2011Mem), 0), Count: c}
		assigned += c
	}
	shapes[0].Count += machines - assigned // rounding residue to the commonest shape
	span := 29 * scheduler.Day
	const jobs = 672004
	cpu := func(f float64) float64 { return f * Google2011CPU }
	mem := func(f float64) float64 { return f * Google2011Mem }
	m := Synthetic{
		Jobs:    jobs,
		Horizon: span,
		Arrival: Arrival{Kind: Diurnal, Rate: jobs / span.Seconds(), Amplitude: 0.3, Period: scheduler.Day, Peak: 14 * scheduler.Hour},
		Tasks: EmpiricalDist([]float64{0, 0.6, 0.8, 0.9, 0.95, 0.98, 0.995, 1},
			[]float64{1, 1, 5, 20, 60, 300, 1500, 4300}),
		Runtime:          LogNormalMedian(900, 1.8).Clamp(10, span.Seconds()),
		TaskRuntimeSigma: 0.3,
		CPU: EmpiricalDist([]float64{0, 0.25, 0.5, 0.75, 0.9, 0.99, 1},
			[]float64{cpu(0.001), cpu(0.0125), cpu(0.025), cpu(0.0625), cpu(0.125), cpu(0.25), cpu(0.5)}),
		Mem: EmpiricalDist([]float64{0, 0.25, 0.5, 0.75, 0.9, 0.99, 1},
			[]float64{mem(0.0005), mem(0.006), mem(0.0155), mem(0.03), mem(0.06), mem(0.17), mem(0.5)}),
		CPUMemCorrelation: 0.5,
		GPUCount:          Choice{Values: []int64{1}},
		GPUShareMilli:     Const(500),
		MinMemberFraction: 1,
		DAGStages:         Const(2),
		Priority: Choice{Values: []int64{0, 2, 4, 6, 8, 9, 10, 11},
			Weights: []float64{25, 20, 15, 10, 10, 12, 6, 2}},
		ServiceFraction: 0.001,
		ServiceRuntime:  Const(1e15),
	}
	return TraceShape{Name: "google2011", Span: span, Machines: shapes, Model: m}
}

// logHist is a histogram on a logarithmic scale (bins 1% wide) with exact minimum
// and maximum, for quantiles of positive quantities spanning many decades.
type logHist struct {
	zero     int64
	bins     map[int32]int64
	n        int64
	min, max float64
}

const logHistBase = 1.01

func newLogHist() *logHist {
	return &logHist{bins: map[int32]int64{}, min: math.Inf(1), max: math.Inf(-1)}
}

func (h *logHist) add(v float64) {
	h.n++
	h.min = math.Min(h.min, v)
	h.max = math.Max(h.max, v)
	if v <= 0 {
		h.zero++
		return
	}
	h.bins[int32(math.Floor(math.Log(v)/math.Log(logHistBase)))]++
}

// quantiles returns the values at probs (which must start at 0 and end at 1), as a
// non-decreasing sequence clamped to [min, max].
func (h *logHist) quantiles(probs []float64) []float64 {
	keys := make([]int32, 0, len(h.bins))
	for k := range h.bins {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	out := make([]float64, len(probs))
	for i, p := range probs {
		switch {
		case p <= 0:
			out[i] = h.min
			continue
		case p >= 1:
			out[i] = h.max
			continue
		}
		target := p * float64(h.n)
		acc := float64(h.zero)
		v := 0.0
		if acc < target {
			for _, k := range keys {
				c := float64(h.bins[k])
				if acc+c >= target {
					// interpolate geometrically within the bin
					f := (target - acc) / c
					v = math.Pow(logHistBase, float64(k)+f)
					break
				}
				acc += c
			}
		}
		out[i] = math.Min(h.max, math.Max(h.min, v))
	}
	for i := 1; i < len(out); i++ {
		out[i] = math.Max(out[i], out[i-1])
	}
	return out
}

// FitProbs are the probabilities at which FitTrace records each empirical
// distribution's quantiles.
var FitProbs = []float64{0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1}

// FitTrace reads every job of src (a trace reader, or any Source) and returns the
// trace shape that reproduces its statistics: empirical distributions (quantiles at
// FitProbs, 1%-wide log bins) of tasks per job, job runtime (the mean of the job's
// task runtimes), CPU and memory request (of each job's first task), the within-job
// runtime spread (pooled log standard deviation), the CPU–memory correlation (Pearson
// on logs, the Gaussian-copula parameter for lognormal marginals), the fractions of
// gangs (with the mean MinMember fraction), GPU jobs, DAG jobs and services, the
// priority mix, and Poisson arrivals at the mean rate over the span of submit times;
// the submit times themselves are kept in Submits for ReplayArrivals. Tasks with an
// unbounded runtime (Forever or negative) mark their job a service. machines are
// grouped into shapes (capacity, GPUs, model), in order of first appearance.
// Memory: the jobs are streamed; what is kept is O(distinct values) for the
// histograms plus 8 bytes per job for Submits.
func FitTrace(name string, src scheduler.Source, machines []scheduler.Node) (*TraceShape, error) {
	f := newTraceFit()
	for {
		j, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("workload: fit %s: %w", name, err)
		}
		f.add(j)
	}
	if f.jobs == 0 {
		return nil, fmt.Errorf("workload: fit %s: the source has no jobs with tasks", name)
	}
	m, span := f.model()
	ts := &TraceShape{Name: name, Span: span, Machines: machineShapes(machines), Model: m, Submits: f.submits}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("workload: fit %s: fitted model is invalid: %w", name, err)
	}
	return ts, nil
}

// traceFit accumulates what FitTrace measures, one job at a time.
type traceFit struct {
	tasks, runtime, cpu, mem, share                 *logHist
	jobs, gangs, gpuJobs, shareJobs, dags, services int
	mmFrac, dev2                                    float64 // MinMember fractions; squared log-runtime deviations
	devN                                            int64
	first, last                                     scheduler.Time
	sx, sy, sxx, syy, sxy                           float64 // log CPU (x) and log memory (y) sums
	nxy                                             int
	prios, gpuCounts                                map[int64]int
	submits                                         []scheduler.Time
}

func newTraceFit() *traceFit {
	return &traceFit{tasks: newLogHist(), runtime: newLogHist(), cpu: newLogHist(), mem: newLogHist(), share: newLogHist(),
		prios: map[int64]int{}, gpuCounts: map[int64]int{}}
}

// add counts job j (a job without tasks is skipped).
func (f *traceFit) add(j *scheduler.Job) {
	if len(j.Tasks) == 0 {
		return
	}
	if f.jobs == 0 {
		f.first = j.Submit
	}
	f.last = j.Submit
	f.submits = append(f.submits, j.Submit)
	f.jobs++
	f.tasks.add(float64(len(j.Tasks)))
	f.prios[int64(j.Priority)]++
	if j.MinMember > 0 {
		f.gangs++
		f.mmFrac += float64(j.MinMember) / float64(len(j.Tasks))
	}
	if len(j.Groups) > 0 {
		f.dags++
	}
	f.addRequest(&j.Tasks[0])
	f.addRuntimes(j)
}

// addRequest counts the request of a job's first task.
func (f *traceFit) addRequest(t0 *scheduler.Task) {
	c, m := float64(t0.Request[scheduler.CPU]), float64(t0.Request[scheduler.Memory])
	f.cpu.add(c)
	f.mem.add(m)
	if c > 0 && m > 0 {
		x, y := math.Log(c), math.Log(m)
		f.sx, f.sy, f.sxx, f.syy, f.sxy = f.sx+x, f.sy+y, f.sxx+x*x, f.syy+y*y, f.sxy+x*y
		f.nxy++
	}
	if g := t0.Request[scheduler.GPU]; g > 0 {
		f.gpuJobs++
		if g < 1000 {
			f.shareJobs++
			f.share.add(float64(g))
		} else {
			f.gpuCounts[g/1000]++
		}
	}
}

// addRuntimes counts a job's runtimes: a service (by class, or a task with an
// unbounded runtime), or the mean runtime and the within-job log spread.
func (f *traceFit) addRuntimes(j *scheduler.Job) {
	service := j.Class == scheduler.Service
	var sumLog, sum float64
	var n int
	for i := range j.Tasks {
		r := j.Tasks[i].Runtime
		if r < 0 || r == scheduler.Forever {
			service = true
			continue
		}
		s := math.Max(r.Seconds(), 1e-6)
		sum += s
		sumLog += math.Log(s)
		n++
	}
	if service {
		f.services++
		return
	}
	f.runtime.add(sum / float64(n))
	if n >= 2 {
		mean := sumLog / float64(n)
		for i := range j.Tasks {
			d := math.Log(math.Max(j.Tasks[i].Runtime.Seconds(), 1e-6)) - mean
			f.dev2 += d * d
		}
		f.devN += int64(n - 1)
	}
}

// empirical returns h's distribution at FitProbs (a constant when it has one value).
func empirical(h *logHist) Dist {
	if h.n == 0 {
		return Const(0)
	}
	q := h.quantiles(FitProbs)
	if q[0] == q[len(q)-1] {
		return Const(q[0])
	}
	return EmpiricalDist(FitProbs, q)
}

// model returns the fitted synthetic model and the span of submit times.
func (f *traceFit) model() (Synthetic, scheduler.Time) {
	jobs := f.jobs
	span := f.last - f.first
	rate := 1.0
	if span > 0 {
		rate = float64(jobs-1) / span.Seconds()
	} else {
		span = scheduler.Second
	}
	m := Synthetic{
		Jobs:              jobs,
		Horizon:           f.first + span + 1,
		Arrival:           Arrival{Kind: Poisson, Rate: rate, Start: f.first},
		Tasks:             empirical(f.tasks),
		Runtime:           empirical(f.runtime),
		CPU:               empirical(f.cpu),
		Mem:               empirical(f.mem),
		GPUCount:          Choice{Values: []int64{1}},
		GPUShareMilli:     Const(500),
		GangFraction:      float64(f.gangs) / float64(jobs),
		MinMemberFraction: 1,
		DAGFraction:       float64(f.dags) / float64(jobs),
		DAGStages:         Const(3),
		ServiceFraction:   float64(f.services) / float64(jobs),
		ServiceRuntime:    Const(1e15),
		Priority:          choiceOf(f.prios),
		GPUFraction:       float64(f.gpuJobs) / float64(jobs),
	}
	if f.runtime.n == 0 {
		m.Runtime = Const(1)
	}
	if f.gangs > 0 {
		m.MinMemberFraction = f.mmFrac / float64(f.gangs)
	}
	if f.devN > 0 {
		m.TaskRuntimeSigma = math.Sqrt(f.dev2 / float64(f.devN))
	}
	if f.nxy >= 2 {
		n := float64(f.nxy)
		vx, vy := f.sxx/n-(f.sx/n)*(f.sx/n), f.syy/n-(f.sy/n)*(f.sy/n)
		if vx > 0 && vy > 0 {
			r := (f.sxy/n - (f.sx/n)*(f.sy/n)) / math.Sqrt(vx*vy)
			m.CPUMemCorrelation = math.Max(-1, math.Min(1, r))
		}
	}
	if f.gpuJobs > 0 {
		m.GPUShareFraction = float64(f.shareJobs) / float64(f.gpuJobs)
		if f.shareJobs > 0 {
			m.GPUShareMilli = empirical(f.share)
		}
		if len(f.gpuCounts) > 0 {
			m.GPUCount = choiceOf(f.gpuCounts)
		}
	}
	return m, span
}

// machineShapes groups machines into shapes (capacity, GPUs, model) in order of
// first appearance.
func machineShapes(machines []scheduler.Node) []NodeShape {
	type key struct {
		c     scheduler.Resources
		gpus  int
		model string
	}
	index := map[key]int{}
	var shapes []NodeShape
	for i := range machines {
		n := &machines[i]
		k := key{n.Capacity, n.GPUs, n.GPUModel}
		if at, ok := index[k]; ok {
			shapes[at].Count++
			continue
		}
		index[k] = len(shapes)
		shapes = append(shapes, NodeShape{Capacity: n.Capacity, GPUs: n.GPUs, GPUModel: n.GPUModel, Count: 1})
	}
	return shapes
}

// choiceOf returns the categorical distribution of counted values, sorted by value.
func choiceOf(counts map[int64]int) Choice {
	if len(counts) == 0 {
		return Choice{Values: []int64{0}}
	}
	var c Choice
	for v := range counts {
		c.Values = append(c.Values, v)
	}
	sort.Slice(c.Values, func(a, b int) bool { return c.Values[a] < c.Values[b] })
	for _, v := range c.Values {
		c.Weights = append(c.Weights, float64(counts[v]))
	}
	return c
}

// errNoNodes is returned when a trace shape has no machines to scale.
var errNoNodes = errors.New("workload: trace shape has no machines")

// Nodes returns the nodes of the shape at its own size.
func (s *TraceShape) Nodes() ([]scheduler.Node, error) {
	if s.MachineCount() == 0 {
		return nil, errNoNodes
	}
	_, nodes, err := s.Scaled(1)
	return nodes, err
}
