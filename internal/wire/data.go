package wire

import (
	"encoding/binary"
	"fmt"
)

// Data is a data frame's payload: the value's sequence number on its stream
// (0 for the first value, counting up by one) followed by the encoded value.
// The sequence number lets a receiver prove that nothing was lost, repeated or
// reordered, and lets a resumed connection say where it left off.
type Data struct {
	Seq   uint64
	Value []byte
}

// AppendDataPrefix appends the part of a data payload that precedes the value.
func AppendDataPrefix(dst []byte, seq uint64) []byte {
	return binary.AppendUvarint(dst, seq)
}

// DataPrefixLen is the length of the prefix AppendDataPrefix writes for seq.
func DataPrefixLen(seq uint64) int { return uvarintLen(seq) }

// ParseData splits a data payload. Value aliases p.
func ParseData(p []byte) (Data, error) {
	seq, rest, err := uvarint(p, "data sequence number")
	if err != nil {
		return Data{}, err
	}
	return Data{Seq: seq, Value: rest}, nil
}

// AppendCount appends the payload of a credit or close frame: one count.
func AppendCount(dst []byte, n uint64) []byte {
	return binary.AppendUvarint(dst, n)
}

// ParseCount reads the payload of a credit or close frame, which must be one
// varint and nothing more.
func ParseCount(p []byte, kind Kind) (uint64, error) {
	n, rest, err := uvarint(p, kind.String())
	if err != nil {
		return 0, err
	}
	if len(rest) != 0 {
		return 0, fmt.Errorf("%w: %d trailing bytes in %s", ErrMalformed, len(rest), kind)
	}
	return n, nil
}
