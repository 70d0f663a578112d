package simulators

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// SLCP is sbibm's slcp task ("simple likelihood, complex posterior",
// Papamakarios et al. 2019): θ ∈ [-3, 3]^5 uniform; x holds 4 iid draws
// from a 2-d Gaussian with mean (θ1, θ2), standard deviations s1 = θ3²,
// s2 = θ4² and correlation ρ = tanh(θ5), flattened as (x11, x12, x21, ...,
// x42). As in sbibm, 1e-6 is added to the diagonal of the covariance.
//
// The likelihood is tractable (LogLikelihood) but the posterior has four
// symmetric modes (signs of θ3 and θ4) and no exact sampler: build reference
// posteriors by MCMC or rejection on LogLikelihood + LogPrior.
type SLCP struct{}

const (
	slcpDraws = 4
	slcpEps   = 1e-6
)

// NewSLCP returns slcp with sbibm's settings.
func NewSLCP() *SLCP { return &SLCP{} }

func (*SLCP) Name() string         { return "slcp" }
func (*SLCP) DimTheta() int        { return 5 }
func (*SLCP) DimX() int            { return 2 * slcpDraws }
func (*SLCP) ParamNames() []string { return names("theta", 5) }
func (*SLCP) ObsNames() []string {
	s := make([]string, 0, 2*slcpDraws)
	for i := 1; i <= slcpDraws; i++ {
		s = append(s, fmt.Sprintf("x%d_1", i), fmt.Sprintf("x%d_2", i))
	}
	return s
}

func (*SLCP) SamplePrior(n int, src rand.Source) *mat.Dense { return sampleBox(n, 5, 3, src) }

// PriorBox implements BoxPrior.
func (*SLCP) PriorBox() (lo, hi []float64) { return box(5, 3) }

func (*SLCP) LogPrior(theta []float64) float64 { return logBox(theta, 3) }

// slcpCov returns the covariance entries s11, s12, s22.
func slcpCov(theta []float64) (s11, s12, s22 float64) {
	s1 := theta[2] * theta[2]
	s2 := theta[3] * theta[3]
	rho := math.Tanh(theta[4])
	return s1*s1 + slcpEps, rho * s1 * s2, s2*s2 + slcpEps
}

func (t *SLCP) Simulate(theta *mat.Dense, src rand.Source) *mat.Dense {
	n := checkTheta(t, theta)
	rnd := rand.New(src)
	x := newDense(n, 2*slcpDraws)
	for i := 0; i < n; i++ {
		th := theta.RawRowView(i)
		s11, s12, s22 := slcpCov(th)
		// Cholesky factor of [[s11, s12], [s12, s22]].
		l11 := math.Sqrt(s11)
		l21 := s12 / l11
		l22 := math.Sqrt(math.Max(s22-l21*l21, 0))
		for k := 0; k < slcpDraws; k++ {
			e1, e2 := rnd.NormFloat64(), rnd.NormFloat64()
			x.Set(i, 2*k, th[0]+l11*e1)
			x.Set(i, 2*k+1, th[1]+l21*e1+l22*e2)
		}
	}
	return x
}

// LogLikelihood is Σ_k log N(x_k; (θ1, θ2), S(θ)) over the 4 draws.
func (t *SLCP) LogLikelihood(theta, x []float64) float64 {
	if len(theta) != 5 || len(x) != 2*slcpDraws {
		panic("simulators: slcp: LogLikelihood needs 5 parameters and 8 observations")
	}
	s11, s12, s22 := slcpCov(theta)
	det := s11*s22 - s12*s12
	if !(det > 0) {
		return math.Inf(-1)
	}
	var q float64
	for k := 0; k < slcpDraws; k++ {
		d1 := x[2*k] - theta[0]
		d2 := x[2*k+1] - theta[1]
		q += (s22*d1*d1 - 2*s12*d1*d2 + s11*d2*d2) / det
	}
	return -0.5*q - float64(slcpDraws)*(math.Log(2*math.Pi)+0.5*math.Log(det))
}
