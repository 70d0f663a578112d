// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build !amd64

package cinn

const haveAVX2 = false

// addBiasRow adds b to row (len(row) == len(b)) and applies the
// branch-free ReLU if relu is set.
func addBiasRow(row, b []float32, relu bool) { addBiasScalar(row[:len(b)], b, relu) }

// reluMaskRow zeroes g[i] wherever the bits of h[i] are zero.
func reluMaskRow(g, h []float32) { reluMaskScalar(g, h) }

// adamRow applies adamScalar's update.
func adamRow(p, m, v, g []float32, c *[10]float32) { adamScalar(p, m, v, g, c) }
