package isochrone

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/stat"

	"github.com/gocinn/gocinn/cinn/internal/shareddata"
)

// sharedData returns the folder of real data shared by the project's tests.
func sharedData(t *testing.T) string { return shareddata.Dir(t, "the PARSEC tables") }

const gaiaFile = "parsec-gaia/isochrones_Z0.010-0.020_logAge7.0-9.5.dat"

func loadGaia(t *testing.T) (*Grid, *table.Table) {
	t.Helper()
	path := filepath.Join(sharedData(t), gaiaFile)
	g, err := Load(Options{}, path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := table.ReadFile(path, table.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g, raw
}

func col(t *testing.T, tb *table.Table, name string) []float64 {
	t.Helper()
	v, err := tb.Col(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkGridPoints interpolates at every grid point (every step-th row whose
// initial mass exceeds all before it on its isochrone) and compares with
// the table's own values.
func checkGridPoints(t *testing.T, g *Grid, raw *table.Table, zName, ageName, massName, labelName string, step int) {
	t.Helper()
	age, mass := col(t, raw, ageName), col(t, raw, massName)
	var z, lab []float64
	if zName != "" {
		z = col(t, raw, zName)
	}
	if labelName != "" {
		lab = col(t, raw, labelName)
	}
	cols := g.Columns()
	vals := make([][]float64, len(cols))
	for j, c := range cols {
		vals[j] = col(t, raw, c)
	}
	var checked, bad int
	runMax := math.Inf(-1)
	for r := 0; r < raw.Len(); r++ {
		zr := 0.0
		if z != nil {
			zr = z[r]
		}
		if r > 0 && (age[r] != age[r-1] || (z != nil && z[r] != z[r-1])) {
			runMax = math.Inf(-1)
		}
		fresh := mass[r] > runMax
		runMax = math.Max(runMax, mass[r])
		if !fresh || r%step != 0 || (lab != nil && lab[r] > 8) {
			continue
		}
		got, err := g.Interpolate(zr, age[r], mass[r])
		if err != nil {
			t.Fatalf("row %d: %v", r+1, err)
		}
		checked++
		for j := range cols {
			if math.Abs(got[j]-vals[j][r]) > 1e-9*math.Max(1, math.Abs(vals[j][r])) {
				bad++
				if bad < 10 {
					t.Errorf("row %d (Z=%g logAge=%g Mini=%g): %s = %v, table %v", r+1, zr, age[r], mass[r], cols[j], got[j], vals[j][r])
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d grid points checked", checked)
	}
	t.Logf("%d grid points reproduced, %d mismatches", checked, bad)
}

func TestSharedDataGaiaGridPoints(t *testing.T) {
	g, raw := loadGaia(t)
	if got := g.Metallicities(); len(got) != 3 || got[0] != 0.01 || got[2] != 0.02 {
		t.Errorf("metallicities %v", got)
	}
	if a := g.Ages(0.015); len(a) != 11 || a[0] != 7 || a[10] != 9.5 {
		t.Errorf("ages %v", a)
	}
	if q, b := g.Quantities(), g.Bands(); strings.Join(q, " ") != "Mass logL logTe logg" || strings.Join(b, " ") != "Gmag G_BPmag G_RPmag" {
		t.Errorf("quantities %v bands %v", q, b)
	}
	checkGridPoints(t, g, raw, "Zini", "logAge", "Mini", "label", 3)
}

func TestSharedDataHSTGridPoints(t *testing.T) {
	dir := filepath.Join(sharedData(t), "parsec-hst")
	g, err := Load(Options{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if a := g.Ages(0.0152); len(a) != 11 || a[0] != 7 || math.Abs(a[10]-8) > 1e-4 {
		t.Fatalf("HST grid: Z %v ages %v", g.Metallicities(), a)
	}
	if len(g.Quantities()) != 0 || strings.Join(g.Bands(), " ") != "F435W F555W F814W" {
		t.Errorf("quantities %v bands %v", g.Quantities(), g.Bands())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.isoc"))
	for _, f := range files[:3] {
		raw, err := table.ReadFile(f, table.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkGridPoints(t, g, raw, "Z", "Log_AGE", "mass", "", 5)
	}
}

func TestSharedDataMonotonic(t *testing.T) {
	g, _ := loadGaia(t)
	// Main sequence at intermediate ages: brighter, hotter, lower gravity
	// with increasing mass; current mass equal to the initial mass.
	for _, age := range []float64{7.6, 8.13, 9.0, 9.37} {
		prev := []float64(nil)
		for m := 0.6; m <= 1.05; m += 0.05 {
			v, err := g.Interpolate(0.015, age, m)
			if err != nil {
				t.Fatal(err)
			}
			mass, logL, logTe, logg, G := v[0], v[1], v[2], v[3], v[4]
			if math.Abs(mass-m) > 0.01 {
				t.Errorf("logAge %g Mini %.2f: current mass %g", age, m, mass)
			}
			_ = logg // not monotonic on the pre-main sequence of the young isochrones
			if prev != nil && !(logL > prev[1] && logTe > prev[2] && G < prev[4]) {
				t.Errorf("logAge %g Mini %.2f: not monotonic: %v after %v", age, m, v, prev)
			}
			prev = v
		}
	}
	// Everywhere: finite values in physical ranges, current mass ≤ initial.
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		z := g.Metallicities()[rnd.IntN(3)]
		age := 7 + 2.5*rnd.Float64()
		lo, hi, err := g.MassRange(z, age)
		if err != nil {
			t.Fatal(err)
		}
		m := lo + (hi-lo)*rnd.Float64()
		v, err := g.Interpolate(z, age, m)
		if err != nil {
			t.Fatal(err)
		}
		if v[0] > m+2e-3 || // CMD tables round Mass up to 0.001 above Mini
			v[2] < 3.3 || v[2] > 5.6 || v[3] < -1.5 || v[3] > 9 || v[4] < -12 || v[4] > 20 {
			t.Fatalf("Z %g logAge %g Mini %g: implausible %v", z, age, m, v)
		}
	}
	// Between two grid ages, a main-sequence star's values lie between its
	// values at the two ages (within 0.02 dex or mag).
	for _, z := range g.Metallicities() {
		ages := g.Ages(z)
		for i := 0; i+1 < len(ages); i++ {
			for _, m := range []float64{0.2, 0.4, 0.7, 0.9, 1.1} {
				a, err1 := g.Interpolate(z, ages[i], m)
				b, err2 := g.Interpolate(z, ages[i+1], m)
				mid, err3 := g.Interpolate(z, (ages[i]+ages[i+1])/2, m)
				if err1 != nil || err2 != nil || err3 != nil {
					t.Fatal(err1, err2, err3)
				}
				for j := 1; j < len(mid); j++ {
					lo, hi := math.Min(a[j], b[j]), math.Max(a[j], b[j])
					if mid[j] < lo-0.02 || mid[j] > hi+0.02 {
						t.Errorf("Z %g Mini %g: %s at logAge %g is %.4f, outside [%.4f, %.4f] of logAge %g and %g",
							z, m, g.Columns()[j], (ages[i]+ages[i+1])/2, mid[j], lo, hi, ages[i], ages[i+1])
					}
				}
			}
		}
	}
	// Continuity in age on the main sequence.
	a, _ := g.Interpolate(0.02, 8.4999, 1.2)
	b, _ := g.Interpolate(0.02, 8.5001, 1.2)
	for j := range a {
		if math.Abs(a[j]-b[j]) > 1e-3 {
			t.Errorf("%s jumps from %v to %v across logAge 8.5", g.Columns()[j], a[j], b[j])
		}
	}
}

// TestInterpolateSynthetic checks the phase matching on a small grid with
// known answers: two isochrones whose values are linear in row index.
func TestInterpolateSynthetic(t *testing.T) {
	mk := func(age float64, mini, lab, g []float64) *table.Table {
		n := len(mini)
		ages := make([]float64, n)
		for i := range ages {
			ages[i] = age
		}
		tb, err := table.New([]string{"logAge", "Mini", "label", "Gmag"}, [][]float64{ages, mini, lab, g})
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	// Young: MS 1..3 Msun (3 rows), no giants. Old: MS 1..2 (3 rows), then
	// giants (label 3) at Mini 2.0..2.1 (2 rows).
	young := mk(8, []float64{1, 2, 3}, []float64{1, 1, 1}, []float64{5, 3, 1})
	old := mk(9, []float64{1, 1.5, 2, 2.05, 2.1}, []float64{1, 1, 1, 3, 3}, []float64{6, 5, 4, 0, -1})
	g, err := NewGrid("synthetic", []*table.Table{young, old}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// At logAge 8.5 the MS rows pair by fraction: (1,1) (2,1.5) (3,2) with
	// G (5,6) (3,5) (1,4): interpolated Mini 1, 1.75, 2.5 and G 5.5, 4, 2.5.
	// Giants only exist at the old age: they appear for w > 0.5.
	for _, tc := range []struct {
		age, mini, want float64
		err             bool
	}{
		{8.5, 1, 5.5, false},
		{8.5, 1.75, 4, false},
		{8.5, 2.5, 2.5, false},
		{8.5, 2.125, 3.25, false},
		{8.5, 2.6, 0, true},
		{8, 3, 1, false},
		{9, 2.05, 0, false},
		{9, 2.075, -0.5, false},
		// w = 0.75: MS ends at Mini 2.25 (G 3.25); the giants, a phase only
		// the old isochrone has, keep 0.75 of their mass offsets above the
		// MS end (+0.05, +0.1 there): 2.2875 and 2.325.
		{8.75, 2.25, 3.25, false},
		{8.75, 2.2875, 0, false},
		{8.75, 2.325, -1, false},
		{8.75, 2.30625, -0.5, false},
		{8.75, 2.33, 0, true},
		{8.25, 2.8, 0, true},
		{8.75, 1.0, 5.75, false},
	} {
		v, err := g.Interpolate(0, tc.age, tc.mini)
		if tc.err {
			if !errors.Is(err, ErrOutside) {
				t.Errorf("logAge %g Mini %g: error %v, want ErrOutside", tc.age, tc.mini, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("logAge %g Mini %g: %v", tc.age, tc.mini, err)
		}
		if math.Abs(v[0]-tc.want) > 1e-12 {
			t.Errorf("logAge %g Mini %g: G = %v, want %v", tc.age, tc.mini, v[0], tc.want)
		}
	}
}

// slope fits dN/dlog m ∝ m^(1-α) by least squares on log counts in
// logarithmic bins and returns α.
func slope(ms []float64, lo, hi float64, bins int) float64 {
	counts := make([]float64, bins)
	llo, lhi := math.Log(lo), math.Log(hi)
	for _, m := range ms {
		if m < lo || m >= hi {
			continue
		}
		counts[int((math.Log(m)-llo)/(lhi-llo)*float64(bins))]++
	}
	var xs, ys, ws []float64
	for i, c := range counts {
		if c > 0 {
			xs = append(xs, llo+(float64(i)+0.5)*(lhi-llo)/float64(bins))
			ys = append(ys, math.Log(c))
			ws = append(ws, c)
		}
	}
	_, b := stat.LinearRegression(xs, ys, ws, false)
	return 1 - b
}

func TestKroupaSlopes(t *testing.T) {
	imf := Kroupa2001()
	rnd := rand.New(rand.NewPCG(3, 4))
	ms := make([]float64, 400000)
	for i := range ms {
		ms[i] = imf.Quantile(rnd.Float64(), 0.08, 20)
		if ms[i] < 0.08 || ms[i] > 20 {
			t.Fatalf("mass %v outside [0.08, 20]", ms[i])
		}
	}
	if a := slope(ms, 0.08, 0.5, 12); math.Abs(a-1.3) > 0.03 {
		t.Errorf("α below 0.5 Msun = %.3f, want 1.3", a)
	}
	if a := slope(ms, 0.5, 20, 12); math.Abs(a-2.3) > 0.05 {
		t.Errorf("α above 0.5 Msun = %.3f, want 2.3", a)
	}
	// Continuity at the break and the fraction below it: ∫0.08^0.5 m^-1.3
	// vs 0.5·∫0.5^20 m^-2.3 (c = 0.5^(2.3-1.3)).
	if d := imf.Density(0.5-1e-12) / imf.Density(0.5); math.Abs(d-1) > 1e-9 {
		t.Errorf("density jumps at 0.5: ratio %v", d)
	}
	below := powInt(0.08, 0.5, 1.3)
	above := 0.5 * powInt(0.5, 20, 2.3)
	var n int
	for _, m := range ms {
		if m < 0.5 {
			n++
		}
	}
	want := below / (below + above)
	if got := float64(n) / float64(len(ms)); math.Abs(got-want) > 0.005 {
		t.Errorf("fraction below 0.5 Msun %.4f, want %.4f", got, want)
	}
	// Quantile is the inverse of the CDF: monotone, ends at the bounds.
	if q := imf.Quantile(0, 0.3, 2); q != 0.3 {
		t.Errorf("Quantile(0) = %v", q)
	}
	if q := imf.Quantile(1, 0.3, 2); math.Abs(q-2) > 1e-9 {
		t.Errorf("Quantile(1) = %v", q)
	}
}

func TestSharedDataSample(t *testing.T) {
	g, _ := loadGaia(t)
	s := &Simulator{Grid: g}
	tb, err := s.Sample(context.Background(), 60000, rand.NewPCG(5, 6))
	if err != nil {
		t.Fatal(err)
	}
	want := "logAge Mass logL logTe logg Mini Zini Gmag G_BPmag G_RPmag"
	if got := strings.Join(tb.Names(), " "); got != want || tb.Len() != 60000 {
		t.Fatalf("columns %q (%d rows), want %q", got, tb.Len(), want)
	}
	if tb.Unit("Mini") != "Msun" || tb.Unit("Gmag") != "mag" || tb.Unit("logAge") != "dex(yr)" {
		t.Errorf("units %q %q %q", tb.Unit("Mini"), tb.Unit("Gmag"), tb.Unit("logAge"))
	}
	ages, mini := col(t, tb, "logAge"), col(t, tb, "Mini")
	if m, v := stat.MeanVariance(ages, nil); math.Abs(m-8.25) > 0.02 || math.Abs(v-2.5*2.5/12) > 0.02 {
		t.Errorf("log ages: mean %.3f var %.3f, want uniform on [7, 9.5]", m, v)
	}
	// The IMF slopes, from masses every isochrone covers.
	if a := slope(mini, 0.1, 0.5, 8); math.Abs(a-1.3) > 0.05 {
		t.Errorf("sampled α below 0.5 Msun = %.3f, want 1.3", a)
	}
	if a := slope(mini, 0.5, 1.3, 8); math.Abs(a-2.3) > 0.1 {
		t.Errorf("sampled α 0.5-1.3 Msun = %.3f, want 2.3", a)
	}
	// Noise-free magnitudes are the interpolated ones.
	zs := col(t, tb, "Zini")
	G := col(t, tb, "Gmag")
	for i := 0; i < 200; i++ {
		v, err := g.Interpolate(zs[i], ages[i], mini[i])
		if err != nil {
			t.Fatal(err)
		}
		if v[4] != G[i] {
			t.Fatalf("star %d: G %v, interpolated %v", i, G[i], v[4])
		}
	}
}

func TestSharedDataNoiseExtinction(t *testing.T) {
	g, _ := loadGaia(t)
	s := &Simulator{Grid: g, Z: 0.015, DistanceModulus: 10, AV: 0.5,
		Noise: map[string]float64{"Gmag": 0.02, "G_BPmag": 0.05, "G_RPmag": 0.1}}
	tb, err := s.Sample(context.Background(), 20000, rand.NewPCG(7, 8))
	if err != nil {
		t.Fatal(err)
	}
	if tb.Has("Zini") {
		t.Error("fixed Z: the table should have no Zini column")
	}
	ages, mini := col(t, tb, "logAge"), col(t, tb, "Mini")
	for j, b := range g.Bands() {
		mags := col(t, tb, b)
		res := make([]float64, len(mags))
		for i := range mags {
			v, _ := g.Interpolate(0.015, ages[i], mini[i])
			res[i] = mags[i] - v[4+j] - 10 - 0.5*DefaultExtinction[b]
		}
		m, sd := stat.MeanStdDev(res, nil)
		if math.Abs(m) > 4*s.Noise[b]/math.Sqrt(float64(len(res))) || math.Abs(sd-s.Noise[b]) > 0.03*s.Noise[b] {
			t.Errorf("%s: residual mean %.5f sd %.5f, want 0 and %v", b, m, sd, s.Noise[b])
		}
	}
	// Magnitude-dependent noise: σ grows with magnitude.
	s = &Simulator{Grid: g, Z: 0.01, NoiseFunc: ExponentialNoise(0.001, 0.01, 0.5, 10)}
	tb, err = s.Sample(context.Background(), 20000, rand.NewPCG(9, 10))
	if err != nil {
		t.Fatal(err)
	}
	ages, mini, G := col(t, tb, "logAge"), col(t, tb, "Mini"), col(t, tb, "Gmag")
	var bright, faint []float64
	for i := range G {
		v, _ := g.Interpolate(0.01, ages[i], mini[i])
		if v[4] < 5 {
			bright = append(bright, G[i]-v[4])
		} else if v[4] > 10 && v[4] < 11 {
			faint = append(faint, G[i]-v[4])
		}
	}
	sb, sf := stat.StdDev(bright, nil), stat.StdDev(faint, nil)
	if !(sb < 0.002) || !(sf > 0.01 && sf < 0.03) {
		t.Errorf("magnitude-dependent noise: σ %.4f (G < 5), %.4f (10 < G < 11)", sb, sf)
	}
}

func TestSharedDataReproducible(t *testing.T) {
	g, _ := loadGaia(t)
	s := &Simulator{Grid: g, Noise: map[string]float64{"Gmag": 0.01}}
	a, err := s.Sample(context.Background(), 500, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Sample(context.Background(), 500, rand.NewPCG(1, 1))
	c, _ := s.Sample(context.Background(), 500, rand.NewPCG(1, 2))
	for _, n := range a.Names() {
		va, vb, vc := col(t, a, n), col(t, b, n), col(t, c, n)
		for i := range va {
			if va[i] != vb[i] {
				t.Fatalf("%s row %d: %v vs %v with equal seeds", n, i, va[i], vb[i])
			}
		}
		if n == "Mini" && va[0] == vc[0] && va[1] == vc[1] {
			t.Errorf("different seeds gave equal masses")
		}
	}
}

func TestSharedDataErrors(t *testing.T) {
	g, _ := loadGaia(t)
	for _, s := range []*Simulator{
		{Grid: g, Z: 0.03},
		{Grid: g, LogAgeMin: 6, LogAgeMax: 8},
		{Grid: g, AV: 1, Extinction: map[string]float64{"Gmag": 0.8}},
		{Grid: g, MinMass: 200},
	} {
		if _, err := s.Sample(context.Background(), 10, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("%+v: no error", *s)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&Simulator{Grid: g}).Sample(ctx, 10, rand.NewPCG(1, 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := g.Interpolate(0.015, 9.8, 1); !errors.Is(err, ErrOutside) {
		t.Errorf("age outside: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(Options{}, filepath.Join(t.TempDir(), "nope.dat"))
	if !errors.Is(err, ErrNoTable) || !strings.Contains(err.Error(), "stev.oapd.inaf.it/cgi-bin/cmd") || !strings.Contains(err.Error(), "Fetch") {
		t.Errorf("absent file: %v", err)
	}
	_, err = Load(Options{}, t.TempDir())
	if !errors.Is(err, ErrNoTable) {
		t.Errorf("empty directory: %v", err)
	}
	bad, _ := table.New([]string{"a", "b"}, [][]float64{{1}, {2}})
	if _, err := NewGrid("bad", []*table.Table{bad}, Options{}); err == nil || !strings.Contains(err.Error(), "logAge") {
		t.Errorf("table without isochrone columns: %v", err)
	}
}

// TestSharedDataSmoothInAge checks that the number of evolved stars does not
// jump between ages (as it would if a phase present in one neighbouring
// isochrone only switched on at some weight).
func TestSharedDataSmoothInAge(t *testing.T) {
	if testing.Short() {
		t.Skip("12 samples of 30,000 stars")
	}
	g, _ := loadGaia(t)
	const n = 30000
	giants := func(age float64) float64 {
		s := &Simulator{Grid: g, Z: 0.015, LogAgeMin: age, LogAgeMax: age, MinMass: 0.5}
		tb, err := s.Sample(context.Background(), n, rand.NewPCG(11, 12))
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for _, v := range col(t, tb, "logg") {
			if v < 3.5 {
				k++
			}
		}
		return float64(k) / n
	}
	for _, pair := range [][2]float64{{9, 9.25}, {8.25, 8.5}, {7.5, 7.75}} {
		mid := (pair[0] + pair[1]) / 2
		a, b := giants(mid-0.002), giants(mid+0.002)
		sd := math.Sqrt(a * (1 - a) / n * 2)
		if math.Abs(a-b) > 4*sd+0.0005 {
			t.Errorf("giant fraction jumps from %.4f to %.4f across logAge %g", a, b, mid)
		}
		lo, hi := giants(pair[0]), giants(pair[1])
		if m := (a + b) / 2; m < math.Min(lo, hi)-0.002 || m > math.Max(lo, hi)+0.002 {
			t.Errorf("giant fraction %.4f at logAge %g outside [%.4f, %.4f] of the grid ages", m, mid, lo, hi)
		}
	}
}

func TestNewGridBadData(t *testing.T) {
	mk := func(age, mini, g []float64) *table.Table {
		tb, err := table.New([]string{"logAge", "Mini", "Gmag"}, [][]float64{age, mini, g})
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		tab  *table.Table
		want string
	}{
		{"split block", mk([]float64{8, 8, 9, 9, 8}, []float64{1, 2, 1, 2, 3}, []float64{5, 4, 5, 4, 3}), "appears twice"},
		{"missing age", mk([]float64{8, nan, 9, 9}, []float64{1, 2, 1, 2}, []float64{5, 4, 5, 4}), "data row 2"},
		{"one point", mk([]float64{8, 9, 9}, []float64{1, 1, 2}, []float64{5, 5, 4}), "fewer than 2"},
	} {
		_, err := NewGrid(tc.name, []*table.Table{tc.tab}, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: error %v, want one naming the table and saying %q", tc.name, err, tc.want)
		}
	}
	// A point without a magnitude is skipped, not interpolated through.
	g, err := NewGrid("gap", []*table.Table{mk([]float64{8, 8, 8, 9, 9}, []float64{1, 1.5, 2, 1, 2}, []float64{5, nan, 4, 5, 4})}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := g.Interpolate(0, 8, 1.5); err != nil || v[0] != 4.5 {
		t.Errorf("across a missing magnitude: %v, %v; want 4.5", v, err)
	}
	if _, err := NewGrid("bands", []*table.Table{mk([]float64{8, 8}, []float64{1, 2}, []float64{5, 4})}, Options{Bands: []string{"Vmag"}}); err == nil || !strings.Contains(err.Error(), "Vmag") {
		t.Errorf("absent band: %v", err)
	}
}
