package traces

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/schedlab/schedlab/scheduler"
)

// The binary encoding of jobs and node events, used between the sort stages and as
// the record body of the canonical "schedlab" format (see canonical.go). Integers
// are varints; strings and lists are length-prefixed.

var errCorrupt = errors.New("corrupt record")

type enc struct{ b []byte }

func (e *enc) i(v int64)  { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) u(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) s(v string) { e.u(uint64(len(v))); e.b = append(e.b, v...) }
func (e *enc) res(r scheduler.Resources) {
	for _, v := range r {
		e.i(v)
	}
}

type dec struct {
	b   []byte
	err error
}

func (d *dec) i() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) u() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// n reads a length or count. Every counted element takes at least one byte, so
// a value above the bytes left is corrupt (this also bounds allocations). The
// argument is ignored (kept for call-site readability).
func (d *dec) n(_ int) int {
	v := d.u()
	if d.err != nil {
		return 0
	}
	if v > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *dec) s() string {
	n := d.n(len(d.b))
	if d.err != nil {
		return ""
	}
	v := string(d.b[:n])
	d.b = d.b[n:]
	return v
}

// sv returns a string viewing the record's bytes (no copy): valid only while the
// record is (during assemble).
func (d *dec) sv() string {
	n := d.n(len(d.b))
	if d.err != nil {
		return ""
	}
	v := bstr(d.b[:n])
	d.b = d.b[n:]
	return v
}

func (d *dec) res() (r scheduler.Resources) {
	for i := range r {
		r[i] = d.i()
	}
	return r
}

func (d *dec) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

// Task flag bits, kept next to each encoded task (informational; counted in
// stats).
const (
	flagCensored     = 1 << iota // no end within the trace: runtime from the censoring rule
	flagLeftCensored             // first event before the trace window
	flagMissingInfo              // a row with synthesized times
	flagRetried                  // more than one attempt
)

// encodeJob appends j (its description fields only) to b.
func encodeJob(b []byte, j *scheduler.Job, flags []uint8) []byte {
	e := enc{b}
	e.i(int64(j.ID))
	e.s(j.Name)
	e.i(int64(j.Submit))
	e.i(int64(j.Priority))
	e.u(uint64(j.Class))
	e.s(j.Tenant)
	e.i(int64(j.MinMember))
	e.u(uint64(len(j.Groups)))
	for _, g := range j.Groups {
		e.s(g.Name)
		e.u(uint64(len(g.After)))
		for _, a := range g.After {
			e.i(int64(a))
		}
	}
	e.u(uint64(len(j.After)))
	for _, a := range j.After {
		e.i(int64(a))
	}
	e.u(uint64(len(j.Tasks)))
	for k := range j.Tasks {
		t := &j.Tasks[k]
		e.i(int64(t.Index))
		e.i(int64(t.Group))
		e.res(t.Request)
		e.i(int64(t.GPUCount))
		e.i(int64(t.GPUMilli))
		e.i(int64(t.Runtime))
		e.i(int64(t.Priority))
		var f uint8
		if k < len(flags) {
			f = flags[k]
		}
		e.u(uint64(f))
		c := t.Constraints
		if c == nil {
			e.u(0)
			continue
		}
		e.u(1)
		e.u(uint64(len(c.Selectors)))
		for _, s := range c.Selectors {
			e.s(s.Key)
			e.u(uint64(s.Op))
			e.u(uint64(len(s.Values)))
			for _, v := range s.Values {
				e.s(v)
			}
		}
		e.u(uint64(len(c.GPUModels)))
		for _, m := range c.GPUModels {
			e.s(m)
		}
		if c.DistinctNodes {
			e.u(1)
		} else {
			e.u(0)
		}
	}
	return e.b
}

// decodeJob decodes a job written by encodeJob; flags receives the task flags
// (reused if large enough).
func decodeJob(b []byte, flags []uint8) (*scheduler.Job, []uint8, error) {
	d := dec{b: b}
	j := &scheduler.Job{}
	j.ID = scheduler.JobID(d.i())
	j.Name = d.s()
	j.Submit = scheduler.Time(d.i())
	j.Priority = int32(d.i())
	j.Class = scheduler.Class(d.u())
	j.Tenant = d.s()
	j.MinMember = int32(d.i())
	if ng := d.n(len(d.b)); ng > 0 {
		j.Groups = make([]scheduler.Group, ng)
		for g := range j.Groups {
			j.Groups[g].Name = d.s()
			if na := d.n(len(d.b)); na > 0 {
				j.Groups[g].After = make([]int32, na)
				for a := range j.Groups[g].After {
					j.Groups[g].After[a] = int32(d.i())
				}
			}
		}
	}
	if na := d.n(len(d.b)); na > 0 {
		j.After = make([]scheduler.JobID, na)
		for a := range j.After {
			j.After[a] = scheduler.JobID(d.i())
		}
	}
	nt := d.n(len(d.b))
	j.Tasks = make([]scheduler.Task, nt)
	flags = flags[:0]
	for k := range j.Tasks {
		t := &j.Tasks[k]
		t.Index = int32(d.i())
		t.Group = int32(d.i())
		t.Request = d.res()
		t.GPUCount = int32(d.i())
		t.GPUMilli = int32(d.i())
		t.Runtime = scheduler.Time(d.i())
		t.Priority = int32(d.i())
		flags = append(flags, uint8(d.u()))
		if d.u() == 0 {
			continue
		}
		c := &scheduler.Constraints{}
		if ns := d.n(len(d.b)); ns > 0 {
			c.Selectors = make([]scheduler.Selector, ns)
			for s := range c.Selectors {
				c.Selectors[s].Key = d.s()
				c.Selectors[s].Op = scheduler.SelectorOp(d.u())
				if nv := d.n(len(d.b)); nv > 0 {
					c.Selectors[s].Values = make([]string, nv)
					for v := range c.Selectors[s].Values {
						c.Selectors[s].Values[v] = d.s()
					}
				}
			}
		}
		if nm := d.n(len(d.b)); nm > 0 {
			c.GPUModels = make([]string, nm)
			for m := range c.GPUModels {
				c.GPUModels[m] = d.s()
			}
		}
		c.DistinctNodes = d.u() == 1
		t.Constraints = c
	}
	if d.err != nil {
		return nil, flags, fmt.Errorf("traces: decoding job: %w", d.err)
	}
	if len(d.b) != 0 {
		return nil, flags, fmt.Errorf("traces: decoding job: %d trailing bytes", len(d.b))
	}
	for k := range j.Tasks {
		j.Tasks[k].Job = j
	}
	return j, flags, nil
}

// encodeNodeEvent appends ev to b.
func encodeNodeEvent(b []byte, ev *scheduler.NodeEvent) []byte {
	e := enc{b}
	e.i(int64(ev.Time))
	e.u(uint64(ev.Kind))
	n := &ev.Node
	e.s(n.Name)
	e.res(n.Capacity)
	e.i(int64(n.GPUs))
	e.s(n.GPUModel)
	e.s(n.Domain)
	e.u(uint64(len(n.Labels)))
	for _, l := range n.Labels {
		e.s(l.Key)
		e.s(l.Value)
	}
	return e.b
}

// decodeNodeEvent decodes an event written by encodeNodeEvent.
func decodeNodeEvent(b []byte) (scheduler.NodeEvent, error) {
	d := dec{b: b}
	var ev scheduler.NodeEvent
	ev.Time = scheduler.Time(d.i())
	ev.Kind = scheduler.NodeEventKind(d.u())
	n := &ev.Node
	n.Name = d.s()
	n.Capacity = d.res()
	n.GPUs = int(d.i())
	n.GPUModel = d.s()
	n.Domain = d.s()
	if nl := d.n(len(d.b)); nl > 0 {
		n.Labels = make([]scheduler.Label, nl)
		for i := range n.Labels {
			n.Labels[i].Key = d.s()
			n.Labels[i].Value = d.s()
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return ev, fmt.Errorf("traces: decoding node event: %w", errCorrupt)
	}
	return ev, nil
}
