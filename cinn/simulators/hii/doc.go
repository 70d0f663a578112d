// Package hii simulates emission-line ratios of HII regions from a
// photoionisation-model grid, a miniature of the training sets of Kang et
// al. (2022, MNRAS 512, 617): regions with known oxygen abundance
// 12+log(O/H), nitrogen-to-oxygen ratio log(N/O) and ionisation parameter
// log U, observed through ten optical line ratios to Hβ.
//
// # Grids
//
// Load reads an HII-CHI-Mistry grid (Pérez-Montero 2014, MNRAS 441, 2663;
// Cloudy models, for example C17_POPSTAR_1myr.dat: columns 12+log(O/H),
// log(N/O), log(U), then OII_3727 ... SIII_9069) with the table package.
// NewGrid makes it a regular lattice: the spacing of each parameter is the
// most common step between its values (0.1 in O/H, 0.125 in N/O, 0.25 in
// log U for C17_POPSTAR_1myr: 23 × 17 × 11 nodes). That grid is not quite
// regular, and what NewGrid does about it is counted in the Grid:
//
//   - rows off the lattice (log(N/O) = -1.675 at 12+log(O/H) = 7.0 and
//     -1.775 at 7.5, in place of -1.625 and -1.875: 22 rows, OffLattice)
//     are kept only to fill the nodes they replace;
//   - a node without a model (those two sets, and (8.6, 0, -2.0): 23
//     nodes, Filled) is filled by linear interpolation in log10 along
//     log(N/O), else log U, else O/H, between the nearest models below and
//     above, on or off the lattice;
//   - a repeated row (7.6, -2.0, -2.25: Duplicates) is merged (averaged).
//
// Line ratios are interpolated trilinearly in log10 of the ratio inside the
// lattice cell. The file gives ratios to four decimals, so a ratio of 0
// means below 5e-5 and is replaced by ZeroFloor = 5e-5 before the logarithm;
// a few models of the grid have zeros where their neighbours do not (for
// example [NII]6584 at 12+log(O/H) = 7.0, log U = -1.5), and the
// interpolation inherits them. At a node the result is the file's ratio
// exactly (or the floor).
//
// # Simulating
//
// Simulator.Sample draws (OH, NO, logU) uniformly in the grid's box (or a
// sub-box), interpolates the ten ratios and applies relative noise per line
// (log-normal, so ratios stay positive). The table has the three parameters
// (dex), the ratios (Lines; commas in names become underscores:
// SII_6717_31) and their log10 (LogLines, dex). Grid.Resimulate gives the
// noiseless ratios for a matrix of parameters, such as posterior samples,
// with NaN rows outside the grid: the resimulation check of a posterior.
package hii
