// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import "unsafe"

// kernFunc computes one mr×nr tile
//
//	C = alpha·A·B + beta·C
//
// over k steps. A is read in place: element (i, p) of the tile's rows is at
// byte offset i·rsa + p·csa from a. B is a panel of k rows of nr contiguous
// values, ldb bytes apart: packed (ldb = 4·nr) or, when B's rows are
// contiguous, B itself. C is row-major with a row stride of ldc bytes. When beta
// is ±0, C is only written, never read.
type kernFunc func(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// kernel is a micro-kernel and the size of its register tile.
type kernel struct {
	name   string
	mr, nr int
	// speed is the kernel's rate in useful multiply-adds per cycle on a
	// full tile, used by the cost model that picks a kernel for a shape.
	speed float64
	fn    kernFunc
}

// dotFunc computes one mr×nd tile of C = alpha·A·Bᵀ + beta·C where row i
// of A is k contiguous values at byte offset i·lda from a and row j of Bᵀ is
// k contiguous values at byte offset j·ldb from b. C is row-major with a row
// stride of ldc bytes; when beta is ±0 it is only written.
type dotFunc func(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// dotKernel is a dot-product kernel and its tile.
type dotKernel struct {
	name   string
	mr, nd int
	fn     dotFunc
}

// Largest tile of any kernel: the size of the per-worker scratch.
const (
	maxMR = 24
	maxNR = 64
)

// goKernel is the portable kernel: a 4×4 tile kept in 16 local variables.
// Every product is converted to float32 before it is added, which keeps
// compilers that fuse multiply-adds (arm64, ppc64, s390x) from doing so: the
// go kernels give the same bits on every machine.
var goKernel = kernel{name: "go4x4", mr: 4, nr: 4, speed: 1, fn: goKern4x4}

func goKern4x4(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
	const mr, nr = 4, 4
	rs, cs := rsa/4, csa/4
	av := unsafe.Slice(a, (mr-1)*rs+(k-1)*cs+1)
	lb := ldb / 4
	bv := unsafe.Slice(b, (k-1)*lb+nr)
	var (
		c00, c01, c02, c03 float32
		c10, c11, c12, c13 float32
		c20, c21, c22, c23 float32
		c30, c31, c32, c33 float32
	)
	for p := 0; p < k; p++ {
		bp := bv[p*lb : p*lb+nr : p*lb+nr]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		o := p * cs
		a0, a1, a2, a3 := av[o], av[o+rs], av[o+2*rs], av[o+3*rs]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		c20 += float32(a2 * b0)
		c21 += float32(a2 * b1)
		c22 += float32(a2 * b2)
		c23 += float32(a2 * b3)
		c30 += float32(a3 * b0)
		c31 += float32(a3 * b1)
		c32 += float32(a3 * b2)
		c33 += float32(a3 * b3)
	}
	ld := ldc / 4
	cv := unsafe.Slice(c, (mr-1)*ld+nr)
	store := func(r []float32, x0, x1, x2, x3 float32) {
		r = r[:nr:nr]
		if beta == 0 {
			r[0], r[1], r[2], r[3] = alpha*x0, alpha*x1, alpha*x2, alpha*x3
			return
		}
		r[0] = float32(alpha*x0) + float32(beta*r[0])
		r[1] = float32(alpha*x1) + float32(beta*r[1])
		r[2] = float32(alpha*x2) + float32(beta*r[2])
		r[3] = float32(alpha*x3) + float32(beta*r[3])
	}
	store(cv[0:], c00, c01, c02, c03)
	store(cv[ld:], c10, c11, c12, c13)
	store(cv[2*ld:], c20, c21, c22, c23)
	store(cv[3*ld:], c30, c31, c32, c33)
}
