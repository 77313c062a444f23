package codectest

import (
	"math"
	"time"

	"pgregory.net/rapid"
)

// Shapes generates Shapes. One value in four is "wild": its strings may
// hold bytes that are not UTF-8, its floats may be NaN, infinite or -0 and
// its times may have zone offsets with seconds, which some codecs refuse.
func Shapes() *rapid.Generator[Shape] {
	return rapid.Custom(func(t *rapid.T) Shape {
		wild := rapid.IntRange(0, 3).Draw(t, "wild") == 0
		str := stringGen(wild)
		f64 := floatGen(wild)
		f32 := rapid.OneOf(rapid.Float32(), rapid.Map(f64, func(f float64) float32 { return float32(f) }))
		return Shape{
			I:      rapid.Int().Draw(t, "I"),
			I8:     rapid.Int8().Draw(t, "I8"),
			I16:    rapid.Int16().Draw(t, "I16"),
			I32:    rapid.Int32().Draw(t, "I32"),
			I64:    rapid.Int64().Draw(t, "I64"),
			U:      rapid.Uint().Draw(t, "U"),
			U8:     rapid.Uint8().Draw(t, "U8"),
			U16:    rapid.Uint16().Draw(t, "U16"),
			U32:    rapid.Uint32().Draw(t, "U32"),
			U64:    rapid.Uint64().Draw(t, "U64"),
			F32:    f32.Draw(t, "F32"),
			F64:    f64.Draw(t, "F64"),
			Floats: sliceGen(f64).Draw(t, "Floats"),
			B:      rapid.Bool().Draw(t, "B"),
			S:      str.Draw(t, "S"),
			Bytes:  sliceGen(rapid.Byte()).Draw(t, "Bytes"),
			Nested: sliceGen(sliceGen(rapid.Int())).Draw(t, "Nested"),
			Map:    mapGen(str, rapid.Int()).Draw(t, "Map"),
			Lists:  mapGen(rapid.Int(), sliceGen(str)).Draw(t, "Lists"),
			P:      rapid.Ptr(rapid.IntRange(-2, 2), true).Draw(t, "P"),
			PS:     rapid.Ptr(innerGen(str), true).Draw(t, "PS"),
			Inners: sliceGen(innerGen(str)).Draw(t, "Inners"),
			T:      timeGen(wild).Draw(t, "T"),
			TP:     rapid.Ptr(timeGen(wild), true).Draw(t, "TP"),
		}
	})
}

func innerGen(str *rapid.Generator[string]) *rapid.Generator[Inner] {
	return rapid.Custom(func(t *rapid.T) Inner {
		return Inner{
			N:    rapid.IntRange(-2, 2).Draw(t, "N"),
			Name: str.Draw(t, "Name"),
			Tags: sliceGen(str).Draw(t, "Tags"),
		}
	})
}

// stringGen generates UTF-8 strings and, when wild, also raw bytes.
func stringGen(wild bool) *rapid.Generator[string] {
	valid := rapid.StringN(0, 8, -1)
	if !wild {
		return valid
	}
	raw := rapid.Map(rapid.SliceOfN(rapid.Byte(), 0, 8), func(b []byte) string { return string(b) })
	return rapid.OneOf(valid, raw)
}

// floatGen generates finite floats and, when wild, NaN, infinities and -0.
func floatGen(wild bool) *rapid.Generator[float64] {
	finite := rapid.OneOf(rapid.Float64(), rapid.SampledFrom([]float64{0, 1, -1.5}))
	if !wild {
		return finite
	}
	return rapid.OneOf(finite, rapid.SampledFrom([]float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}))
}

// sliceGen generates nil, empty and short slices.
func sliceGen[E any](elem *rapid.Generator[E]) *rapid.Generator[[]E] {
	return rapid.OneOf(rapid.Just([]E(nil)), rapid.Just([]E{}), rapid.SliceOfN(elem, 1, 3))
}

// mapGen generates nil, empty and small maps.
func mapGen[K comparable, V any](key *rapid.Generator[K], val *rapid.Generator[V]) *rapid.Generator[map[K]V] {
	return rapid.OneOf(rapid.Just(map[K]V(nil)), rapid.Just(map[K]V{}), rapid.MapOfN(key, val, 1, 3))
}

// timeGen generates times of years 1 to 9998 in zones of whole minutes,
// and, when wild, also offsets with seconds, as old local mean times had.
func timeGen(wild bool) *rapid.Generator[time.Time] {
	const first, last = -62135596800, 253370764800 // 0001-01-01 and 9998-12-31, UTC
	return rapid.Custom(func(t *rapid.T) time.Time {
		if rapid.IntRange(0, 7).Draw(t, "zero") == 0 {
			return time.Time{}
		}
		sec := rapid.Int64Range(first, last).Draw(t, "sec")
		nsec := rapid.Int64Range(0, 999_999_999).Draw(t, "nsec")
		off := 60 * rapid.IntRange(-14*60, 14*60).Draw(t, "offMinutes")
		if wild {
			off += rapid.IntRange(0, 59).Draw(t, "offSeconds")
		}
		loc := time.UTC
		if off != 0 {
			loc = time.FixedZone("", off)
		}
		return time.Unix(sec, nsec).In(loc)
	})
}
