package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// fixedLabels are the labels every spec sweep has; others are parameters.
var fixedLabels = map[string]bool{"scheduler": true, "placer": true, "workload": true, "cluster": true}

// LabelNumber parses a label value as a number: a plain number, a percentage
// ("80%"), or a duration ("30s", "2m", in seconds).
func LabelNumber(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64); err == nil {
		return f, true
	}
	if t, err := scheduler.ParseTime(v); err == nil && t != scheduler.Forever {
		return t.Seconds(), true
	}
	return 0, false
}

// WriteReports writes a sweep's reports into dir from its records (sorted by cell
// index): results.csv, results.json, summary.md and the plots (PNG and SVG) under
// plots/, then calls the scenario's report, if any, with results aligned to
// cells (nil for failed or missing cells). Everything but the wall-clock columns
// depends only on the records, so it is identical whatever the parallelism or
// sharding of the run.
func WriteReports(dir string, m *Manifest, cells []Cell, recs []*Record, report func(dir string, cells []Cell, results []*scheduler.Result) error) error {
	return writeReports(dir, m, cells, recs, report, true)
}

func writeReports(dir string, m *Manifest, cells []Cell, recs []*Record, report func(dir string, cells []Cell, results []*scheduler.Result) error, plots bool) error {
	if err := writeCSV(filepath.Join(dir, "results.csv"), recs); err != nil {
		return err
	}
	if err := writeResultsJSON(filepath.Join(dir, "results.json"), m, recs); err != nil {
		return err
	}
	groups := groupRecords(recs)
	var names []string
	var perr error
	if plots {
		names, perr = writeSweepPlots(filepath.Join(dir, "plots"), groups)
	}
	if err := writeSummary(filepath.Join(dir, "summary.md"), m, recs, groups, names); err != nil {
		return err
	}
	if perr != nil {
		return perr
	}
	if report != nil {
		results := make([]*scheduler.Result, len(cells))
		for _, r := range recs {
			if r.Index < len(results) {
				results[r.Index] = r.Result
			}
		}
		if err := report(dir, cells, results); err != nil {
			return fmt.Errorf("scenario report: %w", err)
		}
	}
	return nil
}

// labelColumns returns the label keys in order of first appearance and their
// column names: the key itself, or "cell."+key when a result column has that
// name (scheduler, placer, workload, seed, ...).
func labelColumns(recs []*Record, resultKeys map[string]bool) ([]string, []string) {
	var keys []string
	seen := map[string]bool{}
	for _, r := range recs {
		for _, l := range r.Labels {
			if !seen[l.Key] {
				seen[l.Key] = true
				keys = append(keys, l.Key)
			}
		}
	}
	cols := make([]string, len(keys))
	for i, k := range keys {
		cols[i] = k
		if resultKeys[k] || k == "cell" || k == "error" {
			cols[i] = "cell." + k
		}
	}
	return keys, cols
}

func writeCSV(path string, recs []*Record) error {
	flats := make([]*Flat, len(recs))
	var lists [][]string
	for i, r := range recs {
		if r.Result == nil {
			continue
		}
		f, err := Flatten(r.Result)
		if err != nil {
			return err
		}
		flats[i] = f
		lists = append(lists, f.Keys)
	}
	rkeys := unionKeys(lists)
	isResult := map[string]bool{}
	for _, k := range rkeys {
		isResult[k] = true
	}
	lkeys, lcols := labelColumns(recs, isResult)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := append([]string{"cell"}, lcols...)
	header = append(header, "error")
	header = append(header, rkeys...)
	w.Write(header)
	for i, r := range recs {
		row := []string{strconv.Itoa(r.Index)}
		lv := map[string]string{}
		for _, l := range r.Labels {
			lv[l.Key] = l.Value
		}
		for _, k := range lkeys {
			row = append(row, lv[k])
		}
		row = append(row, firstLine(r.Error))
		for _, k := range rkeys {
			v := ""
			if flats[i] != nil {
				v = flats[i].Values[k]
			}
			row = append(row, v)
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes())
}

func writeResultsJSON(path string, m *Manifest, recs []*Record) error {
	doc := struct {
		Plan  Plan      `json:"plan"`
		Cells int       `json:"cells"`
		Runs  []*Record `json:"runs"`
	}{m.Plan, m.Cells, recs}
	if doc.Runs == nil {
		doc.Runs = []*Record{}
	}
	b, err := json.MarshalIndent(&doc, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// summaryColumns picks the SummaryMetrics that summary.md shows: not those that
// are 0 in every run, not useful utilization where nothing was held (it equals
// utilization), and, with more than one cell, not those that have the same value
// in every run (returned as "name value" for a note).
func summaryColumns(groups []Group) (metrics []Metric, constant []string, dropped int) {
	held := map[string]bool{}
	for _, mt := range SummaryMetrics {
		if strings.HasPrefix(mt.Key, "held_idle.") {
			for gi := range groups {
				for _, v := range groups[gi].Values(mt) {
					held[strings.TrimPrefix(mt.Key, "held_idle.")] = held[strings.TrimPrefix(mt.Key, "held_idle.")] || v != 0
				}
			}
		}
	}
	parts, dropped := partMetrics(groups, 8)
	var all []Metric
	for _, mt := range SummaryMetrics {
		all = append(all, mt)
		if mt.Key == MetricWasted.Key {
			all = append(all, parts...) // the pooled figures' parts beside them
		}
	}
	for _, mt := range all {
		if res, ok := strings.CutPrefix(mt.Key, "useful_utilization."); ok && !held[res] {
			continue
		}
		nonzero, same, first, n := false, true, 0.0, 0
		for gi := range groups {
			for _, v := range groups[gi].Values(mt) {
				nonzero = nonzero || (v != 0 && !math.IsNaN(v))
				if n == 0 {
					first = v
				} else if v != first && !(math.IsNaN(v) && math.IsNaN(first)) {
					same = false
				}
				n++
			}
		}
		switch {
		case !nonzero: // 0 or not measured in every run (jobs completed 0 where runs replay outside the engine)
		case same && len(groups) > 1 && n > 1:
			constant = append(constant, mt.Label()+" "+Num(first))
		default:
			metrics = append(metrics, mt)
		}
	}
	return metrics, constant, dropped
}

// FormatCI formats a mean and interval half-width.
func FormatCI(mean, half float64) string {
	if math.IsNaN(mean) {
		return "–"
	}
	if math.IsNaN(half) {
		return Num(mean)
	}
	return Num(mean) + " ± " + Num(half)
}

// writeSummary writes summary.md: the counts, the table of cells (labels that
// vary, seeds, each metric's mean and interval), what is common to all cells, the
// failed runs, the plots and the simulator's speed.
func writeSummary(path string, m *Manifest, recs []*Record, groups []Group, plots []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", m.Plan.Title())
	failed := 0
	for _, r := range recs {
		if r.Error != "" {
			failed++
		}
	}
	fmt.Fprintf(&b, "%d runs in %d cells (%d failed, %d not run). %s Waits count every submitted job, those not started at the stop censored there; \"> X\" marks a percentile beyond the longest time observed (X averages the bounds).\n\n",
		len(recs), len(groups), failed, m.Cells-len(recs), IntervalNote(MinGroupSeeds(groups)))
	varying := NamingLabels(groups)
	metrics, constant, dropped := summaryColumns(groups)
	t := summaryTable(groups, varying, metrics)
	writeCommonLabels(&b, groups, varying)
	t.WriteMarkdown(&b)
	if len(constant) > 0 {
		fmt.Fprintf(&b, "\nThe same in every run, so left out of the table: %s.\n", strings.Join(constant, "; "))
	}
	if dropped > 0 {
		fmt.Fprintf(&b, "\nThe table shows the per-class conflict fractions and busyness; %d per-scheduler figures are in results.csv (extra.omega.*, extra.mesos_framework.*).\n", dropped)
	}
	if failed > 0 {
		b.WriteString("\n## Failed runs\n\n")
		for _, r := range recs {
			if r.Error != "" {
				fmt.Fprintf(&b, "- cell %d (%s, seed %d): %s\n", r.Index, r.Key, r.Seed, firstLine(r.Error))
			}
		}
	}
	if len(plots) > 0 {
		b.WriteString("\n## Plots\n\n")
		for _, p := range plots {
			fmt.Fprintf(&b, "![%s](plots/%s.png) ", p, p)
		}
		b.WriteString("\n\nEach plot is also in SVG beside the PNG.\n")
	}
	writeSpeed(&b, recs)
	return writeFileAtomic(path, []byte(b.String()))
}

// summaryTable is the summary's table: the labels that vary (all if none varies),
// the seeds (and failed runs) per cell, then each metric's mean and interval.
func summaryTable(groups []Group, varying map[string]bool, metrics []Metric) *Table {
	var lkeys []string
	seen := map[string]bool{}
	for _, g := range groups {
		for _, l := range g.Labels {
			if !seen[l.Key] && (varying[l.Key] || len(varying) == 0) {
				seen[l.Key] = true
				lkeys = append(lkeys, l.Key)
			}
		}
	}
	t := &Table{Header: append(append([]string{}, lkeys...), "seeds")}
	for _, mt := range metrics {
		t.Header = append(t.Header, mt.Label())
	}
	for gi := range groups {
		g := &groups[gi]
		row := []string{}
		for _, k := range lkeys {
			row = append(row, g.Label(k))
		}
		n := fmt.Sprint(len(g.Results))
		if g.Failed > 0 {
			n += fmt.Sprintf(" (+%d failed)", g.Failed)
		}
		row = append(row, n)
		for _, mt := range metrics {
			row = append(row, IntervalOf(g, mt).Cell())
		}
		t.Add(row...)
	}
	return t
}

// writeCommonLabels says which labels are the same in every cell, and which vary
// only with the table's columns.
func writeCommonLabels(b *strings.Builder, groups []Group, varying map[string]bool) {
	if len(varying) == 0 || len(groups) == 0 {
		return
	}
	all := varyingLabels(groups)
	var fixed []string
	for _, l := range groups[0].Labels {
		if !all[l.Key] {
			fixed = append(fixed, fmt.Sprintf("%s `%s`", l.Key, l.Value))
		}
	}
	if len(fixed) > 0 {
		fmt.Fprintf(b, "Common to all cells: %s.\n\n", strings.Join(fixed, ", "))
	}
	for _, l := range groups[0].Labels {
		if all[l.Key] && !varying[l.Key] {
			var vals []string
			for gi := range groups {
				if v := "`" + groups[gi].Label(l.Key) + "`"; !slices.Contains(vals, v) {
					vals = append(vals, v)
				}
			}
			fmt.Fprintf(b, "%s follows the columns below: %s.\n\n", l.Key, strings.Join(vals, ", "))
		}
	}
}

// writeSpeed writes the simulator's speed over the runs, apart from the metrics:
// it depends on the machine.
func writeSpeed(b *strings.Builder, recs []*Record) {
	var wall, ev float64
	for _, r := range recs {
		if r.Result != nil {
			wall += r.Result.WallSeconds
			ev += float64(r.Result.Events)
		}
	}
	switch {
	case wall > 0 && ev > 0:
		fmt.Fprintf(b, "\n## Simulator speed (wall clock, this machine)\n\n%s simulated events in %s s of run time: %s events per second.\n",
			Num(ev), Num(wall), Num(ev/wall))
	case wall > 0:
		fmt.Fprintf(b, "\n## Simulator speed (wall clock, this machine)\n\nThese runs replay outside the event engine, so there is no events-per-second figure: %s s of run time in all.\n", Num(wall))
	}
}

// writeSweepPlots draws the standard plots of a sweep and returns their names
// (without extension). Plots with no data (no GPU, no parameter) are skipped.
func writeSweepPlots(dir string, groups []Group) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := newSweepPlotter(dir, groups)
	if err := p.waitCDF(); err != nil {
		return p.names, err
	}
	if err := p.usageOverTime(); err != nil {
		return p.names, err
	}
	if err := p.metricsVsParams(); err != nil {
		return p.names, err
	}
	if p.gpu {
		if err := p.gpuAllocVsArrived(); err != nil {
			return p.names, err
		}
	}
	return p.names, nil
}

// sweepPlotter holds what the standard sweep plots share: the output
// directory, the groups (all, and the ones shown as lines), which labels vary,
// whether the sweep uses GPUs, and the names of the plots saved so far.
type sweepPlotter struct {
	dir     string
	groups  []Group
	shown   []Group // the groups drawn as lines, at most one per palette colour
	varying map[string]bool
	note    string // says when shown is a prefix of groups
	gpu     bool   // any result allocated GPUs: plot GPU rather than CPU
	resName string // "GPU" or "CPU", after gpu
	names   []string
}

// newSweepPlotter prepares the shared state of the sweep plots of groups.
func newSweepPlotter(dir string, groups []Group) *sweepPlotter {
	p := &sweepPlotter{dir: dir, groups: groups, shown: groups, varying: NamingLabels(groups)}
	if len(p.shown) > len(Palette) {
		p.shown = p.shown[:len(Palette)]
		p.note = fmt.Sprintf("first %d of %d cells", len(Palette), len(groups))
	}
	for gi := range groups {
		for _, r := range groups[gi].Results {
			p.gpu = p.gpu || r.Utilization.GPU > 0
		}
	}
	p.resName = "CPU"
	if p.gpu {
		p.resName = "GPU"
	}
	return p
}

// save writes chart c under name and records the name; a chart with no lines,
// or with nothing to draw, is skipped without error.
func (p *sweepPlotter) save(name string, c *Chart) error {
	if len(c.Lines) == 0 {
		return nil
	}
	if err := c.Save(filepath.Join(p.dir, name)); err != nil {
		if strings.Contains(err.Error(), "no data to draw") {
			return nil
		}
		return err
	}
	p.names = append(p.names, name)
	return nil
}

// waitCDF plots the job wait CDF of each shown group, averaged over seeds.
func (p *sweepPlotter) waitCDF() error {
	cdf := &Chart{Title: "Job wait time CDF (mean over seeds)", XLabel: "job wait: submit → first task running (simulated s)",
		YLabel: "jobs waiting at most x (%)", YFrom0: true, YMax: 100, Note: p.note}
	for gi := range p.shown {
		g := &p.shown[gi]
		var qs [][]float64
		for _, d := range g.Details {
			if d != nil {
				qs = append(qs, d.JobWaitQuantiles)
			}
		}
		if q := MeanQuantiles(qs); q != nil {
			cdf.Lines = append(cdf.Lines, CDFLine(GroupName(g, p.varying), q))
		}
	}
	return p.save("wait_cdf", cdf)
}

// usageOverTime plots utilization over time and, when anything was ever held
// idle, held-idle over time, from the first seed of each shown group.
func (p *sweepPlotter) usageOverTime() error {
	util := &Chart{Title: p.resName + " utilization over time (first seed)", XLabel: "simulated time (h)",
		YLabel: p.resName + " allocated (%)", YFrom0: true, YMax: 100, Note: p.note}
	held := &Chart{Title: p.resName + " held idle over time (first seed)", XLabel: "simulated time (h)",
		YLabel: p.resName + " held but not running (%)", YFrom0: true, Note: p.note}
	anyHeld := false
	for gi := range p.shown {
		g := &p.shown[gi]
		if len(g.Results) == 0 || len(g.Results[0].Series) == 0 {
			continue
		}
		var u, h Line
		u.Name, h.Name = GroupName(g, p.varying), GroupName(g, p.varying)
		u.Color, h.Color = gi+1, gi+1
		for _, s := range g.Results[0].Series {
			a, hd := s.Allocated.CPU, s.Held.CPU
			if p.gpu {
				a, hd = s.Allocated.GPU, s.Held.GPU
			}
			u.X, u.Y = append(u.X, s.Seconds/3600), append(u.Y, 100*a)
			h.X, h.Y = append(h.X, s.Seconds/3600), append(h.Y, 100*hd)
			anyHeld = anyHeld || hd > 0
		}
		util.Lines = append(util.Lines, u)
		held.Lines = append(held.Lines, h)
	}
	if err := p.save("utilization_time", util); err != nil {
		return err
	}
	if anyHeld {
		return p.save("held_idle_time", held)
	}
	return nil
}

// sweptParams returns the sorted keys of the labels that vary across groups
// and are parameters rather than fixed labels.
func (p *sweepPlotter) sweptParams() []string {
	var params []string
	for gi := range p.groups {
		for _, l := range p.groups[gi].Labels {
			if !fixedLabels[l.Key] && p.varying[l.Key] && !slices.Contains(params, l.Key) {
				params = append(params, l.Key)
			}
		}
	}
	sort.Strings(params)
	return params
}

// metricsVsParams plots the standard metrics against each swept parameter.
func (p *sweepPlotter) metricsVsParams() error {
	utilMetric := MetricUtilCPU
	if p.gpu {
		utilMetric = MetricUtilGPU
	}
	for _, param := range p.sweptParams() {
		xl, cats, ok := paramAxis(p.groups, param)
		if !ok {
			continue
		}
		for _, mt := range []Metric{MetricDeadlockRate, utilMetric, MetricConflicts, MetricBusyness, MetricWaitP99} {
			if !anyNonzero(p.groups, mt) && mt.Key != utilMetric.Key {
				continue
			}
			if err := p.metricVsParam(mt, param, xl, cats); err != nil {
				return err
			}
		}
	}
	return nil
}

// paramAxis decides how to plot against parameter param: it returns the axis
// label and, for a categorical axis, the categories. ok is false when param
// takes fewer than two values. The axis is numeric when all values are
// numbers, else categorical (a timeout of forever is a category of its own,
// not a number far to the right).
func paramAxis(groups []Group, param string) (xl string, cats []string, ok bool) {
	var xs []float64
	durations, skipped := false, false
	for gi := range groups {
		v := groups[gi].Label(param)
		x, ok := LabelNumber(v)
		if !ok {
			skipped = true
			continue
		}
		if !slices.Contains(xs, x) {
			xs = append(xs, x)
		}
		if _, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64); err != nil {
			durations = true
		}
	}
	if skipped {
		cats = LabelCategories(groups, param)
	}
	if len(xs) < 2 && len(cats) < 2 {
		return "", nil, false
	}
	xl = param
	if durations && cats == nil {
		xl += " (s)"
	}
	if cats != nil {
		xl += " (category)"
	}
	return xl, cats, true
}

// anyNonzero reports whether any group has a value of metric mt that is
// neither zero nor NaN.
func anyNonzero(groups []Group, mt Metric) bool {
	nonzero := false
	for gi := range groups {
		for _, v := range groups[gi].Values(mt) {
			nonzero = nonzero || (v != 0 && !math.IsNaN(v))
		}
	}
	return nonzero
}

// metricVsParam plots metric mt against parameter param (mean over seeds with
// a 95% interval), on axis xl, categorical when cats is not nil.
func (p *sweepPlotter) metricVsParam(mt Metric, param, xl string, cats []string) error {
	c := &Chart{Title: mt.Name + " vs " + param + " (mean over seeds, 95% interval)", XLabel: xl, YLabel: mt.Label(),
		YFrom0: true, Lines: MetricVsLabel(p.groups, param, mt), Note: IntervalNote(MinIntervalSeeds)}
	if cats != nil {
		c.Categories, c.Lines = cats, MetricVsCategory(p.groups, param, mt, cats)
	}
	if mt.Unit == "%" {
		c.YMax = 100
	}
	name := strings.NewReplacer(".", "_", " ", "_").Replace(mt.Key) + "_vs_" + sanitize(param)
	return p.save(name, c)
}

// gpuAllocVsArrived plots GPU allocation against the GPU demand arrived so
// far, from the first seed of each shown group, up to the end of arrivals.
func (p *sweepPlotter) gpuAllocVsArrived() error {
	arr := &Chart{Title: "GPU allocation vs arrived GPU demand (first seed)", XLabel: "GPU demand arrived so far (% of cluster GPUs)",
		YLabel: "GPU allocated (% of cluster GPUs)", YFrom0: true, Note: p.note}
	for gi := range p.shown {
		g := &p.shown[gi]
		if len(g.Results) == 0 || g.Details[0] == nil || len(g.Details[0].ArrivedGPU) != len(g.Results[0].Series) {
			continue
		}
		l := Line{Name: GroupName(g, p.varying)}
		arrived := g.Details[0].ArrivedGPU
		for i, s := range g.Results[0].Series {
			if i > 0 && arrived[i] == arrived[len(arrived)-1] && arrived[i-1] == arrived[i] {
				break // arrivals are over: the rest is the cluster draining
			}
			l.X = append(l.X, 100*arrived[i])
			l.Y = append(l.Y, 100*s.Allocated.GPU)
		}
		arr.Lines = append(arr.Lines, l)
	}
	return p.save("gpu_alloc_vs_arrived", arr)
}

// sanitize keeps letters, digits, '_' and '-' of s and replaces every other
// character with '_'.
func sanitize(s string) string { return keepOnly(s, "_-") }

// keepOnly keeps letters, digits and the characters of extra in s and replaces
// every other character with '_'.
func keepOnly(s, extra string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r) {
			return r
		}
		return '_'
	}, s)
}
