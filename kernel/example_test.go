package kernel_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/demo"
	"github.com/gocinn/gocinn/kernel/kerneltest"
)

// A kernel serving the demo executor on free loopback ports, driven by
// the kerneltest client until a shutdown_request.
func Example() {
	conn := &kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "secret", SignatureScheme: "hmac-sha256"}
	k, err := kernel.New(conn, demo.New(), kernel.Options{Implementation: "example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	served := make(chan error, 1)
	go func() { served <- k.Serve(context.Background()) }()

	c, err := kerneltest.Dial(k.ConnectionInfo())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	if err := c.WaitReady(); err != nil {
		fmt.Println(err)
		return
	}
	_, iopub, err := c.Execute("%echo hello from the demo executor")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range iopub {
		if m.Header.MsgType == "stream" {
			var s struct{ Name, Text string }
			_ = json.Unmarshal(m.Content, &s)
			fmt.Print(s.Name, ": ", s.Text)
		}
	}
	if _, _, err := c.Request(kerneltest.Control, "shutdown_request", map[string]any{"restart": false}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Serve returned", <-served)
	fmt.Println(k.ShutdownRequested())
	// Output:
	// stdout: hello from the demo executor
	// Serve returned <nil>
	// true false
}
