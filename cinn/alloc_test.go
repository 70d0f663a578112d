// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestTrainStepAllocs checks that a training step (forward, loss,
// backward, gradient norm, Adam update: what Train does per mini-batch)
// allocates nothing once its workspace exists, for networks with and
// without a conditioning network and ActNorm, at batch sizes on both sides
// of the threshold where the element-wise loops go parallel.
func TestTrainStepAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("coverage and race instrumentation allocate")
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		rows int
	}{
		{"plain", Config{DimX: 5, DimY: 8, Blocks: 2, Hidden: 32, Layers: 2, Seed: 1}, 64},
		{"condnet+actnorm", Config{DimX: 3, DimY: 4, Blocks: 2, Hidden: 24, Layers: 1, CondNet: []int{16, 8}, ActNorm: true, Seed: 2}, 50},
		{"dim1", Config{DimX: 1, DimY: 2, Blocks: 1, Hidden: 8, Layers: 1, Seed: 3}, 10},
		{"parallel-loops", Config{DimX: 5, DimY: 8, Blocks: 1, Hidden: 160, Layers: 2, Seed: 4}, 512},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewModel(tc.cfg, Spec{})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 6))
			ws := newWorkspace[float32](m.arch, tc.rows, true)
			copy(ws.xs[0], randSlice[float32](rng, tc.rows*m.arch.dim, 1))
			copy(ws.y, randSlice[float32](rng, tc.rows*m.cfg.DimY, 1))
			grad := make([]float32, m.NumParams())
			m.opt.m = make([]float32, m.NumParams())
			m.opt.v = make([]float32, m.NumParams())
			s := TrainSettings{ClipNorm: 1, WeightDecay: 1e-5}.WithDefaults(tc.rows, false)
			step := func() {
				lossGrad(m.arch, m.params, grad, ws, tc.rows, false)
				m.adamStep(grad, m.scratch().gradNorm(grad), s.LR, s)
			}
			step() // first use creates the scratch
			if n := testing.AllocsPerRun(5, step); n != 0 {
				t.Errorf("a training step allocates %v times", n)
			}
		})
	}
}

// TestReproducibleParallelLoops checks that training steps and sampling at
// sizes where the element-wise loops (bias + ReLU, ReLU masks, Adam,
// gradient norm, the per-observation condition) run on several goroutines
// give bit-identical weights and samples for any GOMAXPROCS.
func TestReproducibleParallelLoops(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a 2-block model of width 256 three times")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	const n = 1100
	x := mat.NewDense(n, 5, randSlice[float64](rng, n*5, 1))
	y := mat.NewDense(n, 8, randSlice[float64](rng, n*8, 1))
	obs := mat.DenseCopyOf(y.Slice(0, 3, 0, 8))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var refW []float32
	var refS []*mat.Dense
	for _, procs := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(procs)
		m, err := NewModel(Config{DimX: 5, DimY: 8, Blocks: 2, Seed: 1}, Spec{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 1, BatchSize: 512, Seed: 2, ClipNorm: 1}); err != nil {
			t.Fatal(err)
		}
		s, err := m.Sample(context.Background(), obs, 1500, rand.NewPCG(5, 6))
		if err != nil {
			t.Fatal(err)
		}
		if refW == nil {
			refW, refS = m.Params(), s
			continue
		}
		if !slices.Equal(refW, m.Params()) {
			t.Errorf("GOMAXPROCS=%d: weights differ from GOMAXPROCS=1", procs)
		}
		for i := range s {
			if !mat.Equal(s[i], refS[i]) {
				t.Errorf("GOMAXPROCS=%d: samples of observation %d differ", procs, i)
			}
		}
	}
}
