// Copyright ©2026 The gocinn Authors. All rights reserved.

package validation

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/simulators"
)

// The guard is a miniature of the sbibm validation that runs in the test
// suite (not with -short): two_moons and gaussian_linear at 10^3
// simulations with a fixed seed and a few fixed observations. To stay well
// under a minute on the busy 2-core development machine it trains a smaller
// network (4 blocks, subnets 2 × 64) for a fixed 50 epochs of batch 128 (about
// 400 steps, no early stopping) of affine blocks, what its thresholds were
// measured on; everything else (clamp, initialisation, Adam, pre-processing,
// sampling) is the engine's default. The spline and mixed couplings (the
// engine's default since the sixth session) have a KL check each.
//
// two_moons is scored by C2ST (sbibm's recipe, but two observations of
// 500 + 500 samples). gaussian_linear has the exact posterior N(x/2, 0.05·I),
// and a C2ST in 10-D takes minutes on this machine, so its guard compares
// moments instead: the error of the sample mean in units of the posterior σ,
// and the ratio of the sample σ to the exact one, over all observations and
// coordinates (the mean ratio; single coordinates of 1,000 samples from a
// small network spread from 0.63 to 1.31 over eight seeds).
//
// The thresholds sit above the scores of repeated runs with different seeds
// (docs/validation.md lists them) and below those of a network that is
// broken or barely trained.
const (
	guardTwoMoonsC2ST = 0.90 // mean C2ST of two_moons at most
	guardGLMeanErr    = 0.40 // mean |sample mean - x/2| / σ at most
	guardGLStdLo      = 0.85 // mean of sample σ / exact σ at least
	guardGLStdHi      = 1.15 // and at most
	guardGLUKL        = 1.60 // KL of gaussian_linear_uniform with the box's probit at most
	guardGLUSplineKL  = 1.12 // the same with spline couplings at most
	guardGLUMixedKL   = 1.15 // the same with mixed couplings at most
)

func guardSettings(seed int64) Settings {
	epochs := 50
	if e, err := strconv.Atoi(os.Getenv("GOCINN_GUARD_EPOCHS")); err == nil && e > 0 {
		epochs = e // for the sweep: a barely trained network must fail
	}
	return Settings{
		Budget:       1000,
		Observations: 3,
		Samples:      1000,
		Seed:         seed,
		Config:       cinn.Config{Blocks: 4, Hidden: 64, Layers: 2, Coupling: cinn.AffineCoupling},
		// The learning rate is fixed (the engine's default was 1e-3 when
		// the thresholds were measured over 8 seeds) so that a change of
		// the defaults does not move the guard; the engine's code is what
		// it guards.
		Train: cinn.TrainSettings{Epochs: epochs, BatchSize: 128, LR: 1e-3, Patience: -1},
	}
}

// twoMoonsGuard are the guard's settings for two_moons: two observations of
// 500 + 500 C2ST samples (the classifier dominates the guard's time).
func twoMoonsGuard(seed int64) Settings {
	s := guardSettings(seed)
	s.Observations, s.Samples = 2, 500
	return s
}

// glMoments trains the guard network on gaussian_linear and returns the
// mean standardised error of the posterior means, and the mean, smallest and
// largest ratio of sample to exact standard deviation, over the observations
// and coordinates.
func glMoments(ctx context.Context, seed int64) (meanErr, ratio, stdLo, stdHi float64, err error) {
	task := simulators.NewGaussianLinear()
	s := guardSettings(seed)
	m, _, err := TrainTask(ctx, task, s)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	_, xObs := simulators.Observations(task, s.Observations, simulators.ObservationSeed)
	post, err := m.Sample(ctx, xObs, s.Samples, rand.NewPCG(uint64(seed), 1000))
	if err != nil {
		return 0, 0, 0, 0, err
	}
	stdLo, stdHi = math.Inf(1), math.Inf(-1)
	var n int
	for i, p := range post {
		mean, v := task.PosteriorMoments(xObs.RawRowView(i))
		sd := math.Sqrt(v)
		for j := range task.DimTheta() {
			col := mat.Col(nil, j, p)
			mu, sigma := stat.MeanStdDev(col, nil)
			meanErr += math.Abs(mu-mean[j]) / sd
			n++
			ratio += sigma / sd
			stdLo = min(stdLo, sigma/sd)
			stdHi = max(stdHi, sigma/sd)
		}
	}
	return meanErr / float64(n), ratio / float64(n), stdLo, stdHi, nil
}

// gluKL trains the guard network with the given coupling (splines with 8
// bins on [-5, 5], with which the thresholds were measured) on
// gaussian_linear_uniform, with the parameters through the prior box's
// probit when bounded is set, and returns PosteriorKL over 5,000
// simulations.
func gluKL(ctx context.Context, seed int64, bounded bool, coupling string) (float64, error) {
	task := simulators.NewGaussianLinearUniform()
	s := guardSettings(seed)
	s.Bounded = bounded
	s.Config.Coupling = coupling
	s.Config.Bins = 8
	m, _, err := TrainTask(ctx, task, s)
	if err != nil {
		return 0, err
	}
	kl, _, err := PosteriorKL(ctx, task, m, 5000, rand.NewPCG(uint64(seed), 7000))
	return kl, err
}

func TestGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two small networks; skipped with -short")
	}
	ctx := context.Background()
	t.Run("two_moons", func(t *testing.T) {
		t.Parallel()
		res, err := RunTask(ctx, simulators.NewTwoMoons(), twoMoonsGuard(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("C2ST %.3f %.3f, train %.1fs, C2ST %.1fs", res.Mean, res.C2ST, res.TrainSeconds, res.C2STSeconds)
		if res.Mean > guardTwoMoonsC2ST {
			t.Errorf("two_moons at 10^3 simulations: mean C2ST %.3f over %d observations %.3f, want at most %.2f: the engine's posteriors got worse",
				res.Mean, len(res.C2ST), res.C2ST, guardTwoMoonsC2ST)
		}
	})
	t.Run("gaussian_linear", func(t *testing.T) {
		t.Parallel()
		e, r, lo, hi, err := glMoments(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("mean error %.3fσ, σ ratio %.3f (%.3f to %.3f)", e, r, lo, hi)
		if e > guardGLMeanErr || r < guardGLStdLo || r > guardGLStdHi {
			t.Errorf("gaussian_linear at 10^3 simulations: posterior means off by %.3fσ on average (want ≤ %.2f), mean σ ratio %.3f (want within [%.2f, %.2f]; %.3f to %.3f over coordinates): the engine's posteriors got worse",
				e, guardGLMeanErr, r, guardGLStdLo, guardGLStdHi, lo, hi)
		}
	})
	t.Run("gaussian_linear_uniform", func(t *testing.T) {
		t.Parallel()
		kl, err := gluKL(ctx, 1, true, cinn.AffineCoupling)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("KL %.3f nats", kl)
		if kl > guardGLUKL {
			t.Errorf("gaussian_linear_uniform at 10^3 simulations with --bounded prior: KL from the true posterior %.3f nats, want at most %.2f: the engine's posteriors (or the probit transform) got worse", kl, guardGLUKL)
		}
	})
	t.Run("gaussian_linear_uniform_spline", func(t *testing.T) {
		t.Parallel()
		kl, err := gluKL(ctx, 1, true, cinn.SplineCoupling)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("KL %.3f nats", kl)
		if kl > guardGLUSplineKL {
			t.Errorf("gaussian_linear_uniform at 10^3 simulations with --bounded prior and spline couplings: KL from the true posterior %.3f nats, want at most %.2f: the spline couplings got worse", kl, guardGLUSplineKL)
		}
	})
	t.Run("gaussian_linear_uniform_mixed", func(t *testing.T) {
		t.Parallel()
		kl, err := gluKL(ctx, 1, true, cinn.MixedCoupling)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("KL %.3f nats", kl)
		if kl > guardGLUMixedKL {
			t.Errorf("gaussian_linear_uniform at 10^3 simulations with --bounded prior and mixed couplings (the default): KL from the true posterior %.3f nats, want at most %.2f: the mixed couplings got worse", kl, guardGLUMixedKL)
		}
	})
}

// TestGuardSeeds prints the guard's scores for the seeds listed in
// GOCINN_GUARD_SEEDS (e.g. 1,2,3,4,5): the runs that justify its thresholds.
// GOCINN_GUARD_EPOCHS replaces the 50 training epochs, to show that a barely
// trained network fails the thresholds.
func TestGuardSeeds(t *testing.T) {
	env := os.Getenv("GOCINN_GUARD_SEEDS")
	if env == "" {
		t.Skip("set GOCINN_GUARD_SEEDS=1,2,3 to print the guard's scores for those seeds")
	}
	ctx := context.Background()
	for _, f := range strings.Split(env, ",") {
		seed, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			t.Fatalf("GOCINN_GUARD_SEEDS: %v", err)
		}
		res, err := RunTask(ctx, simulators.NewTwoMoons(), twoMoonsGuard(seed))
		if err != nil {
			t.Fatal(err)
		}
		e, r, lo, hi, err := glMoments(ctx, seed)
		if err != nil {
			t.Fatal(err)
		}
		var kl [4]float64
		for k, c := range []struct {
			bounded  bool
			coupling string
		}{{true, cinn.AffineCoupling}, {false, cinn.AffineCoupling}, {true, cinn.SplineCoupling}, {true, cinn.MixedCoupling}} {
			if kl[k], err = gluKL(ctx, seed, c.bounded, c.coupling); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Printf("guard seed %d: two_moons C2ST %.3f %.3f; gaussian_linear mean error %.3fσ, σ ratio %.3f (%.3f–%.3f); gaussian_linear_uniform KL %.3f with the probit, %.3f without, %.3f with the probit and splines, %.3f with the probit and mixed couplings\n",
			seed, res.Mean, res.C2ST, e, r, lo, hi, kl[0], kl[1], kl[2], kl[3])
	}
}
