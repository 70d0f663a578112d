package table

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustNew(t *testing.T, names []string, cols [][]float64) *Table {
	t.Helper()
	tb, err := New(names, cols)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		names []string
		cols  [][]float64
		want  string
	}{
		{[]string{"a", "a"}, [][]float64{{1}, {2}}, "appears twice"},
		{[]string{"a", ""}, [][]float64{{1}, {2}}, "empty column name"},
		{[]string{"a", "b"}, [][]float64{{1}, {2, 3}}, `column "b" has 2 rows, the table has 1`},
	} {
		_, err := New(tc.names, tc.cols)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%v): error %v, want one containing %q", tc.names, err, tc.want)
		}
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.HasPrefix(r.(string), "table: ") {
				t.Errorf("New with mismatched lengths: recovered %v, want a table: panic", r)
			}
		}()
		New([]string{"a"}, nil)
	}()
}

func TestColErrors(t *testing.T) {
	tb := mustNew(t, []string{"Gmag", "BP-RP"}, [][]float64{{1, 2}, {3, 4}})
	if err := tb.AddText("name", []string{"x", "y"}, ""); err != nil {
		t.Fatal(err)
	}
	_, err := tb.Col("gmag")
	if !errors.Is(err, ErrNoColumn) {
		t.Fatalf("Col(gmag): %v, want ErrNoColumn", err)
	}
	for _, want := range []string{`did you mean "Gmag"`, `"BP-RP"`, `"name"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Col error %q lacks %q", err, want)
		}
	}
	if _, err := tb.Col("name"); !errors.Is(err, ErrTextColumn) {
		t.Errorf("Col(text column): %v, want ErrTextColumn", err)
	}
	if _, err := tb.Text("Gmag"); !errors.Is(err, ErrTextColumn) {
		t.Errorf("Text(numeric column): %v, want ErrTextColumn", err)
	}
	if got := tb.Names(); !reflect.DeepEqual(got, []string{"Gmag", "BP-RP"}) {
		t.Errorf("Names = %v", got)
	}
	if got := tb.TextNames(); !reflect.DeepEqual(got, []string{"name"}) {
		t.Errorf("TextNames = %v", got)
	}
}

func TestSelectFilterRows(t *testing.T) {
	tb := mustNew(t, []string{"a", "b", "c"}, [][]float64{{1, 2, 3, 4}, {10, 20, 30, 40}, {5, 6, 7, 8}})
	tb.SetUnit("b", "mag")
	tb.AddText("s", []string{"w", "x", "y", "z"}, "")
	sel, err := tb.Select("c", "a", "s")
	if err != nil {
		t.Fatal(err)
	}
	if got := sel.AllNames(); !reflect.DeepEqual(got, []string{"c", "a", "s"}) {
		t.Errorf("Select names = %v", got)
	}
	c, _ := sel.Col("c")
	c[0] = 99
	if orig, _ := tb.Col("c"); orig[0] != 5 {
		t.Errorf("Select shares storage with the original")
	}
	if _, err := tb.Select("a", "zz"); !errors.Is(err, ErrNoColumn) {
		t.Errorf("Select(zz): %v", err)
	}
	f := tb.Filter(func(i int) bool { return i%2 == 1 })
	b, _ := f.Col("b")
	s, _ := f.Text("s")
	if !reflect.DeepEqual(b, []float64{20, 40}) || !reflect.DeepEqual(s, []string{"x", "z"}) || f.Unit("b") != "mag" {
		t.Errorf("Filter: b=%v s=%v unit=%q", b, s, f.Unit("b"))
	}
	r := tb.Rows([]int{3, 3, 0})
	a, _ := r.Col("a")
	if !reflect.DeepEqual(a, []float64{4, 4, 1}) || r.Len() != 3 {
		t.Errorf("Rows: a=%v len %d", a, r.Len())
	}
	d, err := tb.Drop("b", "s")
	if err != nil || !reflect.DeepEqual(d.AllNames(), []string{"a", "c"}) {
		t.Errorf("Drop: %v %v", d, err)
	}
	if h := tb.Head(2); h.Len() != 2 {
		t.Errorf("Head(2).Len = %d", h.Len())
	}
}

func TestSplit(t *testing.T) {
	const n = 1001
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i)
	}
	tb := mustNew(t, []string{"i"}, [][]float64{v})
	for _, tc := range []struct {
		fracs []float64
		sizes []int
	}{
		{[]float64{0.8, 0.1, 0.1}, []int{801, 100, 100}},
		{[]float64{0.5, 0.5}, []int{501, 500}},
		{[]float64{0.1}, []int{100}},
		{[]float64{1}, []int{1001}},
	} {
		parts, err := tb.Split(tc.fracs, rand.NewPCG(1, 2))
		if err != nil {
			t.Fatal(err)
		}
		var all []float64
		for k, p := range parts {
			if p.Len() != tc.sizes[k] {
				t.Errorf("Split(%v) part %d has %d rows, want %d", tc.fracs, k, p.Len(), tc.sizes[k])
			}
			c, _ := p.Col("i")
			all = append(all, c...)
		}
		slices.Sort(all)
		if len(all) != len(slices.Compact(all)) {
			t.Errorf("Split(%v): a row appears in two parts", tc.fracs)
		}
	}
	p1, _ := tb.Split([]float64{0.5, 0.5}, rand.NewPCG(7, 7))
	p2, _ := tb.Split([]float64{0.5, 0.5}, rand.NewPCG(7, 7))
	c1, _ := p1[1].Col("i")
	c2, _ := p2[1].Col("i")
	if !reflect.DeepEqual(c1, c2) {
		t.Errorf("Split is not reproducible from the seed")
	}
	p3, _ := tb.Split([]float64{0.5, 0.5}, rand.NewPCG(8, 7))
	c3, _ := p3[1].Col("i")
	if reflect.DeepEqual(c1, c3) {
		t.Errorf("Split ignores the seed")
	}
	for _, bad := range [][]float64{nil, {0.6, 0.6}, {-0.1, 0.5}, {math.NaN()}} {
		if _, err := tb.Split(bad, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("Split(%v): no error", bad)
		}
	}
}

func TestDerived(t *testing.T) {
	nan := math.NaN()
	tb := mustNew(t, []string{"BP", "RP", "Hb", "OIII"},
		[][]float64{{10, 11, nan}, {9, 10.5, 12}, {1, 0, 2}, {3, 2, -1}})
	tb.SetUnit("BP", "mag")
	tb.SetUnit("RP", "mag")
	if err := tb.AddDiff("", "BP", "RP"); err != nil {
		t.Fatal(err)
	}
	if err := tb.AddRatio("O3Hb", "OIII", "Hb"); err != nil {
		t.Fatal(err)
	}
	if err := tb.AddLog10("", "O3Hb"); err != nil {
		t.Fatal(err)
	}
	if err := tb.AddDiff("BP-RP", "BP", "RP"); err == nil {
		t.Errorf("AddDiff of an existing name: no error")
	}
	if err := tb.AddLog10("x", "nope"); !errors.Is(err, ErrNoColumn) {
		t.Errorf("AddLog10 of an absent column: %v", err)
	}
	eq := func(name string, want []float64) {
		got, err := tb.Col(name)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Errorf("%s = %v, want %v", name, got, want)
				return
			}
		}
	}
	eq("BP-RP", []float64{1, 0.5, nan})
	eq("O3Hb", []float64{3, nan, -0.5})
	eq("log10(O3Hb)", []float64{math.Log10(3), nan, nan})
	if tb.Unit("BP-RP") != "mag" || tb.Unit("log10(O3Hb)") != "dex" {
		t.Errorf("units: %q %q", tb.Unit("BP-RP"), tb.Unit("log10(O3Hb)"))
	}
	if n, _ := tb.Missing("log10(O3Hb)"); n != 2 {
		t.Errorf("Missing = %d, want 2", n)
	}
	clean, err := tb.DropMissing("BP-RP")
	if err != nil || clean.Len() != 2 {
		t.Errorf("DropMissing: %v rows, %v", clean.Len(), err)
	}
	if err := tb.AddFunc("sum", "", []string{"BP", "RP"}, func(v []float64) float64 { return v[0] + v[1] }); err != nil {
		t.Fatal(err)
	}
	eq("sum", []float64{19, 21.5, nan})
}

func TestMatrix(t *testing.T) {
	tb := mustNew(t, []string{"a", "b", "c"}, [][]float64{{1, 2}, {3, math.Inf(1)}, {5, math.NaN()}})
	m, err := tb.Matrix("a")
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 2 || c != 1 || m.At(1, 0) != 2 {
		t.Errorf("Matrix(a) = %v", m)
	}
	_, err = tb.Matrix("a", "b")
	var ve *ValueError
	if !errors.As(err, &ve) || !errors.Is(err, ErrNotFinite) || ve.Col != "b" || ve.Row != 1 {
		t.Errorf("Matrix with Inf: %v", err)
	}
	if _, err = tb.Matrix(); !errors.Is(err, ErrNotFinite) {
		t.Errorf("Matrix(): %v", err)
	}
	if _, err = tb.Matrix("c"); !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), `"c", row 1`) {
		t.Errorf("Matrix with NaN: %v", err)
	}
	back, err := NewFromMatrix([]string{"x"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := back.Col("x"); !reflect.DeepEqual(x, []float64{1, 2}) {
		t.Errorf("NewFromMatrix: %v", x)
	}
}

func TestDescribeRename(t *testing.T) {
	tb := mustNew(t, []string{"a"}, [][]float64{{3, math.NaN(), -1}})
	s := tb.Describe()[0]
	if s.Count != 2 || s.Missing != 1 || s.Min != -1 || s.Max != 3 || s.Mean != 1 {
		t.Errorf("Describe = %+v", s)
	}
	if err := tb.Rename("a", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Col("b"); err != nil || tb.Has("a") {
		t.Errorf("Rename: %v", err)
	}
}

func TestConcat(t *testing.T) {
	a := mustNew(t, []string{"x", "y"}, [][]float64{{1, 2}, {3, 4}})
	a.SetUnit("x", "mag")
	a.AddText("s", []string{"p", "q"}, "")
	b := &Table{}
	b.AddText("s", []string{"r"}, "")
	b.AddColumn("y", []float64{5}, "")
	b.AddColumn("x", []float64{6}, "")
	c, err := Concat(a, b)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := c.Col("x")
	s, _ := c.Text("s")
	if !reflect.DeepEqual(c.AllNames(), []string{"x", "y", "s"}) || !reflect.DeepEqual(x, []float64{1, 2, 6}) ||
		!reflect.DeepEqual(s, []string{"p", "q", "r"}) || c.Unit("x") != "mag" || c.Len() != 3 {
		t.Errorf("Concat = %v x=%v s=%v", c, x, s)
	}
	ia, ib := &Table{}, &Table{}
	ia.AddInt64("id", []int64{1 << 60}, "")
	ib.AddInt64("id", []int64{-1}, "")
	ic, _ := Concat(ia, ib)
	if ids, ok := ic.Int64("id"); !ok || ids[0] != 1<<60 || ids[1] != -1 {
		t.Errorf("Concat of exact integers: %v %v", ids, ok)
	}
	d := mustNew(t, []string{"x"}, [][]float64{{1}})
	if _, err := Concat(a, d); err == nil {
		t.Errorf("Concat of different columns: no error")
	}
	e := mustNew(t, []string{"x", "y", "s"}, [][]float64{{1}, {1}, {1}})
	if _, err := Concat(a, e); err == nil || !strings.Contains(err.Error(), `column "s" is text`) {
		t.Errorf("Concat of text and numeric: %v", err)
	}
	if empty, err := Concat(); err != nil || empty.Len() != 0 {
		t.Errorf("Concat() = %v, %v", empty, err)
	}
}
