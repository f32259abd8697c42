package workload

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/schedlab/schedlab/scheduler"
)

// Inflation scales a workload, as Verma et al. (Borg, EuroSys'15) inflate a trace to
// measure how much more a cell could hold. A factor of 1 leaves that aspect alone.
type Inflation struct {
	// Arrivals multiplies the arrival rate: every submit time is divided by it, so
	// 2 packs the same jobs into half the time (twice the offered load).
	Arrivals float64
	// Tasks multiplies every job's task count. A fractional result is rounded up or
	// down at random with the matching probability, so the expected count is exact;
	// a job keeps at least one task, and a DAG job at least one task per group (a DAG
	// job that would lose a group is left unchanged). Added tasks copy the job's
	// tasks in turn; MinMember scales with the job (rounded up).
	Tasks float64
	// Requests multiplies every task's CPU and memory request (rounded; a non-zero
	// request stays ≥ 1). GPU requests are left alone: they are whole devices or
	// shares of one.
	Requests float64
}

// Validate reports a factor that is not a positive finite number.
func (f *Inflation) Validate() error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"Arrivals", f.Arrivals}, {"Tasks", f.Tasks}, {"Requests", f.Requests}} {
		if !(v.v > 0) || math.IsInf(v.v, 0) {
			return fmt.Errorf("workload: inflation %s = %g must be a positive number", v.name, v.v)
		}
	}
	return nil
}

// Inflated is a Source that inflates another (see Inflation).
type Inflated struct {
	src scheduler.Source
	f   Inflation
	rnd *rand.Rand
}

var _ scheduler.Source = (*Inflated)(nil)

// Inflate returns src inflated by f. The random rounding of task counts draws from a
// stream derived from seed.
func Inflate(src scheduler.Source, f Inflation, seed uint64) (*Inflated, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &Inflated{src: src, f: f, rnd: scheduler.NewRand(seed, "workload/inflate")}, nil
}

// Next returns the next inflated job.
func (s *Inflated) Next() (*scheduler.Job, error) {
	j, err := s.src.Next()
	if err != nil {
		return nil, err
	}
	if s.f.Arrivals != 1 {
		j.Submit = scheduler.Time(math.Round(float64(j.Submit) / s.f.Arrivals))
	}
	if s.f.Tasks != 1 && len(j.Tasks) > 0 {
		if x := float64(len(j.Tasks)) * s.f.Tasks; !(x <= MaxTasksPerJob) {
			return nil, fmt.Errorf("%w: inflation Tasks (size_scale) ×%g makes job %d %g tasks, more than MaxTasksPerJob (%d)", ErrLimit, s.f.Tasks, j.ID, x, MaxTasksPerJob)
		}
		s.resize(j)
	}
	if s.f.Requests != 1 {
		for i := range j.Tasks {
			r := &j.Tasks[i].Request
			for _, k := range []scheduler.Resource{scheduler.CPU, scheduler.Memory} {
				if r[k] > 0 {
					x := float64(r[k]) * s.f.Requests
					if !(x <= MaxRequest) {
						return nil, fmt.Errorf("%w: inflation Requests (request_scale) ×%g makes a request of job %d %g, more than MaxRequest (%d)", ErrLimit, s.f.Requests, j.ID, x, int64(MaxRequest))
					}
					r[k] = max(1, int64(math.Round(x)))
				}
			}
		}
	}
	return j, nil
}

// resize changes j's task count by the Tasks factor.
func (s *Inflated) resize(j *scheduler.Job) {
	n := len(j.Tasks)
	x := float64(n) * s.f.Tasks
	m := int(x)
	if s.rnd.Float64() < x-float64(m) {
		m++
	}
	m = max(1, m)
	if m == n {
		return
	}
	tasks := make([]scheduler.Task, m)
	if m > n {
		for i := range tasks {
			tasks[i] = j.Tasks[i%n]
		}
	} else {
		// Keep an evenly spread subset, so every part of the job stays represented.
		for i := range tasks {
			tasks[i] = j.Tasks[i*n/m]
		}
		if len(j.Groups) > 0 {
			seen := make([]bool, len(j.Groups))
			left := len(j.Groups)
			for i := range tasks {
				if g := tasks[i].Group; !seen[g] {
					seen[g] = true
					left--
				}
			}
			if left > 0 {
				return
			}
		}
	}
	for i := range tasks {
		tasks[i].Index = int32(i)
	}
	if j.MinMember > 0 {
		mm := int32(math.Ceil(float64(j.MinMember) * float64(m) / float64(n)))
		j.MinMember = max(1, min(mm, int32(m)))
	}
	j.Tasks = tasks
}

// Subsampled is a Source that keeps each job of another with a fixed probability.
type Subsampled struct {
	src  scheduler.Source
	frac float64
	rnd  *rand.Rand
}

var _ scheduler.Source = (*Subsampled)(nil)

// Subsample returns src keeping each job independently with probability frac in
// (0, 1], drawing from a stream derived from seed. Kept jobs are unchanged (their
// IDs and submit times too). A job that waits on another (Job.After) whose
// predecessor was dropped simply does not wait: the engine ignores unknown IDs.
func Subsample(src scheduler.Source, frac float64, seed uint64) (*Subsampled, error) {
	if !(frac > 0 && frac <= 1) {
		return nil, fmt.Errorf("workload: sub-sampling fraction %g must be in (0, 1]", frac)
	}
	return &Subsampled{src: src, frac: frac, rnd: scheduler.NewRand(seed, "workload/subsample")}, nil
}

// Next returns the next kept job.
func (s *Subsampled) Next() (*scheduler.Job, error) {
	for {
		j, err := s.src.Next()
		if err != nil {
			return nil, err
		}
		if s.frac == 1 || s.rnd.Float64() < s.frac {
			return j, nil
		}
	}
}
