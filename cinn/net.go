// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// float is the element type of a network instance. The Model uses float32;
// the tests instantiate the same code with float64 to check the hand-written
// backward pass against finite differences.
type float interface{ ~float32 | ~float64 }

// atanScale is FrEIA's ATAN soft-clamp constant: s = clamp·0.636·atan(s_raw).
const atanScale = 0.636

// linear is a dense layer y = x·W + b. W is stored row-major with shape
// in×out at params[w:w+in*out] and b at params[b:b+out].
type linear struct {
	in, out int
	w, b    int
}

// mlp is a stack of linear layers with ReLU after every layer but the last.
type mlp struct {
	layers []linear
}

func (m *mlp) in() int  { return m.layers[0].in }
func (m *mlp) out() int { return m.layers[len(m.layers)-1].out }

// coupling is one GLOW coupling block (FrEIA GLOWCouplingBlock) followed by
// an optional ActNorm and a fixed permutation of the dimensions.
type coupling struct {
	d1, d2 int
	spline bool // rational-quadratic spline instead of affine
	np     int  // subnet outputs per transformed dimension
	// sub2 is fed with [x2, c] and yields [s2_raw, t2] (2·d1 values) that
	// transform the first half; sub1 is fed with [y1, c] and yields
	// [s1_raw, t1] (2·d2 values) that transform the second half.
	sub1, sub2 mlp
	// actnorm: offsets of log-scale and bias (D values each); -1 if absent.
	actLogS, actBias int
	perm             []int // out[:, j] = in[:, perm[j]]
	inv              []int // inverse of perm
	// mix is the offset of the learned mixing after the permutation, a
	// D×D matrix holding L below the diagonal, U above it and s on it
	// (see mixForward); -1 if absent.
	mix int
}

// arch is the parameter-free description of a network. The parameters live
// in one flat slice so that the optimiser, the file format and the
// gradient tests can treat them as a single vector.
type arch struct {
	dim     int // flow dimension (DimX, or 2 when DimX is 1)
	dimY    int
	dimC    int // width of the condition fed to the blocks
	clamp   float64
	bins    int     // spline bins K
	bound   float64 // spline tail bound B
	np      int     // most subnet outputs per transformed dimension of any block
	cond    mlp     // empty when there is no conditioning network
	blocks  []coupling
	nparams int
	maxW    int // widest layer anywhere (for scratch buffers)
}

func (a *arch) hasCond() bool { return len(a.cond.layers) > 0 }

// newMLP appends layers in→widths...→out to the parameter layout.
func (a *arch) newMLP(in int, hidden []int, out int) mlp {
	var m mlp
	prev := in
	for _, w := range append(append([]int(nil), hidden...), out) {
		l := linear{in: prev, out: w, w: a.nparams}
		a.nparams += prev * w
		l.b = a.nparams
		a.nparams += w
		m.layers = append(m.layers, l)
		if w > a.maxW {
			a.maxW = w
		}
		if prev > a.maxW {
			a.maxW = prev
		}
		prev = w
	}
	return m
}

// splitLen returns the length of the first half as FrEIA computes it,
// Python's round(D·0.5), which rounds half to even.
func splitLen(d int) int { return int(math.RoundToEven(float64(d) * 0.5)) }

// newArch lays out the parameters of the network c describes (with its
// defaults filled in). perms supplies the fixed permutation of each block.
func newArch(c Config, perms [][]int) *arch {
	dim, dimY, condNet := c.flowDim(), c.DimY, c.CondNet
	a := &arch{dim: dim, dimY: dimY, clamp: c.Clamp, np: 2}
	if c.UsesSplines() {
		a.bins, a.bound = c.Bins, c.TailBound
		a.np = splineParams(c.Bins)
	}
	a.dimC = dimY
	if len(condNet) > 0 {
		a.cond = a.newMLP(dimY, condNet[:len(condNet)-1], condNet[len(condNet)-1])
		a.dimC = condNet[len(condNet)-1]
	}
	hid := make([]int, c.Layers)
	for i := range hid {
		hid[i] = c.Hidden
	}
	d1 := splitLen(dim)
	d2 := dim - d1
	for k := 0; k < c.Blocks; k++ {
		b := coupling{d1: d1, d2: d2, np: 2, actLogS: -1, actBias: -1, mix: -1}
		if c.blockSpline(k) {
			b.spline, b.np = true, splineParams(c.Bins)
		}
		b.sub2 = a.newMLP(d2+a.dimC, hid, b.np*d1)
		b.sub1 = a.newMLP(d1+a.dimC, hid, b.np*d2)
		if c.ActNorm {
			b.actLogS = a.nparams
			b.actBias = a.nparams + dim
			a.nparams += 2 * dim
		}
		b.perm = perms[k]
		b.inv = make([]int, dim)
		for j, p := range b.perm {
			b.inv[p] = j
		}
		a.blocks = append(a.blocks, b)
	}
	// The mixing parameters follow all others, so that the weights drawn
	// before them are those of the same network without mixing.
	if c.LinearMix {
		for k := range a.blocks {
			a.blocks[k].mix = a.nparams
			a.nparams += dim * dim
		}
	}
	if dim > a.maxW {
		a.maxW = dim
	}
	return a
}

// gemm computes c = a'·b' + beta·c for row-major matrices through gonum's
// blas32 (or blas64) interface, so that blas32.Use plugs in a faster kernel.
func gemm[T float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	switch a := any(a).(type) {
	case []float32:
		blas32.Implementation().Sgemm(ta, tb, m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		blas64.Implementation().Dgemm(ta, tb, m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// colSums adds the column sums of the rows×n matrix a to dst through the
// BLAS gemv (dst += aᵀ·ones), which gonum implements with SIMD kernels.
func colSums[T float](dst, a []T, rows, n int, ones []T) {
	if rows == 0 || n == 0 {
		return
	}
	switch a := any(a).(type) {
	case []float32:
		blas32.Implementation().Sgemv(blas.Trans, rows, n, 1, a, n, any(ones).([]float32), 1, 1, any(dst).([]float32), 1)
	case []float64:
		blas64.Implementation().Dgemv(blas.Trans, rows, n, 1, a, n, any(ones).([]float64), 1, 1, any(dst).([]float64), 1)
	}
}

// mlpForward evaluates m on the rows×in matrix x. Hidden activations
// (after ReLU) go to hs[l], the output to out.
func mlpForward[T float](p []T, m *mlp, x []T, rows int, hs [][]T, out []T) {
	mlpForwardFrom(p, m, 0, x, rows, hs, out)
}

// mlpForwardFrom evaluates layers l0, l0+1, ... of m, where x is the input
// of layer l0 (hs[l0-1] when l0 > 0).
func mlpForwardFrom[T float](p []T, m *mlp, l0 int, x []T, rows int, hs [][]T, out []T) {
	cur := x
	last := len(m.layers) - 1
	for l := l0; l <= last; l++ {
		L := &m.layers[l]
		dst := out
		if l < last {
			dst = hs[l]
		}
		dst = dst[:rows*L.out]
		gemm(false, false, rows, L.out, L.in, cur, L.in, p[L.w:L.w+L.in*L.out], L.out, 0, dst, L.out)
		addBias(dst, p[L.b:L.b+L.out], rows, l < last)
		cur = dst
	}
}

// subnetForward evaluates the subnet m on [x[:, off:off+n], c] (x is
// rows×D), with hidden activations in hs and the output in out. Without a
// per-observation condition table (ws.reuse unset) it packs the input into
// u and runs mlpForward. With it, as in posterior sampling where many rows
// share one observation, the condition's share of the first layer,
// c·W_c + b, is computed once per observation and added to x·W_x row by
// row, which removes the condition's columns from the largest GEMM input.
func subnetForward[T float](a *arch, p []T, ws *workspace[T], m *mlp, x []T, off, n int, u []T, hs [][]T, out []T, rows int) {
	if !ws.reuse {
		packInput(u, x, a.dim, off, n, ws.c, a.dimC, rows)
		mlpForward(p, m, u, rows, hs, out)
		return
	}
	L := &m.layers[0]
	hidden := len(m.layers) > 1
	dst := out
	if hidden {
		dst = hs[0]
	}
	dst = dst[:rows*L.out]
	dc := a.dimC
	cw := ws.cw[:ws.nobs*L.out]
	gemm(false, false, ws.nobs, L.out, dc, ws.obsC, dc, p[L.w+n*L.out:L.w+(n+dc)*L.out], L.out, 0, cw, L.out)
	addBias(cw, p[L.b:L.b+L.out], ws.nobs, false)
	gemm(false, false, rows, L.out, n, x[off:], a.dim, p[L.w:L.w+n*L.out], L.out, 0, dst, L.out)
	addRowBias(dst, cw, ws.rowObs[:rows], L.out, hidden)
	if hidden {
		mlpForwardFrom(p, m, 1, dst, rows, hs, out)
	}
}

// addRowBias adds row idx[r] of the table tab (rows of width n) to row r
// of dst and, if relu is set, applies max(·, 0).
func addRowBias[T float](dst, tab []T, idx []int32, n int, relu bool) {
	switch d := any(dst).(type) {
	case []float32:
		t := any(tab).([]float32)
		if len(idx)*n < 2*elemChunk {
			addRowBias32(d, t, idx, n, 0, len(idx), relu)
			return
		}
		e := elemPool.Get().(*elemRun)
		e.op, e.dst, e.src, e.idx, e.w, e.relu = opRowBias, d, t, idx, n, relu
		e.par.run(e, len(idx), rowChunk(n))
		e.dst, e.src, e.idx = nil, nil, nil
		elemPool.Put(e)
	case []float64:
		t := any(tab).([]float64)
		for r, o := range idx {
			row := d[r*n : (r+1)*n]
			for j, bj := range t[int(o)*n : (int(o)+1)*n] {
				v := row[j] + bj
				if relu && v < 0 {
					v = 0
				}
				row[j] = v
			}
		}
	}
}

func addRowBias32(dst, tab []float32, idx []int32, n, lo, hi int, relu bool) {
	for r := lo; r < hi; r++ {
		o := int(idx[r])
		addBiasRow(dst[r*n:(r+1)*n], tab[o*n:(o+1)*n], relu)
	}
}

// addBias adds b to every row of the rows×len(b) matrix dst and, if relu is
// set, applies max(·, 0), in one pass.
func addBias[T float](dst, b []T, rows int, relu bool) {
	switch d := any(dst).(type) {
	case []float32:
		addBias32(d, any(b).([]float32), rows, relu)
	case []float64:
		n := len(b)
		for r := 0; r < rows; r++ {
			row := d[r*n : (r+1)*n]
			for j, bj := range any(b).([]float64) {
				v := row[j] + bj
				if relu && v < 0 {
					v = 0
				}
				row[j] = v
			}
		}
	}
}

// addBias32 is addBias for float32, on all cores for large matrices.
func addBias32(dst, b []float32, rows int, relu bool) {
	n := len(b)
	if rows*n < 2*elemChunk {
		addBias32Rows(dst, b, 0, rows, relu)
		return
	}
	e := elemPool.Get().(*elemRun)
	e.op, e.dst, e.src, e.w, e.relu = opBias, dst, b, n, relu
	e.par.run(e, rows, rowChunk(n))
	e.dst, e.src = nil, nil
	elemPool.Put(e)
}

// addBias32Rows is addBias32 on rows [lo, hi).
func addBias32Rows(dst, b []float32, lo, hi int, relu bool) {
	n := len(b)
	for r := lo; r < hi; r++ {
		addBiasRow(dst[r*n:(r+1)*n], b, relu)
	}
}

// addBiasScalar adds b to row (len(row) == len(b)) with a branch-free ReLU
// if relu is set: the sign bit of v spreads into a mask that clears
// negative values (and -0) to +0, which avoids the ~50% mispredicted
// branches of a comparison.
func addBiasScalar(row, b []float32, relu bool) {
	row = row[:len(b)]
	if !relu {
		for j, bj := range b {
			row[j] += bj
		}
		return
	}
	for j, bj := range b {
		u := math.Float32bits(row[j] + bj)
		row[j] = math.Float32frombits(u &^ uint32(int32(u)>>31))
	}
}

// elemRun is a row- or element-wise float32 loop run on all cores; they
// are pooled so that the hot loops allocate nothing.
type elemRun struct {
	par      parRun
	op       int
	dst, src []float32
	idx      []int32
	w        int
	relu     bool
}

const (
	opBias    = iota // dst rows += src (the bias), then ReLU if relu
	opMask           // dst[i] = 0 where src[i] (a post-ReLU activation) is 0
	opRowBias        // dst row r += src row idx[r], then ReLU if relu
)

var elemPool = sync.Pool{New: func() any { return new(elemRun) }}

func (e *elemRun) chunk(_, lo, hi int) {
	switch e.op {
	case opBias:
		addBias32Rows(e.dst, e.src, lo, hi, e.relu)
	case opMask:
		reluMask32(e.dst[lo:hi], e.src[lo:hi])
	case opRowBias:
		addRowBias32(e.dst, e.src, e.idx, e.w, lo, hi, e.relu)
	}
}

// reluMask zeroes g wherever the post-ReLU activation h is zero.
func reluMask[T float](g, h []T) {
	switch g := any(g).(type) {
	case []float32:
		h := any(h).([]float32)
		if len(g) < 2*elemChunk {
			reluMask32(g, h)
			return
		}
		e := elemPool.Get().(*elemRun)
		e.op, e.dst, e.src = opMask, g, h
		e.par.run(e, len(g), elemChunk)
		e.dst, e.src = nil, nil
		elemPool.Put(e)
	case []float64:
		h := any(h).([]float64)
		for i, v := range h[:len(g)] {
			if v <= 0 {
				g[i] = 0
			}
		}
	}
}

func reluMask32(g, h []float32) { reluMaskRow(g, h) }

// reluMaskScalar is reluMask32 one element at a time.
func reluMaskScalar(g, h []float32) {
	h = h[:len(g)]
	for i, v := range h {
		// h ≥ +0 after addBias32, so its bits are 0 exactly where the
		// ReLU was inactive; select the mask without a branch.
		var m uint32
		if math.Float32bits(v) != 0 {
			m = ^uint32(0)
		}
		g[i] = math.Float32frombits(math.Float32bits(g[i]) & m)
	}
}

// mlpBackward accumulates the parameter gradients of m into g given the
// gradient gOut of its output and, if gIn is not nil, writes the gradient
// with respect to its input x into gIn. gOut is left untouched. t1 and t2
// are scratch buffers of at least rows·maxW; ones holds at least rows ones.
func mlpBackward[T float](p, g []T, m *mlp, x []T, rows int, hs [][]T, gOut, gIn, t1, t2, ones []T) {
	gcur := gOut[:rows*m.out()]
	for l := len(m.layers) - 1; l >= 0; l-- {
		L := &m.layers[l]
		in := x
		if l > 0 {
			in = hs[l-1]
		}
		// dW += inᵀ·gcur, db += Σ_rows gcur.
		gemm(true, false, L.in, L.out, rows, in, L.in, gcur, L.out, 1, g[L.w:L.w+L.in*L.out], L.out)
		colSums(g[L.b:L.b+L.out], gcur, rows, L.out, ones)
		if l == 0 && gIn == nil {
			break
		}
		var dst []T
		if l == 0 {
			dst = gIn[:rows*L.in]
		} else {
			dst = t1[:rows*L.in]
		}
		gemm(false, true, rows, L.in, L.out, gcur, L.out, p[L.w:L.w+L.in*L.out], L.out, 0, dst, L.in)
		if l > 0 {
			reluMask(dst, in[:rows*L.in])
		}
		gcur = dst
		t1, t2 = t2, t1
	}
}

// blockWS holds the activations of one coupling block.
type blockWS[T float] struct {
	u2, u1 []T   // [x2, c] and [y1, c]
	h2, h1 [][]T // hidden activations of sub2 and sub1
	a2, a1 []T   // raw subnet outputs [s_raw, t]
	cy     []T   // coupling output, before ActNorm and permutation
	mw, mt []T   // learned mixing: its input w and L⁻¹·out (nil without)
}

// workspace holds every buffer a forward (and backward) pass needs for up to
// cap rows. A training workspace keeps the activations of every block; an
// inference workspace reuses one set.
type workspace[T float] struct {
	cap    int
	train  bool
	xs     [][]T // block inputs; xs[len-1] is z in training mode
	y      []T   // standardised observables (input of the condnet)
	c      []T   // condition fed to the blocks
	hc     [][]T // condnet hidden activations
	blocks []blockWS[T]
	logdet []float64

	// Per-observation condition (inference only, see subnetForward): when
	// reuse is set, row r's condition is row rowObs[r] of obsC (nobs×dimC)
	// and cw holds c·W_c + b of the subnet being evaluated.
	reuse  bool
	nobs   int
	obsC   []T
	rowObs []int32
	cw     []T

	// backward scratch
	g, gNext []T
	gmw, gmt []T // learned mixing: ∂L/∂w, and ∂L/∂t of one row (nil without)
	ga       []T
	t1, t2   []T
	gu       []T
	gc       []T
	ones     []T
}

func newWorkspace[T float](a *arch, rows int, train bool) *workspace[T] {
	ws := &workspace[T]{cap: rows, train: train}
	D := a.dim
	nx := 2
	nb := 1
	if train {
		nx = len(a.blocks) + 1
		nb = len(a.blocks)
	}
	for i := 0; i < nx; i++ {
		ws.xs = append(ws.xs, make([]T, rows*D))
	}
	ws.y = make([]T, rows*a.dimY)
	ws.c = make([]T, rows*a.dimC)
	hidden := func(m *mlp) [][]T {
		var hs [][]T
		for _, l := range m.layers[:len(m.layers)-1] {
			hs = append(hs, make([]T, rows*l.out))
		}
		return hs
	}
	if a.hasCond() {
		ws.hc = hidden(&a.cond)
	}
	ws.logdet = make([]float64, rows)
	maxD := 0
	for k := 0; k < nb && k < len(a.blocks); k++ {
		b := &a.blocks[k]
		ws.blocks = append(ws.blocks, blockWS[T]{
			u2: make([]T, rows*(b.d2+a.dimC)),
			u1: make([]T, rows*(b.d1+a.dimC)),
			h2: hidden(&b.sub2),
			h1: hidden(&b.sub1),
			a2: make([]T, rows*a.np*b.d1),
			a1: make([]T, rows*a.np*b.d2),
			cy: make([]T, rows*D),
		})
		if b.mix >= 0 {
			bw := &ws.blocks[len(ws.blocks)-1]
			bw.mw, bw.mt = make([]T, rows*D), make([]T, rows*D)
		}
	}
	if len(a.blocks) > 0 {
		maxD = max(a.blocks[0].d1, a.blocks[0].d2)
	}
	if train {
		ws.g = make([]T, rows*D)
		ws.gNext = make([]T, rows*D)
		ws.ga = make([]T, rows*a.np*maxD)
		ws.t1 = make([]T, rows*a.maxW)
		ws.t2 = make([]T, rows*a.maxW)
		ws.gu = make([]T, rows*(maxD+a.dimC))
		ws.gc = make([]T, rows*a.dimC)
		ws.ones = make([]T, rows)
		for i := range ws.ones {
			ws.ones[i] = 1
		}
		if len(a.blocks) > 0 && a.blocks[0].mix >= 0 {
			ws.gmw, ws.gmt = make([]T, rows*D), make([]T, D)
		}
	}
	return ws
}

func (ws *workspace[T]) block(k int) *blockWS[T] {
	if ws.train {
		return &ws.blocks[k]
	}
	return &ws.blocks[0]
}

// computeCond fills ws.c from ws.y (the condnet, or a copy when there is
// none).
func computeCond[T float](a *arch, p []T, ws *workspace[T], rows int) {
	if !a.hasCond() {
		copy(ws.c[:rows*a.dimC], ws.y[:rows*a.dimY])
		return
	}
	mlpForward(p, &a.cond, ws.y, rows, ws.hc, ws.c)
}

// softClamp returns clamp·0.636·atan(u).
func softClamp(clamp, u float64) float64 { return clamp * atanScale * math.Atan(u) }

// packInput writes [h, c] row by row into u, where h holds columns
// [off, off+n) of the rows×D matrix x.
func packInput[T float](u, x []T, D, off, n int, c []T, dc, rows int) {
	w := n + dc
	for r := 0; r < rows; r++ {
		copy(u[r*w:r*w+n], x[r*D+off:r*D+off+n])
		copy(u[r*w+n:(r+1)*w], c[r*dc:(r+1)*dc])
	}
}

// flowForward maps ws.xs[0] (rows×D) to z given ws.c, adding each row's
// log|det J| to ws.logdet (which it zeroes first). It returns z, which is
// ws.xs[len(ws.xs)-1] in training mode. If initAct is set, every ActNorm is
// first given the data-dependent initialisation of GLOW (zero mean and unit
// variance of its output over this batch).
func flowForward[T float](a *arch, p []T, ws *workspace[T], rows int, initAct bool) []T {
	D := a.dim
	dc := a.dimC
	ld := ws.logdet[:rows]
	for i := range ld {
		ld[i] = 0
	}
	x := ws.xs[0]
	for k := range a.blocks {
		b := &a.blocks[k]
		bw := ws.block(k)
		var out []T
		if ws.train {
			out = ws.xs[k+1]
		} else {
			out = ws.xs[(k+1)%2]
		}
		d1, d2 := b.d1, b.d2
		cy := bw.cy
		// First half: y1 = exp(s2)·x1 + t2 with [s2, t2] = sub2([x2, c]).
		packInput(bw.u2, x, D, d1, d2, ws.c, dc, rows)
		mlpForward(p, &b.sub2, bw.u2, rows, bw.h2, bw.a2)
		w1 := d1 + dc
		n1, n2 := b.np*d1, b.np*d2
		for r := 0; r < rows; r++ {
			ld[r] += halfForward(a, b, bw.a2[r*n1:(r+1)*n1], x[r*D:r*D+d1], cy[r*D:r*D+d1])
			copy(bw.u1[r*w1:r*w1+d1], cy[r*D:r*D+d1])
			copy(bw.u1[r*w1+d1:(r+1)*w1], ws.c[r*dc:(r+1)*dc])
		}
		// Second half: y2 = exp(s1)·x2 + t1 with [s1, t1] = sub1([y1, c]).
		mlpForward(p, &b.sub1, bw.u1, rows, bw.h1, bw.a1)
		for r := 0; r < rows; r++ {
			ld[r] += halfForward(a, b, bw.a1[r*n2:(r+1)*n2], x[r*D+d1:(r+1)*D], cy[r*D+d1:(r+1)*D])
		}
		// ActNorm and permutation, into the mixing's input when it follows.
		perm := out
		if b.mix >= 0 {
			perm = bw.mw
		}
		if b.actLogS >= 0 {
			logs := p[b.actLogS : b.actLogS+D]
			bias := p[b.actBias : b.actBias+D]
			if initAct {
				initActNorm(cy, rows, D, logs, bias)
			}
			var sum float64
			for j := range logs {
				sum += float64(logs[j])
			}
			for r := 0; r < rows; r++ {
				for j := 0; j < D; j++ {
					perm[r*D+j] = T(math.Exp(float64(logs[b.perm[j]])))*cy[r*D+b.perm[j]] + bias[b.perm[j]]
				}
				ld[r] += sum
			}
		} else {
			for r := 0; r < rows; r++ {
				for j := 0; j < D; j++ {
					perm[r*D+j] = cy[r*D+b.perm[j]]
				}
			}
		}
		if b.mix >= 0 {
			w := p[b.mix : b.mix+D*D]
			sum := mixLogDet(w, D)
			for r := 0; r < rows; r++ {
				mixForward(w, D, bw.mw[r*D:(r+1)*D], bw.mt[r*D:(r+1)*D], out[r*D:(r+1)*D])
				ld[r] += sum
			}
		}
		x = out
	}
	return x
}

// mixLogDet returns log|det W| = Σs of the learned mixing m (D×D).
func mixLogDet[T float](m []T, D int) float64 {
	var sum float64
	for i := 0; i < D; i++ {
		sum += float64(m[i*D+i])
	}
	return sum
}

// mixForward applies the learned mixing W = L·(U + diag(exp(s))) to one
// row: t = (U + diag(exp(s)))·w, out = L·t. m holds L strictly below its
// diagonal (L's unit diagonal is implied), U strictly above it and s on
// it. t is kept for mixBackward.
func mixForward[T float](m []T, D int, w, t, out []T) {
	for i := 0; i < D; i++ {
		v := T(math.Exp(float64(m[i*D+i]))) * w[i]
		for j := i + 1; j < D; j++ {
			v += m[i*D+j] * w[j]
		}
		t[i] = v
	}
	for i := 0; i < D; i++ {
		v := t[i]
		for j := 0; j < i; j++ {
			v += m[i*D+j] * t[j]
		}
		out[i] = v
	}
}

// mixInverse inverts mixForward for one row: t = L⁻¹·out by forward
// substitution, then w = (U + diag(exp(s)))⁻¹·t by back substitution.
func mixInverse[T float](m []T, D int, out, t, w []T) {
	for i := 0; i < D; i++ {
		v := out[i]
		for j := 0; j < i; j++ {
			v -= m[i*D+j] * t[j]
		}
		t[i] = v
	}
	for i := D - 1; i >= 0; i-- {
		v := t[i]
		for j := i + 1; j < D; j++ {
			v -= m[i*D+j] * w[j]
		}
		w[i] = v * T(math.Exp(-float64(m[i*D+i])))
	}
}

// mixBackward back-propagates gout = ∂L/∂out of one row through
// mixForward (with its input w and intermediate t): it accumulates ∂L/∂m
// into gm (without the log-determinant's term) and writes ∂L/∂w into gw,
// using gt for ∂L/∂t.
func mixBackward[T float](m, gm []T, D int, w, t, gout, gt, gw []T) {
	// out = L·t: ∂t_j = gout_j + Σ_{i>j} L_ij·gout_i, ∂L_ij = gout_i·t_j.
	for j := 0; j < D; j++ {
		v := gout[j]
		for i := j + 1; i < D; i++ {
			v += m[i*D+j] * gout[i]
			gm[i*D+j] += gout[i] * t[j]
		}
		gt[j] = v
	}
	// t = (U + diag(e^s))·w: ∂w_j = e^{s_j}·gt_j + Σ_{i<j} U_ij·gt_i,
	// ∂U_ij = gt_i·w_j, ∂s_i = gt_i·e^{s_i}·w_i.
	for j := 0; j < D; j++ {
		e := T(math.Exp(float64(m[j*D+j])))
		v := e * gt[j]
		gm[j*D+j] += gt[j] * e * w[j]
		for i := 0; i < j; i++ {
			v += m[i*D+j] * gt[i]
			gm[i*D+j] += gt[i] * w[j]
		}
		gw[j] = v
	}
}

// halfForward transforms the d = len(x) values x of one row into y with
// the subnet outputs raw (b.np·d values) of block b and returns log|det J|: y =
// exp(s)·x + t for the affine coupling (raw = [s_raw, t]), y = RQS(x) per
// value for the spline coupling (raw = 3K-1 values per dimension).
func halfForward[T float](a *arch, b *coupling, raw, x, y []T) float64 {
	d := len(x)
	var sum float64
	if b.spline {
		for j := range d {
			v, l := rqForward(raw[j*b.np:(j+1)*b.np], a.bins, a.bound, float64(x[j]))
			y[j] = T(v)
			sum += l
		}
		return sum
	}
	for j := range d {
		s := softClamp(a.clamp, float64(raw[j]))
		y[j] = T(math.Exp(s))*x[j] + raw[d+j]
		sum += float64(T(s))
	}
	return sum
}

// halfInverse inverts halfForward: it writes x for the values y and
// returns the forward log|det J|.
func halfInverse[T float](a *arch, b *coupling, raw, y, x []T) float64 {
	d := len(y)
	var sum float64
	if b.spline {
		for j := range d {
			v, l := rqInverse(raw[j*b.np:(j+1)*b.np], a.bins, a.bound, float64(y[j]))
			x[j] = T(v)
			sum += l
		}
		return sum
	}
	for j := range d {
		s := softClamp(a.clamp, float64(raw[j]))
		x[j] = (y[j] - raw[d+j]) * T(math.Exp(-s))
		sum += float64(T(s))
	}
	return sum
}

// halfBackward back-propagates through halfForward: given gy = ∂L/∂y and
// gj = ∂L/∂log|det J| it writes ∂L/∂x into gx and ∂L/∂raw into ga.
func halfBackward[T float](a *arch, b *coupling, raw, x, gy []T, gj T, gx, ga []T) {
	d := len(x)
	if b.spline {
		for j := range d {
			gx[j] = T(rqGrad(raw[j*b.np:(j+1)*b.np], a.bins, a.bound, float64(x[j]), float64(gy[j]), float64(gj), ga[j*b.np:(j+1)*b.np]))
		}
		return
	}
	for j := range d {
		u := float64(raw[j])
		e := T(math.Exp(softClamp(a.clamp, u)))
		gyv := gy[j]
		gx[j] = gyv * e
		gs := gyv*e*x[j] + gj
		ga[j] = gs * T(a.clamp*atanScale/(1+u*u))
		ga[d+j] = gyv
	}
}

// initActNorm sets logs and bias so that exp(logs)·v + bias has zero mean and
// unit variance per column over the rows of v.
func initActNorm[T float](v []T, rows, D int, logs, bias []T) {
	for j := 0; j < D; j++ {
		var s, s2 float64
		for r := 0; r < rows; r++ {
			x := float64(v[r*D+j])
			s += x
			s2 += x * x
		}
		mean := s / float64(rows)
		vr := s2/float64(rows) - mean*mean
		sd := math.Sqrt(max(vr, 0))
		if !(sd > 1e-6) {
			sd = 1
		}
		logs[j] = T(-math.Log(sd))
		bias[j] = T(-mean / sd)
	}
}

// flowInverse maps z (rows×D, it must be ws.xs[0]) back to x given ws.c
// (or, with ws.reuse, the per-observation conditions ws.obsC). It
// subtracts the forward log|det J| into ws.logdet (zeroed first) and returns
// the buffer holding x.
func flowInverse[T float](a *arch, p []T, ws *workspace[T], rows int) []T {
	D := a.dim
	ld := ws.logdet[:rows]
	for i := range ld {
		ld[i] = 0
	}
	cur := 0
	n := len(ws.xs)
	for k := len(a.blocks) - 1; k >= 0; k-- {
		b := &a.blocks[k]
		bw := ws.block(k)
		y := ws.xs[cur]
		cy := bw.cy
		if b.mix >= 0 {
			w := p[b.mix : b.mix+D*D]
			sum := mixLogDet(w, D)
			for r := 0; r < rows; r++ {
				mixInverse(w, D, y[r*D:(r+1)*D], bw.mt[r*D:(r+1)*D], bw.mw[r*D:(r+1)*D])
				ld[r] -= sum
			}
			y = bw.mw
		}
		// Undo permutation and ActNorm.
		if b.actLogS >= 0 {
			logs := p[b.actLogS : b.actLogS+D]
			bias := p[b.actBias : b.actBias+D]
			var sum float64
			for j := range logs {
				sum += float64(logs[j])
			}
			for r := 0; r < rows; r++ {
				for j := 0; j < D; j++ {
					q := b.perm[j]
					cy[r*D+q] = (y[r*D+j] - bias[q]) * T(math.Exp(-float64(logs[q])))
				}
				ld[r] -= sum
			}
		} else {
			for r := 0; r < rows; r++ {
				for j := 0; j < D; j++ {
					cy[r*D+b.perm[j]] = y[r*D+j]
				}
			}
		}
		d1, d2 := b.d1, b.d2
		out := ws.xs[(cur+1)%n]
		// x2 = (y2 - t1)·exp(-s1) with [s1, t1] = sub1([y1, c]).
		n1, n2 := b.np*d1, b.np*d2
		subnetForward(a, p, ws, &b.sub1, cy, 0, d1, bw.u1, bw.h1, bw.a1, rows)
		for r := 0; r < rows; r++ {
			ld[r] -= halfInverse(a, b, bw.a1[r*n2:(r+1)*n2], cy[r*D+d1:(r+1)*D], out[r*D+d1:(r+1)*D])
		}
		// x1 = (y1 - t2)·exp(-s2) with [s2, t2] = sub2([x2, c]).
		subnetForward(a, p, ws, &b.sub2, out, d1, d2, bw.u2, bw.h2, bw.a2, rows)
		for r := 0; r < rows; r++ {
			ld[r] -= halfInverse(a, b, bw.a2[r*n1:(r+1)*n1], cy[r*D:r*D+d1], out[r*D:r*D+d1])
		}
		cur = (cur + 1) % n
	}
	return ws.xs[cur]
}

// lossGrad runs the forward pass on ws.xs[0] (with ws.y set), computes the
// loss mean(0.5‖z‖² − log|det J|)/D in float64 and accumulates its gradient
// with respect to every parameter into g (which it zeroes first).
func lossGrad[T float](a *arch, p, g []T, ws *workspace[T], rows int, initAct bool) float64 {
	D := a.dim
	dc := a.dimC
	computeCond(a, p, ws, rows)
	z := flowForward(a, p, ws, rows, initAct)
	var loss float64
	for r := 0; r < rows; r++ {
		var q float64
		for _, v := range z[r*D : (r+1)*D] {
			q += float64(v) * float64(v)
		}
		loss += 0.5*q - ws.logdet[r]
	}
	scale := 1 / float64(rows*D)
	loss *= scale
	for i := range g {
		g[i] = 0
	}
	// dL/dz = z/(rows·D); dL/dlogdet = -1/(rows·D) for every row.
	gz := ws.g[:rows*D]
	for i, v := range z[:rows*D] {
		gz[i] = v * T(scale)
	}
	gj := T(-scale)
	gc := ws.gc[:rows*dc]
	for i := range gc {
		gc[i] = 0
	}
	for k := len(a.blocks) - 1; k >= 0; k-- {
		b := &a.blocks[k]
		bw := &ws.blocks[k]
		x := ws.xs[k]
		cy := bw.cy
		gy := ws.gNext[:rows*D] // gradient w.r.t. coupling output cy
		gp := gz                // gradient w.r.t. the permutation's output
		if b.mix >= 0 {
			gp = ws.gmw[:rows*D]
			w := p[b.mix : b.mix+D*D]
			gw := g[b.mix : b.mix+D*D]
			for r := 0; r < rows; r++ {
				mixBackward(w, gw, D, bw.mw[r*D:(r+1)*D], bw.mt[r*D:(r+1)*D], gz[r*D:(r+1)*D], ws.gmt, gp[r*D:(r+1)*D])
			}
			for i := 0; i < D; i++ {
				gw[i*D+i] += gj * T(rows)
			}
		}
		// Undo permutation (and ActNorm).
		if b.actLogS >= 0 {
			logs := p[b.actLogS : b.actLogS+D]
			gls := g[b.actLogS : b.actLogS+D]
			gbs := g[b.actBias : b.actBias+D]
			for r := 0; r < rows; r++ {
				for j := 0; j < D; j++ {
					q := b.perm[j]
					gv := gp[r*D+j]
					e := T(math.Exp(float64(logs[q])))
					gy[r*D+q] = gv * e
					gls[q] += gv * e * cy[r*D+q]
					gbs[q] += gv
				}
			}
			for j := range gls {
				gls[j] += gj * T(rows)
			}
		} else {
			for r := 0; r < rows; r++ {
				for j := 0; j < D; j++ {
					gy[r*D+b.perm[j]] = gp[r*D+j]
				}
			}
		}
		d1, d2 := b.d1, b.d2
		gx := gz // reuse: gradient w.r.t. block input x, written below
		// Second half: y2 = exp(s1)·x2 + t1, s1 = C·0.636·atan(a1_s).
		n1, n2 := b.np*d1, b.np*d2
		ga := ws.ga[:rows*n2]
		for r := 0; r < rows; r++ {
			halfBackward(a, b, bw.a1[r*n2:(r+1)*n2], x[r*D+d1:(r+1)*D], gy[r*D+d1:(r+1)*D], gj, gx[r*D+d1:(r+1)*D], ga[r*n2:(r+1)*n2])
		}
		w1 := d1 + dc
		gu := ws.gu[:rows*w1]
		mlpBackward(p, g, &b.sub1, bw.u1, rows, bw.h1, ga, gu, ws.t1, ws.t2, ws.ones)
		for r := 0; r < rows; r++ {
			for j := 0; j < d1; j++ {
				gy[r*D+j] += gu[r*w1+j]
			}
			for j := 0; j < dc; j++ {
				gc[r*dc+j] += gu[r*w1+d1+j]
			}
		}
		// First half: y1 = exp(s2)·x1 + t2.
		ga = ws.ga[:rows*n1]
		for r := 0; r < rows; r++ {
			halfBackward(a, b, bw.a2[r*n1:(r+1)*n1], x[r*D:r*D+d1], gy[r*D:r*D+d1], gj, gx[r*D:r*D+d1], ga[r*n1:(r+1)*n1])
		}
		w2 := d2 + dc
		gu = ws.gu[:rows*w2]
		mlpBackward(p, g, &b.sub2, bw.u2, rows, bw.h2, ga, gu, ws.t1, ws.t2, ws.ones)
		for r := 0; r < rows; r++ {
			for j := 0; j < d2; j++ {
				gx[r*D+d1+j] += gu[r*w2+j]
			}
			for j := 0; j < dc; j++ {
				gc[r*dc+j] += gu[r*w2+d2+j]
			}
		}
		// gz now holds the gradient w.r.t. this block's input.
	}
	if a.hasCond() {
		mlpBackward(p, g, &a.cond, ws.y, rows, ws.hc, gc, nil, ws.t1, ws.t2, ws.ones)
	}
	return loss
}
