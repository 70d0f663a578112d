package simulators

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

func TestRegistry(t *testing.T) {
	want := []string{"gaussian_linear", "gaussian_linear_uniform", "gaussian_mixture", "slcp", "two_moons"}
	if got := Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	dims := map[string][2]int{
		"gaussian_linear": {10, 10}, "gaussian_linear_uniform": {10, 10},
		"gaussian_mixture": {2, 2}, "two_moons": {2, 2}, "slcp": {5, 8},
	}
	for _, name := range want {
		task, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if task.Name() != name {
			t.Errorf("Lookup(%q).Name() = %q", name, task.Name())
		}
		d := dims[name]
		if task.DimTheta() != d[0] || task.DimX() != d[1] || len(task.ParamNames()) != d[0] || len(task.ObsNames()) != d[1] {
			t.Errorf("%s: dims %d/%d names %d/%d, want %v", name, task.DimTheta(), task.DimX(), len(task.ParamNames()), len(task.ObsNames()), d)
		}
		_, isRef := task.(ReferencePosterior)
		if isRef != (name != "slcp") {
			t.Errorf("%s: ReferencePosterior implemented = %v", name, isRef)
		}
		if _, ok := task.(Likelihood); !ok {
			t.Errorf("%s: no Likelihood", name)
		}
	}
	if _, err := Lookup("two-moons"); err != nil {
		t.Errorf("Lookup with hyphens: %v", err)
	}
	_, err := Lookup("three_moons")
	if err == nil || !strings.Contains(err.Error(), "two_moons") {
		t.Errorf("Lookup of an unknown task: error %v should list the known tasks", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("duplicate Register did not panic")
		}
	}()
	Register("slcp", func() Task { return NewSLCP() })
}

// colMoments returns the mean and variance of column j.
func colMoments(m *mat.Dense, j int) (mean, variance float64) {
	return stat.MeanVariance(mat.Col(nil, j, m), nil)
}

// within reports whether |got-want| <= k standard errors (sd/√n) + abs.
func within(got, want, sd float64, n int, k, abs float64) bool {
	return math.Abs(got-want) <= k*sd/math.Sqrt(float64(n))+abs
}

func repeatRows(row []float64, n int) *mat.Dense {
	m := mat.NewDense(n, len(row), nil)
	for i := 0; i < n; i++ {
		m.SetRow(i, row)
	}
	return m
}

func TestPriorMoments(t *testing.T) {
	const n = 40000
	for _, tc := range []struct {
		task       string
		mean, var_ float64
	}{
		{"gaussian_linear", 0, 0.1},
		{"gaussian_linear_uniform", 0, 1.0 / 3},
		{"gaussian_mixture", 0, 100.0 / 3},
		{"two_moons", 0, 1.0 / 3},
		{"slcp", 0, 3},
	} {
		task, _ := Lookup(tc.task)
		th := task.SamplePrior(n, rand.NewPCG(1, 2))
		for j := 0; j < task.DimTheta(); j++ {
			m, v := colMoments(th, j)
			if !within(m, tc.mean, math.Sqrt(tc.var_), n, 5, 0) || math.Abs(v-tc.var_) > 0.03*tc.var_ {
				t.Errorf("%s prior θ%d: mean %.4f var %.4f, want %.4f %.4f", tc.task, j+1, m, v, tc.mean, tc.var_)
			}
			if lp := task.LogPrior(th.RawRowView(0)); math.IsInf(lp, 0) || math.IsNaN(lp) {
				t.Errorf("%s: LogPrior of a prior draw = %v", tc.task, lp)
			}
		}
	}
}

func TestSimulatorMoments(t *testing.T) {
	const n = 40000
	// two_moons: E[r cos a] = 0.1·2/π, Var(r cos a) = E[r²]/2 - (0.2/π)²,
	// Var(r sin a) = E[r²]/2.
	er2 := 0.1*0.1 + 0.01*0.01
	tmMeanP1 := 0.25 + 0.2/math.Pi
	tmVarP1 := er2/2 - (0.2/math.Pi)*(0.2/math.Pi)
	tmVarP2 := er2 / 2
	tmTheta := []float64{0.3, -0.7}
	z1 := (tmTheta[0] + tmTheta[1]) / math.Sqrt2
	z2 := (-tmTheta[0] + tmTheta[1]) / math.Sqrt2

	for _, tc := range []struct {
		task  string
		theta []float64
		mean  []float64
		var_  []float64
	}{
		{"gaussian_linear", []float64{0.1, -0.2, 0.3, 0, 0, 0, 0, 0, 0, 0.5},
			[]float64{0.1, -0.2, 0.3, 0, 0, 0, 0, 0, 0, 0.5}, constSlice(10, 0.1)},
		{"gaussian_linear_uniform", []float64{0.9, -0.9, 0, 0, 0, 0, 0, 0, 0, 0},
			[]float64{0.9, -0.9, 0, 0, 0, 0, 0, 0, 0, 0}, constSlice(10, 0.1)},
		{"gaussian_mixture", []float64{3, -7}, []float64{3, -7}, []float64{0.505, 0.505}},
		{"two_moons", tmTheta, []float64{tmMeanP1 - math.Abs(z1), z2}, []float64{tmVarP1, tmVarP2}},
		{"slcp", []float64{0.5, -1, 1.2, -0.8, 0.7},
			[]float64{0.5, -1, 0.5, -1, 0.5, -1, 0.5, -1},
			repeat4(math.Pow(1.2, 4)+slcpEps, math.Pow(0.8, 4)+slcpEps)},
	} {
		task, _ := Lookup(tc.task)
		x := task.Simulate(repeatRows(tc.theta, n), rand.NewPCG(3, 4))
		for j := 0; j < task.DimX(); j++ {
			m, v := colMoments(x, j)
			if !within(m, tc.mean[j], math.Sqrt(tc.var_[j]), n, 5, 0) {
				t.Errorf("%s x%d: mean %.5f, want %.5f", tc.task, j+1, m, tc.mean[j])
			}
			if math.Abs(v-tc.var_[j]) > 0.05*tc.var_[j] {
				t.Errorf("%s x%d: variance %.6f, want %.6f", tc.task, j+1, v, tc.var_[j])
			}
		}
	}
}

func TestSimulatorHigherMoments(t *testing.T) {
	const n = 100000
	// gaussian_mixture: the fourth moment of x-θ is 0.5·3·1 + 0.5·3·1e-4,
	// which distinguishes a per-draw component from sbibm v1.0's
	// per-batch one (kurtosis 3).
	x := NewGaussianMixture().Simulate(repeatRows([]float64{0, 0}, n), rand.NewPCG(5, 6))
	var m4 float64
	for i := 0; i < n; i++ {
		m4 += math.Pow(x.At(i, 0), 4)
	}
	m4 /= n
	if want := 1.5 + 1.5e-4; math.Abs(m4-want) > 0.1 {
		t.Errorf("gaussian_mixture: E[(x-θ)^4] = %.4f, want %.4f", m4, want)
	}
	// slcp: correlation of each pair is tanh(θ5) (up to the tiny eps).
	th := []float64{0, 0, 1.1, 1.3, -0.6}
	xs := NewSLCP().Simulate(repeatRows(th, n), rand.NewPCG(7, 8))
	for k := 0; k < 4; k++ {
		c := stat.Correlation(mat.Col(nil, 2*k, xs), mat.Col(nil, 2*k+1, xs), nil)
		if math.Abs(c-math.Tanh(-0.6)) > 0.01 {
			t.Errorf("slcp draw %d: correlation %.4f, want %.4f", k+1, c, math.Tanh(-0.6))
		}
	}
}

func constSlice(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func repeat4(a, b float64) []float64 {
	var s []float64
	for i := 0; i < 4; i++ {
		s = append(s, a, b)
	}
	return s
}

func TestReproducible(t *testing.T) {
	for _, name := range Names() {
		task, _ := Lookup(name)
		th1, x1 := Simulations(task, 50, rand.NewPCG(9, 9))
		th2, x2 := Simulations(task, 50, rand.NewPCG(9, 9))
		if !mat.Equal(th1, th2) || !mat.Equal(x1, x2) {
			t.Errorf("%s: equal seeds gave different simulations", name)
		}
		_, x3 := Simulations(task, 50, rand.NewPCG(9, 10))
		if mat.Equal(x1, x3) {
			t.Errorf("%s: different seeds gave equal simulations", name)
		}
		if ref, ok := task.(ReferencePosterior); ok {
			_, xo := Observations(task, 1, ObservationSeed)
			a, err := ref.SamplePosterior(context.Background(), xo.RawRowView(0), 20, rand.NewPCG(1, 1))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := ref.SamplePosterior(context.Background(), xo.RawRowView(0), 20, rand.NewPCG(1, 1))
			if !mat.Equal(a, b) {
				t.Errorf("%s: equal seeds gave different posterior samples", name)
			}
		}
	}
}

func TestObservations(t *testing.T) {
	for _, name := range Names() {
		task, _ := Lookup(name)
		th10, x10 := Observations(task, 10, ObservationSeed)
		th3, x3 := Observations(task, 3, ObservationSeed)
		if r, c := th10.Dims(); r != 10 || c != task.DimTheta() {
			t.Fatalf("%s: θ_true is %d×%d", name, r, c)
		}
		for i := 0; i < 3; i++ {
			if !floatsEqual(th10.RawRowView(i), th3.RawRowView(i)) || !floatsEqual(x10.RawRowView(i), x3.RawRowView(i)) {
				t.Errorf("%s: observation %d depends on k", name, i+1)
			}
		}
		for i := 0; i < 10; i++ {
			if math.IsInf(task.LogPrior(th10.RawRowView(i)), -1) {
				t.Errorf("%s: θ_true %d outside the prior", name, i+1)
			}
			if l := task.(Likelihood).LogLikelihood(th10.RawRowView(i), x10.RawRowView(i)); math.IsInf(l, -1) || math.IsNaN(l) {
				t.Errorf("%s: observation %d has likelihood %v under its own θ", name, i+1, l)
			}
		}
	}
}

func floatsEqual(a, b []float64) bool { return reflect.DeepEqual(a, b) }

func TestGaussianLinearPosterior(t *testing.T) {
	g := NewGaussianLinear()
	x := []float64{0.3, -0.5, 0.1, 0.9, -1.2, 0, 0.2, 0.4, -0.1, 0.6}
	// Independent computation with matrices: Σ = (Σp⁻¹ + Σl⁻¹)⁻¹,
	// μ = Σ Σl⁻¹ x.
	d := len(x)
	var pp, lp, sum, cov mat.Dense
	eye := mat.NewDiagDense(d, constSlice(d, 1))
	pp.Scale(1/0.1, eye)
	lp.Scale(1/0.1, eye)
	sum.Add(&pp, &lp)
	if err := cov.Inverse(&sum); err != nil {
		t.Fatal(err)
	}
	var tmp mat.Dense
	tmp.Mul(&cov, &lp)
	var mu mat.VecDense
	mu.MulVec(&tmp, mat.NewVecDense(d, x))

	const n = 40000
	s, err := g.SamplePosterior(context.Background(), x, n, rand.NewPCG(11, 12))
	if err != nil {
		t.Fatal(err)
	}
	var sc mat.SymDense
	stat.CovarianceMatrix(&sc, s, nil)
	for j := 0; j < d; j++ {
		m, _ := colMoments(s, j)
		if !within(m, mu.AtVec(j), math.Sqrt(cov.At(j, j)), n, 5, 0) || math.Abs(mu.AtVec(j)-x[j]/2) > 1e-12 {
			t.Errorf("θ%d: posterior mean %.4f, analytic %.4f (x/2 = %.4f)", j+1, m, mu.AtVec(j), x[j]/2)
		}
		for k := 0; k < d; k++ {
			if math.Abs(sc.At(j, k)-cov.At(j, k)) > 0.003 {
				t.Errorf("cov[%d,%d] = %.4f, analytic %.4f", j, k, sc.At(j, k), cov.At(j, k))
			}
		}
	}
	if math.Abs(cov.At(0, 0)-0.05) > 1e-12 {
		t.Errorf("analytic posterior variance %v, want 0.05", cov.At(0, 0))
	}
}

// truncMoments returns the mass, mean and variance of N(mu, sd²) on [a, b].
func truncMoments(mu, sd, a, b float64) (z, mean, variance float64) {
	al, be := (a-mu)/sd, (b-mu)/sd
	n := distuv.UnitNormal
	if al > 0 { // right tail: difference of survival functions, no cancellation
		z = n.CDF(-al) - n.CDF(-be)
	} else {
		z = n.CDF(be) - n.CDF(al)
	}
	pa, pb := n.Prob(al), n.Prob(be)
	mean = mu + sd*(pa-pb)/z
	variance = sd * sd * (1 + (al*pa-be*pb)/z - ((pa-pb)/z)*((pa-pb)/z))
	return z, mean, variance
}

func TestGaussianLinearUniformPosterior(t *testing.T) {
	g := NewGaussianLinearUniform()
	// Inside, near the edges, and far outside the box (the tail sampler).
	x := []float64{0, 0.95, -0.95, 1.3, -1.6, 2.5, -3.5, 0.5, 6, -0.2}
	const n = 40000
	s, err := g.SamplePosterior(context.Background(), x, n, rand.NewPCG(13, 14))
	if err != nil {
		t.Fatal(err)
	}
	sd := math.Sqrt(0.1)
	for j, mu := range x {
		_, wm, wv := truncMoments(mu, sd, -1, 1)
		m, v := colMoments(s, j)
		if !within(m, wm, math.Sqrt(wv), n, 5, 0) || math.Abs(v-wv) > 0.04*wv {
			t.Errorf("x%d = %.2f: posterior mean %.4f var %.5f, truncated normal %.4f %.5f", j+1, mu, m, v, wm, wv)
		}
		lo, hi := mat.Min(s.ColView(j)), mat.Max(s.ColView(j))
		if lo < -1 || hi > 1 {
			t.Errorf("x%d: samples outside the prior [%v, %v]", j+1, lo, hi)
		}
	}
}

func TestTruncNormalShortIntervals(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	for _, iv := range [][2]float64{{0.1, 0.3}, {-0.2, 0.1}, {4, 4.1}, {-8, -7.95}, {0.7, 5}, {-0.3, 9}} {
		const n = 20000
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = truncNormal(rnd, iv[0], iv[1])
			if xs[i] < iv[0] || xs[i] > iv[1] {
				t.Fatalf("draw %v outside %v", xs[i], iv)
			}
		}
		_, wm, wv := truncMoments(0, 1, iv[0], iv[1])
		m, v := stat.MeanVariance(xs, nil)
		if !within(m, wm, math.Sqrt(wv), n, 5, 0) || math.Abs(v-wv) > 0.05*wv {
			t.Errorf("interval %v: mean %.5f var %.6f, want %.5f %.6f", iv, m, v, wm, wv)
		}
	}
}

func TestGaussianMixturePosterior(t *testing.T) {
	g := NewGaussianMixture()
	const n = 60000
	for _, x := range [][]float64{{1, -2}, {9.7, -9.95}, {10.5, 3}} {
		s, err := g.SamplePosterior(context.Background(), x, n, rand.NewPCG(15, 16))
		if err != nil {
			t.Fatal(err)
		}
		// Analytic: the posterior is Σ_k 0.5·N(x, σ_k²I) truncated to the
		// box, with the weights re-normalised by each component's mass.
		var w [2]float64
		var cm, cv [2][2]float64
		for k, sd := range []float64{1, 0.1} {
			w[k] = 0.5
			for j := 0; j < 2; j++ {
				z, m, v := truncMoments(x[j], sd, -10, 10)
				w[k] *= z
				cm[k][j], cv[k][j] = m, v
			}
		}
		tot := w[0] + w[1]
		for j := 0; j < 2; j++ {
			mean := (w[0]*cm[0][j] + w[1]*cm[1][j]) / tot
			second := (w[0]*(cv[0][j]+cm[0][j]*cm[0][j]) + w[1]*(cv[1][j]+cm[1][j]*cm[1][j])) / tot
			variance := second - mean*mean
			m, v := colMoments(s, j)
			if !within(m, mean, math.Sqrt(variance), n, 5, 0) || math.Abs(v-variance) > 0.04*variance {
				t.Errorf("x = %v θ%d: mean %.4f var %.4f, analytic %.4f %.4f", x, j+1, m, v, mean, variance)
			}
		}
	}
}

// gridPosterior integrates the two-moons posterior on a grid over the prior
// from the likelihood alone, returning mean and covariance entries.
func gridPosterior(tm *TwoMoons, x []float64, steps int) (mean [2]float64, cov [3]float64) {
	h := 2.0 / float64(steps)
	var w, s1, s2, s11, s12, s22 float64
	th := make([]float64, 2)
	for i := 0; i < steps; i++ {
		th[0] = -1 + (float64(i)+0.5)*h
		for j := 0; j < steps; j++ {
			th[1] = -1 + (float64(j)+0.5)*h
			l := tm.LogLikelihood(th, x)
			if math.IsInf(l, -1) {
				continue
			}
			p := math.Exp(l)
			w += p
			s1 += p * th[0]
			s2 += p * th[1]
			s11 += p * th[0] * th[0]
			s12 += p * th[0] * th[1]
			s22 += p * th[1] * th[1]
		}
	}
	mean = [2]float64{s1 / w, s2 / w}
	cov = [3]float64{s11/w - mean[0]*mean[0], s12/w - mean[0]*mean[1], s22/w - mean[1]*mean[1]}
	return mean, cov
}

func TestTwoMoonsPosterior(t *testing.T) {
	tm := NewTwoMoons()
	const n = 40000
	for _, theta := range [][]float64{{0.3, 0.5}, {-0.6, 0.2}, {0.05, -0.1}} {
		x := tm.Simulate(mat.NewDense(1, 2, theta), rand.NewPCG(17, 18)).RawRowView(0)
		s, err := tm.SamplePosterior(context.Background(), x, n, rand.NewPCG(19, 20))
		if err != nil {
			t.Fatal(err)
		}
		// 1. Every draw is consistent with x_obs: the likelihood is
		// positive and the implied radius is within 6σ of 0.1.
		for i := 0; i < n; i++ {
			th := s.RawRowView(i)
			l := tm.LogLikelihood(th, x)
			if math.IsInf(l, -1) {
				t.Fatalf("θ=%v: draw %v has zero likelihood", theta, th)
			}
			z1 := (th[0] + th[1]) / math.Sqrt2
			z2 := (-th[0] + th[1]) / math.Sqrt2
			r := math.Hypot(x[0]+math.Abs(z1)-0.25, x[1]-z2)
			if math.Abs(r-0.1) > 0.06 {
				t.Fatalf("θ=%v: draw %v implies r = %v", theta, th, r)
			}
		}
		// 2. Moments agree with a grid integration of likelihood × prior.
		gm, gc := gridPosterior(tm, x, 1200)
		var sc mat.SymDense
		stat.CovarianceMatrix(&sc, s, nil)
		for j := 0; j < 2; j++ {
			m, _ := colMoments(s, j)
			sd := math.Sqrt(sc.At(j, j))
			if !within(m, gm[j], sd, n, 5, 2e-3) {
				t.Errorf("θ=%v θ%d: sampler mean %.4f, grid %.4f", theta, j+1, m, gm[j])
			}
		}
		for k, ij := range [][2]int{{0, 0}, {0, 1}, {1, 1}} {
			if math.Abs(sc.At(ij[0], ij[1])-gc[k]) > 0.03*math.Abs(gc[k])+2e-3 {
				t.Errorf("θ=%v cov%v: sampler %.5f, grid %.5f", theta, ij, sc.At(ij[0], ij[1]), gc[k])
			}
		}
	}
}

// TestTwoMoonsRejectionABC compares the exact sampler with rejection ABC
// (prior draws whose simulation lands within ε of x_obs) on one case.
func TestTwoMoonsRejectionABC(t *testing.T) {
	if testing.Short() {
		t.Skip("rejection ABC: 4e6 simulations")
	}
	tm := NewTwoMoons()
	x := []float64{-0.2, 0.25}
	const sims = 4000000
	th, xs := Simulations(tm, sims, rand.NewPCG(21, 22))
	var acc [][]float64
	for i := 0; i < sims; i++ {
		if math.Hypot(xs.At(i, 0)-x[0], xs.At(i, 1)-x[1]) < 0.01 {
			acc = append(acc, th.RawRowView(i))
		}
	}
	if len(acc) < 200 {
		t.Fatalf("ABC accepted only %d draws", len(acc))
	}
	t.Logf("ABC accepted %d of %d", len(acc), sims)
	s, err := tm.SamplePosterior(context.Background(), x, 20000, rand.NewPCG(23, 24))
	if err != nil {
		t.Fatal(err)
	}
	for j := 0; j < 2; j++ {
		abc := make([]float64, len(acc))
		for i, a := range acc {
			abc[i] = a[j]
		}
		am, av := stat.MeanVariance(abc, nil)
		m, v := colMoments(s, j)
		if !within(am, m, math.Sqrt(v), len(abc), 5, 0.01) || math.Abs(av-v) > 0.15*v+1e-3 {
			t.Errorf("θ%d: ABC (%d draws) mean %.4f var %.4f, exact %.4f %.4f", j+1, len(abc), am, av, m, v)
		}
	}
}

func TestSLCPLogLikelihood(t *testing.T) {
	s := NewSLCP()
	rnd := rand.New(rand.NewPCG(25, 26))
	for trial := 0; trial < 20; trial++ {
		th := s.SamplePrior(1, rnd).RawRowView(0)
		x := s.Simulate(mat.NewDense(1, 5, th), rnd).RawRowView(0)
		s1, s2, rho := th[2]*th[2], th[3]*th[3], math.Tanh(th[4])
		cov := mat.NewSymDense(2, []float64{s1*s1 + 1e-6, rho * s1 * s2, rho * s1 * s2, s2*s2 + 1e-6})
		// Direct computation with a Cholesky factorisation:
		// log N(v; m, C) = -½ (v-m)ᵀC⁻¹(v-m) - ½ log det C - log 2π.
		var chol mat.Cholesky
		if !chol.Factorize(cov) {
			continue
		}
		var want float64
		for k := 0; k < 4; k++ {
			d := mat.NewVecDense(2, []float64{x[2*k] - th[0], x[2*k+1] - th[1]})
			var sol mat.VecDense
			if err := chol.SolveVecTo(&sol, d); err != nil {
				t.Fatal(err)
			}
			want += -0.5*mat.Dot(d, &sol) - 0.5*chol.LogDet() - math.Log(2*math.Pi)
		}
		if got := s.LogLikelihood(th, x); math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("θ=%v: LogLikelihood %v, Cholesky %v", th, got, want)
		}
	}
}

func TestPosteriorCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, name := range Names() {
		task, _ := Lookup(name)
		ref, ok := task.(ReferencePosterior)
		if !ok {
			continue
		}
		_, x := Observations(task, 1, ObservationSeed)
		if _, err := ref.SamplePosterior(ctx, x.RawRowView(0), 10, rand.NewPCG(1, 1)); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: cancelled SamplePosterior returned %v", name, err)
		}
	}
}

func TestImpossibleObservation(t *testing.T) {
	_, err := NewTwoMoons().SamplePosterior(context.Background(), []float64{5, 5}, 10, rand.NewPCG(1, 1))
	if err == nil || !strings.Contains(err.Error(), "two_moons") {
		t.Errorf("two_moons at x=(5,5): error %v", err)
	}
}

func TestShapePanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.HasPrefix(r.(string), "simulators:") {
			t.Errorf("recover() = %v, want a simulators: panic", r)
		}
	}()
	NewSLCP().Simulate(mat.NewDense(2, 3, nil), rand.NewPCG(1, 1))
}

func TestDataset(t *testing.T) {
	for _, name := range Names() {
		task, _ := Lookup(name)
		tb := Dataset(task, 100, rand.NewPCG(1, 2))
		want := append(task.ParamNames(), task.ObsNames()...)
		if !reflect.DeepEqual(tb.Names(), want) || tb.Len() != 100 {
			t.Fatalf("%s: table columns %v (%d rows), want %v (100 rows)", name, tb.Names(), tb.Len(), want)
		}
		theta, x := Simulations(task, 100, rand.NewPCG(1, 2))
		mt, err := tb.Matrix(task.ParamNames()...)
		if err != nil {
			t.Fatal(err)
		}
		mx, _ := tb.Matrix(task.ObsNames()...)
		if !mat.Equal(mt, theta) || !mat.Equal(mx, x) {
			t.Errorf("%s: Dataset differs from Simulations with the same seed", name)
		}
		if empty := Dataset(task, 0, rand.NewPCG(1, 2)); empty.Len() != 0 || len(empty.Names()) != len(want) {
			t.Errorf("%s: empty dataset has %d rows, columns %v", name, empty.Len(), empty.Names())
		}
	}
}

// TestPriorBox checks that the tasks with a uniform box prior say so, and
// that their box is the support of LogPrior and holds the prior's draws.
func TestPriorBox(t *testing.T) {
	for _, tc := range []struct {
		task string
		half float64 // half-width of the box, 0 for no box
	}{
		{"gaussian_linear", 0},
		{"gaussian_linear_uniform", 1},
		{"gaussian_mixture", 10},
		{"two_moons", 1},
		{"slcp", 3},
	} {
		task, _ := Lookup(tc.task)
		b, ok := task.(BoxPrior)
		if ok != (tc.half > 0) {
			t.Errorf("%s implements BoxPrior: %v, want %v", tc.task, ok, tc.half > 0)
			continue
		}
		if !ok {
			continue
		}
		lo, hi := b.PriorBox()
		if len(lo) != task.DimTheta() || len(hi) != task.DimTheta() {
			t.Fatalf("%s: box of %d and %d bounds, want %d", tc.task, len(lo), len(hi), task.DimTheta())
		}
		th := task.SamplePrior(2000, rand.NewPCG(3, 4))
		for j := range lo {
			if lo[j] != -tc.half || hi[j] != tc.half {
				t.Errorf("%s θ%d: box (%v, %v), want ±%v", tc.task, j+1, lo[j], hi[j], tc.half)
			}
			for i := range 2000 {
				if v := th.At(i, j); v < lo[j] || v > hi[j] {
					t.Fatalf("%s: prior draw θ%d = %v outside its box", tc.task, j+1, v)
				}
			}
			// Just outside the box in one coordinate: zero prior density.
			p := th.RawRowView(0)
			q := append([]float64(nil), p...)
			q[j] = hi[j] + 1e-9
			if !math.IsInf(task.LogPrior(q), -1) {
				t.Errorf("%s: LogPrior just above the box in θ%d is finite", tc.task, j+1)
			}
			q[j] = lo[j] - 1e-9
			if !math.IsInf(task.LogPrior(q), -1) {
				t.Errorf("%s: LogPrior just below the box in θ%d is finite", tc.task, j+1)
			}
		}
	}
}

// TestLogPosterior compares the closed-form posterior densities with
// independent computations: for gaussian_linear the Gaussian with the
// conjugate moments, for gaussian_linear_uniform the likelihood normalised
// per coordinate by numerical integration over the box.
func TestLogPosterior(t *testing.T) {
	gl := NewGaussianLinear()
	x := []float64{0.3, -0.2, 0.9, 0, 1.5, -2, 0.1, 0.4, -0.7, 0.05}
	th := []float64{0.1, -0.3, 0.5, 0.2, 0.6, -0.9, 0, 0.3, -0.2, 0.1}
	want := 0.0
	for j := range x {
		want += distuv.Normal{Mu: x[j] / 2, Sigma: math.Sqrt(0.05)}.LogProb(th[j])
	}
	if got := gl.LogPosterior(th, x); math.Abs(got-want) > 1e-10 {
		t.Errorf("gaussian_linear: log posterior %v, want %v", got, want)
	}

	glu := NewGaussianLinearUniform()
	sd := math.Sqrt(0.1)
	// Inside, near the edges and far outside the box (tail precision).
	x = []float64{0, 0.95, -0.95, 1.3, -1.6, 2.5, -3.5, 0.5, 6, -9}
	th = []float64{0.2, 0.9, -0.99, 0.98, -0.97, 0.999, -0.9995, 0.4, 0.9999, -0.99999}
	want = 0.0
	for j, mu := range x {
		// log ∫_{-1}^{1} N(s; mu, sd²) ds by Simpson's rule in log space.
		const k = 20000
		h := 2.0 / k
		lmax := math.Inf(-1)
		ls := make([]float64, k+1)
		for i := range ls {
			ls[i] = distuv.Normal{Mu: mu, Sigma: sd}.LogProb(-1 + float64(i)*h)
			lmax = max(lmax, ls[i])
		}
		var sum float64
		for i, l := range ls {
			w := 2.0
			switch {
			case i == 0 || i == k:
				w = 1
			case i%2 == 1:
				w = 4
			}
			sum += w * math.Exp(l-lmax)
		}
		logMass := lmax + math.Log(sum*h/3)
		want += distuv.Normal{Mu: mu, Sigma: sd}.LogProb(th[j]) - logMass
	}
	if got := glu.LogPosterior(th, x); math.Abs(got-want) > 1e-6 {
		t.Errorf("gaussian_linear_uniform: log posterior %v, want %v", got, want)
	}
	th[3] = 1.0001
	if got := glu.LogPosterior(th, x); !math.IsInf(got, -1) {
		t.Errorf("gaussian_linear_uniform outside the box: log posterior %v, want -Inf", got)
	}
}
