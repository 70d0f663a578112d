// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build !amd64

package diagnostics

const haveAVX2 = false

func axpy4AVX2(o, b0, b1, b2, b3 []float64, x *[4]float64) { panic("unreachable") }

func setAVX2(bool) {}

func gemmRowAVX2(o, ai []float64, idx []int, b []float64, ldb int) { panic("unreachable") }
