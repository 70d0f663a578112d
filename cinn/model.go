// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Model is a conditional invertible neural network together with its
// pre-processing, optimiser state and training history.
//
// A Model may be used by several goroutines for Sample, LogProb, Forward and
// Inverse at once; Train, ReadFrom and Load mutate it and must not run
// concurrently with anything else on the same Model.
type Model struct {
	cfg     Config
	spec    Spec
	arch    *arch
	perms   [][]int
	params  []float32
	prep    prep
	actInit bool // ActNorm has had its data-dependent initialisation
	opt     adam
	history []Epoch
	last    *TrainSettings // settings of the most recent Train call
	scr     *trainScratch  // reused by the training steps; nil until then
}

// prep is the standardisation fitted on the first training set, applied
// after the per-column transforms.
type prep struct {
	Fitted bool      `json:"fitted"`
	XMean  []float64 `json:"xMean"`
	XStd   []float64 `json:"xStd"`
	YMean  []float64 `json:"yMean"`
	YStd   []float64 `json:"yStd"`
	// XMin and XMax are the range of each parameter in the first training
	// set, in physical units (absent in files written before they were
	// kept).
	XMin []float64 `json:"xMin,omitempty"`
	XMax []float64 `json:"xMax,omitempty"`
}

// adam is the optimiser state: first and second moments per parameter and
// the number of steps taken.
type adam struct {
	m, v []float32
	step int64
}

// NewModel returns an untrained model. Zero fields of cfg take the
// documented defaults; spec may be the zero Spec. Invalid configurations
// return an error saying which field to change.
func NewModel(cfg Config, spec Spec) (*Model, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	sp, err := spec.normalise(cfg.DimX, cfg.DimY)
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, spec: sp}
	const stream = 0x9e3779b97f4a7c15
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), stream))
	D := cfg.flowDim()
	for k := 0; k < cfg.Blocks; k++ {
		m.perms = append(m.perms, rng.Perm(D))
	}
	// The weights below follow Seed's random permutations in rng whatever
	// the permutations used, so that PermSeed and Permute change the
	// permutations alone.
	if cfg.PermSeed != 0 || cfg.Permute == PermuteBalanced {
		seed := cfg.Seed
		if cfg.PermSeed != 0 {
			seed = cfg.PermSeed
		}
		if cfg.Permute == PermuteBalanced {
			m.perms = balancedPerms(D, cfg.Blocks, rand.New(rand.NewPCG(uint64(seed), balancedStream)))
		} else {
			prng := rand.New(rand.NewPCG(uint64(seed), stream))
			for k := range m.perms {
				m.perms[k] = prng.Perm(D)
			}
		}
	}
	m.build()
	for i := range m.params {
		m.params[i] = float32(cfg.InitScale * rng.NormFloat64())
	}
	// ActNorm starts as the identity until its data-dependent
	// initialisation on the first training batch, and the learned mixing
	// as the identity or a rotation (its parameters follow every other, so
	// the weights drawn before them are those without it).
	for _, b := range m.arch.blocks {
		if b.actLogS >= 0 {
			clear(m.params[b.actLogS : b.actLogS+2*D])
		}
		if b.mix >= 0 {
			clear(m.params[b.mix : b.mix+D*D])
		}
	}
	if cfg.MixInit == MixRotation {
		mrng := rand.New(rand.NewPCG(uint64(cfg.Seed), mixStream))
		for _, b := range m.arch.blocks {
			rotationLU(m.params[b.mix:b.mix+D*D], D, mrng)
		}
	}
	return m, nil
}

// mixStream is the PCG stream of MixRotation's draws.
const mixStream = 0xbb67ae8584caa73b

// rotationLU writes into m (D×D, the layout of the learned mixing: L below
// the diagonal, U above, s on it) a random rotation W = L·(U + diag(exp(s)))
// drawn from rng. Q, orthogonal and uniformly distributed, is the Q of a
// Gaussian matrix's QR with R's diagonal made positive; partial pivoting
// factors Q = P·L·U' with |L_ij| ≤ 1, so PᵀQ = L·U' is orthogonal too and
// factors without pivoting; multiplying its columns by the signs of U's
// diagonal (still orthogonal) makes that diagonal positive, exp(s).
func rotationLU(m []float32, D int, rng *rand.Rand) {
	g := mat.NewDense(D, D, nil)
	for i := 0; i < D; i++ {
		for j := 0; j < D; j++ {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := 0; j < D; j++ {
		if r.At(j, j) < 0 {
			for i := 0; i < D; i++ {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	var lu mat.LU
	lu.Factorize(&q)
	var l mat.TriDense
	var u mat.TriDense
	lu.LTo(&l)
	lu.UTo(&u)
	for j := 0; j < D; j++ {
		sign := math.Copysign(1, u.At(j, j))
		for i := 0; i < D; i++ {
			switch {
			case i > j:
				m[i*D+j] = float32(l.At(i, j))
			case i < j:
				m[i*D+j] = float32(sign * u.At(i, j))
			default:
				m[i*D+j] = float32(math.Log(math.Abs(u.At(j, j))))
			}
		}
	}
}

// build lays out the architecture and allocates the parameters.
func (m *Model) build() {
	m.arch = newArch(m.cfg, m.perms)
	m.params = make([]float32, m.arch.nparams)
}

// Config returns the model's configuration with defaults filled in.
func (m *Model) Config() Config {
	c := m.cfg
	c.CondNet = append([]int(nil), c.CondNet...)
	return c
}

// Spec returns the column names and transforms.
func (m *Model) Spec() Spec { return m.spec.clone() }

// TrainingRange returns the smallest and largest value of each parameter
// in the training set the standardisation was fitted on, in physical
// units, or nil slices for an untrained model or one loaded from a file
// that predates the range. Samples far outside it are extrapolations.
func (m *Model) TrainingRange() (lo, hi []float64) {
	if len(m.prep.XMin) != m.cfg.DimX || len(m.prep.XMax) != m.cfg.DimX {
		return nil, nil
	}
	return append([]float64(nil), m.prep.XMin...), append([]float64(nil), m.prep.XMax...)
}

// History returns one entry per completed training epoch.
func (m *Model) History() []Epoch { return append([]Epoch(nil), m.history...) }

// NumParams returns the number of trainable parameters.
func (m *Model) NumParams() int { return len(m.params) }

// FlowDim returns the dimension the flow acts on: DimX, or 2 when DimX is 1.
func (m *Model) FlowDim() int { return m.arch.dim }

// Trained reports whether the pre-processing has been fitted, that is
// whether Train has run at least once.
func (m *Model) Trained() bool { return m.prep.Fitted }

// LastSettings returns the settings of the most recent Train call (also
// restored by Load) and whether there was one.
func (m *Model) LastSettings() (TrainSettings, bool) {
	if m.last == nil {
		return TrainSettings{}, false
	}
	s := *m.last
	s.Noise = append([]Noise(nil), s.Noise...)
	return s, true
}

// Params returns a copy of the flat parameter vector.
func (m *Model) Params() []float32 { return append([]float32(nil), m.params...) }

// Standardization returns the fitted means and standard deviations of the
// transformed x and y columns (nil before the first Train).
func (m *Model) Standardization() (xMean, xStd, yMean, yStd []float64) {
	p := m.prep
	cp := func(s []float64) []float64 { return append([]float64(nil), s...) }
	return cp(p.XMean), cp(p.XStd), cp(p.YMean), cp(p.YStd)
}

// DataError reports an invalid value in input data. Row and Col are 0-based.
type DataError struct {
	What   string // "x", "y", "validation x", "observation y", ...
	Row    int
	Col    int
	Name   string // column name
	Value  float64
	Reason string
}

func (e *DataError) Error() string {
	return fmt.Sprintf("cinn: %s row %d, column %d (%q) is %v: %s", e.What, e.Row, e.Col, e.Name, e.Value, e.Reason)
}

// transformed applies the column transforms of ts to a, checking that every
// value is finite and inside the transform's domain.
func transformed(a *mat.Dense, ts []Transform, names []string, what string) (*mat.Dense, error) {
	r, c := a.Dims()
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := a.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &DataError{What: what, Row: i, Col: j, Name: names[j], Value: v, Reason: "remove or impute non-finite values"}
			}
			w, ok := ts[j].apply(v)
			if !ok {
				return nil, &DataError{What: what, Row: i, Col: j, Name: names[j], Value: v, Reason: ts[j].domain() + "; change the column's transform or filter the data"}
			}
			out.Set(i, j, w)
		}
	}
	return out, nil
}

// colRange returns the smallest and largest value of each column of a.
func colRange(a mat.Matrix) (lo, hi []float64) {
	r, c := a.Dims()
	lo, hi = make([]float64, c), make([]float64, c)
	for j := range c {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
		for i := range r {
			v := a.At(i, j)
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
	}
	return lo, hi
}

// meanStd returns column means and standard deviations (constant columns
// get a standard deviation of 1).
func meanStd(a *mat.Dense) (mean, std []float64) {
	r, c := a.Dims()
	mean = make([]float64, c)
	std = make([]float64, c)
	for j := 0; j < c; j++ {
		var s float64
		for i := 0; i < r; i++ {
			s += a.At(i, j)
		}
		mu := s / float64(r)
		var s2 float64
		for i := 0; i < r; i++ {
			d := a.At(i, j) - mu
			s2 += d * d
		}
		sd := math.Sqrt(s2 / float64(r))
		if !(sd > 0) {
			sd = 1
		}
		mean[j], std[j] = mu, sd
	}
	return mean, std
}

// standardised writes (t - mean)/std of the already transformed matrix t
// into a float32 row-major slice with the given row stride (extra columns
// are left untouched).
func standardised(dst []float32, stride int, t *mat.Dense, mean, std []float64) {
	r, c := t.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			dst[i*stride+j] = float32((t.At(i, j) - mean[j]) / std[j])
		}
	}
}

// checkShape panics when a has the wrong number of columns.
func checkShape(a *mat.Dense, cols int, what string) int {
	if a == nil {
		panic("cinn: nil " + what)
	}
	r, c := a.Dims()
	if c != cols {
		panic(fmt.Sprintf("cinn: %s has %d columns, the model expects %d", what, c, cols))
	}
	return r
}

// conditions returns the block condition for each row of the standardised
// observables ys (rows×DimY), rows×dimC.
func (m *Model) conditions(ys []float32, rows int) []float32 {
	a := m.arch
	if !a.hasCond() {
		return ys
	}
	hs := make([][]float32, len(a.cond.layers)-1)
	for i, l := range a.cond.layers[:len(a.cond.layers)-1] {
		hs[i] = make([]float32, rows*l.out)
	}
	out := make([]float32, rows*a.dimC)
	mlpForward(m.params, &a.cond, ys, rows, hs, out)
	return out
}

func (m *Model) checkFlowBatch(u, y []float32) int {
	D, dy := m.arch.dim, m.cfg.DimY
	if len(u)%D != 0 || len(y)%dy != 0 || len(u)/D != len(y)/dy {
		panic(fmt.Sprintf("cinn: batch shapes %d and %d do not match dims %d and %d", len(u), len(y), D, dy))
	}
	return len(u) / D
}

// Forward maps a batch of standardised parameters x (rows×FlowDim,
// row-major) conditioned on standardised observables y (rows×DimY) to the
// latent z, returning z and log|det ∂z/∂x| for each row. These are the
// flow-space quantities, after the pre-processing; Sample and LogProb work
// in physical units. Forward panics if the shapes do not match.
func (m *Model) Forward(x, y []float32) (z []float32, logDet []float64) {
	rows := m.checkFlowBatch(x, y)
	ws := newWorkspace[float32](m.arch, rows, false)
	copy(ws.xs[0], x)
	copy(ws.c, m.conditions(y, rows))
	out := flowForward(m.arch, m.params, ws, rows, false)
	return append([]float32(nil), out[:rows*m.arch.dim]...), append([]float64(nil), ws.logdet[:rows]...)
}

// Inverse maps latent z (rows×FlowDim) given standardised y back to flow
// space x, returning x and log|det ∂x/∂z| (the negative of Forward's).
func (m *Model) Inverse(z, y []float32) (x []float32, logDet []float64) {
	rows := m.checkFlowBatch(z, y)
	ws := newWorkspace[float32](m.arch, rows, false)
	copy(ws.xs[0], z)
	copy(ws.c, m.conditions(y, rows))
	out := flowInverse(m.arch, m.params, ws, rows)
	return append([]float32(nil), out[:rows*m.arch.dim]...), append([]float64(nil), ws.logdet[:rows]...)
}

// LogDet returns log|det ∂z/∂x| of Forward for each row.
func (m *Model) LogDet(x, y []float32) []float64 {
	_, ld := m.Forward(x, y)
	return ld
}

// auxNodes is the number of stratified quadrature nodes LogProb uses to
// integrate out the auxiliary dimension when DimX is 1.
const auxNodes = 64

// LogProb returns log p(x | y) in physical units for each row: the latent
// normal density, the exact flow log-determinant, the standardisation and
// the Jacobians of the column transforms. When DimX is 1 the auxiliary
// dimension is integrated out with 64 stratified normal quantiles, so the
// value is then a (very accurate for a well-trained model) estimate.
// Rows with values outside a transform's domain return a *DataError.
func (m *Model) LogProb(ctx context.Context, x, y *mat.Dense) ([]float64, error) {
	if !m.prep.Fitted {
		return nil, fmt.Errorf("cinn: the model is untrained: run Train (%%train) first")
	}
	rows := checkShape(x, m.cfg.DimX, "x")
	if ry := checkShape(y, m.cfg.DimY, "y"); ry != rows {
		panic(fmt.Sprintf("cinn: x has %d rows, y has %d", rows, ry))
	}
	tx, err := transformed(x, m.spec.XTransforms, m.spec.XNames, "x")
	if err != nil {
		return nil, err
	}
	ty, err := transformed(y, m.spec.YTransforms, m.spec.YNames, "y")
	if err != nil {
		return nil, err
	}
	D := m.arch.dim
	ys := make([]float32, rows*m.cfg.DimY)
	standardised(ys, m.cfg.DimY, ty, m.prep.YMean, m.prep.YStd)
	xs := make([]float32, rows*D)
	standardised(xs, D, tx, m.prep.XMean, m.prep.XStd)
	// Constant part: transforms and standardisation.
	base := make([]float64, rows)
	for i := 0; i < rows; i++ {
		for j := 0; j < m.cfg.DimX; j++ {
			base[i] += m.spec.XTransforms[j].logDeriv(x.At(i, j)) - math.Log(m.prep.XStd[j])
		}
	}
	logp := func(z []float32, ld []float64, i int) float64 {
		var q float64
		for _, v := range z[i*D : (i+1)*D] {
			q += float64(v) * float64(v)
		}
		return -0.5*q - 0.5*float64(D)*math.Log(2*math.Pi) + ld[i]
	}
	out := make([]float64, rows)
	if m.cfg.DimX != 1 {
		if err := context.Cause(ctx); err != nil {
			return nil, err
		}
		z, ld := m.Forward(xs, ys)
		for i := range out {
			out[i] = base[i] + logp(z, ld, i)
		}
		return out, nil
	}
	// p(x|y) = ∫ p(x,a|y) da = E_{a~N(0,1)}[p(x,a|y)/N(a)].
	terms := make([][]float64, rows)
	for k := 0; k < auxNodes; k++ {
		if err := context.Cause(ctx); err != nil {
			return nil, err
		}
		a := distuv.UnitNormal.Quantile((float64(k) + 0.5) / auxNodes)
		for i := 0; i < rows; i++ {
			xs[i*D+1] = float32(a)
		}
		z, ld := m.Forward(xs, ys)
		la := -0.5*a*a - 0.5*math.Log(2*math.Pi)
		for i := 0; i < rows; i++ {
			terms[i] = append(terms[i], logp(z, ld, i)-la)
		}
	}
	for i := range out {
		mx := math.Inf(-1)
		for _, t := range terms[i] {
			mx = max(mx, t)
		}
		var s float64
		for _, t := range terms[i] {
			s += math.Exp(t - mx)
		}
		out[i] = base[i] + mx + math.Log(s/auxNodes)
	}
	return out, nil
}

// String returns a one-paragraph description of the architecture, the
// columns and the training state, for display (for example by %model).
func (m *Model) String() string {
	c := m.cfg
	var b strings.Builder
	fmt.Fprintf(&b, "cINN: %d GLOW coupling blocks, subnets %d×%d ReLU, clamp %g", c.Blocks, c.Layers, c.Hidden, c.Clamp)
	if c.ActNorm {
		b.WriteString(", ActNorm")
	}
	if c.LinearMix {
		b.WriteString(", learned linear mixing")
		if c.MixInit == MixRotation {
			b.WriteString(" from random rotations")
		}
	}
	if len(c.CondNet) > 0 {
		ws := make([]string, len(c.CondNet))
		for i, w := range c.CondNet {
			ws[i] = strconv.Itoa(w)
		}
		fmt.Fprintf(&b, ", conditioning network %s", strings.Join(ws, "-"))
	}
	fmt.Fprintf(&b, "; %d parameters\n", len(m.params))
	col := func(names []string, ts []Transform) string {
		parts := make([]string, len(names))
		for i, n := range names {
			switch ts[i].Kind {
			case Identity:
				parts[i] = n
			case Log10:
				parts[i] = "log10(" + n + ")"
			case Bounded:
				parts[i] = fmt.Sprintf("logit(%s in (%g, %g))", n, ts[i].Lo, ts[i].Hi)
			case Probit:
				parts[i] = fmt.Sprintf("probit(%s in (%g, %g))", n, ts[i].Lo, ts[i].Hi)
			}
		}
		return strings.Join(parts, ", ")
	}
	fmt.Fprintf(&b, "x (%d): %s\n", c.DimX, col(m.spec.XNames, m.spec.XTransforms))
	fmt.Fprintf(&b, "y (%d): %s\n", c.DimY, col(m.spec.YNames, m.spec.YTransforms))
	if c.DimX == 1 {
		b.WriteString("flow dimension 2 (one auxiliary normal dimension)\n")
	}
	if n := len(m.history); n > 0 {
		e := m.history[n-1]
		fmt.Fprintf(&b, "trained %d epochs, %d Adam steps; last train loss %.4f", n, m.opt.step, e.TrainLoss)
		if !math.IsNaN(e.ValLoss) {
			fmt.Fprintf(&b, ", validation loss %.4f", e.ValLoss)
		}
		b.WriteString("\n")
	} else {
		b.WriteString("untrained\n")
	}
	return b.String()
}

// Clone returns a deep copy of m (weights, optimiser state, pre-processing
// and history), for example to train a candidate while keeping the
// original.
func (m *Model) Clone() *Model {
	c := *m
	c.scr = nil // the clone trains with scratch of its own
	c.cfg = m.Config()
	c.spec = m.spec.clone()
	c.perms = make([][]int, len(m.perms))
	for i, p := range m.perms {
		c.perms[i] = append([]int(nil), p...)
	}
	c.build()
	copy(c.params, m.params)
	cp := func(s []float64) []float64 { return append([]float64(nil), s...) }
	c.prep = prep{Fitted: m.prep.Fitted, XMean: cp(m.prep.XMean), XStd: cp(m.prep.XStd), YMean: cp(m.prep.YMean), YStd: cp(m.prep.YStd),
		XMin: cp(m.prep.XMin), XMax: cp(m.prep.XMax)}
	if m.opt.m != nil {
		c.opt = adam{m: append([]float32(nil), m.opt.m...), v: append([]float32(nil), m.opt.v...), step: m.opt.step}
	}
	c.history = m.History()
	if m.last != nil {
		s, _ := m.LastSettings()
		c.last = &s
	}
	return &c
}
