// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"image"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours shared by the figures.
var (
	truthColor = color.NRGBA{R: 213, G: 94, B: 0, A: 255} // vermillion
	darkBlue   = color.NRGBA{R: 8, G: 48, B: 107, A: 255}
	lightBlue  = color.NRGBA{R: 198, G: 219, B: 239, A: 255}
	shadeBlue  = color.NRGBA{R: 107, G: 174, B: 214, A: 140}
	grey       = color.NRGBA{R: 110, G: 110, B: 110, A: 255}
	bandGrey   = color.NRGBA{R: 150, G: 150, B: 150, A: 90}
	colorBlack = color.NRGBA{A: 255}
)

// NewPanel returns an empty plot in the style of this package's figures:
// axes flush with the data area (which Figure.Draw frames), 4–6 ticks
// labelled with a common number of decimals, moderate fonts and no
// background (Render paints the page white). Put it in a Figure to draw it.
func NewPanel() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil // Render paints the page; tiles must not hide their neighbours' labels
	p.Title.TextStyle.Font = font.From(plot.DefaultFont, panelSize)
	p.Title.Padding = 4
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Padding = 0
		a.Label.TextStyle.Font = font.From(plot.DefaultFont, labelSize)
		a.Label.Padding = 3
		a.Tick.Label.Font = font.From(plot.DefaultFont, tickSize)
		a.Tick.Length = 3.5
		a.LineStyle.Width = 0.7
		a.Tick.LineStyle.Width = 0.7
	}
	p.X.Tick.Marker = fewTicks{n: 6}
	p.Y.Tick.Marker = fewTicks{n: 5}
	return p
}

// drawFrame outlines the data area c.
func drawFrame(c draw.Canvas) {
	r := c.Rectangle
	c.StrokeLines(draw.LineStyle{Color: color.Black, Width: 0.7}, []vg.Point{
		r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min,
	})
}

// noLabels is a ticker that keeps the tick marks of another ticker but
// drops their labels, for inner panels of a grid.
type noLabels struct{ plot.Ticker }

func (t noLabels) Ticks(min, max float64) []plot.Tick {
	ts := t.Ticker.Ticks(min, max)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// fewTicks places about n major ticks (n = 0 means 5) at multiples of
// 1, 2 or 5 times a power of ten, with minor ticks between them, and
// labels the majors with a common number of decimals (enough to tell them
// apart).
type fewTicks struct{ n int }

func (t fewTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) {
		return nil
	}
	n := t.n
	if n <= 0 {
		n = 5
	}
	raw := (max - min) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, sub := 10*mag, 5
	for _, c := range []struct {
		f   float64
		sub int
	}{{1, 5}, {2, 4}, {5, 5}} {
		if c.f*mag >= raw*0.7 {
			step, sub = c.f*mag, c.sub
			break
		}
	}
	var major []float64
	var ts []plot.Tick
	minor := step / float64(sub)
	first := math.Ceil(min/minor-1e-9) * minor
	for k := 0; ; k++ {
		v := first + float64(k)*minor
		if v > max+1e-9*step {
			break
		}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			v = math.Round(r) * step
			major = append(major, v)
			ts = append(ts, plot.Tick{Value: v, Label: "x"})
		} else {
			ts = append(ts, plot.Tick{Value: v})
		}
	}
	if len(major) < 2 {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	labels := tickLabels(major)
	k := 0
	for i := range ts {
		if ts[i].IsMinor() {
			continue
		}
		ts[i].Label = labels[k]
		k++
	}
	return ts
}

// tickLabels formats evenly spaced values with the fewest decimals that
// represent them exactly enough and tell them apart.
func tickLabels(vs []float64) []string {
	out := make([]string, len(vs))
	if len(vs) == 0 {
		return out
	}
	step := math.Inf(1)
	big := 0.0
	for i, v := range vs {
		if i > 0 {
			step = math.Min(step, math.Abs(v-vs[i-1]))
		}
		big = math.Max(big, math.Abs(v))
	}
	if math.IsInf(step, 1) {
		step = math.Max(big, 1)
	}
	if big >= 1e6 || (big < 1e-3 && big > 0) {
		for i, v := range vs {
			out[i] = strconv.FormatFloat(v, 'g', 3, 64)
		}
		return out
	}
	for d := 0; d <= 8; d++ {
		ok := true
		for i, v := range vs {
			out[i] = strconv.FormatFloat(v, 'f', d, 64)
			if strings.TrimLeft(out[i], "-0.") == "" {
				out[i] = strconv.FormatFloat(0, 'f', d, 64) // no "-0"
			}
			back, _ := strconv.ParseFloat(out[i], 64)
			if math.Abs(back-v) > 1e-6*step {
				ok = false
			}
		}
		if ok {
			break
		}
	}
	for i := range out {
		out[i] = strings.Replace(out[i], "-", "−", 1)
	}
	return out
}

// lineStyle returns a solid or dashed line style.
func lineStyle(c color.Color, w vg.Length, dashes ...vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: w, Dashes: dashes}
}

// vline is a plotter drawing a vertical line at X over the full data area.
type vline struct {
	X     float64
	Style draw.LineStyle
}

func (l vline) Plot(c draw.Canvas, p *plot.Plot) {
	if l.X < p.X.Min || l.X > p.X.Max {
		return
	}
	trX, _ := p.Transforms(&c)
	x := trX(l.X)
	c.StrokeLine2(l.Style, x, c.Min.Y, x, c.Max.Y)
}

func (l vline) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(l.Style, c.Min.X, y, c.Max.X, y)
}

// hline is a plotter drawing a horizontal line at Y over the full data area.
type hline struct {
	Y     float64
	Style draw.LineStyle
}

func (l hline) Plot(c draw.Canvas, p *plot.Plot) {
	if l.Y < p.Y.Min || l.Y > p.Y.Max {
		return
	}
	_, trY := p.Transforms(&c)
	y := trY(l.Y)
	c.StrokeLine2(l.Style, c.Min.X, y, c.Max.X, y)
}

func (l hline) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(l.Style, c.Min.X, y, c.Max.X, y)
}

// fillThumb is a legend thumbnail of a filled box.
type fillThumb struct {
	Color color.Color
	Line  draw.LineStyle
}

func (f fillThumb) Thumbnail(c *draw.Canvas) {
	r := vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: c.Min.Y + 1}, Max: vg.Point{X: c.Max.X, Y: c.Max.Y - 1}}
	c.SetColor(f.Color)
	c.Fill(r.Path())
	if f.Line.Width > 0 {
		c.StrokeLines(f.Line, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
	}
}

// glyphThumb is a legend thumbnail of a single glyph.
type glyphThumb struct{ Style draw.GlyphStyle }

func (g glyphThumb) Thumbnail(c *draw.Canvas) { c.DrawGlyph(g.Style, c.Center()) }

// raster draws a grid of nx × ny cells covering [x0, x1] × [y0, y1] with one
// colour per cell (row-major from the bottom left; zero alpha leaves the cell
// blank). It is drawn as an image at the resolution of the output canvas,
// so cells have crisp edges, and it honours non-linear and inverted axes.
type raster struct {
	nx, ny         int
	x0, x1, y0, y1 float64
	col            []color.NRGBA
}

func (r *raster) DataRange() (xmin, xmax, ymin, ymax float64) {
	return r.x0, r.x1, r.y0, r.y1
}

func (r *raster) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	dpi := canvasDPI(c)
	dots := func(l vg.Length) float64 { return l.Points() / 72 * dpi }
	ex := make([]float64, r.nx+1)
	for i := range ex {
		ex[i] = dots(trX(r.x0 + (r.x1-r.x0)*float64(i)/float64(r.nx)))
	}
	ey := make([]float64, r.ny+1)
	for j := range ey {
		ey[j] = dots(trY(r.y0 + (r.y1-r.y0)*float64(j)/float64(r.ny)))
	}
	// Pixel rectangle of the visible part of the grid.
	cx0, cx1 := dots(c.Min.X), dots(c.Max.X)
	cy0, cy1 := dots(c.Min.Y), dots(c.Max.Y)
	gx0, gx1 := math.Max(cx0, math.Min(ex[0], ex[r.nx])), math.Min(cx1, math.Max(ex[0], ex[r.nx]))
	gy0, gy1 := math.Max(cy0, math.Min(ey[0], ey[r.ny])), math.Min(cy1, math.Max(ey[0], ey[r.ny]))
	px0, px1 := int(math.Floor(gx0)), int(math.Ceil(gx1))
	py0, py1 := int(math.Floor(gy0)), int(math.Ceil(gy1))
	w, h := px1-px0, py1-py0
	if w <= 0 || h <= 0 {
		return
	}
	colIdx := cellIndex(ex, px0, w)
	rowIdx := cellIndex(ey, py0, h)
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for py := range h {
		j := rowIdx[py]
		if j < 0 {
			continue
		}
		imgRow := h - 1 - py // image rows run downwards
		for px := range w {
			i := colIdx[px]
			if i < 0 {
				continue
			}
			cl := r.col[j*r.nx+i]
			if cl.A == 0 {
				continue
			}
			img.SetNRGBA(px, imgRow, cl)
		}
	}
	toLen := func(d int) vg.Length { return vg.Points(float64(d) * 72 / dpi) }
	c.DrawImage(vg.Rectangle{
		Min: vg.Point{X: toLen(px0), Y: toLen(py0)},
		Max: vg.Point{X: toLen(px1), Y: toLen(py1)},
	}, img)
}

// cellIndex maps the n pixels starting at p0 to the cell whose edges (in
// dots, monotone in either direction) contain the pixel centre, or -1.
func cellIndex(edges []float64, p0, n int) []int {
	idx := make([]int, n)
	inc := edges[len(edges)-1] >= edges[0]
	for k := range n {
		v := float64(p0+k) + 0.5
		var i int
		if inc {
			i = sort.SearchFloat64s(edges, v) - 1
			if i < 0 && v == edges[0] {
				i = 0
			}
		} else {
			i = sort.Search(len(edges), func(m int) bool { return edges[m] < v }) - 1
		}
		if i < 0 || i >= len(edges)-1 {
			i = -1
		}
		idx[k] = i
	}
	return idx
}

// gridXYZ adapts a row-major grid of cell values to plotter.GridXYZ, with
// coordinates at cell centres.
type gridXYZ struct {
	nx, ny         int
	x0, x1, y0, y1 float64
	z              []float64
}

func (g gridXYZ) Dims() (c, r int)   { return g.nx, g.ny }
func (g gridXYZ) Z(c, r int) float64 { return g.z[r*g.nx+c] }
func (g gridXYZ) X(c int) float64 {
	return g.x0 + (float64(c)+0.5)*(g.x1-g.x0)/float64(g.nx)
}
func (g gridXYZ) Y(r int) float64 {
	return g.y0 + (float64(r)+0.5)*(g.y1-g.y0)/float64(g.ny)
}

var _ plotter.GridXYZ = gridXYZ{}

// contourPlotter wraps plotter.Contour without its glyph boxes and data
// range, so contours never change the axes set by the caller.
type contourPlotter struct{ c *plotter.Contour }

func (c contourPlotter) Plot(dc draw.Canvas, p *plot.Plot) { c.c.Plot(dc, p) }

// stepLine returns the outline of a histogram with the given bin counts
// over [lo, hi] as a plotter.XYs, starting and ending at zero.
func stepLine(h []float64, lo, hi float64) plotter.XYs {
	n := len(h)
	w := (hi - lo) / float64(n)
	xy := make(plotter.XYs, 0, 2*n+2)
	xy = append(xy, plotter.XY{X: lo, Y: 0})
	for i, v := range h {
		xy = append(xy, plotter.XY{X: lo + float64(i)*w, Y: v}, plotter.XY{X: lo + float64(i+1)*w, Y: v})
	}
	xy = append(xy, plotter.XY{X: hi, Y: 0})
	return xy
}

// filled is a plotter that fills the polygon under a step line between
// x = from and x = to.
type filled struct {
	h        []float64
	lo, hi   float64
	from, to float64
	color    color.Color
}

func (f filled) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(f.h)
	w := (f.hi - f.lo) / float64(n)
	a, b := math.Max(f.from, f.lo), math.Min(f.to, f.hi)
	if !(b > a) {
		return
	}
	var pa vg.Path
	pa.Move(vg.Point{X: trX(a), Y: trY(0)})
	for i, v := range f.h {
		l, r := f.lo+float64(i)*w, f.lo+float64(i+1)*w
		l, r = math.Max(l, a), math.Min(r, b)
		if r <= l {
			continue
		}
		pa.Line(vg.Point{X: trX(l), Y: trY(v)})
		pa.Line(vg.Point{X: trX(r), Y: trY(v)})
	}
	pa.Line(vg.Point{X: trX(b), Y: trY(0)})
	pa.Close()
	c.SetColor(f.color)
	c.Fill(pa)
}
