// Package isochrone simulates stellar photometry from real stellar
// isochrones, a miniature of the training sets of Ksoll et al. (2020, MNRAS
// 499, 5447): stars with known age, mass, luminosity, temperature and
// gravity, observed through a few photometric bands.
//
// # Grids
//
// A Grid holds PARSEC isochrones (Bressan et al. 2012, MNRAS 427, 127) as
// the CMD web service writes them (columns Zini, logAge, Mini, Mass, logL,
// logTe, logg, label, ..., magnitudes), or as pydol's .isoc files (ph, mass,
// F435W, F555W, F814W, Z, Log_AGE), read with the table package. Load reads
// files or whole directories; NewGrid builds a grid from tables already
// read. Consecutive rows with the same metallicity and age form one
// isochrone; several metallicities may share a file. PARSEC's label 9
// (post-AGB and white dwarfs, logL = -9.999) is dropped by default
// (Options.MaxLabel).
//
// # Interpolation
//
// Grid.Interpolate returns the physical quantities and absolute magnitudes
// of a star of metallicity Z (a grid value), log age and initial mass Mini:
//
//   - Along an isochrone, values are linear in initial mass between
//     consecutive rows. Rows are kept in the file's order, which is the
//     order of evolution: after the main sequence, initial masses differ by
//     as little as 1e-6 Msun while magnitudes change by magnitudes, so the
//     interpolation runs along the sequence of rows (the first crossing of
//     Mini), never on a re-sorted or re-gridded mass axis. Mini is made
//     non-decreasing (a few CMD rows are rounded down).
//   - Between the two neighbouring grid ages, values are linear in log
//     age between matched points. The unevolved part (PMS and main
//     sequence: PARSEC labels 0 and 1, or floor(ph) ≤ 1 for pydol) is
//     matched at equal initial mass up to PivotFraction (0.8) of the
//     smaller turn-off mass, which is what interpolating between stellar
//     tracks does; above it, up to each turn-off, and in every later phase
//     (labels made non-decreasing along the isochrone, because PMS and MS
//     interleave at the lowest masses), points are matched at the same
//     fractional position within the phase, counted in rows. This is the
//     equivalent-evolutionary-point idea (as in ezpadova's evolution
//     labels, or MIST's EEPs): at equal mass, a star can be on the main
//     sequence at one age and on the giant branch at the next, and
//     averaging those would be meaningless.
//   - Evolved phases are laid out one after the other: each starts where
//     the previous one ends on the interpolated isochrone and spans the
//     interpolated initial-mass offsets of its points, so the number of
//     stars per phase (the IMF over the phase's mass range) changes
//     smoothly with age. A phase that only one of the two isochrones has
//     (a giant branch appearing between two ages) keeps that isochrone's
//     values and its mass span is scaled by the weight of that isochrone,
//     so it grows from nothing. Current masses move with the initial
//     masses (mass lost kept).
//
// At a grid age and a grid row's initial mass the result is the table's row
// exactly; the tests check this on every third row of the shared Gaia and
// HST grids.
//
// # Simulating stars
//
// Simulator.Sample draws log ages uniformly over the grid (or
// [LogAgeMin, LogAgeMax]), a metallicity (fixed with Z, or uniform among the
// grid's), and initial masses from an IMF, by default Kroupa (2001, MNRAS
// 322, 231): dN/dm ∝ m^-1.3 for 0.08–0.5 Msun and m^-2.3 above, restricted
// to the initial masses present on the isochrone at that age. It adds a
// distance modulus, extinction A_V·(A_band/A_V) (DefaultExtinction: Gaia
// from Wang & Chen 2019, HST ACS/WFC from Schlafly & Finkbeiner 2011) and
// Gaussian photometric noise with a σ per band or a magnitude-dependent
// σ(m) (ExponentialNoise). The result is a table.Table with the physical
// parameters (ParamNames: logAge, Mass, logL, logTe, logg, Mini, and Zini
// when drawn) then the magnitudes (ObsNames), with units.
//
// # Getting tables
//
// Tables come from the CMD web form, http://stev.oapd.inaf.it/cgi-bin/cmd,
// or from Go with Fetch, which posts the form as the ezpadova package does
// and downloads the table it links; errors for absent tables say so.
package isochrone
