package demo

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gocinn/gocinn/kernel"
)

// command is one %command: its help and what it does.
type command struct {
	name  string
	usage string // after the name
	short string
	long  string
	run   func(ctx context.Context, e *Executor, arg string, out kernel.Output) error
}

var commands []command

func init() {
	commands = []command{
		{"echo", "[--stderr] TEXT", "Write TEXT to stdout, or to stderr with --stderr.",
			"TEXT is written followed by a newline, as one stream message. A line ending with a backslash continues TEXT on the next line.",
			runEcho},
		{"sleep", "[SECONDS]", "Sleep for SECONDS, or until interrupted when SECONDS is omitted.",
			"The sleep ends early when the cell is interrupted, and the cell then fails with KeyboardInterrupt. It uses no CPU.",
			runSleep},
		{"spin", "SECONDS", "Keep every CPU busy for SECONDS (for heartbeat tests).",
			"Starts one busy goroutine per CPU (at least two); they stop after SECONDS or when the cell is interrupted.",
			runSpin},
		{"png", "", "Display a small PNG image.",
			"Publishes display_data with image/png (a 16x16 colour gradient), its width and height as metadata, and text/plain.",
			runPNG},
		{"html", "TEXT", "Display TEXT as HTML.",
			"Publishes display_data with text/html TEXT and text/plain TEXT.",
			runHTML},
		{"display", "ID TEXT", "Display TEXT with display id ID.",
			"The output can later be replaced in place with %update ID TEXT, in this cell or a later one.",
			runDisplay},
		{"update", "ID TEXT", "Replace the output displayed with id ID by TEXT.",
			"Publishes update_display_data; the frontend replaces every output shown with display id ID.",
			runUpdate},
		{"clear", "[--wait]", "Clear the cell's output.",
			"With --wait the frontend clears the output only when the next output arrives, avoiding flicker.",
			runClear},
		{"result", "TEXT", "Make TEXT the cell's result (execute_result).",
			"Publishes execute_result with text/plain TEXT and the cell's execution count.",
			runResult},
		{"page", "TEXT", "Show TEXT in the pager.",
			"Adds a page payload to the execute_reply; notebooks show it in the pager at the bottom.",
			runPage},
		{"input", "PROMPT", "Ask the frontend for a line and echo it on stdout.",
			"Uses the stdin channel; fails when the frontend does not allow input (allow_stdin false).",
			runInput},
		{"fail", "MESSAGE", "Fail with MESSAGE.",
			"The cell fails with an error named DemoError whose value is MESSAGE.",
			runFail},
	}
}

func lookup(name string) (*command, bool) {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i], true
		}
	}
	return nil, false
}

// Executor runs demo cells. It is stateless and safe for concurrent use.
type Executor struct {
	png    []byte // PNG image of %png
	width  int
	height int
}

// New returns a demo executor.
func New() *Executor {
	const w, h = 16, 16
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: uint8(x * 255 / (w - 1)), G: uint8(y * 255 / (h - 1)), B: 128, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("demo: encoding the PNG: " + err.Error())
	}
	return &Executor{png: buf.Bytes(), width: w, height: h}
}

// PNG returns the image %png displays.
func (e *Executor) PNG() []byte { return bytes.Clone(e.png) }

// line is one logical line of a cell.
type line struct {
	num  int // first physical line, from 1
	name string
	arg  string
}

// logicalLines joins backslash continuations: it returns each logical
// line with the number of its first physical line (from 1), and whether
// the cell ends inside a continuation.
func logicalLines(code string) (lines []line, open bool) {
	var cur strings.Builder
	start, cont := 0, false
	for i, l := range strings.Split(code, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if cont {
			cur.WriteString("\n")
		} else {
			start = i + 1
		}
		if strings.HasSuffix(l, `\`) {
			cur.WriteString(strings.TrimSuffix(l, `\`))
			cont = true
			continue
		}
		cur.WriteString(l)
		lines = append(lines, line{num: start, arg: cur.String()})
		cur.Reset()
		cont = false
	}
	if cont {
		lines = append(lines, line{num: start, arg: cur.String()})
	}
	return lines, cont
}

// parse splits a cell into commands. It fails on a line not starting
// with % and on an unknown command, before anything runs.
func parse(code string) ([]line, error) {
	logical, _ := logicalLines(code)
	var lines []line
	for _, l := range logical {
		text := strings.TrimSpace(l.arg)
		if text == "" {
			continue
		}
		if !strings.HasPrefix(text, "%") {
			return nil, &kernel.Error{Name: "SyntaxError", Value: fmt.Sprintf("line %d: %q does not start with %%; every line must be a %%command (see %%echo TEXT)", l.num, firstLine(text))}
		}
		name, arg := text[1:], ""
		if i := strings.IndexAny(name, " \t\n"); i >= 0 {
			name, arg = name[:i], name[i+1:]
		}
		if _, ok := lookup(name); !ok {
			return nil, &kernel.Error{Name: "UnknownCommand", Value: fmt.Sprintf("line %d: unknown command %%%s; known: %s", l.num, name, names())}
		}
		lines = append(lines, line{num: l.num, name: name, arg: strings.TrimSpace(arg)})
	}
	return lines, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func names() string {
	var b strings.Builder
	for i, c := range commands {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("%" + c.name)
	}
	return b.String()
}

// Execute runs the commands of a cell in order, stopping at the first
// failure.
func (e *Executor) Execute(ctx context.Context, req kernel.Request, out kernel.Output) error {
	lines, err := parse(req.Code)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		c, _ := lookup(l.name)
		if err := c.run(ctx, e, l.arg, out); err != nil {
			return err
		}
	}
	return nil
}

func runEcho(_ context.Context, _ *Executor, arg string, out kernel.Output) error {
	stream := "stdout"
	if rest, ok := strings.CutPrefix(arg, "--stderr"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\n') {
		stream, arg = "stderr", strings.TrimSpace(rest)
	}
	out.Stream(stream, arg+"\n")
	return nil
}

func seconds(name, arg string) (time.Duration, error) {
	s, err := strconv.ParseFloat(arg, 64)
	if err != nil || s < 0 || s > 1e6 {
		return 0, &kernel.Error{Name: "UsageError", Value: fmt.Sprintf("%%%s %s: SECONDS must be a number between 0 and 1e6", name, arg)}
	}
	return time.Duration(s * float64(time.Second)), nil
}

func runSleep(ctx context.Context, _ *Executor, arg string, _ kernel.Output) error {
	var timeout <-chan time.Time
	if arg != "" {
		d, err := seconds("sleep", arg)
		if err != nil {
			return err
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func runSpin(ctx context.Context, _ *Executor, arg string, _ kernel.Output) error {
	d, err := seconds("spin", arg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	n := max(runtime.NumCPU(), 2)
	done := make(chan struct{})
	for range n {
		go func() {
			defer func() { done <- struct{}{} }()
			x := uint64(1)
			for ctx.Err() == nil {
				for range 100000 {
					x = x*6364136223846793005 + 1442695040888963407
				}
			}
			_ = x
		}()
	}
	for range n {
		<-done
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil
	}
	return context.Cause(ctx)
}

func runPNG(_ context.Context, e *Executor, _ string, out kernel.Output) error {
	out.Display(kernel.Display{
		Data: kernel.MIMEBundle{
			"image/png":  base64.StdEncoding.EncodeToString(e.png),
			"text/plain": fmt.Sprintf("<PNG image %dx%d>", e.width, e.height),
		},
		Metadata: map[string]any{"image/png": map[string]any{"width": e.width, "height": e.height}},
	})
	return nil
}

func runHTML(_ context.Context, _ *Executor, arg string, out kernel.Output) error {
	out.Display(kernel.Display{Data: kernel.MIMEBundle{"text/html": arg, "text/plain": arg}})
	return nil
}

func idAndText(name, arg string) (id, text string, err error) {
	id, text, _ = strings.Cut(arg, " ")
	if id == "" {
		return "", "", &kernel.Error{Name: "UsageError", Value: fmt.Sprintf("%%%s needs a display ID: %%%s ID TEXT", name, name)}
	}
	return id, strings.TrimSpace(text), nil
}

func runDisplay(_ context.Context, _ *Executor, arg string, out kernel.Output) error {
	id, text, err := idAndText("display", arg)
	if err != nil {
		return err
	}
	out.Display(kernel.Display{Data: kernel.MIMEBundle{"text/plain": text}, DisplayID: id})
	return nil
}

func runUpdate(_ context.Context, _ *Executor, arg string, out kernel.Output) error {
	id, text, err := idAndText("update", arg)
	if err != nil {
		return err
	}
	out.UpdateDisplay(kernel.Display{Data: kernel.MIMEBundle{"text/plain": text}, DisplayID: id})
	return nil
}

func runClear(_ context.Context, _ *Executor, arg string, out kernel.Output) error {
	switch arg {
	case "":
		out.ClearOutput(false)
	case "--wait":
		out.ClearOutput(true)
	default:
		return &kernel.Error{Name: "UsageError", Value: fmt.Sprintf("%%clear %s: the only flag is --wait", arg)}
	}
	return nil
}

func runResult(_ context.Context, _ *Executor, arg string, out kernel.Output) error {
	out.ExecuteResult(kernel.Display{Data: kernel.MIMEBundle{"text/plain": arg}})
	return nil
}

func runPage(_ context.Context, _ *Executor, arg string, out kernel.Output) error {
	out.Page(kernel.MIMEBundle{"text/plain": arg}, 0)
	return nil
}

func runInput(ctx context.Context, _ *Executor, arg string, out kernel.Output) error {
	answer, err := out.Input(ctx, arg, false)
	if err != nil {
		if errors.Is(err, kernel.ErrStdinNotAllowed) {
			return &kernel.Error{Name: "StdinNotImplementedError", Value: "%input: this frontend does not support input (allow_stdin is false)"}
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return err
	}
	out.Stream("stdout", answer+"\n")
	return nil
}

func runFail(_ context.Context, _ *Executor, arg string, _ kernel.Output) error {
	return &kernel.Error{
		Name:      "DemoError",
		Value:     arg,
		Traceback: []string{"\x1b[0;31mDemoError\x1b[0m: " + arg},
	}
}

// Complete completes the %command name under the cursor.
func (e *Executor) Complete(code string, cursorPos int) kernel.Completion {
	start, word := wordAt(code, cursorPos)
	c := kernel.Completion{CursorStart: cursorPos, CursorEnd: cursorPos, Matches: []string{}}
	if !strings.HasPrefix(word, "%") || strings.ContainsAny(word, " \t") {
		return c
	}
	for _, cmd := range commands {
		if strings.HasPrefix("%"+cmd.name, word) {
			c.Matches = append(c.Matches, "%"+cmd.name)
		}
	}
	c.CursorStart = start
	return c
}

// wordAt returns the start (in code points) and text of the line
// prefix before cursorPos, when it has no space.
func wordAt(code string, cursorPos int) (start int, word string) {
	rs := []rune(code)
	cursorPos = min(max(cursorPos, 0), len(rs))
	start = cursorPos
	for start > 0 && rs[start-1] != '\n' && rs[start-1] != ' ' && rs[start-1] != '\t' {
		start--
	}
	return start, string(rs[start:cursorPos])
}

// Inspect describes the %command under the cursor: usage and summary at
// detail level 0, also the long description at level 1 and above.
func (e *Executor) Inspect(code string, cursorPos, detailLevel int) kernel.Inspection {
	rs := []rune(code)
	cursorPos = min(max(cursorPos, 0), len(rs))
	// The command of the line under the cursor.
	ls := cursorPos
	for ls > 0 && rs[ls-1] != '\n' {
		ls--
	}
	le := cursorPos
	for le < len(rs) && rs[le] != '\n' {
		le++
	}
	text := strings.TrimSpace(string(rs[ls:le]))
	name, _, _ := strings.Cut(strings.TrimPrefix(text, "%"), " ")
	cmd, ok := lookup(name)
	if !strings.HasPrefix(text, "%") || !ok {
		return kernel.Inspection{}
	}
	doc := "%" + cmd.name
	if cmd.usage != "" {
		doc += " " + cmd.usage
	}
	doc += "\n    " + cmd.short
	if detailLevel > 0 {
		doc += "\n\n" + cmd.long
	}
	return kernel.Inspection{Found: true, Data: kernel.MIMEBundle{"text/plain": doc}}
}

// IsComplete reports "incomplete" when the cell ends with a backslash
// continuation, "invalid" when a line does not start with %, else
// "complete".
func (e *Executor) IsComplete(code string) kernel.Completeness {
	lines, open := logicalLines(strings.TrimRight(code, "\r\n"))
	if open {
		return kernel.Completeness{Status: "incomplete", Indent: ""}
	}
	for _, l := range lines {
		text := strings.TrimSpace(l.arg)
		if text != "" && !strings.HasPrefix(text, "%") {
			return kernel.Completeness{Status: "invalid"}
		}
	}
	return kernel.Completeness{Status: "complete"}
}

var _ kernel.Executor = (*Executor)(nil)
