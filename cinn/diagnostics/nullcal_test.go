// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// directECal simulates what NullMedianCal and CalibrationBand model, from
// scratch: for each of n observations the truth and l samples are drawn
// from one normal distribution and the truth is tested against the central
// intervals of the samples at every level, as Evaluate does. It returns
// the calibration curve of each of draws test sets.
func directECal(n, l, levels, draws int, rng *rand.Rand) []Calibration {
	x := make([]float64, l)
	counts := make([]int, levels)
	out := make([]Calibration, draws)
	for r := range out {
		cal := Calibration{Q: make([]float64, levels), Err: make([]float64, levels)}
		for k := range cal.Q {
			cal.Q[k] = float64(k+1) / float64(levels)
		}
		clear(counts)
		for range n {
			t := rng.NormFloat64()
			for s := range x {
				x[s] = rng.NormFloat64()
			}
			slices.Sort(x)
			for k, q := range cal.Q {
				if CentralInterval(x, q).Contains(t) {
					counts[k]++
				}
			}
		}
		for k, q := range cal.Q {
			cal.Err[k] = float64(counts[k])/float64(n) - q
		}
		out[r] = cal
	}
	return out
}

// directNullMedianCal returns the sorted median |e_cal| of directECal's
// test sets.
func directNullMedianCal(n, l, levels, draws int, rng *rand.Rand) []float64 {
	cals := directECal(n, l, levels, draws, rng)
	out := make([]float64, len(cals))
	for r, c := range cals {
		out[r] = c.MedianAbs()
	}
	slices.Sort(out)
	return out
}

// TestNullMedianCalDirect compares the multinomial model with a direct
// simulation of calibrated posteriors at few samples per observation
// (L = 50, where the truth falls outside the sampled support 2/51 of the
// time and intervals hold about q·49/51 of the truths), and checks that
// the model of infinitely many samples does not fit it: the finite number
// of samples matters and is modelled. With 2,000 draws the means are known
// to about 0.0002 and the 90% points to about 0.0005; the median |e_cal|
// moves in steps of 0.0025 (200 observations, 10 levels). Both ways of
// drawing the multinomial are checked. Measured over
// 4,000 draws: means 0.0295 (direct), 0.0297 (model), 0.0196 (infinitely
// many samples). At L = 20 the model is further off (0.0543 against
// 0.0527): q·(L−1)/(L+1) is exact for order statistics, not for the
// percentiles interpolated between them.
func TestNullMedianCalDirect(t *testing.T) {
	const n, l, levels, draws = 200, 50, 10, 2000
	direct := directNullMedianCal(n, l, levels, draws, rand.New(rand.NewPCG(5, 5)))
	dm := stat.Mean(direct, nil)
	for _, multinomial := range []bool{false, true} {
		model := nullMedianCal(n, NullOptions{Samples: l, Levels: levels, Draws: draws}, rand.NewPCG(6, 6), multinomial)
		inf := nullMedianCal(n, NullOptions{Levels: levels, Draws: draws}, rand.NewPCG(6, 6), multinomial)
		mm, im := stat.Mean(model, nil), stat.Mean(inf, nil)
		if math.Abs(dm-mm) > 0.001 {
			t.Errorf("binomial draws %v: mean median |e_cal|: model %.4f, direct simulation %.4f", multinomial, mm, dm)
		}
		if d, m := Percentile(direct, 0.9), Percentile(model, 0.9); math.Abs(d-m) > 0.003 {
			t.Errorf("binomial draws %v: 90%% point: model %.4f, direct simulation %.4f", multinomial, m, d)
		}
		if math.Abs(dm-im) < 0.005 {
			t.Errorf("binomial draws %v: infinitely many samples: mean %.4f, as close to the direct simulation at L = %d (%.4f) as the model", multinomial, im, l, dm)
		}
	}
}

// TestNullMedianCal checks that the draws are sorted and reproducible from
// the seed, and that the median |e_cal| of a perfect posterior shrinks as
// 1/√n (it is the median over levels of an empirical process whose
// standard deviation at each level is √(q(1−q)/n)).
func TestNullMedianCal(t *testing.T) {
	const reps = 2000
	draw := func(n int, seed uint64) []float64 {
		t.Helper()
		d := NullMedianCal(n, NullOptions{Draws: reps}, rand.NewPCG(seed, 1))
		if len(d) != reps || !slices.IsSorted(d) {
			t.Fatalf("n %d: %d draws, sorted %v: want %d sorted", n, len(d), slices.IsSorted(d), reps)
		}
		return d
	}
	a, b := draw(500, 1), draw(500, 1)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave other draws")
	}
	if c := draw(500, 2); slices.Equal(a, c) {
		t.Error("another seed gave the same draws")
	}
	mean := func(d []float64) float64 { return stat.Mean(d, nil) }
	if r := mean(a) / mean(draw(2000, 3)); r < 1.85 || r > 2.15 {
		t.Errorf("mean median |e_cal| at 500 observations over 2,000: %.3f, want about 2 (1/√n)", r)
	}
	// At one level the error's standard deviation is √(q(1−q)/n); the
	// median over the levels of |e_cal| lies below that at q = 0.5.
	if m, sd := mean(a), math.Sqrt(0.25/500); m <= 0 || m >= sd {
		t.Errorf("mean median |e_cal| of a perfect posterior at 500 observations %.4f, want in (0, %.4f)", m, sd)
	}
	if d := NullMedianCal(10, NullOptions{}, rand.NewPCG(1, 1)); len(d) != 10000 {
		t.Errorf("default draws: %d, want 10,000", len(d))
	}
	for _, bad := range []struct {
		n    int
		opts NullOptions
	}{{0, NullOptions{}}, {10, NullOptions{Samples: 1}}, {10, NullOptions{Levels: -1}}, {10, NullOptions{Draws: -1}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("n %d, %+v: no panic", bad.n, bad.opts)
				}
			}()
			NullMedianCal(bad.n, bad.opts, rand.NewPCG(1, 1))
		}()
	}
}

func TestNullPValue(t *testing.T) {
	null := []float64{0.1, 0.2, 0.2, 0.3}
	for _, c := range []struct{ v, want float64 }{
		{0, 1}, {0.1, 1}, {0.15, 4.0 / 5}, {0.2, 4.0 / 5}, {0.25, 2.0 / 5}, {0.3, 2.0 / 5}, {0.5, 1.0 / 5},
	} {
		if got := NullPValue(null, c.v); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("NullPValue(%v) = %v, want %v", c.v, got, c.want)
		}
	}
	if got := NullPValue(null, math.NaN()); !math.IsNaN(got) {
		t.Errorf("NullPValue(NaN) = %v, want NaN", got)
	}
}

// TestNullPValueOnEvaluate runs Evaluate on calibrated and on too wide
// posteriors (100 samples each, 300 observations, 2 parameters, 25 test
// sets) and takes the p-values of their median |e_cal| against
// NullMedianCal. Calibrated: p ≤ 0.05 in at most 0.05 plus three standard
// deviations (0.031) of the 50 p-values, and their mean near 0.5 (standard
// deviation 0.041 for uniform p-values). Too wide by 60% (e_cal(0.5) ≈
// +0.22, the 99% point of the null is about 0.05): p ≤ 0.001 in all of
// 5 test sets. (At 30% too wide, e_cal(0.5) ≈ +0.12, the median over the
// levels is 0.05 to 0.08 on 300 observations, and p runs up to 0.17: the
// median |e_cal| has little power on a few hundred observations.)
func TestNullPValueOnEvaluate(t *testing.T) {
	const nobs, d, l, sets = 300, 2, 100, 25
	null := NullMedianCal(nobs, NullOptions{Samples: l}, rand.NewPCG(7, 7))
	pvalues := func(scale float64, sets int) []float64 {
		var ps []float64
		for seed := range uint64(sets) {
			samples, truth := gaussianTestSet(100+seed, nobs, d, l, scale, 0)
			rep, err := Evaluate(context.Background(), samples, truth, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Params {
				ps = append(ps, NullPValue(null, p.MedianCal))
			}
		}
		return ps
	}
	ps := pvalues(1, sets)
	small := 0
	for _, p := range ps {
		if p <= 0.05 {
			small++
		}
	}
	if f := float64(small) / float64(len(ps)); f > 0.05+3*0.031 {
		t.Errorf("calibrated posteriors: p ≤ 0.05 in %.3f of %d test sets", f, len(ps))
	}
	if m := stat.Mean(ps, nil); m < 0.37 || m > 0.67 {
		t.Errorf("calibrated posteriors: mean p-value %.3f, want about 0.5", m)
	}
	for i, p := range pvalues(1.6, 5) {
		if p > 0.001 {
			t.Errorf("posteriors 60%% too wide, test set %d: p-value %v", i, p)
		}
	}
}

// TestCalibrationBand checks the pointwise 95% band against the direct
// simulation (200 observations, L = 50 samples, 10 levels, 2,000 test
// sets): at every level 93 to 99% of the simulated e_cal lie inside (at
// least 95% but for the model's approximation and 2,000 draws; the
// binomial's discreteness makes it a little more). The band at q = 1 is a
// point: 0 with infinitely many samples, the support term −2/(L+1)
// rounded to whole observations with L. Bad arguments panic.
func TestCalibrationBand(t *testing.T) {
	const n, l, levels, draws = 200, 50, 10, 2000
	cals := directECal(n, l, levels, draws, rand.New(rand.NewPCG(8, 8)))
	q := cals[0].Q
	lo, hi := CalibrationBand(n, l, q, 0.95)
	for k := range q {
		in := 0
		for _, c := range cals {
			if e := c.Err[k]; e >= lo[k]-1e-12 && e <= hi[k]+1e-12 {
				in++
			}
		}
		if f := float64(in) / draws; f < 0.93 || f > 0.99 {
			t.Errorf("q = %.1f: band [%.3f, %.3f] holds %.3f of the simulated e_cal, want about 0.95", q[k], lo[k], hi[k], f)
		}
	}
	if lo, hi := CalibrationBand(n, 0, []float64{0, 1}, 0.95); lo[0] != 0 || hi[0] != 0 || lo[1] != 0 || hi[1] != 0 {
		t.Errorf("q = 0 and 1, infinitely many samples: band %v, %v, want zeros", lo, hi)
	}
	if lo, hi := CalibrationBand(1000, 9, []float64{1}, 0.95); !(lo[0] < hi[0] && hi[0] < 0 && lo[0] < -0.2 && hi[0] > -0.2) {
		t.Errorf("q = 1, L = 9 (truths outside the support 20%% of the time): band [%v, %v], want around -0.2", lo[0], hi[0])
	}
	for _, bad := range []func(){
		func() { CalibrationBand(0, 10, q, 0.95) },
		func() { CalibrationBand(10, 1, q, 0.95) },
		func() { CalibrationBand(10, 10, q, 1) },
		func() { CalibrationBand(10, 10, []float64{1.5}, 0.95) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("bad arguments: no panic")
				}
			}()
			bad()
		}()
	}
}
