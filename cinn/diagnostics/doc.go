// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package diagnostics summarises posterior samples and measures how good
// they are: per-parameter summaries (Summarize, SummarizeAll), diagnostics
// on a labelled test set (Evaluate) and the classifier two-sample test of
// the simulation-based-inference benchmark (C2ST).
//
// The package depends on the standard library and gonum only. Samples come
// as a *mat.Dense per observation: one row per sample, one column per
// parameter, in physical units. True values come as one *mat.Dense with one
// row per observation.
//
// # Errors and panics
//
// Mistakes in the calling code (nil matrices, interval levels outside
// (0, 1], a wrong number of names) panic with a "diagnostics: " prefix.
// Problems with the data return errors: a *NonFiniteError names the
// observation, row and column of a NaN or ±Inf; a *ShapeError describes
// inputs whose shapes do not agree. Long functions take a context.Context
// and return its cause when it is cancelled.
//
// # Percentiles
//
// For n values sorted ascending, x₀ ≤ … ≤ xₙ₋₁, the quantile at p ∈ [0, 1] is
//
//	h = (n-1)·p,  i = ⌊h⌋,  P(p) = xᵢ + (h-i)·(xᵢ₊₁ - xᵢ)   (P(1) = xₙ₋₁),
//
// numpy.percentile's default ("linear", Hyndman and Fan type 7). The central
// interval at level q ∈ (0, 1] is [P((1-q)/2), P((1+q)/2)]: 0.68 gives the
// 16th and 84th percentiles, 0.95 the 2.5th and 97.5th, and 1 gives
// [min, max], the sampled support. Intervals are closed: a value equal to a
// bound is inside.
//
// # Summaries
//
// For the samples x₁…xₙ of one parameter, Summarize reports
//
//	Mean   = (1/n)·Σ xᵢ
//	Std    = √( Σ (xᵢ - Mean)² / (n-1) )   (0 when n = 1)
//	Median = P(0.5)
//	MAP    = argmax_t f(t),  f(t) = (1/(n·h·√(2π)))·Σ exp(-(t-xᵢ)²/(2h²))
//	h      = 0.9 · min(Std, IQR/1.34) · n^(-1/5),  IQR = P(0.75) - P(0.25)
//
// h is Silverman's rule of thumb; when the IQR is 0 but Std is not, Std alone
// is used, and when all samples are equal MAP is their value and h = 0.
//
// The maximum of f is found as follows. The sorted samples are split into
// clusters wherever two neighbours are more than 16h apart; kernels (cut at
// ±8h, relative weight below 10⁻¹³) of different clusters never overlap, so
// every mode of f belongs to one cluster, and the unnormalised estimate
// Σ exp(-(t-xᵢ)²/(2h²)) inside a cluster of m samples is at most m. Clusters
// are searched by decreasing size until none can beat the best mode found,
// so a far outlier neither coarsens the grid of the bulk nor costs time.
// Within a cluster spanning [a, b], f is first estimated on a grid of M
// points, M = clamp(⌈4·(b-a)/h⌉+1, 512, 16384) (the mode of a Gaussian
// mixture lies inside the range of its centres), by linear binning of the
// samples onto the grid and a discrete convolution with the kernel. Then
// every local maximum of the grid estimate within 1% of its largest value
// (at most five) is refined on the exact f: starting from the vertex of the
// parabola through the three grid values, it takes Newton steps
// t ← t - f′(t)/f″(t) where f is concave and the step is shorter than one
// grid spacing, and mean-shift steps t ← Σ xᵢ·wᵢ / Σ wᵢ
// (wᵢ = exp(-(t-xᵢ)²/(2h²)), steps that never decrease f) otherwise, until
// a step is below 10⁻⁹·h. The refined point with the largest f is the MAP;
// ties go to the smaller t. A cluster of tied values has its value as mode.
// The grid spacing is at most h/4 unless a single cluster spans more than
// 4096h, which needs over 256 samples strung out at gaps of nearly 16h.
//
// Summaries of a column holding NaN or ±Inf are NaN; SummarizeAll returns a
// *NonFiniteError instead. SummarizeAll processes the observations on
// GOMAXPROCS goroutines and gives results identical to calling Summarize on
// each. SummaryTable formats the summaries of one observation as text.
//
// Columns of 512 samples or more are sorted by a radix sort, so Summarize
// costs O(d·n) for n samples of d parameters plus the grid of the KDE:
// about 0.3 ms per parameter at n = 4096 on the 2-core development machine
// (BenchmarkSummarize).
//
// # Diagnostics on a test set
//
// Evaluate takes N observations with samples X⁽ⁱ⁾ (Lᵢ rows) and true values
// θ⁽ⁱ⁾ and reports, for every parameter j:
//
//	RMSEMAP     = √( (1/N)·Σᵢ (MAPᵢⱼ - θᵢⱼ)² )
//	RMSESamples = √( Σᵢ Σₛ (Xₛⱼ⁽ⁱ⁾ - θᵢⱼ)² / Σᵢ Lᵢ )
//	e_cal(q)    = (1/N)·#{i : θᵢⱼ ∈ central q-interval of X⁽ⁱ⁾ⱼ} - q,
//	              for q = k/Q, k = 1…Q (Q = 100: q = 0.01, 0.02, …, 1.00)
//	MedianCal   = median over k of |e_cal(q_k)|
//	U68         = median over i of the width of the central 0.68 interval
//	Coverage68  = fraction of θᵢⱼ inside the central 0.68 interval
//	Coverage95  = fraction of θᵢⱼ inside the central 0.95 interval
//	InSupport   = fraction of θᵢⱼ inside [min, max] of X⁽ⁱ⁾ⱼ  (= e_cal(1) + 1)
//
// The calibration error e_cal is Ksoll et al.'s (2020, MNRAS 499, 5447):
// positive values mean intervals that contain the truth more often than
// they should (posteriors too wide, under-confident), negative values
// posteriors that are too narrow (over-confident). The median of an even
// number of values is the mean of the two middle ones. The observations may
// have different numbers of samples. Report.String formats the report as a
// table; Report.CalibrationCurves and Report.MAP give the data of the
// calibration and truth-against-MAP figures.
//
// # The test set's own noise
//
// A calibrated posterior does not score e_cal = 0 on a finite test set. If
// the truth and the L samples of each observation come from the same
// distribution, the truth lies inside the central q-interval with
// probability about q·(L−1)/(L+1), independently from observation to
// observation, so the number inside is binomial. CalibrationBand returns,
// per level, the central interval of e_cal(q) that such posteriors stay in
// with a given probability (pointwise); NullMedianCal draws the median
// |e_cal| they score on n observations (one multinomial over the levels per
// simulated test set), and NullPValue turns a MedianCal into the
// probability that calibrated posteriors score at least as much. On 5,000
// observations with 1,000 samples the median |e_cal| of a calibrated
// posterior is 0.36% typically and above 1% in 2.6% of test sets; on 500
// with 1,024 samples, 1.1% typically and 3.6% in one test set of a hundred.
//
// # Simulation-based calibration
//
// The rank of a true value among its L samples is rᵢ = #{s : Xₛ < θ}, in
// 0…L (Talts et al. 2018). If the posterior is calibrated and the samples
// are continuous, rᵢ is uniform on {0, …, L}. Ranks are binned into B bins,
// rank r of L samples into bin ⌊r·B/(L+1)⌋. The expected count of bin b is
//
//	E_b = Σᵢ (⌈(b+1)(Lᵢ+1)/B⌉ - ⌈b(Lᵢ+1)/B⌉) / (Lᵢ+1),
//
// exact even when the Lᵢ differ or B does not divide L+1, and the
// uniformity test is Pearson's χ² = Σ_b (O_b - E_b)²/E_b with (number of
// bins with E_b > 0) - 1 degrees of freedom; PValue = P(χ² ≥ observed).
// By default B = min(20, ⌊N/5⌋, 1+min Lᵢ) so that every bin expects at
// least five observations; with fewer than two bins PValue is NaN. A small
// p-value (say below 0.001) means the ranks are not uniform: a ∪ shape
// means over-confident posteriors, ∩ under-confident, a slope a bias.
//
// # Classifier two-sample test
//
// C2ST follows sbibm (Lueckmann et al. 2021, sbibm/metrics/c2st.py), which
// uses scikit-learn:
//
//  1. Both sets are z-scored with the mean and standard deviation (n-1
//     denominator, as torch.std) of the reference, column by column.
//  2. The reference rows are labelled 0 and the other rows 1.
//  3. KFold(n_splits=5, shuffle=True, random_state=seed): a random
//     permutation of all rows is cut into 5 consecutive folds, the first
//     n mod 5 of them one row longer.
//  4. For each fold a classifier is trained on the other four folds (in
//     their original order) and its accuracy measured on the held-out fold;
//     the score is the mean of the five accuracies.
//
// The classifier is scikit-learn's MLPClassifier with sbibm's settings and
// sklearn's defaults otherwise: two hidden layers of 10·dim ReLU units and
// one logistic output unit; weights and biases drawn uniformly from
// ±√(6/(fan_in+fan_out)); loss
//
//	-(1/m)·Σ [yᵢ·log pᵢ + (1-yᵢ)·log(1-pᵢ)] + (α/2m)·Σ‖W‖²,  α = 10⁻⁴,
//
// with pᵢ clipped to [ε, 1-ε] (ε the float64 machine epsilon) and m the
// batch size; Adam with learning rate 10⁻³, β₁ = 0.9, β₂ = 0.999,
// ε = 10⁻⁸ and the bias correction folded into the step size
// (lr·√(1-β₂ᵗ)/(1-β₁ᵗ)); mini-batches of min(200, n) consecutive rows of a
// permutation drawn afresh every epoch (the last batch may be shorter); the
// epoch loss is the size-weighted mean of the batch losses. Training stops
// after 10,000 epochs, or as soon as the epoch loss has failed to fall below
// (best loss so far - 10⁻⁴) for more than 10 consecutive epochs. A row is
// predicted as class 1 when its output is above 0.5.
//
// The Go port computes in float64 (sbibm passes float32 arrays to sklearn)
// and draws its random numbers from math/rand/v2's PCG instead of numpy's
// Mersenne Twister, so its score equals sklearn's only in distribution: the
// difference between the two is of the order of the score's own
// seed-to-seed spread, about √(0.25/n) for n rows in all. As in sklearn
// every fold's classifier starts from the same seed. The folds are trained
// concurrently.
//
// The tests compare the port with scikit-learn on the same data
// (testdata/c2st_sklearn.py, run with the project's virtualenv): three 2-D
// pairs of 1,000 + 1,000 samples in every test run without -short (skipped
// when the virtualenv is missing; with CI=true it runs even with -short and
// a missing virtualenv fails it; GOCINN_PYTHON names another interpreter),
// and 10,000 + 10,000 in 2-D plus 5-D and 10-D pairs when
// GOCINN_C2ST_FULL=1. The scores agreed within 0.014 in all six.
// At sbibm's size, 10,000 against 10,000 samples in 2-D, the Go port takes
// about a second on the 2-core development machine, scikit-learn about three
// (BenchmarkC2ST). The classifier's matrix products skip the zeros of the
// ReLU activations and are plain Go, not BLAS.
package diagnostics
