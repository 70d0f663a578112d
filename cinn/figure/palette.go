// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sequential is a palette.ColorMap that interpolates linearly in sRGB
// between evenly spaced control colours. The zero value is not usable; use
// NewSequential, Viridis or Blues.
type Sequential struct {
	ctrl     []color.NRGBA
	min, max float64
	alpha    float64
}

var _ palette.ColorMap = (*Sequential)(nil)

// NewSequential returns a colour map over [0, 1] through the given control
// colours, which must number at least two.
func NewSequential(ctrl ...color.Color) *Sequential {
	if len(ctrl) < 2 {
		panic("figure: NewSequential needs at least two colours")
	}
	s := &Sequential{min: 0, max: 1, alpha: 1}
	for _, c := range ctrl {
		s.ctrl = append(s.ctrl, color.NRGBAModel.Convert(c).(color.NRGBA))
	}
	return s
}

// Viridis returns the perceptually uniform, colour-blind friendly viridis
// colour map of matplotlib over [0, 1].
func Viridis() *Sequential {
	s := &Sequential{min: 0, max: 1, alpha: 1, ctrl: make([]color.NRGBA, len(viridisData))}
	for i, c := range viridisData {
		s.ctrl[i] = color.NRGBA{R: c[0], G: c[1], B: c[2], A: 255}
	}
	return s
}

// Blues returns a white to dark blue colour map over [0, 1], suited to
// densities drawn under contours (white means empty).
func Blues() *Sequential {
	return NewSequential(
		color.NRGBA{R: 255, G: 255, B: 255, A: 255},
		color.NRGBA{R: 198, G: 219, B: 239, A: 255},
		color.NRGBA{R: 107, G: 174, B: 214, A: 255},
		color.NRGBA{R: 33, G: 113, B: 181, A: 255},
		color.NRGBA{R: 8, G: 48, B: 107, A: 255},
	)
}

// At returns the colour of v. Values outside [Min, Max] return
// palette.ErrUnderflow or palette.ErrOverflow, NaN palette.ErrNaN.
func (s *Sequential) At(v float64) (color.Color, error) {
	switch {
	case math.IsNaN(v):
		return nil, palette.ErrNaN
	case v < s.min:
		return nil, palette.ErrUnderflow
	case v > s.max:
		return nil, palette.ErrOverflow
	}
	return s.at(v), nil
}

// at returns the colour of v, clamping it to the range.
func (s *Sequential) at(v float64) color.NRGBA {
	t := 0.0
	if s.max > s.min {
		t = (v - s.min) / (s.max - s.min)
	}
	t = math.Min(1, math.Max(0, t))
	f := t * float64(len(s.ctrl)-1)
	i := int(f)
	if i >= len(s.ctrl)-1 {
		i = len(s.ctrl) - 2
	}
	w := f - float64(i)
	a, b := s.ctrl[i], s.ctrl[i+1]
	lerp := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-w) + float64(y)*w)) }
	return color.NRGBA{R: lerp(a.R, b.R), G: lerp(a.G, b.G), B: lerp(a.B, b.B), A: uint8(math.Round(255 * s.alpha))}
}

// Max returns the upper end of the range.
func (s *Sequential) Max() float64 { return s.max }

// Min returns the lower end of the range.
func (s *Sequential) Min() float64 { return s.min }

// SetMax sets the upper end of the range.
func (s *Sequential) SetMax(v float64) { s.max = v }

// SetMin sets the lower end of the range.
func (s *Sequential) SetMin(v float64) { s.min = v }

// Alpha returns the opacity.
func (s *Sequential) Alpha() float64 { return s.alpha }

// SetAlpha sets the opacity; it panics unless 0 ≤ alpha ≤ 1.
func (s *Sequential) SetAlpha(alpha float64) {
	if !(alpha >= 0 && alpha <= 1) {
		panic(fmt.Sprintf("figure: alpha %v not in [0, 1]", alpha))
	}
	s.alpha = alpha
}

// Palette returns n colours evenly spaced over the map.
func (s *Sequential) Palette(n int) palette.Palette {
	cols := make(paletteColors, n)
	for i := range cols {
		t := 0.0
		if n > 1 {
			t = float64(i) / float64(n-1)
		}
		cols[i] = s.at(s.min + t*(s.max-s.min))
	}
	return cols
}

type paletteColors []color.Color

func (p paletteColors) Colors() []color.Color { return p }

// Categorical colours (Okabe & Ito 2008, colour-blind safe) used for lines
// that distinguish parameters.
var categorical = []color.Color{
	color.NRGBA{R: 0, G: 114, B: 178, A: 255},   // blue
	color.NRGBA{R: 213, G: 94, B: 0, A: 255},    // vermillion
	color.NRGBA{R: 0, G: 158, B: 115, A: 255},   // bluish green
	color.NRGBA{R: 204, G: 121, B: 167, A: 255}, // reddish purple
	color.NRGBA{R: 230, G: 159, B: 0, A: 255},   // orange
	color.NRGBA{R: 86, G: 180, B: 233, A: 255},  // sky blue
	color.NRGBA{R: 0, G: 0, B: 0, A: 255},       // black
	color.NRGBA{R: 240, G: 228, B: 66, A: 255},  // yellow
}

// Category returns the i-th categorical colour, cycling.
func Category(i int) color.Color { return categorical[i%len(categorical)] }

// ColorBar draws a vertical colour bar with its tick labels and axis label
// to the right of the bar.
type ColorBar struct {
	ColorMap palette.ColorMap

	// Label is drawn rotated to the right of the tick labels.
	Label string

	// Ticker chooses the ticks; nil means plot.DefaultTicks.
	Ticker plot.Ticker

	// BarWidth is the width of the coloured bar; zero means 10 points.
	BarWidth vg.Length
}

func (cb *ColorBar) barWidth() vg.Length {
	if cb.BarWidth > 0 {
		return cb.BarWidth
	}
	return 10
}

func (cb *ColorBar) ticks() []plot.Tick {
	t := cb.Ticker
	if t == nil {
		t = plot.DefaultTicks{}
	}
	var out []plot.Tick
	lo, hi := cb.ColorMap.Min(), cb.ColorMap.Max()
	if !(hi > lo) {
		return nil
	}
	eps := 1e-9 * (hi - lo)
	for _, tk := range t.Ticks(lo, hi) {
		if tk.Value >= lo-eps && tk.Value <= hi+eps {
			out = append(out, tk)
		}
	}
	return out
}

// width returns the total width of the bar, ticks and labels.
func (cb *ColorBar) width() vg.Length {
	sty := textStyle(tickSize)
	var wl vg.Length
	for _, t := range cb.ticks() {
		wl = max(wl, sty.Width(t.Label))
	}
	w := cb.barWidth() + 3 + 3 + wl
	if cb.Label != "" {
		w += 5 + textStyle(labelSize).Height(cb.Label)
	}
	return w
}

// Draw draws the colour bar into c: the bar along the left edge of c over
// its full height, then ticks, tick labels and the label.
func (cb *ColorBar) Draw(c draw.Canvas) {
	lo, hi := cb.ColorMap.Min(), cb.ColorMap.Max()
	if !(hi > lo) {
		return
	}
	bw := cb.barWidth()
	x0, x1 := c.Min.X, c.Min.X+bw
	y0, y1 := c.Min.Y, c.Max.Y
	dpi := canvasDPI(c)
	npx := max(2, int(math.Ceil((y1-y0).Points()/72*dpi)))
	img := image.NewNRGBA(image.Rect(0, 0, 1, npx))
	for py := range npx {
		v := hi - (float64(py)+0.5)/float64(npx)*(hi-lo)
		col, err := cb.ColorMap.At(v)
		if err != nil {
			continue
		}
		img.Set(0, py, col)
	}
	c.DrawImage(vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}, img)
	line := draw.LineStyle{Color: color.Black, Width: 0.6}
	c.StrokeLines(line, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
	sty := textStyle(tickSize)
	sty.YAlign = draw.YCenter
	var wl vg.Length
	for _, t := range cb.ticks() {
		y := y0 + vg.Length((t.Value-lo)/(hi-lo))*(y1-y0)
		l := vg.Length(2.5)
		if t.IsMinor() {
			l = 1.5
		}
		c.StrokeLine2(line, x1, y, x1+l, y)
		if !t.IsMinor() {
			c.FillText(sty, vg.Point{X: x1 + 3 + 3, Y: y}, t.Label)
			wl = max(wl, sty.Width(t.Label))
		}
	}
	if cb.Label != "" {
		ls := textStyle(labelSize)
		ls.Rotation = -math.Pi / 2
		ls.XAlign = draw.XCenter
		ls.YAlign = draw.YBottom
		c.FillText(ls, vg.Point{X: x1 + 6 + wl + 5, Y: (y0 + y1) / 2}, cb.Label)
	}
}

// canvasDPI returns the resolution of the canvas underlying c, or 144 for
// vector canvases.
func canvasDPI(c draw.Canvas) float64 {
	if d, ok := c.Canvas.(interface{ DPI() float64 }); ok && d.DPI() > 0 {
		return d.DPI()
	}
	return 144
}

// PowerTicks labels the integer values of a log10 axis as powers of ten
// (1, 10, 100, 10³, …), with minor ticks at 2…9 times a power; over less
// than 2.5 decades 2 and 5 times the powers are labelled too.
type PowerTicks struct{}

// Ticks implements plot.Ticker for values that are log10 of the quantity.
func (PowerTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	few := max-min < 2.5 // label 2 and 5 times the powers as well
	for k := math.Floor(min); k <= math.Ceil(max); k++ {
		if k >= min-1e-9 && k <= max+1e-9 {
			ticks = append(ticks, plot.Tick{Value: k, Label: powerLabel(int(k))})
		}
		for m := 2; m <= 9; m++ {
			v := k + math.Log10(float64(m))
			if v >= min && v <= max {
				t := plot.Tick{Value: v}
				if few && (m == 2 || m == 5) && k >= 0 && k <= 3 {
					t.Label = fmt.Sprint(m * int(math.Pow(10, k)))
				}
				ticks = append(ticks, t)
			}
		}
	}
	if len(ticks) == 0 || countMajor(ticks) < 2 {
		// Narrow range: label plain values.
		for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
			if t.Label != "" {
				t.Label = trimFloat(math.Pow(10, t.Value))
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

func countMajor(ts []plot.Tick) int {
	n := 0
	for _, t := range ts {
		if !t.IsMinor() {
			n++
		}
	}
	return n
}

func powerLabel(k int) string {
	switch {
	case k >= 0 && k <= 3:
		return fmt.Sprint(int(math.Pow(10, float64(k))))
	case k == -1:
		return "0.1"
	case k == -2:
		return "0.01"
	}
	return "10" + superscript(k)
}

func superscript(k int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	s := ""
	if k < 0 {
		s = "⁻"
		k = -k
	}
	for _, d := range fmt.Sprint(k) {
		s += string(sup[d-'0'])
	}
	return s
}

func trimFloat(v float64) string {
	return fmt.Sprintf("%.3g", v)
}
