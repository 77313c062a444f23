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
		ln := testkit.Loopback(t)
		l, err := typed.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure())
		if err != nil {
			t.Fatal(err)
		}
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
		rctx, rcancel := context.WithTimeout(ctx, testkit.Patience)
		for i := range n {
			if v, err := c.Recv(rctx); err != nil || v != i {
				t.Fatalf("round %d: Recv %d: %d, %v", round, i, v, err)
			}
		}
		if _, err := c.Recv(rctx); !errors.Is(err, io.EOF) {
			t.Fatalf("round %d: after the values: %v; want io.EOF", round, err)
		}
		rcancel()
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
		rctx, rcancel := context.WithTimeout(ctx, testkit.Patience)
		for i := range n {
			if v, err := c.Recv(rctx); err != nil || v != i {
				t.Fatalf("round %d: Recv %d: %d, %v", round, i, v, err)
			}
		}
		if _, err := c.Recv(rctx); !errors.Is(err, io.EOF) {
			t.Fatalf("round %d: after the values: %v; want io.EOF", round, err)
		}
		rcancel()
		cancel()
	}
}
