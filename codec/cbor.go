package codec

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// cborEncOptions is the one encoding every CBOR codec shares. Decoding limits
// are local policy and may differ between peers; the encoding may not.
func cborEncOptions() cbor.EncOptions {
	return cbor.EncOptions{
		// RFC 3339 text keeps every nanosecond. The numeric modes go through
		// float64 or round to microseconds. UTC because RFC 3339 writes the
		// offset in minutes: a zone offset with seconds would move the instant.
		Time:    cbor.TimeRFC3339NanoUTC,
		TimeTag: cbor.EncTagRequired, // so a time decoded into an `any` is a time.Time again
		// Our decoder refuses indefinite lengths, so the encoder must never
		// produce them, not even from a type's own MarshalCBOR.
		IndefLength: cbor.IndefLengthForbidden,
		// Always a bignum tag, even for a big.Int that fits in 64 bits, so a
		// big.Int in an `any` arrives as a big.Int, not as an int64.
		BigIntConvert: cbor.BigIntConvertNone,
		// The default, spelled out because the nil-versus-empty equivalence
		// documented on CBOR depends on it.
		NilContainers: cbor.NilContainerAsNull,
	}
}

func cborDecOptions(l CBORLimits) cbor.DecOptions {
	return cbor.DecOptions{
		MaxNestedLevels:  l.MaxNestedLevels,
		MaxArrayElements: l.MaxArrayElements,
		MaxMapPairs:      l.MaxMapPairs,
		// A repeated key lets two peers, or a peer and a log, disagree on a
		// value; reject the frame instead of silently keeping one of them.
		DupMapKey: cbor.DupMapKeyEnforcedAPF,
		// Our encoder never produces indefinite lengths. Refusing them shuts
		// out chunked strings, the one place the decoder must build a copy of
		// unbounded size from many small pieces.
		IndefLength: cbor.IndefLengthForbidden,
		// Go strings may hold any bytes; a string must arrive as it was sent.
		UTF8: cbor.UTF8DecodeInvalid,
	}
}

var (
	cborEnc cbor.UserBufferEncMode
	cborDec cbor.DecMode
)

func init() {
	var err error
	if cborEnc, err = cborEncOptions().UserBufferEncMode(); err != nil {
		panic("netchan: codec: CBOR encoding options: " + err.Error())
	}
	if cborDec, err = cborDecOptions(CBORLimits{}.withDefaults()).DecMode(); err != nil {
		panic("netchan: codec: CBOR decoding options: " + err.Error())
	}
}

// CBOR returns the default codec, named "cbor": RFC 8949 CBOR through
// github.com/fxamacker/cbor/v2. It is the codec for peers you do not trust:
// its decoder enforces the default [CBORLimits] (nesting 32, 131072 array
// elements, 131072 map pairs), rejects maps with duplicate keys and rejects
// indefinite-length items. Use [CBORWithLimits] to change the limits.
//
// A value decoded into the same Go type it was encoded from equals the
// original, with these equivalences:
//
//   - A time.Time arrives equal by [time.Time.Equal], to the nanosecond, but
//     in UTC: its Location and monotonic clock reading are not sent. Only
//     times whose year in UTC is 0 to 9999 can be encoded. The zero time is
//     sent as CBOR null: it arrives as the zero time in a time.Time, as nil
//     in an `any`, and a *time.Time pointing to the zero time arrives as a
//     nil pointer.
//   - Nil and empty slices and maps stay distinct: nil is sent as CBOR null
//     and arrives nil, empty arrives empty and non-nil. The same holds for
//     []byte.
//   - Strings arrive byte for byte, even when they are not valid UTF-8.
//   - Struct fields are matched by name (or `cbor`/`json` tag); fields the
//     receiver does not know are ignored, fields the frame lacks keep their
//     zero value.
//   - Decoded into an `any`, integers arrive as uint64 (non-negative) or
//     int64, floats as float64, a big.Int or *big.Int as a big.Int, byte
//     slices as []byte, other slices and arrays as []any, maps as
//     map[any]any and structs as map[any]any keyed by field name. So 42
//     sent in an `any` arrives as uint64(42).
//   - A value whose static type is an interface with methods is refused
//     with [ErrInterfaceType]: the decoder cannot choose its concrete type.
//   - A time whose year in UTC is outside 0 to 9999, like any value Marshal
//     cannot encode, is refused with an error wrapping [ErrUnsupported].
//
// One value is sent that does not arrive: a map two of whose keys decode as
// equal, such as int64(1) and uint64(1), or float32(1.5) and float64(1.5),
// or nil and the zero time, in a map[any]any. The decoder refuses a frame
// with a repeated key, from this encoder or a hostile one, with
// [ErrDuplicateKey]; netchan reports the value at the receiver (ErrDecode),
// and the sender is not told. Telling such keys apart before sending would
// mean decoding every map with interface keys once more.
func CBOR() Codec { return cborCodec{enc: cborEnc, dec: cborDec} }

type cborCodec struct {
	enc cbor.UserBufferEncMode
	dec cbor.DecMode
}

var (
	_ Codec           = cborCodec{}
	_ Appender        = cborCodec{}
	_ PointerAppender = cborCodec{}
)

func (cborCodec) Name() string { return "cbor" }

func (c cborCodec) Marshal(v any) ([]byte, error) {
	b, err := c.enc.Marshal(v)
	if err != nil {
		return nil, Unsupported("cbor", v, err, cborCannot)
	}
	return b, nil
}

// cborBuffers recycles the bytes.Buffer headers AppendMarshal wraps around
// the caller's slice: MarshalToBuffer takes an interface, so a fresh header
// per call would escape to the heap.
var cborBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// AppendMarshal encodes v straight into dst's spare capacity; it allocates
// only when dst must grow.
func (c cborCodec) AppendMarshal(dst []byte, v any) ([]byte, error) {
	buf := cborBuffers.Get().(*bytes.Buffer)
	*buf = *bytes.NewBuffer(dst)
	err := c.enc.MarshalToBuffer(v, buf)
	out := buf.Bytes()
	*buf = bytes.Buffer{} // the pool must not keep the caller's memory alive
	cborBuffers.Put(buf)
	if err != nil {
		return dst, Unsupported("cbor", v, err, cborCannot)
	}
	return out, nil
}

// AppendMarshalPointer is AppendMarshal: CBOR encodes a pointer as the
// value it points to, and calls a marshaling method declared on the
// pointer type for the value too, so both encode the same.
//
// It refuses a value whose static type is an interface with methods: the
// decoder could not choose a concrete type for it, and the receiver would
// fail on every value.
func (c cborCodec) AppendMarshalPointer(dst []byte, p any) ([]byte, error) {
	if t := reflect.TypeOf(p).Elem(); t.Kind() == reflect.Interface && t.NumMethod() > 0 {
		return dst, &UnsupportedError{Codec: "cbor", Type: t, Err: ErrInterfaceType}
	}
	out, err := c.AppendMarshal(dst, p)
	if err != nil {
		// Name the parts from the value, not from the pointer to it.
		var u *UnsupportedError
		if errors.As(err, &u) {
			u.Type = reflect.TypeOf(p).Elem()
		}
	}
	return out, err
}

// cborCannot reports what the CBOR encoder refuses: the kinds no format
// carries, and times whose year in UTC is outside 0 to 9999, which RFC
// 3339 cannot write.
func cborCannot(v reflect.Value) bool {
	if unencodableKind(v) {
		return true
	}
	if v.Type() == timeType && v.CanInterface() {
		y := v.Interface().(time.Time).UTC().Year()
		return y < 0 || y > 9999
	}
	return false
}

func (c cborCodec) Unmarshal(data []byte, v any) error {
	if err := c.dec.Unmarshal(data, v); err != nil {
		return wrapCBORError(err)
	}
	return nil
}

// wrapCBORError marks the library's limit errors with ErrLimitExceeded, so a
// caller can tell a hostile or oversized frame from a malformed one without
// importing the cbor package.
func wrapCBORError(err error) error {
	var (
		nested *cbor.MaxNestedLevelError
		array  *cbor.MaxArrayElementsError
		pairs  *cbor.MaxMapPairsError
		dup    *cbor.DupMapKeyError
	)
	if errors.As(err, &nested) || errors.As(err, &array) || errors.As(err, &pairs) {
		return fmt.Errorf("%w: %w", ErrLimitExceeded, err)
	}
	if errors.As(err, &dup) {
		return fmt.Errorf("%w: %w", ErrDuplicateKey, err)
	}
	return err
}
