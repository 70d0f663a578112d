package reliability_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/kerneltest"
	"github.com/gocinn/gocinn/reliability"
)

// requestFields lists, per request type, every content field and a value of
// the right type, so that each can be replaced by values of wrong types.
var requestFields = map[string]map[string]any{
	"execute_request": {"code": "%echo HOSTILE", "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true},
	"complete_request":    {"code": "%ec", "cursor_pos": 3},
	"inspect_request":     {"code": "%echo", "cursor_pos": 2, "detail_level": 0},
	"is_complete_request": {"code": "%echo"},
	"history_request": {"output": false, "raw": true, "hist_access_type": "tail", "session": 0,
		"start": 0, "stop": 10, "n": 10, "pattern": "*", "unique": false},
	"shutdown_request":  {"restart": false},
	"comm_open":         {"comm_id": "c", "target_name": "t"},
	"comm_info_request": {"target_name": "t"},
}

// wrongTypes returns JSON values whose type differs from v's.
func wrongTypes(v any) []any {
	all := []any{"a string", 12345, 1.5, true, []any{1, "x"}, map[string]any{"k": "v"}}
	var out []any
	for _, w := range all {
		if fmt.Sprintf("%T", w) == fmt.Sprintf("%T", v) {
			continue
		}
		if _, isInt := v.(int); isInt {
			if _, isFloat := w.(float64); !isFloat {
				out = append(out, w)
			}
			continue
		}
		out = append(out, w)
	}
	return out
}

// hostile is one message of the hostile run: its class, the socket it goes
// to and its frames.
type hostile struct {
	class  string
	ch     kerneltest.Channel
	frames [][]byte
}

// hostileGen makes hostile messages. Every execute_request it makes would
// echo HOSTILE if it ran.
type hostileGen struct {
	c     *kerneltest.Client
	rng   *rand.Rand
	other *kernel.Signer
}

func (g *hostileGen) channel() kerneltest.Channel {
	return []kerneltest.Channel{kerneltest.Shell, kerneltest.Shell, kerneltest.Control, kerneltest.Stdin}[g.rng.IntN(4)]
}

// valid returns the signed frames of a request: an execute_request of
// HOSTILE code, or another type.
func (g *hostileGen) valid(msgType string, content any) [][]byte {
	m, err := g.c.NewMessage(msgType, content)
	if err != nil {
		panic(err)
	}
	f, err := g.c.Encode(m)
	if err != nil {
		panic(err)
	}
	return f
}

func (g *hostileGen) execute() [][]byte {
	return g.valid("execute_request", kerneltest.ExecuteContent("%echo HOSTILE"))
}

// frame indices of an encoded request without identities.
const (
	fDelim = iota
	fSig
	fHeader
	fParent
	fMeta
	fContent
)

func (g *hostileGen) randomBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.UintN(256))
	}
	return b
}

// next returns a hostile message of a random class.
func (g *hostileGen) next() hostile {
	ch := g.channel()
	f := g.execute()
	switch k := g.rng.IntN(14); k {
	case 0:
		f[fSig] = []byte(hex.EncodeToString(g.randomBytes(32)))
		return hostile{"forged signature (random)", ch, f}
	case 1:
		f[fSig] = []byte(g.other.Sign(f[fHeader], f[fParent], f[fMeta], f[fContent]))
		return hostile{"forged signature (other key)", ch, f}
	case 2:
		f[fSig] = nil
		return hostile{"missing signature", ch, f}
	case 3:
		f[fContent] = bytes.Replace(f[fContent], []byte("HOSTILE"), []byte("HOSTILE2"), 1)
		return hostile{"content changed after signing", ch, f}
	case 4:
		n := g.rng.IntN(fContent + 1) // 0..5 frames: no or too few after the delimiter
		return hostile{"truncated frames", ch, f[:n]}
	case 5:
		return hostile{"no delimiter", ch, f[1:]}
	case 6:
		big := g.randomBytes(1<<20 + g.rng.IntN(1<<20))
		f = append(f, big) // a signed message with a large buffer frame
		f[fContent] = append(bytes.TrimSuffix(f[fContent], []byte("}")), []byte(`, "pad": "`+strings.Repeat("x", 1<<16)+`"}`)...)
		return hostile{"oversized frames (unsigned padding)", ch, f}
	case 7:
		i := fHeader + g.rng.IntN(4)
		f[i] = f[i][:g.rng.IntN(len(f[i]))]
		g.c.Resign(f)
		return hostile{"invalid JSON (signed)", ch, f}
	case 8:
		i := fHeader + g.rng.IntN(4)
		f[i] = []byte([]string{`[]`, `"s"`, `1`, `null`, `true`, `{"a":}`, "{\"code\":\"\xff\"", ``}[g.rng.IntN(8)])
		g.c.Resign(f)
		return hostile{"not a JSON object (signed)", ch, f}
	case 9, 10:
		types := sortedKeys(requestFields)
		typ := types[g.rng.IntN(len(types))]
		fields := requestFields[typ]
		names := sortedKeys(fields)
		name := names[g.rng.IntN(len(names))]
		bad := wrongTypes(fields[name])
		c := map[string]any{}
		for n, v := range fields {
			c[n] = v
		}
		c[name] = bad[g.rng.IntN(len(bad))]
		return hostile{"wrong type in a content field (signed)", ch, g.valid(typ, c)}
	case 11:
		h := []string{`{"msg_id": 5, "msg_type": "execute_request"}`, `{"msg_type": "execute_request"}`,
			`{"msg_id": "x", "msg_type": ["execute_request"]}`, `{"msg_id": "x", "msg_type": ""}`,
			`{"msg_id": "x", "msg_type": "execute_request", "session": {}}`}[g.rng.IntN(5)]
		f[fHeader] = []byte(h)
		g.c.Resign(f)
		return hostile{"malformed header (signed)", ch, f}
	case 12:
		typ := []string{"execute_requestx", "Execute_Request", "../execute_request", "execute_reply",
			"shell_request", "input_request", "status", "usage_request", "debug_request", "\x00"}[g.rng.IntN(10)]
		return hostile{"unknown message type (signed)", ch, g.valid(typ, kerneltest.ExecuteContent("%echo HOSTILE"))}
	default:
		n := 1 + g.rng.IntN(8)
		fr := make([][]byte, n)
		for i := range fr {
			fr[i] = g.randomBytes(g.rng.IntN(200))
		}
		if g.rng.IntN(2) == 0 {
			fr[g.rng.IntN(n)] = []byte("<IDS|MSG>")
		}
		return hostile{"random frames", ch, fr}
	}
}

// zmtp builds raw ZMTP 3.0 streams, to reach the sockets below zmq4.
func zmtpGreeting() []byte {
	g := make([]byte, 64)
	g[0], g[9], g[10], g[11] = 0xFF, 0x7F, 3, 0
	copy(g[12:], "NULL")
	return g
}

func zmtpReady(socketType string) []byte {
	body := append([]byte{5}, "READY"...)
	body = append(body, 11)
	body = append(body, "Socket-Type"...)
	body = binary.BigEndian.AppendUint32(body, uint32(len(socketType)))
	body = append(body, socketType...)
	return append([]byte{0x04, byte(len(body))}, body...)
}

// rawAttacks are byte streams that break ZMTP in the ways that make zmq4
// v0.17.0 panic or stall when unguarded.
func rawAttacks(peerType string) map[string][]byte {
	ready := zmtpReady(peerType)
	truncated := append([]byte{0x04, 20, 5}, "READY\x0bSocket-Type\x00\x00\x00\x09DEA"...)
	huge := []byte{0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00} // 1 TiB frame
	return map[string][]byte{
		"garbage instead of a greeting": bytes.Repeat([]byte("GET / HTTP/1.1\r\n"), 8),
		"READY with truncated metadata": append(zmtpGreeting(), truncated...),
		"a 1 TiB frame after READY":     append(append(zmtpGreeting(), ready...), huge...),
		"a message before READY":        append(zmtpGreeting(), 0x00, 3, 'a', 'b', 'c'),
		"half a greeting, then EOF":     zmtpGreeting()[:30],
		"a 1 TiB command":               append(zmtpGreeting(), 0x06, 0, 0, 1, 0, 0, 0, 0, 0),
		"reserved flag bits":            append(append(zmtpGreeting(), ready...), 0xf0, 1, 'x'),
	}
}

// rawAttack connects to addr, writes stream and reads until the kernel
// closes the connection or a second passes.
func rawAttack(t *testing.T, addr string, stream []byte) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Errorf("connecting to %s: %v", addr, err)
		return
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	_, _ = conn.Write(stream)
	_, _ = io.Copy(io.Discard, conn)
}

// TestHostileMessages sends forged, replayed, truncated, oversized and
// malformed messages on every socket and checks that none runs a cell, the
// kernel survives, its goroutines and heap do not grow, and it answers a
// normal request right after.
func TestHostileMessages(t *testing.T) {
	n := count(2000, 10000)
	s := newSession(t, kerneltest.Config{})
	c := s.c
	run(t, c, "%echo warm-up")
	executedBefore := s.exec.Executes()
	before := reliability.Measure()
	t.Logf("before: %s", before)

	other, err := kernel.NewSigner("hmac-sha256", []byte("some other key"))
	if err != nil {
		t.Fatal(err)
	}
	g := &hostileGen{c: c, rng: rand.New(rand.NewPCG(8, 1)), other: other}
	classes := map[string]int{}
	deadline := time.Now().Add(5 * time.Minute)
	sent := 0

	// Replays: a valid cell runs once; each copy of it is dropped.
	var replayIDs []string
	replays := n / 10
	for i := 0; i < replays/5; i++ {
		m, err := c.NewMessage("execute_request", kerneltest.ExecuteContent(fmt.Sprintf("%%echo replay-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		f, err := c.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SendFrames(kerneltest.Shell, f); err != nil {
			t.Fatal(err)
		}
		replayIDs = append(replayIDs, m.Header.MsgID)
		// A capture replayed later: once the original was answered. (Sent
		// at once on another socket, a copy may overtake the original,
		// which is then the one dropped.)
		if _, err := c.WaitReply(kerneltest.Shell, m.Header.MsgID); err != nil {
			t.Fatal(err)
		}
		for r := 0; r < 4; r++ {
			if err := c.SendFrames([]kerneltest.Channel{kerneltest.Shell, kerneltest.Control, kerneltest.Stdin, kerneltest.Shell}[r], f); err != nil {
				t.Fatal(err)
			}
			classes["replayed (valid signature seen before)"]++
			sent++
		}
	}
	// Every content field of every request type, with every wrong type,
	// on shell and on control.
	for _, typ := range sortedKeys(requestFields) {
		fields := requestFields[typ]
		for _, name := range sortedKeys(fields) {
			for _, bad := range wrongTypes(fields[name]) {
				c := map[string]any{}
				for n, v := range fields {
					c[n] = v
				}
				c[name] = bad
				for _, ch := range []kerneltest.Channel{kerneltest.Shell, kerneltest.Control} {
					if err := g.c.SendFrames(ch, g.valid(typ, c)); err != nil {
						t.Fatal(err)
					}
					classes["wrong type in a content field (signed), each field and type"]++
					sent++
				}
			}
		}
	}
	for sent < n && time.Now().Before(deadline) {
		h := g.next()
		if err := c.SendFrames(h.ch, h.frames); err != nil {
			t.Fatalf("sending %s: %v", h.class, err)
		}
		classes[h.class]++
		sent++
	}

	// Raw ZMTP attacks on all five sockets, IOPub and heartbeat included.
	ports := map[string]struct {
		port int
		peer string
	}{
		"shell": {s.k.Info.ShellPort, "DEALER"}, "control": {s.k.Info.ControlPort, "DEALER"},
		"stdin": {s.k.Info.StdinPort, "DEALER"}, "iopub": {s.k.Info.IOPubPort, "SUB"}, "hb": {s.k.Info.HBPort, "REQ"},
	}
	raw := 0
	for name, p := range ports {
		for attack, stream := range rawAttacks(p.peer) {
			rawAttack(t, fmt.Sprintf("127.0.0.1:%d", p.port), stream)
			classes["raw ZMTP: "+attack]++
			raw++
			_ = name
		}
	}
	// Heartbeat pings of any content are echoed, not interpreted.
	for i := 0; i < 20; i++ {
		p := g.randomBytes(g.rng.IntN(4096))
		echo, err := c.Ping(p)
		if err != nil || !bytes.Equal(echo, p) {
			t.Fatalf("heartbeat ping %d: echo of %d bytes, err %v", i, len(echo), err)
		}
	}

	// The kernel answers a normal request right after, on shell and control.
	iopub := run(t, c, "%echo alive")
	if got := streams(t, iopub); !strings.Contains(got, "alive") {
		t.Errorf("the cell after the hostile run printed %q", got)
	}
	if _, _, err := c.Request(kerneltest.Control, "kernel_info_request", map[string]any{}); err != nil {
		t.Errorf("kernel_info on control after the hostile run: %v", err)
	}

	// Nothing hostile ran: only the replayed originals and the final cell.
	if got, want := s.exec.Executes()-executedBefore, int64(len(replayIDs)+1); got != want {
		t.Errorf("%d cells ran, want %d (the %d replayed originals and one normal cell)", got, want, len(replayIDs))
	}
	for _, m := range c.Received(kerneltest.IOPub) {
		if m.Header.MsgType == "stream" && strings.Contains(fmt.Sprint(content(t, m)["text"]), "HOSTILE") {
			t.Fatalf("a hostile cell ran: %s", m.Content)
		}
	}
	replies := map[string]int{}
	for _, m := range c.Received(kerneltest.Shell) {
		replies[m.ParentMsgID()]++
	}
	for _, id := range replayIDs {
		if replies[id] != 1 {
			t.Errorf("request %s was answered %d times, want once (replays must be dropped)", id, replies[id])
		}
	}
	if bad := c.Invalid(); len(bad) > 0 {
		t.Errorf("the kernel sent %d messages the client could not verify, the first: %v", len(bad), bad[0])
	}

	after := reliability.SettleGoroutines(before.Goroutines+5, 20*time.Second)
	t.Logf("sent %d hostile messages and %d raw ZMTP attacks; %s", sent, raw, reliability.Growth(before, after))
	names := make([]string, 0, len(classes))
	for k := range classes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Logf("  %6d  %s", classes[k], k)
	}
	if after.Goroutines > before.Goroutines+5 {
		t.Errorf("goroutines grew from %d to %d", before.Goroutines, after.Goroutines)
	}
	// The kernel remembers up to 65536 signatures (about 10 MiB); more
	// than that would be a leak.
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<20 {
		t.Errorf("the heap grew by %.1f MiB", float64(grew)/(1<<20))
	}
	if sent < n {
		t.Errorf("only %d of %d messages were sent before the time bound", sent, n)
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
