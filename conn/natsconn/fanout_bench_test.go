package natsconn_test

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// BenchmarkFanOut is NATS's plain-subscription fan-out, with TLS to the
// server: one publisher sends ints on a subject to which each subscriber,
// on a nats.Conn of its own, subscribes. An op is one value published;
// delivered/s sums the values every subscriber received per second, the
// figure netchan's broadcast is to be held against.
//
// NATS has no flow control: a publisher that outruns a subscriber makes
// the server drop the subscriber's messages. So the publisher here waits
// whenever the slowest subscriber is fanOutLag values behind, which only
// a program that shares memory with its subscribers can do; dropped
// reports what was lost nonetheless.
func BenchmarkFanOut(b *testing.B) {
	for _, subscribers := range []int{8, 64} {
		b.Run(fmt.Sprintf("subscribers=%d", subscribers), func(b *testing.B) { fanOut(b, subscribers) })
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
	b.ReportMetric(float64(total)/elapsed.Seconds(), "delivered/s")
	b.ReportMetric(float64(int64(b.N)*int64(subscribers)-total), "dropped")
}
