package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

func newID() string { return uuid.NewString() }

// newMessage returns a message of msgType with a fresh header, whose
// parent_header is the request header verbatim.
func (k *Kernel) newMessage(msgType string, parent *Message, content any) (*Message, error) {
	c, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	m := &Message{Header: newHeader(msgType, k.session, k.username), Content: c}
	if parent != nil {
		m.ParentHeader = parent.RawHeader
	}
	return m, nil
}

// Request contents. Pointers mark fields whose absence means true.
type executeRequest struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      *bool             `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

type completeRequest struct {
	Code      string `json:"code"`
	CursorPos *int   `json:"cursor_pos"`
}

type inspectRequest struct {
	Code        string `json:"code"`
	CursorPos   *int   `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

type isCompleteRequest struct {
	Code string `json:"code"`
}

type historyRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           int    `json:"stop"`
	N              int    `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

type shutdownRequest struct {
	Restart bool `json:"restart"`
}

type commOpen struct {
	CommID     string `json:"comm_id"`
	TargetName string `json:"target_name"`
}

type commInfoRequest struct {
	TargetName string `json:"target_name"`
}

// parseRequest decodes the content of a known request type; req is nil
// for an unknown type. An error means the content is malformed.
func parseRequest(m *Message) (req any, err error) {
	switch m.Header.MsgType {
	case "kernel_info_request", "interrupt_request":
		req = &struct{}{}
	case "execute_request":
		req = &executeRequest{}
	case "complete_request":
		req = &completeRequest{}
	case "inspect_request":
		req = &inspectRequest{}
	case "is_complete_request":
		req = &isCompleteRequest{}
	case "history_request":
		req = &historyRequest{}
	case "shutdown_request":
		req = &shutdownRequest{}
	case "comm_open":
		req = &commOpen{}
	case "comm_info_request":
		req = &commInfoRequest{}
	default:
		return nil, nil
	}
	if err := m.DecodeContent(req); err != nil {
		return nil, err
	}
	return req, nil
}

// dispatch handles one request from ch between status busy and idle. Cells
// run under ctx (Serve's).
func (k *Kernel) dispatch(ctx context.Context, ch *channel, m *Message) {
	req, err := parseRequest(m)
	if err != nil {
		k.log.Warn("dropping a request with malformed content", "socket", ch.name,
			"msg_type", m.Header.MsgType, "msg_id", m.Header.MsgID, "err", err)
		return
	}
	if ch == k.controlCh {
		if _, ok := req.(*executeRequest); ok {
			req = nil // cells run on shell only
		}
	}
	k.log.Debug("request", "socket", ch.name, "msg_type", m.Header.MsgType, "msg_id", m.Header.MsgID)
	k.publishStatus("busy", m)
	var after func()
	func() {
		defer func() {
			if r := recover(); r != nil {
				k.log.Error("panic while handling a request", "msg_type", m.Header.MsgType, "panic", r,
					"stack", string(debug.Stack()))
			}
		}()
		after = k.handle(ctx, ch, m, req)
	}()
	k.publishStatus("idle", m)
	if after != nil {
		after()
	}
}

// handle answers one request and returns what to do after status idle.
func (k *Kernel) handle(ctx context.Context, ch *channel, m *Message, req any) (after func()) {
	switch r := req.(type) {
	case *executeRequest:
		k.execute(ctx, ch, m, r)
	case *completeRequest:
		k.complete(ch, m, r)
	case *inspectRequest:
		k.inspect(ch, m, r)
	case *isCompleteRequest:
		k.isComplete(ch, m, r)
	case *historyRequest:
		k.historyReply(ch, m, r)
	case *shutdownRequest:
		k.send(ch, "shutdown_reply", m, map[string]any{"status": "ok", "restart": r.Restart})
		k.log.Info("shutdown requested", "socket", ch.name, "restart", r.Restart)
		k.markShutdown(r.Restart)
		k.Interrupt(ErrShuttingDown)
		return func() { k.requestShutdown() }
	case *commOpen:
		// No comm targets: close the comm at once, as ipykernel does for
		// an unknown target.
		k.log.Debug("closing a comm with no target", "comm_id", r.CommID, "target_name", r.TargetName)
		k.publish("comm_close", m, map[string]any{"comm_id": r.CommID, "data": map[string]any{}})
	case *commInfoRequest:
		k.send(ch, "comm_info_reply", m, map[string]any{"status": "ok", "comms": map[string]any{}})
	case *struct{}:
		switch m.Header.MsgType {
		case "kernel_info_request":
			k.send(ch, "kernel_info_reply", m, k.kernelInfo())
		case "interrupt_request":
			k.Interrupt(ErrInterrupted)
			k.send(ch, "interrupt_reply", m, map[string]any{"status": "ok"})
		}
	default:
		switch m.Header.MsgType {
		case "comm_msg", "comm_close":
			k.log.Debug("ignoring a message for a comm that does not exist", "msg_type", m.Header.MsgType)
		case "usage_request", "debug_request", "create_subshell_request", "list_subshell_request", "delete_subshell_request":
			// Optional extensions this kernel does not advertise.
			k.log.Debug("unsupported optional message type; not answered", "socket", ch.name, "msg_type", m.Header.MsgType)
		case "execute_request":
			k.log.Warn("execute_request on control; cells run on shell only, not answered")
		default:
			k.log.Warn("unknown message type; not answered", "socket", ch.name, "msg_type", m.Header.MsgType)
		}
	}
	return nil
}

func (k *Kernel) kernelInfo() map[string]any {
	links := k.opts.HelpLinks
	if links == nil {
		links = []HelpLink{}
	}
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         k.opts.Implementation,
		"implementation_version": k.opts.ImplementationVersion,
		"language_info":          k.opts.LanguageInfo,
		"banner":                 k.opts.Banner,
		"help_links":             links,
		"debugger":               false,
	}
}

// execute runs one cell. It is called by the shell worker only.
func (k *Kernel) execute(ctx context.Context, ch *channel, m *Message, r *executeRequest) {
	storeHistory := r.StoreHistory == nil || *r.StoreHistory
	if r.Silent {
		storeHistory = false
	}
	allowStdin := r.AllowStdin == nil || *r.AllowStdin
	stopOnError := r.StopOnError == nil || *r.StopOnError

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	k.mu.Lock()
	if storeHistory {
		k.count++
		k.history = append(k.history, histEntry{line: k.count, code: r.Code})
	}
	count := k.count
	k.cancelCell = cancel
	if k.stopping || k.shutdown {
		cancel(ErrShuttingDown)
	}
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.cancelCell = nil
		k.mu.Unlock()
	}()

	if !r.Silent {
		k.publish("execute_input", m, map[string]any{"code": r.Code, "execution_count": count})
	}
	out := &cellOutput{k: k, parent: m, silent: r.Silent, allowStdin: allowStdin, count: count}
	err := k.runCell(ctx, Request{
		Code:           r.Code,
		Silent:         r.Silent,
		StoreHistory:   storeHistory,
		AllowStdin:     allowStdin,
		ExecutionCount: count,
	}, out)
	payload := out.finish()

	if err == nil {
		k.send(ch, "execute_reply", m, map[string]any{
			"status":           "ok",
			"execution_count":  count,
			"user_expressions": userExpressions(r.UserExpressions),
			"payload":          payload,
		})
		return
	}
	ename, evalue, tb := errorFields(ctx, err)
	k.log.Debug("cell failed", "execution_count", count, "ename", ename, "evalue", evalue)
	if !r.Silent {
		k.publish("error", m, map[string]any{"ename": ename, "evalue": evalue, "traceback": tb})
	}
	// Start aborting before the reply goes out: a request the client
	// sends once it has the reply must queue behind the end-of-abort
	// marker, or it would be aborted too.
	if stopOnError {
		k.startAborting()
	}
	k.send(ch, "execute_reply", m, map[string]any{
		"status":           "error",
		"execution_count":  count,
		"ename":            ename,
		"evalue":           evalue,
		"traceback":        tb,
		"user_expressions": map[string]any{},
		"payload":          []any{},
	})
	if testHookAfterErrorReply != nil {
		testHookAfterErrorReply()
	}
}

// testHookAfterErrorReply, when set by a test, runs after an error
// execute_reply is sent, to widen the window a preempted worker has there.
var testHookAfterErrorReply func()

// startAborting aborts the execute requests already queued (and, with
// Options.StopOnErrorTimeout, those arriving within it), as ipykernel does.
func (k *Kernel) startAborting() {
	k.aborting = true
	if k.opts.StopOnErrorTimeout <= 0 {
		k.shellQ.push(queued{stopAborting: true})
		return
	}
	time.AfterFunc(k.opts.StopOnErrorTimeout, func() { k.shellQ.push(queued{stopAborting: true}) })
}

// abortExecute answers an execute request queued behind a failed cell.
func (k *Kernel) abortExecute(m *Message) {
	if _, err := parseRequest(m); err != nil {
		k.log.Warn("dropping a request with malformed content", "msg_type", m.Header.MsgType, "err", err)
		return
	}
	k.log.Info("aborting an execute request queued behind a failed cell", "msg_id", m.Header.MsgID)
	k.publishStatus("busy", m)
	k.mu.Lock()
	count := k.count
	k.mu.Unlock()
	k.send(k.shellCh, "execute_reply", m, map[string]any{"status": "aborted", "execution_count": count})
	k.publishStatus("idle", m)
}

// userExpressions answers user_expressions: the kernel has no expression
// language of its own, so each one is reported as an error.
func userExpressions(in map[string]string) map[string]any {
	out := make(map[string]any, len(in))
	for name := range in {
		out[name] = map[string]any{
			"status":    "error",
			"ename":     "NotImplementedError",
			"evalue":    "this kernel does not evaluate user_expressions",
			"traceback": []string{},
		}
	}
	return out
}

// runCell calls the executor, turning a panic into a cell error.
func (k *Kernel) runCell(ctx context.Context, req Request, out Output) (err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			k.log.Error("executor panicked", "panic", r, "stack", stack)
			err = &Error{Name: "Panic", Value: fmt.Sprint(r), Traceback: append([]string{fmt.Sprintf("panic: %v", r)}, strings.Split(stack, "\n")...)}
		}
	}()
	return k.exec.Execute(ctx, req, out)
}

// errorFields turns an executor's error into ename, evalue and traceback.
func errorFields(ctx context.Context, err error) (ename, evalue string, traceback []string) {
	var e *Error
	switch {
	case errors.As(err, &e):
		ename, evalue, traceback = e.Name, e.Value, e.Traceback
		if ename == "" {
			ename = "Error"
		}
		if traceback == nil {
			traceback = []string{redName(ename) + ": " + evalue}
		}
		return ename, evalue, traceback
	case ctx.Err() != nil:
		ename, evalue = "KeyboardInterrupt", context.Cause(ctx).Error()
	default:
		ename, evalue = errTypeName(err), err.Error()
	}
	return ename, evalue, []string{redName(ename) + ": " + evalue}
}

func redName(name string) string { return "\x1b[0;31m" + name + "\x1b[0m" }

// errTypeName names an error by its type: *fs.PathError gives PathError;
// unexported types (errors.New, fmt.Errorf) give Error.
func errTypeName(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := t.Name()
	if r, _ := utf8.DecodeRuneInString(name); name == "" || !unicode.IsUpper(r) {
		return "Error"
	}
	return name
}

// protect calls f, turning a panic into an error.
func protect(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("executor panicked: %v", r)
		}
	}()
	f()
	return nil
}

func errorReply(err error) map[string]any {
	return map[string]any{"status": "error", "ename": "Panic", "evalue": err.Error(), "traceback": []string{err.Error()}}
}

func cursorOr(p *int, code string) int {
	if p == nil {
		return utf8.RuneCountInString(code)
	}
	return *p
}

func (k *Kernel) complete(ch *channel, m *Message, r *completeRequest) {
	var c Completion
	if err := protect(func() { c = k.exec.Complete(r.Code, cursorOr(r.CursorPos, r.Code)) }); err != nil {
		k.log.Error("complete failed", "err", err)
		k.send(ch, "complete_reply", m, errorReply(err))
		return
	}
	if c.Matches == nil {
		c.Matches = []string{}
	}
	if c.Metadata == nil {
		c.Metadata = map[string]any{}
	}
	k.send(ch, "complete_reply", m, map[string]any{
		"status":       "ok",
		"matches":      c.Matches,
		"cursor_start": c.CursorStart,
		"cursor_end":   c.CursorEnd,
		"metadata":     c.Metadata,
	})
}

func (k *Kernel) inspect(ch *channel, m *Message, r *inspectRequest) {
	var in Inspection
	if err := protect(func() { in = k.exec.Inspect(r.Code, cursorOr(r.CursorPos, r.Code), r.DetailLevel) }); err != nil {
		k.log.Error("inspect failed", "err", err)
		k.send(ch, "inspect_reply", m, errorReply(err))
		return
	}
	data := MIMEBundle{}
	if in.Found {
		data = withTextPlain(in.Data)
	}
	if in.Metadata == nil {
		in.Metadata = map[string]any{}
	}
	k.send(ch, "inspect_reply", m, map[string]any{
		"status":   "ok",
		"found":    in.Found,
		"data":     data,
		"metadata": in.Metadata,
	})
}

func (k *Kernel) isComplete(ch *channel, m *Message, r *isCompleteRequest) {
	var c Completeness
	if err := protect(func() { c = k.exec.IsComplete(r.Code) }); err != nil {
		k.log.Error("is_complete failed", "err", err)
		c.Status = "unknown"
	}
	reply := map[string]any{"status": c.Status}
	switch c.Status {
	case "complete", "invalid", "unknown":
	case "incomplete":
		reply["indent"] = c.Indent
	default:
		k.log.Warn("executor gave an unknown is_complete status; replying unknown", "status", c.Status)
		reply["status"] = "unknown"
	}
	k.send(ch, "is_complete_reply", m, reply)
}
