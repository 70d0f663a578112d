// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Default logical size of a single-panel figure and the logical resolution
// at which a notebook displays it.
const (
	DefaultWidth  = 6 * vg.Inch
	DefaultHeight = 4 * vg.Inch
	DefaultDPI    = 96
)

// Drawer is anything that draws itself onto a canvas: a *plot.Plot or a
// *Figure.
type Drawer interface {
	Draw(draw.Canvas)
}

// Figure is a grid of aligned panels with an optional title, a legend strip
// under the title and a colour bar on the right. Every constructor in this
// package returns a *Figure; its fields may be adjusted before rendering.
type Figure struct {
	// Title is drawn centred above everything else.
	Title string

	// Legend entries are drawn in one centred row under the title.
	Legend []LegendEntry

	// Panels holds the rows of panels; nil entries are left blank.
	// All rows have the same length.
	Panels [][]*plot.Plot

	// PadX and PadY are the gaps between columns and rows of panels.
	PadX, PadY vg.Length

	// ColorBar, if not nil, is drawn to the right of the panels, spanning
	// the data area of the panel grid.
	ColorBar *ColorBar

	// Width and Height are the preferred logical size used by Render when
	// it is given zero sizes.
	Width, Height vg.Length

	// Text describes the figure in plain text (what it shows and its key
	// numbers), for the text/plain alternative of a notebook display.
	Text string
}

// LegendEntry is one entry of a Figure's legend strip.
type LegendEntry struct {
	Label string
	Thumb plot.Thumbnailer
}

// Size returns the preferred logical size of f.
func (f *Figure) Size() (w, h vg.Length) {
	w, h = f.Width, f.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return w, h
}

// Draw draws the figure onto c.
func (f *Figure) Draw(c draw.Canvas) {
	pad := vg.Points(6)
	c = draw.Crop(c, pad, -pad, pad, -pad)
	if f.Title != "" {
		sty := textStyle(titleSize)
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, f.Title)
		c.Max.Y -= sty.Height(f.Title) + vg.Points(4)
	}
	if len(f.Legend) > 0 {
		c.Max.Y -= drawLegendStrip(c, f.Legend) + vg.Points(4)
	}
	main := c
	if f.ColorBar != nil {
		main.Max.X -= f.ColorBar.width() + vg.Points(10)
	}
	rows := len(f.Panels)
	if rows == 0 {
		return
	}
	cols := len(f.Panels[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: f.PadX, PadY: f.PadY}
	canvases := plot.Align(f.Panels, tiles, main)
	top, bottom := vg.Length(math.Inf(-1)), vg.Length(math.Inf(1))
	for j, row := range f.Panels {
		for i, p := range row {
			if p == nil {
				continue
			}
			// The title is laid out by plot.Align but drawn centred over
			// the data area rather than over the whole tile.
			title := p.Title.TextStyle.Color
			p.Title.TextStyle.Color = color.Transparent
			p.Draw(canvases[j][i])
			p.Title.TextStyle.Color = title
			dc := p.DataCanvas(canvases[j][i])
			drawFrame(dc)
			if p.Title.Text != "" {
				sty := p.Title.TextStyle
				sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
				c.FillText(sty, vg.Point{X: dc.Center().X, Y: canvases[j][i].Max.Y + sty.FontExtents().Descent}, p.Title.Text)
			}
			top = max(top, dc.Max.Y)
			bottom = min(bottom, dc.Min.Y)
		}
	}
	if f.ColorBar != nil && !math.IsInf(float64(top), 0) {
		cb := c
		cb.Min.X = c.Max.X - f.ColorBar.width()
		cb.Min.Y, cb.Max.Y = bottom, top
		f.ColorBar.Draw(cb)
	}
}

// drawLegendStrip draws the entries centred in rows at the top of c,
// wrapping when a row is full, and returns the height used.
func drawLegendStrip(c draw.Canvas, entries []LegendEntry) vg.Length {
	sty := textStyle(legendSize)
	sty.YAlign = draw.YCenter
	const thumbW, gap = vg.Length(18), vg.Length(4)
	h := sty.Height("Mg")
	width := func(e LegendEntry) vg.Length { return thumbW + gap + sty.Width(e.Label) }
	avail := c.Max.X - c.Min.X
	var rows [][]LegendEntry
	var rowW []vg.Length
	for _, e := range entries {
		w := width(e)
		if n := len(rows); n > 0 && rowW[n-1]+3*gap+w <= avail {
			rows[n-1] = append(rows[n-1], e)
			rowW[n-1] += 3*gap + w
			continue
		}
		rows = append(rows, []LegendEntry{e})
		rowW = append(rowW, w)
	}
	yc := c.Max.Y - h/2
	for r, row := range rows {
		x := c.Center().X - rowW[r]/2
		for _, e := range row {
			tc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: yc - h/2 + 1},
				Max: vg.Point{X: x + thumbW, Y: yc + h/2 - 1},
			}}
			if e.Thumb != nil {
				e.Thumb.Thumbnail(&tc)
			}
			x += thumbW + gap
			c.FillText(sty, vg.Point{X: x, Y: yc}, e.Label)
			x += sty.Width(e.Label) + 3*gap
		}
		yc -= h + 2
	}
	return vg.Length(len(rows))*(h+2) - 2
}

// Image is a rendered PNG figure. The PNG has twice the pixel size of the
// logical Width × Height, so a frontend that displays it at the logical size
// (metadata width/height in Jupyter) shows it sharply on hi-dpi screens.
type Image struct {
	PNG []byte

	// Width and Height are the logical size in pixels.
	Width, Height int
}

// WriteTo writes the PNG bytes to w.
func (im *Image) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(im.PNG)
	return int64(n), err
}

// Render draws d on a white canvas of the given logical size at twice the
// logical dpi and encodes it as a PNG. Zero width and height take the
// preferred size of d (if it has a Size method) or DefaultWidth ×
// DefaultHeight; when only one of them is zero it keeps the preferred
// aspect ratio. A zero dpi means DefaultDPI. Panics raised while drawing
// (gonum/plot panics on some degenerate inputs) are returned as errors.
func Render(d Drawer, width, height vg.Length, dpi float64) (img *Image, err error) {
	if d == nil {
		return nil, fmt.Errorf("figure: render: nil figure")
	}
	if width <= 0 || height <= 0 {
		w, h := DefaultWidth, DefaultHeight
		if s, ok := d.(interface{ Size() (vg.Length, vg.Length) }); ok {
			w, h = s.Size()
		}
		switch {
		case width <= 0 && height <= 0:
			width, height = w, h
		case width <= 0:
			width = height * w / h
		default:
			height = width * h / w
		}
	}
	if dpi == 0 {
		dpi = DefaultDPI
	}
	if math.IsNaN(dpi) || dpi < 10 || dpi > 1200 {
		return nil, fmt.Errorf("figure: render: dpi %v out of range [10, 1200]", dpi)
	}
	lw := int(math.Round(width.Points() / 72 * dpi))
	lh := int(math.Round(height.Points() / 72 * dpi))
	if lw < 16 || lh < 16 || lw > 4000 || lh > 4000 {
		return nil, fmt.Errorf("figure: render: logical size %d×%d px out of range [16, 4000]", lw, lh)
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("figure: render: %v", r)
		}
	}()
	c := vgimg.NewWith(
		vgimg.UseWH(width, height),
		vgimg.UseDPI(int(math.Round(2*dpi))),
		vgimg.UseBackgroundColor(color.White),
	)
	d.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("figure: render: %w", err)
	}
	return &Image{PNG: buf.Bytes(), Width: lw, Height: lh}, nil
}

// Font sizes in points.
const (
	titleSize  = 12
	panelSize  = 10.5
	labelSize  = 10.5
	tickSize   = 9
	legendSize = 9.5
)

func textStyle(size vg.Length) draw.TextStyle {
	return draw.TextStyle{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, size),
		Handler: plot.DefaultTextHandler,
	}
}
