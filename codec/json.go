package codec

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// MaxJSONDepth is how deeply [JSON] lets arrays and objects nest, in frames
// it decodes and in values it encodes. encoding/json's own limit (10000) is
// far above anything a message needs and lets one frame drive deep recursion;
// 100 leaves room for real data.
const MaxJSONDepth = 100

// JSON returns a codec named "json" that uses encoding/json. It is meant for
// debugging and for peers that already speak JSON; it is slower and larger
// than [CBOR]. Its decoder rejects frames that are not valid UTF-8 or that
// nest deeper than [MaxJSONDepth], before decoding them.
//
// A value decoded into the type it was encoded from equals the original, with
// JSON's equivalences:
//
//   - Nil slices and maps are sent as null and arrive nil; empty ones are sent
//     as [] and {} and arrive empty. A nil pointer arrives nil.
//   - A []byte is sent as a base64 string and arrives byte for byte.
//   - A time.Time is sent as RFC 3339 text and arrives equal by
//     [time.Time.Equal], to the nanosecond, with its zone as a fixed offset
//     and no monotonic clock reading. Only years 0 to 9999 can be encoded,
//     and only zone offsets of whole minutes: otherwise Marshal fails with
//     [ErrTimeOffset] rather than send a different instant.
//   - A string that is not valid UTF-8 cannot be sent: encoding/json would
//     replace the bad bytes with U+FFFD, so Marshal fails with an error
//     wrapping [ErrInvalidUTF8] that names where the string is.
//   - Map keys must be strings, integers, or implement
//     encoding.TextMarshaler.
//   - NaN and infinite floats cannot be encoded: Marshal fails.
//   - Integers arrive exactly when decoded into integer-typed fields; decoded
//     into an `any` every number becomes a float64, exact only up to 2^53.
//   - Struct fields are matched by name or `json` tag, case-insensitively;
//     unknown fields are ignored.
func JSON() Codec { return jsonCodec{} }

type jsonCodec struct{}

var _ Codec = jsonCodec{}

func (jsonCodec) Name() string { return "json" }

func (jsonCodec) Marshal(v any) ([]byte, error) {
	if err := checkJSONValue(v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	// The walk cannot see inside a json.Marshaler, and encoding/json copies
	// a Marshaler's output verbatim, bad bytes included.
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: in the output of a json.Marshaler", ErrInvalidUTF8)
	}
	// Refuse to send what the peer's Unmarshal would refuse to read.
	if jsonTooDeep(b) {
		return nil, fmt.Errorf("%w: value nests deeper than %d", ErrLimitExceeded, MaxJSONDepth)
	}
	return b, nil
}

func (jsonCodec) Unmarshal(data []byte, v any) error {
	// encoding/json would quietly turn bad bytes into U+FFFD.
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: in JSON input", ErrInvalidUTF8)
	}
	if jsonTooDeep(data) {
		return fmt.Errorf("%w: JSON nests deeper than %d", ErrLimitExceeded, MaxJSONDepth)
	}
	return json.Unmarshal(data, v)
}

// jsonTooDeep reports whether arrays and objects in data nest deeper than
// MaxJSONDepth. It only tracks strings and brackets; whether data is valid
// JSON is left to encoding/json.
func jsonTooDeep(data []byte) bool {
	depth := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > MaxJSONDepth {
				return true
			}
		case ']', '}':
			depth--
		}
	}
	return false
}
