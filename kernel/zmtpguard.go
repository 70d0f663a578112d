package kernel

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// zmq4 v0.17.0 trusts its peers: a READY command with truncated metadata
// or a frame announcing an absurd size makes it panic in a goroutine of
// its own, which kills the kernel, and a peer that connects and stays
// silent blocks the socket's accept loop. Every socket of the kernel
// therefore listens through a guard transport that checks the ZMTP byte
// stream before zmq4 parses it: it bounds the time to finish the
// handshake and the size of frames, validates command frames, and closes
// a connection breaking these rules.

// Guard transports, registered with zmq4 once.
const (
	guardTCP = "gocinn-guarded-tcp"
	guardIPC = "gocinn-guarded-ipc"
)

var (
	registerGuards sync.Once
	// handshakeTimeout bounds the ZMTP greeting and READY exchange of an
	// incoming connection.
	handshakeTimeout atomic.Int64
	// maxFrameSize bounds a message frame; zmq4 allocates a frame whole
	// before reading it.
	maxFrameSize atomic.Uint64
)

const maxCommandSize = 1 << 16 // a READY command is a few hundred bytes

func init() {
	handshakeTimeout.Store(int64(10 * time.Second))
	maxFrameSize.Store(256 << 20)
}

// guardedEndpoint returns the zmq4 endpoint that binds ep (tcp:// or
// ipc://) through a guard transport.
func guardedEndpoint(ep string) string {
	registerGuards.Do(func() {
		for name, network := range map[string]string{guardTCP: "tcp", guardIPC: "unix"} {
			if err := zmq4.RegisterTransport(name, guardTransport{transport.New(network)}); err != nil {
				panic("kernel: registering a zmq4 transport: " + err.Error())
			}
		}
	})
	if rest, ok := strings.CutPrefix(ep, "tcp://"); ok {
		return guardTCP + "://" + rest
	}
	if rest, ok := strings.CutPrefix(ep, "ipc://"); ok {
		return guardIPC + "://" + rest
	}
	panic("kernel: unknown endpoint " + ep)
}

type guardTransport struct{ inner transport.Transport }

func (t guardTransport) Dial(ctx context.Context, d transport.Dialer, addr string) (net.Conn, error) {
	return t.inner.Dial(ctx, d, addr)
}

func (t guardTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := t.inner.Listen(ctx, addr)
	if err != nil {
		return nil, err
	}
	gl := &guardListener{Listener: l, ready: make(chan *guardConn), done: make(chan struct{})}
	go gl.acceptLoop()
	return gl, nil
}

func (t guardTransport) Addr(ep string) (string, error) { return t.inner.Addr(ep) }

// guardListener accepts connections in the background and hands one to
// zmq4 only once its peer has sent its first bytes: zmq4 runs each
// handshake inside its accept loop, so a peer that connected and stayed
// silent held back every later connection until the handshake timeout.
// (A peer that sends part of a greeting and stalls still does; the
// handshake timeout bounds that.)
type guardListener struct {
	net.Listener
	ready chan *guardConn
	done  chan struct{} // closed when the inner listener is closed
	err   error         // the inner Accept's error, set before done is closed
}

func (l *guardListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				l.err = err
				close(l.done)
				return
			}
			time.Sleep(10 * time.Millisecond) // too many open files, say: retry
			continue
		}
		go l.probe(c)
	}
}

// probe waits (at most the handshake timeout) for the first bytes of the
// peer, checks them and passes the connection on.
func (l *guardListener) probe(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(time.Duration(handshakeTimeout.Load())))
	g := &guardConn{Conn: c, greetLeft: 64, maxFrame: maxFrameSize.Load()}
	n, err := io.ReadAtLeast(c, g.raw[:64], 1)
	if err != nil {
		c.Close()
		return
	}
	if err := g.feed(g.raw[:n]); err != nil {
		c.Close()
		return
	}
	select {
	case l.ready <- g:
	case <-l.done:
		c.Close()
	}
}

func (l *guardListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		// The handshake timeout starts again now that zmq4 begins the
		// handshake: the connection may have waited while zmq4 was busy
		// with another.
		c.restartHandshakeTimer()
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

// zmtpError is returned to zmq4 for a connection that broke the ZMTP
// rules. It is a net.Error, so that zmq4 also forgets the connection.
type zmtpError struct{ reason string }

func (e *zmtpError) Error() string {
	return "kernel: malformed ZMTP stream from a peer (" + e.reason + "); connection closed"
}
func (*zmtpError) Timeout() bool   { return false }
func (*zmtpError) Temporary() bool { return false }

var _ net.Error = (*zmtpError)(nil)

func zmtpErrorf(format string, args ...any) error {
	return &zmtpError{fmt.Sprintf(format, args...)}
}

// guardConn passes on the bytes of a ZMTP stream once they are checked.
type guardConn struct {
	net.Conn
	maxFrame uint64

	mu        sync.Mutex
	ready     []byte // checked bytes not yet read
	pending   []byte // a frame header or a command frame being assembled
	greetLeft int    // greeting bytes still to come
	bodyLeft  uint64 // data bytes of the current frame still to come
	inCommand bool   // pending holds a command frame's header and body so far
	handshook bool
	err       error
	raw       [8192]byte
}

func (g *guardConn) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.ready) == 0 {
		if g.err != nil {
			return 0, g.err
		}
		n, err := g.Conn.Read(g.raw[:])
		if n > 0 {
			if ferr := g.feed(g.raw[:n]); ferr != nil {
				g.fail(ferr)
			}
		}
		if err != nil && g.err == nil {
			if errors.Is(err, io.EOF) && len(g.pending) > 0 {
				err = io.ErrUnexpectedEOF // the stream ends inside a frame header or command
			}
			if !g.handshook {
				// zmq4 does not close a connection whose handshake
				// failed; do it here.
				g.Conn.Close()
			}
			g.err = err
		}
	}
	n := copy(p, g.ready)
	g.ready = g.ready[n:]
	return n, nil
}

// restartHandshakeTimer gives a connection that has not finished its
// handshake the whole handshake timeout from now.
func (g *guardConn) restartHandshakeTimer() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.handshook {
		_ = g.Conn.SetReadDeadline(time.Now().Add(time.Duration(handshakeTimeout.Load())))
	}
}

func (g *guardConn) fail(err error) {
	g.err = err
	g.pending = nil
	g.Conn.Close()
}

// feed checks b and moves what is valid to ready.
func (g *guardConn) feed(b []byte) error {
	for len(b) > 0 {
		switch {
		case g.greetLeft > 0:
			n := min(g.greetLeft, len(b))
			g.ready = append(g.ready, b[:n]...)
			g.greetLeft -= n
			b = b[n:]
		case g.bodyLeft > 0 && !g.inCommand:
			n := int(min(g.bodyLeft, uint64(len(b))))
			g.ready = append(g.ready, b[:n]...)
			g.bodyLeft -= uint64(n)
			b = b[n:]
		case g.inCommand:
			n := int(min(g.bodyLeft, uint64(len(b))))
			g.pending = append(g.pending, b[:n]...)
			g.bodyLeft -= uint64(n)
			b = b[n:]
			if g.bodyLeft == 0 {
				if err := g.endCommand(); err != nil {
					return err
				}
			}
		default: // a frame header
			g.pending = append(g.pending, b[0])
			b = b[1:]
			if err := g.header(); err != nil {
				return err
			}
		}
	}
	return nil
}

// header examines the frame header assembled in pending.
func (g *guardConn) header() error {
	const (
		more    = 0x01
		long    = 0x02
		command = 0x04
	)
	flags := g.pending[0]
	if flags&^(more|long|command) != 0 {
		return zmtpErrorf("frame flags %#x", flags)
	}
	need := 2
	if flags&long != 0 {
		need = 9
	}
	if len(g.pending) < need {
		return nil
	}
	var size uint64
	if need == 2 {
		size = uint64(g.pending[1])
	} else {
		size = binary.BigEndian.Uint64(g.pending[1:9])
	}
	if flags&command != 0 {
		if size > maxCommandSize {
			return zmtpErrorf("a command of %d bytes", size)
		}
		g.inCommand, g.bodyLeft = true, size
		if size == 0 {
			return g.endCommand()
		}
		return nil
	}
	if !g.handshook {
		return zmtpErrorf("a message before the handshake")
	}
	if size > g.maxFrame {
		return zmtpErrorf("a frame of %d bytes, more than the %d allowed", size, g.maxFrame)
	}
	g.ready = append(g.ready, g.pending...)
	g.pending = g.pending[:0]
	g.bodyLeft = size
	return nil
}

// endCommand validates the command frame in pending and releases it.
func (g *guardConn) endCommand() error {
	hdr := 2
	if g.pending[0]&0x02 != 0 {
		hdr = 9
	}
	body := g.pending[hdr:]
	if len(body) == 0 || int(body[0]) > len(body)-1 {
		return zmtpErrorf("a command without a name")
	}
	name := string(body[1 : 1+int(body[0])])
	if name == "READY" {
		if err := checkMetadata(body[1+int(body[0]):]); err != nil {
			return err
		}
		if !g.handshook {
			g.handshook = true
			_ = g.Conn.SetReadDeadline(time.Time{})
		}
	}
	g.ready = append(g.ready, g.pending...)
	g.pending = g.pending[:0]
	g.inCommand = false
	return nil
}

// checkMetadata checks ZMTP metadata: properties of a 1-byte name length,
// the name, a 4-byte value length and the value.
func checkMetadata(md []byte) error {
	for i := 0; i < len(md); {
		klen := int(md[i])
		i++
		if klen == 0 || i+klen+4 > len(md) {
			return zmtpErrorf("truncated READY metadata")
		}
		i += klen
		vlen := uint64(binary.BigEndian.Uint32(md[i:]))
		i += 4
		if uint64(i)+vlen > uint64(len(md)) {
			return zmtpErrorf("truncated READY metadata")
		}
		i += int(vlen)
	}
	return nil
}

// removeSocketFile removes the Unix socket file of an ipc endpoint (zmq4
// removes only those it bound under the ipc:// scheme).
func removeSocketFile(ep string) {
	if path, ok := strings.CutPrefix(ep, "ipc://"); ok {
		removeStaleSocket(path)
	}
}

// removeStaleSocket removes a Unix socket file left by a kernel that did
// not exit cleanly, as libzmq does before binding an ipc endpoint.
func removeStaleSocket(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
}
