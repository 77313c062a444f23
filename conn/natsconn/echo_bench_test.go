package natsconn_test

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/netchan/netchan"
	"github.com/netchan/netchan/conn/natsconn"
	"github.com/netchan/netchan/internal/testkit"
)

// BenchmarkEcho is netchan-bench's workload over an embedded NATS server,
// beside raw nats.go doing the same echo: the listener (the requester)
// sends ints, each of the clients (responders in a queue group) sends
// them back; an op is one round trip. Every nats.Conn speaks TLS to the
// server; netchan adds its own TLS end to end, its flow control and its
// delivery in order. Each client has a nats.Conn of its own, as a process
// of its own would.
func BenchmarkEcho(b *testing.B) {
	for _, clients := range []int{8, 64} {
		b.Run(fmt.Sprintf("clients=%d/netchan", clients), func(b *testing.B) { echoNetchan(b, clients) })
		b.Run(fmt.Sprintf("clients=%d/nats", clients), func(b *testing.B) { echoNATS(b, clients) })
	}
}

// benchLimit bounds a benchmark's run, should values stop coming back.
const benchLimit = 2 * time.Minute

// benchServer starts a NATS server that requires TLS and returns how to
// connect to it.
func benchServer(b *testing.B) (connect func() *nats.Conn, trust *testkit.Trust) {
	trust = testkit.NewTrust(b)
	s := startServer(b, withTLS(trust.Server))
	hop := &tls.Config{RootCAs: trust.CA.Pool(), MinVersion: tls.VersionTLS13}
	return func() *nats.Conn {
		nc, err := nats.Connect(s.ClientURL(), nats.Secure(hop), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(nc.Close)
		return nc
	}, trust
}

func echoNetchan(b *testing.B, clients int) {
	connectTLS, trust := benchServer(b)
	ctx, cancel := context.WithTimeout(context.Background(), benchLimit)
	l, err := natsconn.Listen(connectTLS(), "echo")
	if err != nil {
		b.Fatal(err)
	}
	// Quiet: the benchmark ends by cancelling ctx, and values whose
	// acknowledgement had not come back are then reported, as they must
	// be, though the echoes counted them.
	quiet := netchan.WithLogger(slog.New(slog.DiscardHandler))
	ls, lr, err := netchan.Listen[int](ctx, "echo", netchan.WithListener(l), netchan.WithTLS(trust.Server), quiet)
	if err != nil {
		b.Fatal(err)
	}
	client := trust.Client.Clone()
	client.ServerName = "localhost"
	var echoers sync.WaitGroup
	recvs := []<-chan int{lr}
	// Before the cleanups close the nats.Conns.
	defer func() {
		cancel()
		for _, r := range recvs {
			for range r {
			}
		}
		echoers.Wait()
	}()
	for range clients {
		send, recv, err := netchan.Dial[int](ctx, "echo", netchan.WithDialer(natsconn.Dialer(connectTLS())), netchan.WithTLS(client), quiet)
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
	// Every client connected and echoing before the clock starts.
	roundTrips(b, ctx, ls, lr, 4*clients)
	b.ResetTimer()
	roundTrips(b, ctx, ls, lr, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "round-trips/s")
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

// echoNATS is the same echo with nats.go alone: the requester publishes
// requests with its inbox as reply subject, keeping as many outstanding
// as netchan's default capacity would let the clients hold
// (netchan.DefaultBuffer each), and the responders of a queue group
// publish each back.
func echoNATS(b *testing.B, clients int) {
	connectTLS, _ := benchServer(b)
	for range clients {
		nc := connectTLS()
		sub, err := nc.QueueSubscribe("echo", "echo", func(m *nats.Msg) { _ = nc.Publish(m.Reply, m.Data) })
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
	req := connectTLS()
	inbox := req.NewInbox()
	slots := make(chan struct{}, clients*netchan.DefaultBuffer)
	var got, want atomic.Int64
	done := make(chan struct{}, 1)
	sub, err := req.Subscribe(inbox, func(*nats.Msg) {
		<-slots
		if got.Add(1) == want.Load() {
			done <- struct{}{}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), benchLimit)
	defer cancel()
	run := func(n int) {
		got.Store(0)
		want.Store(int64(n))
		var buf [8]byte
		for i := range n {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				b.Fatalf("%d of %d replies came back within %v", got.Load(), i, benchLimit)
			}
			binary.LittleEndian.PutUint64(buf[:], uint64(i))
			if err := req.PublishRequest("echo", inbox, buf[:]); err != nil {
				b.Fatal(err)
			}
		}
		select {
		case <-done:
		case <-ctx.Done():
			b.Fatalf("%d of %d replies came back within %v", got.Load(), n, benchLimit)
		}
	}
	run(4 * clients)
	b.ResetTimer()
	run(b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "round-trips/s")
}
