package cinn

import (
	"math/rand/v2"
	"slices"
)

// Permutation designs for Config.Permute.
const (
	// PermuteRandom draws each block's permutation uniformly at random,
	// as FrEIA's PermuteRandom and the seed papers.
	PermuteRandom = "random"
	// PermuteBalanced chooses the permutations so that, over the blocks,
	// every pair of dimensions shares a coupling half about equally often
	// and every dimension sits in the first half about equally often.
	PermuteBalanced = "balanced"
)

// pairWeight weighs the pair counts against the first-half counts in the
// balanced design's cost: the pairs come first.
const pairWeight = 16

// balancedStream is the PCG stream of the balanced design's draws.
const balancedStream = 0x6a09e667f3bcc908

// maxEnumerated bounds the number of candidate splits balancedPerms tries
// exhaustively; beyond it, it swaps dimensions between the halves.
const maxEnumerated = 4096

// balancedPerms returns the fixed permutations of a flow of dimension dim
// with the given number of blocks, whose coupling halves are the first
// splitLen(dim) positions and the rest.
//
// Block 0 sees the identity order. The first halves of the later blocks
// minimise pairWeight·Σ together² + Σ first², where together counts the
// blocks in which a pair of dimensions shares a half and first the blocks
// in which a dimension is in the first half. The search is greedy block by
// block, then changes one block at a time to its best split given the
// others until none changes, and starts again from random designs as often
// as a fixed amount of work allows. A block's best split is found among
// all splits, or, when there are more than maxEnumerated, by swapping
// dimensions between the halves. Ties go to rng, which also orders the
// dimensions within each half and draws the last block's permutation,
// which no coupling follows. For five dimensions and eight blocks every
// pair shares a half in 2 to 4 blocks, the optimum; random permutations
// range from 0 to 8.
func balancedPerms(dim, blocks int, rng *rand.Rand) [][]int {
	d1 := splitLen(dim)
	together := make([]int, dim*dim) // symmetric
	first := make([]int, dim)
	// add adds (sign 1) or removes (sign −1) a block with first half in.
	add := func(in []bool, sign int) {
		for i := range dim {
			if in[i] {
				first[i] += sign
			}
			for j := i + 1; j < dim; j++ {
				if in[i] == in[j] {
					together[i*dim+j] += sign
					together[j*dim+i] += sign
				}
			}
		}
	}
	// cost is the increase of the objective, pairWeight·Σ together² +
	// Σ first², if a block with first half in is added.
	cost := func(in []bool) int {
		c := 0
		for i := range dim {
			if in[i] {
				c += 2*first[i] + 1
			}
			for j := i + 1; j < dim; j++ {
				if in[i] == in[j] {
					c += pairWeight * (2*together[i*dim+j] + 1)
				}
			}
		}
		return c
	}
	var masks [][]bool
	if !manySplits(dim, d1) {
		for _, s := range splitCandidates(dim, d1) {
			m := make([]bool, dim)
			for _, i := range s {
				m[i] = true
			}
			masks = append(masks, m)
		}
	}
	randomMask := func() []bool {
		m := make([]bool, dim)
		for _, i := range rng.Perm(dim)[:d1] {
			m[i] = true
		}
		return m
	}
	// best returns the split of least cost: of all splits, ties broken at
	// random by reservoir sampling, when there are at most maxEnumerated;
	// otherwise the end of a steepest descent from cur (or a random
	// split) by swapping one dimension of the first half for one of the
	// second.
	sin, sout := make([]int, dim), make([]int, dim)
	best := func(cur []bool) []bool {
		if masks != nil {
			var b []bool
			bc, ties := 0, 0
			for _, m := range masks {
				c := cost(m)
				switch {
				case b == nil || c < bc:
					b, bc, ties = m, c, 1
				case c == bc:
					ties++
					if rng.IntN(ties) == 0 {
						b = m
					}
				}
			}
			return b
		}
		m := slices.Clone(cur)
		if cur == nil {
			m = randomMask()
		}
		for {
			// sin[i] and sout[i]: Σ (2·together+1) over the other
			// dimensions in the first and in the second half.
			for i := range dim {
				sin[i], sout[i] = 0, 0
				for j := range dim {
					if j == i {
						continue
					}
					if m[j] {
						sin[i] += 2*together[i*dim+j] + 1
					} else {
						sout[i] += 2*together[i*dim+j] + 1
					}
				}
			}
			ba, bb, bd := -1, -1, 0
			for a := range dim {
				if !m[a] {
					continue
				}
				for b := range dim {
					if m[b] {
						continue
					}
					ab := 2*together[a*dim+b] + 1
					d := 2*(first[b]-first[a]) + pairWeight*(sout[a]-ab-sin[a]+sin[b]-ab-sout[b])
					if d < bd {
						ba, bb, bd = a, b, d
					}
				}
			}
			if ba < 0 {
				return m
			}
			m[ba], m[bb] = false, true
		}
	}

	// total is the objective of the current counts.
	total := func() int {
		t := 0
		for i := range dim {
			t += first[i] * first[i]
			for j := i + 1; j < dim; j++ {
				t += pairWeight * together[i*dim+j] * together[i*dim+j]
			}
		}
		return t
	}
	// descend changes one block at a time to its best split given the
	// others until no block changes, and returns the total.
	descend := func(splits [][]bool) int {
		for pass := 0; pass < 20; pass++ {
			changed := false
			for k := 1; k < blocks; k++ {
				add(splits[k], -1)
				stay := cost(splits[k])
				if b := best(splits[k]); cost(b) < stay {
					splits[k], changed = b, true
				}
				add(splits[k], 1)
			}
			if !changed {
				break
			}
		}
		return total()
	}
	block0 := make([]bool, dim)
	for i := range d1 {
		block0[i] = true
	}
	// Single-block changes stop in local minima, so the search starts
	// again from random designs as often as a fixed amount of work
	// allows, and keeps the best; the first start is greedy.
	work := blocks * dim * dim * max(len(masks), dim*dim)
	restarts := max(1, min(64, 1<<24/(work+1)))
	var splits [][]bool
	bestTotal := 0
	for r := range restarts {
		clear(first)
		clear(together)
		try := make([][]bool, blocks)
		try[0] = block0
		add(block0, 1)
		for k := 1; k < blocks; k++ {
			if r == 0 {
				try[k] = best(nil)
			} else {
				try[k] = randomMask()
			}
			add(try[k], 1)
		}
		if t := descend(try); splits == nil || t < bestTotal {
			splits, bestTotal = try, t
		}
	}

	// Each block's input order: its first half, then the rest, each in
	// random order (block 0's is the identity).
	orders := make([][]int, blocks+1)
	orders[0] = make([]int, dim)
	for i := range dim {
		orders[0][i] = i
	}
	for k := 1; k < blocks; k++ {
		o := make([]int, 0, dim)
		for i := range dim {
			if splits[k][i] {
				o = append(o, i)
			}
		}
		for i := range dim {
			if !splits[k][i] {
				o = append(o, i)
			}
		}
		rng.Shuffle(d1, func(a, b int) { o[a], o[b] = o[b], o[a] })
		rest := o[d1:]
		rng.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
		orders[k] = o
	}
	last := rng.Perm(dim)
	orders[blocks] = make([]int, dim)
	for j, p := range last {
		orders[blocks][j] = orders[blocks-1][p]
	}
	// Block k's permutation takes orders[k] to orders[k+1]:
	// orders[k+1][j] = orders[k][perm[j]].
	perms := make([][]int, blocks)
	pos := make([]int, dim)
	for k := range blocks {
		for j, i := range orders[k] {
			pos[i] = j
		}
		perms[k] = make([]int, dim)
		for j, i := range orders[k+1] {
			perms[k][j] = pos[i]
		}
	}
	return perms
}

// manySplits reports whether C(n, k), the number of splits, exceeds
// maxEnumerated.
func manySplits(n, k int) bool {
	c := 1
	for i := range k {
		c = c * (n - i) / (i + 1)
		if c > maxEnumerated {
			return true
		}
	}
	return false
}

// splitCandidates returns every k-subset of 0..n-1, each sorted.
func splitCandidates(n, k int) [][]int {
	var out [][]int
	s := make([]int, 0, k)
	var rec func(start int)
	rec = func(start int) {
		if len(s) == k {
			out = append(out, slices.Clone(s))
			return
		}
		for i := start; i <= n-(k-len(s)); i++ {
			s = append(s, i)
			rec(i + 1)
			s = s[:len(s)-1]
		}
	}
	rec(0)
	return out
}
