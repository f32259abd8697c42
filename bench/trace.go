package bench

import (
	"errors"
	"fmt"

	"github.com/schedlab/schedlab/scheduler"
	"github.com/schedlab/schedlab/traces"
)

// TraceFormat documents one trace format, for `schedlab list`.
type TraceFormat struct {
	Name    string  `json:"name"`
	Doc     string  `json:"doc"`
	Files   string  `json:"files,omitempty"`
	Options []Param `json:"options,omitempty"`
}

// OpenTrace opens the trace files at paths in the named format with
// traces.Open and traces.DefaultOptions, as a workload whose node events are the
// trace's machines. The workload's Source is a *traces.Replay (an io.Closer, which
// Run closes after the run).
func OpenTrace(format string, paths []string) (*Workload, error) {
	return OpenTraceOptions(format, paths, "")
}

// OpenTraceOptions is OpenTrace with reader options "k=v,..." on top of
// traces.DefaultOptions (see traces.ParseOptions; "" for the defaults).
func OpenTraceOptions(format string, paths []string, opts string) (*Workload, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("trace %s: no files given", format)
	}
	o, err := traces.ParseOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", format, err)
	}
	return OpenTraceSpec(traces.Spec{Format: format, Paths: paths, Options: o})
}

// OpenTraceSpec opens a parsed trace spec (see traces.ParseSpec) as OpenTrace
// does.
func OpenTraceSpec(s traces.Spec) (*Workload, error) {
	r, err := traces.OpenSpec(s)
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", s.Format, err)
	}
	if !r.HasMachines() {
		// A trace without machines (azure2017, azure2019, azure2020, or a
		// canonical file without node events): its replay is jobs only, so
		// that --cluster auto takes DefaultCluster and --cluster trace is an
		// error, instead of a run on no machines at all. A canonical replay's
		// machines are its node events (its stats count none).
		return &Workload{Source: machinelessTrace{r}}, nil
	}
	return &Workload{Source: r}, nil
}

// openTraceWorkload opens the workload of spec, "trace:FORMAT:PATH[,PATH...][:k=v,...]",
// parsed by traces.ParseSpec. A spec of the wrong shape is a "workload SPEC" error;
// a bad option or format, like a bad trace, a "trace FORMAT" one.
func openTraceWorkload(spec string) (*Workload, error) {
	s, err := traces.ParseSpec(spec)
	var se *traces.SpecError
	switch {
	case err == nil:
		return OpenTraceSpec(s)
	case errors.Is(err, traces.ErrSpecSyntax) || !errors.As(err, &se):
		return nil, fmt.Errorf("workload %q: %v", spec, traces.ErrSpecSyntax)
	default:
		return nil, fmt.Errorf("trace %s: %w", s.Format, se.Err)
	}
}

// machinelessTrace is a trace replay without machines: a Source (and io.Closer),
// not a NodeSource.
type machinelessTrace struct{ r *traces.Replay }

func (m machinelessTrace) Next() (*scheduler.Job, error) { return m.r.Next() }
func (m machinelessTrace) Close() error                  { return m.r.Close() }

// TraceFormats returns the trace formats OpenTrace reads, sorted by name, each
// with the reader options (shared by all formats).
func TraceFormats() []TraceFormat {
	var opts []Param
	for _, d := range traces.OptionDocs() {
		opts = append(opts, Param{Name: d.Name, Type: d.Type, Default: d.Default, Range: d.Range, Memory: d.Memory, Doc: d.Doc})
	}
	var out []TraceFormat
	for _, f := range traces.Formats() {
		out = append(out, TraceFormat{Name: f.Name, Doc: f.Doc, Files: f.Files, Options: opts})
	}
	return out
}
