// Copyright ©2026 The gocinn Authors. All rights reserved.

package validation

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gocinn/gocinn/cinn/diagnostics"
)

// NullMedianCal returns, sorted, reps draws of the median |e_cal| that a
// perfectly calibrated posterior scores on n test stars, with the
// calibration levels of diagnostics.Evaluate's default (q = 0.01…1): it is
// the test-set noise of Ksoll et al.'s criterion. For such a posterior the
// truth's probability integral transform u is uniform, so the truth lies
// inside the central q-interval, |2u−1| < q, with probability q,
// independently from star to star. The draws ignore the discreteness of a
// finite number of posterior samples per star.
//
// A network's median |e_cal| far in the upper tail of these draws is a
// miscalibration; one inside them may be the test stars' noise.
func NullMedianCal(n, reps int, src rand.Source) ([]float64, error) {
	if n < 1 || reps < 1 {
		return nil, fmt.Errorf("validation: NullMedianCal needs at least one test star and one draw (got %d and %d)", n, reps)
	}
	const levels = 100
	rng := rand.New(src)
	w := make([]float64, n)
	cal := diagnostics.Calibration{Q: make([]float64, levels), Err: make([]float64, levels)}
	for k := range cal.Q {
		cal.Q[k] = float64(k+1) / levels
	}
	out := make([]float64, reps)
	for r := range out {
		for i := range w {
			w[i] = math.Abs(2*rng.Float64() - 1)
		}
		slices.Sort(w)
		for k, q := range cal.Q {
			inside, _ := slices.BinarySearch(w, q) // stars with |2u−1| < q
			cal.Err[k] = float64(inside)/float64(n) - q
		}
		out[r] = cal.MedianAbs()
	}
	slices.Sort(out)
	return out, nil
}
