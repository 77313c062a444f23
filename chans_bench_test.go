package netchan_test

import (
	"testing"

	"github.com/netchan/netchan"
)

// BenchmarkReplyChannel makes round trips one at a time through typed: a
// Sync() send of a value, which returns once the peer's program took it,
// against a request that carries a reply channel, answered on it. The
// reply channel's figure is reported against Sync()'s, measured first.
func BenchmarkReplyChannel(b *testing.B) {
	key := b.Name()
	b.Run("sync", func(b *testing.B) {
		c, d := typedPair[int](b, netchan.Sync())
		ctx := benchCtx(b)
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
			if err := d.Send(ctx, i); err != nil {
				b.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		setBaseline(key, reportRate(b, b.N, "round-trips/s"))
	})
	b.Run("reply", func(b *testing.B) {
		c, d := typedPair[request](b)
		ctx := benchCtx(b)
		done := make(chan error, 1)
		b.ResetTimer()
		go func() {
			for range b.N {
				r, err := c.Recv(ctx)
				if err != nil {
					done <- err
					return
				}
				r.Reply <- r.N
				close(r.Reply)
			}
			done <- nil
		}()
		for i := range b.N {
			reply := make(chan int, 1)
			if err := d.Send(ctx, request{N: i, Reply: reply}); err != nil {
				b.Fatal(err)
			}
			if v := <-reply; v != i {
				b.Fatalf("reply %d to request %d", v, i)
			}
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		reportRatio(b, key, reportRate(b, b.N, "round-trips/s"))
	})
}

// BenchmarkStreamChannel sends values one way on a stream channel carried
// in a value, with the original's capacity 16, as fast as they go. A
// stream channel has one value in flight at a time (see the package
// documentation), so this is one value per round trip.
func BenchmarkStreamChannel(b *testing.B) {
	c, d := typedPair[subscription](b)
	ctx := benchCtx(b)
	updates := make(chan int, 16)
	if err := d.Send(ctx, subscription{Updates: updates}); err != nil {
		b.Fatal(err)
	}
	sub, err := c.Recv(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	go func() {
		for i := range b.N {
			updates <- i
		}
		close(updates)
	}()
	n := 0
	for range sub.Updates {
		n++
	}
	if n != b.N {
		b.Fatalf("%d values of %d", n, b.N)
	}
	reportRate(b, b.N, "values/s")
}
