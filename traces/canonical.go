package traces

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
	"github.com/schedlab/schedlab/scheduler"
)

// CanonicalFormat is the name of schedlab's own replay format. A file is one gzip
// stream:
//
//	"schedlab-trace 1\n"
//	uvarint length + JSON header {"source": FORMAT, "options": {...}}
//	node-event records, in time order
//	an end record
//	job records, in (submit, job ID) order
//	an end record
//
// Each record is uvarint length + tag byte ('N' node event, 'J' job, 'E' end) +
// the binary encoding of codec.go. Replaying it needs no parsing of text, no
// grouping and no sorting.
const CanonicalFormat = "schedlab"

const canonicalMagic = "schedlab-trace 1\n"

type canonicalHeader struct {
	Source  string            `json:"source"`
	Options map[string]string `json:"options"`
}

// ConvertFile is Convert to a new file at out (created, or truncated if it
// exists). An output path that cannot be created (a directory, a missing parent
// directory, no permission) is reported before the trace is read, as an error
// wrapping ErrBadInput: like a malformed input, it is the caller's to fix (exit
// status 2 in the CLI). On any error the output file is removed.
func ConvertFile(format string, paths []string, opt Options, out string) (*TraceStats, error) {
	f, err := os.Create(out)
	if err != nil {
		return nil, badOutput(err)
	}
	st, err := Convert(format, paths, opt, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return nil, err
	}
	return st, nil
}

// badOutput classifies an error creating an output file or directory (Sample,
// ConvertFile) as the caller's: it wraps ErrBadInput.
func badOutput(err error) error { return fmt.Errorf("%w: output: %v", ErrBadInput, err) }

// Convert reads a trace and writes it to w in the canonical format, returning
// the trace's stats. Converting a canonical file copies it. To write a file,
// use ConvertFile, which classifies an unusable output path as bad input.
func Convert(format string, paths []string, opt Options, w io.Writer) (*TraceStats, error) {
	r, err := Open(format, paths, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(zw, 256<<10)
	bw.WriteString(canonicalMagic)
	hdr, _ := json.Marshal(canonicalHeader{Source: r.format, Options: r.opt.Map()})
	var lb [binary.MaxVarintLen64]byte
	writeRec := func(tag byte, body []byte) error {
		n := binary.PutUvarint(lb[:], uint64(len(body)+1))
		bw.Write(lb[:n])
		bw.WriteByte(tag)
		_, err := bw.Write(body)
		return err
	}
	n := binary.PutUvarint(lb[:], uint64(len(hdr)))
	bw.Write(lb[:n])
	bw.Write(hdr)
	var buf []byte
	for {
		ev, err := r.NextNodeEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		buf = encodeNodeEvent(buf[:0], &ev)
		if err := writeRec('N', buf); err != nil {
			return nil, err
		}
	}
	writeRec('E', nil)
	for {
		j, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		buf = encodeJob(buf[:0], j, r.lastFlags())
		if err := writeRec('J', buf); err != nil {
			return nil, err
		}
	}
	writeRec('E', nil)
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return r.stats, nil
}

// canonicalReader reads the records of one section of a canonical file.
type canonicalReader struct {
	f    *os.File
	zr   *gzip.Reader
	br   *bufio.Reader
	name string
	hdr  canonicalHeader
	buf  []byte
	done bool
	nrec int64
}

func openCanonicalReader(path string) (*canonicalReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	c := &canonicalReader{f: f, name: path}
	c.zr, err = gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		f.Close()
		return nil, &InputError{File: path, Reason: "bad_gzip", Msg: "not a schedlab trace (bad gzip header)"}
	}
	c.br = bufio.NewReaderSize(c.zr, 256<<10)
	magic := make([]byte, len(canonicalMagic))
	if _, err := io.ReadFull(c.br, magic); err != nil || !bytes.Equal(magic, []byte(canonicalMagic)) {
		c.close()
		return nil, &InputError{File: path, Line: 1, Reason: "bad_magic", Msg: "not a schedlab trace (want first line \"schedlab-trace 1\")"}
	}
	n, err := binary.ReadUvarint(c.br)
	if err != nil || n > 1<<20 {
		c.close()
		return nil, &InputError{File: path, Reason: "bad_header", Msg: "bad header length"}
	}
	h := make([]byte, n)
	if _, err := io.ReadFull(c.br, h); err != nil || json.Unmarshal(h, &c.hdr) != nil {
		c.close()
		return nil, &InputError{File: path, Reason: "bad_header", Msg: "bad JSON header"}
	}
	return c, nil
}

// next returns the next record of the current section; ok is false at its end
// record.
func (c *canonicalReader) next() (tag byte, body []byte, ok bool, err error) {
	if c.done {
		return 0, nil, false, nil
	}
	n, err := binary.ReadUvarint(c.br)
	if err != nil {
		return 0, nil, false, c.errorf(err, "reading record length")
	}
	if n == 0 || n > 1<<31 {
		return 0, nil, false, c.errorf(nil, "bad record length %d", n)
	}
	if uint64(cap(c.buf)) < n {
		c.buf = make([]byte, n)
	}
	c.buf = c.buf[:n]
	if _, err := io.ReadFull(c.br, c.buf); err != nil {
		return 0, nil, false, c.errorf(err, "reading record")
	}
	c.nrec++
	if c.buf[0] == 'E' {
		c.done = true
		return 'E', nil, false, nil
	}
	return c.buf[0], c.buf[1:], true, nil
}

func (c *canonicalReader) errorf(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	reason := "bad_record"
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		reason, msg = "truncated", msg+": file is truncated"
	} else if err != nil {
		msg += ": " + err.Error()
	}
	return &InputError{File: c.name, Line: c.nrec + 1, Field: "record", Reason: reason, Msg: msg}
}

// skipSection reads to the end of the current section and starts the next.
func (c *canonicalReader) skipSection() error {
	for {
		_, _, ok, err := c.next()
		if err != nil {
			return err
		}
		if !ok {
			c.done = false
			return nil
		}
	}
}

func (c *canonicalReader) close() error {
	if c.zr != nil {
		c.zr.Close()
	}
	return c.f.Close()
}

func openCanonical(paths []string, opt Options) (*Replay, error) {
	if err := checkOne(CanonicalFormat, paths); err != nil {
		return nil, err
	}
	nr, err := openCanonicalReader(paths[0])
	if err != nil {
		return nil, err
	}
	jr, err := openCanonicalReader(paths[0])
	if err != nil {
		nr.close()
		return nil, err
	}
	if err := jr.skipSection(); err != nil {
		nr.close()
		jr.close()
		return nil, err
	}
	st := &TraceStats{Format: CanonicalFormat, Options: nr.hdr.Options, Skipped: map[string]int64{}}
	var flags []uint8
	r := &Replay{format: CanonicalFormat, opt: opt, stats: st}
	r.flags = &flags
	r.nextJob = func() (*scheduler.Job, error) {
		tag, body, ok, err := jr.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
		if tag != 'J' {
			return nil, jr.errorf(nil, "record tag %q in the job section", tag)
		}
		j, f, err := decodeJob(body, flags)
		flags = f
		if err != nil {
			return nil, jr.errorf(nil, "%v", err)
		}
		return j, nil
	}
	readNode := func() (scheduler.NodeEvent, error) {
		tag, body, ok, err := nr.next()
		if err != nil {
			return scheduler.NodeEvent{}, err
		}
		if !ok {
			return scheduler.NodeEvent{}, io.EOF
		}
		if tag != 'N' {
			return scheduler.NodeEvent{}, nr.errorf(nil, "record tag %q in the node section", tag)
		}
		ev, err := decodeNodeEvent(body)
		if err != nil {
			return ev, nr.errorf(nil, "%v", err)
		}
		return ev, nil
	}
	// The first node event is read now, so that HasMachines knows whether there
	// is one; a read error is returned by the first NextNodeEvent.
	first, firstErr := readNode()
	r.nodeEvents = firstErr == nil
	peeked := true
	r.nextNode = func() (scheduler.NodeEvent, error) {
		if peeked {
			peeked = false
			return first, firstErr
		}
		return readNode()
	}
	r.closer = func() error { nr.close(); return jr.close() }
	return r, nil
}

// canonicalStats summarises a canonical file from its records.
func canonicalStats(paths []string, opt *Options) (*TraceStats, error) {
	r, err := openCanonical(paths, *opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b := newBuilder(CanonicalFormat, opt, true)
	defer b.close()
	b.st.Options = r.stats.Options
	for {
		ev, err := r.NextNodeEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		b.st.Rows["nodes"]++
		b.st.Events["nodes/"+ev.Kind.String()]++
		if ev.Kind == scheduler.NodeAdd {
			b.machines[ev.Node.Name] = struct{}{}
		}
		b.seen(ev.Time)
	}
	for {
		j, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		b.st.Rows["jobs"]++
		b.st.Jobs++
		b.st.Tasks += int64(len(j.Tasks))
		b.seen(j.Submit)
		if err := b.job(j, *r.flags); err != nil {
			return nil, err
		}
	}
	b.st.Files = 1
	b.st.Machines = int64(len(b.machines))
	if b.haveTime {
		b.st.FirstSeconds = b.first.Seconds()
		b.st.LastSeconds = b.last.Seconds()
	}
	return b.st, nil
}
