// Copyright ©2026 The gocinn Authors. All rights reserved.

package diagnostics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Outside is what Extrapolated found in one set of samples.
type Outside struct {
	// Rows is the number of samples (rows) with at least one parameter
	// outside.
	Rows int
	// Count is, per parameter, the number of samples outside.
	Count []int
	// Farthest is, per parameter, the sample value farthest from the
	// middle of the range among those outside, NaN where none is.
	Farthest []float64
}

// Extrapolated checks posterior samples (one row per draw) against the
// range [lo[j], hi[j]] of each parameter in the training set and reports
// those more than margin times the range's width outside it (gocinn uses a
// margin of ½): there the network extrapolates and its samples are not to
// be trusted.
func Extrapolated(samples mat.Matrix, lo, hi []float64, margin float64) Outside {
	r, c := samples.Dims()
	if len(lo) != c || len(hi) != c {
		panic(fmt.Sprintf("diagnostics: Extrapolated: %d lower and %d upper bounds for %d parameters", len(lo), len(hi), c))
	}
	o := Outside{Count: make([]int, c), Farthest: make([]float64, c)}
	for j := range o.Farthest {
		o.Farthest[j] = math.NaN()
	}
	for k := range r {
		hit := false
		for j := range c {
			v, w := samples.At(k, j), hi[j]-lo[j]
			if v >= lo[j]-margin*w && v <= hi[j]+margin*w {
				continue
			}
			mid := (lo[j] + hi[j]) / 2
			if o.Count[j] == 0 || math.Abs(v-mid) > math.Abs(o.Farthest[j]-mid) {
				o.Farthest[j] = v
			}
			o.Count[j]++
			hit = true
		}
		if hit {
			o.Rows++
		}
	}
	return o
}
