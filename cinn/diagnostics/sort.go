// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"math"
	"slices"
)

// radixMin is the length below which sortFloats uses slices.Sort.
const radixMin = 512

// sortFloats sorts x (no NaNs) ascending, using buf as scratch. Long slices
// are sorted by a least-significant-digit radix sort on the order-preserving
// integer image of the floats (sign bit flipped for positive values, all
// bits for negative ones), 8 bits per pass, skipping passes in which every
// key has the same digit. -0 sorts before +0.
func sortFloats(x []float64, buf *[]uint64) {
	n := len(x)
	if n < radixMin {
		slices.Sort(x)
		return
	}
	if cap(*buf) < 2*n {
		*buf = make([]uint64, 2*n)
	}
	keys, tmp := (*buf)[:n], (*buf)[n:2*n]
	for i, v := range x {
		b := math.Float64bits(v)
		if b>>63 == 1 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		keys[i] = b
	}
	var count [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&0xff]++
		}
		if count[(keys[0]>>shift)&0xff] == n {
			continue // all keys share this digit
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, k := range keys {
			d := (k >> shift) & 0xff
			tmp[count[d]] = k
			count[d]++
		}
		keys, tmp = tmp, keys
	}
	for i, b := range keys {
		if b>>63 == 1 {
			b &^= 1 << 63
		} else {
			b = ^b
		}
		x[i] = math.Float64frombits(b)
	}
}
