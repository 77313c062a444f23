package codec_test

import (
	"bytes"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/netchan/netchan/codec"
)

type containers struct {
	Slice []int
	Map   map[string]int
	Bytes []byte
}

func roundTrip[T any](t *testing.T, c codec.Codec, v T) T {
	t.Helper()
	data, err := c.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got T
	if err := c.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCBORNilAndEmptyStayDistinct(t *testing.T) {
	c := codec.CBOR()
	got := roundTrip(t, c, containers{})
	if got.Slice != nil || got.Map != nil || got.Bytes != nil {
		t.Fatalf("nil containers arrived non-nil: %#v", got)
	}
	got = roundTrip(t, c, containers{Slice: []int{}, Map: map[string]int{}, Bytes: []byte{}})
	if got.Slice == nil || got.Map == nil || got.Bytes == nil {
		t.Fatalf("empty containers arrived nil: %#v", got)
	}
	if len(got.Slice) != 0 || len(got.Map) != 0 || len(got.Bytes) != 0 {
		t.Fatalf("empty containers arrived non-empty: %#v", got)
	}
}

func TestCBORTimeArrivesInUTC(t *testing.T) {
	type holder struct{ At time.Time }
	want := time.Date(2020, 5, 6, 7, 8, 9, 10, time.FixedZone("Z5", 5*3600))
	got := roundTrip(t, codec.CBOR(), holder{want}).At
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("got %v in %v, want %v in UTC", got, got.Location(), want)
	}
}

func TestCBORTimeOutOfRange(t *testing.T) {
	_, err := codec.CBOR().Marshal(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	var uv *cbor.UnsupportedValueError
	if !errors.As(err, &uv) {
		t.Fatalf("year 10000: got %v, want *cbor.UnsupportedValueError", err)
	}
}

func TestCBORIntoAny(t *testing.T) {
	c := codec.CBOR()
	at := time.Date(2021, 1, 1, 0, 0, 0, 1, time.UTC)
	got := roundTrip[any](t, c, map[string]any{"pos": 1, "neg": -1, "at": at})
	m, ok := got.(map[any]any)
	if !ok {
		t.Fatalf("got %T, want map[any]any", got)
	}
	if m["pos"] != uint64(1) || m["neg"] != int64(-1) {
		t.Fatalf("integers: got %T %v and %T %v", m["pos"], m["pos"], m["neg"], m["neg"])
	}
	if gotAt, ok := m["at"].(time.Time); !ok || !gotAt.Equal(at) {
		t.Fatalf("time: got %T %v", m["at"], m["at"])
	}
}

func TestCBORZeroTimeIntoAny(t *testing.T) {
	if got := roundTrip[any](t, codec.CBOR(), time.Time{}); got != nil {
		t.Fatalf("zero time into any: got %#v, want nil", got)
	}
	if got := roundTrip(t, codec.CBOR(), time.Time{}); !got.IsZero() {
		t.Fatalf("zero time into time.Time: got %v", got)
	}
}

// nested returns a CBOR item of depth arrays, each holding the next.
func nested(depth int) []byte {
	return append(bytes.Repeat([]byte{0x81}, depth), 0x00)
}

// requireCheapError decodes data and requires an error wrapping want, with
// little memory allocated: a hostile length must not be trusted.
func requireCheapError(t *testing.T, c codec.Codec, data []byte, want error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var v any
	err := c.Unmarshal(data, &v)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatalf("decoding % x succeeded: %v", data[:min(len(data), 8)], v)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("got %v, want an error wrapping %v", err, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("rejecting the input allocated %d bytes", alloc)
	}
}

func TestCBORLimits(t *testing.T) {
	c := codec.CBOR()
	t.Run("nesting", func(t *testing.T) {
		var v any
		if err := c.Unmarshal(nested(codec.DefaultCBORMaxNestedLevels-1), &v); err != nil {
			t.Fatalf("depth within the limit: %v", err)
		}
		requireCheapError(t, c, nested(100), codec.ErrLimitExceeded)
		var cerr *cbor.MaxNestedLevelError
		if err := c.Unmarshal(nested(100), &v); !errors.As(err, &cerr) {
			t.Fatalf("got %v, want it to wrap *cbor.MaxNestedLevelError", err)
		}
	})
	t.Run("array header claims 2^31 elements", func(t *testing.T) {
		requireCheapError(t, c, []byte{0x9a, 0x80, 0, 0, 0}, codec.ErrLimitExceeded)
	})
	t.Run("array longer than the limit", func(t *testing.T) {
		n := codec.DefaultCBORMaxArrayElements + 1
		data := append([]byte{0x9a, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, make([]byte, n)...)
		requireCheapError(t, c, data, codec.ErrLimitExceeded)
	})
	t.Run("map header claims 2^31 pairs", func(t *testing.T) {
		requireCheapError(t, c, []byte{0xba, 0x80, 0, 0, 0}, codec.ErrLimitExceeded)
	})
	t.Run("byte string header claims 2^63 bytes", func(t *testing.T) {
		requireCheapError(t, c, []byte{0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, nil)
	})
	t.Run("duplicate map key", func(t *testing.T) {
		dup := []byte{0xa2, 0x61, 'S', 0x01, 0x61, 'S', 0x02} // {"S": 1, "S": 2}
		var m map[string]int
		var dke *cbor.DupMapKeyError
		if err := c.Unmarshal(dup, &m); !errors.As(err, &dke) || !errors.Is(err, codec.ErrDuplicateKey) {
			t.Fatalf("map: got %v, want a *cbor.DupMapKeyError wrapped in ErrDuplicateKey", err)
		}
		var s struct{ S int }
		if err := c.Unmarshal(dup, &s); err == nil {
			t.Fatalf("struct: duplicate key accepted: %+v", s)
		}
	})
	t.Run("indefinite length", func(t *testing.T) {
		requireCheapError(t, c, []byte{0x9f, 0x01, 0xff}, nil)
	})
	t.Run("trailing data", func(t *testing.T) {
		requireCheapError(t, c, []byte{0x01, 0x02}, nil)
	})
}

func TestCBORWithLimits(t *testing.T) {
	c, err := codec.CBORWithLimits(codec.CBORLimits{MaxNestedLevels: 4, MaxArrayElements: 16, MaxMapPairs: 16})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "cbor" {
		t.Fatalf("Name() = %q", c.Name())
	}
	var v any
	if err := c.Unmarshal(nested(5), &v); !errors.Is(err, codec.ErrLimitExceeded) {
		t.Fatalf("depth 5 with limit 4: got %v", err)
	}
	arr, _ := codec.CBOR().Marshal(make([]int, 17))
	if err := c.Unmarshal(arr, &v); !errors.Is(err, codec.ErrLimitExceeded) {
		t.Fatalf("17 elements with limit 16: got %v", err)
	}
	m := map[int]int{}
	for i := range 17 {
		m[i] = i
	}
	mp, _ := codec.CBOR().Marshal(m)
	if err := c.Unmarshal(mp, &v); !errors.Is(err, codec.ErrLimitExceeded) {
		t.Fatalf("17 pairs with limit 16: got %v", err)
	}
	// The default codec accepts all three.
	for _, data := range [][]byte{nested(5), arr, mp} {
		if err := codec.CBOR().Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
	}

	// Zero fields take the defaults.
	d, err := codec.CBORWithLimits(codec.CBORLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Unmarshal(nested(codec.DefaultCBORMaxNestedLevels+1), &v); !errors.Is(err, codec.ErrLimitExceeded) {
		t.Fatalf("default depth: got %v", err)
	}
}

func TestCBORWithLimitsValidation(t *testing.T) {
	for _, tc := range []struct {
		l     codec.CBORLimits
		field string
	}{
		{codec.CBORLimits{MaxNestedLevels: 3}, "MaxNestedLevels"},
		{codec.CBORLimits{MaxNestedLevels: 65536}, "MaxNestedLevels"},
		{codec.CBORLimits{MaxNestedLevels: -1}, "MaxNestedLevels"},
		{codec.CBORLimits{MaxArrayElements: 15}, "MaxArrayElements"},
		{codec.CBORLimits{MaxArrayElements: math.MaxInt32 + 1}, "MaxArrayElements"},
		{codec.CBORLimits{MaxMapPairs: 1}, "MaxMapPairs"},
		{codec.CBORLimits{MaxMapPairs: math.MaxInt32 + 1}, "MaxMapPairs"},
	} {
		c, err := codec.CBORWithLimits(tc.l)
		if !errors.Is(err, codec.ErrInvalidLimits) || c != nil {
			t.Errorf("%+v: got %v, %v; want ErrInvalidLimits", tc.l, c, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: error %q does not name %s", tc.l, err, tc.field)
		}
	}
	if _, err := codec.CBORWithLimits(codec.CBORLimits{
		MaxNestedLevels: 65535, MaxArrayElements: math.MaxInt32, MaxMapPairs: math.MaxInt32,
	}); err != nil {
		t.Errorf("upper bounds: %v", err)
	}
}

func TestCBORAppendMarshal(t *testing.T) {
	c := codec.CBOR().(codec.Appender)
	v := sampleValue()
	want, err := codec.CBOR().Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, 3, 3+len(want))
	copy(dst, "abc")
	out, err := c.AppendMarshal(dst, v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out[:3]) != "abc" || !bytes.Equal(out[3:], want) {
		t.Fatalf("AppendMarshal = % x, want abc + % x", out, want)
	}
	if &out[0] != &dst[0] {
		t.Fatal("AppendMarshal reallocated although dst had room")
	}

	// On error, dst comes back unchanged.
	bad, err := c.AppendMarshal(dst, make(chan int))
	if err == nil || len(bad) != len(dst) || string(bad) != "abc" {
		t.Fatalf("encoding a chan: got %q, %v", bad, err)
	}
}

func TestCBORAppendMarshalAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	c := codec.CBOR().(codec.Appender)
	v := sampleValue()
	buf := make([]byte, 0, 1024)
	appendAllocs := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = c.AppendMarshal(buf[:0], &v); err != nil {
			t.Fatal(err)
		}
	})
	marshalAllocs := testing.AllocsPerRun(100, func() {
		if _, err := codec.CBOR().Marshal(&v); err != nil {
			t.Fatal(err)
		}
	})
	if appendAllocs >= marshalAllocs {
		t.Fatalf("AppendMarshal: %v allocs per value, Marshal: %v; want fewer", appendAllocs, marshalAllocs)
	}
}

// TestCBORKeysThatDecodeAsEqual pins the limitation CBOR's documentation
// states: a map[any]any whose keys differ in type only is encoded, and its
// frame refused by the decoder with ErrDuplicateKey. Should the encoder
// learn to refuse such maps, the documentation must change with it.
func TestCBORKeysThatDecodeAsEqual(t *testing.T) {
	c := codec.CBOR()
	for _, v := range []map[any]string{
		{int64(1): "a", uint64(1): "b"},
		{float32(1.5): "a", float64(1.5): "b"},
		{nil: "a", time.Time{}: "b"},
	} {
		frame, err := c.Marshal(v)
		if err != nil {
			t.Fatalf("%#v: Marshal: %v", v, err)
		}
		var got map[any]string
		if err := c.Unmarshal(frame, &got); !errors.Is(err, codec.ErrDuplicateKey) {
			t.Errorf("%#v: Unmarshal: got %v, %#v; want ErrDuplicateKey", v, err, got)
		}
	}
}
