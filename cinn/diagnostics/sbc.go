// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// RankHistogram tests SBC ranks for uniformity. ranks[i] is the rank (in
// 0…ls[i]) of a true value among ls[i] samples. Rank r of L samples goes to
// bin ⌊r·bins/(L+1)⌋; the expected count of bin b sums, over observations,
// the fraction of the L+1 possible ranks that fall in b, so that unequal
// sample counts and bin counts that do not divide L+1 are handled exactly.
// bins must be at least 1; with one bin the p-value is NaN.
func RankHistogram(ranks, ls []int, bins int) RankTest {
	if len(ranks) != len(ls) {
		panic(fmt.Sprintf("diagnostics: %d ranks but %d sample counts", len(ranks), len(ls)))
	}
	if bins < 1 {
		panic(fmt.Sprintf("diagnostics: %d rank bins", bins))
	}
	rt := RankTest{
		Ranks:    ranks,
		Counts:   make([]int, bins),
		Expected: make([]float64, bins),
		DoF:      bins - 1,
	}
	for i, r := range ranks {
		l := ls[i]
		if r < 0 || r > l {
			panic(fmt.Sprintf("diagnostics: rank %d outside [0, %d]", r, l))
		}
		rt.Counts[r*bins/(l+1)]++
		for b := range bins {
			// #{r : ⌊r·bins/(L+1)⌋ < b} = ⌈b·(L+1)/bins⌉.
			n := ceilDiv((b+1)*(l+1), bins) - ceilDiv(b*(l+1), bins)
			rt.Expected[b] += float64(n) / float64(l+1)
		}
	}
	if bins < 2 {
		rt.ChiSquare, rt.PValue = math.NaN(), math.NaN()
		return rt
	}
	// Bins that no rank can reach (more bins than L+1) carry no degree of
	// freedom.
	rt.DoF = -1
	for b, o := range rt.Counts {
		e := rt.Expected[b]
		if e > 0 {
			rt.ChiSquare += (float64(o) - e) * (float64(o) - e) / e
			rt.DoF++
		}
	}
	if rt.DoF < 1 {
		rt.PValue = math.NaN()
		return rt
	}
	rt.PValue = distuv.ChiSquared{K: float64(rt.DoF)}.Survival(rt.ChiSquare)
	return rt
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// rankTest chooses the number of bins (see Options.RankBins) and builds the
// histogram.
func rankTest(ranks, ls []int, bins, minL int) RankTest {
	if bins == 0 {
		bins = max(1, min(20, len(ranks)/5, minL+1))
	}
	return RankHistogram(ranks, ls, bins)
}
