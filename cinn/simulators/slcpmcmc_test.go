package simulators

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// TestSLCPMCMC checks the MCMC reference posterior against self-normalised
// importance sampling (a different algorithm, exact in the limit) from a
// broadened Student t (3 degrees of freedom, for the heavy tails of θ1 and
// θ2 whose scale is itself uncertain) fitted to the folded samples, and
// checks the mirror
// symmetry of θ3 and θ4.
func TestSLCPMCMC(t *testing.T) {
	s := NewSLCP()
	// All ten fixed observations (about 0.2 s each), three with -short.
	nobs := 10
	if testing.Short() {
		nobs = 3
	}
	_, xs := Observations(s, nobs, ObservationSeed)
	for obs := 0; obs < nobs; obs++ {
		x := xs.RawRowView(obs)
		const n = 10000
		post, res, err := s.SamplePosteriorMCMC(context.Background(), x, n, rand.NewPCG(uint64(obs), 7), MCMCSettings{})
		if err != nil {
			t.Fatalf("observation %d: %v (R̂ %v)", obs+1, err, res.Rhat)
		}
		if res.Acceptance < 0.02 || res.Acceptance > 0.6 {
			t.Errorf("observation %d: acceptance %.3f", obs+1, res.Acceptance)
		}
		// Folded moments from MCMC.
		fold := mat.DenseCopyOf(post)
		pos3, pos4 := 0, 0
		for i := 0; i < n; i++ {
			if fold.At(i, 2) > 0 {
				pos3++
			}
			if fold.At(i, 3) > 0 {
				pos4++
			}
			fold.Set(i, 2, math.Abs(fold.At(i, 2)))
			fold.Set(i, 3, math.Abs(fold.At(i, 3)))
		}
		for _, p := range []int{pos3, pos4} {
			if math.Abs(float64(p)/n-0.5) > 0.02 {
				t.Errorf("observation %d: %d of %d samples with positive θ3/θ4", obs+1, p, n)
			}
		}
		var cov mat.SymDense // of the folded samples, for the proposal
		stat.CovarianceMatrix(&cov, fold, nil)
		mean := make([]float64, 5)
		for j := range mean {
			mean[j] = stat.Mean(mat.Col(nil, j, fold), nil)
		}
		// Importance sampling from t_3(mean, 2.25·cov) restricted to the
		// folded box.
		var prop mat.SymDense
		prop.ScaleSym(2.25, &cov)
		var chol mat.Cholesky
		if !chol.Factorize(&prop) {
			t.Fatal("proposal covariance not positive definite")
		}
		var L mat.TriDense
		chol.LTo(&L)
		rnd := rand.New(rand.NewPCG(99, uint64(obs)))
		const m = 60000
		logw := make([]float64, 0, m)
		samples := make([][]float64, 0, m)
		z := mat.NewVecDense(5, nil)
		for i := 0; i < m; i++ {
			for j := 0; j < 5; j++ {
				z.SetVec(j, rnd.NormFloat64())
			}
			var v mat.VecDense
			v.MulVec(&L, z)
			const nu = 3
			var u float64 // χ²(ν)
			for k := 0; k < nu; k++ {
				e := rnd.NormFloat64()
				u += e * e
			}
			th := make([]float64, 5)
			for j := range th {
				th[j] = mean[j] + v.AtVec(j)/math.Sqrt(u/nu)
			}
			if th[2] < 0 || th[3] < 0 || math.IsInf(s.LogPrior(th), -1) {
				continue
			}
			logq := -(nu + 5) / 2.0 * math.Log1p(mat.Dot(z, z)/u) // up to a constant
			logw = append(logw, s.LogLikelihood(th, x)-logq)
			samples = append(samples, th)
		}
		mx := math.Inf(-1)
		for _, lw := range logw {
			mx = math.Max(mx, lw)
		}
		w := make([]float64, len(logw))
		var sw, sw2 float64
		for i, lw := range logw {
			w[i] = math.Exp(lw - mx)
			sw += w[i]
			sw2 += w[i] * w[i]
		}
		ess := sw * sw / sw2
		if ess < 1000 {
			t.Fatalf("observation %d: importance sampling ESS %.0f too small for a check", obs+1, ess)
		}
		for j := 0; j < 5; j++ {
			// Compare the 10%, 50% and 90% quantiles (heavy tails make
			// standard deviations converge too slowly for a sharp test).
			col := make([]float64, len(samples))
			wc := append([]float64(nil), w...)
			for i, th := range samples {
				col[i] = th[j]
			}
			sort.Sort(byValue{col, wc})
			mc := mat.Col(nil, j, fold)
			sort.Float64s(mc)
			q := func(x, w []float64, p float64) float64 { return stat.Quantile(p, stat.Empirical, x, w) }
			spread := q(col, wc, 0.9) - q(col, wc, 0.1)
			for _, p := range []float64{0.1, 0.5, 0.9} {
				a, b := q(mc, nil, p), q(col, wc, p)
				if math.Abs(a-b) > 0.06*spread {
					t.Errorf("observation %d θ%d (folded) %.0f%% quantile: MCMC %.4f, IS %.4f (10-90%% spread %.4f, ESS %.0f)", obs+1, j+1, 100*p, a, b, spread, ess)
				}
			}
		}
		t.Logf("observation %d: R̂ %.4f, acceptance %.2f, IS ESS %.0f", obs+1, res.Rhat, res.Acceptance, ess)
	}
}

// byValue sorts values with their weights.
type byValue struct{ x, w []float64 }

func (b byValue) Len() int           { return len(b.x) }
func (b byValue) Less(i, j int) bool { return b.x[i] < b.x[j] }
func (b byValue) Swap(i, j int) {
	b.x[i], b.x[j] = b.x[j], b.x[i]
	b.w[i], b.w[j] = b.w[j], b.w[i]
}
