package kernel_test

import (
	"encoding/json"
	"testing"

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

func types(ms []*kernel.Message) []string {
	var out []string
	for _, m := range ms {
		s := m.Header.MsgType
		if s == "status" {
			s += ":" + kerneltest.ExecutionState(m)
		}
		out = append(out, s)
	}
	return out
}

func TestSmoke(t *testing.T) {
	k := kerneltest.Start(t, demo.New(), kerneltest.Config{})
	c := k.Client(t)
	reply, iopub, err := c.Execute("%echo hello")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reply %s %s", reply.Header.MsgType, reply.Content)
	t.Logf("iopub %v", types(iopub))
	reply, _, err = c.Request(kerneltest.Control, "shutdown_request", map[string]any{"restart": true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reply %s %s", reply.Header.MsgType, reply.Content)
	if err := k.Wait(); err != nil {
		t.Fatal(err)
	}
	t.Log(k.ShutdownRequested())
}
