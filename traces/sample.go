package traces

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/schedlab/schedlab/scheduler"
)

// SampleSpec selects the rows that Sample keeps. A row is kept when its time (if
// the row has one) lies in [From, To) and its job and machine (if it names them)
// are among the chosen fractions. Jobs and machines are chosen by a seeded hash of
// their trace ID, so every row of a kept job is kept, across tables and shards.
type SampleSpec struct {
	From, To float64 // trace seconds since the origin; negative = unbounded
	Machines float64 // fraction of machines kept, in (0, 1]
	Jobs     float64 // fraction of jobs kept, in (0, 1]
	Seed     uint64
}

// SampleResult reports what Sample wrote.
type SampleResult struct {
	Files []string         `json:"files"`
	Rows  map[string]int64 `json:"rows"` // per output file: rows kept
	Read  int64            `json:"rows_read"`
	Kept  int64            `json:"rows_kept"`
	// Omitted lists the tables of which no data row was kept: they are not
	// written, since an empty table file is bad input to the readers.
	Omitted []string `json:"omitted,omitempty"`
}

// rowKeys is what a sampler needs to know of one row.
type rowKeys struct {
	time    scheduler.Time
	hasTime bool
	job     []byte // nil = the row names no job
	machine []byte // nil = the row names no machine
}

// sampler is implemented by readers that support Sample. keysFor returns, for one
// input, whether it is a table of the format, how many header lines it has, and a
// function giving the keys of a data line (false for a line to keep as is).
type sampler interface {
	keysFor(name string) (ok bool, header int, keys func(line []byte) (rowKeys, bool))
}

// Sample writes a smaller copy of a trace, in the same format, into directory
// out: each input file (or archive member) that is a table of the format becomes
// one output file of the same name (gzip'd when its name ends in .gz; archive
// members are written as plain files named archive_member). Rows outside the
// spec are dropped; header and comment lines are kept. A table of which no data
// row is kept is not written (SampleResult.Omitted).
func Sample(format string, paths []string, opt Options, spec SampleSpec, out string) (*SampleResult, error) {
	sm, err := samplerFor(format, opt, spec)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, badOutput(err)
	}
	res := &SampleResult{Rows: map[string]int64{}}
	filter := newSampleFilter(spec)
	used := map[string]bool{}
	err = walkInputs(paths, func(m member) error {
		ok, header, keys := sm.keysFor(m.name)
		if !ok {
			return nil
		}
		name := sampleName(m.name)
		for used[name] {
			name = "x" + name
		}
		used[name] = true
		return sampleTable(m, filepath.Join(out, name), name, header, keys, filter, res)
	})
	if err != nil {
		return nil, err
	}
	if len(res.Files) == 0 && len(res.Omitted) == 0 {
		return nil, badf("sample: none of the inputs is a table of format %s", format)
	}
	if len(res.Files) == 0 {
		return nil, badf("sample: no row of any table was kept (from/to/machines/jobs select nothing)")
	}
	return res, nil
}

// samplerFor checks spec and returns the sampling reader of format (stage 1 of
// Sample).
func samplerFor(format string, opt Options, spec SampleSpec) (sampler, error) {
	f, err := lookupFormat(format)
	if err != nil {
		return nil, err
	}
	if spec.Machines <= 0 || spec.Machines > 1 || spec.Jobs <= 0 || spec.Jobs > 1 || math.IsNaN(spec.Machines) || math.IsNaN(spec.Jobs) {
		return nil, badf("sample: fractions of machines and jobs must be in (0, 1]")
	}
	if spec.From >= 0 && spec.To >= 0 && spec.To <= spec.From {
		return nil, badf("sample: --to must be after --from")
	}
	if f.newReader == nil {
		return nil, badf("sample: format %s cannot be sampled (convert works on the original)", format)
	}
	sm, ok := f.newReader(&opt).(sampler)
	if !ok {
		return nil, badf("sample: format %s does not support sampling", format)
	}
	return sm, nil
}

// sampleFilter decides which data rows Sample keeps: those in [from, to) whose
// job and machine are chosen by the seeded hash.
type sampleFilter struct {
	spec     SampleSpec
	from, to scheduler.Time
}

func newSampleFilter(spec SampleSpec) *sampleFilter {
	f := &sampleFilter{spec: spec, from: scheduler.Time(math.MinInt64), to: scheduler.Forever}
	if spec.From >= 0 {
		f.from = floatSecondsToTime(spec.From)
	}
	if spec.To >= 0 {
		f.to = floatSecondsToTime(spec.To)
	}
	return f
}

// chosen reports whether id (salted by its kind) falls in the sampled fraction.
func (f *sampleFilter) chosen(id []byte, salt string, frac float64) bool {
	if frac >= 1 {
		return true
	}
	h := fnv.New64a()
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], f.spec.Seed)
	h.Write(s[:])
	h.Write([]byte(salt))
	h.Write(id)
	return float64(h.Sum64()>>11)/float64(1<<53) < frac
}

// keep reports whether a data row with keys k is kept.
func (f *sampleFilter) keep(k rowKeys) bool {
	if k.hasTime && (k.time < f.from || k.time >= f.to) {
		return false
	}
	if k.job != nil && !f.chosen(k.job, "job", f.spec.Jobs) {
		return false
	}
	if k.machine != nil && !f.chosen(k.machine, "machine", f.spec.Machines) {
		return false
	}
	return true
}

// sampleTable copies the kept lines of one table m into dst (stage 2 of
// Sample), counting them in res; a table with no kept data row is removed and
// listed as omitted.
func sampleTable(m member, dst, name string, header int, keys func(line []byte) (rowKeys, bool), filter *sampleFilter, res *SampleResult) error {
	fh, err := os.Create(dst)
	if err != nil {
		return badOutput(err)
	}
	defer fh.Close()
	var w io.Writer = fh
	var zw *gzip.Writer
	if strings.HasSuffix(name, ".gz") {
		zw = gzip.NewWriter(fh)
		w = zw
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	if err := sampleLines(m, bw, name, header, keys, filter, res); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	if err := fh.Close(); err != nil {
		return err
	}
	if res.Rows[name] == 0 {
		res.Omitted = append(res.Omitted, name)
		return os.Remove(dst)
	}
	res.Files = append(res.Files, dst)
	return nil
}

// sampleLines writes the kept lines of m to bw: header and comment lines, and
// the data rows the filter keeps (or whose keys cannot be read).
func sampleLines(m member, bw *bufio.Writer, name string, header int, keys func(line []byte) (rowKeys, bool), filter *sampleFilter, res *SampleResult) error {
	lr := newLineReader(m)
	for {
		line, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		keep := true
		if lr.line > int64(header) && len(line) > 0 && line[0] != '#' && line[0] != ';' {
			res.Read++
			if k, ok := keys(line); ok {
				keep = filter.keep(k)
			}
			if keep {
				res.Kept++
				res.Rows[name]++
			}
		}
		if keep {
			bw.Write(line)
			bw.WriteByte('\n')
		}
	}
}

// sampleName turns an input name into an output file name that keeps the table
// name: the last two path elements joined by '_' (so google2011's
// task_events/part-00000-of-00500.csv.gz stays distinct from job_events' shard),
// and "archive:member" as archive_member.
func sampleName(name string) string {
	name = strings.ReplaceAll(name, ":", "/")
	parts := strings.Split(filepath.ToSlash(name), "/")
	if len(parts) >= 2 {
		return fmt.Sprintf("%s_%s", parts[len(parts)-2], parts[len(parts)-1])
	}
	return parts[len(parts)-1]
}
