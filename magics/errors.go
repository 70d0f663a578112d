package magics

import (
	"fmt"
	"strings"
)

// Error is a failed command of a cell. Kind is the error's name as the
// notebook shows it (UsageError, SyntaxError, DataError, ModelError, ...);
// Line is the 1-based line of the cell; Hint says what to do.
type Error struct {
	Kind    string
	Line    int
	Command string
	Msg     string
	Hint    string
	Err     error // the underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Command != "" {
		fmt.Fprintf(&b, "%%%s: ", e.Command)
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("\n" + e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Traceback is the error as lines for the notebook's error display.
func (e *Error) Traceback() []string {
	kind := e.Kind
	if kind == "" {
		kind = "Error"
	}
	var lines []string
	head := "\x1b[0;31m" + kind + "\x1b[0m"
	if e.Line > 0 {
		head += fmt.Sprintf(" (line %d", e.Line)
		if e.Command != "" {
			head += ", %" + e.Command
		}
		head += ")"
	}
	lines = append(lines, head+": "+e.Msg)
	if e.Hint != "" {
		lines = append(lines, e.Hint)
	}
	return lines
}

// Errorf makes a command error of the given kind; the session fills in the
// line and command name.
func Errorf(kind, hint, format string, a ...any) *Error {
	var err error
	for _, x := range a {
		if e, ok := x.(error); ok {
			err = e
		}
	}
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, a...), Hint: hint, Err: err}
}
