// Package codectest checks that a codec keeps the promises netchan makes
// for every codec, shipped or plugged in. A codec's tests run it in one
// line:
//
//	func TestConformance(t *testing.T) {
//		codectest.Run(t, mycodec.Codec(), codectest.TimeArrivesIn(time.UTC))
//	}
//
// Run drives the codec directly, as netchan does: through a session per
// connection end ([codec.ForConnection]) and [codec.AppendPointer], and
// through Marshal and Unmarshal too. It generates values of many shapes
// with rapid and requires each to arrive as it was sent, or be refused
// with an error wrapping [codec.ErrUnsupported]; see [Run] for the rest.
//
// # Claims
//
// No format carries every Go value exactly. The options of Run state what
// the codec claims instead, as its documentation should: that an empty
// slice may arrive nil ([EmptySliceAsNil]), that times arrive in UTC
// ([TimeArrivesIn]), that it refuses NaN ([RefusesNonFinite]), what a
// value sent in an `any` becomes ([AnyAs]). The kit holds the codec to
// exactly that: a difference no option allows fails, and so does a value
// an option says is refused but is not. [Claims] returns the claims of the
// codecs package codec ships.
//
// # Over the network
//
// [RunNetwork] runs netchan's own properties with the codec, over real
// loopback connections through both of netchan's APIs: values arrive
// intact and in order, WithBuffer(n) means n, close delivers everything
// first, refused values are reported.
//
// # Fuzzing
//
// [Seeds] gives a fuzz target of the codec's decoder a start, and
// [FuzzUnmarshal] checks each input: no panic, and what decodes encodes
// again to the same value.
package codectest
