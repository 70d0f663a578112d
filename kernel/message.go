package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol version the kernel speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the message proper.
var delimiter = []byte("<IDS|MSG>")

// Header is a message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message as it travels on the wire.
type Message struct {
	// Identities are the ZeroMQ routing identities preceding the
	// delimiter; a reply carries those of its request.
	Identities [][]byte
	Header     Header
	// RawHeader is the header frame exactly as received (set by
	// Signer.Decode, ignored by Signer.Encode). A reply's parent_header is
	// the RawHeader of its request.
	RawHeader json.RawMessage
	// Signature is the hex signature frame as received (set by
	// Signer.Decode, ignored by Signer.Encode, which signs afresh).
	Signature    string
	ParentHeader json.RawMessage // a JSON object; nil means {}
	Metadata     json.RawMessage // a JSON object; nil means {}
	Content      json.RawMessage // a JSON object; nil means {}
	Buffers      [][]byte

	parent *parentInfo // ParentHeader's id and type, cached by Decode
}

type parentInfo struct {
	MsgID   string `json:"msg_id"`
	MsgType string `json:"msg_type"`
}

func (m *Message) parentInfo() parentInfo {
	if m.parent != nil {
		return *m.parent
	}
	var p parentInfo
	if len(m.ParentHeader) != 0 {
		_ = json.Unmarshal(m.ParentHeader, &p)
	}
	return p
}

// ParentMsgID returns the msg_id of the parent header, or "" if there is
// none.
func (m *Message) ParentMsgID() string { return m.parentInfo().MsgID }

// ParentMsgType returns the msg_type of the parent header, or "".
func (m *Message) ParentMsgType() string { return m.parentInfo().MsgType }

// DecodeContent unmarshals the content into v.
func (m *Message) DecodeContent(v any) error {
	if len(m.Content) == 0 {
		return json.Unmarshal([]byte("{}"), v)
	}
	return json.Unmarshal(m.Content, v)
}

// Signer signs and verifies messages with the HMAC of a connection file.
// An empty key means messages are neither signed nor checked.
type Signer struct {
	newHash func() hash.Hash
	key     []byte
}

var hashes = map[string]func() hash.Hash{
	"hmac-sha256": sha256.New,
	"hmac-sha512": sha512.New,
	"hmac-sha384": sha512.New384,
	"hmac-sha224": sha256.New224,
	"hmac-sha1":   sha1.New,
	"hmac-md5":    md5.New,
}

// NewSigner returns a Signer for a connection file's signature_scheme
// ("hmac-sha256", "hmac-sha512", ...) and key.
func NewSigner(scheme string, key []byte) (*Signer, error) {
	return newSigner(scheme, key)
}

func newSigner(scheme string, key []byte) (*Signer, error) {
	if scheme == "" {
		scheme = "hmac-sha256"
	}
	h, ok := hashes[scheme]
	if !ok {
		return nil, fmt.Errorf(`unsupported signature_scheme %q; use "hmac-sha256" (or hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1, hmac-md5)`, scheme)
	}
	return &Signer{newHash: h, key: bytes.Clone(key)}, nil
}

// Sign returns the hex signature of the four signed frames, as sent in the
// signature frame ("" when unsigned).
func (s *Signer) Sign(header, parent, metadata, content []byte) string {
	return hex.EncodeToString(s.sign(header, parent, metadata, content))
}

// sign returns the binary HMAC of the four signed frames, or nil when
// unsigned.
func (s *Signer) sign(header, parent, metadata, content []byte) []byte {
	if len(s.key) == 0 {
		return nil
	}
	mac := hmac.New(s.newHash, s.key)
	mac.Write(header)
	mac.Write(parent)
	mac.Write(metadata)
	mac.Write(content)
	return mac.Sum(nil)
}

func orEmptyObject(b json.RawMessage) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// Encode returns the wire frames of m: identities, delimiter, signature,
// header, parent header, metadata, content and buffers.
func (s *Signer) Encode(m *Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, fmt.Errorf("kernel: encoding header: %w", err)
	}
	parent := orEmptyObject(m.ParentHeader)
	metadata := orEmptyObject(m.Metadata)
	content := orEmptyObject(m.Content)
	sig := []byte(hex.EncodeToString(s.sign(header, parent, metadata, content)))
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, delimiter, sig, header, parent, metadata, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// Errors of Decode. A message failing any check is dropped by the kernel.
var (
	ErrNoDelimiter  = errors.New("kernel: no <IDS|MSG> delimiter frame")
	ErrTooFewFrames = errors.New("kernel: fewer than 5 frames after the delimiter")
	ErrBadSignature = errors.New("kernel: invalid HMAC signature")
)

// Decode parses wire frames and verifies their signature in constant time.
// It fails on a missing delimiter, too few frames, a bad signature, a
// header that is not an object with string fields and a non-empty msg_type
// and msg_id, and a parent header, metadata or content that is not a JSON
// object.
func (s *Signer) Decode(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && !bytes.Equal(frames[i], delimiter) {
		i++
	}
	if i == len(frames) {
		return nil, ErrNoDelimiter
	}
	rest := frames[i+1:]
	if len(rest) < 5 {
		return nil, ErrTooFewFrames
	}
	sig, header, parent, metadata, content := rest[0], rest[1], rest[2], rest[3], rest[4]
	if len(s.key) != 0 {
		got := make([]byte, hex.DecodedLen(len(sig)))
		n, err := hex.Decode(got, sig)
		want := s.sign(header, parent, metadata, content)
		// hmac.Equal is constant time in the length of its arguments; a
		// malformed hex signature still costs one comparison.
		if !hmac.Equal(got[:n], want) || err != nil {
			return nil, ErrBadSignature
		}
	}
	m := &Message{
		Identities:   frames[:i:i],
		RawHeader:    json.RawMessage(header),
		Signature:    string(sig),
		ParentHeader: json.RawMessage(parent),
		Metadata:     json.RawMessage(metadata),
		Content:      json.RawMessage(content),
		Buffers:      rest[5:],
	}
	if err := json.Unmarshal(header, &m.Header); err != nil || !isObject(header) {
		return nil, fmt.Errorf("kernel: header is not a JSON object with string fields: %v", err)
	}
	if m.Header.MsgType == "" || m.Header.MsgID == "" {
		return nil, errors.New("kernel: header has an empty msg_type or msg_id")
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{"parent_header", parent}, {"metadata", metadata}, {"content", content}} {
		if !isObject(f.b) {
			return nil, fmt.Errorf("kernel: %s is not a JSON object", f.name)
		}
	}
	// The parent's id and type, if they are strings, for ParentMsgID.
	var p parentInfo
	_ = json.Unmarshal(parent, &p)
	m.parent = &p
	return m, nil
}

// isObject reports whether b is a valid JSON object.
func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '{' && json.Valid(b)
}

// newHeader returns a header with a fresh msg_id and the current UTC time.
func newHeader(msgType, session, username string) Header {
	return Header{
		MsgID:    newID(),
		Session:  session,
		Username: username,
		Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
}
