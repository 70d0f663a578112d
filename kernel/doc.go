// Package kernel implements the Jupyter kernel side of the Jupyter
// messaging protocol, version 5.3, over pure-Go ZeroMQ
// (github.com/go-zeromq/zmq4). It knows nothing of what a cell means: it
// drives an Executor.
//
// # Starting a kernel
//
// A frontend (JupyterLab, Notebook, jupyter console, nbclient) starts the
// kernel process with the path of a connection file. The process reads it,
// builds a Kernel and serves it:
//
//	conn, err := kernel.ReadConnectionFile(path)
//	k, err := kernel.New(conn, executor, kernel.Options{Implementation: "gocinn", ...})
//	err = k.Serve(ctx) // returns nil after a shutdown_request
//
// New binds the five sockets: with transport "tcp" on tcp://IP:PORT (a
// port of 0 takes a free port, see Kernel.ConnectionInfo), with transport
// "ipc" on the Unix socket file IP-PORT, the name jupyter_client gives it.
//
// # Sockets and goroutines
//
// Serve runs one goroutine per socket and two workers:
//
//   - shell (ROUTER): a reader verifies every message and appends it to an
//     unbounded queue; the shell worker takes requests from it one at a
//     time, so cells run in order. Only the shell worker calls
//     Executor.Execute; Complete, Inspect and IsComplete are called by the
//     shell worker, or by the control goroutine (possibly while a cell
//     runs) when a frontend sends them on control.
//   - control (ROUTER): handled by its own goroutine, so interrupt_request,
//     shutdown_request and kernel_info_request are answered while a cell
//     runs.
//   - stdin (ROUTER): delivers input_reply to the cell waiting in
//     Output.Input.
//   - IOPub (PUB): every IOPub message goes through one queue and one
//     publisher goroutine, so messages keep their order and none is lost
//     while the kernel runs. A PUB socket drops what it sends while no
//     subscriber is connected, and this kernel answers its first request
//     within milliseconds, often before the frontend's SUB socket has
//     (re)connected, as after a restart through jupyter_server. So until
//     the first subscription arrives (at most Options.IOPubStartupHold)
//     the publisher holds messages back, then sends them in order.
//   - heartbeat (REP): echoes every ping, whatever the cells do.
//
// Every reply goes out on the socket its request came in on, to the routing
// identities of the request; its parent_header is the request's header
// byte for byte. Every request on shell and control (unknown types
// included) is wrapped in IOPub status "busy" and "idle"; status
// "starting" is published once when Serve begins.
//
// # Signatures and malformed messages
//
// Below the Jupyter messages, every socket listens through a guard
// transport that checks the ZMTP byte stream before zmq4 parses it:
// zmq4 v0.17.0 panics, killing the process, on a READY command with
// truncated metadata or a frame announcing an absurd size, and a peer that
// connects and stays silent blocks a socket's accept loop. The guard gives
// a connection 10 s to finish its handshake, accepts frames up to 256 MiB
// and well-formed commands only, and closes a connection breaking these
// rules.
//
// With a non-empty key, every message is signed with the HMAC of the
// connection file's signature_scheme (hmac-sha256, or sha512, sha384,
// sha224, sha1, md5) over header, parent header, metadata and content, and
// every incoming signature is checked with hmac.Equal. A message with a bad
// signature, no <IDS|MSG> delimiter, fewer than five frames after it,
// invalid JSON, a header that is not an object of strings, or content
// whose fields have the wrong types is logged and dropped: it is never
// executed and never answered. As in jupyter_client, the kernel remembers
// the signatures of the last 65536 messages and drops a message whose
// signature it has seen, so a captured message cannot be replayed. A panic while handling a message is
// recovered and logged; a panic in Execute becomes a cell error named
// "Panic". With an empty key messages are neither signed nor checked.
//
// # Plugging in an executor
//
// An Executor (executor.go) runs cells and answers completion, inspection
// and is_complete. Execute receives a context, the Request and an Output,
// through which it publishes streams, display_data (with an optional
// display id, later replaced by UpdateDisplay), clear_output,
// execute_result, pager payloads, and asks for input on stdin. The kernel
// adds text/plain to any bundle lacking it and drops all output of a
// silent request. Execute's error becomes exactly one IOPub error message
// (none when silent) and an execute_reply with status "error"; the
// execution_count is incremented when store_history is true (and silent
// false) and is in every execute_reply. With stop_on_error (the default),
// execute requests already waiting behind a failed cell are answered with
// status "aborted" without running, as ipykernel does; see
// Options.StopOnErrorTimeout. Package kernel/demo is a small executor
// for tests.
//
// The kernel keeps this session's cells for history_request (tail, range
// and search with a glob pattern, n and unique; outputs are not kept). It
// has no comms: comm_info answers {} and comm_open is answered with
// comm_close.
//
// # Interrupt
//
// Each cell runs under a context derived from Serve's with
// context.WithCancelCause, so it carries Serve's values and ends when
// Serve's context does (with that context's cause). An
// interrupt_request on control, or Kernel.Interrupt (which main calls on
// SIGINT), cancels it with a cause (ErrInterrupted by default). Executors
// must watch ctx and return; the kernel then reports the cell as
// KeyboardInterrupt with the cause as its value, unless the executor
// returned an *Error of its own. Output.Input returns early when ctx is
// cancelled. The kernelspec should say interrupt_mode "message".
//
// # Shutdown
//
// A shutdown_request on control (or on shell, for old clients) is answered
// on the socket it came in on with its restart flag echoed; the running
// cell is cancelled with ErrShuttingDown; Serve waits for it (at most
// Options.ShutdownTimeout), flushes IOPub, closes the sockets and returns
// nil. ShutdownRequested then tells whether a restart was asked (the
// frontend starts a new process; this one just exits). When Serve's
// context is cancelled it does the same and returns ctx.Err().
//
// Package kernel/kerneltest serves a kernel in-process and provides a
// client for tests.
package kernel
