package property_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestCancel: ending the listener's ctx, a client's, or both, at a moment
// chosen by how many values were received so far, never delivers a value
// twice or out of order, and once both are ended every goroutine stops.
func TestCancel(t *testing.T) {
	forEach(t, 30, func(t *rapid.T, s setup) {
		capacity := rapid.IntRange(0, 4).Draw(t, "capacity")
		n := rapid.IntRange(1, 40).Draw(t, "values")
		cut := rapid.IntRange(0, n).Draw(t, "cancelAfterReceived")
		which := rapid.SampledFrom([]string{"listener", "client", "both"}).Draw(t, "cancel")
		toClient := rapid.Bool().Draw(t, "toClient")
		l := connect[int](t, s, 1, netchan.WithBuffer(capacity))
		srv, cli := l.pair()
		from, to := cli, srv
		if toClient {
			from, to = srv, cli
		}

		// The test's goroutines end at the first error, or when stopped:
		// after a cancel, a channel API listener's channels need not close.
		stop, stopAll := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := range n {
				if from.send(stop, i) != nil {
					return
				}
			}
		})
		var mu sync.Mutex
		var got []int
		reached := make(chan struct{})
		received := make(chan struct{})
		wg.Go(func() {
			defer close(received)
			if cut == 0 {
				close(reached)
			}
			for {
				v, ok, err := to.recv(stop)
				if err != nil || !ok {
					return
				}
				mu.Lock()
				got = append(got, v)
				if len(got) == cut {
					close(reached)
				}
				mu.Unlock()
			}
		})

		select {
		case <-reached:
		case <-time.After(testkit.Patience):
			t.Fatalf("%d values not received within %v", cut, testkit.Patience)
		}
		if which != "client" {
			l.cancelListener()
		}
		if which != "listener" {
			l.cancelClient[0]()
		}
		select { // let what is in flight arrive, or not
		case <-received:
		case <-time.After(testkit.Settle):
		}
		stopAll()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for i, v := range got {
			if v != i {
				t.Fatalf("received %v: a value twice, or out of order", got)
			}
		}
		l.shutdown()
		noLeaks(t)
	})
}

// noLeaks fails the check if goroutines other than the test's own are
// still running after testkit.Patience: every goroutine netchan started for
// this check must have stopped.
func noLeaks(t *rapid.T) {
	t.Helper()
	deadline := time.Now().Add(testkit.Patience)
	for {
		err := goleak.Find() // retries for a while itself
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines still running after every ctx ended: %v", err)
		}
	}
}
