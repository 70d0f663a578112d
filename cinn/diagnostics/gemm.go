// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"math"
	"slices"
)

// gemmNN computes C += A·B for row-major A (m×k, stride lda), B (k×n,
// stride ldb) and C (m×n, stride ldc). For each row of A it lists the
// non-zero entries (ReLU activations and their deltas are about half zeros)
// and adds four rows of B at a time: with AVX2 all of a row's groups of
// four in one assembly call (gemmRowAVX2), else through axpy4, and a
// single column (the output layer) inline. Every path adds in the same
// order, so the result is the same bit for bit on each (TestGemmNNPaths)
// and depends only on the data. idx is scratch space, returned for reuse.
func gemmNN(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int, idx []int) []int {
	for i := range m {
		o := c[i*ldc : i*ldc+n]
		ai := a[i*lda : i*lda+k]
		// Branch-free: about half the entries are zero, in no pattern a
		// branch predictor could learn.
		idx = slices.Grow(idx[:0], k)[:k]
		nz := 0
		for p, x := range ai {
			idx[nz] = p
			nz += nonzero(x)
		}
		idx = idx[:nz]
		q := 0
		switch g := len(idx) &^ 3; {
		case n == 1:
			// A dot product (the output layer): no call per group.
			for ; q < g; q += 4 {
				p0, p1, p2, p3 := idx[q], idx[q+1], idx[q+2], idx[q+3]
				t := float64(ai[p0]*b[p0*ldb]) + float64(ai[p1]*b[p1*ldb])
				t = float64(t + float64(ai[p2]*b[p2*ldb]))
				t = float64(t + float64(ai[p3]*b[p3*ldb]))
				o[0] = float64(o[0] + t)
			}
		case haveAVX2 && n >= 4 && g > 0:
			// The row's groups in one call, the columns held in
			// registers across them; the last n%4 columns below.
			_ = b[idx[g-1]*ldb+n-1] // the kernel reads within b
			m4 := n &^ 3
			gemmRowAVX2(o[:m4], ai, idx[:g], b, ldb)
			if m4 < n {
				for ; q < g; q += 4 {
					p0, p1, p2, p3 := idx[q], idx[q+1], idx[q+2], idx[q+3]
					axpy4Go(o[m4:], b[p0*ldb+m4:p0*ldb+n], b[p1*ldb+m4:p1*ldb+n], b[p2*ldb+m4:p2*ldb+n], b[p3*ldb+m4:p3*ldb+n], &[4]float64{ai[p0], ai[p1], ai[p2], ai[p3]})
				}
			}
			q = g
		}
		for ; q+4 <= len(idx); q += 4 {
			p0, p1, p2, p3 := idx[q], idx[q+1], idx[q+2], idx[q+3]
			x0, x1, x2, x3 := ai[p0], ai[p1], ai[p2], ai[p3]
			b0 := b[p0*ldb : p0*ldb+n]
			b1 := b[p1*ldb : p1*ldb+n]
			b2 := b[p2*ldb : p2*ldb+n]
			b3 := b[p3*ldb : p3*ldb+n]
			axpy4(o, b0, b1, b2, b3, &[4]float64{x0, x1, x2, x3})
		}
		for ; q < len(idx); q++ {
			p := idx[q]
			x := ai[p]
			bp := b[p*ldb : p*ldb+n]
			bp = bp[:len(o)]
			for j := range o {
				o[j] += x * bp[j]
			}
		}
	}
	return idx
}

// transpose writes the transpose of the r×c row-major matrix a into dst
// (c×r, row-major) and returns it.
func transpose(dst, a []float64, r, c int) []float64 {
	dst = dst[:r*c]
	for i := range r {
		for j, v := range a[i*c : (i+1)*c] {
			dst[j*r+i] = v
		}
	}
	return dst
}

// axpy4 adds ((x0·b0 + x1·b1) + x2·b2) + x3·b3 to o element by element,
// four elements at a time in assembly where the CPU has AVX2; the result is
// the same bit for bit (no fused multiply-adds on either path).
func axpy4(o, b0, b1, b2, b3 []float64, x *[4]float64) {
	m := 0
	if haveAVX2 {
		m = len(o) &^ 3
		if m > 0 {
			axpy4AVX2(o[:m], b0[:m], b1[:m], b2[:m], b3[:m], x)
		}
	}
	axpy4Go(o[m:], b0[m:], b1[m:], b2[m:], b3[m:], x)
}

// axpy4Go is axpy4's portable loop. The conversions keep the compiler from
// fusing multiplies and adds (it may on GOAMD64=v3), so that both paths
// round alike.
func axpy4Go(o, b0, b1, b2, b3 []float64, x *[4]float64) {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	b0, b1, b2, b3 = b0[:len(o)], b1[:len(o)], b2[:len(o)], b3[:len(o)]
	for j := range o {
		t := float64(x0*b0[j]) + float64(x1*b1[j])
		t = float64(t + float64(x2*b2[j]))
		t = float64(t + float64(x3*b3[j]))
		o[j] = float64(o[j] + t)
	}
}

// nonzero returns 1 if x is not ±0 and 0 if it is, without a branch.
func nonzero(x float64) int {
	// The bits without the sign are 0 only for ±0; (b | -b) has its top
	// bit set for any other b.
	b := math.Float64bits(x) &^ (1 << 63)
	return int((b | -b) >> 63)
}

// relu sets the negative entries of v to zero without a branch (the sign
// bit spread over the word masks them out). -0 becomes +0, which no later
// step tells apart, and so would a NaN with its sign bit set (the inputs
// are checked finite, and the classifier's values stay so).
func relu(v []float64) {
	for j, x := range v {
		b := math.Float64bits(x)
		v[j] = math.Float64frombits(b &^ uint64(int64(b)>>63))
	}
}

// reluMask zeroes d[k] where a[k] ≤ 0, the ReLU's derivative, without a
// branch.
func reluMask(d, a []float64) {
	a = a[:len(d)]
	for k, x := range a {
		b := math.Float64bits(x)
		// Positive non-zero x: sign 0 and b != 0, keep; otherwise clear.
		keep := uint64(int64((b|-b)&^b) >> 63)
		d[k] = math.Float64frombits(math.Float64bits(d[k]) & keep)
	}
}
