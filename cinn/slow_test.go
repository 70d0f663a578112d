// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// TestDefaultArchitectureSlow trains the seeds' default architecture (8
// blocks, subnets 3×256, clamp 2, 0.03 initialisation, with the 512-512-256
// conditioning network scaled down to 128-64) on the linear-Gaussian
// problem and checks its calibration and posterior means. It takes several
// minutes on two cores: set GOCINN_SLOW=1 and do not pass -short.
func TestDefaultArchitectureSlow(t *testing.T) {
	if !slow() {
		t.Skip("set GOCINN_SLOW=1 (without -short) to train the default architecture")
	}
	p := newLinGauss()
	rng := rand.New(rand.NewPCG(51, 52))
	x, y := p.simulate(20000, rng)
	xv, yv := p.simulate(2000, rng)
	m, err := NewModel(Config{DimX: 2, DimY: 3, CondNet: []int{128, 64}, Seed: 1}, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := m.Train(context.Background(), x, y, xv, yv, TrainSettings{Epochs: 12, BatchSize: 512, LR: 1e-3, Seed: 2,
		Schedule: Schedule{Kind: ExponentialSchedule, Gamma: 0.8}, ClipNorm: 10,
		Progress: func(pr Progress) {
			t.Logf("epoch %d train %.4f val %.4f (%s)", pr.Epoch, pr.TrainLoss, pr.ValLoss, time.Since(start).Round(time.Second))
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	xt, yt := p.simulate(500, rng)
	samples, err := m.Sample(context.Background(), yt, 300, rand.NewPCG(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	var us []float64
	var sq float64
	for i, s := range samples {
		mu, cov := p.posterior(yt.RawRowView(i))
		for j := 0; j < 2; j++ {
			col := mat.Col(nil, j, s)
			mean, _ := meanSD(col)
			d := (mean - mu[j]) / math.Sqrt(cov.At(j, j))
			sq += d * d
			sort.Float64s(col)
			k := sort.SearchFloat64s(col, xt.At(i, j))
			us = append(us, (float64(k)+0.5)/float64(len(col)+1))
		}
	}
	var errs []float64
	for qi := 1; qi <= 100; qi++ {
		q := float64(qi) / 100
		in := 0
		for _, u := range us {
			if math.Abs(u-0.5) <= q/2 {
				in++
			}
		}
		errs = append(errs, math.Abs(float64(in)/float64(len(us))-q))
	}
	slices.Sort(errs)
	med := (errs[49] + errs[50]) / 2
	rms := math.Sqrt(sq / float64(len(us)))
	t.Logf("median |e_cal| %.4f, RMS mean error %.3fσ", med, rms)
	if med >= 0.02 || rms > 0.15 {
		t.Errorf("default architecture: median |e_cal| %.4f (want < 0.02), RMS mean error %.3fσ (want ≤ 0.15)", med, rms)
	}
}

// TestDefaultArchitectureBimodalSlow trains the default architecture on the
// degenerate y = x² + N(0, 0.2²) problem and checks that its posterior for
// y = 1 has both modes (GOCINN_SLOW=1, several minutes). With the 0.03
// initialisation the deep subnets sit on a unimodal plateau (loss ≈ 0.29)
// for about six epochs before they split the modes.
func TestDefaultArchitectureBimodalSlow(t *testing.T) {
	if !slow() {
		t.Skip("set GOCINN_SLOW=1 (without -short) to train the default architecture")
	}
	rng := rand.New(rand.NewPCG(61, 62))
	n := 8000
	x := mat.NewDense(n, 1, nil)
	y := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		v := rng.NormFloat64()
		x.Set(i, 0, v)
		y.Set(i, 0, v*v+0.2*rng.NormFloat64())
	}
	m, err := NewModel(Config{DimX: 1, DimY: 1, Seed: 1}, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 25, BatchSize: 256, Seed: 2,
		Schedule: Schedule{Kind: StepSchedule, Every: 15, Gamma: 0.3},
		Progress: func(pr Progress) {
			t.Logf("epoch %d train %.4f (%s)", pr.Epoch, pr.TrainLoss, time.Since(start).Round(time.Second))
		}}); err != nil {
		t.Fatal(err)
	}
	s, err := m.Sample(context.Background(), mat.NewDense(1, 1, []float64{1}), 4000, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	var pos, near int
	for _, v := range mat.Col(nil, 0, s[0]) {
		if v > 0 {
			pos++
		}
		if math.Abs(math.Abs(v)-1) < 0.25 {
			near++
		}
	}
	t.Logf("y=1: fraction positive %.3f, fraction within 0.25 of ±1 %.3f", float64(pos)/4000, float64(near)/4000)
	if pos < 1200 || pos > 2800 || near < 3000 {
		t.Errorf("default architecture misses the bimodal posterior: positive %d/4000, near the modes %d/4000", pos, near)
	}
}
