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

// LogMode chooses between a linear and a logarithmic axis.
type LogMode int

const (
	// LogAuto uses a logarithmic axis when all values are positive and
	// span more than a factor of 30.
	LogAuto LogMode = iota
	// LogNever always uses a linear axis.
	LogNever
	// LogAlways uses a logarithmic axis; all values must be positive.
	LogAlways
)

// LossOptions adjusts Loss. The zero value gives sensible defaults.
type LossOptions struct {
	// Steps holds optional per-mini-batch training losses, drawn faintly
	// under the per-epoch curves.
	Steps []float64

	// StepsPerEpoch places step k at epoch (k+1)/StepsPerEpoch; zero means
	// len(Steps)/len(train).
	StepsPerEpoch float64

	// Best is the epoch (counting from 1) to mark; zero marks the epoch
	// with the lowest validation loss (training loss without validation);
	// negative marks none.
	Best int

	// Log chooses the loss axis scale.
	Log LogMode

	// YLabel is the loss axis label; empty means "loss".
	YLabel string

	// Title is the figure title.
	Title string
}

// Loss returns the training curve: train[e] and val[e] are the mean losses
// of epoch e+1. val may be nil, or shorter than train by the epochs whose
// validation has not run yet. The best epoch is marked, and the loss axis
// is clipped so that a huge first epoch does not flatten the rest.
func Loss(train, val []float64, opts LossOptions) (*Figure, error) {
	if len(train) == 0 {
		return nil, fmt.Errorf("figure: loss: no training losses (run %%train first): %w", ErrEmpty)
	}
	if len(val) > len(train) {
		return nil, fmt.Errorf("figure: loss: %d validation losses for %d epochs: %w", len(val), len(train), ErrLength)
	}
	for _, c := range []struct {
		what string
		xs   []float64
	}{{"training", train}, {"validation", val}} {
		for e, v := range c.xs {
			if sentinel := nonFinite(v); sentinel != nil {
				return nil, fmt.Errorf("figure: loss: %s loss of epoch %d is %v (the training diverged; lower --lr): %w", c.what, e+1, v, sentinel)
			}
		}
	}
	if err := checkFinite("figure: loss: steps", "step", opts.Steps); err != nil {
		return nil, err
	}
	if opts.StepsPerEpoch < 0 || math.IsNaN(opts.StepsPerEpoch) || math.IsInf(opts.StepsPerEpoch, 0) {
		return nil, fmt.Errorf("figure: loss: StepsPerEpoch %v must be positive", opts.StepsPerEpoch)
	}
	all := append(append(append([]float64(nil), train...), val...), opts.Steps...)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range all {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	logY := false
	switch opts.Log {
	case LogAlways:
		if lo <= 0 {
			return nil, fmt.Errorf("figure: loss: logarithmic axis needs positive losses, lowest is %v (use a linear axis)", lo)
		}
		logY = true
	case LogAuto:
		logY = lo > 0 && hi/lo > 30
	}

	p := NewPanel()
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = opts.YLabel
	if p.Y.Label.Text == "" {
		p.Y.Label.Text = "loss"
	}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	fig := &Figure{Title: opts.Title, Panels: [][]*plot.Plot{{p}}}

	epochs := len(train)
	if len(opts.Steps) > 0 {
		spe := opts.StepsPerEpoch
		if spe == 0 {
			spe = float64(len(opts.Steps)) / float64(epochs)
		}
		xy := make(plotter.XYs, len(opts.Steps))
		for k, v := range opts.Steps {
			xy[k] = plotter.XY{X: float64(k+1) / spe, Y: v}
		}
		l, err := plotter.NewLine(decimate(xy, 2000))
		if err != nil {
			return nil, fmt.Errorf("figure: loss: %w", err)
		}
		l.LineStyle = lineStyle(lightBlue, 0.6)
		p.Add(l)
		fig.Legend = append(fig.Legend, LegendEntry{Label: "train (batches)", Thumb: hline{Style: l.LineStyle}})
	}
	marks := epochs <= 40
	addCurve := func(ys []float64, c color.Color, label string) error {
		xy := make(plotter.XYs, len(ys))
		for e, v := range ys {
			xy[e] = plotter.XY{X: float64(e + 1), Y: v}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("figure: loss: %w", err)
		}
		l.LineStyle = lineStyle(c, 1.4)
		p.Add(l)
		g := draw.GlyphStyle{Color: c, Radius: 2, Shape: draw.CircleGlyph{}}
		if marks || len(ys) == 1 {
			p.Add(glyphs{xy: xy, style: g})
		}
		fig.Legend = append(fig.Legend, LegendEntry{Label: label, Thumb: lineGlyphThumb{l.LineStyle, g, marks}})
		return nil
	}
	if err := addCurve(train, Category(0), "train"); err != nil {
		return nil, err
	}
	if len(val) > 0 {
		if err := addCurve(val, Category(1), "validation"); err != nil {
			return nil, err
		}
	}

	best := opts.Best
	if best == 0 {
		ref := val
		if len(ref) == 0 {
			ref = train
		}
		for e, v := range ref {
			if best == 0 || v < ref[best-1] {
				best = e + 1
			}
		}
	}
	if best > epochs {
		return nil, fmt.Errorf("figure: loss: best epoch %d after the last epoch %d", best, epochs)
	}
	bestText := ""
	if best > 0 {
		ref, what := val, "validation"
		if best > len(val) {
			ref, what = train, "train"
		}
		v := ref[best-1]
		p.Add(vline{X: float64(best), Style: lineStyle(grey, 0.8, 2, 2)})
		g := draw.GlyphStyle{Color: colorBlack, Radius: 4, Shape: draw.RingGlyph{}}
		p.Add(point{X: float64(best), Y: v, Style: g})
		bestText = fmt.Sprintf(", best epoch %d (%s loss %s)", best, what, fmtG(v))
		fig.Legend = append(fig.Legend, LegendEntry{
			Label: fmt.Sprintf("best: epoch %d (%s %s)", best, what, fmtG(v)),
			Thumb: glyphThumb{g},
		})
	}

	// Axis ranges: epochs from 0 (or 0.5) to the end; clip a huge start.
	p.X.Min, p.X.Max = 0, float64(epochs)
	if epochs == 1 {
		p.X.Min, p.X.Max = 0.5, 1.5
	}
	p.X.Tick.Marker = integerTicks{}
	tr := func(v float64) float64 { return v }
	inv := tr
	if logY {
		tr, inv = math.Log10, func(v float64) float64 { return math.Pow(10, v) }
	}
	ylo, yhi := tr(lo), tr(hi)
	// The first epochs of a flow are often far above the rest: the axis
	// shows the later ones and lets the early ones leave the top.
	skip := max(1, epochs/10)
	if epochs >= 8 {
		skip = max(skip, 2)
	}
	if epochs >= 4 {
		rest := math.Inf(-1)
		for e := skip; e < epochs; e++ {
			rest = math.Max(rest, tr(train[e]))
			if e < len(val) {
				rest = math.Max(rest, tr(val[e]))
			}
		}
		if rest > ylo && yhi-ylo > 3*(rest-ylo) {
			yhi = rest + 0.6*(rest-ylo)
		}
	}
	if yhi <= ylo {
		ylo, yhi = ylo-0.5, yhi+0.5
	}
	pad := 0.05 * (yhi - ylo)
	p.Y.Min, p.Y.Max = inv(ylo-pad), inv(yhi+pad)
	fig.Text = fmt.Sprintf("loss curve: %d epochs, last training loss %s", epochs, fmtG(train[epochs-1]))
	if len(val) > 0 {
		fig.Text += ", last validation loss " + fmtG(val[len(val)-1])
	}
	fig.Text += bestText
	fig.Width, fig.Height = DefaultWidth, DefaultHeight
	return fig, nil
}

// glyphs draws markers at points without changing the axes' padding.
type glyphs struct {
	xy    plotter.XYs
	style draw.GlyphStyle
}

func (g glyphs) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, v := range g.xy {
		pt := vg.Point{X: trX(v.X), Y: trY(v.Y)}
		if c.Contains(pt) {
			c.DrawGlyph(g.style, pt)
		}
	}
}

// lineGlyphThumb is a legend thumbnail of a line with an optional marker.
type lineGlyphThumb struct {
	line  draw.LineStyle
	glyph draw.GlyphStyle
	mark  bool
}

func (t lineGlyphThumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(t.line, c.Min.X, y, c.Max.X, y)
	if t.mark {
		c.DrawGlyph(t.glyph, c.Center())
	}
}

// integerTicks labels integers only (epochs), at a nice spacing.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	ts := fewTicks{}.Ticks(min, max)
	out := ts[:0]
	for _, t := range ts {
		if t.Value == math.Trunc(t.Value) {
			if t.Label != "" {
				t.Label = fmt.Sprint(int(t.Value))
			}
			out = append(out, t)
		}
	}
	return out
}

// decimate keeps at most about n points of a long line by averaging
// consecutive runs, so a curve of 10^5 steps draws quickly.
func decimate(xy plotter.XYs, n int) plotter.XYs {
	if len(xy) <= n {
		return xy
	}
	k := (len(xy) + n - 1) / n
	out := make(plotter.XYs, 0, len(xy)/k+1)
	for i := 0; i < len(xy); i += k {
		j := min(i+k, len(xy))
		var sx, sy float64
		for _, v := range xy[i:j] {
			sx += v.X
			sy += v.Y
		}
		out = append(out, plotter.XY{X: sx / float64(j-i), Y: sy / float64(j-i)})
	}
	return out
}
