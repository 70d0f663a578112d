// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestSgemv checks Sgemv, with every kernel set of this machine, against a
// float64 reference on the transposed fast path (strip tails, odd row
// counts, padded lda, every scalar, NaN y with beta 0) and on the cases it
// hands to gonum.
func TestSgemv(t *testing.T) {
	rnd := rand.New(rand.NewPCG(20, 21))
	sets := kernelSets()
	defer func(a kernelSet) { active = a }(active)
	for _, set := range sets {
		active = set
		testSgemv(t, rnd, set.name)
	}
}

func testSgemv(t *testing.T, rnd *rand.Rand, arch string) {
	type shape struct{ m, n, pad int }
	shapes := []shape{{1, 1, 0}, {2, 3, 1}, {7, 16, 0}, {13, 63, 2}, {33, 64, 0}, {64, 65, 3}, {512, 256, 0}, {101, 200, 5}, {512, 13, 0}}
	for _, s := range shapes {
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, inc := range []int{1, 2} {
				alpha := scalars[rnd.IntN(len(scalars))]
				beta := scalars[rnd.IntN(len(scalars))]
				name := fmt.Sprintf("%s/%v/m=%d,n=%d,lda+%d/inc=%d/alpha=%g,beta=%g", arch, tr(tA), s.m, s.n, s.pad, inc, alpha, beta)
				lda := s.n + s.pad
				a := make([]float32, s.m*lda)
				for i := range a {
					a[i] = float32(rnd.NormFloat64())
				}
				lx, ly := s.n, s.m
				if tA == blas.Trans {
					lx, ly = s.m, s.n
				}
				x := make([]float32, (lx-1)*inc+1)
				for i := range x {
					x[i] = float32(rnd.NormFloat64())
				}
				y := make([]float32, (ly-1)*inc+1)
				for i := range y {
					if beta == 0 {
						y[i] = float32(math.NaN())
					} else {
						y[i] = float32(rnd.NormFloat64())
					}
				}
				got := append([]float32(nil), y...)
				Implementation{}.Sgemv(tA, s.m, s.n, alpha, a, lda, x, inc, beta, got, inc)
				for r := 0; r < ly; r++ {
					var sum, mag float64
					for c := 0; c < lx; c++ {
						var av float32
						if tA == blas.Trans {
							av = a[c*lda+r]
						} else {
							av = a[r*lda+c]
						}
						v := float64(av) * float64(x[c*inc])
						sum += v
						mag += math.Abs(v)
					}
					want := float64(alpha) * sum
					tol := math.Abs(float64(alpha)) * mag
					if beta != 0 {
						want += float64(beta) * float64(y[r*inc])
						tol += math.Abs(float64(beta) * float64(y[r*inc]))
					}
					tol = 4*float64(lx+2)*tol/(1<<24) + 1e-30
					if g := float64(got[r*inc]); !(math.Abs(g-want) <= tol) {
						t.Fatalf("%s: y[%d] = %g, want %g (tol %g)", name, r, g, want, tol)
					}
				}
			}
		}
	}
}

// TestSgemvPanics checks that bad parameters panic as in gonum.
func TestSgemvPanics(t *testing.T) {
	a, x, y := make([]float32, 100), make([]float32, 20), make([]float32, 20)
	type args struct {
		tA   blas.Transpose
		m, n int
		a    []float32
		lda  int
		x    []float32
		incX int
		y    []float32
		incY int
	}
	good := args{blas.Trans, 10, 8, a, 8, x, 1, y, 1}
	cases := []func(*args){
		func(p *args) { p.tA = 'X' },
		func(p *args) { p.m = -1 },
		func(p *args) { p.n = -1 },
		func(p *args) { p.lda = 7 },
		func(p *args) { p.a = a[:70] },
		func(p *args) { p.x = x[:9] },
		func(p *args) { p.y = y[:7] },
		func(p *args) { p.incX = 0 },
		func(p *args) { p.incY = 0 },
	}
	catch := func(impl blas.Float32, p args) (msg any) {
		defer func() { msg = recover() }()
		impl.Sgemv(p.tA, p.m, p.n, 1, p.a, p.lda, p.x, p.incX, 0, p.y, p.incY)
		return nil
	}
	if msg := catch(Implementation{}, good); msg != nil {
		t.Fatalf("valid call panicked: %v", msg)
	}
	for i, f := range cases {
		p := good
		f(&p)
		got, want := catch(Implementation{}, p), catch(gonum.Implementation{}, p)
		if got == nil || got != want {
			t.Errorf("case %d: panic %v, gonum panics %v", i, got, want)
		}
	}
}

// BenchmarkSgemv measures the column sums of the cINN's layer gradients,
// Aᵀ·1 for A of batch×width, against gonum.
func BenchmarkSgemv(b *testing.B) {
	for _, s := range [][2]int{{512, 256}, {512, 13}, {4096, 256}} {
		m, n := s[0], s[1]
		a := make([]float32, m*n)
		x := make([]float32, m)
		y := make([]float32, n)
		for _, im := range []struct {
			name string
			impl blas.Float32
		}{{"sgemm", Implementation{}}, {"gonum", gonum.Implementation{}}} {
			b.Run(fmt.Sprintf("%dx%d/T/%s", m, n, im.name), func(b *testing.B) {
				for b.Loop() {
					im.impl.Sgemv(blas.Trans, m, n, 1, a, n, x, 1, 1, y, 1)
				}
				b.ReportMetric(2*float64(m*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
