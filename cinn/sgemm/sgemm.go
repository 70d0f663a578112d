// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is gonum's pure-Go BLAS with a packed, cache-blocked,
// multi-threaded Sgemm. All other routines are gonum's. The zero value is
// ready to use:
//
//	blas32.Use(sgemm.Implementation{})
type Implementation struct {
	gonum.Implementation
}

var _ blas.Float32 = Implementation{}

// Panic strings of the parameter checks; the same as gonum's.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// active is the kernel set Sgemm uses: the fastest this CPU runs.
var active = kernelSets()[0]

// Arch names the micro-kernels Sgemm runs on this machine: "avx512",
// "avx2" or "go".
func Arch() string { return active.name }

// Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(X) is X or Xᵀ as tA and tB say, op(A) is m×k, op(B) is k×n and C
// is m×n, all row-major with leading dimensions lda, ldb and ldc. When beta is
// zero C is not read, so NaNs in it are overwritten. Bad parameters panic
// with the same messages as gonum's Sgemm.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	switch tA {
	default:
		panic(badTranspose)
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	}
	switch tB {
	default:
		panic(badTranspose)
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	}
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	aTrans := tA != blas.NoTrans
	bTrans := tB != blas.NoTrans
	if aTrans {
		if lda < max(1, m) {
			panic(badLdA)
		}
	} else if lda < max(1, k) {
		panic(badLdA)
	}
	if bTrans {
		if ldb < max(1, k) {
			panic(badLdB)
		}
	} else if ldb < max(1, n) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return
	}
	if aTrans {
		if len(a) < (k-1)*lda+m {
			panic(shortA)
		}
	} else if len(a) < (m-1)*lda+k {
		panic(shortA)
	}
	if bTrans {
		if len(b) < (n-1)*ldb+k {
			panic(shortB)
		}
	} else if len(b) < (k-1)*ldb+n {
		panic(shortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}

	opA := operand{data: a, rs: lda, cs: 1}
	if aTrans {
		opA = operand{data: a, rs: 1, cs: lda}
	}
	opB := operand{data: b, rs: ldb, cs: 1}
	if bTrans {
		opB = operand{data: b, rs: 1, cs: ldb}
	}
	gemm(&active, runtime.GOMAXPROCS(0), m, n, k, alpha, opA, opB, beta, operand{data: c, rs: ldc, cs: 1})
}

// scale sets the m×n matrix c to beta·c, writing zeros without reading c
// when beta is zero.
func scale(m, n int, beta float32, c operand) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			p := &c.data[i*c.rs+j*c.cs]
			if beta == 0 {
				*p = 0
			} else {
				*p *= beta
			}
		}
	}
}
