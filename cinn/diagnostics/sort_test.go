// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortFloats(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []uint64
	for _, n := range []int{0, 1, 5, radixMin - 1, radixMin, 1000, 4096, 10007} {
		for kind := range 5 {
			x := make([]float64, n)
			for i := range x {
				switch kind {
				case 0:
					x[i] = rng.NormFloat64()
				case 1:
					x[i] = math.Tan(math.Pi * (rng.Float64() - 0.5))
				case 2:
					x[i] = float64(rng.IntN(5) - 2)
				case 3:
					x[i] = []float64{math.Inf(-1), -math.MaxFloat64, -1e-310, 0, 1e-310, 3, math.MaxFloat64, math.Inf(1)}[rng.IntN(8)]
				default:
					x[i] = 1e6 + 1e-9*float64(rng.IntN(1000))
				}
			}
			want := slices.Clone(x)
			slices.Sort(want)
			sortFloats(x, &buf)
			if !slices.Equal(x, want) {
				t.Errorf("n=%d kind %d: not sorted like slices.Sort", n, kind)
			}
		}
	}
}

func BenchmarkSortFloats(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]float64, 4096)
	for i := range src {
		src[i] = rng.NormFloat64()
	}
	x := make([]float64, len(src))
	var buf []uint64
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			copy(x, src)
			sortFloats(x, &buf)
		}
	})
	b.Run("slices.Sort", func(b *testing.B) {
		for b.Loop() {
			copy(x, src)
			slices.Sort(x)
		}
	})
}
