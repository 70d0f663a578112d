package table

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxLine is the longest line the text readers accept.
const maxLine = 64 << 20

// isMissingToken reports whether a text cell denotes a missing value:
// empty, NA, N/A, NaN (any sign), null, None, <NA>, #N/A (any case), as in
// pandas' defaults.
func isMissingToken(s string) bool {
	if len(s) > 6 {
		return false
	}
	switch strings.ToLower(s) {
	case "", "na", "n/a", "nan", "-nan", "+nan", "null", "none", "<na>", "#n/a", "--":
		return true
	}
	return false
}

// parseNum parses one numeric cell. ok is false for a non-numeric cell.
// Missing tokens give NaN. Out-of-range values give ±Inf or 0 as
// strconv.ParseFloat does. Fortran exponents (1.0D+03) are accepted.
func parseNum(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil {
		return v, true
	}
	if isMissingToken(s) {
		return math.NaN(), true
	}
	if errors.Is(err, strconv.ErrRange) {
		return v, true
	}
	if i := strings.IndexAny(s, "dD"); i > 0 && !strings.ContainsAny(s, "xXnN") {
		v, err = strconv.ParseFloat(s[:i]+"e"+s[i+1:], 64)
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return v, true
		}
	}
	return 0, false
}

// builder accumulates text cells into columns, deciding for each column
// whether it is numeric or text from its first non-missing cell.
type builder struct {
	line     int   // added to the line numbers given to add
	off      int64 // added to the offsets pos returns
	file     string
	names    []string
	cols     []colBuild
	rows     int // rows added
	kept     int // rows kept: those in span, or all
	span     *rowSpan
	maxBytes int64
	cells    int64 // cells kept
}

type colKind int8

const (
	kindUnknown colKind = iota // only missing cells so far: kept in num
	kindNum
	kindText
)

type colBuild struct {
	kind   colKind
	num    []float64
	text   []string
	ints   []int64 // exact values while every cell is an integer literal
	notInt bool
	raw    bool // a text column declared so: cells are kept as they are
}

func newBuilder(file string, names []string, opts ReadOptions) (*builder, error) {
	names = uniqueNames(names)
	return &builder{file: file, names: names, cols: make([]colBuild, len(names)), maxBytes: opts.maxBytes(), span: opts.span}, nil
}

// uniqueNames renames repeated or empty column names: the second "x"
// becomes "x_2", an empty name in position i becomes "col<i>".
func uniqueNames(names []string) []string {
	out := make([]string, len(names))
	seen := make(map[string]bool, len(names))
	next := make(map[string]int) // next suffix to try for a base name
	for i, n := range names {
		if n == "" {
			n = fmt.Sprintf("col%d", i)
		}
		if seen[n] {
			base := n
			k := max(next[base], 2)
			for n = fmt.Sprintf("%s_%d", base, k); seen[n]; n = fmt.Sprintf("%s_%d", base, k) {
				k++
			}
			next[base] = k + 1
		}
		seen[n] = true
		out[i] = n
	}
	return out
}

// add appends one row. With a span, a row outside it is checked and lets
// its cells decide the columns' kinds (and whether a column stays
// integer), as a kept row's do, but is not kept. pos(i) returns the byte
// offset of field i, for errors.
func (b *builder) add(fields []string, line int, pos0 func(i int) int64) error {
	line += b.line
	pos := func(i int) int64 { return b.off + pos0(i) }
	if len(fields) != len(b.names) {
		return &ParseError{File: b.file, Line: line, Row: b.rows + 1, Offset: pos(0),
			Err: cause(ErrRagged, "%d fields where the header names %d columns; fix this row, or the header", len(fields), len(b.names))}
	}
	keep := b.span == nil || b.rows >= b.span.lo && b.rows < b.span.hi
	if keep {
		b.cells += int64(len(fields))
		if b.cells*8 > b.maxBytes {
			return &ParseError{File: b.file, Line: line, Row: b.rows + 1, Offset: pos(0),
				Err: cause(ErrTooLarge, "more than %d numbers (%s as float64) exceed the memory limit of %s; raise the memory limit or read a subset", b.cells-int64(len(fields)), HumanBytes(b.cells*8), HumanBytes(b.maxBytes))}
		}
	}
	for i, raw := range fields {
		c := &b.cols[i]
		f := strings.TrimSpace(raw)
		switch c.kind {
		case kindText:
			if isMissingToken(f) && !c.raw {
				raw = ""
			}
			if keep {
				c.text = append(c.text, raw)
			}
			continue
		}
		if !c.notInt {
			if n, err := strconv.ParseInt(f, 10, 64); err == nil && f != "-0" {
				c.kind = kindNum
				if keep {
					c.ints = append(c.ints, n)
					c.num = append(c.num, float64(n))
				}
				continue
			}
			c.notInt, c.ints = true, nil
		}
		v, ok := parseNum(f)
		if ok {
			if c.kind == kindUnknown && !math.IsNaN(v) {
				c.kind = kindNum
			}
			if keep {
				c.num = append(c.num, v)
			}
			continue
		}
		if c.kind == kindNum {
			return &ParseError{File: b.file, Line: line, Row: b.rows + 1, Col: b.names[i], Offset: pos(i),
				Err: cause(ErrSyntax, "%q is not a number, but the column held numbers in the rows above; fix the cell, or write an empty cell or NA for a missing value", clip(f, 40))}
		}
		// The first non-missing cell is text: the column is a text column
		// (its cells kept so far were all missing).
		c.kind = kindText
		c.text = make([]string, len(c.num), max(cap(c.num), 16))
		c.num = nil
		if keep {
			c.text = append(c.text, raw)
		}
	}
	b.rows++
	if keep {
		b.kept++
	}
	if b.span != nil {
		b.span.total = b.rows
	}
	return nil
}

func (b *builder) table() (*Table, error) {
	t := &Table{}
	for i, c := range b.cols {
		col := column{name: b.names[i]}
		if c.kind == kindText {
			col.text = c.text
		} else {
			col.num = nonNil(c.num)
			if !c.notInt { // every cell an integer (or no rows at all)
				col.ints = c.ints
				if col.ints == nil {
					col.ints = []int64{}
				}
			}
		}
		if err := t.addColumn(col); err != nil {
			return nil, &ParseError{File: b.file, Offset: -1, Err: cause(ErrHeader, "%v", err)}
		}
	}
	t.n = b.kept
	return t, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// lineReader reads lines, tracking line numbers and byte offsets.
type lineReader struct {
	r    *bufio.Reader
	line int   // number of the line last returned (1-based)
	off  int64 // offset of the next line
	buf  []byte
}

// next returns the next line without its end-of-line bytes, and the byte
// offset where it starts. At the end it returns io.EOF.
func (lr *lineReader) next() ([]byte, int64, error) {
	lr.buf = lr.buf[:0]
	start := lr.off
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.buf = append(lr.buf, chunk...)
		if len(lr.buf) > maxLine {
			return nil, start, fmt.Errorf("line longer than %d bytes: %w", maxLine, ErrFormat)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, start, err
		}
		if err == io.EOF && len(lr.buf) == 0 {
			return nil, start, io.EOF
		}
		lr.off += int64(len(lr.buf))
		lr.line++
		line := bytes.TrimSuffix(lr.buf, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		return line, start, nil
	}
}

// fields splits a line at runs of white space, returning the fields and
// their starting indices.
func fields(line []byte, out []string, pos []int) ([]string, []int) {
	out, pos = out[:0], pos[:0]
	i := 0
	for i < len(line) {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			break
		}
		j := i
		for j < len(line) && !isSpace(line[j]) {
			j++
		}
		out = append(out, string(line[i:j]))
		pos = append(pos, i)
		i = j
	}
	return out, pos
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'
}

// ReadASCII reads a whitespace-separated table, as written by the CMD web
// service (PARSEC isochrones), pydol (.isoc), MIST (.iso.cmd) or
// HII-CHI-Mistry. Lines starting with '#' are comments, blank lines are
// skipped. The column names are taken from, in order of preference:
//
//   - the first non-comment line, if none of its fields is a number
//     (HII-CHI-Mistry grids);
//   - the last non-empty '#' comment line before the first data line, if it
//     has as many fields as the data (CMD, pydol, MIST);
//   - col0, col1, … when the file has no comment line at all.
//
// Comment lines inside the data (CMD repeats its header before each
// isochrone) are skipped. name is used in error messages. The memory limit
// is DefaultMaxBytes; use Read for other options.
func ReadASCII(r io.Reader, name string) (*Table, error) {
	return readASCII(r, name, ReadOptions{})
}

func readASCII(r io.Reader, name string, opts ReadOptions) (*Table, error) {
	lr := &lineReader{r: bufio.NewReaderSize(r, 1<<16)}
	var (
		lastComment []string // fields of the last non-empty comment line
		commentLine int
		nComments   int
		f           []string
		pos         []int
		b           *builder
	)
	for {
		line, start, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &ParseError{File: name, Line: lr.line + 1, Offset: start, Err: err}
		}
		trim := bytes.TrimLeft(line, " \t")
		if len(trim) == 0 {
			continue
		}
		if trim[0] == '#' {
			if b == nil {
				nComments++
				if cf, _ := fields(bytes.TrimLeft(trim, "#"), nil, nil); len(cf) > 0 {
					lastComment, commentLine = cf, lr.line
				}
			}
			continue
		}
		f, pos = fields(line, f, pos)
		posOf := func(i int) int64 {
			if i < len(pos) {
				return start + int64(pos[i])
			}
			return start
		}
		if b == nil {
			// First non-comment line: find the column names.
			numeric := false
			for _, s := range f {
				if _, ok := parseNum(s); ok {
					numeric = true
					break
				}
			}
			switch {
			case !numeric:
				b, err = newBuilder(name, append([]string(nil), f...), opts)
				if err != nil {
					return nil, err
				}
				continue
			case len(lastComment) == len(f):
				b, err = newBuilder(name, lastComment, opts)
			case nComments == 0:
				names := make([]string, len(f))
				for i := range names {
					names[i] = fmt.Sprintf("col%d", i)
				}
				b, err = newBuilder(name, names, opts)
			case len(lastComment) == 0:
				return nil, &ParseError{File: name, Line: lr.line, Offset: start,
					Err: cause(ErrHeader, "no column names: the comment lines before the first data line are empty; put the names in a last '#' line before the data")}
			default:
				return nil, &ParseError{File: name, Line: lr.line, Offset: start,
					Err: cause(ErrHeader, "the last '#' line before the data (line %d) names %d columns (%s …) but this first data line has %d fields; the names must be in the last comment line before the data",
						commentLine, len(lastComment), strings.Join(lastComment[:min(4, len(lastComment))], " "), len(f))}
			}
			if err != nil {
				return nil, err
			}
		}
		if err := b.add(f, lr.line, posOf); err != nil {
			return nil, err
		}
	}
	if b == nil {
		if len(lastComment) > 0 {
			names := uniqueNames(lastComment)
			return New(names, make([][]float64, len(names)))
		}
		return &Table{}, nil
	}
	return b.table()
}

// ReadCSV reads a comma-separated table (RFC 4180: fields may be quoted)
// whose first record names the columns. Cells that are empty or read NA,
// N/A, NaN, null or None are missing (NaN). A column whose first non-missing
// cell is not a number is a text column; a non-numeric cell in a numeric
// column is an error naming the line and column. name is used in error
// messages.
func ReadCSV(r io.Reader, name string) (*Table, error) {
	return readDelimited(r, name, ',', ReadOptions{})
}

// ReadTSV is ReadCSV for tab-separated tables.
func ReadTSV(r io.Reader, name string) (*Table, error) {
	return readDelimited(r, name, '\t', ReadOptions{})
}

func readDelimited(r io.Reader, name string, comma rune, opts ReadOptions) (*Table, error) {
	return readDelimitedFrom(r, name, comma, opts, textStart{})
}

// textStart describes where the delimited text starts in its file (after
// an ECSV header, say), and which columns hold text whatever they look like.
type textStart struct {
	line int   // lines before
	off  int64 // bytes before
	text map[string]bool
}

func readDelimitedFrom(r io.Reader, name string, comma rune, opts ReadOptions, at textStart) (*Table, error) {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	csvErr := func(err error, off int64) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &ParseError{File: name, Line: at.line + pe.Line, Offset: at.off + off,
				Err: cause(ErrFormat, "%v (check the quotes)", pe.Err)}
		}
		return &ParseError{File: name, Offset: at.off + off, Err: err}
	}
	off := cr.InputOffset()
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Line: at.line + 1, Offset: at.off, Err: cause(ErrHeader, "the file is empty: a header line naming the columns is needed")}
	}
	if err != nil {
		return nil, csvErr(err, off)
	}
	names := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		names[i] = h
	}
	b, err := newBuilder(name, names, opts)
	if err != nil {
		return nil, err
	}
	b.line, b.off = at.line, at.off
	for i, n := range names {
		if at.text[n] {
			b.cols[i] = colBuild{kind: kindText, text: []string{}, notInt: true, raw: true}
		}
	}
	var units []string
	if opts.UnitsRow {
		off = cr.InputOffset()
		rec, err := cr.Read()
		if err != nil && err != io.EOF {
			return nil, csvErr(err, off)
		}
		if len(rec) != len(names) && err == nil {
			line, _ := cr.FieldPos(0)
			return nil, &ParseError{File: name, Line: at.line + line, Offset: at.off + off, Err: cause(ErrRagged, "the units row has %d fields, the header %d", len(rec), len(names))}
		}
		units = append([]string(nil), rec...)
	}
	for {
		off = cr.InputOffset()
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err, off)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && rec[0] == "" && len(names) > 1 {
			continue // a blank line with only spaces
		}
		err = b.add(rec, line, func(i int) int64 {
			if i >= len(rec) {
				return off
			}
			l, c := cr.FieldPos(i)
			if l == line {
				return off + int64(c-1)
			}
			return off
		})
		if err != nil {
			return nil, err
		}
	}
	t, err := b.table()
	if err != nil {
		return nil, err
	}
	for i, u := range units {
		t.cols[i].unit = strings.TrimSpace(u)
	}
	return t, nil
}
