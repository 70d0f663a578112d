// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// netCase is a small architecture used by the exactness tests.
type netCase struct {
	dimX, dimY, blocks, hidden, layers int
	cond                               []int
	act                                bool
	bins                               int  // > 0: spline coupling
	mixed                              bool // with bins: mixed coupling
	mix                                bool // learned linear mixing
}

func (c netCase) String() string {
	s := fmt.Sprintf("x%d_y%d_b%d_h%dx%d_cond%v_act%v", c.dimX, c.dimY, c.blocks, c.layers, c.hidden, c.cond, c.act)
	if c.bins > 0 {
		s += fmt.Sprintf("_%s%d", c.coupling(), c.bins)
	}
	if c.mix {
		s += "_mix"
	}
	return s
}

var netCases = []netCase{
	{dimX: 1, dimY: 1, blocks: 2, hidden: 6, layers: 1},
	{dimX: 2, dimY: 3, blocks: 3, hidden: 8, layers: 2, act: true},
	{dimX: 3, dimY: 2, blocks: 2, hidden: 7, layers: 2, cond: []int{5, 4}, act: true},
	{dimX: 5, dimY: 8, blocks: 4, hidden: 16, layers: 3, cond: []int{6}},
	{dimX: 7, dimY: 1, blocks: 2, hidden: 5, layers: 1, act: true},
	{dimX: 1, dimY: 2, blocks: 2, hidden: 6, layers: 1, bins: 3},
	{dimX: 3, dimY: 2, blocks: 3, hidden: 7, layers: 2, cond: []int{5}, act: true, bins: 5},
	{dimX: 4, dimY: 3, blocks: 2, hidden: 8, layers: 1, bins: 8},
	{dimX: 3, dimY: 2, blocks: 3, hidden: 7, layers: 2, cond: []int{5}, act: true, bins: 4, mixed: true},
	{dimX: 1, dimY: 3, blocks: 4, hidden: 6, layers: 1, bins: 6, mixed: true},
	{dimX: 4, dimY: 2, blocks: 2, hidden: 6, layers: 1, mix: true},
	{dimX: 3, dimY: 2, blocks: 3, hidden: 7, layers: 2, cond: []int{5}, act: true, mix: true},
	{dimX: 5, dimY: 3, blocks: 2, hidden: 8, layers: 1, bins: 4, mixed: true, mix: true},
	{dimX: 1, dimY: 2, blocks: 2, hidden: 6, layers: 1, bins: 3, mix: true},
}

// coupling is the case's Config.Coupling.
func (c netCase) coupling() string {
	switch {
	case c.mixed:
		return MixedCoupling
	case c.bins > 0:
		return SplineCoupling
	}
	return AffineCoupling
}

// testModel returns a model whose weights are large enough (scale 0.3) for
// the blocks to be far from the identity, with random ActNorm and mixing
// parameters.
func testModel(t testing.TB, c netCase, seed int64) *Model {
	t.Helper()
	cfg := Config{DimX: c.dimX, DimY: c.dimY, Blocks: c.blocks, Hidden: c.hidden, Layers: c.layers,
		CondNet: c.cond, ActNorm: c.act, InitScale: 0.3, Seed: seed, Coupling: c.coupling(), LinearMix: c.mix}
	if c.bins > 0 {
		cfg.Bins, cfg.TailBound = c.bins, 2
	}
	m, err := NewModel(cfg, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	for _, b := range m.arch.blocks {
		if b.actLogS >= 0 {
			for i := b.actLogS; i < b.actLogS+2*m.arch.dim; i++ {
				m.params[i] = float32(0.3 * rng.NormFloat64())
			}
		}
		if b.mix >= 0 {
			for i := b.mix; i < b.mix+m.arch.dim*m.arch.dim; i++ {
				m.params[i] = float32(0.3 * rng.NormFloat64())
			}
		}
	}
	return m
}

func randSlice[T float](rng *rand.Rand, n int, scale float64) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(scale * rng.NormFloat64())
	}
	return s
}

func toF64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = float64(v)
	}
	return d
}

func TestInvertibility(t *testing.T) {
	t.Parallel()
	for _, c := range netCases {
		t.Run(c.String(), func(t *testing.T) {
			m := testModel(t, c, 1)
			rng := rand.New(rand.NewPCG(2, 3))
			const rows = 64
			D := m.FlowDim()
			x := randSlice[float32](rng, rows*D, 1.5)
			y := randSlice[float32](rng, rows*c.dimY, 1)
			z, ld := m.Forward(x, y)
			x2, ldInv := m.Inverse(z, y)
			var maxRel float64
			for i := range x {
				rel := math.Abs(float64(x2[i]-x[i])) / math.Max(1, math.Abs(float64(x[i])))
				maxRel = math.Max(maxRel, rel)
			}
			// float32 has a unit roundoff of 6e-8; a few blocks of
			// exp/affine operations amplify it by at most ~100.
			if maxRel > 1e-4 {
				t.Errorf("round trip error %.3g > 1e-4", maxRel)
			}
			nontrivial := false
			for i := range ld {
				if math.Abs(ld[i]+ldInv[i]) > 1e-4*math.Max(1, math.Abs(ld[i])) {
					t.Fatalf("row %d: forward log det %v, inverse %v", i, ld[i], ldInv[i])
				}
				if math.Abs(ld[i]) > 0.05 {
					nontrivial = true
				}
			}
			if !nontrivial {
				t.Error("log-determinants all ~0: the test network is too close to the identity to be a test")
			}
		})
	}
}

// forward64 evaluates the float64 flow on one row.
func forward64(a *arch, p []float64, x, y []float64) (z []float64, ld float64) {
	ws := newWorkspace[float64](a, 1, false)
	copy(ws.xs[0], x)
	copy(ws.y, y)
	computeCond(a, p, ws, 1)
	out := flowForward(a, p, ws, 1, false)
	return append([]float64(nil), out[:a.dim]...), ws.logdet[0]
}

func TestLogDetJacobian(t *testing.T) {
	t.Parallel()
	for _, c := range netCases {
		t.Run(c.String(), func(t *testing.T) {
			m := testModel(t, c, 4)
			p := toF64(m.params)
			rng := rand.New(rand.NewPCG(5, 6))
			D := m.FlowDim()
			for trial := 0; trial < 5; trial++ {
				x := randSlice[float64](rng, D, 1.5)
				y := randSlice[float64](rng, c.dimY, 1)
				_, ld := forward64(m.arch, p, x, y)
				J := mat.NewDense(D, D, nil)
				fd.Jacobian(J, func(dst, x []float64) {
					z, _ := forward64(m.arch, p, x, y)
					copy(dst, z)
				}, x, &fd.JacobianSettings{Formula: fd.Central})
				var lu mat.LU
				lu.Factorize(J)
				want, _ := lu.LogDet()
				// Central differences in float64 with the default
				// step (~6e-6) are accurate to ~1e-9 per entry.
				if math.Abs(ld-want) > 1e-6 {
					t.Errorf("trial %d: log det %.10g, numerical %.10g", trial, ld, want)
				}
				// The float32 model agrees to float32 accuracy.
				_, ld32 := m.Forward(toF32(x), toF32(y))
				if math.Abs(ld32[0]-ld) > 1e-4*math.Max(1, math.Abs(ld)) {
					t.Errorf("trial %d: float32 log det %.7g, float64 %.7g", trial, ld32[0], ld)
				}
			}
		})
	}
}

func toF32(s []float64) []float32 {
	d := make([]float32, len(s))
	for i, v := range s {
		d[i] = float32(v)
	}
	return d
}

// TestGradient checks the hand-written backward pass of every parameter
// against central finite differences of the float64 loss.
func TestGradient(t *testing.T) {
	t.Parallel()
	for _, c := range netCases {
		t.Run(c.String(), func(t *testing.T) {
			m := testModel(t, c, 8)
			a := m.arch
			p := toF64(m.params)
			rng := rand.New(rand.NewPCG(9, 10))
			const rows = 5
			D := a.dim
			x := randSlice[float64](rng, rows*D, 1.2)
			y := randSlice[float64](rng, rows*c.dimY, 1)
			ws := newWorkspace[float64](a, rows, true)
			loss := func(p []float64) float64 {
				copy(ws.xs[0], x)
				copy(ws.y, y)
				g := make([]float64, len(p))
				return lossGrad(a, p, g, ws, rows, false)
			}
			copy(ws.xs[0], x)
			copy(ws.y, y)
			g := make([]float64, len(p))
			lossGrad(a, p, g, ws, rows, false)
			// Central differences with h = 1e-6: truncation error
			// O(h²·f''') ≈ 1e-12 and rounding error ≈ 1e-16·|f|/h ≈
			// 1e-10, so 1e-7 absolute plus 1e-5 relative leaves a wide
			// margin while any wrong term (typically ≥1e-3) fails.
			const h = 1e-6
			var maxErr float64
			for i := range p {
				old := p[i]
				p[i] = old + h
				lp := loss(p)
				p[i] = old - h
				lm := loss(p)
				p[i] = old
				num := (lp - lm) / (2 * h)
				err := math.Abs(num - g[i])
				maxErr = math.Max(maxErr, err)
				if err > 1e-7+1e-5*math.Abs(num) {
					t.Errorf("param %d of %d: analytic %.10g, numerical %.10g", i, len(p), g[i], num)
				}
			}
			// The float32 gradient agrees with the float64 one to
			// float32 accuracy relative to the gradient's size.
			ws32 := newWorkspace[float32](a, rows, true)
			copy(ws32.xs[0], toF32(x))
			copy(ws32.y, toF32(y))
			g32 := make([]float32, len(p))
			lossGrad(a, m.params, g32, ws32, rows, false)
			gn := normF64(g)
			for i := range g {
				if d := math.Abs(float64(g32[i]) - g[i]); d > 1e-4*gn {
					t.Errorf("float32 gradient %d: %g vs float64 %g", i, g32[i], g[i])
					break
				}
			}
		})
	}
}

func normF64(g []float64) float64 {
	var s float64
	for _, v := range g {
		s += v * v
	}
	return math.Sqrt(s)
}

// TestActNormInit checks GLOW's data-dependent ActNorm initialisation.
func TestActNormInit(t *testing.T) {
	m := testModel(t, netCase{dimX: 3, dimY: 2, blocks: 2, hidden: 8, layers: 1, act: true}, 3)
	a := m.arch
	const rows = 256
	rng := rand.New(rand.NewPCG(1, 1))
	ws := newWorkspace[float32](a, rows, true)
	copy(ws.xs[0], randSlice[float32](rng, rows*a.dim, 3))
	copy(ws.y, randSlice[float32](rng, rows*a.dimY, 1))
	computeCond(a, m.params, ws, rows)
	flowForward(a, m.params, ws, rows, true)
	// Every ActNorm output (= next block input, permuted) has zero mean
	// and unit variance over the batch.
	for k := 1; k <= len(a.blocks); k++ {
		out := ws.xs[k]
		for j := 0; j < a.dim; j++ {
			var s, s2 float64
			for r := 0; r < rows; r++ {
				v := float64(out[r*a.dim+j])
				s += v
				s2 += v * v
			}
			mean := s / rows
			sd := math.Sqrt(s2/rows - mean*mean)
			if math.Abs(mean) > 1e-4 || math.Abs(sd-1) > 1e-4 {
				t.Errorf("block %d column %d: mean %g sd %g after data-dependent init", k-1, j, mean, sd)
			}
		}
	}
}

// countingBLAS wraps the installed implementation and counts Sgemm calls.
type countingBLAS struct {
	blas.Float32
	calls atomic.Int64
}

func (c *countingBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	c.calls.Add(1)
	c.Float32.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// TestBLAS32Pluggable checks that the matrix products go through blas32, so
// that blas32.Use installs a faster GEMM.
func TestBLAS32Pluggable(t *testing.T) {
	m := testModel(t, netCase{dimX: 4, dimY: 2, blocks: 2, hidden: 8, layers: 2, cond: []int{3}}, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	x := randSlice[float32](rng, 10*4, 1)
	y := randSlice[float32](rng, 10*2, 1)
	want, _ := m.Forward(x, y)
	old := blas32.Implementation()
	c := &countingBLAS{Float32: old}
	blas32.Use(c)
	defer blas32.Use(old)
	got, _ := m.Forward(x, y)
	// condnet 1 layer + 2 blocks × 2 subnets × 3 layers.
	if n := c.calls.Load(); n != 1+2*2*3 {
		t.Errorf("%d Sgemm calls through blas32, want 13", n)
	}
	if !slices.Equal(got, want) {
		t.Error("results differ with the wrapped implementation")
	}
}

// TestInvertibilityDefaultSize checks the round trip at the seeds' size
// (8 blocks, subnets 3×256, conditioning network) with weights twice the
// default scale, so that the blocks are far from the identity.
func TestInvertibilityDefaultSize(t *testing.T) {
	m, err := NewModel(Config{DimX: 5, DimY: 8, CondNet: []int{64, 32}, ActNorm: true, InitScale: 0.06, Seed: 3}, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 5))
	const rows = 128
	x := randSlice[float32](rng, rows*5, 1.5)
	y := randSlice[float32](rng, rows*8, 1)
	z, ld := m.Forward(x, y)
	x2, ldInv := m.Inverse(z, y)
	var maxRel, maxLD float64
	for i := range x {
		maxRel = math.Max(maxRel, math.Abs(float64(x2[i]-x[i]))/math.Max(1, math.Abs(float64(x[i]))))
	}
	for i := range ld {
		maxLD = math.Max(maxLD, math.Abs(ld[i]))
		if math.Abs(ld[i]+ldInv[i]) > 1e-4*math.Max(1, math.Abs(ld[i])) {
			t.Fatalf("row %d: log det %v forward, %v inverse", i, ld[i], ldInv[i])
		}
	}
	t.Logf("max relative round-trip error %.2g, max |log det| %.2f", maxRel, maxLD)
	if maxRel > 1e-4 {
		t.Errorf("round trip error %.3g > 1e-4", maxRel)
	}
	if maxLD < 1 {
		t.Errorf("max |log det| %.3f: the network is too close to the identity for this test", maxLD)
	}
}
