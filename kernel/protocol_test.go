package kernel_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/demo"
	"github.com/gocinn/gocinn/kernel/kerneltest"
)

// streamText concatenates the stream text of IOPub messages.
func streamText(t *testing.T, ms []*kernel.Message) string {
	var b strings.Builder
	for _, m := range ms {
		if m.Header.MsgType == "stream" {
			b.WriteString(content(t, m)["text"].(string))
		}
	}
	return b.String()
}

func TestForgedAndMalformed(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	other, err := kernel.NewSigner("hmac-sha256", []byte("not-the-key"))
	if err != nil {
		t.Fatal(err)
	}
	// Each case turns the frames of an execute_request whose code echoes
	// FORGED into something the kernel must drop.
	tests := []struct {
		name   string
		mangle func(m *kernel.Message, frames [][]byte) [][]byte
	}{
		{"bad signature", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[1] = []byte(strings.Repeat("0", len(f[1])))
			return f
		}},
		{"signature of another key", func(m *kernel.Message, f [][]byte) [][]byte {
			f[1] = []byte(other.Sign(f[2], f[3], f[4], f[5]))
			return f
		}},
		{"signature not hex", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[1] = []byte("zz" + string(f[1][2:]))
			return f
		}},
		{"empty signature", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[1] = nil
			return f
		}},
		{"content changed after signing", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[5] = []byte(strings.Replace(string(f[5]), "FORGED", "FORGED!", 1))
			return f
		}},
		{"no delimiter", func(_ *kernel.Message, f [][]byte) [][]byte { return f[1:] }},
		{"too few frames", func(_ *kernel.Message, f [][]byte) [][]byte { return f[:5] }},
		{"one frame", func(_ *kernel.Message, f [][]byte) [][]byte { return [][]byte{[]byte("%echo FORGED")} }},
		{"invalid JSON content", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[5] = []byte(`{"code": "%echo FORGED", `)
			return f
		}},
		{"content not an object", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[5] = []byte(`["%echo FORGED"]`)
			return f
		}},
		{"code not a string", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[5] = []byte(`{"code": ["%echo FORGED"], "silent": false}`)
			return f
		}},
		{"silent not a bool", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[5] = []byte(`{"code": "%echo FORGED", "silent": "no"}`)
			return f
		}},
		{"header not an object", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[2] = []byte(`"execute_request"`)
			return f
		}},
		{"msg_type not a string", func(m *kernel.Message, f [][]byte) [][]byte {
			f[2] = []byte(fmt.Sprintf(`{"msg_id": %q, "msg_type": 7, "session": "s", "username": "u", "date": "", "version": "5.3"}`, m.Header.MsgID))
			return f
		}},
		{"empty msg_type", func(m *kernel.Message, f [][]byte) [][]byte {
			f[2] = []byte(fmt.Sprintf(`{"msg_id": %q, "msg_type": "", "session": "s"}`, m.Header.MsgID))
			return f
		}},
		{"invalid JSON header", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[2] = []byte(`{"msg_type": "execute_request"`)
			return f
		}},
		{"parent header not an object", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[3] = []byte(`null`)
			return f
		}},
		{"metadata invalid", func(_ *kernel.Message, f [][]byte) [][]byte {
			f[4] = []byte(`{`)
			return f
		}},
	}
	resigned := map[string]bool{
		"invalid JSON content": true, "content not an object": true, "code not a string": true,
		"silent not a bool": true, "header not an object": true, "msg_type not a string": true,
		"empty msg_type": true, "invalid JSON header": true, "parent header not an object": true,
		"metadata invalid": true,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := c.NewMessage("execute_request", kerneltest.ExecuteContent("%echo FORGED"))
			if err != nil {
				t.Fatal(err)
			}
			frames, err := c.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			frames = tt.mangle(m, frames)
			if resigned[tt.name] {
				c.Resign(frames) // well signed, but malformed
			}
			if err := c.SendFrames(kerneltest.Shell, frames); err != nil {
				t.Fatal(err)
			}
			// Shell requests are handled in order: once the next request
			// is answered, the forged one has been dropped.
			reply, iopub := mustExecute(t, c, "%echo genuine")
			if reply["status"] != "ok" || streamText(t, iopub) != "genuine\n" {
				t.Fatalf("the kernel did not answer a genuine request after a forged one: %v", reply)
			}
			for _, ch := range []kerneltest.Channel{kerneltest.Shell, kerneltest.IOPub} {
				if got := kerneltest.Children(c.Received(ch), m.Header.MsgID); len(got) > 0 {
					t.Errorf("the kernel answered the forged message on %s: %v", ch, types(got))
				}
				for _, r := range c.Received(ch) {
					if strings.Contains(string(r.Content), "FORGED") {
						t.Fatalf("the forged cell ran: %s %s", r.Header.MsgType, r.Content)
					}
				}
			}
		})
	}
}

func TestRepliesOnTheirSocket(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	tests := []struct {
		ch      kerneltest.Channel
		msgType string
		content map[string]any
	}{
		{kerneltest.Shell, "kernel_info_request", nil},
		{kerneltest.Control, "kernel_info_request", nil},
		{kerneltest.Control, "interrupt_request", nil},
		{kerneltest.Shell, "is_complete_request", map[string]any{"code": "%echo"}},
		{kerneltest.Control, "is_complete_request", map[string]any{"code": "%echo"}},
		{kerneltest.Shell, "complete_request", map[string]any{"code": "%ec", "cursor_pos": 3}},
		{kerneltest.Control, "complete_request", map[string]any{"code": "%ec", "cursor_pos": 3}},
		{kerneltest.Shell, "inspect_request", map[string]any{"code": "%echo", "cursor_pos": 2, "detail_level": 0}},
		{kerneltest.Shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 1, "output": false, "raw": true}},
		{kerneltest.Control, "history_request", map[string]any{"hist_access_type": "tail", "n": 1, "output": false, "raw": true}},
		{kerneltest.Shell, "comm_info_request", nil},
		{kerneltest.Control, "comm_info_request", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.ch)+"/"+tt.msgType, func(t *testing.T) {
			if tt.content == nil {
				tt.content = map[string]any{}
			}
			reply, iopub, err := c.Request(tt.ch, tt.msgType, tt.content)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(tt.msgType, "_request") + "_reply"
			if reply.Header.MsgType != want {
				t.Errorf("reply %s, want %s", reply.Header.MsgType, want)
			}
			if got := types(iopub); !slices.Equal(got, []string{"status:busy", "status:idle"}) {
				t.Errorf("iopub %v", got)
			}
			for _, other := range []kerneltest.Channel{kerneltest.Shell, kerneltest.Control, kerneltest.Stdin} {
				if other != tt.ch && len(kerneltest.Children(c.Received(other), reply.ParentMsgID())) > 0 {
					t.Errorf("a reply also came on %s", other)
				}
			}
			if st := content(t, reply)["status"]; st != "ok" && tt.msgType != "is_complete_request" {
				t.Errorf("status %v", st)
			}
		})
	}
}

func TestCompleteInspectIsComplete(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	t.Run("complete", func(t *testing.T) {
		tests := []struct {
			code    string
			cursor  int
			matches []string
			start   float64
		}{
			{"%ec", 3, []string{"%echo"}, 0},
			{"%echo hi\n%s", 11, []string{"%sleep", "%spin"}, 9},
			{"%", 1, nil, 0}, // every command
			{"é %p", 4, []string{"%png", "%page"}, 2},
			{"%zz", 3, []string{}, 0},
		}
		for _, tt := range tests {
			reply, _, err := c.Request(kerneltest.Shell, "complete_request", map[string]any{"code": tt.code, "cursor_pos": tt.cursor})
			if err != nil {
				t.Fatal(err)
			}
			r := content(t, reply)
			var got []string
			for _, m := range r["matches"].([]any) {
				got = append(got, m.(string))
			}
			if tt.matches == nil {
				if len(got) < 10 {
					t.Errorf("%q: matches %v, want every command", tt.code, got)
				}
			} else if !slices.Equal(got, tt.matches) && !(len(got) == 0 && len(tt.matches) == 0) {
				t.Errorf("%q: matches %v, want %v", tt.code, got, tt.matches)
			}
			if r["cursor_start"] != tt.start || r["cursor_end"] != float64(tt.cursor) {
				t.Errorf("%q: cursor %v..%v, want %v..%d", tt.code, r["cursor_start"], r["cursor_end"], tt.start, tt.cursor)
			}
			if _, ok := r["metadata"].(map[string]any); !ok {
				t.Errorf("%q: metadata %v", tt.code, r["metadata"])
			}
		}
	})
	t.Run("inspect", func(t *testing.T) {
		text := func(detail int, code string) (bool, string) {
			reply, _, err := c.Request(kerneltest.Shell, "inspect_request", map[string]any{"code": code, "cursor_pos": 3, "detail_level": detail})
			if err != nil {
				t.Fatal(err)
			}
			r := content(t, reply)
			data := r["data"].(map[string]any)
			s, _ := data["text/plain"].(string)
			return r["found"].(bool), s
		}
		found0, doc0 := text(0, "%sleep 3")
		found1, doc1 := text(1, "%sleep 3")
		if !found0 || !found1 || !strings.Contains(doc0, "%sleep") || len(doc1) <= len(doc0) || !strings.HasPrefix(doc1, doc0) {
			t.Errorf("detail 0 %q and 1 %q: want a longer detail 1 starting with detail 0", doc0, doc1)
		}
		if found, doc := text(0, "no command"); found || doc != "" {
			t.Errorf("inspect of a non-command: found %v %q", found, doc)
		}
	})
	t.Run("is_complete", func(t *testing.T) {
		for code, want := range map[string]string{
			"%echo hi":            "complete",
			"":                    "complete",
			"%echo hi \\":         "incomplete",
			"%echo a \\\n":        "incomplete",
			"%echo a \\\nplain b": "complete",
			"print(1)":            "invalid",
			"%echo a\nb":          "invalid",
		} {
			reply, _, err := c.Request(kerneltest.Shell, "is_complete_request", map[string]any{"code": code})
			if err != nil {
				t.Fatal(err)
			}
			r := content(t, reply)
			if r["status"] != want {
				t.Errorf("%q: %v, want %s", code, r["status"], want)
			}
			if _, ok := r["indent"]; ok != (want == "incomplete") {
				t.Errorf("%q: indent present %v", code, ok)
			}
		}
	})
}

func TestHistory(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	codes := []string{"%echo one", "%result two", "%echo one", "%echo three", "%echo one"}
	for _, code := range codes {
		mustExecute(t, c, code)
	}
	silent := kerneltest.ExecuteContent("%echo silent")
	silent["silent"] = true
	execCount(t, c, silent)
	nohist := kerneltest.ExecuteContent("%echo nohist")
	nohist["store_history"] = false
	execCount(t, c, nohist)

	type entry struct {
		line int
		code string
	}
	tests := []struct {
		name string
		req  map[string]any
		want []entry
	}{
		{"tail 2", map[string]any{"hist_access_type": "tail", "n": 2}, []entry{{4, "%echo three"}, {5, "%echo one"}}},
		{"tail all", map[string]any{"hist_access_type": "tail", "n": 100}, []entry{{1, codes[0]}, {2, codes[1]}, {3, codes[2]}, {4, codes[3]}, {5, codes[4]}}},
		{"range", map[string]any{"hist_access_type": "range", "session": 1, "start": 2, "stop": 4}, []entry{{2, codes[1]}, {3, codes[2]}}},
		{"range current session 0", map[string]any{"hist_access_type": "range", "session": 0, "start": 5, "stop": 6}, []entry{{5, codes[4]}}},
		{"range other session", map[string]any{"hist_access_type": "range", "session": 7, "start": 1, "stop": 6}, nil},
		{"search", map[string]any{"hist_access_type": "search", "pattern": "%echo o*"}, []entry{{1, codes[0]}, {3, codes[2]}, {5, codes[4]}}},
		{"search n", map[string]any{"hist_access_type": "search", "pattern": "*o*", "n": 2}, []entry{{4, codes[3]}, {5, codes[4]}}},
		{"search unique", map[string]any{"hist_access_type": "search", "pattern": "%echo one", "unique": true}, []entry{{5, codes[4]}}},
		{"search class", map[string]any{"hist_access_type": "search", "pattern": "%[r]esult t?o"}, []entry{{2, codes[1]}}},
		{"search none", map[string]any{"hist_access_type": "search", "pattern": "nothing*"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req["output"], tt.req["raw"] = false, true
			reply, _, err := c.Request(kerneltest.Shell, "history_request", tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var r struct {
				Status  string
				History [][3]any
			}
			if err := json.Unmarshal(reply.Content, &r); err != nil {
				t.Fatal(err)
			}
			var got []entry
			for _, h := range r.History {
				if h[0] != float64(1) {
					t.Errorf("session %v", h[0])
				}
				got = append(got, entry{int(h[1].(float64)), h[2].(string)})
			}
			if r.Status != "ok" || !slices.Equal(got, tt.want) {
				t.Errorf("history %v (%s), want %v", got, r.Status, tt.want)
			}
		})
	}
	t.Run("output", func(t *testing.T) {
		reply, _, err := c.Request(kerneltest.Shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 1, "output": true, "raw": true})
		if err != nil {
			t.Fatal(err)
		}
		h := content(t, reply)["history"].([]any)[0].([]any)
		if pair, ok := h[2].([]any); !ok || len(pair) != 2 || pair[0] != "%echo one" {
			t.Errorf("history with output %v", h)
		}
	})
}

func TestCommsAndUnknown(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	reply, _, err := c.Request(kerneltest.Shell, "comm_info_request", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if comms, ok := content(t, reply)["comms"].(map[string]any); !ok || len(comms) != 0 {
		t.Errorf("comms %v", content(t, reply)["comms"])
	}
	id, err := c.SendRequest(kerneltest.Shell, "comm_open", map[string]any{"comm_id": "c-1", "target_name": "jupyter.widget", "data": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	iopub, err := c.WaitIdle(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := types(iopub); !slices.Equal(got, []string{"status:busy", "comm_close", "status:idle"}) {
		t.Fatalf("iopub %v", got)
	}
	if content(t, iopub[1])["comm_id"] != "c-1" {
		t.Errorf("comm_close %s", iopub[1].Content)
	}
	for _, msgType := range []string{"no_such_request", "comm_msg", "debug_request"} {
		id, err := c.SendRequest(kerneltest.Shell, msgType, map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitIdle(id); err != nil {
			t.Fatal(err)
		}
		if got := kerneltest.Children(c.Received(kerneltest.Shell), id); len(got) != 0 {
			t.Errorf("%s answered with %v", msgType, types(got))
		}
	}
	// Cells run on shell only.
	id, err = c.SendRequest(kerneltest.Control, "execute_request", kerneltest.ExecuteContent("%echo ON-CONTROL"))
	if err != nil {
		t.Fatal(err)
	}
	iopub, err = c.WaitIdle(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := types(iopub); !slices.Equal(got, []string{"status:busy", "status:idle"}) {
		t.Errorf("execute_request on control: iopub %v", got)
	}
	if _, _, err := c.Request(kerneltest.Shell, "kernel_info_request", map[string]any{}); err != nil {
		t.Fatalf("kernel_info after unknown messages: %v", err)
	}
	if len(kerneltest.Children(c.Received(kerneltest.Control), id)) != 0 {
		t.Error("execute_request on control was answered")
	}
}

// waitRunning waits until the cell of request id runs: its execute_input
// is published once the cell can be interrupted.
func waitRunning(t *testing.T, c *kerneltest.Client, id string) {
	t.Helper()
	if _, err := c.WaitFor(kerneltest.IOPub, func(ms []*kernel.Message) bool {
		return slices.Contains(types(kerneltest.Children(ms, id)), "execute_input")
	}); err != nil {
		t.Fatal(err)
	}
}

func TestInterrupt(t *testing.T) {
	tests := []struct {
		name      string
		code      string
		interrupt func(k *kerneltest.Kernel, c *kerneltest.Client) error
	}{
		{"interrupt_request during sleep", "%echo start\n%sleep\n%echo never", func(_ *kerneltest.Kernel, c *kerneltest.Client) error {
			reply, _, err := c.Request(kerneltest.Control, "interrupt_request", map[string]any{})
			if err == nil && reply.Header.MsgType != "interrupt_reply" {
				err = fmt.Errorf("reply %s", reply.Header.MsgType)
			}
			return err
		}},
		{"Kernel.Interrupt during sleep", "%sleep 1000", func(k *kerneltest.Kernel, _ *kerneltest.Client) error {
			k.Interrupt(errors.New("SIGINT"))
			return nil
		}},
		{"interrupt_request during input", "%input say", func(_ *kerneltest.Kernel, c *kerneltest.Client) error {
			_, _, err := c.Request(kerneltest.Control, "interrupt_request", map[string]any{})
			return err
		}},
	}
	k, c := start(t, kerneltest.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent(tt.code))
			if err != nil {
				t.Fatal(err)
			}
			waitRunning(t, c, id)
			if err := tt.interrupt(k, c); err != nil {
				t.Fatal(err)
			}
			reply, err := c.WaitReply(kerneltest.Shell, id)
			if err != nil {
				t.Fatal(err)
			}
			r := content(t, reply)
			if r["status"] != "error" || r["ename"] != "KeyboardInterrupt" {
				t.Errorf("reply %v, want a KeyboardInterrupt error", r)
			}
			iopub, err := c.WaitIdle(id)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(streamText(t, iopub), "never") {
				t.Error("the cell went on after the interrupt")
			}
			var errs int
			for _, m := range iopub {
				if m.Header.MsgType == "error" {
					errs++
				}
			}
			if errs != 1 {
				t.Errorf("%d error messages, want 1", errs)
			}
		})
	}
	// Interrupting an idle kernel does nothing harmful, and the interrupt
	// of a failed cell does not leak into the next one.
	if _, _, err := c.Request(kerneltest.Control, "interrupt_request", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	k.Interrupt(nil)
	if r, _ := mustExecute(t, c, "%sleep 0.01\n%echo fine"); r["status"] != "ok" {
		t.Errorf("after interrupts: %v", r)
	}
}

func TestShutdown(t *testing.T) {
	tests := []struct {
		ch      kerneltest.Channel
		restart bool
		running bool // a cell sleeps when the request comes
	}{
		{kerneltest.Control, false, false},
		{kerneltest.Control, true, false},
		{kerneltest.Shell, true, false},
		{kerneltest.Shell, false, false},
		{kerneltest.Control, false, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s restart=%v running=%v", tt.ch, tt.restart, tt.running), func(t *testing.T) {
			k, c := start(t, kerneltest.Config{})
			var cell string
			if tt.running {
				var err error
				cell, err = c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%sleep"))
				if err != nil {
					t.Fatal(err)
				}
				waitRunning(t, c, cell)
			}
			reply, _, err := c.Request(tt.ch, "shutdown_request", map[string]any{"restart": tt.restart})
			if err != nil {
				t.Fatal(err)
			}
			r := content(t, reply)
			if reply.Header.MsgType != "shutdown_reply" || r["restart"] != tt.restart || r["status"] != "ok" {
				t.Errorf("reply %s %v", reply.Header.MsgType, r)
			}
			if err := k.Wait(); err != nil {
				t.Fatalf("Serve returned %v, want nil", err)
			}
			if req, restart := k.ShutdownRequested(); !req || restart != tt.restart {
				t.Errorf("ShutdownRequested() = %v, %v", req, restart)
			}
			if tt.running {
				reply, err := c.WaitReply(kerneltest.Shell, cell)
				if err != nil {
					t.Fatal(err)
				}
				if r := content(t, reply); r["ename"] != "KeyboardInterrupt" {
					t.Errorf("running cell: %v", r)
				}
			}
		})
	}
	t.Run("context cancelled", func(t *testing.T) {
		k, _ := start(t, kerneltest.Config{})
		if err := k.Stop(); err != nil {
			t.Fatal(err)
		}
		if err := k.Wait(); !errors.Is(err, context.Canceled) {
			t.Errorf("Serve returned %v, want context.Canceled", err)
		}
		if req, _ := k.ShutdownRequested(); req {
			t.Error("ShutdownRequested after a cancelled context")
		}
	})
}

func TestStopOnError(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	send := func(code string, stopOnError bool) string {
		m := kerneltest.ExecuteContent(code)
		m["stop_on_error"] = stopOnError
		id, err := c.SendRequest(kerneltest.Shell, "execute_request", m)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	status := func(id string) (string, map[string]any) {
		reply, err := c.WaitReply(kerneltest.Shell, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitIdle(id); err != nil {
			t.Fatal(err)
		}
		r := content(t, reply)
		return r["status"].(string), r
	}
	// The failing cell sleeps first, so the next requests are queued
	// when it fails.
	failing := send("%sleep 0.5\n%fail stop", true)
	queued := []string{send("%echo A", true), send("%echo B", false)}
	if s, _ := status(failing); s != "error" {
		t.Fatalf("failing cell: %s", s)
	}
	for i, id := range queued {
		s, r := status(id)
		if s != "aborted" {
			t.Errorf("queued request %d: %s, want aborted", i, s)
		}
		if _, ok := r["execution_count"]; !ok {
			t.Errorf("queued request %d: no execution_count", i)
		}
	}
	for _, m := range c.Received(kerneltest.IOPub) {
		if m.Header.MsgType == "stream" {
			t.Errorf("an aborted cell ran: %s", m.Content)
		}
	}
	// After the queue is drained, requests run again.
	if s, r := status(send("%echo C", true)); s != "ok" {
		t.Errorf("after the abort: %s %v", s, r)
	}
	// Without stop_on_error, the queue is not aborted.
	failing = send("%sleep 0.3\n%fail go on", false)
	next := send("%echo D", true)
	if s, _ := status(failing); s != "error" {
		t.Fatalf("failing cell: %s", s)
	}
	if s, _ := status(next); s != "ok" {
		t.Errorf("request after a stop_on_error=false failure: %s", s)
	}
}

func TestStdin(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	t.Run("round trip", func(t *testing.T) {
		id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%input Your name?"))
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := c.WaitFor(kerneltest.Stdin, func(ms []*kernel.Message) bool { return len(kerneltest.Children(ms, id)) > 0 })
		if err != nil {
			t.Fatal(err)
		}
		req := kerneltest.Children(msgs, id)[0]
		r := content(t, req)
		if req.Header.MsgType != "input_request" || r["prompt"] != "Your name?" || r["password"] != false {
			t.Fatalf("%s %v", req.Header.MsgType, r)
		}
		if err := c.Reply(kerneltest.Stdin, req, "input_reply", map[string]any{"value": "Ada"}); err != nil {
			t.Fatal(err)
		}
		reply, err := c.WaitReply(kerneltest.Shell, id)
		if err != nil {
			t.Fatal(err)
		}
		iopub, err := c.WaitIdle(id)
		if err != nil {
			t.Fatal(err)
		}
		if s := content(t, reply)["status"]; s != "ok" || streamText(t, iopub) != "Ada\n" {
			t.Errorf("status %v, output %q", s, streamText(t, iopub))
		}
	})
	t.Run("not allowed", func(t *testing.T) {
		m := kerneltest.ExecuteContent("%input x")
		m["allow_stdin"] = false
		r, _ := execCount(t, c, m)
		if r["ename"] != "StdinNotImplementedError" {
			t.Errorf("reply %v", r)
		}
	})
}

func TestHeartbeatWhileBusy(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%spin 3"))
	if err != nil {
		t.Fatal(err)
	}
	waitRunning(t, c, id)
	for i := range 3 {
		p := []byte(fmt.Sprintf("ping %d", i))
		got, err := c.Ping(p)
		if err != nil || string(got) != string(p) {
			t.Fatalf("heartbeat %d: %q, %v", i, got, err)
		}
	}
	if _, _, err := c.Request(kerneltest.Control, "kernel_info_request", map[string]any{}); err != nil {
		t.Fatalf("control while busy: %v", err)
	}
	if _, _, err := c.Request(kerneltest.Control, "interrupt_request", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitReply(kerneltest.Shell, id); err != nil {
		t.Fatal(err)
	}
}

func TestTransportsAndSigning(t *testing.T) {
	tests := []struct {
		name string
		cfg  kerneltest.Config
	}{
		{"tcp hmac-sha256", kerneltest.Config{}},
		{"tcp unsigned", kerneltest.Config{Unsigned: true}},
		{"tcp hmac-sha512", kerneltest.Config{SignatureScheme: "hmac-sha512"}},
		{"ipc", kerneltest.Config{Transport: "ipc"}},
		{"ipc unsigned", kerneltest.Config{Transport: "ipc", Unsigned: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, c := start(t, tt.cfg)
			if tt.cfg.Transport == "ipc" {
				if _, err := os.Stat(k.Info.IP + "-1"); err != nil {
					t.Errorf("no ipc socket file named as jupyter_client names it: %v", err)
				}
			}
			r, iopub := mustExecute(t, c, "%echo over "+tt.name)
			if r["status"] != "ok" || streamText(t, iopub) != "over "+tt.name+"\n" {
				t.Errorf("%v %q", r, streamText(t, iopub))
			}
			if got, err := c.Ping([]byte("beat")); err != nil || string(got) != "beat" {
				t.Errorf("heartbeat %q %v", got, err)
			}
			if _, _, err := c.Request(kerneltest.Control, "shutdown_request", map[string]any{"restart": false}); err != nil {
				t.Fatal(err)
			}
			if err := k.Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestManyMessagesKeepOrder(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	var code strings.Builder
	var want strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&code, "%%echo line %d\n", i)
		fmt.Fprintf(&want, "line %d\n", i)
	}
	r, iopub := mustExecute(t, c, code.String())
	if r["status"] != "ok" {
		t.Fatal(r)
	}
	if got := streamText(t, iopub); got != want.String() {
		t.Errorf("%d bytes of stream, want %d, in order", len(got), want.Len())
	}
}

// funcExecutor adapts a function to kernel.Executor.
type funcExecutor func(ctx context.Context, req kernel.Request, out kernel.Output) error

func (f funcExecutor) Execute(ctx context.Context, req kernel.Request, out kernel.Output) error {
	return f(ctx, req, out)
}
func (funcExecutor) Complete(string, int) kernel.Completion { panic("no completion") }
func (funcExecutor) Inspect(string, int, int) kernel.Inspection {
	return kernel.Inspection{Found: true, Data: kernel.MIMEBundle{"text/html": "<i>x</i>"}}
}
func (funcExecutor) IsComplete(string) kernel.Completeness {
	return kernel.Completeness{Status: "maybe"}
}

func TestExecutorContract(t *testing.T) {
	var late kernel.Output
	ex := funcExecutor(func(ctx context.Context, req kernel.Request, out kernel.Output) error {
		switch req.Code {
		case "no text/plain":
			out.Display(kernel.Display{Data: kernel.MIMEBundle{"image/svg+xml": "<svg/>", "text/html": "<b/>"}})
		case "panic":
			panic("executor bug")
		case "plain error":
			return os.ErrNotExist
		case "path error":
			_, err := os.Open(filepath.Join(t.TempDir(), "missing"))
			return err
		case "keep output":
			late = out
		case "late output":
			late.Stream("stdout", "too late")
		case "count":
			out.Stream("stdout", fmt.Sprint(req.ExecutionCount, req.StoreHistory, req.AllowStdin))
		}
		return nil
	})
	k := kerneltest.Start(t, ex, kerneltest.Config{})
	c := k.Client(t)

	_, iopub := mustExecute(t, c, "no text/plain")
	d := content(t, outputs(iopub)[0])["data"].(map[string]any)
	if d["text/plain"] != "<image/svg+xml, text/html>" {
		t.Errorf("placeholder text/plain %q", d["text/plain"])
	}
	for code, ename := range map[string]string{"panic": "Panic", "plain error": "Error", "path error": "PathError"} {
		r, iopub := mustExecute(t, c, code)
		if r["status"] != "error" || r["ename"] != ename {
			t.Errorf("%s: %v, want ename %s", code, r, ename)
		}
		if got := types(outputs(iopub)); !slices.Equal(got, []string{"error"}) {
			t.Errorf("%s: outputs %v", code, got)
		}
	}
	mustExecute(t, c, "keep output")
	_, iopub = mustExecute(t, c, "late output")
	if len(outputs(iopub)) != 0 || len(outputs(c.Received(kerneltest.IOPub))) != 4 {
		t.Errorf("output after Execute returned was published")
	}
	_, iopub = mustExecute(t, c, "count")
	if got := streamText(t, iopub); got != "7 true true" {
		t.Errorf("request %q", got)
	}
	// A panicking Complete gives an error reply; an unknown is_complete
	// status becomes "unknown"; found inspection data gets text/plain.
	reply, _, err := c.Request(kerneltest.Shell, "complete_request", map[string]any{"code": "x", "cursor_pos": 1})
	if err != nil || content(t, reply)["status"] != "error" {
		t.Errorf("complete with a panicking executor: %v %v", err, reply)
	}
	reply, _, err = c.Request(kerneltest.Shell, "is_complete_request", map[string]any{"code": "x"})
	if err != nil || content(t, reply)["status"] != "unknown" {
		t.Errorf("is_complete: %v %v", err, reply)
	}
	reply, _, err = c.Request(kerneltest.Shell, "inspect_request", map[string]any{"code": "x", "cursor_pos": 1, "detail_level": 0})
	if err != nil || content(t, reply)["data"].(map[string]any)["text/plain"] == nil {
		t.Errorf("inspect: %v %v", err, reply)
	}
}

func TestReplayedMessageDropped(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	m, err := c.NewMessage("execute_request", kerneltest.ExecuteContent("%echo once"))
	if err != nil {
		t.Fatal(err)
	}
	frames, err := c.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.SendFrames(kerneltest.Shell, frames); err != nil {
			t.Fatal(err)
		}
	}
	if _, iopub := mustExecute(t, c, "%echo genuine"); streamText(t, iopub) != "genuine\n" {
		t.Fatal("no answer after a replay")
	}
	var runs int
	for _, r := range c.Received(kerneltest.Shell) {
		if r.ParentMsgID() == m.Header.MsgID {
			runs++
		}
	}
	if runs != 1 {
		t.Errorf("a message sent twice ran %d times, want once", runs)
	}
}

func TestStaleIPCSocket(t *testing.T) {
	ip := filepath.Join(t.TempDir(), "kernel")
	// A socket file left behind by a killed kernel.
	l, err := net.Listen("unix", ip+"-1")
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	info := &kernel.ConnectionInfo{Transport: "ipc", IP: ip, ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5}
	k, err := kernel.New(info, funcExecutor(nil), kernel.Options{})
	if err != nil {
		t.Fatalf("binding over a stale socket file: %v", err)
	}
	k.Close()
}

type ctxKey struct{}

func TestServeContextReachesCells(t *testing.T) {
	started := make(chan string, 1)
	ex := funcExecutor(func(ctx context.Context, _ kernel.Request, _ kernel.Output) error {
		v, _ := ctx.Value(ctxKey{}).(string)
		started <- v
		<-ctx.Done()
		return ctx.Err()
	})
	k, err := kernel.New(&kernel.ConnectionInfo{IP: "127.0.0.1", Key: "k"}, ex, kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.WithValue(context.Background(), ctxKey{}, "from Serve"))
	served := make(chan error, 1)
	go func() { served <- k.Serve(ctx) }()
	c, err := kerneltest.Dial(k.ConnectionInfo())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WaitReady(); err != nil {
		t.Fatal(err)
	}
	id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("block"))
	if err != nil {
		t.Fatal(err)
	}
	if v := <-started; v != "from Serve" {
		t.Errorf("the cell's context lacks Serve's values: %q", v)
	}
	cancel(errors.New("terminated by SIGTERM"))
	reply, err := c.WaitReply(kerneltest.Shell, id)
	if err != nil {
		t.Fatal(err)
	}
	if r := content(t, reply); r["ename"] != "KeyboardInterrupt" || r["evalue"] != "terminated by SIGTERM" {
		t.Errorf("reply %v, want KeyboardInterrupt with the cause", r)
	}
	if err := <-served; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve returned %v", err)
	}
}

func TestForgedOnControlAndStdin(t *testing.T) {
	k, c := start(t, kerneltest.Config{})
	forge := func(ch kerneltest.Channel, m *kernel.Message) {
		t.Helper()
		frames, err := c.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		frames[1] = []byte(strings.Repeat("ab", 32)) // a well-formed but wrong HMAC
		if err := c.SendFrames(ch, frames); err != nil {
			t.Fatal(err)
		}
	}
	// A forged shutdown_request on control is dropped.
	shutdown, _ := c.NewMessage("shutdown_request", map[string]any{"restart": false})
	forge(kerneltest.Control, shutdown)
	if _, _, err := c.Request(kerneltest.Control, "kernel_info_request", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if req, _ := k.ShutdownRequested(); req {
		t.Fatal("a forged shutdown_request shut the kernel down")
	}

	// A forged input_reply is not taken as the answer.
	id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%input answer?"))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.WaitFor(kerneltest.Stdin, func(ms []*kernel.Message) bool { return len(kerneltest.Children(ms, id)) > 0 })
	if err != nil {
		t.Fatal(err)
	}
	req := kerneltest.Children(msgs, id)[0]
	fake, _ := c.NewMessage("input_reply", map[string]any{"value": "FORGED"})
	fake.ParentHeader = req.RawHeader
	forge(kerneltest.Stdin, fake)
	// A forged interrupt on control must not end the wait either.
	interrupt, _ := c.NewMessage("interrupt_request", map[string]any{})
	forge(kerneltest.Control, interrupt)
	if _, _, err := c.Request(kerneltest.Control, "kernel_info_request", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Reply(kerneltest.Stdin, req, "input_reply", map[string]any{"value": "genuine"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitReply(kerneltest.Shell, id); err != nil {
		t.Fatal(err)
	}
	iopub, err := c.WaitIdle(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := streamText(t, iopub); got != "genuine\n" {
		t.Errorf("the cell read %q, want the genuine answer", got)
	}
}

func TestIOPubHeldUntilFirstSubscriber(t *testing.T) {
	k := kerneltest.Start(t, demo.New(), kerneltest.Config{})
	// A client with a shell socket only runs a cell before any SUB socket
	// connects, as jupyter_server does right after a restart.
	signer, err := kernel.NewSigner(k.Info.SignatureScheme, []byte(k.Info.Key))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dealer := zmq4.NewDealer(ctx, zmq4.WithLogger(log.New(io.Discard, "", 0)))
	defer dealer.Close()
	if err := dealer.Dial(k.Info.Endpoint(k.Info.ShellPort)); err != nil {
		t.Fatal(err)
	}
	content, _ := json.Marshal(kerneltest.ExecuteContent("%echo early"))
	m := &kernel.Message{
		Header:  kernel.Header{MsgID: "early-1", Session: "s", Username: "u", Date: time.Now().UTC().Format(time.RFC3339Nano), MsgType: "execute_request", Version: "5.3"},
		Content: content,
	}
	frames, err := signer.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := dealer.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		raw, err := dealer.Recv()
		if err == nil {
			_, err = signer.Decode(raw.Frames)
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(kerneltest.DefaultTimeout):
		t.Fatal("no execute_reply")
	}
	// The cell has run; a subscriber connecting now still gets its output.
	c, err := kerneltest.Dial(k.Info)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	iopub, err := c.WaitIdle("early-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := types(iopub); !slices.Equal(got, []string{"status:busy", "execute_input", "stream", "status:idle"}) || streamText(t, iopub) != "early\n" {
		t.Errorf("iopub %v %q", got, streamText(t, iopub))
	}
	starting := false
	for _, m := range c.Received(kerneltest.IOPub) {
		if kerneltest.ExecutionState(m) == "starting" {
			starting = true
		}
	}
	if !starting {
		t.Error("status starting was not delivered to the first subscriber")
	}
}

// A restart is a new kernel process on the same connection file: the
// ports and ipc socket files of the old kernel must be free again.
func TestRestartOnSameConnectionInfo(t *testing.T) {
	for _, transport := range []string{"tcp", "ipc"} {
		t.Run(transport, func(t *testing.T) {
			k, c := start(t, kerneltest.Config{Transport: transport})
			mustExecute(t, c, "%echo first life")
			if _, _, err := c.Request(kerneltest.Control, "shutdown_request", map[string]any{"restart": true}); err != nil {
				t.Fatal(err)
			}
			if err := k.Wait(); err != nil {
				t.Fatal(err)
			}
			info := k.Info
			k2, err := kernel.New(&info, demo.New(), kernel.Options{})
			if err != nil {
				t.Fatalf("restarting on the same ports: %v", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			served := make(chan error, 1)
			go func() { served <- k2.Serve(ctx) }()
			c2, err := kerneltest.Dial(info)
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			if err := c2.WaitReady(); err != nil {
				t.Fatal(err)
			}
			reply, iopub, err := c2.Execute("%echo second life")
			if err != nil {
				t.Fatal(err)
			}
			if r := content(t, reply); r["execution_count"] != float64(1) || streamText(t, iopub) != "second life\n" {
				t.Errorf("after restart: %v %q", r, streamText(t, iopub))
			}
			cancel()
			<-served
		})
	}
}
