package simulators

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// MCMCSettings control SLCP.SamplePosteriorMCMC. The zero value gives the
// defaults in brackets.
type MCMCSettings struct {
	Chains  int // independent chains [20]
	Burn    int // burn-in steps per chain, in 4 adaptation rounds [8000]
	Thin    int // steps (joint + per-coordinate moves) between kept samples [20]
	Screen  int // prior draws screened for starting points [100000]
	MaxRhat float64
	// MaxRhat is the largest split-R̂ accepted; above it the samples are
	// returned with an error wrapping ErrNotConverged [1.01].
}

// MCMCResult reports on a run of SamplePosteriorMCMC.
type MCMCResult struct {
	Rhat       []float64 // split-R̂ per parameter, on the folded chains
	Acceptance float64   // Metropolis acceptance rate after burn-in
}

// ErrNotConverged is wrapped by SamplePosteriorMCMC's error when the
// chains disagree (R̂ above MCMCSettings.MaxRhat).
var ErrNotConverged = fmt.Errorf("simulators: MCMC chains did not converge")

// SamplePosteriorMCMC draws n approximate samples from the slcp posterior
// for xObs, for a reference posterior (sbibm builds its own by sampling-
// importance-resampling and rejection; this is an independent route). The
// likelihood depends on θ3 and θ4 only through their squares, so the four
// modes are mirror images: the chains run on θ3, θ4 ≥ 0 and each kept
// sample gets independent random signs for θ3 and θ4, which is exact for
// the mirror symmetry. Chains start from the best of Screen prior draws and
// alternate a random-walk Metropolis move with a covariance adapted during
// burn-in (2.38²/5 times the pooled sample covariance) and one Metropolis
// move per coordinate with a scale adapted to an acceptance near 0.44 (a
// weakly constrained ρ needs them when θ3 or θ4 is near 0). Acceptance in
// MCMCResult is that of the joint moves. Convergence is checked with
// split-R̂ (Gelman et al. 2013) per parameter.
func (s *SLCP) SamplePosteriorMCMC(ctx context.Context, xObs []float64, n int, src rand.Source, set MCMCSettings) (*mat.Dense, MCMCResult, error) {
	checkN(n)
	checkObs(s, xObs)
	if set.Chains <= 0 {
		set.Chains = 20
	}
	if set.Burn <= 0 {
		set.Burn = 8000
	}
	if set.Thin <= 0 {
		set.Thin = 20
	}
	if set.Screen <= 0 {
		set.Screen = 100000
	}
	if set.MaxRhat <= 0 {
		set.MaxRhat = 1.01
	}
	const d = 5
	rnd := rand.New(src)
	logp := func(th []float64) float64 {
		for i, v := range th {
			lo := -3.0
			if i == 2 || i == 3 {
				lo = 0
			}
			if v < lo || v > 3 {
				return math.Inf(-1)
			}
		}
		return s.LogLikelihood(th, xObs)
	}
	// Starting points: the best prior draws, folded.
	type cand struct {
		th []float64
		lp float64
	}
	best := make([]cand, 0, set.Chains)
	th := make([]float64, d)
	for i := 0; i < set.Screen; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, MCMCResult{}, err
			}
		}
		for j := range th {
			th[j] = -3 + 6*rnd.Float64()
		}
		th[2], th[3] = math.Abs(th[2]), math.Abs(th[3])
		lp := logp(th)
		if len(best) < set.Chains || lp > best[len(best)-1].lp {
			c := cand{append([]float64(nil), th...), lp}
			k := len(best)
			if k < set.Chains {
				best = append(best, c)
			} else {
				k--
				best[k] = c
			}
			for k > 0 && best[k].lp > best[k-1].lp {
				best[k], best[k-1] = best[k-1], best[k]
				k--
			}
		}
	}
	chains := make([][]float64, set.Chains)
	lps := make([]float64, set.Chains)
	for c := range chains {
		chains[c] = best[c].th
		lps[c] = best[c].lp
	}
	// Proposal: Cholesky factor of the scaled covariance; start isotropic.
	chol := mat.NewTriDense(d, mat.Lower, nil)
	for j := 0; j < d; j++ {
		chol.SetTri(j, j, 0.1)
	}
	prop := make([]float64, d)
	z := make([]float64, d)
	step := func(c int) bool {
		for j := range z {
			z[j] = rnd.NormFloat64()
		}
		for i := 0; i < d; i++ {
			var v float64
			for j := 0; j <= i; j++ {
				v += chol.At(i, j) * z[j]
			}
			prop[i] = chains[c][i] + v
		}
		lp := logp(prop)
		if math.Log(rnd.Float64()) < lp-lps[c] {
			copy(chains[c], prop)
			lps[c] = lp
			return true
		}
		return false
	}
	// Single-coordinate moves (Metropolis within Gibbs) with scales tuned
	// to an acceptance of about 0.44: they let a weakly constrained
	// parameter (ρ when s1 or s2 is tiny) move while the others are held.
	scale := []float64{0.1, 0.1, 0.1, 0.1, 0.1}
	accJ := make([]int, d)
	triesJ := make([]int, d)
	coord := func(c int) {
		for j := 0; j < d; j++ {
			copy(prop, chains[c])
			prop[j] += scale[j] * rnd.NormFloat64()
			triesJ[j]++
			lp := logp(prop)
			if math.Log(rnd.Float64()) < lp-lps[c] {
				copy(chains[c], prop)
				lps[c] = lp
				accJ[j]++
			}
		}
	}
	const rounds = 4
	per := set.Burn / rounds
	for r := 0; r < rounds; r++ {
		hist := mat.NewDense(per/10*set.Chains, d, nil)
		row := 0
		for t := 0; t < per; t++ {
			if t%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, MCMCResult{}, err
				}
			}
			for c := range chains {
				step(c)
				coord(c)
				if t%10 == 9 && row < hist.RawMatrix().Rows {
					hist.SetRow(row, chains[c])
					row++
				}
			}
		}
		var cov mat.SymDense
		stat.CovarianceMatrix(&cov, hist, nil)
		for j := 0; j < d; j++ {
			cov.SetSym(j, j, cov.At(j, j)+1e-10)
		}
		cov.ScaleSym(2.38*2.38/d, &cov)
		var ch mat.Cholesky
		if ch.Factorize(&cov) {
			ch.LTo(chol)
		}
		for j := range scale {
			a := float64(accJ[j]) / float64(triesJ[j])
			scale[j] *= math.Exp(3 * (a - 0.44))
			accJ[j], triesJ[j] = 0, 0
		}
	}
	per = (n + set.Chains - 1) / set.Chains
	if per < 2 {
		per = 2
	}
	kept := make([][][]float64, set.Chains)
	var acc, tries int
	for t := 0; t < per*set.Thin; t++ {
		if t%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, MCMCResult{}, err
			}
		}
		for c := range chains {
			if step(c) {
				acc++
			}
			tries++
			coord(c)
			if t%set.Thin == set.Thin-1 {
				kept[c] = append(kept[c], append([]float64(nil), chains[c]...))
			}
		}
	}
	res := MCMCResult{Rhat: splitRhat(kept, d), Acceptance: float64(acc) / float64(tries)}
	out := newDense(n, d)
	for i := 0; i < n; i++ {
		c, k := i%set.Chains, i/set.Chains
		row := append([]float64(nil), kept[c][k]...)
		if rnd.Float64() < 0.5 {
			row[2] = -row[2]
		}
		if rnd.Float64() < 0.5 {
			row[3] = -row[3]
		}
		out.SetRow(i, row)
	}
	for j, r := range res.Rhat {
		if !(r <= set.MaxRhat) {
			return out, res, fmt.Errorf("%w: R̂ of θ%d = %.3f > %.3f; increase MCMCSettings.Burn", ErrNotConverged, j+1, r, set.MaxRhat)
		}
	}
	return out, res, nil
}

// splitRhat returns the split-R̂ of each of d parameters over the chains.
func splitRhat(chains [][][]float64, d int) []float64 {
	rh := make([]float64, d)
	half := len(chains[0]) / 2
	if half < 2 {
		for j := range rh {
			rh[j] = math.NaN()
		}
		return rh
	}
	for j := 0; j < d; j++ {
		var means, vars []float64
		for _, c := range chains {
			for _, part := range [][][]float64{c[:half], c[half : 2*half]} {
				v := make([]float64, len(part))
				for i, s := range part {
					v[i] = s[j]
				}
				m, vr := stat.MeanVariance(v, nil)
				means = append(means, m)
				vars = append(vars, vr)
			}
		}
		nf := float64(half)
		w := stat.Mean(vars, nil)
		b := nf * stat.Variance(means, nil)
		vhat := (nf-1)/nf*w + b/nf
		rh[j] = math.Sqrt(vhat / w)
	}
	return rh
}
