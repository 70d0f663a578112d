// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func TestRenderSize(t *testing.T) {
	p := NewPanel()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	f := &Figure{Panels: [][]*plot.Plot{{p}}, Width: 4 * vg.Inch, Height: 2 * vg.Inch}
	for _, tc := range []struct {
		name   string
		w, h   vg.Length
		dpi    float64
		lw, lh int
	}{
		{"preferred", 0, 0, 0, 384, 192},
		{"explicit", 6 * vg.Inch, 4 * vg.Inch, 96, 576, 384},
		{"width keeps aspect", 8 * vg.Inch, 0, 96, 768, 384},
		{"height keeps aspect", 0, 1 * vg.Inch, 72, 144, 72},
		{"dpi", 3 * vg.Inch, 3 * vg.Inch, 50, 150, 150},
	} {
		im, err := Render(f, tc.w, tc.h, tc.dpi)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if im.Width != tc.lw || im.Height != tc.lh {
			t.Errorf("%s: logical size %d×%d, want %d×%d", tc.name, im.Width, im.Height, tc.lw, tc.lh)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(im.PNG))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if cfg.Width != 2*tc.lw || cfg.Height != 2*tc.lh {
			t.Errorf("%s: PNG is %d×%d, want twice the logical %d×%d", tc.name, cfg.Width, cfg.Height, tc.lw, tc.lh)
		}
		var buf bytes.Buffer
		if n, err := im.WriteTo(&buf); err != nil || n != int64(len(im.PNG)) || !bytes.Equal(buf.Bytes(), im.PNG) {
			t.Errorf("%s: WriteTo wrote %d bytes, err %v", tc.name, n, err)
		}
	}
	// A bare *plot.Plot renders at the default size.
	im, err := Render(p, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if im.Width != 576 || im.Height != 384 {
		t.Errorf("plot default size %d×%d, want 576×384", im.Width, im.Height)
	}
}

func TestRenderErrors(t *testing.T) {
	p := NewPanel()
	for _, tc := range []struct {
		name string
		d    Drawer
		w, h vg.Length
		dpi  float64
		want string
	}{
		{"nil", nil, 0, 0, 0, "nil figure"},
		{"dpi", p, 0, 0, 5000, "dpi"},
		{"tiny", p, 1, 1, 96, "out of range"},
		{"huge", p, 1000 * vg.Inch, 1 * vg.Inch, 96, "out of range"},
		{"panic", panicker{}, 0, 0, 0, "boom"},
	} {
		_, err := Render(tc.d, tc.w, tc.h, tc.dpi)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

type panicker struct{}

func (panicker) Draw(draw.Canvas) { panic("boom") }

// TestInvalidInput checks that bad data returns descriptive errors that
// wrap the package's sentinels instead of panicking.
func TestInvalidInput(t *testing.T) {
	good := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 7})
	nan := mat.NewDense(3, 2, []float64{1, 2, 3, math.NaN(), 5, 7})
	inf := mat.NewDense(3, 2, []float64{1, 2, 3, 4, math.Inf(1), 7})
	q := []float64{0, 0.5, 1}
	for _, tc := range []struct {
		name string
		fn   func() (*Figure, error)
		is   error
		want string
	}{
		{"corner nil", func() (*Figure, error) { return Corner(nil, nil, nil, CornerOptions{}) }, ErrEmpty, "no samples"},
		{"corner one sample", func() (*Figure, error) { return Corner(mat.NewDense(1, 2, nil), nil, nil, CornerOptions{}) }, ErrEmpty, "at least 2"},
		{"corner NaN", func() (*Figure, error) { return Corner(nan, []string{"a", "b"}, nil, CornerOptions{}) }, plotter.ErrNaN, "column 1 (b): row 1"},
		{"corner Inf", func() (*Figure, error) { return Corner(inf, nil, nil, CornerOptions{}) }, plotter.ErrInfinity, "row 2"},
		{"corner names", func() (*Figure, error) { return Corner(good, []string{"a"}, nil, CornerOptions{}) }, ErrLength, "1 names for 2"},
		{"corner truth", func() (*Figure, error) { return Corner(good, nil, []float64{1}, CornerOptions{}) }, ErrLength, "1 true values"},
		{"corner truth Inf", func() (*Figure, error) {
			return Corner(good, nil, []float64{1, math.Inf(-1)}, CornerOptions{})
		}, plotter.ErrInfinity, "use NaN"},
		{"corner level", func() (*Figure, error) { return Corner(good, nil, nil, CornerOptions{Levels: []float64{1.5}}) }, nil, "contour level"},
		{"corner ranges", func() (*Figure, error) { return Corner(good, nil, nil, CornerOptions{Ranges: [][2]float64{{0, 1}}}) }, ErrLength, "ranges"},
		{"corner reference dims", func() (*Figure, error) {
			return Corner(good, nil, nil, CornerOptions{Reference: mat.NewDense(3, 3, nil)})
		}, ErrLength, "reference has 3 parameters"},
		{"corner reference NaN", func() (*Figure, error) { return Corner(good, nil, nil, CornerOptions{Reference: nan}) }, plotter.ErrNaN, "reference"},
		{"marginals NaN", func() (*Figure, error) { return Marginals(nan, nil, nil, MarginalsOptions{}) }, plotter.ErrNaN, "row 1"},
		{"loss empty", func() (*Figure, error) { return Loss(nil, nil, LossOptions{}) }, ErrEmpty, "%train"},
		{"loss val longer", func() (*Figure, error) { return Loss([]float64{1}, []float64{1, 2}, LossOptions{}) }, ErrLength, "2 validation losses for 1"},
		{"loss NaN", func() (*Figure, error) { return Loss([]float64{1, math.NaN()}, nil, LossOptions{}) }, plotter.ErrNaN, "diverged"},
		{"loss log", func() (*Figure, error) { return Loss([]float64{1, -1}, nil, LossOptions{Log: LogAlways}) }, nil, "positive"},
		{"loss best", func() (*Figure, error) { return Loss([]float64{1, 2}, nil, LossOptions{Best: 3}) }, nil, "best epoch 3"},
		{"calibration empty", func() (*Figure, error) { return Calibration(nil, nil, nil, CalibrationOptions{}) }, ErrEmpty, "%eval"},
		{"calibration length", func() (*Figure, error) {
			return Calibration(q, [][]float64{{0, 0}}, []string{"a"}, CalibrationOptions{})
		}, ErrLength, "parameter 0 (a) has 2 errors for 3 levels"},
		{"calibration order", func() (*Figure, error) {
			return Calibration([]float64{0, 0.6, 0.5}, [][]float64{{0, 0, 0}}, nil, CalibrationOptions{})
		}, nil, "must increase"},
		{"calibration NaN", func() (*Figure, error) {
			return Calibration(q, [][]float64{{0, math.NaN(), 0}}, nil, CalibrationOptions{})
		}, plotter.ErrNaN, "level 1"},
		{"calibration band length", func() (*Figure, error) {
			return Calibration(q, [][]float64{{0, 0, 0}}, nil, CalibrationOptions{BandLo: []float64{0, 0}, BandHi: []float64{0, 0}})
		}, ErrLength, "band of 2 lower and 2 upper values for 3 levels"},
		{"calibration band order", func() (*Figure, error) {
			return Calibration(q, [][]float64{{0, 0, 0}}, nil, CalibrationOptions{BandLo: []float64{0, 0.1, 0}, BandHi: []float64{0, 0, 0}})
		}, nil, "lower value 0.1 above its upper value 0"},
		{"calibration band NaN", func() (*Figure, error) {
			return Calibration(q, [][]float64{{0, 0, 0}}, nil, CalibrationOptions{BandLo: []float64{0, 0, 0}, BandHi: []float64{0, 0, math.Inf(1)}})
		}, plotter.ErrInfinity, "band"},
		{"truth empty", func() (*Figure, error) { return TruthVsMAP(nil, nil, nil, TruthOptions{}) }, ErrEmpty, "no test set"},
		{"truth params", func() (*Figure, error) { return TruthVsMAP([][]float64{{1}}, nil, nil, TruthOptions{}) }, ErrLength, "1 true and 0 predicted"},
		{"truth rows", func() (*Figure, error) {
			return TruthVsMAP([][]float64{{1, 2}}, [][]float64{{1}}, nil, TruthOptions{})
		}, ErrLength, "2 true and 1 predicted"},
		{"truth NaN", func() (*Figure, error) {
			return TruthVsMAP([][]float64{{1, 2}}, [][]float64{{1, math.NaN()}}, []string{"x"}, TruthOptions{})
		}, plotter.ErrNaN, "predicted x (parameter 0): row 1"},
		{"cmd empty", func() (*Figure, error) { return CMD(nil, nil, nil, CMDOptions{}) }, ErrEmpty, "no stars"},
		{"cmd length", func() (*Figure, error) { return CMD([]float64{1}, []float64{1, 2}, []float64{1}, CMDOptions{}) }, ErrLength, "2 magnitudes"},
		{"cmd NaN", func() (*Figure, error) {
			return CMD([]float64{1, 2}, []float64{1, math.NaN()}, []float64{1, 2}, CMDOptions{})
		}, plotter.ErrNaN, "magnitude: star 1"},
		{"hist2d empty", func() (*Figure, error) { return Hist2D(nil, nil, "", "", Hist2DOptions{}) }, ErrEmpty, "no points"},
		{"hist2d length", func() (*Figure, error) { return Hist2D([]float64{1}, []float64{1, 2}, "", "", Hist2DOptions{}) }, ErrLength, "1 x and 2 y"},
		{"hist2d Inf", func() (*Figure, error) {
			return Hist2D([]float64{1, math.Inf(-1)}, []float64{1, 2}, "", "", Hist2DOptions{})
		}, plotter.ErrInfinity, "zero or missing fluxes"},
		{"hist2d curve", func() (*Figure, error) {
			return Hist2D([]float64{1}, []float64{1}, "", "", Hist2DOptions{Curves: []Curve{{X: []float64{1}}}})
		}, ErrLength, "curve 0"},
		{"sbc empty", func() (*Figure, error) { return SBC(nil, 10, nil, SBCOptions{}) }, ErrEmpty, "no ranks"},
		{"sbc L", func() (*Figure, error) { return SBC([][]int{{0}}, 0, nil, SBCOptions{}) }, nil, "L = 0"},
		{"sbc rank", func() (*Figure, error) { return SBC([][]int{{0, 11}}, 10, []string{"a"}, SBCOptions{}) }, nil, "parameter 0 (a), simulation 1: rank 11"},
		{"sbc p-values", func() (*Figure, error) { return SBC([][]int{{0}}, 10, nil, SBCOptions{PValues: []float64{}}) }, ErrLength, "0 p-values"},
		{"marginals MAP", func() (*Figure, error) { return Marginals(good, nil, nil, MarginalsOptions{MAP: []float64{1}}) }, ErrLength, "1 MAP values"},
		{"cmd range", func() (*Figure, error) {
			return CMD([]float64{1}, []float64{1}, []float64{1}, CMDOptions{ValueRange: [2]float64{0, math.Inf(1)}})
		}, plotter.ErrInfinity, "ValueRange"},
		{"hist2d range", func() (*Figure, error) {
			return Hist2D([]float64{1}, []float64{1}, "", "", Hist2DOptions{YRange: [2]float64{math.NaN(), 1}})
		}, plotter.ErrInfinity, "YRange"},
		{"corner range", func() (*Figure, error) {
			return Corner(good, []string{"a", "b"}, nil, CornerOptions{Ranges: [][2]float64{{0, 1}, {0, math.Inf(1)}}})
		}, plotter.ErrInfinity, "parameter 1 (b)"},
		{"sbc coverage", func() (*Figure, error) { return SBC([][]int{{0}}, 10, nil, SBCOptions{Coverage: 2}) }, nil, "coverage"},
	} {
		f, err := tc.fn()
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if f != nil {
			t.Errorf("%s: figure returned with error", tc.name)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: error %q does not wrap %v", tc.name, err, tc.is)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not mention %q", tc.name, err, tc.want)
		}
		if !strings.HasPrefix(err.Error(), "figure: ") {
			t.Errorf("%s: error %q lacks the package prefix", tc.name, err)
		}
	}
}

// TestDegenerate renders figures of degenerate but valid data: constant
// samples, a single epoch, identical points.
func TestDegenerate(t *testing.T) {
	constant := mat.NewDense(50, 2, nil)
	for i := range 50 {
		constant.SetRow(i, []float64{3, float64(i % 2)})
	}
	for _, tc := range []struct {
		name string
		fn   func() (*Figure, error)
	}{
		{"corner constant", func() (*Figure, error) { return Corner(constant, nil, []float64{3, math.NaN()}, CornerOptions{}) }},
		{"marginals constant", func() (*Figure, error) { return Marginals(constant, nil, nil, MarginalsOptions{}) }},
		{"loss one epoch", func() (*Figure, error) { return Loss([]float64{2}, []float64{2.5}, LossOptions{}) }},
		{"loss log", func() (*Figure, error) { return Loss([]float64{100, 10, 1, 0.5}, nil, LossOptions{}) }},
		{"loss steps no val", func() (*Figure, error) {
			return Loss([]float64{3, 2}, nil, LossOptions{Steps: []float64{4, 3, 2, 2}, Best: -1})
		}},
		{"truth constant", func() (*Figure, error) {
			return TruthVsMAP([][]float64{{1, 1, 1}}, [][]float64{{1, 1, 1}}, nil, TruthOptions{})
		}},
		{"cmd one star", func() (*Figure, error) { return CMD([]float64{0.5}, []float64{10}, []float64{7}, CMDOptions{}) }},
		{"cmd binned constant", func() (*Figure, error) {
			return CMD([]float64{0.5, 0.5}, []float64{10, 11}, []float64{7, 7}, CMDOptions{ScatterLimit: -1})
		}},
		{"hist2d one point", func() (*Figure, error) {
			return Hist2D([]float64{1}, []float64{2}, "x", "y", Hist2DOptions{Linear: true})
		}},
		{"sbc L=1", func() (*Figure, error) { return SBC([][]int{{0, 1, 1}}, 1, nil, SBCOptions{}) }},
		{"sbc uneven bins", func() (*Figure, error) { return SBC([][]int{{0, 17, 100, 50}}, 100, nil, SBCOptions{Bins: 20}) }},
	} {
		f, err := tc.fn()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if _, err := Render(f, 0, 0, 48); err != nil {
			t.Errorf("%s: render: %v", tc.name, err)
		}
	}
}

func TestHDRLevels(t *testing.T) {
	// A 2-D standard normal on a fine grid: the 68% and 95% highest-density
	// regions are circles of radius √(-2 ln(1-p)), at density levels
	// exp(-r²/2) = 1-p relative to the peak.
	const n = 201
	z := make([]float64, n*n)
	for j := range n {
		for i := range n {
			x, y := -6+12*float64(i)/(n-1), -6+12*float64(j)/(n-1)
			z[j*n+i] = math.Exp(-(x*x + y*y) / 2)
		}
	}
	lv := hdrLevels(z, []float64{0.68, 0.95})
	for k, p := range []float64{0.68, 0.95} {
		if want := 1 - p; math.Abs(lv[k]-want) > 0.01 {
			t.Errorf("level %g: %v, want %v", p, lv[k], want)
		}
	}
}

func TestSmoothConservesMass(t *testing.T) {
	h := make([]float64, 20*20)
	h[10*20+10] = 100
	s := smooth2D(h, 20, 20, 1.5)
	var sum float64
	for _, v := range s {
		sum += v
	}
	peak := 100 / (2 * math.Pi * 1.5 * 1.5)
	if math.Abs(s[10*20+10]-peak)/peak > 0.02 {
		t.Errorf("smoothed peak %v, want about %v", s[10*20+10], peak)
	}
	if math.Abs(sum-100) > 0.5 {
		t.Errorf("smoothing changed the mass from 100 to %v", sum)
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		n        int
		want     []string
	}{
		{0, 1, 6, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{1.5, 14.3, 5, []string{"2", "4", "6", "8", "10", "12", "14"}},
		{-2.6, 3.1, 5, []string{"−2", "−1", "0", "1", "2", "3"}},
		{3.802, 3.858, 4, []string{"3.81", "3.82", "3.83", "3.84", "3.85"}},
		{1e6, 5e6, 4, []string{"1e+06", "2e+06", "3e+06", "4e+06", "5e+06"}},
	} {
		var got []string
		for _, tk := range (fewTicks{n: tc.n}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("ticks of [%v, %v]: %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
	var got []string
	for _, tk := range (PowerTicks{}).Ticks(0, 4.2) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if want := "1 10 100 1000 10⁴"; strings.Join(got, " ") != want {
		t.Errorf("power ticks %q, want %q", got, want)
	}
	got = got[:0]
	for _, tk := range (PowerTicks{}).Ticks(0, 1.6) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if want := "1 2 5 10 20"; strings.Join(got, " ") != want {
		t.Errorf("power ticks over 1.6 decades %q, want %q", got, want)
	}
}

func TestBinomialInterval(t *testing.T) {
	for _, tc := range []struct {
		n   int
		p   float64
		cov float64
	}{{1000, 0.05, 0.99}, {200, 0.25, 0.9}, {30, 0.5, 0.95}} {
		lo, hi := binomialInterval(tc.n, tc.p, tc.cov)
		b := distuv.Binomial{N: float64(tc.n), P: tc.p}
		a := (1 - tc.cov) / 2
		// lo is the smallest k with CDF(k) ≥ a; hi likewise for 1-a.
		if b.CDF(lo) < a || (lo > 0 && b.CDF(lo-1) >= a) {
			t.Errorf("n=%d p=%v: lower bound %v is not the %v quantile", tc.n, tc.p, lo, a)
		}
		if b.CDF(hi) < 1-a || (hi > 0 && b.CDF(hi-1) >= 1-a) {
			t.Errorf("n=%d p=%v: upper bound %v is not the %v quantile", tc.n, tc.p, hi, 1-a)
		}
	}
}

func TestViridis(t *testing.T) {
	v := Viridis()
	c0, _ := v.At(0)
	c1, _ := v.At(1)
	if c0 != (color.NRGBA{R: 68, G: 1, B: 84, A: 255}) || c1 != (color.NRGBA{R: 253, G: 231, B: 37, A: 255}) {
		t.Errorf("viridis ends %v, %v", c0, c1)
	}
	if _, err := v.At(1.5); err == nil {
		t.Error("no overflow error")
	}
	if _, err := v.At(math.NaN()); err == nil {
		t.Error("no NaN error")
	}
	if got := len(v.Palette(7).Colors()); got != 7 {
		t.Errorf("palette of %d colours, want 7", got)
	}
	// Luminance increases monotonically along viridis.
	prev := -1.0
	for k := range 50 {
		c := v.at(float64(k) / 49)
		l := 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
		if l <= prev {
			t.Fatalf("luminance not increasing at %d", k)
		}
		prev = l
	}
}

// TestRasterInvertedAxis checks that cells land where the axes put them:
// the bottom row of cells (small y) appears at the top of the image when
// the y axis is inverted, as for magnitudes.
func TestRasterInvertedAxis(t *testing.T) {
	red, blue := color.NRGBA{R: 255, A: 255}, color.NRGBA{B: 255, A: 255}
	for _, inverted := range []bool{false, true} {
		p := plot.New()
		p.HideAxes()
		p.X.Padding, p.Y.Padding = 0, 0
		p.Add(&raster{nx: 1, ny: 2, x0: 0, x1: 1, y0: 0, y1: 2, col: []color.NRGBA{red, blue}})
		if inverted {
			p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
		}
		im, err := Render(p, 2*vg.Inch, 2*vg.Inch, 36)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(im.PNG))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		top := color.NRGBAModel.Convert(img.At(b.Dx()/2, b.Dy()/4)).(color.NRGBA)
		bottom := color.NRGBAModel.Convert(img.At(b.Dx()/2, 3*b.Dy()/4)).(color.NRGBA)
		wantTop, wantBottom := blue, red
		if inverted {
			wantTop, wantBottom = red, blue
		}
		if top != wantTop || bottom != wantBottom {
			t.Errorf("inverted=%v: top %v bottom %v, want %v and %v", inverted, top, bottom, wantTop, wantBottom)
		}
	}
}

func BenchmarkCorner(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		s, names, truth := testPosterior(n, 3)
		b.Run(fmt.Sprintf("5x%d", n), func(b *testing.B) {
			for b.Loop() {
				f, err := Corner(s, names, truth, CornerOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Render(f, 0, 0, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		med, lo, hi float64
		want        string
	}{
		{7.2634, 7.15, 7.56, "7.26 +0.30 −0.11"},
		{-0.01, -1.1, 1.1, "0.0 +1.1 −1.1"},
		{-2.345, -2.4, -2.3, "−2.345 +0.045 −0.055"},
		{1500, 1000, 2000, "1500 +500 −500"},
	} {
		if got := summary(tc.med, tc.lo, tc.hi); got != tc.want {
			t.Errorf("summary(%v, %v, %v) = %q, want %q", tc.med, tc.lo, tc.hi, got, tc.want)
		}
	}
}

// BenchmarkLoss times the live training figure that %train refreshes about
// once a second: 200 epochs of 100 mini-batches each.
func BenchmarkLoss(b *testing.B) {
	train, val, steps := testLoss(200, 100)
	for b.Loop() {
		f, err := Loss(train, val, LossOptions{Steps: steps})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Render(f, 5*vg.Inch, 3*vg.Inch, 96); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRankBins checks that SBC bins ranks as cinn/diagnostics does: rank r
// of L samples in bin ⌊r·B/(L+1)⌋, also when B does not divide L+1.
func TestRankBins(t *testing.T) {
	for _, tc := range []struct{ L, bins int }{{99, 20}, {100, 20}, {7, 3}, {1, 2}} {
		edges := make([]int, tc.bins+1)
		for b := range edges {
			edges[b] = (b*(tc.L+1) + tc.bins - 1) / tc.bins
		}
		ranks := make([]int, tc.L+1)
		for r := range ranks {
			ranks[r] = r
		}
		got := rankCounts(ranks, edges)
		want := make([]float64, tc.bins)
		for _, r := range ranks {
			want[r*tc.bins/(tc.L+1)]++
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("L=%d bins=%d: counts %v, want %v", tc.L, tc.bins, got, want)
		}
	}
}

func TestColorBarDegenerate(t *testing.T) {
	p := NewPanel()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	cm := Viridis()
	cm.SetMin(2)
	cm.SetMax(2)
	f := &Figure{Panels: [][]*plot.Plot{{p}}, ColorBar: &ColorBar{ColorMap: cm, Label: "constant"}}
	if _, err := Render(f, 0, 0, 48); err != nil {
		t.Fatal(err)
	}
}

func TestFmtP(t *testing.T) {
	for p, want := range map[float64]string{0.41: "0.41", 0.0123: "0.012", 1.2e-9: "1.2×10⁻⁹", 0: "0", 1: "1"} {
		if got := fmtP(p); got != want {
			t.Errorf("fmtP(%v) = %q, want %q", p, got, want)
		}
	}
}

func TestColumns(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	if got := fmt.Sprint(Columns(m)); got != "[[1 4] [2 5] [3 6]]" {
		t.Errorf("Columns = %s", got)
	}
	if got := fmt.Sprint(Columns(m.T())); got != "[[1 2 3] [4 5 6]]" {
		t.Errorf("Columns of the transpose = %s", got)
	}
}

// TestLossClipsEarlyEpochs checks that a huge start leaves the top of the
// axis while the later epochs fill it, and that positive losses spanning
// decades get a logarithmic axis.
func TestLossClipsEarlyEpochs(t *testing.T) {
	train := []float64{40, 5, -1, -2, -2.5, -2.8, -3, -3.1, -3.15, -3.2, -3.22, -3.25}
	f, err := Loss(train, nil, LossOptions{})
	if err != nil {
		t.Fatal(err)
	}
	y := f.Panels[0][0].Y
	if y.Max >= 5 || y.Max < -1 || y.Min > -3.25 {
		t.Errorf("loss axis [%v, %v], want epochs from 3 on inside and the first two above", y.Min, y.Max)
	}
	if _, ok := y.Scale.(plot.LogScale); ok {
		t.Error("negative losses on a log axis")
	}
	f, err = Loss([]float64{300, 20, 5, 2, 1.2, 0.9, 0.7, 0.65}, nil, LossOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Panels[0][0].Y.Scale.(plot.LogScale); !ok {
		t.Error("losses over 2.7 decades not on a log axis")
	}
}

// TestHDRContainsMass checks the contour levels end to end as Corner
// computes them (binning, smoothing, levels): the cells above the 68% and
// 95% levels hold about that fraction of correlated Gaussian samples.
func TestHDRContainsMass(t *testing.T) {
	s, _, _ := testPosterior(50000, 4)
	x, y := mat.Col(nil, 1, s), mat.Col(nil, 2, s) // mass and log L: correlated
	sx, sy := newParamStats(x), newParamStats(y)
	const bins = 40
	h := hist2D(x, y, sx.lo, sx.hi, sy.lo, sy.hi, bins, bins)
	z := smooth2D(h, bins, bins, 1)
	lv := hdrLevelsMass(z, h, []float64{0.68, 0.95})
	for k, want := range []float64{0.68, 0.95} {
		inside := 0
		for i := range x {
			c := int((x[i] - sx.lo) / (sx.hi - sx.lo) * bins)
			r := int((y[i] - sy.lo) / (sy.hi - sy.lo) * bins)
			if c >= 0 && c < bins && r >= 0 && r < bins && z[r*bins+c] >= lv[k] {
				inside++
			}
		}
		if got := float64(inside) / float64(len(x)); math.Abs(got-want) > 0.01 {
			t.Errorf("%g%% region holds %.3f of the samples", 100*want, got)
		}
	}
}

// TestQuantile checks the numpy-compatible percentiles behind the
// summaries (numpy.percentile([1, 2, 3, 4, 10], [0, 16, 50, 84, 100])).
func TestQuantile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 10}
	for q, want := range map[float64]float64{0: 1, 0.16: 1.64, 0.5: 3, 0.84: 6.16, 1: 10} {
		if got := quantile(s, q); math.Abs(got-want) > 1e-12 {
			t.Errorf("quantile(%v) = %v, want %v", q, got, want)
		}
	}
}
