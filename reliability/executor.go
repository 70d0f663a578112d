package reliability

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/magics"
)

// Executor runs magics cells for a kernel, as the gocinn binary does
// (package main's adapter, which tests cannot import), and counts what it
// was asked to do, so that a test can tell whether a hostile message got a
// cell executed.
type Executor struct {
	Session *magics.Session

	executes atomic.Int64
}

// NewExecutor returns an Executor of a new magics session whose relative
// paths resolve against dir.
func NewExecutor(dir string) *Executor {
	return &Executor{Session: magics.NewSession(magics.Options{Dir: dir})}
}

// Executes returns how many cells Execute has been called for.
func (e *Executor) Executes() int64 { return e.executes.Load() }

// Execute runs a cell.
func (e *Executor) Execute(ctx context.Context, req kernel.Request, out kernel.Output) error {
	e.executes.Add(1)
	err := e.Session.Execute(ctx, req.Code, output{out})
	var me *magics.Error
	if errors.As(err, &me) {
		return &kernel.Error{Name: me.Kind, Value: me.Error(), Traceback: me.Traceback()}
	}
	return err
}

// Complete answers a complete_request.
func (e *Executor) Complete(code string, cursor int) kernel.Completion {
	m, start, end := e.Session.Complete(code, cursor)
	return kernel.Completion{Matches: m, CursorStart: start, CursorEnd: end}
}

// Inspect answers an inspect_request.
func (e *Executor) Inspect(code string, cursor, detail int) kernel.Inspection {
	d, ok := e.Session.Inspect(code, cursor, detail)
	if !ok {
		return kernel.Inspection{}
	}
	return kernel.Inspection{Found: true, Data: kernel.MIMEBundle(d.Data), Metadata: d.Metadata}
}

// IsComplete answers an is_complete_request.
func (e *Executor) IsComplete(code string) kernel.Completeness {
	status, indent := e.Session.IsComplete(code)
	return kernel.Completeness{Status: status, Indent: indent}
}

// output forwards magics output to the kernel.
type output struct{ out kernel.Output }

func (a output) Stdout(text string)       { a.out.Stream("stdout", text) }
func (a output) Stderr(text string)       { a.out.Stream("stderr", text) }
func (a output) Display(d magics.Display) { a.out.Display(toKernel(d)) }
func (a output) Update(d magics.Display)  { a.out.UpdateDisplay(toKernel(d)) }
func (a output) Clear(wait bool)          { a.out.ClearOutput(wait) }
func (a output) Result(d magics.Display)  { a.out.ExecuteResult(toKernel(d)) }
func (a output) Page(d magics.Display)    { a.out.Page(kernel.MIMEBundle(d.Data), 0) }

func (a output) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return a.out.Input(ctx, prompt, password)
}

func toKernel(d magics.Display) kernel.Display {
	return kernel.Display{Data: kernel.MIMEBundle(d.Data), Metadata: d.Metadata, DisplayID: d.ID}
}
