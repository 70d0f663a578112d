// Package simulators provides simulators with known answers for training
// and validating conditional invertible networks: the tasks of the
// simulation-based-inference benchmark sbibm (Lueckmann et al. 2021,
// AISTATS, PMLR 130, 343), and, in the subpackages isochrone and hii,
// miniature versions of the two astrophysical problems gocinn's seed papers
// solved: stellar parameters from photometry with PARSEC isochrones (Ksoll
// et al. 2020, MNRAS 499, 5447) and HII-region abundances from emission
// lines with a photoionisation grid (Kang et al. 2022, MNRAS 512, 617).
//
// # Tasks
//
// A Task has a prior over the parameters θ (SamplePrior, LogPrior) and a
// stochastic simulator θ ↦ x (Simulate). Matrices hold one draw per row.
// The registered tasks are defined exactly as in sbibm
// (sbibm/tasks/<name>/task.py):
//
//	gaussian_linear          θ ∈ R^10, prior N(0, 0.1·I), x ~ N(θ, 0.1·I);
//	                         posterior N(x/2, 0.05·I)
//	gaussian_linear_uniform  θ ∈ [-1,1]^10 uniform, x ~ N(θ, 0.1·I);
//	                         posterior N(x, 0.1·I) truncated to the box
//	gaussian_mixture         θ ∈ [-10,10]^2 uniform,
//	                         x ~ 0.5·N(θ, I) + 0.5·N(θ, 0.01·I) (v1.1: the
//	                         component is drawn per simulation)
//	two_moons                θ ∈ [-1,1]^2 uniform; a ~ U(-π/2, π/2),
//	                         r ~ N(0.1, 0.01²), x = (r cos a + 0.25, r sin a)
//	                         + (-|θ1+θ2|/√2, (-θ1+θ2)/√2)
//	slcp                     θ ∈ [-3,3]^5 uniform; 4 iid draws of
//	                         N((θ1,θ2), S), S = [[s1², ρ s1 s2], [ρ s1 s2, s2²]]
//	                         + 1e-6·I, s1 = θ3², s2 = θ4², ρ = tanh θ5
//
// (Variances, not standard deviations: sbibm's "scale 0.1" is a covariance
// of 0.1·I.) Lookup returns a task by name and Names lists them, for help and
// completion; Register adds more (it panics on a duplicate name).
//
// Every task implements Likelihood (LogLikelihood, tractable for all five),
// and all but slcp implement ReferencePosterior with an exact sampler:
// Gaussian for gaussian_linear; independent truncated normals (exact
// rejection, Robert 1995 in the tails) for gaussian_linear_uniform; the
// mixture centred on x truncated to the prior for gaussian_mixture; and for
// two_moons the inversion of the simulator that sbibm uses, with one
// correction: draws whose moon point p has p1 < x1 are rejected, because they
// would need |θ1+θ2| < 0 (sbibm keeps them, mirrored). slcp's posterior has
// four modes and no closed form: SLCP.SamplePosteriorMCMC builds an
// approximate reference (chains on the mirror-folded space, random signs for
// θ3 and θ4, split-R̂ checked; the tests compare its quantiles with
// importance sampling for all ten fixed observations).
//
// Observations gives the fixed observations of a task as sbibm does (10 per
// task, each from its own seeded generator): θ_true from the prior and one
// simulation x_obs. The recipe is sbibm's, the numbers are not (sbibm's come
// from torch's generator). Dataset returns n prior draws and their
// simulations as a table.Table, parameter columns first.
//
// # Generators
//
// NewGenerator returns, by name, a Generator of training tables: the tasks
// above and three simulators on the real tables of the project's data folder
// (parsec_gaia and parsec_hst from the isochrone package, hii from the hii
// package, with default noise PhotometricNoise and LineNoise).
// GeneratorNames lists the names and DescribeGenerator says what each is,
// for a notebook command such as %simulate and its completion.
//
// # Randomness
//
// Everything random takes a math/rand/v2 rand.Source; equal sources give
// equal results, on every platform. Observations uses rand.NewPCG(seed, i)
// for observation i, so the first k observations do not depend on how many
// are asked for.
//
// # Errors
//
// Caller bugs (a θ matrix with the wrong number of columns, a negative
// sample size) panic with a "simulators: " prefix. A posterior sampler
// returns an error when its context is cancelled, or when the observation
// lies where the model puts (almost) no mass inside the prior.
package simulators
