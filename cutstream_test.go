package netchan_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// streamThroughCuts sends the values 0 to s.values-1 each way on p, then
// closes both sides, while it cuts p's connection s.cuts times as
// cutSchedule says. It fails the test unless each end received every
// value of the other once and in order, then the close, both sessions
// ended cleanly, and nothing reached OnError but the listener's
// handshakes the cuts broke.
func streamThroughCuts(t *testing.T, p *cutPair, s cutSchedule) {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	gate := testkit.NewGate()
	var got [2]atomic.Int64 // values the listener and the dialer received
	for i, e := range []*cutEnd{p.lis, p.dial} {
		g.Go(func() error { return sendAll(gctx, e, s.values, gate) })
		g.Go(func() error { return recvAll(gctx, e, s.values, &got[i]) })
	}
	received := func() int64 { return min(got[0].Load(), got[1].Load()) }
	g.Go(func() error { return s.run(gctx, p.proxy, gate, received) })
	g.Go(func() error { return watchProgress(gctx, received, int64(s.values)) })
	if err := g.Wait(); err != nil {
		t.Fatalf("after %d and %d values received, %d cuts: %v\nthe listener's OnError: %v\nthe dialer's: %v",
			got[0].Load(), got[1].Load(), p.proxy.Cuts(), err, p.lis.errs.all(), p.dial.errs.all())
	}
	ectx, ecancel := context.WithTimeout(ctx, testkit.Patience)
	defer ecancel()
	if err := p.ended(ectx); err != nil {
		t.Fatal(err)
	}
	if p.lis.afterLast != nil {
		if v, ok := p.lis.afterLast(); ok {
			t.Fatalf("the listener received %d after the last value", v)
		}
	}
	checkCutErrors(t, p)
	if c := p.proxy.Cuts(); c < s.cuts {
		t.Fatalf("%d cuts, want %d", c, s.cuts)
	}
	up, down := p.proxy.Bytes()
	t.Logf("%d values each way through %d cuts, %d of them in a handshake as the listener saw it (%d bytes up, %d down) in %v",
		s.values, p.proxy.Cuts(), len(p.lis.errs.all()), up, down, time.Since(start).Round(time.Millisecond))
}

// sendAll sends 0 to n-1 on e, each once the gate lets it, then closes.
func sendAll(ctx context.Context, e *cutEnd, n int, gate *testkit.Gate) error {
	for v := range n {
		if err := gate.Wait(ctx, v); err != nil {
			return err
		}
		if err := e.send(ctx, v); err != nil {
			return fmt.Errorf("the %s's send of %d: %w", e.name, v, err)
		}
	}
	e.closeSend()
	return nil
}

// recvAll receives 0 to n-1 on e, in order, counting them in got, then
// the close where e sees it.
func recvAll(ctx context.Context, e *cutEnd, n int, got *atomic.Int64) error {
	for want := range n {
		v, ok, err := e.recv(ctx)
		switch {
		case err != nil:
			return fmt.Errorf("the %s's receive of %d: %w", e.name, want, err)
		case !ok:
			return fmt.Errorf("the %s saw the close after %d values of %d", e.name, want, n)
		case v != want:
			return fmt.Errorf("the %s received %d, want %d", e.name, v, want)
		}
		got.Store(int64(want + 1))
	}
	if e.afterLast != nil {
		return nil // checked once the session ended
	}
	v, ok, err := e.recv(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("the %s's receive after the last value: %w", e.name, err)
	case ok:
		return fmt.Errorf("the %s received %d after the last value", e.name, v)
	}
	return nil
}

// checkCutErrors fails the test if anything but a failed handshake reached
// OnError: a cut during a resume's handshake makes the listener report
// one, and the dialer tries again.
func checkCutErrors(t *testing.T, p *cutPair) {
	t.Helper()
	if errs := p.dial.errs.all(); len(errs) > 0 {
		t.Fatalf("the dialer's OnError: %v", errors.Join(errs...))
	}
	for _, err := range p.lis.errs.all() {
		if !errors.Is(err, netchan.ErrHandshake) {
			t.Fatalf("the listener's OnError: %v", err)
		}
	}
}

// watchProgress fails once received has not moved for testkit.Patience
// before it reached n, so that a value lost ends the test rather than
// leaving a receive waiting for ever.
func watchProgress(ctx context.Context, received func() int64, n int64) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last, moved := received(), time.Now()
	for last < n {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return nil // another goroutine of the group failed
		}
		if r := received(); r != last {
			last, moved = r, time.Now()
		} else if time.Since(moved) > testkit.Patience {
			return fmt.Errorf("no value received for %v", testkit.Patience)
		}
	}
	return nil
}

// waitFor polls cond until it holds; it gives up after testkit.Patience,
// or when ctx ends.
func waitFor(ctx context.Context, what string, cond func() bool) error {
	deadline := time.Now().Add(testkit.Patience)
	for wait := 100 * time.Microsecond; !cond(); wait = min(2*wait, 10*time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up waiting for %s after %v", what, testkit.Patience)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
