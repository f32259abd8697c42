package bench

import (
	"errors"
	"fmt"
)

// ErrTracesUnavailable is returned for trace workloads while no trace reader is
// linked in.
var ErrTracesUnavailable = errors.New("trace workloads not yet available in this build")

// TraceFormat documents one trace format, for `schedlab list`.
type TraceFormat struct {
	Name    string  `json:"name"`
	Doc     string  `json:"doc"`
	Options []Param `json:"options,omitempty"`
}

// OpenTrace opens the trace files at paths in the named format as a workload whose
// Nodes (or node events) are the trace's machines.
func OpenTrace(format string, paths []string) (*Workload, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("trace %s: no files given", format)
	}
	return nil, fmt.Errorf("trace %s: %w", format, ErrTracesUnavailable)
}

// TraceFormats returns the trace formats OpenTrace reads, sorted by name.
func TraceFormats() []TraceFormat { return nil }
