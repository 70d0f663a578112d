// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import "math"

// Monotonic rational-quadratic splines (Durkan et al. 2019, "Neural Spline
// Flows", with the linear tails of nflows' unconstrained_rational_quadratic_
// spline): on [-B, B] the map is a spline through K+1 knots whose bin widths,
// bin heights and inner knot derivatives come from a subnet; outside it is
// the identity. The K+1-st and first knot derivatives are 1, so the map and
// its derivative are continuous at ±B.
//
// One dimension's raw parameters are laid out as K unnormalised widths, K
// unnormalised heights and K-1 unnormalised inner derivatives (3K-1
// values). Widths and heights are softmax-normalised with a floor of
// minBin, derivatives are minDeriv + softplus(raw + derivOffset), so that
// raw parameters of zero give equal bins and unit derivatives: the
// identity, which is where a freshly initialised network starts.

const (
	// MaxBins is the largest number of spline bins a Config may ask for.
	MaxBins  = 32
	minBin   = 1e-3
	minDeriv = 1e-3
)

// derivOffset makes minDeriv + softplus(0 + derivOffset) equal 1.
var derivOffset = math.Log(math.Expm1(1 - minDeriv))

// splineParams is the number of raw parameters per dimension for K bins.
func splineParams(K int) int { return 3*K - 1 }

func softplus(u float64) float64 {
	if u > 30 {
		return u
	}
	return math.Log1p(math.Exp(u))
}

func sigmoid(u float64) float64 { return 1 / (1 + math.Exp(-u)) }

// softmaxBins writes softmax(raw) into dst (len K).
func softmaxBins[T float](dst []float64, raw []T) {
	mx := math.Inf(-1)
	for _, v := range raw {
		mx = max(mx, float64(v))
	}
	var s float64
	for i, v := range raw {
		e := math.Exp(float64(v) - mx)
		dst[i] = e
		s += e
	}
	for i := range dst {
		dst[i] /= s
	}
}

// rqKnot returns the derivative at knot i (0 ≤ i ≤ K).
func rqKnot[T float](raw []T, K, i int) float64 {
	if i == 0 || i == K {
		return 1
	}
	return minDeriv + softplus(float64(raw[2*K+i-1])+derivOffset)
}

// rqBin normalises the K softmax values sm into bin sizes on [-B, B] and
// returns the bin k containing v with its left edge and size.
func rqBin(sm []float64, B, v float64) (k int, lo, w float64) {
	K := len(sm)
	scale := 1 - minBin*float64(K)
	lo = -B
	for k = 0; k < K; k++ {
		w = 2 * B * (minBin + scale*sm[k])
		if k == K-1 {
			w = B - lo
		}
		if v < lo+w || k == K-1 {
			return k, lo, w
		}
		lo += w
	}
	return K - 1, lo, w
}

// rqBinAt returns the left edge and size of bin k.
func rqBinAt(sm []float64, B float64, k int) (lo, w float64) {
	K := len(sm)
	scale := 1 - minBin*float64(K)
	lo = -B
	for i := 0; i < k; i++ {
		lo += 2 * B * (minBin + scale*sm[i])
	}
	if k == K-1 {
		return lo, B - lo
	}
	return lo, 2 * B * (minBin + scale*sm[k])
}

// rqBinOf holds the bin of a spline that a value falls in: its left edge
// xk and width w, bottom yk and height h, and the knot derivatives dk and
// d1 at its two ends, with the softmax of the raw widths and heights.
type rqBinOf struct {
	k            int
	xk, w, yk, h float64
	dk, d1       float64
	sw, sh       [MaxBins]float64
}

// rqLocate finds the bin holding v, which is an input of the spline (on
// the width axis) or, with inverse set, an output (on the height axis).
func rqLocate[T float](raw []T, K int, B, v float64, inverse bool, b *rqBinOf) {
	softmaxBins(b.sw[:K], raw[:K])
	softmaxBins(b.sh[:K], raw[K:2*K])
	if inverse {
		b.k, b.yk, b.h = rqBin(b.sh[:K], B, v)
		b.xk, b.w = rqBinAt(b.sw[:K], B, b.k)
	} else {
		b.k, b.xk, b.w = rqBin(b.sw[:K], B, v)
		b.yk, b.h = rqBinAt(b.sh[:K], B, b.k)
	}
	b.dk, b.d1 = rqKnot(raw, K, b.k), rqKnot(raw, K, b.k+1)
}

// rqForward maps x through the spline with raw parameters raw (3K-1
// values) and returns y and log(dy/dx).
func rqForward[T float](raw []T, K int, B, x float64) (y, ld float64) {
	if !(x > -B && x < B) {
		return x, 0
	}
	var b rqBinOf
	rqLocate(raw, K, B, x, false, &b)
	xk, w, yk, h, dk, d1 := b.xk, b.w, b.yk, b.h, b.dk, b.d1
	xi := (x - xk) / w
	s := h / w
	th := xi * (1 - xi)
	den := s + (d1+dk-2*s)*th
	y = yk + h*(s*xi*xi+dk*th)/den
	p := d1*xi*xi + 2*s*th + dk*(1-xi)*(1-xi)
	ld = 2*math.Log(s) + math.Log(p) - 2*math.Log(den)
	return y, ld
}

// rqInverse inverts rqForward: it returns x with rqForward(x) = y and the
// forward log(dy/dx) at x.
func rqInverse[T float](raw []T, K int, B, y float64) (x, ld float64) {
	if !(y > -B && y < B) {
		return y, 0
	}
	var b rqBinOf
	rqLocate(raw, K, B, y, true, &b)
	xk, w, yk, h, dk, d1 := b.xk, b.w, b.yk, b.h, b.dk, b.d1
	s := h / w
	dy := y - yk
	c2 := d1 + dk - 2*s
	qa := h*(s-dk) + dy*c2
	qb := h*dk - dy*c2
	qc := -s * dy
	disc := math.Max(qb*qb-4*qa*qc, 0)
	xi := 2 * qc / (-qb - math.Sqrt(disc))
	xi = math.Min(math.Max(xi, 0), 1)
	x = xk + xi*w
	th := xi * (1 - xi)
	den := s + c2*th
	p := d1*xi*xi + 2*s*th + dk*(1-xi)*(1-xi)
	ld = 2*math.Log(s) + math.Log(p) - 2*math.Log(den)
	return x, ld
}

// rqGrad back-propagates through y, ld = rqForward(raw, x): given gy =
// ∂L/∂y and gl = ∂L/∂ld it writes ∂L/∂raw into graw (3K-1 values) and
// returns ∂L/∂x.
func rqGrad[T float](raw []T, K int, B, x, gy, gl float64, graw []T) (gx float64) {
	clear(graw[:splineParams(K)])
	if !(x > -B && x < B) {
		return gy
	}
	var b rqBinOf
	var gw, gh [MaxBins]float64
	rqLocate(raw, K, B, x, false, &b)
	k, xk, w, h, dk, d1 := b.k, b.xk, b.w, b.h, b.dk, b.d1
	sw, sh := &b.sw, &b.sh
	xi := (x - xk) / w
	s := h / w
	th := xi * (1 - xi)
	c2 := d1 + dk - 2*s
	den := s + c2*th
	num := h * (s*xi*xi + dk*th)
	p := d1*xi*xi + 2*s*th + dk*(1-xi)*(1-xi)

	// Partial derivatives of y and ld in the local variables xi, s, h
	// (at fixed s), dk, d1; yk enters y with coefficient 1.
	den2 := den * den
	thXi := 1 - 2*xi
	numXi := h * (2*s*xi + dk*thXi)
	denXi := c2 * thXi
	yXi := (numXi*den - num*denXi) / den2
	yS := (h*xi*xi*den - num*(1-2*th)) / den2
	yH := (s*xi*xi + dk*th) / den
	yDk := (h*th*den - num*th) / den2
	yD1 := -num * th / den2
	pXi := 2*d1*xi + 2*s*thXi - 2*dk*(1-xi)
	lXi := pXi/p - 2*denXi/den
	lS := 2/s + 2*th/p - 2*(1-2*th)/den
	lDk := (1-xi)*(1-xi)/p - 2*th/den
	lD1 := xi*xi/p - 2*th/den

	gXi := gy*yXi + gl*lXi
	gS := gy*yS + gl*lS
	gH := gy*yH + gS/w
	gYk := gy
	gx = gXi / w
	gXk := -gXi / w
	gW := -gXi*xi/w - gS*s/w

	// Bin edge and size in terms of the normalised sizes n_i = minBin +
	// scale·softmax_i: lo = -B + 2B·Σ_{i<k} n_i, size = 2B·n_k (the last
	// bin's B - lo is the same function on the simplex).
	for i := 0; i < k; i++ {
		gw[i] = 2 * B * gXk
		gh[i] = 2 * B * gYk
	}
	gw[k] = 2 * B * gW
	gh[k] = 2 * B * gH
	scale := 1 - minBin*float64(K)
	var dotW, dotH float64
	for i := 0; i < K; i++ {
		dotW += sw[i] * gw[i]
		dotH += sh[i] * gh[i]
	}
	for i := 0; i < K; i++ {
		graw[i] = T(scale * sw[i] * (gw[i] - dotW))
		graw[K+i] = T(scale * sh[i] * (gh[i] - dotH))
	}
	if k >= 1 {
		graw[2*K+k-1] += T((gy*yDk + gl*lDk) * sigmoid(float64(raw[2*K+k-1])+derivOffset))
	}
	if k+1 <= K-1 {
		graw[2*K+k] += T((gy*yD1 + gl*lD1) * sigmoid(float64(raw[2*K+k])+derivOffset))
	}
	return gx
}
