package kernel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"
)

func zmtpGreeting() []byte {
	g := make([]byte, 64)
	g[0], g[9], g[10] = 0xFF, 0x7F, 3
	copy(g[12:], "NULL")
	return g
}

func zmtpFrame(flags byte, body []byte) []byte {
	if len(body) > 255 {
		h := make([]byte, 9)
		h[0] = flags | 0x02
		binary.BigEndian.PutUint64(h[1:], uint64(len(body)))
		return append(h, body...)
	}
	return append([]byte{flags, byte(len(body))}, body...)
}

func zmtpReady(props ...string) []byte {
	body := []byte{5, 'R', 'E', 'A', 'D', 'Y'}
	for i := 0; i+1 < len(props); i += 2 {
		body = append(body, byte(len(props[i])))
		body = append(body, props[i]...)
		body = binary.BigEndian.AppendUint32(body, uint32(len(props[i+1])))
		body = append(body, props[i+1]...)
	}
	return zmtpFrame(0x04, body)
}

// pass writes stream in chunks of random sizes through a guardConn and
// returns what comes out and the read error.
func pass(t *testing.T, stream []byte, seed uint64) ([]byte, error) {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	g := &guardConn{Conn: b, greetLeft: 64, maxFrame: 1 << 20}
	r := rand.New(rand.NewPCG(seed, 1))
	go func() {
		rest := stream
		for len(rest) > 0 {
			n := min(1+r.IntN(700), len(rest))
			if _, err := a.Write(rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
		}
		a.Close()
	}()
	_ = b.SetReadDeadline(time.Now().Add(10 * time.Second))
	out, err := io.ReadAll(g)
	return out, err
}

func TestGuardPassesValidStreams(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 70000)
	stream := bytes.Join([][]byte{
		zmtpGreeting(),
		zmtpReady("Socket-Type", "DEALER", "Identity", "abc"),
		zmtpFrame(0x01, []byte("<IDS|MSG>")),
		zmtpFrame(0x01, nil),
		zmtpFrame(0x01, big),
		zmtpFrame(0x00, []byte("{}")),
		zmtpFrame(0x04, []byte{4, 'P', 'I', 'N', 'G', 0, 1}), // a command after the handshake
		zmtpFrame(0x00, []byte{1}),                           // a subscription
	}, nil)
	for seed := range uint64(20) {
		out, err := pass(t, stream, seed)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !bytes.Equal(out, stream) {
			t.Fatalf("seed %d: %d bytes out of %d, or changed", seed, len(out), len(stream))
		}
	}
}

func TestGuardRejects(t *testing.T) {
	ready := zmtpReady("Socket-Type", "DEALER")
	tests := []struct {
		name   string
		stream []byte
	}{
		{"truncated metadata", append(zmtpGreeting(), zmtpFrame(0x04, []byte{5, 'R', 'E', 'A', 'D', 'Y', 3, 'a', 'b', 'c'})...)},
		{"metadata value too long", append(zmtpGreeting(), zmtpFrame(0x04, []byte{5, 'R', 'E', 'A', 'D', 'Y', 1, 'a', 0, 0, 1, 0, 'v'})...)},
		{"empty property name", append(zmtpGreeting(), zmtpFrame(0x04, []byte{5, 'R', 'E', 'A', 'D', 'Y', 0, 0, 0, 0, 0})...)},
		{"frame over the limit", bytes.Join([][]byte{zmtpGreeting(), ready, {0x02, 0, 0, 0, 0, 0, 0x10, 0, 1}}, nil)},
		{"huge command", append(zmtpGreeting(), 0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)},
		{"data before READY", append(zmtpGreeting(), zmtpFrame(0, []byte("hi"))...)},
		{"reserved flag bits", bytes.Join([][]byte{zmtpGreeting(), ready, {0x80, 0}}, nil)},
		{"command name past the end", append(zmtpGreeting(), zmtpFrame(0x04, []byte{9, 'R'})...)},
	}
	for _, tt := range tests {
		out, err := pass(t, tt.stream, 7)
		if ze := new(*zmtpError); !errors.As(err, ze) {
			t.Errorf("%s: error %v, want a zmtpError", tt.name, err)
		}
		if len(out) >= len(tt.stream) {
			t.Errorf("%s: the whole stream passed", tt.name)
		}
	}
}

func TestGuardHandshakeDeadline(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	g := &guardConn{Conn: b, greetLeft: 64, maxFrame: 1 << 20}
	_ = b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	var buf [64]byte
	if _, err := g.Read(buf[:]); err == nil {
		t.Fatal("a silent peer did not time out")
	}
	// The connection is closed, so the peer sees it.
	if _, err := a.Write([]byte{1}); err == nil {
		t.Error("the connection of a failed handshake was left open")
	}
}

func FuzzGuard(f *testing.F) {
	f.Add(append(zmtpGreeting(), zmtpReady("Socket-Type", "REQ")...))
	f.Add(append(zmtpGreeting(), 0x04, 3, 5, 'R', 'E'))
	f.Add(append(append(zmtpGreeting(), zmtpReady()...), 0x02, 1, 2, 3, 4, 5, 6, 7, 8))
	f.Fuzz(func(t *testing.T, stream []byte) {
		out, err := pass(t, stream, 3)
		if !bytes.HasPrefix(stream, out) {
			t.Fatalf("the guard changed the stream")
		}
		if err == nil && !bytes.Equal(out, stream) {
			t.Fatalf("the guard dropped bytes without an error")
		}
	})
}

func FuzzDecode(f *testing.F) {
	s, _ := NewSigner("hmac-sha256", nil)
	m := &Message{Identities: [][]byte{[]byte("id")}, Header: newHeader("execute_request", "s", "u"), Content: []byte(`{"code": "%echo"}`)}
	frames, _ := s.Encode(m)
	f.Add(bytes.Join(frames, []byte{0}))
	f.Add([]byte("<IDS|MSG>\x00\x00{}\x00{}\x00{}\x00{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := s.Decode(bytes.Split(b, []byte{0}))
		if err == nil {
			if _, err := parseRequest(m); err == nil {
				_ = m.ParentMsgID()
			}
		}
	})
}
