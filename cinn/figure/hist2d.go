// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Curve is a labelled line drawn over a figure, such as a demarcation line
// of a line-ratio diagram.
type Curve struct {
	Label string
	X, Y  []float64
}

// Mark is a labelled point drawn over a figure.
type Mark struct {
	Label string
	X, Y  float64
}

// Hist2DOptions adjusts Hist2D. The zero value gives sensible defaults.
type Hist2DOptions struct {
	// Bins is the number of bins per axis; 0 chooses from the number of
	// points (30 to 100).
	Bins int

	// XRange and YRange fix the axes; a pair with lo ≥ hi (the zero pair)
	// uses the 0.1st to 99.9th percentiles.
	XRange, YRange [2]float64

	// Linear uses a linear colour scale instead of a logarithmic one.
	Linear bool

	// Curves are drawn over the density, each with its own colour and a
	// legend entry.
	Curves []Curve

	// Marks are single points drawn over the density, such as the observed
	// line ratios around which resimulated ones should scatter.
	Marks []Mark

	// CountLabel labels the colour bar; empty means "N per cell".
	CountLabel string

	// Title is the figure title.
	Title string
}

// Hist2D returns the 2-D histogram of the points (x[i], y[i]), such as two
// line ratios of a test set (Figure 3 of Kang et al. 2022), on a
// logarithmic colour scale with a colour bar. Empty cells are white.
func Hist2D(x, y []float64, xlabel, ylabel string, opts Hist2DOptions) (*Figure, error) {
	n := len(x)
	if n == 0 {
		return nil, fmt.Errorf("figure: hist2d: no points: %w", ErrEmpty)
	}
	if len(y) != n {
		return nil, fmt.Errorf("figure: hist2d: %d x and %d y values: %w", n, len(y), ErrLength)
	}
	if err := checkFinite("figure: hist2d: x", "row", x); err != nil {
		return nil, fmt.Errorf("%w (drop rows with zero or missing fluxes before taking logs)", err)
	}
	if err := checkFinite("figure: hist2d: y", "row", y); err != nil {
		return nil, fmt.Errorf("%w (drop rows with zero or missing fluxes before taking logs)", err)
	}
	for k, c := range opts.Curves {
		if len(c.X) != len(c.Y) {
			return nil, fmt.Errorf("figure: hist2d: curve %d (%s) has %d x and %d y values: %w", k, c.Label, len(c.X), len(c.Y), ErrLength)
		}
	}
	if err := checkRange("figure: hist2d: XRange", opts.XRange); err != nil {
		return nil, err
	}
	if err := checkRange("figure: hist2d: YRange", opts.YRange); err != nil {
		return nil, err
	}
	bins := opts.Bins
	if bins <= 0 {
		bins = autoBins(n, 3, 30, 100)
	}
	x0, x1 := opts.XRange[0], opts.XRange[1]
	if !(x0 < x1) {
		x0, x1 = span(sortedCopy(x), 0.001, 0.999, 0.04)
	}
	y0, y1 := opts.YRange[0], opts.YRange[1]
	if !(y0 < y1) {
		y0, y1 = span(sortedCopy(y), 0.001, 0.999, 0.04)
	}
	h := hist2D(x, y, x0, x1, y0, y1, bins, bins)
	hmax := 1.0
	for _, v := range h {
		hmax = math.Max(hmax, v)
	}
	cm := Viridis()
	label := opts.CountLabel
	if label == "" {
		label = "N per cell"
	}
	cb := &ColorBar{ColorMap: cm, Label: label}
	tr := func(v float64) float64 { return v }
	if opts.Linear {
		cm.SetMin(0)
		cm.SetMax(hmax)
		cb.Ticker = fewTicks{n: 8}
	} else {
		cm.SetMax(math.Max(math.Log10(hmax), 0.5))
		cb.Ticker = PowerTicks{}
		tr = math.Log10
	}
	r := &raster{nx: bins, ny: bins, x0: x0, x1: x1, y0: y0, y1: y1, col: make([]color.NRGBA, bins*bins)}
	for k, v := range h {
		if v > 0 {
			r.col[k] = cm.at(tr(v))
		}
	}
	p := NewPanel()
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Add(r)
	fig := &Figure{Title: opts.Title, Panels: [][]*plot.Plot{{p}}, ColorBar: cb, Width: 6 * vg.Inch, Height: 4.8 * vg.Inch}
	for k, c := range opts.Curves {
		xy := make(plotter.XYs, len(c.X))
		for i := range c.X {
			xy[i] = plotter.XY{X: c.X[i], Y: c.Y[i]}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("figure: hist2d: curve %d (%s): %w", k, c.Label, err)
		}
		l.LineStyle = lineStyle(curveColor(k), 1.5, 5, 3)
		p.Add(clipped{l})
		if c.Label != "" {
			fig.Legend = append(fig.Legend, LegendEntry{Label: c.Label, Thumb: hline{Style: l.LineStyle}})
		}
	}
	for k, m := range opts.Marks {
		if nonFinite(m.X) != nil || nonFinite(m.Y) != nil {
			return nil, fmt.Errorf("figure: hist2d: mark %d (%s) at (%v, %v) is not finite: %w", k, m.Label, m.X, m.Y, plotter.ErrNaN)
		}
		mk := marker{X: m.X, Y: m.Y, Color: curveColor(k)}
		p.Add(mk)
		if m.Label != "" {
			fig.Legend = append(fig.Legend, LegendEntry{Label: m.Label, Thumb: mk})
		}
	}
	p.X.Min, p.X.Max = x0, x1
	p.Y.Min, p.Y.Max = y0, y1
	fig.Text = fmt.Sprintf("2-D histogram of %d points, %s against %s, %d×%d cells, at most %d per cell", n, ylabel, xlabel, bins, bins, int(hmax))
	return fig, nil
}

// curveColor picks overlay colours that stand out on viridis.
func curveColor(k int) color.Color {
	cs := []color.Color{
		color.NRGBA{R: 213, G: 94, B: 0, A: 255},
		color.NRGBA{A: 255},
		color.NRGBA{R: 204, G: 121, B: 167, A: 255},
		color.NRGBA{R: 230, G: 159, B: 0, A: 255},
	}
	return cs[k%len(cs)]
}

// marker is a filled circle with a white outline, visible on any colour
// map.
type marker struct {
	X, Y  float64
	Color color.Color
}

func (m marker) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pt := vg.Point{X: trX(m.X), Y: trY(m.Y)}
	if c.Contains(pt) {
		m.draw(&c, pt)
	}
}

func (m marker) draw(c *draw.Canvas, pt vg.Point) {
	const r = 4.5
	var pa vg.Path
	pa.Move(vg.Point{X: pt.X + r, Y: pt.Y})
	pa.Arc(pt, r, 0, 2*math.Pi)
	pa.Close()
	c.SetColor(m.Color)
	c.Fill(pa)
	c.SetLineStyle(draw.LineStyle{Color: color.White, Width: 1.3})
	c.Stroke(pa)
}

func (m marker) Thumbnail(c *draw.Canvas) { m.draw(c, c.Center()) }

// clipped draws a plotter without letting it change the axes.
type clipped struct{ plot.Plotter }
