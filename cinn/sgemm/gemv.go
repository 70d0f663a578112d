// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import "gonum.org/v1/gonum/blas"

// gemvTFunc adds alpha·Aᵀx to a strip of at most 64 columns of y:
// y[j] += alpha·Σ_i x[i]·A[i, j] for the m rows of A, lda bytes apart. The
// four 16-bit fields of masks, lowest first, say which of the strip's 64
// columns exist.
type gemvTFunc func(m int, a *float32, lda int, x *float32, y *float32, alpha float32, masks uint64)

// gemvStrip is the width of the strip of columns a gemvTFunc covers.
const gemvStrip = 64

// Sgemv computes
//
//	y = alpha * op(A) * x + beta * y
//
// for the m×n matrix A. The transposed product with unit increments (the
// column sums of a layer's gradient, Aᵀ·1) runs on an AVX-512 kernel that
// holds a 64-column strip of y in registers while A streams past once;
// every other case is gonum's. Bad parameters panic with gonum's messages.
func (impl Implementation) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	f := active.gemvT
	if f == nil || tA == blas.NoTrans || incX != 1 || incY != 1 || m <= 0 || n <= 0 ||
		lda < max(1, n) || len(a) < lda*(m-1)+n || len(x) < m || len(y) < n || (tA != blas.Trans && tA != blas.ConjTrans) {
		// Everything else, bad parameters included, is gonum's.
		impl.Implementation.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	gemvT(f, m, n, alpha, a, lda, x, beta, y[:n])
}

// gemvT computes y = alpha·Aᵀx + beta·y with kernel f, strip by strip.
func gemvT(f gemvTFunc, m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
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
	for j := 0; j < n; j += gemvStrip {
		var masks uint64
		if w := min(gemvStrip, n-j); w == gemvStrip {
			masks = ^uint64(0)
		} else {
			masks = 1<<w - 1
		}
		f(m, &a[j], lda*4, &x[0], &y[j], alpha, masks)
	}
}
