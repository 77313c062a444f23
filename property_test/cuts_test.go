package property_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"
	"pgregory.net/rapid"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// TestCuts: values flow both ways through a proxy that writes in pieces
// of generated sizes and cuts the connection as a generated schedule says
// (cutPoints), at once or after a number of bytes, by FIN or by reset; the
// session resumes, and the sequence each end receives equals the sequence
// the other sent, then the close.
func TestCuts(t *testing.T) {
	forEach(t, 4, func(t *rapid.T, s setup) {
		capacity := rapid.SampledFrom(cutCapacities).Draw(t, "capacity")
		n := rapid.IntRange(2, 30).Draw(t, "values")
		down := rapid.SliceOfN(rapid.Int(), n, n).Draw(t, "down") // to the client
		up := rapid.SliceOfN(rapid.Int(), n, n).Draw(t, "up")
		points := cutPoints(n).Draw(t, "schedule")
		seed := rapid.Uint64().Draw(t, "seed")
		maxPiece := rapid.IntRange(1, 64).Draw(t, "maxPiece")

		var proxy *testkit.Proxy
		via := func(addr string) string {
			p, err := testkit.StartProxy(addr, testkit.WithSplit(seed, maxPiece))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Close)
			proxy = p
			return p.Addr()
		}
		srv, cli := connectVia[int](t, s, 1, via, netchan.WithBuffer(capacity)).pair()

		ctx, cancel := context.WithCancel(context.Background())
		g, gctx := errgroup.WithContext(ctx)
		defer func() { cancel(); _ = g.Wait() }()
		gate := testkit.NewGate()
		var got [2]atomic.Int64
		for i, dir := range []struct {
			from, to *end[int]
			vals     []int
		}{{srv, cli, down}, {cli, srv, up}} {
			g.Go(func() error { return sendInTurn(gctx, dir.from, dir.vals, gate) })
			g.Go(func() error { return recvInOrder(gctx, dir.to, dir.vals, &got[i]) })
		}
		runCuts(t, gctx, proxy, gate, func() int { return int(min(got[0].Load(), got[1].Load())) }, points, n)
		if err := g.Wait(); err != nil {
			t.Fatalf("%v (%d cuts)", err, proxy.Cuts())
		}
		checkCutErrors(t, srv, cli)
	})
}

// cutCapacities are the capacities TestCuts draws from: Sync() and
// windows small and large.
var cutCapacities = []int{0, 1, 3, 64}

// sendInTurn sends vals on e, each once the gate lets it, then closes
// once the gate lets the close.
func sendInTurn(ctx context.Context, e *end[int], vals []int, g *testkit.Gate) error {
	for i, v := range vals {
		if err := g.Wait(ctx, i); err != nil {
			return err
		}
		if err := e.send(ctx, v); err != nil {
			return fmt.Errorf("send of value %d: %w", i, err)
		}
	}
	if err := g.Wait(ctx, len(vals)); err != nil {
		return err
	}
	e.closeSend()
	return nil
}

// recvInOrder receives vals on e, in order, counting them in got, then
// the close if e sees closes.
func recvInOrder(ctx context.Context, e *end[int], vals []int, got *atomic.Int64) error {
	ctx, cancel := context.WithTimeout(ctx, testkit.Patience)
	defer cancel()
	for i, want := range vals {
		v, ok, err := e.recv(ctx)
		switch {
		case err != nil:
			return fmt.Errorf("receive of value %d: %w", i, err)
		case !ok:
			return fmt.Errorf("closed after %d values of %d", i, len(vals))
		case v != want:
			return fmt.Errorf("value %d is %d, want %d: received %v", i, v, want, vals[:i])
		}
		got.Add(1)
	}
	if !e.seesClose {
		return nil
	}
	if v, ok, err := e.recv(ctx); err != nil || ok {
		return fmt.Errorf("after the last value: %d (ok %v, err %v), want the close", v, ok, err)
	}
	return nil
}

// checkCutErrors fails the check if OnError got anything but failed
// handshakes, which a cut during a resume's handshake makes the listener
// report; the dialer tries again.
func checkCutErrors(t *rapid.T, srv, cli *end[int]) {
	t.Helper()
	if errs := cli.errs.all(); len(errs) > 0 {
		t.Fatalf("the dialer's OnError: %v", errors.Join(errs...))
	}
	if i := slices.IndexFunc(srv.errs.all(), func(err error) bool { return !errors.Is(err, netchan.ErrHandshake) }); i >= 0 {
		t.Fatalf("the listener's OnError: %v", srv.errs.all()[i])
	}
}
