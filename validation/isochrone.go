// Copyright ©2026 The gocinn Authors. All rights reserved.

package validation

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/diagnostics"
	"github.com/gocinn/gocinn/cinn/figure"
	"github.com/gocinn/gocinn/cinn/simulators/isochrone"
	"github.com/gocinn/gocinn/cinn/table"
)

// IsochroneParams are the parameters the isochrone network infers, those
// Ksoll et al. (2020) report.
var IsochroneParams = []string{"logAge", "Mass", "logL", "logTe", "logg"}

// IsochroneSettings control RunIsochrone. Zero values select the defaults in
// brackets.
type IsochroneSettings struct {
	TrainStars int       // training stars, 10% of them for validation [10000]
	TestStars  int       // test stars per test set [5000]
	Samples    int       // posterior samples per test star [1000]
	TrainZ     []float64 // training metallicities [0.015, 0.020]
	HeldOutZ   float64   // metallicity left out of training [0.010]
	Noise      float64   // photometric σ (mag) of every band [0.01]
	// Seed seeds the training stars, and is the default of Config.Seed
	// (the network's initial weights and permutations), of Train.Seed
	// (Seed+1: the mini-batch order) and of TestSeed [1].
	Seed   int64
	Config cinn.Config
	Train  cinn.TrainSettings
	// Figures, if not empty, is the directory where the calibration and
	// truth-against-MAP figures are written (validation-iso-*.png).
	Figures string
	// AgeProbit maps logAge through the probit of the grid's age range,
	// the support of its uniform prior (cinn.Probit).
	AgeProbit bool
	// Model, if not empty, is the file the trained network is saved to.
	Model string
	// Load, if not empty, is a network saved by an earlier run (Model):
	// it is evaluated instead of training one. Its parameters must be
	// those these settings infer (Derived), and its training data is
	// not drawn.
	Load string
	// TestSeed seeds the test stars and the posterior draws [Seed]:
	// with Load, the same network on fresh test stars.
	TestSeed int64
	// Derived makes the network infer only logAge, the initial mass Mini
	// and (with more than one training metallicity) Zini. Mass, logL,
	// logTe and logg are functions of those three, so their posterior is
	// a thin sheet in the five-parameter space; here they are read off
	// the isochrone for every posterior sample instead (Zini rounded to
	// the nearest training metallicity, dequantized in training by a
	// uniform jitter of one grid step). Samples with no star on the
	// isochrone (an initial mass that has died at that age, an age
	// outside the grid) are drawn again.
	Derived bool
	Log     func(format string, args ...any)
}

// IsochroneResult is the outcome of RunIsochrone.
type IsochroneResult struct {
	TrainStars, TestStars, Samples int
	// Loaded is IsochroneSettings.Load (TrainStars is then 0: the file
	// does not record its training set); TestSeed the seed of the test
	// stars when it differs from the training seed.
	Loaded   string `json:",omitempty"`
	TestSeed int64  `json:",omitempty"`
	// NetSeed seeded the trained network's initial weights and
	// permutations (Config.Seed), BatchSeed its mini-batch order
	// (Train.Seed); each is recorded when it differs from its default,
	// Seed and Seed+1, the seed of the training stars. A Loaded network's
	// are recorded as its file stores them, whatever their values.
	NetSeed, BatchSeed int64 `json:",omitempty"`
	// PermSeed is Config.PermSeed: the seed of the permutations when they
	// are not NetSeed's.
	PermSeed int64 `json:",omitempty"`
	// Permute is Config.Permute, the design of the permutations, when set.
	Permute string `json:",omitempty"`
	// LinearMix is Config.LinearMix: a learned mixing follows every
	// permutation; MixInit (Config.MixInit) says how it started.
	LinearMix bool   `json:",omitempty"`
	MixInit   string `json:",omitempty"`
	// BLAS is cinn.BLAS() of the run, as TaskResult.BLAS.
	BLAS              string `json:",omitempty"`
	TrainZ            []float64
	HeldOutZ          float64
	Epochs, BestEpoch int
	Stopped           string
	TrainSeconds      float64
	// History is the network's training history: the losses and the
	// learning rate of every epoch.
	History []cinn.Epoch `json:",omitempty"`
	// Derived is IsochroneSettings.Derived; Redrawn is then the fraction
	// of posterior samples drawn again because they had no star on the
	// isochrone, per test set (in-family, held-out).
	Derived bool      `json:",omitempty"`
	Redrawn []float64 `json:",omitempty"`
	// InFamily holds the diagnostics on test stars of the training
	// metallicities, HeldOut on stars of the held-out metallicity.
	InFamily, HeldOut []IsochroneParam
}

// IsochroneParam are the seeds' criteria for one parameter.
type IsochroneParam struct {
	Name       string
	MedianCal  float64 // median |e_cal| over q = 0.01…1
	InSupport  float64 // fraction of true values inside the sampled support
	RMSEMAP    float64
	U68        float64
	Coverage68 float64
	Coverage95 float64 `json:",omitempty"`
	// MedianCalP is the probability that a perfectly calibrated posterior
	// scores a median |e_cal| at least MedianCal on as many test stars
	// with as many samples (diagnostics.NullPValue, 10,000 draws): below
	// 0.01 the miss is beyond the test stars' noise.
	MedianCalP float64 `json:",omitempty"`
}

func (s *IsochroneSettings) defaults() {
	if s.TrainStars == 0 {
		s.TrainStars = 10000
	}
	if s.TestStars == 0 {
		s.TestStars = 5000
	}
	if s.Samples == 0 {
		s.Samples = 1000
	}
	if s.TrainZ == nil {
		s.TrainZ = []float64{0.015, 0.020}
	}
	if s.HeldOutZ == 0 {
		s.HeldOutZ = 0.010
	}
	if s.Noise == 0 {
		s.Noise = 0.01
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	if s.Train.Seed == 0 {
		s.Train.Seed = s.Seed + 1
	}
	if s.TestSeed == 0 {
		s.TestSeed = s.Seed
	}
	if s.Config.Seed == 0 {
		s.Config.Seed = s.Seed
	}
	if s.Log == nil {
		s.Log = func(string, ...any) {}
	}
}

// isoStars draws n stars spread evenly over the metallicities zs and
// returns, in random order, the parameters params (of the simulator's
// columns and Zini) and the magnitudes.
func isoStars(ctx context.Context, g *isochrone.Grid, zs []float64, n int, noise float64, seed, stream uint64, params []string) (x, y *mat.Dense, err error) {
	noiseMap := map[string]float64{}
	for _, b := range g.Bands() {
		noiseMap[b] = noise
	}
	var parts []*table.Table
	for k, z := range zs {
		m := n / len(zs)
		if k < n%len(zs) {
			m++
		}
		sim := &isochrone.Simulator{Grid: g, Z: z, Noise: noiseMap}
		t, err := sim.Sample(ctx, m, rand.NewPCG(seed, stream+uint64(k)))
		if err != nil {
			return nil, nil, err
		}
		zc := make([]float64, t.Len())
		for i := range zc {
			zc[i] = z
		}
		if err := t.AddColumn("Zini", zc, ""); err != nil {
			return nil, nil, err
		}
		parts = append(parts, t)
	}
	all, err := table.Concat(parts...)
	if err != nil {
		return nil, nil, err
	}
	// Shuffle so that a validation tail holds every metallicity.
	perm := rand.New(rand.NewPCG(seed, stream+100)).Perm(all.Len())
	all = all.Rows(perm)
	if x, err = all.Matrix(params...); err != nil {
		return nil, nil, err
	}
	y, err = all.Matrix(g.Bands()...)
	return x, y, err
}

// isoNetParams returns the parameters the network infers.
func (s *IsochroneSettings) isoNetParams() []string {
	if !s.Derived {
		return IsochroneParams
	}
	if len(s.TrainZ) > 1 {
		return []string{"logAge", "Mini", "Zini"}
	}
	return []string{"logAge", "Mini"}
}

// zStep is the smallest spacing of the sorted metallicities zs (0 for one).
func zStep(zs []float64) float64 {
	sorted := append([]float64(nil), zs...)
	slices.Sort(sorted)
	step := 0.0
	for i := 1; i < len(sorted); i++ {
		if d := sorted[i] - sorted[i-1]; step == 0 || d < step {
			step = d
		}
	}
	return step
}

// nearest returns the element of zs nearest to z.
func nearest(zs []float64, z float64) float64 {
	best := zs[0]
	for _, v := range zs[1:] {
		if math.Abs(v-z) < math.Abs(best-z) {
			best = v
		}
	}
	return best
}

// isoDeriver reads IsochroneParams off an isochrone grid at network
// samples of (logAge, Mini[, Zini]); see IsochroneSettings.Derived.
type isoDeriver struct {
	g   *isochrone.Grid
	zs  []float64 // the training metallicities; a sampled Zini snaps to the nearest
	idx []int     // columns of Mass, logL, logTe, logg in the grid's quantities
}

func newIsoDeriver(g *isochrone.Grid, zs []float64) (*isoDeriver, error) {
	quants := g.Quantities()
	d := &isoDeriver{g: g, zs: zs, idx: make([]int, len(IsochroneParams)-1)}
	for j, name := range IsochroneParams[1:] {
		d.idx[j] = slices.Index(quants, name)
		if d.idx[j] < 0 {
			return nil, fmt.Errorf("validation: the grid has no %s column (it has %v)", name, quants)
		}
	}
	return d, nil
}

// derive writes the IsochroneParams of the star at the network sample
// raw into dst and reports whether there is such a star (the prior
// excludes samples off every isochrone).
func (d *isoDeriver) derive(dst, raw []float64) bool {
	age, mini, z := raw[0], raw[1], d.zs[0]
	if len(d.zs) > 1 {
		z = nearest(d.zs, raw[2])
	}
	v, err := d.g.Interpolate(z, age, mini)
	if err != nil {
		return false
	}
	dst[0] = age
	for j, c := range d.idx {
		dst[j+1] = v[c]
	}
	return true
}

// deriveSamples draws n posterior samples of (logAge, Mini[, Zini]) per
// row of y and returns samples of IsochroneParams read off the isochrone
// (see IsochroneSettings.Derived), with the fraction of samples drawn
// again.
func deriveSamples(ctx context.Context, g *isochrone.Grid, m *cinn.Model, y *mat.Dense, n int, zs []float64, src rand.Source) ([]*mat.Dense, float64, error) {
	d, err := newIsoDeriver(g, zs)
	if err != nil {
		return nil, 0, err
	}
	post, err := m.Sample(ctx, y, n, src)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*mat.Dense, len(post))
	var drawn, kept int
	row := mat.NewDense(1, y.RawMatrix().Cols, nil)
	for i, p := range post {
		dst := mat.NewDense(n, len(IsochroneParams), nil)
		got := 0
		for try := 0; ; try++ {
			r, _ := p.Dims()
			for k := 0; k < r && got < n; k++ {
				drawn++
				if d.derive(dst.RawRowView(got), p.RawRowView(k)) {
					got++
				}
			}
			if got == n {
				break
			}
			if try == 100 {
				return nil, 0, fmt.Errorf("validation: star %d: fewer than %d of %d posterior samples lie on an isochrone", i, n, drawn)
			}
			row.SetRow(0, y.RawRowView(i))
			more, err := m.Sample(ctx, row, 2*(n-got)+16, src)
			if err != nil {
				return nil, 0, err
			}
			p = more[0]
		}
		kept += n
		out[i] = dst
	}
	return out, 1 - float64(kept)/float64(drawn), nil
}

// RunIsochrone trains a cINN on PARSEC Gaia photometry from
// <dataDir>/parsec-gaia and evaluates the seeds' criteria on it; see the
// package documentation.
func RunIsochrone(ctx context.Context, dataDir string, s IsochroneSettings) (IsochroneResult, error) {
	s.defaults()
	res := IsochroneResult{TrainStars: s.TrainStars, TestStars: s.TestStars, Samples: s.Samples, TrainZ: s.TrainZ, HeldOutZ: s.HeldOutZ, Derived: s.Derived, BLAS: cinn.BLAS()}
	if s.Load != "" && s.Model != "" {
		return res, fmt.Errorf("validation: Load %s and Model %s: a loaded network is not trained again; set one, not both", s.Load, s.Model)
	}
	dir := filepath.Join(dataDir, "parsec-gaia")
	g, err := isochrone.Load(isochrone.Options{}, dir)
	if err != nil {
		return res, fmt.Errorf("validation: PARSEC Gaia grid in %s: %w (pass the project's data folder with -data)", dir, err)
	}
	params := s.isoNetParams()
	var m *cinn.Model
	if s.Load != "" {
		res.Loaded, res.TrainStars = s.Load, 0
		if m, err = loadIsoNet(s.Load, params, g.Bands()); err != nil {
			return res, err
		}
		c := m.Config()
		res.NetSeed = c.Seed
		res.recordDesign(c)
		if ts, ok := m.LastSettings(); ok {
			res.BatchSeed = ts.Seed
		}
	} else if m, err = trainIsoNet(ctx, g, params, s, &res); err != nil {
		return res, err
	}
	if s.TestSeed != s.Seed {
		res.TestSeed = s.TestSeed
	}
	sets := []struct {
		name string
		zs   []float64
		dst  *[]IsochroneParam
	}{
		{"in-family", s.TrainZ, &res.InFamily},
		{fmt.Sprintf("held-out Z=%g", s.HeldOutZ), []float64{s.HeldOutZ}, &res.HeldOut},
	}
	var null []float64 // NullMedianCal of nullN test stars
	nullN := 0
	for k, set := range sets {
		xt, yt, err := isoStars(ctx, g, set.zs, s.TestStars, s.Noise, uint64(s.TestSeed), 1000+10*uint64(k), IsochroneParams)
		if err != nil {
			return res, err
		}
		src := rand.NewPCG(uint64(s.TestSeed), 5000+uint64(k))
		var post []*mat.Dense
		if s.Derived {
			var redrawn float64
			post, redrawn, err = deriveSamples(ctx, g, m, yt, s.Samples, s.TrainZ, src)
			res.Redrawn = append(res.Redrawn, redrawn)
			s.Log("isochrone %s: %.2f%% of the samples drawn again (no star on the isochrone)", set.name, 100*redrawn)
		} else {
			post, err = m.Sample(ctx, yt, s.Samples, src)
		}
		if err != nil {
			return res, err
		}
		rep, err := diagnostics.Evaluate(ctx, post, xt, diagnostics.Options{Names: IsochroneParams})
		if err != nil {
			return res, err
		}
		if len(null) == 0 || nullN != rep.Observations { // both test sets have TestStars stars: draw once
			null, nullN = diagnostics.NullMedianCal(rep.Observations, diagnostics.NullOptions{Samples: s.Samples}, rand.NewPCG(uint64(rep.Observations), 9001)), rep.Observations
		}
		ps := make([]string, len(rep.Params))
		for j, p := range rep.Params {
			pv := diagnostics.NullPValue(null, p.MedianCal)
			*set.dst = append(*set.dst, IsochroneParam{Name: p.Name, MedianCal: p.MedianCal, InSupport: p.InSupport,
				RMSEMAP: p.RMSEMAP, U68: p.U68, Coverage68: p.Coverage68, Coverage95: p.Coverage95, MedianCalP: pv})
			ps[j] = fmt.Sprintf("%s %.2g", p.Name, pv)
		}
		s.Log("isochrone %s:\n%smedian |e_cal| against a calibrated posterior's (p): %s", set.name, rep, strings.Join(ps, ", "))
		if s.Figures != "" {
			if err := isoFigures(s.Figures, []string{"in-family", "held-out"}[k], set.name, rep, xt, s.Samples); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// recordDesign records the permutation and mixing design of c, the network's
// configuration, in r.
func (r *IsochroneResult) recordDesign(c cinn.Config) {
	r.PermSeed, r.Permute, r.LinearMix, r.MixInit = c.PermSeed, c.Permute, c.LinearMix, c.MixInit
}

// trainIsoNet trains the isochrone network of s on fresh training stars,
// saving it to s.Model when set, and records the training in res.
func trainIsoNet(ctx context.Context, g *isochrone.Grid, params []string, s IsochroneSettings, res *IsochroneResult) (*cinn.Model, error) {
	x, y, err := isoStars(ctx, g, s.TrainZ, s.TrainStars, s.Noise, uint64(s.Seed), 0, params)
	if err != nil {
		return nil, err
	}
	if s.Derived && len(params) == 3 {
		// Dequantize the metallicity: a flow needs a density.
		step := zStep(s.TrainZ)
		jit := rand.New(rand.NewPCG(uint64(s.Seed), 200))
		for i := 0; i < s.TrainStars; i++ {
			x.Set(i, 2, x.At(i, 2)+step*(jit.Float64()-0.5))
		}
	}
	nVal := s.TrainStars / 10
	nTr := s.TrainStars - nVal
	dx, dy := x.RawMatrix().Cols, y.RawMatrix().Cols
	xTr, yTr := mat.DenseCopyOf(x.Slice(0, nTr, 0, dx)), mat.DenseCopyOf(y.Slice(0, nTr, 0, dy))
	xVal, yVal := mat.DenseCopyOf(x.Slice(nTr, s.TrainStars, 0, dx)), mat.DenseCopyOf(y.Slice(nTr, s.TrainStars, 0, dy))

	cfg := s.Config.ForRows(nTr)
	cfg.DimX, cfg.DimY = dx, dy
	xt := make([]cinn.Transform, dx)
	xt[1] = cinn.Transform{Kind: cinn.Log10} // Mass
	if s.AgeProbit {
		lo, hi := g.AgeRange()
		xt[0] = cinn.Transform{Kind: cinn.Probit, Lo: lo, Hi: hi}
	}
	m, err := cinn.NewModel(cfg, cinn.Spec{XNames: params, YNames: g.Bands(), XTransforms: xt})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	s.Train.Progress = func(p cinn.Progress) {
		if p.EpochDone {
			s.Log("isochrone: epoch %d train %.4f val %.4f", p.Epoch, p.TrainLoss, p.ValLoss)
		}
	}
	tr, err := m.Train(ctx, xTr, yTr, xVal, yVal, s.Train)
	res.TrainSeconds = time.Since(start).Seconds()
	if err != nil {
		return nil, fmt.Errorf("validation: training the isochrone network: %w", err)
	}
	res.Epochs, res.BestEpoch, res.Stopped = tr.Epochs, tr.BestEpoch, tr.Stopped.String()
	if s.Config.Seed != s.Seed {
		res.NetSeed = s.Config.Seed
	}
	if s.Train.Seed != s.Seed+1 {
		res.BatchSeed = s.Train.Seed
	}
	res.recordDesign(s.Config)
	res.History = m.History()
	s.Log("isochrone: trained %d epochs (best %d) in %.0fs", tr.Epochs, tr.BestEpoch, res.TrainSeconds)
	if s.Model != "" {
		if err := m.Save(s.Model); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// loadIsoNet reads a network saved by an earlier run and checks that it
// infers params from bands.
func loadIsoNet(path string, params, bands []string) (*cinn.Model, error) {
	m, err := cinn.Load(path)
	if err != nil {
		return nil, err
	}
	sp := m.Spec()
	if !slices.Equal(sp.XNames, params) || !slices.Equal(sp.YNames, bands) {
		return nil, fmt.Errorf("validation: %s infers %v from %v; these settings need %v from %v (was it trained with other -iso-derived or metallicities?)", path, sp.XNames, sp.YNames, params, bands)
	}
	if !m.Trained() {
		return nil, fmt.Errorf("validation: %s is not trained", path)
	}
	return m, nil
}

func isoFigures(dir, file, title string, rep diagnostics.Report, truth *mat.Dense, samples int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	q, ecal := rep.CalibrationCurves()
	lo, hi := diagnostics.CalibrationBand(rep.Observations, samples, q, 0.95)
	cal, err := figure.Calibration(q, ecal, IsochroneParams, figure.CalibrationOptions{Title: "PARSEC Gaia, " + title,
		BandLo: lo, BandHi: hi, BandLabel: fmt.Sprintf("95%% of calibrated test sets (%d stars)", rep.Observations)})
	if err != nil {
		return err
	}
	tvm, err := figure.TruthVsMAP(figure.Columns(truth), figure.Columns(rep.MAP), IsochroneParams, figure.TruthOptions{})
	if err != nil {
		return err
	}
	for name, f := range map[string]*figure.Figure{"calibration": cal, "truth-vs-map": tvm} {
		img, err := figure.Render(f, 0, 0, 0)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "validation-iso-"+file+"-"+name+".png"), img.PNG, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Table formats the seeds' criteria as a Markdown table.
func (r IsochroneResult) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| parameter | median abs(e_cal) | in support | RMSE of MAP | u68 | held-out Z=%g: median abs(e_cal) | in support | RMSE of MAP |\n", r.HeldOutZ)
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for j, p := range r.InFamily {
		fmt.Fprintf(&b, "| %s | %s | %.1f%% | %.3f | %.3f |", p.Name, p.medianCal(), 100*p.InSupport, p.RMSEMAP, p.U68)
		if j < len(r.HeldOut) {
			h := r.HeldOut[j]
			fmt.Fprintf(&b, " %s | %.1f%% | %.3f |", h.medianCal(), 100*h.InSupport, h.RMSEMAP)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// medianCal formats the median |e_cal| in percent, with its p-value when
// the result records one (results before the eleventh session do not).
func (p IsochroneParam) medianCal() string {
	if p.MedianCalP == 0 {
		return fmt.Sprintf("%.2f%%", 100*p.MedianCal)
	}
	return fmt.Sprintf("%.2f%% (p %.2g)", 100*p.MedianCal, p.MedianCalP)
}
