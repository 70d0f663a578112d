// Copyright ©2026 The gocinn Authors. All rights reserved.

package diagnostics

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestExtrapolated(t *testing.T) {
	lo, hi := []float64{0, 10}, []float64{1, 20}
	for _, c := range []struct {
		name     string
		rows     []float64
		want     int
		count    []int
		farthest []float64
	}{
		{"inside", []float64{0.5, 15, -0.5, 25, 1.5, 5}, 0, []int{0, 0}, []float64{math.NaN(), math.NaN()}},
		{"one parameter", []float64{-0.6, 15, 0.5, 15, 1.7, 15}, 2, []int{2, 0}, []float64{1.7, math.NaN()}},
		{"both in one row", []float64{-0.6, 26, 0.5, 4, 0.5, 15}, 2, []int{1, 2}, []float64{-0.6, 26}},
		{"infinite", []float64{math.Inf(-1), 15}, 1, []int{1, 0}, []float64{math.Inf(-1), math.NaN()}},
		{"NaN", []float64{math.NaN(), 15}, 1, []int{1, 0}, []float64{math.NaN(), math.NaN()}},
	} {
		o := Extrapolated(mat.NewDense(len(c.rows)/2, 2, c.rows), lo, hi, 0.5)
		same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
		if o.Rows != c.want || !slices.Equal(o.Count, c.count) || !same(o.Farthest[0], c.farthest[0]) || !same(o.Farthest[1], c.farthest[1]) {
			t.Errorf("%s: got %+v, want rows %d, count %v, farthest %v", c.name, o, c.want, c.count, c.farthest)
		}
	}
}
