package traces

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/klauspost/compress/s2"
)

// sorter is an external merge sort of (key, value) byte records: records are held
// in memory up to a budget, then sorted and spilled as an s2-compressed run to a
// temporary file; iteration merges the runs. Records with equal keys keep their
// insertion order, so a sort by (time) is stable in the order rows were read.
// Memory is bounded by the budget plus one buffered record per run.
type sorter struct {
	budget  int
	tempDir string
	arena   []byte
	recs    []span
	runs    []*os.File
	n       int64
}

// span locates one record in the arena; pre holds the key's first 8 bytes
// (big-endian, zero-padded) so that most comparisons touch no arena memory.
type span struct {
	pre             uint64
	off, klen, vlen uint32
}

func keyPrefix(k []byte) uint64 {
	if len(k) >= 8 {
		return binary.BigEndian.Uint64(k)
	}
	var b [8]byte
	copy(b[:], k)
	return binary.BigEndian.Uint64(b[:])
}

func newSorter(opt *Options) *sorter {
	// Offsets are uint32: cap the budget well below 4 GiB.
	return &sorter{budget: int(min(opt.SortMemMiB, 3072) << 20), tempDir: opt.TempDir}
}

// add appends a record; key and val are copied.
func (s *sorter) add(key, val []byte) error {
	if len(s.arena)+len(key)+len(val) > s.budget && len(s.recs) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	off := len(s.arena)
	if s.arena == nil {
		s.arena = make([]byte, 0, min(s.budget+1, 64<<10))
	}
	s.arena = append(s.arena, key...)
	s.arena = append(s.arena, val...)
	s.recs = append(s.recs, span{keyPrefix(key), uint32(off), uint32(len(key)), uint32(len(val))})
	s.n++
	return nil
}

func (s *sorter) key(r span) []byte { return s.arena[r.off : r.off+r.klen] }
func (s *sorter) val(r span) []byte { return s.arena[r.off+r.klen : r.off+r.klen+r.vlen] }

// sortMem sorts the in-memory records by key, then by insertion order (arena
// offsets grow with insertion), so the order is the stable one without the cost
// of a stable sort.
func (s *sorter) sortMem() {
	a := s.arena
	slices.SortFunc(s.recs, func(x, y span) int {
		if x.pre != y.pre {
			if x.pre < y.pre {
				return -1
			}
			return 1
		}
		if c := bytes.Compare(a[x.off:x.off+x.klen], a[y.off:y.off+y.klen]); c != 0 {
			return c
		}
		return int(x.off) - int(y.off)
	})
}

func (s *sorter) spill() error {
	s.sortMem()
	f, err := os.CreateTemp(s.tempDir, "schedlab-sort-*")
	if err != nil {
		return fmt.Errorf("traces: external sort: %w", err)
	}
	s.runs = append(s.runs, f)
	w := newRunWriter(f)
	bw := bufio.NewWriterSize(w, 256<<10)
	var hdr [2 * binary.MaxVarintLen64]byte
	for _, r := range s.recs {
		n := binary.PutUvarint(hdr[:], uint64(r.klen))
		n += binary.PutUvarint(hdr[n:], uint64(r.vlen))
		bw.Write(hdr[:n])
		bw.Write(s.arena[r.off : r.off+r.klen+r.vlen])
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("traces: external sort: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("traces: external sort: %w", err)
	}
	s.arena, s.recs = s.arena[:0], s.recs[:0]
	if len(s.runs) >= maxRuns {
		return s.compact()
	}
	return nil
}

// maxRuns bounds the runs merged at once, and so the merge's buffers: when a
// spill makes this many, they are merged into one (a cascade merge).
const maxRuns = 32

// Spill runs use small s2 blocks so that each open run costs little memory.
const runBlock = 64 << 10

func newRunWriter(f io.Writer) *s2.Writer {
	return s2.NewWriter(f, s2.WriterConcurrency(1), s2.WriterBlockSize(runBlock))
}

func newRunReader(f io.Reader, idx int) *runReader {
	return &runReader{idx: idx, br: bufio.NewReaderSize(s2.NewReader(f, s2.ReaderMaxBlockSize(runBlock)), 32<<10)}
}

// compact merges every run into one, keeping stability (runs are merged in
// order and ties go to the earlier run).
func (s *sorter) compact() error {
	out, err := os.CreateTemp(s.tempDir, "schedlab-sort-*")
	if err != nil {
		return fmt.Errorf("traces: external sort: %w", err)
	}
	var h runHeap
	for i, f := range s.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		rr := newRunReader(f, i)
		ok, err := rr.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, rr)
		}
	}
	heap.Init(&h)
	w := newRunWriter(out)
	bw := bufio.NewWriterSize(w, 256<<10)
	var hdr [2 * binary.MaxVarintLen64]byte
	for len(h) > 0 {
		top := h[0]
		n := binary.PutUvarint(hdr[:], uint64(len(top.key)))
		n += binary.PutUvarint(hdr[n:], uint64(len(top.val)))
		bw.Write(hdr[:n])
		bw.Write(top.key)
		bw.Write(top.val)
		more, err := top.next()
		if err != nil {
			return err
		}
		if more {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("traces: external sort: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("traces: external sort: %w", err)
	}
	for _, f := range s.runs {
		f.Close()
		os.Remove(f.Name())
	}
	s.runs = append(s.runs[:0], out)
	return nil
}

// close removes the spill files.
func (s *sorter) close() {
	for _, f := range s.runs {
		f.Close()
		os.Remove(f.Name())
	}
	s.runs = nil
	s.arena, s.recs = nil, nil
}

// sortIter yields a sorter's records in key order. A returned key and value are
// valid until the next call.
type sortIter struct {
	s    *sorter
	mem  int // next in-memory record, when there are no runs
	h    runHeap
	last *runReader
}

// iter sorts what is in memory and returns an iterator; no more records may be
// added.
func (s *sorter) iter() (*sortIter, error) {
	it := &sortIter{s: s}
	if len(s.runs) == 0 {
		s.sortMem()
		return it, nil
	}
	if len(s.recs) > 0 {
		if err := s.spill(); err != nil {
			return nil, err
		}
	}
	s.arena, s.recs = nil, nil
	for i, f := range s.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		rr := newRunReader(f, i)
		ok, err := rr.next()
		if err != nil {
			return nil, err
		}
		if ok {
			it.h = append(it.h, rr)
		}
	}
	heap.Init(&it.h)
	return it, nil
}

// next returns the next record; ok is false at the end.
func (it *sortIter) next() (key, val []byte, ok bool, err error) {
	if it.s.runs == nil {
		if it.mem >= len(it.s.recs) {
			return nil, nil, false, nil
		}
		r := it.s.recs[it.mem]
		it.mem++
		return it.s.key(r), it.s.val(r), true, nil
	}
	if it.last != nil {
		more, err := it.last.next()
		if err != nil {
			return nil, nil, false, err
		}
		if more {
			heap.Fix(&it.h, 0)
		} else {
			heap.Pop(&it.h)
		}
		it.last = nil
	}
	if len(it.h) == 0 {
		return nil, nil, false, nil
	}
	top := it.h[0]
	it.last = top
	return top.key, top.val, true, nil
}

type runReader struct {
	idx      int
	br       *bufio.Reader
	key, val []byte
	buf      []byte
}

func (r *runReader) next() (bool, error) {
	kl, err := binary.ReadUvarint(r.br)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("traces: external sort: reading run: %w", err)
	}
	vl, err := binary.ReadUvarint(r.br)
	if err != nil {
		return false, fmt.Errorf("traces: external sort: reading run: %w", err)
	}
	need := int(kl + vl)
	r.buf = slices.Grow(r.buf[:0], need)[:need]
	if _, err := io.ReadFull(r.br, r.buf); err != nil {
		return false, errors.New("traces: external sort: truncated run")
	}
	r.key, r.val = r.buf[:kl:kl], r.buf[kl:]
	return true, nil
}

type runHeap []*runReader

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key, h[j].key); c != 0 {
		return c < 0
	}
	return h[i].idx < h[j].idx
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Key encoding: fixed-width big-endian so that bytes.Compare orders like numbers.

// appendKeyInt appends v so that keys compare in signed numeric order.
func appendKeyInt(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(v)^(1<<63))
}

// appendKeyStr appends s terminated by 0x00 (trace IDs contain no NUL), so that
// a shorter string sorts before its extensions and fields stay separable.
func appendKeyStr(b []byte, s []byte) []byte {
	b = append(b, s...)
	return append(b, 0)
}
