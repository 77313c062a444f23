package netchan_test

// Benchmarks for throughput, rendezvous, latency and allocations. Each that
// has a hand-written counterpart (baseline_test.go) runs it first as the
// sub-benchmark "baseline" and reports its own figure as "x-baseline".
//
//	go test -run '^$' -bench . -benchtime=2s -count=3 .

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// Sample is the value the benchmarks send: about 100 bytes in CBOR with
// the default 16 bytes of Data.
type Sample struct {
	ID    uint64
	Name  string
	Tags  []string
	Score float64
	At    time.Time
	Data  []byte
}

// sampleSize is the Data length of the default Sample.
const sampleSize = 16

// sample returns a Sample with size bytes of Data.
func sample(size int) Sample {
	return Sample{
		ID:    123456789,
		Name:  "benchmark sample",
		Tags:  []string{"alpha", "beta"},
		Score: 3.25,
		At:    time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC),
		Data:  make([]byte, size),
	}
}

// benchPatience bounds every benchmark's connections, so that a value that
// never arrives fails the run instead of hanging it.
const benchPatience = 2 * time.Minute

// benchCtx returns a context that the benchmark's cleanup cancels.
func benchCtx(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), benchPatience)
	b.Cleanup(cancel)
	return ctx
}

// typedPair connects a typed listener and dialer over TLS with opts on both
// ends and returns the accepted end and the dialing end. The cleanup
// closes both and waits for their goroutines.
func typedPair[T any](b *testing.B, opts ...netchan.Option) (accepted, dialed *typed.Conn[T]) {
	b.Helper()
	ctx := benchCtx(b)
	trust := benchTrust(b)
	ln := testkit.Loopback(b)
	l, err := typed.Listen[T](ctx, "", append([]netchan.Option{netchan.WithListener(ln), netchan.WithTLS(trust.Server)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = l.Close() })
	d, err := typed.Dial[T](ctx, ln.Addr().String(), append([]netchan.Option{netchan.WithTLS(trust.Client)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	c, err := l.Accept(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c, d
}

// oneWaySizes are the Data lengths BenchmarkOneWay sweeps.
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
	_, lr, err := netchan.Listen[Sample](ctx, "", netchan.WithListener(ln), netchan.WithTLS(trust.Server))
	if err != nil {
		b.Fatal(err)
	}
	ds, dr, err := netchan.Dial[Sample](ctx, ln.Addr().String(), netchan.WithTLS(trust.Client))
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
var capacities = []int{1, 2, 4, 8, 16, 64, 256, 1024}

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

// BenchmarkAllocs counts allocations per value: the codec's own encoding
// and decoding of a Sample, then a typed Send and Recv of one. The
// difference, "netchan-allocs/op", is what netchan adds per value.
func BenchmarkAllocs(b *testing.B) {
	key := b.Name()
	v := sample(sampleSize)
	b.Run("codec", func(b *testing.B) {
		cod := codec.CBOR()
		buf := make([]byte, 0, 512)
		b.ReportAllocs()
		b.ResetTimer()
		before := mallocs()
		for range b.N {
			var err error
			if buf, err = codec.Append(cod, buf[:0], v); err != nil {
				b.Fatal(err)
			}
			var out Sample
			if err := cod.Unmarshal(buf, &out); err != nil {
				b.Fatal(err)
			}
		}
		setBaseline(key, float64(mallocs()-before)/float64(b.N))
	})
	b.Run("typed", func(b *testing.B) {
		c, d := typedPair[Sample](b)
		ctx := benchCtx(b)
		b.ReportAllocs()
		b.ResetTimer()
		before := mallocs()
		for range b.N {
			if err := d.Send(ctx, v); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Recv(ctx); err != nil {
				b.Fatal(err)
			}
		}
		total := float64(mallocs()-before) / float64(b.N)
		baselines.Lock()
		own, ok := baselines.rate[key]
		baselines.Unlock()
		if ok {
			b.ReportMetric(total-own, "netchan-allocs/op")
		}
	})
}

// mallocs returns the heap allocations made so far by the whole program,
// netchan's goroutines included.
func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// BenchmarkChanSend is an in-process Go channel send to a waiting
// goroutine, for reference: what netchan's channels would cost without a
// network.
func BenchmarkChanSend(b *testing.B) {
	for _, capacity := range []int{0, 64} {
		b.Run(fmt.Sprintf("buffer=%d", capacity), func(b *testing.B) {
			ch := make(chan Sample, capacity)
			v := sample(sampleSize)
			var wg sync.WaitGroup
			wg.Go(func() {
				for range ch {
				}
			})
			b.ResetTimer()
			for range b.N {
				ch <- v
			}
			close(ch)
			wg.Wait()
		})
	}
}

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
	ls, lr, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.WithTLS(trust.Server))
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
		send, recv, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.WithTLS(trust.Client))
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
