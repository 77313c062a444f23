package property_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestCapacity: with WithBuffer(n), exactly n sends complete while the
// remote program has received nothing, and the next completes only after
// one receive, as with make(chan T, n).
func TestCapacity(t *testing.T) {
	forEach(t, 10, func(t *rapid.T, s setup) {
		n := rapid.IntRange(1, 64).Draw(t, "n")
		toClient := rapid.Bool().Draw(t, "toClient")
		srv, cli := connect[int](t, s, 1, netchan.WithBuffer(n)).pair()
		from, to := cli, srv
		if toClient {
			from, to = srv, cli
		}

		var done atomic.Int64
		ctx, cancel := context.WithCancel(context.Background())
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			for i := 0; i <= n; i++ {
				if from.send(ctx, i) != nil {
					return
				}
				done.Add(1)
			}
		}()
		defer func() { cancel(); <-finished }()

		eventually(t, "n sends to complete", func() bool { return done.Load() >= int64(n) })
		time.Sleep(testkit.Settle) // a send beyond the capacity would complete by now
		if got := done.Load(); got != int64(n) {
			t.Fatalf("%d sends completed with nothing received, want %d", got, n)
		}
		for i := 0; i <= n; i++ {
			v, ok := to.mustRecv(t)
			if !ok || v != i {
				t.Fatalf("received %d (ok %v), want %d", v, ok, i)
			}
			if i == 0 {
				eventually(t, "send n+1 to complete after one receive", func() bool { return done.Load() == int64(n)+1 })
			}
		}
	})
}
