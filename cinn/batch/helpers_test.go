// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch_test

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/table"
)

// simulate is the toy forward model of the tests: two parameters, three
// observables, the third positive (it has a Log10 transform in the model).
func simulate(r *rand.Rand, rows int) (x, y *mat.Dense) {
	x = mat.NewDense(rows, 2, nil)
	y = mat.NewDense(rows, 3, nil)
	for i := 0; i < rows; i++ {
		a, b := r.NormFloat64(), r.NormFloat64()
		x.Set(i, 0, a)
		x.Set(i, 1, b)
		y.Set(i, 0, a+b+0.1*r.NormFloat64())
		y.Set(i, 1, a-b+0.1*r.NormFloat64())
		y.Set(i, 2, math.Exp(0.5*a)*(1+0.05*r.Float64()))
	}
	return x, y
}

var (
	modelOnce sync.Once
	modelDir  string
	modelErr  error
)

// testModel returns the path of a tiny trained model (2 blocks, one hidden
// layer of 16), trained once per test binary.
func testModel(t testing.TB) string {
	t.Helper()
	modelOnce.Do(func() {
		modelDir, modelErr = os.MkdirTemp("", "batchtest")
		if modelErr != nil {
			return
		}
		var m *cinn.Model
		m, modelErr = cinn.NewModel(cinn.Config{DimX: 2, DimY: 3, Blocks: 2, Hidden: 16, Layers: 1, Seed: 1}, cinn.Spec{
			XNames:      []string{"age", "mass"},
			YNames:      []string{"f1", "f2", "f3"},
			XTransforms: []cinn.Transform{{}, {}},
			YTransforms: []cinn.Transform{{}, {}, {Kind: cinn.Log10}},
		})
		if modelErr != nil {
			return
		}
		x, y := simulate(rand.New(rand.NewPCG(1, 2)), 512)
		if _, modelErr = m.Train(context.Background(), x, y, nil, nil, cinn.TrainSettings{Epochs: 2, BatchSize: 128, Seed: 3}); modelErr != nil {
			return
		}
		modelErr = m.Save(filepath.Join(modelDir, "toy.cinn"))
	})
	if modelErr != nil {
		t.Fatalf("building the test model: %v", modelErr)
	}
	return filepath.Join(modelDir, "toy.cinn")
}

// Rows of the test catalogues with bad input.
const (
	nanRow     = 5  // f1 missing
	invalidRow = 77 // f3 negative, outside Log10's domain
)

// writeCatalogue writes a catalogue of rows stars to path: a source_id
// beyond 2^53, a text name, the observables under the given column names
// and an unused column.
func writeCatalogue(t testing.TB, path string, rows int, cols [3]string) {
	t.Helper()
	_, y := simulate(rand.New(rand.NewPCG(7, 8)), rows)
	tb := new(table.Table)
	ids := make([]int64, rows)
	nm := make([]string, rows)
	for i := range ids {
		ids[i] = 4295128739000000000 + int64(i)*1000003
		nm[i] = "star" + string(rune('a'+i%26))
	}
	must(t, tb.AddInt64("source_id", ids, ""))
	must(t, tb.AddText("name", nm, ""))
	for j, c := range cols {
		v := mat.Col(nil, j, y)
		if rows > invalidRow {
			switch j {
			case 0:
				v[nanRow] = math.NaN()
			case 2:
				v[invalidRow] = -1
			}
		}
		must(t, tb.AddColumn(c, v, ""))
	}
	must(t, tb.AddColumn("unused", make([]float64, rows), ""))
	must(t, table.WriteFile(path, tb))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMain removes the model and the binary the tests built once.
func TestMain(m *testing.M) {
	code := m.Run()
	if modelDir != "" {
		os.RemoveAll(modelDir)
	}
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
