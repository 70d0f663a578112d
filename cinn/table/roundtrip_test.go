package table

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// sameTable reports the first difference between two tables: names, kinds,
// values bit for bit (NaN equal to NaN), exact integers and, if units is
// set, units.
func sameTable(t *testing.T, what string, got, want *Table, units bool) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Errorf("%s: %d rows, want %d", what, got.Len(), want.Len())
		return
	}
	for _, name := range want.AllNames() {
		wc, _ := want.lookup(name)
		gc, err := got.lookup(name)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if gc.isText() != wc.isText() {
			t.Errorf("%s: column %s: text %v, want %v", what, name, gc.isText(), wc.isText())
			continue
		}
		if units && gc.unit != wc.unit {
			t.Errorf("%s: column %s: unit %q, want %q", what, name, gc.unit, wc.unit)
		}
		for i := 0; i < want.Len(); i++ {
			if wc.isText() {
				if gc.text[i] != wc.text[i] {
					t.Errorf("%s: %s[%d] = %q, want %q", what, name, i, gc.text[i], wc.text[i])
				}
				continue
			}
			if !sameBits(gc.num[i], wc.num[i]) {
				t.Errorf("%s: %s[%d] = %v, want %v", what, name, i, gc.num[i], wc.num[i])
			}
		}
		wi, wok := wc.exactInts()
		gi, gok := gc.exactInts()
		if wok && !gok {
			t.Errorf("%s: column %s: exact integers %v, want %v", what, name, gok, wok)
		} else if wok {
			for i := range wi {
				if gi[i] != wi[i] {
					t.Errorf("%s: %s[%d] = %d, want %d", what, name, i, gi[i], wi[i])
				}
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	tb := interopTable(t)
	numeric, _ := tb.Select("x", "y")
	dir := t.TempDir()
	for _, tc := range []struct {
		file  string
		tab   *Table
		units bool
	}{
		{"a.csv", tb, false},
		{"a.tsv", tb, false},
		{"a.npz", tb, false},
		{"a.fits", tb, true},
	} {
		path := filepath.Join(dir, tc.file)
		if err := WriteFile(path, tc.tab); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(path, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameTable(t, tc.file, got, tc.tab, tc.units)
	}
	path := filepath.Join(dir, "a.npy")
	if err := WriteFile(path, numeric); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got.Rename("col0", "x")
	got.Rename("col1", "y")
	sameTable(t, "a.npy", got, numeric, false)
	if err := WriteFile(path, tb); err == nil {
		t.Errorf("WriteFile(.npy) of a table with text columns: no error")
	}
	if err := WriteFile(filepath.Join(dir, "a.dat"), tb); err == nil {
		t.Errorf("WriteFile(.dat): no error")
	}
}

func TestWriteEdgeCases(t *testing.T) {
	// One column with a missing value: the CSV line must not be blank.
	one := mustNew(t, []string{"a"}, [][]float64{{1, math.NaN(), 3}})
	var b bytes.Buffer
	WriteCSV(&b, one)
	if b.String() != "a\n1\n\"\"\n3\n" {
		t.Errorf("one-column CSV = %q", b.String())
	}
	got, err := ReadCSV(&b, "one.csv")
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, "one-column CSV", got, one, false)
	// An empty table (no rows) round-trips through every format.
	empty := mustNew(t, []string{"a", "b"}, [][]float64{{}, {}})
	dir := t.TempDir()
	for _, f := range []string{"e.csv", "e.npz", "e.fits", "e.npy"} {
		path := filepath.Join(dir, f)
		if err := WriteFile(path, empty); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(path, ReadOptions{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got.Len() != 0 || len(got.Names()) != 2 {
			t.Errorf("%s: %v", f, got)
		}
	}
	// FITS refuses more than 999 columns.
	wide := &Table{}
	for i := 0; i < 1000; i++ {
		wide.AddColumn(fmt.Sprint("c", i), []float64{1}, "")
	}
	if err := WriteFITS(&b, wide); err == nil || !strings.Contains(err.Error(), "at most 999 columns") {
		t.Errorf("WriteFITS of 1000 columns: %v", err)
	}
	// FITS refuses names it cannot hold.
	bad := mustNew(t, []string{"Hβ"}, [][]float64{{1}})
	if err := WriteFITS(&b, bad); err == nil {
		t.Errorf("WriteFITS with a non-ASCII name: no error")
	}
}

func TestGzip(t *testing.T) {
	dir := t.TempDir()
	tb := mustNew(t, []string{"a"}, [][]float64{{1, 2}})
	var b bytes.Buffer
	WriteCSV(&b, tb)
	var z bytes.Buffer
	zw := newGzip(&z)
	zw.Write(b.Bytes())
	zw.Close()
	path := writeTemp(t, "t.csv.gz", z.Bytes())
	_ = dir
	got, err := ReadFile(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, "csv.gz", got, tb, false)
}

func TestReadStreams(t *testing.T) {
	tb := interopTable(t)
	// CRLF line ends.
	got, err := ReadCSV(strings.NewReader("a,b\r\n1,2\r\n3,4\r\n"), "crlf.csv")
	if b, _ := got.Col("b"); err != nil || !sameFloats(b, []float64{2, 4}) {
		t.Errorf("CRLF CSV: %v %v", b, err)
	}
	got, err = ReadASCII(strings.NewReader("# a b\r\n1 2\r\n"), "crlf.dat")
	if b, _ := got.Col("b"); err != nil || !sameFloats(b, []float64{2}) {
		t.Errorf("CRLF ASCII: %v %v", b, err)
	}
	// .npz and .fits from a stream that is not an io.ReaderAt, by name.
	for _, name := range []string{"s.npz", "s.fits"} {
		var b bytes.Buffer
		if name == "s.npz" {
			WriteNPZ(&b, tb)
		} else {
			WriteFITS(&b, tb)
		}
		got, err := Read(io.MultiReader(&b), name, ReadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameTable(t, name, got, tb, name == "s.fits")
	}
	// .fits.gz
	var b, z bytes.Buffer
	WriteFITS(&b, tb)
	zw := newGzip(&z)
	zw.Write(b.Bytes())
	zw.Close()
	got, err = ReadFile(writeTemp(t, "t.fits.gz", z.Bytes()), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, "fits.gz", got, tb, true)
	// Sniffing when the extension says nothing.
	got, err = ReadFile(writeTemp(t, "table.bin", b.Bytes()), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, "sniffed FITS", got, tb, true)
}
