package netchan_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

var oneWaySizes = []int{16, 256, 4096, 65536}

// BenchmarkOneWay streams values one way as fast as they go: the
// hand-written stream, typed.Conn and the channel API, for each payload size.
func BenchmarkOneWay(b *testing.B) {
	for _, size := range oneWaySizes {
		b.Run(fmt.Sprintf("data=%d", size), func(b *testing.B) {
			key := b.Name()
			v := sample(size)
			b.Run("baseline", func(b *testing.B) { benchRawOneWay(b, key, v) })
			b.Run("typed", func(b *testing.B) { benchTypedOneWay(b, key, v) })
			b.Run("chan", func(b *testing.B) { benchChanOneWay(b, key, v) })
		})
	}
}

// benchTypedOneWay sends b.N values on a typed.Conn with opts while another
// goroutine receives them.
func benchTypedOneWay(b *testing.B, key string, v Sample, opts ...netchan.Option) {
	c, d := typedPair[Sample](b, opts...)
	ctx := benchCtx(b)
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for range b.N {
			if _, err := c.Recv(ctx); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range b.N {
		if err := d.Send(ctx, v); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	reportRatio(b, key, reportRate(b, b.N, "values/s"))
}

// benchChanOneWay sends b.N values on a channel from Dial while another
// goroutine receives them from the listener's channel.
func benchChanOneWay(b *testing.B, key string, v Sample) {
	ctx := benchCtx(b)
	trust := benchTrust(b)
	ln := testkit.Loopback(b)
	ctx, cancel := context.WithCancel(ctx)
	_, lr, err := netchan.Listen[Sample](ctx, "", netchan.WithListener(ln), netchan.WithTLS(trust.Server), benchLog)
	if err != nil {
		b.Fatal(err)
	}
	ds, dr, err := netchan.Dial[Sample](ctx, ln.Addr().String(), netchan.WithTLS(trust.Client), benchLog)
	if err != nil {
		b.Fatal(err)
	}
	defer closedAfterCancel(b, cancel, lr, dr)
	done := make(chan int, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		n := 0
		for ; n < b.N; n++ {
			if _, ok := <-lr; !ok {
				break
			}
		}
		done <- n
	}()
	for range b.N {
		select {
		case ds <- v:
		case <-ctx.Done():
			b.Fatal("gave up sending: ", context.Cause(ctx))
		}
	}
	if n := <-done; n != b.N {
		b.Fatalf("received %d values; want %d", n, b.N)
	}
	reportRatio(b, key, reportRate(b, b.N, "values/s"))
}

// closedAfterCancel cancels the channels' context and waits until each
// channel is closed, which the channel API does once its goroutines are
// done with it.
func closedAfterCancel[T any](b *testing.B, cancel context.CancelFunc, chans ...<-chan T) {
	cancel()
	timeout := time.NewTimer(benchPatience)
	defer timeout.Stop()
	for _, ch := range chans {
		for open := true; open; {
			select {
			case _, open = <-ch:
			case <-timeout.C:
				b.Fatal("a channel stayed open after its context ended")
			}
		}
	}
}

// capacities are the windows BenchmarkCapacity sweeps.
var capacities = []int{1, 2, 4, 8, 16, 64, 256, 1024, 4096}

// BenchmarkCapacity streams values one way on typed.Conn for each capacity:
// throughput grows with the window until it meets the one-way baseline.
func BenchmarkCapacity(b *testing.B) {
	key := b.Name()
	v := sample(sampleSize)
	b.Run("baseline", func(b *testing.B) { benchRawOneWay(b, key, v) })
	for _, n := range capacities {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			benchTypedOneWay(b, key, v, netchan.WithBuffer(n))
		})
	}
}
