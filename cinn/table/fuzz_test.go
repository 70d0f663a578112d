package table

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The fuzzers feed arbitrary bytes to each reader and check that it
// returns either a consistent table or a *ParseError wrapping one of the
// package's sentinels, never panicking or running away with memory. Seed
// corpora are the tiny files in testdata/seed; scripts/fuzz-table.sh runs
// them for a bounded time. See FUZZING.md.

const fuzzMaxBytes = 1 << 20

func addSeeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, _ := filepath.Glob(filepath.Join("testdata", "seed", p))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

var sentinels = []error{ErrNoColumn, ErrTextColumn, ErrSyntax, ErrRagged, ErrHeader, ErrTruncated, ErrTooLarge, ErrFormat, ErrUnsupported}

// checkRead checks the outcome of a read: a table whose columns all have
// Len rows and unique names, or a *ParseError wrapping a sentinel.
func checkRead(t *testing.T, tb *Table, err error) {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %q is a %T, not a *ParseError", err, err)
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error %q wraps none of the package's sentinels", err)
	}
	seen := map[string]bool{}
	for _, c := range tb.cols {
		n := len(c.num)
		if c.isText() {
			n = len(c.text)
		}
		if n != tb.n {
			t.Fatalf("column %q has %d rows, the table %d", c.name, n, tb.n)
		}
		if seen[c.name] || c.name == "" {
			t.Fatalf("column name %q repeated or empty", c.name)
		}
		seen[c.name] = true
		if c.ints != nil && len(c.ints) != len(c.num) {
			t.Fatalf("column %q has %d exact integers for %d values", c.name, len(c.ints), len(c.num))
		}
	}
}

// checkRoundTrip writes tb with write, reads it back with read and
// compares.
func checkRoundTrip(t *testing.T, tb *Table, write func(*bytes.Buffer, *Table) error, read func([]byte) (*Table, error), units bool) {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, tb); err != nil {
		return // the writer refuses some tables (FITS: non-ASCII names)
	}
	got, err := read(b.Bytes())
	if err != nil {
		t.Fatalf("reading back what we wrote: %v", err)
	}
	sameTable(t, "round trip", got, tb, units)
}

// FuzzReadCSV reads the input as CSV and as ECSV.
func FuzzReadCSV(f *testing.F) {
	addSeeds(f, "*.csv", "*.tsv", "*.ecsv")
	f.Add([]byte("a,b\n1,\"2\n3\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		csv := func(opts ReadOptions) (*Table, error) {
			return readDelimited(bytes.NewReader(data), "fuzz.csv", ',', opts)
		}
		ecsv := func(opts ReadOptions) (*Table, error) {
			return readECSV(bytes.NewReader(data), "fuzz.ecsv", opts)
		}
		for _, read := range []func(ReadOptions) (*Table, error){csv, ecsv} {
			tb, err := read(ReadOptions{MaxBytes: fuzzMaxBytes})
			checkRead(t, tb, err)
			if err == nil {
				checkTextRange(t, tb, read)
			}
		}
	})
}

func FuzzReadASCII(f *testing.F) {
	addSeeds(f, "*.dat", "*.cmd")
	f.Fuzz(func(t *testing.T, data []byte) {
		read := func(opts ReadOptions) (*Table, error) {
			return readASCII(bytes.NewReader(data), "fuzz.dat", opts)
		}
		tb, err := read(ReadOptions{MaxBytes: fuzzMaxBytes})
		checkRead(t, tb, err)
		if err == nil {
			checkTextRange(t, tb, read)
		}
	})
}

// checkRange reads a middle range of rows of a table that read whole and
// compares it with those rows of the whole.
func checkRange(t *testing.T, whole *Table, read func(rows func(int) (int, int)) (*Table, error)) {
	t.Helper()
	if len(whole.cols) == 0 {
		return // a table without columns has no rows (an .npy of shape (n, 0))
	}
	n := whole.Len()
	lo, hi := n/3, n-n/4
	got, err := read(func(total int) (int, int) {
		if total != n {
			t.Errorf("Rows called with %d rows, the whole table has %d", total, n)
		}
		return lo, hi
	})
	if err != nil {
		t.Fatalf("rows [%d, %d) of a table that reads whole: %v", lo, hi, err)
	}
	idx := make([]int, hi-lo)
	for i := range idx {
		idx[i] = lo + i
	}
	sameTable(t, "row range", got, whole.Rows(idx), true)
}

// checkTextRange is checkRange for a text table read in two passes, as
// ReadFile reads a range of a text file.
func checkTextRange(t *testing.T, whole *Table, read func(ReadOptions) (*Table, error)) {
	t.Helper()
	checkRange(t, whole, func(rows func(int) (int, int)) (*Table, error) {
		return readTextRows("fuzz", ReadOptions{MaxBytes: fuzzMaxBytes, Rows: rows}, read)
	})
}

func readNPZBytes(b []byte) (*Table, error) {
	return readNPZ(bytes.NewReader(b), int64(len(b)), "fuzz.npz", fuzzMaxBytes, nil)
}

func FuzzReadNPY(f *testing.F) {
	addSeeds(f, "*.npy")
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := readNPY(bytes.NewReader(data), "fuzz.npy", -1, ReadOptions{MaxBytes: fuzzMaxBytes})
		checkRead(t, tb, err)
		if err == nil {
			checkRange(t, tb, func(rows func(int) (int, int)) (*Table, error) {
				return readNPY(bytes.NewReader(data), "fuzz.npy", -1, ReadOptions{MaxBytes: fuzzMaxBytes, Rows: rows})
			})
			checkRoundTrip(t, tb, func(b *bytes.Buffer, tb *Table) error { return WriteNPZ(b, tb) }, readNPZBytes, false)
		}
	})
}

// FuzzReadNPZ reads the input as an archive and, since random bytes are
// rarely a valid zip, also as the one member, stored and deflated, of an
// archive built around it, with a second member of one row.
func FuzzReadNPZ(f *testing.F) {
	addSeeds(f, "*.npz", "*.npy")
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := readNPZBytes(data)
		checkRead(t, tb, err)
		if err == nil {
			checkRange(t, tb, func(rows func(int) (int, int)) (*Table, error) {
				return readNPZ(bytes.NewReader(data), int64(len(data)), "fuzz.npz", fuzzMaxBytes, rows)
			})
			checkRoundTrip(t, tb, func(b *bytes.Buffer, tb *Table) error { return WriteNPZ(b, tb) }, readNPZBytes, false)
		}
		for _, method := range []uint16{zip.Store, zip.Deflate} {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: "fuzz.npy", Method: method})
			w.Write(data)
			w, _ = zw.CreateHeader(&zip.FileHeader{Name: "one.npy", Method: method})
			w.Write(npyHeaderBytes("'<f8'", []int{1}))
			w.Write(make([]byte, 8))
			zw.Close()
			tb, err := readNPZBytes(b.Bytes())
			checkRead(t, tb, err)
		}
	})
}

func FuzzReadFITS(f *testing.F) {
	addSeeds(f, "*.fits")
	var b bytes.Buffer
	if err := WriteFITS(&b, interopTableF()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	readBack := func(b []byte) (*Table, error) {
		return readFITS(bytes.NewReader(b), "back.fits", int64(len(b)), ReadOptions{MaxBytes: fuzzMaxBytes})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := readFITS(bytes.NewReader(data), "fuzz.fits", -1, ReadOptions{MaxBytes: fuzzMaxBytes})
		checkRead(t, tb, err)
		if err == nil {
			checkRange(t, tb, func(rows func(int) (int, int)) (*Table, error) {
				return readFITS(bytes.NewReader(data), "fuzz.fits", -1, ReadOptions{MaxBytes: fuzzMaxBytes, Rows: rows})
			})
			checkRoundTrip(t, tb, func(b *bytes.Buffer, tb *Table) error { return WriteFITS(b, tb) }, readBack, true)
		}
	})
}

// interopTableF is interopTable for fuzz setup, without a *testing.T.
func interopTableF() *Table {
	tb, _ := New([]string{"x"}, [][]float64{{1, 2.5, -3}})
	tb.SetUnit("x", "mag")
	tb.AddInt64("id", []int64{1 << 60, -1, 0}, "")
	tb.AddText("s", []string{"", "ab", "c d"}, "")
	return tb
}
