package wire

import (
	"encoding/binary"
	"fmt"
)

// Version is the protocol version this package speaks.
const Version = 1

// magic opens every hello, so a peer that speaks something else is told apart
// from one that speaks netchan badly.
const magic = "netchan"

// Limits on hello fields, so a hello can be read before anything is trusted.
const (
	MaxHelloSize = 512
	MaxCodecName = 64
	MaxProof     = 64
	// MaxCapacity bounds the capacity a peer may ask for. A receiver holds up
	// to this many values per stream, so it must stay modest.
	MaxCapacity = 1 << 20
	// MaxIdle bounds the idle timeout a peer may announce, in milliseconds
	// (a week), so that it converts to a duration without overflow.
	MaxIdle = 7 * 24 * 3600 * 1000
)

// Role says which end of a connection sent a hello.
type Role uint8

// The two roles. A hello from a peer must carry the other role than ours, so a
// reflected hello is refused.
const (
	RoleDialer   Role = 1
	RoleListener Role = 2
)

func (r Role) String() string {
	switch r {
	case RoleDialer:
		return "dialer"
	case RoleListener:
		return "listener"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// Hello is the first frame each end sends: what it speaks and what it offers.
type Hello struct {
	Version  uint8
	Role     Role
	Codec    string // the codec's name; both ends must use the same
	Capacity uint64 // values this end lets the peer have outstanding; 0 is rendezvous
	MaxValue uint64 // largest encoded value this end accepts, in bytes
	// Idle is this end's idle timeout in milliseconds, 0 for none: the peer
	// sends a frame at least every Idle/3 so that a quiet connection is not
	// taken for a dead one.
	Idle  uint64
	Proof []byte // proof of a shared secret bound to the TLS session, or empty
}

// AppendHello appends h's payload to dst.
func AppendHello(dst []byte, h Hello) []byte {
	dst = append(dst, magic...)
	dst = append(dst, h.Version, byte(h.Role))
	dst = appendBytesField(dst, []byte(h.Codec))
	dst = binary.AppendUvarint(dst, h.Capacity)
	dst = binary.AppendUvarint(dst, h.MaxValue)
	dst = binary.AppendUvarint(dst, h.Idle)
	return appendBytesField(dst, h.Proof)
}

// ParseHello reads a hello payload, checking every field's form. Whether the
// values are acceptable (the version, the codec) is for the caller to decide.
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
	codec, p, err := bytesField(p[2:], MaxCodecName, "codec name")
	if err != nil {
		return h, err
	}
	if len(codec) == 0 {
		return h, fmt.Errorf("%w: empty codec name", ErrMalformed)
	}
	for _, c := range codec {
		if c < 0x21 || c > 0x7e {
			return h, fmt.Errorf("%w: codec name is not printable ASCII", ErrMalformed)
		}
	}
	h.Codec = string(codec)
	if h.Capacity, p, err = uvarint(p, "capacity"); err != nil {
		return h, err
	}
	if h.Capacity > MaxCapacity {
		return h, fmt.Errorf("%w: capacity %d above %d", ErrMalformed, h.Capacity, MaxCapacity)
	}
	if h.MaxValue, p, err = uvarint(p, "max value size"); err != nil {
		return h, err
	}
	if h.Idle, p, err = uvarint(p, "idle timeout"); err != nil {
		return h, err
	}
	if h.Idle > MaxIdle {
		return h, fmt.Errorf("%w: idle timeout %d ms above %d", ErrMalformed, h.Idle, MaxIdle)
	}
	proof, p, err := bytesField(p, MaxProof, "proof")
	if err != nil {
		return h, err
	}
	if len(proof) > 0 {
		h.Proof = append([]byte(nil), proof...)
	}
	if len(p) != 0 {
		return h, fmt.Errorf("%w: %d trailing bytes in hello", ErrMalformed, len(p))
	}
	return h, nil
}
