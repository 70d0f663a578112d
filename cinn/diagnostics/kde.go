// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"math"
	"slices"
	"sort"
)

// SilvermanBandwidth returns Silverman's rule-of-thumb bandwidth of the
// ascending slice sorted: 0.9·min(σ, IQR/1.34)·n^(-1/5), with σ the standard
// deviation (n-1 denominator) and IQR the difference of the 75th and 25th
// percentiles (see Percentile). When the IQR is zero but σ is not, σ alone is
// used. It returns 0 when all values are equal and panics if sorted is empty.
func SilvermanBandwidth(sorted []float64) float64 {
	if len(sorted) == 0 {
		panic("diagnostics: bandwidth of an empty slice")
	}
	_, std := meanStd(sorted)
	return silverman(sorted, std)
}

func silverman(sorted []float64, std float64) float64 {
	iqr := Percentile(sorted, 0.75) - Percentile(sorted, 0.25)
	a := math.Min(std, iqr/1.34)
	if !(a > 0) {
		a = std
	}
	return 0.9 * a * math.Pow(float64(len(sorted)), -0.2)
}

// Mode returns the mode of the Gaussian kernel density estimate of the
// ascending slice sorted (finite values only), with Silverman's bandwidth,
// and that bandwidth.
// Constant samples return their value and a zero bandwidth. See the package
// documentation for the algorithm. Mode panics if sorted is empty.
func Mode(sorted []float64) (mode, bandwidth float64) {
	if len(sorted) == 0 {
		panic("diagnostics: mode of an empty slice")
	}
	_, std := meanStd(sorted)
	var w worker
	return kdeMode(sorted, std, &w)
}

const (
	kdeMinGrid   = 512     // smallest grid
	kdeMaxGrid   = 1 << 14 // largest grid
	kdeCut       = 8.0     // kernels are cut at ±kdeCut bandwidths (exp(-32) ≈ 1e-14)
	kdeCandRel   = 0.99    // grid maxima within 1% of the largest are refined
	kdeMaxCand   = 5       // at most this many of them
	kdeMaxIter   = 200     // refinement iterations per candidate
	kdeStepTolH  = 1e-9    // refinement stops when a step is below this many bandwidths
	kdeGridPerBW = 4       // grid points per bandwidth at least
)

// kdeMode returns the mode of the Gaussian KDE of sorted (ascending, finite)
// with Silverman's bandwidth. std is the samples' standard deviation.
func kdeMode(x []float64, std float64, w *worker) (mode, h float64) {
	n := len(x)
	if x[0] == x[n-1] {
		return x[0], 0
	}
	h = silverman(x, std)

	// Clusters: maximal runs of samples with gaps of at most 2·kdeCut·h.
	// Kernels of different clusters never overlap, so each has its own
	// modes, and the estimate inside a cluster of m samples is at most m
	// (in units of the kernel's peak): clusters are searched by decreasing
	// size until none can beat the best mode found.
	spans := w.spans[:0]
	start := 0
	for i := 1; i <= n; i++ {
		if i == n || x[i]-x[i-1] > 2*kdeCut*h {
			spans = append(spans, [2]int{start, i})
			start = i
		}
	}
	w.spans = spans
	slices.SortStableFunc(spans, func(a, b [2]int) int { return (b[1] - b[0]) - (a[1] - a[0]) })
	best, bestF := math.NaN(), math.Inf(-1)
	for _, sp := range spans {
		if float64(sp[1]-sp[0]) < bestF {
			break
		}
		t, f := clusterMode(x[sp[0]:sp[1]], h, w)
		if f > bestF || (f == bestF && t < best) {
			best, bestF = t, f
		}
	}
	return best, h
}

// clusterMode returns the highest mode of the KDE of the cluster x (sorted,
// bandwidth h) and the unnormalised estimate Σ exp(-u²/2) there.
func clusterMode(x []float64, h float64, w *worker) (mode, f float64) {
	m := len(x)
	lo, hi := x[0], x[m-1]
	if lo == hi {
		return lo, float64(m)
	}
	r := hi - lo
	ng := kdeMinGrid
	if g := math.Ceil(kdeGridPerBW*r/h) + 1; g > float64(ng) {
		ng = int(math.Min(g, kdeMaxGrid))
	}
	delta := r / float64(ng-1)

	// Linear binning of the samples onto the grid lo + i·delta.
	c := grow(&w.grid, ng)
	clear(c)
	for _, v := range x {
		t := (v - lo) / delta
		j := int(t)
		if j >= ng-1 {
			c[ng-1]++
			continue
		}
		f := t - float64(j)
		c[j] += 1 - f
		c[j+1] += f
	}
	// Discrete convolution with the Gaussian kernel cut at ±kdeCut·h.
	k := min(ng-1, int(math.Ceil(kdeCut*h/delta)))
	kern := grow(&w.kern, k+1)
	for l := range kern {
		u := float64(l) * delta / h
		kern[l] = math.Exp(-0.5 * u * u)
	}
	dens := grow(&w.dens, ng)
	for i := range dens {
		s := c[i] * kern[0]
		for l := 1; l <= k; l++ {
			if i-l >= 0 {
				s += c[i-l] * kern[l]
			}
			if i+l < ng {
				s += c[i+l] * kern[l]
			}
		}
		dens[i] = s
	}

	// Candidates: local maxima of the binned estimate close to its largest.
	var top float64
	for _, v := range dens {
		top = math.Max(top, v)
	}
	cand := w.cand[:0]
	for i, v := range dens {
		if v < kdeCandRel*top {
			continue
		}
		if (i > 0 && dens[i-1] > v) || (i < ng-1 && dens[i+1] > v) {
			continue
		}
		cand = append(cand, i)
	}
	w.cand = cand
	slices.SortStableFunc(cand, func(a, b int) int {
		switch {
		case dens[a] > dens[b]:
			return -1
		case dens[a] < dens[b]:
			return 1
		}
		return 0
	})
	if len(cand) > kdeMaxCand {
		cand = cand[:kdeMaxCand]
	}

	mode, f = math.NaN(), math.Inf(-1)
	for _, i := range cand {
		t0 := lo + float64(i)*delta
		// Parabolic vertex through the three binned values.
		if i > 0 && i < ng-1 {
			den := dens[i-1] - 2*dens[i] + dens[i+1]
			if den < 0 {
				off := 0.5 * (dens[i-1] - dens[i+1]) / den
				t0 += math.Max(-1, math.Min(1, off)) * delta
			}
		}
		t, ft := refineMode(x, h, t0, delta)
		if ft > f || (ft == f && t < mode) {
			mode, f = t, ft
		}
	}
	return mode, f
}

// refineMode climbs the exact KDE of x (bandwidth h) from t with Newton
// steps where the estimate is concave and the step is shorter than maxStep,
// and mean-shift steps otherwise. It returns the point reached and the
// unnormalised density Σ exp(-u²/2) there.
func refineMode(x []float64, h, t, maxStep float64) (float64, float64) {
	for range kdeMaxIter {
		s0, s1, s2 := kdeSums(x, h, t)
		if s0 == 0 {
			break
		}
		var step float64
		if curv := s2 - s0; curv < 0 && math.Abs(s1*h/curv) <= maxStep {
			step = -s1 * h / curv // Newton: -f'/f''
		} else {
			step = h * s1 / s0 // mean shift
		}
		t += step
		if math.Abs(step) <= kdeStepTolH*h {
			break
		}
	}
	s0, _, _ := kdeSums(x, h, t)
	return t, s0
}

// kdeSums returns Σφ, Σuφ and Σu²φ over the samples within kdeCut·h of t,
// with u = (x_i-t)/h and φ = exp(-u²/2). The KDE's density, first and second
// derivative at t are proportional to s0, s1/h and (s2-s0)/h².
func kdeSums(x []float64, h, t float64) (s0, s1, s2 float64) {
	a := sort.SearchFloat64s(x, t-kdeCut*h)
	b := sort.SearchFloat64s(x, t+kdeCut*h)
	if b < len(x) && x[b] == t+kdeCut*h {
		b++
	}
	for _, v := range x[a:b] {
		u := (v - t) / h
		p := math.Exp(-0.5 * u * u)
		s0 += p
		s1 += u * p
		s2 += u * u * p
	}
	return s0, s1, s2
}

// grow returns (*buf)[:n], reallocating when the capacity is too small.
func grow(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}
