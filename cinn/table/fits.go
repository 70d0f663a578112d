package table

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

const (
	fitsBlock     = 2880
	fitsCard      = 80
	maxFITSHeader = 2000 // blocks (72,000 cards)
)

// fitsCard is one header card.
type fitsKey struct {
	key    string
	value  string // raw value text (strings unquoted)
	str    bool   // value was a quoted string
	offset int64  // byte offset of the card
}

// fitsHeader is the header of one HDU.
type fitsHeader struct {
	cards  []fitsKey
	index  map[string]int
	start  int64 // offset of the header
	end    int64 // offset of the data (after the padded header)
	hduNum int
}

func (h *fitsHeader) get(key string) (fitsKey, bool) {
	i, ok := h.index[key]
	if !ok {
		return fitsKey{}, false
	}
	return h.cards[i], true
}

func (h *fitsHeader) str(key string) string {
	c, _ := h.get(key)
	return c.value
}

// fitsReader reads a FITS stream, tracking the offset.
type fitsReader struct {
	r    *bufio.Reader
	src  io.Reader // what r buffers, for seeking past rows
	name string
	off  int64
	size int64 // -1 if unknown
}

func (fr *fitsReader) errf(off int64, sentinel error, format string, args ...any) error {
	return &ParseError{File: fr.name, Offset: off, Err: cause(sentinel, format, args...)}
}

func (fr *fitsReader) hduErr(h *fitsHeader, off int64, sentinel error, format string, args ...any) error {
	return fr.errf(off, sentinel, "HDU %d: %s", h.hduNum, fmt.Sprintf(format, args...))
}

// readHeader reads the header of the next HDU. It returns io.EOF at a
// clean end of file.
func (fr *fitsReader) readHeader(num int) (*fitsHeader, error) {
	h := &fitsHeader{index: make(map[string]int), start: fr.off, hduNum: num}
	block := make([]byte, fitsBlock)
	for nb := 0; ; nb++ {
		if nb >= maxFITSHeader {
			return nil, fr.errf(h.start, ErrFormat, "HDU %d: no END card in the first %d header blocks", num, maxFITSHeader)
		}
		n, err := io.ReadFull(fr.r, block)
		if err != nil {
			if n == 0 && nb == 0 && err == io.EOF {
				if num == 0 {
					return nil, fr.errf(0, ErrFormat, "empty file, not a FITS file")
				}
				return nil, io.EOF
			}
			if n > 0 && nb == 0 && num > 0 && allZeroOrSpace(block[:n]) {
				return nil, io.EOF // trailing padding
			}
			return nil, fr.errf(fr.off+int64(n), ErrTruncated, "HDU %d: the file ends inside a header block (%d of %d bytes); the file was cut short: copy or download it again", num, n, fitsBlock)
		}
		for c := 0; c < fitsBlock; c += fitsCard {
			card := block[c : c+fitsCard]
			off := fr.off + int64(c)
			key := strings.TrimRight(string(card[:8]), " ")
			if nb == 0 && c == 0 {
				if num == 0 && key != "SIMPLE" {
					return nil, fr.errf(off, ErrFormat, "not a FITS file: it does not start with SIMPLE")
				}
				if num > 0 && key != "XTENSION" {
					if allZeroOrSpace(block) {
						return nil, io.EOF
					}
					return nil, fr.errf(off, ErrFormat, "HDU %d does not start with XTENSION (found %q); the previous HDU's sizes may be wrong", num, clip(key, 8))
				}
			}
			if key == "END" {
				fr.off += fitsBlock
				h.end = fr.off
				return h, nil
			}
			if key == "" || key == "COMMENT" || key == "HISTORY" || string(card[8:10]) != "= " {
				if key == "CONTINUE" && len(h.cards) > 0 {
					last := &h.cards[len(h.cards)-1]
					if v, ok := parseFITSString(string(card[8:])); ok && last.str && strings.HasSuffix(last.value, "&") {
						last.value = strings.TrimSuffix(last.value, "&") + v
					}
				}
				continue
			}
			for _, ch := range card {
				if ch < 32 || ch > 126 {
					return nil, fr.errf(off, ErrFormat, "HDU %d: header card %q holds a byte that is not printable ASCII", num, clip(key, 8))
				}
			}
			k := fitsKey{key: key, offset: off}
			val := strings.TrimLeft(string(card[10:]), " ")
			if strings.HasPrefix(val, "'") {
				s, ok := parseFITSString(string(card[10:]))
				if !ok {
					return nil, fr.errf(off, ErrFormat, "HDU %d: keyword %s has an unterminated string", num, key)
				}
				k.value, k.str = s, true
			} else {
				if i := strings.IndexByte(val, '/'); i >= 0 {
					val = val[:i]
				}
				k.value = strings.TrimSpace(val)
			}
			if _, dup := h.index[key]; !dup {
				h.index[key] = len(h.cards)
			}
			h.cards = append(h.cards, k)
		}
		fr.off += fitsBlock
	}
}

func allZeroOrSpace(b []byte) bool {
	for _, c := range b {
		if c != 0 && c != ' ' {
			return false
		}
	}
	return true
}

// parseFITSString parses a quoted FITS string value (a doubled quote
// stands for one quote);
// trailing spaces are not significant.
func parseFITSString(s string) (string, bool) {
	s = strings.TrimLeft(s, " ")
	if !strings.HasPrefix(s, "'") {
		return "", false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return strings.TrimRight(b.String(), " "), true
		}
		b.WriteByte(s[i])
	}
	return "", false
}

// intKey returns an integer keyword; a missing keyword gives def when
// required is false.
func (fr *fitsReader) intKey(h *fitsHeader, key string, def int64, required bool) (int64, error) {
	c, ok := h.get(key)
	if !ok {
		if required {
			return 0, fr.hduErr(h, h.start, ErrFormat, "required keyword %s is missing", key)
		}
		return def, nil
	}
	v, err := strconv.ParseInt(c.value, 10, 64)
	if err != nil || c.str {
		return 0, fr.hduErr(h, c.offset, ErrFormat, "keyword %s = %q is not an integer", key, c.value)
	}
	return v, nil
}

func (fr *fitsReader) floatKey(h *fitsHeader, key string, def float64) (float64, string, error) {
	c, ok := h.get(key)
	if !ok {
		return def, "", nil
	}
	s := strings.NewReplacer("D", "E", "d", "e").Replace(c.value)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || c.str {
		return 0, "", fr.hduErr(h, c.offset, ErrFormat, "keyword %s = %q is not a number", key, c.value)
	}
	return v, c.value, nil
}

// dataSize returns the size of the HDU's data (without padding).
func (fr *fitsReader) dataSize(h *fitsHeader) (int64, error) {
	bitpix, err := fr.intKey(h, "BITPIX", 0, true)
	if err != nil {
		return 0, err
	}
	switch bitpix {
	case 8, 16, 32, 64, -32, -64:
	default:
		return 0, fr.hduErr(h, h.start, ErrFormat, "BITPIX = %d is not one of 8, 16, 32, 64, -32, -64", bitpix)
	}
	naxis, err := fr.intKey(h, "NAXIS", 0, true)
	if err != nil {
		return 0, err
	}
	if naxis < 0 || naxis > 999 {
		return 0, fr.hduErr(h, h.start, ErrFormat, "NAXIS = %d", naxis)
	}
	if naxis == 0 {
		return 0, nil
	}
	n := int64(1)
	for i := int64(1); i <= naxis; i++ {
		v, err := fr.intKey(h, fmt.Sprintf("NAXIS%d", i), 0, true)
		if err != nil {
			return 0, err
		}
		if v < 0 {
			return 0, fr.hduErr(h, h.start, ErrFormat, "NAXIS%d = %d is negative", i, v)
		}
		if i == 1 && v == 0 && h.hduNum == 0 {
			continue // random groups
		}
		var ok bool
		if n, ok = mulCheck(n, v); !ok {
			return 0, fr.hduErr(h, h.start, ErrTooLarge, "the data size overflows")
		}
	}
	pcount, err := fr.intKey(h, "PCOUNT", 0, false)
	if err != nil {
		return 0, err
	}
	gcount, err := fr.intKey(h, "GCOUNT", 1, false)
	if err != nil {
		return 0, err
	}
	if pcount < 0 || gcount < 0 {
		return 0, fr.hduErr(h, h.start, ErrFormat, "PCOUNT = %d, GCOUNT = %d", pcount, gcount)
	}
	if n > math.MaxInt64-pcount {
		return 0, fr.hduErr(h, h.start, ErrTooLarge, "the data size overflows")
	}
	size, ok := mulCheck(n+pcount, gcount)
	if ok {
		size, ok = mulCheck(size, max(bitpix, -bitpix)/8)
	}
	if !ok {
		return 0, fr.hduErr(h, h.start, ErrTooLarge, "the data size overflows")
	}
	return size, nil
}

// skip skips n bytes of data and its padding.
func (fr *fitsReader) skip(h *fitsHeader, n int64) error {
	padded := n
	if r := n % fitsBlock; r != 0 {
		padded += fitsBlock - r
	}
	if fr.size >= 0 && fr.off+n > fr.size {
		return fr.hduErr(h, fr.size, ErrTruncated, "the header declares %d bytes of data from byte %d, but the file has %d bytes; the file was cut short: copy or download it again", n, fr.off, fr.size)
	}
	got, err := io.CopyN(io.Discard, fr.r, padded)
	fr.off += got
	if err != nil && got < n {
		return fr.hduErr(h, fr.off, ErrTruncated, "the file ends inside the data (%d of %d bytes); the file was cut short: copy or download it again", got, n)
	}
	return nil
}

// fitsField is one column of a binary table.
type fitsField struct {
	name    string
	unit    string
	code    byte // L X B I J K A E D C M P Q
	repeat  int64
	width   int64 // bytes
	offset  int64 // within the row
	scale   float64
	zero    float64
	zeroStr string
	null    int64
	hasNull bool
}

func (f *fitsField) typeSize() int64 {
	switch f.code {
	case 'L', 'B', 'A':
		return 1
	case 'I':
		return 2
	case 'J', 'E':
		return 4
	case 'K', 'D', 'C', 'P':
		return 8
	case 'M', 'Q':
		return 16
	}
	return 0
}

// parseTFORM parses rT[a] (repeat count, type code, extra).
func parseTFORM(s string) (repeat int64, code byte, ok bool) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	repeat = 1
	if i > 0 {
		r, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || r > 1<<30 {
			return 0, 0, false
		}
		repeat = r
	}
	if i >= len(s) {
		return 0, 0, false
	}
	code = s[i]
	if !strings.ContainsRune("LXBIJKAEDCMPQ", rune(code)) {
		return 0, 0, false
	}
	return repeat, code, true
}

// ReadFITS reads a binary table (BINTABLE) from a FITS file: the first
// BINTABLE extension when hdu is 0, else HDU number hdu (the primary HDU is
// 0). Columns of TFORM L (logical: 1, 0, missing), B, I, J, K (integers),
// E, D (floats) become numeric columns, scaled by TSCAL and TZERO (which
// covers the unsigned conventions), with TNULL values and NaN missing; a
// field with a repeat count r > 1 gives columns name_0 … name_r-1. A
// columns (character strings) become text columns. Variable-length (P,
// Q), complex (C, M) and bit (X) columns are not supported: select the
// others with ReadOptions.Columns. name is used in errors; the memory limit
// is DefaultMaxBytes.
func ReadFITS(r io.Reader, name string, hdu int) (*Table, error) {
	return readFITS(r, name, -1, ReadOptions{HDU: hdu})
}

func readFITS(r io.Reader, name string, size int64, opts ReadOptions) (*Table, error) {
	if opts.HDU < 0 {
		return nil, &ParseError{File: name, Offset: -1, Err: cause(ErrFormat, "HDU %d: HDU numbers start at 0 (the primary HDU; 0 in ReadOptions means the first BINTABLE) (%s)", opts.HDU, ErrFormat)}
	}
	fr := &fitsReader{r: bufio.NewReaderSize(r, 1<<16), src: r, name: name, size: size}
	var seen []string
	for num := 0; ; num++ {
		h, err := fr.readHeader(num)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		xt := h.str("XTENSION")
		kind := "primary"
		if num > 0 {
			kind = xt
		}
		seen = append(seen, fmt.Sprintf("%d (%s)", num, kind))
		n, err := fr.dataSize(h)
		if err != nil {
			return nil, err
		}
		want := opts.HDU > 0 && opts.HDU == num || opts.HDU == 0 && num > 0 && xt == "BINTABLE"
		if want {
			if num == 0 || xt != "BINTABLE" {
				return nil, fr.hduErr(h, h.start, ErrUnsupported, "holds %s, not a BINTABLE; the table readers read binary tables only (set ReadOptions.HDU to a BINTABLE, or 0 for the first)", kind)
			}
			return fr.readBinTable(h, n, opts)
		}
		if err := fr.skip(h, n); err != nil {
			return nil, err
		}
	}
	if opts.HDU > 0 {
		return nil, &ParseError{File: name, Offset: -1, Err: cause(ErrFormat, "there is no HDU %d; the file has HDUs %s (%s)", opts.HDU, strings.Join(seen, ", "), ErrFormat)}
	}
	return nil, &ParseError{File: name, Offset: -1, Err: cause(ErrFormat, "no BINTABLE extension; the file has HDUs %s (%s)", strings.Join(seen, ", "), ErrFormat)}
}

func (fr *fitsReader) readBinTable(h *fitsHeader, dataSize int64, opts ReadOptions) (*Table, error) {
	for key, want := range map[string]int64{"BITPIX": 8, "NAXIS": 2, "GCOUNT": 1} {
		v, err := fr.intKey(h, key, 1, key != "GCOUNT")
		if err != nil {
			return nil, err
		}
		if v != want {
			return nil, fr.hduErr(h, h.start, ErrFormat, "a BINTABLE must have %s = %d, not %d", key, want, v)
		}
	}
	rowBytes, err := fr.intKey(h, "NAXIS1", 0, true)
	if err != nil {
		return nil, err
	}
	rows, err := fr.intKey(h, "NAXIS2", 0, true)
	if err != nil {
		return nil, err
	}
	nf, err := fr.intKey(h, "TFIELDS", 0, true)
	if err != nil {
		return nil, err
	}
	if nf < 0 || nf > 999 {
		return nil, fr.hduErr(h, h.start, ErrFormat, "TFIELDS = %d is not in 0…999", nf)
	}
	var fields []fitsField
	var names []string
	off := int64(0)
	for i := int64(1); i <= nf; i++ {
		form, ok := h.get(fmt.Sprintf("TFORM%d", i))
		if !ok {
			return nil, fr.hduErr(h, h.start, ErrFormat, "TFORM%d is missing", i)
		}
		f := fitsField{name: h.str(fmt.Sprintf("TTYPE%d", i)), unit: h.str(fmt.Sprintf("TUNIT%d", i)), offset: off}
		if f.name == "" {
			f.name = fmt.Sprintf("col%d", i)
		}
		var ok2 bool
		f.repeat, f.code, ok2 = parseTFORM(form.value)
		if !ok2 {
			return nil, fr.hduErr(h, form.offset, ErrFormat, "column %q: TFORM%d = %q is not a valid binary-table format", f.name, i, form.value)
		}
		if f.code == 'X' {
			f.width = (f.repeat + 7) / 8
		} else {
			f.width = f.repeat * f.typeSize()
		}
		off += f.width
		if f.scale, _, err = fr.floatKey(h, fmt.Sprintf("TSCAL%d", i), 1); err != nil {
			return nil, err
		}
		if f.zero, f.zeroStr, err = fr.floatKey(h, fmt.Sprintf("TZERO%d", i), 0); err != nil {
			return nil, err
		}
		if _, f.hasNull = h.get(fmt.Sprintf("TNULL%d", i)); f.hasNull {
			if f.null, err = fr.intKey(h, fmt.Sprintf("TNULL%d", i), 0, true); err != nil {
				return nil, err
			}
		}
		fields = append(fields, f)
		names = append(names, f.name)
	}
	if off > rowBytes {
		return nil, fr.hduErr(h, h.start, ErrFormat, "the columns' TFORMs need %d bytes per row but NAXIS1 = %d", off, rowBytes)
	}
	// Unique names, then the selection.
	names = uniqueNames(names)
	want := map[string]bool{}
	for _, c := range opts.Columns {
		want[c] = true
	}
	var sel []fitsField
	for i := range fields {
		fields[i].name = names[i]
		if len(want) > 0 && !want[names[i]] {
			continue
		}
		delete(want, names[i])
		f := fields[i]
		switch f.code {
		case 'P', 'Q', 'C', 'M', 'X':
			kind := map[byte]string{'P': "variable-length array", 'Q': "variable-length array", 'C': "complex", 'M': "complex", 'X': "bit array"}[f.code]
			return nil, fr.hduErr(h, h.start, ErrUnsupported, "column %q has TFORM %d%c (%s), which is not supported; read only the other columns", f.name, f.repeat, f.code, kind)
		}
		if f.repeat == 0 {
			continue
		}
		sel = append(sel, f)
	}
	for c := range want {
		return nil, fr.hduErr(h, h.start, ErrNoColumn, "no column %q; the table has %s", c, quoteList(names))
	}
	// Memory and size checks before reading any data.
	cells := int64(0)
	for _, f := range sel {
		if f.code == 'A' {
			cells += 2 + f.repeat/8
		} else {
			cells += f.repeat
		}
	}
	if cells > maxColumns {
		return nil, fr.hduErr(h, h.start, ErrUnsupported, "the fields' repeat counts make %d columns, more than %d; read fewer columns", cells, maxColumns)
	}
	lo, hi, err := opts.rowRange(fr.name, rows)
	if err != nil {
		return nil, err
	}
	kept := hi - lo
	need, ok1 := mulCheck(kept, cells*8)
	need += cells * columnOverhead
	tableBytes, ok2 := mulCheck(rows, rowBytes)
	keptBytes, ok3 := mulCheck(kept, rowBytes)
	maxBytes := opts.maxBytes()
	if !ok1 || !ok2 || !ok3 || need > maxBytes || keptBytes > maxBytes {
		what := fmt.Sprintf("the table of %d rows × %d bytes (NAXIS2 × NAXIS1)", rows, rowBytes)
		if kept != rows {
			what = fmt.Sprintf("rows [%d, %d) of the table of %d rows × %d bytes (NAXIS2 × NAXIS1)", lo, hi, rows, rowBytes)
		}
		return nil, fr.hduErr(h, h.start, ErrTooLarge, "%s would take %s in memory, more than the limit of %s; raise the memory limit if the machine has the memory, or read fewer columns",
			what, HumanBytes(max(need, keptBytes)), HumanBytes(maxBytes))
	}
	if dataSize < tableBytes {
		return nil, fr.hduErr(h, h.start, ErrFormat, "the data size %d is less than NAXIS1 × NAXIS2 = %d", dataSize, tableBytes)
	}
	if fr.size >= 0 && fr.off+tableBytes > fr.size {
		return nil, fr.hduErr(h, fr.size, ErrTruncated, "the header declares %d rows of %d bytes from byte %d, but the file ends after %d bytes of data; the file was cut short: copy or download it again",
			rows, rowBytes, fr.off, fr.size-fr.off)
	}
	// Output columns.
	prealloc := kept
	if fr.size < 0 {
		prealloc = min(kept, 1<<16)
	}
	type outCol struct {
		f     *fitsField
		k     int64 // element within the field
		col   column
		exact bool // integers kept exactly
	}
	var outs []outCol
	for i := range sel {
		f := &sel[i]
		if f.code == 'A' {
			outs = append(outs, outCol{f: f, col: column{name: f.name, unit: f.unit, text: make([]string, 0, prealloc)}})
			continue
		}
		exact := strings.ContainsRune("BIJK", rune(f.code)) && f.scale == 1 && f.zero == math.Trunc(f.zero) && math.Abs(f.zero) < 1<<62
		for k := int64(0); k < f.repeat; k++ {
			name := f.name
			if f.repeat > 1 {
				name = fmt.Sprintf("%s_%d", f.name, k)
			}
			c := column{name: name, unit: f.unit, num: make([]float64, 0, prealloc)}
			if exact {
				c.ints = make([]int64, 0, prealloc)
			}
			outs = append(outs, outCol{f: f, k: k, col: c, exact: exact})
		}
	}
	unsigned64 := func(f *fitsField) bool {
		return f.code == 'K' && f.scale == 1 && f.zeroStr != "" && strings.TrimLeft(strings.TrimSuffix(strings.TrimSuffix(f.zeroStr, ".0"), "."), "+") == "9223372036854775808"
	}
	if len(outs) == 0 {
		return &Table{}, nil // no columns to read, however many rows
	}
	// truncated reports a file that ends inside row i (0-based), at offset.
	truncated := func(i, offset int64) error {
		return &ParseError{File: fr.name, Row: int(i + 1), Offset: offset,
			Err: cause(ErrTruncated, "HDU %d: the file ends inside row %d of %d (%s); the file was cut short: copy or download it again", h.hduNum, i+1, rows, ErrTruncated)}
	}
	if lo > 0 {
		d, err := skipper(fr.r, fr.src)(lo * rowBytes)
		if fr.off += d; err != nil {
			return nil, truncated(d/rowBytes, fr.off)
		}
	}
	buf := make([]byte, rowBytes)
	be := binary.BigEndian
	for i := lo; i < hi; i++ {
		if n, err := io.ReadFull(fr.r, buf); err != nil {
			return nil, truncated(i, fr.off+int64(n))
		}
		fr.off += rowBytes
		for j := range outs {
			o := &outs[j]
			f := o.f
			if f.code == 'A' {
				b := buf[f.offset : f.offset+f.width]
				if z := indexByte(b, 0); z >= 0 {
					b = b[:z]
				}
				o.col.text = append(o.col.text, strings.ToValidUTF8(strings.TrimRight(string(b), " "), "\uFFFD"))
				continue
			}
			size := f.typeSize()
			b := buf[f.offset+o.k*size : f.offset+(o.k+1)*size]
			var v float64
			var raw int64
			isInt := false
			switch f.code {
			case 'L':
				switch b[0] {
				case 'T':
					v = 1
				case 'F':
					v = 0
				default:
					v = math.NaN()
				}
			case 'B':
				raw, isInt = int64(b[0]), true
			case 'I':
				raw, isInt = int64(int16(be.Uint16(b))), true
			case 'J':
				raw, isInt = int64(int32(be.Uint32(b))), true
			case 'K':
				raw, isInt = int64(be.Uint64(b)), true
			case 'E':
				v = float64(math.Float32frombits(be.Uint32(b)))
			case 'D':
				v = math.Float64frombits(be.Uint64(b))
			}
			if isInt {
				switch {
				case f.hasNull && raw == f.null:
					v = math.NaN()
				case unsigned64(f):
					v = float64(uint64(raw) ^ 1<<63)
				default:
					v = f.zero + f.scale*float64(raw)
				}
				if o.exact {
					o.col.ints = append(o.col.ints, raw+int64(f.zero))
				}
			} else if f.code != 'L' && (f.scale != 1 || f.zero != 0) {
				v = f.zero + f.scale*v
			}
			o.col.num = append(o.col.num, v)
		}
	}
	t := &Table{}
	for _, o := range outs {
		if err := t.addColumn(o.col); err != nil {
			return nil, fr.hduErr(h, h.start, ErrHeader, "%v", err)
		}
	}
	t.n = int(kept)
	return t, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
