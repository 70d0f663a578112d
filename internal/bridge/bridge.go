// Package bridge connects the notebook commands to the Jupyter kernel: it
// adapts a magics.Session to kernel.Executor and the kernel's Output to
// magics.Output, so that neither package knows the other. The gocinn
// binary and the reliability tests use the same adapter.
package bridge

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/magics"
)

// Executor runs cells of magic commands for a kernel. It counts the cells
// it was asked to run, so that a test can tell whether a message got a
// cell executed.
type Executor struct {
	Session *magics.Session

	executes atomic.Int64
}

// New returns an Executor of a new magics session.
func New(opts magics.Options) *Executor {
	return &Executor{Session: magics.NewSession(opts)}
}

// Executes returns how many cells Execute has been called for.
func (e *Executor) Executes() int64 { return e.executes.Load() }

// Execute runs a cell; a magics.Error becomes a kernel.Error with its kind,
// message and traceback.
func (e *Executor) Execute(ctx context.Context, req kernel.Request, out kernel.Output) error {
	e.executes.Add(1)
	err := e.Session.Execute(ctx, req.Code, Output{out})
	var me *magics.Error
	if errors.As(err, &me) {
		return &kernel.Error{Name: me.Kind, Value: me.Error(), Traceback: me.Traceback()}
	}
	return err
}

// Complete answers a complete_request.
func (e *Executor) Complete(code string, cursor int) kernel.Completion {
	m, start, end := e.Session.Complete(code, cursor)
	if m == nil {
		m = []string{}
	}
	return kernel.Completion{Matches: m, CursorStart: start, CursorEnd: end, Metadata: map[string]any{}}
}

// Inspect answers an inspect_request.
func (e *Executor) Inspect(code string, cursor, detail int) kernel.Inspection {
	d, ok := e.Session.Inspect(code, cursor, detail)
	if !ok {
		return kernel.Inspection{Found: false, Data: kernel.MIMEBundle{}, Metadata: map[string]any{}}
	}
	return kernel.Inspection{Found: true, Data: kernel.MIMEBundle(d.Data), Metadata: metadataOf(d)}
}

// IsComplete answers an is_complete_request.
func (e *Executor) IsComplete(code string) kernel.Completeness {
	status, indent := e.Session.IsComplete(code)
	return kernel.Completeness{Status: status, Indent: indent}
}

// Output forwards magics output to the kernel's publisher.
type Output struct{ Out kernel.Output }

func (a Output) Stdout(text string)       { a.Out.Stream("stdout", text) }
func (a Output) Stderr(text string)       { a.Out.Stream("stderr", text) }
func (a Output) Display(d magics.Display) { a.Out.Display(toKernel(d)) }
func (a Output) Update(d magics.Display)  { a.Out.UpdateDisplay(toKernel(d)) }
func (a Output) Clear(wait bool)          { a.Out.ClearOutput(wait) }
func (a Output) Result(d magics.Display)  { a.Out.ExecuteResult(toKernel(d)) }
func (a Output) Page(d magics.Display)    { a.Out.Page(kernel.MIMEBundle(d.Data), 0) }

// Input asks the frontend for a line (magics.Inputter).
func (a Output) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return a.Out.Input(ctx, prompt, password)
}

func toKernel(d magics.Display) kernel.Display {
	return kernel.Display{Data: kernel.MIMEBundle(d.Data), Metadata: metadataOf(d), DisplayID: d.ID}
}

func metadataOf(d magics.Display) map[string]any {
	if d.Metadata == nil {
		return map[string]any{}
	}
	return d.Metadata
}
