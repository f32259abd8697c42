package bench

import (
	"slices"

	"github.com/schedlab/schedlab/scheduler"
	"gonum.org/v1/gonum/stat"
)

// Detail holds per-run curves that the Result does not carry, collected by
// RunDetailed for a sweep's plots.
type Detail struct {
	// JobWaitQuantiles are the job wait times (submit → first task running, simulated
	// seconds) at quantiles 0, 1, ..., 100 %: 101 values, empty when no job started.
	JobWaitQuantiles []float64 `json:"job_wait_quantiles,omitempty"`
	// ArrivedGPU is, for each Result.Series sample, the GPU demand submitted so far
	// (sum of task GPU requests) as a fraction of the initial cluster's GPU capacity;
	// empty when the cluster has no GPU or no series was sampled.
	ArrivedGPU []float64 `json:"arrived_gpu,omitempty"`
}

// detailObserver collects a Detail from a run's transitions, passing every record
// on to next.
type detailObserver struct {
	next    scheduler.Observer
	started map[scheduler.JobID]struct{}
	waits   []float64
	times   []scheduler.Time // distinct submit times, ascending
	cum     []int64          // GPU milli requested up to and including times[i]
	gpu     int64
}

func (d *detailObserver) Observe(e scheduler.Record) {
	if d.next != nil {
		d.next.Observe(e)
	}
	t := e.Task
	if t == nil || t.Job == nil {
		return
	}
	switch e.What {
	case "start":
		j := t.Job
		if j.Started == e.Time {
			if _, ok := d.started[j.ID]; !ok {
				d.started[j.ID] = struct{}{}
				d.waits = append(d.waits, (e.Time - j.Submit).Seconds())
			}
		}
	case "submit":
		if g := t.Request[scheduler.GPU]; g > 0 || len(d.times) == 0 {
			d.gpu += g
			if n := len(d.times); n > 0 && d.times[n-1] == e.Time {
				d.cum[n-1] = d.gpu
			} else {
				d.times = append(d.times, e.Time)
				d.cum = append(d.cum, d.gpu)
			}
		}
	}
}

// detail builds the Detail once the run is over.
func (d *detailObserver) detail(res *scheduler.Result, gpuCapacity int64) *Detail {
	out := &Detail{}
	if len(d.waits) > 0 {
		slices.Sort(d.waits)
		out.JobWaitQuantiles = make([]float64, 101)
		for q := 0; q <= 100; q++ {
			out.JobWaitQuantiles[q] = stat.Quantile(float64(q)/100, stat.Empirical, d.waits, nil)
		}
	}
	if gpuCapacity > 0 && len(res.Series) > 0 {
		out.ArrivedGPU = make([]float64, len(res.Series))
		for i, s := range res.Series {
			t := scheduler.Seconds(s.Seconds)
			// the last submit time <= t
			k, found := slices.BinarySearch(d.times, t)
			if !found {
				k--
			}
			if k >= 0 {
				out.ArrivedGPU[i] = float64(d.cum[k]) / float64(gpuCapacity)
			}
		}
	}
	return out
}

// RunDetailed is Run that also collects the run's Detail (job wait quantiles, and
// arrived GPU demand per series sample). It costs one observer call per
// transition and memory per job; Run is cheaper when no plot needs them.
func (r *Registry) RunDetailed(spec RunSpec) (*scheduler.Result, *Detail, error) {
	obs := &detailObserver{next: spec.Observer, started: map[scheduler.JobID]struct{}{}}
	var gpuCap int64
	conf := spec.Configure
	spec.Observer = obs
	spec.Configure = func(c *scheduler.Config) {
		if conf != nil {
			conf(c)
		}
		gpuCap = 0
		for i := range c.Nodes {
			gpuCap += c.Nodes[i].Capacity[scheduler.GPU]
		}
	}
	res, err := r.Run(spec)
	if err != nil {
		return nil, nil, err
	}
	return res, obs.detail(res, gpuCap), nil
}

// SpecCell returns a sweep cell that runs spec (with RunDetailed, so the sweep's
// plots have wait-time CDFs and arrived-demand curves) and carries labels. Its seed
// is spec.Seed. Scenarios whose cells are plain RunSpecs should build them with
// SpecCell.
func (r *Registry) SpecCell(spec RunSpec, labels ...Label) Cell {
	return Cell{
		Labels:    labels,
		Seed:      spec.Seed,
		Run:       func() (*scheduler.Result, error) { return r.Run(spec) },
		RunDetail: func() (*scheduler.Result, *Detail, error) { return r.RunDetailed(spec) },
	}
}
