// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var update = flag.Bool("update", false, "regenerate the golden files in testdata/")

// goldenModel trains the tiny model stored in testdata/model_v1.cinn.
func goldenModel(t *testing.T) *Model {
	x, y := smallProblem(300, 42)
	m, err := NewModel(Config{DimX: 3, DimY: 2, Blocks: 2, Hidden: 6, Layers: 1, CondNet: []int{5, 3}, ActNorm: true, Seed: 7},
		Spec{XNames: []string{"a", "b", "c"}, YNames: []string{"s", "d"},
			XTransforms: []Transform{{}, {Kind: Log10}, {Kind: Bounded, Lo: 0, Hi: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Train(context.Background(), x, y, nil, nil, TrainSettings{Epochs: 2, BatchSize: 100, Seed: 1,
		Noise: []Noise{{Abs: 0.01}, {Rel: 0.01}}}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGoldenFile pins the version-1 file format: the stored file must load,
// re-encode to the identical bytes, and sample what it sampled when it was
// written (to float32 accuracy: GEMM kernels may differ between
// architectures).
func TestGoldenFile(t *testing.T) {
	path := filepath.Join("testdata", "model_v1.cinn")
	expPath := filepath.Join("testdata", "model_v1_samples.json")
	obs := mat.NewDense(2, 2, []float64{0.5, -0.2, 1.5, 0.3})
	if *update {
		m := goldenModel(t)
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		s, err := m.Sample(context.Background(), obs, 5, rand.NewPCG(1, 2))
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]float64
		for _, d := range s {
			rows = append(rows, d.RawMatrix().Data)
		}
		b, _ := json.MarshalIndent(rows, "", " ")
		if err := os.WriteFile(expPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGoldenFile -update ./cinn/)", err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Error("re-encoding the golden model changes its bytes")
	}
	if c := m.Config(); c.Blocks != 2 || c.Hidden != 6 || !c.ActNorm || len(c.CondNet) != 2 {
		t.Errorf("config %+v", c)
	}
	// The file predates the coupling field: it is an affine network,
	// whatever DefaultCoupling says now (its samples below prove it).
	if c := m.Config(); bytes.Contains(raw, []byte(`"coupling"`)) || c.Coupling != "" || c.UsesSplines() {
		t.Errorf("the golden file should hold a network stored before the coupling field (affine): coupling %q", c.Coupling)
	}
	if sp := m.Spec(); sp.XTransforms[1].Kind != Log10 || sp.YNames[1] != "d" {
		t.Errorf("spec %+v", sp)
	}
	if h := m.History(); len(h) != 2 || !math.IsNaN(h[0].ValLoss) {
		t.Errorf("history %+v", h)
	}
	var want [][]float64
	b, err := os.ReadFile(expPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	s, err := m.Sample(context.Background(), obs, 5, rand.NewPCG(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range s {
		for k, v := range d.RawMatrix().Data {
			if w := want[i][k]; math.Abs(v-w) > 1e-5*math.Max(1, math.Abs(w)) {
				t.Errorf("observation %d value %d: %v, golden %v", i, k, v, w)
			}
		}
	}
}
