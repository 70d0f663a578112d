// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"
)

// Defaults used for zero fields of TrainSettings.
//
// The epoch budget and the patience depend on the size of the training set:
// a zero Epochs allows at least DefaultSteps optimiser steps (and at least
// DefaultEpochs epochs), a zero Patience waits at least DefaultPatienceSteps
// steps (and at least DefaultPatience epochs) for a better validation loss.
// A fixed number of epochs would give 100 steps on 1,000 simulations and
// 10,000 on 100,000; validation-based stopping does the real work, so the
// budget is generous.
const (
	DefaultEpochs        = 100
	DefaultSteps         = 5000
	DefaultBatchSize     = 512
	DefaultLR            = 5e-4
	DefaultBeta1         = 0.9
	DefaultBeta2         = 0.999
	DefaultEps           = 1e-6
	DefaultPatience      = 10
	DefaultPatienceSteps = 300

	// DefaultPlateauGamma is the factor of the default plateau schedule,
	// applied after a third of the patience without improvement, down to
	// DefaultPlateauFloor times the initial learning rate.
	DefaultPlateauGamma = 0.2
	DefaultPlateauFloor = 0.01
)

// AutoEpochs returns the epoch budget a zero TrainSettings.Epochs selects
// for n training rows in batches of batch (zero: DefaultBatchSize).
func AutoEpochs(n, batch int) int {
	return max(DefaultEpochs, ceilDiv(DefaultSteps, stepsPerEpoch(n, batch)))
}

// AutoPatience returns the early-stopping patience in epochs a zero
// TrainSettings.Patience selects for n training rows in batches of batch
// (zero: DefaultBatchSize).
func AutoPatience(n, batch int) int {
	return max(DefaultPatience, ceilDiv(DefaultPatienceSteps, stepsPerEpoch(n, batch)))
}

func stepsPerEpoch(n, batch int) int {
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	return max(1, ceilDiv(max(n, 1), batch))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// ScheduleKind selects a learning-rate schedule.
type ScheduleKind int

const (
	// DefaultSchedule is the zero value: PlateauSchedule with
	// DefaultPlateauGamma, Every a third of the patience and Floor
	// DefaultPlateauFloor when training has a validation set and early
	// stopping, ConstantSchedule otherwise.
	DefaultSchedule     ScheduleKind = iota
	StepSchedule                     // lr·Gamma^⌊epoch/Every⌋
	ExponentialSchedule              // lr·Gamma^epoch
	// PlateauSchedule multiplies the learning rate by Gamma after Every
	// epochs without a better validation loss (as PyTorch's
	// ReduceLROnPlateau), not below Floor times the initial rate, and
	// goes back to the weights of the best validation epoch when it does:
	// a loss spike at the higher rate is not carried into the lower one.
	// Without a validation set it is constant.
	PlateauSchedule
	ConstantSchedule // constant learning rate
	// CosineSchedule anneals the rate over the call's epoch budget:
	// lr·(Floor + (1−Floor)·(1+cos(π·epoch/Epochs))/2), from lr in the
	// first epoch towards Floor·lr in the last (SGDR without restarts,
	// Loshchilov & Hutter 2017). With a zero Patience it does not stop
	// early (WithDefaults); the best validation epoch is still kept.
	CosineSchedule
)

func (k ScheduleKind) String() string {
	switch k {
	case DefaultSchedule:
		return "default"
	case ConstantSchedule:
		return "constant"
	case StepSchedule:
		return "step"
	case ExponentialSchedule:
		return "exponential"
	case PlateauSchedule:
		return "plateau"
	case CosineSchedule:
		return "cosine"
	}
	return fmt.Sprintf("ScheduleKind(%d)", int(k))
}

// Schedule is a per-epoch learning-rate schedule. The epoch counts from 0
// within each Train call.
type Schedule struct {
	Kind  ScheduleKind `json:"kind"`
	Every int          `json:"every,omitempty"`
	Gamma float64      `json:"gamma,omitempty"`
	// Floor is the plateau and cosine schedules' lowest learning rate as
	// a fraction of the initial one (zero: no floor).
	Floor float64 `json:"floor,omitempty"`
}

// lr returns the learning rate of a fixed schedule in epoch of epochs; the
// plateau schedule is applied by Train.
func (s Schedule) lr(lr0 float64, epoch, epochs int) float64 {
	switch s.Kind {
	case CosineSchedule:
		return lr0 * (s.Floor + (1-s.Floor)*(1+math.Cos(math.Pi*float64(epoch)/float64(epochs)))/2)
	case StepSchedule:
		return lr0 * math.Pow(s.Gamma, float64(epoch/s.Every))
	case ExponentialSchedule:
		return lr0 * math.Pow(s.Gamma, float64(epoch))
	}
	return lr0
}

// Noise is the standard deviation Abs + Rel·|y| of the Gaussian noise added
// to one y column, in physical units, redrawn every epoch.
type Noise struct {
	Abs float64 `json:"abs,omitempty"`
	Rel float64 `json:"rel,omitempty"`
}

// TrainSettings controls Train. Zero values select the documented
// defaults.
type TrainSettings struct {
	// Epochs bounds the passes over the training set; zero selects
	// AutoEpochs (at least 100 epochs and 5,000 steps).
	Epochs    int     `json:"epochs"`
	BatchSize int     `json:"batchSize"` // default 512
	LR        float64 `json:"lr"`        // Adam learning rate, default 5e-4
	Beta1     float64 `json:"beta1"`     // default 0.9
	Beta2     float64 `json:"beta2"`     // default 0.999
	Eps       float64 `json:"eps"`       // default 1e-6

	// WeightDecay is an L2 penalty added to the gradient, g += wd·θ, as
	// torch.optim.Adam's weight_decay (used by the seed papers). With
	// DecoupledWeightDecay it is instead applied as AdamW does,
	// θ -= lr·wd·θ.
	WeightDecay          float64 `json:"weightDecay,omitempty"`
	DecoupledWeightDecay bool    `json:"decoupledWeightDecay,omitempty"`

	Schedule Schedule `json:"schedule"`

	// ClipNorm, if positive, rescales the gradient so that its global L2
	// norm is at most ClipNorm.
	ClipNorm float64 `json:"clipNorm,omitempty"`

	// Patience is the number of epochs without improvement of the
	// validation loss after which training stops (zero selects
	// AutoPatience: at least 10 epochs and 300 steps, or no early
	// stopping with a CosineSchedule, which anneals over the whole budget;
	// negative disables early stopping). It is ignored without a
	// validation set.
	Patience int `json:"patience"`

	// Noise has one entry per y column (or is nil for no noise).
	Noise []Noise `json:"noise,omitempty"`

	// EMA, if positive, is the decay per step of an exponential moving
	// average of the weights (Polyak averaging), in [0, 1): the averaged
	// weights are the ones validated, kept as the best and left in the
	// model, while the optimiser goes on with its own. Averaging over the
	// last 1/(1−EMA) steps smooths the jitter of stochastic gradients.
	// The decay is min(EMA, (1+t)/(10+t)) after t steps of this call, as
	// TensorFlow's ExponentialMovingAverage with num_updates. It is off by
	// default: in docs/validation.md it lowered the KL divergence of
	// gaussian_linear's posteriors but trained the isochrone network worse.
	EMA float64 `json:"ema,omitempty"`

	// Seed seeds the shuffling, the noise and the auxiliary dimension.
	Seed int64 `json:"seed"`

	// Progress, if not nil, is called at the end of every epoch and, when
	// ProgressEvery is positive, at most that often within an epoch. It is
	// called on the training goroutine.
	Progress      func(Progress) `json:"-"`
	ProgressEvery time.Duration  `json:"-"`
}

// WithDefaults returns s with its zero fields replaced by the defaults
// Train uses for n training rows, with or without a validation set.
func (s TrainSettings) WithDefaults(n int, validation bool) TrainSettings {
	if s.BatchSize == 0 {
		s.BatchSize = DefaultBatchSize
	}
	if s.Epochs == 0 {
		s.Epochs = AutoEpochs(n, s.BatchSize)
	}
	if s.LR == 0 {
		s.LR = DefaultLR
	}
	if s.Beta1 == 0 {
		s.Beta1 = DefaultBeta1
	}
	if s.Beta2 == 0 {
		s.Beta2 = DefaultBeta2
	}
	if s.Eps == 0 {
		s.Eps = DefaultEps
	}
	switch {
	case s.Patience == 0 && s.Schedule.Kind == CosineSchedule:
		// The rate is high for most of a cosine run and the validation loss
		// stalls there; early stopping would end it before the annealing
		// (measured: slcp stopped at epoch 27 of 100, gaussian_linear at 13).
		s.Patience = -1
	case s.Patience == 0:
		s.Patience = AutoPatience(n, s.BatchSize)
	}
	if s.Schedule.Kind == DefaultSchedule {
		s.Schedule = Schedule{Kind: ConstantSchedule}
		if validation && s.Patience > 0 {
			s.Schedule = Schedule{Kind: PlateauSchedule, Every: max(1, s.Patience/3), Gamma: DefaultPlateauGamma, Floor: DefaultPlateauFloor}
		}
	}
	return s
}

func (s TrainSettings) validate(dimY int) error {
	bad := func(f string, v any, want string) error {
		return fmt.Errorf("cinn: training setting %s is %v: %s", f, v, want)
	}
	pos := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch {
	case s.Epochs < 1:
		return bad("Epochs", s.Epochs, "must be at least 1")
	case s.BatchSize < 1:
		return bad("BatchSize", s.BatchSize, "must be at least 1")
	case !pos(s.LR):
		return bad("LR", s.LR, "must be positive and finite")
	case !(s.Beta1 >= 0 && s.Beta1 < 1):
		return bad("Beta1", s.Beta1, "must be in [0, 1)")
	case !(s.Beta2 >= 0 && s.Beta2 < 1):
		return bad("Beta2", s.Beta2, "must be in [0, 1)")
	case !pos(s.Eps):
		return bad("Eps", s.Eps, "must be positive")
	case !(s.WeightDecay >= 0) || math.IsInf(s.WeightDecay, 0):
		return bad("WeightDecay", s.WeightDecay, "must be non-negative")
	case !(s.ClipNorm >= 0) || math.IsInf(s.ClipNorm, 0):
		return bad("ClipNorm", s.ClipNorm, "must be non-negative (0 disables clipping)")
	case !(s.EMA >= 0 && s.EMA < 1):
		return bad("EMA", s.EMA, "must be in [0, 1) (0 disables weight averaging; 0.999 averages over about 1,000 steps)")
	case s.Noise != nil && len(s.Noise) != dimY:
		return bad("Noise", fmt.Sprintf("%d entries", len(s.Noise)), fmt.Sprintf("need one per y column (%d)", dimY))
	}
	switch s.Schedule.Kind {
	case DefaultSchedule, ConstantSchedule:
	case PlateauSchedule:
		if s.Schedule.Every < 1 || !(s.Schedule.Gamma > 0 && s.Schedule.Gamma < 1) || !(s.Schedule.Floor >= 0 && s.Schedule.Floor <= 1) {
			return bad("Schedule", s.Schedule, "a plateau schedule needs Every ≥ 1, 0 < Gamma < 1 and 0 ≤ Floor ≤ 1")
		}
	case StepSchedule:
		if s.Schedule.Every < 1 || !pos(s.Schedule.Gamma) {
			return bad("Schedule", s.Schedule, "a step schedule needs Every ≥ 1 and Gamma > 0")
		}
	case ExponentialSchedule:
		if !pos(s.Schedule.Gamma) {
			return bad("Schedule", s.Schedule, "an exponential schedule needs Gamma > 0")
		}
	case CosineSchedule:
		if !(s.Schedule.Floor >= 0 && s.Schedule.Floor <= 1) {
			return bad("Schedule", s.Schedule, "a cosine schedule needs 0 ≤ Floor ≤ 1")
		}
	default:
		return bad("Schedule.Kind", s.Schedule.Kind, "unknown schedule")
	}
	for i, n := range s.Noise {
		if !(n.Abs >= 0 && n.Rel >= 0) || math.IsInf(n.Abs+n.Rel, 0) {
			return bad(fmt.Sprintf("Noise[%d]", i), n, "σ must be non-negative and finite")
		}
	}
	return nil
}

// Progress is reported to TrainSettings.Progress.
type Progress struct {
	Epoch, Epochs int     // current epoch (1-based within this call) and total
	Step, Steps   int     // mini-batch within the epoch (1-based) and per epoch
	TrainLoss     float64 // running mean loss of the epoch
	ValLoss       float64 // last validation loss, or NaN
	LR            float64
	SamplesPerSec float64
	Elapsed, ETA  time.Duration
	EpochDone     bool // the call that ends an epoch
}

// StopReason says why Train returned.
type StopReason int

const (
	Completed    StopReason = iota // all epochs ran
	EarlyStopped                   // validation loss stopped improving
	Interrupted                    // the context was cancelled
	Diverged                       // the loss or gradient became NaN or infinite
)

func (r StopReason) String() string {
	switch r {
	case Completed:
		return "completed"
	case EarlyStopped:
		return "early stopped"
	case Interrupted:
		return "interrupted"
	case Diverged:
		return "diverged"
	}
	return fmt.Sprintf("StopReason(%d)", int(r))
}

// TrainResult summarises a Train call.
type TrainResult struct {
	Epochs      int     // epochs completed in this call
	Steps       int     // optimiser steps taken in this call
	TrainLoss   float64 // mean training loss of the last completed epoch
	BestEpoch   int     // epoch (in History numbering) whose weights the model holds, 0 if none
	BestValLoss float64 // validation loss of BestEpoch, or NaN
	Stopped     StopReason
	Duration    time.Duration
}

// ErrDiverged is wrapped by the error Train returns when the loss or the
// gradient becomes NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// snapshot is a copy of the parameters and optimiser state.
type snapshot struct {
	params, m, v []float32
	step         int64
	valid        bool
}

func (s *snapshot) save(md *Model) {
	s.params = append(s.params[:0], md.params...)
	s.m = append(s.m[:0], md.opt.m...)
	s.v = append(s.v[:0], md.opt.v...)
	s.step = md.opt.step
	s.valid = true
}

func (s *snapshot) restore(md *Model) {
	copy(md.params, s.params)
	copy(md.opt.m, s.m)
	copy(md.opt.v, s.v)
	md.opt.step = s.step
}

// trainData is a data set converted to flow space.
type trainData struct {
	rows int
	x    []float32 // rows×DimX, standardised
	y    []float32 // rows×DimY, standardised (noisy when noise is on)
}

// Train fits the model by maximum likelihood on x (rows×DimX) and y
// (rows×DimY) in physical units, with an optional validation set xVal,
// yVal (both nil for none). The first call fits the standardisation on x
// and y; later calls continue training from the current weights and Adam
// state.
//
// Train checks ctx between mini-batches. When it is cancelled, Train
// returns with the best weights so far (the lowest validation loss, or the
// current weights without a validation set) and an error wrapping
// context.Cause(ctx); the model is consistent and usable. When the loss or
// the gradient becomes NaN or infinite, Train restores the weights of the
// end of the last good epoch and returns an error wrapping ErrDiverged that
// says what to change. Shape mismatches are caller bugs and panic.
func (m *Model) Train(ctx context.Context, x, y, xVal, yVal *mat.Dense, s TrainSettings) (TrainResult, error) {
	start := time.Now()
	res := TrainResult{BestValLoss: math.NaN()}
	n := checkShape(x, m.cfg.DimX, "x")
	if ny := checkShape(y, m.cfg.DimY, "y"); ny != n {
		panic(fmt.Sprintf("cinn: x has %d rows, y has %d", n, ny))
	}
	hasVal := xVal != nil || yVal != nil
	if hasVal {
		nv := checkShape(xVal, m.cfg.DimX, "validation x")
		if nvy := checkShape(yVal, m.cfg.DimY, "validation y"); nvy != nv {
			panic(fmt.Sprintf("cinn: validation x has %d rows, validation y has %d", nv, nvy))
		}
		hasVal = nv > 0
	}
	s = s.WithDefaults(n, hasVal)
	if err := s.validate(m.cfg.DimY); err != nil {
		return res, err
	}
	if n == 0 {
		return res, errors.New("cinn: the training set is empty")
	}
	tx, err := transformed(x, m.spec.XTransforms, m.spec.XNames, "x")
	if err != nil {
		return res, err
	}
	ty, err := transformed(y, m.spec.YTransforms, m.spec.YNames, "y")
	if err != nil {
		return res, err
	}
	if !m.prep.Fitted {
		m.prep.XMean, m.prep.XStd = meanStd(tx)
		m.prep.YMean, m.prep.YStd = meanStd(ty)
		m.prep.XMin, m.prep.XMax = colRange(x)
		m.prep.Fitted = true
	}
	rng := rand.New(rand.NewPCG(uint64(s.Seed), 0xda3e39cb94b95bdb))
	train := trainData{rows: n, x: make([]float32, n*m.cfg.DimX), y: make([]float32, n*m.cfg.DimY)}
	standardised(train.x, m.cfg.DimX, tx, m.prep.XMean, m.prep.XStd)
	noisy := s.Noise != nil
	if !noisy {
		standardised(train.y, m.cfg.DimY, ty, m.prep.YMean, m.prep.YStd)
	}
	var val trainData
	var valAux []float32
	if hasVal {
		tvx, err := transformed(xVal, m.spec.XTransforms, m.spec.XNames, "validation x")
		if err != nil {
			return res, err
		}
		nv, _ := xVal.Dims()
		val = trainData{rows: nv, x: make([]float32, nv*m.cfg.DimX), y: make([]float32, nv*m.cfg.DimY)}
		standardised(val.x, m.cfg.DimX, tvx, m.prep.XMean, m.prep.XStd)
		// The validation observables get one fixed noise draw so that
		// the validation loss measures the task being trained.
		vy := yVal
		if noisy {
			vy = m.addNoise(yVal, s.Noise, rand.New(rand.NewPCG(uint64(s.Seed), 0x5bd1e995)))
		}
		tvy, err := transformed(vy, m.spec.YTransforms, m.spec.YNames, "validation y")
		if err != nil {
			return res, err
		}
		standardised(val.y, m.cfg.DimY, tvy, m.prep.YMean, m.prep.YStd)
		if m.cfg.DimX == 1 {
			arng := rand.New(rand.NewPCG(uint64(s.Seed), 0x27d4eb2f))
			valAux = make([]float32, nv)
			for i := range valAux {
				valAux[i] = float32(arng.NormFloat64())
			}
		}
	}
	if m.opt.m == nil {
		m.opt.m = make([]float32, len(m.params))
		m.opt.v = make([]float32, len(m.params))
	}
	last := s
	last.Progress = nil
	last.Noise = append([]Noise(nil), s.Noise...)
	m.last = &last

	B := min(s.BatchSize, n)
	a := m.arch
	D := a.dim
	dx, dy := m.cfg.DimX, m.cfg.DimY
	ws := newWorkspace[float32](a, B, true)
	var vws *workspace[float32]
	if hasVal {
		vws = newWorkspace[float32](a, min(B, val.rows), false)
	}
	grad := make([]float32, len(m.params))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	steps := (n + B - 1) / B

	// With weight averaging, ema holds the averaged weights during an
	// epoch; at its end they are swapped into m.params for validation and
	// the snapshots, and swapped back out before training goes on.
	var ema []float32
	holdsAverage := false // m.params is the average, ema the optimiser's weights
	if s.EMA > 0 {
		ema = append([]float32(nil), m.params...)
	}
	swapEMA := func() {
		if ema != nil {
			m.params, ema = ema, m.params
			holdsAverage = !holdsAverage
		}
	}

	var best, good snapshot
	good.save(m)
	bestVal := math.Inf(1)
	bad := 0
	lastVal := math.NaN()
	histBase := len(m.history)
	totalSteps := s.Epochs * steps
	lastReport := time.Now()

	finish := func(r StopReason) TrainResult {
		res.Stopped = r
		res.Duration = time.Since(start)
		if ema != nil && !holdsAverage {
			copy(m.params, ema) // the averaged weights, not the optimiser's
		}
		if hasVal && best.valid {
			best.restore(m)
			res.BestValLoss = bestVal
		} else if k := len(m.history); k > histBase {
			res.BestEpoch = m.history[k-1].Epoch
		}
		return res
	}

	// The plateau schedule's state: the current rate and the epochs since
	// the last improvement or cut.
	plateauLR, sinceCut := s.LR, 0
	for ep := 0; ep < s.Epochs; ep++ {
		epStart := time.Now()
		lr := s.Schedule.lr(s.LR, ep, s.Epochs)
		if s.Schedule.Kind == PlateauSchedule {
			lr = plateauLR
		}
		if noisy {
			ny := m.addNoise(y, s.Noise, rng)
			tny, err := transformed(ny, m.spec.YTransforms, m.spec.YNames, "noisy y")
			if err != nil {
				return finish(Completed), err
			}
			standardised(train.y, dy, tny, m.prep.YMean, m.prep.YStd)
		}
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		var epLoss float64
		var epRows int
		for st := 0; st < steps; st++ {
			if err := context.Cause(ctx); err != nil {
				r := finish(Interrupted)
				return r, fmt.Errorf("cinn: training interrupted in epoch %d at step %d of %d (model holds %s): %w",
					histBase+ep+1, st+1, steps, m.heldWeights(hasVal, best.valid), err)
			}
			lo := st * B
			hi := min(lo+B, n)
			rows := hi - lo
			xs := ws.xs[0]
			for r, id := range idx[lo:hi] {
				copy(xs[r*D:r*D+dx], train.x[id*dx:(id+1)*dx])
				if dx == 1 {
					xs[r*D+1] = float32(rng.NormFloat64())
				}
				copy(ws.y[r*dy:(r+1)*dy], train.y[id*dy:(id+1)*dy])
			}
			initAct := m.cfg.ActNorm && !m.actInit
			loss := lossGrad(a, m.params, grad, ws, rows, initAct)
			if initAct {
				m.actInit = true
				if ema != nil {
					copy(ema, m.params) // average from the initialised ActNorm
				}
			}
			gnorm := m.scratch().gradNorm(grad)
			if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(gnorm) || math.IsInf(gnorm, 0) {
				good.restore(m)
				res.Stopped = Diverged
				res.Duration = time.Since(start)
				what, badVal := "loss", loss
				if !(math.IsNaN(loss) || math.IsInf(loss, 0)) {
					what, badVal = "gradient norm", gnorm
				}
				return res, fmt.Errorf("cinn: the %s became %v in epoch %d, step %d; restored the weights of the last good epoch. "+
					"Lower the learning rate (now %g), set gradient clipping (ClipNorm, e.g. 1), "+
					"or check the training data for extreme values: %w",
					what, badVal, histBase+ep+1, st+1, lr, ErrDiverged)
			}
			m.adamStep(grad, gnorm, lr, s)
			res.Steps++
			if ema != nil {
				m.averageInto(ema, min(s.EMA, float64(1+res.Steps)/float64(10+res.Steps)))
			}
			epLoss += loss * float64(rows)
			epRows += rows
			if s.Progress != nil && s.ProgressEvery > 0 && time.Since(lastReport) >= s.ProgressEvery && st+1 < steps {
				lastReport = time.Now()
				s.Progress(m.progress(s, ep, st+1, steps, epLoss/float64(epRows), lastVal, lr, epRows, epStart, start, ep*steps+st+1, totalSteps, false))
			}
		}
		epLoss /= float64(epRows)
		swapEMA() // validate, keep and report the averaged weights
		e := Epoch{Epoch: histBase + ep + 1, TrainLoss: epLoss, ValLoss: math.NaN(), LR: lr}
		if hasVal {
			e.ValLoss = m.valLoss(vws, val, valAux)
			lastVal = e.ValLoss
		}
		e.Seconds = time.Since(epStart).Seconds()
		m.history = append(m.history, e)
		res.Epochs++
		res.TrainLoss = epLoss
		if hasVal && (math.IsNaN(e.ValLoss) || math.IsInf(e.ValLoss, 0)) {
			good.restore(m)
			res.Stopped = Diverged
			res.Duration = time.Since(start)
			return res, fmt.Errorf("cinn: the validation loss became %v in epoch %d; restored the weights of the last good epoch. "+
				"Lower the learning rate (now %g) or set gradient clipping (ClipNorm, e.g. 1): %w", e.ValLoss, e.Epoch, lr, ErrDiverged)
		}
		good.save(m)
		if s.Progress != nil {
			lastReport = time.Now()
			s.Progress(m.progress(s, ep, steps, steps, epLoss, lastVal, lr, epRows, epStart, start, (ep+1)*steps, totalSteps, true))
		}
		if hasVal {
			if e.ValLoss < bestVal {
				bestVal = e.ValLoss
				best.save(m)
				res.BestEpoch = e.Epoch
				bad, sinceCut = 0, 0
			} else {
				bad++
				sinceCut++
				if s.Patience > 0 && bad >= s.Patience {
					return finish(EarlyStopped), nil
				}
				if s.Schedule.Kind == PlateauSchedule && sinceCut >= s.Schedule.Every && plateauLR > s.LR*s.Schedule.Floor*(1+1e-9) {
					plateauLR = max(plateauLR*s.Schedule.Gamma, s.LR*s.Schedule.Floor)
					sinceCut = 0
					if best.valid {
						best.restore(m)
						if ema != nil {
							copy(ema, m.params) // the optimiser restarts from the best average
						}
					}
				}
			}
		}
		if ep+1 < s.Epochs {
			swapEMA()
		}
	}
	return finish(Completed), nil
}

func (m *Model) heldWeights(hasVal, haveBest bool) string {
	if hasVal && haveBest {
		return "the weights of the best validation epoch"
	}
	return "the weights after the last completed step"
}

func (m *Model) progress(s TrainSettings, ep, step, steps int, loss, val, lr float64, rows int, epStart, start time.Time, done, total int, end bool) Progress {
	el := time.Since(start)
	p := Progress{
		Epoch: ep + 1, Epochs: s.Epochs, Step: step, Steps: steps,
		TrainLoss: loss, ValLoss: val, LR: lr, Elapsed: el, EpochDone: end,
	}
	if sec := time.Since(epStart).Seconds(); sec > 0 {
		p.SamplesPerSec = float64(rows) / sec
	}
	if done > 0 {
		p.ETA = time.Duration(float64(el) / float64(done) * float64(total-done))
	}
	return p
}

// AddNoise returns y (rows × DimY, physical units) plus one draw of the
// Gaussian noise that training with these Noise settings adds: σ = Abs +
// Rel·|y| per column, a value leaving the column transform's domain redrawn
// up to 8 times. Evaluating a network trained with noise on simulated
// observations needs it, since real observations carry their noise.
func (m *Model) AddNoise(y *mat.Dense, noise []Noise, src rand.Source) (*mat.Dense, error) {
	if _, c := y.Dims(); c != m.cfg.DimY || len(noise) != c {
		return nil, fmt.Errorf("cinn: AddNoise: y has %d columns and noise %d entries; the model has %d observables", c, len(noise), m.cfg.DimY)
	}
	return m.addNoise(y, noise, rand.New(src)), nil
}

// addNoise returns y plus Gaussian noise of σ = Abs + Rel·|y| per column.
// A noisy value that leaves the column transform's domain is redrawn (up
// to 8 times) and otherwise left noise-free.
func (m *Model) addNoise(y *mat.Dense, noise []Noise, rng *rand.Rand) *mat.Dense {
	r, c := y.Dims()
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := y.At(i, j)
			sd := noise[j].Abs + noise[j].Rel*math.Abs(v)
			w := v
			if sd > 0 {
				for try := 0; try < 8; try++ {
					cand := v + sd*rng.NormFloat64()
					if _, ok := m.spec.YTransforms[j].apply(cand); ok {
						w = cand
						break
					}
				}
			}
			out.Set(i, j, w)
		}
	}
	return out
}

// valLoss returns the mean loss over the validation set.
func (m *Model) valLoss(ws *workspace[float32], val trainData, aux []float32) float64 {
	a := m.arch
	D, dx, dy := a.dim, m.cfg.DimX, m.cfg.DimY
	var sum float64
	for lo := 0; lo < val.rows; lo += ws.cap {
		rows := min(ws.cap, val.rows-lo)
		for r := 0; r < rows; r++ {
			id := lo + r
			copy(ws.xs[0][r*D:r*D+dx], val.x[id*dx:(id+1)*dx])
			if dx == 1 {
				ws.xs[0][r*D+1] = aux[id]
			}
			copy(ws.y[r*dy:(r+1)*dy], val.y[id*dy:(id+1)*dy])
		}
		computeCond(a, m.params, ws, rows)
		z := flowForward(a, m.params, ws, rows, false)
		for r := 0; r < rows; r++ {
			var q float64
			for _, v := range z[r*D : (r+1)*D] {
				q += float64(v) * float64(v)
			}
			sum += 0.5*q - ws.logdet[r]
		}
	}
	return sum / float64(val.rows*D)
}

// trainScratch holds what the per-step element-wise loops of training
// reuse, so that a training step allocates nothing.
type trainScratch struct {
	par  parRun
	norm normJob
	adam adamJob
	ema  emaJob
}

// scratch returns the Model's training scratch, creating it on first use.
func (m *Model) scratch() *trainScratch {
	if m.scr == nil {
		m.scr = new(trainScratch)
	}
	return m.scr
}

// normJob sums the squares of g per chunk into parts.
type normJob struct {
	g     []float32
	parts []float64
}

func (j *normJob) chunk(k, lo, hi int) {
	var s float64
	for _, v := range j.g[lo:hi] {
		s += float64(v) * float64(v)
	}
	j.parts[k] = s
}

// norm returns the L2 norm of g accumulated in float64 (per chunk, then
// over the chunks in order, so the result is independent of GOMAXPROCS).
func (sc *trainScratch) gradNorm(g []float32) float64 {
	nc := (len(g) + elemChunk - 1) / elemChunk
	j := &sc.norm
	if cap(j.parts) < nc {
		j.parts = make([]float64, nc)
	}
	j.g, j.parts = g, j.parts[:nc]
	sc.par.run(j, len(g), elemChunk)
	j.g = nil
	var s float64
	for _, v := range j.parts {
		s += v
	}
	return math.Sqrt(s)
}

// norm is gradNorm with a scratch of its own.
func norm(g []float32) float64 {
	var sc trainScratch
	return sc.gradNorm(g)
}

// adamJob is one Adam update in float32 arithmetic, as torch.optim.Adam
// computes it on float32 parameters: with
// g' = scale·g + l2·p, m ← β1·m + (1−β1)·g', v ← β2·v + (1−β2)·g'²,
// p ← decay·p − stepSize·m / (√v·invSqrtBc2 + eps).
type adamJob struct {
	p, m, v, g                    []float32
	scale, l2, decay, b1, b2, eps float32
	stepSize, invSqrtBc2          float32
}

func (j *adamJob) chunk(_, lo, hi int) {
	c := [10]float32{j.scale, j.l2, j.decay, j.b1, 1 - j.b1, j.b2, 1 - j.b2, j.eps, j.stepSize, j.invSqrtBc2}
	adamRow(j.p[lo:hi], j.m[lo:hi], j.v[lo:hi], j.g[lo:hi], &c)
}

// adamScalar is the Adam update of adamJob one parameter at a time; c
// holds scale, l2, decay, β1, 1−β1, β2, 1−β2, eps, stepSize, invSqrtBc2.
func adamScalar(p, mm, vv, g []float32, c *[10]float32) {
	mm, vv, g = mm[:len(p)], vv[:len(p)], g[:len(p)]
	scale, l2, decay := c[0], c[1], c[2]
	b1, c1, b2, c2 := c[3], c[4], c[5], c[6]
	eps, step, inv := c[7], c[8], c[9]
	for i, pi := range p {
		gi := g[i]*scale + l2*pi
		mi := b1*mm[i] + c1*gi
		vi := b2*vv[i] + c2*(gi*gi)
		mm[i] = mi
		vv[i] = vi
		// float32(math.Sqrt(float64(x))) compiles to one SQRTSS.
		p[i] = pi*decay - step*mi/(float32(math.Sqrt(float64(vi)))*inv+eps)
	}
}

// averageInto moves the moving average ema of the weights towards the
// current weights, ema = decay·ema + (1−decay)·params, in parallel chunks
// as the Adam update.
func (m *Model) averageInto(ema []float32, decay float64) {
	sc := m.scratch()
	j := &sc.ema
	*j = emaJob{ema: ema, p: m.params, a: float32(1 - decay)}
	sc.par.run(j, len(ema), elemChunk)
	*j = emaJob{}
}

// emaJob is averageInto's element-wise update.
type emaJob struct {
	ema, p []float32
	a      float32
}

func (j *emaJob) chunk(_, lo, hi int) {
	ema, p := j.ema[lo:hi], j.p[lo:hi]
	for i, v := range p {
		ema[i] += j.a * (v - ema[i])
	}
}

// adamStep applies one Adam update with the (unclipped) gradient g whose
// norm is gnorm. The bias corrections and the step size are computed in
// float64, the per-parameter update in float32 (as PyTorch's Adam does for
// float32 parameters; the moments are float32 too).
func (m *Model) adamStep(g []float32, gnorm, lr float64, s TrainSettings) {
	scale := 1.0
	if s.ClipNorm > 0 && gnorm > s.ClipNorm {
		scale = s.ClipNorm / (gnorm + 1e-6)
	}
	m.opt.step++
	t := float64(m.opt.step)
	b1, b2 := s.Beta1, s.Beta2
	bc1 := 1 - math.Pow(b1, t)
	bc2 := 1 - math.Pow(b2, t)
	l2 := 0.0
	decay := 1.0
	if s.DecoupledWeightDecay {
		decay = 1 - lr*s.WeightDecay
	} else {
		l2 = s.WeightDecay
	}
	sc := m.scratch()
	j := &sc.adam
	*j = adamJob{
		p: m.params, m: m.opt.m, v: m.opt.v, g: g,
		scale: float32(scale), l2: float32(l2), decay: float32(decay),
		b1: float32(b1), b2: float32(b2), eps: float32(s.Eps),
		stepSize: float32(lr / bc1), invSqrtBc2: float32(1 / math.Sqrt(bc2)),
	}
	sc.par.run(j, len(m.params), elemChunk)
	*j = adamJob{}
}
