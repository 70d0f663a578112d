package simulators

import (
	"context"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// GaussianLinear is sbibm's gaussian_linear task: θ ∈ R^10 with prior
// N(0, 0.1·I) and x ~ N(θ, 0.1·I) (0.1 is a variance). The posterior is
// Gaussian with covariance (1/0.1 + 1/0.1)^-1·I = 0.05·I and mean
// 0.05·(x/0.1) = x/2.
type GaussianLinear struct {
	dim                int
	priorVar, noiseVar float64
}

// NewGaussianLinear returns gaussian_linear with sbibm's settings.
func NewGaussianLinear() *GaussianLinear {
	return &GaussianLinear{dim: 10, priorVar: 0.1, noiseVar: 0.1}
}

func (*GaussianLinear) Name() string           { return "gaussian_linear" }
func (g *GaussianLinear) DimTheta() int        { return g.dim }
func (g *GaussianLinear) DimX() int            { return g.dim }
func (g *GaussianLinear) ParamNames() []string { return names("theta", g.dim) }
func (g *GaussianLinear) ObsNames() []string   { return names("x", g.dim) }

func (g *GaussianLinear) SamplePrior(n int, src rand.Source) *mat.Dense {
	checkN(n)
	rnd := rand.New(src)
	m := newDense(n, g.dim)
	sd := math.Sqrt(g.priorVar)
	for i := 0; i < n; i++ {
		for j := 0; j < g.dim; j++ {
			m.Set(i, j, sd*rnd.NormFloat64())
		}
	}
	return m
}

func (g *GaussianLinear) Simulate(theta *mat.Dense, src rand.Source) *mat.Dense {
	return simulateGaussianNoise(g, theta, g.noiseVar, src)
}

func simulateGaussianNoise(t Task, theta *mat.Dense, variance float64, src rand.Source) *mat.Dense {
	n := checkTheta(t, theta)
	rnd := rand.New(src)
	x := newDense(n, t.DimX())
	sd := math.Sqrt(variance)
	for i := 0; i < n; i++ {
		for j := 0; j < t.DimX(); j++ {
			x.Set(i, j, theta.At(i, j)+sd*rnd.NormFloat64())
		}
	}
	return x
}

func (g *GaussianLinear) LogPrior(theta []float64) float64 {
	return logNormalIso(theta, nil, g.priorVar)
}

// LogLikelihood is log N(x; θ, 0.1·I).
func (g *GaussianLinear) LogLikelihood(theta, x []float64) float64 {
	return logNormalIso(x, theta, g.noiseVar)
}

// LogPosterior implements PosteriorDensity: N(θ; x/2, 0.05·I).
func (g *GaussianLinear) LogPosterior(theta, x []float64) float64 {
	mean, v := g.PosteriorMoments(x)
	return logNormalIso(theta, mean, v)
}

// PosteriorMoments returns the exact posterior mean and (isotropic)
// variance for observation x.
func (g *GaussianLinear) PosteriorMoments(x []float64) (mean []float64, variance float64) {
	checkObs(g, x)
	variance = 1 / (1/g.priorVar + 1/g.noiseVar)
	mean = make([]float64, len(x))
	for i, v := range x {
		mean[i] = variance * v / g.noiseVar
	}
	return mean, variance
}

// SamplePosterior draws from the exact Gaussian posterior N(x/2, 0.05·I).
func (g *GaussianLinear) SamplePosterior(ctx context.Context, xObs []float64, n int, src rand.Source) (*mat.Dense, error) {
	checkN(n)
	mean, v := g.PosteriorMoments(xObs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rnd := rand.New(src)
	sd := math.Sqrt(v)
	s := newDense(n, g.dim)
	for i := 0; i < n; i++ {
		for j := range mean {
			s.Set(i, j, mean[j]+sd*rnd.NormFloat64())
		}
	}
	return s, nil
}

// logNormalIso is log N(x; mu, v·I); mu nil means zero.
func logNormalIso(x, mu []float64, v float64) float64 {
	var ss float64
	for i, xi := range x {
		d := xi
		if mu != nil {
			d -= mu[i]
		}
		ss += d * d
	}
	return -0.5*ss/v - 0.5*float64(len(x))*math.Log(2*math.Pi*v)
}

// GaussianLinearUniform is sbibm's gaussian_linear_uniform task: θ ∈ R^10
// with prior U(-1, 1)^10 and x ~ N(θ, 0.1·I). The posterior is N(x, 0.1·I)
// truncated to the prior box; its coordinates are independent truncated
// normals, sampled exactly (plain rejection when the box holds enough
// mass, Robert's (1995) exponential rejection in the tails otherwise).
type GaussianLinearUniform struct {
	dim      int
	bound    float64
	noiseVar float64
}

// NewGaussianLinearUniform returns gaussian_linear_uniform with sbibm's
// settings.
func NewGaussianLinearUniform() *GaussianLinearUniform {
	return &GaussianLinearUniform{dim: 10, bound: 1, noiseVar: 0.1}
}

func (*GaussianLinearUniform) Name() string           { return "gaussian_linear_uniform" }
func (g *GaussianLinearUniform) DimTheta() int        { return g.dim }
func (g *GaussianLinearUniform) DimX() int            { return g.dim }
func (g *GaussianLinearUniform) ParamNames() []string { return names("theta", g.dim) }
func (g *GaussianLinearUniform) ObsNames() []string   { return names("x", g.dim) }

func (g *GaussianLinearUniform) SamplePrior(n int, src rand.Source) *mat.Dense {
	return sampleBox(n, g.dim, g.bound, src)
}

func (g *GaussianLinearUniform) Simulate(theta *mat.Dense, src rand.Source) *mat.Dense {
	return simulateGaussianNoise(g, theta, g.noiseVar, src)
}

// PriorBox implements BoxPrior.
func (g *GaussianLinearUniform) PriorBox() (lo, hi []float64) { return box(g.dim, g.bound) }

func (g *GaussianLinearUniform) LogPrior(theta []float64) float64 {
	return logBox(theta, g.bound)
}

// LogLikelihood is log N(x; θ, 0.1·I).
func (g *GaussianLinearUniform) LogLikelihood(theta, x []float64) float64 {
	return logNormalIso(x, theta, g.noiseVar)
}

// LogPosterior implements PosteriorDensity: N(θ; x, 0.1·I) truncated to
// [-1, 1]^10 and normalised.
func (g *GaussianLinearUniform) LogPosterior(theta, x []float64) float64 {
	checkObs(g, x)
	if math.IsInf(g.LogPrior(theta), -1) {
		return math.Inf(-1)
	}
	sd := math.Sqrt(g.noiseVar)
	lp := logNormalIso(theta, x, g.noiseVar)
	for _, mu := range x {
		lp -= math.Log(normalMass((-g.bound-mu)/sd, (g.bound-mu)/sd))
	}
	return lp
}

// normalMass is Φ(b) - Φ(a) for a < b, computed in the tail the interval
// lies in so that it keeps its precision far from 0.
func normalMass(a, b float64) float64 {
	switch {
	case a > 0: // right tail: Φc(a) - Φc(b)
		return 0.5 * (math.Erfc(a/math.Sqrt2) - math.Erfc(b/math.Sqrt2))
	case b < 0: // left tail: Φ(b) - Φ(a) = Φc(-b) - Φc(-a)
		return 0.5 * (math.Erfc(-b/math.Sqrt2) - math.Erfc(-a/math.Sqrt2))
	}
	return 1 - 0.5*math.Erfc(b/math.Sqrt2) - 0.5*math.Erfc(-a/math.Sqrt2)
}

// SamplePosterior draws exactly from N(xObs, 0.1·I) truncated to [-1, 1]^10.
func (g *GaussianLinearUniform) SamplePosterior(ctx context.Context, xObs []float64, n int, src rand.Source) (*mat.Dense, error) {
	checkN(n)
	checkObs(g, xObs)
	rnd := rand.New(src)
	sd := math.Sqrt(g.noiseVar)
	s := newDense(n, g.dim)
	for i := 0; i < n; i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for j, mu := range xObs {
			s.Set(i, j, mu+sd*truncNormal(rnd, (-g.bound-mu)/sd, (g.bound-mu)/sd))
		}
	}
	return s, nil
}

// sampleBox draws n points uniformly in [-b, b]^d.
func sampleBox(n, d int, b float64, src rand.Source) *mat.Dense {
	checkN(n)
	rnd := rand.New(src)
	m := newDense(n, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			m.Set(i, j, -b+2*b*rnd.Float64())
		}
	}
	return m
}

// box returns the bounds of [-b, b]^d.
func box(d int, b float64) (lo, hi []float64) {
	lo, hi = make([]float64, d), make([]float64, d)
	for j := range d {
		lo[j], hi[j] = -b, b
	}
	return lo, hi
}

func logBox(theta []float64, b float64) float64 {
	for _, v := range theta {
		if v < -b || v > b {
			return math.Inf(-1)
		}
	}
	return -float64(len(theta)) * math.Log(2*b)
}

// truncNormal returns a standard normal draw conditioned on [a, b], a < b.
// It is exact: naive rejection when [a, b] contains 0 or is not far in a
// tail, otherwise Robert's (1995, Statistics and Computing 5, 121)
// translated-exponential rejection.
func truncNormal(rnd *rand.Rand, a, b float64) float64 {
	if a >= b {
		panic("simulators: truncNormal with empty interval")
	}
	if b <= 0 { // mirror to the right tail
		return -truncNormal(rnd, -b, -a)
	}
	if a <= 0.5 {
		// An interval of width >= 0.5 that starts at or below 0.5 holds at
		// least 15% of the mass: plain rejection. Narrower ones use
		// uniform rejection (acceptance > exp(-0.5)).
		if b-a < 0.5 {
			return uniformRejection(rnd, a, b)
		}
		for {
			z := rnd.NormFloat64()
			if z >= a && z <= b {
				return z
			}
		}
	}
	// a > 0.5: right tail. A short interval (λ·(b-a) < 1) is sampled by
	// uniform rejection (acceptance > exp(-1.5)), a long one by the
	// exponential envelope (P[z <= b] > 1-1/e).
	lambda := (a + math.Sqrt(a*a+4)) / 2
	if lambda*(b-a) < 1 {
		return uniformRejection(rnd, a, b)
	}
	for {
		z := a + rnd.ExpFloat64()/lambda
		if z > b {
			continue
		}
		if rnd.Float64() <= math.Exp(-(z-lambda)*(z-lambda)/2) {
			return z
		}
	}
}

// uniformRejection samples the standard normal restricted to a short
// interval [a, b] by rejection from the uniform, with envelope the density's
// maximum over the interval.
func uniformRejection(rnd *rand.Rand, a, b float64) float64 {
	var m float64 // log of max density (unnormalised) on [a, b]
	switch {
	case a <= 0 && b >= 0:
		m = 0
	case a > 0:
		m = -a * a / 2
	default:
		m = -b * b / 2
	}
	for {
		z := a + (b-a)*rnd.Float64()
		if math.Log(rnd.Float64()) <= -z*z/2-m {
			return z
		}
	}
}
