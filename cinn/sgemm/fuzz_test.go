// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import (
	"math/rand/v2"
	"testing"
)

// FuzzSgemm checks Sgemm, with every kernel set of this machine, on shapes,
// transposes, paddings and scalars chosen by the fuzzer. go test runs the
// seeds below; go test -fuzz FuzzSgemm ./cinn/sgemm searches further.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint8(1), uint8(0), uint8(0), uint64(1))
	f.Add(uint8(13), uint8(6), uint8(255), uint8(3), uint8(5), uint64(2))
	f.Add(uint8(200), uint8(17), uint8(33), uint8(1), uint8(10), uint64(3))
	f.Add(uint8(5), uint8(130), uint8(64), uint8(2), uint8(15), uint64(4))
	f.Add(uint8(64), uint8(64), uint8(1), uint8(0), uint8(7), uint64(5))
	f.Fuzz(func(t *testing.T, m, n, k, trans, scal uint8, seed uint64) {
		rnd := rand.New(rand.NewPCG(seed, 26))
		tA, tB := transposes[trans&1], transposes[trans>>1&1]
		pad := int(trans >> 2 & 3)
		alpha, beta := scalars[scal&3], scalars[scal>>2&3]
		p := newProblem(rnd, tA, tB, int(m), int(n), int(k), pad, alpha, beta, beta == 0)
		sets := kernelSets()
		defer func(a kernelSet) { active = a }(active)
		for _, set := range sets {
			active = set
			p.check(t, p.sgemm(Implementation{}))
		}
	})
}
