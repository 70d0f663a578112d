package main

import (
	"context"
	"errors"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/magics"
)

// magicsExecutor runs cells of magic commands for the kernel: it adapts
// magics.Session to kernel.Executor, so neither package knows the other.
type magicsExecutor struct {
	s *magics.Session
}

func newMagicsExecutor() *magicsExecutor {
	return &magicsExecutor{s: magics.NewSession(magics.Options{})}
}

func (e *magicsExecutor) Execute(ctx context.Context, req kernel.Request, out kernel.Output) error {
	err := e.s.Execute(ctx, req.Code, outputAdapter{out})
	var me *magics.Error
	if errors.As(err, &me) {
		return &kernel.Error{Name: me.Kind, Value: me.Error(), Traceback: me.Traceback()}
	}
	return err
}

func (e *magicsExecutor) Complete(code string, cursor int) kernel.Completion {
	m, start, end := e.s.Complete(code, cursor)
	if m == nil {
		m = []string{}
	}
	return kernel.Completion{Matches: m, CursorStart: start, CursorEnd: end, Metadata: map[string]any{}}
}

func (e *magicsExecutor) Inspect(code string, cursor, detail int) kernel.Inspection {
	d, ok := e.s.Inspect(code, cursor, detail)
	if !ok {
		return kernel.Inspection{Found: false, Data: kernel.MIMEBundle{}, Metadata: map[string]any{}}
	}
	return kernel.Inspection{Found: true, Data: kernel.MIMEBundle(d.Data), Metadata: metadataOf(d)}
}

func (e *magicsExecutor) IsComplete(code string) kernel.Completeness {
	status, indent := e.s.IsComplete(code)
	return kernel.Completeness{Status: status, Indent: indent}
}

// outputAdapter forwards magics output to the kernel's IOPub publisher.
type outputAdapter struct{ out kernel.Output }

func (a outputAdapter) Stdout(text string)       { a.out.Stream("stdout", text) }
func (a outputAdapter) Stderr(text string)       { a.out.Stream("stderr", text) }
func (a outputAdapter) Display(d magics.Display) { a.out.Display(toKernel(d)) }
func (a outputAdapter) Update(d magics.Display)  { a.out.UpdateDisplay(toKernel(d)) }
func (a outputAdapter) Clear(wait bool)          { a.out.ClearOutput(wait) }
func (a outputAdapter) Result(d magics.Display)  { a.out.ExecuteResult(toKernel(d)) }
func (a outputAdapter) Page(d magics.Display)    { a.out.Page(kernel.MIMEBundle(d.Data), 0) }

func toKernel(d magics.Display) kernel.Display {
	return kernel.Display{Data: kernel.MIMEBundle(d.Data), Metadata: metadataOf(d), DisplayID: d.ID}
}

func metadataOf(d magics.Display) map[string]any {
	if d.Metadata == nil {
		return map[string]any{}
	}
	return d.Metadata
}

// Input asks the frontend for a line on the stdin channel (for %reset's
// confirmation); it fails when the request did not allow input.
func (a outputAdapter) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return a.out.Input(ctx, prompt, password)
}
