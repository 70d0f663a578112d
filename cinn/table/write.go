package table

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gocinn/gocinn/cinn/internal/atomicfile"
)

// WriteFile writes the table to path in the format given by its extension:
//
//	.csv  header line, then one line per row; missing values are empty
//	      cells, numbers are written in the shortest form that reads back
//	      exactly; units are not written
//	.tsv  as .csv, tab-separated
//	.ecsv astropy's ECSV: as .csv, space-separated, after a YAML header
//	      with each column's name, unit and datatype
//	.npy  one 2-D float64 array (rows, columns), C order, without names;
//	      the table must have no text columns
//	.npz  one 1-D array per column, keyed by the column's name (float64;
//	      int64 for exact integer columns, see Int64; unicode for text),
//	      as np.savez writes
//	.fits an empty primary HDU and a BINTABLE with TTYPE, TFORM (D; K for
//	      exact integer columns; A for text) and TUNIT
//
// The file is written to a temporary file in the same folder and renamed
// into place, so a reader never sees a half-written table.
func WriteFile(path string, t *Table) error {
	format, gz := formatFromName(path)
	if gz || format == "" || format == FormatASCII {
		return fmt.Errorf("table: cannot write %s: use the extension .csv, .tsv, .ecsv, .npy, .npz or .fits", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := atomicfile.Create(dir, base)
	if err != nil {
		return fmt.Errorf("table: write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("table: write %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	switch format {
	case FormatCSV:
		err = writeDelimited(w, t, ',')
	case FormatTSV:
		err = writeDelimited(w, t, '\t')
	case FormatNPY:
		err = WriteNPY(w, t)
	case FormatNPZ:
		err = WriteNPZ(w, t)
	case FormatFITS:
		err = WriteFITS(w, t)
	case FormatECSV:
		err = WriteECSV(w, t)
	default:
		err = fmt.Errorf("writing %s is not supported", format)
	}
	if err != nil {
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("table: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("table: write %s: %w", path, err)
	}
	return nil
}

// WriteCSV writes the table as comma-separated values; see WriteFile.
func WriteCSV(w io.Writer, t *Table) error { return writeDelimited(w, t, ',') }

// WriteTSV writes the table as tab-separated values; see WriteFile.
func WriteTSV(w io.Writer, t *Table) error { return writeDelimited(w, t, '\t') }

func csvQuote(s string, comma byte) string {
	if s == "" || !strings.ContainsAny(s, "\"\r\n"+string(comma)) && s[0] != ' ' && s[len(s)-1] != ' ' {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// formatFloat writes v in the shortest form that parses back to v.
func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return ""
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func writeDelimited(w io.Writer, t *Table, comma byte) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for j, c := range t.cols {
		if j > 0 {
			bw.WriteByte(comma)
		}
		bw.WriteString(csvQuote(c.name, comma))
	}
	bw.WriteByte('\n')
	ints := make([][]int64, len(t.cols))
	for j := range t.cols {
		ints[j], _ = t.cols[j].exactInts()
	}
	var num []byte
	for i := 0; i < t.n; i++ {
		for j := range t.cols {
			c := &t.cols[j]
			if j > 0 {
				bw.WriteByte(comma)
			}
			var cell string
			switch {
			case c.isText():
				cell = csvQuote(c.text[i], comma)
			case ints[j] != nil:
				num = strconv.AppendInt(num[:0], ints[j][i], 10)
				bw.Write(num)
				continue
			default:
				cell = formatFloat(c.num[i])
			}
			if cell == "" && len(t.cols) == 1 {
				cell = `""` // a blank line would be skipped by readers
			}
			bw.WriteString(cell)
		}
		if _, err := bw.WriteString("\n"); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteNPY writes the numeric columns as one 2-D little-endian float64
// array of shape (rows, columns) in C order (np.load returns it as is). The
// names are not kept: write .npz to keep them. A table with text columns is
// refused.
func WriteNPY(w io.Writer, t *Table) error {
	if tn := t.TextNames(); len(tn) > 0 {
		return fmt.Errorf("table: .npy holds one 2-D float64 array, and the table has text columns %s: drop them first, or write .npz, .csv or .fits", quoteList(tn))
	}
	if len(t.cols) == 0 {
		return fmt.Errorf("table: the table has no columns to write")
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(npyHeaderBytes("'<f8'", []int{t.n, len(t.cols)}))
	var b [8]byte
	for i := 0; i < t.n; i++ {
		for j := range t.cols {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(t.cols[j].num[i]))
			if _, err := bw.Write(b[:]); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// writeNPYColumn writes one column as a 1-D array.
func writeNPYColumn(w io.Writer, c *column, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var b [8]byte
	switch ints, exact := c.exactInts(); {
	case c.isText():
		width := 1
		for _, s := range c.text {
			width = max(width, utf8.RuneCountInString(s))
		}
		bw.Write(npyHeaderBytes(fmt.Sprintf("'<U%d'", width), []int{n}))
		cell := make([]byte, 4*width)
		for _, s := range c.text {
			clear(cell)
			k := 0
			for _, r := range s {
				binary.LittleEndian.PutUint32(cell[4*k:], uint32(r))
				k++
			}
			if _, err := bw.Write(cell); err != nil {
				return err
			}
		}
	case exact:
		bw.Write(npyHeaderBytes("'<i8'", []int{n}))
		for _, v := range ints {
			binary.LittleEndian.PutUint64(b[:], uint64(v))
			if _, err := bw.Write(b[:]); err != nil {
				return err
			}
		}
	default:
		bw.Write(npyHeaderBytes("'<f8'", []int{n}))
		for _, v := range c.num {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			if _, err := bw.Write(b[:]); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// WriteNPZ writes one 1-D array per column into an uncompressed .npz
// archive, as np.savez does; see WriteFile.
func WriteNPZ(w io.Writer, t *Table) error {
	zw := zip.NewWriter(w)
	for j := range t.cols {
		c := &t.cols[j]
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: c.name + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if err := writeNPYColumn(fw, c, t.n); err != nil {
			return err
		}
	}
	return zw.Close()
}

// fitsCardString formats one header card.
func fitsCardString(key, value, comment string) string {
	card := fmt.Sprintf("%-8s= %20s", key, value)
	if strings.HasPrefix(value, "'") {
		card = fmt.Sprintf("%-8s= %-20s", key, value)
	}
	if comment != "" {
		card += " / " + comment
	}
	if len(card) > fitsCard {
		card = card[:fitsCard]
	}
	return fmt.Sprintf("%-80s", card)
}

func fitsQuote(s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	return fmt.Sprintf("'%-8s'", s)
}

// checkFITSText checks that a header string is printable ASCII and fits in
// one card.
func checkFITSText(what, s string) error {
	for _, r := range s {
		if r < 32 || r > 126 {
			return fmt.Errorf("table: %s %q holds a character that FITS headers cannot (printable ASCII only): rename it first", what, s)
		}
	}
	if len(strings.ReplaceAll(s, "'", "''")) > 68 {
		return fmt.Errorf("table: %s %q is longer than a FITS header card allows (68 characters): rename it first", what, s)
	}
	return nil
}

// WriteFITS writes the table as a FITS file: an empty primary HDU and one
// BINTABLE extension; see WriteFile.
func WriteFITS(w io.Writer, t *Table) error {
	type field struct {
		form  string
		width int
		ints  []int64
	}
	if len(t.cols) > 999 {
		return fmt.Errorf("table: a FITS binary table holds at most 999 columns, the table has %d: select fewer, or write .npz", len(t.cols))
	}
	fields := make([]field, len(t.cols))
	rowBytes := 0
	for j := range t.cols {
		c := &t.cols[j]
		if err := checkFITSText("column name", c.name); err != nil {
			return err
		}
		if err := checkFITSText("unit", c.unit); err != nil {
			return err
		}
		switch ints, exact := c.exactInts(); {
		case c.isText():
			width := 1
			for _, s := range c.text {
				width = max(width, len(s))
			}
			fields[j] = field{form: fmt.Sprintf("%dA", width), width: width}
		case exact:
			fields[j] = field{form: "K", width: 8, ints: ints}
		default:
			fields[j] = field{form: "D", width: 8}
		}
		rowBytes += fields[j].width
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var hdr strings.Builder
	card := func(key, value, comment string) { hdr.WriteString(fitsCardString(key, value, comment)) }
	end := func() error {
		hdr.WriteString(fmt.Sprintf("%-80s", "END"))
		for hdr.Len()%fitsBlock != 0 {
			hdr.WriteByte(' ')
		}
		_, err := bw.WriteString(hdr.String())
		hdr.Reset()
		return err
	}
	card("SIMPLE", "T", "conforms to FITS standard")
	card("BITPIX", "8", "array data type")
	card("NAXIS", "0", "number of array dimensions")
	card("EXTEND", "T", "")
	if err := end(); err != nil {
		return err
	}
	card("XTENSION", "'BINTABLE'", "binary table extension")
	card("BITPIX", "8", "array data type")
	card("NAXIS", "2", "number of array dimensions")
	card("NAXIS1", strconv.Itoa(rowBytes), "length of dimension 1")
	card("NAXIS2", strconv.Itoa(t.n), "length of dimension 2")
	card("PCOUNT", "0", "number of group parameters")
	card("GCOUNT", "1", "number of groups")
	card("TFIELDS", strconv.Itoa(len(t.cols)), "number of table fields")
	for j := range t.cols {
		c := &t.cols[j]
		card(fmt.Sprintf("TTYPE%d", j+1), fitsQuote(c.name), "")
		card(fmt.Sprintf("TFORM%d", j+1), fitsQuote(fields[j].form), "")
		if c.unit != "" {
			card(fmt.Sprintf("TUNIT%d", j+1), fitsQuote(c.unit), "")
		}
	}
	if err := end(); err != nil {
		return err
	}
	row := make([]byte, rowBytes)
	for i := 0; i < t.n; i++ {
		off := 0
		for j := range t.cols {
			c := &t.cols[j]
			f := &fields[j]
			switch {
			case c.isText():
				cell := row[off : off+f.width]
				n := copy(cell, c.text[i])
				clear(cell[n:])
			case f.ints != nil:
				binary.BigEndian.PutUint64(row[off:], uint64(f.ints[i]))
			default:
				binary.BigEndian.PutUint64(row[off:], math.Float64bits(c.num[i]))
			}
			off += f.width
		}
		if _, err := bw.Write(row); err != nil {
			return err
		}
	}
	if r := (rowBytes * t.n) % fitsBlock; r != 0 {
		if _, err := bw.Write(make([]byte, fitsBlock-r)); err != nil {
			return err
		}
	}
	return bw.Flush()
}
