package endpoint_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// A RecvToBuffer whose ctx ends takes back what waits in its channel, so
// that the program cannot receive it, and the peer hears of every value
// the program did not receive, exactly: those taken back, the one the pump
// held, and those still arriving.
func TestRecvToBufferTakesBackOnCancel(t *testing.T) {
	l, d := pair[int](t, netchan.WithBuffer(8))
	ctx := ctxFor(t)
	var undelivered []int
	d.OnUndelivered(func(vs []int, _ error) { undelivered = vs })
	for v := range 5 {
		if err := d.Send(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	ch := make(chan int, 2)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.RecvToBuffer(rctx, ch, nil) }()
	testkit.Eventually(t, "the channel to fill", func() bool { return len(ch) == 2 })
	if v, _ := testkit.Recv(t, ch); v != 0 {
		t.Fatalf("received %d; want 0", v)
	}
	testkit.Eventually(t, "the channel to fill again", func() bool { return len(ch) == 2 })
	cancel()
	if err, _ := testkit.Recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("RecvToBuffer: %v; want context.Canceled", err)
	}
	if len(ch) != 0 {
		t.Fatalf("%d values left in the channel; want them taken back", len(ch))
	}
	_ = l.Close()
	<-d.Done()
	if want := []int{1, 2, 3, 4}; !slices.Equal(undelivered, want) {
		t.Fatalf("the sender heard of %v as undelivered; want %v", undelivered, want)
	}
}

// With the capacity's sends outstanding and none received, the values in
// RecvToBuffer's channel count in the capacity: one more send waits.
func TestRecvToBufferCountsTheChannelBuffer(t *testing.T) {
	const capacity = 8
	l, d := pair[int](t, netchan.WithBuffer(capacity))
	ctx := ctxFor(t)
	ch := make(chan int, capacity/4)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = l.RecvToBuffer(rctx, ch, nil) }()
	for v := range capacity {
		if err := d.Send(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, "the channel to fill", func() bool { return len(ch) == cap(ch) })
	short, stop := context.WithTimeout(ctx, testkit.Settle)
	defer stop()
	if err := d.Send(short, capacity); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("send beyond the capacity: %v; want it to wait", err)
	}
	<-ch
	if err := d.Send(ctx, capacity); err != nil {
		t.Fatalf("send after one receive: %v", err)
	}
}
