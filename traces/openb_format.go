package traces

import (
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// openb2023: Alibaba cluster-trace-gpu-v2023. Node lists become NodeAdd events at
// time 0; each pod is a one-task job (TRACES.md §11.7).

// openbFormat is the openb entry of formatTable.
var openbFormat = formatSpec{info: FormatInfo{Name: "openb2023",
	Doc: "Alibaba cluster-trace-gpu-v2023 (FGD, ATC'23): node list → machines at time 0 (cpu milli, MiB, GPUs, model); " +
		"each pod → a one-task job submitted at creation_time, runtime deletion−scheduled, gpu_spec → allowed GPU models, qos LS/Guaranteed → service",
	Files: "openb_node_list_*.csv (header sn,cpu_milli,memory_mib,gpu,model), openb_pod_list_*.csv (header name,cpu_milli,...); matched by header"},
	newReader: func(*Options) reader { return &openbReader{} }}

type openbReader struct{ nodes, pods int }

func (o *openbReader) input(b *builder, m member) (bool, error) {
	h, err := newHeaderCSV(m)
	if err != nil {
		return false, err
	}
	switch {
	case openbNodes.identifies(h):
		if err := openbNodes.check(h, m.name, 1); err != nil {
			return false, err
		}
		c := bindHeader(openbNodes, h, &openbNodeCols)
		b.inTable(openbNodes.name)
		return true, h.rows(func(h *headerCSV, r *row) error {
			b.addRows(openbNodes.name, 1)
			n, err := openbNode(c, r)
			if err != nil {
				return b.bad(r.err)
			}
			ev := scheduler.NodeEvent{Time: 0, Kind: scheduler.NodeAdd, Node: n}
			if _, dup := b.machines[n.Name]; dup {
				return b.orphan("duplicate_node")
			}
			return b.node(&ev)
		})
	case openbPods.identifies(h):
		if err := openbPods.check(h, m.name, 1); err != nil {
			return false, err
		}
		c := bindHeader(openbPods, h, &openbPodCols)
		var buf []byte
		b.inTable(openbPods.name)
		return true, h.rows(func(h *headerCSV, r *row) error {
			b.addRows(openbPods.name, 1)
			p, err := openbPod(c, r)
			if err != nil {
				return b.bad(r.err)
			}
			b.rowDone(openbPods.name, r)
			b.st.Events["pod_phase/"+p.Phase]++
			b.st.Events["qos/"+p.QoS]++
			for _, t := range []int64{p.Creation, p.Deletion, p.Scheduled} {
				if t >= 0 {
					b.seen(secondsToTime(t))
				}
			}
			buf = encodeOpenbPod(buf[:0], &p)
			return b.group([]byte(p.Name), nil, buf)
		})
	}
	return false, nil
}

func encodeOpenbPod(buf []byte, p *OpenbPod) []byte {
	e := enc{buf}
	e.str(p.Name)
	e.int(p.CPUMilli)
	e.int(p.MemoryMiB)
	e.int(int64(p.NumGPU))
	e.int(p.GPUMilli)
	e.str(p.GPUSpec)
	e.str(p.QoS)
	e.str(p.Phase)
	e.int(p.Creation)
	e.int(p.Deletion)
	e.int(p.Scheduled)
	return e.b
}

func decodeOpenbPod(buf []byte) OpenbPod {
	d := dec{b: buf}
	return OpenbPod{Name: d.str(), CPUMilli: d.int(), MemoryMiB: d.int(), NumGPU: int(d.int()), GPUMilli: d.int(),
		GPUSpec: d.str(), QoS: d.str(), Phase: d.str(), Creation: d.int(), Deletion: d.int(), Scheduled: d.int()}
}

func (o *openbReader) finish(b *builder) error { return nil }

func (o *openbReader) assemble(b *builder, key []byte, recs []record) error {
	if len(recs) > 1 {
		b.count("duplicate_pod_rows", int64(len(recs)-1))
	}
	b.st.Jobs++
	b.st.Tasks++
	p := decodeOpenbPod(recs[0].val)
	origin := b.opt.Origin
	if origin < 0 {
		origin = 0
	}
	l := lifetime{submit: secondsToTime(p.Creation - origin)}
	if p.Creation < 0 {
		// No creation time: the pod arrives at the origin.
		l.submit = 0
		b.count("pods_without_creation", 1)
	}
	if p.Scheduled >= 0 {
		l.start, l.hasStart = secondsToTime(p.Scheduled-origin), true
	}
	if p.Deletion >= 0 {
		l.end, l.hasEnd = secondsToTime(p.Deletion-origin), true
	}
	submit, rt, flags, drop := b.resolve(l, b.traceEnd(0))
	if drop {
		b.count("pods_dropped", 1)
		return nil
	}
	t := scheduler.Task{Request: scheduler.Res(max(p.CPUMilli, 0), max(p.MemoryMiB, 0), 0), Runtime: rt}
	if p.CPUMilli < 0 || p.MemoryMiB < 0 {
		b.count("invalid_request", 1)
	}
	if p.NumGPU > 0 {
		t.GPUCount = int32(p.NumGPU)
		milli := p.GPUMilli
		if p.NumGPU > 1 || milli > 1000 || milli <= 0 {
			if p.NumGPU == 1 && (milli > 1000 || milli < 0) {
				b.count("invalid_gpu_milli", 1)
			}
			milli = 1000
		}
		t.GPUMilli = int32(milli)
		t.Request[scheduler.GPU] = int64(t.GPUCount) * milli
	}
	if b.opt.Constraints == "enforce" && p.GPUSpec != "" {
		var models []string
		for _, s := range strings.Split(p.GPUSpec, "|") {
			if s = strings.TrimSpace(s); s != "" {
				models = append(models, s)
			}
		}
		if len(models) > 0 {
			t.Constraints = &scheduler.Constraints{GPUModels: models}
		}
	}
	class := scheduler.Batch
	if p.QoS == "LS" || p.QoS == "Guaranteed" {
		class = scheduler.Service
	}
	j := &scheduler.Job{ID: scheduler.JobID(b.st.Jobs), Name: p.Name, Submit: submit, Class: class, Tasks: []scheduler.Task{t}}
	return b.job(j, []uint8{flags})
}

// keysFor supports Sample: node lists are sampled by machine (sn), pod lists by
// pod (name) and creation_time, assuming the published column order; files are
// recognised by "node_list" and "pod_list" in their names.
func (o *openbReader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	var f [][]byte
	switch {
	case strings.Contains(name, "node_list"):
		return true, 1, func(line []byte) (rowKeys, bool) {
			f, _, _ = splitCSV(line, f, nil)
			return rowKeys{machine: f[0]}, true
		}
	case strings.Contains(name, "pod_list"):
		return true, 1, func(line []byte) (rowKeys, bool) {
			f, _, _ = splitCSV(line, f, nil)
			k := rowKeys{job: f[0]}
			if len(f) > 8 {
				if v, e := atoi(f[8]); e == numOK && v >= 0 {
					k.time, k.hasTime = secondsToTime(v), true
				}
			}
			return k, true
		}
	}
	return false, 0, nil
}
