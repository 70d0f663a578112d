// Copyright ©2026 The gocinn Authors. All rights reserved.

// Package cinn is a conditional invertible neural network (cINN) engine:
// a conditional normalising flow z = f(x; y) trained by maximum likelihood
// so that, for an observation y, drawing z ~ N(0, I) and inverting the flow
// gives samples of the posterior p(x | y). It reproduces the networks of
// Ksoll et al. (2020, MNRAS 499, 5447) and Kang et al. (2022, MNRAS 512,
// 617), which were built with FrEIA, using only the standard library and
// gonum.
//
// # Using a model
//
//	m, err := cinn.NewModel(cinn.Config{DimX: 5, DimY: 8, Seed: 1}, cinn.Spec{
//		XNames:      []string{"age", "mass", ...},
//		XTransforms: []cinn.Transform{{Kind: cinn.Log10}, ...},
//	})
//	res, err := m.Train(ctx, x, y, xVal, yVal, cinn.TrainSettings{Epochs: 100, Seed: 2})
//	post, err := m.Sample(ctx, yObs, 4096, rand.NewPCG(3, 4)) // one 4096×DimX matrix per row of yObs
//	err = m.Save("model.cinn")
//	m2, err := cinn.Load("model.cinn")
//
// All matrices passed in and out are *mat.Dense in physical units, one row
// per simulation or observation. Summaries, calibration and plots of the
// samples live in the sibling packages cinn/diagnostics and cinn/figure.
//
// # Architecture
//
// The flow is a chain of Config.Blocks (default 8) blocks. By default
// (MixedCoupling) affine and spline blocks take turns, affine first on the
// parameter side; AffineCoupling makes every block affine, as the seed
// papers. An affine block is FrEIA's GLOWCouplingBlock: the input is split
// into x1 (the first round(D/2) dimensions, rounding half to even as
// Python does) and x2, and
//
//	[s2, t2] = sub2([x2, c]),  y1 = exp(s2) ⊙ x1 + t2
//	[s1, t1] = sub1([y1, c]),  y2 = exp(s1) ⊙ x2 + t1
//
// with the soft clamp s = Clamp·0.636·atan(s_raw) (FrEIA's "ATAN" clamp,
// Clamp 2 by default, so |s| < 2). The block's log|det J| is Σs2 + Σs1.
// When Config.ActNorm is set an affine normalisation y = exp(logs)⊙x + b
// with GLOW's data-dependent initialisation (zero mean, unit variance of
// its output on the first training batch) follows each coupling. Every
// block ends with a fixed random permutation of the dimensions drawn from
// Config.Seed, or from Config.PermSeed when set (FrEIA's PermuteRandom).
// With Config.Permute set to PermuteBalanced the permutations are chosen
// instead so that every pair of dimensions shares a coupling half in about
// as many blocks as every other pair (and each dimension is about as often
// in the first half). Over eight blocks every pair of five parameters
// then shares a half in 2 to 4 blocks, the least spread possible; random
// permutations reach it for 4% of seeds, and for 42% some pair shares a
// half in 6 or more of the 8 blocks (1,000 seeds). With Config.LinearMix
// set a learned invertible linear map W = L·(U + diag(exp(s))) follows
// each permutation (GLOW's 1×1 convolution in LU form: L unit
// lower-triangular, U strictly upper-triangular, D² parameters per block,
// log|det W| = Σs), initialised to the identity and kept at the end of the
// parameter vector, so the initial weights and the untrained network are
// those without it. With Config.MixInit set to MixRotation each map starts
// instead as a random rotation drawn from Config.Seed (GLOW's
// initialisation; the other weights stay Seed's).
//
// With Config.Coupling set to SplineCoupling each half is transformed
// instead by a monotonic rational-quadratic spline per dimension (Durkan
// et al. 2019, the neural spline flows behind sbibm's NPE numbers): the
// subnet yields 3·Bins-1 values per dimension of the other half (Bins
// bin widths and heights, softmax-normalised, and the Bins-1 inner knot
// derivatives, through a softplus), the spline maps [-TailBound,
// TailBound] onto itself, and values outside pass unchanged (linear tails
// with unit slope, as nflows). Zero subnet outputs give the identity.
// Splines fit skewed, sharply bounded and multi-modal conditionals that an
// affine block cannot; a uniform prior's box posterior at 10^4 simulations
// (gaussian_linear_uniform through a Probit transform) gets a KL from the
// exact posterior of 0.21 nats with splines on [-5, 5] against 0.51 with
// affine blocks (docs/validation.md). MixedCoupling alternates affine
// and spline blocks, affine first on the parameter side, so that the
// affine blocks can place and scale a narrow posterior for each condition
// and the splines shape it (0.22 nats on the same task). It is the
// default: on the sbibm benchmark and the isochrones it came closest to
// the published posteriors without tuning (docs/validation.md), at about
// 1.2 times the CPU time per training step of affine blocks alone.
// NewModel gives a zero Bins DefaultBins (8); Config.ForRows picks the
// bins for a training set's size instead, 8 below LargeTrainingRows
// (10,000) and 16 from there, as gocinn's %model does: on the sbibm tasks
// 16 bins were better with 90,000 training rows, a wash with 9,000 and
// worse with 900.
//
// The subnets are MLPs with Config.Layers (default 3) hidden layers of
// Config.Hidden (default 256) units and ReLU, and a linear output layer.
// The condition c is the standardised y itself, or, when Config.CondNet
// lists layer widths (the astrophysical cINNs use {512, 512, 256}), the
// output of a conditioning MLP on y (ReLU between layers, linear output)
// trained jointly with the flow; c feeds every block.
//
// Every weight and bias is drawn from InitScale·N(0, 1) with InitScale
// 0.03, as the astrophysical cINNs do, the last layer of each subnet
// included. With these small weights the subnet outputs, and hence s and t,
// are at most about 0.1 at the start (the biases dominate), so every block
// starts close to the identity: at the default size the initial
// |log det J| of the whole flow is below 0.5. (Deep, narrow subnets then
// start with bias-dominated activations; on strongly multi-modal
// low-dimensional problems a single wide hidden layer learns the modes much
// sooner.)
//
// DimX = 1 cannot be split. The flow then acts on (x, a) with one
// auxiliary dimension a ~ N(0, 1), drawn afresh for every training row and
// step; the model learns p(x, a | y) = p(x | y)·N(a), whose x-marginal is
// the posterior, and Sample returns x only. This keeps the exact
// log-determinant of the 2-D map and allows multi-modal posteriors (an
// element-wise conditional affine map could only give a Gaussian). LogProb
// integrates a out with 64 stratified normal quantiles. FlowDim reports the
// flow dimension (2 in this case).
//
// # Numerics
//
// Weights and activations are float32, as in PyTorch; losses, gradient
// norms, log-determinant sums, pre-processing and statistics accumulate in
// float64. Every matrix product goes through gonum's blas32 interface
// (blas32.Implementation().Sgemm, and Sgemv for bias gradients). At
// start-up the package installs cinn/sgemm with blas32.Use, with the
// fastest kernels the machine has; the environment variable GOCINN_BLAS
// selects "avx2" or "avx512" (sgemm capped at that kernel set), "go"
// (sgemm's portable kernels) or "gonum" (gonum's pure-Go BLAS) instead, BLAS
// names what is installed, and a program may call blas32.Use itself. The parallel loops (training and sampling chunks, GEMM,
// diagnostics) use GOMAXPROCS goroutines, or GOCINN_THREADS if that is
// smaller (to keep a kernel on a shared machine to a few cores); results do
// not depend on it. On amd64 CPUs with AVX2 the fused bias + ReLU, the ReLU masks of
// the backward pass and the Adam update run in assembly, 8 lanes at a time,
// bit for bit what the portable Go loops compute (the same operations in
// the same order; tested against them). The backward pass is written by
// hand and checked against central finite differences of a float64
// instantiation of the same generic code (see net_test.go). The inverse reproduces the input to
// within 1e-4 relative in float32, and log|det J| is exact (checked against
// gonum's fd.Jacobian and mat.LU.LogDet).
//
// Data layout: batches are row-major float32 slices (rows × columns). All
// parameters live in one flat []float32 (per layer: W as in×out row-major,
// then b), which the optimiser, the gradient and the file format treat as a
// single vector. Forward, Inverse and LogDet expose the flow on such
// batches in flow space (after pre-processing) for tests and diagnostics.
//
// # Pre-processing
//
// Each column of x and y first goes through its Transform: Identity, Log10,
// Probit, which maps (Lo, Hi) to the real line with Φ⁻¹((v−Lo)/(Hi−Lo))
// (Φ the standard normal CDF; a uniform prior on (Lo, Hi) becomes a standard
// normal), or Bounded, the same with a logit (kept for models saved before
// Probit existed; Probit fits better). Then every column is standardised with the mean
// and standard deviation of the transformed training data, fitted on the
// first call to Train and stored with the model. Values outside a
// transform's domain, NaN and ±Inf give a *DataError naming the row and
// column.
//
// # Training
//
// A training step (forward pass, loss, backward pass, gradient norm, Adam
// update) allocates nothing: the workspace of activations and gradients is
// made once per Train call and the element-wise loops reuse their
// scratch (TestTrainStepAllocs).
//
// Train minimises mean(0.5·‖z‖² − log|det J|)/D over shuffled mini-batches
// with Adam (bias-corrected, PyTorch's update rule, computed per parameter
// in float32 like torch.optim.Adam on float32 parameters, with float32
// moments; the bias corrections in float64). WeightDecay is an L2
// term added to the gradient as torch.optim.Adam does (the seeds' setting);
// with DecoupledWeightDecay it is AdamW's decoupled decay instead. The
// learning rate follows a per-epoch Schedule (plateau, constant, step or
// exponential); ClipNorm rescales the gradient to a maximum global L2
// norm. TrainSettings.Noise adds Gaussian noise of σ = Abs + Rel·|y| to each
// y column in physical units, redrawn every epoch (noisy values leaving a
// transform's domain are redrawn, up to 8 times), so the network learns to
// handle observational errors as Kang et al. do; the validation set gets one
// fixed noise draw.
//
// With a validation set, each epoch ends with the validation loss; training
// stops after Patience epochs without improvement, and Train returns (unless
// it diverged) with the weights of the best validation epoch.
//
// The defaults (zero TrainSettings) adapt to the size of the training set,
// because a fixed number of epochs is a hundred steps on 10^3 simulations
// and tens of thousands on 10^6: at most AutoEpochs epochs (at least 100 and
// 5,000 steps), patience AutoPatience (at least 10 epochs and 300 steps),
// learning rate 5e-4 with the plateau schedule (×0.2 after a third of the
// patience without improvement, back to the best weights, down to 1/100 of
// the initial rate). The sbibm benchmark runs of validation/ chose them:
// lr 1e-3 overshoots on 10^3 simulations, and 50 epochs stopped two_moons
// while it still improved. Train checks
// its context between mini-batches: on cancellation it returns the best
// weights so far (or the weights after the last completed step, without
// validation) and an error wrapping context.Cause(ctx). If the loss or the
// gradient becomes NaN or infinite, Train restores the weights and optimiser
// state of the end of the last good epoch and returns an error wrapping
// ErrDiverged that says what to change. Train may be called again (also
// after Load) to continue with the stored Adam state; History accumulates
// one Epoch per completed epoch.
//
// # Reproducibility
//
// Config.Seed fixes the initial weights and permutations (Config.PermSeed,
// when set, the permutations alone);
// TrainSettings.Seed fixes shuffling, noise and the auxiliary dimension;
// Sample takes a math/rand/v2 rand.Source. Training is sequential apart from
// the GEMMs, which compute each output element in one goroutine in a fixed
// order (both cinn/sgemm and gonum do), and the element-wise loops (Adam
// update, gradient norm, bias + ReLU, ReLU masks), which run on all cores
// over fixed blocks of 32768 elements or whole rows (partial sums added in
// block order), so the
// same seeds give bit-identical weights for any GOMAXPROCS. Sample splits its draws into fixed chunks of 1024 per
// observation, each with its own PCG stream seeded in order from the
// caller's source, and inverts them in batches of up to 1024 rows (spanning
// observations) whose products and element-wise loops use all cores. When a
// batch holds at least 4 rows per observation, the condition's share of
// every subnet's first layer, c·W_c + b, is computed once per observation
// and added to x·W_x row by row (the same function, rounded differently);
// the
// decomposition is fixed by the number of observations and n alone, so the
// output is also independent of GOMAXPROCS. (Both guarantees assume that
// the installed blas32 implementation computes each output element in an
// order that does not depend on the number of threads; TestReproducible
// checks it. Different kernel sets round differently, and over many steps
// the difference grows into a different network, as another seed would
// give: a 16-bin network trained with the AVX-512 kernels is not the one
// the AVX2 kernels train from the same seeds. Record BLAS with results;
// GOCINN_BLAS=avx2 on an AVX-512 machine repeats an AVX2 machine's run bit
// for bit, and GOCINN_BLAS=go gives the same bits everywhere.)
//
// # File format
//
// Save writes one file, atomically (a temporary file in the same directory,
// fsync, rename). The layout, all little-endian:
//
//	8 bytes   magic 0x89 'C' 'I' 'N' 'N' '\r' '\n' 0x1a
//	uint32    format version: 1, or 2 with LinearMix (FormatVersion)
//	uint32    length L of the header
//	L bytes   JSON header: config, spec (names, transforms), permutations,
//	          standardisation, ActNorm state, parameter count, Adam step,
//	          training history and the last TrainSettings
//	4·P bytes parameters as float32
//	8·P bytes Adam first and second moments (if the model was trained)
//	uint32    CRC-32 (IEEE) of everything before it
//
// Load rejects files with wrong magic bytes (ErrNotModel), newer versions
// (ErrVersion), and truncated, padded or corrupt files (ErrCorrupt). Save
// followed by Load reproduces the model bit for bit, including the
// optimiser state, so training continues exactly where it stopped.
//
// # Concurrency
//
// Sample, LogProb, Forward and Inverse only read the model and may run
// concurrently; Train and ReadFrom modify it and must run alone.
package cinn
