// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
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
