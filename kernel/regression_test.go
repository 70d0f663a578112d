package kernel_test

import (
	"fmt"
	"net"
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

// TestSilentPeerDoesNotBlockOthers is the regression test of a stall
// found by reliability's hostile tests: zmq4 runs each ZMTP handshake in
// its accept loop, so a peer that connected to a socket and sent nothing
// (a port scanner, a stuck process) held back every later connection
// until the handshake timeout. With a timeout of ten minutes, a new client
// must still connect while silent peers sit on all five sockets.
func TestSilentPeerDoesNotBlockOthers(t *testing.T) {
	defer kernel.SetHandshakeTimeout(10 * time.Minute)()
	k, _ := start(t, kerneltest.Config{})
	info := k.Info
	for _, port := range []int{info.ShellPort, info.IOPubPort, info.StdinPort, info.ControlPort, info.HBPort} {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
	}
	c, err := kerneltest.Dial(info)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WaitReady(); err != nil {
		t.Fatalf("a new client could not connect beside silent peers: %v", err)
	}
	if _, err := c.Ping([]byte("x")); err != nil {
		t.Fatalf("heartbeat beside a silent peer: %v", err)
	}
	reply, _, err := c.Execute("%echo ok")
	if err != nil || content(t, reply)["status"] != "ok" {
		t.Fatalf("execute beside silent peers: %v", err)
	}
}
