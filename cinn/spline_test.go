// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
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

// TestMixedCouplingLayout: a mixed network alternates affine and spline
// blocks, affine first, and its subnets have the outputs each kind needs.
func TestMixedCouplingLayout(t *testing.T) {
	m, err := NewModel(Config{DimX: 5, DimY: 2, Blocks: 5, Hidden: 4, Layers: 1, Coupling: MixedCoupling, Bins: 6}, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Config().TailBound; got != DefaultTailBound {
		t.Errorf("TailBound %v, want the default %v", got, DefaultTailBound)
	}
	for k, b := range m.arch.blocks {
		wantSpline := k%2 == 1
		wantNP := 2
		if wantSpline {
			wantNP = splineParams(6)
		}
		if b.spline != wantSpline || b.np != wantNP {
			t.Errorf("block %d: spline %v with %d outputs per dimension, want %v with %d", k, b.spline, b.np, wantSpline, wantNP)
		}
		if got, want := b.sub2.out(), wantNP*b.d1; got != want {
			t.Errorf("block %d: sub2 has %d outputs, want %d", k, got, want)
		}
	}
	if _, err := NewModel(Config{DimX: 2, DimY: 1, Coupling: MixedCoupling, Bins: 1}, Spec{}); err == nil || !strings.Contains(err.Error(), "Bins") {
		t.Errorf("mixed coupling with 1 bin: err = %v, want an error about Bins", err)
	}
}

// TestForRows: the default spline bins follow the training set's size,
// a Bins already set stays, and a network without splines gets none.
func TestForRows(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		rows int
		want int
	}{
		{Config{}, 900, DefaultBins},
		{Config{}, LargeTrainingRows - 1, DefaultBins},
		{Config{}, LargeTrainingRows, DefaultBinsLarge},
		{Config{}, 90000, DefaultBinsLarge},
		{Config{Coupling: SplineCoupling}, 90000, DefaultBinsLarge},
		{Config{Bins: 4}, 90000, 4},
		{Config{Bins: 12}, 900, 12},
		{Config{Coupling: AffineCoupling}, 90000, 0},
	} {
		got := tc.cfg.ForRows(tc.rows)
		if got.Bins != tc.want {
			t.Errorf("%+v.ForRows(%d).Bins = %d, want %d", tc.cfg, tc.rows, got.Bins, tc.want)
		}
		got.Bins = tc.cfg.Bins
		if !reflect.DeepEqual(got, tc.cfg) {
			t.Errorf("%+v.ForRows(%d) changed more than Bins: %+v", tc.cfg, tc.rows, got)
		}
	}
	if DefaultBins >= DefaultBinsLarge {
		t.Errorf("DefaultBins %d, DefaultBinsLarge %d: the large default should have more bins", DefaultBins, DefaultBinsLarge)
	}
	m, err := NewModel(Config{DimX: 2, DimY: 2, Blocks: 2, Hidden: 4, Layers: 1}.ForRows(LargeTrainingRows), Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Config().Bins; got != DefaultBinsLarge {
		t.Errorf("a model built for %d rows has %d bins, want %d", LargeTrainingRows, got, DefaultBinsLarge)
	}
}

// TestDefaultCoupling: a Config without Coupling builds DefaultCoupling
// (mixed), and the model stores the kind it chose, so that its file stays
// what it is if the default changes again.
func TestDefaultCoupling(t *testing.T) {
	m, err := NewModel(Config{DimX: 3, DimY: 2, Blocks: 4, Hidden: 4, Layers: 1}, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config()
	if DefaultCoupling != MixedCoupling || c.Coupling != MixedCoupling || c.Bins != DefaultBins || c.TailBound != DefaultTailBound {
		t.Fatalf("default config %+v, want mixed couplings with %d bins on ±%g", c, DefaultBins, DefaultTailBound)
	}
	for k := range c.Blocks {
		if got, want := c.blockSpline(k), k%2 == 1; got != want {
			t.Errorf("block %d: spline %v, want %v", k, got, want)
		}
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"coupling":"mixed"`)) {
		t.Error(`the model file does not store "coupling":"mixed"`)
	}
}
