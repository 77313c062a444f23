package wire

import (
	"encoding/binary"
	"fmt"
)

// Kind tells what a frame carries.
type Kind uint8

// The frame kinds. Values are fixed by the protocol; new kinds get new numbers.
const (
	KindHello   Kind = 1  // handshake, the first frame each way, on stream 0
	KindData    Kind = 2  // one encoded value with its sequence number
	KindCredit  Kind = 3  // the receiver took values: the sender may send that many more
	KindClose   Kind = 4  // the sender closed its side of a stream after this many values
	KindGoAway  Kind = 5  // the session ends, with a reason
	KindPing    Kind = 6  // nothing to say: keeps an idle connection alive
	KindOpen    Kind = 7  // a new stream, with its capacity and what it carries
	KindAck     Kind = 8  // how many bytes of numbered frames arrived, on stream 0
	KindStreams Kind = 9  // the peer may open that many more streams, on stream 0
	KindValues  Kind = 10 // several encoded values of one stream, numbered from the first's

	lastKind = KindValues
)

// Numbered reports whether frames of kind k count in a session's byte
// sequence: such frames are kept by their sender until the peer acknowledges
// them, and sent again on a resumed connection. The others belong to one
// connection: the handshake, its end, and what keeps it alive.
func (k Kind) Numbered() bool {
	switch k {
	case KindData, KindCredit, KindClose, KindOpen, KindStreams, KindValues:
		return true
	}
	return false
}

// String names the kind, or gives its number if unknown.
func (k Kind) String() string {
	switch k {
	case KindHello:
		return "hello"
	case KindData:
		return "data"
	case KindCredit:
		return "credit"
	case KindClose:
		return "close"
	case KindGoAway:
		return "goaway"
	case KindPing:
		return "ping"
	case KindOpen:
		return "open"
	case KindAck:
		return "ack"
	case KindStreams:
		return "streams"
	case KindValues:
		return "values"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// HeaderSize is the length of a frame header in bytes.
const HeaderSize = 9

// Header precedes every frame: the payload's length (4 bytes, big-endian), the
// kind (1 byte) and the stream id (4 bytes, big-endian). The length counts only
// the payload, so a reader knows how much to read before it allocates anything,
// and can refuse a frame that is too large from its header alone.
type Header struct {
	Length uint32
	Kind   Kind
	Stream uint32
}

// AppendHeader appends h to dst.
func AppendHeader(dst []byte, h Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = append(dst, byte(h.Kind))
	return binary.BigEndian.AppendUint32(dst, h.Stream)
}

// ParseHeader reads a header from the first HeaderSize bytes of b.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: header of %d bytes, want %d", ErrMalformed, len(b), HeaderSize)
	}
	h := Header{
		Length: binary.BigEndian.Uint32(b[0:4]),
		Kind:   Kind(b[4]),
		Stream: binary.BigEndian.Uint32(b[5:9]),
	}
	if h.Kind < KindHello || h.Kind > lastKind {
		return h, fmt.Errorf("%w: unknown frame kind %d", ErrMalformed, b[4])
	}
	return h, nil
}

// PutLength writes a payload length into a header that was appended at
// dst[start:] before the payload's size was known.
func PutLength(dst []byte, start int, length int) {
	binary.BigEndian.PutUint32(dst[start:start+4], uint32(length))
}
