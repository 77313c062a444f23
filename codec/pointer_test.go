package codec_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
)

// byPointer marshals itself only through its pointer type.
type byPointer struct{ N int }

func (p *byPointer) MarshalCBOR() ([]byte, error) {
	return []byte{0x18, byte(p.N)}, nil // the uint p.N, not a map
}

// byValue marshals itself through its value type.
type byValue struct{ N int }

func (v byValue) MarshalCBOR() ([]byte, error) { return []byte{0x18, byte(v.N)}, nil }

// textByPointer is a TextMarshaler through its pointer type only.
type textByPointer struct{ N int }

func (p *textByPointer) MarshalText() ([]byte, error) { return []byte(strconv.Itoa(p.N)), nil }

// samePointerEncoding checks that CBOR encodes a pointer to v as it
// encodes v.
func samePointerEncoding[T any](t *testing.T, name string, v T) {
	t.Helper()
	c := codec.CBOR()
	want, err := c.Marshal(v)
	if err != nil {
		t.Fatalf("%s: Marshal: %v", name, err)
	}
	got, err := codec.AppendPointer(c, []byte("abc"), &v)
	if err != nil {
		t.Fatalf("%s: AppendPointer: %v", name, err)
	}
	if string(got[:3]) != "abc" || !bytes.Equal(got[3:], want) {
		t.Errorf("%s: AppendPointer = % x, want abc + % x", name, got, want)
	}
}

// CBOR's AppendMarshalPointer must encode exactly what Marshal does with
// the value, for every kind of type, including those whose marshaling
// method is on the pointer type, which other formats call only when
// given a pointer.
func TestCBORPointerEncodesTheValue(t *testing.T) {
	if _, ok := codec.CBOR().(codec.PointerAppender); !ok {
		t.Fatal("CBOR does not implement PointerAppender")
	}
	seven := 7
	p := &seven
	r := sampleRecord(3)
	r.M, r.IntKeys = map[string]int{"one": 1}, map[int]string{7: "seven"} // one key: CBOR keeps maps unsorted
	samePointerEncoding(t, "struct", r)
	samePointerEncoding(t, "int", -123456789)
	samePointerEncoding(t, "string", "héllo")
	samePointerEncoding(t, "slice", []int{1, 2, 3})
	samePointerEncoding(t, "nil slice", []int(nil))
	samePointerEncoding(t, "map", map[string]int{"a": 1})
	samePointerEncoding(t, "array", [3]uint16{1, 2, 3})
	samePointerEncoding(t, "time", time.Date(2026, 12, 2, 10, 0, 0, 5, time.UTC))
	samePointerEncoding(t, "pointer", p)
	samePointerEncoding(t, "nil pointer", (*int)(nil))
	samePointerEncoding(t, "pointer to pointer", &p)
	samePointerEncoding(t, "interface holding a struct", any(Inner{Label: "x"}))
	samePointerEncoding(t, "nil interface", any(nil))
	samePointerEncoding(t, "marshaler on the pointer", byPointer{N: 9})
	samePointerEncoding(t, "marshaler on the value", byValue{N: 9})
	samePointerEncoding(t, "text marshaler on the pointer", textByPointer{N: 9})
	samePointerEncoding(t, "struct holding one", struct{ B byPointer }{byPointer{N: 3}})
}

// recordingCodec remembers the dynamic type of what it was asked to
// marshal.
type recordingCodec struct {
	codec.Codec
	got *any
}

func (r recordingCodec) Marshal(v any) ([]byte, error) {
	*r.got = v
	return r.Codec.Marshal(v)
}

// A codec that does not implement PointerAppender gets the value itself,
// as it always did: its Marshal may tell types apart by a type switch.
func TestAppendPointerWithoutPointerAppender(t *testing.T) {
	var got any
	c := recordingCodec{codec.JSON(), &got}
	v := Inner{Label: "x"}
	out, err := codec.AppendPointer(c, []byte("abc"), &v)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.(Inner); !ok {
		t.Fatalf("Marshal got a %T, want the value, an Inner", got)
	}
	want, _ := codec.JSON().Marshal(v)
	if string(out) != "abc"+string(want) {
		t.Fatalf("AppendPointer = %q, want %q", out, "abc"+string(want))
	}
}

// The point of the pointer: encoding a struct allocates nothing of its own
// once the buffer is large enough, where handing over the value copies it
// to the heap.
func TestCBORAppendPointerAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	type flat struct {
		Seq     uint64
		Name    string
		Payload []byte
	}
	c := codec.CBOR()
	vs := []flat{{Seq: 1 << 40, Name: "sensor-42", Payload: make([]byte, 100)}}
	buf := make([]byte, 0, 1024)
	byPointer := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = codec.AppendPointer(c, buf[:0], &vs[0]); err != nil {
			t.Fatal(err)
		}
	})
	byValue := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = codec.Append(c, buf[:0], vs[0]); err != nil {
			t.Fatal(err)
		}
	})
	if byPointer != 0 || byValue < 1 {
		t.Fatalf("allocations per value: %v by pointer, want 0; %v by value, want at least 1", byPointer, byValue)
	}
}
