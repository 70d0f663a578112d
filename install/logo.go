package install

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
)

// The logo: a pale "c" (for conditional) opening to the right around an
// orange four-pointed star, on a navy rounded square. The same geometry,
// in units of the logo's side, drives the PNG rasteriser and the SVG.
const (
	logoCorner    = 0.2  // corner radius of the square
	ringRadius    = 0.31 // centre line of the "c"
	ringWidth     = 0.09
	ringGap       = 40.0 // half-opening of the "c", in degrees either side of +x
	starOuter     = 0.17
	starInner     = 0.05
	logoSuperSamp = 4 // samples per pixel side
)

var (
	bgTop    = color.NRGBA{0x1d, 0x3b, 0x6e, 0xff}
	bgBottom = color.NRGBA{0x0b, 0x1f, 0x3a, 0xff}
	ringCol  = color.NRGBA{0xf4, 0xf1, 0xe8, 0xff}
	starCol  = color.NRGBA{0xff, 0xb3, 0x47, 0xff}
)

// starPoints returns the vertices of the star, centred at (0.5, 0.5), in
// units of the side, pointing up, right, down and left.
func starPoints() [][2]float64 {
	pts := make([][2]float64, 8)
	for i := range pts {
		r := starOuter
		if i%2 == 1 {
			r = starInner
		}
		a := float64(i) * math.Pi / 4
		pts[i] = [2]float64{0.5 + r*math.Sin(a), 0.5 - r*math.Cos(a)}
	}
	return pts
}

// LogoPNG returns the logo as a size×size PNG. The image is the same for
// the same size, byte for byte.
func LogoPNG(size int) []byte {
	if size <= 0 {
		panic(fmt.Sprintf("install: logo size %d is not positive", size))
	}
	star := starPoints()
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const n = logoSuperSamp
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			// Average the colour of the covered sub-samples; coverage is alpha.
			var r, g, b, a float64
			for sy := 0; sy < n; sy++ {
				for sx := 0; sx < n; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/n) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/n) / float64(size)
					c, ok := logoAt(x, y, star)
					if !ok {
						continue
					}
					r += float64(c.R)
					g += float64(c.G)
					b += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(b / a)),
				A: uint8(math.Round(255 * a / (n * n))),
			})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("install: encoding the logo: " + err.Error()) // cannot happen with a bytes.Buffer
	}
	return buf.Bytes()
}

// logoAt returns the colour of the logo at (x, y) in units of the side, and
// false outside the rounded square.
func logoAt(x, y float64, star [][2]float64) (color.NRGBA, bool) {
	if !inRoundedSquare(x, y) {
		return color.NRGBA{}, false
	}
	if inPolygon(x, y, star) {
		return starCol, true
	}
	dx, dy := x-0.5, y-0.5
	d := math.Hypot(dx, dy)
	angle := math.Abs(math.Atan2(dy, dx)) * 180 / math.Pi
	if math.Abs(d-ringRadius) <= ringWidth/2 && angle >= ringGap {
		return ringCol, true
	}
	return lerp(bgTop, bgBottom, y), true
}

func inRoundedSquare(x, y float64) bool {
	if x < 0 || x > 1 || y < 0 || y > 1 {
		return false
	}
	cx := math.Min(math.Max(x, logoCorner), 1-logoCorner)
	cy := math.Min(math.Max(y, logoCorner), 1-logoCorner)
	return math.Hypot(x-cx, y-cy) <= logoCorner
}

// inPolygon is the even-odd ray-crossing test.
func inPolygon(x, y float64, pts [][2]float64) bool {
	in := false
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		xi, yi := pts[i][0], pts[i][1]
		xj, yj := pts[j][0], pts[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

func lerp(a, b color.NRGBA, t float64) color.NRGBA {
	f := func(u, v uint8) uint8 { return uint8(math.Round(float64(u) + t*(float64(v)-float64(u)))) }
	return color.NRGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 0xff}
}

// LogoSVG returns the logo as a scalable SVG with a 64×64 view box.
func LogoSVG() []byte {
	const s = 64.0
	hex := func(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	num := func(v float64) string {
		t := strings.TrimRight(fmt.Sprintf("%.3f", v*s), "0")
		return strings.TrimSuffix(t, ".")
	}
	gap := ringGap * math.Pi / 180
	x0 := 0.5 + ringRadius*math.Cos(gap)
	yLow, yHigh := 0.5+ringRadius*math.Sin(gap), 0.5-ringRadius*math.Sin(gap)
	var pts []string
	for _, p := range starPoints() {
		pts = append(pts, num(p[0])+","+num(p[1]))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">`+"\n")
	fmt.Fprintf(&b, `  <title>gocinn</title>`+"\n")
	fmt.Fprintf(&b, `  <defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">`+
		`<stop offset="0" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient></defs>`+"\n",
		hex(bgTop), hex(bgBottom))
	fmt.Fprintf(&b, `  <rect width="64" height="64" rx="%s" fill="url(#bg)"/>`+"\n", num(logoCorner))
	fmt.Fprintf(&b, `  <path d="M%s %s A%s %s 0 1 1 %s %s" fill="none" stroke="%s" stroke-width="%s"/>`+"\n",
		num(x0), num(yLow), num(ringRadius), num(ringRadius), num(x0), num(yHigh), hex(ringCol), num(ringWidth))
	fmt.Fprintf(&b, `  <polygon points="%s" fill="%s"/>`+"\n", strings.Join(pts, " "), hex(starCol))
	b.WriteString("</svg>\n")
	return []byte(b.String())
}
