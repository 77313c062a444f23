package msgpack_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec/msgpack"
	mp "github.com/vmihailenco/msgpack/v5"
)

// TestLibraryPanicOverTheNetwork: a peer whose type has a *time.Time where
// the listener's has a time.Time passes the handshake, and its nil pointer
// is a frame the library panics on. The listener reports that value as an
// ErrDecode wrapping ErrDecoderPanic, and the next value arrives.
func TestLibraryPanicOverTheNetwork(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reported []error
	_, recv, err := netchan.Listen[stamped](ctx, "", netchan.WithListener(ln), netchan.Insecure(),
		netchan.WithCodec(msgpack.Codec()), netchan.OnError(func(err error) {
			mu.Lock()
			reported = append(reported, err)
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	send, replies, err := netchan.Dial[stampedPointer](ctx, ln.Addr().String(), netchan.Insecure(),
		netchan.WithCodec(msgpack.Codec()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { // the channels close once everything behind them stopped
		cancel()
		for range recv {
		}
		for range replies {
		}
	}()
	at := time.Unix(7, 0)
	for _, v := range []stampedPointer{{Name: "nil"}, {Name: "set", T: &at}} {
		select {
		case send <- v:
		case <-ctx.Done():
			t.Fatalf("sending %q: %v", v.Name, ctx.Err())
		}
	}
	select {
	case v := <-recv:
		if v.Name != "set" || !v.T.Equal(at) {
			t.Fatalf("received %+v, want the value sent second", v)
		}
	case <-ctx.Done():
		t.Fatalf("waiting for the second value: %v", ctx.Err())
	}
	// The first value was reported by the goroutine that handed the second
	// over, before it did.
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 || !errors.Is(reported[0], netchan.ErrDecode) || !errors.Is(reported[0], msgpack.ErrDecoderPanic) {
		t.Fatalf("reported %v; want one ErrDecode wrapping ErrDecoderPanic", reported)
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
// an error wrapping ErrDecoderPanic instead, and the codec's next decoding
// works. The first four are inputs an honest peer sends: a nil *time.Time,
// or a nil in an any, where this end has a time.Time. The check for
// "IsNil" names the library's failure as of v5.4.1, so that an upgrade
// that mends it shows here.
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
