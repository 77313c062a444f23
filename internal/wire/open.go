package wire

import (
	"encoding/binary"
	"fmt"
)

// MaxMeta bounds what an open frame says of its stream beyond its
// capacity.
const MaxMeta = 512

// Open is the payload of an open frame: the first frame of a new stream,
// numbered by the end that opens it (odd ids for the dialer's streams, even
// for the listener's, counting up). Data for the stream may follow at once.
type Open struct {
	// Capacity is the stream's capacity in both directions, as a hello's
	// is for the main stream; 0 is rendezvous.
	Capacity uint64
	// Meta says what the stream carries, for the layer above the
	// transport, which checks it; the transport does not read it.
	Meta []byte
}

// AppendOpen appends o's payload to dst.
func AppendOpen(dst []byte, o Open) []byte {
	dst = binary.AppendUvarint(dst, o.Capacity)
	return appendBytesField(dst, o.Meta)
}

// ParseOpen reads an open payload. Meta aliases p.
func ParseOpen(p []byte) (Open, error) {
	capacity, p, err := uvarint(p, "open capacity")
	if err != nil {
		return Open{}, err
	}
	if capacity > MaxCapacity {
		return Open{}, fmt.Errorf("%w: stream capacity %d above %d", ErrMalformed, capacity, MaxCapacity)
	}
	meta, p, err := bytesField(p, MaxMeta, "open meta")
	if err != nil {
		return Open{}, err
	}
	if len(p) != 0 {
		return Open{}, fmt.Errorf("%w: %d trailing bytes in open", ErrMalformed, len(p))
	}
	return Open{Capacity: capacity, Meta: meta}, nil
}
