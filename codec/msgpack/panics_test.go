package msgpack_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec/msgpack"
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
