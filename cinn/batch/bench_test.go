// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/batch"
	"github.com/gocinn/gocinn/cinn/table"
)

// defaultModel saves a model of the seed papers' default architecture (8
// blocks, subnets of 3 hidden layers of 256 units, 5 parameters, 8
// observables), trained for one epoch on a toy problem: training does not
// change the cost of sampling. It returns the model and a catalogue of
// stars rows.
func defaultModel(tb testing.TB, dir string, stars int) (model, catalogue string) {
	tb.Helper()
	const dx, dy = 5, 8
	sim := func(r *rand.Rand, rows int) (*mat.Dense, *mat.Dense) {
		x, y := mat.NewDense(rows, dx, nil), mat.NewDense(rows, dy, nil)
		for i := 0; i < rows; i++ {
			for j := 0; j < dx; j++ {
				x.Set(i, j, r.NormFloat64())
			}
			for k := 0; k < dy; k++ {
				v := 0.1 * r.NormFloat64()
				for j := 0; j < dx; j++ {
					v += math.Sin(float64(1+j+k)) * x.At(i, j)
				}
				y.Set(i, k, v)
			}
		}
		return x, y
	}
	m, err := cinn.NewModel(cinn.Config{DimX: dx, DimY: dy, Seed: 1}, cinn.Spec{})
	must(tb, err)
	x, y := sim(rand.New(rand.NewPCG(1, 1)), 1024)
	_, err = m.Train(context.Background(), x, y, nil, nil, cinn.TrainSettings{Epochs: 1, Seed: 1})
	must(tb, err)
	model = filepath.Join(dir, "default.cinn")
	must(tb, m.Save(model))
	_, yc := sim(rand.New(rand.NewPCG(2, 2)), stars)
	names := make([]string, dy)
	for k := range names {
		names[k] = fmt.Sprintf("y%d", k)
	}
	t, err := table.NewFromMatrix(names, yc)
	must(tb, err)
	catalogue = filepath.Join(dir, "catalogue.npz")
	must(tb, table.WriteFile(catalogue, t))
	return model, catalogue
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// BenchmarkShard runs one summary-only shard of 64 stars with 1000 draws
// each through the default architecture, on all cores. It reports the
// wall-clock rate and the CPU seconds per star, the figure to extrapolate
// from on a shared machine (see docs/scale-out.md).
func BenchmarkShard(b *testing.B) {
	const stars = 64
	dir := b.TempDir()
	model, cat := defaultModel(b, dir, stars)
	job := batch.Job{Model: model, Input: cat, Shard: batch.Whole, Draws: 1000, Seed: 1, SummaryOnly: true, Force: true}
	b.ResetTimer()
	cpu0, t0 := cpuSeconds(), time.Now()
	for i := 0; i < b.N; i++ {
		job.OutDir = filepath.Join(dir, fmt.Sprint(i))
		if _, err := batch.Run(context.Background(), job); err != nil {
			b.Fatal(err)
		}
	}
	wall, cpu := time.Since(t0).Seconds(), cpuSeconds()-cpu0
	b.ReportMetric(float64(stars*b.N)/wall, "stars/s")
	b.ReportMetric(cpu/float64(stars*b.N), "cpu-s/star")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "threads")
}
