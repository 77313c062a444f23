package conn

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// rendezvous returns a connected pair of rendezvous sessions.
func rendezvous(t *testing.T) *pair {
	cfg := testConfig()
	cfg.Capacity = 0
	return connect(t, cfg, cfg, nil)
}

// sendAcked sends v on st and waits for the peer's program to take it.
func sendAcked(ctx context.Context, st *Stream, v []byte) error {
	if err := st.Reserve(ctx); err != nil {
		return err
	}
	seq, err := st.Send(v)
	if err != nil {
		return err
	}
	return st.WaitTaken(ctx, seq)
}

// Several receivers wait at once on a rendezvous stream while one sender
// sends, each value after the last was taken: every value reaches one of
// them. A caller that checked for its frame just before another goroutine
// handled it must not then wait for a frame that never comes.
func TestRendezvousManyWaiters(t *testing.T) {
	for iter := range 100 {
		p := rendezvous(t)
		ctx := patience(t)
		const n = 3
		sent := make(chan error, 1)
		go func() {
			for i := range n {
				if err := sendAcked(ctx, p.d.Main(), []byte(strconv.Itoa(i))); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var got []string
		for range n {
			wg.Go(func() {
				m, err := p.a.Main().Next(ctx)
				if err != nil {
					return
				}
				mu.Lock()
				got = append(got, string(m.Value))
				mu.Unlock()
				m.Release()
				p.a.Main().Take()
			})
		}
		wg.Wait()
		if err := <-sent; err != nil || len(got) != n {
			t.Fatalf("iteration %d: received %q, sender: %v", iter, got, err)
		}
		_ = p.d.Close()
		_ = p.a.Close()
		_ = p.l.Close()
	}
}

// Once no caller reads, the reader goroutine takes the turn back, so that a
// peer that ends the session is noticed by a program that waits for
// nothing.
func TestRendezvousReaderTakesTurnBack(t *testing.T) {
	p := rendezvous(t)
	ctx := patience(t)
	sent := make(chan error, 1)
	go func() { sent <- sendAcked(ctx, p.d.Main(), []byte("one")) }()
	// A receive that took the turn, then none.
	m, err := p.a.Main().Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m.Release()
	p.a.Main().Take()
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	_ = p.d.Close()
	select {
	case <-p.a.Done():
	case <-time.After(testkit.Patience):
		t.Fatal("the listener's session did not notice the dialer's end")
	}
	if err := p.a.Err(); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("the session ended with %v, want ErrPeerClosed", err)
	}
}
