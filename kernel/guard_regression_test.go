package kernel

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4/transport"
)

// TestGuardListenerPipelinedHandshake checks the background accept of the
// guard: a silent peer is not handed to zmq4 and does not delay the next
// connection, whose bytes (greeting and READY sent in one packet) pass
// unchanged, and which keeps no handshake deadline once the handshake is
// done.
func TestGuardListenerPipelinedHandshake(t *testing.T) {
	defer SetHandshakeTimeout(100 * time.Millisecond)()
	l, err := guardTransport{transport.New("tcp")}.Listen(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	silent, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	peer, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	hello := append(zmtpGreeting(), zmtpReady("Socket-Type", "DEALER")...)
	if _, err := peer.Write(hello); err != nil {
		t.Fatal(err)
	}
	c, err := l.Accept() // the silent peer is not handed over
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := make([]byte, len(hello))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, hello) {
		t.Fatalf("read %q, %v; want the greeting and READY", got, err)
	}
	// Idle past the handshake timeout, then a message: the connection
	// is still open.
	time.Sleep(300 * time.Millisecond)
	msg := zmtpFrame(0, []byte("hi"))
	if _, err := peer.Write(msg); err != nil {
		t.Fatal(err)
	}
	got = make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("after the handshake: read %q, %v", got, err)
	}
	// The listener closes cleanly.
	l.Close()
	if _, err := l.Accept(); err == nil {
		t.Error("Accept after Close returned no error")
	}
}
