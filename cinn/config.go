// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"encoding/json"
	"fmt"
	"math"
)

// Defaults used for zero fields of Config (those of Ksoll et al. 2020 and
// Kang et al. 2022).
const (
	DefaultBlocks    = 8
	DefaultHidden    = 256
	DefaultLayers    = 3
	DefaultClamp     = 2.0
	DefaultInitScale = 0.03
	DefaultBins      = 8   // spline bins (spline and mixed couplings); see ForRows
	DefaultTailBound = 5.0 // spline interval [-B, B] (spline and mixed couplings)
	// DefaultBinsLarge is the spline bins of a network trained on at least
	// LargeTrainingRows rows (Config.ForRows). Sixteen bins on [-5, 5] are
	// about as wide as sbi's ten on [-3, 3].
	DefaultBinsLarge = 16
	// LargeTrainingRows is where the default spline bins go from
	// DefaultBins to DefaultBinsLarge. On the sbibm tasks 16 bins were
	// better at 90,000 training rows (10^5 simulations), a wash at 9,000
	// and worse at 900 (docs/validation.md, section 2).
	LargeTrainingRows = 10000
	// DefaultCoupling is MixedCoupling: of the three, it came closest to
	// the published posteriors of the sbibm benchmark and the isochrones
	// without tuning (docs/validation.md). AffineCoupling is the seed
	// papers' network.
	DefaultCoupling = MixedCoupling
)

// Coupling kinds for Config.Coupling.
const (
	AffineCoupling = "affine" // GLOW affine coupling, as the seed papers
	SplineCoupling = "spline" // rational-quadratic spline coupling
	MixedCoupling  = "mixed"  // affine and spline blocks in turn, affine first
)

// UsesSplines says whether any block is a spline coupling, so that Bins
// and TailBound apply.
func (c Config) UsesSplines() bool {
	return c.Coupling == SplineCoupling || c.Coupling == MixedCoupling
}

// blockSpline says whether block k (from the parameter side) is a spline
// coupling.
func (c Config) blockSpline(k int) bool {
	return c.Coupling == SplineCoupling || c.Coupling == MixedCoupling && k%2 == 1
}

// Config describes the architecture of a cINN. Zero values of Blocks,
// Hidden, Layers, Clamp and InitScale select the documented defaults.
type Config struct {
	DimX int `json:"dimX"` // number of parameters x (≥ 1)
	DimY int `json:"dimY"` // number of observables y (≥ 1)

	Blocks int     `json:"blocks"` // coupling blocks, default 8
	Hidden int     `json:"hidden"` // width of the subnet hidden layers, default 256
	Layers int     `json:"layers"` // hidden layers per subnet, default 3
	Clamp  float64 `json:"clamp"`  // soft clamp of the log-scales, default 2

	// CondNet lists the layer widths of an optional conditioning MLP on
	// the standardised y, trained jointly with the flow; its output (the
	// last width) feeds every block. Nil means the blocks see y itself.
	// The astrophysical cINNs use {512, 512, 256}.
	CondNet []int `json:"condNet,omitempty"`

	// ActNorm adds an affine normalisation with data-dependent
	// initialisation after every coupling block.
	ActNorm bool `json:"actNorm,omitempty"`

	// Coupling selects the transform of the coupling blocks: empty means
	// DefaultCoupling (NewModel stores the kind it chose, and a model file
	// written before the default changed, with none stored, is affine).
	// AffineCoupling is the seed papers' GLOW block; SplineCoupling is a
	// monotonic rational-quadratic spline per dimension (Durkan et al.
	// 2019, the neural spline flows of sbibm's NPE) with Bins bins on
	// [-TailBound, TailBound] and the identity outside. Splines fit skewed
	// and multi-modal conditionals that affine couplings cannot.
	// MixedCoupling alternates the two, affine first on the parameter side
	// (so that sampling ends with an affine block): the affine blocks place
	// and scale a narrow posterior for each condition, the splines shape it.
	Coupling  string  `json:"coupling,omitempty"`
	Bins      int     `json:"bins,omitempty"`      // spline bins, default 8 (or ForRows)
	TailBound float64 `json:"tailBound,omitempty"` // spline interval half-width, default 5

	// InitScale is the standard deviation of the normal distribution from
	// which every weight and bias is drawn, default 0.03.
	InitScale float64 `json:"initScale"`

	// Seed seeds the weight initialisation and the fixed permutations.
	Seed int64 `json:"seed"`
	// PermSeed, when not zero, seeds the fixed permutations instead of
	// Seed; the weights stay those of Seed. It tells apart what the
	// permutations and the initial weights do to a trained network.
	PermSeed int64 `json:"permSeed,omitempty"`
	// Permute is the design of the fixed permutations: PermuteRandom
	// (empty means random) or PermuteBalanced. Either way the initial
	// weights are those of Seed.
	Permute string `json:"permute,omitempty"`

	// LinearMix follows every block's fixed permutation with a learned
	// invertible linear map of the dimensions, W = L·(U + diag(exp(s)))
	// with L unit lower-triangular and U strictly upper-triangular (GLOW's
	// invertible 1×1 convolution in its LU form, Kingma & Dhariwal 2018).
	// It adds Σs to log|det J|. It starts as the identity (unless
	// MixInit says otherwise), so an untrained network is the one without
	// it.
	LinearMix bool `json:"linearMix,omitempty"`
	// MixInit is how the learned mixing starts: MixIdentity (empty means
	// identity) or MixRotation, a random rotation per block drawn from
	// Seed (GLOW's initialisation), so that the mixing starts far from
	// the fixed permutations. It needs LinearMix.
	MixInit string `json:"mixInit,omitempty"`
}

// Initialisations of the learned mixing for Config.MixInit.
const (
	MixIdentity = "identity" // the identity: the network without mixing
	MixRotation = "rotation" // a random rotation per block (GLOW)
)

// DefaultBinsFor returns the default spline bins of a network trained on
// rows training rows: DefaultBins below LargeTrainingRows and
// DefaultBinsLarge from there. More bins fit finer shapes with enough data
// and overfit with little.
func DefaultBinsFor(rows int) int {
	if rows >= LargeTrainingRows {
		return DefaultBinsLarge
	}
	return DefaultBins
}

// ForRows returns c with Bins set to DefaultBinsFor(rows) when it is zero
// and the network has spline blocks, for a network that will be trained on
// rows training rows. NewModel, which does not know the data, uses
// DefaultBins for a zero Bins.
func (c Config) ForRows(rows int) Config {
	if c.Bins == 0 && c.withDefaults().UsesSplines() {
		c.Bins = DefaultBinsFor(rows)
	}
	return c
}

// withDefaults returns c with zero fields replaced by the defaults.
func (c Config) withDefaults() Config {
	if c.Blocks == 0 {
		c.Blocks = DefaultBlocks
	}
	if c.Hidden == 0 {
		c.Hidden = DefaultHidden
	}
	if c.Layers == 0 {
		c.Layers = DefaultLayers
	}
	if c.Clamp == 0 {
		c.Clamp = DefaultClamp
	}
	if c.InitScale == 0 {
		c.InitScale = DefaultInitScale
	}
	if c.Coupling == "" {
		c.Coupling = DefaultCoupling
	}
	if c.UsesSplines() {
		if c.Bins == 0 {
			c.Bins = DefaultBins
		}
		if c.TailBound == 0 {
			c.TailBound = DefaultTailBound
		}
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.DimX < 1:
		return fmt.Errorf("cinn: DimX is %d: the model needs at least one parameter", c.DimX)
	case c.DimY < 1:
		return fmt.Errorf("cinn: DimY is %d: the model needs at least one observable", c.DimY)
	case c.Blocks < 1:
		return fmt.Errorf("cinn: Blocks is %d: use at least 1 coupling block", c.Blocks)
	case c.Hidden < 1:
		return fmt.Errorf("cinn: Hidden is %d: subnet width must be positive", c.Hidden)
	case c.Layers < 1:
		return fmt.Errorf("cinn: Layers is %d: subnets need at least one hidden layer", c.Layers)
	case !(c.Clamp > 0) || math.IsInf(c.Clamp, 0):
		return fmt.Errorf("cinn: Clamp is %v: it must be positive and finite", c.Clamp)
	case !(c.InitScale > 0) || math.IsInf(c.InitScale, 0):
		return fmt.Errorf("cinn: InitScale is %v: it must be positive and finite", c.InitScale)
	case c.Coupling != "" && c.Coupling != AffineCoupling && c.Coupling != SplineCoupling && c.Coupling != MixedCoupling:
		return fmt.Errorf("cinn: Coupling is %q: use %q, %q or %q", c.Coupling, AffineCoupling, SplineCoupling, MixedCoupling)
	case c.Permute != "" && c.Permute != PermuteRandom && c.Permute != PermuteBalanced:
		return fmt.Errorf("cinn: Permute is %q: use %q or %q", c.Permute, PermuteRandom, PermuteBalanced)
	case c.MixInit != "" && c.MixInit != MixIdentity && c.MixInit != MixRotation:
		return fmt.Errorf("cinn: MixInit is %q: use %q or %q", c.MixInit, MixIdentity, MixRotation)
	case c.MixInit == MixRotation && !c.LinearMix:
		return fmt.Errorf("cinn: MixInit is %q without LinearMix: set LinearMix to learn a mixing", c.MixInit)
	case c.UsesSplines() && (c.Bins < 2 || c.Bins > MaxBins):
		return fmt.Errorf("cinn: Bins is %d: a spline needs 2 to %d bins", c.Bins, MaxBins)
	case c.UsesSplines() && (!(c.TailBound > 0) || math.IsInf(c.TailBound, 0)):
		return fmt.Errorf("cinn: TailBound is %v: it must be positive and finite", c.TailBound)
	}
	for i, w := range c.CondNet {
		if w < 1 {
			return fmt.Errorf("cinn: CondNet[%d] is %d: layer widths must be positive", i, w)
		}
	}
	return nil
}

// flowDim is the dimension the flow acts on: DimX, or 2 when DimX is 1 (one
// auxiliary standard-normal dimension is appended; see the package
// documentation).
func (c Config) flowDim() int {
	if c.DimX == 1 {
		return 2
	}
	return c.DimX
}

// TransformKind selects a per-column pre-processing transform.
type TransformKind int

const (
	Identity TransformKind = iota // v
	Log10                         // log10(v), v > 0
	Bounded                       // logit((v-Lo)/(Hi-Lo)), Lo < v < Hi
	Probit                        // Φ⁻¹((v-Lo)/(Hi-Lo)), Lo < v < Hi
)

var kindNames = [...]string{Identity: "identity", Log10: "log10", Bounded: "bounded", Probit: "probit"}

func (k TransformKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("TransformKind(%d)", int(k))
}

// MarshalText implements encoding.TextMarshaler.
func (k TransformKind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("cinn: unknown transform kind %d", int(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *TransformKind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if string(b) == n {
			*k = TransformKind(i)
			return nil
		}
	}
	return fmt.Errorf("cinn: unknown transform %q (want identity, log10, bounded or probit)", b)
}

// Transform is a per-column transform applied before standardisation.
// Bounded and Probit map the open interval (Lo, Hi) onto the real line, with
// a logit and with the inverse of the standard normal CDF. Probit is the one
// to use for a parameter drawn from a uniform prior on (Lo, Hi): the prior
// becomes a standard normal, and a posterior with non-zero density at a
// bound gets Gaussian tails, which the flow's Gaussian latent space fits;
// the logit's exponential tails it fits badly (gaussian_linear_uniform at
// 10^4 simulations: KL from the true posterior 0.51 nats with Probit, 1.16
// with Bounded, 0.90 without a transform, see docs/validation.md).
type Transform struct {
	Kind TransformKind `json:"kind"`
	Lo   float64       `json:"lo,omitempty"`
	Hi   float64       `json:"hi,omitempty"`
}

func (t Transform) validate() error {
	if t.Kind < Identity || t.Kind > Probit {
		return fmt.Errorf("unknown transform kind %d", int(t.Kind))
	}
	if t.bounded() && !(t.Lo < t.Hi && !math.IsInf(t.Lo, 0) && !math.IsInf(t.Hi, 0)) {
		return fmt.Errorf("bounded transform needs finite Lo < Hi, have (%v, %v)", t.Lo, t.Hi)
	}
	return nil
}

// apply maps a physical value to the transformed space; ok is false when v
// lies outside the transform's domain.
func (t Transform) apply(v float64) (float64, bool) {
	switch t.Kind {
	case Log10:
		if !(v > 0) {
			return 0, false
		}
		return math.Log10(v), true
	case Bounded:
		u := (v - t.Lo) / (t.Hi - t.Lo)
		if !(u > 0 && u < 1) {
			return 0, false
		}
		return math.Log(u / (1 - u)), true
	case Probit:
		u := (v - t.Lo) / (t.Hi - t.Lo)
		if !(u > 0 && u < 1) {
			return 0, false
		}
		return -math.Sqrt2 * math.Erfcinv(2*u), true
	}
	return v, true
}

// InDomain reports whether v lies in the domain of t: any value for
// Identity, values > 0 for Log10, values strictly inside (Lo, Hi) for
// Bounded and Probit.
func (t Transform) InDomain(v float64) bool {
	_, ok := t.apply(v)
	return ok
}

// bounded reports whether t maps a bounded interval to the real line.
func (t Transform) bounded() bool { return t.Kind == Bounded || t.Kind == Probit }

// invert maps a transformed value back to physical units.
func (t Transform) invert(w float64) float64 {
	switch t.Kind {
	case Log10:
		return math.Pow(10, w)
	case Bounded:
		// logistic, written to avoid overflow for large |w|.
		var u float64
		if w >= 0 {
			u = 1 / (1 + math.Exp(-w))
		} else {
			e := math.Exp(w)
			u = e / (1 + e)
		}
		return t.Lo + (t.Hi-t.Lo)*u
	case Probit:
		return t.Lo + (t.Hi-t.Lo)*0.5*math.Erfc(-w/math.Sqrt2)
	}
	return w
}

// logDeriv returns log|dT/dv| at the physical value v.
func (t Transform) logDeriv(v float64) float64 {
	switch t.Kind {
	case Log10:
		return -math.Log(v * math.Ln10)
	case Bounded:
		w := t.Hi - t.Lo
		u := (v - t.Lo) / w
		return -math.Log(w * u * (1 - u))
	case Probit:
		// dw/dv = 1 / ((Hi-Lo)·φ(w)).
		w, _ := t.apply(v)
		return -math.Log(t.Hi-t.Lo) + 0.5*w*w + 0.5*math.Log(2*math.Pi)
	}
	return 0
}

func (t Transform) domain() string {
	switch t.Kind {
	case Log10:
		return "log10 needs values > 0"
	case Bounded, Probit:
		return fmt.Sprintf("the bounded transform needs values strictly inside (%g, %g)", t.Lo, t.Hi)
	}
	return "identity"
}

// Spec names the columns and gives their transforms. Nil names become
// x0, x1, … and y0, y1, …; nil transforms mean identity.
type Spec struct {
	XNames      []string    `json:"xNames"`
	YNames      []string    `json:"yNames"`
	XTransforms []Transform `json:"xTransforms"`
	YTransforms []Transform `json:"yTransforms"`
}

func (s Spec) clone() Spec {
	return Spec{
		XNames:      append([]string(nil), s.XNames...),
		YNames:      append([]string(nil), s.YNames...),
		XTransforms: append([]Transform(nil), s.XTransforms...),
		YTransforms: append([]Transform(nil), s.YTransforms...),
	}
}

// normalise fills in default names and transforms and validates lengths.
func (s Spec) normalise(dimX, dimY int) (Spec, error) {
	s = s.clone()
	fill := func(names []string, n int, prefix, what string) ([]string, error) {
		if names == nil {
			names = make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("%s%d", prefix, i)
			}
		}
		if len(names) != n {
			return nil, fmt.Errorf("cinn: %d %s names for %d columns", len(names), what, n)
		}
		return names, nil
	}
	var err error
	if s.XNames, err = fill(s.XNames, dimX, "x", "x"); err != nil {
		return s, err
	}
	if s.YNames, err = fill(s.YNames, dimY, "y", "y"); err != nil {
		return s, err
	}
	tr := func(ts []Transform, n int, names []string, what string) ([]Transform, error) {
		if ts == nil {
			ts = make([]Transform, n)
		}
		if len(ts) != n {
			return nil, fmt.Errorf("cinn: %d %s transforms for %d columns", len(ts), what, n)
		}
		for i, t := range ts {
			if err := t.validate(); err != nil {
				return nil, fmt.Errorf("cinn: %s column %q: %v", what, names[i], err)
			}
		}
		return ts, nil
	}
	if s.XTransforms, err = tr(s.XTransforms, dimX, s.XNames, "x"); err != nil {
		return s, err
	}
	if s.YTransforms, err = tr(s.YTransforms, dimY, s.YNames, "y"); err != nil {
		return s, err
	}
	return s, nil
}

// Epoch records one training epoch. ValLoss is NaN when there was no
// validation set.
type Epoch struct {
	Epoch     int     // 1-based, counted over the model's whole life
	TrainLoss float64 // mean training loss over the epoch
	ValLoss   float64 // validation loss after the epoch, or NaN
	LR        float64 // learning rate used in the epoch
	Seconds   float64 // wall time of the epoch
}

type epochJSON struct {
	Epoch     int      `json:"epoch"`
	TrainLoss float64  `json:"train"`
	ValLoss   *float64 `json:"val,omitempty"`
	LR        float64  `json:"lr"`
	Seconds   float64  `json:"seconds"`
}

// MarshalJSON implements json.Marshaler; a NaN ValLoss is omitted.
func (e Epoch) MarshalJSON() ([]byte, error) {
	j := epochJSON{Epoch: e.Epoch, TrainLoss: e.TrainLoss, LR: e.LR, Seconds: e.Seconds}
	if !math.IsNaN(e.ValLoss) {
		v := e.ValLoss
		j.ValLoss = &v
	}
	if math.IsNaN(e.TrainLoss) || math.IsInf(e.TrainLoss, 0) {
		j.TrainLoss = math.MaxFloat64
	}
	return json.Marshal(j)
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *Epoch) UnmarshalJSON(b []byte) error {
	var j epochJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Epoch{Epoch: j.Epoch, TrainLoss: j.TrainLoss, ValLoss: math.NaN(), LR: j.LR, Seconds: j.Seconds}
	if j.ValLoss != nil {
		e.ValLoss = *j.ValLoss
	}
	return nil
}
