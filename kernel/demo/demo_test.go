package demo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/demo"
)

// recorder is a kernel.Output that records calls.
type recorder struct {
	mu      sync.Mutex
	calls   []string
	input   string
	noStdin bool
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf(format, args...))
}

func (r *recorder) Stream(name, text string) { r.add("stream %s %q", name, text) }
func (r *recorder) Display(d kernel.Display) {
	r.add("display %s %v", d.DisplayID, d.Data["text/plain"])
}
func (r *recorder) UpdateDisplay(d kernel.Display) {
	r.add("update %s %v", d.DisplayID, d.Data["text/plain"])
}
func (r *recorder) ClearOutput(wait bool)              { r.add("clear %v", wait) }
func (r *recorder) ExecuteResult(d kernel.Display)     { r.add("result %v", d.Data["text/plain"]) }
func (r *recorder) Page(data kernel.MIMEBundle, _ int) { r.add("page %v", data["text/plain"]) }
func (r *recorder) Input(ctx context.Context, prompt string, _ bool) (string, error) {
	r.add("input %q", prompt)
	if r.noStdin {
		return "", kernel.ErrStdinNotAllowed
	}
	if r.input == "" {
		<-ctx.Done()
		return "", context.Cause(ctx)
	}
	return r.input, nil
}

func TestExecute(t *testing.T) {
	ex := demo.New()
	tests := []struct {
		code  string
		calls []string
		ename string
	}{
		{"%echo hi", []string{`stream stdout "hi\n"`}, ""},
		{"\n  %echo  spaced  \n\n", []string{`stream stdout "spaced\n"`}, ""},
		{"%echo --stderr e", []string{`stream stderr "e\n"`}, ""},
		{"%echo --stderrx", []string{`stream stdout "--stderrx\n"`}, ""},
		{"%echo a\\\nb\\\nc", []string{`stream stdout "a\nb\nc\n"`}, ""},
		{"%echo", []string{`stream stdout "\n"`}, ""},
		{"%display x one\n%update x two", []string{"display x one", "update x two"}, ""},
		{"%display", nil, "UsageError"},
		{"%clear\n%clear --wait", []string{"clear false", "clear true"}, ""},
		{"%clear now", nil, "UsageError"},
		{"%result 1\n%page p", []string{"result 1", "page p"}, ""},
		{"%html <p>", []string{"display  <p>"}, ""},
		{"%png", []string{"display  <PNG image 16x16>"}, ""},
		{"%sleep 0.001\n%echo woke", []string{`stream stdout "woke\n"`}, ""},
		{"%sleep soon", nil, "UsageError"},
		{"%sleep -1", nil, "UsageError"},
		{"%spin 0.01", nil, ""},
		{"%echo a\n%fail bad\n%echo b", []string{`stream stdout "a\n"`}, "DemoError"},
		{"%echo a\necho b", nil, "SyntaxError"},
		{"%frobnicate", nil, "UnknownCommand"},
		{"%input Who?", []string{`input "Who?"`, `stream stdout "Ada\n"`}, ""},
	}
	for _, tt := range tests {
		r := &recorder{input: "Ada"}
		err := ex.Execute(context.Background(), kernel.Request{Code: tt.code}, r)
		var ke *kernel.Error
		switch {
		case tt.ename == "" && err != nil:
			t.Errorf("%q: %v", tt.code, err)
		case tt.ename != "" && (!errors.As(err, &ke) || ke.Name != tt.ename):
			t.Errorf("%q: error %v, want %s", tt.code, err, tt.ename)
		}
		if !slices.Equal(r.calls, tt.calls) {
			t.Errorf("%q: calls %q, want %q", tt.code, r.calls, tt.calls)
		}
	}
	r := &recorder{noStdin: true}
	var ke *kernel.Error
	if err := ex.Execute(context.Background(), kernel.Request{Code: "%input x"}, r); !errors.As(err, &ke) || ke.Name != "StdinNotImplementedError" {
		t.Errorf("%%input without stdin: %v", err)
	}
}

func TestInterrupt(t *testing.T) {
	ex := demo.New()
	cause := errors.New("stop now")
	for _, code := range []string{"%sleep", "%sleep 1000", "%spin 1000", "%input forever"} {
		ctx, cancel := context.WithCancelCause(context.Background())
		done := make(chan error, 1)
		go func() { done <- ex.Execute(ctx, kernel.Request{Code: code + "\n%echo after"}, &recorder{}) }()
		time.Sleep(10 * time.Millisecond) // usually inside the command; either way it must stop
		cancel(cause)
		select {
		case err := <-done:
			if !errors.Is(err, cause) {
				t.Errorf("%s: %v, want the cause", code, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did not stop when interrupted", code)
		}
	}
}

func TestComplete(t *testing.T) {
	ex := demo.New()
	tests := []struct {
		code    string
		cursor  int
		matches []string
		start   int
	}{
		{"%ec", 3, []string{"%echo"}, 0},
		{"%echo x\n%s", 10, []string{"%sleep", "%spin"}, 8},
		{"%s", 1, []string{"%echo", "%sleep", "%spin", "%png", "%html", "%display", "%update", "%clear", "%result", "%page", "%input", "%fail"}, 0},
		{"%echo %p", 8, []string{"%png", "%page"}, 6},
		{"plain", 5, []string{}, 5},
		{"%ec", 99, []string{"%echo"}, 0}, // cursor past the end is clamped
	}
	for _, tt := range tests {
		c := ex.Complete(tt.code, tt.cursor)
		if !slices.Equal(c.Matches, tt.matches) || c.CursorStart != tt.start {
			t.Errorf("%q@%d: %v from %d, want %v from %d", tt.code, tt.cursor, c.Matches, c.CursorStart, tt.matches, tt.start)
		}
	}
}

func TestInspect(t *testing.T) {
	ex := demo.New()
	for _, name := range []string{"echo", "sleep", "spin", "png", "html", "display", "update", "clear", "result", "page", "input", "fail"} {
		code := "%echo first\n%" + name + " arg"
		cursor := len([]rune(code)) - 2
		i0 := ex.Inspect(code, cursor, 0)
		i1 := ex.Inspect(code, cursor, 1)
		d0, _ := i0.Data["text/plain"].(string)
		d1, _ := i1.Data["text/plain"].(string)
		if !i0.Found || !i1.Found || !strings.HasPrefix(d0, "%"+name) || !strings.HasPrefix(d1, d0) || len(d1) <= len(d0) {
			t.Errorf("%s: detail 0 %q, detail 1 %q", name, d0, d1)
		}
	}
	if in := ex.Inspect("%nope", 2, 0); in.Found {
		t.Error("found an unknown command")
	}
	if in := ex.Inspect("text", 2, 1); in.Found {
		t.Error("found a non-command")
	}
}

func TestIsComplete(t *testing.T) {
	ex := demo.New()
	for code, want := range map[string]string{
		"":                       "complete",
		"%echo hi":               "complete",
		"%png\n%echo done\n":     "complete",
		"%echo to be \\":         "incomplete",
		"%echo to be \\\n":       "incomplete",
		"%png\n%echo more \\":    "incomplete",
		"%echo a \\\n continued": "complete",
		"echo hello":             "invalid",
		"%echo fine\nprint(1)":   "invalid",
	} {
		if got := ex.IsComplete(code); got.Status != want {
			t.Errorf("%q: %s, want %s", code, got.Status, want)
		}
	}
}

func ExampleExecutor_IsComplete() {
	ex := demo.New()
	fmt.Println(ex.IsComplete("%echo a \\").Status)
	fmt.Println(ex.IsComplete("%echo a").Status)
	fmt.Println(ex.IsComplete("echo a").Status)
	// Output:
	// incomplete
	// complete
	// invalid
}
