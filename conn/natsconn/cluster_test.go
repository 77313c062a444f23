package natsconn_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/netchan/netchan"
	"github.com/netchan/netchan/conn/natsconn"
)

// A stream of values each way between a dialer on one node of a
// three-node cluster and a listener on another, with the node of one or
// the other shut down mid-stream.
func TestClusterNodeShutdown(t *testing.T) {
	for _, tc := range []struct {
		name   string
		victim int // the node shut down
	}{{"dialer's node", 0}, {"listener's node", 2}} {
		t.Run(tc.name, func(t *testing.T) { clusterStream(t, tc.victim) })
	}
}

func clusterStream(t *testing.T, victim int) {
	const n = 20000
	nodes := startCluster(t, 3)
	reconnect := []nats.Option{nats.DontRandomize(), nats.ReconnectWait(10 * time.Millisecond), nats.MaxReconnects(-1)}
	ncL := connect(t, nodes[2].ClientURL()+","+nodes[1].ClientURL(), reconnect...)
	ncD := connect(t, nodes[0].ClientURL()+","+nodes[1].ClientURL(), reconnect...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*patience)
	defer cancel()
	secret := netchan.NewSecret()
	lt, dt := newTally(), newTally()
	ls, lr := listen[int](t, ctx, ncL, "stream", netchan.WithSecret(secret), netchan.OnError(lt.report), netchan.OnDone(lt.end))
	interest(t, nodes[0], "stream")
	ds, dr, err := netchan.Dial[int](ctx, "stream", netchan.WithDialer(natsconn.Dialer(ncD)), netchan.WithSecret(secret),
		netchan.OnError(dt.report), netchan.OnDone(dt.end))
	if err != nil {
		t.Fatal(err)
	}

	// Each sender waits at the half for the cut, so that it is mid-stream
	// whatever the machine's pace; the cut comes once a quarter arrived
	// each way, with values in flight.
	cut := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	sentL := 0
	wg.Go(func() {
		defer close(ds)
		for i := range n {
			if i == n/2 {
				select {
				case <-cut:
				case <-ctx.Done():
					return
				}
			}
			select {
			case ds <- i: // after a failure, reported undelivered at once
			case <-ctx.Done():
				return
			}
		}
	})
	wg.Go(func() {
		for i := range n {
			if i == n/2 {
				select {
				case <-cut:
				case <-ctx.Done():
					return
				}
			}
			select {
			case ls <- i:
				sentL++
			case <-lt.ended: // no client left to take the rest
				return
			case <-ctx.Done():
				return
			}
		}
		close(ls)
	})
	dialerQuarter := make(chan struct{}) // closed once the dialer received n/4
	wg.Go(func() {
		for v := range dr {
			dt.received(v)
			if dt.count() == n/4 {
				close(dialerQuarter)
			}
		}
	})
	wg.Go(func() {
		for lt.count() < n/4 {
			select {
			case v := <-lr:
				lt.received(v)
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-dialerQuarter:
		case <-ctx.Done():
			return
		}
		nodes[victim].Shutdown()
		close(cut)
		for lt.count() < n {
			select {
			case v := <-lr:
				lt.received(v)
				continue
			case <-lt.ended:
			case <-ctx.Done():
				return
			}
			// The connection ended: what it received is in lr's buffer.
			for len(lr) > 0 {
				lt.received(<-lr)
			}
			break
		}
	})
	wg.Wait()
	for _, end := range []*tally{dt, lt} {
		select {
		case <-end.ended:
		case <-ctx.Done():
		}
	}
	if ctx.Err() != nil {
		t.Fatalf("the stream stalled: the cut was neither reported nor resumed within %v", 2*patience)
	}

	// The session resumed across the cut: every value arrived once, in
	// order, both ways.
	dt.exactlyOnce(t, "dialer", n, n)
	lt.exactlyOnce(t, "listener", n, sentL)
}

// tally records what one end of the stream received and what its
// OnError and OnDone were told.
type tally struct {
	mu          sync.Mutex
	got         []int
	undelivered map[int]int
	failures    []error
	ended       chan struct{} // closed when OnDone was called
	endErr      error
}

func newTally() *tally {
	return &tally{undelivered: map[int]int{}, ended: make(chan struct{})}
}

func (t *tally) received(v int) {
	t.mu.Lock()
	t.got = append(t.got, v)
	t.mu.Unlock()
}

func (t *tally) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.got)
}

func (t *tally) report(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if u, ok := errors.AsType[*netchan.UndeliveredError[int]](err); ok {
		t.undelivered[u.Value]++
		return
	}
	t.failures = append(t.failures, err)
}

func (t *tally) end(err error) {
	t.mu.Lock()
	t.endErr = err
	t.mu.Unlock()
	close(t.ended)
}

// inOrder checks that the values received are 0, 1, 2 and so on: none
// twice, none out of order, none after a gap.
func (t *tally) inOrder(tb testing.TB, who string) int {
	tb.Helper()
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, v := range t.got {
		if v != i {
			tb.Fatalf("the %s received %d as its value number %d: a value lost, repeated or out of order", who, v, i)
		}
	}
	return len(t.got)
}

// exactlyOnce checks that the end received all n values, once and in
// order, of the sent its peer sent, and that nothing was reported lost.
func (t *tally) exactlyOnce(tb testing.TB, who string, n, sent int) {
	tb.Helper()
	if got := t.inOrder(tb, who); got != n || sent != n {
		tb.Fatalf("the %s received %d values of %d, its peer sent %d", who, got, n, sent)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.undelivered) > 0 || len(t.failures) > 0 {
		tb.Fatalf("the %s reported %d undelivered values and %v", who, len(t.undelivered), t.failures)
	}
}
