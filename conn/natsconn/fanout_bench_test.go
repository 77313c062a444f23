package natsconn_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// BenchmarkFanOut is NATS's plain-subscription fan-out, with TLS to the
// server, beside netchan's broadcast listener, with TLS to each client,
// at the same client counts. For NATS, one publisher sends ints on a
// subject to which each subscriber, on a nats.Conn of its own,
// subscribes; for netchan, a listener with Broadcast sends ints on its
// channel, over TCP, to clients that each receive them all. An op is one
// value published; delivered/s sums the values every subscriber received
// per second, and cpu-ns/delivered the CPU time the whole process used
// (publisher, server or listener, and subscribers) per value delivered.
// The hand rows are a ceiling for netchan's: the same fan-out written by
// hand, without flow control's bookkeeping (see fanOutHand).
//
// NATS has no flow control: a publisher that outruns a subscriber makes
// the server drop the subscriber's messages. So the publisher here waits
// whenever the slowest subscriber is fanOutLag values behind, which only
// a program that shares memory with its subscribers can do; dropped
// reports what was lost nonetheless.
func BenchmarkFanOut(b *testing.B) {
	for _, clients := range []int{8, 64} {
		b.Run(fmt.Sprintf("clients=%d/netchan", clients), func(b *testing.B) { fanOutNetchan(b, clients) })
		b.Run(fmt.Sprintf("clients=%d/nats", clients), func(b *testing.B) { fanOut(b, clients) })
		b.Run(fmt.Sprintf("clients=%d/hand", clients), func(b *testing.B) { fanOutHand(b, clients) })
	}
}

const fanOutLag = 1 << 14

func fanOut(b *testing.B, subscribers int) {
	connectTLS, _ := benchServer(b)
	counts := make([]atomic.Int64, subscribers)
	for i := range subscribers {
		nc := connectTLS()
		sub, err := nc.Subscribe("fan", func(*nats.Msg) { counts[i].Add(1) })
		if err != nil {
			b.Fatal(err)
		}
		if err := sub.SetPendingLimits(-1, -1); err != nil {
			b.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	pub := connectTLS()
	slowest := func() int64 {
		low := counts[0].Load()
		for i := range counts {
			low = min(low, counts[i].Load())
		}
		return low
	}
	var buf [8]byte
	limit := time.Now().Add(benchLimit)
	cpu := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		if i%1024 == 0 {
			for int64(i)-slowest() > fanOutLag {
				if time.Now().After(limit) {
					b.Fatalf("a subscriber is still %d values behind after %v", int64(i)-slowest(), benchLimit)
				}
				time.Sleep(50 * time.Microsecond)
			}
		}
		binary.LittleEndian.PutUint64(buf[:], uint64(i))
		if err := pub.Publish("fan", buf[:]); err != nil {
			b.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		b.Fatal(err)
	}
	// Wait for every subscriber to have all, or to stop getting any.
	var total int64
	for last, still := int64(-1), time.Now(); ; {
		total = 0
		for i := range counts {
			total += counts[i].Load()
		}
		if total == int64(b.N)*int64(subscribers) {
			break
		}
		if total != last {
			last, still = total, time.Now()
		} else if time.Since(still) > time.Second {
			break
		}
		time.Sleep(100 * time.Microsecond)
	}
	elapsed := b.Elapsed()
	b.StopTimer()
	reportCPU(b, cpu, total)
	b.ReportMetric(float64(total)/elapsed.Seconds(), "delivered/s")
	b.ReportMetric(float64(int64(b.N)*int64(subscribers)-total), "dropped")
}

// fanOutNetchan is the same fan-out through a netchan broadcast listener
// and its clients, with netchan's flow control in place of fanOutLag: a
// send completes once every client has room for the value.
func fanOutNetchan(b *testing.B, clients int) {
	trust := testkit.NewTrust(b)
	ctx, cancel := context.WithTimeout(context.Background(), benchLimit)
	ln := testkit.Loopback(b)
	quiet := netchan.WithLogger(slog.New(slog.DiscardHandler))
	ls, lr, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.WithTLS(trust.Server), netchan.Broadcast(), quiet)
	if err != nil {
		b.Fatal(err)
	}
	var receivers sync.WaitGroup
	recvs := []<-chan int{lr}
	defer func() {
		cancel()
		for _, r := range recvs {
			for range r {
			}
		}
		receivers.Wait()
	}()
	var delivered atomic.Int64
	got := make(chan struct{}, clients) // a client received the last value
	var last atomic.Int64
	for range clients {
		send, recv, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.WithTLS(trust.Client), quiet)
		if err != nil {
			b.Fatal(err)
		}
		recvs = append(recvs, recv)
		send <- -1 // once the listener has it, the client counts as connected
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
	run := func(first, n int) {
		last.Store(int64(first + n - 1))
		for i := first; i < first+n; i++ {
			select {
			case ls <- i:
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
	run(0, 4*clients) // every connection warm before the clock starts
	delivered.Store(0)
	cpu := cpuTime()
	b.ResetTimer()
	run(4*clients, b.N)
	reportCPU(b, cpu, delivered.Load())
	b.ReportMetric(float64(delivered.Load())/b.Elapsed().Seconds(), "delivered/s")
	b.ReportMetric(0, "dropped")
}

// reportCPU reports the CPU time used since start per value delivered.
func reportCPU(b *testing.B, start time.Duration, delivered int64) {
	if used := cpuTime() - start; start > 0 && delivered > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(delivered), "cpu-ns/delivered")
	}
}
