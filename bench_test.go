package netchan_test

// Benchmarks for throughput, rendezvous, latency and allocations. Each that
// has a hand-written counterpart (baseline_test.go) runs it first as the
// sub-benchmark "baseline" and reports its own figure as "x-baseline".
//
//	go test -run '^$' -bench . -benchtime=2s -count=3 .

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/netchan/netchan"
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

// benchLog keeps the channel API's reports out of the benchmarks' output,
// whose result lines a tool reads: both ends stop together at the end, and
// the one that stops second may report the other's close. The benchmarks
// count their values themselves.
var benchLog = netchan.WithLogger(slog.New(slog.DiscardHandler))

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
