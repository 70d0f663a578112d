// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkSgemm measures the cINN's products (see cinnShapes) at batch
// 512 and 4096 with this package ("sgemm") and gonum ("gonum"), reporting
// GFLOP/s of wall-clock time and GFLOP/cpu-s, the rate per second of CPU
// time the process used: on one thread (-cpu 1) and a busy machine the
// second shows what the code does with the core it gets. The shape names
// read m×k×n/op(A)op(B). bench/gemm/run.sh puts the numbers beside numpy's.
func BenchmarkSgemm(b *testing.B) {
	impls := []struct {
		name string
		impl blas.Float32
	}{
		{"sgemm", Implementation{}},
		{"gonum", gonum.Implementation{}},
	}
	rnd := rand.New(rand.NewPCG(1, 1))
	for _, batch := range []int{512, 4096} {
		for _, s := range cinnShapes(batch) {
			p := newProblem(rnd, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 0, false)
			for _, im := range impls {
				b.Run(s.name+"/"+im.name, func(b *testing.B) {
					c0 := cpuTime()
					for b.Loop() {
						im.impl.Sgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
					}
					flop := 2 * float64(p.m*p.n*p.k) * float64(b.N)
					b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					if cpu := cpuTime() - c0; cpu > 0 {
						b.ReportMetric(flop/cpu.Seconds()/1e9, "GFLOP/cpu-s")
					}
				})
			}
		}
	}
}

// BenchmarkKernel measures each micro-kernel alone on a tile whose operands
// sit in the L1 cache: the ceiling of the whole routine.
func BenchmarkKernel(b *testing.B) {
	const k = 256
	for _, set := range kernelSets() {
		for _, kn := range set.kernels {
			a := make([]float32, kn.mr*k)
			bp := make([]float32, kn.nr*k)
			c := make([]float32, kn.mr*kn.nr)
			b.Run(kn.name, func(b *testing.B) {
				for b.Loop() {
					kn.fn(k, &a[0], 4, kn.mr*4, &bp[0], kn.nr*4, &c[0], kn.nr*4, 1, 0)
				}
				b.ReportMetric(2*float64(kn.mr*kn.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
