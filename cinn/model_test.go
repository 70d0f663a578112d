// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// smallProblem returns data of a tiny linear-Gaussian problem with a log10
// and a bounded column, to exercise the transforms.
func smallProblem(n int, seed uint64) (x, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x = mat.NewDense(n, 3, nil)
	y = mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		a, b, c := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		x.Set(i, 0, a)
		x.Set(i, 1, math.Pow(10, 1+0.5*b)) // log10 column
		x.Set(i, 2, 1/(1+math.Exp(-c)))    // bounded (0, 1)
		y.Set(i, 0, a+b+0.1*rng.NormFloat64())
		y.Set(i, 1, b-c+0.1*rng.NormFloat64())
	}
	return x, y
}

func smallModel(t testing.TB, seed int64) *Model {
	t.Helper()
	m, err := NewModel(Config{DimX: 3, DimY: 2, Blocks: 3, Hidden: 16, Layers: 1, CondNet: []int{8, 6}, ActNorm: true, Seed: seed},
		Spec{XNames: []string{"a", "b", "c"}, XTransforms: []Transform{{}, {Kind: Log10}, {Kind: Bounded, Lo: 0, Hi: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReproducible(t *testing.T) {
	x, y := smallProblem(600, 1)
	xv, yv := smallProblem(100, 2)
	s := TrainSettings{Epochs: 3, BatchSize: 64, Seed: 5, Noise: []Noise{{Abs: 0.05}, {Rel: 0.1}}, ClipNorm: 5, WeightDecay: 1e-5}
	var ref []float32
	var refSamples []*mat.Dense
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		m := smallModel(t, 9)
		if _, err := m.Train(context.Background(), x, y, xv, yv, s); err != nil {
			t.Fatal(err)
		}
		smp, err := m.Sample(context.Background(), yv.Slice(0, 3, 0, 2).(*mat.Dense), 2500, rand.NewPCG(3, 4))
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref, refSamples = m.Params(), smp
			continue
		}
		if !slices.Equal(ref, m.params) {
			t.Errorf("GOMAXPROCS=%d: weights differ from GOMAXPROCS=1", procs)
		}
		for i := range smp {
			if !mat.Equal(smp[i], refSamples[i]) {
				t.Errorf("GOMAXPROCS=%d: samples of observation %d differ", procs, i)
			}
		}
	}
	// At the benchmark size gonum's GEMM runs in parallel; a gradient
	// must still be bit-identical for any GOMAXPROCS.
	big, err := NewModel(Config{DimX: 5, DimY: 8, Blocks: 2, Seed: 1}, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const rows = 256
	xb := randSlice[float32](rng, rows*5, 1)
	yb := randSlice[float32](rng, rows*8, 1)
	var refGrad []float32
	for _, procs := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(procs)
		ws := newWorkspace[float32](big.arch, rows, true)
		copy(ws.xs[0], xb)
		copy(ws.y, yb)
		g := make([]float32, big.NumParams())
		lossGrad(big.arch, big.params, g, ws, rows, false)
		if refGrad == nil {
			refGrad = g
		} else if !slices.Equal(g, refGrad) {
			t.Errorf("GOMAXPROCS=%d: gradient at the benchmark size differs", procs)
		}
	}
	// A different seed gives different weights.
	m := smallModel(t, 9)
	s.Seed = 6
	if _, err := m.Train(context.Background(), x, y, xv, yv, s); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(ref, m.params) {
		t.Error("training seed has no effect")
	}
}

func TestSaveLoad(t *testing.T) {
	x, y := smallProblem(500, 3)
	xv, yv := smallProblem(100, 4)
	m := smallModel(t, 2)
	s := TrainSettings{Epochs: 2, BatchSize: 100, Seed: 1, Schedule: Schedule{Kind: StepSchedule, Every: 1, Gamma: 0.5}}
	if _, err := m.Train(context.Background(), x, y, xv, yv, s); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.cinn")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	m.WriteTo(&a)
	l.WriteTo(&b)
	orig, _ := os.ReadFile(path)
	if !bytes.Equal(a.Bytes(), b.Bytes()) || !bytes.Equal(orig, a.Bytes()) {
		t.Fatal("save → load → save is not bit for bit identical")
	}
	var viaReader Model
	if _, err := viaReader.ReadFrom(bytes.NewReader(orig)); err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	viaReader.WriteTo(&c)
	if !bytes.Equal(c.Bytes(), orig) {
		t.Error("ReadFrom → WriteTo is not bit for bit identical")
	}
	if _, err := viaReader.ReadFrom(bytes.NewReader(orig[:100])); !errors.Is(err, ErrCorrupt) {
		t.Errorf("ReadFrom of a truncated model: %v", err)
	}
	if !slices.Equal(viaReader.params, m.params) {
		t.Error("a failed ReadFrom modified the model")
	}
	if err := m.Save(filepath.Join(dir, "no", "such", "dir", "m.cinn")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	if !slices.Equal(m.params, l.params) || !slices.Equal(m.opt.m, l.opt.m) || !slices.Equal(m.opt.v, l.opt.v) || m.opt.step != l.opt.step {
		t.Fatal("weights or Adam state differ after load")
	}
	if len(l.History()) != 2 || !math.IsNaN(NewEpochNaN().ValLoss) {
		t.Errorf("history not restored: %v", l.History())
	}
	if st, ok := l.LastSettings(); !ok || st.Schedule.Gamma != 0.5 {
		t.Errorf("train settings not restored: %+v", st)
	}
	// Training continues identically from the original, the loaded
	// model (the optimiser state is part of the file) and a clone, and
	// does not touch a clone taken before.
	cl := m.Clone()
	before := m.Clone()
	var bb bytes.Buffer
	before.WriteTo(&bb)
	for _, mm := range []*Model{m, l, cl} {
		if _, err := mm.Train(context.Background(), x, y, xv, yv, s); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(m.params, l.params) || !slices.Equal(m.params, cl.params) {
		t.Error("continued training differs between the original, the loaded model and the clone")
	}
	var ba bytes.Buffer
	before.WriteTo(&ba)
	if !bytes.Equal(ba.Bytes(), bb.Bytes()) || !bytes.Equal(ba.Bytes(), orig) {
		t.Error("training the original changed a clone")
	}
	if len(l.History()) != 4 || l.History()[3].Epoch != 4 {
		t.Errorf("history after continued training: %v", l.History())
	}
	// Samples from an identical model are identical.
	s1, _ := m.Sample(context.Background(), yv.Slice(0, 2, 0, 2).(*mat.Dense), 100, rand.NewPCG(1, 2))
	s2, _ := l.Sample(context.Background(), yv.Slice(0, 2, 0, 2).(*mat.Dense), 100, rand.NewPCG(1, 2))
	for i := range s1 {
		if !mat.Equal(s1[i], s2[i]) {
			t.Error("samples differ after load")
		}
	}
}

// NewEpochNaN returns an epoch decoded from JSON without a validation loss.
func NewEpochNaN() Epoch {
	var e Epoch
	e.UnmarshalJSON([]byte(`{"epoch":1,"train":0.5,"lr":0.001,"seconds":1}`))
	return e
}

func TestLoadErrors(t *testing.T) {
	m := smallModel(t, 1)
	var buf bytes.Buffer
	m.WriteTo(&buf)
	good := buf.Bytes()
	future := slices.Clone(good)
	binary.LittleEndian.PutUint32(future[8:], FormatVersion+1)
	flipped := slices.Clone(good)
	flipped[len(flipped)-100] ^= 0x10
	header := slices.Clone(good)
	header[20] ^= 0x01
	for _, tc := range []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"empty", nil, ErrNotModel, "magic"},
		{"text", []byte("x,y\n1,2\n"), ErrNotModel, "magic"},
		{"truncated header", good[:30], ErrCorrupt, "truncated"},
		{"truncated weights", good[:len(good)-50], ErrCorrupt, "truncated"},
		{"trailing", append(slices.Clone(good), 0), ErrCorrupt, "trailing"},
		{"future version", future, ErrVersion, "upgrade"},
		{"flipped weight bit", flipped, ErrCorrupt, "checksum"},
		{"flipped header bit", header, ErrCorrupt, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.cinn")
			os.WriteFile(path, tc.data, 0o644)
			_, err := Load(path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q should mention %q and the path", err, tc.text)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.cinn")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

type causeErr struct{}

func (causeErr) Error() string { return "kernel interrupt" }

func TestInterrupt(t *testing.T) {
	x, y := smallProblem(2000, 5)
	xv, yv := smallProblem(200, 6)
	m := smallModel(t, 3)
	ctx, cancel := context.WithCancelCause(context.Background())
	calls := 0
	res, err := m.Train(ctx, x, y, xv, yv, TrainSettings{Epochs: 100, BatchSize: 50, Seed: 1,
		ProgressEvery: 1, // every step
		Progress: func(p Progress) {
			calls++
			if p.Epoch == 3 && p.Step == 10 {
				cancel(causeErr{})
			}
		}})
	if !errors.Is(err, causeErr{}) {
		t.Fatalf("error %v does not wrap the cause", err)
	}
	if res.Stopped != Interrupted || res.Epochs != 2 || res.BestEpoch == 0 {
		t.Errorf("result %+v", res)
	}
	if calls < 85 {
		t.Errorf("progress called only %d times", calls)
	}
	// The model is usable: it samples finite values and trains on.
	smp, err := m.Sample(context.Background(), yv.Slice(0, 2, 0, 2).(*mat.Dense), 200, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range smp {
		for _, v := range s.RawMatrix().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatal("non-finite sample after interrupt")
			}
		}
	}
	if _, err := m.Train(context.Background(), x, y, xv, yv, TrainSettings{Epochs: 1, BatchSize: 50}); err != nil {
		t.Fatal(err)
	}
	// Sampling honours the context too.
	ctx, cancel = context.WithCancelCause(context.Background())
	cancel(causeErr{})
	if _, err := m.Sample(ctx, yv, 10, rand.NewPCG(1, 1)); !errors.Is(err, causeErr{}) {
		t.Errorf("Sample with cancelled context: %v", err)
	}
}

func TestNaNGuard(t *testing.T) {
	x, y := smallProblem(1000, 7)
	m := smallModel(t, 4)
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 1, BatchSize: 100, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	good := m.Params()
	res, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 50, BatchSize: 100, LR: 1e6, Beta1: 0.01, Beta2: 0.01, Seed: 1})
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("error %v, result %+v: want ErrDiverged", err, res)
	}
	if !strings.Contains(err.Error(), "learning rate") || !strings.Contains(err.Error(), "ClipNorm") {
		t.Errorf("error does not say what to change: %v", err)
	}
	for _, v := range m.params {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatal("non-finite weights after the NaN guard")
		}
	}
	if res.Epochs == 0 && !slices.Equal(good, m.params) {
		t.Error("diverged in the first epoch but the weights were not restored")
	}
	if _, err := m.Sample(context.Background(), y.Slice(0, 1, 0, 2).(*mat.Dense), 10, rand.NewPCG(1, 1)); err != nil {
		t.Fatal(err)
	}
}

func TestDataErrors(t *testing.T) {
	x, y := smallProblem(200, 8)
	m := smallModel(t, 5)
	bad := mat.DenseCopyOf(x)
	bad.Set(17, 1, -3) // log10 column
	_, err := m.Train(context.Background(), bad, y, nil, nil, TrainSettings{Epochs: 1})
	var de *DataError
	if !errors.As(err, &de) || de.Row != 17 || de.Col != 1 || de.Name != "b" || !strings.Contains(err.Error(), "log10") {
		t.Fatalf("error %v", err)
	}
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	obs := mat.NewDense(3, 2, []float64{0, 0, 1, math.NaN(), 0, math.Inf(1)})
	_, err = m.Sample(context.Background(), obs, 10, rand.NewPCG(1, 1))
	if !errors.As(err, &de) || de.Row != 1 || de.Col != 1 || !strings.Contains(err.Error(), "row 1, column 1") {
		t.Fatalf("error %v", err)
	}
	if _, err := NewModel(Config{DimX: 0, DimY: 1}, Spec{}); err == nil {
		t.Error("DimX = 0 accepted")
	}
	if _, err := NewModel(Config{DimX: 2, DimY: 1}, Spec{XTransforms: []Transform{{Kind: Bounded, Lo: 1, Hi: 0}, {}}}); err == nil {
		t.Error("empty bounded range accepted")
	}
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Noise: []Noise{{}}}); err == nil {
		t.Error("wrong number of noise entries accepted")
	}
}

// TestTrainingRange checks that the first training set's parameter range is
// kept, survives Save and Load, and is absent before training.
func TestTrainingRange(t *testing.T) {
	m := smallModel(t, 1)
	if lo, hi := m.TrainingRange(); lo != nil || hi != nil {
		t.Fatalf("untrained model has a training range %v %v", lo, hi)
	}
	x, y := smallProblem(300, 4)
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 1, BatchSize: 100, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	lo, hi := m.TrainingRange()
	for j := range 3 {
		col := mat.Col(nil, j, x)
		if lo[j] != floats.Min(col) || hi[j] != floats.Max(col) {
			t.Errorf("column %d: range [%v, %v], want [%v, %v]", j, lo[j], hi[j], floats.Min(col), floats.Max(col))
		}
	}
	// A second Train call does not refit (as the standardisation).
	x2, y2 := smallProblem(300, 5)
	x2.Set(0, 0, 100)
	if _, err := m.Train(context.Background(), x2, y2, nil, nil, TrainSettings{Epochs: 1, BatchSize: 100, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if lo2, hi2 := m.TrainingRange(); !floats.Equal(lo, lo2) || !floats.Equal(hi, hi2) {
		t.Errorf("second Train changed the range to %v %v", lo2, hi2)
	}
	path := filepath.Join(t.TempDir(), "m.cinn")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if lo2, hi2 := l.TrainingRange(); !floats.Equal(lo, lo2) || !floats.Equal(hi, hi2) {
		t.Errorf("loaded range %v %v, want %v %v", lo2, hi2, lo, hi)
	}
}

// TestPermSeed: PermSeed draws other fixed permutations and keeps the
// initial weights of Seed; PermSeed equal to Seed is the model of Seed
// alone, and a saved model keeps its permutations.
func TestPermSeed(t *testing.T) {
	mk := func(seed, perm int64) *Model {
		t.Helper()
		m, err := NewModel(Config{DimX: 5, DimY: 3, Blocks: 4, Hidden: 8, Layers: 1, Seed: seed, PermSeed: perm}, Spec{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	base, same, other, swapped := mk(3, 0), mk(3, 3), mk(3, 1), mk(1, 0)
	if !reflect.DeepEqual(base.perms, same.perms) || !slices.Equal(base.params, same.params) {
		t.Error("PermSeed equal to Seed changed the model")
	}
	if !slices.Equal(base.params, other.params) {
		t.Error("PermSeed changed the initial weights")
	}
	if reflect.DeepEqual(base.perms, other.perms) || !reflect.DeepEqual(other.perms, swapped.perms) {
		t.Errorf("PermSeed 1: permutations %v, want seed 1's %v (seed 3's: %v)", other.perms, swapped.perms, base.perms)
	}
	var buf bytes.Buffer
	if _, err := other.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	var back Model
	if _, err := back.ReadFrom(&buf); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.perms, other.perms) || back.Config().PermSeed != 1 {
		t.Errorf("reloaded: permutations %v, PermSeed %d: want %v, 1", back.perms, back.Config().PermSeed, other.perms)
	}
}
