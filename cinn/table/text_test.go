package table

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// sameFloats compares with NaN equal to NaN.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !(a[i] == b[i] || math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func TestReadASCII(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name  string
		in    string
		names []string
		first []float64 // first numeric column
	}{
		{"cmd", "# CMD output\n# Zini MH logAge\n0.01 -0.1 7.0\n0.02 0.1 7.25\n#isochrone terminated\n", []string{"Zini", "MH", "logAge"}, []float64{0.01, 0.02}},
		{"repeated header", "# a b\n1 2\n# a b\n3 4\n", []string{"a", "b"}, []float64{1, 3}},
		{"pydol", "#      ph      mass\n0.000000   2.000000\n", []string{"ph", "mass"}, []float64{0}},
		{"mist", "# MIST\n# number of EEPs, cols =  2 2\n#   1   2\n# EEP  age\n  251  1.2E+010\n  252  1.2E+010\n", []string{"EEP", "age"}, []float64{251, 252}},
		{"hii", "#Cloudy\n# O/H: 6.9 - 9.1\n#\n12+log(O/H) \t log(N/O)\n6.9 \t -2.0\n7.0\t-1.5\r\n", []string{"12+log(O/H)", "log(N/O)"}, []float64{6.9, 7.0}},
		{"no comments", "1 2\n3 4\n", []string{"col0", "col1"}, []float64{1, 3}},
		{"missing and fortran", "# x y\nnan 1.5D+02\nNA -inf\n", []string{"x", "y"}, []float64{nan, nan}},
		{"duplicate names", "# x x\n1 2\n", []string{"x", "x_2"}, []float64{1}},
		{"header only", "# x y\n", []string{"x", "y"}, []float64{}},
		{"blank lines", "\n# x\n\n  \n5\n\n", []string{"x"}, []float64{5}},
	} {
		tb, err := ReadASCII(strings.NewReader(tc.in), tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := tb.AllNames(); !reflect.DeepEqual(got, tc.names) {
			t.Errorf("%s: names %q, want %q", tc.name, got, tc.names)
		}
		if got, _ := tb.Col(tc.names[0]); !sameFloats(got, tc.first) {
			t.Errorf("%s: first column %v, want %v", tc.name, got, tc.first)
		}
	}
	tb, _ := ReadASCII(strings.NewReader("# x y\nnan 1.5D+02\nNA -inf\n"), "f")
	if y, _ := tb.Col("y"); y[0] != 150 || !math.IsInf(y[1], -1) {
		t.Errorf("y = %v, want [150 -Inf]", y)
	}
}

func TestReadASCIIErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		sentinel error
		want     []string
	}{
		{"ragged", "# a b c\n1 2 3\n4 5\n", ErrRagged, []string{"ragged: line 3, row 2, byte 14:", "2 fields where the header names 3"}},
		{"non-numeric", "# a b\n1 2\n3 x4\n", ErrSyntax, []string{`non-numeric: line 3, row 2, column "b", byte 12:`, `"x4" is not a number`}},
		{"header mismatch", "# some comment here\n# a b c\n1 2\n", ErrHeader, []string{"line 3", "(line 2) names 3 columns", "has 2 fields"}},
		{"empty comment", "#\n#\n1 2\n", ErrHeader, []string{"no column names"}},
	} {
		_, err := ReadASCII(strings.NewReader(tc.in), tc.name)
		if !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.sentinel)
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != tc.name {
			t.Errorf("%s: %T %v is not a *ParseError naming the file", tc.name, err, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
}

func TestReadASCIILimit(t *testing.T) {
	in := "# a b\n" + strings.Repeat("1 2\n", 100)
	_, err := readASCII(strings.NewReader(in), "big", ReadOptions{MaxBytes: 8 * 100})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "line 52, row 51") {
		t.Errorf("error %v, want ErrTooLarge at row 51", err)
	}
}

func TestReadCSV(t *testing.T) {
	in := "\ufeffid, Gmag ,BP-RP,name,RV\n" +
		"1,17.2,2.35,\"Star, A\",\n" +
		"2,11.6,0.67,B,NA\n" +
		"3,nan,null,\"C \"\"q\"\"\",10.5\n"
	tb, err := ReadCSV(strings.NewReader(in), "cat.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.Names(); !reflect.DeepEqual(got, []string{"id", "Gmag", "BP-RP", "RV"}) {
		t.Errorf("Names = %q", got)
	}
	nan := math.NaN()
	for name, want := range map[string][]float64{
		"id": {1, 2, 3}, "Gmag": {17.2, 11.6, nan}, "BP-RP": {2.35, 0.67, nan}, "RV": {nan, nan, 10.5},
	} {
		if got, _ := tb.Col(name); !sameFloats(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got, _ := tb.Text("name"); !reflect.DeepEqual(got, []string{"Star, A", "B", `C "q"`}) {
		t.Errorf("name = %q", got)
	}

	tb, err = readDelimited(strings.NewReader("a\tb\nmag\tdex\n1\t2\n"), "u.tsv", '\t', ReadOptions{UnitsRow: true})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Unit("a") != "mag" || tb.Unit("b") != "dex" || tb.Len() != 1 {
		t.Errorf("units row: %v", tb)
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		sentinel error
		want     []string
	}{
		{"ragged.csv", "a,b\n1,2\n3\n", ErrRagged, []string{"line 3, row 2", "1 fields where the header names 2"}},
		{"cell.csv", "a,b\n1,2\n3,abc\n", ErrSyntax, []string{`line 3, row 2, column "b", byte 10`, `"abc" is not a number`}},
		{"quote.csv", "a,b\n1,\"2\n", ErrFormat, []string{"line 2", "check the quotes"}},
		{"empty.csv", "", ErrHeader, []string{"empty"}},
	} {
		_, err := ReadCSV(strings.NewReader(tc.in), tc.name)
		if !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.sentinel)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]string{
		"\x93NUMPY\x01\x00": FormatNPY,
		"PK\x03\x04":        FormatNPZ,
		"SIMPLE  =     T":   FormatFITS,
		"# a b\n1 2\n":      FormatASCII,
		"a,b\n1,2\n":        FormatCSV,
		"a\tb\n1\t2\n":      FormatTSV,
		"1 2\n":             FormatASCII,
	} {
		if got := sniff([]byte(in)); got != want {
			t.Errorf("sniff(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestReadOptionsColumns(t *testing.T) {
	path := writeTemp(t, "c.csv", []byte("a,b,c\n1,2,3\n"))
	tb, err := ReadFile(path, ReadOptions{Columns: []string{"c", "a"}})
	if err != nil || !reflect.DeepEqual(tb.AllNames(), []string{"c", "a"}) {
		t.Errorf("Columns c, a: %v %v", tb, err)
	}
	_, err = ReadFile(path, ReadOptions{Columns: []string{"d"}})
	wantErr(t, "absent column", err, ErrNoColumn, path, `no column "d"`, `columns: "a", "b", "c"`)
	fitsPath := writeTemp(t, "c.fits", fitsBytes(t, mustNew(t, []string{"a", "b"}, [][]float64{{1}, {2}})))
	tb, err = ReadFile(fitsPath, ReadOptions{Columns: []string{"b", "a"}})
	if err != nil || !reflect.DeepEqual(tb.AllNames(), []string{"b", "a"}) {
		t.Errorf("FITS Columns b, a: %v %v", tb, err)
	}
}

func TestUniqueNames(t *testing.T) {
	got := uniqueNames([]string{"x", "x", "x_2", "", "x", "y"})
	want := []string{"x", "x_2", "x_2_2", "col3", "x_3", "y"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("uniqueNames = %q, want %q", got, want)
	}
	// 10^5 equal names take linear, not quadratic, time.
	many := make([]string, 100000)
	for i := range many {
		many[i] = "a"
	}
	if got := uniqueNames(many); got[99999] != "a_100000" {
		t.Errorf("last of many = %q", got[99999])
	}
}

func TestReadECSV(t *testing.T) {
	// As astropy 8 writes it, plus a block-style column and a numeric-looking
	// string column.
	in := `# %ECSV 1.0
# ---
# datatype:
# - {name: a, unit: mag, datatype: float64}
# - {name: id, datatype: int64}
# - {name: s, datatype: string}
# - {name: b, unit: km / s, datatype: int64, description: 'hello, world'}
# - name: code
#   datatype: string
#   meta:
#     unit: not this
# - {name: ok, datatype: bool}
# delimiter: ','
# schema: astropy-2.0
a,id,s,b,code,ok
1.5,1152921504606846976,x y,1,007,True
nan,3,NA,,12,False
`
	tb, err := ReadECSV(strings.NewReader(in), "t.ecsv")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := tb.Col("a")
	b, _ := tb.Col("b")
	ok, _ := tb.Col("ok")
	id, exact := tb.Int64("id")
	s, _ := tb.Text("s")
	code, _ := tb.Text("code")
	if !sameFloats(a, []float64{1.5, math.NaN()}) || !sameFloats(b, []float64{1, math.NaN()}) || !sameFloats(ok, []float64{1, 0}) ||
		!exact || id[0] != 1<<60 || !reflect.DeepEqual(s, []string{"x y", "NA"}) || !reflect.DeepEqual(code, []string{"007", "12"}) {
		t.Errorf("ECSV: a=%v b=%v ok=%v id=%v (%v) s=%q code=%q", a, b, ok, id, exact, s, code)
	}
	if tb.Unit("a") != "mag" || tb.Unit("b") != "km / s" || tb.Unit("code") != "" {
		t.Errorf("ECSV units: %q %q %q", tb.Unit("a"), tb.Unit("b"), tb.Unit("code"))
	}
	_, err = ReadECSV(strings.NewReader("# %ECSV 1.0\n# ---\n# datatype:\n# - {name: a, datatype: float64}\n"), "h.ecsv")
	wantErr(t, "ECSV without names", err, ErrHeader, "h.ecsv", "line 5", "not followed by a line of column names")
	_, err = ReadECSV(strings.NewReader("# %ECSV 1.0\n# ---\n# datatype:\n# - {name: a, datatype: float64}\na\n1\nx\n"), "x.ecsv")
	wantErr(t, "ECSV bad cell", err, ErrSyntax, "x.ecsv", "line 7, row 2", `column "a"`)
	_, err = ReadECSV(strings.NewReader("a,b\n1,2\n"), "plain.csv")
	wantErr(t, "not ECSV", err, ErrHeader, "plain.csv", "not an ECSV file")
}
