package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func TestSignerRoundTrip(t *testing.T) {
	for _, scheme := range []string{"hmac-sha256", "hmac-sha512", "hmac-sha384", "hmac-sha224", "hmac-sha1", "hmac-md5"} {
		for _, key := range []string{"", "secret"} {
			s, err := NewSigner(scheme, []byte(key))
			if err != nil {
				t.Fatal(err)
			}
			m := &Message{
				Identities:   [][]byte{[]byte("peer")},
				Header:       newHeader("execute_request", "sess", "user"),
				ParentHeader: json.RawMessage(`{"msg_id": "p"}`),
				Content:      json.RawMessage(`{"code": "%echo"}`),
				Buffers:      [][]byte{{0, 1, 2}},
			}
			frames, err := s.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			if key == "" && len(frames[2]) != 0 {
				t.Errorf("%s unsigned: signature %q", scheme, frames[2])
			}
			got, err := s.Decode(frames)
			if err != nil {
				t.Fatalf("%s %q: %v", scheme, key, err)
			}
			if got.Header != m.Header || !bytes.Equal(got.Identities[0], []byte("peer")) ||
				string(got.Content) != string(m.Content) || got.ParentMsgID() != "p" ||
				string(got.Metadata) != "{}" || len(got.Buffers) != 1 {
				t.Errorf("%s %q: round trip gave %+v", scheme, key, got)
			}
			if key != "" {
				frames[5] = []byte(`{"code": "%fail"}`)
				if _, err := s.Decode(frames); !errors.Is(err, ErrBadSignature) {
					t.Errorf("%s: tampered content: %v", scheme, err)
				}
			}
		}
	}
	if _, err := NewSigner("hmac-sha3", nil); err == nil {
		t.Error("no error for an unknown scheme")
	}
}

func TestDecodeErrors(t *testing.T) {
	s, _ := NewSigner("hmac-sha256", []byte("k"))
	frames := func(header, parent, metadata, content string) [][]byte {
		return [][]byte{[]byte("id"), delimiter, []byte(s.Sign([]byte(header), []byte(parent), []byte(metadata), []byte(content))),
			[]byte(header), []byte(parent), []byte(metadata), []byte(content)}
	}
	good := `{"msg_id": "1", "msg_type": "kernel_info_request", "session": "s", "username": "u", "date": "", "version": "5.3"}`
	tests := []struct {
		name   string
		frames [][]byte
		want   error
	}{
		{"good", frames(good, "{}", "{}", "{}"), nil},
		{"nothing", nil, ErrNoDelimiter},
		{"no delimiter", frames(good, "{}", "{}", "{}")[2:], ErrNoDelimiter},
		{"too few", frames(good, "{}", "{}", "{}")[:6], ErrTooFewFrames},
		{"header array", frames(`[1]`, "{}", "{}", "{}"), errAny},
		{"header number field", frames(`{"msg_id": 1, "msg_type": "x"}`, "{}", "{}", "{}"), errAny},
		{"no msg_id", frames(`{"msg_type": "x"}`, "{}", "{}", "{}"), errAny},
		{"content string", frames(good, "{}", "{}", `"x"`), errAny},
		{"parent empty", frames(good, "", "{}", "{}"), errAny},
		{"metadata truncated", frames(good, "{}", "{", "{}"), errAny},
	}
	for _, tt := range tests {
		_, err := s.Decode(tt.frames)
		switch {
		case tt.want == nil && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == errAny && err == nil:
			t.Errorf("%s: no error", tt.name)
		case tt.want != nil && tt.want != errAny && !errors.Is(err, tt.want):
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

var errAny = errors.New("any error")

func TestGlob(t *testing.T) {
	tests := []struct {
		glob, s string
		want    bool
	}{
		{"", "anything", true},
		{"*", "multi\nline", true},
		{"%result 4?", "%result 42", true},
		{"%result 4?", "%result 4", false},
		{"%result 4?", "%result 420", false},
		{"a.c", "abc", false},
		{"[ab]x", "bx", true},
		{"[!ab]x", "bx", false},
		{"[^ab]x", "cx", true},
		{"[a-c]*", "b-side", true},
		{"a[", "a[", true},
		{"(x)+", "(x)+", true},
		{"[z-a]", "[z-a]", true},
	}
	for _, tt := range tests {
		if got := globRegexp(tt.glob).MatchString(tt.s); got != tt.want {
			t.Errorf("glob %q on %q = %v, want %v", tt.glob, tt.s, got, tt.want)
		}
	}
}

func TestDigestHistory(t *testing.T) {
	d := newDigestHistory(true, 3)
	for i, tt := range []struct {
		sig  string
		want bool
	}{
		{"a", true}, {"b", true}, {"a", false}, {"c", true}, {"d", true}, // "a" forgotten
		{"a", true}, {"b", true}, {"d", false}, {"c", true},
	} {
		if got := d.add(tt.sig); got != tt.want {
			t.Errorf("%d: add(%q) = %v, want %v", i, tt.sig, got, tt.want)
		}
	}
	off := newDigestHistory(false, 3)
	if !off.add("") || !off.add("") {
		t.Error("unsigned messages rejected as replays")
	}
}
