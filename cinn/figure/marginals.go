// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// MarginalsOptions adjusts Marginals. The zero value gives sensible
// defaults.
type MarginalsOptions struct {
	// Bins is the number of histogram bins; 0 chooses from the sample size.
	Bins int

	// Cols is the number of panels per row; 0 means up to 3.
	Cols int

	// Ranges optionally fixes the plotting range of each parameter, as in
	// CornerOptions.
	Ranges [][2]float64

	// MAP optionally marks a point estimate per parameter (such as the
	// posterior mode) with a dotted line; NaN entries are left out.
	MAP []float64

	// Title is the figure title.
	Title string
}

var mapStyle = lineStyle(colorBlack, 1.3, 1.5, 1.5)

// Marginals returns one panel per parameter of the posterior samples
// (n × d) of one observation: the histogram normalised to a density, the
// median, the shaded 68% interval, and the true value when known (truth
// may be nil; NaN entries are unknown). Each panel's title gives the
// median and the distances to the 84th and 16th percentiles.
func Marginals(samples *mat.Dense, names []string, truth []float64, opts MarginalsOptions) (*Figure, error) {
	cols, err := samplesColumns("marginals", samples, names, truth)
	if err != nil {
		return nil, err
	}
	d, n := len(cols), len(cols[0])
	if opts.Ranges != nil && len(opts.Ranges) != d {
		return nil, fmt.Errorf("figure: marginals: %d ranges for %d parameters: %w", len(opts.Ranges), d, ErrLength)
	}
	if opts.MAP != nil && len(opts.MAP) != d {
		return nil, fmt.Errorf("figure: marginals: %d MAP values for %d parameters: %w", len(opts.MAP), d, ErrLength)
	}
	if err := checkTruth("figure: marginals: MAP", opts.MAP); err != nil {
		return nil, err
	}
	for j, r := range opts.Ranges {
		if err := checkRange(fmt.Sprintf("figure: marginals: range of parameter %d (%s)", j, paramName(names, j)), r); err != nil {
			return nil, err
		}
	}
	bins := opts.Bins
	if bins <= 0 {
		bins = autoBins(n, 2, 20, 60)
	}
	nc := opts.Cols
	if nc <= 0 {
		nc = min(d, 3)
	}
	nr := (d + nc - 1) / nc
	fig := &Figure{Title: opts.Title, PadX: 14, PadY: 10}
	fig.Panels = make([][]*plot.Plot, nr)
	for r := range fig.Panels {
		fig.Panels[r] = make([]*plot.Plot, nc)
	}
	anyTruth := false
	st := make([]paramStats, d)
	for j := range d {
		s := newParamStats(cols[j])
		t := math.NaN()
		if truth != nil {
			t = truth[j]
		}
		anyTruth = anyTruth || !math.IsNaN(t)
		s.lo, s.hi = include(s.lo, s.hi, t, 0.05)
		if opts.Ranges != nil && opts.Ranges[j][0] < opts.Ranges[j][1] {
			s.lo, s.hi = opts.Ranges[j][0], opts.Ranges[j][1]
		}
		st[j] = s
		p := marginalPanel(s, bins, t)
		if opts.MAP != nil && !math.IsNaN(opts.MAP[j]) {
			p.Add(vline{X: opts.MAP[j], Style: mapStyle})
		}
		p.HideY()
		p.X.Tick.Marker = fewTicks{n: 4}
		p.X.Label.Text = paramName(names, j)
		p.Title.Text = summary(s.q50, s.q16, s.q84)
		if !math.IsNaN(t) {
			p.Title.Text += "   (true " + fmtFixed(t, decimals(math.Min(s.q50-s.q16, s.q84-s.q50))) + ")"
		}
		fig.Panels[j/nc][j%nc] = p
	}
	fig.Legend = []LegendEntry{
		{Label: "posterior", Thumb: fillThumb{Color: lightBlue, Line: lineStyle(darkBlue, 1)}},
		{Label: "68% interval", Thumb: fillThumb{Color: shadeBlue}},
		{Label: "median", Thumb: vline{Style: lineStyle(darkBlue, 1.1)}},
	}
	if slices.ContainsFunc(opts.MAP, func(v float64) bool { return !math.IsNaN(v) }) {
		fig.Legend = append(fig.Legend, LegendEntry{Label: "MAP", Thumb: vline{Style: mapStyle}})
	}
	if anyTruth {
		fig.Legend = append(fig.Legend, LegendEntry{Label: "truth", Thumb: vline{Style: lineStyle(truthColor, 1.4)}})
	}
	fig.Text = fmt.Sprintf("marginal posteriors of %d parameters from %d samples (median, 16th and 84th percentiles)", d, n) +
		summaryText(st, names, func(j int) float64 {
			if truth == nil {
				return math.NaN()
			}
			return truth[j]
		})
	fig.Width = vg.Length(nc)*2.9*vg.Inch + 20
	fig.Height = vg.Length(nr)*2.1*vg.Inch + 40
	if opts.Title != "" {
		fig.Height += 20
	}
	return fig, nil
}
