package table

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rowsTable is a table of n rows with float, integer and text columns.
func rowsTable(t *testing.T, n int, text bool) *Table {
	t.Helper()
	x, y := make([]float64, n), make([]float64, n)
	id := make([]int64, n)
	s := make([]string, n)
	for i := range n {
		x[i], y[i] = float64(i)+0.25, -math.Sqrt(float64(i))
		id[i] = 1<<60 + int64(i)
		s[i] = fmt.Sprintf("star%d", i)
	}
	tb := mustNew(t, []string{"x", "y"}, [][]float64{x, y})
	if err := tb.AddInt64("id", id, ""); err != nil {
		t.Fatal(err)
	}
	if text {
		if err := tb.AddText("name", s, ""); err != nil {
			t.Fatal(err)
		}
	}
	return tb
}

func span(lo, hi int) []int {
	idx := make([]int, hi-lo)
	for i := range idx {
		idx[i] = lo + i
	}
	return idx
}

// asciiFile writes tb as a whitespace-separated ASCII table (which
// WriteFile does not write) with its names in a '#' line, and returns its
// path.
func asciiFile(t *testing.T, dir string, tb *Table) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# a table\n# " + strings.Join(tb.Names(), " ") + "\n")
	for i := range tb.Len() {
		for j, c := range tb.Names() {
			if j > 0 {
				b.WriteString(" ")
			}
			if v, ok := tb.Int64(c); ok {
				fmt.Fprint(&b, v[i])
			} else if v, err := tb.Col(c); err == nil {
				fmt.Fprint(&b, v[i])
			} else {
				s, _ := tb.Text(c)
				b.WriteString(s[i])
			}
		}
		b.WriteString("\n")
	}
	path := filepath.Join(dir, "t.dat")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fortranNPY writes the columns of tb as a Fortran-ordered 2-D float64
// array.
func fortranNPY(tb *Table) []byte {
	names := tb.Names()
	hdr := npyHeaderBytes("'<f8'", []int{tb.Len(), len(names)})
	hdr = bytes.Replace(hdr, []byte("'fortran_order': False"), []byte("'fortran_order': True "), 1)
	for _, c := range names {
		v, _ := tb.Col(c)
		for _, f := range v {
			hdr = binary.LittleEndian.AppendUint64(hdr, math.Float64bits(f))
		}
	}
	return hdr
}

// structuredNPY writes x as float64 and id as int64 fields of a 1-D
// structured array.
func structuredNPY(tb *Table) []byte {
	b := npyHeaderBytes("[('x', '<f8'), ('id', '<i8')]", []int{tb.Len()})
	x, _ := tb.Col("x")
	id, _ := tb.Int64("id")
	for i := range x {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x[i]))
		b = binary.LittleEndian.AppendUint64(b, uint64(id[i]))
	}
	return b
}

func TestReadRows(t *testing.T) {
	const n = 5000 // more than a 64 KiB buffer of binary rows: ranges seek
	dir := t.TempDir()
	tb := rowsTable(t, n, true)
	num := rowsTable(t, n, false)
	var files []string
	for _, name := range []string{"t.csv", "t.tsv", "t.ecsv", "t.npy", "t.npz", "t.fits", "u.csv.gz", "u.npy.gz", "u.fits.gz", "num.npy", "num.npz"} {
		src := tb
		if strings.Contains(name, ".npy") || strings.HasPrefix(name, "num") {
			src = num // a plain 2-D array
		}
		path := filepath.Join(dir, name)
		plain := strings.TrimSuffix(path, ".gz")
		if err := WriteFile(plain, src); err != nil {
			t.Fatal(err)
		}
		if plain != path {
			raw, err := os.ReadFile(plain)
			if err != nil {
				t.Fatal(err)
			}
			var z bytes.Buffer
			zw := newGzip(&z)
			zw.Write(raw)
			zw.Close()
			if err := os.WriteFile(path, z.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		files = append(files, path)
	}
	fortran := filepath.Join(dir, "fortran.npy")
	if err := os.WriteFile(fortran, fortranNPY(num.Head(n)), 0o644); err != nil {
		t.Fatal(err)
	}
	structured := filepath.Join(dir, "structured.npy")
	if err := os.WriteFile(structured, structuredNPY(num), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, fortran, structured, asciiFile(t, dir, tb))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, path := range files {
		whole, err := ReadFile(path, ReadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if whole.Len() != n {
			t.Fatalf("%s: %d rows, want %d", path, whole.Len(), n)
		}
		for _, r := range [][2]int{{0, n}, {0, 0}, {n, n}, {0, 1}, {7, 19}, {n - 1, n}, {13, n}} {
			for _, withCtx := range []bool{false, true} {
				what := fmt.Sprintf("%s rows [%d, %d) (context %v)", filepath.Base(path), r[0], r[1], withCtx)
				calls, total := 0, -1
				opts := ReadOptions{Rows: func(t int) (int, int) { calls++; total = t; return r[0], r[1] }}
				c := context.Background()
				if withCtx {
					c = ctx // a file read through ctxFile, which seeks too
				}
				got, err := ReadFileContext(c, path, opts)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if calls != 1 || total != n {
					t.Errorf("%s: Rows called %d times with total %d, want once with %d", what, calls, total, n)
				}
				want := whole.Rows(span(r[0], r[1]))
				sameTable(t, what, got, want, false)
				for _, c := range got.Names() {
					gi, gok := got.Int64(c)
					wi, _ := want.Int64(c)
					if gok && !slices.Equal(gi, wi) {
						t.Errorf("%s: column %s's exact integers %v, want %v", what, c, gi, wi)
					}
				}
			}
		}
		// A range outside the table is an error that says so.
		_, err = ReadFile(path, ReadOptions{Rows: func(int) (int, int) { return 10, n + 1 }})
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), fmt.Sprintf("[10, %d) is not within the table's %d rows", n+1, n)) {
			t.Errorf("%s with rows past the end: %v", filepath.Base(path), err)
		}
	}
}

// A shard of a catalogue larger than the memory limit is read, binary or
// text; the whole file is refused, and so is a text stream, which Read
// cannot read twice.
func TestReadRowsMemoryLimit(t *testing.T) {
	const n = 4000
	dir := t.TempDir()
	tb := rowsTable(t, n, false)
	limit := int64(n * 3 * 8 / 4) // a quarter of the table's cells
	for _, name := range []string{"big.npy", "big.fits", "big.csv", "big.ecsv", "big-fits.bin"} {
		path := filepath.Join(dir, name)
		if strings.HasSuffix(name, ".bin") { // a FITS file whose format is sniffed
			if err := WriteFile(filepath.Join(dir, "src.fits"), tb); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(dir, "src.fits"), path); err != nil {
				t.Fatal(err)
			}
		} else if err := WriteFile(path, tb); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadFile(path, ReadOptions{MaxBytes: limit}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s whole under a %d-byte limit: %v, want ErrTooLarge", name, limit, err)
		}
		rows := func(total int) (int, int) { return total - 100, total }
		got, err := ReadFile(path, ReadOptions{MaxBytes: limit, Rows: rows})
		if name == "big.csv" {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Read(bytes.NewReader(raw), name, ReadOptions{MaxBytes: limit, Rows: rows}); !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s as a stream: read whole, so all its cells count: %v, want ErrTooLarge", name, err)
			}
		}
		if err != nil {
			t.Fatalf("%s rows [%d, %d) under a %d-byte limit: %v", name, n-100, n, limit, err)
		}
		whole, err := ReadFile(path, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameTable(t, name, got, whole.Rows(span(n-100, n)), false)
		// The limit applies to the range.
		all := func(total int) (int, int) { return 0, total }
		if _, err := ReadFile(path, ReadOptions{MaxBytes: limit, Rows: all}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: all rows under a %d-byte limit: %v, want ErrTooLarge", name, limit, err)
		}
	}
}

// The arrays of an .npz must still have equal lengths when a range is read.
func TestReadRowsNPZRagged(t *testing.T) {
	var b bytes.Buffer
	a := mustNew(t, []string{"a"}, [][]float64{{1, 2, 3, 4}})
	if err := WriteNPZ(&b, a); err != nil {
		t.Fatal(err)
	}
	// Two members of different lengths: a second archive's member under
	// another name.
	var b2 bytes.Buffer
	if err := WriteNPZ(&b2, mustNew(t, []string{"b"}, [][]float64{{1, 2, 3}})); err != nil {
		t.Fatal(err)
	}
	ragged := mergeNPZ(t, b.Bytes(), b2.Bytes())
	for _, rows := range []func(int) (int, int){nil, func(int) (int, int) { return 0, 2 }} {
		_, err := ReadNPZ(bytes.NewReader(ragged), int64(len(ragged)), "ragged.npz")
		if rows != nil {
			_, err = readNPZ(bytes.NewReader(ragged), int64(len(ragged)), "ragged.npz", DefaultMaxBytes(), rows)
		}
		if !errors.Is(err, ErrRagged) {
			t.Errorf("ragged .npz (range %v): %v, want ErrRagged", rows != nil, err)
		}
	}
}

// BenchmarkReadShard reads the last tenth of a 400,000-row catalogue of
// four columns, by row range and by reading the whole file and cutting it
// (as batch shards did before ReadOptions.Rows). Compare B/op and ns/op of
// the two in one run.
func BenchmarkReadShard(b *testing.B) {
	const n = 400000
	cols := make([][]float64, 4)
	for j := range cols {
		cols[j] = make([]float64, n)
		for i := range cols[j] {
			cols[j][i] = float64(i*4 + j)
		}
	}
	tb, err := New([]string{"a", "b", "c", "d"}, cols)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	shard := func(total int) (int, int) { return total - total/10, total }
	for _, ext := range []string{"fits", "npy", "csv"} {
		path := filepath.Join(dir, "cat."+ext)
		if err := WriteFile(path, tb); err != nil {
			b.Fatal(err)
		}
		b.Run(ext+"/range", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ReadFile(path, ReadOptions{Rows: shard}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(ext+"/whole-then-cut", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				t, err := ReadFile(path, ReadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				lo, hi := shard(t.Len())
				t.Rows(span(lo, hi))
			}
		})
	}
}

// A range of a text file has the column kinds of the whole file, which its
// rows outside the range decide too, and a bad cell outside the range is
// the error it is in a whole read.
func TestReadRowsTextKinds(t *testing.T) {
	dir := t.TempDir()
	good := "a,b,c,d\n1,,x,1\n2,,,2\n3,,,3\n4,y,,4.5\n5,7.5,,5\n"
	path := filepath.Join(dir, "kinds.csv")
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	whole, err := ReadFile(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path, ReadOptions{Rows: func(int) (int, int) { return 1, 3 }})
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, "rows [1, 3)", got, whole.Rows(span(1, 3)), false)
	if !slices.Equal(got.TextNames(), []string{"b", "c"}) {
		t.Errorf("text columns %v, want b (text from row 4) and c (from row 1)", got.TextNames())
	}
	if _, ok := got.Int64("d"); ok {
		t.Error("column d is exact integers in the range, but not in the file (4.5)")
	}
	if _, ok := got.Int64("a"); !ok {
		t.Error("column a lost its exact integers")
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("a,b\n1,2\n3,4\n5,oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(bad, ReadOptions{Rows: func(int) (int, int) { return 0, 1 }})
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) || pe.Line != 4 || pe.Col != "b" {
		t.Errorf("a bad cell after the range: %v, want the syntax error of line 4, column b", err)
	}
}

// A row range of a binary stream of unknown size that was cut short is an
// ErrTruncated whose offset is where the stream ends, whether the rows
// before the range are skipped by seeking (a bytes.Reader) or by reading
// through (a pipe), and whether the stream ends before the range or
// inside it, between rows or inside one.
func TestReadRowsTruncatedStream(t *testing.T) {
	const n = 5000
	num := rowsTable(t, n, false)
	dir := t.TempDir()
	file := func(name string) []byte {
		path := filepath.Join(dir, name)
		if err := WriteFile(path, num); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	npyStart := func(b []byte) int { return 10 + int(binary.LittleEndian.Uint16(b[8:10])) }
	cNPY, fNPY, fits := file("c.npy"), fortranNPY(num), file("t.fits")
	const rowBytes = 24 // x, y (float64) and id (int64)
	fitsStart := len(fits) - (n*rowBytes+2879)/2880*2880
	if fitsStart%2880 != 0 || len(cNPY)-npyStart(cNPY) != n*rowBytes || len(fNPY)-npyStart(fNPY) != n*rowBytes {
		t.Fatalf("unexpected layouts: FITS data at %d, NPY data %d and %d bytes", fitsStart, len(cNPY)-npyStart(cNPY), len(fNPY)-npyStart(fNPY))
	}
	type pipe struct{ io.Reader } // hides Seek
	for _, c := range []struct {
		name string
		b    []byte
		cut  int
	}{
		{"c.npy", cNPY, npyStart(cNPY) + 3000*rowBytes + 5},
		{"c.npy", cNPY, npyStart(cNPY) + 3000*rowBytes},
		{"f.npy", fNPY, npyStart(fNPY) + 2*n*8 + 777}, // inside the third column
		{"t.fits", fits, fitsStart + 3000*rowBytes + 5},
	} {
		for _, r := range [][2]int{{4000, 4100}, {2990, 3010}, {0, n}, {50, 100}} {
			if c.name != "f.npy" && r == [2]int{50, 100} {
				continue // before the cut: no error
			}
			for _, seek := range []bool{true, false} {
				var src io.Reader = bytes.NewReader(c.b[:c.cut])
				if !seek {
					src = pipe{src}
				}
				what := fmt.Sprintf("%s cut at byte %d, rows [%d, %d), seekable %v", c.name, c.cut, r[0], r[1], seek)
				_, err := Read(src, c.name, ReadOptions{Rows: func(int) (int, int) { return r[0], r[1] }})
				var pe *ParseError
				if !errors.Is(err, ErrTruncated) || !errors.As(err, &pe) {
					t.Errorf("%s: %v, want ErrTruncated", what, err)
					continue
				}
				if pe.Offset != int64(c.cut) {
					t.Errorf("%s: offset %d, want %d (%v)", what, pe.Offset, c.cut, err)
				}
			}
		}
	}
}
