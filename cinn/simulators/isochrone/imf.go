package isochrone

import (
	"fmt"
	"math"
)

// IMF is an initial mass function that can be sampled by inversion.
type IMF interface {
	// Quantile returns the mass m in [lo, hi] with P(M ≤ m | lo ≤ M ≤ hi) = u
	// for u in [0, 1].
	Quantile(u, lo, hi float64) float64
	// Density returns the unnormalised number density dN/dm at m.
	Density(m float64) float64
	// Range returns the smallest and largest mass with non-zero density.
	Range() (lo, hi float64)
}

// PowerLaw is a broken power-law IMF, dN/dm ∝ m^-Alphas[i] on
// [Breaks[i], Breaks[i+1]), continuous at the breaks and zero outside
// [Breaks[0], Breaks[len-1]].
type PowerLaw struct {
	Breaks []float64 // increasing, len(Alphas)+1 values (Msun)
	Alphas []float64
}

// Kroupa2001 returns the Kroupa (2001, MNRAS 322, 231) IMF above the
// hydrogen-burning limit: α = 1.3 for 0.08 ≤ m/Msun < 0.5 and α = 2.3 for
// 0.5 ≤ m/Msun ≤ 150.
func Kroupa2001() PowerLaw {
	return PowerLaw{Breaks: []float64{0.08, 0.5, 150}, Alphas: []float64{1.3, 2.3}}
}

func (p PowerLaw) check() {
	if len(p.Breaks) != len(p.Alphas)+1 || len(p.Alphas) == 0 {
		panic(fmt.Sprintf("isochrone: PowerLaw with %d breaks and %d slopes", len(p.Breaks), len(p.Alphas)))
	}
	for i := 1; i < len(p.Breaks); i++ {
		if !(p.Breaks[i] > p.Breaks[i-1]) || p.Breaks[0] <= 0 {
			panic(fmt.Sprintf("isochrone: PowerLaw breaks %v are not positive and increasing", p.Breaks))
		}
	}
}

// Range returns the first and last break.
func (p PowerLaw) Range() (lo, hi float64) {
	p.check()
	return p.Breaks[0], p.Breaks[len(p.Breaks)-1]
}

// coef returns the continuity constants c_i of dN/dm = c_i m^-α_i.
func (p PowerLaw) coef() []float64 {
	c := make([]float64, len(p.Alphas))
	c[0] = 1
	for i := 1; i < len(c); i++ {
		b := p.Breaks[i]
		c[i] = c[i-1] * math.Pow(b, p.Alphas[i]-p.Alphas[i-1])
	}
	return c
}

// Density returns dN/dm at m (1 at m = 1 for a single slope; continuous).
func (p PowerLaw) Density(m float64) float64 {
	p.check()
	if m < p.Breaks[0] || m > p.Breaks[len(p.Breaks)-1] {
		return 0
	}
	c := p.coef()
	for i := range p.Alphas {
		if m < p.Breaks[i+1] || i == len(p.Alphas)-1 {
			return c[i] * math.Pow(m, -p.Alphas[i])
		}
	}
	return 0
}

// primitive of m^-α between a and b.
func powInt(a, b, alpha float64) float64 {
	if alpha == 1 {
		return math.Log(b / a)
	}
	return (math.Pow(b, 1-alpha) - math.Pow(a, 1-alpha)) / (1 - alpha)
}

// Quantile inverts the cumulative distribution restricted to [lo, hi]
// (clipped to the IMF's own range). It panics if the interval holds no
// mass.
func (p PowerLaw) Quantile(u, lo, hi float64) float64 {
	p.check()
	lo = math.Max(lo, p.Breaks[0])
	hi = math.Min(hi, p.Breaks[len(p.Breaks)-1])
	if !(hi > lo) {
		if hi == lo {
			return lo
		}
		panic(fmt.Sprintf("isochrone: IMF restricted to the empty interval [%g, %g]", lo, hi))
	}
	c := p.coef()
	w := make([]float64, len(p.Alphas))
	var tot float64
	for i := range w {
		a, b := math.Max(lo, p.Breaks[i]), math.Min(hi, p.Breaks[i+1])
		if b > a {
			w[i] = c[i] * powInt(a, b, p.Alphas[i])
		}
		tot += w[i]
	}
	target := u * tot
	for i := range w {
		if w[i] == 0 {
			continue
		}
		a, b := math.Max(lo, p.Breaks[i]), math.Min(hi, p.Breaks[i+1])
		if target > w[i] && i < len(w)-1 {
			target -= w[i]
			continue
		}
		r := math.Min(target/c[i], w[i]/c[i]) // ∫_a^m x^-α dx = r
		al := p.Alphas[i]
		var m float64
		if al == 1 {
			m = a * math.Exp(r)
		} else {
			m = math.Pow(math.Pow(a, 1-al)+r*(1-al), 1/(1-al))
		}
		return math.Min(math.Max(m, a), b)
	}
	return hi
}
