// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Options configures Evaluate. The zero value is ready to use.
type Options struct {
	// Names are the parameter names, used in reports and error messages.
	// Nil means "x0", "x1", ...; otherwise there must be one per column.
	Names []string

	// Quantiles is the number Q of calibration levels q_k = k/Q, k = 1…Q.
	// Zero means DefaultQuantiles, 100 (q = 0.01, 0.02, …, 1.00, as Ksoll
	// et al. 2020).
	Quantiles int

	// RankBins is the number of bins of the SBC rank histogram. Zero means
	// min(20, ⌊N/5⌋, 1+min L) so that every bin expects at least five
	// observations; fewer than two bins leave the uniformity test undefined.
	RankBins int
}

// Calibration is the calibration error curve of one parameter:
// Err[k] = (fraction of true values inside the central Q[k]-interval of
// their samples) - Q[k]. Positive values mean posteriors that are too wide
// (under-confident), negative values posteriors that are too narrow.
type Calibration struct {
	Q   []float64 // levels, ascending
	Err []float64 // e_cal(Q[k])
}

// MedianAbs returns the median of |Err| (the median of an even count is the
// mean of the two middle values).
func (c Calibration) MedianAbs() float64 {
	if len(c.Err) == 0 {
		return math.NaN()
	}
	a := make([]float64, len(c.Err))
	for i, e := range c.Err {
		a[i] = math.Abs(e)
	}
	slices.Sort(a)
	return Percentile(a, 0.5)
}

// At returns e_cal at level q by linear interpolation between the levels of
// the curve (clamped at both ends).
func (c Calibration) At(q float64) float64 {
	n := len(c.Q)
	if n == 0 {
		return math.NaN()
	}
	i, ok := slices.BinarySearch(c.Q, q)
	switch {
	case ok:
		return c.Err[i]
	case i == 0:
		return c.Err[0]
	case i == n:
		return c.Err[n-1]
	}
	t := (q - c.Q[i-1]) / (c.Q[i] - c.Q[i-1])
	return c.Err[i-1] + t*(c.Err[i]-c.Err[i-1])
}

// RankTest is the simulation-based calibration (Talts et al. 2018) summary
// of one parameter: the rank of each true value among its L samples, their
// histogram and a chi-square test of uniformity.
type RankTest struct {
	Ranks     []int     // per observation: #{samples < truth}, in 0…L
	Counts    []int     // histogram: rank r of L samples falls in bin ⌊r·B/(L+1)⌋
	Expected  []float64 // expected counts under uniform ranks
	ChiSquare float64   // Σ (Counts-Expected)²/Expected
	DoF       int       // degrees of freedom: bins with a non-zero expectation, minus 1
	PValue    float64   // P(χ²_DoF ≥ ChiSquare); NaN with fewer than two bins
}

// ParamReport holds the diagnostics of one parameter over a test set.
type ParamReport struct {
	Name        string
	RMSEMAP     float64     // √(mean over observations of (MAP - truth)²)
	RMSESamples float64     // √(mean over observations and samples of (sample - truth)²)
	Calibration Calibration // e_cal(q)
	MedianCal   float64     // median |e_cal(q)| over the levels
	U68         float64     // median over observations of the width of the 68% interval
	Coverage68  float64     // fraction of truths inside the central 68% interval
	Coverage95  float64     // fraction of truths inside the central 95% interval
	InSupport   float64     // fraction of truths inside [min, max] of their samples
	Rank        RankTest    // simulation-based calibration
}

// Report holds the result of Evaluate.
type Report struct {
	Observations int           // N, the number of test observations
	Params       []ParamReport // one per parameter (column)
	// MAP holds the MAP estimate of every parameter (N×d), for plots of
	// predicted against true values.
	MAP *mat.Dense
}

// String formats the report as a fixed-width table, one row per parameter.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d observations\n", r.Observations)
	width := len("parameter")
	for _, p := range r.Params {
		width = max(width, len(p.Name))
	}
	fmt.Fprintf(&b, "%-*s %11s %11s %9s %11s %8s %8s %8s %8s\n", width,
		"parameter", "RMSE(MAP)", "RMSE(all)", "med|ecal|", "u68", "cov68", "cov95", "support", "SBC p")
	for _, p := range r.Params {
		fmt.Fprintf(&b, "%-*s %11.4g %11.4g %8.2f%% %11.4g %8.3f %8.3f %8.3f %8.3g\n", width,
			p.Name, p.RMSEMAP, p.RMSESamples, 100*p.MedianCal, p.U68,
			p.Coverage68, p.Coverage95, p.InSupport, p.Rank.PValue)
	}
	return b.String()
}

// obsResult holds what Evaluate computes for one observation.
type obsResult struct {
	mapv   []float64 // per parameter
	sqerr  []float64 // Σ_s (sample - truth)² per parameter
	inside [][]bool  // [param][level k] truth inside central q_k interval
	in68   []bool
	in95   []bool
	insup  []bool
	w68    []float64
	rank   []int
	l      int
}

// Evaluate computes the diagnostics of posterior samples against known true
// values: samples[i] holds the samples (rows) of observation i, whose true
// parameters are row i of truth. All matrices must have the same number of
// columns. Evaluate returns a *ShapeError when the data do not match, a
// *NonFiniteError naming the observation, row and column of a NaN or ±Inf,
// or the context's cause when ctx is cancelled. It panics (caller bugs) when
// truth or an element of samples is nil or empty, or opts is invalid. The work is
// spread over GOMAXPROCS goroutines; the result does not depend on their
// number.
func Evaluate(ctx context.Context, samples []*mat.Dense, truth *mat.Dense, opts Options) (Report, error) {
	if truth == nil || truth.IsEmpty() {
		panic("diagnostics: nil or empty truth")
	}
	for i, m := range samples {
		if m == nil || m.IsEmpty() {
			panic(fmt.Sprintf("diagnostics: nil or empty samples for observation %d", i))
		}
	}
	if opts.Quantiles < 0 || opts.RankBins < 0 {
		panic("diagnostics: negative Options.Quantiles or Options.RankBins")
	}
	nobs, d := truth.Dims()
	if opts.Names != nil && len(opts.Names) != d {
		panic(fmt.Sprintf("diagnostics: %d names for %d parameters", len(opts.Names), d))
	}
	name := func(j int) string { return paramName(opts.Names, j) }
	if len(samples) != nobs {
		return Report{}, &ShapeError{fmt.Sprintf("%d sets of samples but the truth table has %d rows; there must be one row of true values per observation", len(samples), nobs)}
	}
	minL := math.MaxInt
	for i, m := range samples {
		l, c := m.Dims()
		if c != d {
			return Report{}, &ShapeError{fmt.Sprintf("samples of observation %d have %d columns but the truth table has %d; sample the same parameters as the table holds", i, c, d)}
		}
		minL = min(minL, l)
	}
	if err := CheckFinite(truth, -1); err != nil {
		e := err.(*NonFiniteError)
		e.What, e.Name = "truth", name(e.Col)
		return Report{}, e
	}

	nq := opts.Quantiles
	if nq == 0 {
		nq = DefaultQuantiles
	}
	qs := make([]float64, nq)
	for k := range qs {
		qs[k] = float64(k+1) / float64(nq)
	}

	res := make([]obsResult, nobs)
	errs := make([]error, nobs)
	parallelFor(ctx, nobs, func(i int, w *worker) {
		m := samples[i]
		if err := CheckFinite(m, i); err != nil {
			e := err.(*NonFiniteError)
			e.Name = name(e.Col)
			errs[i] = e
			return
		}
		l, _ := m.Dims()
		r := obsResult{
			mapv:   make([]float64, d),
			sqerr:  make([]float64, d),
			inside: make([][]bool, d),
			in68:   make([]bool, d),
			in95:   make([]bool, d),
			insup:  make([]bool, d),
			w68:    make([]float64, d),
			rank:   make([]int, d),
			l:      l,
		}
		for j := range d {
			x := w.column(m, j)
			t := truth.At(i, j)
			for _, v := range x {
				r.sqerr[j] += (v - t) * (v - t)
			}
			sortFloats(x, &w.keys)
			_, std := meanStd(x)
			r.mapv[j], _ = kdeMode(x, std, w)
			r.inside[j] = make([]bool, nq)
			for k, q := range qs {
				r.inside[j][k] = CentralInterval(x, q).Contains(t)
			}
			iv68 := CentralInterval(x, 0.68)
			r.in68[j] = iv68.Contains(t)
			r.w68[j] = iv68.Width()
			r.in95[j] = CentralInterval(x, 0.95).Contains(t)
			r.insup[j] = x[0] <= t && t <= x[l-1]
			r.rank[j] = sort64Rank(x, t)
		}
		res[i] = r
	})
	if err := context.Cause(ctx); err != nil {
		return Report{}, err
	}
	for _, err := range errs {
		if err != nil {
			return Report{}, err
		}
	}

	rep := Report{Observations: nobs, Params: make([]ParamReport, d), MAP: mat.NewDense(nobs, d, nil)}
	ls := make([]int, nobs)
	var nsamp float64
	for i := range res {
		ls[i] = res[i].l
		nsamp += float64(res[i].l)
	}
	fn := float64(nobs)
	for j := range d {
		p := ParamReport{Name: name(j)}
		var semap, seall float64
		var c68, c95, sup int
		w68 := make([]float64, nobs)
		ranks := make([]int, nobs)
		counts := make([]int, nq)
		for i, r := range res {
			rep.MAP.Set(i, j, r.mapv[j])
			e := r.mapv[j] - truth.At(i, j)
			semap += e * e
			seall += r.sqerr[j]
			if r.in68[j] {
				c68++
			}
			if r.in95[j] {
				c95++
			}
			if r.insup[j] {
				sup++
			}
			for k, in := range r.inside[j] {
				if in {
					counts[k]++
				}
			}
			w68[i] = r.w68[j]
			ranks[i] = r.rank[j]
		}
		p.RMSEMAP = math.Sqrt(semap / fn)
		p.RMSESamples = math.Sqrt(seall / nsamp)
		p.Coverage68 = float64(c68) / fn
		p.Coverage95 = float64(c95) / fn
		p.Calibration = Calibration{Q: slices.Clone(qs), Err: make([]float64, nq)}
		for k, q := range qs {
			p.Calibration.Err[k] = float64(counts[k])/fn - q
		}
		p.MedianCal = p.Calibration.MedianAbs()
		slices.Sort(w68)
		p.U68 = Percentile(w68, 0.5)
		p.InSupport = float64(sup) / fn
		p.Rank = rankTest(ranks, ls, opts.RankBins, minL)
		rep.Params[j] = p
	}
	return rep, nil
}

// sort64Rank returns the number of elements of the ascending slice x that
// are strictly less than t.
func sort64Rank(x []float64, t float64) int {
	i, _ := slices.BinarySearch(x, t)
	return i
}
