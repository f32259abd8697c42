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

// enc appends values to b in the encoding; dec reads them back in the same
// order.
type enc struct{ b []byte }

// int appends a signed varint.
func (e *enc) int(v int64) { e.b = binary.AppendVarint(e.b, v) }

// uint appends an unsigned varint (also a length or count).
func (e *enc) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

// str appends a string: its length, then its bytes.
func (e *enc) str(v string) { e.uint(uint64(len(v))); e.b = append(e.b, v...) }

// res appends each resource dimension as a signed varint.
func (e *enc) res(r scheduler.Resources) {
	for _, v := range r {
		e.int(v)
	}
}

// dec reads what enc wrote, from b; the first malformed value sets err
// (errCorrupt) and empties b, so later reads return zero values.
type dec struct {
	b   []byte
	err error
}

// int reads a signed varint.
func (d *dec) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// uint reads an unsigned varint.
func (d *dec) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length or count. Every counted element takes at least one byte,
// so a value above the bytes left is corrupt (this also bounds allocations).
func (d *dec) count() int {
	v := d.uint()
	if d.err != nil {
		return 0
	}
	if v > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(v)
}

// str reads a string (a copy of its bytes).
func (d *dec) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	v := string(d.b[:n])
	d.b = d.b[n:]
	return v
}

// strView reads a string viewing the record's bytes (no copy): valid only while the
// record is (during assemble).
func (d *dec) strView() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	v := bstr(d.b[:n])
	d.b = d.b[n:]
	return v
}

// res reads the resource dimensions res wrote.
func (d *dec) res() (r scheduler.Resources) {
	for i := range r {
		r[i] = d.int()
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
	e.int(int64(j.ID))
	e.str(j.Name)
	e.int(int64(j.Submit))
	e.int(int64(j.Priority))
	e.uint(uint64(j.Class))
	e.str(j.Tenant)
	e.int(int64(j.MinMember))
	e.uint(uint64(len(j.Groups)))
	for _, g := range j.Groups {
		e.str(g.Name)
		e.uint(uint64(len(g.After)))
		for _, a := range g.After {
			e.int(int64(a))
		}
	}
	e.uint(uint64(len(j.After)))
	for _, a := range j.After {
		e.int(int64(a))
	}
	e.uint(uint64(len(j.Tasks)))
	for k := range j.Tasks {
		t := &j.Tasks[k]
		e.int(int64(t.Index))
		e.int(int64(t.Group))
		e.res(t.Request)
		e.int(int64(t.GPUCount))
		e.int(int64(t.GPUMilli))
		e.int(int64(t.Runtime))
		e.int(int64(t.Priority))
		var f uint8
		if k < len(flags) {
			f = flags[k]
		}
		e.uint(uint64(f))
		c := t.Constraints
		if c == nil {
			e.uint(0)
			continue
		}
		e.uint(1)
		e.uint(uint64(len(c.Selectors)))
		for _, s := range c.Selectors {
			e.str(s.Key)
			e.uint(uint64(s.Op))
			e.uint(uint64(len(s.Values)))
			for _, v := range s.Values {
				e.str(v)
			}
		}
		e.uint(uint64(len(c.GPUModels)))
		for _, m := range c.GPUModels {
			e.str(m)
		}
		if c.DistinctNodes {
			e.uint(1)
		} else {
			e.uint(0)
		}
	}
	return e.b
}

// decodeJob decodes a job written by encodeJob; flags receives the task flags
// (reused if large enough).
func decodeJob(b []byte, flags []uint8) (*scheduler.Job, []uint8, error) {
	d := dec{b: b}
	j := &scheduler.Job{}
	j.ID = scheduler.JobID(d.int())
	j.Name = d.str()
	j.Submit = scheduler.Time(d.int())
	j.Priority = int32(d.int())
	j.Class = scheduler.Class(d.uint())
	j.Tenant = d.str()
	j.MinMember = int32(d.int())
	if ng := d.count(); ng > 0 {
		j.Groups = make([]scheduler.Group, ng)
		for g := range j.Groups {
			j.Groups[g].Name = d.str()
			if na := d.count(); na > 0 {
				j.Groups[g].After = make([]int32, na)
				for a := range j.Groups[g].After {
					j.Groups[g].After[a] = int32(d.int())
				}
			}
		}
	}
	if na := d.count(); na > 0 {
		j.After = make([]scheduler.JobID, na)
		for a := range j.After {
			j.After[a] = scheduler.JobID(d.int())
		}
	}
	nt := d.count()
	j.Tasks = make([]scheduler.Task, nt)
	flags = flags[:0]
	for k := range j.Tasks {
		t := &j.Tasks[k]
		t.Index = int32(d.int())
		t.Group = int32(d.int())
		t.Request = d.res()
		t.GPUCount = int32(d.int())
		t.GPUMilli = int32(d.int())
		t.Runtime = scheduler.Time(d.int())
		t.Priority = int32(d.int())
		flags = append(flags, uint8(d.uint()))
		if d.uint() == 0 {
			continue
		}
		c := &scheduler.Constraints{}
		if ns := d.count(); ns > 0 {
			c.Selectors = make([]scheduler.Selector, ns)
			for s := range c.Selectors {
				c.Selectors[s].Key = d.str()
				c.Selectors[s].Op = scheduler.SelectorOp(d.uint())
				if nv := d.count(); nv > 0 {
					c.Selectors[s].Values = make([]string, nv)
					for v := range c.Selectors[s].Values {
						c.Selectors[s].Values[v] = d.str()
					}
				}
			}
		}
		if nm := d.count(); nm > 0 {
			c.GPUModels = make([]string, nm)
			for m := range c.GPUModels {
				c.GPUModels[m] = d.str()
			}
		}
		c.DistinctNodes = d.uint() == 1
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
	e.int(int64(ev.Time))
	e.uint(uint64(ev.Kind))
	n := &ev.Node
	e.str(n.Name)
	e.res(n.Capacity)
	e.int(int64(n.GPUs))
	e.str(n.GPUModel)
	e.str(n.Domain)
	e.uint(uint64(len(n.Labels)))
	for _, l := range n.Labels {
		e.str(l.Key)
		e.str(l.Value)
	}
	return e.b
}

// decodeNodeEvent decodes an event written by encodeNodeEvent.
func decodeNodeEvent(b []byte) (scheduler.NodeEvent, error) {
	d := dec{b: b}
	var ev scheduler.NodeEvent
	ev.Time = scheduler.Time(d.int())
	ev.Kind = scheduler.NodeEventKind(d.uint())
	n := &ev.Node
	n.Name = d.str()
	n.Capacity = d.res()
	n.GPUs = int(d.int())
	n.GPUModel = d.str()
	n.Domain = d.str()
	if nl := d.count(); nl > 0 {
		n.Labels = make([]scheduler.Label, nl)
		for i := range n.Labels {
			n.Labels[i].Key = d.str()
			n.Labels[i].Value = d.str()
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return ev, fmt.Errorf("traces: decoding node event: %w", errCorrupt)
	}
	return ev, nil
}
