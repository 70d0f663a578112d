package simulators

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// TwoMoons is sbibm's two_moons task: θ ∈ [-1, 1]^2 uniform, and
//
//	a ~ U(-π/2, π/2),  r ~ N(0.1, 0.01²),
//	p = (r·cos a + 0.25, r·sin a),
//	x = p + (-|θ1+θ2|/√2, (-θ1+θ2)/√2).
//
// For given x the posterior is a pair of crescents: with z = R(θ), the
// rotation z1 = (θ1+θ2)/√2, z2 = (-θ1+θ2)/√2, we need x - (-|z1|, z2) = p,
// so sampling p from its distribution and setting |z1| = p1 - x1,
// z2 = x2 - p2, with a random sign for z1, inverts the simulator.
// SamplePosterior does exactly this and keeps the draws that lie in the
// prior and have p1 ≥ x1 (|z1| cannot be negative). sbibm's sampler omits
// the last condition and so also returns a small number of mirrored draws
// when x1 is within reach of p1 (≈0.25–0.38); ours is exact.
type TwoMoons struct{}

const (
	tmROffset = 0.25
	tmRLoc    = 0.1
	tmRScale  = 0.01
)

// NewTwoMoons returns two_moons with sbibm's settings.
func NewTwoMoons() *TwoMoons { return &TwoMoons{} }

func (*TwoMoons) Name() string         { return "two_moons" }
func (*TwoMoons) DimTheta() int        { return 2 }
func (*TwoMoons) DimX() int            { return 2 }
func (*TwoMoons) ParamNames() []string { return names("theta", 2) }
func (*TwoMoons) ObsNames() []string   { return names("x", 2) }

func (*TwoMoons) SamplePrior(n int, src rand.Source) *mat.Dense { return sampleBox(n, 2, 1, src) }

// PriorBox implements BoxPrior.
func (*TwoMoons) PriorBox() (lo, hi []float64) { return box(2, 1) }

func (*TwoMoons) LogPrior(theta []float64) float64 { return logBox(theta, 1) }

// moonPoint draws p = (r cos a + 0.25, r sin a).
func moonPoint(rnd *rand.Rand) (p1, p2 float64) {
	a := -math.Pi/2 + math.Pi*rnd.Float64()
	r := tmRLoc + tmRScale*rnd.NormFloat64()
	return r*math.Cos(a) + tmROffset, r * math.Sin(a)
}

func (t *TwoMoons) Simulate(theta *mat.Dense, src rand.Source) *mat.Dense {
	n := checkTheta(t, theta)
	rnd := rand.New(src)
	x := newDense(n, 2)
	for i := 0; i < n; i++ {
		p1, p2 := moonPoint(rnd)
		th1, th2 := theta.At(i, 0), theta.At(i, 1)
		z1 := (th1 + th2) / math.Sqrt2
		z2 := (-th1 + th2) / math.Sqrt2
		x.Set(i, 0, p1-math.Abs(z1))
		x.Set(i, 1, p2+z2)
	}
	return x
}

// LogLikelihood is the log density of x given θ: with p = x - (-|z1|, z2),
// u = p1 - 0.25, v = p2, r = √(u²+v²), it is log N(r; 0.1, 0.01²) - log π -
// log r for u ≥ 0 (the polar Jacobian 1/r included) and -Inf for u < 0.
// sbibm's _likelihood omits the -log π - log r terms; they matter for the
// shape of the posterior only through the small variation of r.
func (*TwoMoons) LogLikelihood(theta, x []float64) float64 {
	z1 := (theta[0] + theta[1]) / math.Sqrt2
	z2 := (-theta[0] + theta[1]) / math.Sqrt2
	u := x[0] + math.Abs(z1) - tmROffset
	v := x[1] - z2
	if u < 0 {
		return math.Inf(-1)
	}
	r := math.Hypot(u, v)
	d := (r - tmRLoc) / tmRScale
	return -0.5*d*d - math.Log(math.Sqrt(2*math.Pi)*tmRScale) - math.Log(math.Pi) - math.Log(r)
}

// SamplePosterior draws exactly from the two-moons posterior for xObs by
// inverting the simulator (see TwoMoons).
func (t *TwoMoons) SamplePosterior(ctx context.Context, xObs []float64, n int, src rand.Source) (*mat.Dense, error) {
	checkN(n)
	checkObs(t, xObs)
	rnd := rand.New(src)
	s := newDense(n, 2)
	for i, tries := 0, 0; i < n; tries++ {
		if tries%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if tries > 1e5 && float64(i)/float64(tries) < 1e-4 {
				return nil, errLowAcceptance(t.Name(), xObs, i, tries)
			}
		}
		p1, p2 := moonPoint(rnd)
		z1 := p1 - xObs[0]
		if z1 < 0 {
			continue
		}
		if rnd.Float64() < 0.5 {
			z1 = -z1
		}
		z2 := xObs[1] - p2
		// θ = R^-1 z: θ1 = (z1 - z2)/√2, θ2 = (z1 + z2)/√2.
		th1 := (z1 - z2) / math.Sqrt2
		th2 := (z1 + z2) / math.Sqrt2
		if th1 < -1 || th1 > 1 || th2 < -1 || th2 > 1 {
			continue
		}
		s.Set(i, 0, th1)
		s.Set(i, 1, th2)
		i++
	}
	return s, nil
}

func errLowAcceptance(task string, x []float64, acc, tries int) error {
	return fmt.Errorf("simulators: %s: posterior for x = %v has almost no mass inside the prior (%d of %d draws accepted); the observation is probably not one this simulator can produce", task, x, acc, tries)
}
