package codec_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
)

// Inner is nested inside Record, by value, by pointer and in a slice.
type Inner struct {
	Label   string
	Weights []float32
}

// Record holds one of each kind of field a netchan value is likely to have.
// Its sample value avoids every documented equivalence (no nil or empty
// containers, no pointers to zero values), so every codec must return it
// exactly.
type Record struct {
	S       string
	I       int
	I8      int8
	I16     int16
	I32     int32
	I64     int64
	U       uint
	U8      uint8
	U16     uint16
	U32     uint32
	U64     uint64
	F32     float32
	F64     float64
	B       bool
	Bytes   []byte
	Strs    []string
	M       map[string]int
	IntKeys map[int]string
	P       *int
	NilP    *int
	Nested  Inner
	NestedP *Inner
	Items   []Inner
	Arr     [3]int16
	At      time.Time
}

func sampleRecord(i int) Record {
	p := 42 + i
	return Record{
		S:       "héllo, 世界",
		I:       -i - 1,
		I8:      math.MinInt8,
		I16:     math.MaxInt16,
		I32:     math.MinInt32,
		I64:     math.MaxInt64 - int64(i),
		U:       uint(i) + 1,
		U8:      math.MaxUint8,
		U16:     math.MaxUint16,
		U32:     math.MaxUint32,
		U64:     math.MaxUint64 - uint64(i),
		F32:     1.5,
		F64:     math.Pi * float64(i+1),
		B:       true,
		Bytes:   []byte{0, 1, 2, 0xff},
		Strs:    []string{"a", "", "c"},
		M:       map[string]int{"one": 1, "two": 2},
		IntKeys: map[int]string{-1: "minus one", 7: "seven"},
		P:       &p,
		Nested:  Inner{Label: "in", Weights: []float32{0.25, -1}},
		NestedP: &Inner{Label: "ptr", Weights: []float32{3}},
		Items:   []Inner{{Label: "x", Weights: []float32{1}}, {Label: "y", Weights: []float32{2}}},
		Arr:     [3]int16{-1, 0, 1},
		At:      time.Date(2024, 2, 29, 23, 59, 59, 999_999_999-i, time.FixedZone("X", -7*3600)),
	}
}

// requireSameRecord compares two Records field by field, times by Equal.
func requireSameRecord(t *testing.T, want, got Record) {
	t.Helper()
	if !want.At.Equal(got.At) {
		t.Fatalf("At: got %v, want %v", got.At, want.At)
	}
	want.At, got.At = time.Time{}, time.Time{}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("round trip changed the value:\n got %#v\nwant %#v", got, want)
	}
}

type namedCodec struct {
	name string
	c    codec.Codec
}

func allCodecs() []namedCodec {
	return []namedCodec{{"cbor", codec.CBOR()}, {"gob", codec.Gob()}, {"json", codec.JSON()}}
}

func TestNames(t *testing.T) {
	for _, nc := range allCodecs() {
		if got := nc.c.Name(); got != nc.name {
			t.Errorf("Name() = %q, want %q", got, nc.name)
		}
		if got := codec.ForConnection(nc.c).Name(); got != nc.name {
			t.Errorf("session Name() = %q, want %q", got, nc.name)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, nc := range allCodecs() {
		t.Run(nc.name, func(t *testing.T) {
			want := sampleRecord(0)
			data, err := nc.c.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			var got Record
			if err := nc.c.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			requireSameRecord(t, want, got)

			// Append must produce the same bytes after the caller's prefix.
			prefix := []byte("prefix")
			appended, err := codec.Append(nc.c, prefix, want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(appended, prefix) {
				t.Fatalf("Append lost the prefix: %q", appended[:len(prefix)])
			}
			var got2 Record
			if err := nc.c.Unmarshal(appended[len(prefix):], &got2); err != nil {
				t.Fatal(err)
			}
			requireSameRecord(t, want, got2)
		})
	}
}

// TestSessionRoundTrip sends many values through one connection's pair of
// sessions, as netchan does, and checks they arrive in order and intact.
func TestSessionRoundTrip(t *testing.T) {
	const n = 1000
	for _, nc := range allCodecs() {
		t.Run(nc.name, func(t *testing.T) {
			send, recv := codec.ForConnection(nc.c), codec.ForConnection(nc.c)
			var buf []byte
			for i := range n {
				want := sampleRecord(i)
				var err error
				buf, err = codec.Append(send, buf[:0], want)
				if err != nil {
					t.Fatalf("value %d: %v", i, err)
				}
				var got Record
				if err := recv.Unmarshal(buf, &got); err != nil {
					t.Fatalf("value %d: %v", i, err)
				}
				requireSameRecord(t, want, got)
			}
		})
	}
}

// TestSessionConcurrentSides runs one session's Marshal and Unmarshal at the
// same time, as a connection's send and receive loops do; run with -race.
func TestSessionConcurrentSides(t *testing.T) {
	const n = 200
	for _, nc := range allCodecs() {
		t.Run(nc.name, func(t *testing.T) {
			peer, local := codec.ForConnection(nc.c), codec.ForConnection(nc.c)
			frames := make([][]byte, n)
			for i := range frames {
				b, err := peer.Marshal(sampleRecord(i))
				if err != nil {
					t.Fatal(err)
				}
				frames[i] = b
			}
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			wg.Go(func() {
				for i := range n {
					if _, err := local.Marshal(sampleRecord(i)); err != nil {
						errs <- err
						return
					}
				}
			})
			wg.Go(func() {
				for i := range n {
					var r Record
					if err := local.Unmarshal(frames[i], &r); err != nil {
						errs <- err
						return
					}
				}
			})
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		})
	}
}

// TestUnmarshalDoesNotKeepData overwrites a frame after decoding it: netchan
// reuses its read buffer, so nothing decoded may point into it.
func TestUnmarshalDoesNotKeepData(t *testing.T) {
	for _, nc := range allCodecs() {
		t.Run(nc.name, func(t *testing.T) {
			want := sampleRecord(3)
			data, err := nc.c.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			var got Record
			if err := nc.c.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			for i := range data {
				data[i] = 0xAA
			}
			requireSameRecord(t, want, got)
		})
	}
}

// TestTimeEquivalence checks the documented promise for every codec: a time
// arrives equal by time.Time.Equal, to the nanosecond, whatever its zone,
// monotonic reading or (for CBOR and gob) an offset with seconds.
func TestTimeEquivalence(t *testing.T) {
	lmt := time.FixedZone("LMT", 19*60+32) // Amsterdam's offset before 1937
	times := map[string]time.Time{
		"zero":      {},
		"utc":       time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC),
		"offset":    time.Date(1999, 12, 31, 23, 59, 59, 123456789, time.FixedZone("E", 5*3600+30*60)),
		"local":     time.Date(2030, 6, 1, 12, 0, 0, 1, time.Local),
		"monotonic": time.Now(),
		"year0":     time.Date(0, 1, 1, 0, 0, 0, 1, time.UTC),
		"year9999":  time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		"lmt":       time.Date(1900, 1, 1, 0, 0, 0, 5, lmt),
	}
	for _, nc := range allCodecs() {
		for name, want := range times {
			if nc.name == "json" && name == "lmt" {
				continue // refused instead: see TestJSONTimeOffsetWithSeconds
			}
			t.Run(nc.name+"/"+name, func(t *testing.T) {
				type holder struct{ At time.Time }
				data, err := nc.c.Marshal(holder{want})
				if err != nil {
					t.Fatal(err)
				}
				var got holder
				if err := nc.c.Unmarshal(data, &got); err != nil {
					t.Fatal(err)
				}
				if !got.At.Equal(want) {
					t.Fatalf("got %v, want %v (by Equal)", got.At, want)
				}
				if got.At.IsZero() != want.IsZero() {
					t.Fatalf("zero time changed: got %v", got.At)
				}
			})
		}
	}
}

// TestStringsByteForByte checks that CBOR and gob carry strings that are not
// valid UTF-8 unchanged. JSON refuses them; see TestJSONRejectsInvalidUTF8.
func TestStringsByteForByte(t *testing.T) {
	type holder struct {
		S string
		M map[string]string
		L []string
	}
	bad := "ok\xff\xfe\xc0\x80end"
	want := holder{S: bad, M: map[string]string{bad: bad}, L: []string{bad, "\x80"}}
	for _, nc := range allCodecs() {
		if nc.name == "json" {
			continue
		}
		t.Run(nc.name, func(t *testing.T) {
			data, err := nc.c.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			var got holder
			if err := nc.c.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
	}
}

func TestSentinelMessages(t *testing.T) {
	for _, err := range []error{
		codec.ErrInvalidUTF8, codec.ErrLimitExceeded, codec.ErrInvalidLimits,
		codec.ErrTrailingData, codec.ErrShortFrame, codec.ErrNilValue, codec.ErrTimeOffset,
	} {
		if !bytes.HasPrefix([]byte(err.Error()), []byte("netchan: ")) {
			t.Errorf("%q lacks the netchan: prefix", err)
		}
		if !errors.Is(err, err) {
			t.Errorf("errors.Is(%v, itself) is false", err)
		}
	}
}
