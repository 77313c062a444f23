package netchan_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// BenchmarkBroadcast is a broadcast listener sending ints to clients that
// each receive them all, over TLS; an op is one value sent. delivered/s
// sums the values every client received per second. allocs/op and B/op
// count the whole process, both ends: with a stateless codec (CBOR) a
// value is encoded once for every client, so they grow with the clients
// only by what the clients' own receiving costs, where gob, stateful,
// encodes for each connection.
func BenchmarkBroadcast(b *testing.B) {
	for _, c := range []codec.Codec{codec.CBOR(), codec.Gob()} {
		for _, clients := range []int{8, 64} {
			b.Run(fmt.Sprintf("codec=%s/clients=%d", c.Name(), clients), func(b *testing.B) { benchBroadcast(b, c, clients) })
		}
	}
}

func benchBroadcast(b *testing.B, c codec.Codec, clients int) {
	ctx, cancel := context.WithCancel(benchCtx(b))
	trust := benchTrust(b)
	ln := testkit.Loopback(b)
	ls, lr, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.WithTLS(trust.Server), netchan.WithCodec(c),
		netchan.Broadcast(), benchLog)
	if err != nil {
		b.Fatal(err)
	}
	var receivers sync.WaitGroup
	recvs := []<-chan int{lr}
	defer func() {
		closedAfterCancel(b, cancel, recvs...)
		receivers.Wait()
	}()
	var delivered atomic.Int64
	got := make(chan struct{}, clients) // a client received the last value
	var last atomic.Int64
	last.Store(-1)
	for range clients {
		send, recv, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.WithTLS(trust.Client), netchan.WithCodec(c), benchLog)
		if err != nil {
			b.Fatal(err)
		}
		recvs = append(recvs, recv)
		send <- -1 // its hello: the client counts as connected once it arrived
		close(send)
		receivers.Go(func() {
			n := int64(0)
			for v := range recv {
				n++
				if int64(v) == last.Load() {
					delivered.Add(n)
					n = 0
					got <- struct{}{}
				}
			}
		})
	}
	for range clients {
		<-lr
	}
	// Every client has its connection warm before the clock starts.
	broadcast(b, ctx, ls, got, &last, 0, 4*clients, clients)
	delivered.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	broadcast(b, ctx, ls, got, &last, 4*clients, b.N, clients)
	reportRate(b, int(delivered.Load()), "delivered/s")
}

// broadcast sends the n values from first on, and waits until each of the
// clients received the last.
func broadcast(b *testing.B, ctx context.Context, send chan<- int, got <-chan struct{}, last *atomic.Int64, first, n, clients int) {
	last.Store(int64(first + n - 1))
	for i := first; i < first+n; i++ {
		select {
		case send <- i:
		case <-ctx.Done():
			b.Fatal("gave up sending: ", context.Cause(ctx))
		}
	}
	for range clients {
		select {
		case <-got:
		case <-ctx.Done():
			b.Fatal("gave up waiting for the clients: ", context.Cause(ctx))
		}
	}
}
