package property_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestRendezvous: with Sync(), a typed Send returns only after the peer's
// Recv took its value, and a send on the channel API completes only after
// every earlier value was received (one value at most in flight). Several
// goroutines send; the peer receives in batches of concurrent receives.
// Between batches the test waits until things settle and checks that the
// sends that completed are exactly the values received (typed), or those
// plus one in flight (channel API).
func TestRendezvous(t *testing.T) {
	forEach(t, 8, func(t *rapid.T, s setup) {
		counts := rapid.SliceOfN(rapid.IntRange(1, 3), 1, 3).Draw(t, "sendsPerGoroutine")
		toClient := rapid.Bool().Draw(t, "toClient")
		srv, cli := connect[int](t, s, 1, netchan.Sync()).pair()
		from, to := cli, srv
		if toClient {
			from, to = srv, cli
		}
		inFlight := 0
		if s.api == chanAPI {
			inFlight = 1
		}

		var mu sync.Mutex
		var completed, received []int // values, as 100*goroutine + index
		ctx, cancel := context.WithCancel(context.Background())
		var senders sync.WaitGroup
		for g, n := range counts {
			senders.Go(func() {
				for i := range n {
					if from.send(ctx, 100*g+i) != nil {
						return
					}
					mu.Lock()
					completed = append(completed, 100*g+i)
					mu.Unlock()
				}
			})
		}
		defer func() { cancel(); senders.Wait() }()
		snapshot := func() (c, r []int) {
			mu.Lock()
			defer mu.Unlock()
			return slices.Sorted(slices.Values(completed)), slices.Sorted(slices.Values(received))
		}

		total := 0
		for _, n := range counts {
			total += n
		}
		for got := 0; ; {
			want := min(got+inFlight, total)
			eventually(t, fmt.Sprintf("%d sends to complete", want), func() bool { c, _ := snapshot(); return len(c) >= want })
			if want < total {
				time.Sleep(testkit.Settle) // another send, were it allowed, would complete by now
			}
			c, r := snapshot()
			if len(c) != want {
				t.Fatalf("%d sends completed after %d receives, want %d: completed %v, received %v", len(c), got, want, c, r)
			}
			for _, v := range r {
				if _, found := slices.BinarySearch(c, v); !found {
					t.Fatalf("value %d received but its send has not completed", v)
				}
			}
			if inFlight == 0 && !slices.Equal(c, r) {
				t.Fatalf("completed sends %v differ from received values %v", c, r)
			}
			checkPrefixes(t, r, counts)
			if got == total {
				return
			}
			batch := rapid.IntRange(1, min(3, total-got)).Draw(t, "batch")
			var receivers sync.WaitGroup
			for range batch {
				receivers.Go(func() {
					rctx, rcancel := context.WithTimeout(context.Background(), testkit.Patience)
					defer rcancel()
					v, ok, err := to.recv(rctx)
					mu.Lock()
					defer mu.Unlock()
					if err != nil || !ok {
						v = -1 // reported below
					}
					received = append(received, v)
				})
			}
			receivers.Wait()
			if _, r := snapshot(); slices.Contains(r, -1) {
				t.Fatalf("a receive failed or saw the channel closed: %v", r)
			}
			got += batch
		}
	})
}

// checkPrefixes checks that, of each goroutine's values, those received
// are its first ones: each direction is in order.
func checkPrefixes(t *rapid.T, received []int, counts []int) {
	t.Helper()
	next := make([]int, len(counts))
	for _, v := range received { // sorted, so each goroutine's in order
		g, i := v/100, v%100
		if g >= len(counts) || i != next[g] {
			t.Fatalf("received %v: not a prefix of each goroutine's values", received)
		}
		next[g]++
	}
}
