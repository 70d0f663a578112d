package kernel_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/kerneltest"
)

// Raw ZMTP 3.0 pieces, to speak to the kernel's sockets below zmq4.
var greeting = func() []byte {
	g := make([]byte, 64)
	g[0], g[9], g[10], g[11] = 0xFF, 0x7F, 3, 0
	copy(g[12:], "NULL")
	return g
}()

func command(name string, body []byte) []byte {
	b := append([]byte{byte(len(name))}, name...)
	b = append(b, body...)
	return frame(0x04, b)
}

func frame(flags byte, body []byte) []byte {
	if len(body) > 255 {
		h := make([]byte, 9)
		h[0] = flags | 0x02
		binary.BigEndian.PutUint64(h[1:], uint64(len(body)))
		return append(h, body...)
	}
	return append([]byte{flags, byte(len(body))}, body...)
}

func property(name, value string) []byte {
	b := append([]byte{byte(len(name))}, name...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(value)))
	return append(b, value...)
}

func join(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestMalformedZMTP(t *testing.T) {
	defer kernel.SetHandshakeTimeout(300 * time.Millisecond)()
	dealerReady := command("READY", property("Socket-Type", "DEALER"))
	hugeFrame := []byte{0x02, 0x3f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	tests := []struct {
		name  string
		port  func(kernel.ConnectionInfo) int
		bytes []byte
	}{
		{"READY metadata value past the end", shell, join(greeting, command("READY", []byte{3, 'a', 'b', 'c'}))},
		{"READY metadata name past the end", shell, join(greeting, command("READY", []byte{200, 'a'}))},
		{"READY value length past the end", control, join(greeting, command("READY", append(property("Socket-Type", "DEALER"), 1, 'x', 0, 0, 0, 9)))},
		{"READY on heartbeat", hb, join(greeting, command("READY", []byte{11, 'S', 'o', 'c', 'k', 'e', 't'}))},
		{"READY on iopub", iopub, join(greeting, command("READY", []byte{1}))},
		{"huge command in the handshake", stdin, join(greeting, []byte{0x06, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})},
		{"huge frame after the handshake", shell, join(greeting, dealerReady, hugeFrame)},
		{"huge frame on heartbeat", hb, join(greeting, command("READY", property("Socket-Type", "REQ")), hugeFrame)},
		{"message before the handshake", shell, join(greeting, frame(0, []byte("hello")))},
		{"bad flags", shell, join(greeting, []byte{0xF0, 0})},
		{"command without a name", shell, join(greeting, frame(0x04, []byte{9}))},
		{"HTTP request", shell, []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")},
		{"silent peer", shell, nil},
		{"greeting then silence", control, greeting},
		{"incompatible socket type", shell, join(greeting, command("READY", property("Socket-Type", "PUB")))},
	}
	k := kerneltest.Start(t, funcExecutor(func(_ context.Context, req kernel.Request, out kernel.Output) error {
		out.Stream("stdout", req.Code)
		return nil
	}), kerneltest.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tt.port(k.Info)))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write(tt.bytes); err != nil {
				t.Fatal(err)
			}
			// A new client is served on every socket.
			c := k.Client(t)
			reply, iopub, err := c.Execute("still alive")
			if err != nil || reply.Header.MsgType != "execute_reply" || !strings.Contains(streamText(t, iopub), "still alive") {
				t.Fatalf("after %s: %v", tt.name, err)
			}
			if got, err := c.Ping([]byte("beat")); err != nil || string(got) != "beat" {
				t.Fatalf("heartbeat after %s: %q %v", tt.name, got, err)
			}
			if _, _, err := c.Request(kerneltest.Control, "kernel_info_request", map[string]any{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func shell(c kernel.ConnectionInfo) int   { return c.ShellPort }
func control(c kernel.ConnectionInfo) int { return c.ControlPort }
func stdin(c kernel.ConnectionInfo) int   { return c.StdinPort }
func iopub(c kernel.ConnectionInfo) int   { return c.IOPubPort }
func hb(c kernel.ConnectionInfo) int      { return c.HBPort }
