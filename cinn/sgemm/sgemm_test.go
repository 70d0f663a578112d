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

// problem is one Sgemm call with its own copies of the operands.
type problem struct {
	tA, tB        blas.Transpose
	m, n, k       int
	alpha, beta   float32
	a, b, c       []float32
	lda, ldb, ldc int
}

// newProblem makes random operands for the shape, with leading dimensions
// pad larger than needed. C's padding and, when nanC, C itself hold NaN:
// Sgemm must overwrite C without reading it when beta is 0 and must never
// touch the padding.
func newProblem(rnd *rand.Rand, tA, tB blas.Transpose, m, n, k, pad int, alpha, beta float32, nanC bool) *problem {
	p := &problem{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = max(ac, 1)+pad, max(bc, 1)+pad, max(n, 1)+pad
	fill := func(rows, cols, ld int) []float32 {
		x := make([]float32, max(rows*ld, 1))
		for i := range x {
			x[i] = float32(rnd.NormFloat64())
		}
		return x
	}
	p.a, p.b = fill(ar, ac, p.lda), fill(br, bc, p.ldb)
	p.c = fill(m, n, p.ldc)
	for i := 0; i < m; i++ {
		for j := n; j < p.ldc; j++ {
			p.c[i*p.ldc+j] = float32(math.NaN())
		}
		if nanC {
			for j := 0; j < n; j++ {
				p.c[i*p.ldc+j] = float32(math.NaN())
			}
		}
	}
	return p
}

// nanC reports whether C's first element is NaN.
func (p *problem) nanC() bool { return len(p.c) > 0 && p.c[0] != p.c[0] }

func (p *problem) String() string {
	return fmt.Sprintf("%v%v/m=%d,n=%d,k=%d/lda=%d,ldb=%d,ldc=%d/alpha=%g,beta=%g",
		tr(p.tA), tr(p.tB), p.m, p.n, p.k, p.lda, p.ldb, p.ldc, p.alpha, p.beta)
}

func tr(t blas.Transpose) string {
	if t == blas.NoTrans {
		return "N"
	}
	return "T"
}

func (p *problem) opA(i, l int) float64 {
	if p.tA == blas.NoTrans {
		return float64(p.a[i*p.lda+l])
	}
	return float64(p.a[l*p.lda+i])
}

func (p *problem) opB(l, j int) float64 {
	if p.tB == blas.NoTrans {
		return float64(p.b[l*p.ldb+j])
	}
	return float64(p.b[j*p.ldb+l])
}

// check compares got, the C computed from p, with a float64 reference. The
// tolerance is the float32 accumulation bound, a small multiple of
// (k+2)·eps·(|alpha|·Σ|a||b| + |beta·c|).
func (p *problem) check(t *testing.T, got []float32) {
	t.Helper()
	p.checkRows(t, got, nil)
}

// checkRows is check on the given rows of C only (all rows if nil).
func (p *problem) checkRows(t *testing.T, got []float32, rows []int) {
	t.Helper()
	const eps = 1.0 / (1 << 24)
	bad := 0
	if rows == nil {
		for i := 0; i < p.m; i++ {
			rows = append(rows, i)
		}
	}
	for _, i := range rows {
		for j := 0; j < p.ldc; j++ {
			g := got[i*p.ldc+j]
			c0 := float64(p.c[i*p.ldc+j])
			if j >= p.n {
				if !math.IsNaN(float64(g)) {
					t.Errorf("%v: padding C[%d,%d] written: %g", p, i, j, g)
					return
				}
				continue
			}
			var s, mag float64
			for l := 0; l < p.k; l++ {
				x := p.opA(i, l) * p.opB(l, j)
				s += x
				mag += math.Abs(x)
			}
			want := float64(p.alpha) * s
			tol := math.Abs(float64(p.alpha)) * mag
			if p.beta != 0 {
				want += float64(p.beta) * c0
				tol += math.Abs(float64(p.beta) * c0)
			}
			tol = 4*float64(p.k+2)*eps*tol + 1e-30
			if diff := math.Abs(float64(g) - want); !(diff <= tol) {
				if bad++; bad <= 3 {
					t.Errorf("%v: C[%d,%d] = %g, want %g (diff %g > tol %g)", p, i, j, g, want, diff, tol)
				}
			}
		}
	}
}

// call runs f on a copy of p's C and returns it.
func (p *problem) call(f func(c []float32)) []float32 {
	c := append([]float32(nil), p.c...)
	f(c)
	return c
}

func (p *problem) sgemm(impl blas.Float32) []float32 {
	return p.call(func(c []float32) {
		impl.Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
	})
}

// runWith calls the driver directly with one kernel, orientation and worker
// count.
func (p *problem) runWith(kn *kernel, swap bool, workers int) []float32 {
	return p.call(func(c []float32) {
		a := operand{data: p.a, rs: p.lda, cs: 1}
		if p.tA != blas.NoTrans {
			a = a.t()
		}
		b := operand{data: p.b, rs: p.ldb, cs: 1}
		if p.tB != blas.NoTrans {
			b = b.t()
		}
		co := operand{data: c, rs: p.ldc, cs: 1}
		if p.alpha == 0 || p.k == 0 || p.m == 0 || p.n == 0 {
			gemm(&kernelSet{kernels: []kernel{*kn}}, workers, p.m, p.n, p.k, p.alpha, a, b, p.beta, co)
			return
		}
		run(kn, swap, workers, p.m, p.n, p.k, p.alpha, a, b, p.beta, co)
	})
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans}

var scalars = []float32{0, 1, -0.5, 2}

// TestKernels drives every kernel of every set this machine runs, in both
// orientations and with one and three workers, over odd shapes that put
// every kind of edge tile and k block in play.
func TestKernels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{
		{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {13, 17, 1}, {25, 33, 7},
		{12, 32, 256}, {14, 32, 257}, {24, 16, 300}, {37, 45, 530},
		{50, 70, 13}, {31, 6, 64}, {6, 13, 40},
	}
	for _, set := range kernelSets() {
		for ki := range set.kernels {
			kn := &set.kernels[ki]
			t.Run(kn.name, func(t *testing.T) {
				for si, s := range shapes {
					for _, tA := range transposes {
						for _, tB := range transposes {
							alpha := scalars[rnd.IntN(len(scalars))]
							beta := scalars[rnd.IntN(len(scalars))]
							p := newProblem(rnd, tA, tB, s[0], s[1], s[2], si%3, alpha, beta, beta == 0)
							for _, swap := range []bool{false, true} {
								var first []float32
								for _, w := range []int{1, 3} {
									// Whole panels of B read in place, or packed.
									inPlaceB = w == 1
									got := p.runWith(kn, swap, w)
									p.check(t, got)
									// The same bits whatever the workers.
									if first == nil {
										first = got
									} else if !sameBits(first, got) {
										t.Errorf("%v swap=%v: results differ between 1 and %d workers", p, swap, w)
									}
								}
							}
							inPlaceB = true
						}
					}
				}
			})
		}
	}
}

// TestSgemmScalars covers every alpha, beta pair and transpose through the
// public method, with and without padded leading dimensions.
func TestSgemmScalars(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, tA := range transposes {
		for _, tB := range transposes {
			for _, alpha := range scalars {
				for _, beta := range scalars {
					for _, pad := range []int{0, 5} {
						p := newProblem(rnd, tA, tB, 29, 35, 41, pad, alpha, beta, false)
						p.check(t, p.sgemm(Implementation{}))
						if beta == 0 {
							p := newProblem(rnd, tA, tB, 29, 35, 41, pad, alpha, beta, true)
							p.check(t, p.sgemm(Implementation{}))
						}
					}
				}
			}
		}
	}
}

// cinnShapes are the matrix products of the cINN's subnets (batch × in →
// out): forward A·B, the input gradient dY·Wᵀ and the weight gradient
// Xᵀ·dY.
func cinnShapes(batch int) []struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
} {
	type shape = struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
	}
	var out []shape
	for _, l := range [][2]int{{13, 256}, {256, 256}, {256, 6}} {
		in, o := l[0], l[1]
		out = append(out,
			shape{fmt.Sprintf("%dx%dx%d/NN", batch, in, o), blas.NoTrans, blas.NoTrans, batch, o, in},
			shape{fmt.Sprintf("%dx%dx%d/NT", batch, o, in), blas.NoTrans, blas.Trans, batch, in, o},
			shape{fmt.Sprintf("%dx%dx%d/TN", in, batch, o), blas.Trans, blas.NoTrans, in, o, batch},
		)
	}
	return out
}

// TestCINNShapes checks the products the engine runs, at batch 512 and (not
// in -short mode) 4096, against gonum and, on a sample of rows, the float64
// reference.
func TestCINNShapes(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	batches := []int{512, 4096}
	if testing.Short() {
		batches = batches[:1]
	}
	for _, batch := range batches {
		for _, s := range cinnShapes(batch) {
			t.Run(s.name, func(t *testing.T) {
				p := newProblem(rnd, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 0.5, false)
				got := p.sgemm(Implementation{})
				// The float64 reference on 40 random rows and the last,
				// gonum on all.
				rows := []int{p.m - 1}
				for range 40 {
					rows = append(rows, rnd.IntN(p.m))
				}
				p.checkRows(t, got, rows)
				want := p.sgemm(gonum.Implementation{})
				for i := range got {
					if d := math.Abs(float64(got[i] - want[i])); d > 1e-3*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("%v: differs from gonum at %d: %g vs %g", p, i, got[i], want[i])
					}
				}
			})
		}
	}
}

// TestLargeK runs a deep product through several k blocks on two workers.
func TestLargeK(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	k := 3000
	if testing.Short() {
		k = 1100
	}
	for _, tA := range transposes {
		p := newProblem(rnd, tA, blas.NoTrans, 70, 90, k, 3, -0.5, 2, false)
		p.check(t, p.sgemm(Implementation{}))
	}
}

// TestWide runs products wider than a cache block of B (ncMax columns) and
// deeper than a k block, so that the block loops turn more than once, on
// every kernel with several workers.
func TestWide(t *testing.T) {
	rnd := rand.New(rand.NewPCG(18, 19))
	for _, set := range kernelSets() {
		for ki := range set.kernels {
			kn := &set.kernels[ki]
			for _, tB := range transposes {
				p := newProblem(rnd, blas.NoTrans, tB, 2*kn.mr+1, 2*ncMax+kn.nr+3, kcMax+37, 1, 2, -0.5, false)
				p.check(t, p.runWith(kn, false, 3))
			}
		}
	}
}

// TestRandom is a seeded fuzz test over random shapes, transposes, scalars
// and paddings, run with every kernel set of this machine (avx512, avx2,
// go); -sgemm.seed changes the seed.
func TestRandom(t *testing.T) {
	sets := kernelSets()
	defer func(a kernelSet) { active = a }(active)
	rnd := rand.New(rand.NewPCG(*seed, 9))
	n := 150
	if testing.Short() {
		n = 40
	}
	for range n {
		dim := func() int {
			if rnd.IntN(4) == 0 {
				return 1 + rnd.IntN(4)
			}
			return 1 + rnd.IntN(120)
		}
		p := newProblem(rnd, transposes[rnd.IntN(2)], transposes[rnd.IntN(2)], dim(), dim(), dim()*(1+rnd.IntN(3)),
			rnd.IntN(4), scalars[rnd.IntN(4)], 0, rnd.IntN(2) == 0)
		if !p.nanC() {
			p.beta = scalars[rnd.IntN(4)]
		}
		// Every kernel set this machine runs, end to end.
		for _, set := range sets {
			active = set
			p.check(t, p.sgemm(Implementation{}))
			if t.Failed() {
				t.Fatalf("%s kernels, seed %d", set.name, *seed)
			}
		}
	}
}

// TestZeroSizes checks the quick returns: empty C, k = 0 and alpha = 0
// scale C by beta and never read it when beta is 0.
func TestZeroSizes(t *testing.T) {
	rnd := rand.New(rand.NewPCG(10, 11))
	for _, s := range [][3]int{{0, 5, 3}, {5, 0, 3}, {4, 5, 0}} {
		for _, beta := range scalars {
			p := newProblem(rnd, blas.NoTrans, blas.Trans, s[0], s[1], s[2], 1, 1, beta, beta == 0)
			p.check(t, p.sgemm(Implementation{}))
		}
	}
	p := newProblem(rnd, blas.Trans, blas.Trans, 7, 9, 11, 2, 0, 0, true)
	p.check(t, p.sgemm(Implementation{}))
}

// TestPanics checks that bad parameters panic exactly as gonum's Sgemm.
func TestPanics(t *testing.T) {
	a, b, c := make([]float32, 100), make([]float32, 100), make([]float32, 100)
	type args struct {
		tA, tB  blas.Transpose
		m, n, k int
		a       []float32
		lda     int
		b       []float32
		ldb     int
		c       []float32
		ldc     int
	}
	good := args{blas.NoTrans, blas.NoTrans, 5, 6, 7, a, 7, b, 6, c, 6}
	cases := []func(x *args){
		func(x *args) { x.tA = 'X' },
		func(x *args) { x.tB = 'X' },
		func(x *args) { x.m = -1 },
		func(x *args) { x.n = -1 },
		func(x *args) { x.k = -1 },
		func(x *args) { x.lda = 6 },
		func(x *args) { x.tA = blas.Trans; x.lda = 4 },
		func(x *args) { x.ldb = 5 },
		func(x *args) { x.tB = blas.Trans; x.ldb = 6 },
		func(x *args) { x.ldc = 5 },
		func(x *args) { x.a = a[:30] },
		func(x *args) { x.b = b[:40] },
		func(x *args) { x.c = c[:20] },
	}
	catch := func(impl blas.Float32, x args) (msg any) {
		defer func() { msg = recover() }()
		impl.Sgemm(x.tA, x.tB, x.m, x.n, x.k, 1, x.a, x.lda, x.b, x.ldb, 0, x.c, x.ldc)
		return nil
	}
	if msg := catch(Implementation{}, good); msg != nil {
		t.Fatalf("valid call panicked: %v", msg)
	}
	for i, f := range cases {
		x := good
		f(&x)
		got, want := catch(Implementation{}, x), catch(gonum.Implementation{}, x)
		if got == nil || got != want {
			t.Errorf("case %d: panic %v, gonum panics %v", i, got, want)
		}
	}
}

// TestNoAllocs checks that a steady stream of calls, serial and parallel,
// does not allocate.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	rnd := rand.New(rand.NewPCG(12, 13))
	for _, s := range [][3]int{{40, 50, 60}, {512, 256, 256}} {
		p := newProblem(rnd, blas.NoTrans, blas.NoTrans, s[0], s[1], s[2], 0, 1, 0, false)
		impl := Implementation{}
		call := func() {
			impl.Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
		}
		call()
		if n := testing.AllocsPerRun(20, call); n > 0 {
			t.Errorf("%v: %g allocations per call", s, n)
		}
	}
}

// TestDot drives the dot-product kernels over tails in k (masked loads), m
// (rows done in Go) and n (a partial tile), every transpose of B, several
// scalars and one and three workers.
func TestDot(t *testing.T) {
	rnd := rand.New(rand.NewPCG(14, 15))
	for _, set := range kernelSets() {
		d := set.dot
		if d == nil {
			continue
		}
		t.Run(d.name, func(t *testing.T) {
			for _, s := range [][3]int{{4, 6, 32}, {4, 1, 33}, {9, 13, 47}, {64, 16, 256}, {23, 5, 100}, {41, 12, 1000}} {
				for _, tB := range transposes {
					for _, w := range []int{1, 3} {
						beta := scalars[rnd.IntN(len(scalars))]
						alpha := scalars[1+rnd.IntN(len(scalars)-1)]
						p := newProblem(rnd, blas.NoTrans, tB, s[0], s[1], s[2], rnd.IntN(3), alpha, beta, beta == 0)
						p.check(t, p.call(func(c []float32) {
							a := operand{data: p.a, rs: p.lda, cs: 1}
							b := operand{data: p.b, rs: p.ldb, cs: 1}
							if tB != blas.NoTrans {
								b = b.t()
							}
							co := operand{data: c, rs: p.ldc, cs: 1}
							if !useDot(p.m, p.n, p.k, a, co) {
								t.Fatalf("%v: not a dot-product shape", p)
							}
							runDot(d, w, p.m, p.n, p.k, p.alpha, a, b, p.beta, co)
						}))
					}
				}
			}
		})
	}
}

// TestArch logs the kernels Sgemm runs on this machine (bench/gemm/run.sh
// prints it) and checks that the name is one of the sets this build knows.
func TestArch(t *testing.T) {
	for _, s := range kernelSets() {
		if s.name == Arch() {
			t.Logf("arch: %s", Arch())
			return
		}
	}
	t.Errorf("Arch() = %q, not a kernel set of this build", Arch())
}

// TestGeneralStrides runs the driver on operands with no unit stride (every
// other element of a larger array), which Sgemm never passes but the
// packing routines support.
func TestGeneralStrides(t *testing.T) {
	rnd := rand.New(rand.NewPCG(16, 17))
	m, n, k := 23, 37, 45
	mk := func(r, c int) operand {
		x := operand{data: make([]float32, 2*r*c*2), rs: 2 * c * 2, cs: 2}
		for i := range x.data {
			x.data[i] = float32(rnd.NormFloat64())
		}
		return x
	}
	a, b := mk(m, k), mk(k, n)
	for _, kn := range kernelSets()[0].kernels {
		for _, swap := range []bool{false, true} {
			c := operand{data: make([]float32, m*n), rs: n, cs: 1}
			run(&kn, swap, 2, m, n, k, 1, a, b, 0, c)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var want, mag float64
					for p := 0; p < k; p++ {
						x := float64(a.data[i*a.rs+p*a.cs]) * float64(b.data[p*b.rs+j*b.cs])
						want += x
						mag += math.Abs(x)
					}
					if d := math.Abs(float64(c.data[i*n+j]) - want); d > 4*float64(k+2)*mag/(1<<24) {
						t.Fatalf("%s swap=%v: C[%d,%d] = %g, want %g", kn.name, swap, i, j, c.data[i*n+j], want)
					}
				}
			}
		}
	}
}

// TestConcurrent calls Sgemm from several goroutines at once, as parallel
// sampling does: the calls share the helper goroutines and the job pool.
func TestConcurrent(t *testing.T) {
	rnd := rand.New(rand.NewPCG(22, 23))
	var ps []*problem
	for i := range 6 {
		ps = append(ps, newProblem(rnd, transposes[i%2], transposes[i/2%2], 64+i*17, 200-i*9, 150+i*31, i%3, 1, 0.5, false))
	}
	got := make([][]float32, len(ps))
	done := make(chan int)
	for i, p := range ps {
		go func() {
			for range 5 {
				got[i] = p.sgemm(Implementation{})
			}
			done <- i
		}()
	}
	for range ps {
		<-done
	}
	for i, p := range ps {
		p.check(t, got[i])
	}
}

// TestArchField checks Implementation.Arch: each name runs that set or the
// fastest below it, and the results are right; an unknown name panics.
func TestArchField(t *testing.T) {
	have := map[string]bool{}
	for _, a := range Arches() {
		have[a] = true
	}
	if !have[Arch()] || !have["go"] {
		t.Fatalf("Arches() = %v, Arch() = %q", Arches(), Arch())
	}
	rnd := rand.New(rand.NewPCG(24, 25))
	for i, a := range archs {
		impl := Implementation{Arch: a}
		got := impl.kernels().name
		want := ""
		for _, b := range archs[i:] {
			if have[b] {
				want = b
				break
			}
		}
		if got != want {
			t.Errorf("Arch %q runs %q, want %q", a, got, want)
		}
		p := newProblem(rnd, blas.Trans, blas.NoTrans, 37, 29, 70, 1, 2, 0.5, false)
		p.check(t, p.sgemm(impl))
	}
	defer func() {
		if msg := recover(); msg == nil {
			t.Error(`Arch "sse" did not panic`)
		}
	}()
	Implementation{Arch: "sse"}.Sgemm(blas.NoTrans, blas.NoTrans, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{0}, 1)
}

// sameBits reports whether x and y hold the same bits (NaNs included).
func sameBits(x, y []float32) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return true
}
