package wire

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Code classifies why a connection ends.
type Code uint64

// The GoAway codes.
const (
	CodeNormal   Code = 0 // both ends are done
	CodeProtocol Code = 1 // the peer broke the protocol
	CodeRefused  Code = 2 // the handshake failed: version, codec, trust
	CodeLimit    Code = 3 // the peer exceeded a limit
	// Code 4 is reserved: no end sends it, and one that reads it takes it
	// for a code it does not know, the peer closing.

	// CodeSessionLost refuses a resume: the listener does not hold the
	// session (it restarted, or the resume window passed).
	CodeSessionLost Code = 5
)

// String names the code, or gives its number if unknown.
func (c Code) String() string {
	switch c {
	case CodeNormal:
		return "normal"
	case CodeProtocol:
		return "protocol error"
	case CodeRefused:
		return "refused"
	case CodeLimit:
		return "limit exceeded"
	case CodeSessionLost:
		return "session lost"
	}
	return fmt.Sprintf("code(%d)", uint64(c))
}

// MaxReason bounds a GoAway's reason text.
const MaxReason = 256

// GoAway is the last frame an end sends before it ends a session on
// purpose, or refuses a handshake, so the peer can report why instead of a
// bare end of stream. A connection that ends without one was cut, and the
// session may resume on another.
type GoAway struct {
	Code   Code
	Reason string
}

// AppendGoAway appends g's payload to dst, cutting the reason to MaxReason bytes.
func AppendGoAway(dst []byte, g GoAway) []byte {
	dst = binary.AppendUvarint(dst, uint64(g.Code))
	r := g.Reason
	if len(r) > MaxReason {
		// Cut before a rune that does not fit whole, so the peer can still
		// read the reason as UTF-8.
		n := MaxReason
		for n > 0 && !utf8.RuneStart(r[n]) {
			n--
		}
		r = r[:n]
	}
	return appendBytesField(dst, []byte(r))
}

// ParseGoAway reads a GoAway payload.
func ParseGoAway(p []byte) (GoAway, error) {
	code, p, err := uvarint(p, "goaway code")
	if err != nil {
		return GoAway{}, err
	}
	reason, p, err := bytesField(p, MaxReason, "goaway reason")
	if err != nil {
		return GoAway{}, err
	}
	if len(p) != 0 {
		return GoAway{}, fmt.Errorf("%w: %d trailing bytes in goaway", ErrMalformed, len(p))
	}
	if !utf8.Valid(reason) {
		reason = []byte("(reason not UTF-8)")
	}
	return GoAway{Code: Code(code), Reason: string(reason)}, nil
}
