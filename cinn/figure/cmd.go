// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CMDOptions adjusts CMD. The zero value gives sensible defaults.
type CMDOptions struct {
	// ColorLabel, MagLabel and ValueLabel label the horizontal axis, the
	// (inverted) vertical axis and the colour bar; empty means "colour",
	// "magnitude" and "value".
	ColorLabel, MagLabel, ValueLabel string

	// ScatterLimit is the largest number of stars drawn individually; more
	// are binned into cells coloured by their mean value. Zero means 5000;
	// a negative value always bins.
	ScatterLimit int

	// Bins is the number of cells along the colour axis when binning (the
	// magnitude axis gets 1.25 times as many); 0 chooses from the number of
	// stars (50 to 160).
	Bins int

	// ValueRange fixes the colour scale; a pair with lo ≥ hi (the zero
	// pair) uses the 1st to 99th percentiles of value.
	ValueRange [2]float64

	// Title is the figure title.
	Title string
}

// CMD returns a colour–magnitude diagram of stars with colour colour[i] and
// magnitude mag[i], each coloured by value[i] (for example the MAP log age,
// as in Figure 2 of Ksoll et al. 2020), with the magnitude axis inverted
// (bright stars at the top) and a colour bar. Up to opts.ScatterLimit stars
// are drawn as points; more are binned into cells showing the mean value of
// the stars they hold.
func CMD(colour, mag, value []float64, opts CMDOptions) (*Figure, error) {
	n := len(colour)
	if n == 0 {
		return nil, fmt.Errorf("figure: cmd: no stars: %w", ErrEmpty)
	}
	if len(mag) != n || len(value) != n {
		return nil, fmt.Errorf("figure: cmd: %d colours, %d magnitudes and %d values: %w", n, len(mag), len(value), ErrLength)
	}
	for _, c := range []struct {
		what string
		xs   []float64
	}{{"colour", colour}, {"magnitude", mag}, {"value", value}} {
		if err := checkFinite("figure: cmd: "+c.what, "star", c.xs); err != nil {
			return nil, fmt.Errorf("%w (drop stars with missing photometry or estimates first)", err)
		}
	}
	if err := checkRange("figure: cmd: ValueRange", opts.ValueRange); err != nil {
		return nil, err
	}
	xlabel, ylabel, vlabel := opts.ColorLabel, opts.MagLabel, opts.ValueLabel
	if xlabel == "" {
		xlabel = "colour"
	}
	if ylabel == "" {
		ylabel = "magnitude"
	}
	if vlabel == "" {
		vlabel = "value"
	}
	vlo, vhi := opts.ValueRange[0], opts.ValueRange[1]
	if !(vlo < vhi) {
		s := sortedCopy(value)
		vlo, vhi = quantile(s, 0.01), quantile(s, 0.99)
		if !(vlo < vhi) {
			vlo, vhi = vlo-0.5, vhi+0.5
		}
	}
	cm := Viridis()
	cm.SetMin(vlo)
	cm.SetMax(vhi)

	x0, x1 := span(sortedCopy(colour), 0.001, 0.999, 0.04)
	y0, y1 := span(sortedCopy(mag), 0.001, 0.999, 0.04)

	p := NewPanel()
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	limit := opts.ScatterLimit
	if limit == 0 {
		limit = 5000
	}
	if n <= limit {
		p.Add(colorScatter{x: colour, y: mag, v: value, cm: cm, radius: scatterRadius(n)})
	} else {
		nx := opts.Bins
		if nx <= 0 {
			nx = autoBins(n, 1.5, 50, 160)
		}
		ny := int(math.Round(1.25 * float64(nx)))
		sum := make([]float64, nx*ny)
		cnt := make([]float64, nx*ny)
		sx, sy := float64(nx)/(x1-x0), float64(ny)/(y1-y0)
		for k := range n {
			i := int(math.Floor((colour[k] - x0) * sx))
			j := int(math.Floor((mag[k] - y0) * sy))
			if i >= 0 && i < nx && j >= 0 && j < ny {
				sum[j*nx+i] += value[k]
				cnt[j*nx+i]++
			}
		}
		r := &raster{nx: nx, ny: ny, x0: x0, x1: x1, y0: y0, y1: y1, col: make([]color.NRGBA, nx*ny)}
		for k := range sum {
			if cnt[k] > 0 {
				r.col[k] = cm.at(sum[k] / cnt[k])
			}
		}
		p.Add(r)
		vlabel = "mean " + vlabel + " per cell"
	}
	p.X.Min, p.X.Max = x0, x1
	p.Y.Min, p.Y.Max = y0, y1
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	fig := &Figure{
		Title:    opts.Title,
		Panels:   [][]*plot.Plot{{p}},
		ColorBar: &ColorBar{ColorMap: cm, Label: vlabel, Ticker: fewTicks{n: 8}},
		Width:    5.5 * vg.Inch,
		Height:   5 * vg.Inch,
	}
	fig.Text = fmt.Sprintf("colour–magnitude diagram of %d stars (%s against %s), coloured by %s from %.3g to %.3g",
		n, ylabel, xlabel, vlabel, vlo, vhi)
	return fig, nil
}

// scatterRadius shrinks points as their number grows.
func scatterRadius(n int) vg.Length {
	switch {
	case n <= 300:
		return 2.6
	case n <= 1500:
		return 1.8
	}
	return 1.3
}

// colorScatter draws points coloured through a colour map, clamping values
// outside its range; it does not change the axes.
type colorScatter struct {
	x, y, v []float64
	cm      *Sequential
	radius  vg.Length
}

func (s colorScatter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for k := range s.x {
		pt := vg.Point{X: trX(s.x[k]), Y: trY(s.y[k])}
		if !c.Contains(pt) {
			continue
		}
		c.DrawGlyph(draw.GlyphStyle{Color: s.cm.at(s.v[k]), Radius: s.radius, Shape: draw.CircleGlyph{}}, pt)
	}
}
