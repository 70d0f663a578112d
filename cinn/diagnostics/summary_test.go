// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Values computed with numpy.percentile (default method "linear").
func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		p    float64
		want float64
	}{
		{[]float64{7}, 0, 7},
		{[]float64{7}, 0.3, 7},
		{[]float64{7}, 1, 7},
		{[]float64{1, 2, 3, 4}, 0, 1},
		{[]float64{1, 2, 3, 4}, 0.25, 1.75},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4}, 0.75, 3.25},
		{[]float64{1, 2, 3, 4}, 1, 4},
		{[]float64{0, 10}, 0.16, 1.6},
		{[]float64{0, 10}, 0.84, 8.4},
		{[]float64{-3, -1, 0, 2, 10}, 0.025, -2.8},
		{[]float64{-3, -1, 0, 2, 10}, 0.975, 9.2},
		{[]float64{-3, -1, 0, 2, 10}, 0.16, -1.72},
	} {
		if got := Percentile(tc.x, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tc.x, tc.p, got, tc.want)
		}
	}
}

func TestPercentilePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"empty":        func() { Percentile(nil, 0.5) },
		"negative":     func() { Percentile([]float64{1}, -0.1) },
		"above one":    func() { Percentile([]float64{1}, 1.1) },
		"NaN level":    func() { Percentile([]float64{1}, math.NaN()) },
		"zero level":   func() { CentralInterval([]float64{1}, 0) },
		"nil":          func() { Summarize(nil, nil) },
		"bad level":    func() { Summarize(mat.NewDense(2, 1, []float64{1, 2}), []float64{0.68, 1.5}) },
		"nil in all":   func() { SummarizeAll(context.Background(), []*mat.Dense{nil}, nil) },
		"empty matrix": func() { Summarize(&mat.Dense{}, nil) },
		"empty in all": func() { SummarizeAll(context.Background(), []*mat.Dense{{}}, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "diagnostics: ") {
					t.Fatalf("panic %v lacks the diagnostics: prefix", r)
				}
			}()
			f()
		})
	}
}

func normalSamples(rng *rand.Rand, n int, mu, sigma float64) *mat.Dense {
	m := mat.NewDense(n, 1, nil)
	for i := range n {
		m.Set(i, 0, mu+sigma*rng.NormFloat64())
	}
	return m
}

// TestSummarizeNormal checks the summaries of N(μ, σ²) samples against the
// distribution's values. With n = 20,000 the standard errors are σ/√n =
// 0.014σ (mean), 1.25σ/√n = 0.018σ (median), σ/√(2n) = 0.005σ (std),
// about 0.02σ (16/84 percentiles) and 0.03σ (2.5/97.5 percentiles); the
// tolerances are about five standard errors. The KDE mode of a normal sample
// converges slowly (its error is of order n^(-1/5)): over 200 seeds its
// standard deviation is 0.09σ at this n, so 0.4σ is allowed.
func TestSummarizeNormal(t *testing.T) {
	const n = 20000
	for _, tc := range []struct{ mu, sigma float64 }{{0, 1}, {3, 2}, {-1e3, 1e-3}, {1e6, 50}} {
		rng := rand.New(rand.NewPCG(uint64(tc.sigma*1e3), 7))
		s := Summarize(normalSamples(rng, n, tc.mu, tc.sigma), []float64{0.68, 0.95})[0]
		z68, z95 := 0.994457883209753, 1.959963984540054
		for _, c := range []struct {
			name      string
			got, want float64
			tol       float64 // in units of σ
		}{
			{"mean", s.Mean, tc.mu, 0.07},
			{"median", s.Median, tc.mu, 0.09},
			{"std", s.Std, tc.sigma, 0.025},
			{"MAP", s.MAP, tc.mu, 0.4},
			{"lo68", s.Intervals[0].Lo, tc.mu - z68*tc.sigma, 0.1},
			{"hi68", s.Intervals[0].Hi, tc.mu + z68*tc.sigma, 0.1},
			{"lo95", s.Intervals[1].Lo, tc.mu - z95*tc.sigma, 0.15},
			{"hi95", s.Intervals[1].Hi, tc.mu + z95*tc.sigma, 0.15},
			{"bandwidth", s.Bandwidth, 0.9 * tc.sigma * math.Pow(n, -0.2), 0.01},
		} {
			if math.Abs(c.got-c.want) > c.tol*tc.sigma {
				t.Errorf("N(%v, %v²): %s = %v, want %v ± %v", tc.mu, tc.sigma, c.name, c.got, c.want, c.tol*tc.sigma)
			}
		}
		if s.N != n || s.Intervals[0].Level != 0.68 || s.Intervals[1].Level != 0.95 {
			t.Errorf("N = %d, levels %v", s.N, s.Intervals)
		}
	}
}

// TestSummarizeBimodal checks that the MAP is at the higher mode of a
// two-component mixture, on either side, while the mean lies between.
func TestSummarizeBimodal(t *testing.T) {
	for _, tc := range []struct {
		w1, m1, s1, m2, s2 float64
		want               float64
	}{
		{0.3, -2, 0.5, 3, 0.5, 3},
		{0.7, -2, 0.5, 3, 0.5, -2},
		{0.45, 0, 0.2, 5, 1, 0}, // fewer but narrower samples give the higher peak
		{0.6, 10, 1, 11, 0.05, 11},
	} {
		rng := rand.New(rand.NewPCG(3, 4))
		const n = 4096
		m := mat.NewDense(n, 1, nil)
		for i := range n {
			if rng.Float64() < tc.w1 {
				m.Set(i, 0, tc.m1+tc.s1*rng.NormFloat64())
			} else {
				m.Set(i, 0, tc.m2+tc.s2*rng.NormFloat64())
			}
		}
		s := Summarize(m, nil)[0]
		sd := tc.s2
		if tc.want == tc.m1 {
			sd = tc.s1
		}
		// The component's own mode estimate has a standard deviation of
		// about 0.14σ at this n (see TestSummarizeNormal); the mixture
		// bandwidth is wider, which biases towards the other mode a little.
		if math.Abs(s.MAP-tc.want) > 0.5*sd {
			t.Errorf("mixture %+v: MAP = %v, want %v ± %v", tc, s.MAP, tc.want, 0.5*sd)
		}
	}
}

// TestModeIsKDEMaximum compares the refined mode with a brute-force search
// of the exact KDE on a fine grid: the refined density must not be lower.
func TestModeIsKDEMaximum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 20 {
		n := 5 + rng.IntN(300)
		x := make([]float64, n)
		for i := range x {
			switch trial % 3 {
			case 0:
				x[i] = rng.NormFloat64()
			case 1:
				x[i] = rng.ExpFloat64()
			default:
				x[i] = float64(rng.IntN(4)) + 0.3*rng.NormFloat64()
			}
		}
		slices.Sort(x)
		mode, h := Mode(x)
		dens := func(t float64) float64 { s, _, _ := kdeSums(x, h, t); return s }
		best := math.Inf(-1)
		const g = 20000
		for i := range g + 1 {
			t := x[0] + (x[n-1]-x[0])*float64(i)/g
			best = math.Max(best, dens(t))
		}
		if got := dens(mode); got < best*(1-1e-9) {
			t.Errorf("trial %d (n=%d): density at mode %v is %v, grid maximum %v", trial, n, mode, got, best)
		}
		if h != SilvermanBandwidth(x) {
			t.Errorf("bandwidth %v != SilvermanBandwidth %v", h, SilvermanBandwidth(x))
		}
	}
}

func TestSummarizeDegenerate(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    []float64
		want Summary
	}{
		{"constant", []float64{1.5, 1.5, 1.5, 1.5}, Summary{N: 4, Mean: 1.5, Median: 1.5, MAP: 1.5, Min: 1.5, Max: 1.5,
			Intervals: []Interval{{0.68, 1.5, 1.5}}}},
		{"single", []float64{-2}, Summary{N: 1, Mean: -2, Median: -2, MAP: -2, Min: -2, Max: -2,
			Intervals: []Interval{{0.68, -2, -2}}}},
	} {
		got := Summarize(mat.NewDense(len(tc.x), 1, tc.x), []float64{0.68})[0]
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}

	// Zero IQR but non-zero σ: most samples tied. The bandwidth falls back
	// to σ and the mode is near the tied value (the kernels of the spread
	// samples pull it a little to the right).
	x := make([]float64, 100)
	for i := range 10 {
		x[90+i] = float64(i + 1)
	}
	s := Summarize(mat.NewDense(100, 1, x), nil)[0]
	if s.MAP < 0 || s.MAP > 0.05 {
		t.Errorf("tied samples: MAP = %v, want 0", s.MAP)
	}
	if want := 0.9 * s.Std * math.Pow(100, -0.2); math.Abs(s.Bandwidth-want) > 1e-12 {
		t.Errorf("tied samples: bandwidth %v, want %v", s.Bandwidth, want)
	}

	// A NaN column gives NaN statistics; the other column is unaffected.
	m := mat.NewDense(3, 2, []float64{1, 1, math.NaN(), 2, 3, 3})
	ss := Summarize(m, []float64{0.5})
	if !math.IsNaN(ss[0].Mean) || !math.IsNaN(ss[0].MAP) || !math.IsNaN(ss[0].Intervals[0].Lo) {
		t.Errorf("NaN column: %+v", ss[0])
	}
	if ss[1].Mean != 2 || ss[1].Median != 2 {
		t.Errorf("finite column: %+v", ss[1])
	}
}

func TestSummarizeAll(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	obs := make([]*mat.Dense, 13)
	for i := range obs {
		n := 50 + rng.IntN(200)
		m := mat.NewDense(n, 3, nil)
		for k := range n {
			m.Set(k, 0, rng.NormFloat64())
			m.Set(k, 1, rng.ExpFloat64())
			m.Set(k, 2, float64(i))
		}
		obs[i] = m
	}
	levels := []float64{0.5, 0.9}
	var prev [][]Summary
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		got, err := SummarizeAll(context.Background(), obs, levels)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range obs {
			if want := Summarize(m, levels); !reflect.DeepEqual(got[i], want) {
				t.Fatalf("GOMAXPROCS %d: observation %d differs from Summarize", procs, i)
			}
		}
		if prev != nil && !reflect.DeepEqual(prev, got) {
			t.Fatalf("GOMAXPROCS %d changes the result", procs)
		}
		prev = got
	}

	obs[7].Set(4, 1, math.Inf(1))
	obs[9].Set(0, 0, math.NaN())
	_, err := SummarizeAll(context.Background(), obs, levels)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Obs != 7 || nf.Row != 4 || nf.Col != 1 {
		t.Fatalf("error %v, want the +Inf of observation 7, row 4, column 1", err)
	}
	if !strings.Contains(err.Error(), "observation 7: row 4, column 1 is +Inf") {
		t.Errorf("message %q", err)
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("interrupted")
	cancel(cause)
	if _, err := SummarizeAll(ctx, obs, levels); err != cause {
		t.Errorf("cancelled: error %v, want the cause", err)
	}
}

// TestModeClusters checks the MAP when the samples fall into clusters
// farther apart than the kernels reach: a far outlier must not coarsen the
// grid of the bulk, and a tight cluster beats a broad one with more samples.
func TestModeClusters(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	const n = 4096
	x := make([]float64, n)
	for i := range n - 1 {
		x[i] = rng.NormFloat64()
	}
	x[n-1] = 1e6
	s := Summarize(mat.NewDense(n, 1, x), nil)[0]
	if math.Abs(s.MAP) > 0.4 {
		t.Errorf("bulk N(0,1) plus an outlier at 1e6: MAP %v, want 0 ± 0.4", s.MAP)
	}

	// 30% of the samples tied at 50, 70% N(0, 20²): h ≈ 4.8, so the
	// bulk's estimate peaks at about 0.7·h/√(h²+20²) = 0.16 of the tie's
	// kernel peak scaled by n, below the tie's 0.3: the mode is at the tie,
	// pulled slightly towards the bulk.
	for i := range n {
		if i < 3*n/10 {
			x[i] = 50
		} else {
			x[i] = 20 * rng.NormFloat64()
		}
	}
	if s := Summarize(mat.NewDense(n, 1, x), nil)[0]; s.MAP > 50 || s.MAP < 49.5 {
		t.Errorf("tied cluster: MAP %v, want in [49.5, 50]", s.MAP)
	}

	// Two equal tied clusters: the smaller value wins the tie.
	for i := range n {
		x[i] = float64(7 - 14*(i%2))
	}
	if s := Summarize(mat.NewDense(n, 1, x), nil)[0]; s.MAP != -7 {
		t.Errorf("two tied clusters: MAP %v, want -7", s.MAP)
	}
}

// TestSummaryInvariants checks orderings that hold for any sample: nested
// intervals around the median, the MAP inside the sampled support.
func TestSummaryInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	levels := []float64{0.1, 0.5, 0.68, 0.9, 0.95, 1}
	for trial := range 60 {
		n := 1 + rng.IntN(2000)
		m := mat.NewDense(n, 1, nil)
		for i := range n {
			var v float64
			switch trial % 4 {
			case 0:
				v = rng.NormFloat64()
			case 1:
				v = math.Tan(math.Pi * (rng.Float64() - 0.5)) // Cauchy
			case 2:
				v = float64(rng.IntN(3))
			default:
				v = 1e-8 * rng.Float64()
			}
			m.Set(i, 0, v)
		}
		s := Summarize(m, levels)[0]
		if !(s.Min <= s.MAP && s.MAP <= s.Max) {
			t.Errorf("trial %d: MAP %v outside [%v, %v]", trial, s.MAP, s.Min, s.Max)
		}
		prev := Interval{Lo: s.Median, Hi: s.Median}
		for _, iv := range s.Intervals {
			if iv.Lo > prev.Lo || iv.Hi < prev.Hi {
				t.Errorf("trial %d: interval %+v does not contain %+v", trial, iv, prev)
			}
			prev = iv
		}
		if last := s.Intervals[len(levels)-1]; last.Lo != s.Min || last.Hi != s.Max {
			t.Errorf("trial %d: level 1 gives %+v, support [%v, %v]", trial, last, s.Min, s.Max)
		}
	}
}

var update = flag.Bool("update", false, "regenerate testdata/*_golden.json with numpy (the project's virtualenv)")

var updateBits = flag.Bool("update-bits", false, "regenerate testdata/c2st_bits.golden (only for a change meant to move every C2ST score)")

// readGolden returns the contents of a golden file, first regenerating it
// with script (run by the virtualenv's python) when -update is set.
func readGolden(t *testing.T, path, script string) []byte {
	t.Helper()
	if *update {
		cmd := exec.Command(venvPython, script)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("regenerating %s: %v", path, err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGoldenNumpy compares Percentile, the mean, the standard deviation and
// Silverman's bandwidth with numpy on fixed samples
// (testdata/percentile_golden.json, written by testdata/percentile_numpy.py;
// -update regenerates it with the project's virtualenv).
func TestGoldenNumpy(t *testing.T) {
	data := readGolden(t, "testdata/percentile_golden.json", "testdata/percentile_numpy.py")
	var cases []struct {
		Name       string
		X, P       []float64
		Percentile []float64
		Mean, Std  float64
		Bandwidth  float64
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no golden cases")
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-13*math.Max(1, math.Abs(b)) }
	for _, c := range cases {
		x := slices.Clone(c.X)
		slices.Sort(x)
		for k, p := range c.P {
			if got := Percentile(x, p); !near(got, c.Percentile[k]) {
				t.Errorf("%s: Percentile(%v) = %v, numpy %v", c.Name, p, got, c.Percentile[k])
			}
		}
		s := Summarize(mat.NewDense(len(c.X), 1, slices.Clone(c.X)), nil)[0]
		if !near(s.Mean, c.Mean) || !near(s.Std, c.Std) || !near(s.Bandwidth, c.Bandwidth) {
			t.Errorf("%s: mean %v std %v bandwidth %v, numpy %v %v %v", c.Name, s.Mean, s.Std, s.Bandwidth, c.Mean, c.Std, c.Bandwidth)
		}
	}
}

// TestModeHeavyTails checks the mode where the range spans hundreds to
// millions of bandwidths (Cauchy samples, and signed squares of them, whose
// far tails form many small clusters): the density at the MAP must
// be at least the exact density on a grid of 3000 points over [-10, 50],
// which holds both peaks, and of spacing below h/50.
func TestModeHeavyTails(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	for _, tc := range []struct {
		n      int
		square bool
	}{{2000, false}, {20000, true}} {
		n := tc.n
		x := make([]float64, n)
		for i := range x {
			c := math.Tan(math.Pi * (rng.Float64() - 0.5))
			if tc.square {
				c *= math.Abs(c)
			}
			x[i] = c
			if i%3 == 0 {
				x[i] += 40 // a second, lower peak
			}
		}
		slices.Sort(x)
		mode, h := Mode(x)
		t.Logf("n=%d: range %.3g bandwidths", n, (x[n-1]-x[0])/h)
		fm, _, _ := kdeSums(x, h, mode)
		const g = 3000
		if 60.0/g > h/50 {
			t.Fatalf("n=%d: bandwidth %v too small for the check grid", n, h)
		}
		for i := range g + 1 {
			v := -10 + 60*float64(i)/g
			if f, _, _ := kdeSums(x, h, v); f > fm*(1+1e-9) {
				t.Fatalf("n=%d: density %v at %v exceeds %v at the MAP %v", n, f, v, fm, mode)
			}
		}
		if math.Abs(mode) > 0.3 {
			t.Errorf("n=%d: MAP %v, want near 0 (the higher peak)", n, mode)
		}
	}
}
