// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// slow reports whether the slow variants of the statistical tests run:
// they need GOCINN_SLOW=1 and a run without -short.
func slow() bool { return !testing.Short() && os.Getenv("GOCINN_SLOW") == "1" }

// linGauss is the problem x ~ N(0, I₂), y = A·x + N(0, σ²I₃), whose
// posterior is Gaussian with covariance Σ = (I + AᵀA/σ²)⁻¹ and mean
// Σ·Aᵀy/σ².
type linGauss struct {
	A     *mat.Dense
	sigma float64
}

func newLinGauss() linGauss {
	return linGauss{A: mat.NewDense(3, 2, []float64{1, 0.5, -0.3, 0.8, 0.4, 0.4}), sigma: 0.3}
}

func (p linGauss) simulate(n int, rng *rand.Rand) (x, y *mat.Dense) {
	x = mat.NewDense(n, 2, nil)
	y = mat.NewDense(n, 3, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < 2; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
		for k := 0; k < 3; k++ {
			v := p.A.At(k, 0)*x.At(i, 0) + p.A.At(k, 1)*x.At(i, 1) + p.sigma*rng.NormFloat64()
			y.Set(i, k, v)
		}
	}
	return x, y
}

func (p linGauss) posterior(y []float64) (mean []float64, cov *mat.SymDense) {
	var prec mat.Dense
	prec.Mul(p.A.T(), p.A)
	prec.Scale(1/(p.sigma*p.sigma), &prec)
	for i := 0; i < 2; i++ {
		prec.Set(i, i, prec.At(i, i)+1)
	}
	var c mat.Dense
	if err := c.Inverse(&prec); err != nil {
		panic(err)
	}
	cov = mat.NewSymDense(2, []float64{c.At(0, 0), c.At(0, 1), c.At(0, 1), c.At(1, 1)})
	var aty mat.VecDense
	aty.MulVec(p.A.T(), mat.NewVecDense(3, y))
	aty.ScaleVec(1/(p.sigma*p.sigma), &aty)
	var mu mat.VecDense
	mu.MulVec(&c, &aty)
	return []float64{mu.AtVec(0), mu.AtVec(1)}, cov
}

// trainedLinGauss trains a small cINN on the linear-Gaussian problem and
// returns it; it is shared by the statistical tests.
func trainedLinGauss(t *testing.T) (*Model, linGauss) {
	t.Helper()
	linGaussOnce.Do(func() { linGaussModel, linGaussErr = trainLinGauss(t) })
	if linGaussErr != nil {
		t.Fatal(linGaussErr)
	}
	return linGaussModel, newLinGauss()
}

var (
	linGaussOnce  sync.Once
	linGaussModel *Model
	linGaussErr   error
)

func trainLinGauss(t *testing.T) (*Model, error) {
	p := newLinGauss()
	rng := rand.New(rand.NewPCG(1, 2))
	n, epochs := 8000, 40
	if slow() {
		n, epochs = 40000, 100
	}
	x, y := p.simulate(n, rng)
	xv, yv := p.simulate(1000, rng)
	m, err := NewModel(Config{DimX: 2, DimY: 3, Blocks: 4, Hidden: 96, Layers: 1, Seed: 3}, Spec{})
	if err != nil {
		return nil, err
	}
	res, err := m.Train(context.Background(), x, y, xv, yv, TrainSettings{
		Epochs: epochs, BatchSize: 256, LR: 2e-3, Seed: 4, Patience: 8,
		Schedule: Schedule{Kind: ExponentialSchedule, Gamma: math.Pow(0.02, 1/float64(epochs))},
	})
	t.Logf("trained: %+v", res)
	return m, err
}

func TestLinearGaussianPosterior(t *testing.T) {
	m, p := trainedLinGauss(t)
	rng := rand.New(rand.NewPCG(11, 12))
	_, yObs := p.simulate(8, rng)
	const ns = 4000
	samples, err := m.Sample(context.Background(), yObs, ns, rand.NewPCG(5, 6))
	if err != nil {
		t.Fatal(err)
	}
	var sumSq float64
	for i, s := range samples {
		mu, cov := p.posterior(yObs.RawRowView(i))
		for j := 0; j < 2; j++ {
			col := mat.Col(nil, j, s)
			mean, sd := meanSD(col)
			trueSD := math.Sqrt(cov.At(j, j))
			// Monte-Carlo error of the mean is σ/√4000 ≈ 0.016σ; the
			// network's approximation error after this short training
			// (8000 simulations, ~10 s) dominates, and is largest in
			// the tails of the prior where training data are sparse.
			// We allow 0.25σ per observation and 0.12σ RMS over the
			// observations for the mean, and 15% for the width: a
			// wrong posterior (the prior, an unconditioned or
			// mis-scaled fit) misses by several σ.
			d := (mean - mu[j]) / trueSD
			sumSq += d * d
			if math.Abs(d) > 0.25 {
				t.Errorf("obs %d x%d: mean %.4f, analytic %.4f (σ %.4f)", i, j, mean, mu[j], trueSD)
			}
			if math.Abs(sd/trueSD-1) > 0.15 {
				t.Errorf("obs %d x%d: sd %.4f, analytic %.4f", i, j, sd, trueSD)
			}
		}
		// Correlation coefficient within 0.1.
		c0, c1 := mat.Col(nil, 0, s), mat.Col(nil, 1, s)
		m0, s0 := meanSD(c0)
		m1, s1 := meanSD(c1)
		var cc float64
		for k := range c0 {
			cc += (c0[k] - m0) * (c1[k] - m1)
		}
		rho := cc / float64(len(c0)) / (s0 * s1)
		trueRho := cov.At(0, 1) / math.Sqrt(cov.At(0, 0)*cov.At(1, 1))
		if math.Abs(rho-trueRho) > 0.1 {
			t.Errorf("obs %d: correlation %.3f, analytic %.3f", i, rho, trueRho)
		}
	}
	rms := math.Sqrt(sumSq / float64(2*len(samples)))
	t.Logf("RMS error of the posterior means: %.3fσ", rms)
	if rms > 0.12 {
		t.Errorf("RMS error of the posterior means %.3fσ > 0.12σ", rms)
	}
}

func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)))
}

// TestCalibration computes Ksoll et al.'s calibration error e_cal(q) (the
// fraction of true values inside the central q-interval of the posterior
// samples, minus q) for q = 0.01…1 and requires its median |e_cal| < 2%.
func TestCalibration(t *testing.T) {
	m, p := trainedLinGauss(t)
	rng := rand.New(rand.NewPCG(21, 22))
	nTest, ns := 1000, 300
	xt, yt := p.simulate(nTest, rng)
	samples, err := m.Sample(context.Background(), yt, ns, rand.NewPCG(7, 8))
	if err != nil {
		t.Fatal(err)
	}
	// rank of the truth among the samples → inside central q-interval iff
	// |u - 0.5| ≤ q/2 with u the empirical CDF at the truth.
	var us []float64
	for i, s := range samples {
		for j := 0; j < 2; j++ {
			col := mat.Col(nil, j, s)
			sort.Float64s(col)
			k := sort.SearchFloat64s(col, xt.At(i, j))
			us = append(us, (float64(k)+0.5)/float64(ns+1))
		}
	}
	var errs []float64
	for qi := 1; qi <= 100; qi++ {
		q := float64(qi) / 100
		in := 0
		for _, u := range us {
			if math.Abs(u-0.5) <= q/2 {
				in++
			}
		}
		errs = append(errs, math.Abs(float64(in)/float64(len(us))-q))
	}
	slices.Sort(errs)
	med := (errs[49] + errs[50]) / 2
	t.Logf("median |e_cal| = %.4f", med)
	// With 2000 truth/posterior pairs the binomial noise of each
	// e_cal(q) is at most 1.1%, so a calibrated model has a median
	// |e_cal| well under 2%; an over- or under-dispersed posterior by 20%
	// gives ≈ 5%.
	if med >= 0.02 {
		t.Errorf("median |e_cal| = %.4f ≥ 0.02", med)
	}
}

// TestBimodal trains on the degenerate y = x² + noise (DimX = 1, which
// exercises the auxiliary dimension) and requires both modes ±√y.
func TestBimodal(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	n := 8000
	gen := func(n int) (*mat.Dense, *mat.Dense) {
		x := mat.NewDense(n, 1, nil)
		y := mat.NewDense(n, 1, nil)
		for i := 0; i < n; i++ {
			v := rng.NormFloat64()
			x.Set(i, 0, v)
			y.Set(i, 0, v*v+0.2*rng.NormFloat64())
		}
		return x, y
	}
	x, y := gen(n)
	// One wide hidden layer per subnet: with the 0.03·N(0,1)
	// initialisation, deeper narrow subnets start with activations
	// dominated by their biases and sit on a unimodal plateau for many
	// epochs before splitting the modes.
	m, err := NewModel(Config{DimX: 1, DimY: 1, Blocks: 4, Hidden: 128, Layers: 1, Seed: 1}, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 20, BatchSize: 128, LR: 3e-3, Seed: 2,
		Schedule: Schedule{Kind: StepSchedule, Every: 10, Gamma: 0.3}}); err != nil {
		t.Fatal(err)
	}
	obs := mat.NewDense(2, 1, []float64{1, 2.25})
	samples, err := m.Sample(context.Background(), obs, 4000, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range samples {
		root := math.Sqrt(obs.At(i, 0))
		var pos, neg, near int
		for _, v := range mat.Col(nil, 0, s) {
			if v > 0 {
				pos++
			} else {
				neg++
			}
			if math.Abs(math.Abs(v)-root) < 0.25 {
				near++
			}
		}
		frac := float64(pos) / float64(pos+neg)
		nearFrac := float64(near) / float64(pos+neg)
		t.Logf("y=%v: fraction positive %.3f, fraction within 0.25 of ±%.2f: %.3f", obs.At(i, 0), frac, root, nearFrac)
		// The true posterior puts half its mass on each mode. A
		// unimodal fit gives a fraction near 0 or 1; we accept 0.3–0.7.
		if frac < 0.3 || frac > 0.7 {
			t.Errorf("y=%v: fraction of positive samples %.3f: a mode is missing", obs.At(i, 0), frac)
		}
		// The posterior width around each root is ≈ σ/(2√y) ≤ 0.1,
		// so ≈ 99% of the true mass lies within 0.25 of ±√y; a
		// blurred fit that spreads between the modes fails.
		if nearFrac < 0.75 {
			t.Errorf("y=%v: only %.3f of samples near ±%.2f", obs.At(i, 0), nearFrac, root)
		}
	}
	// LogProb integrates out the auxiliary dimension: the density of x
	// given y = 1 must integrate to ≈ 1 over a fine grid.
	const grid = 801
	xs := mat.NewDense(grid, 1, nil)
	ys := mat.NewDense(grid, 1, nil)
	for k := 0; k < grid; k++ {
		xs.Set(k, 0, -2+4*float64(k)/float64(grid-1))
		ys.Set(k, 0, 1)
	}
	lp, err := m.LogProb(context.Background(), xs, ys)
	if err != nil {
		t.Fatal(err)
	}
	var integral float64
	for _, v := range lp {
		integral += math.Exp(v) * 4 / float64(grid-1)
	}
	t.Logf("∫p(x|y=1)dx ≈ %.3f", integral)
	if math.Abs(integral-1) > 0.1 {
		t.Errorf("∫p(x|y=1)dx = %.3f, want ≈ 1", integral)
	}
}
