// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build race

package sgemm

// raceEnabled: the race detector makes sync.Pool drop items, so allocation
// counts mean nothing.
const raceEnabled = true
