// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CalibrationOptions adjusts Calibration. The zero value gives sensible
// defaults.
type CalibrationOptions struct {
	// Title is the figure title.
	Title string
	// BandLo and BandHi, one value per level when set, draw a grey band of
	// the calibration errors that calibrated posteriors stay inside by
	// chance (diagnostics.CalibrationBand), labelled BandLabel.
	BandLo, BandHi []float64
	BandLabel      string
}

// Calibration returns the calibration error curves of Ksoll et al. (2020):
// ecal[j][k] is, for parameter j, the fraction of test observations whose
// true value lies inside the central q[k] posterior interval, minus q[k].
// Positive values mean posteriors that are too wide (underconfident),
// negative ones too narrow (overconfident). The legend gives the median
// |e_cal| of each parameter.
func Calibration(q []float64, ecal [][]float64, names []string, opts CalibrationOptions) (*Figure, error) {
	if len(q) == 0 || len(ecal) == 0 {
		return nil, fmt.Errorf("figure: calibration: no curves (run %%eval first): %w", ErrEmpty)
	}
	if err := checkNames("calibration", names, len(ecal)); err != nil {
		return nil, err
	}
	if err := checkFinite("figure: calibration: q", "level", q); err != nil {
		return nil, err
	}
	for k := 1; k < len(q); k++ {
		if q[k] <= q[k-1] {
			return nil, fmt.Errorf("figure: calibration: q must increase, q[%d] = %v after q[%d] = %v", k, q[k], k-1, q[k-1])
		}
	}
	if q[0] < 0 || q[len(q)-1] > 1 {
		return nil, fmt.Errorf("figure: calibration: confidence levels must lie in [0, 1], got %v to %v", q[0], q[len(q)-1])
	}
	if len(opts.BandLo) != len(opts.BandHi) || (len(opts.BandLo) != 0 && len(opts.BandLo) != len(q)) {
		return nil, fmt.Errorf("figure: calibration: band of %d lower and %d upper values for %d levels: %w", len(opts.BandLo), len(opts.BandHi), len(q), ErrLength)
	}
	emax := 0.0
	for k := range opts.BandLo {
		if opts.BandLo[k] > opts.BandHi[k] {
			return nil, fmt.Errorf("figure: calibration: band's lower value %v above its upper value %v at level %v", opts.BandLo[k], opts.BandHi[k], q[k])
		}
		emax = math.Max(emax, math.Max(math.Abs(opts.BandLo[k]), math.Abs(opts.BandHi[k])))
	}
	if err := checkFinite("figure: calibration: band", "level", opts.BandLo); err != nil {
		return nil, err
	}
	if err := checkFinite("figure: calibration: band", "level", opts.BandHi); err != nil {
		return nil, err
	}
	for j, e := range ecal {
		if len(e) != len(q) {
			return nil, fmt.Errorf("figure: calibration: parameter %d (%s) has %d errors for %d levels: %w", j, paramName(names, j), len(e), len(q), ErrLength)
		}
		if err := checkFinite(fmt.Sprintf("figure: calibration: parameter %d (%s)", j, paramName(names, j)), "level", e); err != nil {
			return nil, err
		}
		for _, v := range e {
			emax = math.Max(emax, math.Abs(v))
		}
	}

	p := NewPanel()
	p.X.Label.Text = "confidence level q"
	p.Y.Label.Text = "calibration error e_cal"
	p.Y.Tick.Marker = fewTicks{n: 7}
	fig := &Figure{Title: opts.Title, Panels: [][]*plot.Plot{{p}}}
	if len(opts.BandLo) > 0 {
		pts := make(plotter.XYs, 0, 2*len(q))
		for k := range q {
			pts = append(pts, plotter.XY{X: q[k], Y: opts.BandHi[k]})
		}
		for k := len(q) - 1; k >= 0; k-- {
			pts = append(pts, plotter.XY{X: q[k], Y: opts.BandLo[k]})
		}
		band, err := plotter.NewPolygon(pts)
		if err != nil {
			return nil, fmt.Errorf("figure: calibration: band: %w", err)
		}
		band.Color, band.LineStyle.Width = bandGrey, 0
		p.Add(band)
		fig.Legend = append(fig.Legend, LegendEntry{Label: bandLabel(opts.BandLabel), Thumb: fillThumb{Color: bandGrey}})
	}
	p.Add(hline{Y: 0, Style: lineStyle(grey, 0.8, 3, 2)})
	for j, e := range ecal {
		xy := make(plotter.XYs, len(q))
		abs := make([]float64, len(q))
		for k := range q {
			xy[k] = plotter.XY{X: q[k], Y: e[k]}
			abs[k] = math.Abs(e[k])
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("figure: calibration: %w", err)
		}
		l.LineStyle = lineStyle(Category(j), 1.5)
		if j >= len(categorical) {
			l.LineStyle.Dashes = []vg.Length{4, 2}
		}
		p.Add(l)
		med := quantile(sortedCopy(abs), 0.5)
		fig.Legend = append(fig.Legend, LegendEntry{
			Label: fmt.Sprintf("%s (median |e| %.3f)", paramName(names, j), med),
			Thumb: hline{Style: l.LineStyle},
		})
	}
	var txt strings.Builder
	fmt.Fprintf(&txt, "calibration error e_cal(q) at %d confidence levels; median |e_cal|:", len(q))
	for j, e := range ecal {
		abs := make([]float64, len(e))
		for k, v := range e {
			abs[k] = math.Abs(v)
		}
		fmt.Fprintf(&txt, "\n  %s: %.3f", paramName(names, j), quantile(sortedCopy(abs), 0.5))
	}
	if len(opts.BandLo) > 0 {
		k := len(q) / 2
		fmt.Fprintf(&txt, "\ngrey band: %s; at q = %.2f from %.3f to %.3f", bandLabel(opts.BandLabel), q[k], opts.BandLo[k], opts.BandHi[k])
	}
	fig.Text = txt.String()
	lim := math.Max(0.02, 1.2*emax)
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = -lim, lim
	p.Add(note{Text: "underconfident (too wide)", X: 0.02, Y: 0.97, YAlign: draw.YTop},
		note{Text: "overconfident (too narrow)", X: 0.02, Y: 0.03, YAlign: draw.YBottom})
	fig.Width, fig.Height = DefaultWidth, DefaultHeight
	return fig, nil
}

func bandLabel(l string) string {
	if l == "" {
		return "calibrated, by chance"
	}
	return l
}

// note draws a small grey text at a fraction (X, Y) of the data area.
type note struct {
	Text   string
	X, Y   float64
	XAlign draw.XAlignment
	YAlign draw.YAlignment
	Color  color.Color
}

func (n note) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := textStyle(tickSize)
	sty.Color = n.Color
	if sty.Color == nil {
		sty.Color = grey
	}
	sty.XAlign, sty.YAlign = n.XAlign, n.YAlign
	pt := vg.Point{
		X: c.Min.X + vg.Length(n.X)*(c.Max.X-c.Min.X),
		Y: c.Min.Y + vg.Length(n.Y)*(c.Max.Y-c.Min.Y),
	}
	c.FillText(sty, pt, n.Text)
}
