// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// The seeds' size: 8 blocks, subnets of 3 hidden layers × 256, dim x 5,
// dim y 8, batch 512 (bench/engine/torch_bench.py builds the same network).
const (
	benchDimX  = 5
	benchDimY  = 8
	benchBatch = 512
)

func benchModel(b *testing.B) *Model { return benchModelOf(b, AffineCoupling) }

// benchModelOf is the seeds' network with the given coupling (NewModel's
// default of 8 bins on [-5, 5] for splines).
func benchModelOf(b *testing.B, coupling string) *Model {
	return benchModelCfg(b, Config{Coupling: coupling})
}

// benchModelCfg is the network of cfg with seed 1, of the seeds' size
// where cfg leaves DimX and DimY zero.
func benchModelCfg(b *testing.B, cfg Config) *Model {
	if cfg.DimX == 0 && cfg.DimY == 0 {
		cfg.DimX, cfg.DimY = benchDimX, benchDimY
	}
	cfg.Seed = 1
	m, err := NewModel(cfg, Spec{})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkTrainStep measures one optimiser step as Train runs it: forward,
// loss, backward, gradient norm and Adam update on a batch of 512.
func BenchmarkTrainStep(b *testing.B) { benchTrainStep(b, AffineCoupling) }

// BenchmarkTrainStepSpline is BenchmarkTrainStep with spline couplings.
func BenchmarkTrainStepSpline(b *testing.B) { benchTrainStep(b, SplineCoupling) }

// BenchmarkTrainStepMixed is BenchmarkTrainStep with mixed couplings (the
// default).
func BenchmarkTrainStepMixed(b *testing.B) { benchTrainStep(b, MixedCoupling) }

// BenchmarkTrainStepLinearMix is BenchmarkTrainStepMixed with learned
// mixing after every permutation (Config.LinearMix).
func BenchmarkTrainStepLinearMix(b *testing.B) {
	benchTrainStepOf(b, benchModelCfg(b, Config{Coupling: MixedCoupling, LinearMix: true}))
}

// BenchmarkTrainStepBins compares spline bins (8, the default, and 16) in
// the mixed network at the seeds' size (5-D x, 8-D y) and at two_moons'
// (2-D x and y), the other settings the defaults: the cost of more bins.
func BenchmarkTrainStepBins(b *testing.B) {
	for _, d := range []struct{ x, y int }{{2, 2}, {benchDimX, benchDimY}} {
		for _, bins := range []int{8, 16} {
			b.Run(fmt.Sprintf("x%d-y%d-bins%d", d.x, d.y, bins), func(b *testing.B) {
				benchTrainStepOf(b, benchModelCfg(b, Config{DimX: d.x, DimY: d.y, Coupling: MixedCoupling, Bins: bins}))
			})
		}
	}
}

func benchTrainStep(b *testing.B, coupling string) { benchTrainStepOf(b, benchModelOf(b, coupling)) }

func benchTrainStepOf(b *testing.B, m *Model) {
	rng := rand.New(rand.NewPCG(1, 2))
	ws := newWorkspace[float32](m.arch, benchBatch, true)
	copy(ws.xs[0], randSlice[float32](rng, benchBatch*m.arch.dim, 1))
	copy(ws.y, randSlice[float32](rng, benchBatch*m.arch.dimY, 1))
	x0 := append([]float32(nil), ws.xs[0]...)
	grad := make([]float32, m.NumParams())
	m.opt.m = make([]float32, m.NumParams())
	m.opt.v = make([]float32, m.NumParams())
	s := TrainSettings{}.WithDefaults(benchBatch, false)
	step := func() {
		copy(ws.xs[0], x0)
		lossGrad(m.arch, m.params, grad, ws, benchBatch, false)
		m.adamStep(grad, m.scratch().gradNorm(grad), s.LR, s)
	}
	step() // warm up: the scratch and the GEMM's packing buffers
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	reportCPU(b, cpu0)
}

// BenchmarkSample measures posterior sampling: 512 draws for each of 20
// observations per operation, on all cores.
func BenchmarkSample(b *testing.B) { benchSample(b, AffineCoupling) }

// BenchmarkSampleSpline is BenchmarkSample with spline couplings.
func BenchmarkSampleSpline(b *testing.B) { benchSample(b, SplineCoupling) }

// BenchmarkSampleMixed is BenchmarkSample with mixed couplings.
func BenchmarkSampleMixed(b *testing.B) { benchSample(b, MixedCoupling) }

// BenchmarkSampleLinearMix is BenchmarkSampleMixed with learned mixing.
func BenchmarkSampleLinearMix(b *testing.B) {
	benchSampleOf(b, benchModelCfg(b, Config{Coupling: MixedCoupling, LinearMix: true}))
}

func benchSample(b *testing.B, coupling string) { benchSampleOf(b, benchModelOf(b, coupling)) }

func benchSampleOf(b *testing.B, m *Model) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := mat.NewDense(2000, benchDimX, randSlice[float64](rng, 2000*benchDimX, 1))
	y := mat.NewDense(2000, benchDimY, randSlice[float64](rng, 2000*benchDimY, 1))
	// Fit the standardisation with one short epoch.
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 1, BatchSize: 2000}); err != nil {
		b.Fatal(err)
	}
	const obs = 20
	yObs := mat.DenseCopyOf(y.Slice(0, obs, 0, benchDimY))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := m.Sample(context.Background(), yObs, benchBatch, rand.NewPCG(uint64(i), 1)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*obs*benchBatch)/b.Elapsed().Seconds(), "samples/s")
	reportCPU(b, cpu0)
}

// reportCPU reports the process CPU time per operation (user + system, all
// threads; 0 where getrusage is missing). On a shared machine the wall
// time depends on the load, the CPU time much less; but spinning GEMM
// helpers (cinn/sgemm) count too.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if c := cpuTime(); c > 0 {
		b.ReportMetric(float64(c-cpu0)/1e6/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkAdamStep measures the Adam update of the seeds' network alone
// (2.2 million parameters).
func BenchmarkAdamStep(b *testing.B) {
	m := benchModel(b)
	rng := rand.New(rand.NewPCG(1, 2))
	g := randSlice[float32](rng, m.NumParams(), 1e-3)
	m.opt.m = make([]float32, m.NumParams())
	m.opt.v = make([]float32, m.NumParams())
	s := TrainSettings{}.WithDefaults(benchBatch, false)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		m.adamStep(g, 1, s.LR, s)
	}
	reportCPU(b, cpu0)
}
