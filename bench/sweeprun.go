package bench

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/schedlab/schedlab/scheduler"
)

// Plan says what a sweep runs: a named scenario or a sweep specification, and
// how many seeds. It is stored in the output directory (sweep.json) so that a
// restarted sweep, and a merge of shards, expand exactly the same cells.
type Plan struct {
	// Scenario is "NAME[:k=v,...]" of a registered scenario; empty when Spec is set.
	Scenario string `json:"scenario,omitempty"`
	// Spec is the sweep specification; nil when Scenario is set.
	Spec *Sweep `json:"spec,omitempty"`
	// Seeds overrides the scenario's or spec's number of seeds when > 0.
	Seeds int `json:"seeds,omitempty"`
}

// Expand returns the plan's cells, in their fixed order, and the scenario's
// Report function (nil for a spec).
func (p *Plan) Expand(r *Registry) ([]Cell, func(dir string, cells []Cell, results []*scheduler.Result) error, error) {
	switch {
	case p.Scenario != "" && p.Spec != nil:
		return nil, nil, errors.New("give a scenario or a sweep spec, not both")
	case p.Spec != nil:
		cells, err := p.Spec.Cells(r, p.Seeds)
		return cells, nil, err
	case p.Scenario != "":
		name, params, err := ParseSpec("scenario", p.Scenario)
		if err != nil {
			return nil, nil, err
		}
		sc, err := r.LookupScenario(name)
		if err != nil {
			return nil, nil, err
		}
		cells, err := sc.Cells(r, params.declare(sc.Params), p.Seeds)
		if err != nil {
			return nil, nil, err
		}
		if err := params.Err(); err != nil {
			return nil, nil, err
		}
		if sc.Report == nil {
			return cells, nil, nil
		}
		return cells, func(dir string, cells []Cell, results []*scheduler.Result) error {
			return sc.Report(dir, params, cells, results)
		}, nil
	}
	return nil, nil, errors.New("no scenario and no sweep spec given")
}

// serial reports whether the plan's cells must run one at a time.
func (p *Plan) serial(r *Registry) bool {
	if p.Scenario == "" {
		return false
	}
	name, _, _ := strings.Cut(p.Scenario, ":")
	sc, err := r.LookupScenario(strings.TrimSpace(name))
	return err == nil && sc.Serial
}

// Title names the plan in reports.
func (p *Plan) Title() string {
	if p.Scenario != "" {
		return "scenario " + p.Scenario
	}
	if p.Spec != nil && p.Spec.Name != "" {
		return "sweep " + p.Spec.Name
	}
	return "sweep"
}

// Manifest is the sweep.json of an output directory.
type Manifest struct {
	Plan Plan `json:"plan"`
	// Cells is the number of cells of the whole (unsharded) sweep, and Digest a hash
	// of their keys and seeds, which a restart or merge checks.
	Cells  int    `json:"cells"`
	Digest string `json:"digest"`
	// Shard and Shards: this directory holds the cells whose index % Shards ==
	// Shard. Shards is 1 for an unsharded sweep.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
}

// Record is one finished cell, one line of cells.jsonl.
type Record struct {
	Index  int               `json:"index"` // in the whole sweep
	Key    string            `json:"key"`   // labels, "k=v,k=v"
	Seed   uint64            `json:"seed"`
	Labels []Label           `json:"labels"`
	Error  string            `json:"error,omitempty"`
	Result *scheduler.Result `json:"result,omitempty"`
	Detail *Detail           `json:"detail,omitempty"`
}

// Options controls Execute.
type Options struct {
	// Parallel is the number of cells run at once; <= 0 means one per CPU.
	Parallel int
	// Shard and Shards select the cells with index % Shards == Shard (Shards <= 1:
	// all cells).
	Shard, Shards int
	// Progress, if set, shows progress (called after each cell with done of total).
	Progress func(done, total int, last string)
	// Log receives one line per failed cell and the final tally; nil discards.
	Log io.Writer
	// RetryFailed reruns cells recorded as failed by an earlier, interrupted run.
	RetryFailed bool
	// Stop, if set and closed, stops starting new cells (a graceful interrupt);
	// running cells finish and are recorded.
	Stop <-chan struct{}
	// NoPlots skips the plots (tables and files only).
	NoPlots bool
}

// Outcome summarises an Execute or Merge.
type Outcome struct {
	Cells   int // cells in this directory's share of the sweep
	Ran     int // cells run now
	Skipped int // cells already recorded by an earlier run
	Failed  int // cells recorded with an error
	Missing int // cells with no record (a stopped run, or a missing shard)
	// Usage is the cells run now that failed with a UsageError: a spec of the
	// scenario or sweep (a workload, cluster, placer or scheduler) is bad input.
	Usage int
}

const (
	manifestFile = "sweep.json"
	recordsFile  = "cells.jsonl"
)

func digest(cells []Cell) string {
	h := sha256.New()
	for i := range cells {
		fmt.Fprintf(h, "%s\x00%d\n", cells[i].Key(), cells[i].Seed)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ParseShard parses "i/n" (0 <= i < n).
func ParseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("shard %q: want i/n with 0 <= i < n", s)
	}
	return i, n, nil
}

// Execute runs plan's cells (this shard's share) into dir: each finished cell is
// appended to dir/cells.jsonl and synced, so a restarted Execute on the same dir
// skips the cells already recorded. A cell that fails is recorded with its error
// and the sweep goes on. When every cell has a record, the reports (results.csv,
// results.json, summary.md, plots; see WriteReports) are written from the records.
// Errors in the plan, or a dir that holds a different sweep, are UsageErrors.
func Execute(r *Registry, plan Plan, dir string, opt Options) (Outcome, error) {
	cells, report, err := plan.Expand(r)
	if err != nil {
		return Outcome{}, Usage("", err)
	}
	shards := max(opt.Shards, 1)
	if opt.Shard < 0 || opt.Shard >= shards {
		return Outcome{}, Usage("shard", fmt.Errorf("shard %d/%d out of range", opt.Shard, shards))
	}
	m := Manifest{Plan: plan, Cells: len(cells), Digest: digest(cells), Shard: opt.Shard, Shards: shards}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Outcome{}, Usage("out", err)
	}
	if err := checkOrWriteManifest(dir, &m); err != nil {
		return Outcome{}, err
	}
	todo, share, err := pendingCells(dir, len(cells), opt.Shard, shards, opt.RetryFailed)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Cells: share, Skipped: share - len(todo)}
	f, err := os.OpenFile(filepath.Join(dir, recordsFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return out, err
	}
	defer f.Close()
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	if werr := recordCells(f, log, plan, plan.serial(r), cells, todo, opt, &out); werr != nil {
		return out, fmt.Errorf("recording cells in %s: %w", dir, werr)
	}
	all, err := tallyRecords(dir, len(cells), opt.Shard, shards, &out)
	if err != nil {
		return out, err
	}
	if out.Missing > 0 {
		fmt.Fprintf(log, "%d of %d cells not run yet; run the same command again to resume\n", out.Missing, share)
		return out, nil
	}
	if opt.NoPlots {
		report = nil
	}
	err = writeReports(dir, &m, cells, all, report, !opt.NoPlots)
	if err != nil && out.Usage > 0 {
		// The reports failed because cells could not run on bad input (a
		// scenario's plots with no data): that is what to report.
		return out, &UsageError{Err: fmt.Errorf("%d cell(s) failed on bad input (a workload, cluster, placer or scheduler spec of the sweep); reports: %v", out.Usage, err)}
	}
	return out, err
}

// pendingCells reads the records in dir and returns the indexes, in order, of
// the cells of shard (of shards) among n that have no record yet, and how many
// cells the shard has. With retryFailed, cells recorded as failed count as
// having no record.
func pendingCells(dir string, n, shard, shards int, retryFailed bool) (todo []int, share int, err error) {
	recs, err := loadRecords(dir, true)
	if err != nil {
		return nil, 0, err
	}
	done := map[int]*Record{}
	for _, r := range recs {
		if r.Error != "" && retryFailed {
			continue
		}
		done[r.Index] = r
	}
	for i := 0; i < n; i++ {
		if i%shards != shard {
			continue
		}
		share++
		if _, ok := done[i]; !ok {
			todo = append(todo, i)
		}
	}
	return todo, share, nil
}

// recordCells runs the cells of indexes todo and appends each one's record to
// f, synced, as it finishes, counting the runs and failures in out, logging
// failures to log and reporting progress through opt.Progress. It returns the
// first error writing a record; the other cells still run.
func recordCells(f *os.File, log io.Writer, plan Plan, serial bool, cells []Cell, todo []int, opt Options, out *Outcome) error {
	var werr error
	sub := make([]Cell, len(todo))
	for k, i := range todo {
		sub[k] = cells[i]
	}
	share := out.Cells
	finished := out.Skipped
	if opt.Progress != nil {
		opt.Progress(finished, share, "")
	}
	par := opt.Parallel
	if serial {
		par = 1
	}
	runCellsInto(sub, par, opt.Stop, func(k int, res *scheduler.Result, det *Detail, err error) {
		i := todo[k]
		c := &cells[i]
		rec := Record{Index: i, Key: c.Key(), Seed: c.Seed, Labels: c.Labels, Result: res, Detail: det}
		if err != nil {
			rec.Error = err.Error()
			out.Failed++
			if _, ok := IsUsage(err); ok {
				out.Usage++
			}
			fmt.Fprintf(log, "cell %d (%s seed %d) failed: %s\n", i, rec.Key, rec.Seed, firstLine(rec.Error))
		}
		b, merr := json.Marshal(&rec)
		if merr == nil {
			b = append(b, '\n')
			_, merr = f.Write(b)
		}
		if merr == nil {
			merr = f.Sync()
		}
		if merr != nil && werr == nil {
			werr = merr
		}
		out.Ran++
		finished++
		if opt.Progress != nil {
			opt.Progress(finished, share, rec.Key)
		}
	})
	return werr
}

// tallyRecords reads all the records in dir and sets out's Failed (failed
// cells recorded by an earlier run count too) and Missing (cells of shard, of
// shards, among n with no record). It returns the records.
func tallyRecords(dir string, n, shard, shards int, out *Outcome) ([]*Record, error) {
	out.Failed = 0
	all, err := loadRecords(dir, false)
	if err != nil {
		return nil, err
	}
	have := map[int]bool{}
	for _, r := range all {
		have[r.Index] = true
		if r.Error != "" {
			out.Failed++
		}
	}
	for i := 0; i < n; i++ {
		if i%shards == shard && !have[i] {
			out.Missing++
		}
	}
	return all, nil
}

// runCellsInto runs cells like RunCells, calling done (serialised) with each cell's
// detail too, and stops starting cells once stop is closed.
func runCellsInto(cells []Cell, parallel int, stop <-chan struct{}, done func(k int, res *scheduler.Result, det *Detail, err error)) {
	if parallel <= 0 {
		parallel = defaultParallel()
	}
	parallel = min(parallel, max(len(cells), 1))
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := 0
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				stopped := false
				if stop != nil {
					select {
					case <-stop:
						stopped = true
					default:
					}
				}
				k := next
				next++
				mu.Unlock()
				if stopped || k >= len(cells) {
					return
				}
				res, det, err := runCell(&cells[k])
				mu.Lock()
				done(k, res, det, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func checkOrWriteManifest(dir string, m *Manifest) error {
	path := filepath.Join(dir, manifestFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return writeJSONFile(path, m)
	}
	if err != nil {
		return err
	}
	var old Manifest
	if err := json.Unmarshal(b, &old); err != nil {
		return Usage("out", fmt.Errorf("%s: %v", path, err))
	}
	if old.Digest != m.Digest || old.Cells != m.Cells || old.Shard != m.Shard || old.Shards != m.Shards {
		return Usage("out", fmt.Errorf("%s holds a different sweep (%s, %d cells, shard %d/%d); use another --out directory or remove it",
			dir, old.Plan.Title(), old.Cells, old.Shard, old.Shards))
	}
	return nil
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic writes b to path through a temporary file and a rename.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// loadRecords reads dir/cells.jsonl. A last line cut short by a kill is dropped
// (and, with repair, truncated away so appends start on a fresh line). When a
// cell was recorded twice (a failed cell retried), the last record wins. Records
// are returned sorted by index.
func loadRecords(dir string, repair bool) ([]*Record, error) {
	path := filepath.Join(dir, recordsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	byIndex := map[int]*Record{}
	good := 0
	line := 0
	for off := 0; off < len(b); {
		nl := bytes.IndexByte(b[off:], '\n')
		if nl < 0 {
			break // unterminated last line: a write cut short
		}
		line++
		var r Record
		if err := json.Unmarshal(b[off:off+nl], &r); err != nil {
			// A damaged results file is bad input (exit 2), not a failed run.
			return nil, &UsageError{Err: fmt.Errorf("%s:%d: not a cell record: %v", path, line, err)}
		}
		byIndex[r.Index] = &r
		off += nl + 1
		good = off
	}
	if good < len(b) && repair {
		if err := os.Truncate(path, int64(good)); err != nil {
			return nil, err
		}
	}
	out := make([]*Record, 0, len(byIndex))
	for _, r := range byIndex {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, nil
}

// Merge joins the records of shard directories into out and writes the reports
// there, as if the sweep had run unsharded. The shards must come from the same
// sweep. Missing cells are counted in the outcome (and the reports are still
// written from what there is).
func Merge(r *Registry, out string, dirs []string) (Outcome, error) {
	if len(dirs) == 0 {
		return Outcome{}, Usage("", errors.New("no directories to merge"))
	}
	var first *Manifest
	byIndex := map[int]*Record{}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, manifestFile))
		if err != nil {
			return Outcome{}, Usage("", fmt.Errorf("%s is not a sweep output directory: %v", d, err))
		}
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return Outcome{}, Usage("", fmt.Errorf("%s: %v", filepath.Join(d, manifestFile), err))
		}
		if first == nil {
			first = &m
		} else if m.Digest != first.Digest || m.Cells != first.Cells {
			return Outcome{}, Usage("", fmt.Errorf("%s holds a different sweep (%s) than %s (%s)", d, m.Plan.Title(), dirs[0], first.Plan.Title()))
		}
		recs, err := loadRecords(d, false)
		if err != nil {
			return Outcome{}, err
		}
		for _, r := range recs {
			if old, ok := byIndex[r.Index]; !ok || old.Error != "" {
				byIndex[r.Index] = r
			}
		}
	}
	cells, report, err := first.Plan.Expand(r)
	if err != nil {
		return Outcome{}, Usage("", fmt.Errorf("re-expanding the sweep: %v", err))
	}
	if digest(cells) != first.Digest {
		return Outcome{}, Usage("", errors.New("the sweep expands to different cells in this build than when it ran (registries changed?)"))
	}
	m := Manifest{Plan: first.Plan, Cells: first.Cells, Digest: first.Digest, Shard: 0, Shards: 1}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Outcome{}, err
	}
	recs := make([]*Record, 0, len(byIndex))
	for _, r := range byIndex {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Index < recs[j].Index })
	var buf bytes.Buffer
	o := Outcome{Cells: len(cells), Skipped: len(recs)}
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return o, err
		}
		buf.Write(append(b, '\n'))
		if r.Error != "" {
			o.Failed++
		}
	}
	o.Missing = len(cells) - len(recs)
	if err := writeFileAtomic(filepath.Join(out, recordsFile), buf.Bytes()); err != nil {
		return o, err
	}
	if err := writeJSONFile(filepath.Join(out, manifestFile), &m); err != nil {
		return o, err
	}
	return o, WriteReports(out, &m, cells, recs, report)
}

// ShardDirs returns the shard-* subdirectories of dir, sorted, for `bench merge DIR`.
func ShardDirs(dir string) []string {
	ms, _ := filepath.Glob(filepath.Join(dir, "shard-*"))
	var out []string
	for _, m := range ms {
		if st, err := os.Stat(filepath.Join(m, manifestFile)); err == nil && !st.IsDir() {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// ShardDir is the conventional directory of shard i of n under dir.
func ShardDir(dir string, i, n int) string {
	return filepath.Join(dir, fmt.Sprintf("shard-%04d-of-%04d", i, n))
}
