package netchan_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
	"github.com/netchan/netchan/typed"
)

// The values of a values frame from a hand-written peer reach Recv in
// order, one the codec refuses in its place as an ErrDecode, then the
// close.
func TestValuesFrameReachesRecv(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	ln := testkit.Loopback(t)
	l, err := typed.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p := testkit.DialPeer(t, ln.Addr().String(), testkit.PeerHello())
	c, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := oneBadValue(t)
	for _, f := range [][]byte{testkit.Frame(wire.KindValues, 1, payload), testkit.Frame(wire.KindClose, 1, wire.AppendCount(nil, 3))} {
		if err := p.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := c.Recv(ctx); err != nil || v != 1 {
		t.Fatalf("first Recv = %d, %v; want 1", v, err)
	}
	if v, err := c.Recv(ctx); !errors.Is(err, netchan.ErrDecode) {
		t.Fatalf("second Recv = %d, %v; want an ErrDecode", v, err)
	}
	if v, err := c.Recv(ctx); err != nil || v != 3 {
		t.Fatalf("third Recv = %d, %v; want 3", v, err)
	}
	if v, err := c.Recv(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the close = %d, %v; want io.EOF", v, err)
	}
	p.Close() // before c's Close, which then need not wait for its goodbye
}

// The channel API's counterpart: a value the codec refuses is reported to
// OnError as an ErrDecode, before the values after it arrive, in order.
func TestValuesFrameSkipsAnUndecodableValue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	ln := testkit.Loopback(t)
	errs := &errorLog{}
	_, recv, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.OnError(errs.add))
	if err != nil {
		t.Fatal(err)
	}
	p := testkit.DialPeer(t, ln.Addr().String(), testkit.PeerHello())
	defer p.Close()
	payload := oneBadValue(t)
	if err := p.Write(testkit.Frame(wire.KindValues, 1, payload)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{1, 3} {
		select {
		case v := <-recv:
			if v != want {
				t.Fatalf("received %d, want %d", v, want)
			}
		case <-ctx.Done():
			t.Fatalf("waiting for %d: %v", want, ctx.Err())
		}
	}
	// The value is reported by the goroutine that hands 3 over, before it
	// does.
	reported := errs.all()
	if len(reported) != 1 || !errors.Is(reported[0], netchan.ErrDecode) {
		t.Fatalf("reported %v; want one ErrDecode", reported)
	}
}

// oneBadValue returns a values frame's payload of 1, a string where an int
// is expected, and 3.
func oneBadValue(t *testing.T) []byte {
	t.Helper()
	payload := wire.AppendDataPrefix(nil, 0)
	for _, v := range []any{1, "not an int", 3} {
		b, err := codec.CBOR().Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		payload = wire.AppendValue(payload, b)
	}
	return payload
}
