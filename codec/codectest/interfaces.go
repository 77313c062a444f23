package codectest

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// anyValues generates the values the kit sends in an interface: nil, a
// value of each basic type, byte slices, slices, maps, a struct and a
// time. No pointers: gob, for one, sends the value a pointer leads to.
func anyValues() *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any {
		wild := rapid.IntRange(0, 3).Draw(t, "wild") == 0
		str := stringGen(wild)
		return rapid.OneOf(
			rapid.Just[any](nil),
			asAny(rapid.Int()), asAny(rapid.Int8()), asAny(rapid.Int16()), asAny(rapid.Int32()), asAny(rapid.Int64()),
			asAny(rapid.Uint()), asAny(rapid.Uint8()), asAny(rapid.Uint16()), asAny(rapid.Uint32()), asAny(rapid.Uint64()),
			asAny(rapid.Float32()), asAny(floatGen(wild)),
			asAny(rapid.Bool()), asAny(str),
			asAny(sliceGen(rapid.Byte())), asAny(sliceGen(rapid.Int())), asAny(sliceGen(str)),
			asAny(mapGen(str, rapid.Int())),
			asAny(innerGen(str)),
			asAny(timeGen(wild)),
		).Draw(t, "v")
	})
}

func asAny[V any](g *rapid.Generator[V]) *rapid.Generator[any] {
	return rapid.Map(g, func(v V) any { return v })
}

// anyTypes returns a value of each type anyValues and the interface
// checks put in an interface, for a codec that must be told of them.
func anyTypes() []any {
	return []any{
		int(0), int8(0), int16(0), int32(0), int64(0),
		uint(0), uint8(0), uint16(0), uint32(0), uint64(0),
		float32(0), float64(0), false, "",
		[]byte(nil), []int(nil), []string(nil), map[string]int(nil),
		Inner{}, time.Time{},
	}
}

// interfaces checks values sent in interfaces: T = any, a field of type
// any, and T an interface with methods.
func (k *kit) interfaces(t *testing.T) {
	t.Run("Any", func(t *testing.T) { roundTrips(t, k, anyValues()) })
	t.Run("AnyField", func(t *testing.T) {
		roundTrips(t, k, rapid.Custom(func(t *rapid.T) holder {
			return holder{Name: "h", V: anyValues().Draw(t, "V")}
		}))
	})
	t.Run("WithMethods", k.withMethods)
}

// withMethods sends a value whose static type is an interface with
// methods. A decoder can fill one only if it knows the concrete type from
// the input, as gob does; others must refuse it or fail to decode it,
// never deliver something else.
func (k *kit) withMethods(t *testing.T) {
	var v labeler = Inner{N: 1, Name: "x", Tags: []string{"t"}}
	p := newPair(k.c)
	frame, err := encodeAs(p.send, nil, &v)
	if err != nil {
		requireRefused(t, "encoding a labeler", err)
		t.Logf("refused, as it may be: %v", err)
		return
	}
	got, err := decodeAs[labeler](p.recv, frame)
	requireNoPanic(t, "decoding a labeler", frame, err)
	if err != nil {
		t.Logf("not decoded, as it may be: %v", err)
		return
	}
	if d := diffOf(k.claims, v, got); d != "" {
		t.Fatalf("a labeler changed on the way: %s", d)
	}
	// The same through the codec's own Marshal, which sees the value, not
	// its interface type.
	if frame, err = marshal(k.c, v); err != nil {
		requireRefused(t, "Marshal of a labeler", err)
		return
	}
	if got, err = decodeAs[labeler](k.c, frame); err == nil {
		if d := diffOf(k.claims, v, got); d != "" {
			t.Fatalf("a labeler changed through Marshal and Unmarshal: %s", d)
		}
	}
	requireNoPanic(t, "Unmarshal of a labeler", frame, err)
}
