package hii

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/gocinn/gocinn/cinn/internal/shareddata"
)

// sharedData returns the folder of real data shared by the project's tests.
func sharedData(t *testing.T) string { return shareddata.Dir(t, "the HII-CHI-Mistry grid") }

const gridFile = "hii/C17_POPSTAR_1myr.dat"

func load(t *testing.T) (*Grid, *table.Table) {
	t.Helper()
	path := filepath.Join(sharedData(t), gridFile)
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := table.ReadFile(path, table.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g, raw
}

func TestSharedDataGridStructure(t *testing.T) {
	g, _ := load(t)
	ax := g.Axes()
	if len(ax[0]) != 23 || len(ax[1]) != 17 || len(ax[2]) != 11 {
		t.Fatalf("axes of %d × %d × %d nodes, want 23 × 17 × 11", len(ax[0]), len(ax[1]), len(ax[2]))
	}
	lo, hi := g.Bounds()
	if lo != [3]float64{6.9, -2, -4} || math.Abs(hi[0]-9.1) > 1e-9 || hi[1] != 0 || hi[2] != -1.5 {
		t.Errorf("bounds %v %v", lo, hi)
	}
	// The file: 4301 rows = 4301 nodes - 23 missing + 22 off-lattice + 1
	// duplicate (7.6, -2, -2.25). Off-lattice: N/O = -1.675 (O/H 7.0) and
	// -1.775 (O/H 7.5); missing: those O/H's -1.625 and -1.875 nodes and
	// (8.6, 0, -2).
	if g.Filled != 23 || g.OffLattice != 22 || g.Duplicates != 1 {
		t.Errorf("filled %d, off-lattice %d, duplicates %d; want 23, 22, 1", g.Filled, g.OffLattice, g.Duplicates)
	}
	want := "OII_3727 NeIII_3868 OIII_4363 OIII_5007 NII_5755 SIII_6312 NII_6584 SII_6717_31 OII_7325 SIII_9069"
	if got := strings.Join(g.Lines(), " "); got != want {
		t.Errorf("lines %q", got)
	}
}

func TestSharedDataGridPoints(t *testing.T) {
	g, raw := load(t)
	oh, _ := raw.Col("12+log(O/H)")
	no, _ := raw.Col("log(N/O)")
	u, _ := raw.Col("log(U)")
	names := raw.Names()[3:]
	var checked int
	for r := 0; r < raw.Len(); r++ {
		got, err := g.Ratios(oh[r], no[r], u[r])
		if err != nil {
			t.Fatal(err)
		}
		off := index(g.axes[1], no[r]) < 0
		for q, n := range names {
			v, _ := raw.Col(n)
			want := math.Max(v[r], ZeroFloor)
			if off {
				// Off-lattice rows are not nodes; they were interpolated
				// from to fill, so the grid passes near them (where the
				// neighbouring nodes are not zeros of the file).
				if want >= 0.01 && math.Abs(math.Log10(got[q]/want)) > 0.05 {
					t.Errorf("off-lattice row %d %s: %v vs %v", r+1, n, got[q], want)
				}
				continue
			}
			if math.Abs(got[q]-want) > 1e-12*want && !(r > 0 && oh[r] == 7.6 && no[r] == -2 && u[r] == -2.25) {
				t.Errorf("row %d %s: %v, table %v", r+1, n, got[q], want)
			}
		}
		checked++
	}
	if checked != raw.Len() {
		t.Errorf("checked %d rows", checked)
	}
}

func TestSharedDataTrilinear(t *testing.T) {
	g, raw := load(t)
	// An independent trilinear interpolation from the raw rows: the centre
	// of the cell (8.0–8.1, -1.0–-0.875, -3.0–-2.75) is the mean of the
	// logs of the 8 corners; a point on an edge is linear between two.
	oh, _ := raw.Col("12+log(O/H)")
	no, _ := raw.Col("log(N/O)")
	u, _ := raw.Col("log(U)")
	o3, _ := raw.Col("OIII_5007")
	find := func(a, b, c float64) float64 {
		for r := range oh {
			if math.Abs(oh[r]-a) < 1e-9 && math.Abs(no[r]-b) < 1e-9 && math.Abs(u[r]-c) < 1e-9 {
				return math.Log10(o3[r])
			}
		}
		t.Fatalf("no row (%v, %v, %v)", a, b, c)
		return 0
	}
	var mean float64
	for _, a := range []float64{8.0, 8.1} {
		for _, b := range []float64{-1, -0.875} {
			for _, c := range []float64{-3, -2.75} {
				mean += find(a, b, c) / 8
			}
		}
	}
	got, err := g.LogRatios(8.05, -0.9375, -2.875)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got[3]-mean) > 1e-9 {
		t.Errorf("cell centre log OIII_5007 = %v, corner mean %v", got[3], mean)
	}
	edge := 0.3*find(8.0, -1, -3) + 0.7*find(8.0, -1, -2.75)
	got, _ = g.LogRatios(8.0, -1, -3+0.7*0.25)
	if math.Abs(got[3]-edge) > 1e-9 {
		t.Errorf("edge log OIII_5007 = %v, want %v", got[3], edge)
	}
	if _, err := g.LogRatios(9.2, -1, -3); !errors.Is(err, ErrOutside) {
		t.Errorf("outside: %v", err)
	}
}

func TestSharedDataSample(t *testing.T) {
	g, _ := load(t)
	s := &Simulator{Grid: g, DefaultNoise: 0.05, Noise: map[string]float64{"OIII_5007": 0.02}}
	const n = 20000
	tb, err := s.Sample(context.Background(), n, rand.NewPCG(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Names()) != 23 || tb.Len() != n || tb.Names()[0] != "OH" || tb.Names()[13] != "log_OII_3727" {
		t.Fatalf("columns %v", tb.Names())
	}
	if tb.Unit("OH") != "dex" || tb.Unit("log_OIII_5007") != "dex" {
		t.Errorf("units %q %q", tb.Unit("OH"), tb.Unit("log_OIII_5007"))
	}
	lo, hi := g.Bounds()
	for a, name := range ParamNames {
		v, _ := tb.Col(name)
		m, vr := stat.MeanVariance(v, nil)
		w := hi[a] - lo[a]
		if math.Abs(m-(lo[a]+hi[a])/2) > 0.02*w || math.Abs(vr-w*w/12) > 0.03*w*w/12 {
			t.Errorf("%s: mean %v var %v, want uniform on [%v, %v]", name, m, vr, lo[a], hi[a])
		}
	}
	// Relative noise: residuals of log10 against the noiseless values.
	par, _ := tb.Matrix(ParamNames...)
	clean := g.Resimulate(par)
	for q, l := range g.Lines() {
		v, _ := tb.Col(l)
		lv, _ := tb.Col("log_" + l)
		res := make([]float64, n)
		for i := range v {
			if math.Abs(math.Log10(v[i])-lv[i]) > 1e-12 {
				t.Fatalf("%s row %d: log column %v, log10 of ratio %v", l, i, lv[i], math.Log10(v[i]))
			}
			res[i] = v[i]/clean.At(i, q) - 1
		}
		want := 0.05
		if l == "OIII_5007" {
			want = 0.02
		}
		if sd := stat.StdDev(res, nil); math.Abs(sd-want) > 0.05*want {
			t.Errorf("%s: relative noise %.4f, want %v", l, sd, want)
		}
	}
	// Seeded: the same seed, the same table.
	again, _ := s.Sample(context.Background(), n, rand.NewPCG(1, 2))
	a, _ := tb.Col("log_NII_6584")
	b, _ := again.Col("log_NII_6584")
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("row %d differs with equal seeds", i)
		}
	}
}

func TestSharedDataResimulate(t *testing.T) {
	g, _ := load(t)
	p := mat.NewDense(3, 3, []float64{8.2, -1, -3, 9.5, -1, -3, 7.0, -1.625, -2.5})
	r := g.Resimulate(p)
	want, _ := g.Ratios(8.2, -1, -3)
	if !floatsEqual(r.RawRowView(0), want) {
		t.Errorf("Resimulate row 0 %v, Ratios %v", r.RawRowView(0), want)
	}
	for _, v := range r.RawRowView(1) {
		if !math.IsNaN(v) {
			t.Errorf("outside the grid: %v, want NaN", r.RawRowView(1))
			break
		}
	}
	// A filled node lies between its off-lattice neighbours -1.675 and -1.5.
	for _, v := range r.RawRowView(2) {
		if math.IsNaN(v) || v <= 0 {
			t.Errorf("filled node: %v", r.RawRowView(2))
		}
	}
	if e := g.Resimulate(&mat.Dense{}); !e.IsEmpty() {
		t.Error("empty Resimulate")
	}
}

func floatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSyntheticFill builds a 3×3×2 grid with one node missing and one
// off-lattice row and checks the filling and interpolation.
func TestSyntheticFill(t *testing.T) {
	var oh, no, u, line []float64
	f := func(a, b, c float64) float64 { return math.Pow(10, a+2*b-c) } // log-linear
	for _, a := range []float64{7, 7.5, 8} {
		for _, b := range []float64{-1, -0.5, 0} {
			for _, c := range []float64{-3, -2} {
				if a == 7.5 && b == -0.5 && c == -3 {
					// missing node; an off-lattice row instead at b = -0.25
					oh, no, u, line = append(oh, a), append(no, -0.25), append(u, c), append(line, f(a, -0.25, c))
					continue
				}
				oh, no, u, line = append(oh, a), append(no, b), append(u, c), append(line, f(a, b, c))
			}
		}
	}
	tb, _ := table.New([]string{"12+log(O/H)", "log(N/O)", "log(U)", "L1"}, [][]float64{oh, no, u, line})
	g, err := NewGrid("synthetic", tb)
	if err != nil {
		t.Fatal(err)
	}
	if g.Filled != 1 || g.OffLattice != 1 || g.Duplicates != 0 {
		t.Errorf("filled %d off %d dup %d", g.Filled, g.OffLattice, g.Duplicates)
	}
	// The fill interpolates along N/O between -1 and the off-lattice
	// -0.25; the function is log-linear, so it is exact anywhere.
	for _, p := range [][3]float64{{7.5, -0.5, -3}, {7.2, -0.7, -2.4}, {8, 0, -2}} {
		got, err := g.LogRatios(p[0], p[1], p[2])
		if err != nil {
			t.Fatal(err)
		}
		if want := p[0] + 2*p[1] - p[2]; math.Abs(got[0]-want) > 1e-9 {
			t.Errorf("%v: log L1 %v, want %v", p, got[0], want)
		}
	}
	// A node that cannot be filled is an error naming it.
	tb2, _ := table.New([]string{"12+log(O/H)", "log(N/O)", "log(U)", "L1"},
		[][]float64{{7, 7, 8, 7}, {-1, 0, -1, -1}, {-3, -3, -3, -2}, {1, 1, 1, 1}})
	if _, err := NewGrid("holes", tb2); err == nil || !strings.Contains(err.Error(), "lacks the model") {
		t.Errorf("unfillable grid: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.dat"))
	if !errors.Is(err, ErrNoGrid) || !strings.Contains(err.Error(), "HII-CHI-Mistry") {
		t.Errorf("absent grid: %v", err)
	}
	bad, _ := table.New([]string{"a"}, [][]float64{{1}})
	if _, err := NewGrid("bad", bad); err == nil || !strings.Contains(err.Error(), "12+log(O/H)") {
		t.Errorf("not a grid: %v", err)
	}
	neg, _ := table.New([]string{"12+log(O/H)", "log(N/O)", "log(U)", "L1"}, [][]float64{{7, 8}, {-1, -1}, {-3, -3}, {1, -1}})
	if _, err := NewGrid("neg", neg); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("negative ratio: %v", err)
	}
}

func TestSharedDataSimulatorErrors(t *testing.T) {
	g, _ := load(t)
	for _, s := range []*Simulator{
		{Grid: g, Min: [3]float64{6, 0, 0}, Max: [3]float64{8, 0, 0}},
		{Grid: g, Noise: map[string]float64{"Halpha": 0.1}},
		{Grid: g, DefaultNoise: -1},
	} {
		if _, err := s.Sample(context.Background(), 5, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("%+v: no error", *s)
		}
	}
	s := &Simulator{Grid: g, Min: [3]float64{8, 0, 0}, Max: [3]float64{8.5, 0, 0}}
	tb, err := s.Sample(context.Background(), 100, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := tb.Col("OH")
	if mn, mx := floatsMinMax(v); mn < 8 || mx > 8.5 {
		t.Errorf("OH in [%v, %v], want [8, 8.5]", mn, mx)
	}
}

func floatsMinMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}
