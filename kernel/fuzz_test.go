package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets of the wire decoder (the seed corpora are in
// testdata/fuzz/<target>). Run one with, for example,
//
//	go test ./kernel -run '^$' -fuzz '^FuzzSignedFrames$' -fuzztime 60s
//
// FuzzGuard and FuzzDecode (zmtpguard_test.go) cover the ZMTP guard and
// unsigned frames.

// splitFrames cuts b into frames: each frame is a 1-byte length (0-254)
// followed by that many bytes; a length of 255 takes the rest. So any byte
// string is a valid list of frames, empty ones included, and a frame may
// hold any byte.
func splitFrames(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := int(b[0])
		b = b[1:]
		if n == 255 || n > len(b) {
			n = len(b)
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// joinFrames is the inverse of splitFrames for frames shorter than 255
// bytes (longer ones are cut, as a seed need not be exact).
func joinFrames(frames ...[]byte) []byte {
	var out []byte
	for _, f := range frames {
		if len(f) > 254 {
			f = f[:254]
		}
		out = append(out, byte(len(f)))
		out = append(out, f...)
	}
	return out
}

var fuzzKey = []byte("fuzz-key")

// FuzzSignedFrames feeds arbitrary frames to a keyed Signer. Decode must
// never panic; it may accept the frames only if their signature is the
// HMAC of the four signed frames, and an accepted message must survive
// parseRequest and re-encode to frames that decode to the same message.
func FuzzSignedFrames(f *testing.F) {
	s, _ := NewSigner("hmac-sha256", fuzzKey)
	good := func(header, parent, metadata, content string) []byte {
		sig := s.Sign([]byte(header), []byte(parent), []byte(metadata), []byte(content))
		return joinFrames([]byte("peer"), delimiter, []byte(sig), []byte(header), []byte(parent), []byte(metadata), []byte(content))
	}
	hdr := `{"msg_id":"1","msg_type":"execute_request","session":"s","username":"u","date":"","version":"5.3"}`
	f.Add(good(hdr, `{}`, `{}`, `{"code":"%echo hi","silent":false}`))
	f.Add(good(`{"msg_id":"1","msg_type":"history_request"}`, `{}`, `{}`, `{"hist_access_type":"search","pattern":"[a-"}`))
	f.Add(good(`{"msg_id":"1","msg_type":"execute_request"}`, `{}`, `{}`, `{"code":5}`))
	f.Add(joinFrames(delimiter, []byte("00"), []byte("{}"), []byte("{}"), []byte("{}"), []byte("{}")))
	f.Fuzz(func(t *testing.T, b []byte) {
		frames := splitFrames(b)
		m, err := s.Decode(frames)
		if err != nil {
			return
		}
		// Accepted: the signature must be right.
		i := 0
		for !bytes.Equal(frames[i], delimiter) {
			i++
		}
		want := s.Sign(frames[i+2], frames[i+3], frames[i+4], frames[i+5])
		if !strings.EqualFold(string(frames[i+1]), want) {
			t.Fatalf("accepted signature %q, want %q", frames[i+1], want)
		}
		checkAccepted(t, s, m)
	})
}

// FuzzRequestContent signs arbitrary header and content frames properly,
// as a client holding the key would: Decode and parseRequest must reject
// or accept them without panicking, and what they accept must round-trip.
func FuzzRequestContent(f *testing.F) {
	s, _ := NewSigner("hmac-sha256", fuzzKey)
	for _, c := range []struct{ typ, content string }{
		{"execute_request", `{"code":"%echo hi","silent":false,"store_history":true,"user_expressions":{},"allow_stdin":true,"stop_on_error":true}`},
		{"execute_request", `{"code":["x"]}`},
		{"execute_request", `{"user_expressions":{"a":1}}`},
		{"complete_request", `{"code":"%ec","cursor_pos":-5}`},
		{"inspect_request", `{"code":"%ec","cursor_pos":1e99,"detail_level":"x"}`},
		{"history_request", `{"hist_access_type":"search","pattern":"*[!a-z]?","n":-1,"unique":true}`},
		{"shutdown_request", `{"restart":"yes"}`},
		{"comm_open", `{"comm_id":null,"target_name":{}}`},
		{"kernel_info_request", `[]`},
		{"unknown_request", `{"a":1}`},
	} {
		f.Add(`{"msg_id":"1","msg_type":"`+c.typ+`","session":"s"}`, `{}`, c.content)
	}
	f.Fuzz(func(t *testing.T, header, parent, content string) {
		sig := s.Sign([]byte(header), []byte(parent), []byte("{}"), []byte(content))
		frames := [][]byte{[]byte("peer"), delimiter, []byte(sig), []byte(header), []byte(parent), []byte("{}"), []byte(content)}
		m, err := s.Decode(frames)
		if err != nil {
			if errors.Is(err, ErrBadSignature) {
				t.Fatalf("a correctly signed message was rejected as forged")
			}
			return
		}
		checkAccepted(t, s, m)
	})
}

// checkAccepted checks an accepted message: its parts are JSON objects,
// parseRequest does not panic, and it re-encodes to the same message.
func checkAccepted(t *testing.T, s *Signer, m *Message) {
	t.Helper()
	for _, part := range []json.RawMessage{m.RawHeader, m.ParentHeader, m.Metadata, m.Content} {
		if !isObject(part) {
			t.Fatalf("accepted a part that is not a JSON object: %q", part)
		}
	}
	if m.Header.MsgID == "" || m.Header.MsgType == "" {
		t.Fatalf("accepted a header without msg_id or msg_type: %q", m.RawHeader)
	}
	req, err := parseRequest(m)
	if err == nil && req != nil {
		if r, ok := req.(*historyRequest); ok {
			globRegexp(r.Pattern) // must not panic
		}
		if r, ok := req.(*completeRequest); ok {
			_ = cursorOr(r.CursorPos, r.Code)
		}
	}
	_ = m.ParentMsgID()
	frames, err := s.Encode(m)
	if err != nil {
		t.Fatalf("re-encoding an accepted message: %v", err)
	}
	again, err := s.Decode(frames)
	if err != nil {
		t.Fatalf("a re-encoded message does not decode: %v", err)
	}
	if again.Header != m.Header || !bytes.Equal(again.Content, m.Content) || !bytes.Equal(again.ParentHeader, m.ParentHeader) {
		t.Fatalf("round trip changed the message: %+v → %+v", m, again)
	}
}

// FuzzHistoryGlob checks the glob of history_request searches: compiling
// any pattern is safe, and a pattern without wildcards matches exactly
// itself.
func FuzzHistoryGlob(f *testing.F) {
	for _, p := range []string{"", "*", "%train*", "[a-z]?", "[!x]", "[]]", "[", "[z-a]", `\`, "[[:alpha:]]", "日本*"} {
		f.Add(p, "%train --epochs 3")
	}
	f.Fuzz(func(t *testing.T, pattern, input string) {
		re := globRegexp(pattern)
		re.MatchString(input)
		// Patterns from the wire are valid UTF-8 (JSON decoding sees to it).
		if pattern != "" && !strings.ContainsAny(pattern, "*?[") && utf8.ValidString(pattern) {
			if !re.MatchString(pattern) {
				t.Fatalf("the literal pattern %q does not match itself (regexp %s)", pattern, re)
			}
			if input != pattern && re.MatchString(input) {
				t.Fatalf("the literal pattern %q matches %q (regexp %s)", pattern, input, re)
			}
		}
		if pattern == "*" && !re.MatchString(input) {
			t.Fatalf("* does not match %q", input)
		}
	})
}

// TestGlobInvalidUTF8 is the regression test of a panic FuzzHistoryGlob
// found: a class holding invalid UTF-8 failed to compile, and so did the
// literal fallback, which then panicked in regexp.MustCompile.
func TestGlobInvalidUTF8(t *testing.T) {
	for _, p := range []string{"[\xee-0]", "\xff*", "[\xc3]"} {
		re := globRegexp(p) // panicked
		if re.MatchString("plain") {
			t.Errorf("%q matches %q", p, "plain")
		}
	}
}
