// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func benchSamples(n, d int) *mat.Dense {
	rng := rand.New(rand.NewPCG(1, 1))
	m := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			m.Set(i, j, rng.NormFloat64()+float64(j))
		}
	}
	return m
}

// BenchmarkSummarize summarises one observation with 5 parameters
// (the seeds' dim x) at two interval levels.
func BenchmarkSummarize(b *testing.B) {
	for _, n := range []int{1024, 4096, 16384} {
		m := benchSamples(n, 5)
		b.Run(fmt.Sprintf("n=%d/d=5", n), func(b *testing.B) {
			for b.Loop() {
				Summarize(m, []float64{0.68, 0.95})
			}
		})
	}
}

// BenchmarkEvaluate evaluates 100 observations of 4096 samples × 5
// parameters.
func BenchmarkEvaluate(b *testing.B) {
	samples, truth := gaussianTestSet(1, 100, 5, 4096, 1, 0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Evaluate(context.Background(), samples, truth, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkC2ST is sbibm's setting: 10,000 reference against 10,000 other
// samples, here in 2-D.
func BenchmarkC2ST(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, shift := range []float64{0, 1} {
		ref, other := gaussian2(rng, 10000, 0), gaussian2(rng, 10000, shift)
		b.Run(fmt.Sprintf("10000v10000/d=2/shift=%v", shift), func(b *testing.B) {
			for b.Loop() {
				if _, err := C2ST(context.Background(), ref, other, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkC2ST10D is a C2ST of 2,000 against 2,000 samples in 10-D (the
// 10-D sbibm tasks' classifier, 100-unit layers), with the classifier's
// products in the portable loop and, where the CPU has it, in AVX2.
func BenchmarkC2ST10D(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	mk := func(n int, scale float64) *mat.Dense {
		m := mat.NewDense(n, 10, nil)
		for i := range n {
			for j := range 10 {
				m.Set(i, j, rng.NormFloat64()*scale)
			}
		}
		return m
	}
	ref, other := mk(2000, 1), mk(2000, 1.1)
	eachPath(b, func(b *testing.B) {
		for b.Loop() {
			if _, err := C2ST(context.Background(), ref, other, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkC2STFit10D is ten epochs of one fold's classifier on 2,000
// against 2,000 samples in 10-D, the inner loop of a 10-D C2ST without
// its early stopping, with the products in the portable loop and, where
// the CPU has it, in AVX2.
func BenchmarkC2STFit10D(b *testing.B) {
	d, n := 10, 2000
	x, y := labelledGaussians(rand.New(rand.NewPCG(3, 5)), d, n)
	train := make([]int, 2*n)
	for i := range train {
		train[i] = i
	}
	eachPath(b, func(b *testing.B) {
		for b.Loop() {
			rng := rand.New(rand.NewPCG(1, 2))
			net := newMLP([]int{d, 10 * d, 10 * d, 1}, rng)
			if _, err := net.fit(context.Background(), x, y, train, 10, rng); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// eachPath runs bench as sub-benchmarks with the classifier's products in
// the portable loop and, where the CPU has it, in AVX2.
func eachPath(b *testing.B, bench func(b *testing.B)) {
	saved := haveAVX2
	defer setAVX2(saved)
	for _, avx := range []bool{false, true} {
		if avx && !saved {
			continue
		}
		b.Run(fmt.Sprintf("avx2=%v", avx), func(b *testing.B) {
			setAVX2(avx)
			bench(b)
		})
	}
}

// labelledGaussians returns a classifier's input: n rows of N(0, I) in d
// dimensions labelled 0, then n of N(0, 1.2²·I) labelled 1, drawn from rng
// row by row.
func labelledGaussians(rng *rand.Rand, d, n int) (x, y []float64) {
	x = make([]float64, 2*n*d)
	y = make([]float64, 2*n)
	for i := range 2 * n {
		scale := 1.0
		if i >= n {
			scale, y[i] = 1.2, 1
		}
		for j := range d {
			x[i*d+j] = rng.NormFloat64() * scale
		}
	}
	return x, y
}

// BenchmarkNullMedianCal draws the 10,000 simulated test sets %eval
// judges a median |e_cal| against; the cost does not depend on the number
// of observations.
func BenchmarkNullMedianCal(b *testing.B) {
	for _, n := range []int{500, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				NullMedianCal(n, NullOptions{Samples: 1024}, rand.NewPCG(1, 1))
			}
		})
	}
}
