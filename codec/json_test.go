package codec_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
)

// badText is a TextMarshaler whose text is not valid UTF-8: encoding/json
// would quote it and replace the bad byte.
type badText struct{}

func (badText) MarshalText() ([]byte, error) { return []byte("x\xff"), nil }

// badJSON is a json.Marshaler whose output holds invalid UTF-8: encoding/json
// would copy it verbatim.
type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte("\"x\xff\""), nil }

type embedded struct{ E string }

type withEmbedded struct {
	embedded
	N int
}

type tagged struct {
	Skipped string `json:"-"`
	Renamed string `json:"renamed,omitempty"`
	hidden  string
}

func TestJSONRejectsInvalidUTF8(t *testing.T) {
	const bad = "a\xffb"
	badStr := bad
	var anyBad any = bad
	for _, tc := range []struct {
		name string
		v    any
		path string
	}{
		{"top-level string", bad, ""},
		{"struct field", Inner{Label: bad}, ".Label"},
		{"slice element", []string{"ok", bad}, "[1]"},
		{"array element", [2]string{bad, "ok"}, "[0]"},
		{"map key", map[string]int{bad: 1}, "[key"},
		{"map value", map[string]string{"k": bad}, `["k"]`},
		{"pointer", &badStr, ""},
		{"interface", []any{1, anyBad}, "[1]"},
		{"nested", Record{Items: []Inner{{}, {Label: bad}}}, ".Items[1].Label"},
		{"embedded", withEmbedded{embedded: embedded{E: bad}}, ".E"},
		{"renamed field", tagged{Renamed: bad}, ".renamed"},
		{"TextMarshaler", []badText{{}}, "[0]"},
		{"TextMarshaler key", map[badText]int{{}: 1}, "[key"},
		{"json.Marshaler", badJSON{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := codec.JSON().Marshal(tc.v)
			if !errors.Is(err, codec.ErrInvalidUTF8) {
				t.Fatalf("got %q, %v; want ErrInvalidUTF8", data, err)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("error %q does not contain the path %q", err, tc.path)
			}
		})
	}

	// Fields encoding/json leaves out are not checked.
	if _, err := codec.JSON().Marshal(tagged{Skipped: bad, hidden: bad}); err != nil {
		t.Fatalf("fields encoding/json skips: %v", err)
	}
	// Valid text, U+FFFD included, passes.
	if _, err := codec.JSON().Marshal(Inner{Label: "ok \uFFFD 世界"}); err != nil {
		t.Fatal(err)
	}
	// Invalid UTF-8 in a []byte is just bytes.
	got := roundTrip(t, codec.JSON(), containers{Bytes: []byte(bad)})
	if string(got.Bytes) != bad {
		t.Fatalf("[]byte: got %q", got.Bytes)
	}
}

func TestJSONUnmarshalRejectsInvalidUTF8(t *testing.T) {
	var s string
	if err := codec.JSON().Unmarshal([]byte("\"a\xffb\""), &s); !errors.Is(err, codec.ErrInvalidUTF8) {
		t.Fatalf("got %q, %v; want ErrInvalidUTF8", s, err)
	}
}

func TestJSONDepthLimit(t *testing.T) {
	c := codec.JSON()
	deep := func(n int) []byte {
		return []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
	}
	var v any
	if err := c.Unmarshal(deep(codec.MaxJSONDepth), &v); err != nil {
		t.Fatalf("depth %d: %v", codec.MaxJSONDepth, err)
	}
	if err := c.Unmarshal(deep(codec.MaxJSONDepth+1), &v); !errors.Is(err, codec.ErrLimitExceeded) {
		t.Fatalf("depth %d: got %v, want ErrLimitExceeded", codec.MaxJSONDepth+1, err)
	}
	// Brackets inside strings do not count, escaped quotes do not end them.
	str := []byte(`["\"` + strings.Repeat("[", 500) + `"]`)
	if err := c.Unmarshal(str, &v); err != nil {
		t.Fatalf("brackets in a string: %v", err)
	}

	// Marshal refuses what the peer would refuse.
	var tooDeep any = []any{}
	for range codec.MaxJSONDepth {
		tooDeep = []any{tooDeep}
	}
	if _, err := c.Marshal(tooDeep); !errors.Is(err, codec.ErrLimitExceeded) {
		t.Fatalf("Marshal of depth %d: got %v", codec.MaxJSONDepth+1, err)
	}
	deepInts := [][][][]int{{{{1}}}}
	if _, err := c.Marshal(deepInts); err != nil {
		t.Fatal(err)
	}

	// Cycles end with an error, not a hang.
	type node struct {
		Name string
		Next *node
	}
	n := &node{Name: "loop"}
	n.Next = n
	if _, err := c.Marshal(n); err == nil {
		t.Fatal("a cyclic list encoded")
	}
	var self any
	self = &self
	if _, err := c.Marshal(&self); err == nil {
		t.Fatal("an interface holding a pointer to itself encoded")
	}
}

func TestJSONTimeOffsetWithSeconds(t *testing.T) {
	lmt := time.Date(1900, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", 19*60+32))
	for _, v := range []any{lmt, &lmt, struct{ At time.Time }{lmt}, []*time.Time{&lmt}} {
		if _, err := codec.JSON().Marshal(v); !errors.Is(err, codec.ErrTimeOffset) {
			t.Errorf("%T: got %v, want ErrTimeOffset", v, err)
		}
	}
	if _, err := codec.JSON().Marshal(lmt.UTC()); err != nil {
		t.Errorf("the same instant in UTC: %v", err)
	}
}

func TestJSONEquivalences(t *testing.T) {
	c := codec.JSON()
	t.Run("nil and empty stay distinct", func(t *testing.T) {
		got := roundTrip(t, c, containers{})
		if got.Slice != nil || got.Map != nil || got.Bytes != nil {
			t.Fatalf("nil containers arrived non-nil: %#v", got)
		}
		got = roundTrip(t, c, containers{Slice: []int{}, Map: map[string]int{}, Bytes: []byte{}})
		if got.Slice == nil || got.Map == nil || got.Bytes == nil {
			t.Fatalf("empty containers arrived nil: %#v", got)
		}
	})
	t.Run("bytes as base64", func(t *testing.T) {
		data, err := c.Marshal([]byte{0xff, 0, 1})
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != `"/wAB"` {
			t.Fatalf("got %s", data)
		}
	})
	t.Run("integers exact in typed fields, float64 in any", func(t *testing.T) {
		type ints struct {
			Min int64
			Max uint64
		}
		want := ints{math.MinInt64, math.MaxUint64}
		if got := roundTrip(t, c, want); got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		got := roundTrip[any](t, c, int64(1)<<53+1)
		if f, ok := got.(float64); !ok || f != 1<<53 {
			t.Fatalf("2^53+1 into any: got %T %v, want float64 2^53", got, got)
		}
	})
	t.Run("NaN and Inf fail", func(t *testing.T) {
		for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			if _, err := c.Marshal(f); err == nil {
				t.Errorf("%v encoded", f)
			}
		}
	})
	t.Run("map keys", func(t *testing.T) {
		want := map[int]string{-3: "a", 9: "b"}
		got := roundTrip(t, c, want)
		if len(got) != 2 || got[-3] != "a" || got[9] != "b" {
			t.Fatalf("got %v", got)
		}
		if _, err := c.Marshal(map[struct{ X int }]int{{}: 1}); err == nil {
			t.Fatal("a struct-keyed map encoded")
		}
	})
	t.Run("time year range", func(t *testing.T) {
		if _, err := c.Marshal(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
			t.Fatal("year 10000 encoded")
		}
	})
}
