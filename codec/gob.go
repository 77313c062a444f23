package codec

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// Gob returns a codec named "gob" that uses encoding/gob. It is [Stateful]:
// a session of the codec, one per stream, keeps one gob.Encoder and one
// gob.Decoder, so the description of a type crosses the stream once, with the first
// value of that type, and later values carry only their data. Each frame a
// session produces holds exactly one value (preceded by the descriptions of
// any types it introduces); a frame with bytes after its value is rejected
// with [ErrTrailingData]. Sessions only talk to sessions: the codec's own
// Marshal and Unmarshal are stateless and describe the type in every frame.
//
// gob is not for untrusted peers: its decoder was not designed for hostile
// input. Use [CBOR] for those.
//
// A value decoded into the type it was encoded from equals the original, with
// gob's equivalences:
//
//   - Nil and empty slices (and []byte) are not distinguished: both arrive
//     nil. Maps are, in struct fields: a nil map arrives nil, an empty one
//     empty. A nil map sent as the whole value, or in an interface, arrives
//     empty.
//   - Pointers are flattened: a nil pointer field arrives nil, and a pointer
//     to a zero number, string or bool is not sent at all, so it arrives nil
//     too. A pointer to a struct arrives as a pointer, even to a zero struct.
//   - Zero-valued struct fields are not sent: decoded into a fresh value they
//     arrive as zero, but decoded into a variable that already holds data
//     they keep what it held.
//   - A float field holding negative zero is a zero field, so it is not sent
//     and arrives as positive zero.
//   - Strings arrive byte for byte, even when they are not valid UTF-8.
//   - A time.Time arrives equal by [time.Time.Equal], to the nanosecond; its
//     zone arrives as a fixed offset (or Local, when the offset matches) and
//     its monotonic clock reading is dropped. A time whose zone offset is
//     negative and not a whole number of minutes, or is -1 minute, cannot
//     be sent: the standard library's binary time format reserves -1
//     minute, and gets the seconds of other negative offsets wrong, so the
//     time would arrive in another zone. Marshal fails with
//     [ErrTimeOffset]; convert such a time to UTC first.
//   - A value sent in an interface arrives with its own type. Its type must
//     be registered with [gob.Register] on both ends (the basic types and
//     slices of them are). A value whose static type is an interface, as in
//     Listen[any], is sent as an interface value too: netchan hands the
//     codec a pointer to it ([PointerAppender]). Marshal, which is given
//     only the value in the interface, sends that value's own type, which
//     a decoder into an interface refuses.
//   - A channel or function field, which gob would leave out and deliver as
//     nil, is refused with an [*UnsupportedError] naming it.
//   - A nil pointer cannot be sent as a whole value, nor a nil interface
//     given to Marshal: Marshal returns [ErrNilValue]. A nil `any` sent
//     through netchan arrives nil.
//
// Since a session keeps state, netchan ends the sending side of a
// connection whose codec refused a value: every later send fails with
// ErrSendBroken.
func Gob() Codec { return gobCodec{} }

type gobCodec struct{}

var (
	_ Stateful        = gobCodec{}
	_ Appender        = gobCodec{}
	_ PointerAppender = gobCodec{}
	_ Appender        = (*gobSession)(nil)
	_ PointerAppender = (*gobSession)(nil)
)

func (gobCodec) Name() string { return "gob" }

// NewSession returns a session for one connection. Its Marshal and
// AppendMarshal must be called in send order, its Unmarshal in receive order.
func (gobCodec) NewSession() Codec {
	s := &gobSession{}
	s.enc = gob.NewEncoder(&s.out)
	// bytes.Reader is an io.ByteReader, so gob reads from it directly instead
	// of through a bufio.Reader that would read past the current frame.
	s.dec = gob.NewDecoder(&s.in)
	return s
}

// Marshal encodes v alone, type description included. It suits a caller
// outside netchan; netchan uses sessions.
func (c gobCodec) Marshal(v any) ([]byte, error) { return c.AppendMarshal(nil, v) }

func (c gobCodec) AppendMarshal(dst []byte, v any) ([]byte, error) {
	if err := checkGobValue(v); err != nil {
		return dst, err
	}
	return c.encode(dst, v, false)
}

// AppendMarshalPointer encodes the value p points to; when that value's
// type is an interface, it is sent as an interface value, which a decoder
// into that interface type needs.
func (c gobCodec) AppendMarshalPointer(dst []byte, p any) ([]byte, error) {
	if err := checkGobPointer(p); err != nil {
		return dst, err
	}
	return c.encode(dst, p, true)
}

// encode encodes e, or the value e points to if byPointer, alone.
func (gobCodec) encode(dst []byte, e any, byPointer bool) ([]byte, error) {
	w := appendWriter{b: dst}
	if err := gob.NewEncoder(&w).Encode(e); err != nil {
		return dst, gobUnsupported(e, byPointer, err)
	}
	return w.b, nil
}

// Unmarshal decodes a frame made by the codec's own Marshal.
func (gobCodec) Unmarshal(data []byte, v any) error {
	r := bytes.NewReader(data)
	return decodeGobFrame(gob.NewDecoder(r), r, v)
}

// gobSession is one connection's codec. The send side (enc, out, pending)
// and the receive side (dec, in) share nothing, so netchan may run one
// Marshal and one Unmarshal at the same time.
type gobSession struct {
	enc *gob.Encoder
	out appendWriter
	// pending holds type descriptions written by an Encode that then failed.
	// The encoder has recorded those types as sent, so the peer must still
	// receive them: they go out at the front of the next frame.
	pending []byte

	dec *gob.Decoder
	in  bytes.Reader
}

func (s *gobSession) Name() string { return "gob" }

func (s *gobSession) Marshal(v any) ([]byte, error) { return s.AppendMarshal(nil, v) }

func (s *gobSession) AppendMarshal(dst []byte, v any) ([]byte, error) {
	if err := checkGobValue(v); err != nil {
		return dst, err
	}
	return s.encode(dst, v, false)
}

// AppendMarshalPointer is [gobCodec.AppendMarshalPointer] within the
// session.
func (s *gobSession) AppendMarshalPointer(dst []byte, p any) ([]byte, error) {
	if err := checkGobPointer(p); err != nil {
		return dst, err
	}
	return s.encode(dst, p, true)
}

// encode encodes e, or the value e points to if byPointer, within the
// session.
func (s *gobSession) encode(dst []byte, e any, byPointer bool) ([]byte, error) {
	n := len(dst)
	s.out.b = append(dst, s.pending...)
	err := s.enc.Encode(e)
	out := s.out.b
	s.out.b = nil // do not keep the caller's buffer
	if err != nil {
		// gob writes whole messages only, and the value's message only on
		// success, so what was written is complete type descriptions.
		s.pending = append(s.pending[:0], out[n:]...)
		return dst, gobUnsupported(e, byPointer, err)
	}
	s.pending = s.pending[:0]
	return out, nil
}

func (s *gobSession) Unmarshal(data []byte, v any) error {
	s.in.Reset(data)
	err := decodeGobFrame(s.dec, &s.in, v)
	s.in.Reset(nil) // Unmarshal must not keep data
	return err
}

// decodeGobFrame decodes the one value data holds. gob reads a frame's type
// descriptions and its value in a single Decode.
func decodeGobFrame(dec *gob.Decoder, r *bytes.Reader, v any) error {
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %w", ErrShortFrame, err)
		}
		return err
	}
	if r.Len() != 0 {
		return fmt.Errorf("%w: %d bytes", ErrTrailingData, r.Len())
	}
	return nil
}

// checkGobValue rejects what gob.Encoder rejects by panicking or by an error
// that does not say what to fix, and what it would send changed.
func checkGobValue(v any) error {
	if v == nil {
		return &UnsupportedError{Codec: "gob", Err: ErrNilValue}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return &UnsupportedError{Codec: "gob", Type: rv.Type(), Err: ErrNilValue}
	}
	return checkGobFields(rv)
}

// checkGobPointer checks the value p points to as checkGobValue does. gob
// follows pointers to the value they lead to, so a nil one on the way has
// no encoding; a nil interface has one, sent as an interface value.
func checkGobPointer(p any) error {
	rv := reflect.ValueOf(p).Elem()
	for e := rv; e.Kind() == reflect.Pointer; e = e.Elem() {
		if e.IsNil() {
			return &UnsupportedError{Codec: "gob", Type: rv.Type(), Err: ErrNilValue}
		}
	}
	return checkGobFields(rv)
}

// gobUnsupported wraps err, gob's failure to encode e, or the value e
// points to if byPointer.
func gobUnsupported(e any, byPointer bool, err error) error {
	if byPointer {
		e = reflect.ValueOf(e).Elem().Interface()
	}
	return Unsupported("gob", e, err, gobCannot)
}

// appendWriter is an io.Writer that appends to a slice, so gob's output
// lands in the caller's buffer without an intermediate copy.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
