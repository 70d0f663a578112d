// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultQuantiles is the number of calibration levels Evaluate uses when
// Options.Quantiles is zero: q = 0.01, 0.02, …, 1.00.
const DefaultQuantiles = 100

// NullOptions configures NullMedianCal. The zero value is ready to use.
type NullOptions struct {
	// Samples is the number L of posterior samples per observation; zero
	// means infinitely many.
	Samples int
	// Levels is the number of calibration levels; zero means
	// DefaultQuantiles, as in Evaluate.
	Levels int
	// Draws is the number of simulated test sets; zero means 10,000.
	Draws int
}

func (o NullOptions) withDefaults() NullOptions {
	if o.Levels == 0 {
		o.Levels = DefaultQuantiles
	}
	if o.Draws == 0 {
		o.Draws = 10000
	}
	return o
}

// insideProb returns the probability (L−1)/(L+1) that the truth lies inside
// the sampled support of L samples of its own distribution (1 for L = 0,
// infinitely many samples).
func insideProb(samples int) float64 {
	if samples == 0 {
		return 1
	}
	return float64(samples-1) / float64(samples+1)
}

// NullMedianCal returns, sorted ascending, draws of the median |e_cal| that
// a perfectly calibrated posterior scores on n observations in Evaluate. It
// is the test-set noise of Ksoll et al.'s criterion: a network's MedianCal
// far in the upper tail of these draws is a miscalibration, one inside them
// may be the noise of a finite test set (NullPValue).
//
// When the truth and the L samples of an observation come from the same
// distribution, the central q-intervals are nested and the truth lies
// inside the one at level q with probability close to q·(L−1)/(L+1) (exact
// when the interval's ends are order statistics: the j-th smallest of L
// samples has expected probability mass j/(L+1) below it), and outside the
// sampled support with probability 2/(L+1). So each observation falls into
// one of Q+1 bins, independently of the others: bin k = 0…Q−1 (probability
// (L−1)/((L+1)·Q)) holds the observations inside from level (k+1)/Q on,
// bin Q those never inside. A draw takes the bins' counts as one
// multinomial, placing the observations one by one (O(n)) or, for n over
// 20·Q, as Q binomial draws (O(Q) whatever n); e_cal at level (k+1)/Q is
// the share of observations in bins 0…k minus the level. With infinitely
// many samples the Q bins all have probability 1/Q.
//
// The finite number of samples makes posteriors look slightly too narrow,
// by 2q/(L+1): at L = 1,000 that is 0.1% at q = 0.5, a third of the noise
// on 5,000 observations. Against a direct simulation (truth and samples
// drawn from one normal distribution, 200 observations, 10 levels) the
// mean median |e_cal| of the model agrees to 0.0002 at L = 50 and is 3%
// high at L = 20, where interpolating between the few order statistics
// matters (TestNullMedianCalDirect).
//
// NullMedianCal panics if n is not positive, an option is negative or
// Samples is 1.
func NullMedianCal(n int, opts NullOptions, src rand.Source) []float64 {
	if n < 1 || opts.Samples < 0 || opts.Levels < 0 || opts.Draws < 0 || opts.Samples == 1 {
		panic(fmt.Sprintf("diagnostics: NullMedianCal needs n ≥ 1 observations and options ≥ 0, and 2 or more samples (got n %d, %+v)", n, opts))
	}
	opts = opts.withDefaults()
	// Drawing n uniform numbers costs about 5 ns each, a binomial number
	// several hundred: count the observations one by one up to 20 per level.
	return nullMedianCal(n, opts, src, n > 20*opts.Levels)
}

// nullMedianCal is NullMedianCal drawing the bins' counts as binomials
// (multinomial) or by placing the observations one by one; the two have
// the same distribution.
func nullMedianCal(n int, opts NullOptions, src rand.Source, multinomial bool) []float64 {
	opts = opts.withDefaults()
	levels, draws := opts.Levels, opts.Draws
	inside := insideProb(opts.Samples) // of ever being inside
	pbin := inside / float64(levels)
	rng := rand.New(src)
	bin := distuv.Binomial{Src: src}
	cal := Calibration{Q: make([]float64, levels), Err: make([]float64, levels)}
	for k := range cal.Q {
		cal.Q[k] = float64(k+1) / float64(levels)
	}
	counts := make([]int, levels+1) // the last bin: never inside
	out := make([]float64, draws)
	for r := range out {
		if multinomial {
			left := n // observations not yet in a bin
			for k := range levels {
				c := 0
				if left > 0 {
					// Bin k's share of the bins still open (k…Q−1 and outside).
					p := min(1, pbin/(1-float64(k)*pbin))
					c = left
					if p < 1 {
						bin.N, bin.P = float64(left), p
						c = int(math.Round(bin.Rand()))
					}
				}
				counts[k] = c
				left -= c
			}
		} else {
			clear(counts)
			for range n {
				counts[min(int(rng.Float64()/pbin), levels)]++
			}
		}
		in := 0 // observations in bins 0…k
		for k, q := range cal.Q {
			in += counts[k]
			cal.Err[k] = float64(in)/float64(n) - q
		}
		out[r] = cal.MedianAbs()
	}
	slices.Sort(out)
	return out
}

// NullPValue returns the Monte Carlo p-value of a median |e_cal| v against
// the ascending draws of NullMedianCal: (1 + #{draws ≥ v}) / (1 + len(draws)),
// the probability that a perfectly calibrated posterior scores at least v
// (never zero; its resolution is 1/(1+len(draws))). NaN for a NaN v.
func NullPValue(null []float64, v float64) float64 {
	if math.IsNaN(v) {
		return math.NaN()
	}
	i, _ := slices.BinarySearch(null, v) // first draw ≥ v
	return float64(1+len(null)-i) / float64(1+len(null))
}

// CalibrationBand returns, for each level q[k], the central interval of
// probability level (0.95, say) of e_cal(q[k]) for perfectly calibrated
// posteriors on n observations with the given number of samples each (zero
// means infinitely many): the number of truths inside the central
// q-interval is binomial with n trials and probability q·(L−1)/(L+1) (see
// NullMedianCal), and the band is its quantiles at (1∓level)/2, divided by
// n, minus q. The band is pointwise: a calibrated curve leaves it at some
// of many levels now and then, so it shows how far a curve may stray from
// zero by chance, not a test (NullPValue is one).
//
// CalibrationBand panics if n is not positive, samples is negative or 1,
// level is outside (0, 1), or a q is outside [0, 1].
func CalibrationBand(n, samples int, q []float64, level float64) (lo, hi []float64) {
	if n < 1 || samples < 0 || samples == 1 || !(level > 0 && level < 1) {
		panic(fmt.Sprintf("diagnostics: CalibrationBand needs n ≥ 1, samples 0 or ≥ 2 and a level in (0, 1) (got %d, %d, %v)", n, samples, level))
	}
	inside := insideProb(samples)
	lo, hi = make([]float64, len(q)), make([]float64, len(q))
	for k, v := range q {
		if !(v >= 0 && v <= 1) {
			panic(fmt.Sprintf("diagnostics: CalibrationBand: level q[%d] = %v outside [0, 1]", k, v))
		}
		b := distuv.Binomial{N: float64(n), P: v * inside}
		lo[k] = float64(binomialQuantile(b, n, (1-level)/2))/float64(n) - v
		hi[k] = float64(binomialQuantile(b, n, (1+level)/2))/float64(n) - v
	}
	return lo, hi
}

// binomialQuantile returns the smallest k in 0…n with P(B ≤ k) ≥ a for the
// binomial distribution b of n trials.
func binomialQuantile(b distuv.Binomial, n int, a float64) int {
	switch {
	case b.P <= 0:
		return 0
	case b.P >= 1:
		return n
	}
	lo, hi := 0, n // P(B ≤ hi) = 1 ≥ a
	for lo < hi {
		mid := lo + (hi-lo)/2
		if b.CDF(float64(mid)) >= a {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
