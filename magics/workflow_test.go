package magics

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/diagnostics"
	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
)

// run executes a cell and fails the test on error.
func run(t *testing.T, s *Session, code string) *Recorder {
	t.Helper()
	var rec Recorder
	if err := s.Execute(context.Background(), code, &rec); err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	return &rec
}

// runErr executes a cell that must fail with an *Error whose text holds
// every one of want.
func runErr(t *testing.T, s *Session, code string, want ...string) *Error {
	t.Helper()
	var rec Recorder
	err := s.Execute(context.Background(), code, &rec)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v, want *Error", code, err)
	}
	for _, w := range want {
		if !strings.Contains(e.Error(), w) {
			t.Errorf("%s: error %q lacks %q", code, e.Error(), w)
		}
	}
	return e
}

// checkDisplays checks the output conventions: every display has
// text/plain; PNGs decode to twice their metadata size.
func checkDisplays(t *testing.T, code string, ds []Display) (pngs int) {
	t.Helper()
	for _, d := range ds {
		if _, ok := d.Data["text/plain"].(string); !ok {
			t.Errorf("%s: display without text/plain: %v", code, keys(d.Data))
		}
		if b64, ok := d.Data["image/png"].(string); ok {
			pngs++
			raw, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Fatalf("%s: bad base64: %v", code, err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: not a PNG: %v", code, err)
			}
			md := d.Metadata["image/png"].(map[string]any)
			if w, h := md["width"].(int), md["height"].(int); abs(cfg.Width-2*w) > 1 || abs(cfg.Height-2*h) > 1 || w < 100 || h < 100 {
				t.Errorf("%s: PNG %d×%d, metadata %d×%d: want twice the metadata size", code, cfg.Width, cfg.Height, w, h)
			}
		}
	}
	return pngs
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWorkflow runs the main workflow end to end on a small problem:
// simulate two_moons → data → model → train → sample → eval → plot →
// export, then reads the exports back.
func TestWorkflow(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	rec := run(t, s, "%simulate two_moons --n 3000 --seed 1 --obs 3")
	checkDisplays(t, "simulate", rec.Displays)
	if h := rec.Displays[0].Data["text/html"].(string); !strings.Contains(h, "theta1") || !strings.Contains(h, "3000 rows") {
		t.Errorf("simulate summary: %s", h)
	}
	run(t, s, "%data two_moons --split 0.8,0.1,0.1 --seed 2")
	rec = run(t, s, "%%model\nblocks: 4\nhidden: 32\nlayers: 2\nseed: 3")
	if p := rec.Displays[0].Data["text/plain"].(string); !strings.Contains(p, "trainable parameters") {
		t.Errorf("model table: %s", p)
	}
	rec = run(t, s, "%train --epochs 4 --batch 128 --lr 3e-3")
	if len(rec.Displays) < 2 {
		t.Fatalf("train showed %d displays", len(rec.Displays))
	}
	progress := rec.Displays[0]
	if progress.ID == "" {
		t.Fatal("the progress display has no ID")
	}
	if len(rec.Updates) == 0 {
		t.Fatal("no progress update")
	}
	for _, u := range rec.Updates {
		if u.ID != progress.ID {
			t.Errorf("update for %q, want %q", u.ID, progress.ID)
		}
	}
	last := rec.Updates[len(rec.Updates)-1]
	if p := last.Data["text/plain"].(string); !strings.Contains(p, "epoch 4/4") || !strings.Contains(p, "100%") {
		t.Errorf("final progress: %s", p)
	}
	if h := last.Data["text/html"].(string); !strings.Contains(h, "data:image/png;base64,") || !strings.Contains(h, "<progress") {
		t.Errorf("final progress lacks the loss curve or bar")
	}
	// About once a second at most, plus the first and the final display.
	if len(rec.Updates) > 12 {
		t.Errorf("%d updates for a short training: not throttled", len(rec.Updates))
	}
	if p := rec.Displays[len(rec.Displays)-1].Data["text/plain"].(string); !strings.Contains(p, "training summary") || !strings.Contains(p, "completed") {
		t.Errorf("summary: %s", p)
	}
	// A second %train continues.
	run(t, s, "%train --epochs 2 --batch 128 --lr 3e-3")
	if n := len(s.model.History()); n != 6 {
		t.Errorf("history has %d epochs after 4 + 2", n)
	}

	rec = run(t, s, "%sample --obs two_moons_obs --rows 0:2 --n 2000 --as post")
	if len(rec.Displays) != 2 {
		t.Errorf("sample: %d tables, want one per parameter", len(rec.Displays))
	}
	if p := rec.Displays[0].Data["text/plain"].(string); !strings.Contains(p, "MAP") || !strings.Contains(p, "true") {
		t.Errorf("sample table: %s", p)
	}
	rec = run(t, s, "%eval --n 200 --max 100")
	if n := checkDisplays(t, "eval", rec.Displays); n != 1 {
		t.Errorf("eval: %d PNGs, want the calibration plot", n)
	}
	if p := rec.Displays[0].Data["text/plain"].(string); !strings.Contains(p, "median |e_cal|") || !strings.Contains(p, "theta2") {
		t.Errorf("eval table: %s", p)
	}
	if p := rec.Displays[len(rec.Displays)-1].Data["text/plain"].(string); !strings.Contains(p, "grey band: 95% of calibrated test sets (100 observations)") {
		t.Errorf("eval figure's text lacks the band of calibrated posteriors: %s", p)
	}

	for _, code := range []string{
		"%plot loss", "%plot corner --obs 1", "%plot corner --reference --param theta1,theta2",
		"%plot marginals", "%plot calibration", "%plot truth", "%plot sbc",
		"%plot hist2d --x x1 --y x2 --mark 0.1,0.2",
		"%plot cmd --data post --x x1-x2 --y x2 --color theta1_map",
		"%plot cmd --x x1 --y x2 --param theta2",
		"%plot loss --width 300 --dpi 96 --out loss.png",
	} {
		rec := run(t, s, code)
		if n := checkDisplays(t, code, rec.Displays); n != 1 {
			t.Errorf("%s: %d PNGs", code, n)
		}
	}
	md := mustPNG(t, s, "%plot loss --width 300").Metadata["image/png"].(map[string]any)
	if md["width"] != 300 {
		t.Errorf("--width 300 gave width %v", md["width"])
	}
	if b, err := os.ReadFile(filepath.Join(s.Dir, "loss.png")); err != nil {
		t.Error(err)
	} else if c, err := png.DecodeConfig(bytes.NewReader(b)); err != nil || c.Width != 600 {
		t.Errorf("loss.png: %v width %d, want 600", err, c.Width)
	}

	run(t, s, "%export post summary.csv\n%export post_samples samples.npz\n%export post_samples samples.fits\n%export eval eval.csv\n%save m.cinn")
	sum, err := table.ReadFile(filepath.Join(s.Dir, "summary.csv"), table.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Len() != 2 || !sum.Has("theta1_map") || !sum.Has("theta2_true") || !sum.Has("x1") {
		t.Errorf("summary.csv: %v", sum)
	}
	got, _ := sum.Col("theta1_median")
	want := s.samples.summary[0][0].Median
	if got[0] != want {
		t.Errorf("exported median %v, want %v", got[0], want)
	}
	// The exported eval table carries each parameter's e_cal p: the tail of
	// calibrated posteriors' median |e_cal| on 100 observations × 200
	// samples at the parameter's value.
	ev, err := table.ReadFile(filepath.Join(s.Dir, "eval.csv"), table.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mc, _ := ev.Col("median_abs_ecal")
	pv, err := ev.Col("ecal_pvalue")
	null := diagnostics.NullMedianCal(100, diagnostics.NullOptions{Samples: 200}, rand.NewPCG(100, 200))
	for j := range mc {
		if want := diagnostics.NullPValue(null, mc[j]); err != nil || pv[j] != want {
			t.Errorf("eval.csv: parameter %d: median |e_cal| %v, e_cal p %v (%v), want %v", j, mc[j], pv, err, want)
			break
		}
	}
	for _, f := range []string{"samples.npz", "samples.fits"} {
		smp, err := table.ReadFile(filepath.Join(s.Dir, f), table.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if smp.Len() != 4000 || !smp.Has("obs") {
			t.Errorf("%s: %v", f, smp)
		}
		v, _ := smp.Col("theta2")
		if v[2001] != s.samples.samples[1].At(1, 1) {
			t.Errorf("%s: sample differs", f)
		}
	}

	// The saved model reopens and samples the same.
	before := s.samples.summary[0][0].Median
	run(t, s, "%reset model\n%open m.cinn\n%sample --obs two_moons_obs --rows 0:2 --n 2000 --as post")
	if after := s.samples.summary[0][0].Median; after != before {
		t.Errorf("reopened model: median %v, was %v", after, before)
	}
	rec = run(t, s, "%who")
	if len(rec.Results) != 1 || !strings.Contains(rec.Results[0].Data["text/plain"].(string), "post_samples") {
		t.Errorf("who: %+v", rec.Results)
	}
	rec = run(t, s, "%sample --obs two_moons_obs --rows 2 --n 1000 --c2st --as cmp")
	if tb := rec.Displays[len(rec.Displays)-1].Data["text/plain"].(string); !strings.Contains(tb, "C2ST") {
		t.Errorf("c2st table: %s", tb)
	}
	if v, err := s.datasets["cmp"].t.Col("c2st"); err != nil || !(v[0] >= 0.3 && v[0] <= 1) {
		t.Errorf("c2st column: %v %v", v, err)
	}
}

func mustPNG(t *testing.T, s *Session, code string) Display {
	t.Helper()
	rec := run(t, s, code)
	for _, d := range rec.Displays {
		if _, ok := d.Data["image/png"]; ok {
			return d
		}
	}
	t.Fatalf("%s: no PNG", code)
	return Display{}
}

// TestInterruptedTrain cancels training from inside (after the first
// progress report) and checks that the cell ends with the interrupt, the
// model is usable and a second %train continues.
func TestInterruptedTrain(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	run(t, s, "%simulate two_moons --n 4000 --seed 1 --obs 2\n%data two_moons\n%model --blocks 3 --hidden 32 --layers 2")
	ctx, cancel := context.WithCancelCause(context.Background())
	out := &cancelOnUpdate{cancel: cancel, after: 1}
	// Many epochs and no early stopping, so that training cannot end before
	// the first throttled progress update (about a second) on a fast machine.
	err := s.Execute(ctx, "%train --epochs 100000 --patience -1 --batch 64\n%echo not reached", out)
	if err == nil || ctx.Err() == nil {
		t.Fatalf("interrupted train returned %v", err)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("interrupt became a command error %v; the kernel must see the cancellation", err)
	}
	if strings.Contains(out.StdoutText(), "not reached") {
		t.Error("the cell went on after the interrupt")
	}
	if !strings.Contains(strings.Join(out.Stderrs, ""), "interrupted") {
		t.Errorf("no interrupt note: %q", out.Stderrs)
	}
	if n := len(out.Updates); n == 0 || !strings.Contains(fmt.Sprint(out.Updates[n-1].Data["text/plain"]), "(interrupted)") {
		t.Errorf("the last progress line does not say the training was interrupted: %v", out.Updates)
	}
	h := len(s.model.History())
	if h == 0 || h >= 100000 {
		t.Errorf("history after interrupt: %d epochs", h)
	}
	rec := run(t, s, "%sample --obs two_moons_obs --n 500")
	if len(rec.Displays) != 2 {
		t.Errorf("sample after interrupt: %d displays", len(rec.Displays))
	}
	run(t, s, "%train --epochs 1 --batch 64")
	if n := len(s.model.History()); n != h+1 {
		t.Errorf("second train: %d epochs, want %d", n, h+1)
	}
}

// cancelOnUpdate cancels the context at the given progress update.
type cancelOnUpdate struct {
	Recorder
	cancel func(error)
	after  int
}

func (c *cancelOnUpdate) Update(d Display) {
	c.Recorder.Update(d)
	c.Recorder.mu.Lock()
	n := len(c.Recorder.Updates)
	c.Recorder.mu.Unlock()
	if n >= c.after {
		c.cancel(errors.New("interrupt button"))
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// BenchmarkProgressUpdate measures one refresh of the %train display (the
// loss figure of 200 epochs rendered to PNG and wrapped in HTML), which
// %train does about once a second.
func BenchmarkProgressUpdate(b *testing.B) {
	s := NewSession(Options{Dir: b.TempDir()})
	var rec Recorder
	if err := s.Execute(context.Background(), "%simulate two_moons --n 500 --quiet\n%data two_moons\n%model --blocks 2 --hidden 8 --layers 1\n%train --epochs 200 --batch 500 --patience -1", &rec); err != nil {
		b.Fatal(err)
	}
	lp := &liveProgress{out: &Recorder{}, id: "bench", m: s.model}
	p := cinn.Progress{Epoch: 200, Epochs: 200, Step: 1, Steps: 1, EpochDone: true}
	b.ResetTimer()
	for range b.N {
		lp.show(p, false)
	}
}

// TestInterruptedLoad: %load of a table stops when the cell's context is
// cancelled during the read, reports the cancellation (not a data error),
// and the session keeps what it had, also under the same name.
func TestInterruptedLoad(t *testing.T) {
	dir := t.TempDir()
	s := NewSession(Options{Dir: dir})
	run(t, s, "%simulate two_moons --n 50000 --seed 1 --as big --quiet\n%export big big.csv\n%simulate two_moons --n 10 --seed 2 --as kept --quiet")
	// Count the context checks of a whole load, then cancel halfway.
	full := &countingCtx{Context: context.Background(), left: math.MaxInt64}
	if err := s.Execute(full, "%load big.csv --as probe", &Recorder{}); err != nil {
		t.Fatal(err)
	}
	checks := math.MaxInt64 - full.left
	if checks < 10 {
		t.Fatalf("a load of big.csv checked its context only %d times", checks)
	}
	ctx := &countingCtx{Context: context.Background(), left: checks / 2}
	out := &Recorder{}
	err := s.Execute(ctx, "%load big.csv --as kept\n%echo not reached", out)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a %%load cancelled after %d of %d checks returned %v", checks/2, checks, err)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("interrupt became a command error %v; the kernel must see the cancellation", err)
	}
	if strings.Contains(out.StdoutText(), "not reached") {
		t.Error("the cell went on after the interrupt")
	}
	if d := s.datasets["kept"]; d == nil || d.t.Len() != 10 {
		t.Errorf("the dataset kept changed: %+v", d)
	}
	run(t, s, "%load big.csv --as again")
}

// countingCtx is cancelled once Err has been called left times: it
// interrupts a command at a chosen point without timing.
type countingCtx struct {
	context.Context
	left int64
}

func (c *countingCtx) Done() <-chan struct{} { return make(chan struct{}) }
func (c *countingCtx) Err() error {
	if c.left--; c.left < 0 {
		return context.Canceled
	}
	return nil
}

// TestEvalAddsDeclaredNoise: with %data --noise, %eval on a split adds one
// draw of that noise to the observations (the network was trained on noisy
// ones), --noise=false does not, and a dataset given by name is taken as
// observed.
func TestEvalAddsDeclaredNoise(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	run(t, s, "%simulate two_moons --n 3000 --seed 1 --obs 3 --quiet\n%data two_moons --noise all=0.3\n%model --blocks 2 --hidden 16 --layers 1\n%train --epochs 2 --batch 256")
	caption := func(rec *Recorder) string {
		for _, d := range rec.Displays {
			if txt := d.Data["text/plain"]; strings.Contains(fmt.Sprint(txt), "observations ×") {
				return fmt.Sprint(txt)
			}
		}
		t.Fatalf("no %%eval table in %+v", rec.Displays)
		return ""
	}
	noisy := caption(run(t, s, "%eval --n 64 --max 50"))
	if !strings.Contains(noisy, "with the %data noise (all=0.3)") {
		t.Errorf("%%eval on the test split does not say it added the noise:\n%s", noisy)
	}
	clean := caption(run(t, s, "%eval --n 64 --max 50 --noise=false"))
	if strings.Contains(clean, "noise") || clean == noisy {
		t.Errorf("%%eval --noise=false:\n%s\nwith noise:\n%s", clean, noisy)
	}
	if obs := caption(run(t, s, "%eval --on two_moons_obs --n 64")); strings.Contains(obs, "noise") {
		t.Errorf("%%eval on a named dataset added noise:\n%s", obs)
	}
}

// TestSampleAddsDeclaredNoise: with %data --noise, %sample of a split adds
// the same draw of that noise to a row as %eval does with the same seed,
// whichever rows it samples; the summary holds the noisy observables;
// --noise=false and named datasets are taken as observed.
func TestSampleAddsDeclaredNoise(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	run(t, s, "%simulate two_moons --n 3000 --seed 1 --obs 3 --quiet\n%data two_moons --noise all=0.3\n%model --blocks 2 --hidden 16 --layers 1\n%train --epochs 2 --batch 256")
	obsCols := func(name string) [][]float64 {
		t.Helper()
		d, err := s.dataset(name)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]float64
		for _, c := range []string{"x1", "x2"} {
			v, err := d.t.Col(c)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	test := s.data.test
	clean := func(c string, i int) float64 {
		v, err := test.Col(c)
		if err != nil {
			t.Fatal(err)
		}
		return v[i]
	}
	rec := run(t, s, "%sample --obs test --rows 0:5 --n 64 --seed 7 --as a")
	if txt := fmt.Sprint(rec.Displays[0].Data["text/plain"]); !strings.Contains(txt, "with the %data noise (all=0.3)") {
		t.Errorf("%%sample of the test split does not say it added the noise:\n%s", txt)
	}
	a := obsCols("a")
	run(t, s, "%sample --obs test --rows 3,4 --n 64 --seed 7 --as b")
	b := obsCols("b")
	run(t, s, "%sample --obs test --rows 0:5 --n 64 --seed 7 --noise=false --as c")
	c := obsCols("c")
	m, _ := s.needModel(true)
	all := make([]int, 50)
	for i := range all {
		all[i] = i
	}
	ev, _, err := splitNoise(m, s.data, test, all, 7) // what %eval --max 50 --seed 7 samples for
	if err != nil {
		t.Fatal(err)
	}
	for j, col := range []string{"x1", "x2"} {
		for i := range 5 {
			if c[j][i] != clean(col, i) {
				t.Errorf("--noise=false: row %d %s is %v, the split holds %v", i, col, c[j][i], clean(col, i))
			}
			if d := math.Abs(a[j][i] - clean(col, i)); d == 0 || d > 5*0.3 {
				t.Errorf("row %d %s: noisy %v, clean %v: not one draw of σ = 0.3", i, col, a[j][i], clean(col, i))
			}
			if a[j][i] != ev.At(i, j) {
				t.Errorf("row %d %s: %%sample's noisy value %v, %%eval's %v", i, col, a[j][i], ev.At(i, j))
			}
		}
		for k, i := range []int{3, 4} {
			if b[j][k] != a[j][i] {
				t.Errorf("row %d %s: noisy %v when sampled alone, %v among rows 0:5", i, col, b[j][k], a[j][i])
			}
		}
	}
	named := run(t, s, "%sample --obs two_moons_obs --n 64 --as d")
	if txt := fmt.Sprint(named.Displays[0].Data["text/plain"]); strings.Contains(txt, "noise") {
		t.Errorf("%%sample of a named dataset added noise:\n%s", txt)
	}
}

// TestBoundedPrior declares the prior box of a simulated task as the bounds
// of its parameters: the network's samples then all lie inside the box,
// although two epochs leave it far from trained. A loaded table has no
// prior and is refused.
func TestBoundedPrior(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	run(t, s, "%simulate gaussian_linear_uniform --n 400 --seed 2 --obs 2 --quiet\n%data gaussian_linear_uniform --x theta1,theta2 --y x1,x2,x3 --bounded prior --seed 1")
	for j, tr := range s.data.xTr {
		if tr != (cinn.Transform{Kind: cinn.Probit, Lo: -1, Hi: 1}) {
			t.Fatalf("transform of %s is %+v, want bounded on (-1, 1)", s.data.x[j], tr)
		}
	}
	run(t, s, "%model --blocks 2 --hidden 16 --layers 1\n%train --epochs 2\n%sample --obs gaussian_linear_uniform_obs --n 2000 --seed 3")
	for _, m := range s.samples.samples {
		r, c := m.Dims()
		for i := range r {
			for j := range c {
				if v := m.At(i, j); !(v > -1 && v < 1) {
					t.Fatalf("sample %d of %s is %v, outside the prior box (-1, 1)", i, s.samples.params[j], v)
				}
			}
		}
	}

	os.WriteFile(filepath.Join(s.Dir, "t.csv"), []byte("a,b\n1,2\n3,4\n5,6\n"), 0o644)
	run(t, s, "%load t.csv")
	runErr(t, s, "%data t --x a --y b --bounded prior", "--bounded prior needs a dataset simulated", "--bounded COL=LO:HI")
}

// TestSplineModel builds, trains, saves and reopens a spline-coupling
// network through the magics, and checks that bad spline flags are usage
// errors that leave the model alone.
func TestSplineModel(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	run(t, s, "%simulate two_moons --n 1000 --seed 2 --obs 1 --quiet\n%data two_moons --seed 1")
	rec := run(t, s, "%model --coupling spline --bins 6 --tail-bound 4 --blocks 2 --hidden 16 --layers 1 --seed 5")
	if txt := fmt.Sprint(rec.Displays[0].Data["text/plain"]); !strings.Contains(txt, "rational-quadratic spline, 6 bins on [-4, 4]") {
		t.Fatalf("model table lacks the spline coupling:\n%s", txt)
	}
	cfg := s.model.Config()
	if cfg.Coupling != cinn.SplineCoupling || cfg.Bins != 6 || cfg.TailBound != 4 {
		t.Fatalf("model config %+v, want a 6-bin spline on [-4, 4]", cfg)
	}
	run(t, s, "%train --epochs 2\n%save m.cinn")
	params := s.model.NumParams()
	runErr(t, s, "%model --coupling splin", "--coupling must be one of affine, spline", "spline")
	runErr(t, s, "%model --coupling spline --bins 1", "--bins must be 2 to 32")
	runErr(t, s, "%model --coupling spline --bins 0", "--bins must be 2 to 32, not 0")
	if s.model == nil || !s.model.Trained() || s.model.NumParams() != params {
		t.Fatal("a bad %model lost the trained model")
	}
	run(t, s, "%reset model\n%open m.cinn\n%sample --obs two_moons_obs --n 500 --seed 3 --as post")
	if got := s.model.Config(); got.Coupling != cinn.SplineCoupling || got.Bins != 6 || got.TailBound != 4 {
		t.Fatalf("reopened model config %+v, want the spline", got)
	}
	rec = run(t, s, "%model --coupling mixed --bins 5 --blocks 3 --hidden 16 --layers 1 --seed 5")
	if txt := fmt.Sprint(rec.Displays[0].Data["text/plain"]); !strings.Contains(txt, "in turn affine (GLOW), clamp 2 and rational-quadratic spline, 5 bins on [-5, 5]") {
		t.Fatalf("model table lacks the mixed coupling:\n%s", txt)
	}
	run(t, s, "%train --epochs 2\n%save mixed.cinn\n%reset model\n%open mixed.cinn\n%sample --obs two_moons_obs --n 500 --seed 3 --as post2")
	if got := s.model.Config(); got.Coupling != cinn.MixedCoupling || got.Bins != 5 {
		t.Fatalf("reopened model config %+v, want the mixed coupling", got)
	}
}

// TestModelBinsForRows: without --bins the spline bins follow the size of
// the training split (cinn.DefaultBinsFor); --bins overrides that.
func TestModelBinsForRows(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	small := cinn.LargeTrainingRows / 2
	large := cinn.LargeTrainingRows * 2
	run(t, s, fmt.Sprintf("%%simulate two_moons --n %d --seed 2 --as small --quiet\n%%simulate two_moons --n %d --seed 3 --as large --quiet", small, large))
	for _, tc := range []struct {
		data, flags string
		want        int
	}{
		{"small", "", cinn.DefaultBins},
		{"large", "", cinn.DefaultBinsLarge},
		{"large", "--bins 6", 6},
		{"small", "--bins 12", 12},
		{"large", "--coupling spline", cinn.DefaultBinsLarge},
	} {
		run(t, s, "%data "+tc.data+" --x theta1,theta2 --y x1,x2")
		rows := s.data.train.Len()
		if (tc.data == "large") != (rows >= cinn.LargeTrainingRows) {
			t.Fatalf("%s: %d training rows, on the wrong side of %d", tc.data, rows, cinn.LargeTrainingRows)
		}
		rec := run(t, s, "%model --blocks 2 --hidden 8 --layers 1 "+tc.flags)
		if got := s.model.Config().Bins; got != tc.want {
			t.Errorf("%s (%d training rows) %s: %d bins, want %d", tc.data, rows, tc.flags, got, tc.want)
		}
		if txt := fmt.Sprint(rec.Displays[0].Data["text/plain"]); !strings.Contains(txt, fmt.Sprintf("%d bins on", tc.want)) {
			t.Errorf("%s %s: model table does not say %d bins:\n%s", tc.data, tc.flags, tc.want, txt)
		}
	}
	run(t, s, "%model --coupling affine --blocks 2 --hidden 8 --layers 1")
	if got := s.model.Config().Bins; got != 0 {
		t.Errorf("affine model on %d rows has %d bins, want none", s.data.train.Len(), got)
	}
}

func TestExtrapolationWarning(t *testing.T) {
	lo, hi := []float64{0, 10}, []float64{1, 20}
	in := mat.NewDense(3, 2, []float64{0.5, 15, -0.4, 24.9, 1.4, 11})
	out := mat.NewDense(3, 2, []float64{0.5, 15, -0.6, 15, 0.5, 3e4})
	if w := extrapolationWarning([]*mat.Dense{in, in}, []string{"a", "b"}, lo, hi, []int{3, 4}); w != "" {
		t.Errorf("samples within half the range beyond it: warning %q", w)
	}
	w := extrapolationWarning([]*mat.Dense{in, out}, []string{"a", "b"}, lo, hi, []int{3, 4})
	for _, want := range []string{"1 of 2 observations (rows 4)", "a (1 samples, as far as -0.6; trained on 0 to 1)", "b (1 samples, as far as 3e+04; trained on 10 to 20)", "extrapolates"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q lacks %q", w, want)
		}
	}
}
