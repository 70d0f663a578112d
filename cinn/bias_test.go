// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAddBiasRow checks the vectorised bias (+ ReLU) against the scalar
// loop bit for bit, for lengths around the vector width and special values
// (±0, ±Inf, NaN of either sign).
func TestAddBiasRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.Float32frombits(0xffc00000), 1e-45, -1e-45}
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 256, 263} {
		for _, relu := range []bool{false, true} {
			row := make([]float32, n)
			b := make([]float32, n)
			for i := range row {
				row[i] = float32(rng.NormFloat64())
				b[i] = float32(rng.NormFloat64())
				if rng.IntN(4) == 0 {
					row[i] = special[rng.IntN(len(special))]
				}
				if rng.IntN(8) == 0 {
					b[i] = special[rng.IntN(len(special))]
				}
			}
			got := append([]float32(nil), row...)
			want := append([]float32(nil), row...)
			addBiasRow(got, b, relu)
			addBiasScalar(want, b, relu)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Errorf("n=%d relu=%v [%d]: %v + %v gave %v (bits %#x), want %v (bits %#x)",
						n, relu, i, row[i], b[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
				}
			}
			if relu {
				for i, v := range want {
					if s := row[i] + b[i]; s > 0 && v != s || s <= 0 && math.Float32bits(v) != 0 {
						if !math.IsNaN(float64(s)) {
							t.Errorf("n=%d [%d]: relu(%v) = %v", n, i, s, v)
						}
					}
				}
			}
		}
	}
	t.Logf("AVX2: %v", haveAVX2)
}

// TestReluMaskRow checks the vectorised ReLU mask against the scalar loop.
func TestReluMaskRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 7, 8, 9, 17, 256, 263} {
		g := make([]float32, n)
		h := make([]float32, n)
		for i := range g {
			g[i] = float32(rng.NormFloat64())
			if rng.IntN(2) == 0 {
				h[i] = float32(rng.ExpFloat64())
			}
			if rng.IntN(10) == 0 {
				h[i] = 1e-45 // subnormal: active
			}
		}
		got := append([]float32(nil), g...)
		want := append([]float32(nil), g...)
		reluMaskRow(got, h)
		reluMaskScalar(want, h)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Errorf("n=%d [%d]: g %v h %v gave %v, want %v", n, i, g[i], h[i], got[i], want[i])
			}
			if (h[i] == 0) != (want[i] == 0) && g[i] != 0 {
				t.Errorf("n=%d [%d]: g %v h %v masked to %v", n, i, g[i], h[i], want[i])
			}
		}
	}
}

// TestAdamRow checks the vectorised Adam update against the scalar loop
// bit for bit, with weight decay and gradient scaling.
func TestAdamRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	c := [10]float32{0.7, 1e-4, 0.9999, 0.9, 0.1, 0.999, 0.001, 1e-6, 1e-3 / 0.1, 1 / 0.03}
	for _, n := range []int{1, 8, 13, 64, 1001} {
		p := randSlice[float32](rng, n, 0.1)
		m := randSlice[float32](rng, n, 1e-3)
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.ExpFloat64() * 1e-6)
		}
		g := randSlice[float32](rng, n, 1e-2)
		p0 := append([]float32(nil), p...)
		p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
		adamRow(p, m, v, g, &c)
		adamScalar(p2, m2, v2, g, &c)
		for i := range p {
			if math.Float32bits(p[i]) != math.Float32bits(p2[i]) || m[i] != m2[i] || v[i] != v2[i] {
				t.Fatalf("n=%d [%d]: p %v m %v v %v, scalar p %v m %v v %v", n, i, p[i], m[i], v[i], p2[i], m2[i], v2[i])
			}
		}
		if p[n-1] == p0[n-1] {
			t.Fatalf("n=%d: the update left the last parameter at %v", n, p0[n-1])
		}
	}
}
