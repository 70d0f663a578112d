// Copyright ©2026 The gocinn Authors. All rights reserved.

// Package threads says how many goroutines the engine's parallel loops
// (training and sampling chunks, GEMM, C2ST folds, summaries, batch
// inference) may use: GOMAXPROCS, or fewer when the environment variable
// GOCINN_THREADS is a smaller positive number, so that a kernel on a shared
// machine (a login node, a laptop in a meeting) can be kept to a few cores
// without changing the Go runtime's own settings. Results never depend on
// it: the loops split their work by size, not by goroutine.
package threads

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// Env is the environment variable read by N.
const Env = "GOCINN_THREADS"

var limit = sync.OnceValue(func() int { return parse(os.Getenv(Env)) })

// parse returns the limit GOCINN_THREADS sets, 0 for none (empty or not a
// positive integer).
func parse(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// N returns the number of goroutines a parallel loop may use: GOMAXPROCS,
// at most GOCINN_THREADS (read once, at the first call).
func N() int {
	n := runtime.GOMAXPROCS(0)
	if l := limit(); l > 0 && l < n {
		return l
	}
	return n
}
