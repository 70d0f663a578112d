// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

var (
	seed = flag.Uint64("sgemm.seed", 1, "seed of TestRandom")
	arch = flag.String("sgemm.arch", "", "kernel set for the tests and benchmarks (avx512, avx2, go); the fastest if empty")
)

func TestMain(m *testing.M) {
	flag.Parse()
	if *arch != "" {
		found := false
		for _, s := range kernelSets() {
			if s.name == *arch {
				active, found = s, true
			}
		}
		if !found {
			fmt.Fprintf(os.Stderr, "-sgemm.arch=%s: not a kernel set this machine runs\n", *arch)
			os.Exit(2)
		}
	}
	os.Exit(m.Run())
}
