// Package msgpack is a netchan codec for MessagePack, through
// github.com/vmihailenco/msgpack/v5. It is a module of its own, so that
// netchan does not depend on the library; both ends of a connection plug
// it in with one option:
//
//	send, recv, err := netchan.Dial[Job](ctx, addr, netchan.WithCodec(msgpack.Codec()), netchan.WithSecret(secret))
//
// A value decoded into the type it was encoded from equals the original,
// with these equivalences, which its tests hold it to with package
// codectest:
//
//   - A time.Time arrives equal by time.Time.Equal, to the nanosecond, in
//     the receiver's time.Local: MessagePack's timestamp carries no zone.
//     The zero time arrives as the zero time.
//   - Nil and empty slices and maps stay distinct; strings arrive byte for
//     byte, even when they are not valid UTF-8; NaN, infinities and -0
//     arrive as sent.
//   - Struct fields are matched by name or `msgpack` tag; unexported fields
//     are not sent and arrive zero.
//   - Decoded into an `any`, an integer arrives as the type MessagePack
//     wrote it with: an int8, int16, int32, int64, uint8 to uint64 keeps its
//     type, and an int or a uint arrives as the narrowest type that holds
//     it (42 as int8, 200 as uint8). Floats keep float32 or float64, byte
//     slices arrive as []byte, other slices and arrays as []any, maps and
//     structs as map[any]any, times as time.Time.
//   - A channel, a function or a complex number cannot be sent, nor a type
//     that holds an interface with methods, whose concrete type the decoder
//     could not choose: Marshal fails with an error wrapping
//     codec.ErrUnsupported that names the part.
//
// The decoder checks each frame before it decodes it: exactly one item,
// every length within the frame, arrays and maps nested at most MaxDepth
// deep. So a hostile peer cannot make it allocate more than the frame
// warrants, and netchan's message size limit bounds the work. Where the
// library panics on an input, Unmarshal returns an error wrapping
// ErrDecoderPanic instead.
package msgpack

import (
	"bytes"
	"fmt"
	"reflect"

	mp "github.com/vmihailenco/msgpack/v5"

	"github.com/netchan/netchan/codec"
)

// Name is the codec's name in netchan's handshake.
const Name = "msgpack"

// Codec returns the MessagePack codec. It is stateless and safe for
// concurrent use.
func Codec() codec.Codec { return msgpackCodec{} }

type msgpackCodec struct{}

var (
	_ codec.Appender        = msgpackCodec{}
	_ codec.PointerAppender = msgpackCodec{}
)

func (msgpackCodec) Name() string { return Name }

func (c msgpackCodec) Marshal(v any) ([]byte, error) { return c.AppendMarshal(nil, v) }

func (msgpackCodec) AppendMarshal(dst []byte, v any) ([]byte, error) {
	return encode(dst, v, false)
}

// AppendMarshalPointer encodes the value p points to. The library encodes
// a pointer as the value it points to, and can call a marshaling method
// declared on the pointer type only when it has the pointer.
func (msgpackCodec) AppendMarshalPointer(dst []byte, p any) ([]byte, error) {
	return encode(dst, p, true)
}

// encode appends the encoding of e, or of the value e points to if
// byPointer.
func encode(dst []byte, e any, byPointer bool) ([]byte, error) {
	t := reflect.TypeOf(e)
	if byPointer {
		t = t.Elem()
	}
	if t != nil && t.Kind() == reflect.Interface && t.NumMethod() > 0 {
		return dst, &codec.UnsupportedError{Codec: Name, Type: t, Err: codec.ErrInterfaceType}
	}
	if t != nil && holdsMethods(t) {
		return dst, refuse(e, byPointer, codec.ErrInterfaceType)
	}
	w := appendWriter{b: dst}
	enc := mp.GetEncoder()
	enc.Reset(&w)
	err := enc.Encode(e)
	mp.PutEncoder(enc)
	if err != nil {
		return dst, refuse(e, byPointer, err)
	}
	// Refuse to send what the peer's decoder would refuse to read.
	if err := checkFrame(w.b[len(dst):]); err != nil {
		return dst, refuse(e, byPointer, err)
	}
	return w.b, nil
}

// refuse returns the error for e, or the value e points to if byPointer.
func refuse(e any, byPointer bool, err error) error {
	if byPointer {
		e = reflect.ValueOf(e).Elem().Interface()
	}
	return codec.Unsupported(Name, e, err, cannot)
}

// cannot reports the parts the codec cannot send: the kinds MessagePack
// has no encoding for, and interfaces with methods.
func cannot(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Interface:
		return v.Type().NumMethod() > 0
	}
	return false
}

func (msgpackCodec) Unmarshal(data []byte, v any) (err error) {
	if err := checkFrame(data); err != nil {
		return err
	}
	if t := reflect.TypeOf(v); t != nil && t.Kind() == reflect.Pointer && holdsMethods(t.Elem()) {
		// The library panics filling an interface with methods.
		return codec.ErrInterfaceType
	}
	dec := mp.GetDecoder()
	defer func() {
		if recoverLibrary(recover(), &err) {
			return // a decoder left in the middle of a panic is not given back
		}
		mp.PutDecoder(dec)
	}()
	dec.Reset(bytes.NewReader(data))
	dec.SetMapDecoder(decodeMap)
	return dec.Decode(v)
}

// decodeMap decodes a map in an `any` as a map[any]any, whatever its keys:
// the library's default wants string keys and fails on any other, and its
// own map[any]any panics on a key that is an array or a map.
func decodeMap(d *mp.Decoder) (any, error) {
	n, err := d.DecodeMapLen()
	if err != nil || n == -1 {
		return nil, err
	}
	m := make(map[any]any, n)
	for range n {
		k, err := d.DecodeInterface()
		if err != nil {
			return nil, err
		}
		if k != nil && !reflect.ValueOf(k).Comparable() {
			return nil, fmt.Errorf("netchan: msgpack: a map key is a %T, which Go cannot use as one", k)
		}
		if m[k], err = d.DecodeInterface(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// appendWriter is the writer the encoder writes to, appending to a slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *appendWriter) WriteByte(c byte) error {
	w.b = append(w.b, c)
	return nil
}
