package isochrone

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// ErrOutside is wrapped by Interpolate's error for a point outside the
// grid (age or metallicity not covered, initial mass beyond the
// isochrone).
var ErrOutside = errors.New("outside the isochrone grid")

// node is a point of a pair of neighbouring isochrones matched by
// evolutionary phase and fractional position within the phase.
type node struct {
	side int // 0: both isochrones, 1: only the younger, 2: only the older
	// For one-sided nodes: dm is the initial mass above the last point of
	// the preceding phase in the node's own isochrone (or the mass itself
	// when no phase precedes), and first marks a segment's first node.
	dm         float64
	first      bool
	mini0      float64
	mini1      float64
	val0, val1 []float64
}

// pair holds the matched points of two neighbouring isochrones.
type pair struct {
	age0, age1 float64
	nodes      []node
	massIdx    int // index of the current mass among the values, or -1
}

// segment returns, for each phase of an isochrone, the row range [start, end).
func segments(is *iso) map[int][2]int {
	seg := map[int][2]int{}
	for k := 0; k < len(is.phase); {
		e := k
		for e < len(is.phase) && is.phase[e] == is.phase[k] {
			e++
		}
		seg[is.phase[k]] = [2]int{k, e}
		k = e
	}
	return seg
}

// fractions returns the positions of the rows of a segment of n rows, in [0, 1].
func fractions(n int) []float64 {
	f := make([]float64, n)
	for k := range f {
		if n > 1 {
			f[k] = float64(k) / float64(n-1)
		}
	}
	return f
}

// at returns Mini and the values at fractional position f of rows [s, e).
func (is *iso) at(s, e int, f float64) (float64, []float64) {
	n := e - s
	if n == 1 {
		return is.mini[s], is.vals[s]
	}
	x := f * float64(n-1)
	k := int(math.Floor(x))
	if k >= n-1 {
		k = n - 2
	}
	t := x - float64(k)
	if t == 0 {
		return is.mini[s+k], is.vals[s+k]
	}
	a, b := s+k, s+k+1
	v := make([]float64, len(is.vals[a]))
	for j := range v {
		v[j] = (1-t)*is.vals[a][j] + t*is.vals[b][j]
	}
	return (1-t)*is.mini[a] + t*is.mini[b], v
}

func newPair(a, b *iso, massIdx int) *pair {
	p := &pair{age0: a.logAge, age1: b.logAge, massIdx: massIdx}
	sa, sb := segments(a), segments(b)
	var phases []int
	for ph := range sa {
		phases = append(phases, ph)
	}
	for ph := range sb {
		if _, ok := sa[ph]; !ok {
			phases = append(phases, ph)
		}
	}
	sort.Ints(phases)
	for _, ph := range phases {
		ra, okA := sa[ph]
		rb, okB := sb[ph]
		switch {
		case okA && okB:
			fs := append(fractions(ra[1]-ra[0]), fractions(rb[1]-rb[0])...)
			sort.Float64s(fs)
			last := -1.0
			for _, f := range fs {
				if f-last < 1e-12 {
					continue
				}
				last = f
				m0, v0 := a.at(ra[0], ra[1], f)
				m1, v1 := b.at(rb[0], rb[1], f)
				p.nodes = append(p.nodes, node{side: 0, mini0: m0, mini1: m1, val0: v0, val1: v1})
			}
		case okA:
			for k := ra[0]; k < ra[1]; k++ {
				p.nodes = append(p.nodes, node{side: 1, mini0: a.mini[k], val0: a.vals[k],
					dm: offset(a, ra[0], k), first: k == ra[0]})
			}
		default:
			for k := rb[0]; k < rb[1]; k++ {
				p.nodes = append(p.nodes, node{side: 2, mini1: b.mini[k], val1: b.vals[k],
					dm: offset(b, rb[0], k), first: k == rb[0]})
			}
		}
	}
	return p
}

// offset returns the initial mass of row k above that of row start-1 (the
// end of the preceding phase), or Mini itself when start is 0.
func offset(is *iso, start, k int) float64 {
	if start == 0 {
		return is.mini[k]
	}
	return is.mini[k] - is.mini[start-1]
}

// curve is the interpolated isochrone of a pair at weight w (0 at the
// younger, 1 at the older isochrone): the indices of the nodes used and
// their initial masses, made non-decreasing.
type curve struct {
	p    *pair
	w    float64
	idx  []int
	mini []float64
}

func (p *pair) curve(w float64, buf *curve) *curve {
	c := buf
	if c == nil {
		c = &curve{}
	}
	c.p, c.w = p, w
	c.idx, c.mini = c.idx[:0], c.mini[:0]
	prev := math.Inf(-1) // mass of the last node kept (non-decreasing)
	base := 0.0          // mass where the current one-sided segment starts
	for i := range p.nodes {
		nd := &p.nodes[i]
		var m float64
		switch nd.side {
		case 0:
			m = (1-w)*nd.mini0 + w*nd.mini1
		case 1, 2:
			if (nd.side == 1) == (w > 0.5) {
				continue
			}
			if nd.first {
				base = prev
				if math.IsInf(base, -1) {
					base = 0
				}
			}
			m = base + nd.dm
		}
		if m < prev {
			m = prev
		}
		prev = m
		c.idx = append(c.idx, i)
		c.mini = append(c.mini, m)
	}
	return c
}

func (c *curve) massRange() (lo, hi float64) {
	return c.mini[0], c.mini[len(c.mini)-1]
}

func (c *curve) value(k int, dst []float64) {
	nd := &c.p.nodes[c.idx[k]]
	switch nd.side {
	case 0:
		for j := range dst {
			dst[j] = (1-c.w)*nd.val0[j] + c.w*nd.val1[j]
		}
	case 1:
		copy(dst, nd.val0)
		c.shiftMass(dst, c.mini[k]-nd.mini0)
	case 2:
		copy(dst, nd.val1)
		c.shiftMass(dst, c.mini[k]-nd.mini1)
	}
}

// shiftMass moves the current mass of a one-sided point with its initial
// mass, so that the mass lost (Mini - Mass) is kept.
func (c *curve) shiftMass(dst []float64, d float64) {
	if c.p.massIdx >= 0 {
		dst[c.p.massIdx] += d
	}
}

// eval writes the values at initial mass m into dst; ok is false if m is
// outside the curve's mass range.
func (c *curve) eval(m float64, dst []float64) bool {
	lo, hi := c.massRange()
	if !(m >= lo && m <= hi) || len(c.mini) < 2 {
		if len(c.mini) == 1 && m == lo {
			c.value(0, dst)
			return true
		}
		return false
	}
	// First k with mini[k+1] >= m and mini[k+1] > mini[k]: the first
	// crossing of m along the sequence of points.
	k := sort.SearchFloat64s(c.mini, m) // first index with mini >= m
	if k == 0 {
		c.value(0, dst)
		return true
	}
	k-- // mini[k] < m <= mini[k+1]
	t := (m - c.mini[k]) / (c.mini[k+1] - c.mini[k])
	tmp := make([]float64, len(dst))
	c.value(k, dst)
	c.value(k+1, tmp)
	for j := range dst {
		dst[j] = (1-t)*dst[j] + t*tmp[j]
	}
	return true
}

// pairFor returns the pair of isochrones of metallicity z around logAge and
// the weight of the older one.
func (g *Grid) pairFor(z, logAge float64) (*pair, float64, error) {
	ps, ok := g.pairs[z]
	if !ok {
		return nil, 0, fmt.Errorf("isochrone: Z = %g: %w (the grid has Z = %v)", z, ErrOutside, g.zs)
	}
	if len(ps) == 0 {
		return nil, 0, fmt.Errorf("isochrone: Z = %g has a single isochrone (logAge %g): cannot interpolate in age", z, g.isos[z][0].logAge)
	}
	if !(logAge >= ps[0].age0 && logAge <= ps[len(ps)-1].age1) {
		return nil, 0, fmt.Errorf("isochrone: logAge = %g: %w (Z = %g covers %g to %g)", logAge, ErrOutside, z, ps[0].age0, ps[len(ps)-1].age1)
	}
	i := sort.Search(len(ps), func(i int) bool { return ps[i].age1 >= logAge })
	p := ps[i]
	return p, (logAge - p.age0) / (p.age1 - p.age0), nil
}

// Interpolate returns the values of Columns (physical quantities, then
// absolute magnitudes) of a star of metallicity z (one of Metallicities),
// log age logAge and initial mass mini.
//
// Along an isochrone the values are linear in initial mass between
// consecutive points. Between neighbouring ages they are linear in log
// age, between points of equal evolutionary phase (PARSEC label or pydol
// ph, made non-decreasing along the isochrone) at equal fractional position
// within the phase (by row index), not at equal mass: see the package
// documentation.
func (g *Grid) Interpolate(z, logAge, mini float64) ([]float64, error) {
	p, w, err := g.pairFor(z, logAge)
	if err != nil {
		return nil, err
	}
	c := p.curve(w, nil)
	dst := make([]float64, len(g.quantities)+len(g.bands))
	if !c.eval(mini, dst) {
		lo, hi := c.massRange()
		return nil, fmt.Errorf("isochrone: Mini = %g at logAge = %g, Z = %g: %w (initial masses %g to %g)", mini, logAge, z, ErrOutside, lo, hi)
	}
	return dst, nil
}

// MassRange returns the range of initial masses of the interpolated
// isochrone at (z, logAge).
func (g *Grid) MassRange(z, logAge float64) (lo, hi float64, err error) {
	p, w, err := g.pairFor(z, logAge)
	if err != nil {
		return 0, 0, err
	}
	lo, hi = p.curve(w, nil).massRange()
	return lo, hi, nil
}
