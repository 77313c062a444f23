package codectest

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
)

// sampleShapes returns fixed Shapes: the zero one, one with every part
// set, and one with the wild parts some codecs refuse.
func sampleShapes() []Shape {
	p, at := -2, time.Date(2024, 2, 29, 23, 59, 59, 999_999_999, time.FixedZone("", -7*3600))
	full := Shape{
		Seq: 1, I: -1, I8: math.MinInt8, I16: math.MaxInt16, I32: math.MinInt32, I64: math.MaxInt64,
		U: 1, U8: math.MaxUint8, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxUint64,
		F32: 1.5, F64: math.Pi, Floats: []float64{0, -1.25, 1e300},
		B: true, S: "héllo, 世界", Bytes: []byte{0, 1, 0xff},
		Nested: [][]int{{1, 2}, {}, nil},
		Map:    map[string]int{"one": 1, "": 0},
		Lists:  map[int][]string{-1: {"a", ""}, 7: nil},
		P:      &p,
		PS:     &Inner{N: 2, Name: "ptr", Tags: []string{"t"}},
		Inners: []Inner{{N: -2, Name: "x"}, {Tags: []string{}}},
		T:      at,
		TP:     &at,
	}
	lmt := time.Date(1900, 1, 1, 0, 0, 0, 5, time.FixedZone("LMT", 19*60+32))
	wild := Shape{
		Seq: 2, F32: float32(math.Inf(-1)), F64: math.NaN(), Floats: []float64{math.Copysign(0, -1), math.Inf(1)},
		S: "ok\xff\xfe", Map: map[string]int{"\x80": 1}, T: lmt,
	}
	return []Shape{{}, full, wild}
}

// sampleAnys returns fixed values of the kinds anyValues generates.
func sampleAnys() []any {
	return []any{
		nil, 42, int8(-1), uint64(math.MaxUint64), 1.5, "s", true, []byte{1, 2},
		[]int{1, -2}, []string{"a"}, map[string]int{"k": 1},
		Inner{N: 1, Name: "in", Tags: []string{"t"}},
		time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC),
	}
}

// Seeds returns frames for a fuzz target of the codec c's decoder: the
// encodings, each by a new session as the first frame of a connection, of
// fixed Shapes and of values in an `any`, those c accepts. Hand them to
// f.Add, and check each input with FuzzUnmarshal:
//
//	func FuzzUnmarshal(f *testing.F) {
//		for _, seed := range codectest.Seeds(mycodec.Codec()) {
//			f.Add(seed)
//		}
//		f.Fuzz(func(t *testing.T, data []byte) {
//			codectest.FuzzUnmarshal(t, mycodec.Codec(), data)
//		})
//	}
func Seeds(c codec.Codec) [][]byte {
	var seeds [][]byte
	for _, v := range sampleShapes() {
		if frame, err := encodeAs(codec.ForConnection(c), nil, &v); err == nil {
			seeds = append(seeds, frame)
		}
	}
	for _, v := range sampleAnys() {
		if frame, err := encodeAs(codec.ForConnection(c), nil, &v); err == nil {
			seeds = append(seeds, frame)
		}
	}
	return seeds
}

// FuzzUnmarshal checks one input of a fuzz target: decoded by a new
// session of c into a Shape and into an `any`, it must not make the codec
// panic; and what decodes must encode again, or be refused with an error
// wrapping codec.ErrUnsupported, and decode again to the same value, up to
// the claims opts.
func FuzzUnmarshal(t *testing.T, c codec.Codec, data []byte, opts ...Option) {
	t.Helper()
	k := newKit(c, opts)
	decodeStable[Shape](t, k, data)
	decodeStable[any](t, k, data)
}

// decodeStable decodes data into a T and, if that works, sends the value
// through a new connection and compares. An input may hold what the
// encoder never writes, such as an empty slice where gob sends none; the
// claims say what may change.
func decodeStable[T any](t tb, k *kit, data []byte) {
	t.Helper()
	v, err := decodeAs[T](codec.ForConnection(k.c), data)
	requireNoPanic(t, "decoding", data, err)
	if err != nil {
		return
	}
	p := newPair(k.c)
	frame, err := encodeAs(p.send, nil, &v)
	requireNoPanic(t, "encoding a decoded value", nil, err)
	if err != nil {
		if !errors.Is(err, codec.ErrUnsupported) {
			t.Fatalf("encoding a decoded %T: the error does not wrap codec.ErrUnsupported: %v\nvalue: %#v", v, err, v)
		}
		return
	}
	again, err := decodeAs[T](p.recv, frame)
	requireNoPanic(t, "decoding a re-encoded value", frame, err)
	if err != nil && k.claims.dupKeys && errors.Is(err, codec.ErrDuplicateKey) {
		return // as claimed: keys that decode as equal were sent
	}
	if err != nil {
		t.Fatalf("decoding a re-encoded %T: %v\nvalue: %#v", v, err, v)
	}
	// What was decoded is already in the form AnyAs describes.
	c := *k.claims
	c.anyAs = nil
	if d := diffOf(&c, v, again); d != "" {
		t.Fatalf("a decoded %T changed when sent again: %s", v, d)
	}
}
