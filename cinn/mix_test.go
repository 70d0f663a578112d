// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestLinearMix checks Config.LinearMix beyond the exactness tests (which
// include mixing cases): it starts as the identity after the weights of
// the same network without it, it is trained, and it survives save/load.
func TestLinearMix(t *testing.T) {
	base := Config{DimX: 3, DimY: 2, Blocks: 4, Hidden: 16, Layers: 1, Seed: 3}
	plain, err := NewModel(base, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	mc := base
	mc.LinearMix = true
	m, err := NewModel(mc, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	D := m.FlowDim()
	if got, want := m.NumParams()-plain.NumParams(), base.Blocks*D*D; got != want {
		t.Errorf("mixing adds %d parameters, want %d (D² per block)", got, want)
	}
	n := plain.NumParams()
	if !slices.Equal(m.params[:n], plain.params) {
		t.Error("mixing changed the initial weights of the network without it")
	}
	if slices.ContainsFunc(m.params[n:], func(v float32) bool { return v != 0 }) {
		t.Error("mixing does not start as the identity")
	}
	if !strings.Contains(m.String(), "learned linear mixing") {
		t.Errorf("String does not mention the mixing: %s", m.String())
	}
	rng := rand.New(rand.NewPCG(4, 5))
	x0 := randSlice[float32](rng, 8*D, 1)
	y0 := randSlice[float32](rng, 8*base.DimY, 1)
	zp, ldp := plain.Forward(x0, y0)
	zm, ldm := m.Forward(x0, y0)
	if !slices.Equal(zp, zm) || !slices.Equal(ldp, ldm) {
		t.Error("the untrained network with mixing differs from the one without")
	}

	// Correlated parameters: x = B·y + C·ε with a dense C, which a
	// permutation alone cannot decorrelate.
	const rows = 2000
	x := mat.NewDense(rows, 3, nil)
	y := mat.NewDense(rows, 2, nil)
	for r := 0; r < rows; r++ {
		y1, y2 := rng.NormFloat64(), rng.NormFloat64()
		e1, e2, e3 := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		y.Set(r, 0, y1)
		y.Set(r, 1, y2)
		x.Set(r, 0, y1+0.3*e1)
		x.Set(r, 1, y2+0.3*e1+0.1*e2)
		x.Set(r, 2, y1-y2+0.2*e1-0.2*e2+0.05*e3)
	}
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 3, BatchSize: 100, LR: 3e-3, Seed: 6}); err != nil {
		t.Fatal(err)
	}
	var moved float64
	for _, v := range m.params[n:] {
		moved = math.Max(moved, math.Abs(float64(v)))
	}
	if moved < 1e-3 {
		t.Errorf("training left the mixing at the identity (largest entry %g)", moved)
	}
	z, ld := m.Forward(x0, y0)
	back, ldInv := m.Inverse(z, y0)
	for i := range x0 {
		if math.Abs(float64(back[i]-x0[i])) > 1e-4 {
			t.Fatalf("trained round trip: %v for %v", back[i], x0[i])
		}
	}
	for i := range ld {
		if math.Abs(ld[i]+ldInv[i]) > 1e-4 {
			t.Fatalf("trained log det %v, inverse %v", ld[i], ldInv[i])
		}
	}

	path := t.TempDir() + "/mix.cinn"
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// Older gocinn read version 1 and call version 2 newer; files without
	// mixing stay version 1.
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(buf.Bytes()[8:]); v != 2 {
		t.Errorf("a model with LinearMix is written as version %d, want 2", v)
	}
	// The first files with mixing were written as version 1: they still load.
	old := slices.Clone(buf.Bytes())
	binary.LittleEndian.PutUint32(old[8:], 1)
	binary.LittleEndian.PutUint32(old[len(old)-4:], crc32.ChecksumIEEE(old[:len(old)-4]))
	if _, err := new(Model).ReadFrom(bytes.NewReader(old)); err != nil {
		t.Errorf("a version 1 file with LinearMix: %v", err)
	}
	buf.Reset()
	if _, err := plain.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(buf.Bytes()[8:]); v != 1 {
		t.Errorf("a model without LinearMix is written as version %d, want 1", v)
	}
	if !got.Config().LinearMix {
		t.Error("loaded model lost LinearMix")
	}
	z2, ld2 := got.Forward(x0, y0)
	if !slices.Equal(z, z2) || !slices.Equal(ld, ld2) {
		t.Error("loaded model maps x to another z")
	}
}

// TestMixRotation checks MixRotation: every block's mixing starts as a
// rotation far from the identity, the other weights stay Seed's, and
// invalid settings are refused.
func TestMixRotation(t *testing.T) {
	base := Config{DimX: 5, DimY: 2, Blocks: 3, Hidden: 8, Layers: 1, Seed: 3, LinearMix: true}
	id, err := NewModel(base, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	rc := base
	rc.MixInit = MixRotation
	m, err := NewModel(rc, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	D := m.FlowDim()
	n := id.NumParams() - base.Blocks*D*D
	if !slices.Equal(m.params[:n], id.params[:n]) {
		t.Error("the rotation changed the other initial weights")
	}
	for k, b := range m.arch.blocks {
		p := m.params[b.mix : b.mix+D*D]
		w := mat.NewDense(D, D, nil)
		for i := 0; i < D; i++ {
			for j := 0; j < D; j++ {
				// W_ij = Σ_k L_ik·U'_kj with L's unit diagonal and U''s
				// diagonal exp(s).
				var v float64
				for q := 0; q <= min(i, j); q++ {
					l := 1.0
					if q < i {
						l = float64(p[i*D+q])
					}
					u := float64(p[q*D+j])
					if q == j {
						u = math.Exp(u)
					}
					v += l * u
				}
				w.Set(i, j, v)
				if j < i && math.Abs(float64(p[i*D+j])) > 1+1e-6 {
					t.Errorf("block %d: L[%d,%d] = %g, partial pivoting keeps |L| ≤ 1", k, i, j, p[i*D+j])
				}
			}
		}
		var wtw mat.Dense
		wtw.Mul(w.T(), w)
		var off float64
		for i := 0; i < D; i++ {
			for j := 0; j < D; j++ {
				want := 0.0
				if i == j {
					want = 1
				}
				if d := math.Abs(wtw.At(i, j) - want); d > 1e-5 {
					t.Fatalf("block %d: (WᵀW)[%d,%d] = %g, want %g: not a rotation", k, i, j, wtw.At(i, j), want)
				}
				if i != j {
					off = math.Max(off, math.Abs(w.At(i, j)))
				}
			}
		}
		if off < 0.3 {
			t.Errorf("block %d: largest off-diagonal entry %g: too close to the identity for a random rotation", k, off)
		}
	}
	// Still exact: a round trip through the rotated network.
	rng := rand.New(rand.NewPCG(8, 9))
	x := randSlice[float32](rng, 4*D, 1)
	y := randSlice[float32](rng, 4*base.DimY, 1)
	z, _ := m.Forward(x, y)
	back, _ := m.Inverse(z, y)
	for i := range x {
		if math.Abs(float64(back[i]-x[i])) > 1e-4 {
			t.Fatalf("round trip %v for %v", back[i], x[i])
		}
	}
	for k, b := range m.arch.blocks {
		if ld := mixLogDet(m.params[b.mix:b.mix+D*D], D); math.Abs(ld) > 1e-5 {
			t.Errorf("block %d: the rotation's log|det| is %g, want 0", k, ld)
		}
	}
	for _, bad := range []Config{
		{DimX: 2, DimY: 1, MixInit: MixRotation},
		{DimX: 2, DimY: 1, LinearMix: true, MixInit: "orthogonal"},
	} {
		if _, err := NewModel(bad, Spec{}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
