package kerneltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"

	"github.com/gocinn/gocinn/kernel"
)

// DefaultTimeout bounds every wait of a Client, only so that a broken
// kernel fails a test instead of hanging it.
const DefaultTimeout = 10 * time.Second

// Config configures Start. The zero value serves tcp on 127.0.0.1 with a
// random hmac-sha256 key.
type Config struct {
	Transport       string // "tcp" (default) or "ipc"
	Unsigned        bool   // empty key: messages are not signed
	SignatureScheme string // default "hmac-sha256"
	Options         kernel.Options
}

// Kernel is a kernel served in-process by Start.
type Kernel struct {
	*kernel.Kernel
	Info kernel.ConnectionInfo // with the bound ports

	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// Start serves a kernel running exec until the test ends (or it is shut
// down). It fails the test if the kernel cannot bind its sockets.
func Start(t testing.TB, exec kernel.Executor, cfg Config) *Kernel {
	t.Helper()
	info := kernel.ConnectionInfo{
		Transport:       "tcp",
		IP:              "127.0.0.1",
		SignatureScheme: cfg.SignatureScheme,
		KernelName:      "kerneltest",
	}
	if !cfg.Unsigned {
		key := make([]byte, 16)
		_, _ = rand.Read(key)
		info.Key = hex.EncodeToString(key)
	}
	if cfg.Transport == "ipc" {
		info.Transport = "ipc"
		info.IP = filepath.Join(t.TempDir(), "kernel")
		info.ShellPort, info.IOPubPort, info.StdinPort, info.ControlPort, info.HBPort = 1, 2, 3, 4, 5
	}
	k, err := kernel.New(&info, exec, cfg.Options)
	if err != nil {
		t.Fatalf("kerneltest: starting the kernel: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tk := &Kernel{Kernel: k, Info: k.ConnectionInfo(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(tk.done)
		tk.err = k.Serve(ctx)
	}()
	t.Cleanup(func() {
		if err := tk.Stop(); err != nil {
			t.Errorf("kerneltest: stopping the kernel: %v", err)
		}
	})
	return tk
}

// Done is closed when Serve has returned.
func (k *Kernel) Done() <-chan struct{} { return k.done }

// Wait waits for Serve to return (at most DefaultTimeout) and returns its
// error.
func (k *Kernel) Wait() error {
	select {
	case <-k.done:
		return k.err
	case <-time.After(DefaultTimeout):
		return errors.New("kerneltest: the kernel did not stop")
	}
}

// Stop cancels Serve's context and waits for it to return. It reports
// only a failure to stop, not Serve's context error.
func (k *Kernel) Stop() error {
	k.cancel()
	err := k.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Client dials the kernel, waits until IOPub is connected (see
// Client.WaitReady) and closes the client when the test ends.
func (k *Kernel) Client(t testing.TB) *Client {
	t.Helper()
	c, err := Dial(k.Info)
	if err != nil {
		t.Fatalf("kerneltest: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.WaitReady(); err != nil {
		t.Fatalf("kerneltest: %v", err)
	}
	return c
}

// Channel names a kernel socket.
type Channel string

// The channels of a kernel.
const (
	Shell     Channel = "shell"
	Control   Channel = "control"
	Stdin     Channel = "stdin"
	IOPub     Channel = "iopub"
	Heartbeat Channel = "hb"
)

// Client is a Jupyter client. Its methods are safe for concurrent use.
type Client struct {
	Session  string
	Username string
	Timeout  time.Duration // bound of every wait; DefaultTimeout if 0

	info   kernel.ConnectionInfo
	signer *kernel.Signer
	ctx    context.Context
	cancel context.CancelFunc
	socks  map[Channel]zmq4.Socket
	hbMu   sync.Mutex

	mu      sync.Mutex
	inbox   map[Channel][]*kernel.Message
	bad     []error
	changed chan struct{} // closed and replaced on every arrival
	readers sync.WaitGroup
}

// Dial connects a client to the kernel described by info.
func Dial(info kernel.ConnectionInfo) (*Client, error) {
	signer, err := kernel.NewSigner(info.SignatureScheme, []byte(info.Key))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		Session:  uuid.NewString(),
		Username: "kerneltest",
		info:     info,
		signer:   signer,
		ctx:      ctx,
		cancel:   cancel,
		socks:    map[Channel]zmq4.Socket{},
		inbox:    map[Channel][]*kernel.Message{},
		changed:  make(chan struct{}),
	}
	quiet := zmq4.WithLogger(log.New(io.Discard, "", 0))
	id := zmq4.WithID(zmq4.SocketIdentity(c.Session)) // stdin replies are routed by the shell identity
	c.socks[Shell] = zmq4.NewDealer(ctx, quiet, id)
	c.socks[Control] = zmq4.NewDealer(ctx, quiet, id)
	c.socks[Stdin] = zmq4.NewDealer(ctx, quiet, id)
	c.socks[IOPub] = zmq4.NewSub(ctx, quiet)
	c.socks[Heartbeat] = zmq4.NewReq(ctx, quiet)
	if err := c.socks[IOPub].SetOption(zmq4.OptionSubscribe, ""); err != nil {
		c.Close()
		return nil, fmt.Errorf("subscribing to iopub: %w", err)
	}
	ports := map[Channel]int{Shell: info.ShellPort, Control: info.ControlPort, Stdin: info.StdinPort,
		IOPub: info.IOPubPort, Heartbeat: info.HBPort}
	for _, ch := range []Channel{Shell, Control, Stdin, IOPub, Heartbeat} {
		if err := c.socks[ch].Dial(info.Endpoint(ports[ch])); err != nil {
			c.Close()
			return nil, fmt.Errorf("dialing %s: %w", ch, err)
		}
	}
	for _, ch := range []Channel{Shell, Control, Stdin, IOPub} {
		c.readers.Add(1)
		go c.read(ch)
	}
	return c, nil
}

// Close closes the client's sockets.
func (c *Client) Close() error {
	c.cancel()
	for _, s := range c.socks {
		s.Close()
	}
	c.readers.Wait()
	return nil
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) read(ch Channel) {
	defer c.readers.Done()
	for {
		raw, err := c.socks[ch].Recv()
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			continue
		}
		m, err := c.signer.Decode(raw.Frames)
		c.mu.Lock()
		if err != nil {
			c.bad = append(c.bad, fmt.Errorf("%s: %w", ch, err))
		} else {
			c.inbox[ch] = append(c.inbox[ch], m)
		}
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	}
}

// Invalid returns the errors of received messages that failed to decode
// or verify (a correct kernel produces none).
func (c *Client) Invalid() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.bad...)
}

// Received returns the messages received so far on ch.
func (c *Client) Received(ch Channel) []*kernel.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*kernel.Message(nil), c.inbox[ch]...)
}

// WaitFor waits until done, called with the messages received so far on
// ch, reports true, and returns them.
func (c *Client) WaitFor(ch Channel, done func([]*kernel.Message) bool) ([]*kernel.Message, error) {
	return c.waitFor(ch, c.timeout(), done)
}

func (c *Client) waitFor(ch Channel, timeout time.Duration, done func([]*kernel.Message) bool) ([]*kernel.Message, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		c.mu.Lock()
		msgs := append([]*kernel.Message(nil), c.inbox[ch]...)
		changed := c.changed
		c.mu.Unlock()
		if done(msgs) {
			return msgs, nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return msgs, fmt.Errorf("kerneltest: timed out after %v waiting on %s", timeout, ch)
		case <-c.ctx.Done():
			return msgs, errors.New("kerneltest: client closed")
		}
	}
}

// Children returns the messages of msgs whose parent is msgID.
func Children(msgs []*kernel.Message, msgID string) []*kernel.Message {
	var out []*kernel.Message
	for _, m := range msgs {
		if m.ParentMsgID() == msgID {
			out = append(out, m)
		}
	}
	return out
}

// NewMessage returns a request of this client's session.
func (c *Client) NewMessage(msgType string, content any) (*kernel.Message, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	return &kernel.Message{
		Header: kernel.Header{
			MsgID:    uuid.NewString(),
			Session:  c.Session,
			Username: c.Username,
			Date:     time.Now().UTC().Format(time.RFC3339Nano),
			MsgType:  msgType,
			Version:  kernel.ProtocolVersion,
		},
		Content: b,
	}, nil
}

// Encode returns the signed wire frames of m (for tests that tamper
// with them before SendFrames).
func (c *Client) Encode(m *kernel.Message) ([][]byte, error) { return c.signer.Encode(m) }

// Resign recomputes, in place, the signature of wire frames (identities,
// <IDS|MSG>, signature, header, parent, metadata, content, buffers) after
// a test changed them. It panics if there is no delimiter.
func (c *Client) Resign(frames [][]byte) {
	for i, f := range frames {
		if string(f) == "<IDS|MSG>" && len(frames) >= i+6 {
			frames[i+1] = []byte(c.signer.Sign(frames[i+2], frames[i+3], frames[i+4], frames[i+5]))
			return
		}
	}
	panic("kerneltest: Resign of frames without a delimiter and five frames after it")
}

// Send signs m and sends it on ch.
func (c *Client) Send(ch Channel, m *kernel.Message) error {
	frames, err := c.signer.Encode(m)
	if err != nil {
		return err
	}
	return c.SendFrames(ch, frames)
}

// SendFrames sends raw frames on ch, as they are.
func (c *Client) SendFrames(ch Channel, frames [][]byte) error {
	s, ok := c.socks[ch]
	if !ok || ch == IOPub || ch == Heartbeat {
		panic(fmt.Sprintf("kerneltest: cannot send requests on %q", ch))
	}
	return s.SendMulti(zmq4.NewMsgFrom(frames...))
}

// SendRequest builds a request and sends it on ch, returning its msg_id.
func (c *Client) SendRequest(ch Channel, msgType string, content any) (string, error) {
	m, err := c.NewMessage(msgType, content)
	if err != nil {
		return "", err
	}
	return m.Header.MsgID, c.Send(ch, m)
}

// Reply answers parent (an input_request) on ch.
func (c *Client) Reply(ch Channel, parent *kernel.Message, msgType string, content any) error {
	m, err := c.NewMessage(msgType, content)
	if err != nil {
		return err
	}
	m.ParentHeader = parent.RawHeader
	return c.Send(ch, m)
}

// WaitReply waits for the reply to msgID on ch.
func (c *Client) WaitReply(ch Channel, msgID string) (*kernel.Message, error) {
	msgs, err := c.WaitFor(ch, func(ms []*kernel.Message) bool { return len(Children(ms, msgID)) > 0 })
	if err != nil {
		return nil, fmt.Errorf("waiting for the reply to %s: %w", msgID, err)
	}
	return Children(msgs, msgID)[0], nil
}

// WaitIdle waits for status idle with parent msgID on IOPub and returns
// the IOPub messages of that parent, idle included.
func (c *Client) WaitIdle(msgID string) ([]*kernel.Message, error) {
	msgs, err := c.WaitFor(IOPub, func(ms []*kernel.Message) bool { return hasIdle(Children(ms, msgID)) })
	if err != nil {
		return Children(msgs, msgID), fmt.Errorf("waiting for status idle of %s: %w", msgID, err)
	}
	return Children(msgs, msgID), nil
}

func hasIdle(ms []*kernel.Message) bool {
	for _, m := range ms {
		if m.Header.MsgType == "status" && ExecutionState(m) == "idle" {
			return true
		}
	}
	return false
}

// ExecutionState returns the execution_state of a status message.
func ExecutionState(m *kernel.Message) string {
	var c struct {
		State string `json:"execution_state"`
	}
	_ = json.Unmarshal(m.Content, &c)
	return c.State
}

// Request sends a request on ch and waits for its reply on ch and for
// status idle on IOPub.
func (c *Client) Request(ch Channel, msgType string, content any) (reply *kernel.Message, iopub []*kernel.Message, err error) {
	id, err := c.SendRequest(ch, msgType, content)
	if err != nil {
		return nil, nil, err
	}
	if reply, err = c.WaitReply(ch, id); err != nil {
		return nil, nil, err
	}
	iopub, err = c.WaitIdle(id)
	return reply, iopub, err
}

// ExecuteContent returns the content of an execute_request with the
// defaults of jupyter_client.
func ExecuteContent(code string) map[string]any {
	return map[string]any{
		"code":             code,
		"silent":           false,
		"store_history":    true,
		"user_expressions": map[string]any{},
		"allow_stdin":      true,
		"stop_on_error":    true,
	}
}

// Execute runs code and returns the execute_reply and the IOPub messages
// of the request, up to status idle.
func (c *Client) Execute(code string) (reply *kernel.Message, iopub []*kernel.Message, err error) {
	return c.Request(Shell, "execute_request", ExecuteContent(code))
}

// WaitReady waits until the kernel answers kernel_info on shell and its
// IOPub messages reach this client, retrying kernel_info_request as
// jupyter_client does, because a PUB socket drops what it sends before a
// subscription arrives.
func (c *Client) WaitReady() error {
	deadline := time.Now().Add(c.timeout())
	for time.Now().Before(deadline) {
		id, err := c.SendRequest(Shell, "kernel_info_request", map[string]any{})
		if err != nil {
			return err
		}
		if _, err := c.WaitReply(Shell, id); err != nil {
			return err
		}
		_, err = c.waitFor(IOPub, 200*time.Millisecond, func(ms []*kernel.Message) bool { return hasIdle(Children(ms, id)) })
		if err == nil {
			return nil
		}
	}
	return errors.New("kerneltest: no IOPub message reached the client")
}

// Ping sends payload on the heartbeat and returns the echo.
func (c *Client) Ping(payload []byte) ([]byte, error) {
	c.hbMu.Lock()
	defer c.hbMu.Unlock()
	hb := c.socks[Heartbeat]
	if err := hb.Send(zmq4.NewMsg(payload)); err != nil {
		return nil, err
	}
	type result struct {
		msg zmq4.Msg
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := hb.Recv()
		done <- result{m, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		return r.msg.Bytes(), nil
	case <-time.After(c.timeout()):
		return nil, errors.New("kerneltest: no heartbeat echo")
	}
}
