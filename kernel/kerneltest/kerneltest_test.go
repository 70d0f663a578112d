package kerneltest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel/demo"
	"github.com/gocinn/gocinn/kernel/kerneltest"
)

func TestClient(t *testing.T) {
	k := kerneltest.Start(t, demo.New(), kerneltest.Config{})
	c := k.Client(t)

	reply, iopub, err := c.Execute("%echo hi")
	if err != nil {
		t.Fatal(err)
	}
	if reply.Header.MsgType != "execute_reply" || len(iopub) != 4 {
		t.Errorf("reply %s, %d iopub messages", reply.Header.MsgType, len(iopub))
	}
	if st := kerneltest.ExecutionState(iopub[len(iopub)-1]); st != "idle" {
		t.Errorf("last iopub state %q", st)
	}

	// A wait for something that never comes ends with an error.
	c.Timeout = 50 * time.Millisecond
	if _, err := c.WaitReply(kerneltest.Shell, "no-such-id"); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("WaitReply of an unknown id: %v", err)
	}
	c.Timeout = 0

	// Two clients of one kernel each get their own replies.
	c2 := k.Client(t)
	id, err := c2.SendRequest(kerneltest.Shell, "kernel_info_request", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.WaitReply(kerneltest.Shell, id); err != nil {
		t.Fatal(err)
	}
	if len(kerneltest.Children(c.Received(kerneltest.Shell), id)) != 0 {
		t.Error("a reply to the second client reached the first")
	}

	defer func() {
		if recover() == nil {
			t.Error("sending on iopub did not panic")
		}
	}()
	_ = c.SendFrames(kerneltest.IOPub, nil)
}
