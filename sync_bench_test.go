package netchan_test

import (
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan"
)

// BenchmarkSync sends one value at a time in rendezvous mode: each Send
// returns once the peer's Recv took the value. The baseline writes
// pingSize bytes and waits for a 1-byte acknowledgement.
func BenchmarkSync(b *testing.B) {
	key := b.Name()
	b.Run("baseline", func(b *testing.B) { benchRawPingPong(b, key) })
	b.Run("typed", func(b *testing.B) {
		c, d := typedPair[[]byte](b, netchan.Sync())
		ctx := benchCtx(b)
		msg := make([]byte, pingSize)
		lat := make([]time.Duration, b.N)
		done := make(chan error, 1)
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
		for i := range b.N {
			start := time.Now()
			if err := d.Send(ctx, msg); err != nil {
				b.Fatal(err)
			}
			lat[i] = time.Since(start)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		reportRatio(b, key, reportRate(b, b.N, "round-trips/s"))
		b.StopTimer()
		reportPercentiles(b, lat)
	})
}

// BenchmarkLatency sends one value at a time, each only after the previous
// one arrived, and measures from before the send until the receiving
// goroutine has the value: the latency at low load.
func BenchmarkLatency(b *testing.B) {
	v := sample(sampleSize)
	b.Run("baseline", func(b *testing.B) {
		arrived := make(chan time.Time, 1)
		s := startRawStream(b, 1, func(*Sample) { arrived <- time.Now() })
		lat := make([]time.Duration, b.N)
		b.ResetTimer()
		for i := range b.N {
			start := time.Now()
			s.queue <- v
			lat[i] = (<-arrived).Sub(start)
		}
		b.StopTimer()
		s.finish()
		if err := <-s.done; err != nil {
			b.Fatal(err)
		}
		reportPercentiles(b, lat)
	})
	b.Run("typed", func(b *testing.B) {
		// Waited for after the connections closed (cleanups run last
		// first), which ends a receiver still in Recv if the send failed.
		var wg sync.WaitGroup
		b.Cleanup(wg.Wait)
		c, d := typedPair[Sample](b)
		ctx := benchCtx(b)
		arrived := make(chan time.Time, 1)
		wg.Go(func() {
			for range b.N {
				if _, err := c.Recv(ctx); err != nil {
					close(arrived)
					return
				}
				arrived <- time.Now()
			}
		})
		lat := make([]time.Duration, b.N)
		b.ResetTimer()
		for i := range b.N {
			start := time.Now()
			if err := d.Send(ctx, v); err != nil {
				b.Fatal(err)
			}
			at, ok := <-arrived
			if !ok {
				b.Fatal("the receiver stopped early")
			}
			lat[i] = at.Sub(start)
		}
		b.StopTimer()
		reportPercentiles(b, lat)
	})
}
