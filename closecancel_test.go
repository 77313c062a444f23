package netchan_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// A program that sends, closes its channel and cancels its context at once,
// as one does on the way out, still delivers every value and the close: the
// close happened before the cancel.
func TestCloseThenCancelDeliversEverything(t *testing.T) {
	for round := range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		l, ln := typedListener(t, ctx)
		dctx, dcancel := context.WithCancel(ctx)
		send, _, err := netchan.Dial[int](dctx, ln.Addr().String(), netchan.Insecure())
		if err != nil {
			t.Fatal(err)
		}
		c, err := l.Accept(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const n = 10
		for i := range n {
			send <- i
		}
		close(send)
		dcancel()
		recvThenEOF(t, ctx, c, n, round)
		cancel()
	}
}

// The same holds for a listener: its values and its close reach a client
// even when its ctx is cancelled right after the close.
func TestListenerCloseThenCancelDeliversEverything(t *testing.T) {
	for round := range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		ln := testkit.Loopback(t)
		lctx, lcancel := context.WithCancel(ctx)
		send, _, err := netchan.Listen[int](lctx, "", netchan.WithListener(ln), netchan.Insecure())
		if err != nil {
			t.Fatal(err)
		}
		c, err := typed.Dial[int](ctx, ln.Addr().String(), netchan.Insecure())
		if err != nil {
			t.Fatal(err)
		}
		const n = 10
		for i := range n {
			send <- i
		}
		close(send)
		lcancel()
		recvThenEOF(t, ctx, c, n, round)
		cancel()
	}
}

// recvThenEOF receives 0 to n-1 on c, in order, and then io.EOF.
func recvThenEOF(t *testing.T, ctx context.Context, c *typed.Conn[int], n, round int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, testkit.Patience)
	defer cancel()
	for i := range n {
		if v, err := c.Recv(ctx); err != nil || v != i {
			t.Fatalf("round %d: Recv %d: %d, %v", round, i, v, err)
		}
	}
	if _, err := c.Recv(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("round %d: after the values: %v; want io.EOF", round, err)
	}
}
