package codectest

import (
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// roundTrips runs a property per shape: Shape, which holds every kind of
// part, then each kind alone as the whole value, where codecs often take
// another path.
func (k *kit) roundTrips(t *testing.T) {
	t.Run("Shape", func(t *testing.T) { roundTrips(t, k, Shapes()) })
	t.Run("Int64", func(t *testing.T) { roundTrips(t, k, rapid.Int64()) })
	t.Run("Uint64", func(t *testing.T) { roundTrips(t, k, rapid.Uint64()) })
	t.Run("Float64", func(t *testing.T) { roundTrips(t, k, floatGen(true)) })
	t.Run("Float32", func(t *testing.T) { roundTrips(t, k, rapid.Float32()) })
	t.Run("String", func(t *testing.T) { roundTrips(t, k, stringGen(true)) })
	t.Run("Bytes", func(t *testing.T) { roundTrips(t, k, sliceGen(rapid.Byte())) })
	t.Run("Time", func(t *testing.T) { roundTrips(t, k, timeGen(true)) })
	t.Run("Pointer", func(t *testing.T) { roundTrips(t, k, rapid.Ptr(innerGen(stringGen(true)), false)) })
	t.Run("Array", func(t *testing.T) { roundTrips(t, k, arrayGen()) })
	t.Run("Map", func(t *testing.T) { roundTrips(t, k, mapGen(rapid.Int8(), floatGen(true))) })
}

func arrayGen() *rapid.Generator[[3]int16] {
	return rapid.Map(rapid.SliceOfN(rapid.Int16(), 3, 3), func(s []int16) [3]int16 { return [3]int16(s) })
}

// roundTrips sends a few values of gen through one connection's pair of
// sessions, in order, as netchan does, and each through Marshal and
// Unmarshal too.
func roundTrips[T any](t *testing.T, k *kit, gen *rapid.Generator[T]) {
	rapid.Check(t, func(rt *rapid.T) {
		vals := rapid.SliceOfN(gen, 1, 8).Draw(rt, "values")
		p := newPair(k.c)
		for i, v := range vals {
			if !roundTrip(rt, k, p, i, v) {
				// A session that refused a value may be out of step with
				// its peer; netchan ends such a connection.
				p = newPair(k.c)
			}
		}
	})
}

// roundTrip sends v, value i, through p and through the codec's Marshal
// and Unmarshal. It reports false if the codec refused v, as it must when
// the claims say so.
func roundTrip[T any](t tb, k *kit, p pair, i int, v T) bool {
	t.Helper()
	refusal := k.claims.refusal(v)
	frame, err := encodeAs(p.send, nil, &v)
	plain, plainErr := marshal(k.c, v)
	if refusal != "" {
		requireRefused(t, "value "+itoa(i)+", refused as claimed ("+refusal+")", err)
		requireRefused(t, "Marshal of value "+itoa(i)+", refused as claimed ("+refusal+")", plainErr)
		return false
	}
	requireNoPanic(t, "encoding", nil, err)
	if err != nil {
		t.Fatalf("value %d was refused, and no option claims the codec refuses it: %v\nvalue: %#v", i, err, v)
	}
	got, err := decodeAs[T](p.recv, frame)
	requireNoPanic(t, "decoding", frame, err)
	if err != nil {
		t.Fatalf("value %d: decoding what the codec encoded: %v\nvalue: %#v", i, err, v)
	}
	if d := diffOf(k.claims, v, got); d != "" {
		t.Fatalf("value %d changed on the way: %s", i, d)
	}

	if reflect.TypeFor[T]().Kind() == reflect.Interface {
		// Marshal sees the value in the interface, not the interface type a
		// decoder may need; netchan uses the path above.
		return true
	}
	requireNoPanic(t, "Marshal", nil, plainErr)
	if plainErr != nil {
		t.Fatalf("value %d was refused by Marshal, and no option claims the codec refuses it: %v\nvalue: %#v", i, plainErr, v)
	}
	got, err = decodeAs[T](k.c, plain)
	requireNoPanic(t, "Unmarshal", plain, err)
	if err != nil {
		t.Fatalf("value %d: Unmarshal of what Marshal encoded: %v\nvalue: %#v", i, err, v)
	}
	if d := diffOf(k.claims, v, got); d != "" {
		t.Fatalf("value %d changed through Marshal and Unmarshal: %s", i, d)
	}
	return true
}
