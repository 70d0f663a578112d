package magics

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/figure"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/vg"
)

var modelCmd = &Command{
	Name: "model",
	Flags: []Flag{
		{Name: "blocks", Kind: Int, Default: strconv.Itoa(cinn.DefaultBlocks), Usage: "coupling blocks"},
		{Name: "hidden", Kind: Int, Default: strconv.Itoa(cinn.DefaultHidden), Usage: "width of the subnets' hidden layers"},
		{Name: "layers", Kind: Int, Default: strconv.Itoa(cinn.DefaultLayers), Usage: "hidden layers per subnet"},
		{Name: "clamp", Kind: Float, Default: defaultFloat(cinn.DefaultClamp), Usage: "soft clamp of the log-scales (affine coupling)"},
		{Name: "coupling", Kind: String, Default: cinn.DefaultCoupling, Choices: []string{cinn.AffineCoupling, cinn.SplineCoupling, cinn.MixedCoupling}, Complete: CompleteChoice,
			Usage: "coupling transform: mixed (affine and spline blocks in turn), affine (GLOW, as the seed papers) or spline (rational-quadratic, as sbibm's NPE)"},
		{Name: "bins", Kind: Int, Meta: "N", Usage: fmt.Sprintf("spline bins (spline and mixed coupling; default %d, or %d with %s training rows or more)", cinn.DefaultBins, cinn.DefaultBinsLarge, grouped(cinn.LargeTrainingRows))},
		{Name: "tail-bound", Kind: Float, Default: defaultFloat(cinn.DefaultTailBound), Usage: "the spline acts on [-B, B] of the standardised values, the identity outside (spline and mixed coupling)"},
		{Name: "cond-net", Kind: List, Meta: "W1,W2,...", Usage: "widths of a conditioning network on y, e.g. 512,512,256 (default: none, the blocks see y)"},
		{Name: "actnorm", Kind: Bool, Usage: "affine normalisation after every block"},
		{Name: "init-scale", Kind: Float, Default: defaultFloat(cinn.DefaultInitScale), Usage: "standard deviation of the initial weights"},
		{Name: "seed", Kind: Int, Default: "0", Usage: "seed of the initial weights and permutations"},
	},
	Short: "build the cINN for the declared data and show its architecture",
	Long: `%model builds a conditional invertible network for the parameters and
observables declared by %data: coupling blocks with MLP subnets and fixed
permutations between them, as FrEIA's networks of Ksoll et al. 2020 and Kang et
al. 2022. It replaces any previous model. The %%model cell form takes one
key: value per line instead of flags.

The default, --coupling mixed, alternates affine (GLOW) blocks and
rational-quadratic spline blocks, affine first on the parameter side: the affine
blocks place and scale a narrow posterior for each observation, the splines
shape it (skewed, bounded or multi-modal). It came closest to the published
posteriors of the sbibm benchmark and of the isochrones without tuning
(docs/validation.md), for about 1.2 times the CPU time per training step of
--coupling affine, the seed papers' network of GLOW blocks only. --coupling
spline makes every block a spline, as the neural spline flows of sbibm's NPE
(about 1.4 times affine's time per step).`,
	Cell:    "one flag per line as key: value, e.g.\nblocks: 6\nhidden: 128\ncond-net: 256,128",
	Example: "%model --blocks 6 --hidden 128 --layers 2 --seed 1",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		if inv.HasBody {
			for i, line := range strings.Split(inv.Body, "\n") {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				k, v, ok := strings.Cut(line, ":")
				if !ok {
					k, v, ok = strings.Cut(line, "=")
				}
				if !ok {
					return &Error{Kind: "SyntaxError", Line: inv.Line + i + 1, Msg: fmt.Sprintf("%q is not key: value", line), Hint: "usage: " + inv.Cmd.UsageLine()}
				}
				k = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(k), "--"), "_", "-")
				if err := inv.Set(k, strings.TrimSpace(v)); err != nil {
					var e *Error
					if errors.As(err, &e) {
						e.Line = inv.Line + i + 1
					}
					return err
				}
			}
		}
		r, err := s.needData()
		if err != nil {
			return err
		}
		var cond []int
		for _, w := range inv.List("cond-net") {
			n, err := strconv.Atoi(w)
			if err != nil || n <= 0 {
				return Errorf("UsageError", "write --cond-net 512,512,256", "bad --cond-net width %q", w)
			}
			cond = append(cond, n)
		}
		cfg := cinn.Config{DimX: len(r.x), DimY: len(r.y), Blocks: inv.Int("blocks"), Hidden: inv.Int("hidden"), Layers: inv.Int("layers"),
			Clamp: inv.Float("clamp"), CondNet: cond, ActNorm: inv.Bool("actnorm"), InitScale: inv.Float("init-scale"), Seed: int64(inv.Int("seed")),
			Coupling: inv.String("coupling")}
		for _, c := range []struct {
			n string
			v float64
		}{{"blocks", float64(cfg.Blocks)}, {"hidden", float64(cfg.Hidden)}, {"layers", float64(cfg.Layers)}, {"clamp", cfg.Clamp}, {"init-scale", cfg.InitScale},
			{"tail-bound", inv.Float("tail-bound")}} {
			if !(c.v > 0) {
				return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "--%s must be positive, not %g", c.n, c.v)
			}
		}
		if inv.Has("bins") {
			if n := inv.Int("bins"); n < 2 || n > cinn.MaxBins {
				return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "--bins must be 2 to %d, not %d", cinn.MaxBins, n)
			}
		}
		if cfg.UsesSplines() {
			// Without --bins the bins follow the training set's size.
			cfg.Bins, cfg.TailBound = inv.Int("bins"), inv.Float("tail-bound")
			cfg = cfg.ForRows(r.train.Len())
		}
		if est := estimateParams(cfg); est > maxParams {
			return Errorf("UsageError", "use fewer --blocks, --layers or a smaller --hidden", "a network of about %.3g parameters is more than this kernel allows (%d)", est, maxParams)
		}
		m, err := cinn.NewModel(cfg, cinn.Spec{XNames: r.x, YNames: r.y, XTransforms: r.xTr, YTransforms: r.yTr})
		if err != nil {
			return Errorf("ModelError", "", "%v", err)
		}
		s.smu.Lock()
		s.model, s.modelOf = m, r.dataset
		s.smu.Unlock()
		out.Display(modelTable(m, r.dataset).Display())
		return nil
	},
}

// maxParams bounds the size of a network %model builds, so that a typo in
// --hidden cannot exhaust the kernel's memory (parameters, gradients and
// Adam moments take 16 bytes each).
const maxParams = 50_000_000

// estimateParams bounds the number of trainable parameters of cfg from
// above: two subnets per block, each an MLP from (half the flow plus the
// condition) through Layers hidden layers to twice the other half (3·Bins-1
// times for splines), plus the conditioning network.
func estimateParams(c cinn.Config) float64 {
	cond, in := float64(c.DimY), float64(c.DimY)
	for _, w := range c.CondNet {
		cond += (in + 1) * float64(w)
		in = float64(w)
	}
	d := float64(max(c.DimX, 2))
	h := float64(c.Hidden)
	per := 2.0
	if c.UsesSplines() {
		per = 3*float64(c.Bins) - 1 // an upper bound for mixed
	}
	sub := (d+in+1)*h + float64(max(c.Layers-1, 0))*(h+1)*h + (h+1)*per*d
	return float64(c.Blocks)*2*sub + cond
}

func modelTable(m *cinn.Model, of string) *Table {
	c := m.Config()
	cond := "none (the blocks see y)"
	if len(c.CondNet) > 0 {
		ws := make([]string, len(c.CondNet))
		for i, w := range c.CondNet {
			ws[i] = strconv.Itoa(w)
		}
		cond = strings.Join(ws, "-")
	}
	coupling := []string{"coupling", fmt.Sprintf("affine (GLOW), clamp %s", fmtNum(c.Clamp))}
	spline := fmt.Sprintf("rational-quadratic spline, %d bins on [-%s, %s]", c.Bins, fmtNum(c.TailBound), fmtNum(c.TailBound))
	switch c.Coupling {
	case cinn.SplineCoupling:
		coupling[1] = spline
	case cinn.MixedCoupling:
		coupling[1] = "in turn " + coupling[1] + " and " + spline
	}
	sp := m.Spec()
	status := "untrained"
	if h := m.History(); len(h) > 0 {
		status = fmt.Sprintf("trained for %d epochs", len(h))
	}
	rows := [][]string{
		{"parameters x", fmt.Sprintf("%d: %s", c.DimX, strings.Join(sp.XNames, ", "))},
		{"observables y", fmt.Sprintf("%d: %s", c.DimY, strings.Join(sp.YNames, ", "))},
		{"coupling blocks", strconv.Itoa(c.Blocks)},
		{"subnet", fmt.Sprintf("%d hidden layers × %d ReLU", c.Layers, c.Hidden)},
		coupling,
		{"conditioning network", cond},
		{"ActNorm", strconv.FormatBool(c.ActNorm)},
	}
	// Designs %model does not offer show only when a loaded file has
	// them (validation networks, for example).
	if c.Permute == cinn.PermuteBalanced || c.PermSeed != 0 || c.LinearMix {
		perm := "random"
		if c.Permute == cinn.PermuteBalanced {
			perm = "balanced"
		}
		if c.PermSeed != 0 {
			perm += fmt.Sprintf(" (seed %d)", c.PermSeed)
		}
		if c.LinearMix {
			perm += ", each followed by a learned linear mixing"
			if c.MixInit == cinn.MixRotation {
				perm += " (from a random rotation)"
			}
		}
		rows = append(rows, []string{"permutations", perm})
	}
	rows = append(rows,
		[]string{"trainable parameters", strconv.Itoa(m.NumParams())},
		[]string{"seed", strconv.FormatInt(c.Seed, 10)},
		[]string{"status", status})
	return &Table{
		Caption: fmt.Sprintf("cINN for %s: %d parameters", of, m.NumParams()),
		Header:  []string{"setting", "value"}, Index: true,
		Rows: rows,
	}
}

// defaultFloat writes a cinn default as a flag's default, so help and
// parsing follow the constant.
func defaultFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// grouped formats n with commas between groups of three digits, as the
// help texts write counts (10,000).
func grouped(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

var trainCmd = &Command{
	Name: "train",
	Flags: []Flag{
		{Name: "epochs", Kind: Int, Default: "0", Usage: "passes over the training set at most (0: at least 100 and enough for 5,000 steps)"},
		{Name: "batch", Kind: Int, Default: strconv.Itoa(cinn.DefaultBatchSize), Usage: "mini-batch size"},
		{Name: "lr", Kind: Float, Default: defaultFloat(cinn.DefaultLR), Usage: "Adam learning rate"},
		{Name: "decay", Kind: Float, Default: "0", Usage: "L2 weight decay (as torch.optim.Adam's weight_decay)"},
		{Name: "schedule", Kind: String, Default: "plateau", Choices: []string{"plateau", "constant", "cosine"}, Usage: "learning-rate schedule: plateau (×0.2 and back to the best weights after a third of the patience without improvement), constant, or cosine (annealed to zero over --epochs, without early stopping unless --patience is set; the best validation epoch is kept)"},
		{Name: "gamma", Kind: Float, Default: "1", Usage: "learning rate factor per epoch (an exponential schedule instead of --schedule)"},
		{Name: "patience", Kind: Int, Default: "0", Usage: "epochs without a better validation loss before stopping (0: at least 10 epochs and 300 steps, never with --schedule cosine; -1: never stop early)"},
		{Name: "val", Kind: Bool, Default: "true", Usage: "use the validation split for early stopping and the best model (--val=false: train without)"},
		{Name: "clip", Kind: Float, Default: "0", Usage: "clip the gradient to this global L2 norm (0: no clipping)"},
		{Name: "ema", Kind: Float, Default: "0", Usage: "validate and keep a moving average of the weights over about 1/(1-ema) steps (0: off; 0.999: about 1,000 steps)"},
		{Name: "seed", Kind: Int, Default: "0", Usage: "seed of shuffling and noise"},
	},
	Short: "train the model with live progress; the interrupt button keeps the best model so far",
	Long: `%train fits the model to the training split of %data by maximum likelihood
with Adam. One output shows the progress bar, the epoch, the losses, samples per
second, the time left and the loss curve, refreshed about once a second, and a
summary table follows. With a validation split the model keeps the weights of
the best validation epoch and stops after --patience epochs without improvement.
The interrupt button stops training between mini-batches and keeps the best
model so far; a second %train continues from where the first stopped.`,
	Example: "%train --epochs 30 --batch 256 --lr 1e-3",
	Run:     runTrain,
}

func runTrain(ctx context.Context, s *Session, inv *Invocation, out Output) error {
	r, err := s.needData()
	if err != nil {
		return err
	}
	m, err := s.needModel(false)
	if err != nil {
		return err
	}
	sp := m.Spec()
	if strings.Join(sp.XNames, ",") != strings.Join(r.x, ",") || strings.Join(sp.YNames, ",") != strings.Join(r.y, ",") {
		return Errorf("StateError", "run %model again to build a network for the current %data, or %data with the model's columns",
			"the model was built for x = %s, y = %s, but %%data now declares x = %s, y = %s",
			strings.Join(sp.XNames, ","), strings.Join(sp.YNames, ","), strings.Join(r.x, ","), strings.Join(r.y, ","))
	}
	for _, c := range []struct {
		n, want string
		ok      bool
	}{
		{"epochs", "0 (automatic) or more", inv.Int("epochs") >= 0},
		{"batch", "positive", inv.Int("batch") > 0},
		{"lr", "positive", inv.Float("lr") > 0},
		{"gamma", "positive", inv.Float("gamma") > 0},
		{"decay", "0 or more", inv.Float("decay") >= 0},
		{"clip", "0 or more", inv.Float("clip") >= 0},
		{"ema", "in [0, 1)", inv.Float("ema") >= 0 && inv.Float("ema") < 1},
	} {
		if !c.ok {
			return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "--%s must be %s", c.n, c.want)
		}
	}
	x, err := r.train.Matrix(r.x...)
	if err != nil {
		return Errorf("DataError", "", "training set: %v", err)
	}
	y, err := r.train.Matrix(r.y...)
	if err != nil {
		return Errorf("DataError", "", "training set: %v", err)
	}
	var xv, yv *mat.Dense
	if inv.Bool("val") && r.val != nil {
		if xv, err = r.val.Matrix(r.x...); err != nil {
			return Errorf("DataError", "", "validation set: %v", err)
		}
		if yv, err = r.val.Matrix(r.y...); err != nil {
			return Errorf("DataError", "", "validation set: %v", err)
		}
	}
	st := cinn.TrainSettings{
		Epochs: inv.Int("epochs"), BatchSize: inv.Int("batch"), LR: inv.Float("lr"), WeightDecay: inv.Float("decay"),
		Patience: inv.Int("patience"), ClipNorm: inv.Float("clip"), EMA: inv.Float("ema"), Noise: r.noise, Seed: int64(inv.Int("seed")),
		ProgressEvery: time.Second,
	}
	if g := inv.Float("gamma"); g != 1 && inv.String("schedule") != "plateau" {
		return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "--gamma %g sets an exponential schedule and --schedule %s another; give one of them", g, inv.String("schedule"))
	}
	switch inv.String("schedule") {
	case "constant":
		st.Schedule = cinn.Schedule{Kind: cinn.ConstantSchedule}
	case "cosine":
		st.Schedule = cinn.Schedule{Kind: cinn.CosineSchedule}
	}
	if g := inv.Float("gamma"); g != 1 {
		st.Schedule = cinn.Schedule{Kind: cinn.ExponentialSchedule, Gamma: g}
	}
	// Resolve the size-dependent defaults here so that the progress bar
	// shows the real epoch budget.
	st = st.WithDefaults(x.RawMatrix().Rows, xv != nil)
	s.smu.Lock()
	s.trains++
	id := fmt.Sprintf("gocinn-train-%d-%d", time.Now().UnixNano(), s.trains)
	s.smu.Unlock()

	prior := len(m.History())
	lp := &liveProgress{out: out, id: id, m: m, prior: prior}
	lp.show(cinn.Progress{Epochs: st.Epochs, ValLoss: math.NaN()}, false)
	st.Progress = func(p cinn.Progress) { lp.progress(p) }
	res, terr := m.Train(ctx, x, y, xv, yv, st)
	lp.end = res
	lp.show(lp.last, true)

	rows := [][]string{
		{"epochs this run", strconv.Itoa(res.Epochs)},
		{"epochs in total", strconv.Itoa(len(m.History()))},
		{"stopped", res.Stopped.String()},
		{"final training loss", fmtNum(res.TrainLoss)},
	}
	if res.BestEpoch > 0 && !math.IsNaN(res.BestValLoss) {
		rows = append(rows, []string{"best epoch (kept)", strconv.Itoa(res.BestEpoch)}, []string{"best validation loss", fmtNum(res.BestValLoss)})
	}
	rate := 0.0
	if sec := res.Duration.Seconds(); sec > 0 {
		rate = float64(res.Steps) * float64(min(st.BatchSize, x.RawMatrix().Rows)) / sec
	}
	if st.EMA > 0 {
		rows = append(rows, []string{"weights", fmt.Sprintf("moving average (--ema %g)", st.EMA)})
	}
	rows = append(rows, []string{"time", res.Duration.Round(time.Millisecond).String()}, []string{"samples/s", fmt.Sprintf("%.0f", rate)})
	out.Display((&Table{Caption: "training summary", Header: []string{"", "value"}, Index: true, Rows: rows}).Display())
	if terr != nil {
		if ctx.Err() != nil {
			kept := "the weights after the last completed step"
			if st.EMA > 0 {
				kept = "the moving average of the weights"
			}
			if res.BestEpoch > 0 {
				kept = fmt.Sprintf("the weights of epoch %d, the best so far", res.BestEpoch)
			}
			out.Stderr(fmt.Sprintf("training interrupted after %d epochs; the model keeps %s. %%train continues.\n", res.Epochs, kept))
			return terr
		}
		return Errorf("TrainingError", "", "%v", terr)
	}
	return nil
}

// liveProgress keeps one display updated in place while training: a
// progress bar, the numbers and the loss curve, at most about once a
// second.
type liveProgress struct {
	out   Output
	id    string
	m     *cinn.Model
	prior int
	last  cinn.Progress
	shown time.Time
	png   string // the last loss figure, base64
	w, h  int
	alt   string
	n     int              // updates sent
	end   cinn.TrainResult // how training ended, for the final line
}

func (lp *liveProgress) progress(p cinn.Progress) {
	lp.last = p
	if time.Since(lp.shown) < 900*time.Millisecond {
		return
	}
	lp.show(p, false)
}

func (lp *liveProgress) show(p cinn.Progress, final bool) {
	lp.shown = time.Now()
	hist := lp.m.History()
	if len(hist) > 0 && (p.EpochDone || final || lp.png == "") {
		tr := make([]float64, len(hist))
		var val []float64
		for i, e := range hist {
			tr[i] = e.TrainLoss
			if !math.IsNaN(e.ValLoss) {
				val = append(val, e.ValLoss)
			}
		}
		if len(val) != len(tr) {
			val = nil
		}
		if f, err := figure.Loss(tr, val, figure.LossOptions{}); err == nil {
			if img, err := figure.Render(f, 5*vg.Inch, 2.5*vg.Inch, 0); err == nil {
				lp.png, lp.w, lp.h, lp.alt = base64.StdEncoding.EncodeToString(img.PNG), img.Width, img.Height, f.Text
			}
		}
	}
	frac := 0.0
	if p.Epochs > 0 && p.Steps > 0 {
		frac = (float64(p.Epoch-1) + float64(p.Step)/float64(p.Steps)) / float64(p.Epochs)
	}
	if final {
		// Training that stopped early is complete; an interrupted or
		// diverged one shows how far it got.
		frac = 1
		cut := lp.end.Stopped == cinn.Interrupted || lp.end.Stopped == cinn.Diverged
		if cut && p.Epochs > 0 && p.Steps > 0 && p.Epoch < p.Epochs {
			frac = (float64(p.Epoch-1) + float64(p.Step)/float64(p.Steps)) / float64(p.Epochs)
		}
	}
	const width = 30
	fill := int(math.Round(frac * width))
	bar := "[" + strings.Repeat("#", fill) + strings.Repeat(".", width-fill) + "]"
	line := fmt.Sprintf("%s %3.0f%%  epoch %d/%d", bar, 100*frac, p.Epoch, p.Epochs)
	if p.Steps > 0 {
		line += fmt.Sprintf("  step %d/%d", p.Step, p.Steps)
	}
	if p.Epoch > 0 {
		line += "  train loss " + fmtNum(p.TrainLoss)
		if !math.IsNaN(p.ValLoss) {
			line += "  val loss " + fmtNum(p.ValLoss)
		}
		line += fmt.Sprintf("  %.0f samples/s  elapsed %s", p.SamplesPerSec, p.Elapsed.Round(time.Second))
		if !final {
			line += "  ETA " + p.ETA.Round(time.Second).String()
		}
	} else if !final {
		line += "  starting…"
	}
	if final {
		switch lp.end.Stopped {
		case cinn.Interrupted, cinn.Diverged:
			line += "  (" + lp.end.Stopped.String() + ")"
		case cinn.EarlyStopped:
			line += fmt.Sprintf("  (done: stopped early, best epoch %d)", lp.end.BestEpoch)
		default:
			line += "  (done)"
		}
	}
	var h strings.Builder
	fmt.Fprintf(&h, `<div class="gocinn-train"><progress value="%.4f" max="1" style="width:24em"></progress> <code>%s</code>`, frac, html.EscapeString(strings.TrimPrefix(line, bar+" ")))
	text := line
	d := Display{Data: map[string]any{"text/plain": text}, ID: lp.id}
	if lp.png != "" {
		fmt.Fprintf(&h, `<br><img src="data:image/png;base64,%s" width="%d" height="%d" alt="%s">`, lp.png, lp.w, lp.h, html.EscapeString(lp.alt))
	}
	h.WriteString("</div>")
	d.Data["text/html"] = h.String()
	if lp.n == 0 {
		lp.out.Display(d)
	} else {
		lp.out.Update(d)
	}
	lp.n++
}
