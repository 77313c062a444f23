package endpoint_test

import (
	"context"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/endpoint"
	"github.com/netchan/netchan/internal/testkit"
)

// A Feed holds as many values as the ring while no send pump takes them:
// each counts its encoding's size of its window's byte budget, not the
// largest value's, of which the budget holds 64 with the default limits.
func TestFeedHoldsTheRingWithinTheByteBudget(t *testing.T) {
	servers, _ := clients[int](t, nil, nil)
	send := make(chan int)
	b := endpoint.NewBroadcaster[int](send, codec.CBOR(), time.Hour, func(int, error) {})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		b.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-ran
	})
	b.Add(servers[0], servers[0].Capacity())
	for i := range endpoint.RingLen[int]() {
		select {
		case send <- i:
		case <-time.After(testkit.Patience):
			t.Fatalf("Run took %d values, then none for %v; want the ring's %d", i, testkit.Patience, endpoint.RingLen[int]())
		}
	}
	select {
	case send <- endpoint.RingLen[int]():
		t.Fatalf("Run took a value beyond the ring's %d, which no pump took", endpoint.RingLen[int]())
	case <-time.After(testkit.Settle):
	}
}

// The ring holds a default window of small values, and no more than about
// 64 KiB of large ones unless that is fewer than 64.
func TestRingLenBoundsItsMemory(t *testing.T) {
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"int", endpoint.RingLen[int](), 1024},
		{"[256]byte", endpoint.RingLen[[256]byte](), 128},
		{"[8192]byte", endpoint.RingLen[[8 << 10]byte](), 64},
	} {
		if c.got != c.want {
			t.Errorf("a ring of %s holds %d values, want %d", c.what, c.got, c.want)
		}
	}
}
