// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/gocinn/gocinn/cinn/internal/threads"
)

// Implementation is gonum's pure-Go BLAS with a packed, cache-blocked,
// multi-threaded Sgemm (and a faster Sgemv for Aᵀx). All other routines are
// gonum's. The zero value is ready to use and runs the fastest kernels the
// machine has:
//
//	blas32.Use(sgemm.Implementation{})
type Implementation struct {
	gonum.Implementation

	// Arch caps the kernels: "avx512", "avx2" or "go" use that set or, if
	// the machine lacks it, the fastest below it; empty means the fastest.
	// "go" gives the same results on every machine. Any other name panics.
	Arch string
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

// archs are the kernel sets of every build, fastest first.
var archs = []string{"avx512", "avx2", "go"}

var (
	// sets are the kernel sets this machine runs, fastest first.
	sets = kernelSets()
	// active is the set of Implementation{}: the fastest (tests change it).
	active = sets[0]
)

// Arch names the micro-kernels an Implementation with an empty Arch runs
// on this machine: "avx512", "avx2" or "go".
func Arch() string { return active.name }

// Kernels names the micro-kernels impl runs on this machine: its Arch, or
// the fastest set below it that the machine has ("avx512", "avx2" or "go").
// Products with different kernel sets may round differently.
func (impl Implementation) Kernels() string { return impl.kernels().name }

// Arches names the kernel sets this machine runs, fastest first.
func Arches() []string {
	var names []string
	for _, s := range sets {
		names = append(names, s.name)
	}
	return names
}

// kernels returns the kernel set impl runs.
func (impl Implementation) kernels() *kernelSet {
	if impl.Arch == "" {
		return &active
	}
	level := -1
	for i, a := range archs {
		if a == impl.Arch {
			level = i
		}
	}
	if level < 0 {
		panic(fmt.Sprintf("sgemm: unknown Arch %q (want avx512, avx2, go or empty)", impl.Arch))
	}
	for i := range sets {
		for _, a := range archs[level:] {
			if sets[i].name == a {
				return &sets[i]
			}
		}
	}
	panic("sgemm: no kernel set") // unreachable: every build has "go"
}

// Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(X) is X or Xᵀ as tA and tB say, op(A) is m×k, op(B) is k×n and C
// is m×n, all row-major with leading dimensions lda, ldb and ldc. When beta is
// zero C is not read, so NaNs in it are overwritten. Bad parameters panic
// with the same messages as gonum's Sgemm.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
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
	gemm(impl.kernels(), threads.N(), m, n, k, alpha, opA, opB, beta, operand{data: c, rs: ldc, cs: 1})
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
