// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn/internal/threads"
)

// Interval is a central credible interval: the percentiles
// 100·(1-Level)/2 and 100·(1+Level)/2 of the samples.
type Interval struct {
	Level  float64 // probability mass inside, in (0, 1]
	Lo, Hi float64 // lower and upper bound
}

// Width returns Hi - Lo.
func (iv Interval) Width() float64 { return iv.Hi - iv.Lo }

// Contains reports whether Lo ≤ x ≤ Hi.
func (iv Interval) Contains(x float64) bool { return iv.Lo <= x && x <= iv.Hi }

// Summary holds the one-dimensional summary statistics of the samples of one
// parameter. See the package documentation for the exact definitions.
type Summary struct {
	N         int        // number of samples
	Mean      float64    // arithmetic mean
	Median    float64    // 50th percentile
	Std       float64    // standard deviation with the n-1 denominator (0 when N = 1)
	MAP       float64    // mode of the Gaussian kernel density estimate
	Bandwidth float64    // Silverman bandwidth of that estimate (0 for constant samples)
	Min, Max  float64    // smallest and largest sample: the sampled support
	Intervals []Interval // one per requested level, in the order requested
}

// Interval returns the central interval at the given level, computed by
// Summarize, and whether it was there.
func (s Summary) Interval(level float64) (Interval, bool) {
	for _, iv := range s.Intervals {
		if iv.Level == level {
			return iv, true
		}
	}
	return Interval{}, false
}

// Percentile returns the p-th quantile (p in [0, 1]) of sorted, an ascending
// slice, by linear interpolation between closest ranks: with h = (n-1)·p and
// i = ⌊h⌋ it returns sorted[i] + (h-i)·(sorted[i+1]-sorted[i]). This is
// numpy.percentile's default ("linear", type 7 of Hyndman and Fan).
// Percentile panics if sorted is empty or p is outside [0, 1]; it does not
// check that sorted is sorted.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		panic("diagnostics: percentile of an empty slice")
	}
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("diagnostics: percentile level %v outside [0, 1]", p))
	}
	h := float64(n-1) * p
	i := int(math.Floor(h))
	if i >= n-1 {
		return sorted[n-1]
	}
	t := h - float64(i)
	a, b := sorted[i], sorted[i+1]
	// numpy's _lerp: interpolate from the nearer end, so the result is
	// monotone in t and exact at both ends.
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// CentralInterval returns the central interval at level (in (0, 1]) of
// sorted, an ascending slice: the percentiles (1-level)/2 and (1+level)/2.
func CentralInterval(sorted []float64, level float64) Interval {
	checkLevel(level)
	return Interval{
		Level: level,
		Lo:    Percentile(sorted, (1-level)/2),
		Hi:    Percentile(sorted, (1+level)/2),
	}
}

func checkLevel(level float64) {
	if !(level > 0 && level <= 1) {
		panic(fmt.Sprintf("diagnostics: interval level %v outside (0, 1]", level))
	}
}

// Summarize returns one Summary per column of samples (rows are samples,
// columns parameters), with a central interval for each of levels (each in
// (0, 1]; for example 0.68 and 0.95). Summarize panics if samples is nil or
// empty or a level is out of range. A column holding NaN or ±Inf gets a
// Summary whose statistics are all NaN; use SummarizeAll or CheckFinite to
// get an error naming the offending row and column instead.
func Summarize(samples *mat.Dense, levels []float64) []Summary {
	if samples == nil || samples.IsEmpty() {
		panic("diagnostics: nil or empty samples")
	}
	for _, l := range levels {
		checkLevel(l)
	}
	_, d := samples.Dims()
	out := make([]Summary, d)
	var w worker
	for j := range d {
		out[j] = summarizeColumn(w.column(samples, j), levels, &w)
	}
	return out
}

// worker holds scratch buffers reused across columns and observations.
type worker struct {
	col   []float64
	grid  []float64
	kern  []float64
	dens  []float64
	cand  []int
	spans [][2]int
	keys  []uint64
}

// column copies column j of m into the worker's buffer.
func (w *worker) column(m *mat.Dense, j int) []float64 {
	raw := m.RawMatrix()
	if cap(w.col) < raw.Rows {
		w.col = make([]float64, raw.Rows)
	}
	col := w.col[:raw.Rows]
	for i := range col {
		col[i] = raw.Data[i*raw.Stride+j]
	}
	return col
}

// summarizeColumn summarises x, which it sorts in place.
func summarizeColumn(x []float64, levels []float64, w *worker) Summary {
	n := len(x)
	s := Summary{N: n, Intervals: make([]Interval, len(levels))}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			nan := math.NaN()
			s.Mean, s.Median, s.Std, s.MAP, s.Bandwidth, s.Min, s.Max = nan, nan, nan, nan, nan, nan, nan
			for k, l := range levels {
				s.Intervals[k] = Interval{Level: l, Lo: nan, Hi: nan}
			}
			return s
		}
	}
	sortFloats(x, &w.keys)
	s.Mean, s.Std = meanStd(x)
	s.Median = Percentile(x, 0.5)
	s.Min, s.Max = x[0], x[n-1]
	for k, l := range levels {
		s.Intervals[k] = CentralInterval(x, l)
	}
	s.MAP, s.Bandwidth = kdeMode(x, s.Std, w)
	return s
}

// meanStd returns the mean and the standard deviation (n-1 denominator,
// corrected two-pass algorithm) of x; the deviation of a single value is 0.
func meanStd(x []float64) (mean, std float64) {
	n := float64(len(x))
	var sum float64
	for _, v := range x {
		sum += v
	}
	mean = sum / n
	if len(x) == 1 {
		return mean, 0
	}
	var ss, comp float64
	for _, v := range x {
		d := v - mean
		ss += d * d
		comp += d
	}
	v := (ss - comp*comp/n) / (n - 1)
	if v < 0 {
		v = 0
	}
	return mean, math.Sqrt(v)
}

// CheckFinite returns a *NonFiniteError for the first NaN or ±Inf in m (row
// by row), or nil. obs is copied into the error to name the observation; pass
// -1 when there is none.
func CheckFinite(m *mat.Dense, obs int) error {
	if m == nil {
		panic("diagnostics: nil matrix")
	}
	raw := m.RawMatrix()
	for i := range raw.Rows {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return &NonFiniteError{Obs: obs, Row: i, Col: j, Value: v}
			}
		}
	}
	return nil
}

// SummarizeAll summarises many observations at once: out[i] is
// Summarize(samples[i], levels). It spreads the observations over
// GOMAXPROCS goroutines; the result does not depend on their number. It
// returns a *NonFiniteError naming the first observation (lowest index), row
// and column holding NaN or ±Inf, or the context's cause if ctx is cancelled.
// SummarizeAll panics if an element of samples is nil or empty, or a level is
// out of range.
func SummarizeAll(ctx context.Context, samples []*mat.Dense, levels []float64) ([][]Summary, error) {
	for _, l := range levels {
		checkLevel(l)
	}
	for i, m := range samples {
		if m == nil || m.IsEmpty() {
			panic(fmt.Sprintf("diagnostics: nil or empty samples for observation %d", i))
		}
	}
	out := make([][]Summary, len(samples))
	errs := make([]error, len(samples))
	parallelFor(ctx, len(samples), func(i int, w *worker) {
		if err := CheckFinite(samples[i], i); err != nil {
			errs[i] = err
			return
		}
		_, d := samples[i].Dims()
		s := make([]Summary, d)
		for j := range d {
			s[j] = summarizeColumn(w.column(samples[i], j), levels, w)
		}
		out[i] = s
	})
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parallelFor calls f(i, w) for i in [0, n) on up to GOMAXPROCS goroutines,
// each with its own worker, and stops handing out indices once ctx is done.
func parallelFor(ctx context.Context, n int, f func(i int, w *worker)) {
	workers := min(threads.N(), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w worker
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				f(i, &w)
			}
		}()
	}
	wg.Wait()
}
