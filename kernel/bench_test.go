package kernel_test

import (
	"testing"

	"github.com/gocinn/gocinn/kernel/demo"
	"github.com/gocinn/gocinn/kernel/kerneltest"
)

// Round trips through loopback tcp with the in-process client: request
// sent, reply received and IOPub idle seen.
func BenchmarkRoundTrip(b *testing.B) {
	k := kerneltest.Start(b, demo.New(), kerneltest.Config{})
	c := k.Client(b)
	for _, bm := range []struct {
		name    string
		ch      kerneltest.Channel
		msgType string
		content map[string]any
	}{
		{"kernel_info/shell", kerneltest.Shell, "kernel_info_request", map[string]any{}},
		{"kernel_info/control", kerneltest.Control, "kernel_info_request", map[string]any{}},
		{"execute/empty", kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("")},
		{"execute/echo", kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%echo hi")},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := c.Request(bm.ch, bm.msgType, bm.content); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Start-up: New, Serve, a client dialling and its first kernel_info
// reply. (The kernels are stopped at the end, each lingering 100 ms.)
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		k := kerneltest.Start(b, demo.New(), kerneltest.Config{Options: options})
		c, err := kerneltest.Dial(k.Info)
		if err != nil {
			b.Fatal(err)
		}
		id, err := c.SendRequest(kerneltest.Shell, "kernel_info_request", map[string]any{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.WaitReply(kerneltest.Shell, id); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}
