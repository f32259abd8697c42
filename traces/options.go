package traces

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// Options are the mapping choices of TRACES.md §11.1: how trace rows become jobs,
// tasks and machines when the trace does not settle it. The zero value is not
// meaningful; start from DefaultOptions. Every field has a k=v key (ParseOptions,
// OptionDocs) and its value is part of Stats' output.
type Options struct {
	// SkipBad skips malformed rows and counts them by reason (Replay.Skipped,
	// TraceStats.Skipped) instead of failing with an *InputError. It also skips
	// an empty file of a required table (counted as "empty_table"), but a
	// required table with no data rows at all is still an error, as is a
	// truncated or corrupt compressed file. Key skip_bad.
	SkipBad bool
	// RuntimeSource is the runtime of a task with several attempts: "final-attempt"
	// (the last attempt's duration; earlier attempts count as retries) or
	// "sum-attempts". Key runtime.
	RuntimeSource string
	// Censored handles tasks with no end by the trace end: "keep-censored" (runtime
	// = trace end − start), "drop", or "unbounded" (runs until the simulation
	// stops). Key censored.
	Censored string
	// PreTrace handles entities whose first event is before the trace window (time
	// 0 or negative): "arrive-at-zero" (submitted at simulation time 0 with the
	// in-window part of their runtime) or "drop". Key pretrace.
	PreTrace string
	// InvalidValue handles out-of-range values (Alibaba 2018 −1 and 101, negative
	// requests): "as-missing", "clamp" (into the valid range) or "error" (the row
	// is bad input). Key invalid.
	InvalidValue string
	// MissingRequest handles a task without a usable resource request: "drop-job"
	// (keeps DAGs and gangs whole), "drop-task" or "zero". Key missing_request.
	MissingRequest string
	// Gang makes natural groups all-or-nothing: "default" (per trace: task for
	// pai2020 and swf, attempt for philly, none elsewhere), "none", "task" (a
	// task's instances), "job" (all tasks of a job) or "attempt" (philly; same as
	// job). Key gang.
	Gang string
	// Orphans handles references to absent jobs, tasks, machines or parents:
	// "drop-and-count" or "error". Key orphans.
	Orphans string
	// MissingInfo handles Google rows with synthesized times (missing info):
	// "keep-and-flag" or "drop-entity". Key missing_info.
	MissingInfo string
	// MissingEnd handles Alibaba 2017 Failed attempts with end 0: "task-end" (use
	// the task's end time), "censored" or "drop". Key missing_end.
	MissingEnd string
	// Origin is the raw trace time that becomes simulation time 0, in the trace's
	// own time unit (µs for Google, s elsewhere); -1 (the default, "auto") uses the
	// per-trace origin of TRACES.md §11. alibaba2018 and swf ignore it (their
	// times already start at 0). A value beyond the time range of every trace
	// (±100 years, in µs) is rejected. Key origin.
	Origin int64
	// TraceEnd is the trace length used for censored tasks; 0 (the default)
	// uses the documented length (or, for traces without one, the largest time in
	// the data). Key trace_end (a duration: 29d, 8d, 3600s).
	TraceEnd scheduler.Time
	// NormCPU is the number of milli-cores that a normalised CPU value of 1.0
	// stands for (Google; largest machine = 1.0). Key norm_cpu.
	NormCPU int64
	// NormMem is the MiB that normalised memory 1.0 stands for (Google 1.0,
	// Alibaba 2017 1.0, Alibaba 2018 100). Key norm_mem.
	NormMem int64
	// NormDisk is the MiB that normalised disk 1.0 stands for. Key norm_disk.
	NormDisk int64
	// Disk puts disk requests into Task.Request[Disk] (and machine disk capacity
	// into Node.Capacity); false keeps them out, so disk is not enforced. Key disk.
	Disk bool
	// Constraints turns trace placement constraints (Google task constraints and
	// the different-machine flag, PAI gpu_type, openb gpu_spec) into
	// scheduler.Constraints: "enforce" or "ignore". Key constraints.
	Constraints string
	// SoftError is what an Alibaba 2017 softerror does: "ignore" or "fail" (the
	// machine fails until its next add). Key softerror.
	SoftError string
	// MachineStatus lists the Alibaba 2018 machine_meta statuses in which a
	// machine is available, separated by '|'. Key machine_status.
	MachineStatus string
	// Location is the time zone of Philly job-log times (an IANA name or UTC).
	// Key tz.
	Location string
	// TempDir is where the external sort spills (default: the system temp dir).
	// Key temp_dir.
	TempDir string
	// SortMemMiB bounds the memory each external sort holds before spilling to
	// TempDir. Key sort_mem.
	SortMemMiB int64
	// MachineType is the Azure 2020 machine type (vmType.machineId) whose
	// demands the VMs request: "auto" (the default) takes the machine type with
	// rows for the most VM types (ties: the smallest ID); "" means "auto".
	// Key machine_type.
	MachineType string
}

// DefaultOptions returns the documented defaults of TRACES.md §11.1.
func DefaultOptions() Options {
	return Options{
		RuntimeSource:  "final-attempt",
		Censored:       "keep-censored",
		PreTrace:       "arrive-at-zero",
		InvalidValue:   "as-missing",
		MissingRequest: "drop-job",
		Gang:           "default",
		Orphans:        "drop-and-count",
		MissingInfo:    "keep-and-flag",
		MissingEnd:     "task-end",
		Origin:         -1,
		NormCPU:        64000,
		NormMem:        262144,
		NormDisk:       1048576,
		Constraints:    "enforce",
		SoftError:      "ignore",
		MachineStatus:  "USING",
		Location:       "UTC",
		SortMemMiB:     256,
		MachineType:    "auto",
	}
}

// OptionDoc documents one option key: its type ("bool", "enum", "int",
// "duration", "string"), the valid range of an int or a duration ("[1, 16384]";
// "auto" is accepted too where the doc says so), and whether it sizes memory.
type OptionDoc struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Default string `json:"default"`
	Range   string `json:"range,omitempty"`
	Memory  bool   `json:"memory,omitempty"`
	Doc     string `json:"doc"`
}

// Limits of the numeric options.
const (
	// MaxSortMemMiB bounds sort_mem: the memory one external sort holds at
	// once (a larger value would let a full trace exhaust the machine).
	MaxSortMemMiB = 16384
	// maxNorm bounds norm_cpu, norm_mem and norm_disk (so that a normalised value
	// times the norm stays far inside int64).
	maxNorm = 1_000_000_000_000
)

type optionDef struct {
	name    string
	typ     string
	rng     string
	memory  bool
	choices []string // nil for free-form values
	doc     string
	get     func(o *Options) string
	set     func(o *Options, v string) error
}

func enumOpt(name, doc string, field func(o *Options) *string, choices ...string) optionDef {
	return optionDef{name: name, typ: "enum", choices: choices, doc: doc,
		get: func(o *Options) string { return *field(o) },
		set: func(o *Options, v string) error {
			if !slices.Contains(choices, v) {
				return fmt.Errorf("want one of %s", strings.Join(choices, ", "))
			}
			*field(o) = v
			return nil
		}}
}

func intOpt(name, doc string, min, max int64, memory bool, field func(o *Options) *int64) optionDef {
	rng := fmt.Sprintf("[%d, %d]", min, max)
	return optionDef{name: name, typ: "int", rng: rng, memory: memory, doc: doc,
		get: func(o *Options) string { return strconv.FormatInt(*field(o), 10) },
		set: func(o *Options, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < min || n > max {
				return fmt.Errorf("want an integer in %s", rng)
			}
			*field(o) = n
			return nil
		}}
}

func strOpt(name, doc string, field func(o *Options) *string) optionDef {
	return optionDef{name: name, typ: "string", doc: doc,
		get: func(o *Options) string { return *field(o) },
		set: func(o *Options, v string) error { *field(o) = v; return nil }}
}

var optionDefs = []optionDef{
	{name: "skip_bad", typ: "bool", doc: "skip malformed rows and count them by reason instead of failing",
		get: func(o *Options) string { return strconv.FormatBool(o.SkipBad) },
		set: func(o *Options, v string) (err error) {
			o.SkipBad, err = strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false")
			}
			return nil
		}},
	enumOpt("runtime", "runtime of a task with several attempts", func(o *Options) *string { return &o.RuntimeSource }, "final-attempt", "sum-attempts"),
	enumOpt("censored", "tasks still running at trace end", func(o *Options) *string { return &o.Censored }, "keep-censored", "drop", "unbounded"),
	enumOpt("pretrace", "entities whose first event is before the trace window", func(o *Options) *string { return &o.PreTrace }, "arrive-at-zero", "drop"),
	enumOpt("invalid", "out-of-range values (Alibaba 2018 plan_cpu, plan_mem, cpu_num, mem_size: -1, 101)", func(o *Options) *string { return &o.InvalidValue }, "as-missing", "clamp", "error"),
	enumOpt("missing_request", "tasks without a usable resource request", func(o *Options) *string { return &o.MissingRequest }, "drop-job", "drop-task", "zero"),
	enumOpt("gang", "all-or-nothing grouping (default: per trace)", func(o *Options) *string { return &o.Gang }, "default", "none", "task", "job", "attempt"),
	enumOpt("orphans", "references to absent jobs, tasks, machines or parents", func(o *Options) *string { return &o.Orphans }, "drop-and-count", "error"),
	enumOpt("missing_info", "Google rows with synthesized times", func(o *Options) *string { return &o.MissingInfo }, "keep-and-flag", "drop-entity"),
	enumOpt("missing_end", "Alibaba 2017 Failed attempts with end 0", func(o *Options) *string { return &o.MissingEnd }, "task-end", "censored", "drop"),
	{name: "origin", typ: "int", rng: "[0, " + strconv.FormatInt(maxTraceMicros, 10) + "]", doc: "raw trace time that becomes simulation time 0, in the trace's unit (auto = per trace; alibaba2018 and swf always start at 0)",
		get: func(o *Options) string {
			if o.Origin < 0 {
				return "auto"
			}
			return strconv.FormatInt(o.Origin, 10)
		},
		set: func(o *Options, v string) error {
			if v == "auto" {
				o.Origin = -1
				return nil
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > maxTraceMicros {
				return fmt.Errorf("want auto or an integer in [0, %d] (100 years in µs)", int64(maxTraceMicros))
			}
			o.Origin = n
			return nil
		}},
	{name: "trace_end", typ: "duration", rng: "(0s, 36525d]", doc: "trace length for censored tasks (auto = documented length, else the data's maximum)",
		get: func(o *Options) string {
			if o.TraceEnd == 0 {
				return "auto"
			}
			return o.TraceEnd.String()
		},
		set: func(o *Options, v string) error {
			if v == "auto" {
				o.TraceEnd = 0
				return nil
			}
			t, err := scheduler.ParseTime(v)
			if err != nil || t <= 0 || t > 36525*scheduler.Day {
				return fmt.Errorf("want auto or a duration in (0s, 36525d] such as 29d")
			}
			o.TraceEnd = t
			return nil
		}},
	intOpt("norm_cpu", "milli-cores that normalised CPU 1.0 stands for (Google; Azure 2020: one machine)", 1, maxNorm, false, func(o *Options) *int64 { return &o.NormCPU }),
	intOpt("norm_mem", "MiB that normalised memory 1.0 stands for (Google, Alibaba 2017; Alibaba 2018's 100; Azure 2020: one machine)", 1, maxNorm, false, func(o *Options) *int64 { return &o.NormMem }),
	intOpt("norm_disk", "MiB that normalised disk 1.0 stands for (Azure 2020: one machine's SSD)", 1, maxNorm, false, func(o *Options) *int64 { return &o.NormDisk }),
	{name: "disk", typ: "bool", doc: "enforce disk requests against machine disk capacity",
		get: func(o *Options) string { return strconv.FormatBool(o.Disk) },
		set: func(o *Options, v string) (err error) {
			o.Disk, err = strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false")
			}
			return nil
		}},
	enumOpt("constraints", "trace placement constraints", func(o *Options) *string { return &o.Constraints }, "enforce", "ignore"),
	enumOpt("softerror", "Alibaba 2017 softerror machine events", func(o *Options) *string { return &o.SoftError }, "ignore", "fail"),
	strOpt("machine_status", "Alibaba 2018 machine_meta statuses in which a machine is available, '|'-separated", func(o *Options) *string { return &o.MachineStatus }),
	strOpt("tz", "time zone of Philly job-log times", func(o *Options) *string { return &o.Location }),
	strOpt("temp_dir", "directory for external-sort spill files (empty = system temp dir)", func(o *Options) *string { return &o.TempDir }),
	intOpt("sort_mem", "MiB each external sort holds before spilling to temp_dir", 1, MaxSortMemMiB, true, func(o *Options) *int64 { return &o.SortMemMiB }),
	{name: "machine_type", typ: "string", doc: "Azure 2020 machine type (vmType machineId) whose demands VMs request (auto or empty = the one most VM types run on)",
		get: func(o *Options) string { return o.MachineType },
		set: func(o *Options, v string) error {
			if v == "" {
				v = "auto"
			}
			o.MachineType = v
			return nil
		}},
}

// OptionNames returns the valid option keys, sorted.
func OptionNames() []string {
	var ns []string
	for _, d := range optionDefs {
		ns = append(ns, d.name)
	}
	slices.Sort(ns)
	return ns
}

// OptionDocs documents every option key with its default, in declaration order.
func OptionDocs() []OptionDoc {
	def := DefaultOptions()
	var out []OptionDoc
	for _, d := range optionDefs {
		doc := d.doc
		if d.choices != nil {
			doc += " (" + strings.Join(d.choices, ", ") + ")"
		}
		out = append(out, OptionDoc{Name: d.name, Type: d.typ, Default: d.get(&def), Range: d.rng, Memory: d.memory, Doc: doc})
	}
	return out
}

// Set sets one option from its key and textual value.
func (o *Options) Set(key, value string) error {
	for _, d := range optionDefs {
		if d.name == key {
			if err := d.set(o, strings.TrimSpace(value)); err != nil {
				return badf("option %s=%q: %v", key, value, err)
			}
			return nil
		}
	}
	return badf("unknown option %q (valid: %s)", key, strings.Join(OptionNames(), ", "))
}

// ParseOptions parses "k=v,k=v" on top of DefaultOptions. An empty string gives
// the defaults; an unknown key is an error listing the valid ones.
func ParseOptions(s string) (Options, error) {
	o := DefaultOptions()
	if strings.TrimSpace(s) == "" {
		return o, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return o, badf("option %q is not k=v (valid keys: %s)", kv, strings.Join(OptionNames(), ", "))
		}
		if err := o.Set(k, v); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Map returns every option as key → textual value, for run metadata.
func (o Options) Map() map[string]string {
	m := map[string]string{}
	for _, d := range optionDefs {
		m[d.name] = d.get(&o)
	}
	return m
}

// String formats the options as "k=v,..." in declaration order; ParseOptions
// reads it back.
func (o Options) String() string {
	var parts []string
	for _, d := range optionDefs {
		parts = append(parts, d.name+"="+d.get(&o))
	}
	return strings.Join(parts, ",")
}

// validate checks cross-field rules.
func (o *Options) validate() error {
	for _, d := range optionDefs {
		if d.choices != nil && !slices.Contains(d.choices, d.get(o)) {
			return badf("option %s=%q: want one of %s", d.name, d.get(o), strings.Join(d.choices, ", "))
		}
	}
	if o.NormCPU <= 0 || o.NormMem <= 0 || o.NormDisk <= 0 || o.SortMemMiB <= 0 {
		return badf("options norm_cpu, norm_mem, norm_disk and sort_mem must be positive")
	}
	if o.NormCPU > maxNorm || o.NormMem > maxNorm || o.NormDisk > maxNorm {
		return badf("options norm_cpu, norm_mem and norm_disk must be at most %d", int64(maxNorm))
	}
	if strings.Trim(o.MachineStatus, "| ") == "" {
		return badf("option machine_status=%q: want at least one status (such as USING); with none, no machine would ever be available", o.MachineStatus)
	}
	if o.TempDir != "" {
		if st, err := os.Stat(o.TempDir); err != nil || !st.IsDir() {
			return badf("option temp_dir=%q: not an existing directory", o.TempDir)
		}
	}
	if o.SortMemMiB > MaxSortMemMiB {
		return badf("option sort_mem=%d: at most %d MiB", o.SortMemMiB, MaxSortMemMiB)
	}
	if o.Origin > maxTraceMicros {
		return badf("option origin=%d: beyond the time range of every trace (±100 years)", o.Origin)
	}
	return nil
}
