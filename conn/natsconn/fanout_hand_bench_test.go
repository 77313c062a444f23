package natsconn_test

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// fanOutHand is the fan-out a careful programmer writes by hand for what
// netchan's broadcast does, as a ceiling for it: the same TLS to each
// client, the same codec, each value encoded once, and Go channels where
// netchan's program has them, at each client's receiving end. The
// publisher puts each value's encoding in every client's queue, a Go
// channel whose capacity is the flow control; a writer per client sends
// what its queue holds, flushing when it is empty; each client's reader
// decodes the values into a Go channel its program receives from. It has
// no window, no acknowledgements, no resume and no stall clock.
func fanOutHand(b *testing.B, clients int) {
	trust := testkit.NewTrust(b)
	ln := tls.NewListener(testkit.Loopback(b), trust.Server)
	cod := codec.CBOR()
	queues := make([]chan []byte, clients)
	var wg sync.WaitGroup
	counts := make([]int, clients) // each client's, written by its program
	// The first failure, which closes every connection, so that nothing
	// waits for ever on a client that stopped.
	var (
		failure  error
		failOnce sync.Once
		connsMu  sync.Mutex
		conns    []net.Conn
	)
	fail := func(err error) {
		failOnce.Do(func() {
			failure = err
			connsMu.Lock()
			for _, c := range conns {
				_ = c.Close()
			}
			connsMu.Unlock()
		})
	}
	queuesClosed := false
	closeQueues := func() {
		if !queuesClosed {
			queuesClosed = true
			for _, q := range queues {
				if q != nil {
					close(q)
				}
			}
		}
	}
	defer func() { // after a Fatal too: every goroutine returns
		fail(nil)
		closeQueues()
		wg.Wait()
	}()
	for i := range clients {
		queues[i] = make(chan []byte, 1024)
		accepted := make(chan net.Conn, 1)
		go func() {
			sc, err := ln.Accept()
			if err == nil {
				err = sc.(*tls.Conn).Handshake()
			}
			if err != nil && sc != nil {
				_ = sc.Close()
				sc = nil // and the dial fails too
			}
			accepted <- sc
		}()
		nc, err := tls.Dial("tcp", ln.Addr().String(), trust.Client)
		sc := <-accepted
		if err != nil || sc == nil {
			b.Fatalf("connecting client %d: %v", i, err)
		}
		connsMu.Lock()
		conns = append(conns, nc, sc)
		connsMu.Unlock()
		wg.Go(func() {
			if err := handWrite(sc, queues[i]); err != nil {
				fail(err)
				for range queues[i] {
				}
			}
		})
		got := make(chan int, 1024)
		wg.Go(func() {
			if err := handRead(nc, cod, got); err != nil {
				fail(err)
			}
		})
		wg.Go(func() {
			for range got {
				counts[i]++
			}
		})
	}
	publish := func(first, n int) {
		for v := first; v < first+n; v++ {
			enc, err := codec.Append(cod, nil, v)
			if err != nil {
				b.Fatal(err)
			}
			for _, q := range queues {
				q <- enc // a writer that failed drains its queue
			}
		}
	}
	publish(0, 4*clients) // every connection warm before the clock starts
	cpu := cpuTime()
	b.ResetTimer()
	publish(4*clients, b.N)
	closeQueues()
	wg.Wait()
	b.StopTimer()
	if failure != nil {
		b.Fatal(failure)
	}
	var delivered int64
	for _, n := range counts {
		if n != b.N+4*clients {
			b.Fatalf("a client received %d values of %d", n, b.N+4*clients)
		}
		delivered += int64(n - 4*clients)
	}
	reportCPU(b, cpu, delivered)
	b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "delivered/s")
	b.ReportMetric(0, "dropped")
}

// handWrite writes each encoding from queue after its length, until the
// queue is closed, then closes the connection.
func handWrite(c net.Conn, queue <-chan []byte) error {
	defer c.Close()
	bw := bufio.NewWriterSize(c, 64<<10)
	var hdr [binary.MaxVarintLen64]byte
	for enc := range queue {
		if _, err := bw.Write(binary.AppendUvarint(hdr[:0], uint64(len(enc)))); err != nil {
			return err
		}
		if _, err := bw.Write(enc); err != nil {
			return err
		}
		if len(queue) == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// handRead decodes the values c carries into got until the writer closes
// c, then closes got.
func handRead(c net.Conn, cod codec.Codec, got chan<- int) error {
	defer close(got)
	defer c.Close()
	br := bufio.NewReaderSize(c, 64<<10)
	var body []byte
	for {
		n, err := binary.ReadUvarint(br)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if cap(body) < int(n) {
			body = make([]byte, n)
		}
		body = body[:n]
		if _, err := io.ReadFull(br, body); err != nil {
			return err
		}
		var v int
		if err := cod.Unmarshal(body, &v); err != nil {
			return err
		}
		got <- v
	}
}
