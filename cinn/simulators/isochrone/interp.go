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
	// abs marks nodes placed at their interpolated initial mass (the
	// unevolved part). Other nodes are placed at the curve's mass where
	// their phase starts plus their interpolated offset: dm0 and dm1 are
	// the initial masses above the last point of the preceding phase in
	// each isochrone, and first marks a phase's first node.
	abs        bool
	first      bool
	dm0, dm1   float64
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

// segments returns, for each phase of an isochrone, the row range [start, end).
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

// point is a point of an isochrone: initial mass and values.
type point struct {
	m float64
	v []float64
}

func rows(is *iso, s, e int) []point {
	p := make([]point, 0, e-s)
	for k := s; k < e; k++ {
		p = append(p, point{is.mini[k], is.vals[k]})
	}
	return p
}

func lerp(a, b point, t float64) point {
	if t == 0 {
		return a
	}
	if t == 1 {
		return b
	}
	v := make([]float64, len(a.v))
	for j := range v {
		v[j] = (1-t)*a.v[j] + t*b.v[j]
	}
	return point{(1-t)*a.m + t*b.m, v}
}

// atFrac returns the point at fractional position f ∈ [0, 1] along pts,
// counted in points (linear between neighbours).
func atFrac(pts []point, f float64) point {
	n := len(pts)
	if n == 1 {
		return pts[0]
	}
	x := f * float64(n-1)
	k := int(math.Floor(x))
	if k >= n-1 {
		k = n - 2
	}
	return lerp(pts[k], pts[k+1], x-float64(k))
}

// atMass returns the point of initial mass m along pts (first crossing;
// the end points outside their range).
func atMass(pts []point, m float64) point {
	if m <= pts[0].m {
		return pts[0]
	}
	for k := 1; k < len(pts); k++ {
		if pts[k].m >= m {
			if pts[k].m == pts[k-1].m {
				return pts[k]
			}
			return lerp(pts[k-1], pts[k], (m-pts[k-1].m)/(pts[k].m-pts[k-1].m))
		}
	}
	return pts[len(pts)-1]
}

// byFraction matches two paths at equal fractional positions (the union of
// both paths' own positions), dropping the first match if skipFirst. The
// nodes are absolute if abs, else relative to the masses baseA and baseB
// where the paths' phase starts.
func byFraction(pa, pb []point, skipFirst, abs bool, baseA, baseB float64) []node {
	fs := make([]float64, 0, len(pa)+len(pb))
	for k := range pa {
		fs = append(fs, frac(k, len(pa)))
	}
	for k := range pb {
		fs = append(fs, frac(k, len(pb)))
	}
	sort.Float64s(fs)
	var out []node
	last := -1.0
	for _, f := range fs {
		if f-last < 1e-12 {
			continue
		}
		last = f
		if skipFirst && f == 0 {
			continue
		}
		a, b := atFrac(pa, f), atFrac(pb, f)
		out = append(out, node{side: 0, abs: abs, first: len(out) == 0 && !abs,
			dm0: a.m - baseA, dm1: b.m - baseB, mini0: a.m, mini1: b.m, val0: a.v, val1: b.v})
	}
	return out
}

func frac(k, n int) float64 {
	if n <= 1 {
		return 0
	}
	return float64(k) / float64(n-1)
}

// PivotFraction sets where the unevolved part of two neighbouring
// isochrones (PMS and main sequence, phases 0 and 1) stops being matched at
// equal initial mass: at PivotFraction times the smaller of the two
// turn-off masses (the largest unevolved masses). Above it, up to each
// turn-off, points are matched by fractional position.
const PivotFraction = 0.8

// unevolved returns the number of leading rows of phase 0 or 1.
func unevolved(is *iso) int {
	k := 0
	for k < len(is.phase) && is.phase[k] <= 1 {
		k++
	}
	return k
}

// matchUnevolved matches the unevolved rows [0, ua) of a and [0, ub) of b:
// at equal initial mass below the pivot (what interpolating between stellar
// tracks does: a star of given mass evolving from one age to the next),
// by fractional position from the pivot to each turn-off. ok is false when
// the pivot is below the lowest masses (then the caller matches by
// fraction throughout).
func matchUnevolved(a *iso, ua int, b *iso, ub int) (nodes []node, ok bool) {
	pa, pb := rows(a, 0, ua), rows(b, 0, ub)
	pivot := PivotFraction * math.Min(pa[len(pa)-1].m, pb[len(pb)-1].m)
	if !(pivot > math.Max(pa[0].m, pb[0].m)) {
		return nil, false
	}
	var ms []float64
	for _, pts := range [][]point{pa, pb} {
		for _, q := range pts {
			if q.m < pivot {
				ms = append(ms, q.m)
			}
		}
	}
	ms = append(ms, pivot)
	sort.Float64s(ms)
	last := math.Inf(-1)
	for _, m := range ms {
		if m-last < 1e-12 {
			continue
		}
		last = m
		// Below the other isochrone's lowest mass, its first point stands in.
		qa, qb := atMass(pa, m), atMass(pb, m)
		nodes = append(nodes, node{side: 0, abs: true, mini0: m, mini1: m, val0: qa.v, val1: qb.v})
	}
	upper := func(pts []point) []point {
		up := []point{atMass(pts, pivot)}
		for _, q := range pts {
			if q.m > pivot {
				up = append(up, q)
			}
		}
		return up
	}
	return append(nodes, byFraction(upper(pa), upper(pb), true, true, 0, 0)...), true
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
	done := -1 // phases up to done are matched
	if ua, ub := unevolved(a), unevolved(b); ua >= 2 && ub >= 2 {
		if nodes, ok := matchUnevolved(a, ua, b, ub); ok {
			p.nodes = nodes
			done = 1
		}
	}
	for _, ph := range phases {
		if ph <= done {
			continue
		}
		ra, okA := sa[ph]
		rb, okB := sb[ph]
		switch {
		case okA && okB:
			p.nodes = append(p.nodes, byFraction(rows(a, ra[0], ra[1]), rows(b, rb[0], rb[1]), false, false,
				before(a, ra[0]), before(b, rb[0]))...)
		case okA:
			for k := ra[0]; k < ra[1]; k++ {
				p.nodes = append(p.nodes, node{side: 1, mini0: a.mini[k], val0: a.vals[k],
					dm0: a.mini[k] - before(a, ra[0]), first: k == ra[0]})
			}
		default:
			for k := rb[0]; k < rb[1]; k++ {
				p.nodes = append(p.nodes, node{side: 2, mini1: b.mini[k], val1: b.vals[k],
					dm1: b.mini[k] - before(b, rb[0]), first: k == rb[0]})
			}
		}
	}
	return p
}

// before returns the initial mass of the row before row start (the end of
// the preceding phase), or 0 when start is the first row.
func before(is *iso, start int) float64 {
	if start == 0 {
		return 0
	}
	return is.mini[start-1]
}

// curve is the interpolated isochrone of a pair at weight w (0 at the
// younger, 1 at the older isochrone): for each node, its initial mass on
// the curve (non-decreasing) and the shift from its interpolated own mass.
type curve struct {
	p     *pair
	w     float64
	mini  []float64
	shift []float64
}

func (p *pair) curve(w float64, buf *curve) *curve {
	c := buf
	if c == nil {
		c = &curve{}
	}
	c.p, c.w = p, w
	c.mini, c.shift = c.mini[:0], c.shift[:0]
	prev := math.Inf(-1) // mass of the last node (non-decreasing)
	base := 0.0          // mass where the current phase starts on the curve
	for i := range p.nodes {
		nd := &p.nodes[i]
		if nd.first {
			base = prev
			if math.IsInf(base, -1) {
				base = 0
			}
		}
		var m, own float64
		switch {
		case nd.abs:
			m = (1-w)*nd.mini0 + w*nd.mini1
			own = m
		case nd.side == 0:
			m = base + (1-w)*nd.dm0 + w*nd.dm1
			own = (1-w)*nd.mini0 + w*nd.mini1
		case nd.side == 1:
			// A phase only the younger isochrone has shrinks to nothing
			// at the older one.
			m = base + (1-w)*nd.dm0
			own = nd.mini0
		default:
			m = base + w*nd.dm1
			own = nd.mini1
		}
		if m < prev {
			m = prev
		}
		prev = m
		c.mini = append(c.mini, m)
		c.shift = append(c.shift, m-own)
	}
	return c
}

func (c *curve) massRange() (lo, hi float64) {
	return c.mini[0], c.mini[len(c.mini)-1]
}

func (c *curve) value(k int, dst []float64) {
	nd := &c.p.nodes[k]
	switch nd.side {
	case 0:
		for j := range dst {
			dst[j] = (1-c.w)*nd.val0[j] + c.w*nd.val1[j]
		}
	case 1:
		copy(dst, nd.val0)
	case 2:
		copy(dst, nd.val1)
	}
	if c.p.massIdx >= 0 && c.shift[k] != 0 {
		dst[c.p.massIdx] += c.shift[k]
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
// age, between points of equal mass on the lower main sequence and of equal
// evolutionary phase (PARSEC label or pydol ph) and fractional position
// within the phase above it: see the package documentation.
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
