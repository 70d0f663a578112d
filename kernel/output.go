package kernel

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// cellOutput is the Output of one execute_request.
type cellOutput struct {
	k          *Kernel
	parent     *Message
	silent     bool
	allowStdin bool
	count      int

	mu      sync.Mutex
	done    bool
	payload []any
}

// emit publishes on IOPub unless the cell is silent or has returned. The
// lock keeps the order of calls from concurrent goroutines.
func (o *cellOutput) emit(msgType string, content any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done || o.silent {
		return
	}
	o.k.publish(msgType, o.parent, content)
}

// finish drops later output and returns the reply payload.
func (o *cellOutput) finish() []any {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done = true
	if o.payload == nil {
		return []any{}
	}
	return o.payload
}

func (o *cellOutput) Stream(name, text string) {
	if name != "stdout" && name != "stderr" {
		panic(fmt.Sprintf("kernel: Output.Stream to %q; want \"stdout\" or \"stderr\"", name))
	}
	if text == "" {
		return
	}
	o.emit("stream", map[string]any{"name": name, "text": text})
}

func displayContent(d Display) map[string]any {
	md := d.Metadata
	if md == nil {
		md = map[string]any{}
	}
	c := map[string]any{"data": withTextPlain(d.Data), "metadata": md}
	if d.DisplayID != "" {
		c["transient"] = map[string]any{"display_id": d.DisplayID}
	} else {
		c["transient"] = map[string]any{}
	}
	return c
}

func (o *cellOutput) Display(d Display) {
	o.emit("display_data", displayContent(d))
}

func (o *cellOutput) UpdateDisplay(d Display) {
	if d.DisplayID == "" {
		panic("kernel: Output.UpdateDisplay with an empty DisplayID")
	}
	o.emit("update_display_data", displayContent(d))
}

func (o *cellOutput) ClearOutput(wait bool) {
	o.emit("clear_output", map[string]any{"wait": wait})
}

func (o *cellOutput) ExecuteResult(d Display) {
	c := displayContent(d)
	c["execution_count"] = o.count
	o.emit("execute_result", c)
}

func (o *cellOutput) Page(data MIMEBundle, start int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return
	}
	o.payload = append(o.payload, map[string]any{"source": "page", "data": withTextPlain(data), "start": start})
}

func (o *cellOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	o.mu.Lock()
	done := o.done
	o.mu.Unlock()
	if done {
		return "", errors.New("kernel: Output.Input called after the cell returned")
	}
	if !o.allowStdin {
		return "", ErrStdinNotAllowed
	}
	return o.k.input(ctx, o.parent, prompt, password)
}

// withTextPlain returns a copy of b that has text/plain: if b lacks it, a
// placeholder naming the MIME types.
func withTextPlain(b MIMEBundle) MIMEBundle {
	out := make(MIMEBundle, len(b)+1)
	maps.Copy(out, b)
	if _, ok := out["text/plain"]; !ok {
		types := slices.Sorted(maps.Keys(b))
		out["text/plain"] = "<" + strings.Join(types, ", ") + ">"
	}
	return out
}

// input sends input_request on stdin to the client of parent and waits
// for its input_reply or for ctx.
func (k *Kernel) input(ctx context.Context, parent *Message, prompt string, password bool) (string, error) {
	ch := make(chan *Message, 1)
	k.stdinMu.Lock()
	if k.stdinWait != nil {
		k.stdinMu.Unlock()
		return "", errors.New("kernel: Output.Input called while another Input waits for the frontend")
	}
	k.stdinWait = ch
	k.stdinMu.Unlock()
	defer func() {
		k.stdinMu.Lock()
		k.stdinWait = nil
		k.stdinMu.Unlock()
	}()
	// zmq4 blocks a ROUTER send until some peer is connected: send
	// asynchronously so that an interrupt still ends the wait.
	go k.send(k.stdinCh, "input_request", parent, map[string]any{"prompt": prompt, "password": password})
	select {
	case r := <-ch:
		var c struct {
			Value string `json:"value"`
		}
		if err := r.DecodeContent(&c); err != nil {
			return "", fmt.Errorf("kernel: malformed input_reply: %w", err)
		}
		return c.Value, nil
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}

// handleStdin delivers an input_reply to the waiting Input.
func (k *Kernel) handleStdin(m *Message) {
	if m.Header.MsgType != "input_reply" {
		k.log.Warn("unexpected message on stdin; dropped", "msg_type", m.Header.MsgType)
		return
	}
	k.stdinMu.Lock()
	ch := k.stdinWait
	k.stdinMu.Unlock()
	if ch == nil {
		k.log.Warn("input_reply while no input is pending; dropped", "msg_id", m.Header.MsgID)
		return
	}
	select {
	case ch <- m:
	default:
		k.log.Warn("second input_reply for one input_request; dropped", "msg_id", m.Header.MsgID)
	}
}
