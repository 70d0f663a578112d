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
	im, err := Render(f, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "corner", im)
}
