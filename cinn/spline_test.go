// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSpline checks the rational-quadratic spline element by element:
// inverse(forward(x)) = x, the log-derivative against central differences,
// and the back-propagated gradients against central differences of
// L = a·y + b·ld.
func TestSpline(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, K := range []int{2, 5, 10} {
		B := 3.0
		n := splineParams(K)
		for trial := 0; trial < 200; trial++ {
			raw := randSlice[float64](rng, n, 1.5)
			if trial == 0 {
				clear(raw) // the identity
			}
			x := (rng.Float64()*2 - 1) * 3.4 // also outside [-B, B]
			y, ld := rqForward(raw, K, B, x)
			if trial == 0 && (math.Abs(y-x) > 1e-12 || math.Abs(ld) > 1e-12) {
				t.Fatalf("K=%d: zero parameters are not the identity: %v -> %v (ld %v)", K, x, y, ld)
			}
			xb, ldb := rqInverse(raw, K, B, y)
			if math.Abs(xb-x) > 1e-9 || math.Abs(ldb-ld) > 1e-7 {
				t.Fatalf("K=%d: inverse(forward(%v)) = %v (ld %v, forward %v)", K, x, xb, ldb, ld)
			}
			const h = 1e-6
			yp, _ := rqForward(raw, K, B, x+h)
			ym, _ := rqForward(raw, K, B, x-h)
			if fd := math.Log((yp - ym) / (2 * h)); math.Abs(fd-ld) > 1e-5 {
				t.Fatalf("K=%d x=%v: log dy/dx = %v, finite differences %v", K, x, ld, fd)
			}
			a, b := rng.NormFloat64(), rng.NormFloat64()
			loss := func(raw []float64, x float64) float64 {
				y, ld := rqForward(raw, K, B, x)
				return a*y + b*ld
			}
			graw := make([]float64, n)
			gx := rqGrad(raw, K, B, x, a, b, graw)
			if fd := (loss(raw, x+h) - loss(raw, x-h)) / (2 * h); math.Abs(fd-gx) > 1e-5*(1+math.Abs(fd)) {
				t.Fatalf("K=%d x=%v: ∂L/∂x = %v, finite differences %v", K, x, gx, fd)
			}
			for i := range raw {
				v := raw[i]
				raw[i] = v + h
				lp := loss(raw, x)
				raw[i] = v - h
				lm := loss(raw, x)
				raw[i] = v
				if fd := (lp - lm) / (2 * h); math.Abs(fd-graw[i]) > 1e-5*(1+math.Abs(fd)) {
					t.Fatalf("K=%d x=%v: ∂L/∂raw[%d] = %v, finite differences %v", K, x, i, graw[i], fd)
				}
			}
		}
	}
}
