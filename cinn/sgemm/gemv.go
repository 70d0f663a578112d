// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import "gonum.org/v1/gonum/blas"

// gemvTFunc adds alpha·Aᵀx to a strip of columns of y:
// y[j] += alpha·Σ_i x[i]·A[i, j] for the m rows of A, lda bytes apart. A
// masked kernel takes in masks, 16 bits per 16-lane vector, lowest first,
// which columns of the strip exist; an unmasked one always does a whole
// strip.
type gemvTFunc func(m int, a *float32, lda int, x *float32, y *float32, alpha float32, masks uint64)

// gemvKernel is a gemvTFunc and its strip.
type gemvKernel struct {
	strip  int
	masked bool
	fn     gemvTFunc
}

// Sgemv computes
//
//	y = alpha * op(A) * x + beta * y
//
// for the m×n matrix A. The transposed product with unit increments (the
// column sums of a layer's gradient, Aᵀ·1) runs on an AVX-512 or AVX2
// kernel that holds a strip of y in registers while A streams past once;
// every other case is gonum's. Bad parameters panic with gonum's messages.
func (impl Implementation) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	g := impl.kernels().gemvT
	if g == nil || tA == blas.NoTrans || incX != 1 || incY != 1 || m <= 0 || n <= 0 ||
		lda < max(1, n) || len(a) < lda*(m-1)+n || len(x) < m || len(y) < n || (tA != blas.Trans && tA != blas.ConjTrans) {
		// Everything else, bad parameters included, is gonum's.
		impl.Implementation.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	gemvT(g, m, n, alpha, a, lda, x, beta, y[:n])
}

// gemvT computes y = alpha·Aᵀx + beta·y with kernel g, strip by strip;
// the columns past the last whole strip of an unmasked kernel in Go.
func gemvT(g *gemvKernel, m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	switch beta {
	case 1:
	case 0:
		clear(y)
	default:
		for i := range y {
			y[i] *= beta
		}
	}
	if alpha == 0 {
		return
	}
	j := 0
	for ; j < n; j += g.strip {
		w := min(g.strip, n-j)
		if w < g.strip && !g.masked {
			break
		}
		masks := ^uint64(0)
		if w < g.strip {
			masks = 1<<w - 1
		}
		g.fn(m, &a[j], lda*4, &x[0], &y[j], alpha, masks)
	}
	if j >= n {
		return
	}
	tail := y[j:n]
	for i, xi := range x[:m] {
		s := alpha * xi
		for c, v := range a[i*lda+j : i*lda+n] {
			tail[c] += s * v
		}
	}
}
