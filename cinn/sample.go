// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// sampleChunk is the number of posterior draws one task inverts at once.
// The decomposition into tasks depends only on the number of observations
// and n, never on GOMAXPROCS, so results are reproducible on any machine.
const sampleChunk = 1024

type sampleTask struct {
	obs, lo, hi  int
	seed1, seed2 uint64
}

// Sample draws n posterior samples of x for every row of y (physical units)
// and returns one n×DimX matrix per row, in physical units. The work is
// spread over GOMAXPROCS goroutines; the result depends only on src (a
// math/rand/v2 source), y and n. Rows of y with NaN, ±Inf or values outside
// their column transform's domain return a *DataError naming the row and
// column. Cancelling ctx stops the work and returns an error wrapping
// context.Cause(ctx).
func (m *Model) Sample(ctx context.Context, y *mat.Dense, n int, src rand.Source) ([]*mat.Dense, error) {
	rows := checkShape(y, m.cfg.DimY, "observations y")
	if n < 1 {
		panic(fmt.Sprintf("cinn: Sample with n = %d", n))
	}
	if src == nil {
		panic("cinn: Sample with nil rand.Source")
	}
	if !m.prep.Fitted {
		return nil, fmt.Errorf("cinn: the model is untrained: run Train (%%train) before sampling")
	}
	ty, err := transformed(y, m.spec.YTransforms, m.spec.YNames, "observation y")
	if err != nil {
		return nil, err
	}
	dy, dx := m.cfg.DimY, m.cfg.DimX
	ys := make([]float32, rows*dy)
	standardised(ys, dy, ty, m.prep.YMean, m.prep.YStd)
	conds := m.conditions(ys, rows)
	dc := m.arch.dimC

	rng := rand.New(src)
	var tasks []sampleTask
	out := make([]*mat.Dense, rows)
	for i := 0; i < rows; i++ {
		out[i] = mat.NewDense(n, dx, nil)
		for lo := 0; lo < n; lo += sampleChunk {
			tasks = append(tasks, sampleTask{obs: i, lo: lo, hi: min(lo+sampleChunk, n), seed1: rng.Uint64(), seed2: rng.Uint64()})
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(tasks))
	ch := make(chan sampleTask)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := newWorkspace[float32](m.arch, min(sampleChunk, n), false)
			for t := range ch {
				m.sampleTask(ws, t, conds[t.obs*dc:(t.obs+1)*dc], out[t.obs])
			}
		}()
	}
	var cerr error
	for _, t := range tasks {
		if err := context.Cause(ctx); err != nil {
			cerr = fmt.Errorf("cinn: sampling interrupted: %w", err)
			break
		}
		ch <- t
	}
	close(ch)
	wg.Wait()
	if cerr != nil {
		return nil, cerr
	}
	return out, nil
}

// sampleTask inverts the draws lo..hi of one observation.
func (m *Model) sampleTask(ws *workspace[float32], t sampleTask, c []float32, dst *mat.Dense) {
	a := m.arch
	D, dx := a.dim, m.cfg.DimX
	rows := t.hi - t.lo
	r := rand.New(rand.NewPCG(t.seed1, t.seed2))
	z := ws.xs[0][:rows*D]
	for i := range z {
		z[i] = float32(r.NormFloat64())
	}
	dc := len(c)
	for i := 0; i < rows; i++ {
		copy(ws.c[i*dc:(i+1)*dc], c)
	}
	x := flowInverse(a, m.params, ws, rows)
	raw := dst.RawMatrix()
	for i := 0; i < rows; i++ {
		row := raw.Data[(t.lo+i)*raw.Stride:]
		for j := 0; j < dx; j++ {
			v := float64(x[i*D+j])*m.prep.XStd[j] + m.prep.XMean[j]
			row[j] = m.spec.XTransforms[j].invert(v)
		}
	}
}
