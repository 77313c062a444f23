package codec

import "errors"

// The errors below are the ones a caller can act on. Codecs wrap them with
// detail (a field path, the limit that was hit), so test for them with
// [errors.Is], not ==.
var (
	// ErrUnsupported reports a value a codec cannot encode, or could not
	// encode without the peer receiving a different value. Every shipped
	// codec returns it inside an [*UnsupportedError] that names the part of
	// the value at fault; the sentinels below that describe a value, not
	// input, are wrapped in one too.
	ErrUnsupported = errors.New("netchan: codec: cannot encode value")

	// ErrInterfaceType reports a value whose static type is an interface
	// with methods, sent with a codec whose decoder cannot choose a concrete
	// type for one ([CBOR], [JSON]). Send a concrete type, or `any`.
	ErrInterfaceType = errors.New("netchan: codec: the decoder cannot choose a concrete type for an interface with methods")

	// ErrInvalidUTF8 reports a string that is not valid UTF-8 where the format
	// cannot carry one: [JSON] would otherwise replace the bad bytes with
	// U+FFFD and deliver a different string than was sent.
	ErrInvalidUTF8 = errors.New("netchan: codec: string is not valid UTF-8")

	// ErrLimitExceeded reports input that breaks one of a decoder's limits on
	// nesting depth, array length or map size, or a value that Marshal refuses
	// because the peer's decoder would reject its encoding.
	ErrLimitExceeded = errors.New("netchan: codec: input exceeds a decoding limit")

	// ErrInvalidLimits reports a [CBORLimits] field outside the range the CBOR
	// decoder supports.
	ErrInvalidLimits = errors.New("netchan: codec: invalid CBOR limits")

	// ErrTrailingData reports a frame that holds bytes after its value: a
	// frame must hold exactly one value.
	ErrTrailingData = errors.New("netchan: codec: trailing data after value")

	// ErrShortFrame reports a frame that ends before it holds a whole value.
	ErrShortFrame = errors.New("netchan: codec: frame ends before its value")

	// ErrNilValue reports an attempt to send a nil interface or nil pointer
	// with [Gob], which has no encoding for either at the top level.
	ErrNilValue = errors.New("netchan: codec: cannot encode a nil value")

	// ErrTimeOffset reports a time.Time whose zone offset is not a whole
	// number of minutes. [JSON] writes offsets in minutes, so such a time
	// would arrive as a different instant; [Gob] would deliver a negative
	// one in another zone. Historical local mean time zones (for example
	// Europe/Amsterdam before 1937) have such offsets; convert the time to
	// UTC before sending it.
	ErrTimeOffset = errors.New("netchan: codec: time zone offset is not a whole number of minutes")

	// ErrDuplicateKey reports a frame holding a map two of whose keys
	// decode as equal, which [CBOR] refuses so that two readers cannot
	// disagree on the value. Its encoder can write one from a Go map whose
	// keys differ in type only: see [CBOR].
	ErrDuplicateKey = errors.New("netchan: codec: a map holds two keys that decode as equal")
)
