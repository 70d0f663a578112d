// Copyright ©2026 The gocinn Authors. All rights reserved.

package diagnostics

import (
	"slices"

	"github.com/gocinn/gocinn/cinn/sgemm"
)

// haveAVX2 reports whether the CPU runs AVX2 (cinn/sgemm detects it and
// offers its avx2 kernels only then).
var haveAVX2 = slices.Contains(sgemm.Arches(), "avx2")

//go:noescape
func axpy4AVX2(o, b0, b1, b2, b3 []float64, x *[4]float64)

// setAVX2 switches the AVX2 path (for benchmarks that compare the two).
func setAVX2(on bool) { haveAVX2 = on }

//go:noescape
func gemmRowAVX2(o, ai []float64, idx []int, b []float64, ldb int)
