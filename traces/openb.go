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

// headerCSV reads a CSV file with a header row and resolves columns by name.
type headerCSV struct {
	lr     *lineReader
	names  []string
	index  map[string]int
	fields [][]byte
	quote  []byte
}

// readHeaderCSV reads path (plain or gzip) and calls fn for each data row; the
// row's columns are found with col. required lists the columns that must exist.
// A file without data rows is bad input naming table.
func readHeaderCSV(path, table string, required []string, fn func(h *headerCSV, r *row) error) error {
	return walkInputs([]string{path}, func(m member) error {
		h, err := newHeaderCSV(m, required)
		if err != nil {
			return err
		}
		n := 0
		err = h.rows(func(h *headerCSV, r *row) error { n++; return fn(h, r) })
		if err == nil && n == 0 {
			err = &InputError{File: m.name, Reason: "empty_table", Msg: "table " + table + " is empty (no data rows)"}
		}
		return err
	})
}

// newHeaderCSV reads the header row of m and checks the required columns.
func newHeaderCSV(m member, required []string) (*headerCSV, error) {
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
	for _, c := range required {
		if _, ok := h.index[c]; !ok {
			return nil, &InputError{File: m.name, Line: h.lr.line, Field: c, Reason: "missing_column",
				Msg: fmt.Sprintf("required column %q is absent (header: %s)", c, strings.Join(h.names, ","))}
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
	err := readHeaderCSV(path, "nodes", []string{"sn", "cpu_milli", "memory_mib", "gpu"}, func(h *headerCSV, r *row) error {
		n, err := openbNode(h, r)
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
		return nil
	})
	return nodes, err
}

func openbNode(h *headerCSV, r *row) (scheduler.Node, error) {
	sn, cpu, mem, gpu, model := h.col("sn"), h.col("cpu_milli"), h.col("memory_mib"), h.col("gpu"), h.col("model")
	n := scheduler.Node{Name: r.str(sn)}
	if n.Name == "" {
		r.fail(sn, "missing_field", "required value is empty")
	}
	c, _ := r.intOrFloat(cpu)
	m, _ := r.intOrFloat(mem)
	g, _ := r.intOrFloat(gpu)
	if !r.has(cpu) {
		r.fail(cpu, "missing_field", "required value is empty")
	}
	if !r.has(mem) {
		r.fail(mem, "missing_field", "required value is empty")
	}
	if c < 0 {
		r.fail(cpu, "invalid", "negative capacity")
	}
	if m < 0 {
		r.fail(mem, "invalid", "negative capacity")
	}
	if g < 0 || g > scheduler.MaxGPUsPerNode {
		r.fail(gpu, "invalid", fmt.Sprintf("gpu count %d out of range 0..%d", g, scheduler.MaxGPUsPerNode))
	}
	if r.err != nil {
		return n, r.err
	}
	n.Capacity = scheduler.Res(c, m, g*1000)
	n.GPUs = int(g)
	if model >= 0 {
		n.GPUModel = strings.TrimSpace(r.str(model))
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
	err := readHeaderCSV(path, "pods", []string{"name", "cpu_milli", "memory_mib", "num_gpu"}, func(h *headerCSV, r *row) error {
		p, err := openbPod(h, r)
		if err != nil {
			return err
		}
		pods = append(pods, p)
		return nil
	})
	return pods, err
}

func openbPod(h *headerCSV, r *row) (OpenbPod, error) {
	name := h.col("name")
	p := OpenbPod{Name: r.str(name), Creation: -1, Deletion: -1, Scheduled: -1}
	if p.Name == "" {
		r.fail(name, "missing_field", "required value is empty")
	}
	req := func(col string) int64 {
		i := h.col(col)
		v, ok := r.intOrFloat(i)
		if !ok && r.err == nil {
			r.fail(i, "missing_field", "required value is empty")
		}
		return v
	}
	opt := func(col string, missing int64) int64 {
		if i := h.col(col); i >= 0 {
			if v, ok := r.intOrFloat(i); ok {
				return v
			}
		}
		return missing
	}
	optTime := func(col string) int64 {
		if i := h.col(col); i >= 0 {
			if v, ok := r.optSecondsRounded(i); ok {
				return v
			}
		}
		return -1
	}
	p.CPUMilli = req("cpu_milli")
	p.MemoryMiB = req("memory_mib")
	ng := req("num_gpu")
	if ng < 0 || ng > scheduler.MaxGPUsPerNode {
		r.fail(h.col("num_gpu"), "invalid", fmt.Sprintf("num_gpu %d out of range 0..%d", ng, scheduler.MaxGPUsPerNode))
	}
	p.NumGPU = int(ng)
	p.GPUMilli = opt("gpu_milli", 0)
	p.Creation = optTime("creation_time")
	p.Deletion = optTime("deletion_time")
	p.Scheduled = optTime("scheduled_time")
	if i := h.col("gpu_spec"); i >= 0 {
		p.GPUSpec = r.str(i)
	}
	if i := h.col("qos"); i >= 0 {
		p.QoS = r.str(i)
	}
	if i := h.col("pod_phase"); i >= 0 {
		p.Phase = r.str(i)
	}
	if r.err != nil {
		return p, r.err
	}
	return p, nil
}
