package msgpack_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/codec/codectest"
	"github.com/netchan/netchan/codec/msgpack"
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
