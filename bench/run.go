package bench

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/workload"
)

// RunSpec describes one run by name, the way the command line and sweep files give
// it. The zero value of every field but Scheduler, Placer and Workload is a usable
// default.
type RunSpec struct {
	// Scheduler is "NAME[:k=v,...]" of a registered scheduler (see Schedulers);
	// empty means "monolithic".
	Scheduler string
	// Placer is "NAME[:k=v,...]" of a registered placer (see Placers); empty means
	// "bestfit".
	Placer string
	// Workload is "NAME[:k=v,...]" of a registered workload generator, or
	// "trace:FORMAT:PATH[,PATH...][:OPTION=VALUE,...]" to replay trace files with
	// traces.Open (options as in traces.ParseOptions).
	Workload string
	// Cluster is the machines: "nodes=N,cpu=MILLI,mem=MIB,gpu=N[,gpumodel=M,disk=MIB,racks=R]"
	// (several shapes joined with '+'), "trace" for the workload's own machines,
	// or "" / "auto" for the workload's machines when it has some and
	// DefaultCluster otherwise. See ParseCluster.
	Cluster string
	// Seed seeds the workload generator and every random component of the run.
	Seed uint64
	// Horizon stops the run at this simulated time; 0 runs until drained.
	Horizon scheduler.Time
	// SampleEvery records Result.Series every so often (simulated); 0 records none.
	SampleEvery scheduler.Time
	// Window is the interval the time-averaged metrics are measured over (see
	// scheduler.Window and ParseWindow); the zero value is the whole run.
	Window scheduler.Window
	// MaxRestarts overrides scheduler.Config.MaxRestarts when non-zero.
	MaxRestarts int
	// Quiesce overrides scheduler.Config.Quiesce when non-zero.
	Quiesce scheduler.Time
	// Observer, if set, receives every transition of the run.
	Observer scheduler.Observer
	// NodeEvents is an optional extra stream of node events (a failure schedule).
	NodeEvents scheduler.NodeSource
	// Configure, if set, may adjust the engine configuration last, after every
	// other field was applied.
	Configure func(*scheduler.Config)
}

// DefaultCluster is the cluster used when neither the spec nor the workload gives
// machines: 100 nodes of 32 cores, 128 GiB and no GPU.
const DefaultCluster = "nodes=100,cpu=32000,mem=131072,gpu=0"

// UsageError is an error in what the user asked for (an unknown name, a bad
// parameter, a malformed cluster, unreadable trace input), as opposed to a run that
// failed. Field names the RunSpec field or sweep key at fault ("scheduler",
// "cluster", ...), so the CLI can name its flag. The CLI exits 2 on it.
type UsageError struct {
	Field string
	Err   error
}

// Error returns the underlying message, without the field.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// Usage wraps err as a UsageError naming field, unless it already is one (then it
// is returned as it is). A nil err gives nil.
func Usage(field string, err error) error {
	if err == nil {
		return nil
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return err
	}
	return &UsageError{Field: field, Err: err}
}

// IsUsage reports whether err is (or wraps) a UsageError, and returns it.
func IsUsage(err error) (*UsageError, bool) {
	var ue *UsageError
	ok := errors.As(err, &ue)
	return ue, ok
}

// ErrPanic marks a run that panicked: Run recovers the panic and returns it as an
// error wrapping ErrPanic, with the stack in the message's last lines.
var ErrPanic = errors.New("bench: run panicked")

// Run builds the workload, cluster, scheduler and placer of spec, runs the
// simulation and returns its result with Scheduler, Placer and Workload set to the
// spec's strings and the wall-clock fields (WallSeconds, EventsPerSecond,
// PlacementsPerSecond) measured. Errors in the spec are UsageErrors naming the
// field; a panic inside the run is recovered and returned wrapping ErrPanic.
func (r *Registry) Run(spec RunSpec) (res *scheduler.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("%w: %v\n%s", ErrPanic, p, debug.Stack())
		}
	}()
	spec = spec.withDefaults()
	if spec.Horizon < 0 {
		return nil, Usage("horizon", errors.New("negative horizon"))
	}
	if spec.SampleEvery < 0 {
		return nil, Usage("sample_every", errors.New("negative sample interval"))
	}
	if spec.SampleEvery >= scheduler.Forever {
		return nil, Usage("sample_every", errors.New("want a finite sample interval (0 = no series)"))
	}
	probe := scheduler.Config{Window: spec.Window}
	if err := probe.Validate(); err != nil {
		return nil, Usage("window", errors.New(strings.TrimPrefix(err.Error(), "scheduler: ")))
	}
	pl, err := r.NewPlacer(spec.Placer)
	if err != nil {
		return nil, Usage("placer", err)
	}
	sched, err := r.newScheduler(spec.Scheduler, spec.Placer, pl)
	if err != nil {
		return nil, Usage("scheduler", err)
	}
	w, isTrace, err := r.OpenWorkload(spec.Workload, spec.Seed)
	if err != nil {
		return nil, Usage("workload", err)
	}
	if c, ok := w.Source.(io.Closer); ok {
		defer c.Close() // a trace replay's temporary files
	}
	cfg := scheduler.DefaultConfig()
	cfg.Seed = spec.Seed
	cfg.Horizon = spec.Horizon
	cfg.SampleEvery = spec.SampleEvery
	cfg.Window = spec.Window
	if spec.MaxRestarts != 0 {
		cfg.MaxRestarts = spec.MaxRestarts
	}
	if spec.Quiesce != 0 {
		cfg.Quiesce = spec.Quiesce
	}
	cfg.Observer = spec.Observer
	cfg.NodeEvents = spec.NodeEvents
	src := w.Source
	_, hasNodeEvents := src.(scheduler.NodeSource)
	cl := strings.TrimSpace(spec.Cluster)
	if cl == "" || cl == "auto" {
		if len(w.Nodes) > 0 || hasNodeEvents {
			cl = "trace"
		} else {
			cl = DefaultCluster
		}
	}
	if cl == "trace" {
		if len(w.Nodes) == 0 && !hasNodeEvents {
			return nil, Usage("cluster", fmt.Errorf("cluster \"trace\": workload %q has no machines of its own; give a cluster such as %q", spec.Workload, DefaultCluster))
		}
		cfg.Nodes = w.Nodes
	} else {
		nodes, err := ParseCluster(cl)
		if err != nil {
			return nil, Usage("cluster", err)
		}
		cfg.Nodes = nodes
		if hasNodeEvents {
			src = jobsOnly{src} // the trace's machines are not wanted
		}
	}
	if spec.Configure != nil {
		spec.Configure(&cfg)
	}
	start := time.Now()
	res, err = scheduler.Run(cfg, src, sched)
	wall := time.Since(start).Seconds()
	if err != nil {
		if isTrace || errors.Is(err, workload.ErrLimit) || errors.Is(err, scheduler.ErrLimit) {
			return nil, Usage("workload", err)
		}
		return nil, err
	}
	res.Scheduler, res.Placer, res.Workload = spec.Scheduler, spec.Placer, spec.Workload
	SetWallClock(res, wall)
	return res, nil
}

// SetWallClock sets res's wall-clock fields from a measured wall time in seconds:
// WallSeconds and the events and placements per wall second.
func SetWallClock(res *scheduler.Result, wallSeconds float64) {
	res.WallSeconds = wallSeconds
	res.EventsPerSecond, res.PlacementsPerSecond = 0, 0
	if wallSeconds > 0 {
		res.EventsPerSecond = float64(res.Events) / wallSeconds
		res.PlacementsPerSecond = float64(res.Placements) / wallSeconds
	}
}

func (s RunSpec) withDefaults() RunSpec {
	if strings.TrimSpace(s.Scheduler) == "" {
		s.Scheduler = "monolithic"
	}
	if strings.TrimSpace(s.Placer) == "" {
		s.Placer = "bestfit"
	}
	return s
}

// JobsOnly hides a source's NodeSource side, so a trace's machine events are not
// replayed on a cluster given explicitly.
func JobsOnly(src scheduler.Source) scheduler.Source { return jobsOnly{src} }

type jobsOnly struct{ src scheduler.Source }

func (j jobsOnly) Next() (*scheduler.Job, error) { return j.src.Next() }

// OpenWorkload builds the workload of spec: a registered generator
// ("NAME[:k=v,...]", see NewWorkload) or a trace replay ("trace:FORMAT:PATH[,PATH...]",
// see OpenTrace). isTrace reports the latter.
func (r *Registry) OpenWorkload(spec string, seed uint64) (w *Workload, isTrace bool, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, false, fmt.Errorf("no workload given (valid: %s, or trace:FORMAT:PATH[,PATH...])", strings.Join(sortedKeys(r.workloads), ", "))
	}
	if strings.HasPrefix(spec, "trace:") {
		w, err := openTraceWorkload(spec)
		return w, true, err
	}
	w, err = r.NewWorkload(spec, seed)
	return w, false, err
}

// ClusterKeys documents the keys of a cluster spec, for `schedlab list`.
var ClusterKeys = []Param{
	{Name: "nodes", Type: TypeInt, Range: "[1, 2000000]", Memory: true, Default: "100", Unit: "machines", Doc: "number of machines of this shape (> 0)"},
	{Name: "cpu", Type: TypeInt, Range: "[1, 1000000000]", Default: "32000", Unit: "milli-cores", Doc: "CPU per machine (> 0)"},
	{Name: "mem", Type: TypeInt, Range: "[1, 1000000000000]", Default: "131072", Unit: "MiB", Doc: "memory per machine (> 0)"},
	{Name: "gpu", Type: TypeInt, Range: "[0, " + strconv.Itoa(scheduler.MaxGPUsPerNode) + "]", Default: "0", Unit: "GPUs", Doc: "whole GPU devices per machine (0..64)"},
	{Name: "gpumodel", Type: TypeString, Default: "", Doc: "GPU model name matched by task constraints"},
	{Name: "disk", Type: TypeInt, Range: "[0, 1000000000000]", Default: "0", Unit: "MiB", Doc: "local disk per machine"},
	{Name: "racks", Type: TypeInt, Range: "[0, 2000000]", Memory: true, Default: "0", Unit: "racks", Doc: "spread machines round-robin over this many failure domains (0 = none)"},
}

// ParseCluster parses a cluster spec "nodes=N,cpu=MILLI,mem=MIB,gpu=N[,gpumodel=M,disk=MIB,racks=R]"
// into nodes named "node-0", "node-1", ... Several shapes may be joined with '+'
// ("nodes=90,cpu=32000,mem=131072+nodes=10,cpu=96000,mem=786432,gpu=8"); their
// machines are numbered in order. Missing keys take the defaults of ClusterKeys,
// and every value must lie in its declared range; an empty shape (a '+' with
// nothing after it) is an error, and so are more than workload.MaxNodes machines
// in all.
func ParseCluster(spec string) ([]scheduler.Node, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("empty cluster spec")
	}
	var nodes []scheduler.Node
	total := int64(0)
	for _, part := range strings.Split(spec, "+") {
		if strings.TrimSpace(part) == "" {
			return nil, fmt.Errorf("cluster %q: an empty shape between '+' signs (want nodes=N,cpu=...+nodes=N,...)", spec)
		}
		p := &Params{owner: fmt.Sprintf("cluster %q", spec), kv: map[string]string{}, used: map[string]bool{}}
		p.declare(ClusterKeys)
		for _, kv := range strings.Split(part, ",") {
			kv = strings.TrimSpace(kv)
			if kv == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" {
				return nil, fmt.Errorf("cluster %q: %q is not key=value", spec, kv)
			}
			if _, known := p.decl[k]; !known {
				return nil, fmt.Errorf("cluster %q: unknown key %q (valid: nodes, cpu, mem, gpu, gpumodel, disk, racks; or the word trace)", spec, k)
			}
			if _, dup := p.kv[k]; dup {
				return nil, fmt.Errorf("cluster %q: key %q given twice", spec, k)
			}
			p.kv[k] = v
		}
		n := int64(p.Int("nodes", 100))
		cpu := int64(p.Int("cpu", 32000))
		mem := int64(p.Int("mem", 131072))
		gpu := int64(p.Int("gpu", 0))
		disk := int64(p.Int("disk", 0))
		racks := int64(p.Int("racks", 0))
		model := p.String("gpumodel", "")
		if err := p.Err(); err != nil {
			return nil, err
		}
		if total += n; total > workload.MaxNodes {
			return nil, fmt.Errorf("cluster %q: %d machines in all, more than %d (workload.MaxNodes)", spec, total, workload.MaxNodes)
		}
		for i := int64(0); i < n; i++ {
			id := len(nodes)
			nd := scheduler.Node{
				ID:       scheduler.NodeID(id),
				Name:     "node-" + strconv.Itoa(id),
				Capacity: scheduler.Resources{scheduler.CPU: cpu, scheduler.Memory: mem, scheduler.GPU: gpu * 1000, scheduler.Disk: disk},
				GPUs:     int(gpu),
				GPUModel: model,
			}
			if racks > 0 {
				nd.Domain = "rack-" + strconv.FormatInt(int64(id)%racks, 10)
			}
			nodes = append(nodes, nd)
		}
	}
	return nodes, nil
}

// ParseWindow parses a measurement window: "all" (or ""), "arrivals", or
// "START,END" in simulated durations ("1h,5h"). The warm-up is given apart (it
// applies to every mode).
func ParseWindow(spec string, warmup scheduler.Time) (scheduler.Window, error) {
	w := scheduler.Window{Warmup: warmup}
	if warmup < 0 || warmup >= scheduler.Forever {
		return w, fmt.Errorf("warm-up %v: want a finite duration >= 0", warmup)
	}
	switch s := strings.TrimSpace(spec); s {
	case "", "all":
		return w, nil
	case "arrivals":
		w.Mode = scheduler.WindowArrivals
		return w, nil
	default:
		a, b, ok := strings.Cut(s, ",")
		if !ok {
			return w, fmt.Errorf("window %q: want all, arrivals or START,END (durations such as 1h,5h)", spec)
		}
		start, err1 := scheduler.ParseTime(strings.TrimSpace(a))
		end, err2 := scheduler.ParseTime(strings.TrimSpace(b))
		if err1 != nil || err2 != nil {
			return w, fmt.Errorf("window %q: START and END must be durations such as 90s, 1.5h, 2d", spec)
		}
		if start < 0 || end <= start || end >= scheduler.Forever {
			return w, fmt.Errorf("window %q: want 0 <= START < END < forever", spec)
		}
		w.Mode, w.Start, w.End = scheduler.WindowExplicit, start, end
		return w, nil
	}
}
