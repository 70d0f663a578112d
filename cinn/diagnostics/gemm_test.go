// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestGemmNN(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, s := range [][3]int{{1, 1, 1}, {4, 4, 4}, {5, 7, 3}, {200, 20, 20}, {3, 9, 100}, {13, 1, 6}, {8, 5, 0}} {
		m, n, k := s[0], s[1], s[2]
		fill := func(r, c int) []float64 {
			x := make([]float64, r*c)
			for i := range x {
				if rng.IntN(3) > 0 { // a third zeros, as after a ReLU
					x[i] = rng.NormFloat64()
				}
			}
			return x
		}
		a, b, c := fill(m, k), fill(k, n), fill(m, n)
		want := mat.NewDense(m, n, append([]float64(nil), c...))
		if k > 0 {
			var ab mat.Dense
			ab.Mul(mat.NewDense(m, k, a), mat.NewDense(k, n, b))
			want.Add(want, &ab)
		}
		gemmNN(m, n, k, a, k, b, n, c, n, nil)
		for i := range m {
			for j := range n {
				if d := math.Abs(c[i*n+j] - want.At(i, j)); d > 1e-12*float64(k+1) {
					t.Fatalf("%v: C[%d,%d] = %v, want %v", s, i, j, c[i*n+j], want.At(i, j))
				}
			}
		}
		at := transpose(make([]float64, m*k), a, m, k)
		for i := range m {
			for p := range k {
				if at[p*m+i] != a[i*k+p] {
					t.Fatalf("transpose wrong at %d,%d", i, p)
				}
			}
		}
	}
}

// TestAxpy4 checks the AVX2 path of axpy4 against the portable loop bit
// for bit, for every length up to 37 (tails included).
func TestAxpy4(t *testing.T) {
	t.Logf("AVX2: %v", haveAVX2)
	rng := rand.New(rand.NewPCG(4, 4))
	for n := range 38 {
		vec := func() []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3))
			}
			return v
		}
		o, b0, b1, b2, b3 := vec(), vec(), vec(), vec(), vec()
		x := &[4]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		want := append([]float64(nil), o...)
		axpy4Go(want, b0, b1, b2, b3, x)
		axpy4(o, b0, b1, b2, b3, x)
		for j := range o {
			if math.Float64bits(o[j]) != math.Float64bits(want[j]) {
				t.Fatalf("n=%d: element %d is %v, the portable loop gives %v", n, j, o[j], want[j])
			}
		}
	}
}

// TestC2STSameWithoutAVX2: the classifier's accuracy does not depend on the
// path its products take.
func TestC2STSameWithoutAVX2(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(6, 6))
	ref, other := gaussian2(rng, 600, 0), gaussian2(rng, 600, 0.3)
	defer setAVX2(true)
	var acc [2]float64
	for i, avx := range []bool{false, true} {
		setAVX2(avx)
		r, err := C2STWith(context.Background(), ref, other, C2STSettings{Seed: 1, Hidden: 16})
		if err != nil {
			t.Fatal(err)
		}
		acc[i] = r.Accuracy
	}
	if acc[0] != acc[1] {
		t.Errorf("C2ST %v with the portable loop, %v with AVX2", acc[0], acc[1])
	}
}

// TestGemmNNPaths checks gemmNN's AVX2 row kernel (32 and 4 columns at a
// time, the rest in Go) and its dot-product path against the portable
// loop bit for bit, for every width up to 70 and the classifier's 100.
func TestGemmNNPaths(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2")
	}
	defer setAVX2(true)
	rng := rand.New(rand.NewPCG(8, 8))
	for n := 1; n <= 101; n++ {
		if n > 70 && n != 100 && n != 101 {
			continue
		}
		m, k := 7, 3+rng.IntN(60)
		fill := func(r, c int) []float64 {
			x := make([]float64, r*c)
			for i := range x {
				if rng.IntN(2) > 0 {
					x[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3))
				}
			}
			return x
		}
		a, b, c := fill(m, k), fill(k, n+3), fill(m, n+1)
		var got [2][]float64
		for i, avx := range []bool{false, true} {
			setAVX2(avx)
			got[i] = append([]float64(nil), c...)
			gemmNN(m, n, k, a, k, b, n+3, got[i], n+1, nil)
		}
		for j := range c {
			if math.Float64bits(got[0][j]) != math.Float64bits(got[1][j]) {
				t.Fatalf("n=%d k=%d: element %d is %v with AVX2, %v with the portable loop", n, k, j, got[1][j], got[0][j])
			}
		}
	}
}
