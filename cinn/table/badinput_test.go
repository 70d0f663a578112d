package table

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// wantErr checks that err wraps sentinel, is a *ParseError naming file,
// and that its message holds every fragment.
func wantErr(t *testing.T, what string, err, sentinel error, file string, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: error %q does not wrap %v", what, err, sentinel)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != file {
		t.Errorf("%s: error %q (%T) is not a *ParseError naming %s", what, err, err, file)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: error %q lacks %q", what, err, f)
		}
	}
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func fitsBytes(t *testing.T, tb *Table) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteFITS(&b, tb); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.fits")
	_, err := ReadFile(path, ReadOptions{})
	wantErr(t, "missing file", err, fs.ErrNotExist, path, path, "no such file", "check the path")
	_, err = ReadFile(t.TempDir(), ReadOptions{})
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	_, err = ReadFile(path, ReadOptions{Format: "xlsx"})
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "use one of csv") {
		t.Errorf("bad format: %v", err)
	}
}

func TestTruncatedFITS(t *testing.T) {
	tb := interopTable(t)
	full := fitsBytes(t, tb)
	data := 2 * fitsBlock // primary header + table header
	rowBytes := 8 + 8 + 8 + 11
	for _, tc := range []struct {
		cut       int
		fragments []string
	}{
		{0, []string{"byte 0", "empty file, not a FITS file"}},
		{10, []string{"byte 10", "ends inside a header block"}},
		{100, []string{"byte 100", "ends inside a header block"}},
		{fitsBlock, []string{"no BINTABLE", "0 (primary)"}},
		{fitsBlock + 1000, []string{"HDU 1", "ends inside a header block"}},
		{data + 3*rowBytes + 5, []string{"HDU 1", "8 rows of 35 bytes", "from byte 5760", "ends after 110 bytes of data", "cut short"}},
	} {
		path := writeTemp(t, "cut.fits", full[:tc.cut])
		_, err := ReadFile(path, ReadOptions{})
		sentinel := ErrTruncated
		if tc.cut == 0 {
			sentinel = ErrFormat
		}
		if tc.cut == fitsBlock {
			sentinel = ErrFormat
		}
		wantErr(t, "ReadFile of FITS cut at "+strconv.Itoa(tc.cut), err, sentinel, path, tc.fragments...)
	}
	// From a stream of unknown size the reader finds the cut at the row.
	_, err := ReadFITS(bytes.NewReader(full[:data+3*rowBytes+5]), "stream.fits", 0)
	wantErr(t, "ReadFITS of a cut stream", err, ErrTruncated, "stream.fits", "row 4", "byte 5870", "inside row 4 of 8")
	// Cut inside the final padding: the data are complete, the table reads.
	if _, err := ReadFITS(bytes.NewReader(full[:len(full)-10]), "pad.fits", 0); err != nil {
		t.Errorf("FITS missing part of its final padding: %v", err)
	}
}

func TestTooLarge(t *testing.T) {
	// A 10 GiB file (sparse: it takes no disk) is refused from its size.
	path := filepath.Join(t.TempDir(), "huge.npy")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(npyHeaderBytes("'<f8'", []int{1 << 27, 10}))
	if err := f.Truncate(10 << 30); err != nil {
		t.Skipf("cannot make a sparse 10 GiB file here: %v", err)
	}
	f.Close()
	_, err = ReadFile(path, ReadOptions{})
	wantErr(t, "10 GiB file", err, ErrTooLarge, path, "the file is 10.0 GiB", "memory limit", "raise the memory limit")

	// A small file whose header declares a huge array.
	hdr := npyHeaderBytes("'<f8'", []int{1 << 40, 3})
	_, err = ReadNPY(bytes.NewReader(hdr), "lie.npy")
	wantErr(t, "huge npy shape", err, ErrTooLarge, "lie.npy", "shape (1099511627776, 3)", "limit")
	// A header declaring more data than the file holds.
	path = writeTemp(t, "short.npy", append(npyHeaderBytes("'<f8'", []int{1000, 3}), make([]byte, 80)...))
	_, err = ReadFile(path, ReadOptions{})
	wantErr(t, "short npy", err, ErrTruncated, path, "24000 bytes of data", "has only 80")
	_, err = ReadNPY(bytes.NewReader(append(npyHeaderBytes("'<f8'", []int{1000, 3}), make([]byte, 80)...)), "short.npy")
	wantErr(t, "short npy stream", err, ErrTruncated, "short.npy", "ends after 80 of the 24000 bytes") // all 80 bytes, the last row partly

	// A FITS header declaring 10^12 rows.
	var b bytes.Buffer
	b.WriteString(fitsHDU("SIMPLE", "T", "BITPIX", "8", "NAXIS", "0"))
	b.WriteString(fitsHDU("XTENSION", "'BINTABLE'", "BITPIX", "8", "NAXIS", "2", "NAXIS1", "8", "NAXIS2", "1000000000000",
		"PCOUNT", "0", "GCOUNT", "1", "TFIELDS", "1", "TFORM1", "'D'"))
	_, err = ReadFITS(bytes.NewReader(b.Bytes()), "huge.fits", 0)
	wantErr(t, "huge FITS", err, ErrTooLarge, "huge.fits", "1000000000000 rows × 8 bytes", "NAXIS2 × NAXIS1", "raise the memory limit")

	// The limit applies to text tables as they are read.
	csv := "a,b\n" + strings.Repeat("1,2\n", 1000)
	path = writeTemp(t, "t.csv", []byte(csv))
	_, err = ReadFile(path, ReadOptions{MaxBytes: 1000})
	wantErr(t, "CSV over the limit", err, ErrTooLarge, path, "the file is 3.9 KiB", "1000 bytes")
	_, err = ReadFile(path, ReadOptions{MaxBytes: 5000})
	wantErr(t, "CSV over the limit while reading", err, ErrTooLarge, path, "line 314, row 313")
}

// fitsHDU returns a header of key, value pairs, END and padding.
func fitsHDU(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString(fitsCardString(kv[i], kv[i+1], ""))
	}
	b.WriteString(fmt.Sprintf("%-80s", "END"))
	for b.Len()%fitsBlock != 0 {
		b.WriteByte(' ')
	}
	return b.String()
}

// mergeNPZ returns an archive holding the members of both archives.
func mergeNPZ(t *testing.T, archives ...[]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, a := range archives {
		zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestBadNPY(t *testing.T) {
	for _, tc := range []struct {
		name     string
		data     []byte
		sentinel error
		frag     string
	}{
		{"empty", nil, ErrFormat, "empty file"},
		{"magic", []byte("\x93NUMPZ\x01\x00"), ErrFormat, "does not start with"},
		{"version", []byte("\x93NUMPY\x07\x00\x00\x00"), ErrFormat, "version 7.0"},
		{"pickle", npyHeaderBytes("'|O'", []int{2}), ErrUnsupported, "pickling"},
		{"complex", npyHeaderBytes("'<c16'", []int{2}), ErrUnsupported, "complex"},
		{"3-D", npyHeaderBytes("'<f8'", []int{2, 2, 2}), ErrUnsupported, "reshape it to 2-D"},
		{"header", []byte("\x93NUMPY\x01\x00\x05\x00{'a':"), ErrFormat, "bad .npy header"},
		{"nested", npyHeaderBytes("[('a', [('b', '<f8')])]", []int{1}), ErrUnsupported, "nested structured"},
	} {
		_, err := ReadNPY(bytes.NewReader(tc.data), tc.name)
		wantErr(t, "npy "+tc.name, err, tc.sentinel, tc.name, tc.frag)
	}
}

func TestBadNPZ(t *testing.T) {
	tb := mustNew(t, []string{"a"}, [][]float64{{1, 2, 3}})
	other := mustNew(t, []string{"b"}, [][]float64{{1, 2}})
	var b1, b2 bytes.Buffer
	WriteNPZ(&b1, tb)
	WriteNPZ(&b2, other)
	// Splice: an archive with arrays of 3 and 2 rows.
	ragged := mergeNPZ(t, b1.Bytes(), b2.Bytes())
	_, err := ReadNPZ(bytes.NewReader(ragged), int64(len(ragged)), "r.npz")
	wantErr(t, "ragged npz", err, ErrRagged, `r.npz (array "b")`, `2 rows, but array "a" has 3`)
	_, err = ReadNPZ(bytes.NewReader([]byte("not a zip")), 9, "x.npz")
	wantErr(t, "not a zip", err, ErrFormat, "x.npz", "not a NumPy .npz")
	_, err = ReadNPZ(bytes.NewReader(b1.Bytes()[:len(b1.Bytes())-30]), int64(len(b1.Bytes())-30), "cut.npz")
	wantErr(t, "cut npz", err, ErrFormat, "cut.npz", "zip")
}

func TestBadFITSHeaders(t *testing.T) {
	good := fitsBytes(t, mustNew(t, []string{"a"}, [][]float64{{1, 2}}))
	patch := func(old, new string) []byte {
		i := bytes.Index(good, []byte(old))
		if i < 0 {
			t.Fatalf("no %q in the FITS header", old)
		}
		out := append([]byte{}, good...)
		copy(out[i:], fmt.Sprintf("%-80s", new))
		return out
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		sentinel error
		frag     string
	}{
		{"tform", patch("TFORM1  =", "TFORM1  = 'Z'"), ErrFormat, `TFORM1 = "Z" is not a valid`},
		{"naxis1", patch("NAXIS1  =", "NAXIS1  =                    4"), ErrFormat, "need 8 bytes per row but NAXIS1 = 4"},
		{"vla", patch("TFORM1  =", "TFORM1  = '1PE(3)'"), ErrUnsupported, "variable-length"},
		{"image", patch("XTENSION=", "XTENSION= 'IMAGE'"), ErrFormat, "no BINTABLE extension; the file has HDUs 0 (primary), 1 (IMAGE)"},
		{"not int", patch("NAXIS2  =", "NAXIS2  =                 2.5"), ErrFormat, `NAXIS2 = "2.5" is not an integer`},
	} {
		_, err := ReadFITS(bytes.NewReader(tc.data), tc.name, 0)
		wantErr(t, "FITS "+tc.name, err, tc.sentinel, tc.name, tc.frag)
	}
	if _, err := readFITS(bytes.NewReader(good), "c.fits", -1, ReadOptions{Columns: []string{"zz"}}); !errors.Is(err, ErrNoColumn) || !strings.Contains(err.Error(), `no column "zz"; the table has "a"`) {
		t.Errorf("absent FITS column: %v", err)
	}
}

func newGzip(w *bytes.Buffer) *gzip.Writer { return gzip.NewWriter(w) }

// Headers that declare many rows of nothing, or columns without rows, must
// neither loop over the rows nor allocate the columns.
func TestDegenerateShapes(t *testing.T) {
	noFields := fitsHDU("SIMPLE", "T", "BITPIX", "8", "NAXIS", "0") +
		fitsHDU("XTENSION", "'BINTABLE'", "BITPIX", "8", "NAXIS", "2", "NAXIS1", "0", "NAXIS2", "1000000000000",
			"PCOUNT", "0", "GCOUNT", "1", "TFIELDS", "0")
	tb, err := ReadFITS(strings.NewReader(noFields), "nofields.fits", 0)
	if err != nil || len(tb.AllNames()) != 0 {
		t.Errorf("BINTABLE without fields: %v, %v", tb, err)
	}
	wide := fitsHDU("SIMPLE", "T", "BITPIX", "8", "NAXIS", "0") +
		fitsHDU("XTENSION", "'BINTABLE'", "BITPIX", "8", "NAXIS", "2", "NAXIS1", "8000000000", "NAXIS2", "0",
			"PCOUNT", "0", "GCOUNT", "1", "TFIELDS", "1", "TFORM1", "'1000000000D'")
	_, err = ReadFITS(strings.NewReader(wide), "wide.fits", 0)
	wantErr(t, "10^9-element vector field", err, ErrUnsupported, "wide.fits", "1000000000 columns")
	_, err = ReadNPY(bytes.NewReader(npyHeaderBytes("'<f8'", []int{1 << 40, 0})), "empty.npy")
	if err != nil {
		t.Errorf("npy of shape (2^40, 0): %v", err)
	}
	_, err = ReadNPY(bytes.NewReader(npyHeaderBytes("'<f8'", []int{0, 1 << 21})), "wide.npy")
	wantErr(t, "npy of 2^21 columns", err, ErrUnsupported, "wide.npy", "is it transposed?")
}

func TestFITSHDUSelection(t *testing.T) {
	good := fitsBytes(t, mustNew(t, []string{"a"}, [][]float64{{1, 2}}))
	image := fitsHDU("XTENSION", "'IMAGE'", "BITPIX", "16", "NAXIS", "1", "NAXIS1", "3", "PCOUNT", "0", "GCOUNT", "1") +
		string(make([]byte, fitsBlock))
	// primary, image, table
	file := append(append(append([]byte{}, good[:fitsBlock]...), image...), good[fitsBlock:]...)
	for hdu, wantErr := range map[int]string{0: "", 2: "", 1: "HDU 1: holds IMAGE, not a BINTABLE", 3: "there is no HDU 3; the file has HDUs 0 (primary), 1 (IMAGE), 2 (BINTABLE)"} {
		tb, err := ReadFITS(bytes.NewReader(file), "m.fits", hdu)
		if wantErr == "" {
			if a, _ := tb.Col("a"); err != nil || !sameFloats(a, []float64{1, 2}) {
				t.Errorf("HDU %d: %v, %v", hdu, a, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("HDU %d: error %v, want %q", hdu, err, wantErr)
		}
	}
}
