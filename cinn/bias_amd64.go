// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"slices"

	"github.com/gocinn/gocinn/cinn/sgemm"
)

// haveAVX2 reports whether the CPU runs AVX2 (cinn/sgemm detects it with
// golang.org/x/sys/cpu and offers its avx2 kernels only then).
var haveAVX2 = slices.Contains(sgemm.Arches(), "avx2")

//go:noescape
func addBiasAVX2(dst, b []float32, relu bool)

// addBiasRow adds b to row (len(row) == len(b)) and applies the
// branch-free ReLU if relu is set, 8 lanes at a time where the CPU has
// AVX2. The result is bit for bit that of the scalar loop.
func addBiasRow(row, b []float32, relu bool) {
	n := len(b)
	row = row[:n]
	m := 0
	if haveAVX2 {
		m = n &^ 7
		if m > 0 {
			addBiasAVX2(row[:m], b[:m], relu)
		}
	}
	addBiasScalar(row[m:], b[m:], relu)
}

//go:noescape
func reluMaskAVX2(g, h []float32)

// reluMaskRow zeroes g[i] wherever the bits of h[i] are zero, 8 lanes at a
// time where the CPU has AVX2.
func reluMaskRow(g, h []float32) {
	h = h[:len(g)]
	m := 0
	if haveAVX2 {
		m = len(g) &^ 7
		if m > 0 {
			reluMaskAVX2(g[:m], h[:m])
		}
	}
	reluMaskScalar(g[m:], h[m:])
}

//go:noescape
func adamAVX2(p, m, v, g []float32, c *[10]float32)

// adamRow applies adamScalar's update, 8 lanes at a time where the CPU has
// AVX2 (bit for bit the same result).
func adamRow(p, m, v, g []float32, c *[10]float32) {
	n := len(p)
	m, v, g = m[:n], v[:n], g[:n]
	k := 0
	if haveAVX2 {
		k = n &^ 7
		if k > 0 {
			adamAVX2(p[:k], m[:k], v[:k], g[:k], c)
		}
	}
	adamScalar(p[k:], m[k:], v[k:], g[k:], c)
}
