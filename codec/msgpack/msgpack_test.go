package msgpack_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/codec/codectest"
	"github.com/netchan/netchan/codec/msgpack"
	mp "github.com/vmihailenco/msgpack/v5"
)

// claims are the equivalences the package documentation states.
func claims() []codectest.Option {
	return []codectest.Option{codectest.TimeArrivesIn(time.Local), codectest.AnyAs(inAny)}
}

func TestConformance(t *testing.T) { codectest.Run(t, msgpack.Codec(), claims()...) }

func TestNetwork(t *testing.T) { codectest.RunNetwork(t, msgpack.Codec(), claims()...) }

type withError struct {
	Name string
	Err  error
}

// TestInterfaceWithMethods: the library panics filling one; the codec
// refuses such types at both ends instead.
func TestInterfaceWithMethods(t *testing.T) {
	c := msgpack.Codec()
	_, err := c.Marshal(withError{Name: "x", Err: errors.New("boom")})
	if !errors.Is(err, codec.ErrUnsupported) || !errors.Is(err, codec.ErrInterfaceType) || !strings.Contains(err.Error(), ".Err") {
		t.Fatalf("Marshal: got %v", err)
	}
	frame, err := c.Marshal(map[string]any{"Name": "x", "Err": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	var got withError
	if err := c.Unmarshal(frame, &got); !errors.Is(err, codec.ErrInterfaceType) {
		t.Fatalf("Unmarshal: got %v", err)
	}
}

// TestFrameChecks: what the decoder is spared.
func TestFrameChecks(t *testing.T) {
	c := msgpack.Codec()
	deep := func(n int) []byte {
		b := make([]byte, n+1)
		for i := range n {
			b[i] = 0x91 // an array of one
		}
		return b // ends in 0x00, a zero
	}
	var v any
	if err := c.Unmarshal(deep(msgpack.MaxDepth), &v); err != nil {
		t.Fatalf("nesting %d deep: %v", msgpack.MaxDepth, err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"too deep", deep(msgpack.MaxDepth + 1), codec.ErrLimitExceeded},
		{"empty", nil, codec.ErrShortFrame},
		{"trailing", []byte{0x01, 0x02}, codec.ErrTrailingData},
		{"map claims 2^32-1 pairs", []byte{0xdf, 0xff, 0xff, 0xff, 0xff}, codec.ErrShortFrame},
		{"bin claims 2^32-1 bytes", []byte{0xc6, 0xff, 0xff, 0xff, 0xff, 0x00}, codec.ErrShortFrame},
		{"ext cut off", []byte{0xd7, 0xff, 1, 2}, codec.ErrShortFrame},
		{"array of two with one", []byte{0x92, 0x01}, codec.ErrShortFrame},
	} {
		if err := c.Unmarshal(tc.data, &v); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := c.Unmarshal([]byte{0xc1}, &v); err == nil || !strings.HasPrefix(err.Error(), "netchan: msgpack:") {
		t.Errorf("0xc1, which MessagePack never uses: got %v", err)
	}
	// A map whose key is an array: the library's own map[any]any panics.
	var m any
	if err := c.Unmarshal([]byte{0x81, 0x90, 0x01}, &m); err == nil || !strings.Contains(err.Error(), "cannot use as one") {
		t.Errorf("a map keyed by an array: got %v, %#v", err, m)
	}

	// The encoder refuses what the decoder would.
	var tooDeep any = []any{}
	for range msgpack.MaxDepth {
		tooDeep = []any{tooDeep}
	}
	if _, err := c.Marshal(tooDeep); !errors.Is(err, codec.ErrLimitExceeded) || !errors.Is(err, codec.ErrUnsupported) {
		t.Errorf("Marshal nesting %d deep: got %v", msgpack.MaxDepth+1, err)
	}
}

type stamped struct {
	Name string
	T    time.Time
}

type stampedPointer struct {
	Name string
	T    *time.Time
}

// TestLibraryPanics: where v5.4.1 panics on an input, Unmarshal returns
// an error wrapping ErrDecoderPanic instead (a fuzzer found the first),
// and the codec's next decoding works. The inputs are ones an honest peer
// sends: a nil *time.Time, or a nil in an any, where this end has a
// time.Time. The check for "IsNil" names the library's failure as of
// v5.4.1, so that an upgrade that mends it shows here.
func TestLibraryPanics(t *testing.T) {
	c := msgpack.Codec()
	nilTime, err := c.Marshal(stampedPointer{Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	nils, err := c.Marshal([]any{nil})
	if err != nil {
		t.Fatal(err)
	}
	nilValue, err := c.Marshal(map[string]any{"a": nil})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		frame []byte
		into  any
		says  string
	}{
		{"a nil *time.Time into a time.Time field", nilTime, new(stamped), "IsNil"},
		{"a nil into a []time.Time", nils, new([]time.Time), "IsNil"},
		{"a nil into a [1]time.Time", nils, new([1]time.Time), "IsNil"},
		{"a nil into a map's time.Time", nilValue, new(map[string]time.Time), "IsNil"},
		{"an array as a map[any]any's key", []byte{0x81, 0x91, 0x01, 0x02}, new(map[any]any), "unhashable"},
	} {
		if err := c.Unmarshal(tc.frame, tc.into); !errors.Is(err, msgpack.ErrDecoderPanic) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
	want := stamped{Name: "y", T: time.Unix(1, 2)}
	frame, err := c.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got stamped
	if err := c.Unmarshal(frame, &got); err != nil || got.Name != want.Name || !got.T.Equal(want.T) {
		t.Fatalf("after the refused frames: got %+v, %v", got, err)
	}
}

// buggy's decoding method has a bug of the program's own.
type buggy struct{ X int }

func (b *buggy) DecodeMsgpack(*mp.Decoder) error {
	var seen []int
	seen[b.X] = 1 // out of range
	return nil
}

// TestProgramPanicsStayPanics: a panic in the program's own decoding
// method is its bug, not the input's, and stays a panic, which netchan
// raises where the value is received.
func TestProgramPanicsStayPanics(t *testing.T) {
	c := msgpack.Codec()
	frame, err := c.Marshal(map[string]int{"X": 1})
	if err != nil {
		t.Fatal(err)
	}
	var r any
	func() {
		defer func() { r = recover() }()
		err = c.Unmarshal(frame, new(buggy))
	}()
	if re, ok := r.(runtime.Error); !ok || !strings.Contains(re.Error(), "index out of range") {
		t.Fatalf("Unmarshal returned %v and panicked with %v; want the method's own panic", err, r)
	}
}
