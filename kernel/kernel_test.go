package kernel_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/demo"
	"github.com/gocinn/gocinn/kernel/kerneltest"
)

func content(t *testing.T, m *kernel.Message) map[string]any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		t.Fatalf("content of %s: %v", m.Header.MsgType, err)
	}
	return c
}

// types lists message types, status messages with their state.
func types(ms []*kernel.Message) []string {
	out := []string{}
	for _, m := range ms {
		s := m.Header.MsgType
		if s == "status" {
			s += ":" + kerneltest.ExecutionState(m)
		}
		out = append(out, s)
	}
	return out
}

// outputs drops the status messages and execute_input.
func outputs(ms []*kernel.Message) []*kernel.Message {
	var out []*kernel.Message
	for _, m := range ms {
		if m.Header.MsgType != "status" && m.Header.MsgType != "execute_input" {
			out = append(out, m)
		}
	}
	return out
}

func mustExecute(t *testing.T, c *kerneltest.Client, code string) (map[string]any, []*kernel.Message) {
	t.Helper()
	reply, iopub, err := c.Execute(code)
	if err != nil {
		t.Fatalf("execute %q: %v", code, err)
	}
	if reply.Header.MsgType != "execute_reply" {
		t.Fatalf("execute %q: reply type %s", code, reply.Header.MsgType)
	}
	return content(t, reply), iopub
}

var options = kernel.Options{
	Implementation:        "gocinn",
	ImplementationVersion: "0.1.0-test",
	LanguageInfo: kernel.LanguageInfo{
		Name: "gocinn", Version: "0.1", MIMEType: "text/x-gocinn", FileExtension: ".gocinn",
		PygmentsLexer: "text", CodeMirrorMode: "text",
	},
	Banner:    "gocinn test kernel",
	HelpLinks: []kernel.HelpLink{{Text: "gocinn", URL: "https://example.org/gocinn"}},
}

func start(t *testing.T, cfg kerneltest.Config) (*kerneltest.Kernel, *kerneltest.Client) {
	t.Helper()
	if cfg.Options.Implementation == "" {
		cfg.Options = options
	}
	k := kerneltest.Start(t, demo.New(), cfg)
	c := k.Client(t)
	t.Cleanup(func() {
		if bad := c.Invalid(); len(bad) > 0 {
			t.Errorf("the client received invalid messages: %v", bad)
		}
	})
	return k, c
}

func TestKernelInfo(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	for _, ch := range []kerneltest.Channel{kerneltest.Shell, kerneltest.Control} {
		t.Run(string(ch), func(t *testing.T) {
			reply, iopub, err := c.Request(ch, "kernel_info_request", map[string]any{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := types(iopub), []string{"status:busy", "status:idle"}; !slices.Equal(got, want) {
				t.Errorf("iopub %v, want %v", got, want)
			}
			if reply.Header.MsgType != "kernel_info_reply" {
				t.Fatalf("reply type %s", reply.Header.MsgType)
			}
			got := content(t, reply)
			li, _ := got["language_info"].(map[string]any)
			for key, want := range map[string]any{
				"status": "ok", "protocol_version": "5.3", "implementation": "gocinn",
				"implementation_version": "0.1.0-test", "banner": "gocinn test kernel",
			} {
				if got[key] != want {
					t.Errorf("%s = %v, want %v", key, got[key], want)
				}
			}
			for key, want := range map[string]any{
				"name": "gocinn", "version": "0.1", "mimetype": "text/x-gocinn", "file_extension": ".gocinn",
				"pygments_lexer": "text", "codemirror_mode": "text",
			} {
				if li[key] != want {
					t.Errorf("language_info.%s = %v, want %v", key, li[key], want)
				}
			}
			links, _ := got["help_links"].([]any)
			if len(links) != 1 || links[0].(map[string]any)["url"] != "https://example.org/gocinn" {
				t.Errorf("help_links = %v", got["help_links"])
			}
		})
	}
}

func TestExecute(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	ex := demo.New()
	tests := []struct {
		code   string
		status string
		types  []string // IOPub output types in order
		check  func(t *testing.T, reply map[string]any, out []map[string]any)
	}{
		{"%echo hello", "ok", []string{"stream"}, func(t *testing.T, _ map[string]any, out []map[string]any) {
			if out[0]["name"] != "stdout" || out[0]["text"] != "hello\n" {
				t.Errorf("stream %v", out[0])
			}
		}},
		{"%echo --stderr oops", "ok", []string{"stream"}, func(t *testing.T, _ map[string]any, out []map[string]any) {
			if out[0]["name"] != "stderr" || out[0]["text"] != "oops\n" {
				t.Errorf("stream %v", out[0])
			}
		}},
		{"%echo a \\\nb", "ok", []string{"stream"}, func(t *testing.T, _ map[string]any, out []map[string]any) {
			if out[0]["text"] != "a \nb\n" {
				t.Errorf("continued stream %q", out[0]["text"])
			}
		}},
		{"%png", "ok", []string{"display_data"}, func(t *testing.T, _ map[string]any, out []map[string]any) {
			data := out[0]["data"].(map[string]any)
			raw, err := base64.StdEncoding.DecodeString(data["image/png"].(string))
			if err != nil || !bytes.Equal(raw, ex.PNG()) {
				t.Fatalf("image/png is not the demo PNG: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			md := out[0]["metadata"].(map[string]any)["image/png"].(map[string]any)
			if float64(img.Bounds().Dx()) != md["width"] || float64(img.Bounds().Dy()) != md["height"] {
				t.Errorf("metadata %v for a %v image", md, img.Bounds())
			}
			if _, ok := data["text/plain"].(string); !ok {
				t.Error("no text/plain")
			}
		}},
		{"%html <b>bold</b>", "ok", []string{"display_data"}, func(t *testing.T, _ map[string]any, out []map[string]any) {
			data := out[0]["data"].(map[string]any)
			if data["text/html"] != "<b>bold</b>" || data["text/plain"] == nil {
				t.Errorf("data %v", data)
			}
		}},
		{"%display d1 first\n%update d1 second", "ok", []string{"display_data", "update_display_data"}, func(t *testing.T, _ map[string]any, out []map[string]any) {
			for i, want := range []string{"first", "second"} {
				if id := out[i]["transient"].(map[string]any)["display_id"]; id != "d1" {
					t.Errorf("%d: display_id %v", i, id)
				}
				if got := out[i]["data"].(map[string]any)["text/plain"]; got != want {
					t.Errorf("%d: text %v, want %s", i, got, want)
				}
			}
		}},
		{"%clear", "ok", []string{"clear_output"}, func(t *testing.T, _ map[string]any, out []map[string]any) {
			if out[0]["wait"] != false {
				t.Errorf("wait %v", out[0]["wait"])
			}
		}},
		{"%clear --wait", "ok", []string{"clear_output"}, func(t *testing.T, _ map[string]any, out []map[string]any) {
			if out[0]["wait"] != true {
				t.Errorf("wait %v", out[0]["wait"])
			}
		}},
		{"%result 42", "ok", []string{"execute_result"}, func(t *testing.T, reply map[string]any, out []map[string]any) {
			if out[0]["execution_count"] != reply["execution_count"] {
				t.Errorf("execute_result count %v, reply count %v", out[0]["execution_count"], reply["execution_count"])
			}
			if out[0]["data"].(map[string]any)["text/plain"] != "42" {
				t.Errorf("data %v", out[0]["data"])
			}
		}},
		{"%page some help", "ok", nil, func(t *testing.T, reply map[string]any, _ []map[string]any) {
			p := reply["payload"].([]any)
			if len(p) != 1 {
				t.Fatalf("payload %v", p)
			}
			page := p[0].(map[string]any)
			if page["source"] != "page" || page["data"].(map[string]any)["text/plain"] != "some help" {
				t.Errorf("payload %v", page)
			}
		}},
		{"", "ok", nil, nil},
		{"%echo before\n%fail boom\n%echo after", "error", []string{"stream", "error"}, func(t *testing.T, reply map[string]any, out []map[string]any) {
			for _, c := range []map[string]any{reply, out[1]} {
				if c["ename"] != "DemoError" || c["evalue"] != "boom" {
					t.Errorf("error %v", c)
				}
				if tb, ok := c["traceback"].([]any); !ok || len(tb) == 0 {
					t.Errorf("traceback %v", c["traceback"])
				}
			}
		}},
		{"x = 1", "error", []string{"error"}, func(t *testing.T, reply map[string]any, _ []map[string]any) {
			if reply["ename"] != "SyntaxError" {
				t.Errorf("ename %v", reply["ename"])
			}
		}},
		{"%nosuch", "error", []string{"error"}, func(t *testing.T, reply map[string]any, _ []map[string]any) {
			if reply["ename"] != "UnknownCommand" {
				t.Errorf("ename %v", reply["ename"])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			reply, iopub := mustExecute(t, c, tt.code)
			if reply["status"] != tt.status {
				t.Fatalf("status %v, want %s (%v)", reply["status"], tt.status, reply)
			}
			if _, ok := reply["execution_count"].(float64); !ok {
				t.Errorf("no execution_count in %v", reply)
			}
			all := types(iopub)
			if all[0] != "status:busy" || all[1] != "execute_input" || all[len(all)-1] != "status:idle" {
				t.Errorf("iopub %v: want busy, execute_input, ..., idle", all)
			}
			outs := outputs(iopub)
			if got := types(outs); !slices.Equal(got, append([]string{}, tt.types...)) {
				t.Fatalf("outputs %v, want %v", got, tt.types)
			}
			var cs []map[string]any
			for _, m := range outs {
				c := content(t, m)
				if d, ok := c["data"].(map[string]any); ok {
					if _, ok := d["text/plain"]; !ok {
						t.Errorf("%s without text/plain: %v", m.Header.MsgType, d)
					}
				}
				cs = append(cs, c)
			}
			if tt.check != nil {
				tt.check(t, reply, cs)
			}
		})
	}
}

func execCount(t *testing.T, c *kerneltest.Client, content map[string]any) (map[string]any, []*kernel.Message) {
	t.Helper()
	reply, iopub, err := c.Request(kerneltest.Shell, "execute_request", content)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(reply.Content, &r); err != nil {
		t.Fatal(err)
	}
	return r, iopub
}

func TestExecutionCountAndSilent(t *testing.T) {
	_, c := start(t, kerneltest.Config{})
	req := func(code string, silent, store bool) map[string]any {
		m := kerneltest.ExecuteContent(code)
		m["silent"], m["store_history"] = silent, store
		return m
	}
	steps := []struct {
		content   map[string]any
		wantCount float64
		wantTypes []string
	}{
		{req("%echo a", false, true), 1, []string{"status:busy", "execute_input", "stream", "status:idle"}},
		{req("%echo b", false, true), 2, []string{"status:busy", "execute_input", "stream", "status:idle"}},
		{req("%echo c", false, false), 2, []string{"status:busy", "execute_input", "stream", "status:idle"}},
		{req("%echo d\n%result r\n%fail silently", true, true), 2, []string{"status:busy", "status:idle"}},
		{req("%fail counted", false, true), 3, []string{"status:busy", "execute_input", "error", "status:idle"}},
		{req("%echo e", false, true), 4, []string{"status:busy", "execute_input", "stream", "status:idle"}},
	}
	for i, s := range steps {
		reply, iopub := execCount(t, c, s.content)
		if reply["execution_count"] != s.wantCount {
			t.Errorf("step %d: execution_count %v, want %v", i, reply["execution_count"], s.wantCount)
		}
		if got := types(iopub); !slices.Equal(got, s.wantTypes) {
			t.Errorf("step %d: iopub %v, want %v", i, got, s.wantTypes)
		}
	}
}

func TestHeaders(t *testing.T) {
	k, c := start(t, kerneltest.Config{})
	id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%echo x\n%result y"))
	if err != nil {
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
	ids := map[string]bool{}
	for _, m := range append(append(c.Received(kerneltest.Shell), c.Received(kerneltest.IOPub)...), c.Received(kerneltest.Control)...) {
		h := m.Header
		if ids[h.MsgID] {
			t.Errorf("msg_id %s used twice", h.MsgID)
		}
		ids[h.MsgID] = true
		if h.Version != "5.3" || h.Session != k.Session() || h.Username == "" {
			t.Errorf("header %+v", h)
		}
		if _, err := time.Parse(time.RFC3339Nano, h.Date); err != nil || !strings.HasSuffix(h.Date, "Z") {
			t.Errorf("date %q is not ISO 8601 UTC: %v", h.Date, err)
		}
	}
	for _, pm := range append([]*kernel.Message{reply}, iopub...) {
		if pm.ParentMsgID() != id {
			t.Errorf("%s has parent %s, want %s", pm.Header.MsgType, pm.ParentMsgID(), id)
		}
	}
	// The parent header is the request header byte for byte, even with
	// unusual spacing and extra fields.
	m, _ := c.NewMessage("execute_request", kerneltest.ExecuteContent("%echo raw"))
	frames, _ := c.Encode(m)
	frames[2] = []byte(fmt.Sprintf(`{ "msg_type": "execute_request", "msg_id": "%s",  "session": "%s", "username": "u", "date": "2026-01-01T00:00:00Z", "version": "5.3", "extra": [1, 2] }`, m.Header.MsgID, c.Session))
	c.Resign(frames)
	if err := c.SendFrames(kerneltest.Shell, frames); err != nil {
		t.Fatal(err)
	}
	reply, err = c.WaitReply(kerneltest.Shell, m.Header.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(reply.ParentHeader, frames[2]) {
		t.Errorf("parent_header %s, want %s", reply.ParentHeader, frames[2])
	}
}
