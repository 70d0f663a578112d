// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"math/rand/v2"
	"testing"
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
			s := TrainSettings{ClipNorm: 1, WeightDecay: 1e-5}.withDefaults()
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
