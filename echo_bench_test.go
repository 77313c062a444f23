package netchan_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// BenchmarkEcho is netchan-bench's workload in process: the listener sends
// ints on its channel, each client echoes what it receives, and the
// listener takes the echoes; an op is one round trip.
func BenchmarkEcho(b *testing.B) {
	for _, clients := range []int{8, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchEcho(b, clients) })
	}
}

func benchEcho(b *testing.B, clients int) {
	ctx, cancel := context.WithCancel(benchCtx(b))
	trust := benchTrust(b)
	ln := testkit.Loopback(b)
	ls, lr, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.WithTLS(trust.Server), benchLog)
	if err != nil {
		b.Fatal(err)
	}
	var echoers sync.WaitGroup
	recvs := []<-chan int{lr}
	defer func() {
		closedAfterCancel(b, cancel, recvs...)
		echoers.Wait()
	}()
	for range clients {
		send, recv, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.WithTLS(trust.Client), benchLog)
		if err != nil {
			b.Fatal(err)
		}
		recvs = append(recvs, recv)
		echoers.Go(func() {
			defer close(send)
			for v := range recv {
				select {
				case send <- v:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	// Warm up: every client connected and echoing before the clock starts.
	roundTrips(b, ctx, ls, lr, 4*clients)
	b.ResetTimer()
	roundTrips(b, ctx, ls, lr, b.N)
	reportRate(b, b.N, "round-trips/s")
}

// roundTrips sends n values on send from one goroutine and receives n
// echoes on recv.
func roundTrips(b *testing.B, ctx context.Context, send chan<- int, recv <-chan int, n int) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		for i := range n {
			select {
			case send <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range n {
		select {
		case <-recv:
		case <-ctx.Done():
			b.Fatal("gave up waiting for echoes: ", context.Cause(ctx))
		}
	}
}
