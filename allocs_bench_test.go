package netchan_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/netchan/netchan/codec"
)

// BenchmarkAllocs counts allocations per value: the codec's own encoding
// and decoding of a Sample, then a typed Send and Recv of one. The
// difference, "netchan-allocs/op", is what netchan adds per value.
func BenchmarkAllocs(b *testing.B) {
	key := b.Name()
	v := sample(sampleSize)
	b.Run("codec", func(b *testing.B) {
		cod := codec.CBOR()
		buf := make([]byte, 0, 512)
		vs := []Sample{v} // by pointer, as netchan hands it over: no copy to the heap
		b.ReportAllocs()
		b.ResetTimer()
		before := mallocs()
		for range b.N {
			var err error
			if buf, err = codec.AppendPointer(cod, buf[:0], &vs[0]); err != nil {
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
