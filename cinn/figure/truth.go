// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TruthOptions adjusts TruthVsMAP. The zero value gives sensible defaults.
type TruthOptions struct {
	// Bins is the number of bins per axis; 0 chooses from the test-set
	// size (25 to 80).
	Bins int

	// Cols is the number of panels per row; 0 means up to 3.
	Cols int

	// PredLabel names the estimate on the vertical axes; empty means
	// "MAP".
	PredLabel string

	// Title is the figure title.
	Title string
}

// TruthVsMAP returns, for each parameter j, the binned density of the
// estimate pred[j][i] (usually the MAP) against the true value truth[j][i]
// over a test set, with the identity line and the RMSE in the title. The
// colour scale is logarithmic in the number of test points per cell and
// shared by all panels.
func TruthVsMAP(truth, pred [][]float64, names []string, opts TruthOptions) (*Figure, error) {
	d := len(truth)
	if d == 0 || len(truth[0]) == 0 {
		return nil, fmt.Errorf("figure: truth: no test set (run %%eval first): %w", ErrEmpty)
	}
	if len(pred) != d {
		return nil, fmt.Errorf("figure: truth: %d true and %d predicted parameters: %w", d, len(pred), ErrLength)
	}
	if err := checkNames("truth", names, d); err != nil {
		return nil, err
	}
	n := len(truth[0])
	for j := range d {
		name := paramName(names, j)
		if len(truth[j]) != n || len(pred[j]) != n {
			return nil, fmt.Errorf("figure: truth: parameter %d (%s) has %d true and %d predicted values, parameter 0 has %d: %w",
				j, name, len(truth[j]), len(pred[j]), n, ErrLength)
		}
		if err := checkFinite(fmt.Sprintf("figure: truth: true %s (parameter %d)", name, j), "row", truth[j]); err != nil {
			return nil, err
		}
		if err := checkFinite(fmt.Sprintf("figure: truth: predicted %s (parameter %d)", name, j), "row", pred[j]); err != nil {
			return nil, err
		}
	}
	bins := opts.Bins
	if bins <= 0 {
		bins = autoBins(n, 2, 25, 80)
	}
	nc := opts.Cols
	if nc <= 0 {
		nc = min(d, 3)
	}
	nr := (d + nc - 1) / nc
	predLabel := opts.PredLabel
	if predLabel == "" {
		predLabel = "MAP"
	}

	hists := make([][]float64, d)
	ranges := make([][2]float64, d)
	cmax := 1.0
	for j := range d {
		both := append(append([]float64(nil), truth[j]...), pred[j]...)
		lo, hi := span(sortedCopy(both), 0.002, 0.998, 0.04)
		ranges[j] = [2]float64{lo, hi}
		hists[j] = hist2D(truth[j], pred[j], lo, hi, lo, hi, bins, bins)
		for _, v := range hists[j] {
			cmax = math.Max(cmax, v)
		}
	}
	cm := Viridis()
	cm.SetMax(math.Max(math.Log10(cmax), 0.5))
	fig := &Figure{Title: opts.Title, PadX: 12, PadY: 10}
	var txt strings.Builder
	fmt.Fprintf(&txt, "%s against true values for %d test points; RMSE:", predLabel, n)
	fig.ColorBar = &ColorBar{ColorMap: cm, Label: "test points per cell", Ticker: PowerTicks{}}
	fig.Panels = make([][]*plot.Plot, nr)
	for r := range fig.Panels {
		fig.Panels[r] = make([]*plot.Plot, nc)
	}
	for j := range d {
		lo, hi := ranges[j][0], ranges[j][1]
		p := NewPanel()
		r := &raster{nx: bins, ny: bins, x0: lo, x1: hi, y0: lo, y1: hi, col: make([]color.NRGBA, bins*bins)}
		for k, v := range hists[j] {
			if v > 0 {
				r.col[k] = cm.at(math.Log10(v))
			}
		}
		p.Add(r, diagonal{Style: lineStyle(colorBlack, 0.9, 4, 3)})
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
		var se float64
		for i := range n {
			e := pred[j][i] - truth[j][i]
			se += e * e
		}
		rmse := math.Sqrt(se / float64(n))
		fmt.Fprintf(&txt, "\n  %s: %.3g", paramName(names, j), rmse)
		p.Title.Text = paramName(names, j) + "   RMSE " + strings.Replace(strconv.FormatFloat(rmse, 'g', 3, 64), "-", "−", 1)
		p.X.Tick.Marker = fewTicks{n: 4}
		p.Y.Tick.Marker = fewTicks{n: 4}
		p.X.Label.Text = "true"
		p.Y.Label.Text = predLabel
		fig.Panels[j/nc][j%nc] = p
	}
	fig.Text = txt.String()
	fig.Legend = []LegendEntry{{Label: "identity", Thumb: hline{Style: lineStyle(colorBlack, 0.9, 4, 3)}}}
	fig.Width = vg.Length(nc)*2.5*vg.Inch + 70
	fig.Height = vg.Length(nr)*2.5*vg.Inch + 30
	if opts.Title != "" {
		fig.Height += 20
	}
	return fig, nil
}

// diagonal draws the line y = x across the data area.
type diagonal struct{ Style draw.LineStyle }

func (dg diagonal) Plot(c draw.Canvas, p *plot.Plot) {
	lo := math.Max(p.X.Min, p.Y.Min)
	hi := math.Min(p.X.Max, p.Y.Max)
	if !(hi > lo) {
		return
	}
	trX, trY := p.Transforms(&c)
	c.StrokeLine2(dg.Style, trX(lo), trY(lo), trX(hi), trY(hi))
}
