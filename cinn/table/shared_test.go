package table

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/cinn/internal/shareddata"
)

// sharedData returns the folder of real data shared by the project's tests.
func sharedData(t *testing.T) string { return shareddata.Dir(t, "the real tables") }

func TestSharedDataASCII(t *testing.T) {
	dir := sharedData(t)
	for _, tc := range []struct {
		file       string
		rows, cols int
		check      string  // a column
		first      float64 // its first value
		last       float64 // its last value
	}{
		{"parsec-gaia/isochrones_Z0.010-0.020_logAge7.0-9.5.dat", 14443, 31, "G_RPmag", 10.306, 29.979},
		{"parsec-hst/11_PARSEC1.1_Z0.015_logAGE7.0Myr_HST_BVI.isoc", 4829, 7, "mass", 2.0, math.NaN()},
		{"parsec-hst/21_PARSEC1.1_Z0.015_logAGE8.0Myr_HST_BVI.isoc", 2662, 7, "F814W", math.NaN(), -4.269},
		{"mist/MIST_iso_PanSTARRS_FeH-1.35_12Gyr.iso.cmd", 1460, 17, "EEP", 251, 1710},
		{"hii/C17_POPSTAR_1myr.dat", 4301, 13, "SIII_9069", 0.0061, 0},
	} {
		tb, err := ReadFile(filepath.Join(dir, tc.file), ReadOptions{})
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if tb.Len() != tc.rows || len(tb.Names()) != tc.cols {
			t.Errorf("%s: %d rows × %d numeric columns, want %d × %d", tc.file, tb.Len(), len(tb.Names()), tc.rows, tc.cols)
		}
		c, err := tb.Col(tc.check)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if !math.IsNaN(tc.first) && c[0] != tc.first || !math.IsNaN(tc.last) && c[len(c)-1] != tc.last {
			t.Errorf("%s: %s runs %v … %v, want %v … %v", tc.file, tc.check, c[0], c[len(c)-1], tc.first, tc.last)
		}
		for _, name := range tb.Names() {
			if n, _ := tb.Missing(name); n != 0 {
				t.Errorf("%s: column %s has %d missing values", tc.file, name, n)
			}
		}
	}
}

func TestSharedDataCSV(t *testing.T) {
	dir := sharedData(t)
	tb, err := ReadFile(filepath.Join(dir, "gaia/cluster.csv"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Len() != 1428 || len(tb.Names()) != 15 {
		t.Errorf("cluster.csv: %v", tb)
	}
	rv, _ := tb.Col("RV")
	if n, _ := tb.Missing("RV"); n != 870 || !math.IsNaN(rv[0]) || rv[1] != 10.7324 {
		t.Errorf("cluster.csv RV: %d missing, starts %v", n, rv[:2])
	}
	if err := tb.AddDiff("", "Gmag", "BP-RP"); err != nil {
		t.Fatal(err)
	}
	field, err := ReadFile(filepath.Join(dir, "gaia/field.csv"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plx, _ := field.Col("Plx")
	if field.Len() != 8683 || !math.IsNaN(plx[3]) || plx[0] != 0.4155 {
		t.Errorf("field.csv: %v, Plx starts %v", field, plx[:4])
	}
}

func TestSharedDataFITS(t *testing.T) {
	dir := sharedData(t)
	path := filepath.Join(dir, "fits/gd1_photo.fits")
	for _, hdu := range []int{0, 1} {
		tb, err := ReadFile(path, ReadOptions{HDU: hdu})
		if err != nil {
			t.Fatal(err)
		}
		if tb.Len() != 3724 || len(tb.Names()) != 3 || tb.Unit("i_mean_psf_mag") != "mag" {
			t.Fatalf("HDU %d: %v", hdu, tb)
		}
		id, ok := tb.Int64("source_id")
		g, _ := tb.Col("g_mean_psf_mag")
		i, _ := tb.Col("i_mean_psf_mag")
		// Values checked with astropy: Table.read(path)[0] and [-1].
		if !ok || id[0] != 635860218726658176 || g[0] != 17.8978004455566 || i[0] != 17.5174007415771 {
			t.Errorf("HDU %d: first row %v %v %v (exact ids: %v)", hdu, id[0], g[0], i[0], ok)
		}
	}
	if _, err := ReadFile(path, ReadOptions{HDU: 2}); err == nil || !strings.Contains(err.Error(), "no HDU 2; the file has HDUs 0 (primary), 1 (BINTABLE)") {
		t.Errorf("HDU 2: %v", err)
	}
}

// Every pydol isochrone: seven columns, the age of the file name.
func TestSharedDataParsecHST(t *testing.T) {
	dir := sharedData(t)
	files, _ := filepath.Glob(filepath.Join(dir, "parsec-hst", "*_HST_BVI.isoc"))
	if len(files) != 11 {
		t.Fatalf("%d parsec-hst files, want 11", len(files))
	}
	for _, f := range files {
		tb, err := ReadFile(f, ReadOptions{})
		if err != nil {
			t.Error(err)
			continue
		}
		age, err := tb.Col("Log_AGE")
		if err != nil {
			t.Error(err)
			continue
		}
		// 11_PARSEC1.1_Z0.015_logAGE7.0Myr_HST_BVI.isoc holds log age 7.0.
		base := filepath.Base(f)
		want := base[strings.Index(base, "logAGE")+6 : strings.Index(base, "Myr")]
		for i, a := range age {
			if math.Abs(a-mustFloat(t, want)) > 1e-4 {
				t.Errorf("%s row %d: Log_AGE %v, want %s", base, i, a, want)
				break
			}
		}
		if m, err := tb.Matrix("mass", "F435W", "F555W", "F814W"); err != nil {
			t.Errorf("%s: %v", base, err)
		} else if r, _ := m.Dims(); r < 2000 {
			t.Errorf("%s: only %d rows", base, r)
		}
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, ok := parseNum(s)
	if !ok {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// The HII-CHI-Mistry grid has 4,301 rows: 23 × 17 × 11 grid points with
// one of them missing and one repeated (as the file is distributed).
func TestSharedDataHIIGrid(t *testing.T) {
	dir := sharedData(t)
	tb, err := ReadFile(filepath.Join(dir, "hii", "C17_POPSTAR_1myr.dat"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	oh, _ := tb.Col("12+log(O/H)")
	no, _ := tb.Col("log(N/O)")
	u, _ := tb.Col("log(U)")
	seen := map[[3]float64]int{}
	for i := range oh {
		seen[[3]float64{oh[i], no[i], u[i]}]++
	}
	if len(seen) != 4300 {
		t.Errorf("%d distinct grid points, want 4300", len(seen))
	}
	if err := tb.AddLog10("", "OIII_5007"); err != nil {
		t.Fatal(err)
	}
	if n, _ := tb.Missing("log10(OIII_5007)"); n == 0 || n == tb.Len() {
		t.Errorf("log10 of a line with zero fluxes: %d missing of %d", n, tb.Len())
	}
}

func BenchmarkSharedDataReadPARSEC(b *testing.B) {
	path := filepath.Join("..", "..", "..", "shared", "data", "parsec-gaia", "isochrones_Z0.010-0.020_logAge7.0-9.5.dat")
	if _, err := os.Stat(path); err != nil {
		b.Skip(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := ReadFile(path, ReadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
