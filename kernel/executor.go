package kernel

import "context"

// MIMEBundle maps a MIME type to its value, as in the data field of a
// display_data message. Text types (text/plain, text/html, image/svg+xml,
// text/markdown) hold strings; binary types such as image/png hold their
// base64 encoding as a string; application/json holds any JSON value.
// Every bundle the kernel sends carries text/plain: if an executor leaves it
// out, the kernel adds a short placeholder.
type MIMEBundle map[string]any

// Display is one rich output: a MIME bundle, its metadata (for image/png,
// {"image/png": {"width": W, "height": H}}) and an optional display ID.
// A non-empty DisplayID is sent as transient.display_id so that the output
// can later be replaced in place with Output.UpdateDisplay.
type Display struct {
	Data      MIMEBundle
	Metadata  map[string]any
	DisplayID string
}

// Output is how an executor publishes the results of a cell while it runs.
// All methods are safe to call from any goroutine while Execute runs; calls
// after Execute has returned are dropped. Output of a silent request is
// dropped by the kernel, so executors need not check.
type Output interface {
	// Stream writes text to the cell's "stdout" or "stderr" stream.
	Stream(name, text string)
	// Display publishes display_data.
	Display(d Display)
	// UpdateDisplay publishes update_display_data for d.DisplayID.
	UpdateDisplay(d Display)
	// ClearOutput publishes clear_output; with wait the frontend clears
	// when the next output arrives.
	ClearOutput(wait bool)
	// ExecuteResult publishes execute_result with the cell's execution count.
	ExecuteResult(d Display)
	// Page adds a "page" payload to the execute_reply (shown in the pager).
	Page(data MIMEBundle, start int)
	// Input asks the frontend for a line on the stdin channel and waits for
	// it. It fails with ErrStdinNotAllowed when the request said
	// allow_stdin false, and returns early when ctx is cancelled.
	Input(ctx context.Context, prompt string, password bool) (string, error)
}

// Request is the part of an execute_request an executor needs.
type Request struct {
	Code           string
	Silent         bool
	StoreHistory   bool
	AllowStdin     bool
	ExecutionCount int // the count this cell is reported under
}

// Completion answers a complete_request. Cursor positions are counted in
// Unicode code points, as the protocol counts them.
type Completion struct {
	Matches     []string
	CursorStart int
	CursorEnd   int
	Metadata    map[string]any
}

// Inspection answers an inspect_request.
type Inspection struct {
	Found    bool
	Data     MIMEBundle
	Metadata map[string]any
}

// Completeness answers an is_complete_request. Status is one of
// "complete", "incomplete", "invalid" or "unknown"; Indent is used with
// "incomplete".
type Completeness struct {
	Status string
	Indent string
}

// Executor runs the cells of one kernel session. The kernel calls Execute
// for one cell at a time; Complete, Inspect and IsComplete may be called
// concurrently with a running Execute and must not block on it.
//
// Execute returns nil on success. Any other error becomes exactly one IOPub
// error message and an execute_reply with status "error": an *Error keeps
// its name, value and traceback; a cancelled context (interrupt) is
// reported as KeyboardInterrupt with the cancellation cause; any other
// error is reported with its type name and message.
type Executor interface {
	Execute(ctx context.Context, req Request, out Output) error
	Complete(code string, cursorPos int) Completion
	Inspect(code string, cursorPos, detailLevel int) Inspection
	IsComplete(code string) Completeness
}

// Error is a cell error with the fields of the protocol's error message.
type Error struct {
	Name      string   // ename
	Value     string   // evalue
	Traceback []string // traceback lines, may hold ANSI colour codes
}

func (e *Error) Error() string { return e.Name + ": " + e.Value }
