// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/cinn/batch"
)

// python returns the Python interpreter with numpy, pandas and astropy
// ($GOCINN_PYTHON, else $GOCINN_VENV/bin/python, else the project's .venv).
// Without one the test is skipped, except under CI=true, where it fails.
func python(t *testing.T) string {
	t.Helper()
	py := os.Getenv("GOCINN_PYTHON")
	if venv := os.Getenv("GOCINN_VENV"); py == "" && venv != "" {
		py = filepath.Join(venv, "bin", "python")
	}
	if py == "" {
		py = filepath.Join("..", "..", ".venv", "bin", "python")
	}
	if out, err := exec.Command(py, "-c", "import numpy, pandas, astropy").CombinedOutput(); err != nil {
		msg := "no Python with numpy, pandas and astropy at " + py + " (" + strings.TrimSpace(err.Error()+" "+string(out)) + "); set GOCINN_PYTHON"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return py
}

type pyColumn struct {
	Kind   string   `json:"kind"`
	Dtype  string   `json:"dtype"`
	Values []string `json:"values"`
}

// TestPythonReadsMerged merges a sharded run into .csv, .fits and .npz and
// checks that pandas, astropy and numpy read every value exactly, the
// 64-bit source_id included.
func TestPythonReadsMerged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Python; skipped with -short")
	}
	py := python(t)
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 150, [3]string{"f1", "f2", "f3"})
	out := filepath.Join(dir, "out")
	runAll(t, batch.Job{Model: model, Input: cat, OutDir: out, Draws: 50, Seed: 2, SummaryOnly: true, Keep: []string{"source_id", "name"}}, 3)
	files := map[string]string{}
	for _, ext := range []string{"csv", "fits", "npz"} {
		files[ext] = filepath.Join(dir, "merged."+ext)
		if _, err := batch.Merge(context.Background(), out, files[ext]); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(py, filepath.Join("testdata", "read_merged.py"), files["csv"], files["fits"], files["npz"])
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("read_merged.py: %v\n%s", err, stderr.String())
	}
	var got struct {
		Pandas, Astropy, Numpy map[string]pyColumn
		Order                  map[string][]string
	}
	must(t, json.Unmarshal(b, &got))

	want := readTable(t, files["csv"])
	for reader, cols := range map[string]map[string]pyColumn{"pandas": got.Pandas, "astropy": got.Astropy, "numpy": got.Numpy} {
		if !slices.Equal(got.Order[reader], want.AllNames()) {
			t.Errorf("%s reads columns %v, want %v", reader, got.Order[reader], want.AllNames())
		}
		ids, _ := want.Int64("source_id")
		if c := cols["source_id"]; c.Kind != "i" || c.Values[149] != strconv.FormatInt(ids[149], 10) {
			t.Errorf("%s reads source_id as %s %v…, want int64 %d", reader, c.Dtype, c.Values[149], ids[149])
		}
		names, _ := want.Text("name")
		if c := cols["name"]; c.Kind != "s" || c.Values[3] != names[3] {
			t.Errorf("%s reads name[3] as %s %q, want %q", reader, c.Dtype, c.Values[3], names[3])
		}
		if c := cols["status"]; c.Kind != "i" || c.Values[5] != "1" || c.Values[77] != "2" || c.Values[0] != "0" {
			t.Errorf("%s reads status as %s %v", reader, c.Dtype, c.Values[:8])
		}
		for _, name := range want.Names() {
			if name == "source_id" || name == "status" || name == "row" {
				continue
			}
			v, _ := want.Col(name)
			c := cols[name]
			if c.Kind != "f" || len(c.Values) != len(v) {
				t.Errorf("%s reads %s as %s with %d values, want float64 × %d", reader, name, c.Dtype, len(c.Values), len(v))
				continue
			}
			for i, s := range c.Values {
				f, err := strconv.ParseFloat(s, 64)
				if s == "nan" {
					f, err = math.NaN(), nil
				}
				if err != nil || !(f == v[i] || math.IsNaN(f) && math.IsNaN(v[i])) {
					t.Errorf("%s reads %s[%d] = %s, want %v", reader, name, i, s, v[i])
					break
				}
			}
		}
	}
	// And the three files agree with each other in Go.
	for _, ext := range []string{"fits", "npz"} {
		other := readTable(t, files[ext])
		for _, name := range want.Names() {
			a, _ := want.Col(name)
			b, _ := other.Col(name)
			if !slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }) {
				t.Errorf("merged .csv and .%s differ in %s", ext, name)
			}
		}
	}
}
