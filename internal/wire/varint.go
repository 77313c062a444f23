package wire

import (
	"encoding/binary"
	"fmt"
)

// uvarint reads an unsigned varint from the front of b and returns it with the
// rest of b. It refuses overlong and truncated encodings, so each number has one
// encoding on the wire.
func uvarint(b []byte, what string) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, b, fmt.Errorf("%w: bad varint in %s", ErrMalformed, what)
	}
	if n != uvarintLen(v) {
		return 0, b, fmt.Errorf("%w: overlong varint in %s", ErrMalformed, what)
	}
	return v, b[n:], nil
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// bytesField reads a varint length and that many bytes, at most max.
func bytesField(b []byte, max int, what string) ([]byte, []byte, error) {
	n, rest, err := uvarint(b, what)
	if err != nil {
		return nil, b, err
	}
	if n > uint64(max) {
		return nil, b, fmt.Errorf("%w: %s of %d bytes, at most %d", ErrMalformed, what, n, max)
	}
	if uint64(len(rest)) < n {
		return nil, b, fmt.Errorf("%w: %s truncated", ErrMalformed, what)
	}
	return rest[:n], rest[n:], nil
}

func appendBytesField(dst, field []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(field)))
	return append(dst, field...)
}
