// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// c2stPair is a pair of sample sets with the C2ST score they should get.
type c2stPair struct {
	name       string
	ref, other *mat.Dense
	bayes      float64 // accuracy of the Bayes classifier, when known (else NaN)
}

// gaussian2 draws n points from N((mx, 0), I₂).
func gaussian2(rng *rand.Rand, n int, mx float64) *mat.Dense {
	m := mat.NewDense(n, 2, nil)
	for i := range n {
		m.Set(i, 0, mx+rng.NormFloat64())
		m.Set(i, 1, rng.NormFloat64())
	}
	return m
}

// moons draws n points of scikit-learn's make_moons with noise 0.1: half on
// the upper arc (cos t, sin t), half on the lower (1-cos t, 0.5-sin t), t
// uniform on [0, π].
func moons(rng *rand.Rand, n int) *mat.Dense {
	m := mat.NewDense(n, 2, nil)
	for i := range n {
		t := math.Pi * rng.Float64()
		x, y := math.Cos(t), math.Sin(t)
		if i%2 == 1 {
			x, y = 1-x, 0.5-y
		}
		m.Set(i, 0, x+0.1*rng.NormFloat64())
		m.Set(i, 1, y+0.1*rng.NormFloat64())
	}
	return m
}

// matchedGaussian draws n points from the Gaussian with the mean and
// covariance of the rows of ref.
func matchedGaussian(rng *rand.Rand, n int, ref *mat.Dense) *mat.Dense {
	r, d := ref.Dims()
	mean := make([]float64, d)
	for j := range d {
		for i := range r {
			mean[j] += ref.At(i, j) / float64(r)
		}
	}
	cov := mat.NewSymDense(d, nil)
	for a := range d {
		for b := a; b < d; b++ {
			var s float64
			for i := range r {
				s += (ref.At(i, a) - mean[a]) * (ref.At(i, b) - mean[b])
			}
			cov.SetSym(a, b, s/float64(r-1))
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(cov) {
		panic("covariance not positive definite")
	}
	var l mat.TriDense
	chol.LTo(&l)
	m := mat.NewDense(n, d, nil)
	z := make([]float64, d)
	for i := range n {
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		for a := range d {
			v := mean[a]
			for b := 0; b <= a; b++ {
				v += l.At(a, b) * z[b]
			}
			m.Set(i, a, v)
		}
	}
	return m
}

// goScores caches the Go port's seed-1 scores of the pairs by name and
// size, so that tests sharing pairs train the classifiers once.
var goScores struct {
	sync.Mutex
	m map[string]float64
}

// goScore returns C2ST(p.ref, p.other, seed 1), computed once per pair.
func goScore(t *testing.T, p c2stPair) float64 {
	t.Helper()
	r, _ := p.ref.Dims()
	key := fmt.Sprintf("%s/%d", p.name, r)
	goScores.Lock()
	acc, ok := goScores.m[key]
	goScores.Unlock()
	if ok {
		return acc
	}
	acc, err := C2ST(context.Background(), p.ref, p.other, 1)
	if err != nil {
		t.Fatal(err)
	}
	goScores.Lock()
	if goScores.m == nil {
		goScores.m = make(map[string]float64)
	}
	goScores.m[key] = acc
	goScores.Unlock()
	return acc
}

// c2stPairs returns the comparison pairs with n points per set.
func c2stPairs(n int) []c2stPair {
	rng := rand.New(rand.NewPCG(2021, 1))
	mo := moons(rng, n)
	return []c2stPair{
		{"identical", gaussian2(rng, n, 0), gaussian2(rng, n, 0), 0.5},
		// Two unit Gaussians one σ apart: Bayes accuracy Φ(1/2).
		{"shifted", gaussian2(rng, n, 0), gaussian2(rng, n, 1), 0.6914624612740131},
		{"moons vs Gaussian", mo, matchedGaussian(rng, n, mo), math.NaN()},
	}
}

// TestC2STKnown checks the Go port against the accuracy of the Bayes
// classifier, which a well-trained classifier approaches from below (its
// finite-sample deficit is a few 0.01 at this n). With 2,000 held-out
// predictions in all the score's binomial standard deviation is about
// 0.011, and the seed-to-seed standard deviation measured over 20 seeds is
// 0.003 to 0.008; identical sets must score within 0.05 of 0.5 and the
// shifted Gaussians within 0.04 of Φ(1/2) = 0.691.
func TestC2STKnown(t *testing.T) {
	pairs := c2stPairs(1000)
	for _, p := range pairs[:2] {
		acc := goScore(t, p)
		tol := 0.04
		if p.bayes == 0.5 {
			tol = 0.05
		}
		if math.Abs(acc-p.bayes) > tol {
			t.Errorf("%s: C2ST = %v, want %v ± %v", p.name, acc, p.bayes, tol)
		}
	}

	// Well-separated sets are told apart perfectly.
	rng := rand.New(rand.NewPCG(1, 1))
	far, err := C2ST(context.Background(), gaussian2(rng, 300, 0), gaussian2(rng, 300, 12), 1)
	if err != nil || far < 0.995 {
		t.Errorf("separated: C2ST = %v (%v), want ≥ 0.995", far, err)
	}
}

func TestC2STDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	a, b := gaussian2(rng, 301, 0), gaussian2(rng, 250, 0.5)
	s := C2STSettings{Seed: 7, Folds: 3, MaxIter: 30}
	r1, err := C2STWith(context.Background(), a, b, s)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := C2STWith(context.Background(), a, b, s)
	if !reflect.DeepEqual(r1, r2) {
		t.Errorf("same seed, different results: %+v, %+v", r1, r2)
	}
	if len(r1.Folds) != 3 || len(r1.Epochs) != 3 {
		t.Fatalf("result %+v", r1)
	}
	var mean float64
	for f, e := range r1.Epochs {
		if e < 1 || e > 30 {
			t.Errorf("fold %d trained %d epochs, MaxIter 30", f, e)
		}
		mean += r1.Folds[f] / 3
	}
	if math.Abs(mean-r1.Accuracy) > 1e-15 {
		t.Errorf("accuracy %v is not the mean of %v", r1.Accuracy, r1.Folds)
	}
	r3, _ := C2STWith(context.Background(), a, b, C2STSettings{Seed: 8, Folds: 3, MaxIter: 30})
	if reflect.DeepEqual(r1, r3) {
		t.Errorf("seeds 7 and 8 gave identical results %+v", r1)
	}
}

func TestC2STErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	ok := gaussian2(rng, 20, 0)
	nan := gaussian2(rng, 20, 0)
	nan.Set(3, 1, math.NaN())
	constant := gaussian2(rng, 20, 0)
	for i := range 20 {
		constant.Set(i, 1, 4)
	}
	for _, tc := range []struct {
		name       string
		ref, other *mat.Dense
		want       string
	}{
		{"columns", ok, mat.NewDense(20, 3, nil), "reference has 2 columns but the other set has 3"},
		{"NaN", ok, nan, "other: row 3, column 1 is NaN"},
		{"NaN reference", nan, ok, "reference: row 3, column 1 is NaN"},
		{"constant", constant, ok, "column 1 of the reference is constant"},
		{"one row", mat.NewDense(1, 2, []float64{1, 2}), ok, "at least 2 are needed"},
		{"too few", mat.NewDense(2, 2, []float64{1, 2, 3, 4}), mat.NewDense(1, 2, []float64{1, 2}), "3 samples in all for 5 folds"},
	} {
		_, err := C2ST(context.Background(), tc.ref, tc.other, 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("kernel interrupt")
	cancel(cause)
	if _, err := C2ST(ctx, ok, ok, 1); err != cause {
		t.Errorf("cancelled: error %v, want the cause", err)
	}

	for name, f := range map[string]func(){
		"nil":      func() { C2ST(context.Background(), nil, ok, 1) },
		"one fold": func() { C2STWith(context.Background(), ok, ok, C2STSettings{Folds: 1}) },
		"negative": func() { C2STWith(context.Background(), ok, ok, C2STSettings{MaxIter: -1}) },
	} {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "diagnostics: ") {
					t.Errorf("%s: recovered %v, want a diagnostics: panic", name, r)
				}
			}()
			f()
		}()
	}
}

// TestMLPGradient checks the hand-written backward pass of the classifier
// against central finite differences of its loss.
func TestMLPGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const n, d = 17, 3
	x := make([]float64, n*d)
	y := make([]float64, n)
	rows := make([]int, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range y {
		y[i] = float64(i % 2)
		rows[i] = i
	}
	net := newMLP([]int{d, 5, 4, 1}, rng)
	// Loss and gradient without the Adam update: copy the network, step,
	// and read the gradients from the copy.
	lossAt := func() float64 {
		c := cloneMLP(net)
		return c.step(x, y, rows)
	}
	c := cloneMLP(net)
	c.step(x, y, rows)
	const h = 1e-6
	for l := range net.w {
		for _, p := range []struct {
			param, grad []float64
		}{{net.w[l], c.gw[l]}, {net.b[l], c.gb[l]}} {
			for k := range p.param {
				old := p.param[k]
				p.param[k] = old + h
				fp := lossAt()
				p.param[k] = old - h
				fm := lossAt()
				p.param[k] = old
				fd := (fp - fm) / (2 * h)
				if math.Abs(fd-p.grad[k]) > 1e-6*math.Max(1, math.Abs(fd)) {
					t.Errorf("layer %d param %d: gradient %v, finite difference %v", l, k, p.grad[k], fd)
				}
			}
		}
	}
}

func cloneMLP(m *mlp) *mlp {
	cp := func(a [][]float64) [][]float64 {
		out := make([][]float64, len(a))
		for i := range a {
			out[i] = append([]float64(nil), a[i]...)
		}
		return out
	}
	return &mlp{sizes: m.sizes, w: cp(m.w), b: cp(m.b), mw: cp(m.mw), vw: cp(m.vw),
		mb: cp(m.mb), vb: cp(m.vb), gw: cp(m.gw), gb: cp(m.gb), t: m.t}
}

// venvPython is the project's virtualenv interpreter, which has
// scikit-learn and numpy; the environment variable GOCINN_PYTHON overrides
// it.
var venvPython = cmp.Or(os.Getenv("GOCINN_PYTHON"), "../../.venv/bin/python")

// sklearnPython returns the absolute path of the virtualenv's python, or
// skips the test when it or scikit-learn is missing (fails when the
// environment variable CI is "true").
func sklearnPython(t *testing.T) string {
	t.Helper()
	python, err := filepath.Abs(venvPython)
	if err == nil {
		err = exec.Command(python, "-c", "import sklearn").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s with scikit-learn is unusable: %v", venvPython, err)
		}
		t.Skipf("no python with scikit-learn at %s: %v", venvPython, err)
	}
	return python
}

// TestC2STAgainstSklearn runs sbibm's recipe with scikit-learn
// (testdata/c2st_sklearn.py) and the Go port on the same three pairs of
// 1,000 + 1,000 samples and compares the scores. The two use different
// random streams (numpy's Mersenne Twister against PCG) and sbibm's
// floating point differs, so they agree only statistically: over 20 seeds
// the Go score's standard deviation on these pairs is 0.003 to 0.008, and
// over 5 seeds sklearn's is 0.001 to 0.009 with means within 0.007 of Go's.
// The difference of single runs thus has a standard deviation of at most
// 0.013; the tolerance, 0.04, is three of those. (Observed differences
// with seed 1: +0.011, +0.003 and -0.003.)
//
// The test is skipped with -short, and when the virtualenv's python or
// scikit-learn is missing, unless the environment variable CI is "true":
// then it always runs, and a missing python fails it.
func TestC2STAgainstSklearn(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("runs scikit-learn (a few seconds)")
	}
	compareSklearn(t, sklearnPython(t), c2stPairs(1000), 0.04)
}

// TestC2STAgainstSklearnFull compares at sbibm's size and in higher
// dimensions: 10,000 + 10,000 shifted Gaussians in 2-D, and 2,000 + 2,000
// in 5-D and 10-D (a shift of 0.25 and 0.2 along every axis; Bayes
// accuracies Φ(0.28) = 0.610 and Φ(0.316) = 0.624; both implementations
// score well below them, as a 10·dim-wide network overfits 3,200 training
// rows). With 4,000 held-out points and more the spread is smaller; the
// tolerance stays 0.04. Observed with seed 1: Go 0.6917, 0.5640, 0.5570;
// sklearn 0.6929, 0.5615, 0.5435. scikit-learn needs several minutes for
// these (nine on the loaded 2-core development machine), so the test runs
// only when GOCINN_C2ST_FULL=1.
func TestC2STAgainstSklearnFull(t *testing.T) {
	if os.Getenv("GOCINN_C2ST_FULL") != "1" {
		t.Skip("set GOCINN_C2ST_FULL=1 to run (several minutes)")
	}
	python := sklearnPython(t)
	rng := rand.New(rand.NewPCG(2021, 2))
	shifted := func(n, d int, shift float64) *mat.Dense {
		m := mat.NewDense(n, d, nil)
		for i := range n {
			for j := range d {
				m.Set(i, j, shift+rng.NormFloat64())
			}
		}
		return m
	}
	pairs := []c2stPair{
		{"10000v10000 2-D", gaussian2(rng, 10000, 0), gaussian2(rng, 10000, 1), 0.6914624612740131},
		{"5-D", shifted(2000, 5, 0), shifted(2000, 5, 0.25), 0.6103},
		{"10-D", shifted(2000, 10, 0), shifted(2000, 10, 0.2), 0.6240},
	}
	compareSklearn(t, python, pairs, 0.04)
}

// compareSklearn scores pairs with scikit-learn and the Go port and fails
// when they differ by more than tol.
func compareSklearn(t *testing.T, python string, pairs []c2stPair, tol float64) {
	t.Helper()
	dir := t.TempDir()
	args := []string{"testdata/c2st_sklearn.py", "--seed", "1"}
	for k, p := range pairs {
		for _, s := range []struct {
			suffix string
			m      *mat.Dense
		}{{"ref", p.ref}, {"other", p.other}} {
			path := filepath.Join(dir, fmt.Sprintf("pair%d_%s.csv", k, s.suffix))
			if err := writeCSV(path, s.m); err != nil {
				t.Fatal(err)
			}
			args = append(args, path)
		}
	}
	// sklearn runs in the background (single-threaded BLAS: the matrices
	// are tiny) while the Go port scores the same pairs.
	cmd := exec.Command(python, args...)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1")
	cmd.Stderr = os.Stderr
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := make([]float64, len(pairs))
	for k, p := range pairs {
		got[k] = goScore(t, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s %s: %v", python, strings.Join(args, " "), err)
	}
	lines := strings.Fields(out.String())
	if len(lines) != len(pairs) {
		t.Fatalf("sklearn printed %d scores for %d pairs:\n%s", len(lines), len(pairs), out.String())
	}
	for k, p := range pairs {
		want, err := strconv.ParseFloat(lines[k], 64)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-18s Go %.4f  sklearn %.4f  difference %+.4f  (Bayes %.4f)", p.name, got[k], want, got[k]-want, p.bayes)
		if math.Abs(got[k]-want) > tol {
			t.Errorf("%s: Go C2ST %v, sklearn %v: differ by more than %v", p.name, got[k], want, tol)
		}
	}
}

// writeCSV writes m as comma-separated rows with full float64 precision.
func writeCSV(path string, m *mat.Dense) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	r, c := m.Dims()
	for i := range r {
		for j := range c {
			if j > 0 {
				w.WriteByte(',')
			}
			w.WriteString(strconv.FormatFloat(m.At(i, j), 'g', -1, 64))
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
