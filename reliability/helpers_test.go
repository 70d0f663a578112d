package reliability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/kerneltest"
	"github.com/gocinn/gocinn/reliability"
)

// full reports whether the long runs were asked for
// (GOCINN_RELIABILITY=full, as scripts/reliability.sh sets it). Without
// it every test runs its short, CI-sized count.
func full() bool { return os.Getenv("GOCINN_RELIABILITY") == "full" }

// count returns the CI count, or the count in a full run. The
// environment variable GOCINN_RELIABILITY_SCALE (a number) multiplies
// the CI count instead, for runs in between.
func count(ci, fullCount int) int {
	if full() {
		return fullCount
	}
	if s := os.Getenv("GOCINN_RELIABILITY_SCALE"); s != "" {
		var f float64
		if _, err := fmt.Sscan(s, &f); err == nil && f > 0 {
			return max(1, int(float64(ci)*f))
		}
	}
	return ci
}

// session is an in-process kernel running magics, with a client.
type session struct {
	t    testing.TB
	dir  string
	exec *reliability.Executor
	k    *kerneltest.Kernel
	c    *kerneltest.Client
}

func newSession(t testing.TB, cfg kerneltest.Config) *session {
	t.Helper()
	dir := t.TempDir()
	e := reliability.NewExecutor(dir)
	k := kerneltest.Start(t, e, cfg)
	c := k.Client(t)
	c.Timeout = 60 * time.Second // a loaded 2-core machine: only so a wedged kernel fails
	return &session{t: t, dir: dir, exec: e, k: k, c: c}
}

// content decodes a message's content.
func content(t testing.TB, m *kernel.Message) map[string]any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		t.Fatalf("content of %s: %v", m.Header.MsgType, err)
	}
	return c
}

// streams joins the text of the stream messages among msgs.
func streams(t testing.TB, msgs []*kernel.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		if m.Header.MsgType == "stream" {
			b.WriteString(fmt.Sprint(content(t, m)["text"]))
		}
	}
	return b.String()
}

// errorText returns "ename: evalue" of the error message among msgs, or "".
func errorText(t testing.TB, msgs []*kernel.Message) string {
	for _, m := range msgs {
		if m.Header.MsgType == "error" {
			c := content(t, m)
			return fmt.Sprintf("%v: %v", c["ename"], c["evalue"])
		}
	}
	return ""
}

// run executes code with c and fails the test unless the reply is ok.
func run(t testing.TB, c *kerneltest.Client, code string) []*kernel.Message {
	t.Helper()
	reply, iopub, err := c.Execute(code)
	if err != nil {
		t.Fatalf("executing %q: %v", code, err)
	}
	if st := content(t, reply)["status"]; st != "ok" {
		t.Fatalf("executing %q: status %v: %s", code, st, errorText(t, iopub))
	}
	return iopub
}

// mustFail executes code and returns the error text, failing the test if
// the cell succeeded.
func mustFail(t testing.TB, c *kerneltest.Client, code string) string {
	t.Helper()
	reply, iopub, err := c.Execute(code)
	if err != nil {
		t.Fatalf("executing %q: %v", code, err)
	}
	if st := content(t, reply)["status"]; st != "error" {
		t.Fatalf("executing %q: status %v, want error", code, st)
	}
	return errorText(t, iopub)
}

// funcExec is an executor that does nothing.
type funcExec struct{}

func (funcExec) Execute(context.Context, kernel.Request, kernel.Output) error { return nil }
func (funcExec) Complete(string, int) kernel.Completion                       { return kernel.Completion{} }
func (funcExec) Inspect(string, int, int) kernel.Inspection                   { return kernel.Inspection{} }
func (funcExec) IsComplete(string) kernel.Completeness {
	return kernel.Completeness{Status: "complete"}
}
