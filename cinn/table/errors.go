package table

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. The errors returned by this package wrap one of them, so
// callers can test with errors.Is; a missing file wraps fs.ErrNotExist.
var (
	ErrNoColumn    = errors.New("no such column")
	ErrTextColumn  = errors.New("column kind mismatch (text vs numeric)")
	ErrSyntax      = errors.New("not a number")
	ErrRagged      = errors.New("wrong number of fields")
	ErrHeader      = errors.New("bad header")
	ErrTruncated   = errors.New("file is truncated")
	ErrTooLarge    = errors.New("too large to load")
	ErrFormat      = errors.New("unrecognised or malformed format")
	ErrUnsupported = errors.New("unsupported data type")
	ErrMissing     = errors.New("missing value")
	ErrNotFinite   = errors.New("infinite value")
)

// ParseError describes a failure to read a file: where it happened and why.
// Fields that do not apply are zero (Offset is -1 when unknown).
type ParseError struct {
	File   string // file name (or the name given to a Read function)
	Line   int    // 1-based line of a text file, 0 if not applicable
	Row    int    // 1-based data row, 0 if not applicable
	Col    string // column name, "" if not applicable
	Offset int64  // byte offset in the file, -1 if unknown
	Err    error  // the cause; wraps one of the package's sentinels
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("table: ")
	b.WriteString(e.File)
	sep := ": "
	if e.Line > 0 {
		fmt.Fprintf(&b, "%sline %d", sep, e.Line)
		sep = ", "
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, "%srow %d", sep, e.Row)
		sep = ", "
	}
	if e.Col != "" {
		fmt.Fprintf(&b, "%scolumn %q", sep, e.Col)
		sep = ", "
	}
	if e.Offset >= 0 {
		fmt.Fprintf(&b, "%sbyte %d", sep, e.Offset)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ColumnError reports a column that is absent or of the wrong kind.
type ColumnError struct {
	Name string   // the column asked for
	Have []string // the columns that exist (of the kind asked for)
	Err  error    // ErrNoColumn or ErrTextColumn
}

func (e *ColumnError) Error() string {
	switch {
	case errors.Is(e.Err, ErrTextColumn) && len(e.Have) == 0:
		return fmt.Sprintf("table: column %q is of the other kind (text vs numeric), and there are no columns of the kind asked for", e.Name)
	case errors.Is(e.Err, ErrTextColumn):
		return fmt.Sprintf("table: column %q is of the other kind (text vs numeric); columns of the kind asked for: %s", e.Name, quoteList(clipList(e.Have, 60)))
	}
	msg := fmt.Sprintf("table: no column %q", e.Name)
	if near := closest(e.Name, e.Have); len(near) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", quoteList(near))
	}
	if len(e.Have) == 0 {
		return msg + "; the table has no columns"
	}
	return msg + "; columns: " + quoteList(clipList(e.Have, 60))
}

// clipList shortens a long list of names for a message.
func clipList(names []string, n int) []string {
	if len(names) <= n {
		return names
	}
	return append(append([]string{}, names[:n]...), fmt.Sprintf("… %d more", len(names)-n))
}

func (e *ColumnError) Unwrap() error { return e.Err }

// ValueError reports a value that is not allowed where it is: a missing or
// infinite value in a matrix for training, for example.
type ValueError struct {
	Col   string
	Row   int // 0-based row index
	Value float64
	Err   error // ErrMissing or ErrNotFinite
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("table: column %q, row %d (0-based): %v (%v); drop such rows with DropMissing or Filter, or fill them", e.Col, e.Row, e.Value, e.Err)
}

func (e *ValueError) Unwrap() error { return e.Err }

// causeError attaches a human explanation to a sentinel.
type causeError struct {
	msg string
	err error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.err }

// cause returns an error wrapping sentinel whose message is the formatted text.
func cause(sentinel error, format string, args ...any) error {
	return &causeError{msg: fmt.Sprintf(format, args...), err: sentinel}
}
