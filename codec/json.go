package codec

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"time"
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
//   - NaN and infinite floats cannot be encoded: Marshal fails with an
//     error wrapping [ErrUnsupported] that names where the float is.
//   - Integers arrive exactly when decoded into integer-typed fields; decoded
//     into an `any` every number becomes a float64, exact only up to 2^53.
//     Also in an `any`, a []byte arrives as its base64 text, a time as its
//     RFC 3339 text, other slices and arrays as []any, and maps and structs
//     as map[string]any.
//   - A value whose static type is an interface with methods is refused
//     with [ErrInterfaceType]: encoding/json cannot choose its concrete
//     type.
//   - Struct fields are matched by name or `json` tag, case-insensitively;
//     unknown fields are ignored.
func JSON() Codec { return jsonCodec{} }

type jsonCodec struct{}

var (
	_ Codec           = jsonCodec{}
	_ PointerAppender = jsonCodec{}
)

func (jsonCodec) Name() string { return "json" }

func (jsonCodec) Marshal(v any) ([]byte, error) {
	if err := checkJSONValue(v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, Unsupported("json", v, err, jsonCannot)
	}
	// The walk cannot see inside a json.Marshaler, and encoding/json copies
	// a Marshaler's output verbatim, bad bytes included.
	if !utf8.Valid(b) {
		return nil, Unsupported("json", v, fmt.Errorf("%w: in the output of a json.Marshaler", ErrInvalidUTF8), nil)
	}
	// Refuse to send what the peer's Unmarshal would refuse to read.
	if jsonTooDeep(b) {
		return nil, Unsupported("json", v, fmt.Errorf("%w: value nests deeper than %d", ErrLimitExceeded, MaxJSONDepth), nil)
	}
	return b, nil
}

// AppendMarshalPointer appends the encoding of the value p points to, not
// of p: encoding/json calls a MarshalJSON declared on the pointer type only
// when it is given a pointer, so the two may differ. It refuses a value
// whose static type is an interface with methods, which encoding/json
// cannot decode into.
func (c jsonCodec) AppendMarshalPointer(dst []byte, p any) ([]byte, error) {
	rv := reflect.ValueOf(p).Elem()
	if t := rv.Type(); t.Kind() == reflect.Interface && t.NumMethod() > 0 {
		return dst, &UnsupportedError{Codec: "json", Type: t, Err: ErrInterfaceType}
	}
	b, err := c.Marshal(rv.Interface())
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// jsonCannot reports what encoding/json refuses: the kinds no format
// carries, NaN and infinite floats, maps whose keys are neither strings,
// integers nor TextMarshalers, and times whose year is outside 0 to 9999.
func jsonCannot(v reflect.Value) bool {
	switch {
	case unencodableKind(v):
		return true
	case v.Kind() == reflect.Float32 || v.Kind() == reflect.Float64:
		return math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0)
	case v.Kind() == reflect.Map:
		switch k := v.Type().Key(); k.Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return false
		default:
			return !implementsText(k)
		}
	case v.Type() == timeType && v.CanInterface():
		y := v.Interface().(time.Time).Year()
		return y < 0 || y > 9999
	}
	return false
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
