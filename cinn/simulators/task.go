package simulators

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Task is a simulation-based-inference benchmark task: a prior over the
// parameters θ and a stochastic simulator θ ↦ x.
//
// Matrices hold one draw per row. SamplePrior and Simulate draw all their
// randomness from src, so equal sources give equal results.
type Task interface {
	// Name is the registered name of the task, for example "two_moons".
	Name() string
	// DimTheta is the number of parameters.
	DimTheta() int
	// DimX is the number of observed values.
	DimX() int
	// ParamNames are the names of the DimTheta parameters.
	ParamNames() []string
	// ObsNames are the names of the DimX observed values.
	ObsNames() []string
	// SamplePrior returns n draws from the prior, n×DimTheta.
	SamplePrior(n int, src rand.Source) *mat.Dense
	// Simulate returns one simulation per row of theta, r×DimX.
	// It panics if theta does not have DimTheta columns.
	Simulate(theta *mat.Dense, src rand.Source) *mat.Dense
	// LogPrior is the log prior density at theta (-Inf outside the support).
	LogPrior(theta []float64) float64
}

// ReferencePosterior is implemented by tasks whose posterior can be sampled
// exactly (all sbibm tasks here except slcp).
type ReferencePosterior interface {
	// SamplePosterior returns n independent draws from p(θ | xObs),
	// n×DimTheta. It returns ctx.Err() if ctx is cancelled while sampling.
	SamplePosterior(ctx context.Context, xObs []float64, n int, src rand.Source) (*mat.Dense, error)
}

// PosteriorDensity is implemented by tasks whose posterior density is known
// in closed form (gaussian_linear and gaussian_linear_uniform), so that a
// network's density can be compared with it (the KL divergence).
type PosteriorDensity interface {
	// LogPosterior is the normalised log p(θ | x) (-Inf outside the
	// prior's support).
	LogPosterior(theta, x []float64) float64
}

// BoxPrior is implemented by tasks whose prior is uniform on a box.
type BoxPrior interface {
	// PriorBox returns the box's lower and upper bounds, DimTheta each.
	PriorBox() (lo, hi []float64)
}

// Likelihood is implemented by tasks whose likelihood is tractable, so that
// reference posteriors can be built by MCMC or rejection.
type Likelihood interface {
	// LogLikelihood is log p(x | θ) (-Inf where it is zero).
	LogLikelihood(theta, x []float64) float64
}

var (
	registryMu sync.RWMutex
	registry   = map[string]func() Task{}
)

// Register makes a task constructor available under name for Lookup.
// It panics if name is empty, new is nil or name is already registered.
func Register(name string, new func() Task) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if name == "" || new == nil {
		panic("simulators: Register with empty name or nil constructor")
	}
	if _, dup := registry[name]; dup {
		panic("simulators: Register called twice for task " + name)
	}
	registry[name] = new
}

func init() {
	Register("gaussian_linear", func() Task { return NewGaussianLinear() })
	Register("gaussian_linear_uniform", func() Task { return NewGaussianLinearUniform() })
	Register("gaussian_mixture", func() Task { return NewGaussianMixture() })
	Register("two_moons", func() Task { return NewTwoMoons() })
	Register("slcp", func() Task { return NewSLCP() })
}

// Names returns the registered task names in lexical order (for help and
// tab completion).
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns a new instance of the task registered under name.
// Hyphens are accepted for underscores ("two-moons").
func Lookup(name string) (Task, error) {
	key := strings.ReplaceAll(strings.TrimSpace(name), "-", "_")
	registryMu.RLock()
	new, ok := registry[key]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("simulators: unknown task %q (known tasks: %s)", name, strings.Join(Names(), ", "))
	}
	return new(), nil
}

// Simulations draws n parameter vectors from the task's prior and simulates
// one observation for each, returning θ (n×DimTheta) and x (n×DimX).
func Simulations(t Task, n int, src rand.Source) (theta, x *mat.Dense) {
	theta = t.SamplePrior(n, src)
	return theta, t.Simulate(theta, src)
}

// ObservationSeed is the default seed of Observations, so that the ten
// fixed observations of every task are the same in every session.
const ObservationSeed = 1000000

// Observations returns k fixed observations of task t in the manner of
// sbibm: observation i (0-based) uses its own generator, rand.NewPCG(seed,
// uint64(i)), draws θ_true from the prior and simulates x_obs. The first k
// observations are therefore the same whatever k is. thetaTrue is
// k×DimTheta and xObs k×DimX.
//
// The values differ from sbibm's stored observations (those come from
// torch's generator); the recipe, not the numbers, is sbibm's.
func Observations(t Task, k int, seed uint64) (thetaTrue, xObs *mat.Dense) {
	if k <= 0 {
		panic("simulators: Observations with k <= 0")
	}
	thetaTrue = mat.NewDense(k, t.DimTheta(), nil)
	xObs = mat.NewDense(k, t.DimX(), nil)
	for i := 0; i < k; i++ {
		src := rand.NewPCG(seed, uint64(i))
		th := t.SamplePrior(1, src)
		x := t.Simulate(th, src)
		thetaTrue.SetRow(i, th.RawRowView(0))
		xObs.SetRow(i, x.RawRowView(0))
	}
	return thetaTrue, xObs
}

func checkTheta(t Task, theta *mat.Dense) int {
	if theta.IsEmpty() {
		return 0
	}
	r, c := theta.Dims()
	if c != t.DimTheta() {
		panic(fmt.Sprintf("simulators: %s: theta has %d columns, want %d", t.Name(), c, t.DimTheta()))
	}
	return r
}

func checkN(n int) {
	if n < 0 {
		panic("simulators: negative number of samples")
	}
}

func checkObs(t Task, x []float64) {
	if len(x) != t.DimX() {
		panic(fmt.Sprintf("simulators: %s: observation has %d values, want %d", t.Name(), len(x), t.DimX()))
	}
}

func names(prefix string, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return s
}

// newDense returns an r×c matrix, also for r == 0 (mat.NewDense panics on
// empty matrices; an empty sample is returned as a 0×0 Dense).
func newDense(r, c int) *mat.Dense {
	if r == 0 {
		return &mat.Dense{}
	}
	return mat.NewDense(r, c, nil)
}
