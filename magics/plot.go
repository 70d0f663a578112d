package magics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/gocinn/gocinn/cinn/figure"
	"github.com/gocinn/gocinn/cinn/simulators"
	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/vg"
)

// plotSize is the logical size of a figure in CSS pixels and the dpi it is
// shown at; zero sizes take the figure's preferred size.
type plotSize struct {
	width, height int
	dpi           float64
}

// showFigure renders f at twice its logical size, displays it with its
// plain-text description, and writes the PNG to outPath if it is not empty.
func showFigure(s *Session, out Output, f *figure.Figure, sz plotSize, outPath string) error {
	dpi := sz.dpi
	if dpi <= 0 {
		dpi = figure.DefaultDPI
	}
	px := func(n int) vg.Length {
		if n <= 0 {
			return 0
		}
		return vg.Length(n) * vg.Inch / vg.Length(dpi)
	}
	img, err := figure.Render(f, px(sz.width), px(sz.height), dpi)
	if err != nil {
		return Errorf("PlotError", "", "%v", err)
	}
	if outPath != "" {
		if err := writeFileAtomic(s.Path(outPath), img.PNG); err != nil {
			return Errorf("IOError", "", "writing %s: %v", outPath, err)
		}
	}
	out.Display(PNG(img.PNG, img.Width, img.Height, f.Text))
	if outPath != "" {
		out.Stdout(fmt.Sprintf("wrote %s (%d×%d pixels)\n", outPath, 2*img.Width, 2*img.Height))
	}
	return nil
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

var plotKinds = []string{"loss", "corner", "marginals", "calibration", "truth", "cmd", "hist2d", "sbc"}

var plotCmd = &Command{
	Name: "plot",
	Args: []Arg{{Name: "KIND", Usage: "loss, corner, marginals, calibration, truth, cmd, hist2d or sbc", Choices: plotKinds, Complete: CompleteChoice}},
	Flags: []Flag{
		{Name: "obs", Kind: Int, Default: "0", Usage: "corner, marginals: which observation of the last %sample (0-based position)"},
		{Name: "param", Kind: List, Meta: "NAMES", Usage: "corner, marginals: the parameters to show (default all); cmd: the parameter whose MAP colours the stars", Complete: CompleteColumns},
		{Name: "reference", Kind: Bool, Usage: "corner: overlay the exact posterior of an sbibm task"},
		{Name: "data", Meta: "NAME", Usage: "cmd, hist2d: the dataset to draw (default: the last %sample's observations; hist2d: the test split)", Complete: CompleteDataset},
		{Name: "x", Meta: "EXPR", Usage: "cmd: the colour (e.g. G_BPmag-G_RPmag); hist2d: the horizontal quantity (e.g. log_NII_6584-log_OII_3727)", Complete: CompleteColumns},
		{Name: "y", Meta: "EXPR", Usage: "cmd: the magnitude; hist2d: the vertical quantity", Complete: CompleteColumns},
		{Name: "color", Meta: "EXPR", Usage: "cmd with --data: the column or expression that colours the stars", Complete: CompleteColumns},
		{Name: "mark", Kind: List, Meta: "X,Y", Usage: "hist2d: mark a point, such as an observation"},
		{Name: "bins", Kind: Int, Default: "0", Usage: "number of bins (0: chosen from the data)"},
		{Name: "title", Usage: "figure title"},
		{Name: "width", Kind: Int, Default: "0", Usage: "width in pixels (0: the figure's preferred size)"},
		{Name: "height", Kind: Int, Default: "0", Usage: "height in pixels (0: keep the aspect ratio)"},
		{Name: "dpi", Kind: Float, Default: "96", Usage: "pixels per inch of the display (the PNG has twice as many)"},
		{Name: "out", Meta: "FILE.png", Usage: "also write the PNG to this file", Complete: CompleteFile},
	},
	Short: "draw a figure: loss, corner, marginals, calibration, truth, cmd, hist2d, sbc",
	Long: `%plot draws one of the workflow's figures as a PNG (shown at its logical size,
rendered at twice that) with a plain-text description:

  loss         training and validation loss per epoch (after %train)
  corner       posterior pairs and marginals of one observation with 68/95% contours
               and the true values (after %sample; --reference adds the exact
               posterior of an sbibm task)
  marginals    one histogram per parameter with median and 68% interval
  calibration  calibration error e_cal(q) per parameter, over the 95% band of
               calibrated posteriors on as many observations (after %eval)
  truth        density of the MAP estimate against the true value (after %eval)
  cmd          colour–magnitude diagram coloured by a MAP parameter (after %sample)
  hist2d       2-D histogram of two derived quantities such as line ratios
  sbc          simulation-based calibration rank histograms (after %eval)

Large samples are binned, never scattered point by point.`,
	Example: "%plot corner --obs 0 --reference\n%plot cmd --x G_BPmag-G_RPmag --y Gmag --param logAge --out cmd.png",
	Run:     runPlot,
}

func runPlot(ctx context.Context, s *Session, inv *Invocation, out Output) error {
	sz := plotSize{width: inv.Int("width"), height: inv.Int("height"), dpi: inv.Float("dpi")}
	if sz.width < 0 || sz.height < 0 || sz.width > 4000 || sz.height > 4000 || !(sz.dpi >= 1) || sz.dpi > 200 {
		return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "--width and --height must be 0 to 4000 pixels and --dpi between 1 and 200")
	}
	if o := inv.String("out"); o != "" && !strings.HasSuffix(strings.ToLower(o), ".png") {
		return Errorf("UsageError", "", "--out writes a PNG: give a file name ending in .png, not %q", o)
	}
	s.smu.RLock()
	m, post, ev := s.model, s.samples, s.eval
	s.smu.RUnlock()
	title := inv.String("title")
	var f *figure.Figure
	var err error
	switch kind := inv.Arg(0); kind {
	case "loss":
		if m == nil || len(m.History()) == 0 {
			return Errorf("StateError", "run %train first", "no training history")
		}
		h := m.History()
		tr := make([]float64, len(h))
		var val []float64
		for i, e := range h {
			tr[i] = e.TrainLoss
			if !math.IsNaN(e.ValLoss) {
				val = append(val, e.ValLoss)
			}
		}
		if len(val) != len(tr) {
			val = nil
		}
		f, err = figure.Loss(tr, val, figure.LossOptions{Title: title})
	case "corner", "marginals":
		if post == nil {
			return Errorf("StateError", "run %sample first", "no posterior samples")
		}
		i := inv.Int("obs")
		if i < 0 || i >= len(post.samples) {
			return Errorf("UsageError", "", "--obs %d: the last %%sample has observations 0 to %d", i, len(post.samples)-1)
		}
		cols := make([]int, 0, len(post.params))
		if sel := inv.List("param"); len(sel) > 0 {
			for _, p := range sel {
				j := indexOf(post.params, p)
				if j < 0 {
					return Errorf("ColumnError", "", "no parameter %q; the parameters are %s", p, strings.Join(post.params, ", "))
				}
				cols = append(cols, j)
			}
		} else {
			for j := range post.params {
				cols = append(cols, j)
			}
		}
		smp := selectCols(post.samples[i], cols)
		names := make([]string, len(cols))
		var truth []float64
		for k, j := range cols {
			names[k] = post.params[j]
			if post.truth != nil {
				truth = append(truth, post.truth.At(i, j))
			}
		}
		if title == "" {
			title = fmt.Sprintf("%s, row %d", post.obsName, post.rows[i])
		}
		if kind == "marginals" {
			mp := make([]float64, len(cols))
			for k, j := range cols {
				mp[k] = post.summary[i][j].MAP
			}
			f, err = figure.Marginals(smp, names, truth, figure.MarginalsOptions{Title: title, Bins: inv.Int("bins"), MAP: mp})
			break
		}
		opts := figure.CornerOptions{Title: title, Bins: inv.Int("bins")}
		if inv.Bool("reference") {
			rp, ok := post.task.(simulators.ReferencePosterior)
			if post.task == nil || !ok {
				return Errorf("UsageError", "only sbibm tasks (except slcp) have an exact posterior", "--reference: the observations of %s have no exact reference posterior", post.obsName)
			}
			yv := make([]float64, len(post.task.ObsNames()))
			for j, c := range post.task.ObsNames() {
				v, err := post.obs.Col(c)
				if err != nil {
					return Errorf("ColumnError", "", "%v", err)
				}
				yv[j] = v[i]
			}
			ref, err := rp.SamplePosterior(ctx, yv, post.samples[i].RawMatrix().Rows, rand.NewPCG(uint64(i), 0x4ef))
			if err != nil {
				if ctx.Err() != nil {
					return err
				}
				return Errorf("SimulatorError", "", "exact posterior: %v", err)
			}
			opts.Reference = selectCols(ref, cols)
			opts.ReferenceLabel = "exact posterior"
		}
		f, err = figure.Corner(smp, names, truth, opts)
	case "calibration", "truth", "sbc":
		if ev == nil {
			return Errorf("StateError", "run %eval first", "no evaluation")
		}
		names := ev.report.Names()
		switch kind {
		case "calibration":
			q, ecal := ev.report.CalibrationCurves()
			f, err = figure.Calibration(q, ecal, names, calibrationOptions(ev.report, ev.n, title))
		case "truth":
			f, err = figure.TruthVsMAP(figure.Columns(ev.truth), figure.Columns(ev.report.MAP), names, figure.TruthOptions{Title: title, Bins: inv.Int("bins")})
		case "sbc":
			ranks := make([][]int, len(ev.report.Params))
			pv := make([]float64, len(ev.report.Params))
			for j, p := range ev.report.Params {
				ranks[j], pv[j] = p.Rank.Ranks, p.Rank.PValue
			}
			f, err = figure.SBC(ranks, ev.n, names, figure.SBCOptions{Title: title, Bins: inv.Int("bins"), PValues: pv})
		}
	case "cmd":
		f, err = plotCMD(s, inv, post, title)
	case "hist2d":
		f, err = plotHist2D(s, inv, title)
	}
	if err != nil {
		if _, ok := err.(*Error); ok {
			return err
		}
		return Errorf("PlotError", "", "%v", err)
	}
	return showFigure(s, out, f, sz, inv.String("out"))
}

func selectCols(m *mat.Dense, cols []int) *mat.Dense {
	r, c := m.Dims()
	if len(cols) == c {
		same := true
		for k, j := range cols {
			same = same && k == j
		}
		if same {
			return m
		}
	}
	out := mat.NewDense(r, len(cols), nil)
	for k, j := range cols {
		out.SetCol(k, colOf(m, j))
	}
	return out
}

func plotCMD(s *Session, inv *Invocation, post *posterior, title string) (*figure.Figure, error) {
	var t *table.Table
	var value []float64
	var valueLabel string
	if dn := inv.String("data"); dn != "" {
		d, err := s.dataset(dn)
		if err != nil {
			return nil, err
		}
		t = d.t
		expr := inv.String("color")
		if expr == "" {
			return nil, Errorf("UsageError", "e.g. --color logAge_map", "%%plot cmd --data needs --color: the column or expression that colours the stars")
		}
		v, _, err := evalExpr(t, expr)
		if err != nil {
			return nil, err
		}
		value, valueLabel = v, expr
	} else {
		if post == nil {
			return nil, Errorf("StateError", "run %sample --obs NAME --rows all first, or give --data NAME --color EXPR", "no posterior to colour the stars by")
		}
		t = post.obs
		p := post.params[0]
		if sel := inv.List("param"); len(sel) > 0 {
			p = sel[0]
		}
		j := indexOf(post.params, p)
		if j < 0 {
			return nil, Errorf("ColumnError", "", "no parameter %q; the parameters are %s", p, strings.Join(post.params, ", "))
		}
		value = make([]float64, len(post.summary))
		for i := range value {
			value[i] = post.summary[i][j].MAP
		}
		valueLabel = "MAP " + p
	}
	xe, ye := inv.String("x"), inv.String("y")
	if xe == "" || ye == "" {
		switch {
		case t.Has("G_BPmag") && t.Has("G_RPmag") && t.Has("Gmag"):
			xe, ye = "G_BPmag-G_RPmag", "Gmag"
		case t.Has("F555W") && t.Has("F814W"):
			xe, ye = "F555W-F814W", "F814W"
		case t.Has("bp_rp") && t.Has("phot_g_mean_mag"):
			xe, ye = "bp_rp", "phot_g_mean_mag"
		default:
			return nil, Errorf("UsageError", "columns: "+strings.Join(t.Names(), ", "), "say what to draw: --x COLOUR --y MAGNITUDE (expressions such as G_BPmag-G_RPmag)")
		}
	}
	xv, _, err := evalExpr(t, xe)
	if err != nil {
		return nil, err
	}
	yv, _, err := evalExpr(t, ye)
	if err != nil {
		return nil, err
	}
	// Stars with a missing colour, magnitude or value are left out.
	var cx, cy, cv []float64
	for i := range xv {
		if !math.IsNaN(xv[i]) && !math.IsNaN(yv[i]) && !math.IsNaN(value[i]) && !math.IsInf(value[i], 0) {
			cx, cy, cv = append(cx, xv[i]), append(cy, yv[i]), append(cv, value[i])
		}
	}
	if len(cx) == 0 {
		return nil, Errorf("DataError", "", "no star has a colour, a magnitude and a value")
	}
	return figure.CMD(cx, cy, cv, figure.CMDOptions{ColorLabel: xe, MagLabel: ye, ValueLabel: valueLabel, Title: title, Bins: inv.Int("bins")})
}

func plotHist2D(s *Session, inv *Invocation, title string) (*figure.Figure, error) {
	var t *table.Table
	if dn := inv.String("data"); dn != "" {
		var err error
		if t, _, err = s.observations(dn); err != nil {
			return nil, err
		}
	} else {
		r, err := s.needData()
		if err != nil {
			return nil, Errorf("UsageError", "", "say which dataset to draw with --data NAME")
		}
		t = r.test
		if t == nil {
			t = r.train
		}
	}
	xe, ye := inv.String("x"), inv.String("y")
	if xe == "" || ye == "" {
		return nil, Errorf("UsageError", "columns: "+strings.Join(t.Names(), ", "), "%%plot hist2d needs --x EXPR and --y EXPR, e.g. --x log_NII_6584-log_OII_3727")
	}
	xv, _, err := evalExpr(t, xe)
	if err != nil {
		return nil, err
	}
	yv, _, err := evalExpr(t, ye)
	if err != nil {
		return nil, err
	}
	var cx, cy []float64
	for i := range xv {
		if !math.IsNaN(xv[i]) && !math.IsNaN(yv[i]) {
			cx, cy = append(cx, xv[i]), append(cy, yv[i])
		}
	}
	if len(cx) == 0 {
		return nil, Errorf("DataError", "", "no row has both values")
	}
	opts := figure.Hist2DOptions{Title: title, Bins: inv.Int("bins")}
	if mk := inv.List("mark"); len(mk) > 0 {
		if len(mk) != 2 {
			return nil, Errorf("UsageError", "", "--mark takes X,Y")
		}
		mx, e1 := strconv.ParseFloat(mk[0], 64)
		my, e2 := strconv.ParseFloat(mk[1], 64)
		if e1 != nil || e2 != nil {
			return nil, Errorf("UsageError", "", "--mark takes two numbers X,Y")
		}
		opts.Marks = []figure.Mark{{Label: "observed", X: mx, Y: my}}
	}
	return figure.Hist2D(cx, cy, xe, ye, opts)
}
