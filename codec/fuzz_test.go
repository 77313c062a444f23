package codec_test

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/netchan/netchan/codec"
)

// fuzzValue is the typed target of every fuzz decoder: the benchmark's
// Sample plus maps, pointers and nesting, so typed decoding paths get
// exercised as well as decoding into `any`.
type fuzzValue struct {
	Sample
	M     map[string]int32
	P     *int32
	N     *Inner
	List  []Inner
	Grid  [2][2]uint8
	Small int8
	Flag  bool
}

func fuzzSeeds() []any {
	p := int32(-5)
	full := fuzzValue{
		Sample: sampleValue(),
		M:      map[string]int32{"a": 1, "b\xff": -2},
		P:      &p,
		N:      &Inner{Label: "n", Weights: []float32{1.5}},
		List:   []Inner{{Label: "l"}},
		Grid:   [2][2]uint8{{1, 2}, {3, 4}},
		Small:  -128,
		Flag:   true,
	}
	return []any{fuzzValue{}, full, sampleValue(), sampleRecord(1)}
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	bigIntType = reflect.TypeFor[big.Int]()
)

// comparer decides whether two decoded values are equal the way the codecs
// promise: times by Equal, NaN equal to NaN, nil and non-nil containers
// different.
type comparer struct {
	// zeroTimeIsNil accepts a nil interface where a zero time.Time was: CBOR
	// sends the zero time as null, which decodes into an `any` as nil.
	zeroTimeIsNil bool
}

func (c comparer) same(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	if a.CanInterface() && b.CanInterface() {
		switch a.Type() {
		case timeType:
			return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
		case bigIntType: // its words may be stored with different capacities
			x, y := a.Interface().(big.Int), b.Interface().(big.Int)
			return x.Cmp(&y) == 0
		}
	}
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y)
	case reflect.String:
		return a.String() == b.String()
	case reflect.Pointer, reflect.Interface:
		if c.zeroTimeIsNil && a.Kind() == reflect.Interface && b.IsNil() && !a.IsNil() &&
			a.Elem().Type() == timeType && a.Elem().Interface().(time.Time).IsZero() {
			return true
		}
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		return c.same(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return false
		}
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !c.same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for it := a.MapRange(); it.Next(); {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() {
				// Keys that are same but not == (a NaN, a time in another
				// zone) need a search.
				bv = c.findKey(b, it.Key())
			}
			if !bv.IsValid() || !c.same(it.Value(), bv) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !c.same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Pointer() == b.Pointer() // chans and funcs: identity
}

// findKey returns the value in map m under a key that is same as k.
func (c comparer) findKey(m, k reflect.Value) reflect.Value {
	for it := m.MapRange(); it.Next(); {
		if c.same(k, it.Key()) {
			return it.Value()
		}
	}
	return reflect.Value{}
}

// reencode encodes v with c and decodes the result into a new T.
func reencode[T any](t *testing.T, c codec.Codec, v T) T {
	t.Helper()
	data, err := c.Marshal(v)
	if err != nil {
		t.Fatalf("re-encoding a decoded %T: %v\nvalue: %#v", v, err, v)
	}
	var got T
	if err := c.Unmarshal(data, &got); err != nil {
		t.Fatalf("decoding a re-encoded %T: %v\nvalue: %#v", v, err, v)
	}
	return got
}

func requireSame[T any](t *testing.T, cmp comparer, want, got T) {
	t.Helper()
	if !cmp.same(reflect.ValueOf(&want).Elem(), reflect.ValueOf(&got).Elem()) {
		t.Fatalf("value changed on a second round trip:\n got %#v\nwant %#v", got, want)
	}
}

func FuzzCBORUnmarshal(f *testing.F) {
	c := codec.CBOR()
	for _, v := range append(fuzzSeeds(), map[string]any{"k": []any{1, -2.5, "s", nil, true}}) {
		data, err := c.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(nested(40))
	f.Add([]byte{0x9a, 0x80, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCBOR[any](t, c, data)
		checkCBOR[fuzzValue](t, c, data)
	})
}

func checkCBOR[T any](t *testing.T, c codec.Codec, data []byte) {
	var v T
	if err := c.Unmarshal(data, &v); err != nil {
		return
	}
	if _, err := c.Marshal(v); err != nil {
		// A decoder accepts times the encoder cannot write (years outside
		// 0 to 9999); CBOR's documentation says so.
		var uv *cbor.UnsupportedValueError
		if errors.As(err, &uv) {
			return
		}
		t.Fatalf("re-encoding a decoded %T: %v\nvalue: %#v", v, err, v)
	}
	requireSame(t, comparer{zeroTimeIsNil: true}, v, reencode(t, c, v))
}

// gobRoundTrip sends v through a fresh pair of sessions.
func gobRoundTrip(t *testing.T, v fuzzValue) fuzzValue {
	t.Helper()
	return reencode(t, gobPair{codec.ForConnection(codec.Gob()), codec.ForConnection(codec.Gob())}, v)
}

// gobPair marshals with one session and unmarshals with another, the two
// ends of one connection.
type gobPair struct{ send, recv codec.Codec }

func (p gobPair) Name() string                       { return p.send.Name() }
func (p gobPair) Marshal(v any) ([]byte, error)      { return p.send.Marshal(v) }
func (p gobPair) Unmarshal(data []byte, v any) error { return p.recv.Unmarshal(data, v) }

func FuzzGobSessionUnmarshal(f *testing.F) {
	for _, v := range fuzzSeeds() {
		fv, ok := v.(fuzzValue)
		if !ok {
			continue
		}
		data, err := codec.ForConnection(codec.Gob()).Marshal(fv)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v fuzzValue
		if err := codec.ForConnection(codec.Gob()).Unmarshal(data, &v); err != nil {
			return
		}
		// A hostile frame may hold what gob's encoder never writes (an
		// explicit empty slice, a pointer to zero), which the first round trip
		// normalizes as Gob documents; from then on values must be stable.
		once := gobRoundTrip(t, v)
		requireSame(t, comparer{}, once, gobRoundTrip(t, once))
	})
}

func FuzzJSONUnmarshal(f *testing.F) {
	c := codec.JSON()
	for _, v := range fuzzSeeds() {
		if fv, ok := v.(fuzzValue); ok {
			delete(fv.M, "b\xff") // JSON refuses invalid UTF-8
		}
		data, err := c.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"k":[1,-2.5e3,"s\u00e9\ud800",null,true,{}]}`))
	f.Add([]byte(`[[[[[[[[[[]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkJSON[any](t, c, data)
		checkJSON[fuzzValue](t, c, data)
	})
}

func checkJSON[T any](t *testing.T, c codec.Codec, data []byte) {
	var v T
	if err := c.Unmarshal(data, &v); err != nil {
		return
	}
	requireSame(t, comparer{}, v, reencode(t, c, v))
}
