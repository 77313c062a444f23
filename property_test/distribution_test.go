package property_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/netchan/netchan/internal/testkit"
)

// TestDistribution: with k clients, each value sent by the listener
// arrives at exactly one client, each client's share in order, and the
// union is exactly what was sent; values from all clients arrive at the
// listener exactly once each, each client's in order. On the channel API
// the listener picks the client; with typed the program does, through the
// Conn of each client, so the check there is that nothing crosses over.
func TestDistribution(t *testing.T) {
	forEach(t, 15, func(t *rapid.T, s setup) {
		k := rapid.IntRange(1, 8).Draw(t, "clients")
		assign := rapid.SliceOfN(rapid.IntRange(0, k-1), 0, 30).Draw(t, "downTo") // typed: who gets value i
		up := rapid.SliceOfN(rapid.IntRange(0, 4), k, k).Draw(t, "upCounts")
		l := connect[int](t, s, k)
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		defer cancel()

		// Down: the listener sends 0..len(assign)-1, then closes.
		var wg sync.WaitGroup
		if l.listener != nil {
			wg.Go(func() {
				for i := range assign {
					if l.listener.send(ctx, i) != nil {
						return
					}
				}
				l.listener.closeSend()
			})
		} else {
			for j, srv := range l.servers {
				wg.Go(func() {
					for i, to := range assign {
						if to == j && srv.send(ctx, i) != nil {
							return
						}
					}
					srv.closeSend()
				})
			}
		}
		// Up: client j sends 1000*j+i for i < up[j], then closes.
		for j, cli := range l.clients {
			wg.Go(func() {
				for i := range up[j] {
					if cli.send(ctx, 1000*j+i) != nil {
						return
					}
				}
				cli.closeSend()
			})
		}
		defer wg.Wait()

		got := make([][]int, k)
		for j, cli := range l.clients {
			got[j] = recvAll(t, cli, -1)
		}
		var all []int
		for j, share := range got {
			if !slices.IsSorted(share) {
				t.Fatalf("client %d got %v, out of order", j, share)
			}
			if l.servers != nil {
				var want []int
				for i, to := range assign {
					if to == j {
						want = append(want, i)
					}
				}
				if !slices.Equal(share, want) {
					t.Fatalf("client %d got %v, its Conn sent %v", j, share, want)
				}
			}
			all = append(all, share...)
		}
		slices.Sort(all)
		if len(all) != len(assign) || !isRange(all) {
			t.Fatalf("clients got %v together, want each of 0..%d once", all, len(assign)-1)
		}

		var from []int
		if l.listener != nil {
			total := 0
			for _, n := range up {
				total += n
			}
			from = recvAll(t, l.listener, total)
		} else {
			for _, srv := range l.servers {
				from = append(from, recvAll(t, srv, -1)...)
			}
		}
		next := make([]int, k)
		for _, v := range from {
			j, i := v/1000, v%1000
			if i != next[j] {
				t.Fatalf("listener got %v: client %d's values not each once in order", from, j)
			}
			next[j]++
		}
		if !slices.Equal(next, up) {
			t.Fatalf("listener got %d values of each client, want %v", next, up)
		}
	})
}

// recvAll receives n values, or with n < 0 every value until the channel
// closes.
func recvAll(t *rapid.T, e *end[int], n int) []int {
	t.Helper()
	var got []int
	for n < 0 || len(got) < n {
		v, ok := e.mustRecv(t)
		if !ok {
			break
		}
		got = append(got, v)
	}
	return got
}

// isRange reports whether sorted s is 0, 1, ..., len(s)-1.
func isRange(s []int) bool {
	for i, v := range s {
		if v != i {
			return false
		}
	}
	return true
}
