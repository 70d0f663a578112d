// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

func TestTransforms(t *testing.T) {
	for _, tc := range []struct {
		tr   Transform
		vals []float64
		bad  []float64
	}{
		{Transform{}, []float64{-1e6, -1, 0, 2.5}, nil},
		{Transform{Kind: Log10}, []float64{1e-20, 0.3, 1, 7e5}, []float64{0, -1, math.NaN()}},
		{Transform{Kind: Bounded, Lo: -2, Hi: 5}, []float64{-1.999, 0, 3, 4.99}, []float64{-2, 5, 6, math.NaN()}},
		{Transform{Kind: Probit, Lo: -2, Hi: 5}, []float64{-1.999, 0, 1.5, 3, 4.99}, []float64{-2, 5, 6, math.NaN()}},
	} {
		for _, v := range tc.vals {
			w, ok := tc.tr.apply(v)
			if !ok || !tc.tr.InDomain(v) {
				t.Errorf("%v: %v rejected", tc.tr, v)
				continue
			}
			if back := tc.tr.invert(w); math.Abs(back-v) > 1e-9*math.Max(1, math.Abs(v)) {
				t.Errorf("%v: %v → %v → %v", tc.tr, v, w, back)
			}
			// log|dT/dv| against a central difference.
			h := 1e-6 * math.Max(math.Abs(v), 1e-3)
			if tc.tr.Kind == Log10 {
				h = 1e-6 * v
			}
			lo, _ := tc.tr.apply(v - h)
			hi, _ := tc.tr.apply(v + h)
			num := math.Log(math.Abs((hi - lo) / (2 * h)))
			if got := tc.tr.logDeriv(v); math.Abs(got-num) > 1e-5 {
				t.Errorf("%v at %v: log-derivative %v, numerical %v", tc.tr, v, got, num)
			}
		}
		for _, v := range tc.bad {
			if _, ok := tc.tr.apply(v); ok || tc.tr.InDomain(v) {
				t.Errorf("%v: %v accepted", tc.tr, v)
			}
		}
	}
	// Extreme logits do not overflow on the way back.
	b := Transform{Kind: Bounded, Lo: 0, Hi: 1}
	if v := b.invert(-800); v != 0 {
		t.Errorf("invert(-800) = %v", v)
	}
	if v := b.invert(800); v != 1 {
		t.Errorf("invert(800) = %v", v)
	}
	// Probit: the middle of the interval is 0, a uniform draw a standard
	// normal one, and extreme values stay in [Lo, Hi].
	p := Transform{Kind: Probit, Lo: 2, Hi: 4}
	if w, _ := p.apply(3); w != 0 {
		t.Errorf("probit of the middle = %v, want 0", w)
	}
	if w, _ := p.apply(2 + 2*0.975); math.Abs(w-1.959963984540054) > 1e-12 {
		t.Errorf("probit of the 97.5%% point = %v, want 1.95996", w)
	}
	if v := p.invert(-100); v != 2 {
		t.Errorf("probit invert(-100) = %v, want 2", v)
	}
	if v := p.invert(100); v != 4 {
		t.Errorf("probit invert(100) = %v, want 4", v)
	}
}

func TestSchedule(t *testing.T) {
	for _, tc := range []struct {
		s     Schedule
		epoch int
		want  float64
	}{
		{Schedule{}, 7, 0.1},
		{Schedule{Kind: StepSchedule, Every: 3, Gamma: 0.5}, 2, 0.1},
		{Schedule{Kind: StepSchedule, Every: 3, Gamma: 0.5}, 3, 0.05},
		{Schedule{Kind: StepSchedule, Every: 3, Gamma: 0.5}, 7, 0.025},
		{Schedule{Kind: ExponentialSchedule, Gamma: 0.9}, 2, 0.081},
		{Schedule{Kind: CosineSchedule}, 0, 0.1},
		{Schedule{Kind: CosineSchedule}, 5, 0.05},
		{Schedule{Kind: CosineSchedule}, 10, 0},
		{Schedule{Kind: CosineSchedule, Floor: 0.1}, 5, 0.055},
		{Schedule{Kind: CosineSchedule, Floor: 0.1}, 10, 0.01},
	} {
		if got := tc.s.lr(0.1, tc.epoch, 10); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("%+v epoch %d: %v, want %v", tc.s, tc.epoch, got, tc.want)
		}
	}
}

func TestProgressAndHistory(t *testing.T) {
	x, y := smallProblem(400, 9)
	xv, yv := smallProblem(100, 10)
	m := smallModel(t, 6)
	var ends []Progress
	res, err := m.Train(context.Background(), x, y, xv, yv, TrainSettings{Epochs: 3, BatchSize: 100, Seed: 1,
		Schedule: Schedule{Kind: ExponentialSchedule, Gamma: 0.5},
		Progress: func(p Progress) {
			if p.EpochDone {
				ends = append(ends, p)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ends) != 3 || res.Epochs != 3 || res.Steps != 12 || res.Stopped != Completed {
		t.Fatalf("progress %+v, result %+v", ends, res)
	}
	h := m.History()
	for i, p := range ends {
		if p.Epoch != i+1 || p.Epochs != 3 || p.Step != 4 || p.Steps != 4 || p.LR != DefaultLR*math.Pow(0.5, float64(i)) ||
			p.TrainLoss != h[i].TrainLoss || p.ValLoss != h[i].ValLoss || !(p.SamplesPerSec > 0) {
			t.Errorf("progress %d: %+v, history %+v", i, p, h[i])
		}
	}
	if ends[2].ETA != 0 || ends[0].ETA <= 0 {
		t.Errorf("ETA %v … %v", ends[0].ETA, ends[2].ETA)
	}
	best := 0
	for i := range h {
		if h[i].ValLoss < h[best].ValLoss {
			best = i
		}
	}
	if res.BestEpoch != h[best].Epoch || res.BestValLoss != h[best].ValLoss {
		t.Errorf("best epoch %d (%v), history %+v", res.BestEpoch, res.BestValLoss, h)
	}
	// The model holds the best epoch's weights: recomputing the
	// validation loss gives the recorded value.
	if v := validationLoss(t, m, xv, yv); math.Abs(v-res.BestValLoss) > 1e-6 {
		t.Errorf("validation loss of the returned weights %v, best %v", v, res.BestValLoss)
	}
}

func validationLoss(t *testing.T, m *Model, x, y *mat.Dense) float64 {
	tx, err := transformed(x, m.spec.XTransforms, m.spec.XNames, "x")
	if err != nil {
		t.Fatal(err)
	}
	ty, err := transformed(y, m.spec.YTransforms, m.spec.YNames, "y")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := x.Dims()
	xs := make([]float32, n*m.FlowDim())
	ys := make([]float32, n*m.cfg.DimY)
	standardised(xs, m.FlowDim(), tx, m.prep.XMean, m.prep.XStd)
	standardised(ys, m.cfg.DimY, ty, m.prep.YMean, m.prep.YStd)
	z, ld := m.Forward(xs, ys)
	var s float64
	for i := 0; i < n; i++ {
		for _, v := range z[i*m.FlowDim() : (i+1)*m.FlowDim()] {
			s += 0.5 * float64(v) * float64(v)
		}
		s -= ld[i]
	}
	return s / float64(n*m.FlowDim())
}

// TestLogProb compares the trained model's density with the analytic
// linear-Gaussian posterior density.
func TestLogProb(t *testing.T) {
	m, p := trainedLinGauss(t)
	rng := rand.New(rand.NewPCG(41, 42))
	x, y := p.simulate(500, rng)
	lp, err := m.LogProb(context.Background(), x, y)
	if err != nil {
		t.Fatal(err)
	}
	var sum, sumAbs float64
	for i := range lp {
		mu, cov := p.posterior(y.RawRowView(i))
		d := lp[i] - gaussLogPDF(x.RawRowView(i), mu, cov)
		sum += d
		sumAbs += math.Abs(d)
	}
	n := float64(len(lp))
	t.Logf("mean log-density difference %.4f, mean |difference| %.4f", sum/n, sumAbs/n)
	// The mean difference estimates -KL(true‖model) (≤ 0); a model whose
	// means are 0.1σ off and widths 10% off has KL ≈ 0.03 per dimension.
	// We require |mean| < 0.1 nats and mean |difference| < 0.2 nats: the
	// prior instead of the posterior would be off by ≈ 2 nats.
	if math.Abs(sum/n) > 0.1 || sumAbs/n > 0.2 {
		t.Errorf("log-density differs from the analytic posterior: mean %.4f, mean |.| %.4f", sum/n, sumAbs/n)
	}
}

// gaussLogPDF is the log density of N(mu, cov) at x.
func gaussLogPDF(x, mu []float64, cov *mat.SymDense) float64 {
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		panic("covariance not positive definite")
	}
	d := mat.NewVecDense(len(x), nil)
	for i := range x {
		d.SetVec(i, x[i]-mu[i])
	}
	var sol mat.VecDense
	if err := ch.SolveVecTo(&sol, d); err != nil {
		panic(err)
	}
	return -0.5*mat.Dot(d, &sol) - 0.5*ch.LogDet() - 0.5*float64(len(x))*math.Log(2*math.Pi)
}

// Example trains a small cINN on a toy problem and draws posterior samples
// for one observation.
func Example() {
	// Simulations: x ~ N(0, 1)², y = (x0 + x1, x0 − x1) + small noise.
	rng := rand.New(rand.NewPCG(1, 2))
	n := 2000
	x := mat.NewDense(n, 2, nil)
	y := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		x.SetRow(i, []float64{a, b})
		y.SetRow(i, []float64{a + b + 0.1*rng.NormFloat64(), a - b + 0.1*rng.NormFloat64()})
	}
	m, err := NewModel(Config{DimX: 2, DimY: 2, Blocks: 4, Hidden: 64, Layers: 1, Seed: 1},
		Spec{XNames: []string{"a", "b"}, YNames: []string{"sum", "diff"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 30, BatchSize: 128, LR: 3e-3, Seed: 2}); err != nil {
		fmt.Println(err)
		return
	}
	// The true answer for y = (1, 0.2) is a = 0.6, b = 0.4.
	post, err := m.Sample(context.Background(), mat.NewDense(1, 2, []float64{1, 0.2}), 2000, rand.NewPCG(3, 4))
	if err != nil {
		fmt.Println(err)
		return
	}
	for j, name := range m.Spec().XNames {
		mean, _ := meanSD(mat.Col(nil, j, post[0]))
		fmt.Printf("%s ≈ %.1f\n", name, mean)
	}
	// Output:
	// a ≈ 0.6
	// b ≈ 0.4
}

func TestString(t *testing.T) {
	m, err := NewModel(Config{DimX: 1, DimY: 2, CondNet: []int{512, 512, 256}, ActNorm: true},
		Spec{XNames: []string{"age"}, YTransforms: []Transform{{Kind: Log10}, {Kind: Bounded, Lo: 0, Hi: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	s := m.String()
	for _, want := range []string{"8 GLOW coupling blocks", "3×256", "clamp 2", "ActNorm", "512-512-256", "x (1): age",
		"y (2): log10(y0), logit(y1 in (0, 1))", "auxiliary", "untrained"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}
}

func TestAddNoise(t *testing.T) {
	m, err := NewModel(Config{DimX: 1, DimY: 3, Blocks: 1, Hidden: 2, Layers: 1},
		Spec{YTransforms: []Transform{{}, {Kind: Log10}, {Kind: Bounded, Lo: 0, Hi: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	y := mat.NewDense(n, 3, nil)
	for i := 0; i < n; i++ {
		y.SetRow(i, []float64{float64(i%2) * 10, 0.1, 0.5})
	}
	noise := []Noise{{Abs: 0.5, Rel: 0.1}, {Rel: 3}, {Abs: 2}}
	rng := rand.New(rand.NewPCG(1, 2))
	a := m.addNoise(y, noise, rng)
	b := m.addNoise(y, noise, rng)
	var d0, d1 []float64
	same := 0
	for i := 0; i < n; i++ {
		d := a.At(i, 0) - y.At(i, 0)
		if i%2 == 0 {
			d0 = append(d0, d)
		} else {
			d1 = append(d1, d)
		}
		if a.At(i, 0) == b.At(i, 0) {
			same++
		}
		// Noisy values stay inside the transforms' domains.
		if a.At(i, 1) <= 0 {
			t.Fatalf("row %d: log10 column became %v", i, a.At(i, 1))
		}
		if v := a.At(i, 2); v <= 0 || v >= 1 {
			t.Fatalf("row %d: bounded column became %v", i, v)
		}
	}
	// σ = Abs + Rel·|y|: 0.5 at y = 0 and 1.5 at y = 10; the standard
	// error of a sample standard deviation from 10⁴ draws is 0.7%.
	if _, sd := meanSD(d0); math.Abs(sd/0.5-1) > 0.03 {
		t.Errorf("σ at y=0: %v, want 0.5", sd)
	}
	if _, sd := meanSD(d1); math.Abs(sd/1.5-1) > 0.03 {
		t.Errorf("σ at y=10: %v, want 1.5", sd)
	}
	if same > 0 {
		t.Errorf("%d values identical between two draws: noise is not redrawn", same)
	}
}

func TestDefaultsBySize(t *testing.T) {
	plateau := func(every int) Schedule {
		return Schedule{Kind: PlateauSchedule, Every: every, Gamma: DefaultPlateauGamma, Floor: DefaultPlateauFloor}
	}
	for _, tc := range []struct {
		n, batch int
		val      bool
		in       TrainSettings
		epochs   int
		patience int
		schedule Schedule
	}{
		// 900 rows: 2 steps per epoch, 2,500 epochs for 5,000 steps,
		// patience 150 epochs (300 steps), cuts every 50.
		{n: 900, val: true, epochs: 2500, patience: 150, schedule: plateau(50)},
		{n: 9000, val: true, epochs: 278, patience: 17, schedule: plateau(5)},
		// 10^5 rows and more: at least 100 epochs and 10 of patience.
		{n: 90000, val: true, epochs: 100, patience: 10, schedule: plateau(3)},
		{n: 10, val: true, epochs: 5000, patience: 300, schedule: plateau(100)},
		{n: 900, batch: 100, val: true, epochs: 556, patience: 34, schedule: plateau(11)},
		// Without a validation set or early stopping the rate is constant.
		{n: 900, val: false, epochs: 2500, patience: 150, schedule: Schedule{Kind: ConstantSchedule}},
		{n: 900, val: true, in: TrainSettings{Patience: -1}, epochs: 2500, patience: -1, schedule: Schedule{Kind: ConstantSchedule}},
		// What is set stays.
		{n: 900, val: true, in: TrainSettings{Epochs: 7, Patience: 3}, epochs: 7, patience: 3, schedule: plateau(1)},
		{n: 900, val: true, in: TrainSettings{Schedule: Schedule{Kind: ExponentialSchedule, Gamma: 0.9}}, epochs: 2500, patience: 150,
			schedule: Schedule{Kind: ExponentialSchedule, Gamma: 0.9}},
		// A cosine schedule runs its whole budget unless a patience is set.
		{n: 90000, val: true, in: TrainSettings{Schedule: Schedule{Kind: CosineSchedule, Floor: 0.02}}, epochs: 100, patience: -1,
			schedule: Schedule{Kind: CosineSchedule, Floor: 0.02}},
		{n: 90000, val: true, in: TrainSettings{Patience: 10, Schedule: Schedule{Kind: CosineSchedule}}, epochs: 100, patience: 10,
			schedule: Schedule{Kind: CosineSchedule}},
	} {
		in := tc.in
		in.BatchSize = tc.batch
		got := in.WithDefaults(tc.n, tc.val)
		if got.Epochs != tc.epochs || got.Patience != tc.patience || got.Schedule != tc.schedule {
			t.Errorf("n %d batch %d val %v %+v: epochs %d patience %d schedule %+v, want %d %d %+v",
				tc.n, tc.batch, tc.val, tc.in, got.Epochs, got.Patience, got.Schedule, tc.epochs, tc.patience, tc.schedule)
		}
	}
}

// TestPlateauSchedule trains a small network long enough to overfit and
// checks the learning rates in the history against the plateau rule: cut
// by Gamma after Every epochs without a better validation loss, counted
// again from each cut, never below the floor.
func TestPlateauSchedule(t *testing.T) {
	x, y := smallProblem(200, 21)
	xv, yv := smallProblem(60, 22)
	m := smallModel(t, 3)
	s := TrainSettings{Epochs: 60, BatchSize: 50, Patience: -1, LR: 3e-3, Seed: 4,
		Schedule: Schedule{Kind: PlateauSchedule, Every: 2, Gamma: 0.5, Floor: 0.1}}
	if _, err := m.Train(context.Background(), x, y, xv, yv, s); err != nil {
		t.Fatal(err)
	}
	h := m.History()
	lr, best, since, cuts := s.LR, math.Inf(1), 0, 0
	for i, e := range h {
		if math.Abs(e.LR-lr) > 1e-12*lr {
			t.Fatalf("epoch %d: lr %g, want %g (history %+v)", e.Epoch, e.LR, lr, h[:i+1])
		}
		if e.ValLoss < best {
			best, since = e.ValLoss, 0
			continue
		}
		if since++; since >= 2 && lr > s.LR*0.1*(1+1e-9) {
			lr, since = max(lr*0.5, s.LR*0.1), 0
			cuts++
		}
	}
	if cuts < 2 {
		t.Errorf("only %d cuts in %d epochs: the test does not exercise the schedule", cuts, len(h))
	}
	// Train with the schedule leaves the best validation epoch's weights.
	if got := validationLoss(t, m, xv, yv); math.Abs(got-best) > 1e-6 {
		t.Errorf("validation loss after training %v, best in history %v", got, best)
	}
}

// TestEMA checks weight averaging: the optimiser's trajectory is the one
// without averaging, the model ends with the moving average of it (with
// the warm-up decay), and with a validation set the best epoch's averaged
// weights are what the model holds.
func TestEMA(t *testing.T) {
	x, y := smallProblem(300, 31)
	newModel := func() *Model {
		m, err := NewModel(Config{DimX: 3, DimY: 2, Blocks: 2, Hidden: 12, Layers: 1, CondNet: []int{6}, Coupling: MixedCoupling, Seed: 8},
			Spec{XNames: []string{"a", "b", "c"}, XTransforms: []Transform{{}, {Kind: Log10}, {Kind: Bounded, Lo: 0, Hi: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	const beta = 0.7
	s := TrainSettings{Epochs: 2, BatchSize: 50, Seed: 3}

	// The raw trajectory, one entry per step, from a run without averaging.
	plain := newModel()
	traj := [][]float32{plain.Params()}
	ps := s
	ps.ProgressEvery = time.Nanosecond
	ps.Progress = func(Progress) { traj = append(traj, plain.Params()) }
	if _, err := plain.Train(context.Background(), x, y, nil, nil, ps); err != nil {
		t.Fatal(err)
	}
	if len(traj) != 1+2*6 {
		t.Fatalf("%d parameter vectors recorded, want 13 (one per step and the start)", len(traj))
	}
	want := append([]float32(nil), traj[0]...)
	for k, p := range traj[1:] {
		steps := k + 1
		a := float32(1 - min(beta, float64(1+steps)/float64(10+steps)))
		for i := range want {
			want[i] += a * (p[i] - want[i])
		}
	}

	avg := newModel()
	es := s
	es.EMA = beta
	res, err := avg.Train(context.Background(), x, y, nil, nil, es)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 12 {
		t.Fatalf("%d steps, want 12", res.Steps)
	}
	got := avg.Params()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("parameter %d: %v, want the average %v (last raw %v)", i, got[i], want[i], traj[12][i])
		}
	}
	if slices.Equal(got, traj[12]) {
		t.Fatal("the averaged weights equal the last raw weights: the test does not exercise averaging")
	}

	// With a validation set and the plateau schedule's restarts, the model
	// holds the best epoch's averaged weights.
	xv, yv := smallProblem(80, 32)
	vm := smallModel(t, 5)
	vs := TrainSettings{Epochs: 40, BatchSize: 50, Patience: -1, LR: 3e-3, Seed: 4, EMA: 0.9,
		Schedule: Schedule{Kind: PlateauSchedule, Every: 2, Gamma: 0.5, Floor: 0.1}}
	vres, err := vm.Train(context.Background(), x, y, xv, yv, vs)
	if err != nil {
		t.Fatal(err)
	}
	if v := validationLoss(t, vm, xv, yv); math.Abs(v-vres.BestValLoss) > 1e-6 {
		t.Errorf("validation loss of the returned weights %v, best %v", v, vres.BestValLoss)
	}
	cuts := 0
	for i, e := range vm.History()[1:] {
		if e.LR < vm.History()[i].LR {
			cuts++
		}
	}
	if cuts == 0 {
		t.Error("no learning-rate cut: the test does not exercise the restart from the best average")
	}

	bad := s
	bad.EMA = 1
	if _, err := newModel().Train(context.Background(), x, y, nil, nil, bad); err == nil || !strings.Contains(err.Error(), "EMA") {
		t.Errorf("EMA 1: error %v, want one naming EMA", err)
	}
}

// TestCosineScheduleInTrain checks that Train anneals a cosine schedule
// over the call's epoch budget and that bad schedules are refused before
// any weight changes.
func TestCosineScheduleInTrain(t *testing.T) {
	x, y := smallProblem(400, 9)
	xv, yv := smallProblem(100, 10)
	m := smallModel(t, 6)
	const epochs = 4
	s := Schedule{Kind: CosineSchedule, Floor: 0.1}
	if _, err := m.Train(context.Background(), x, y, xv, yv, TrainSettings{Epochs: epochs, BatchSize: 100, Seed: 1, Patience: -1, Schedule: s}); err != nil {
		t.Fatal(err)
	}
	h := m.History()
	if len(h) != epochs {
		t.Fatalf("%d epochs in the history, want %d", len(h), epochs)
	}
	for i, e := range h {
		want := DefaultLR * (0.1 + 0.9*(1+math.Cos(math.Pi*float64(i)/epochs))/2)
		if math.Abs(e.LR-want) > 1e-12*want {
			t.Errorf("epoch %d: lr %v, want %v", e.Epoch, e.LR, want)
		}
	}
	before := m.Params()
	for _, tc := range []struct {
		s    Schedule
		want string
	}{
		{Schedule{Kind: CosineSchedule, Floor: 1.5}, "cosine schedule needs 0 ≤ Floor ≤ 1"},
		{Schedule{Kind: CosineSchedule, Floor: math.NaN()}, "cosine schedule needs"},
		{Schedule{Kind: ExponentialSchedule}, "exponential schedule needs Gamma > 0"},
		{Schedule{Kind: StepSchedule, Gamma: 0.5}, "step schedule needs Every ≥ 1"},
		{Schedule{Kind: PlateauSchedule, Every: 1, Gamma: 1}, "plateau schedule needs"},
		{Schedule{Kind: ScheduleKind(99)}, "unknown schedule"},
	} {
		_, err := m.Train(context.Background(), x, y, xv, yv, TrainSettings{Epochs: 1, BatchSize: 100, Schedule: tc.s})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.s, err, tc.want)
		}
	}
	if after := m.Params(); !slices.Equal(before, after) || len(m.History()) != epochs {
		t.Error("a refused schedule changed the model")
	}
}
