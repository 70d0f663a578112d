// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn/diagnostics"
)

func ExampleSummarize() {
	// Eight posterior samples of one parameter, say log age.
	samples := mat.NewDense(8, 1, []float64{7.1, 7.3, 7.35, 7.4, 7.42, 7.5, 7.6, 8.3})
	s := diagnostics.Summarize(samples, []float64{0.68, 0.95})[0]
	// The same as numpy: x.mean(), np.median(x), x.std(ddof=1),
	// np.percentile(x, [16, 84, 2.5, 97.5]).
	fmt.Printf("mean %.3f  median %.3f  std %.3f  MAP %.3f\n", s.Mean, s.Median, s.Std, s.MAP)
	for _, iv := range s.Intervals {
		fmt.Printf("%.0f%%: [%.4f, %.4f]\n", 100*iv.Level, iv.Lo, iv.Hi)
	}
	// Output:
	// mean 7.496  median 7.410  std 0.356  MAP 7.393
	// 68%: [7.3060, 7.5880]
	// 95%: [7.1350, 8.1775]
}

func ExampleEvaluate() {
	// A calibrated toy posterior: for each of 200 test objects the
	// posterior is N(μ, 1), the true value is a draw from it, and the
	// "network" returns 1000 samples of it.
	rng := rand.New(rand.NewPCG(1, 2))
	const nobs, nsamp = 200, 1000
	truth := mat.NewDense(nobs, 1, nil)
	samples := make([]*mat.Dense, nobs)
	for i := range nobs {
		mu := 5 * rng.NormFloat64()
		truth.Set(i, 0, mu+rng.NormFloat64())
		s := mat.NewDense(nsamp, 1, nil)
		for k := range nsamp {
			s.Set(k, 0, mu+rng.NormFloat64())
		}
		samples[i] = s
	}
	rep, err := diagnostics.Evaluate(context.Background(), samples, truth, diagnostics.Options{Names: []string{"mass"}})
	if err != nil {
		log.Fatal(err)
	}
	p := rep.Params[0]
	fmt.Printf("median |e_cal| below 3%%: %v\n", p.MedianCal < 0.03)
	fmt.Printf("u68 %.2f (2σ·0.994 = 1.99)\n", p.U68)
	// E(x-θ)² = 2σ²; with 200 true values the estimate scatters by ±0.05.
	fmt.Printf("RMSE of all samples %.2f (√2σ = 1.41)\n", p.RMSESamples)
	fmt.Printf("SBC ranks look uniform: %v\n", p.Rank.PValue > 0.001)
	// Output:
	// median |e_cal| below 3%: true
	// u68 1.99 (2σ·0.994 = 1.99)
	// RMSE of all samples 1.46 (√2σ = 1.41)
	// SBC ranks look uniform: true
}

func ExampleC2ST() {
	rng := rand.New(rand.NewPCG(3, 4))
	draw := func(n int, shift float64) *mat.Dense {
		m := mat.NewDense(n, 2, nil)
		for i := range n {
			m.Set(i, 0, rng.NormFloat64()+shift)
			m.Set(i, 1, rng.NormFloat64())
		}
		return m
	}
	reference := draw(500, 0)
	for _, shift := range []float64{0, 8} {
		acc, err := diagnostics.C2ST(context.Background(), reference, draw(500, shift), 1)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("shift %v: C2ST %.1f\n", shift, acc)
	}
	// Output:
	// shift 0: C2ST 0.5
	// shift 8: C2ST 1.0
}

func ExampleSummaryTable() {
	samples := mat.NewDense(5, 2, []float64{
		7.1, 1.2,
		7.3, 1.0,
		7.4, 1.1,
		7.5, 0.9,
		7.7, 1.3,
	})
	s := diagnostics.Summarize(samples, []float64{0.68})
	fmt.Print(diagnostics.SummaryTable([]string{"log age", "mass"}, s))
	// Output:
	// parameter        mean      median         std         MAP  68% interval
	// log age           7.4         7.4     0.22361         7.4  [7.228, 7.572]
	// mass              1.1         1.1     0.15811         1.1  [0.964, 1.236]
}
