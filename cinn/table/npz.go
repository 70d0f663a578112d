package table

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadNPZ reads a NumPy .npz archive (np.savez or np.savez_compressed) of
// size bytes. Each .npy member gives columns: a 1-D array one column named
// by its key, a 2-D array of k columns key_0 … key_k-1, a structured array
// one column per field. All arrays must have the same number of rows.
// Members that are not .npy files are ignored. name is used in errors; the
// memory limit is DefaultMaxBytes.
func ReadNPZ(r io.ReaderAt, size int64, name string) (*Table, error) {
	return readNPZ(r, size, name, DefaultMaxBytes(), nil)
}

// readNPZStream reads an .npz archive from a stream, holding it in memory
// when r is not an io.ReaderAt of known size.
func readNPZStream(r io.Reader, name string, size, maxBytes int64, rows func(int) (int, int)) (*Table, error) {
	if ra, ok := r.(io.ReaderAt); ok && size >= 0 {
		return readNPZ(ra, size, name, maxBytes, rows)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, &ParseError{File: name, Offset: int64(len(data)), Err: err}
	}
	if int64(len(data)) > maxBytes {
		return nil, &ParseError{File: name, Offset: -1, Err: cause(ErrTooLarge, "the archive is larger than the memory limit of %s; raise the memory limit", HumanBytes(maxBytes))}
	}
	return readNPZ(bytes.NewReader(data), int64(len(data)), name, maxBytes, rows)
}

// readNPZ reads an archive, keeping of every array the rows [lo, hi) that
// rows returns for the arrays' common length (all when nil).
func readNPZ(r io.ReaderAt, size int64, name string, maxBytes int64, rows func(int) (int, int)) (*Table, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &ParseError{File: name, Offset: -1, Err: cause(ErrFormat, "not a NumPy .npz (zip) archive: %v", err)}
	}
	out := &Table{}
	first := ""
	budget := maxBytes
	// Every array must have the first one's length; the range is asked
	// for once.
	firstTotal, lo, hi := int64(-1), int64(0), int64(0)
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".npy") {
			continue
		}
		key := strings.TrimSuffix(f.Name, ".npy")
		member := fmt.Sprintf("%s (array %q)", name, key)
		rng := func(total int64) (int64, int64, error) {
			if firstTotal < 0 {
				firstTotal = total
				var err error
				lo, hi, err = ReadOptions{Rows: rows}.rowRange(name, total)
				return lo, hi, err
			}
			if total != firstTotal {
				return 0, 0, raggedNPZ(member, total, first, firstTotal)
			}
			return lo, hi, nil
		}
		sub, err := readNPZMember(f, member, budget, rng)
		if err != nil {
			return nil, err
		}
		budget -= int64(sub.n) * 8 * int64(len(sub.cols))
		if first != "" && sub.n != out.n { // an array of shape (n, 0) has no rows
			return nil, raggedNPZ(member, int64(sub.n), first, int64(out.n))
		}
		for i, c := range sub.cols {
			switch {
			case sub.structured:
				if out.Has(c.name) {
					c.name = key + "." + c.name
				}
			case len(sub.cols) == 1 && !sub.twoD:
				c.name = key
			default:
				c.name = fmt.Sprintf("%s_%d", key, i)
			}
			if err := out.addColumn(c); err != nil {
				return nil, &ParseError{File: member, Offset: -1, Err: cause(ErrHeader, "%v", err)}
			}
		}
		if first == "" {
			first = key
			out.n = sub.n
		}
	}
	if first == "" {
		return nil, &ParseError{File: name, Offset: -1, Err: cause(ErrFormat, "the archive holds no .npy arrays")}
	}
	return out, nil
}

// raggedNPZ is the error of an array of n rows in an archive whose array
// first has firstN.
func raggedNPZ(member string, n int64, first string, firstN int64) error {
	return &ParseError{File: member, Offset: -1, Err: cause(ErrRagged,
		"%d rows, but array %q has %d; the arrays of an .npz are read as columns of one table and must have equal lengths", n, first, firstN)}
}

// npzMember is one array of an .npz archive as columns.
type npzMember struct {
	cols       []column
	n          int
	structured bool
	twoD       bool
}

func readNPZMember(f *zip.File, member string, budget int64, rng func(int64) (int64, int64, error)) (*npzMember, error) {
	rc, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, &ParseError{File: member, Offset: -1, Err: cause(ErrUnsupported, "zip compression method %d is not supported (stored and deflated are)", f.Method)}
		}
		return nil, &ParseError{File: member, Offset: -1, Err: cause(ErrFormat, "%v", err)}
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<16)
	h, err := readNPYHeader(br, member)
	if err != nil {
		return nil, err
	}
	size := int64(-1)
	if f.UncompressedSize64 < 1<<62 {
		size = int64(f.UncompressedSize64)
	}
	t, err := readNPYData(br, skipper(br, rc), member, h, size, budget, rng)
	if err != nil {
		return nil, err
	}
	// Drain what is left so that the zip reader checks the CRC.
	if _, err := io.Copy(io.Discard, io.LimitReader(br, 1<<20)); err != nil {
		return nil, &ParseError{File: member, Offset: -1, Err: cause(ErrFormat, "corrupt archive member: %v", err)}
	}
	return &npzMember{cols: t.cols, n: t.n, structured: h.fields != nil, twoD: len(h.shape) == 2}, nil
}
