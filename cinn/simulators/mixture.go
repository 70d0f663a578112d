package simulators

import (
	"context"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// GaussianMixture is sbibm's gaussian_mixture task as fixed in sbibm v1.1
// (the mixture component is drawn per simulation, sbibm PR #63): θ ∈ R^2
// with prior U(-10, 10)^2 and x ~ 0.5·N(θ, I) + 0.5·N(θ, 0.01·I).
//
// Because both components are symmetric in x and θ, the posterior is the
// same mixture centred on x, truncated to the prior box; SamplePosterior
// draws a component, draws from it and rejects draws outside the box, which
// is exact (the truncation re-weights the components correctly).
type GaussianMixture struct {
	bound   float64
	scales  [2]float64 // standard deviations of the components
	weights [2]float64
}

// NewGaussianMixture returns gaussian_mixture with sbibm's settings.
func NewGaussianMixture() *GaussianMixture {
	return &GaussianMixture{bound: 10, scales: [2]float64{1, 0.1}, weights: [2]float64{0.5, 0.5}}
}

func (*GaussianMixture) Name() string         { return "gaussian_mixture" }
func (*GaussianMixture) DimTheta() int        { return 2 }
func (*GaussianMixture) DimX() int            { return 2 }
func (*GaussianMixture) ParamNames() []string { return names("theta", 2) }
func (*GaussianMixture) ObsNames() []string   { return names("x", 2) }

func (g *GaussianMixture) SamplePrior(n int, src rand.Source) *mat.Dense {
	return sampleBox(n, 2, g.bound, src)
}

func (g *GaussianMixture) component(rnd *rand.Rand) float64 {
	if rnd.Float64() < g.weights[0] {
		return g.scales[0]
	}
	return g.scales[1]
}

func (g *GaussianMixture) Simulate(theta *mat.Dense, src rand.Source) *mat.Dense {
	n := checkTheta(g, theta)
	rnd := rand.New(src)
	x := newDense(n, 2)
	for i := 0; i < n; i++ {
		sd := g.component(rnd)
		for j := 0; j < 2; j++ {
			x.Set(i, j, theta.At(i, j)+sd*rnd.NormFloat64())
		}
	}
	return x
}

// PriorBox implements BoxPrior.
func (g *GaussianMixture) PriorBox() (lo, hi []float64) { return box(2, g.bound) }

func (g *GaussianMixture) LogPrior(theta []float64) float64 { return logBox(theta, g.bound) }

// LogLikelihood is log(0.5·N(x; θ, I) + 0.5·N(x; θ, 0.01·I)).
func (g *GaussianMixture) LogLikelihood(theta, x []float64) float64 {
	a := math.Log(g.weights[0]) + logNormalIso(x, theta, g.scales[0]*g.scales[0])
	b := math.Log(g.weights[1]) + logNormalIso(x, theta, g.scales[1]*g.scales[1])
	m := math.Max(a, b)
	return m + math.Log(math.Exp(a-m)+math.Exp(b-m))
}

// SamplePosterior draws exactly from the posterior for xObs. It fails if
// the posterior mass inside the prior is too small for rejection (xObs
// far outside the prior box).
func (g *GaussianMixture) SamplePosterior(ctx context.Context, xObs []float64, n int, src rand.Source) (*mat.Dense, error) {
	checkN(n)
	checkObs(g, xObs)
	rnd := rand.New(src)
	s := newDense(n, 2)
	th := make([]float64, 2)
	for i, tries := 0, 0; i < n; tries++ {
		if tries%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if tries > 1e5 && float64(i)/float64(tries) < 1e-4 {
				return nil, errLowAcceptance(g.Name(), xObs, i, tries)
			}
		}
		sd := g.component(rnd)
		for j := range th {
			th[j] = xObs[j] + sd*rnd.NormFloat64()
		}
		if math.IsInf(g.LogPrior(th), -1) {
			continue
		}
		s.SetRow(i, th)
		i++
	}
	return s, nil
}
