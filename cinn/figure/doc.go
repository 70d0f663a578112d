// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package figure draws the figures of a cINN workflow with gonum/plot:
// training curves, posterior corner plots and marginals, calibration
// curves, true-versus-predicted densities, colour–magnitude diagrams
// coloured by an estimated parameter, 2-D histograms of derived quantities
// and simulation-based-calibration rank histograms.
//
// The package takes plain numbers (float64 slices, n × d *mat.Dense sample
// matrices, parameter names) and imports nothing else of gocinn, so it can
// be used without Jupyter; cinn/diagnostics computes the calibration curves
// and ranks that Calibration and SBC draw.
//
// # Figures
//
// Every constructor validates its input and returns a *Figure:
//
//	Loss(train, val, opts)                   training and validation loss per epoch, best epoch marked
//	Corner(samples, names, truth, opts)      pairs and marginals of one observation's posterior
//	Marginals(samples, names, truth, opts)   one histogram per parameter with median and 68% interval
//	Calibration(q, ecal, names, opts)        calibration error e_cal(q) per parameter, optionally over
//	                                         the band of calibrated posteriors (diagnostics.CalibrationBand)
//	TruthVsMAP(truth, pred, names, opts)     density of the estimate against the true value
//	CMD(colour, mag, value, opts)            colour–magnitude diagram coloured by a parameter
//	Hist2D(x, y, xlabel, ylabel, opts)       2-D histogram on a logarithmic colour scale
//	SBC(ranks, L, names, opts)               rank histograms with the binomial band
//
// Per-parameter inputs are slices indexed by parameter; Columns converts
// an N × d matrix (true values, MAP estimates) to that layout.
//
// Corner can overlay a second sample set (CornerOptions.Reference, e.g. an
// exact reference posterior) as contours and outline histograms in another
// colour; Hist2D can overlay curves (demarcation lines) and marked points
// (an observation around which resimulated line ratios should scatter).
//
// Options are structs whose zero value gives the defaults. A true value of
// NaN means "unknown" and is not drawn; NaN or ±Inf anywhere else is an
// error that wraps plotter.ErrNaN or plotter.ErrInfinity and names the
// offending row. Mismatched lengths wrap ErrLength, empty data ErrEmpty.
// No constructor panics on bad data.
//
// # Rendering
//
// A Figure is a grid of aligned *plot.Plot panels (plot.Align with
// draw.Tiles), with an optional title, a legend strip under the title and a
// colour bar on the right; its fields may be changed before drawing. Render
// draws any Drawer (a *Figure or a *plot.Plot) to PNG:
//
//	f, err := figure.Corner(samples, names, truth, figure.CornerOptions{})
//	if err != nil { ... }
//	img, err := figure.Render(f, 0, 0, 0) // preferred size, 96 dpi
//	// img.PNG holds 2·img.Width × 2·img.Height pixels: show it at
//	// img.Width × img.Height (Jupyter metadata width/height) for a sharp
//	// image on hi-dpi screens.
//
// Figure.Text describes each figure in plain text (what it shows and its
// key numbers: posterior summaries, RMSEs, median |e_cal|, the best epoch),
// for the text/plain alternative that every notebook display carries.
//
// Sizes are logical: width and height in vg.Length (points, 1/72 inch) and
// the dpi at which the frontend shows the figure. Zero sizes take the
// figure's preferred size (6 × 4 inches for single panels, scaled with the
// number of panels for grids); giving only one keeps the aspect ratio. A
// notebook %plot --width given in pixels converts as
// vg.Length(px) * vg.Inch / vg.Length(dpi).
//
// # Many points
//
// gonum/plot needs about two seconds to draw 10^5 glyphs, so figures never
// scatter large samples. Densities are binned into cells and drawn as one
// image at the resolution of the output (crisp cell edges, correct under
// inverted axes); Corner smooths the binned density with a Gaussian of one
// bin and draws the 68% and 95% highest-density contours: the cells are
// ranked by smoothed density and the levels put where the cells above them
// hold 68% and 95% of the samples (ranking by the smoothed density alone
// would enclose about 74% in the "68%" contour of a Gaussian). A corner
// plot of 5 parameters × 10^5 samples takes about 0.2 s including PNG
// encoding; the loss figure of 200 epochs × 100 mini-batches, which %train
// refreshes about once a second, about 30 ms. CMD scatters up to 5000 stars and bins more into cells showing
// the mean value of their stars.
//
// # Style
//
// Panels are framed, axes carry 4–6 ticks labelled with a common number of
// decimals and a typographic minus, colours are colour-blind safe (Okabe &
// Ito categories; viridis, exported as Viridis, for values and counts;
// Blues for densities under contours) and true values are vermillion
// throughout. ColorBar draws a vertical colour bar for any
// palette.ColorMap; PowerTicks labels a log10 colour axis as 1, 10, 100, …
//
// # Tests
//
// Each figure is rendered from a seeded data set and compared with
// testdata/*_golden.png, allowing 0.5% of the pixels to differ
// (anti-aliasing); its Text is compared with testdata/*_golden.txt. After a deliberate change, regenerate and look at them:
//
//	go test ./cinn/figure -update
//
// The TestRealData tests draw the tables of ../shared/data (the Gaia
// cluster, PARSEC isochrones, the HII-region grid); they skip when that
// folder is absent, unless CI is set. The benchmarks
// (go test ./cinn/figure -run X -bench .) time Corner with 5 parameters ×
// 10^4 and 10^5 samples and the live loss figure.
package figure
