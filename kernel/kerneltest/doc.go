// Package kerneltest runs a kernel in-process and talks to it as a
// Jupyter client does, for tests, in the spirit of net/http/httptest.
//
// Start serves a kernel.Kernel on loopback (tcp with free ports, or ipc in
// a temporary directory); Dial (or Kernel.Client) connects a Client with
// DEALER sockets for shell, control and stdin, a SUB socket for IOPub and a
// REQ socket for the heartbeat. The client signs what it sends, verifies
// what it receives, and keeps every received message so that a test can
// look for a reply by its parent msg_id on any channel:
//
//	k := kerneltest.Start(t, demo.New(), kerneltest.Config{})
//	c := k.Client(t)
//	reply, iopub, err := c.Execute("%echo hi")
package kerneltest
