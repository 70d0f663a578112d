// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn/internal/threads"
)

// C2STSettings configures C2STWith. The zero value, apart from Seed, gives
// sbibm's recipe (Lueckmann et al. 2021, sbibm/metrics/c2st.py).
type C2STSettings struct {
	// Seed seeds the fold assignment and the classifier (sbibm uses 1).
	Seed int64
	// Folds is the number of cross-validation folds; zero means 5.
	Folds int
	// MaxIter bounds the training epochs per fold; zero means 10,000.
	MaxIter int
	// Hidden is the width of both hidden layers; zero means 10·dim.
	Hidden int
	// NoZScore disables the standardisation of both sets with the
	// reference's mean and standard deviation.
	NoZScore bool
}

// C2STResult is the outcome of C2STWith.
type C2STResult struct {
	Accuracy float64   // mean held-out accuracy over the folds: the C2ST score
	Folds    []float64 // held-out accuracy of each fold
	Epochs   []int     // epochs trained in each fold
}

// C2ST returns the classifier two-sample test score of other against
// reference exactly as sbibm defines it: the mean held-out accuracy of a
// multi-layer perceptron trained to tell the two sets apart, with 5-fold
// shuffled cross-validation. 0.5 means indistinguishable, 1 means fully
// separable. See the package documentation for the details of the recipe,
// which follows scikit-learn's MLPClassifier with sbibm's settings.
//
// C2ST returns a *ShapeError if the sets differ in their number of columns
// or are too small, a *NonFiniteError for NaN or ±Inf values, an error if a
// column of the reference is constant, and the context's cause when ctx is
// cancelled (checked after every epoch). It panics if a matrix is nil or
// empty.
func C2ST(ctx context.Context, reference, other *mat.Dense, seed int64) (float64, error) {
	r, err := C2STWith(ctx, reference, other, C2STSettings{Seed: seed})
	return r.Accuracy, err
}

// C2STWith is C2ST with settings. The folds are trained concurrently, each
// with its own random stream, so the result does not depend on GOMAXPROCS.
func C2STWith(ctx context.Context, reference, other *mat.Dense, s C2STSettings) (C2STResult, error) {
	if reference == nil || other == nil || reference.IsEmpty() || other.IsEmpty() {
		panic("diagnostics: nil or empty C2ST samples")
	}
	if s.Folds < 0 || s.MaxIter < 0 || s.Hidden < 0 {
		panic("diagnostics: negative C2STSettings field")
	}
	folds := s.Folds
	if folds == 0 {
		folds = 5
	}
	if folds < 2 {
		panic("diagnostics: C2ST needs at least 2 folds")
	}
	maxIter := s.MaxIter
	if maxIter == 0 {
		maxIter = 10000
	}
	nr, d := reference.Dims()
	no, d2 := other.Dims()
	if d != d2 {
		return C2STResult{}, &ShapeError{fmt.Sprintf("C2ST: reference has %d columns but the other set has %d; compare the same parameters", d, d2)}
	}
	if nr < 2 {
		return C2STResult{}, &ShapeError{fmt.Sprintf("C2ST: the reference has %d row; at least 2 are needed for its standard deviation", nr)}
	}
	n := nr + no
	if n < folds {
		return C2STResult{}, &ShapeError{fmt.Sprintf("C2ST: %d samples in all for %d folds", n, folds)}
	}
	for k, m := range []*mat.Dense{reference, other} {
		if err := CheckFinite(m, -1); err != nil {
			err.(*NonFiniteError).What = [...]string{"reference", "other"}[k]
			return C2STResult{}, err
		}
	}
	hidden := s.Hidden
	if hidden == 0 {
		hidden = 10 * d
	}

	// Data: reference rows labelled 0, then other rows labelled 1, z-scored
	// with the reference's mean and standard deviation (n-1 denominator,
	// as torch.std).
	x := make([]float64, n*d)
	y := make([]float64, n)
	for i := range nr {
		for j := range d {
			x[i*d+j] = reference.At(i, j)
		}
	}
	for i := range no {
		for j := range d {
			x[(nr+i)*d+j] = other.At(i, j)
		}
		y[nr+i] = 1
	}
	if !s.NoZScore {
		col := make([]float64, nr)
		for j := range d {
			for i := range nr {
				col[i] = x[i*d+j]
			}
			mean, std := meanStd(col)
			if !(std > 0) {
				return C2STResult{}, fmt.Errorf("diagnostics: C2ST: column %d of the reference is constant (%v), so it cannot be z-scored; drop that column or use C2STSettings.NoZScore", j, mean)
			}
			for i := range n {
				x[i*d+j] = (x[i*d+j] - mean) / std
			}
		}
	}

	// KFold(n_splits=folds, shuffle=True): a random permutation cut into
	// consecutive folds, the first n%folds of them one longer.
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	krng := rand.New(rand.NewPCG(uint64(s.Seed), 0x6b666f6c64)) // "kfold"
	krng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })

	res := C2STResult{Folds: make([]float64, folds), Epochs: make([]int, folds)}
	errs := make([]error, folds)
	sem := make(chan struct{}, threads.N())
	var wg sync.WaitGroup
	start := 0
	for f := range folds {
		size := n / folds
		if f < n%folds {
			size++
		}
		test := perm[start : start+size]
		start += size
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			inTest := make([]bool, n)
			for _, i := range test {
				inTest[i] = true
			}
			train := make([]int, 0, n-len(test))
			for i := range n {
				if !inTest[i] {
					train = append(train, i)
				}
			}
			// Every fold's classifier starts from the same seed, as
			// sklearn's clones of one estimator with random_state=seed.
			rng := rand.New(rand.NewPCG(uint64(s.Seed), 0x6d6c70)) // "mlp"
			net := newMLP([]int{d, hidden, hidden, 1}, rng)
			epochs, err := net.fit(ctx, x, y, train, maxIter, rng)
			if err != nil {
				errs[f] = err
				return
			}
			res.Epochs[f] = epochs
			res.Folds[f] = net.accuracy(x, y, test)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return C2STResult{}, err
		}
	}
	for _, a := range res.Folds {
		res.Accuracy += a
	}
	res.Accuracy /= float64(folds)
	return res, nil
}

// MLPClassifier defaults of scikit-learn.
const (
	mlpLearningRate = 1e-3
	mlpBeta1        = 0.9
	mlpBeta2        = 0.999
	mlpEpsilon      = 1e-8
	mlpAlpha        = 1e-4 // L2 penalty
	mlpBatch        = 200
	mlpTol          = 1e-4
	mlpNoChange     = 10
)

// mlp is a binary classifier: ReLU hidden layers and a logistic output,
// trained on the log-loss with an L2 penalty by Adam, as scikit-learn's
// MLPClassifier(solver="adam").
type mlp struct {
	sizes []int
	w, b  [][]float64 // w[l] is sizes[l]×sizes[l+1], row-major; b[l] has sizes[l+1]
	// Adam moments, in the same layout.
	mw, vw, mb, vb [][]float64
	t              int
	// Scratch for one batch.
	act, delta [][]float64
	gw, gb     [][]float64
	tr         []float64 // transposes
	idx        []int     // gemmNN scratch
}

// growBuf returns buf with length n, reallocated if too small.
func growBuf(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}

func newMLP(sizes []int, rng *rand.Rand) *mlp {
	nl := len(sizes) - 1
	m := &mlp{sizes: sizes}
	for l := range nl {
		fi, fo := sizes[l], sizes[l+1]
		// Glorot uniform, factor 6 for ReLU networks (sklearn _init_coef),
		// weights first, then intercepts.
		bound := math.Sqrt(6 / float64(fi+fo))
		w := make([]float64, fi*fo)
		for i := range w {
			w[i] = -bound + 2*bound*rng.Float64()
		}
		b := make([]float64, fo)
		for i := range b {
			b[i] = -bound + 2*bound*rng.Float64()
		}
		m.w = append(m.w, w)
		m.b = append(m.b, b)
		m.mw = append(m.mw, make([]float64, fi*fo))
		m.vw = append(m.vw, make([]float64, fi*fo))
		m.gw = append(m.gw, make([]float64, fi*fo))
		m.mb = append(m.mb, make([]float64, fo))
		m.vb = append(m.vb, make([]float64, fo))
		m.gb = append(m.gb, make([]float64, fo))
	}
	return m
}

// ensure sizes the batch scratch for nb rows.
func (m *mlp) ensure(nb int) {
	if len(m.act) > 0 && len(m.act[0]) >= nb*m.sizes[0] {
		return
	}
	m.act = m.act[:0]
	m.delta = m.delta[:0]
	for l, s := range m.sizes {
		m.act = append(m.act, make([]float64, nb*s))
		if l > 0 {
			m.delta = append(m.delta, make([]float64, nb*s))
		}
	}
}

// forward fills m.act for the nb rows already in m.act[0].
func (m *mlp) forward(nb int) {
	nl := len(m.sizes) - 1
	for l := range nl {
		fi, fo := m.sizes[l], m.sizes[l+1]
		out := m.act[l+1][:nb*fo]
		for i := range nb {
			copy(out[i*fo:(i+1)*fo], m.b[l])
		}
		m.idx = gemmNN(nb, fo, fi, m.act[l], fi, m.w[l], fo, out, fo, m.idx)
		if l < nl-1 {
			relu(out)
		} else {
			for j, v := range out {
				out[j] = 1 / (1 + math.Exp(-v))
			}
		}
	}
}

// step trains on one batch of rows of x and returns its loss.
func (m *mlp) step(x, y []float64, rows []int) float64 {
	nb := len(rows)
	d := m.sizes[0]
	m.ensure(nb)
	for r, i := range rows {
		copy(m.act[0][r*d:(r+1)*d], x[i*d:(i+1)*d])
	}
	m.forward(nb)
	nl := len(m.sizes) - 1
	fnb := float64(nb)

	// Binary log-loss with probabilities clipped to [ε, 1-ε] (float64 ε),
	// plus (α/2)·Σ‖W‖²/nb.
	const eps = 0x1p-52
	p := m.act[nl]
	var loss float64
	for r, i := range rows {
		q := math.Min(math.Max(p[r], eps), 1-eps)
		if y[i] == 1 {
			loss -= math.Log(q)
		} else {
			loss -= math.Log(1 - q)
		}
	}
	loss /= fnb
	var ss float64
	for _, w := range m.w {
		for _, v := range w {
			ss += v * v
		}
	}
	loss += 0.5 * mlpAlpha * ss / fnb

	// Backward: the output delta of the logistic/log-loss pair is p - y.
	dl := m.delta[nl-1]
	for r, i := range rows {
		dl[r] = p[r] - y[i]
	}
	for l := nl - 1; l >= 0; l-- {
		fi, fo := m.sizes[l], m.sizes[l+1]
		in, dlt, w := m.act[l], m.delta[l], m.w[l]
		gw, gb := m.gw[l], m.gb[l]
		// gW = (actᵀ·delta + α·W)/nb, gb = Σ delta/nb.
		m.tr = growBuf(m.tr, nb*fi)
		at := transpose(m.tr, in, nb, fi)
		clear(gw)
		m.idx = gemmNN(fi, fo, nb, at, nb, dlt, fo, gw, fo, m.idx)
		for k := range gw {
			gw[k] = (gw[k] + mlpAlpha*w[k]) / fnb
		}
		clear(gb)
		for r := range nb {
			for j, v := range dlt[r*fo : (r+1)*fo] {
				gb[j] += v
			}
		}
		for j := range gb {
			gb[j] /= fnb
		}
		if l > 0 {
			// delta[l-1] = (delta[l]·Wᵀ) ⊙ [act[l] > 0].
			prev := m.delta[l-1][:nb*fi]
			m.tr = growBuf(m.tr, fi*fo)
			wt := transpose(m.tr, w, fi, fo)
			clear(prev)
			m.idx = gemmNN(nb, fi, fo, dlt, fo, wt, fi, prev, fi, m.idx)
			reluMask(prev, in[:nb*fi])
		}
	}

	// Adam.
	m.t++
	lr := mlpLearningRate * math.Sqrt(1-math.Pow(mlpBeta2, float64(m.t))) / (1 - math.Pow(mlpBeta1, float64(m.t)))
	for l := range nl {
		adam(m.w[l], m.gw[l], m.mw[l], m.vw[l], lr)
		adam(m.b[l], m.gb[l], m.mb[l], m.vb[l], lr)
	}
	return loss
}

func adam(p, g, mo, vo []float64, lr float64) {
	for i, gi := range g {
		mo[i] = mlpBeta1*mo[i] + (1-mlpBeta1)*gi
		vo[i] = mlpBeta2*vo[i] + (1-mlpBeta2)*gi*gi
		p[i] -= lr * mo[i] / (math.Sqrt(vo[i]) + mlpEpsilon)
	}
}

// fit trains on the rows train of x for at most maxIter epochs and returns
// the number of epochs run. Training stops, as sklearn's with
// early_stopping=False, once the epoch loss has failed to drop below the
// best loss minus tol for more than n_iter_no_change epochs in a row.
func (m *mlp) fit(ctx context.Context, x, y []float64, train []int, maxIter int, rng *rand.Rand) (int, error) {
	n := len(train)
	bs := min(mlpBatch, n)
	idx := make([]int, n)
	copy(idx, train)
	best := math.Inf(1)
	noImprove := 0
	for epoch := 1; epoch <= maxIter; epoch++ {
		if err := context.Cause(ctx); err != nil {
			return epoch - 1, err
		}
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		var acc float64
		for s := 0; s < n; s += bs {
			e := min(s+bs, n)
			acc += m.step(x, y, idx[s:e]) * float64(e-s)
		}
		loss := acc / float64(n)
		if math.IsNaN(loss) {
			return epoch, fmt.Errorf("diagnostics: C2ST classifier loss is NaN at epoch %d; the samples probably hold extreme values far from the reference (check both sets for outliers)", epoch)
		}
		if loss > best-mlpTol {
			noImprove++
		} else {
			noImprove = 0
		}
		if loss < best {
			best = loss
		}
		if noImprove > mlpNoChange {
			return epoch, nil
		}
	}
	return maxIter, nil
}

// accuracy returns the fraction of rows test whose predicted class
// (probability of class 1 above 0.5) equals the label.
func (m *mlp) accuracy(x, y []float64, test []int) float64 {
	const chunk = 256
	d := m.sizes[0]
	nl := len(m.sizes) - 1
	m.ensure(chunk)
	correct := 0
	for s := 0; s < len(test); s += chunk {
		rows := test[s:min(s+chunk, len(test))]
		for r, i := range rows {
			copy(m.act[0][r*d:(r+1)*d], x[i*d:(i+1)*d])
		}
		m.forward(len(rows))
		for r, i := range rows {
			pred := 0.0
			if m.act[nl][r] > 0.5 {
				pred = 1
			}
			if pred == y[i] {
				correct++
			}
		}
	}
	return float64(correct) / float64(len(test))
}
