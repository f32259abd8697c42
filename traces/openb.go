package traces

import (
	"fmt"
	"io"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// OpenbPod is one row of an openb 2023 pod list (openb_pod_list_*.csv), with the
// raw values of the file: no clamping of gpu_milli, no normalisation of gpu_spec
// (FGD.md §1.2 rules are the caller's business). Times are in seconds; a missing
// time (an empty cell, or a column the file does not have) is −1.
type OpenbPod struct {
	Name      string
	CPUMilli  int64  // cpu_milli: CPU request, 1000 = one core
	MemoryMiB int64  // memory_mib
	NumGPU    int    // num_gpu: GPU devices
	GPUMilli  int64  // gpu_milli: share of each GPU, 1000 = whole (raw, unclamped)
	GPUSpec   string // gpu_spec: allowed models joined by '|', as in the file; "" = any
	QoS       string // qos: LS, BE, Burstable, Guaranteed ("" if absent)
	Phase     string // pod_phase: Running, Failed, Pending, Succeeded ("" if absent)
	Creation  int64  // creation_time, s, or −1
	Deletion  int64  // deletion_time, s, or −1
	Scheduled int64  // scheduled_time, s, or −1
}

// openbNodeColumns are the columns of an openb node list
// (openb_node_list_*.csv), found by header name.
type openbNodeColumns struct{ SN, CPUMilli, MemoryMiB, GPU, Model column }

// openbPodColumns are the columns of an openb pod list (openb_pod_list_*.csv),
// found by header name.
type openbPodColumns struct {
	Name, CPUMilli, MemoryMiB, NumGPU, GPUMilli, GPUSpec, QoS, PodPhase, CreationTime, DeletionTime, ScheduledTime column
}

var (
	openbNodeCols = openbNodeColumns{
		column{name: "sn", kind: kindString, required: true, use: "the machine's name"},
		column{name: "cpu_milli", kind: kindIntOrFloat, unit: "milli-cores", required: true, use: "CPU capacity (not negative)"},
		column{name: "memory_mib", kind: kindIntOrFloat, unit: "MiB", required: true, use: "memory capacity (not negative)"},
		column{name: "gpu", kind: kindIntOrFloat, unit: "GPUs", use: "GPU devices, 0..64 (empty = 0), capacity × 1000 milli-GPU"},
		column{name: "model", kind: kindString, mayLack: true, use: "the GPU model (trimmed; none or empty: no model)"},
	}
	openbPodCols = openbPodColumns{
		column{name: "name", kind: kindString, required: true, use: "the job's name"},
		column{name: "cpu_milli", kind: kindIntOrFloat, unit: "milli-cores", required: true, use: "CPU request (negative: 0, counted)"},
		column{name: "memory_mib", kind: kindIntOrFloat, unit: "MiB", required: true, use: "memory request (negative: 0, counted)"},
		column{name: "num_gpu", kind: kindIntOrFloat, unit: "GPUs", required: true, use: "GPUs, 0..64: 2 or more whole GPUs"},
		column{name: "gpu_milli", kind: kindIntOrFloat, unit: "1/1000 GPU", mayLack: true, use: "the share of one GPU when num_gpu is 1 (1..999; otherwise a whole GPU)"},
		column{name: "gpu_spec", kind: kindString, mayLack: true, use: "allowed GPU models, joined by \\| (constraints=enforce)"},
		column{name: "qos", kind: kindString, mayLack: true, use: "LS, Guaranteed → service; others batch; counted"},
		column{name: "pod_phase", kind: kindString, mayLack: true, use: "counted"},
		column{name: "creation_time", kind: kindRoundedSeconds, mayLack: true, use: "the submit (none: time 0, counted)"},
		column{name: "deletion_time", kind: kindRoundedSeconds, mayLack: true, use: "the end (none: censored)"},
		column{name: "scheduled_time", kind: kindRoundedSeconds, mayLack: true, use: "the start (none: the submit)"},
	}
	openbNodes = newHeaderTable("nodes", false, []string{"sn", "cpu_milli"}, &openbNodeCols)
	openbPods  = newHeaderTable("pods", false, []string{"name", "cpu_milli"}, &openbPodCols)
)

// headerCSV reads a CSV file with a header row and resolves columns by name.
type headerCSV struct {
	lr     *lineReader
	names  []string
	index  map[string]int
	fields [][]byte
	quote  []byte
}

// readHeaderCSV reads path (plain or gzip) and calls fn for each data row,
// with the columns of t (*cols, its schema struct) bound to the file's header;
// a header that lacks a column t requires is bad input. A file without data
// rows is bad input naming t.
func readHeaderCSV[T any](path string, t *headerTable, cols *T, fn func(c *T, r *row) error) error {
	return walkInputs([]string{path}, func(m member) error {
		h, err := newHeaderCSV(m)
		if err != nil {
			return err
		}
		if err := t.check(h, m.name, h.lr.line); err != nil {
			return err
		}
		c := bindHeader(t, h, cols)
		n := 0
		err = h.rows(func(h *headerCSV, r *row) error { n++; return fn(c, r) })
		if err == nil && n == 0 {
			err = &InputError{File: m.name, Reason: "empty_table", Msg: "table " + t.name + " is empty (no data rows)"}
		}
		return err
	})
}

// newHeaderCSV reads the header row of m.
func newHeaderCSV(m member) (*headerCSV, error) {
	h := &headerCSV{lr: newLineReader(m), index: map[string]int{}}
	line, err := h.lr.next()
	for err == nil && len(line) > 0 && line[0] == '#' {
		line, err = h.lr.next()
	}
	if err == io.EOF {
		return nil, &InputError{File: m.name, Line: 1, Reason: "missing_header", Msg: "empty file: expected a header row"}
	}
	if err != nil {
		return nil, err
	}
	var ok bool
	h.fields, h.quote, ok = splitCSV(line, h.fields, h.quote)
	if !ok {
		return nil, &InputError{File: m.name, Line: h.lr.line, Reason: "bad_quote", Msg: "unterminated quote in header"}
	}
	for i, f := range h.fields {
		name := strings.TrimSpace(string(f))
		h.names = append(h.names, name)
		if _, dup := h.index[name]; !dup {
			h.index[name] = i
		}
	}
	return h, nil
}

// rows calls fn for each data row (blank lines are skipped).
func (h *headerCSV) rows(fn func(h *headerCSV, r *row) error) error {
	for {
		line, err := h.lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(line) == 0 {
			continue
		}
		r := row{file: h.lr.file, line: h.lr.line, names: h.names}
		var ok bool
		r.f, h.quote, ok = splitCSV(line, h.fields, h.quote)
		h.fields = r.f
		if !ok {
			r.failRow("bad_quote", "unterminated quote")
		} else if len(r.f) != len(h.names) {
			r.failRow("field_count", fmt.Sprintf("%d fields, want %d (as in the header)", len(r.f), len(h.names)))
		}
		if err := fn(h, &r); err != nil {
			return err
		}
	}
}

// col returns the index of a column, or −1 if the file lacks it.
func (h *headerCSV) col(name string) int {
	if i, ok := h.index[name]; ok {
		return i
	}
	return -1
}

// ReadOpenbNodes reads an openb node list (openb_node_list_*.csv: sn, cpu_milli,
// memory_mib, gpu, model) in file order. Each node has Name = sn, Capacity = cpu
// milli-cores, memory MiB and gpu × 1000 milli-GPU, GPUs = gpu and GPUModel = model
// (empty for CPU-only nodes; a literal "none" is read as empty too). IDs are left 0:
// the caller numbers nodes. A malformed row is an *InputError, and so is a file
// with no node at all (only a header).
func ReadOpenbNodes(path string) ([]scheduler.Node, error) {
	var nodes []scheduler.Node
	err := readHeaderCSV(path, openbNodes, &openbNodeCols, func(c *openbNodeColumns, r *row) error {
		n, err := openbNode(c, r)
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
		return nil
	})
	return nodes, err
}

func openbNode(c *openbNodeColumns, r *row) (scheduler.Node, error) {
	n := scheduler.Node{Name: c.SN.str(r)}
	if n.Name == "" {
		c.SN.missing(r)
	}
	cpu, _ := c.CPUMilli.intOrFloat(r)
	mem, _ := c.MemoryMiB.intOrFloat(r)
	g, _ := c.GPU.intOrFloat(r)
	c.CPUMilli.requireValue(r)
	c.MemoryMiB.requireValue(r)
	if cpu < 0 {
		c.CPUMilli.fail(r, "invalid", "negative capacity")
	}
	if mem < 0 {
		c.MemoryMiB.fail(r, "invalid", "negative capacity")
	}
	if g < 0 || g > scheduler.MaxGPUsPerNode {
		c.GPU.fail(r, "invalid", fmt.Sprintf("gpu count %d out of range 0..%d", g, scheduler.MaxGPUsPerNode))
	}
	if r.err != nil {
		return n, r.err
	}
	n.Capacity = scheduler.Res(cpu, mem, g*1000)
	n.GPUs = int(g)
	if c.Model.present() {
		n.GPUModel = strings.TrimSpace(c.Model.str(r))
		if strings.EqualFold(n.GPUModel, "none") {
			n.GPUModel = ""
		}
	}
	return n, nil
}

// ReadOpenbPods reads an openb pod list (openb_pod_list_*.csv) in file order,
// returning the raw values (see OpenbPod). Required columns: name, cpu_milli,
// memory_mib, num_gpu; gpu_milli, gpu_spec, qos, pod_phase and the three times
// may be absent (as in openb_pod_list_multigpu50.csv), giving 0, "" and −1.
// Integer columns may be written in decimal form. A malformed row is an
// *InputError naming file, line, column and field.
func ReadOpenbPods(path string) ([]OpenbPod, error) {
	var pods []OpenbPod
	err := readHeaderCSV(path, openbPods, &openbPodCols, func(c *openbPodColumns, r *row) error {
		p, err := openbPod(c, r)
		if err != nil {
			return err
		}
		pods = append(pods, p)
		return nil
	})
	return pods, err
}

func openbPod(c *openbPodColumns, r *row) (OpenbPod, error) {
	p := OpenbPod{Name: c.Name.str(r), Creation: -1, Deletion: -1, Scheduled: -1}
	if p.Name == "" {
		c.Name.missing(r)
	}
	req := func(col *column) int64 {
		v, ok := col.intOrFloat(r)
		if !ok && r.err == nil {
			col.missing(r)
		}
		return v
	}
	opt := func(col *column, missing int64) int64 {
		if col.present() {
			if v, ok := col.intOrFloat(r); ok {
				return v
			}
		}
		return missing
	}
	optTime := func(col *column) int64 {
		if col.present() {
			if v, ok := col.optSecondsRounded(r); ok {
				return v
			}
		}
		return -1
	}
	optStr := func(col *column) string {
		if col.present() {
			return col.str(r)
		}
		return ""
	}
	p.CPUMilli = req(&c.CPUMilli)
	p.MemoryMiB = req(&c.MemoryMiB)
	ng := req(&c.NumGPU)
	if ng < 0 || ng > scheduler.MaxGPUsPerNode {
		c.NumGPU.fail(r, "invalid", fmt.Sprintf("num_gpu %d out of range 0..%d", ng, scheduler.MaxGPUsPerNode))
	}
	p.NumGPU = int(ng)
	p.GPUMilli = opt(&c.GPUMilli, 0)
	p.Creation = optTime(&c.CreationTime)
	p.Deletion = optTime(&c.DeletionTime)
	p.Scheduled = optTime(&c.ScheduledTime)
	p.GPUSpec = optStr(&c.GPUSpec)
	p.QoS = optStr(&c.QoS)
	p.Phase = optStr(&c.PodPhase)
	if r.err != nil {
		return p, r.err
	}
	return p, nil
}
