// Package codec turns Go values into bytes and back for netchan.
//
// A [Codec] is the one interface a user implements to plug in a format of their
// own: a name, Marshal and Unmarshal. Three optional interfaces, checked by type
// assertion, add what some formats need:
//
//   - [Appender] lets a codec encode into a buffer the caller reuses, so the send
//     path allocates nothing of its own.
//   - [PointerAppender] lets a codec take a pointer to each value it encodes, so
//     the value is not copied into an interface on its way, which allocates for
//     most types, and so that the codec sees the value's static type: gob
//     sends a value whose static type is an interface as an interface value.
//   - [Stateful] lets a codec keep state for the life of one connection, as gob
//     does: it sends a type's description once, before the first value of that
//     type, rather than with every value.
//
// Codec values are immutable and safe for concurrent use. A session returned by
// [Stateful.NewSession] is not: netchan calls its Marshal in the order values are
// sent and its Unmarshal in the order they arrive, one call at a time each.
//
// # What a value may hold
//
// The shipped codecs encode by reflection, as encoding/json does:
//
//   - Only exported struct fields are sent. An unexported field is left out
//     without a word and arrives as its zero value.
//   - A channel or a function cannot be encoded. Marshal refuses a value
//     that holds one, even in a field gob would otherwise leave out, with
//     an [*UnsupportedError] that names the field: "cbor cannot encode
//     main.Req at .Reply (chan int)". netchan itself carries channels: it
//     replaces each with a stream id before a codec sees the value, so
//     channels in values reach a codec only when it is used on its own, or
//     inside an interface value, which netchan does not look into.
//   - Every value a codec refuses, for whatever reason, is refused with an
//     error wrapping [ErrUnsupported]; nothing is sent, and netchan reports
//     the value with its ErrEncode. No shipped codec delivers a value other
//     than the one sent, up to the equivalences its documentation lists.
//   - Interfaces: what a value sent in an `any` becomes depends on the
//     codec. [Gob] delivers it with its own type, once the type is
//     registered; [CBOR] and [JSON] deliver generic forms (maps for
//     structs, 64-bit types for numbers), as their documentation says. An
//     interface type with methods only gob can fill; CBOR and JSON refuse
//     a value of one with [ErrInterfaceType].
//
// Package codectest checks a codec against these promises, and against the
// equivalences it claims, in one call.
//
// # Untrusted peers
//
// Decoders see bytes from the network. [CBOR] is the codec for peers you do not
// trust: it enforces limits on nesting depth, array length and map size. JSON
// limits nesting depth too ([MaxJSONDepth]); gob is bounded only by netchan's
// message size limit, and its decoder was not designed for hostile input: use
// it between programs that trust each other.
package codec

// Codec encodes and decodes the values of one connection.
//
// Name identifies the format in netchan's handshake: both ends of a connection
// must use codecs with the same name, or the handshake fails. It must be 1 to 64
// bytes of printable ASCII.
type Codec interface {
	// Name returns the format's name, as agreed during the handshake.
	Name() string
	// Marshal returns the encoding of v.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into the value v points to. It must not keep data
	// after it returns: netchan reuses the buffer.
	Unmarshal(data []byte, v any) error
}

// Appender is implemented by codecs that can encode into a caller's buffer.
// netchan uses it, where present, in place of Marshal.
type Appender interface {
	// AppendMarshal appends the encoding of v to dst and returns the extended
	// buffer. On error, the returned slice is dst unchanged.
	AppendMarshal(dst []byte, v any) ([]byte, error)
}

// PointerAppender is implemented by codecs that encode a non-nil pointer as
// the value it points to, whatever the methods of either type: netchan then
// hands them a pointer to each value it sends, where it already holds the
// value, rather than the value itself. A value of most types in an
// interface is a copy on the heap; a pointer in one is not.
type PointerAppender interface {
	// AppendMarshalPointer appends the encoding of the value p points to to
	// dst and returns the extended buffer, as AppendMarshal would with that
	// value. p is never nil. On error, the returned slice is dst unchanged.
	AppendMarshalPointer(dst []byte, p any) ([]byte, error)
}

// Stateful is implemented by codecs that keep state across the values of one
// stream of a netchan session. netchan calls NewSession once per stream and
// uses the result's Marshal for every value it sends and its Unmarshal for
// every value it receives on that stream, in order. The state outlives
// cuts of the network connection, which the session resumes from without
// losing or repeating a frame.
type Stateful interface {
	Codec
	// NewSession returns a codec for one stream. Its Name must equal the
	// parent's.
	NewSession() Codec
}

// ForConnection returns the codec to use for one connection: a new session
// when c is [Stateful], c itself otherwise.
func ForConnection(c Codec) Codec {
	if s, ok := c.(Stateful); ok {
		return s.NewSession()
	}
	return c
}

// Append encodes v with c and appends it to dst, through [Appender] when c
// implements it.
func Append(c Codec, dst []byte, v any) ([]byte, error) {
	if a, ok := c.(Appender); ok {
		return a.AppendMarshal(dst, v)
	}
	b, err := c.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// AppendPointer encodes *p with c and appends it to dst: through
// [PointerAppender] when c implements it, else as [Append] does with *p.
// p must not be nil.
func AppendPointer[T any](c Codec, dst []byte, p *T) ([]byte, error) {
	if a, ok := c.(PointerAppender); ok {
		return a.AppendMarshalPointer(dst, p)
	}
	return Append(c, dst, *p)
}
