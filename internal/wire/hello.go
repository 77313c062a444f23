package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Version is the protocol version this package speaks.
const Version = 2

// magic opens every hello, so a peer that speaks something else is told apart
// from one that speaks netchan badly.
const magic = "netchan"

// Limits on hello fields, so a hello can be read before anything is trusted.
const (
	MaxHelloSize = 1024
	MaxCodecName = 64
	MaxProof     = 64
	// MaxCapacity bounds the capacity a peer may ask for. A receiver holds up
	// to this many values per stream, so it must stay modest.
	MaxCapacity = 1 << 20
	// MaxIdle bounds the idle timeout a peer may announce, in milliseconds
	// (a week), so that it converts to a duration without overflow.
	MaxIdle = 7 * 24 * 3600 * 1000
	// MaxResumeWindow bounds the resume window, in milliseconds (a day).
	MaxResumeWindow = 24 * 3600 * 1000
	// MaxStreams bounds how many streams an end may let its peer open.
	MaxStreams = 1 << 20
	// MaxTypeName and MaxTypeShape bound the description of the values a
	// session's main stream carries.
	MaxTypeName  = 128
	MaxTypeShape = 256
	// SessionIDSize, MACSize and NonceSize are the sizes of the session
	// fields when present.
	SessionIDSize = 16
	MACSize       = 32
	NonceSize     = 32
)

// ErrVersion is wrapped by ParseHello's error for a hello of another
// protocol version, whose other fields it does not read.
var ErrVersion = errors.New("netchan: protocol version mismatch")

// Role says which end of a connection sent a hello.
type Role uint8

// The two roles. A hello from a peer must carry the other role than ours, so a
// reflected hello is refused.
const (
	RoleDialer   Role = 1
	RoleListener Role = 2
)

// String names the role, or gives its number if unknown.
func (r Role) String() string {
	switch r {
	case RoleDialer:
		return "dialer"
	case RoleListener:
		return "listener"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// Hello is the first frame each end sends: what it speaks and what it
// offers, and which session the connection carries.
type Hello struct {
	Version  uint8
	Role     Role
	Codec    string // the codec's name; both ends must use the same
	Capacity uint64 // values this end lets the peer have outstanding on the main stream; 0 is rendezvous
	MaxValue uint64 // largest encoded value this end accepts, in bytes
	// Idle is this end's idle timeout in milliseconds, 0 for none: the peer
	// sends a frame at least every Idle/3 so that a quiet connection is not
	// taken for a dead one.
	Idle  uint64
	Proof []byte // proof of a shared secret bound to the TLS session, or empty
	// Window is how long, in milliseconds, this end keeps a session whose
	// connection broke, waiting for a resume; 0 turns resume off. The
	// smaller of the two ends' wins.
	Window uint64
	// MaxStreams is how many streams the peer may have open at once, of
	// those it opens.
	MaxStreams uint64
	// TypeName and TypeShape describe the values of the main stream: a Go
	// type's name, for messages, and its shape, which the two ends compare.
	// Empty means any.
	TypeName  string
	TypeShape string
	// Session is empty in a dialer's hello that starts a session, and the
	// session's id otherwise: in a listener's hello, the id it gave the new
	// session or the one resumed; in a dialer's, the session it resumes.
	Session []byte
	// Counter numbers a dialer's resumes of one session, from 1; a listener
	// accepts each number once, in increasing order, and echoes it.
	Counter uint64
	// MAC proves, on a resume, that the end holds the session: see
	// PROTOCOL.md.
	MAC []byte
	// Received is how many bytes of numbered frames this end received in
	// the session: on a resume, the peer sends again from there.
	Received uint64
	// Nonce is random, fresh in each hello that starts a session; without
	// TLS, the session's secret derives from the two nonces.
	Nonce []byte
}

// AppendHello appends h's payload to dst.
func AppendHello(dst []byte, h Hello) []byte {
	dst = append(dst, magic...)
	dst = append(dst, h.Version, byte(h.Role))
	dst = appendBytesField(dst, []byte(h.Codec))
	dst = binary.AppendUvarint(dst, h.Capacity)
	dst = binary.AppendUvarint(dst, h.MaxValue)
	dst = binary.AppendUvarint(dst, h.Idle)
	dst = appendBytesField(dst, h.Proof)
	dst = binary.AppendUvarint(dst, h.Window)
	dst = binary.AppendUvarint(dst, h.MaxStreams)
	dst = appendBytesField(dst, []byte(h.TypeName))
	dst = appendBytesField(dst, []byte(h.TypeShape))
	dst = appendBytesField(dst, h.Session)
	dst = binary.AppendUvarint(dst, h.Counter)
	dst = appendBytesField(dst, h.MAC)
	dst = binary.AppendUvarint(dst, h.Received)
	return appendBytesField(dst, h.Nonce)
}

// ParseHello reads a hello payload, checking every field's form. Whether the
// values are acceptable (the codec, the session) is for the caller to
// decide. A hello of another version is returned with its version and role
// only, and an error that wraps ErrVersion.
func ParseHello(p []byte) (Hello, error) {
	var h Hello
	if len(p) > MaxHelloSize {
		return h, fmt.Errorf("%w: hello of %d bytes, at most %d", ErrMalformed, len(p), MaxHelloSize)
	}
	if len(p) < len(magic)+2 || string(p[:len(magic)]) != magic {
		return h, fmt.Errorf("%w: hello lacks the netchan magic", ErrMalformed)
	}
	p = p[len(magic):]
	h.Version, h.Role = p[0], Role(p[1])
	if h.Role != RoleDialer && h.Role != RoleListener {
		return h, fmt.Errorf("%w: hello with unknown role %d", ErrMalformed, p[1])
	}
	if h.Version != Version {
		return h, fmt.Errorf("%w: the peer speaks protocol version %d, this end %d", ErrVersion, h.Version, Version)
	}
	r := fieldReader{p: p[2:]}
	h.Codec = string(r.bytes(MaxCodecName, "codec name"))
	h.Capacity = r.number(MaxCapacity, "capacity")
	h.MaxValue = r.number(^uint64(0), "max value size")
	h.Idle = r.number(MaxIdle, "idle timeout")
	h.Proof = r.bytes(MaxProof, "proof")
	h.Window = r.number(MaxResumeWindow, "resume window")
	h.MaxStreams = r.number(MaxStreams, "max streams")
	h.TypeName = string(r.bytes(MaxTypeName, "type name"))
	h.TypeShape = string(r.bytes(MaxTypeShape, "type shape"))
	h.Session = r.bytes(SessionIDSize, "session id")
	h.Counter = r.number(^uint64(0), "resume counter")
	h.MAC = r.bytes(MACSize, "resume MAC")
	h.Received = r.number(^uint64(0), "bytes received")
	h.Nonce = r.bytes(NonceSize, "nonce")
	if r.err != nil {
		return h, r.err
	}
	if len(r.p) != 0 {
		return h, fmt.Errorf("%w: %d trailing bytes in hello", ErrMalformed, len(r.p))
	}
	switch {
	case len(h.Codec) == 0:
		return h, fmt.Errorf("%w: empty codec name", ErrMalformed)
	case !printable(h.Codec):
		return h, fmt.Errorf("%w: codec name is not printable ASCII", ErrMalformed)
	case len(h.Session) != 0 && len(h.Session) != SessionIDSize:
		return h, fmt.Errorf("%w: session id of %d bytes, want %d", ErrMalformed, len(h.Session), SessionIDSize)
	case len(h.MAC) != 0 && len(h.MAC) != MACSize:
		return h, fmt.Errorf("%w: resume MAC of %d bytes, want %d", ErrMalformed, len(h.MAC), MACSize)
	case len(h.Nonce) != 0 && len(h.Nonce) != NonceSize:
		return h, fmt.Errorf("%w: nonce of %d bytes, want %d", ErrMalformed, len(h.Nonce), NonceSize)
	}
	return h, nil
}

func printable(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// fieldReader reads fields in turn and keeps the first error; later reads
// then do nothing.
type fieldReader struct {
	p   []byte
	err error
}

func (r *fieldReader) number(max uint64, what string) uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	v, r.p, r.err = uvarint(r.p, what)
	if r.err == nil && v > max {
		r.err = fmt.Errorf("%w: %s %d above %d", ErrMalformed, what, v, max)
	}
	return v
}

// bytes returns a copy of the field, nil when it is empty.
func (r *fieldReader) bytes(max int, what string) []byte {
	if r.err != nil {
		return nil
	}
	var b []byte
	b, r.p, r.err = bytesField(r.p, max, what)
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
