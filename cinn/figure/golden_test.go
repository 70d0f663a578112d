// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn/diagnostics"
)

var update = flag.Bool("update", false, "regenerate testdata/*_golden.png")

// checkGolden compares a rendered image with testdata/name_golden.png,
// allowing at most 0.5% of pixels to differ by more than a small amount
// (anti-aliasing). With -update it rewrites the golden file.
func checkGolden(t *testing.T, name string, im *Image) {
	t.Helper()
	path := filepath.Join("testdata", name+"_golden.png")
	if *update {
		if err := os.WriteFile(path, im.PNG, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cinn/figure -update to create it)", err)
	}
	diff, total, err := pixelDiff(im.PNG, want)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if float64(diff) > 0.005*float64(total) {
		got := filepath.Join(os.TempDir(), "figure_"+name+"_got.png")
		_ = os.WriteFile(got, im.PNG, 0o644)
		t.Errorf("%s: %d of %d pixels differ from %s; got image written to %s (go test ./cinn/figure -update regenerates)",
			name, diff, total, path, got)
	}
}

// pixelDiff counts pixels whose colour differs by more than 24/255 in any
// channel.
func pixelDiff(a, b []byte) (diff, total int, err error) {
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		return 0, 0, err
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return 0, 0, err
	}
	if ia.Bounds() != ib.Bounds() {
		r := ia.Bounds()
		return r.Dx() * r.Dy(), r.Dx() * r.Dy(), nil
	}
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !close(ia, ib, x, y) {
				diff++
			}
		}
	}
	return diff, r.Dx() * r.Dy(), nil
}

func close(a, b image.Image, x, y int) bool {
	r1, g1, b1, a1 := a.At(x, y).RGBA()
	r2, g2, b2, a2 := b.At(x, y).RGBA()
	const tol = 24 << 8
	d := func(u, v uint32) bool { return u > v+tol || v > u+tol }
	return !(d(r1, r2) || d(g1, g2) || d(b1, b2) || d(a1, a2))
}

// testPosterior returns n samples of a 5-parameter posterior resembling a
// stellar one: a bimodal log age, a narrow mass correlated with log L, and
// Teff, log g tied to them.
func testPosterior(n int, seed uint64) (*mat.Dense, []string, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := mat.NewDense(n, 5, nil)
	for i := range n {
		age := 7.2 + 0.08*rng.NormFloat64()
		if rng.Float64() < 0.35 {
			age = 7.55 + 0.05*rng.NormFloat64()
		}
		m := 1.42 + 0.03*rng.NormFloat64() - 0.15*(age-7.3)
		logL := 0.62 + 3.8*math.Log10(m/1.42) + 0.02*rng.NormFloat64()
		teff := 3.83 + 0.55*math.Log10(m/1.42) + 0.004*rng.NormFloat64()
		logg := 4.32 - 0.2*(age-7.3) + 0.03*rng.NormFloat64()
		s.SetRow(i, []float64{age, m, logL, teff, logg})
	}
	names := []string{"log(age/yr)", "M / Msun", "log(L / Lsun)", "log(Teff / K)", "log g"}
	truth := []float64{7.25, 1.43, 0.63, 3.832, math.NaN()}
	return s, names, truth
}

func TestCornerGolden(t *testing.T) {
	s, names, truth := testPosterior(20000, 1)
	f, err := Corner(s, names, truth, CornerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "corner", f)
}

func TestMarginalsGolden(t *testing.T) {
	s, names, truth := testPosterior(20000, 2)
	f, err := Marginals(s, names, truth, MarginalsOptions{MAP: []float64{7.19, 1.43, 0.62, 3.83, math.NaN()}})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "marginals", f)
}

// testLoss returns a typical cINN training curve: negative log-likelihood
// per dimension falling from a large first epoch, with noisy batches.
func testLoss(epochs, steps int) (train, val, batch []float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	for e := range epochs {
		base := -2.1 + 3.5*math.Exp(-float64(e)/6) + 0.3*math.Exp(-float64(e)/1.2)*4
		var sum float64
		for range steps {
			v := base + 0.15*rng.NormFloat64()
			batch = append(batch, v)
			sum += v
		}
		train = append(train, sum/float64(steps))
		val = append(val, base+0.04+0.004*math.Max(0, float64(e-25))*float64(e-25)/4+0.02*rng.NormFloat64())
	}
	return train, val, batch
}

func TestLossGolden(t *testing.T) {
	train, val, batch := testLoss(40, 50)
	f, err := Loss(train, val, LossOptions{Steps: batch, YLabel: "negative log-likelihood per dimension"})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "loss", f)
}

func TestCalibrationGolden(t *testing.T) {
	q := make([]float64, 101)
	for k := range q {
		q[k] = float64(k) / 100
	}
	shapes := []float64{0.04, -0.06, 0.01, 0.0, -0.02}
	ecal := make([][]float64, len(shapes))
	rng := rand.New(rand.NewPCG(5, 6))
	for j, a := range shapes {
		ecal[j] = make([]float64, len(q))
		for k, v := range q {
			ecal[j][k] = a*math.Sin(math.Pi*v) + 0.004*rng.NormFloat64()*math.Sin(math.Pi*v)
		}
	}
	_, names, _ := testPosterior(2, 0)
	f, err := Calibration(q, ecal, names, CalibrationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "calibration", f)
	// The same curves with the 95% band of calibrated posteriors on 300
	// observations × 512 samples.
	lo, hi := diagnostics.CalibrationBand(300, 512, q, 0.95)
	f, err = Calibration(q, ecal, names, CalibrationOptions{BandLo: lo, BandHi: hi, BandLabel: "95% of calibrated test sets"})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "calibration_band", f)
}

func TestTruthGolden(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 5000
	names := []string{"12+log(O/H)", "log(N/O)", "log U"}
	lo := []float64{7.6, -2.0, -4.0}
	hi := []float64{9.2, 0.0, -1.0}
	sig := []float64{0.05, 0.12, 0.3}
	truth := make([][]float64, 3)
	pred := make([][]float64, 3)
	for j := range 3 {
		for range n {
			v := lo[j] + (hi[j]-lo[j])*rng.Float64()
			truth[j] = append(truth[j], v)
			pred[j] = append(pred[j], v+sig[j]*rng.NormFloat64()*(1+0.5*(v-lo[j])/(hi[j]-lo[j])))
		}
	}
	f, err := TruthVsMAP(truth, pred, names, TruthOptions{})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "truth", f)
}

// testCMD returns a toy cluster population: a main sequence whose turn-off
// and colour depend on log age.
func testCMD(n int) (colour, mag, age []float64) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range n {
		a := 6.6 + 1.4*rng.Float64()
		m := 2 + 12*math.Pow(rng.Float64(), 0.6)
		c := 0.02 + 0.11*(m-2) + 0.15*(a-7)*math.Exp(-(m-4)*(m-4)/4) + 0.05*rng.NormFloat64()
		if m < 6 && rng.Float64() < 0.5*(a-6.6) {
			c += 0.8 + 0.2*rng.NormFloat64() // evolved stars
			m -= 1.5
		}
		colour = append(colour, c)
		mag = append(mag, m+0.05*rng.NormFloat64())
		age = append(age, a)
	}
	return colour, mag, age
}

func TestCMDGolden(t *testing.T) {
	opts := CMDOptions{ColorLabel: "G_BP − G_RP (mag)", MagLabel: "G (mag)", ValueLabel: "MAP log(age/yr)"}
	for _, tc := range []struct {
		name string
		n    int
	}{{"cmd_scatter", 2000}, {"cmd_binned", 60000}} {
		c, m, a := testCMD(tc.n)
		f, err := CMD(c, m, a, opts)
		if err != nil {
			t.Fatal(err)
		}
		render(t, tc.name, f)
	}
}

func TestHist2DGolden(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var x, y []float64
	for range 40000 {
		u := rng.Float64()
		xv := -1.6 + 1.3*u + 0.12*rng.NormFloat64()
		yv := 0.7 - 1.1*u*u + 0.15*rng.NormFloat64()
		if rng.Float64() < 0.15 {
			xv, yv = -0.1+0.2*rng.NormFloat64(), 0.5+0.25*rng.NormFloat64()
		}
		x, y = append(x, xv), append(y, yv)
	}
	// Kauffmann et al. (2003) demarcation line.
	var cx, cy []float64
	for v := -2.0; v < 0.0; v += 0.02 {
		cx, cy = append(cx, v), append(cy, 0.61/(v-0.05)+1.3)
	}
	f, err := Hist2D(x, y, "log([N II] 6584 / Hα)", "log([O III] 5007 / Hβ)", Hist2DOptions{
		Curves: []Curve{{Label: "Kauffmann et al. (2003)", X: cx, Y: cy}},
		Marks:  []Mark{{Label: "observed", X: -0.9, Y: 0.2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "hist2d", f)
}

func TestSBCGolden(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const L, n = 99, 1000
	ranks := make([][]int, 3)
	for i := range n {
		_ = i
		ranks[0] = append(ranks[0], rng.IntN(L+1)) // calibrated
		u := rng.Float64()                         // overconfident: U shape
		ranks[1] = append(ranks[1], int(float64(L+1)*math.Pow(math.Sin(math.Pi*u/2), 2)*0.9999))
		ranks[2] = append(ranks[2], min(L, int(float64(L+1)*math.Pow(rng.Float64(), 1.3)))) // biased
	}
	f, err := SBC(ranks, L, []string{"log(age/yr)", "M / Msun", "log g"}, SBCOptions{PValues: []float64{0.41, 1.2e-9, math.NaN()}})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "sbc", f)
}

// render renders f at its preferred size and checks the PNG and the
// plain-text description against their golden files.
func render(t *testing.T, name string, f *Figure) {
	t.Helper()
	im, err := Render(f, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, name, im)
	path := filepath.Join("testdata", name+"_golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(f.Text+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cinn/figure -update to create it)", err)
	}
	if got := f.Text + "\n"; got != string(want) {
		t.Errorf("%s: text\n%s\nwant\n%s", name, got, want)
	}
}

// TestCornerReferenceGolden overlays an exact reference posterior (a
// Gaussian) on samples that are slightly too wide and shifted.
func TestCornerReferenceGolden(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	s := mat.NewDense(20000, 3, nil)
	r := mat.NewDense(20000, 3, nil)
	for i := range 20000 {
		a, b, c := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		r.SetRow(i, []float64{a, 0.8*a + 0.6*b, c})
		a, b, c = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		s.SetRow(i, []float64{0.1 + 1.15*a, 0.8*a + 0.7*b, 1.1 * c})
	}
	f, err := Corner(s, []string{"θ₁", "θ₂", "θ₃"}, []float64{0, 0, 0}, CornerOptions{
		Reference: r, ReferenceLabel: "exact posterior",
	})
	if err != nil {
		t.Fatal(err)
	}
	render(t, "corner_reference", f)
}
