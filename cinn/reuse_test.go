// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSampleConditionReuse checks that computing the condition's share of
// the first layers once per observation (as Sample does when many draws
// share an observation) gives the samples of the plain per-row evaluation,
// to float32 rounding, with and without a conditioning network.
func TestSampleConditionReuse(t *testing.T) {
	for _, cfg := range []Config{
		{DimX: 3, DimY: 2, Blocks: 2, Hidden: 16, Layers: 2, Seed: 3},
		{DimX: 3, DimY: 2, Blocks: 2, Hidden: 16, Layers: 1, CondNet: []int{8, 4}, ActNorm: true, Seed: 4},
		{DimX: 1, DimY: 2, Blocks: 1, Hidden: 8, Layers: 0, Seed: 5},
	} {
		x, y := smallProblem(200, 9)
		if cfg.DimX == 1 {
			x = mat.DenseCopyOf(x.Slice(0, 200, 0, 1))
		}
		m, err := NewModel(cfg, Spec{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 1, BatchSize: 50, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		obs := mat.DenseCopyOf(y.Slice(0, 3, 0, 2))
		sample := func(ratio int) []*mat.Dense {
			defer func(r int) { reuseRatio = r }(reuseRatio)
			reuseRatio = ratio
			s, err := m.Sample(context.Background(), obs, 100, rand.NewPCG(1, 2))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		reused, plain := sample(1), sample(math.MaxInt32)
		var maxDiff float64
		for i := range plain {
			for k, v := range plain[i].RawMatrix().Data {
				w := reused[i].RawMatrix().Data[k]
				maxDiff = max(maxDiff, math.Abs(v-w)/(1+math.Abs(v)))
			}
		}
		if maxDiff > 1e-4 || maxDiff == 0 && cfg.Layers > 0 {
			// Identical results would mean the reuse path did not run.
			t.Errorf("%+v: largest relative difference %g between reused and per-row conditions", cfg, maxDiff)
		}
	}
}
