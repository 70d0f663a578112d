// Copyright ©2026 The gocinn Authors. All rights reserved.

// Package validation measures gocinn against published numbers: the
// classifier two-sample test (C2ST) of the simulation-based-inference
// benchmark sbibm (Lueckmann et al. 2021, AISTATS, PMLR 130, 343) on its five
// tasks, and the criteria of the seed papers (Ksoll et al. 2020, MNRAS 499,
// 5447) on stellar parameters from PARSEC isochrones.
//
// # sbibm
//
// RunTask follows sbibm's protocol for one task and one simulation budget:
//
//  1. Budget simulations (θ from the prior, one x each) are drawn with
//     Settings.Seed; the last ValFraction of them (10%, as sbibm's NPE) is the
//     validation set used for early stopping.
//  2. A cINN with the engine's default architecture (cinn.Config with only
//     DimX, DimY and Seed set) is trained with Settings.Train, whose zero value
//     is the engine's default TrainSettings: a user who does not tune.
//  3. For each of the Observations fixed observations
//     (simulators.Observations with simulators.ObservationSeed), Samples
//     posterior draws are compared with as many reference draws by
//     diagnostics.C2ST (seed 1). The reference is the task's exact sampler, or
//     for slcp simulators.SLCP.SamplePosteriorMCMC with its split-R̂ check.
//
// Settings.PriorRejection (validate -reject) keeps only posterior samples
// inside the prior's support, as sbi's NPE does before its published
// numbers; it is off by default. Settings.Bounded (validate -bounded) maps the
// parameters of a task with a uniform box prior through the box's probit
// (cinn.Probit, %data --bounded prior), so that no sample leaves the box.
// Settings.Published (validate -published) scores sbibm's own ten
// observations instead (PublishedObservations: slcp, whose posterior
// widths depend most on the observation, and gaussian_linear and
// gaussian_linear_uniform). NPEPerObservation holds NPE's own score on
// each of those observations at 10^5 (slcp, two_moons and the two Gaussian
// tasks), and PairedNPE and PairedNPETable compare a run on them
// observation by observation.
// Settings.Previous (validate -resume) adds observations to an earlier
// result: when the retrained network is the earlier one to the bit, its
// scores are kept and only the new observations are sampled and tested.
//
// For the tasks whose posterior density is known in closed form
// (simulators.PosteriorDensity: gaussian_linear and gaussian_linear_uniform)
// RunTask also records PosteriorKL, the KL divergence from the exact
// posterior averaged over 20,000 fresh simulations: far less noisy than a
// C2ST on a few observations, and seconds of work.
//
// ExactC2ST (validate -exact) runs the same test on a second, independent
// draw of the reference posterior instead of a network's samples: the score
// of a perfect estimator on the same observations, which shows how much of
// a cell's distance from 0.5 is the classifier's own noise. ExactTable
// formats it.
//
// The Published and FrEIA tables hold the numbers the results are measured
// against: sbibm's NPE (neural spline flows) and the seeds' cINN configuration
// run in FrEIA on the development machine (issue 10).
//
// # Isochrones
//
// RunIsochrone trains one cINN on PARSEC Gaia photometry (G, BP, RP with
// 0.01 mag noise) of two metallicities and evaluates it with
// diagnostics.Evaluate on held-out stars of the same metallicities and on
// stars of a third metallicity left out of training: a different stellar
// model, which shows how model mismatch appears in the calibration and in the
// MAP estimates. (The MIST isochrone in the data folder has PanSTARRS bands
// only, so it cannot be fed to a Gaia-band network without a photometric
// transformation that would itself be a model.) IsochroneSettings.Derived
// (validate -iso-derived) makes the network infer logAge, the initial mass
// and the metallicity only, and reads Mass, logL, logTe and logg off the
// isochrone for every posterior sample. IsochroneSettings.Model saves the
// trained network; Load (validate -iso-load) evaluates a saved one again
// instead of training, and TestSeed (-iso-test-seed) draws other test stars,
// to tell the network's calibration from the test set's noise. Seed draws
// the training stars; Config.Seed (validate -net-seed: initial weights and
// permutations) and Train.Seed (-batch-seed: the mini-batch order) default
// from it and can be varied one at a time, to tell which of them makes a
// network's calibration. IsochroneParam.MedianCalP judges each median
// |e_cal| against the test set's own noise: the probability that a
// perfectly calibrated posterior scores as much on as many test stars
// (diagnostics.NullMedianCal and NullPValue; validate -null-cal N prints
// that noise's distribution on N test stars).
//
// The command validation/cmd/validate runs both and writes JSON results, a
// Markdown table and figures; docs/validation.md shows them.
//
// # Guard
//
// guard_test.go runs a small version (two_moons, gaussian_linear and
// gaussian_linear_uniform at 10^3 simulations with a smaller network;
// two_moons scored by C2ST on 500 + 500 samples, gaussian_linear by the
// moments of its exact posterior, gaussian_linear_uniform with the box's
// probit by PosteriorKL, with affine, spline and mixed couplings) with
// thresholds derived from runs with six to eight seeds, so that a regression of the
// engine fails the test suite. It takes about a minute and is skipped with
// -short.
package validation
