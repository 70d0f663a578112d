// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gaussianTestSet draws nobs observations of d parameters. The "true"
// posterior of observation i, parameter j is N(μ, σ²) with μ and σ drawn per
// observation; the truth is drawn from it, and the l samples from
// N(μ + bias·σ, (scale·σ)²). scale = 1 and bias = 0 is a perfectly
// calibrated posterior.
func gaussianTestSet(seed uint64, nobs, d, l int, scale, bias float64) ([]*mat.Dense, *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 11))
	truth := mat.NewDense(nobs, d, nil)
	samples := make([]*mat.Dense, nobs)
	for i := range nobs {
		m := mat.NewDense(l, d, nil)
		for j := range d {
			mu := 10 * rng.NormFloat64()
			sigma := math.Exp(rng.NormFloat64())
			truth.Set(i, j, mu+sigma*rng.NormFloat64())
			for s := range l {
				m.Set(s, j, mu+bias*sigma+scale*sigma*rng.NormFloat64())
			}
		}
		samples[i] = m
	}
	return samples, truth
}

// TestEvaluateCalibrated: with N = 400 observations each coverage fraction
// is binomial with standard deviation ≤ √(0.25/400) = 0.025, so coverages
// are checked to ±0.08 (3.2 standard deviations) and the median |e_cal|,
// typically 0.6 standard deviations, must be below 0.03. For a sample and a
// truth both drawn from N(μ, σ²), E(x-θ)² = 2σ².
func TestEvaluateCalibrated(t *testing.T) {
	const nobs, d, l = 400, 2, 500
	samples, truth := gaussianTestSet(1, nobs, d, l, 1, 0)
	rep, err := Evaluate(context.Background(), samples, truth, Options{Names: []string{"logAge", "mass"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Observations != nobs || len(rep.Params) != d {
		t.Fatalf("report shape %d × %d", rep.Observations, len(rep.Params))
	}
	for j, p := range rep.Params {
		if p.MedianCal > 0.03 {
			t.Errorf("%s: median |e_cal| = %v, want < 0.03", p.Name, p.MedianCal)
		}
		if math.Abs(p.Coverage68-0.68) > 0.08 || math.Abs(p.Coverage95-0.95) > 0.05 {
			t.Errorf("%s: coverage %v (68%%), %v (95%%)", p.Name, p.Coverage68, p.Coverage95)
		}
		if p.InSupport < 0.98 {
			t.Errorf("%s: in support %v, want ≥ 0.98 (expected 1-2/(L+1) = 0.996)", p.Name, p.InSupport)
		}
		if p.Rank.PValue < 0.001 {
			t.Errorf("%s: SBC p-value %v for calibrated posteriors", p.Name, p.Rank.PValue)
		}
		if len(p.Calibration.Q) != 100 || p.Calibration.Q[0] != 0.01 || p.Calibration.Q[99] != 1 {
			t.Errorf("%s: calibration levels %v", p.Name, p.Calibration.Q)
		}
		if got := p.Calibration.At(1) + 1; got != p.InSupport {
			t.Errorf("%s: e_cal(1)+1 = %v, in support %v", p.Name, got, p.InSupport)
		}
		if got := p.Calibration.At(0.68) + 0.68; math.Abs(got-p.Coverage68) > 1e-12 {
			t.Errorf("%s: e_cal(0.68)+0.68 = %v, coverage68 %v", p.Name, got, p.Coverage68)
		}

		// RMSE and u68 are computed directly from the definitions and
		// compared; σ varies per observation, so compare with the data.
		var se2 float64
		widths := make([]float64, nobs)
		var semap float64
		for i := range nobs {
			col := mat.Col(nil, j, samples[i])
			s := Summarize(samples[i].Slice(0, l, j, j+1).(*mat.Dense), []float64{0.68})[0]
			for _, v := range col {
				se2 += (v - truth.At(i, j)) * (v - truth.At(i, j))
			}
			widths[i] = s.Intervals[0].Width()
			semap += (s.MAP - truth.At(i, j)) * (s.MAP - truth.At(i, j))
			if rep.MAP.At(i, j) != s.MAP {
				t.Fatalf("%s: MAP of observation %d is %v, Summarize says %v", p.Name, i, rep.MAP.At(i, j), s.MAP)
			}
		}
		if want := math.Sqrt(se2 / (nobs * l)); math.Abs(p.RMSESamples-want) > 1e-9*want {
			t.Errorf("%s: RMSE(all) = %v, want %v", p.Name, p.RMSESamples, want)
		}
		if want := math.Sqrt(semap / nobs); math.Abs(p.RMSEMAP-want) > 1e-9*want {
			t.Errorf("%s: RMSE(MAP) = %v, want %v", p.Name, p.RMSEMAP, want)
		}
		if want := median(widths); p.U68 != want {
			t.Errorf("%s: u68 = %v, want %v", p.Name, p.U68, want)
		}
	}
	if !strings.Contains(rep.String(), "logAge") {
		t.Errorf("String lacks the names:\n%s", rep)
	}
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	s := mat.NewDense(len(y), 1, y)
	return Summarize(s, nil)[0].Median
}

// TestEvaluateMiscalibrated checks the sign of e_cal and the SBC verdict on
// over-dispersed, under-dispersed and biased posteriors. For samples
// N(bσ, (kσ)²) and a truth N(0, σ²), the truth lies inside the central
// q-interval with probability Φ(b+k·z) - Φ(b-k·z), z = Φ⁻¹((1+q)/2). At
// q = 0.5 (z = 0.6745): k = 1.5 gives 0.688 (e_cal = +0.188), k = 0.6 gives
// 0.314 (-0.186), b = 0.5 gives 0.449 (-0.051). The standard error at
// N = 400 is at most 0.025, so e_cal(0.5) is checked to ±0.06 and the sign
// of the dispersed cases (over seven standard errors at q = 0.5) for
// 0.1 ≤ q ≤ 0.9. The bias shows in the SBC test instead.
func TestEvaluateMiscalibrated(t *testing.T) {
	const nobs, l = 400, 300
	for _, tc := range []struct {
		name        string
		scale, bias float64
		sign        float64 // expected sign of e_cal for 0.1 ≤ q ≤ 0.9 (0: not checked)
		e50         float64 // expected e_cal(0.5)
	}{
		{"over-dispersed", 1.5, 0, +1, 0.188},
		{"under-dispersed", 0.6, 0, -1, -0.186},
		{"biased", 1, 0.5, 0, -0.051},
	} {
		samples, truth := gaussianTestSet(2, nobs, 1, l, tc.scale, tc.bias)
		rep, err := Evaluate(context.Background(), samples, truth, Options{})
		if err != nil {
			t.Fatal(err)
		}
		p := rep.Params[0]
		for k, q := range p.Calibration.Q {
			if tc.sign != 0 && q >= 0.1 && q <= 0.9 && p.Calibration.Err[k]*tc.sign <= 0 {
				t.Errorf("%s: e_cal(%v) = %v, want sign %+v", tc.name, q, p.Calibration.Err[k], tc.sign)
			}
		}
		if got := p.Calibration.At(0.5); math.Abs(got-tc.e50) > 0.06 {
			t.Errorf("%s: e_cal(0.5) = %v, want %v ± 0.06", tc.name, got, tc.e50)
		}
		if p.Rank.PValue > 1e-6 {
			t.Errorf("%s: SBC p-value %v, want < 1e-6", tc.name, p.Rank.PValue)
		}
		if p.Name != "x0" {
			t.Errorf("default name %q", p.Name)
		}
	}
}

// TestEvaluateRanks checks the ranks on a hand-made example and that a
// biased posterior piles ranks on one side.
func TestEvaluateRanks(t *testing.T) {
	samples := []*mat.Dense{
		mat.NewDense(4, 1, []float64{1, 2, 3, 4}),
		mat.NewDense(4, 1, []float64{4, 3, 2, 1}),
		mat.NewDense(4, 1, []float64{1, 2, 3, 4}),
		mat.NewDense(4, 1, []float64{1, 2, 3, 4}),
		mat.NewDense(4, 1, []float64{1, 2, 3, 4}),
	}
	truth := mat.NewDense(5, 1, []float64{0, 2.5, 4, 5, 1})
	rep, err := Evaluate(context.Background(), samples, truth, Options{RankBins: 5})
	if err != nil {
		t.Fatal(err)
	}
	rt := rep.Params[0].Rank
	if want := []int{0, 2, 3, 4, 0}; !reflect.DeepEqual(rt.Ranks, want) {
		t.Errorf("ranks %v, want %v", rt.Ranks, want)
	}
	// L+1 = 5 rank values in 5 bins: one each, expected 1 per bin.
	if want := []int{2, 0, 1, 1, 1}; !reflect.DeepEqual(rt.Counts, want) {
		t.Errorf("counts %v, want %v", rt.Counts, want)
	}
	if want := []float64{1, 1, 1, 1, 1}; !reflect.DeepEqual(rt.Expected, want) {
		t.Errorf("expected %v, want %v", rt.Expected, want)
	}
	if rt.ChiSquare != 2 || rt.DoF != 4 {
		t.Errorf("χ² = %v with %d dof, want 2 with 4", rt.ChiSquare, rt.DoF)
	}
	// P(χ²₄ ≥ 2) = e⁻¹·(1 + 1) = 0.7357588823428847.
	if math.Abs(rt.PValue-2/math.E) > 1e-12 {
		t.Errorf("p-value %v, want %v", rt.PValue, 2/math.E)
	}
	// In support: 0 and 5 are outside [1, 4].
	if rep.Params[0].InSupport != 0.6 {
		t.Errorf("in support %v, want 0.6", rep.Params[0].InSupport)
	}
}

func TestRankHistogram(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ranks    []int
		ls       []int
		bins     int
		counts   []int
		expected []float64
		dof      int
	}{
		// L+1 = 3 ranks in 2 bins: bin 0 holds ranks 0 and 1, bin 1 rank 2.
		{"uneven", []int{0, 1, 2}, []int{2, 2, 2}, 2, []int{2, 1}, []float64{2, 1}, 1},
		// Different L: L=1 (ranks 0, 1 → bins 0, 1), L=3 (0,1 → 0; 2,3 → 1).
		{"mixed L", []int{1, 3}, []int{1, 3}, 2, []int{0, 2}, []float64{1, 1}, 1},
		// More bins than ranks: bins 1 and 3 are unreachable with L = 1.
		{"sparse", []int{0, 1, 1}, []int{1, 1, 1}, 4, []int{1, 0, 2, 0}, []float64{1.5, 0, 1.5, 0}, 1},
	} {
		rt := RankHistogram(tc.ranks, tc.ls, tc.bins)
		if !reflect.DeepEqual(rt.Counts, tc.counts) || !reflect.DeepEqual(rt.Expected, tc.expected) || rt.DoF != tc.dof {
			t.Errorf("%s: counts %v expected %v dof %d, want %v %v %d", tc.name, rt.Counts, rt.Expected, rt.DoF, tc.counts, tc.expected, tc.dof)
		}
		var sum float64
		for _, e := range rt.Expected {
			sum += e
		}
		if math.Abs(sum-float64(len(tc.ranks))) > 1e-12 {
			t.Errorf("%s: expected counts sum to %v, want %d", tc.name, sum, len(tc.ranks))
		}
	}
	if rt := RankHistogram([]int{0}, []int{3}, 1); !math.IsNaN(rt.PValue) {
		t.Errorf("one bin: p-value %v, want NaN", rt.PValue)
	}
}

func TestEvaluateErrors(t *testing.T) {
	good := func() ([]*mat.Dense, *mat.Dense) {
		return gaussianTestSet(3, 6, 2, 20, 1, 0)
	}
	for _, tc := range []struct {
		name   string
		mutate func(s []*mat.Dense, tr *mat.Dense) ([]*mat.Dense, *mat.Dense)
		opts   Options
		want   string
		as     any
	}{
		{"too few observations", func(s []*mat.Dense, tr *mat.Dense) ([]*mat.Dense, *mat.Dense) { return s[:5], tr },
			Options{}, "5 sets of samples but the truth table has 6 rows", new(*ShapeError)},
		{"columns", func(s []*mat.Dense, tr *mat.Dense) ([]*mat.Dense, *mat.Dense) {
			s[3] = mat.NewDense(20, 3, nil)
			return s, tr
		}, Options{}, "samples of observation 3 have 3 columns but the truth table has 2", new(*ShapeError)},
		{"NaN sample", func(s []*mat.Dense, tr *mat.Dense) ([]*mat.Dense, *mat.Dense) {
			s[4].Set(7, 1, math.NaN())
			s[5].Set(0, 0, math.NaN())
			return s, tr
		}, Options{Names: []string{"a", "mass"}}, "samples of observation 4: row 7, column 1 (mass) is NaN", new(*NonFiniteError)},
		{"Inf truth", func(s []*mat.Dense, tr *mat.Dense) ([]*mat.Dense, *mat.Dense) {
			tr.Set(2, 0, math.Inf(-1))
			return s, tr
		}, Options{}, "truth: row 2, column 0 (x0) is -Inf", new(*NonFiniteError)},
	} {
		s, tr := tc.mutate(good())
		_, err := Evaluate(context.Background(), s, tr, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
			continue
		}
		if !errors.As(err, tc.as) {
			t.Errorf("%s: error %T, want %T", tc.name, err, tc.as)
		}
	}

	for name, f := range map[string]func(){
		"nil truth":   func() { Evaluate(context.Background(), nil, nil, Options{}) },
		"nil samples": func() { Evaluate(context.Background(), []*mat.Dense{nil}, mat.NewDense(1, 1, nil), Options{}) },
		"empty truth": func() { Evaluate(context.Background(), nil, &mat.Dense{}, Options{}) },
		"empty samples": func() {
			Evaluate(context.Background(), []*mat.Dense{{}}, mat.NewDense(1, 1, nil), Options{})
		},
		"names": func() {
			s, tr := good()
			Evaluate(context.Background(), s, tr, Options{Names: []string{"a"}})
		},
		"negative": func() {
			s, tr := good()
			Evaluate(context.Background(), s, tr, Options{Quantiles: -1})
		},
	} {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "diagnostics: ") {
					t.Errorf("%s: recovered %v, want a diagnostics: panic", name, r)
				}
			}()
			f()
		}()
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("interrupt")
	cancel(cause)
	s, tr := good()
	if _, err := Evaluate(ctx, s, tr, Options{}); err != cause {
		t.Errorf("cancelled: %v", err)
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	samples, truth := gaussianTestSet(4, 37, 3, 100, 1.1, 0.1)
	var prev *Report
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		rep, err := Evaluate(context.Background(), samples, truth, Options{Quantiles: 20, RankBins: 4})
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Params[0].Calibration.Q) != 20 || rep.Params[0].Calibration.Q[0] != 0.05 {
			t.Fatalf("levels %v", rep.Params[0].Calibration.Q)
		}
		if prev != nil && !reflect.DeepEqual(*prev, rep) {
			t.Fatalf("GOMAXPROCS %d changes the report", procs)
		}
		prev = &rep
	}
}

func TestCalibration(t *testing.T) {
	c := Calibration{Q: []float64{0.25, 0.5, 0.75, 1}, Err: []float64{0.1, -0.3, 0.02, -0.01}}
	if got := c.MedianAbs(); math.Abs(got-0.06) > 1e-15 {
		t.Errorf("MedianAbs = %v, want 0.06 (mean of 0.02 and 0.1)", got)
	}
	for _, tc := range []struct{ q, want float64 }{{0.1, 0.1}, {0.25, 0.1}, {0.375, -0.1}, {0.75, 0.02}, {2, -0.01}} {
		if got := c.At(tc.q); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("At(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if !math.IsNaN((Calibration{}).MedianAbs()) || !math.IsNaN((Calibration{}).At(0.5)) {
		t.Error("empty curve should give NaN")
	}
}

func TestReportHelpers(t *testing.T) {
	samples, truth := gaussianTestSet(6, 10, 2, 50, 1, 0)
	rep, err := Evaluate(context.Background(), samples, truth, Options{Names: []string{"a long parameter name", "b"}, Quantiles: 4})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Names(); !reflect.DeepEqual(got, []string{"a long parameter name", "b"}) {
		t.Errorf("Names() = %v", got)
	}
	q, ecal := rep.CalibrationCurves()
	if !reflect.DeepEqual(q, []float64{0.25, 0.5, 0.75, 1}) || len(ecal) != 2 || !reflect.DeepEqual(ecal[1], rep.Params[1].Calibration.Err) {
		t.Errorf("CalibrationCurves() = %v, %v", q, ecal)
	}
	lines := strings.Split(strings.TrimSpace(rep.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[2], "a long parameter name ") || len(lines[2]) != len(lines[3]) {
		t.Errorf("String():\n%s", rep)
	}
}

// TestGoldenEvaluate compares Evaluate with an independent numpy
// implementation of the same definitions (testdata/evaluate_numpy.py) on 40
// observations of 60 samples: a calibrated, an over-dispersed and a biased
// parameter. Fractions must match exactly, widths and RMSE to 1e-12, and
// the MAP to within two steps of numpy's brute-force grid of 200,001 points.
func TestGoldenEvaluate(t *testing.T) {
	data := readGolden(t, "testdata/evaluate_golden.json", "testdata/evaluate_numpy.py")
	var g struct {
		Samples [][][]float64
		Truth   [][]float64
		Params  []struct {
			Ecal                   []float64
			MedianAbs              float64 `json:"median_abs"`
			Coverage68, Coverage95 float64
			U68                    float64
			InSupport              float64 `json:"in_support"`
			RMSESamples            float64 `json:"rmse_samples"`
			Ranks                  []int
			MAP                    []float64 `json:"map"`
			MAPStep                []float64 `json:"map_step"`
		}
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	nobs, d := len(g.Truth), len(g.Truth[0])
	truth := mat.NewDense(nobs, d, nil)
	samples := make([]*mat.Dense, nobs)
	for i := range nobs {
		truth.SetRow(i, g.Truth[i])
		samples[i] = mat.NewDense(len(g.Samples[i]), d, nil)
		for s, row := range g.Samples[i] {
			samples[i].SetRow(s, row)
		}
	}
	rep, err := Evaluate(context.Background(), samples, truth, Options{})
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }
	for j, want := range g.Params {
		p := rep.Params[j]
		for k, e := range want.Ecal {
			if !near(p.Calibration.Err[k], e) {
				t.Errorf("x%d: e_cal(%v) = %v, numpy %v", j, p.Calibration.Q[k], p.Calibration.Err[k], e)
			}
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"median |e_cal|", p.MedianCal, want.MedianAbs},
			{"coverage68", p.Coverage68, want.Coverage68},
			{"coverage95", p.Coverage95, want.Coverage95},
			{"u68", p.U68, want.U68},
			{"in support", p.InSupport, want.InSupport},
			{"RMSE(all)", p.RMSESamples, want.RMSESamples},
		} {
			if !near(c.got, c.want) {
				t.Errorf("x%d: %s = %v, numpy %v", j, c.name, c.got, c.want)
			}
		}
		if !reflect.DeepEqual(p.Rank.Ranks, want.Ranks) {
			t.Errorf("x%d: ranks %v, numpy %v", j, p.Rank.Ranks, want.Ranks)
		}
		for i, m := range want.MAP {
			if got := rep.MAP.At(i, j); math.Abs(got-m) > 2*want.MAPStep[i] {
				t.Errorf("x%d, observation %d: MAP %v, numpy grid %v (step %v)", j, i, got, m, want.MAPStep[i])
			}
		}
	}
	// The golden set's parameters: calibrated, over-dispersed, biased.
	if e := rep.Params[1].Calibration.At(0.5); e <= 0 {
		t.Errorf("over-dispersed parameter: e_cal(0.5) = %v, want > 0", e)
	}
}
