// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// sampleChunk is the number of posterior draws that share one random
// stream, and sampleBatch the number of rows inverted in one pass. The
// decomposition depends only on the number of observations and n, never on
// GOMAXPROCS, so results are reproducible on any machine.
const (
	sampleChunk = 1024
	sampleBatch = 1024
)

type sampleTask struct {
	obs, lo, hi  int
	seed1, seed2 uint64
}

// Sample draws n posterior samples of x for every row of y (physical units)
// and returns one n×DimX matrix per row, in physical units. The draws are
// inverted in large batches whose matrix products use all cores (through
// the blas32 implementation); the result depends only on src (a
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
	// Tasks are inverted in batches of up to sampleBatch rows (spanning
	// observations), one batch after another: the parallelism is inside
	// the GEMMs, which scale better with large batches than independent
	// workers with nested parallel GEMMs do.
	ws := newWorkspace[float32](m.arch, min(sampleBatch, rows*n), false)
	for i := 0; i < len(tasks); {
		if err := context.Cause(ctx); err != nil {
			return nil, fmt.Errorf("cinn: sampling interrupted: %w", err)
		}
		j, nrows := i, 0
		for j < len(tasks) && nrows+tasks[j].hi-tasks[j].lo <= ws.cap {
			nrows += tasks[j].hi - tasks[j].lo
			j++
		}
		m.sampleBatch(ws, tasks[i:j], conds, dc, out)
		i = j
	}
	return out, nil
}

// reuseRatio is the least number of rows per distinct observation in a
// batch for which Sample computes the condition's share of the subnets'
// first layers once per observation (see subnetForward) rather than per
// row. The choice depends only on n and the number of observations.
var reuseRatio = 4 // a variable so that tests can turn the reuse off

// sampleBatch draws the latent vectors of the given tasks, inverts them
// in one pass and writes physical-unit samples into out.
func (m *Model) sampleBatch(ws *workspace[float32], tasks []sampleTask, conds []float32, dc int, out []*mat.Dense) {
	a := m.arch
	D, dx := a.dim, m.cfg.DimX
	if ws.obsC == nil {
		ws.obsC = make([]float32, ws.cap*dc)
		ws.rowObs = make([]int32, ws.cap)
	}
	r0, nobs, last := 0, 0, -1
	for _, t := range tasks {
		rows := t.hi - t.lo
		rng := rand.New(rand.NewPCG(t.seed1, t.seed2))
		z := ws.xs[0][r0*D : (r0+rows)*D]
		for i := range z {
			z[i] = float32(rng.NormFloat64())
		}
		c := conds[t.obs*dc : (t.obs+1)*dc]
		if t.obs != last {
			copy(ws.obsC[nobs*dc:(nobs+1)*dc], c)
			nobs++
			last = t.obs
		}
		for i := r0; i < r0+rows; i++ {
			ws.rowObs[i] = int32(nobs - 1)
		}
		r0 += rows
	}
	ws.nobs = nobs
	ws.reuse = r0 >= reuseRatio*nobs
	if ws.reuse {
		if need := nobs * a.maxW; len(ws.cw) < need {
			ws.cw = make([]float32, need)
		}
	} else {
		for i := 0; i < r0; i++ {
			o := int(ws.rowObs[i])
			copy(ws.c[i*dc:(i+1)*dc], ws.obsC[o*dc:(o+1)*dc])
		}
	}
	x := flowInverse(a, m.params, ws, r0)
	r0 = 0
	for _, t := range tasks {
		raw := out[t.obs].RawMatrix()
		for i := 0; i < t.hi-t.lo; i++ {
			row := raw.Data[(t.lo+i)*raw.Stride:]
			xr := x[(r0+i)*D:]
			for j := 0; j < dx; j++ {
				v := float64(xr[j])*m.prep.XStd[j] + m.prep.XMean[j]
				row[j] = m.spec.XTransforms[j].invert(v)
			}
		}
		r0 += t.hi - t.lo
	}
}
