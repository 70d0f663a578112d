package table

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

const npyMagic = "\x93NUMPY"

// maxNPYHeader bounds the header of a .npy file (NumPy's own limit is far
// lower for arrays it writes).
const maxNPYHeader = 1 << 20

// dtype is one NumPy scalar type.
type dtype struct {
	kind byte // 'f' float, 'i' signed, 'u' unsigned, 'b' bool, 'S' bytes, 'U' unicode, 'V' void
	size int  // bytes per item
	big  bool // big-endian
}

func (d dtype) String() string {
	order := "<"
	if d.big {
		order = ">"
	}
	if d.size == 1 || d.kind == 'S' || d.kind == 'V' {
		order = "|"
	}
	n := d.size
	if d.kind == 'U' {
		n /= 4
	}
	if d.kind == 'b' {
		return "|b1"
	}
	return fmt.Sprintf("%s%c%d", order, d.kind, n)
}

func (d dtype) isText() bool { return d.kind == 'S' || d.kind == 'U' }

// parseDescr parses a NumPy type string such as "<f8", "|b1", ">i4", "<U7".
func parseDescr(s string) (dtype, error) {
	if strings.TrimLeft(s, "<>|=") == "O" {
		return dtype{}, fmt.Errorf("the array holds Python objects (dtype 'O', saved with pickling); convert it to a numeric or string dtype in Python and save it again")
	}
	if len(s) < 2 {
		return dtype{}, fmt.Errorf("unknown dtype %q", s)
	}
	var d dtype
	switch s[0] {
	case '<', '|', '=':
		s = s[1:]
	case '>':
		d.big = true
		s = s[1:]
	}
	if len(s) < 2 {
		return dtype{}, fmt.Errorf("unknown dtype %q", s)
	}
	d.kind = s[0]
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 0 || n > 1<<20 {
		return dtype{}, fmt.Errorf("unknown dtype %q", s)
	}
	d.size = n
	switch d.kind {
	case 'f':
		if n != 2 && n != 4 && n != 8 {
			return dtype{}, fmt.Errorf("float%d is not supported (float16, float32 and float64 are)", 8*n)
		}
	case 'i', 'u':
		if n != 1 && n != 2 && n != 4 && n != 8 {
			return dtype{}, fmt.Errorf("%s is not a supported integer type", s)
		}
	case 'b':
		if n != 1 {
			return dtype{}, fmt.Errorf("bool of %d bytes", n)
		}
	case 'U':
		if n > 1<<18 {
			return dtype{}, fmt.Errorf("string type %q too long", s)
		}
		d.size = 4 * n
	case 'S', 'V':
	case 'O':
		return dtype{}, fmt.Errorf("the array holds Python objects (dtype 'O', saved with pickling); convert it to a numeric or string dtype in Python and save it again")
	case 'c':
		return dtype{}, fmt.Errorf("complex numbers (dtype %q) are not supported; save the real and imaginary parts as separate columns", s)
	case 'M', 'm':
		return dtype{}, fmt.Errorf("dates and times (dtype %q) are not supported; convert them to numbers (e.g. MJD) first", s)
	default:
		return dtype{}, fmt.Errorf("unknown dtype %q", s)
	}
	return d, nil
}

// float decodes one numeric item.
func (d dtype) float(b []byte) float64 {
	var bo binary.ByteOrder = binary.LittleEndian
	if d.big {
		bo = binary.BigEndian
	}
	switch d.kind {
	case 'f':
		switch d.size {
		case 2:
			return halfToFloat(bo.Uint16(b))
		case 4:
			return float64(math.Float32frombits(bo.Uint32(b)))
		default:
			return math.Float64frombits(bo.Uint64(b))
		}
	case 'u':
		return float64(d.uint(b, bo))
	case 'b':
		if b[0] != 0 {
			return 1
		}
		return 0
	default:
		return float64(d.int(b, bo))
	}
}

func (d dtype) uint(b []byte, bo binary.ByteOrder) uint64 {
	switch d.size {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(bo.Uint16(b))
	case 4:
		return uint64(bo.Uint32(b))
	}
	return bo.Uint64(b)
}

func (d dtype) int(b []byte, bo binary.ByteOrder) int64 {
	switch d.size {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(bo.Uint16(b)))
	case 4:
		return int64(int32(bo.Uint32(b)))
	}
	return int64(bo.Uint64(b))
}

// text decodes one 'S' or 'U' item, without trailing NULs.
func (d dtype) text(b []byte) string {
	if d.kind == 'S' {
		for len(b) > 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if d.big {
		bo = binary.BigEndian
	}
	rs := make([]rune, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		rs = append(rs, rune(bo.Uint32(b[i:])))
	}
	for len(rs) > 0 && rs[len(rs)-1] == 0 {
		rs = rs[:len(rs)-1]
	}
	for i, r := range rs {
		if !utf8.ValidRune(r) {
			rs[i] = utf8.RuneError
		}
	}
	return string(rs)
}

func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

// npyField is one output column of a .npy array: the dtype and the byte
// offset of its value within a record.
type npyField struct {
	name   string
	dt     dtype
	offset int
}

// npyHeader is a parsed .npy header.
type npyHeader struct {
	preamble int64 // bytes before the data
	descr    string
	shape    []int64
	fortran  bool
	itemsize int        // bytes per array element (record)
	fields   []npyField // for a structured dtype; nil for a plain one
	dt       dtype      // for a plain dtype
}

func (h *npyHeader) shapeString() string {
	s := make([]string, len(h.shape))
	for i, n := range h.shape {
		s[i] = strconv.FormatInt(n, 10)
	}
	if len(s) == 1 {
		return "(" + s[0] + ",)"
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// readNPYHeader reads the magic string, version and header dictionary.
func readNPYHeader(r io.Reader, name string) (*npyHeader, error) {
	bad := func(off int64, format string, args ...any) error {
		return &ParseError{File: name, Offset: off, Err: cause(ErrFormat, "%s", fmt.Sprintf(format, args...))}
	}
	var pre [10]byte
	if n, err := io.ReadFull(r, pre[:8]); err != nil {
		if n == 0 {
			return nil, bad(0, "empty file, not a NumPy .npy file")
		}
		return nil, &ParseError{File: name, Offset: int64(n), Err: cause(ErrTruncated, "the file ends inside the .npy magic string")}
	}
	if string(pre[:6]) != npyMagic {
		return nil, bad(0, "not a NumPy .npy file: it does not start with \\x93NUMPY")
	}
	major := pre[6]
	var hlen int64
	preamble := int64(10)
	switch major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, &ParseError{File: name, Offset: 8, Err: cause(ErrTruncated, "the file ends inside the .npy header")}
		}
		hlen = int64(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return nil, &ParseError{File: name, Offset: 8, Err: cause(ErrTruncated, "the file ends inside the .npy header")}
		}
		hlen = int64(binary.LittleEndian.Uint32(l[:]))
		preamble = 12
	default:
		return nil, bad(6, ".npy format version %d.%d is not supported (1.0, 2.0 and 3.0 are)", major, pre[7])
	}
	if hlen > maxNPYHeader {
		return nil, bad(8, ".npy header of %d bytes is implausibly long", hlen)
	}
	hb := make([]byte, hlen)
	if n, err := io.ReadFull(r, hb); err != nil {
		return nil, &ParseError{File: name, Offset: preamble + int64(n), Err: cause(ErrTruncated, "the file ends inside the .npy header, which declares %d bytes", hlen)}
	}
	h := &npyHeader{preamble: preamble + hlen}
	lit, err := parsePyLiteral(string(hb))
	if err != nil {
		return nil, bad(preamble, "bad .npy header: %v", err)
	}
	dict, ok := lit.(map[string]any)
	if !ok {
		return nil, bad(preamble, "bad .npy header: not a dictionary")
	}
	fortran, ok := dict["fortran_order"].(bool)
	if !ok {
		return nil, bad(preamble, "bad .npy header: no boolean 'fortran_order'")
	}
	h.fortran = fortran
	shape, ok := dict["shape"].(pyTuple)
	if !ok {
		return nil, bad(preamble, "bad .npy header: no 'shape' tuple")
	}
	for _, s := range shape {
		n, ok := s.(int64)
		if !ok || n < 0 {
			return nil, bad(preamble, "bad .npy header: shape %v", shape)
		}
		h.shape = append(h.shape, n)
	}
	switch d := dict["descr"].(type) {
	case string:
		h.descr = d
		h.dt, err = parseDescr(d)
		if err != nil {
			return nil, &ParseError{File: name, Offset: preamble, Err: cause(ErrUnsupported, "%v", err)}
		}
		if h.dt.kind == 'V' {
			return nil, &ParseError{File: name, Offset: preamble, Err: cause(ErrUnsupported, "raw void dtype %q", d)}
		}
		h.itemsize = h.dt.size
	case []any:
		h.descr = fmt.Sprint(d)
		if err := h.parseFields(d); err != nil {
			return nil, &ParseError{File: name, Offset: preamble, Err: cause(ErrUnsupported, "structured dtype: %v", err)}
		}
	default:
		return nil, bad(preamble, "bad .npy header: no 'descr'")
	}
	return h, nil
}

// parseFields reads a structured dtype: a list of (name, type) or
// (name, type, shape) tuples.
func (h *npyHeader) parseFields(descr []any) error {
	off := 0
	for _, f := range descr {
		tup, ok := f.(pyTuple)
		if !ok || len(tup) < 2 || len(tup) > 3 {
			return fmt.Errorf("field %v is not a (name, type[, shape]) tuple", f)
		}
		var name string
		switch n := tup[0].(type) {
		case string:
			name = n
		case pyTuple: // (title, name)
			if len(n) == 2 {
				name, _ = n[1].(string)
			}
		}
		ts, ok := tup[1].(string)
		if !ok {
			return fmt.Errorf("field %q has a nested structured type, which is not supported; flatten it", name)
		}
		dt, err := parseDescr(ts)
		if err != nil {
			return fmt.Errorf("field %q: %v", name, err)
		}
		count := int64(1)
		if len(tup) == 3 {
			shp, ok := tup[2].(pyTuple)
			if !ok {
				if n, isInt := tup[2].(int64); isInt {
					shp = pyTuple{n}
				} else {
					return fmt.Errorf("field %q has a bad shape %v", name, tup[2])
				}
			}
			for _, s := range shp {
				n, ok := s.(int64)
				if !ok || n < 0 || n > 1<<20 {
					return fmt.Errorf("field %q has a bad shape %v", name, shp)
				}
				count *= n
				if count > 1<<20 {
					return fmt.Errorf("field %q has too many elements", name)
				}
			}
		}
		if dt.kind == 'V' {
			if name != "" {
				return fmt.Errorf("field %q of raw void type %q", name, ts)
			}
			off += dt.size * int(count)
			continue // padding
		}
		if name == "" {
			name = fmt.Sprintf("f%d", len(h.fields))
		}
		if int64(len(h.fields))+count > maxColumns {
			return fmt.Errorf("more than %d columns", maxColumns)
		}
		for k := int64(0); k < count; k++ {
			fname := name
			if count > 1 {
				fname = fmt.Sprintf("%s_%d", name, k)
			}
			h.fields = append(h.fields, npyField{name: fname, dt: dt, offset: off})
			off += dt.size
		}
		if off > 1<<24 {
			return fmt.Errorf("record of more than %d bytes", 1<<24)
		}
	}
	if len(h.fields) == 0 {
		return fmt.Errorf("no fields")
	}
	h.itemsize = off
	return nil
}

// layout returns the number of rows and the output fields of each row,
// with offsets inside a row of rowBytes bytes (for a C-ordered array).
func (h *npyHeader) layout(name string) (rows int64, fields []npyField, err error) {
	if h.fields != nil {
		switch len(h.shape) {
		case 0:
			return 1, h.fields, nil
		case 1:
			return h.shape[0], h.fields, nil
		}
		return 0, nil, &ParseError{File: name, Offset: h.preamble, Err: cause(ErrUnsupported, "a structured array of shape %s: only 1-D structured arrays are tables", h.shapeString())}
	}
	var cols int64
	switch len(h.shape) {
	case 0:
		rows, cols = 1, 1
	case 1:
		rows, cols = h.shape[0], 1
	case 2:
		rows, cols = h.shape[0], h.shape[1]
	default:
		return 0, nil, &ParseError{File: name, Offset: h.preamble, Err: cause(ErrUnsupported, "an array of shape %s: only 1-D and 2-D arrays are tables; reshape it to 2-D (rows, columns) first", h.shapeString())}
	}
	if cols > maxColumns {
		return 0, nil, &ParseError{File: name, Offset: h.preamble, Err: cause(ErrUnsupported, "an array of shape %s has more than %d columns; is it transposed?", h.shapeString(), maxColumns)}
	}
	fields = make([]npyField, cols)
	for j := range fields {
		fields[j] = npyField{name: fmt.Sprintf("col%d", j), dt: h.dt, offset: j * h.dt.size}
	}
	return rows, fields, nil
}

// ReadNPY reads a NumPy .npy file: a 1-D array (one column, col0), a 2-D
// array (columns col0, col1, …; C or Fortran order), or a 1-D structured
// array (one column per field, named as the fields; a field of shape (k,)
// gives columns name_0 … name_k-1). Floating (f2, f4, f8), integer, bool
// and string ('S', 'U': text columns) types of either byte order are read.
// name is used in error messages; the memory limit is DefaultMaxBytes.
func ReadNPY(r io.Reader, name string) (*Table, error) {
	return readNPY(r, name, -1, ReadOptions{})
}

// readNPY reads a .npy file of size bytes (-1 if unknown) with opts'
// memory limit and row range.
func readNPY(r io.Reader, name string, size int64, opts ReadOptions) (*Table, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	h, err := readNPYHeader(br, name)
	if err != nil {
		return nil, err
	}
	rng := func(total int64) (int64, int64, error) { return opts.rowRange(name, total) }
	return readNPYData(br, skipper(br, r), name, h, size, opts.maxBytes(), rng)
}

func mulCheck(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if a > math.MaxInt64/b {
		return 0, false
	}
	return a * b, true
}

// readNPYData reads the array after the header h from r, keeping the rows
// [lo, hi) that rng returns for the array's number of rows; skip skips
// bytes of r.
func readNPYData(r io.Reader, skip func(int64) (int64, error), name string, h *npyHeader, size, maxBytes int64, rng func(total int64) (lo, hi int64, err error)) (*Table, error) {
	total, fields, err := h.layout(name)
	if err != nil {
		return nil, err
	}
	lo, hi, err := rng(total)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return &Table{}, nil // an array of shape (n, 0): no columns, however many rows
	}
	rows := hi - lo
	// Memory: 8 bytes per numeric cell, the item size per text cell.
	perRow := int64(0)
	for _, f := range fields {
		if f.dt.isText() {
			perRow += int64(f.dt.size) + 16
		} else {
			perRow += 8
		}
	}
	need, ok1 := mulCheck(rows, perRow)
	need += int64(len(fields)) * columnOverhead
	dataBytes, ok2 := mulCheck(total, int64(len(fields))*int64(h.dt.size))
	if h.fields != nil {
		dataBytes, ok2 = mulCheck(total, int64(h.itemsize))
	}
	if !ok1 || !ok2 || need > maxBytes {
		msg := "overflows int64"
		if ok1 {
			msg = HumanBytes(need)
		}
		return nil, &ParseError{File: name, Offset: 0, Err: cause(ErrTooLarge,
			"the array of shape %s and dtype %s would take %s in memory, more than the limit of %s; raise the memory limit if the machine has the memory, or load a slice",
			h.shapeString(), h.descr, msg, HumanBytes(maxBytes))}
	}
	if size >= 0 && h.preamble+dataBytes > size {
		return nil, &ParseError{File: name, Offset: size, Err: cause(ErrTruncated,
			"the header declares shape %s of %s, %d bytes of data after byte %d, but the file has only %d; the file was cut short: copy or save it again",
			h.shapeString(), h.descr, dataBytes, h.preamble, size-h.preamble)}
	}
	prealloc := rows
	if size < 0 {
		prealloc = min(rows, 1<<16)
	}
	cols := make([]column, len(fields))
	for j, f := range fields {
		cols[j].name = f.name
		switch {
		case f.dt.isText():
			cols[j].text = make([]string, 0, prealloc)
		case f.dt.kind == 'i' || f.dt.kind == 'u' && f.dt.size < 8:
			cols[j].ints = make([]int64, 0, prealloc)
			fallthrough
		default:
			cols[j].num = make([]float64, 0, prealloc)
		}
	}
	truncated := func(read int64) error {
		return &ParseError{File: name, Offset: h.preamble + read, Err: cause(ErrTruncated,
			"the data ends after %d of the %d bytes the header declares (shape %s, dtype %s); the file was cut short: copy or save it again",
			read, dataBytes, h.shapeString(), h.descr)}
	}
	appendCell := func(c *column, f npyField, b []byte) {
		switch {
		case c.text != nil:
			c.text = append(c.text, f.dt.text(b))
		case c.ints != nil:
			var bo binary.ByteOrder = binary.LittleEndian
			if f.dt.big {
				bo = binary.BigEndian
			}
			var v int64
			if f.dt.kind == 'u' {
				v = int64(f.dt.uint(b, bo))
			} else {
				v = f.dt.int(b, bo)
			}
			c.ints = append(c.ints, v)
			c.num = append(c.num, float64(v))
		default:
			c.num = append(c.num, f.dt.float(b))
		}
	}
	if h.fortran && len(h.shape) == 2 && h.fields == nil {
		// Column-major: each column is contiguous.
		item := int64(h.dt.size)
		buf := make([]byte, item)
		read := int64(0)
		for j, f := range fields {
			if lo > 0 {
				d, err := skip(lo * item)
				if read += d; err != nil {
					return nil, truncated(read)
				}
			}
			for i := int64(0); i < rows; i++ {
				if n, err := io.ReadFull(r, buf); err != nil {
					return nil, truncated(read + int64(n))
				}
				read += item
				appendCell(&cols[j], npyField{dt: f.dt}, buf)
			}
			if after := total - hi; after > 0 && j < len(fields)-1 {
				d, err := skip(after * item)
				if read += d; err != nil {
					return nil, truncated(read)
				}
			}
		}
	} else {
		rowBytes := int(dataBytes / max(total, 1))
		if total == 0 {
			rowBytes = 0
		}
		if lo > 0 {
			if d, err := skip(lo * int64(rowBytes)); err != nil {
				return nil, truncated(d)
			}
		}
		buf := make([]byte, rowBytes)
		for i := int64(0); i < rows; i++ {
			if n, err := io.ReadFull(r, buf); err != nil {
				return nil, truncated((lo+i)*int64(rowBytes) + int64(n))
			}
			for j, f := range fields {
				appendCell(&cols[j], f, buf[f.offset:f.offset+f.dt.size])
			}
		}
	}
	t := &Table{}
	for _, c := range cols {
		if err := t.addColumn(c); err != nil {
			return nil, &ParseError{File: name, Offset: h.preamble, Err: cause(ErrHeader, "%v", err)}
		}
	}
	t.n = int(rows)
	return t, nil
}

// npyHeaderBytes returns the preamble of a version 1.0 (or 2.0 when the
// header is long) .npy file.
func npyHeaderBytes(descr string, shape []int) []byte {
	s := make([]string, len(shape))
	for i, n := range shape {
		s[i] = strconv.Itoa(n)
	}
	shp := "(" + strings.Join(s, ", ") + ")"
	if len(shape) == 1 {
		shp = "(" + s[0] + ",)"
	}
	dict := fmt.Sprintf("{'descr': %s, 'fortran_order': False, 'shape': %s, }", descr, shp)
	pre := 10
	if len(dict)+1+pre > 65535 {
		pre = 12
	}
	total := (pre + len(dict) + 1 + 63) / 64 * 64
	hlen := total - pre
	out := make([]byte, 0, total)
	out = append(out, npyMagic...)
	if pre == 10 {
		out = append(out, 1, 0)
		out = binary.LittleEndian.AppendUint16(out, uint16(hlen))
	} else {
		out = append(out, 2, 0)
		out = binary.LittleEndian.AppendUint32(out, uint32(hlen))
	}
	out = append(out, dict...)
	for len(out) < total-1 {
		out = append(out, ' ')
	}
	return append(out, '\n')
}

func pyQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
