package table

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Formats understood by ReadFile and WriteFile.
const (
	FormatCSV   = "csv"
	FormatTSV   = "tsv"
	FormatASCII = "ascii"
	FormatNPY   = "npy"
	FormatNPZ   = "npz"
	FormatFITS  = "fits"
	FormatECSV  = "ecsv"
)

const (
	// maxColumns bounds the number of columns a file may give.
	maxColumns = 1 << 20
	// columnOverhead is the memory counted per column, whatever its length.
	columnOverhead = 64
)

// ReadOptions control ReadFile and Read. The zero value reads the format
// given by the file name's extension with the default memory limit.
type ReadOptions struct {
	// Format is one of the Format constants; "" means: from the file name's
	// extension (.csv; .ecsv; .tsv .tab; .dat .txt .isoc .cmd .iso .ascii;
	// .npy; .npz; .fits .fit .fts), a trailing .gz being decompressed, and
	// from the file's first bytes when the extension says nothing.
	Format string

	// HDU selects the FITS header-data unit holding the table, numbered as
	// astropy does (the primary HDU is 0, the first extension 1). 0 means
	// the first BINTABLE extension.
	HDU int

	// MaxBytes bounds the memory a table may take (8 bytes per cell) and
	// the size of the file read. A file that would exceed it is refused up
	// front, from its size or its header, with an error wrapping
	// ErrTooLarge. 0 means DefaultMaxBytes().
	MaxBytes int64

	// Columns, if not empty, selects the columns to keep, in this order
	// (an absent one is an error wrapping ErrNoColumn). The FITS reader
	// decodes only these fields, so a table with a field of an unsupported
	// type can still be read; a vector field named here gives all its
	// columns name_0 …, in the file's order.
	Columns []string

	// UnitsRow says that in a CSV/TSV file the line after the header gives
	// the columns' units.
	UnitsRow bool

	// Rows, if not nil, selects a contiguous range of rows: it is called
	// once with the table's number of rows and returns the range [lo, hi)
	// to keep (0 ≤ lo ≤ hi ≤ total; anything else is an error). NPY, NPZ
	// and FITS files are read from the header on: the rows before lo are
	// skipped (a seek in a file), those after hi are not read, and the
	// memory limit applies to the range only, so a shard of a catalogue
	// larger than memory can be read (ReadFile then does not refuse the
	// file for its size). ReadFile reads a text file (CSV, TSV, ECSV,
	// ASCII) twice: once to count and check its rows and decide its
	// columns' kinds, as a whole read would, then to keep the range, so the
	// memory limit applies to the range there too. Read, which cannot
	// read its stream twice, reads text whole, then cuts it.
	Rows func(total int) (lo, hi int)

	// span, when set, makes a text reader keep only the rows [lo, hi)
	// while it checks every row, and count them in total.
	span *rowSpan
}

// rowSpan is the row range a text reader keeps, and the rows it read.
type rowSpan struct{ lo, hi, total int }

// rowRange returns the rows [lo, hi) that opts keep of a table of total
// rows.
func (o ReadOptions) rowRange(name string, total int64) (lo, hi int64, err error) {
	if o.Rows == nil {
		return 0, total, nil
	}
	l, h := o.Rows(int(total))
	if l < 0 || h < l || int64(h) > total {
		return 0, 0, &ParseError{File: name, Offset: -1, Err: cause(ErrFormat, "row range [%d, %d) is not within the table's %d rows", l, h, total)}
	}
	return int64(l), int64(h), nil
}

// cutRows applies opts.Rows to a table read whole.
func cutRows(t *Table, name string, opts ReadOptions) (*Table, error) {
	if opts.Rows == nil {
		return t, nil
	}
	lo, hi, err := opts.rowRange(name, int64(t.n))
	if err != nil {
		return nil, err
	}
	if lo == 0 && hi == int64(t.n) {
		return t, nil
	}
	idx := make([]int, hi-lo)
	for i := range idx {
		idx[i] = int(lo) + i
	}
	return t.Rows(idx), nil
}

// skipper returns a function that skips n bytes of br, a buffered reader
// of src, and returns how many it skipped: by seeking src when it is an
// io.Seeker and n is more than br holds, by reading through otherwise.
// Like reading through, a seek that would pass the end of src stops there
// and returns io.EOF with the bytes there were to skip, so that errors
// report where the data really ends.
func skipper(br *bufio.Reader, src io.Reader) func(n int64) (int64, error) {
	return func(n int64) (int64, error) {
		if s, ok := src.(io.Seeker); ok && n > int64(br.Buffered()) {
			if d, ok, err := seekSkip(br, s, n); ok {
				br.Reset(src)
				return d, err
			}
		}
		done := int64(0)
		for done < n {
			d, err := br.Discard(int(min(n-done, 1<<30)))
			done += int64(d)
			if err != nil {
				return done, err
			}
		}
		return done, nil
	}
}

// seekSkip skips n bytes of br by seeking s, its source. ok is false when
// s cannot seek (a pipe), and s is then where it was.
func seekSkip(br *bufio.Reader, s io.Seeker, n int64) (skipped int64, ok bool, err error) {
	pos, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false, nil
	}
	at := pos - int64(br.Buffered()) // the reader's position in s
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		s.Seek(pos, io.SeekStart)
		return 0, false, nil
	}
	skipped, err = n, nil
	if at+n > end {
		skipped, err = max(end-at, 0), io.EOF
	}
	if _, serr := s.Seek(at+skipped, io.SeekStart); serr != nil {
		s.Seek(pos, io.SeekStart)
		return 0, false, nil
	}
	return skipped, true, err
}

func (o ReadOptions) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes()
}

var (
	defaultMaxOnce sync.Once
	defaultMax     int64
)

// DefaultMaxBytes returns the default memory limit for reading a table:
// half the physical memory (from /proc/meminfo), at most 4 GiB; 4 GiB when
// the physical memory is unknown.
func DefaultMaxBytes() int64 {
	defaultMaxOnce.Do(func() {
		defaultMax = 4 << 30
		if total := physicalMemory(); total > 0 && total/2 < defaultMax {
			defaultMax = total / 2
		}
	})
	return defaultMax
}

func physicalMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// pathErr strips the file name from an *fs.PathError, since ParseError
// names the file already.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: check the path (relative paths start at the kernel's working directory)", pe.Err)
		}
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// HumanBytes formats a size in bytes for messages: 1.5 GiB, 300.0 MiB.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// formatFromName returns the format implied by a file name and whether it
// is gzip-compressed.
func formatFromName(name string) (format string, gz bool) {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".gz") {
		gz = true
		lower = strings.TrimSuffix(lower, ".gz")
	}
	switch filepath.Ext(lower) {
	case ".csv":
		return FormatCSV, gz
	case ".ecsv":
		return FormatECSV, gz
	case ".tsv", ".tab":
		return FormatTSV, gz
	case ".dat", ".txt", ".isoc", ".cmd", ".iso", ".ascii":
		return FormatASCII, gz
	case ".npy":
		return FormatNPY, gz
	case ".npz":
		return FormatNPZ, gz
	case ".fits", ".fit", ".fts":
		return FormatFITS, gz
	}
	return "", gz
}

// sniff guesses the format from the first bytes of a file.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x93NUMPY")):
		return FormatNPY
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return FormatNPZ
	case bytes.HasPrefix(head, []byte("SIMPLE  =")):
		return FormatFITS
	case bytes.HasPrefix(head, []byte("# %ECSV")):
		return FormatECSV
	}
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	switch {
	case bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")):
		return FormatASCII
	case bytes.Count(line, []byte(",")) > 0:
		return FormatCSV
	case bytes.Count(line, []byte("\t")) > 0 && bytes.Count(line, []byte(" ")) == 0:
		return FormatTSV
	}
	return FormatASCII
}

func checkFormat(f string) error {
	switch f {
	case FormatCSV, FormatTSV, FormatASCII, FormatNPY, FormatNPZ, FormatFITS, FormatECSV:
		return nil
	}
	return cause(ErrFormat, "unknown format %q: use one of csv, tsv, ecsv, ascii, npy, npz, fits", f)
}

// ReadFile reads a table from a file; see ReadOptions for the choice of
// format and the memory limit. Errors are *ParseError values naming the
// file (a missing file wraps fs.ErrNotExist).
func ReadFile(path string, opts ReadOptions) (*Table, error) {
	return ReadFileContext(context.Background(), path, opts)
}

// ReadFileContext is ReadFile that stops reading when ctx is cancelled: it
// checks ctx before every read from the file and then returns an error
// wrapping context.Cause(ctx).
func ReadFileContext(ctx context.Context, path string, opts ReadOptions) (t *Table, err error) {
	defer func() {
		if err != nil && ctx.Err() != nil {
			t, err = nil, &ParseError{File: path, Offset: -1, Err: fmt.Errorf("reading stopped: %w", context.Cause(ctx))}
		}
	}()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if opts.Format != "" {
		if err := checkFormat(opts.Format); err != nil {
			return nil, &ParseError{File: path, Offset: -1, Err: err}
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, &ParseError{File: path, Offset: -1, Err: pathErr(err)}
	}
	if st.IsDir() {
		return nil, &ParseError{File: path, Offset: -1, Err: cause(ErrFormat, "is a directory, not a table file")}
	}
	format, gz := formatFromName(path)
	if opts.Format != "" {
		format = opts.Format
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &ParseError{File: path, Offset: -1, Err: pathErr(err)}
	}
	defer f.Close()
	if format == "" && !gz && opts.Rows != nil && st.Mode().IsRegular() {
		// Whether the file may exceed the memory limit depends on its
		// format: sniff it as readFormat would.
		head := make([]byte, 4096)
		n, _ := f.ReadAt(head, 0)
		format = sniff(head[:n])
	}
	maxBytes := opts.maxBytes()
	text := isText(format) && st.Mode().IsRegular()
	ranged := opts.Rows != nil && (format == FormatNPY || format == FormatNPZ || format == FormatFITS || text)
	if st.Size() > maxBytes && !ranged {
		return nil, &ParseError{File: path, Offset: -1, Err: cause(ErrTooLarge,
			"the file is %s, more than the memory limit of %s; raise the memory limit if the machine has the memory, or split the file",
			HumanBytes(st.Size()), HumanBytes(maxBytes))}
	}
	if opts.Rows != nil && text {
		return readTextRows(path, opts, func(opts ReadOptions) (*Table, error) {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return nil, &ParseError{File: path, Offset: -1, Err: pathErr(err)}
			}
			return readOpen(ctx, f, path, format, gz, nil, opts)
		})
	}
	return readOpen(ctx, f, path, format, gz, st, opts)
}

// isText says whether format is one of the text formats.
func isText(format string) bool {
	switch format {
	case FormatCSV, FormatTSV, FormatASCII, FormatECSV:
		return true
	}
	return false
}

// readText reads a table in the text format format (isText).
func readText(r io.Reader, name, format string, opts ReadOptions) (*Table, error) {
	switch format {
	case FormatCSV:
		return readDelimited(r, name, ',', opts)
	case FormatTSV:
		return readDelimited(r, name, '\t', opts)
	case FormatASCII:
		return readASCII(r, name, opts)
	}
	return readECSV(r, name, opts)
}

// readTextRows reads opts.Rows of a text table in two passes of read, which
// reads it from its start: the first checks every row and counts them,
// keeping none, the second keeps the range. Both decide the columns' kinds
// from every row, so the range has the kinds a whole read gives it.
func readTextRows(name string, opts ReadOptions, read func(ReadOptions) (*Table, error)) (*Table, error) {
	count := opts
	count.span = &rowSpan{}
	if _, err := read(count); err != nil {
		return nil, err
	}
	lo, hi, err := opts.rowRange(name, int64(count.span.total))
	if err != nil {
		return nil, err
	}
	keep := opts
	keep.span = &rowSpan{lo: int(lo), hi: int(hi)}
	t, err := read(keep)
	if err != nil {
		return nil, err
	}
	if keep.span.total != count.span.total {
		return nil, &ParseError{File: name, Offset: -1, Err: cause(ErrFormat, "the file changed while it was read (%d rows, then %d); read it again when nothing writes it", count.span.total, keep.span.total)}
	}
	return t, nil
}

// readOpen reads the open file f from its current offset: through ctx,
// decompressed when gz. st gives its size, when known (nil: unknown).
func readOpen(ctx context.Context, f *os.File, path, format string, gz bool, st os.FileInfo, opts ReadOptions) (*Table, error) {
	var r io.Reader = f
	if ctx.Done() != nil {
		r = ctxFile{ctx, f}
	}
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, &ParseError{File: path, Offset: 0, Err: cause(ErrFormat, "not a gzip file: %v", err)}
		}
		defer zr.Close()
		return read(zr, path, format, -1, opts)
	}
	size := int64(-1) // a pipe or device: its size says nothing
	if st != nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return read(r, path, format, size, opts)
}

// ctxFile fails its reads once ctx is done. It is an io.ReaderAt as the
// file is, for the NPZ reader, and an io.Seeker, for row ranges.
type ctxFile struct {
	ctx context.Context
	f   *os.File
}

func (c ctxFile) Read(p []byte) (int, error) {
	if err := context.Cause(c.ctx); err != nil {
		return 0, err
	}
	return c.f.Read(p)
}

func (c ctxFile) ReadAt(p []byte, off int64) (int, error) {
	if err := context.Cause(c.ctx); err != nil {
		return 0, err
	}
	return c.f.ReadAt(p, off)
}

func (c ctxFile) Seek(off int64, whence int) (int64, error) {
	if err := context.Cause(c.ctx); err != nil {
		return 0, err
	}
	return c.f.Seek(off, whence)
}

// Read reads a table in the given format (opts.Format, else from name's
// extension, else sniffed from the first bytes) from r; name is used in
// error messages.
func Read(r io.Reader, name string, opts ReadOptions) (*Table, error) {
	format, gz := formatFromName(name)
	if opts.Format != "" {
		if err := checkFormat(opts.Format); err != nil {
			return nil, &ParseError{File: name, Offset: -1, Err: err}
		}
		format = opts.Format
	}
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, &ParseError{File: name, Offset: 0, Err: cause(ErrFormat, "not a gzip stream: %v", err)}
		}
		defer zr.Close()
		r = zr
	}
	return read(r, name, format, -1, opts)
}

// read dispatches to the format's reader. size is the number of bytes r
// holds, or -1 when unknown.
func read(r io.Reader, name, format string, size int64, opts ReadOptions) (*Table, error) {
	t, err := readFormat(r, name, format, size, opts)
	if err != nil || len(opts.Columns) == 0 {
		return t, err
	}
	sel, err := t.Select(opts.Columns...)
	if err != nil {
		if format == FormatFITS {
			return t, nil // a vector field became name_0 …: keep the file's order
		}
		return nil, &ParseError{File: name, Offset: -1, Err: err}
	}
	return sel, nil
}

func readFormat(r io.Reader, name, format string, size int64, opts ReadOptions) (*Table, error) {
	if format == "" {
		br := bufio.NewReaderSize(r, 4096)
		head, _ := br.Peek(4096)
		format = sniff(head)
		r = br
	}
	if isText(format) {
		t, err := readText(r, name, format, opts)
		if err != nil || opts.span != nil {
			return t, err
		}
		return cutRows(t, name, opts)
	}
	switch format {
	case FormatNPY:
		return readNPY(r, name, size, opts)
	case FormatNPZ:
		return readNPZStream(r, name, size, opts.maxBytes(), opts.Rows)
	case FormatFITS:
		return readFITS(r, name, size, opts)
	}
	return nil, &ParseError{File: name, Offset: -1, Err: checkFormat(format)}
}
