package kernel_test

import (
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/kerneltest"
)

// TestRequestAfterErrorReplyRuns is the regression test of a race found
// by reliability/jupyter_client_busy.py: the kernel sent the error reply
// of a stop_on_error cell before it began aborting the queue, so a request
// the client sent as soon as it had that reply could be queued before the
// end-of-abort marker and be aborted, although it came after the failure.
// It took a loaded machine to preempt the shell worker between the two
// steps; here a hook holds the worker after the reply instead.
func TestRequestAfterErrorReplyRuns(t *testing.T) {
	defer kernel.SetAfterErrorReplyHook(func() { time.Sleep(50 * time.Millisecond) })()
	_, c := start(t, kerneltest.Config{})
	for i := 0; i < 5; i++ {
		// Send the next request as soon as the error reply arrives, before
		// status idle, as jupyter_client's execute_interactive may.
		id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%fail on purpose"))
		if err != nil {
			t.Fatal(err)
		}
		reply, err := c.WaitReply(kerneltest.Shell, id)
		if err != nil {
			t.Fatal(err)
		}
		if s := content(t, reply)["status"]; s != "error" {
			t.Fatalf("failing cell: status %v", s)
		}
		reply, _, err = c.Execute("%echo next")
		if err != nil {
			t.Fatal(err)
		}
		if s := content(t, reply)["status"]; s != "ok" {
			t.Fatalf("round %d: a request sent after the error reply was %v, want ok", i, s)
		}
	}
}
