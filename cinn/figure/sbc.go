// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SBCOptions adjusts SBC. The zero value gives sensible defaults.
type SBCOptions struct {
	// Bins is the number of rank bins; 0 aims at about 20 simulations per
	// bin, between 4 and 20 bins.
	Bins int

	// Cols is the number of panels per row; 0 means up to 3.
	Cols int

	// Coverage is the probability of the band drawn around the uniform
	// expectation; 0 means 0.99.
	Coverage float64

	// PValues optionally gives, per parameter, the p-value of a test of
	// uniform ranks (cinn/diagnostics RankTest.PValue), shown in the panel
	// titles; NaN entries are left out.
	PValues []float64

	// Title is the figure title.
	Title string
}

// SBC returns the rank histograms of simulation-based calibration (Talts
// et al. 2018): ranks[j][i] is the rank, between 0 and L, of the true value
// of parameter j of simulation i among L posterior samples. A calibrated
// posterior gives uniform ranks; the grey band is the central interval of
// the binomial count expected in each bin, and bins outside it are drawn in
// a warning colour. A ∪ shape means an overconfident posterior, a ∩ shape
// an underconfident one, a slope a bias.
func SBC(ranks [][]int, L int, names []string, opts SBCOptions) (*Figure, error) {
	d := len(ranks)
	if d == 0 {
		return nil, fmt.Errorf("figure: sbc: no ranks: %w", ErrEmpty)
	}
	if L < 1 {
		return nil, fmt.Errorf("figure: sbc: L = %d posterior samples per simulation, need at least 1", L)
	}
	if err := checkNames("sbc", names, d); err != nil {
		return nil, err
	}
	if opts.PValues != nil && len(opts.PValues) != d {
		return nil, fmt.Errorf("figure: sbc: %d p-values for %d parameters: %w", len(opts.PValues), d, ErrLength)
	}
	cov := opts.Coverage
	if cov == 0 {
		cov = 0.99
	}
	if !(cov > 0 && cov < 1) {
		return nil, fmt.Errorf("figure: sbc: coverage %v not in (0, 1)", cov)
	}
	n := 0
	for j, r := range ranks {
		if len(r) == 0 {
			return nil, fmt.Errorf("figure: sbc: parameter %d (%s) has no ranks: %w", j, paramName(names, j), ErrEmpty)
		}
		for i, v := range r {
			if v < 0 || v > L {
				return nil, fmt.Errorf("figure: sbc: parameter %d (%s), simulation %d: rank %d outside [0, %d]", j, paramName(names, j), i, v, L)
			}
		}
		n = max(n, len(r))
	}
	bins := opts.Bins
	if bins <= 0 {
		bins = min(max(n/20, 4), 20)
	}
	bins = min(bins, L+1)
	edges := make([]int, bins+1)
	for b := range edges {
		edges[b] = (b*(L+1) + bins - 1) / bins // rank r is in bin ⌊r·bins/(L+1)⌋
	}

	nc := opts.Cols
	if nc <= 0 {
		nc = min(d, 3)
	}
	nr := (d + nc - 1) / nc
	fig := &Figure{Title: opts.Title, PadX: 12, PadY: 10}
	fig.Panels = make([][]*plot.Plot, nr)
	for r := range fig.Panels {
		fig.Panels[r] = make([]*plot.Plot, nc)
	}
	anyOut := false
	var txt strings.Builder
	fmt.Fprintf(&txt, "SBC rank histograms, %d bins, ranks among %d samples; bins outside the %g%% band:", bins, L, 100*cov)
	for j, rk := range ranks {
		h := rankCounts(rk, edges)
		lo, hi, exp := make([]float64, bins), make([]float64, bins), make([]float64, bins)
		out := make([]bool, bins)
		top := 0.0
		for b := range bins {
			pb := float64(edges[b+1]-edges[b]) / float64(L+1)
			exp[b] = float64(len(rk)) * pb
			lo[b], hi[b] = binomialInterval(len(rk), pb, cov)
			out[b] = h[b] < lo[b] || h[b] > hi[b]
			anyOut = anyOut || out[b]
			top = math.Max(top, math.Max(h[b], hi[b]))
		}
		x := make([]float64, bins+1)
		for b := range x {
			x[b] = float64(edges[b]) - 0.5
		}
		p := NewPanel()
		p.X.Tick.Marker = fewTicks{n: 4}
		p.Add(rankBars{x: x, h: h, lo: lo, hi: hi, exp: exp, out: out})
		p.X.Min, p.X.Max = x[0], x[bins]
		p.Y.Min, p.Y.Max = 0, 1.1*top
		p.X.Label.Text = "rank of the true value"
		if j%nc == 0 {
			p.Y.Label.Text = "simulations"
		}
		nout := 0
		for _, o := range out {
			if o {
				nout++
			}
		}
		fmt.Fprintf(&txt, "\n  %s: %d of %d (%d simulations)", paramName(names, j), nout, bins, len(rk))
		p.Title.Text = paramName(names, j)
		if opts.PValues != nil && !math.IsNaN(opts.PValues[j]) {
			p.Title.Text += "   (p = " + fmtP(opts.PValues[j]) + ")"
		}
		fig.Panels[j/nc][j%nc] = p
	}
	fig.Text = txt.String()
	fig.Legend = []LegendEntry{
		{Label: "ranks", Thumb: fillThumb{Color: lightBlue, Line: lineStyle(darkBlue, 0.8)}},
		{Label: fmt.Sprintf("uniform, %g%% band", 100*cov), Thumb: fillThumb{Color: bandGrey, Line: lineStyle(grey, 0.8, 3, 2)}},
	}
	if anyOut {
		fig.Legend = append(fig.Legend, LegendEntry{Label: "outside band", Thumb: fillThumb{Color: warnColor, Line: lineStyle(darkBlue, 0.8)}})
	}
	fig.Width = vg.Length(nc)*2.6*vg.Inch + 20
	fig.Height = vg.Length(nr)*2*vg.Inch + 40
	if opts.Title != "" {
		fig.Height += 20
	}
	return fig, nil
}

// fmtP formats a p-value: two significant digits, tiny values as
// m×10⁻ᵏ.
func fmtP(p float64) string {
	if p >= 0.001 || p == 0 {
		return strconv.FormatFloat(p, 'g', 2, 64)
	}
	k := int(math.Floor(math.Log10(p)))
	return fmt.Sprintf("%.1f×10%s", p/math.Pow(10, float64(k)), superscript(k))
}

// rankCounts histograms ranks into the bins [edges[b], edges[b+1]).
func rankCounts(ranks []int, edges []int) []float64 {
	h := make([]float64, len(edges)-1)
	for _, r := range ranks {
		b := sort.SearchInts(edges, r+1) - 1
		h[b]++
	}
	return h
}

var warnColor = color.NRGBA{R: 240, G: 150, B: 100, A: 255}

// binomialInterval returns the central interval of probability cov of a
// Binomial(n, p) count.
func binomialInterval(n int, p, cov float64) (lo, hi float64) {
	if p >= 1 {
		return float64(n), float64(n)
	}
	b := distuv.Binomial{N: float64(n), P: p}
	a := (1 - cov) / 2
	k := 0
	for ; k < n && b.CDF(float64(k)) < a; k++ {
	}
	lo = float64(k)
	for ; k < n && b.CDF(float64(k)) < 1-a; k++ {
	}
	return lo, float64(k)
}

// rankBars draws rank-histogram bars over the expectation band.
type rankBars struct {
	x           []float64 // bin edges
	h           []float64
	lo, hi, exp []float64
	out         []bool
}

func (r rankBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	rect := func(x0, x1, y0, y1 float64) vg.Path {
		return vg.Rectangle{
			Min: vg.Point{X: trX(x0), Y: trY(y0)},
			Max: vg.Point{X: trX(x1), Y: trY(y1)},
		}.Path()
	}
	for b := range r.h {
		c.SetColor(bandGrey)
		c.Fill(rect(r.x[b], r.x[b+1], r.lo[b], r.hi[b]))
	}
	edge := lineStyle(darkBlue, 0.8)
	for b, v := range r.h {
		if v <= 0 {
			continue
		}
		w := r.x[b+1] - r.x[b]
		pa := rect(r.x[b]+0.04*w, r.x[b+1]-0.04*w, 0, math.Min(v, p.Y.Max))
		if r.out[b] {
			c.SetColor(warnColor)
		} else {
			c.SetColor(lightBlue)
		}
		c.Fill(pa)
		c.SetLineStyle(edge)
		c.Stroke(pa)
	}
	exp := lineStyle(grey, 0.9, 3, 2)
	for b := range r.h {
		y := trY(r.exp[b])
		c.StrokeLine2(exp, trX(r.x[b]), y, trX(r.x[b+1]), y)
	}
}
