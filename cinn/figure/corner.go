// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CornerOptions adjusts Corner. The zero value gives sensible defaults.
type CornerOptions struct {
	// Bins is the number of 2-D bins per axis; 0 chooses from the sample
	// size (16 to 50).
	Bins int

	// Bins1D is the number of histogram bins of the marginals; 0 chooses
	// from the sample size (20 to 60).
	Bins1D int

	// Smooth is the width, in bins, of the Gaussian that smooths the 2-D
	// density before it is shown and contoured. 0 means 1; a negative value
	// disables smoothing.
	Smooth float64

	// Levels are the probability masses enclosed by the highest-density
	// contours; nil means 0.68 and 0.95.
	Levels []float64

	// Ranges optionally fixes the plotting range of each parameter; a pair
	// with lo ≥ hi (such as the zero pair) is chosen from the samples.
	Ranges [][2]float64

	// NoTitles suppresses the "median +upper −lower" titles over the
	// diagonal.
	NoTitles bool

	// Reference optionally holds other samples of the same posterior (m × d),
	// such as an exact reference posterior, drawn as contours and outline
	// histograms in another colour for comparison.
	Reference *mat.Dense

	// ReferenceLabel names Reference in the legend; empty means
	// "reference".
	ReferenceLabel string

	// Title is the figure title.
	Title string

	// PanelSize is the logical size of one panel; 0 fits the figure into
	// about 8 inches (panels of 1.3 to 2.6 inches, the page at most 14).
	PanelSize vg.Length
}

// paramStats holds what the figures need of one parameter's samples.
type paramStats struct {
	x             []float64
	sorted        []float64
	lo, hi        float64 // plotting range
	q16, q50, q84 float64
}

func newParamStats(x []float64) paramStats {
	s := paramStats{x: x, sorted: sortedCopy(x)}
	s.q16, s.q50, s.q84 = quantile(s.sorted, 0.16), quantile(s.sorted, 0.5), quantile(s.sorted, 0.84)
	s.lo, s.hi = span(s.sorted, 0.001, 0.999, 0.08)
	return s
}

// samplesColumns validates an n × d sample matrix and returns its columns.
func samplesColumns(fn string, samples *mat.Dense, names []string, truth []float64) ([][]float64, error) {
	if samples == nil || samples.IsEmpty() {
		return nil, fmt.Errorf("figure: %s: no samples: %w", fn, ErrEmpty)
	}
	n, d := samples.Dims()
	if n < 2 {
		return nil, fmt.Errorf("figure: %s: %d sample, need at least 2: %w", fn, n, ErrEmpty)
	}
	if err := checkNames(fn, names, d); err != nil {
		return nil, err
	}
	if truth != nil && len(truth) != d {
		return nil, fmt.Errorf("figure: %s: %d true values for %d parameters: %w", fn, len(truth), d, ErrLength)
	}
	if err := checkTruth(fmt.Sprintf("figure: %s: truth", fn), truth); err != nil {
		return nil, err
	}
	cols := make([][]float64, d)
	for j := range d {
		cols[j] = mat.Col(nil, j, samples)
		if err := checkFinite(fmt.Sprintf("figure: %s: samples column %d (%s)", fn, j, paramName(names, j)), "row", cols[j]); err != nil {
			return nil, err
		}
	}
	return cols, nil
}

// Corner returns the pairs-and-marginals figure of the posterior samples
// (n × d) of one observation: histograms of each parameter on the diagonal
// with the median and 68% interval, binned 2-D densities with
// highest-density contours below it, and the true values (NaN = unknown,
// truth may be nil) marked in every panel.
func Corner(samples *mat.Dense, names []string, truth []float64, opts CornerOptions) (*Figure, error) {
	cols, err := samplesColumns("corner", samples, names, truth)
	if err != nil {
		return nil, err
	}
	d, n := len(cols), len(cols[0])
	if opts.Ranges != nil && len(opts.Ranges) != d {
		return nil, fmt.Errorf("figure: corner: %d ranges for %d parameters: %w", len(opts.Ranges), d, ErrLength)
	}
	var ref [][]float64
	if opts.Reference != nil {
		ref, err = samplesColumns("corner: reference", opts.Reference, names, nil)
		if err != nil {
			return nil, err
		}
		if len(ref) != d {
			return nil, fmt.Errorf("figure: corner: reference has %d parameters, samples %d: %w", len(ref), d, ErrLength)
		}
	}
	for j, r := range opts.Ranges {
		if err := checkRange(fmt.Sprintf("figure: corner: range of parameter %d (%s)", j, paramName(names, j)), r); err != nil {
			return nil, err
		}
	}
	levels := opts.Levels
	if levels == nil {
		levels = []float64{0.68, 0.95}
	}
	for _, l := range levels {
		if !(l > 0 && l < 1) {
			return nil, fmt.Errorf("figure: corner: contour level %v not in (0, 1)", l)
		}
	}
	bins2 := opts.Bins
	if bins2 <= 0 {
		bins2 = autoBins(n, 4, 16, 50)
	}
	bins2 = max(bins2, 4)
	bins1 := opts.Bins1D
	if bins1 <= 0 {
		bins1 = autoBins(n, 2, 20, 60)
	}
	sigma := opts.Smooth
	if sigma == 0 {
		sigma = 1
	}
	truthAt := func(j int) float64 {
		if truth == nil {
			return math.NaN()
		}
		return truth[j]
	}

	st := make([]paramStats, d)
	for j := range d {
		st[j] = newParamStats(cols[j])
		if ref != nil {
			rs := newParamStats(ref[j])
			st[j].lo, st[j].hi = math.Min(st[j].lo, rs.lo), math.Max(st[j].hi, rs.hi)
		}
		st[j].lo, st[j].hi = include(st[j].lo, st[j].hi, truthAt(j), 0.05)
		if opts.Ranges != nil && opts.Ranges[j][0] < opts.Ranges[j][1] {
			st[j].lo, st[j].hi = opts.Ranges[j][0], opts.Ranges[j][1]
		}
	}

	size := opts.PanelSize
	if size <= 0 {
		size = min(max(8*vg.Inch/vg.Length(d), 1.3*vg.Inch), 2.6*vg.Inch)
		size = min(size, 14*vg.Inch/vg.Length(d)) // many parameters: keep the page finite
	}
	nticks := 4
	if size < 1.5*vg.Inch {
		nticks = 3
	}

	fig := &Figure{Title: opts.Title, PadX: 5, PadY: 5}
	fig.Panels = make([][]*plot.Plot, d)
	for i := range d {
		fig.Panels[i] = make([]*plot.Plot, d)
		for j := 0; j <= i; j++ {
			var p *plot.Plot
			if i == j {
				p = marginalPanel(st[j], bins1, truthAt(j))
				if ref != nil {
					addRefHist(p, ref[j], st[j].lo, st[j].hi, bins1)
				}
				if !opts.NoTitles {
					p.Title.Text = summary(st[j].q50, st[j].q16, st[j].q84)
					p.Title.TextStyle.Font = font.From(plot.DefaultFont, tickSize)
				}
			} else {
				p = pairPanel(st[j], st[i], bins2, sigma, levels, truthAt(j), truthAt(i))
				if ref != nil {
					h := hist2D(ref[j], ref[i], st[j].lo, st[j].hi, st[i].lo, st[i].hi, bins2, bins2)
					g := gridXYZ{nx: bins2, ny: bins2, x0: st[j].lo, x1: st[j].hi, y0: st[i].lo, y1: st[i].hi,
						z: smooth2D(h, bins2, bins2, sigma)}
					if c := hdrContours(g, h, levels, refStyle); c != nil {
						p.Add(c)
					}
				}
			}
			p.X.Tick.Marker = fewTicks{n: nticks}
			p.Y.Tick.Marker = fewTicks{n: nticks}
			if i == j {
				p.HideY()
			}
			if i == d-1 {
				p.X.Label.Text = paramName(names, j)
			} else {
				p.HideX()
			}
			if j == 0 && i > 0 {
				p.Y.Label.Text = paramName(names, i)
			} else if i != j {
				p.HideY()
			}
			fig.Panels[i][j] = p
		}
	}

	fig.Legend = []LegendEntry{
		{Label: "median, 68% interval", Thumb: fillThumb{Color: shadeBlue, Line: lineStyle(darkBlue, 1)}},
	}
	for k, l := range levels {
		if d == 1 {
			break
		}
		fig.Legend = append(fig.Legend, LegendEntry{Label: fmt.Sprintf("%g%% HDR", 100*l), Thumb: hline{Style: contourStyle(k)}})
	}
	if ref != nil {
		label := opts.ReferenceLabel
		if label == "" {
			label = "reference"
		}
		fig.Legend = append(fig.Legend, LegendEntry{Label: label, Thumb: hline{Style: refStyle(0)}})
	}
	if slices.ContainsFunc(truth, func(v float64) bool { return !math.IsNaN(v) }) {
		fig.Legend = append(fig.Legend, LegendEntry{Label: "truth", Thumb: hline{Style: lineStyle(truthColor, 1.2)}})
	}
	// Keep the panels square: the height adds the legend, the titles over
	// the diagonal and the x labels; the width the y labels.
	extra := vg.Length(40)
	if opts.Title != "" {
		extra += 20
	}
	if !opts.NoTitles {
		extra += vg.Length(d) * (textStyle(tickSize).Height("0") + 4)
	}
	fig.Text = fmt.Sprintf("corner plot of %d parameters from %d samples", d, n) + summaryText(st, names, truthAt)
	fig.Width = size*vg.Length(d) + 60
	fig.Height = size*vg.Length(d) + extra
	return fig, nil
}

// summaryText lists "name = median +up −down (true t)" per parameter.
func summaryText(st []paramStats, names []string, truth func(int) float64) string {
	var b strings.Builder
	for j, s := range st {
		fmt.Fprintf(&b, "\n  %s = %s", paramName(names, j), summary(s.q50, s.q16, s.q84))
		if t := truth(j); !math.IsNaN(t) {
			fmt.Fprintf(&b, " (true %s)", fmtFixed(t, decimals(math.Min(s.q50-s.q16, s.q84-s.q50))))
		}
	}
	return b.String()
}

// contourStyle returns the line style of the k-th contour level.
func contourStyle(k int) draw.LineStyle {
	switch k {
	case 0:
		return lineStyle(colorBlack, 1.1)
	case 1:
		return lineStyle(colorBlack, 0.8, 3, 2)
	}
	return lineStyle(colorBlack, 0.6, 1, 1.5)
}

// refColor marks reference samples.
var refColor = color.NRGBA{R: 0, G: 158, B: 115, A: 255}

// refStyle returns the line style of the k-th contour of the reference.
func refStyle(k int) draw.LineStyle {
	s := contourStyle(k)
	s.Color = refColor
	s.Width *= 1.2
	return s
}

// addRefHist adds the outline histogram (as a density) of reference samples
// to a marginal panel and makes room for it.
func addRefHist(p *plot.Plot, x []float64, lo, hi float64, bins int) {
	h := hist1D(x, lo, hi, bins)
	w := (hi - lo) / float64(bins)
	for i := range h {
		h[i] /= float64(len(x)) * w
	}
	line, _ := plotter.NewLine(stepLine(h, lo, hi))
	line.LineStyle = lineStyle(refColor, 1.3)
	p.Add(clipped{line})
	p.Y.Max = math.Max(p.Y.Max, 1.08*slices.Max(h))
	p.X.Min, p.X.Max = lo, hi
}

// marginalPanel draws the histogram of one parameter normalised to a
// density, its shaded 68% interval, the median and the truth.
func marginalPanel(s paramStats, bins int, truth float64) *plot.Plot {
	p := NewPanel()
	h := hist1D(s.x, s.lo, s.hi, bins)
	w := (s.hi - s.lo) / float64(bins)
	var top float64
	for i := range h {
		h[i] /= float64(len(s.x)) * w
		top = math.Max(top, h[i])
	}
	p.Add(filled{h: h, lo: s.lo, hi: s.hi, from: s.lo, to: s.hi, color: lightBlue})
	p.Add(filled{h: h, lo: s.lo, hi: s.hi, from: s.q16, to: s.q84, color: shadeBlue})
	line, _ := plotter.NewLine(stepLine(h, s.lo, s.hi))
	line.LineStyle = lineStyle(darkBlue, 1)
	p.Add(line)
	p.Add(vline{X: s.q50, Style: lineStyle(darkBlue, 1.1)})
	if !math.IsNaN(truth) {
		p.Add(vline{X: truth, Style: lineStyle(truthColor, 1.4)})
	}
	p.X.Min, p.X.Max = s.lo, s.hi
	p.Y.Min, p.Y.Max = 0, 1.08*math.Max(top, 1e-300)
	return p
}

// pairPanel draws the smoothed 2-D density of (x, y) with its
// highest-density contours and the truth.
func pairPanel(sx, sy paramStats, bins int, sigma float64, levels []float64, tx, ty float64) *plot.Plot {
	p := NewPanel()
	h := hist2D(sx.x, sy.x, sx.lo, sx.hi, sy.lo, sy.hi, bins, bins)
	z := smooth2D(h, bins, bins, sigma)
	zmax := slices.Max(z)
	r := &raster{nx: bins, ny: bins, x0: sx.lo, x1: sx.hi, y0: sy.lo, y1: sy.hi, col: make([]color.NRGBA, len(z))}
	cm := Blues()
	for k, v := range z {
		if zmax > 0 && v > 0.005*zmax {
			r.col[k] = cm.at(0.9 * v / zmax)
		}
	}
	p.Add(r)
	g := gridXYZ{nx: bins, ny: bins, x0: sx.lo, x1: sx.hi, y0: sy.lo, y1: sy.hi, z: z}
	if c := hdrContours(g, h, levels, contourStyle); c != nil {
		p.Add(c)
	}
	if !math.IsNaN(tx) {
		p.Add(vline{X: tx, Style: lineStyle(truthColor, 1)})
	}
	if !math.IsNaN(ty) {
		p.Add(hline{Y: ty, Style: lineStyle(truthColor, 1)})
	}
	if !math.IsNaN(tx) && !math.IsNaN(ty) {
		p.Add(point{X: tx, Y: ty, Style: draw.GlyphStyle{Color: truthColor, Radius: 2.5, Shape: draw.CircleGlyph{}}})
	}
	p.X.Min, p.X.Max = sx.lo, sx.hi
	p.Y.Min, p.Y.Max = sy.lo, sy.hi
	return p
}

// hdrContours returns a plotter of the highest-density contours of the
// smoothed density g enclosing the given fractions of the counts h,
// styled by style(k) for levels[k], or nil if there are none.
func hdrContours(g gridXYZ, h []float64, levels []float64, style func(k int) draw.LineStyle) plot.Plotter {
	zmax := slices.Max(g.z)
	if !(zmax > 0) {
		return nil
	}
	lv := hdrLevelsMass(g.z, h, levels)
	// plotter.Contour sorts its levels; give each its own style.
	type ls struct {
		z   float64
		sty draw.LineStyle
	}
	var pairs []ls
	for k, l := range lv {
		if l > 0 && l < zmax {
			pairs = append(pairs, ls{l, style(k)})
		}
	}
	slices.SortFunc(pairs, func(a, b ls) int { return cmpFloat(a.z, b.z) })
	pairs = slices.CompactFunc(pairs, func(a, b ls) bool { return a.z == b.z })
	if len(pairs) == 0 {
		return nil
	}
	c := &plotter.Contour{GridXYZ: g, Min: 0, Max: zmax}
	for _, pr := range pairs {
		c.Levels = append(c.Levels, pr.z)
		c.LineStyles = append(c.LineStyles, pr.sty)
	}
	return contourPlotter{c}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// point draws one glyph without affecting the axes.
type point struct {
	X, Y  float64
	Style draw.GlyphStyle
}

func (pt point) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	v := vg.Point{X: trX(pt.X), Y: trY(pt.Y)}
	if c.Contains(v) {
		c.DrawGlyph(pt.Style, v)
	}
}
