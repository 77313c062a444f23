package endpoint_test

import (
	"context"
	"errors"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/testkit"
)

// A RecvTo that gives up must neither lose the value it held nor keep its
// credit from the peer.
func TestRecvToThatGivesUpKeepsItsValue(t *testing.T) {
	l, d := pair[int](t, netchan.WithBuffer(1))
	ctx := ctxFor(t)
	if err := d.Send(ctx, 1); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.RecvTo(rctx, make(chan int), nil) }()
	// RecvTo takes 1 and blocks handing it to a channel nobody reads; the
	// send below can only complete once 1 is received, by Recv.
	sent := make(chan error, 1)
	go func() { sent <- d.Send(ctx, 2) }()
	tookAll(t, l, 1)
	cancel()
	if err, _ := testkit.Recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("RecvTo: %v; want context.Canceled", err)
	}
	for want := 1; want <= 2; want++ {
		if got, err := l.Recv(ctx); err != nil || got != want {
			t.Fatalf("Recv: %d, %v; want %d", got, err, want)
		}
	}
	if err, _ := testkit.Recv(t, sent); err != nil {
		t.Fatalf("Send 2: %v", err)
	}
}

// tookAll waits until receives on c took n values off the stream: each
// RecvTo then holds what it took, blocked handing it over.
func tookAll(t *testing.T, c *endpoint.Conn[int], n uint64) {
	t.Helper()
	testkit.Eventually(t, "the receives to take the values", func() bool { return endpoint.Took(c) == n })
}

// Two RecvTo calls that took values and give up lose neither value, which
// come back in the order they arrived, whichever call held which.
func TestTwoRecvToThatGiveUpKeepBothValues(t *testing.T) {
	l, d := pair[int](t, netchan.WithBuffer(2))
	ctx := ctxFor(t)
	for v := 1; v <= 2; v++ {
		if err := d.Send(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- l.RecvTo(rctx, make(chan int), nil) }()
	}
	tookAll(t, l, 2)
	cancel()
	for range 2 {
		if err, _ := testkit.Recv(t, done); !errors.Is(err, context.Canceled) {
			t.Fatalf("RecvTo: %v; want context.Canceled", err)
		}
	}
	// 3 can only be sent once both held values are received: the window
	// must be whole again.
	sent := make(chan error, 1)
	go func() { sent <- d.Send(ctx, 3) }()
	for want := 1; want <= 3; want++ {
		if got, err := l.Recv(ctx); err != nil || got != want {
			t.Fatalf("Recv: %d, %v; want %d", got, err, want)
		}
	}
	if err, _ := testkit.Recv(t, sent); err != nil {
		t.Fatalf("Send 3: %v", err)
	}
}

// panicOnDecode is a value whose decoding panics: the program's bug, which
