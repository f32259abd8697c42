package bench

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Line is one curve of a Chart.
type Line struct {
	Name string    // legend entry
	X, Y []float64 // points, same length; NaN or infinite points are skipped
	// Err, when set, is a symmetric error bar per point (e.g. the 95% interval's
	// half-width from MeanCI); NaN entries draw no bar.
	Err []float64
	// Low and High, when set, are each point's interval bounds (absolute y
	// values, e.g. a Wilson interval, which is not symmetric); they take
	// precedence over Err. NaN entries draw no bar.
	Low, High []float64
	// Color is a palette index + 1 (0: the line's position in the chart), so two
	// lines can share a color (utilization solid, held-idle dashed).
	Color  int
	Dashed bool
	Points bool // mark each point
}

// Chart is a line chart saved as PNG and SVG, with a title, labelled axes (give
// units in the labels, e.g. "job wait (s)") and the legend beside the plot so it
// never hides data.
type Chart struct {
	Title, XLabel, YLabel string
	Lines                 []Line
	// YFrom0 starts the y axis at 0; YMax, when > 0, fixes its top (100 for percent).
	YFrom0 bool
	YMax   float64
	// XMin/XMax, when XMax > XMin, fix the x range.
	XMin, XMax float64
	// Note is a line of small print under the title (e.g. the workload).
	Note string
	// XLog and YLog use logarithmic axes (non-positive values are skipped).
	XLog, YLog bool
	// Categories, when set, makes the x axis categorical: a line's X values are
	// indexes into Categories, the ticks are their names, and points are not
	// joined (there is nothing between two categories).
	Categories []string
}

// Palette is the chart line colors, in order.
var Palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
	color.RGBA{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff}, color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
	color.RGBA{R: 0xbc, G: 0xbd, B: 0x22, A: 0xff}, color.RGBA{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff},
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

type errXY struct {
	plotter.XYs
	plotter.YErrors
}

// Save writes the chart to base+".png" and base+".svg". A chart with no drawable
// point is an error.
func (c *Chart) Save(base string) error {
	p, leg := c.newPlot()
	points := 0
	for i, l := range c.Lines {
		n, err := c.addLine(p, leg, i, l)
		if err != nil {
			return err
		}
		points += n
	}
	if points == 0 {
		return fmt.Errorf("bench: chart %q has no data to draw", c.Title)
	}
	c.setAxes(p)
	return c.write(base, p, leg)
}

// newPlot returns an empty plot with the chart's title, note, axis labels and
// grid, and the legend to fill beside it.
func (c *Chart) newPlot() (*plot.Plot, *plot.Legend) {
	p := plot.New()
	p.Title.Text = c.Title
	if c.Note != "" {
		p.Title.Text += "\n" + c.Note
	}
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	leg.Left = true
	leg.Top = true
	leg.ThumbnailWidth = vg.Points(22)
	return p, &leg
}

// addLine draws line l, the i-th of the chart, on p (line, points and error
// bars as it asks) with its legend entry, and returns how many points it drew.
func (c *Chart) addLine(p *plot.Plot, leg *plot.Legend, i int, l Line) (int, error) {
	if len(l.X) != len(l.Y) {
		return 0, fmt.Errorf("bench: chart %q: line %q has %d x and %d y values", c.Title, l.Name, len(l.X), len(l.Y))
	}
	xys, errs := c.linePoints(i, l)
	if len(xys) == 0 {
		return 0, nil
	}
	col := Palette[i%len(Palette)]
	if l.Color > 0 {
		col = Palette[(l.Color-1)%len(Palette)]
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return 0, err
	}
	line.Color = col
	line.Width = vg.Points(1.5)
	if l.Dashed {
		line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	thumbs := []plot.Thumbnailer{line}
	if len(c.Categories) == 0 {
		p.Add(line)
	} else {
		thumbs = nil
	}
	if l.Points || len(xys) == 1 || len(c.Categories) > 0 {
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return 0, err
		}
		sc.Color = col
		sc.Radius = vg.Points(2.5)
		p.Add(sc)
		thumbs = append(thumbs, sc)
	}
	if len(l.Err) > 0 || len(l.Low) > 0 {
		eb, err := plotter.NewYErrorBars(errXY{xys, errs})
		if err != nil {
			return 0, err
		}
		eb.Color = col
		p.Add(eb)
	}
	if l.Name != "" {
		leg.Add(l.Name, thumbs...)
	}
	return len(xys), nil
}

// linePoints returns the drawable points of line l, the i-th of the chart
// (finite, and positive on a log axis; dodged sideways on a categorical
// axis), with each point's error bar (zero when it has none).
func (c *Chart) linePoints(i int, l Line) (plotter.XYs, plotter.YErrors) {
	var xys plotter.XYs
	var errs plotter.YErrors
	for k := range l.X {
		if !finite(l.X[k]) || !finite(l.Y[k]) || c.XLog && l.X[k] <= 0 || c.YLog && l.Y[k] <= 0 {
			continue
		}
		x := l.X[k]
		if n := len(c.Lines); len(c.Categories) > 0 && n > 1 {
			x += 0.3 * (float64(i)/float64(n-1) - 0.5) // dodge: lines side by side within a category
		}
		xys = append(xys, plotter.XY{X: x, Y: l.Y[k]})
		lo, hi := 0.0, 0.0
		if k < len(l.Err) && finite(l.Err[k]) {
			lo, hi = l.Err[k], l.Err[k]
		}
		if k < len(l.Low) && k < len(l.High) && finite(l.Low[k]) && finite(l.High[k]) {
			lo, hi = l.Y[k]-l.Low[k], l.High[k]-l.Y[k]
		}
		errs = append(errs, struct{ Low, High float64 }{lo, hi})
	}
	return xys, errs
}

// setAxes sets the ranges, ticks and scales of p's axes after the chart's
// options, once the lines are drawn.
func (c *Chart) setAxes(p *plot.Plot) {
	if c.YFrom0 && !c.YLog && p.Y.Min > 0 {
		p.Y.Min = 0
	}
	if c.YMax > 0 && p.Y.Max < c.YMax {
		p.Y.Max = c.YMax
	}
	if c.XMax > c.XMin {
		p.X.Min, p.X.Max = c.XMin, c.XMax
	}
	if p.Y.Max == p.Y.Min {
		p.Y.Max = p.Y.Min + 1
	}
	if p.X.Max == p.X.Min {
		p.X.Min, p.X.Max = p.X.Min-1, p.X.Max+1
	}
	p.X.Tick.Marker = niceTicks{}
	if len(c.Categories) > 0 {
		p.NominalX(c.Categories...)
		p.X.Min, p.X.Max = -0.5, float64(len(c.Categories))-0.5
	}
	p.Y.Tick.Marker = niceTicks{}
	if c.XLog {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	if c.YLog {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		if p.Y.Min <= 0 {
			p.Y.Min = 1e-9
		}
	}
}

// write renders plot p with legend leg beside it to base+".png" and
// base+".svg", widening the image by the legend's width.
func (c *Chart) write(base string, p *plot.Plot, leg *plot.Legend) error {
	w, h := 7*vg.Inch, 4.2*vg.Inch
	lw := vg.Length(0)
	if len(c.Lines) > 0 {
		r := leg.Rectangle(draw.Canvas{}) // only measures
		lw = r.Max.X - r.Min.X
	}
	if lw > 0 {
		w += lw + vg.Points(16)
	}
	render := func(dc draw.Canvas) {
		plotArea := dc
		if lw > 0 {
			plotArea = draw.Crop(dc, 0, -(lw + vg.Points(16)), 0, 0)
			legArea := draw.Crop(dc, dc.Max.X-dc.Min.X-lw-vg.Points(8), 0, 0, -vg.Points(28))
			leg.Draw(legArea)
		}
		p.Draw(plotArea)
	}
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110))
	render(draw.New(img))
	var pngBuf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pngBuf); err != nil {
		return err
	}
	svg := vgsvg.New(w, h)
	render(draw.New(svg))
	var svgBuf bytes.Buffer
	if _, err := svg.WriteTo(&svgBuf); err != nil {
		return err
	}
	return errors.Join(os.WriteFile(base+".png", pngBuf.Bytes(), 0o644), os.WriteFile(base+".svg", svgBuf.Bytes(), 0o644))
}

// niceTicks places about six major ticks at 1, 2, 2.5 or 5 × 10^k steps.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []plot.Tick
	first := math.Ceil(lo/step) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)})
		if i < 1000 { // minor ticks halfway
			if m := v + step/2; m < hi {
				ticks = append(ticks, plot.Tick{Value: m})
			}
		}
	}
	return ticks
}

// CDFLine returns a cumulative distribution line from quantiles: quantiles[i] is
// the value at probability i/(len−1), drawn with probability in percent on y.
func CDFLine(name string, quantiles []float64) Line {
	l := Line{Name: name}
	n := len(quantiles)
	for i, q := range quantiles {
		l.X = append(l.X, q)
		l.Y = append(l.Y, 100*float64(i)/float64(max(n-1, 1)))
	}
	return l
}

// MeanQuantiles averages quantile vectors of equal length (Vincent averaging of
// the seeds' distributions); nil vectors are skipped, nil if none is left.
func MeanQuantiles(qs [][]float64) []float64 {
	var out []float64
	n := 0
	for _, q := range qs {
		if len(q) == 0 {
			continue
		}
		if out == nil {
			out = make([]float64, len(q))
		}
		if len(q) != len(out) {
			continue
		}
		for i := range q {
			out[i] += q[i]
		}
		n++
	}
	for i := range out {
		out[i] /= float64(n)
	}
	return out
}

// MetricVsLabel returns, for metric m, one line per combination of the groups'
// other labels (series), with x the numeric value of label key (a number, or a
// duration such as 30s in seconds), y the mean over seeds and Low/High its 95%
// interval (IntervalOf). Groups whose label is not numeric are left out; lines
// are named by their other labels (those that vary).
func MetricVsLabel(groups []Group, key string, m Metric) []Line {
	return metricVs(groups, key, m, nil)
}

// MetricVsCategory is MetricVsLabel on a categorical axis: x is the index of
// the group's label value in cats (groups whose value is not in cats are left
// out), for a Chart with Categories = cats.
func MetricVsCategory(groups []Group, key string, m Metric, cats []string) []Line {
	return metricVs(groups, key, m, cats)
}

// LabelCategories returns the distinct values of label key over groups, as an
// ordered category list: numeric values (LabelNumber) by value, then the others
// (forever, names), ties by name.
func LabelCategories(groups []Group, key string) []string {
	var labels []string
	for gi := range groups {
		if v := groups[gi].Label(key); !slices.Contains(labels, v) {
			labels = append(labels, v)
		}
	}
	num := func(l string) float64 {
		if x, ok := LabelNumber(l); ok {
			return x
		}
		return math.Inf(1)
	}
	slices.SortStableFunc(labels, func(a, b string) int {
		return cmp.Or(cmp.Compare(num(a), num(b)), strings.Compare(a, b))
	})
	return labels
}

func metricVs(groups []Group, key string, m Metric, cats []string) []Line {
	varying := varyingLabels(groups)
	for k := range varying {
		if k != key && bijective(groups, k, key) {
			delete(varying, k) // e.g. a workload spec that only carries the parameter
		}
	}
	var lines []Line
	at := map[string]int{}
	for gi := range groups {
		g := &groups[gi]
		x, ok := LabelNumber(g.Label(key))
		if cats != nil {
			i := slices.Index(cats, g.Label(key))
			x, ok = float64(i), i >= 0
		}
		if !ok || len(g.Results) == 0 {
			continue
		}
		var parts []string
		kv := g.Label(key)
		for _, l := range g.Labels {
			if l.Key != key && varying[l.Key] {
				// a spec that carries the parameter ("gang-permit:timeout=60s")
				// belongs to one series whatever the parameter's value
				parts = append(parts, l.Key+"="+templated(l.Value, key, kv))
			}
		}
		name := strings.Join(parts, " ")
		i, ok := at[name]
		if !ok {
			i = len(lines)
			at[name] = i
			lines = append(lines, Line{Name: name, Points: true})
		}
		iv := IntervalOf(g, m)
		if iv.Censored && !strings.HasSuffix(lines[i].Name, censoredSuffix) {
			// a lower bound, not an estimate: no interval, and the legend says so
			lines[i].Name += censoredSuffix
		}
		lines[i].X = append(lines[i].X, x)
		lines[i].Y = append(lines[i].Y, iv.Mean)
		lines[i].Low = append(lines[i].Low, iv.Lo)
		lines[i].High = append(lines[i].High, iv.Hi)
	}
	for i := range lines {
		SortLine(&lines[i])
	}
	return lines
}

// censoredSuffix marks a plot line with points that are lower bounds (a
// percentile of a censored wait beyond the longest time observed).
const censoredSuffix = " (some points lower bounds: censored)"

// SortLine sorts l's points by X, stably, keeping each point's Y (and error bar)
// with it.
func SortLine(l *Line) {
	idx := make([]int, len(l.X))
	for i := range idx {
		idx[i] = i
	}
	for i := 1; i < len(idx); i++ { // insertion sort: stable, small
		for j := i; j > 0 && l.X[idx[j]] < l.X[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	pick := func(s []float64) []float64 {
		if len(s) == 0 {
			return s
		}
		out := make([]float64, len(idx))
		for i, k := range idx {
			out[i] = s[k]
		}
		return out
	}
	l.X, l.Y, l.Err, l.Low, l.High = pick(l.X), pick(l.Y), pick(l.Err), pick(l.Low), pick(l.High)
}

// varyingLabels returns the label keys that take more than one value.
func varyingLabels(groups []Group) map[string]bool {
	seen := map[string]string{}
	out := map[string]bool{}
	for _, g := range groups {
		for _, l := range g.Labels {
			if v, ok := seen[l.Key]; ok && v != l.Value {
				out[l.Key] = true
			}
			seen[l.Key] = l.Value
		}
	}
	return out
}

// templated replaces the value v of parameter key where it stands as a whole
// spec token in s (after '=', ':', ',' or ';' or at the start, before ',', ';',
// ':' or the end) with "{key}".
func templated(s, key, v string) string {
	if v == "" {
		return s
	}
	re := regexp.MustCompile(`(^|[=:,;])` + regexp.QuoteMeta(v) + `($|[,;:])`)
	return re.ReplaceAllString(s, "${1}{"+key+"}${2}")
}

// bijective reports whether labels a and b determine each other across groups
// (one value of a always goes with the same value of b, and the reverse).
func bijective(groups []Group, a, b string) bool {
	ab, ba := map[string]string{}, map[string]string{}
	for gi := range groups {
		va, vb := groups[gi].Label(a), groups[gi].Label(b)
		if x, ok := ab[va]; ok && x != vb {
			return false
		}
		if x, ok := ba[vb]; ok && x != va {
			return false
		}
		ab[va], ba[vb] = vb, va
	}
	return true
}

// NamingLabels returns the label keys that tell groups apart: those that vary,
// less any that another varying label determines one-to-one (of two such labels
// the one with shorter values is kept, e.g. a parameter rather than the workload
// spec it is substituted into).
func NamingLabels(groups []Group) map[string]bool {
	v := varyingLabels(groups)
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	width := func(k string) int {
		n := 0
		for gi := range groups {
			n += len(groups[gi].Label(k))
		}
		return n
	}
	for i, a := range keys {
		for _, b := range keys[i+1:] {
			if !v[a] || !v[b] || !bijective(groups, a, b) {
				continue
			}
			if wa, wb := width(a), width(b); wa > wb || wa == wb && a > b {
				delete(v, a)
			} else {
				delete(v, b)
			}
		}
	}
	return v
}

// GroupName names a group by its labels that vary across groups (all labels if
// none varies).
func GroupName(g *Group, varying map[string]bool) string {
	var parts []string
	for _, l := range g.Labels {
		if !varying[l.Key] {
			continue
		}
		inOther := false // the value is already shown inside another label's spec
		for _, o := range g.Labels {
			if o.Key != l.Key && varying[o.Key] && templated(o.Value, l.Key, l.Value) != o.Value {
				inOther = true
			}
		}
		if !inOther {
			parts = append(parts, l.Key+"="+l.Value)
		}
	}
	if len(parts) == 0 {
		return g.Key
	}
	return strings.Join(parts, " ")
}
