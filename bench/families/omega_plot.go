package families

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/schedlab/schedlab/bench"
)

// omegaPlot describes a scenario's chart: measured columns (by name) against a
// numeric label, one line per value of an optional series label.
type omegaPlot struct {
	x      string   // label key on the x axis (numeric; a duration in seconds)
	series string   // label key that splits lines ("" = one line per column)
	ys     []string // column names to plot
	ylabel string
	logX   bool    // plot log10(x)
	logY   bool    // plot log10(y)
	bars   bool    // x is categorical: plotted at 0, 1, … in order of appearance
	hline  float64 // a reference line at this y (0 = none)
	// filter, if its key is set, plots only the groups whose label filter[0] is
	// filter[1].
	filter [2]string
}

// write saves NAME.png and NAME.svg into dir and returns the PNG's file name.
func (pl *omegaPlot) write(dir, name string, rep *omegaReport, gs []*omegaGroup) (string, error) {
	cols := map[string]*reportColumn{}
	for i := range rep.cols {
		cols[rep.cols[i].name] = &rep.cols[i]
	}
	cats := map[string]float64{}
	var lines []bench.Line
	at := map[string]int{}
	minX, maxX := math.Inf(1), math.Inf(-1)
	for _, g := range gs {
		if pl.filter[0] != "" && g.label(pl.filter[0]) != pl.filter[1] {
			continue
		}
		xs := g.label(pl.x)
		var x float64
		if pl.bars {
			v, ok := cats[xs]
			if !ok {
				v = float64(len(cats))
				cats[xs] = v
			}
			x = v
		} else {
			x = parseSeconds(xs)
			if pl.logX {
				x = math.Log10(x)
			}
		}
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		for _, yn := range pl.ys {
			c := cols[yn]
			if c == nil {
				return "", fmt.Errorf("plot column %q not in the table", yn)
			}
			ln := yn
			if pl.series != "" {
				ln = pl.series + "=" + g.label(pl.series)
				if len(pl.ys) > 1 {
					ln = yn + ", " + ln
				}
			}
			i, ok := at[ln]
			if !ok {
				i = len(lines)
				at[ln] = i
				lines = append(lines, bench.Line{Name: ln, Points: true})
			}
			y := c.value(g)
			if pl.logY {
				y = math.Log10(y)
			}
			lines[i].X = append(lines[i].X, x)
			lines[i].Y = append(lines[i].Y, y)
		}
	}
	if pl.hline != 0 && maxX > minX {
		lines = append(lines, bench.Line{Name: fmt.Sprintf("y = %g", pl.hline), X: []float64{minX, maxX}, Y: []float64{pl.hline, pl.hline}, Dashed: true})
	}
	xl := pl.x
	if pl.logX {
		xl = "log10 " + pl.x + " (s)"
	}
	if pl.bars {
		xl = pl.x + ":"
		for i := 0; i < len(cats); i++ {
			for k, v := range cats {
				if int(v) == i {
					xl += fmt.Sprintf(" %d=%s", i, k)
				}
			}
		}
	}
	yl := pl.ylabel
	if pl.logY {
		yl = "log10 " + yl
	}
	ch := &bench.Chart{Title: rep.title, XLabel: xl, YLabel: yl, Lines: lines, YFrom0: !pl.logY}
	if err := ch.Save(filepath.Join(dir, name)); err != nil {
		return "", err
	}
	return name + ".png", nil
}
