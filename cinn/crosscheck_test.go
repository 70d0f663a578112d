// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// crosscheck is the content of testdata/crosscheck.json, which
// bench/engine/crosscheck.py loads into the PyTorch GLOW network of
// torch_bench.py (FrEIA's GLOWCouplingBlock and PermuteRandom in plain
// PyTorch) to check, in float64, that the forward pass, log|det J|, the loss
// and every gradient agree with an independent implementation.
type crosscheck struct {
	Dim, DimY, Blocks, Hidden, Layers int
	Clamp                             float64
	Perms                             [][]int
	// Weights[block][subnet: 0 = subnet1, 1 = subnet2][layer] = {W (in×out, row-major), b}
	Weights [][][][2][]float64
	Grads   [][][][2][]float64
	X, Y    []float64 // rows×Dim, rows×DimY
	Z       []float64
	LogDet  []float64
	Loss    float64
}

func makeCrosscheck(t *testing.T) crosscheck {
	c := netCase{dimX: 5, dimY: 3, blocks: 3, hidden: 7, layers: 2}
	m := testModel(t, c, 77)
	a := m.arch
	p := toF64(m.params)
	rng := rand.New(rand.NewPCG(78, 79))
	const rows = 6
	x := randSlice[float64](rng, rows*a.dim, 1.2)
	y := randSlice[float64](rng, rows*c.dimY, 1)
	ws := newWorkspace[float64](a, rows, true)
	copy(ws.xs[0], x)
	copy(ws.y, y)
	g := make([]float64, len(p))
	loss := lossGrad(a, p, g, ws, rows, false)
	cc := crosscheck{Dim: a.dim, DimY: c.dimY, Blocks: c.blocks, Hidden: c.hidden, Layers: c.layers, Clamp: a.clamp,
		X: x, Y: y, Z: append([]float64(nil), ws.xs[len(ws.xs)-1][:rows*a.dim]...),
		LogDet: append([]float64(nil), ws.logdet[:rows]...), Loss: loss}
	layers := func(v []float64, s *mlp) [][2][]float64 {
		var out [][2][]float64
		for _, l := range s.layers {
			out = append(out, [2][]float64{v[l.w : l.w+l.in*l.out], v[l.b : l.b+l.out]})
		}
		return out
	}
	for _, b := range a.blocks {
		cc.Perms = append(cc.Perms, b.perm)
		cc.Weights = append(cc.Weights, [][][2][]float64{layers(p, &b.sub1), layers(p, &b.sub2)})
		cc.Grads = append(cc.Grads, [][][2][]float64{layers(g, &b.sub1), layers(g, &b.sub2)})
	}
	return cc
}

// TestCrosscheckFile keeps testdata/crosscheck.json in step with the engine
// (regenerate with -update).
func TestCrosscheckFile(t *testing.T) {
	path := filepath.Join("testdata", "crosscheck.json")
	cc := makeCrosscheck(t)
	if *update {
		b, err := json.Marshal(cc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cinn/ -run TestCrosscheckFile -update)", err)
	}
	var want crosscheck
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Z) != len(cc.Z) || math.Abs(want.Loss-cc.Loss) > 1e-12*math.Abs(cc.Loss) {
		t.Fatalf("loss %v, file %v: regenerate with -update and rerun bench/engine/crosscheck.py", cc.Loss, want.Loss)
	}
	for i := range cc.Z {
		if math.Abs(want.Z[i]-cc.Z[i]) > 1e-12 {
			t.Fatalf("z[%d] = %v, file %v", i, cc.Z[i], want.Z[i])
		}
	}
}
