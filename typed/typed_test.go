package typed_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// pair returns both ends of one connection over TLS; the test's cleanup
// closes them.
func pair[T any](t *testing.T, opts ...netchan.Option) (listener, dialer *typed.Conn[T]) {
	t.Helper()
	ctx := ctxFor(t)
	trust := testkit.NewTrust(t)
	ln := testkit.Loopback(t)
	l, err := typed.Listen[T](ctx, "", append([]netchan.Option{netchan.WithListener(ln), netchan.WithTLS(trust.Server)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	d, err := typed.Dial[T](ctx, ln.Addr().String(), append([]netchan.Option{netchan.WithTLS(trust.Client)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	c, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, d
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	t.Cleanup(cancel)
	return ctx
}

func TestSendRecvThenEOF(t *testing.T) {
	l, d := pair[string](t)
	ctx := ctxFor(t)
	for _, s := range []string{"a", "b", "c"} {
		if err := d.Send(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := d.Send(ctx, "late"); !errors.Is(err, netchan.ErrSendClosed) {
		t.Fatalf("Send after CloseSend: %v; want ErrSendClosed", err)
	}
	for _, want := range []string{"a", "b", "c"} {
		if got, err := l.Recv(ctx); err != nil || got != want {
			t.Fatalf("Recv: %q, %v; want %q", got, err, want)
		}
	}
	if _, err := l.Recv(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after close: %v; want io.EOF", err)
	}
}

// In rendezvous mode, Send returns only after the peer's Recv took the value.
func TestSyncSendWaitsForRecv(t *testing.T) {
	l, d := pair[int](t, netchan.Sync())
	if l.Capacity() != 0 || d.Capacity() != 0 {
		t.Fatalf("capacities %d, %d; want 0", l.Capacity(), d.Capacity())
	}
	ctx := ctxFor(t)
	for i := range 5 {
		var received atomic.Bool
		sent := make(chan error, 1)
		go func() { sent <- d.Send(ctx, i) }()
		select {
		case err := <-sent:
			t.Fatalf("Send %d returned (%v) before any Recv", i, err)
		case <-time.After(testkit.Settle):
		}
		go func() {
			v, err := l.Recv(ctx)
			if err == nil && v == i {
				received.Store(true)
			}
		}()
		if err, _ := testkit.Recv(t, sent); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		// Recv returned before the acknowledgement was sent, so the flag
		// is set by the time Send returns.
		testkit.Eventually(t, "the Recv goroutine to record its value", received.Load)
	}
}

func TestSyncSendHonoursContext(t *testing.T) {
	_, d := pair[int](t, netchan.Sync())
	ctx, cancel := context.WithCancel(ctxFor(t))
	done := make(chan error, 1)
	go func() { done <- d.Send(ctx, 1) }()
	cancel()
	if err, _ := testkit.Recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with a cancelled ctx: %v; want context.Canceled", err)
	}
}

func TestBufferedSendBlocksAtCapacity(t *testing.T) {
	l, d := pair[int](t, netchan.WithBuffer(2))
	ctx := ctxFor(t)
	for i := range 2 {
		if err := d.Send(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, testkit.Settle)
	defer cancel()
	if err := d.Send(short, 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third Send with capacity 2: %v; want it to block until its deadline", err)
	}
	if v, err := l.Recv(ctx); err != nil || v != 0 {
		t.Fatalf("Recv: %d, %v", v, err)
	}
	if err := d.Send(ctx, 2); err != nil {
		t.Fatalf("Send after a Recv freed capacity: %v", err)
	}
}

func TestCloseIsIdempotentAndFailsLaterCalls(t *testing.T) {
	l, d := pair[int](t)
	ctx := ctxFor(t)
	for range 2 {
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Send(ctx, 1); !errors.Is(err, netchan.ErrClosed) {
		t.Fatalf("Send after Close: %v; want ErrClosed", err)
	}
	if _, err := l.Recv(ctx); !errors.Is(err, netchan.ErrPeerClosed) {
		t.Fatalf("peer's Recv after Close: %v; want ErrPeerClosed", err)
	}
}

// must reach the goroutine that receives, not crash netchan's reader.
type panicOnDecode struct{ N int }

func (p *panicOnDecode) UnmarshalJSON([]byte) error { panic("decoding went wrong") }

func TestDecodePanicRaisedInRecv(t *testing.T) {
	l, d := pair[panicOnDecode](t, netchan.WithCodec(codec.JSON()))
	ctx := ctxFor(t)
	if err := d.Send(ctx, panicOnDecode{1}); err != nil {
		t.Fatal(err)
	}
	got := func() (r any) {
		defer func() { r = recover() }()
		_, _ = l.Recv(ctx)
		return nil
	}()
	err, ok := got.(error)
	if !ok || !strings.Contains(err.Error(), "decoding went wrong") {
		t.Fatalf("Recv raised %v; want the codec's panic", got)
	}
	// The connection goes on: the panic was the value's, not the stream's.
	if err := d.Send(ctx, panicOnDecode{2}); err != nil {
		t.Fatalf("Send after the panic: %v", err)
	}
}
