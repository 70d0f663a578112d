// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/plotter"
)

// ErrEmpty is returned (wrapped) when a figure is given no data.
var ErrEmpty = errors.New("figure: no data")

// ErrLength is returned (wrapped) when slices that must match do not.
var ErrLength = errors.New("figure: length mismatch")

// checkFinite returns an error naming the first NaN or infinite element of
// xs; what describes xs and unit its elements for the message.
func checkFinite(what, unit string, xs []float64) error {
	for i, v := range xs {
		switch {
		case math.IsNaN(v):
			return fmt.Errorf("%s: %s %d is NaN: %w", what, unit, i, plotter.ErrNaN)
		case math.IsInf(v, 0):
			return fmt.Errorf("%s: %s %d is %v: %w", what, unit, i, v, plotter.ErrInfinity)
		}
	}
	return nil
}

// nonFinite returns plotter.ErrNaN or plotter.ErrInfinity for such v, or
// nil.
func nonFinite(v float64) error {
	switch {
	case math.IsNaN(v):
		return plotter.ErrNaN
	case math.IsInf(v, 0):
		return plotter.ErrInfinity
	}
	return nil
}

// checkRange rejects a plotting range with NaN or infinite ends; a pair
// with lo ≥ hi means "automatic" and is accepted.
func checkRange(what string, r [2]float64) error {
	if nonFinite(r[0]) != nil || nonFinite(r[1]) != nil {
		return fmt.Errorf("%s [%v, %v] must be finite (or both zero for automatic): %w", what, r[0], r[1], plotter.ErrInfinity)
	}
	return nil
}

// checkTruth accepts NaN (absent) but not infinities.
func checkTruth(what string, xs []float64) error {
	for i, v := range xs {
		if math.IsInf(v, 0) {
			return fmt.Errorf("%s: parameter %d is %v (use NaN for an unknown value): %w", what, i, v, plotter.ErrInfinity)
		}
	}
	return nil
}

// paramName returns names[j] or a default.
func paramName(names []string, j int) string {
	if j < len(names) && names[j] != "" {
		return names[j]
	}
	return fmt.Sprintf("θ%d", j)
}

func checkNames(fn string, names []string, d int) error {
	if names != nil && len(names) != d {
		return fmt.Errorf("figure: %s: %d names for %d parameters: %w", fn, len(names), d, ErrLength)
	}
	return nil
}

// sortedCopy returns a sorted copy of xs.
func sortedCopy(xs []float64) []float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	return s
}

// quantile returns the q-quantile of sorted data by linear interpolation
// between closest ranks (numpy.percentile's default, type 7 of Hyndman and
// Fan), as cinn/diagnostics computes the summaries shown beside figures.
func quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	h := float64(n-1) * q
	i := int(math.Floor(h))
	if i >= n-1 {
		return sorted[n-1]
	}
	if i < 0 {
		return sorted[0]
	}
	t := h - float64(i)
	a, b := sorted[i], sorted[i+1]
	if t >= 0.5 {
		return b - (b-a)*(1-t)
	}
	return a + (b-a)*t
}

// span returns a plotting range for sorted data: the [lo, hi] quantiles
// widened by frac of their width on each side, never of zero width.
func span(sorted []float64, lo, hi, frac float64) (a, b float64) {
	a, b = quantile(sorted, lo), quantile(sorted, hi)
	w := b - a
	if w <= 0 {
		w = math.Max(math.Abs(a)*0.1, 1)
		return a - w/2, b + w/2
	}
	return a - frac*w, b + frac*w
}

// include widens [a, b] so that it contains v (if v is not NaN) with a
// margin of frac of the width.
func include(a, b, v, frac float64) (float64, float64) {
	if math.IsNaN(v) {
		return a, b
	}
	w := b - a
	if v < a+frac*w {
		a = v - frac*w
	}
	if v > b-frac*w {
		b = v + frac*w
	}
	return a, b
}

// hist1D bins xs into n bins over [lo, hi]; values outside are dropped.
func hist1D(xs []float64, lo, hi float64, n int) []float64 {
	h := make([]float64, n)
	s := float64(n) / (hi - lo)
	for _, v := range xs {
		i := int(math.Floor((v - lo) * s))
		if v == hi {
			i = n - 1
		}
		if i >= 0 && i < n {
			h[i]++
		}
	}
	return h
}

// hist2D bins the pairs (x[k], y[k]) into nx × ny cells over the given
// ranges, row-major from the bottom left; pairs outside are dropped.
func hist2D(x, y []float64, x0, x1, y0, y1 float64, nx, ny int) []float64 {
	h := make([]float64, nx*ny)
	sx, sy := float64(nx)/(x1-x0), float64(ny)/(y1-y0)
	for k := range x {
		i := int(math.Floor((x[k] - x0) * sx))
		j := int(math.Floor((y[k] - y0) * sy))
		if i >= 0 && i < nx && j >= 0 && j < ny {
			h[j*nx+i]++
		}
	}
	return h
}

// smooth2D convolves a row-major nx × ny grid with a Gaussian of width sigma
// cells (truncated at 3σ, zero outside the grid). sigma ≤ 0 returns a copy.
func smooth2D(h []float64, nx, ny int, sigma float64) []float64 {
	out := slices.Clone(h)
	if sigma <= 0 {
		return out
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	var ksum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		ksum += k[i]
	}
	for i := range k {
		k[i] /= ksum
	}
	tmp := make([]float64, len(h))
	for j := range ny {
		for i := range nx {
			var s float64
			for t := -r; t <= r; t++ {
				if ii := i + t; ii >= 0 && ii < nx {
					s += k[t+r] * h[j*nx+ii]
				}
			}
			tmp[j*nx+i] = s
		}
	}
	for j := range ny {
		for i := range nx {
			var s float64
			for t := -r; t <= r; t++ {
				if jj := j + t; jj >= 0 && jj < ny {
					s += k[t+r] * tmp[jj*nx+i]
				}
			}
			out[j*nx+i] = s
		}
	}
	return out
}

// hdrLevels returns, for each mass fraction in fracs, the density level
// whose super-level set {z ≥ level} holds that fraction of the total of z:
// the contour of the highest-density region.
func hdrLevels(z []float64, fracs []float64) []float64 {
	return hdrLevelsMass(z, z, fracs)
}

// hdrLevelsMass is hdrLevels with the shape of the regions taken from z
// (a smoothed density) and their mass from the cell counts h, so that the
// contours of z enclose the given fractions of the samples themselves;
// smoothing alone would make them enclose more.
func hdrLevelsMass(z, h []float64, fracs []float64) []float64 {
	idx := make([]int, len(z))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return z[idx[a]] > z[idx[b]] })
	var total float64
	for _, v := range h {
		total += v
	}
	levels := make([]float64, len(fracs))
	for i, f := range fracs {
		target := f * total
		var cum float64
		levels[i] = z[idx[len(idx)-1]]
		for k, c := range idx {
			cum += h[c]
			if cum >= target {
				// Put the level between this cell and the next one.
				levels[i] = z[c]
				if k+1 < len(idx) {
					levels[i] = (z[c] + z[idx[k+1]]) / 2
				}
				break
			}
		}
	}
	return levels
}

// decimals returns the number of decimals that shows an uncertainty of
// size err with two significant figures.
func decimals(err float64) int {
	if !(err > 0) || math.IsInf(err, 0) {
		return 2
	}
	d := 1 - int(math.Floor(math.Log10(err)))
	return min(max(d, 0), 8)
}

// summary formats "median +hi −lo".
func summary(med, lo, hi float64) string {
	d := decimals(math.Min(med-lo, hi-med))
	return fmt.Sprintf("%s +%.*f −%.*f", fmtFixed(med, d), d, hi-med, d, med-lo)
}

// fmtFixed formats v with d decimals and a typographic minus sign.
func fmtFixed(v float64, d int) string {
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.TrimLeft(s, "-0.") == "" {
		return strings.TrimPrefix(s, "-") // no "−0.0"
	}
	return strings.Replace(s, "-", "−", 1)
}

// fmtG formats v with 4 significant digits and a typographic minus sign.
func fmtG(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'g', 4, 64), "-", "−", 1)
}

// autoBins picks a bin count between lo and hi growing like sqrt(n)/div.
func autoBins(n int, div float64, lo, hi int) int {
	b := int(math.Round(math.Sqrt(float64(n)) / div))
	return min(max(b, lo), hi)
}

// Columns returns the columns of m as slices, the per-parameter layout that
// TruthVsMAP and Calibration take (for example from an N × d matrix of true
// values or MAP estimates).
func Columns(m mat.Matrix) [][]float64 {
	r, c := m.Dims()
	out := make([][]float64, c)
	for j := range out {
		out[j] = make([]float64, r)
		for i := range r {
			out[j][i] = m.At(i, j)
		}
	}
	return out
}
