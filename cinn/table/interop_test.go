package table

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// python returns the Python interpreter with numpy, pandas and astropy
// ($GOCINN_PYTHON, else $GOCINN_VENV/bin/python, else the project's
// .venv). When there is none the test is skipped, except under CI=true,
// where it fails: mixed Python/Go sessions must be proven there.
func python(t *testing.T) string {
	t.Helper()
	pythonOnce.Do(func() {
		pythonPath = os.Getenv("GOCINN_PYTHON")
		if venv := os.Getenv("GOCINN_VENV"); pythonPath == "" && venv != "" {
			pythonPath = filepath.Join(venv, "bin", "python") // as scripts/test.sh
		}
		if pythonPath == "" {
			pythonPath = filepath.Join("..", "..", ".venv", "bin", "python")
		}
		out, err := exec.Command(pythonPath, "-c", "import numpy, pandas, astropy").CombinedOutput()
		if err != nil {
			pythonErr = "no Python with numpy, pandas and astropy at " + pythonPath + " (" + strings.TrimSpace(err.Error()+" "+string(out)) +
				"); create the venv (python -m venv .venv && .venv/bin/pip install numpy pandas astropy) or set GOCINN_PYTHON"
		}
	})
	if pythonErr != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(pythonErr)
		}
		t.Skip(pythonErr)
	}
	return pythonPath
}

var (
	pythonOnce sync.Once
	pythonPath string
	pythonErr  string
)

// pyColumn is one column as interop.py encodes it.
type pyColumn struct {
	Kind   string   `json:"kind"` // f (floats as float.hex), i (integers), s (strings)
	Values []string `json:"values"`
	Unit   *string  `json:"unit"`
	Dtype  string   `json:"dtype"`
}

func runPython(t *testing.T, py string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", "interop.py")}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("interop.py %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// checkColumn compares a column of tb with what Python saw or wrote.
func checkColumn(t *testing.T, where string, tb *Table, name string, want pyColumn) {
	t.Helper()
	switch want.Kind {
	case "s":
		got, err := tb.Text(name)
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		if strings.Join(got, "\x00") != strings.Join(want.Values, "\x00") {
			t.Errorf("%s: column %s = %q, want %q", where, name, got, want.Values)
		}
	case "i":
		got, err := tb.Col(name)
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		exact, ok := tb.Int64(name)
		for i, s := range want.Values {
			w, err := strconv.ParseInt(s, 10, 64)
			if err != nil { // beyond int64: compare as float
				u, _ := strconv.ParseUint(s, 10, 64)
				if got[i] != float64(u) {
					t.Errorf("%s: %s[%d] = %v, want %s", where, name, i, got[i], s)
				}
				continue
			}
			if ok && exact[i] != w || !ok && got[i] != float64(w) {
				t.Errorf("%s: %s[%d] = %v (exact %v: %v), want %d", where, name, i, got[i], ok, exact, w)
				return
			}
			if !ok && (w > 1<<53 || w < -1<<53) {
				t.Errorf("%s: %s[%d] = %d is beyond 2^53 but the column has no exact integers", where, name, i, w)
			}
		}
	case "f":
		got, err := tb.Col(name)
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		if len(got) != len(want.Values) {
			t.Errorf("%s: %s has %d values, want %d", where, name, len(got), len(want.Values))
			return
		}
		for i, s := range want.Values {
			w, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: bad float %q from Python", where, s)
			}
			if !sameBits(got[i], w) {
				t.Errorf("%s: %s[%d] = %v, want %v (%s)", where, name, i, got[i], w, s)
			}
		}
	default:
		t.Errorf("%s: unknown kind %q", where, want.Kind)
	}
	if want.Unit != nil && tb.Unit(name) != *want.Unit {
		t.Errorf("%s: %s has unit %q, want %q", where, name, tb.Unit(name), *want.Unit)
	}
}

// interopTable is the table Go writes for Python to read: awkward floats
// (negative zero, the smallest denormal, the largest magnitudes, NaN and
// infinities), 64-bit integers beyond 2^53, text needing quotes.
func interopTable(t *testing.T) *Table {
	x := []float64{0.1, 1.0 / 3, math.Copysign(0, -1), 5e-324, 1e308, math.NaN(), math.Inf(1), -2.5}
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8e-300}
	tb := mustNew(t, []string{"x", "y"}, [][]float64{x, y})
	tb.SetUnit("x", "mag")
	tb.SetUnit("y", "km / s")
	if err := tb.AddInt64("id", []int64{-(1 << 62) - 1, 1<<53 + 1, 635860218726658176, 0, -1, 7, 8, 1<<63 - 1}, ""); err != nil {
		t.Fatal(err)
	}
	if err := tb.AddText("name", []string{"", "Star, A", `say "hi"`, " lead", "tab\there", "x", "y", "12345678901"}, ""); err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestInteropPythonReadsGo(t *testing.T) {
	t.Parallel()
	py := python(t)
	dir := t.TempDir()
	tb := interopTable(t)
	uni := tb.Head(tb.Len())
	if err := uni.AddText("unicode", []string{"αCen", "ü", "", "a", "b", "c", "d", "€"}, ""); err != nil {
		t.Fatal(err)
	}
	numeric, _ := tb.Select("x", "y")
	// astropy's ECSV reader strips spaces around strings and reads an
	// empty string as masked: leave those out of the ECSV file.
	ecsvTab := uni.Head(uni.Len())
	for _, name := range ecsvTab.TextNames() {
		s, _ := ecsvTab.Text(name)
		for i := range s {
			if s[i] = strings.TrimSpace(s[i]); s[i] == "" {
				s[i] = "-"
			}
		}
	}
	for file, tab := range map[string]*Table{"go.csv": uni, "go.tsv": tb, "go.npy": numeric, "go.npz": uni, "go.fits": tb, "go.ecsv": ecsvTab} {
		if err := WriteFile(filepath.Join(dir, file), tab); err != nil {
			t.Fatal(err)
		}
	}
	var got map[string]map[string]json.RawMessage
	if err := json.Unmarshal(runPython(t, py, "read", dir), &got); err != nil {
		t.Fatal(err)
	}
	col := func(file, name string) pyColumn {
		var c pyColumn
		raw, ok := got[file][name]
		if !ok {
			t.Fatalf("%s: Python sees no column %q", file, name)
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, file := range []string{"go.csv", "go.tsv", "go.npz", "go.fits", "go.ecsv"} {
		src := tb
		switch file {
		case "go.csv", "go.npz":
			src = uni
		case "go.ecsv":
			src = ecsvTab
		}
		for _, name := range src.AllNames() {
			c := col(file, name)
			if file != "go.fits" && file != "go.ecsv" {
				c.Unit = nil
			}
			checkColumn(t, "Python reading "+file, src, name, c)
		}
	}
	if g := strings.ReplaceAll(string(got["go.npy"]["shape"])+string(got["go.npy"]["dtype"]), " ", ""); g != `[8,2]"<f8"` {
		t.Errorf("go.npy: Python sees shape and dtype %s", g)
	}
	checkColumn(t, "Python reading go.npy", numeric, "x", col("go.npy", "col0"))
	checkColumn(t, "Python reading go.npy", numeric, "y", col("go.npy", "col1"))
	for name, want := range map[string]string{"x": "<f8", "id": "<i8", "name": "<U11", "unicode": "<U4"} {
		if c := col("go.npz", name); c.Dtype != want {
			t.Errorf("go.npz: %s has dtype %s, want %s", name, c.Dtype, want)
		}
	}
	for name, want := range map[string]string{"x": ">f8", "id": ">i8"} {
		if c := col("go.fits", name); c.Dtype != want {
			t.Errorf("go.fits: %s has dtype %s, want %s", name, c.Dtype, want)
		}
	}
	for name, want := range map[string]string{"x": "<f8", "id": "<i8"} {
		if c := col("go.ecsv", name); c.Dtype != want {
			t.Errorf("go.ecsv: %s has dtype %s, want %s", name, c.Dtype, want)
		}
	}
	if n := string(got["go.fits"]["_hdus"]); n != "2" {
		t.Errorf("go.fits: astropy sees %s HDUs, want 2", n)
	}
}

func TestInteropGoReadsPython(t *testing.T) {
	t.Parallel()
	py := python(t)
	dir := t.TempDir()
	runPython(t, py, "write", dir)
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]map[string]pyColumn
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) < 15 {
		t.Fatalf("interop.py wrote only %d files", len(want))
	}
	for key, cols := range want {
		file, hdu := key, 0
		if i := strings.IndexByte(key, '#'); i >= 0 {
			file = key[:i]
			hdu, _ = strconv.Atoi(key[i+1:])
		}
		tb, err := ReadFile(filepath.Join(dir, file), ReadOptions{HDU: hdu})
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		if len(tb.AllNames()) != len(cols) {
			t.Errorf("%s: Go reads columns %q, Python wrote %d", key, tb.AllNames(), len(cols))
		}
		for name, c := range cols {
			checkColumn(t, "Go reading "+key, tb, name, c)
		}
	}
}
