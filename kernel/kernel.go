package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"
)

// ErrStdinNotAllowed is returned by Output.Input when the execute_request
// said allow_stdin false (for example nbclient, which has no stdin).
var ErrStdinNotAllowed = errors.New("kernel: the frontend does not support input (allow_stdin is false)")

// ErrInterrupted is the default cause of an interrupt_request.
var ErrInterrupted = errors.New("interrupted by the frontend (interrupt_request)")

// ErrShuttingDown is the cause a running cell is cancelled with when the
// kernel shuts down.
var ErrShuttingDown = errors.New("kernel is shutting down")

// LanguageInfo is the language_info of kernel_info_reply.
type LanguageInfo struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	MIMEType          string `json:"mimetype"`
	FileExtension     string `json:"file_extension"`
	PygmentsLexer     string `json:"pygments_lexer,omitempty"`
	CodeMirrorMode    string `json:"codemirror_mode,omitempty"`
	NBConvertExporter string `json:"nbconvert_exporter,omitempty"`
}

// HelpLink is one entry of kernel_info_reply's help_links.
type HelpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Options configure a Kernel. The zero value is usable.
type Options struct {
	Logger                *slog.Logger // nil: discard
	Implementation        string       // kernel_info_reply implementation, "" means "gocinn"
	ImplementationVersion string
	LanguageInfo          LanguageInfo
	Banner                string
	HelpLinks             []HelpLink

	// StopOnErrorTimeout is how long, after a cell fails with
	// stop_on_error, execute requests keep being aborted. Zero aborts
	// exactly the requests already received when the cell failed, as
	// ipykernel does by default.
	StopOnErrorTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits at shutdown for a
	// running cell to return after its context is cancelled; zero means
	// 2 s.
	ShutdownTimeout time.Duration
	// IOPubLinger is how long Serve waits after the last IOPub message
	// before closing the sockets, so that queued messages reach the
	// subscribers; zero means 100 ms.
	IOPubLinger time.Duration
	// IOPubStartupHold is how long, at most, IOPub messages are held back
	// until the first subscriber connects, so that a frontend whose SUB
	// socket connects after its first request still gets every message;
	// zero means 5 s, negative disables holding.
	IOPubStartupHold time.Duration
}

// Kernel serves one Jupyter kernel session over the five sockets of a
// connection file. Create it with New and run it with Serve.
type Kernel struct {
	conn     ConnectionInfo
	exec     Executor
	opts     Options
	log      *slog.Logger
	signer   *Signer
	session  string
	username string

	sockCtx    context.Context
	sockCancel context.CancelFunc
	shell      zmq4.Socket
	control    zmq4.Socket
	stdin      zmq4.Socket
	iopub      zmq4.Socket
	hb         zmq4.Socket
	endpoints  []string // bound, as tcp:// or ipc://

	shellCh, controlCh, stdinCh *channel

	iopubQ      chan [][]byte
	iopubStop   chan struct{} // closed to ask the publisher to drain and stop
	iopubDone   chan struct{} // closed when the publisher has stopped
	shellQ      *queue
	digests     *digestHistory
	shutdownReq chan struct{}
	shutOnce    sync.Once

	mu         sync.Mutex
	cancelCell context.CancelCauseFunc // non-nil while a cell runs
	shutdown   bool
	restart    bool
	stopping   bool // Serve is returning: cells are cancelled at once
	served     bool
	closed     bool
	count      int
	history    []histEntry
	aborting   bool // touched only by the shell worker

	stdinMu   sync.Mutex
	stdinWait chan *Message
}

// channel is a ROUTER socket with its name, for replies.
type channel struct {
	name string
	sock zmq4.Socket
}

// New binds the five sockets described by conn and returns a kernel ready
// to Serve. It panics if exec is nil. Ports of 0 (tcp) are bound to free
// ports, reported by ConnectionInfo.
func New(conn *ConnectionInfo, exec Executor, opts Options) (*Kernel, error) {
	if exec == nil {
		panic("kernel: New with a nil Executor")
	}
	if conn == nil {
		panic("kernel: New with a nil ConnectionInfo")
	}
	c := *conn
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	signer, err := newSigner(c.SignatureScheme, []byte(c.Key))
	if err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Implementation == "" {
		opts.Implementation = "gocinn"
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 2 * time.Second
	}
	if opts.IOPubStartupHold == 0 {
		opts.IOPubStartupHold = 5 * time.Second
	}
	if opts.IOPubLinger == 0 {
		opts.IOPubLinger = 100 * time.Millisecond
	}
	k := &Kernel{
		conn:        c,
		exec:        exec,
		opts:        opts,
		log:         logger,
		signer:      signer,
		session:     uuid.NewString(),
		username:    username(),
		iopubQ:      make(chan [][]byte, 1024),
		iopubStop:   make(chan struct{}),
		iopubDone:   make(chan struct{}),
		shellQ:      newQueue(),
		digests:     newDigestHistory(len(c.Key) > 0, digestHistorySize),
		shutdownReq: make(chan struct{}),
	}
	k.sockCtx, k.sockCancel = context.WithCancel(context.Background())
	zlog := zmq4.WithLogger(slog.NewLogLogger(logger.Handler(), slog.LevelWarn))
	k.shell = zmq4.NewRouter(k.sockCtx, zlog)
	k.control = zmq4.NewRouter(k.sockCtx, zlog)
	k.stdin = zmq4.NewRouter(k.sockCtx, zlog)
	k.iopub = zmq4.NewPub(k.sockCtx, zlog)
	k.hb = zmq4.NewRep(k.sockCtx, zlog)
	binds := []struct {
		name string
		sock zmq4.Socket
		port *int
	}{
		{"shell", k.shell, &k.conn.ShellPort},
		{"iopub", k.iopub, &k.conn.IOPubPort},
		{"stdin", k.stdin, &k.conn.StdinPort},
		{"control", k.control, &k.conn.ControlPort},
		{"heartbeat", k.hb, &k.conn.HBPort},
	}
	for _, b := range binds {
		ep := k.conn.Endpoint(*b.port)
		removeSocketFile(ep) // a stale ipc socket file
		if err := b.sock.Listen(guardedEndpoint(ep)); err != nil {
			k.closeSockets()
			return nil, fmt.Errorf("kernel: binding the %s socket to %s: %w (is another kernel using this connection file?)", b.name, ep, err)
		}
		if a, ok := b.sock.Addr().(*net.TCPAddr); ok {
			*b.port = a.Port
		}
		k.endpoints = append(k.endpoints, k.conn.Endpoint(*b.port))
		k.log.Debug("bound", "socket", b.name, "endpoint", k.conn.Endpoint(*b.port))
	}
	k.shellCh = &channel{"shell", k.shell}
	k.controlCh = &channel{"control", k.control}
	k.stdinCh = &channel{"stdin", k.stdin}
	return k, nil
}

func username() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "kernel"
}

// ConnectionInfo returns the connection information with the ports the
// kernel actually bound (differing from New's only for tcp ports of 0).
func (k *Kernel) ConnectionInfo() ConnectionInfo { return k.conn }

// Session returns the kernel's session id, sent in every header.
func (k *Kernel) Session() string { return k.session }

// Serve runs the kernel until a shutdown_request has been answered (it
// returns nil) or ctx is done (it returns ctx.Err()). Either way the
// running cell, if any, is cancelled and the sockets are closed before
// Serve returns. Serve may be called only once.
func (k *Kernel) Serve(ctx context.Context) error {
	k.mu.Lock()
	if k.served || k.closed {
		k.mu.Unlock()
		panic("kernel: Serve called twice or after Close")
	}
	k.served = true
	k.mu.Unlock()

	var readers sync.WaitGroup
	readers.Add(5)
	go func() { defer readers.Done(); k.readShell() }()
	go func() { defer readers.Done(); k.recvLoop(k.controlCh, k.dispatchControl) }()
	go func() { defer readers.Done(); k.recvLoop(k.stdinCh, k.handleStdin) }()
	go func() { defer readers.Done(); k.heartbeat() }()
	go func() { defer readers.Done(); k.publisher() }()
	shellDone := make(chan struct{})
	go func() { defer close(shellDone); k.shellWorker(ctx) }()

	k.publish("status", nil, map[string]any{"execution_state": "starting"})
	k.log.Info("kernel started", "session", k.session, "transport", k.conn.Transport, "ip", k.conn.IP,
		"shell_port", k.conn.ShellPort, "control_port", k.conn.ControlPort)

	var err error
	select {
	case <-k.shutdownReq:
	case <-ctx.Done():
		err = ctx.Err()
	}

	// Stop the shell worker: cancel the running cell and let it return.
	k.mu.Lock()
	k.stopping = true
	k.mu.Unlock()
	k.shellQ.close()
	k.Interrupt(ErrShuttingDown)
	select {
	case <-shellDone:
	case <-time.After(k.opts.ShutdownTimeout):
		k.log.Warn("the running cell did not return after its context was cancelled; shutting down anyway",
			"timeout", k.opts.ShutdownTimeout)
	}
	// Drain IOPub, give the PUB socket's own queue time to flush, then
	// stop every socket goroutine and close the sockets.
	close(k.iopubStop)
	<-k.iopubDone
	time.Sleep(k.opts.IOPubLinger)
	k.sockCancel()
	readers.Wait()
	k.closeSockets()
	k.log.Info("kernel stopped", "session", k.session)
	return err
}

// Close closes the sockets of a kernel that is not served. It is needed
// only when Serve is never called; after Serve it does nothing.
func (k *Kernel) Close() error {
	k.mu.Lock()
	served := k.served
	closed := k.closed
	k.closed = true
	k.mu.Unlock()
	if served || closed {
		return nil
	}
	k.sockCancel()
	k.closeSockets()
	return nil
}

func (k *Kernel) closeSockets() {
	k.sockCancel()
	for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
		if s != nil {
			_ = s.Close()
		}
	}
	for _, ep := range k.endpoints {
		removeSocketFile(ep)
	}
}

// Interrupt cancels the running cell's context with cause (ErrInterrupted
// if nil), as an interrupt_request does. Without a running cell it does
// nothing. It is safe to call from any goroutine, for example a SIGINT
// handler.
func (k *Kernel) Interrupt(cause error) {
	if cause == nil {
		cause = ErrInterrupted
	}
	k.mu.Lock()
	cancel := k.cancelCell
	k.mu.Unlock()
	if cancel != nil {
		k.log.Info("interrupting the running cell", "cause", cause)
		cancel(cause)
	}
}

// ShutdownRequested reports whether a shutdown_request was received, and
// whether it asked for a restart (the frontend then starts a new kernel
// process; this one just exits).
func (k *Kernel) ShutdownRequested() (requested, restart bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.shutdown, k.restart
}

// markShutdown records a shutdown_request.
func (k *Kernel) markShutdown(restart bool) {
	k.mu.Lock()
	k.shutdown = true
	k.restart = restart
	k.mu.Unlock()
}

// requestShutdown makes Serve return.
func (k *Kernel) requestShutdown() {
	k.shutOnce.Do(func() { close(k.shutdownReq) })
}

// recvLoop receives from sock until the kernel stops, decoding and
// verifying every message; bad ones are logged and dropped.
func (k *Kernel) recvLoop(ch *channel, handle func(*Message)) {
	for {
		raw, err := ch.sock.Recv()
		if err != nil {
			if k.sockCtx.Err() != nil {
				return
			}
			k.log.Warn("receive failed", "socket", ch.name, "err", err)
			continue
		}
		m, err := k.signer.Decode(raw.Frames)
		if err != nil {
			k.log.Warn("dropping an invalid message", "socket", ch.name, "err", err, "frames", len(raw.Frames))
			continue
		}
		if !k.digests.add(m.Signature) {
			k.log.Warn("dropping a replayed message (its signature was seen before)", "socket", ch.name,
				"msg_type", m.Header.MsgType, "msg_id", m.Header.MsgID)
			continue
		}
		k.safely(m, func() { handle(m) })
	}
}

// readShell moves shell requests into the shell queue, so that the
// worker can tell which requests were already waiting when a cell failed.
func (k *Kernel) readShell() {
	k.recvLoop(k.shellCh, func(m *Message) { k.shellQ.push(queued{msg: m}) })
}

func (k *Kernel) shellWorker(ctx context.Context) {
	for {
		it, ok := k.shellQ.pop()
		if !ok {
			return
		}
		if it.stopAborting {
			k.aborting = false
			continue
		}
		if k.aborting && it.msg.Header.MsgType == "execute_request" {
			k.safely(it.msg, func() { k.abortExecute(it.msg) })
			continue
		}
		k.safely(it.msg, func() { k.dispatch(ctx, k.shellCh, it.msg) })
	}
}

func (k *Kernel) dispatchControl(m *Message) {
	k.safely(m, func() { k.dispatch(context.Background(), k.controlCh, m) }) // no cells on control
}

// safely runs f, logging a panic instead of crashing the kernel.
func (k *Kernel) safely(m *Message, f func()) {
	defer func() {
		if r := recover(); r != nil {
			k.log.Error("panic while handling a message", "msg_type", m.Header.MsgType, "msg_id", m.Header.MsgID, "panic", r)
		}
	}()
	f()
}

// heartbeat echoes every ping on the REP socket.
func (k *Kernel) heartbeat() {
	for {
		msg, err := k.hb.Recv()
		if err != nil {
			if k.sockCtx.Err() != nil {
				return
			}
			k.log.Debug("heartbeat receive failed", "err", err)
			continue
		}
		if err := k.hb.Send(msg); err != nil {
			if k.sockCtx.Err() != nil {
				return
			}
			k.log.Debug("heartbeat send failed", "err", err)
		}
	}
}

// publisher sends IOPub messages in the order they were queued.
//
// A PUB socket drops what it sends while no subscriber is connected. A
// kernel that starts in milliseconds can answer a kernel_info_request, and
// run the next cell, before the frontend's SUB socket (re)connects: after
// a restart through jupyter_server, for example, the first cell's output
// was lost. So until the first subscription arrives, for at most
// Options.IOPubStartupHold, the publisher holds messages back and then
// sends them in order; after that it behaves as a plain PUB socket.
func (k *Kernel) publisher() {
	defer close(k.iopubDone)
	send := func(frames [][]byte) {
		if err := k.iopub.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
			k.log.Warn("publishing on iopub failed", "err", err)
		}
	}
	var (
		held     [][][]byte
		holding  = k.opts.IOPubStartupHold > 0
		deadline = time.Now().Add(k.opts.IOPubStartupHold)
		poll     *time.Ticker
	)
	subscribed := func() bool {
		t, ok := k.iopub.(zmq4.Topics)
		return !ok || len(t.Topics()) > 0
	}
	release := func(reason string) {
		if len(held) > 0 {
			k.log.Debug("releasing iopub messages held until a subscriber connected", "n", len(held), "reason", reason)
		}
		for _, f := range held {
			send(f)
		}
		held, holding = nil, false
		if poll != nil {
			poll.Stop()
		}
	}
	for {
		if holding && (subscribed() || time.Now().After(deadline)) {
			release("subscribed or hold expired")
		}
		var tick <-chan time.Time
		if holding && len(held) > 0 {
			if poll == nil {
				poll = time.NewTicker(2 * time.Millisecond)
			}
			tick = poll.C
		}
		select {
		case f := <-k.iopubQ:
			if holding {
				held = append(held, f)
			} else {
				send(f)
			}
		case <-tick:
		case <-k.iopubStop:
			release("stopping")
			for {
				select {
				case f := <-k.iopubQ:
					send(f)
				default:
					return
				}
			}
		}
	}
}

// publish queues an IOPub message with parent as parent (nil: none).
func (k *Kernel) publish(msgType string, parent *Message, content any) {
	m, err := k.newMessage(msgType, parent, content)
	if err != nil {
		k.log.Error("encoding an iopub message", "msg_type", msgType, "err", err)
		return
	}
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	frames, err := k.signer.Encode(m)
	if err != nil {
		k.log.Error("encoding an iopub message", "msg_type", msgType, "err", err)
		return
	}
	select {
	case k.iopubQ <- frames:
	case <-k.iopubDone:
		k.log.Debug("dropping an iopub message published after shutdown", "msg_type", msgType)
	}
}

func (k *Kernel) publishStatus(state string, parent *Message) {
	k.publish("status", parent, map[string]any{"execution_state": state})
}

// send sends a message of msgType on ch to the peer of parent.
func (k *Kernel) send(ch *channel, msgType string, parent *Message, content any) {
	m, err := k.newMessage(msgType, parent, content)
	if err != nil {
		k.log.Error("encoding a reply", "msg_type", msgType, "err", err)
		return
	}
	m.Identities = parent.Identities
	frames, err := k.signer.Encode(m)
	if err != nil {
		k.log.Error("encoding a reply", "msg_type", msgType, "err", err)
		return
	}
	if len(parent.Identities) == 0 {
		k.log.Warn("cannot route a reply: the request had no identity", "socket", ch.name, "msg_type", msgType)
		return
	}
	if err := ch.sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		k.log.Warn("sending failed", "socket", ch.name, "msg_type", msgType, "err", err)
	}
}
