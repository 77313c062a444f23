package msgpack

import (
	"encoding/binary"
	"fmt"

	"github.com/netchan/netchan/codec"
)

// MaxDepth is how deeply arrays and maps may nest in a frame the codec
// decodes, and in a value it encodes.
const MaxDepth = 100

// checkFrame reports whether data holds exactly one MessagePack item whose
// every length fits in data and whose arrays and maps nest at most
// MaxDepth deep. The decoder trusts length headers to size what it
// allocates and recurses once per level, so a hostile frame must not reach
// it: a header of a few bytes could claim gigabytes, or a frame of nothing
// but array headers drive it a million calls deep.
//
// The walk keeps, per open array or map, the number of items still to
// come, so that it needs no recursion itself.
func checkFrame(data []byte) error {
	pending := make([]uint64, 0, 8) // items still to come at each open level
	i := 0
	for first := true; first || len(pending) > 0; first = false {
		if i >= len(data) {
			return fmt.Errorf("%w: %d bytes, in the middle of an item", codec.ErrShortFrame, len(data))
		}
		items, container, next, err := item(data, i)
		if err != nil {
			return err
		}
		i = next
		// Every item takes at least a byte, so a count the rest cannot
		// hold is a lie; rejecting it bounds what the decoder allocates.
		if items > uint64(len(data)-i) {
			return fmt.Errorf("%w: a header at byte %d claims %d items, %d bytes remain", codec.ErrShortFrame, i, items, len(data)-i)
		}
		if container && len(pending) == MaxDepth {
			return fmt.Errorf("%w: arrays and maps nest deeper than %d", codec.ErrLimitExceeded, MaxDepth)
		}
		if len(pending) > 0 {
			pending[len(pending)-1]--
		}
		if items > 0 {
			pending = append(pending, items)
		}
		for len(pending) > 0 && pending[len(pending)-1] == 0 {
			pending = pending[:len(pending)-1]
		}
	}
	if i != len(data) {
		return fmt.Errorf("%w: %d bytes", codec.ErrTrailingData, len(data)-i)
	}
	return nil
}

// item reads the header of the item at data[i] and skips its payload. It
// returns how many items the item holds (elements, or keys and values),
// whether it is an array or a map, and where the next item starts.
func item(data []byte, i int) (items uint64, container bool, next int, err error) {
	c := data[i]
	i++
	switch {
	case c <= 0x7f || c >= 0xe0: // fixint
		return 0, false, i, nil
	case c <= 0x8f: // fixmap
		return 2 * uint64(c&0x0f), true, i, nil
	case c <= 0x9f: // fixarray
		return uint64(c & 0x0f), true, i, nil
	case c <= 0xbf: // fixstr
		next, err = skip(data, i, uint64(c&0x1f))
		return 0, false, next, err
	}
	switch c {
	case 0xdc, 0xdd, 0xde, 0xdf: // array16, array32, map16, map32
		n, next, err := length(data, i, 2<<(c&1))
		if c >= 0xde {
			n *= 2
		}
		return n, true, next, err
	}
	next, err = scalar(data, c, i)
	return 0, false, next, err
}

// scalar skips the item that starts with c, not an array or a map, whose
// header continues at data[i].
func scalar(data []byte, c byte, i int) (int, error) {
	switch c {
	case 0xc0, 0xc2, 0xc3: // nil, false, true
		return i, nil
	case 0xc4, 0xd9: // bin8, str8
		return sized(data, i, 1, 0)
	case 0xc5, 0xda: // bin16, str16
		return sized(data, i, 2, 0)
	case 0xc6, 0xdb: // bin32, str32
		return sized(data, i, 4, 0)
	case 0xc7: // ext8: length, then type
		return sized(data, i, 1, 1)
	case 0xc8:
		return sized(data, i, 2, 1)
	case 0xc9:
		return sized(data, i, 4, 1)
	case 0xcc, 0xd0: // uint8, int8
		return skip(data, i, 1)
	case 0xcd, 0xd1:
		return skip(data, i, 2)
	case 0xca, 0xce, 0xd2: // float32, uint32, int32
		return skip(data, i, 4)
	case 0xcb, 0xcf, 0xd3: // float64, uint64, int64
		return skip(data, i, 8)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16, after a type
		return skip(data, i, 1+1<<(c-0xd4))
	}
	return 0, fmt.Errorf("netchan: msgpack: byte 0x%02x at %d starts no item", c, i-1)
}

// sized skips an item whose payload length is a big-endian number of
// width bytes at data[i], followed by extra bytes before the payload.
func sized(data []byte, i, width int, extra uint64) (int, error) {
	n, next, err := length(data, i, width)
	if err != nil {
		return 0, err
	}
	return skip(data, next, n+extra)
}

// length reads a big-endian number of width bytes at data[i].
func length(data []byte, i, width int) (uint64, int, error) {
	if len(data)-i < width {
		return 0, 0, fmt.Errorf("%w: a length at byte %d is cut off", codec.ErrShortFrame, i)
	}
	switch width {
	case 1:
		return uint64(data[i]), i + 1, nil
	case 2:
		return uint64(binary.BigEndian.Uint16(data[i:])), i + 2, nil
	}
	return uint64(binary.BigEndian.Uint32(data[i:])), i + 4, nil
}

// skip skips n bytes of payload at data[i].
func skip(data []byte, i int, n uint64) (int, error) {
	if n > uint64(len(data)-i) {
		return 0, fmt.Errorf("%w: an item at byte %d claims %d bytes, %d remain", codec.ErrShortFrame, i, n, len(data)-i)
	}
	return i + int(n), nil
}
