package cinn

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// splitStats follows perms from the identity order and counts, per pair of
// dimensions, the coupling blocks in which both share a half, and per
// dimension the blocks in which it is in the first half.
func splitStats(dim int, perms [][]int) (together [][]int, first []int) {
	d1 := splitLen(dim)
	together = make([][]int, dim)
	for i := range together {
		together[i] = make([]int, dim)
	}
	first = make([]int, dim)
	order := make([]int, dim)
	for i := range order {
		order[i] = i
	}
	for _, p := range perms {
		for a := range dim {
			for b := a + 1; b < dim; b++ {
				if (a < d1) == (b < d1) {
					together[order[a]][order[b]]++
					together[order[b]][order[a]]++
				}
			}
		}
		for _, i := range order[:d1] {
			first[i]++
		}
		next := make([]int, dim)
		for j := range next {
			next[j] = order[p[j]]
		}
		order = next
	}
	return together, first
}

func isPerm(p []int) bool {
	s := slices.Clone(p)
	slices.Sort(s)
	for i, v := range s {
		if v != i {
			return false
		}
	}
	return true
}

// designCost is balancedPerms' objective, pairWeight·Σ together² +
// Σ first², of the design perms.
func designCost(dim int, perms [][]int) int {
	together, first := splitStats(dim, perms)
	c := 0
	for i := range dim {
		c += first[i] * first[i]
		for j := i + 1; j < dim; j++ {
			c += pairWeight * together[i][j] * together[i][j]
		}
	}
	return c
}

// optimalCost enumerates every design of dim dimensions and blocks blocks
// (block 0's first half fixed to the first splitLen(dim) dimensions) and
// returns the least designCost.
func optimalCost(dim, blocks int) int {
	d1 := splitLen(dim)
	cands := splitCandidates(dim, d1)
	best := -1
	idx := make([]int, blocks-1)
	for {
		together := make([]int, dim*dim)
		first := make([]int, dim)
		in := make([]bool, dim)
		for k := range blocks {
			clear(in)
			if k == 0 {
				for i := range d1 {
					in[i] = true
				}
			} else {
				for _, i := range cands[idx[k-1]] {
					in[i] = true
				}
			}
			for i := range dim {
				if in[i] {
					first[i]++
				}
				for j := i + 1; j < dim; j++ {
					if in[i] == in[j] {
						together[i*dim+j]++
					}
				}
			}
		}
		c := 0
		for i := range dim {
			c += first[i] * first[i]
			for j := i + 1; j < dim; j++ {
				c += pairWeight * together[i*dim+j] * together[i*dim+j]
			}
		}
		if best < 0 || c < best {
			best = c
		}
		k := 0
		for ; k < len(idx); k++ {
			if idx[k]++; idx[k] < len(cands) {
				break
			}
			idx[k] = 0
		}
		if k == len(idx) {
			return best
		}
	}
}

func TestBalancedPerms(t *testing.T) {
	for _, tc := range []struct {
		dim, blocks int
		// exhaustive: compare with the optimum over all designs.
		exhaustive bool
		// maxTogether bounds the blocks in which a pair shares a half.
		maxTogether int
		// beatRandom: the design's cost must be below that of random
		// permutations.
		beatRandom bool
	}{
		{dim: 2, blocks: 8, exhaustive: true, maxTogether: 0},
		{dim: 3, blocks: 6, exhaustive: true, maxTogether: 2},
		{dim: 4, blocks: 8, exhaustive: true, maxTogether: 3},
		{dim: 5, blocks: 7, exhaustive: true, maxTogether: 4},
		{dim: 5, blocks: 8, maxTogether: 4}, // optimum (brute force, 10^7 designs): 2 to 4
		{dim: 7, blocks: 16, maxTogether: 8},
		{dim: 10, blocks: 8, maxTogether: 5},
		// With many dimensions two halves of a split cannot overlap much less
		// than at random, so no design does much better than random ones
		// (every pair may share a half in all 8 blocks): these cases, found
		// by swaps, need only beat random permutations (beatRandom).
		{dim: 16, blocks: 8, maxTogether: 8, beatRandom: true},
		{dim: 40, blocks: 8, maxTogether: 8, beatRandom: true},
	} {
		opt := -1
		if tc.exhaustive {
			opt = optimalCost(tc.dim, tc.blocks)
		}
		for seed := uint64(1); seed <= 5; seed++ {
			perms := balancedPerms(tc.dim, tc.blocks, rand.New(rand.NewPCG(seed, balancedStream)))
			if len(perms) != tc.blocks {
				t.Fatalf("dim %d: %d permutations for %d blocks", tc.dim, len(perms), tc.blocks)
			}
			for k, p := range perms {
				if len(p) != tc.dim || !isPerm(p) {
					t.Fatalf("dim %d seed %d: block %d's %v is not a permutation of %d", tc.dim, seed, k, p, tc.dim)
				}
			}
			if c := designCost(tc.dim, perms); opt >= 0 && c != opt {
				t.Errorf("dim %d, %d blocks, seed %d: design cost %d, optimum %d", tc.dim, tc.blocks, seed, c, opt)
			}
			if tc.beatRandom {
				rng := rand.New(rand.NewPCG(seed, 1))
				var rp [][]int
				for range tc.blocks {
					rp = append(rp, rng.Perm(tc.dim))
				}
				if c, r := designCost(tc.dim, perms), designCost(tc.dim, rp); c >= r {
					t.Errorf("dim %d, %d blocks, seed %d: design cost %d, random permutations' %d", tc.dim, tc.blocks, seed, c, r)
				}
			}
			together, first := splitStats(tc.dim, perms)
			mx := 0
			for i := range tc.dim {
				mx = max(mx, slices.Max(together[i]))
			}
			if mx > tc.maxTogether {
				t.Errorf("dim %d, %d blocks, seed %d: a pair shares a half in %d blocks, want at most %d (first halves %v)",
					tc.dim, tc.blocks, seed, mx, tc.maxTogether, first)
			}
		}
	}
}

// TestBalancedPermsRandomIsNot checks that the test above can fail: random
// permutations of five dimensions over eight blocks spread the pair counts
// wider for most seeds.
func TestBalancedPermsRandomIsNot(t *testing.T) {
	wide := 0
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		var perms [][]int
		for range 8 {
			perms = append(perms, rng.Perm(5))
		}
		together, _ := splitStats(5, perms)
		var pairs []int
		for i := range 5 {
			for j := i + 1; j < 5; j++ {
				pairs = append(pairs, together[i][j])
			}
		}
		if slices.Max(pairs)-slices.Min(pairs) > 1 {
			wide++
		}
	}
	if wide < 15 {
		t.Errorf("random permutations: only %d of 20 seeds spread the pair counts by more than 1", wide)
	}
}

// TestPermute checks Config.Permute through NewModel: the balanced design
// keeps Seed's initial weights, changes the permutations, follows
// PermSeed, survives a save and load, and an unknown design is refused.
func TestPermute(t *testing.T) {
	base := Config{DimX: 5, DimY: 3, Blocks: 8, Hidden: 8, Layers: 1, Seed: 3}
	rnd, err := NewModel(base, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	bc := base
	bc.Permute = PermuteBalanced
	bal, err := NewModel(bc, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rnd.params, bal.params) {
		t.Error("balanced permutations changed the initial weights")
	}
	if slices.EqualFunc(rnd.perms, bal.perms, slices.Equal) {
		t.Error("balanced permutations equal the random ones")
	}
	together, _ := splitStats(5, bal.perms)
	if together[2][3] < 3 || together[2][3] > 4 {
		t.Errorf("dimensions 2 and 3 share a half in %d of 8 blocks, want 3 or 4", together[2][3])
	}
	bc.PermSeed = 7
	bal7, err := NewModel(bc, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bal7.params, bal.params) || slices.EqualFunc(bal7.perms, bal.perms, slices.Equal) {
		t.Error("PermSeed 7 with balanced permutations: want the same weights and other permutations")
	}
	path := t.TempDir() + "/m.cinn"
	if err := bal7.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Config().Permute; got != PermuteBalanced {
		t.Errorf("loaded Permute %q, want %q", got, PermuteBalanced)
	}
	if !slices.EqualFunc(back.perms, bal7.perms, slices.Equal) {
		t.Error("loaded permutations differ from the saved ones")
	}
	bad := base
	bad.Permute = "sorted"
	if _, err := NewModel(bad, Spec{}); err == nil {
		t.Error("Permute \"sorted\" accepted")
	}
}
