package netchan_test

// The baselines: what a careful programmer writes by hand over the same TLS
// 1.3 loopback connection, with the same codec, and no flow control. Each
// benchmark runs its baseline first and reports netchan's figure as a
// multiple of it ("x-baseline"), so that a slow or busy machine moves both
// figures and the ratio stays meaningful.

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan/codec"
	"github.com/netchan/netchan/internal/testkit"
)

// baselines holds the last figure each baseline measured, by key, for the
// netchan sub-benchmarks that run after it in the same process.
var baselines = struct {
	sync.Mutex
	rate map[string]float64
}{rate: map[string]float64{}}

// setBaseline records a baseline's rate under key.
func setBaseline(key string, rate float64) {
	baselines.Lock()
	baselines.rate[key] = rate
	baselines.Unlock()
}

// reportRatio reports rate as a multiple of the baseline under key, when
// that baseline ran (a -bench pattern may have left it out).
func reportRatio(b *testing.B, key string, rate float64) {
	baselines.Lock()
	base, ok := baselines.rate[key]
	baselines.Unlock()
	if ok && base > 0 {
		b.ReportMetric(rate/base, "x-baseline")
	}
}

// reportRate reports n operations over the time measured as unit, and
// returns the rate.
func reportRate(b *testing.B, n int, unit string) float64 {
	rate := float64(n) / b.Elapsed().Seconds()
	b.ReportMetric(rate, unit)
	return rate
}

// reportPercentiles reports the median and 99th percentile of d in µs. It
// sorts d.
func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	at := func(p int) float64 {
		return float64(d[min(len(d)-1, len(d)*p/100)].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(50), "p50-µs")
	b.ReportMetric(at(99), "p99-µs")
}

// trustOnce makes the benchmarks' certificates once: key generation would
// otherwise dominate a -benchtime=1x run.
var trustOnce struct {
	sync.Once
	t *testkit.Trust
}

func benchTrust(b *testing.B) *testkit.Trust {
	trustOnce.Do(func() { trustOnce.t = testkit.NewTrust(b) })
	return trustOnce.t
}

// tlsPair returns the two ends of a TLS 1.3 connection over loopback, with
// the handshake done. The benchmark's cleanup closes both.
func tlsPair(b *testing.B) (client, server *tls.Conn) {
	b.Helper()
	trust := benchTrust(b)
	ln := testkit.Loopback(b)
	defer ln.Close()
	type accepted struct {
		c   net.Conn
		err error
	}
	got := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		got <- accepted{c, err}
	}()
	ccfg := trust.Client.Clone()
	ccfg.MinVersion = tls.VersionTLS13
	ccfg.ServerName = "127.0.0.1"
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	client = tls.Client(nc, ccfg)
	b.Cleanup(func() { _ = client.Close() })
	a := <-got
	if a.err != nil {
		b.Fatal(a.err)
	}
	scfg := trust.Server.Clone()
	scfg.MinVersion = tls.VersionTLS13
	server = tls.Server(a.c, scfg)
	b.Cleanup(func() { _ = server.Close() })
	shaken := make(chan error, 1)
	go func() { shaken <- server.Handshake() }()
	if err := client.Handshake(); err != nil {
		b.Fatal(err)
	}
	if err := <-shaken; err != nil {
		b.Fatal(err)
	}
	return client, server
}

// rawStream is the hand-written one-way stream: a writer goroutine takes
// values from a queue, encodes each with netchan's default codec behind a
// 4-byte length, and flushes only when the queue is empty; a reader
// goroutine decodes every frame and hands the value to deliver.
type rawStream struct {
	queue chan Sample
	done  chan error // the reader's outcome, once the writer closed
	end   sync.Once
	wg    sync.WaitGroup
}

// startRawStream starts both goroutines over a fresh TLS connection. queued
// is the queue's capacity. Call finish to end the stream, then read done.
// The benchmark's cleanup ends it too, should the benchmark fail first.
func startRawStream(b *testing.B, queued int, deliver func(*Sample)) *rawStream {
	client, server := tlsPair(b)
	s := &rawStream{queue: make(chan Sample, queued), done: make(chan error, 1)}
	s.wg.Go(func() {
		if err := rawWrite(client, s.queue); err != nil {
			b.Error(err)
		}
	})
	s.wg.Go(func() { s.done <- rawRead(server, deliver) })
	b.Cleanup(func() {
		s.finish()
		_ = client.Close()
		_ = server.Close()
		s.wg.Wait()
	})
	return s
}

// finish closes the queue: the writer flushes and closes its side.
func (s *rawStream) finish() { s.end.Do(func() { close(s.queue) }) }

// rawWrite writes every value from queue until it is closed, then closes
// the write side so the reader sees EOF.
func rawWrite(c *tls.Conn, queue <-chan Sample) error {
	cod := codec.CBOR()
	bw := bufio.NewWriterSize(c, 64<<10)
	buf := make([]byte, 0, 512)
	for v := range queue {
		var err error
		buf, err = codec.Append(cod, buf[:4], v)
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint32(buf, uint32(len(buf)-4))
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		if len(queue) == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return c.CloseWrite()
}

// rawRead decodes frames until EOF.
func rawRead(c *tls.Conn, deliver func(*Sample)) error {
	cod := codec.CBOR()
	br := bufio.NewReader(c)
	var hdr [4]byte
	var body []byte
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		n := int(binary.BigEndian.Uint32(hdr[:]))
		if cap(body) < n {
			body = make([]byte, n)
		}
		body = body[:n]
		if _, err := io.ReadFull(br, body); err != nil {
			return err
		}
		var v Sample
		if err := cod.Unmarshal(body, &v); err != nil {
			return err
		}
		deliver(&v)
	}
}

// benchRawOneWay measures the baseline stream: b.N values of v, as fast as
// the queue takes them. It records values/s under key.
func benchRawOneWay(b *testing.B, key string, v Sample) {
	received := 0
	s := startRawStream(b, 64, func(*Sample) { received++ })
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.queue <- v
	}
	s.finish()
	if err := <-s.done; err != nil {
		b.Fatal(err)
	}
	if received != b.N {
		b.Fatalf("received %d values; want %d", received, b.N)
	}
	setBaseline(key, reportRate(b, b.N, "values/s"))
}

// pingSize is the baseline ping-pong's message, as in the figures.
const pingSize = 64

// benchRawPingPong measures the baseline of a rendezvous: pingSize bytes
// written, then a 1-byte acknowledgement read, one at a time. It records
// round trips/s under key.
func benchRawPingPong(b *testing.B, key string) {
	client, server := tlsPair(b)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		var msg [pingSize]byte
		for {
			if _, err := io.ReadFull(server, msg[:]); err != nil {
				return // EOF when the client closes its side
			}
			if _, err := server.Write(msg[:1]); err != nil {
				return
			}
		}
	})
	defer func() { _ = client.CloseWrite() }()
	var msg, ack [pingSize]byte
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := client.Write(msg[:]); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(client, ack[:1]); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(start)
	}
	setBaseline(key, reportRate(b, b.N, "round-trips/s"))
	b.StopTimer()
	reportPercentiles(b, lat)
}
