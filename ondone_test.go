package netchan_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// doneOnce returns an OnDone function and the channel it reports on.
func doneOnce() (func(error), <-chan error) {
	ch := make(chan error, 2) // room for a second call, which the test refuses
	return func(err error) { ch <- err }, ch
}

// waitDone waits for OnDone's report and checks there is only one.
func waitDone(t *testing.T, who string, ch <-chan error) error {
	t.Helper()
	err, ok := testkit.Recv(t, ch)
	if !ok {
		t.Fatalf("%s: OnDone was not called", who)
	}
	select {
	case again := <-ch:
		t.Fatalf("%s: OnDone called twice: %v, then %v", who, err, again)
	default:
	}
	return err
}

// Once both sides closed their send channels and drained what came, the
// connection ends by itself, and each end's OnDone says so with nil, with
// no context cancelled: that is how a program knows it may exit.
func TestOnDoneAfterBothSidesClose(t *testing.T) {
	lDone, lch := doneOnce()
	dDone, dch := doneOnce()
	e := connect[int](t, []netchan.Option{netchan.Insecure(), netchan.OnDone(lDone)}, []netchan.Option{netchan.Insecure(), netchan.OnDone(dDone)})
	const n = 20
	for i := range n {
		testkit.Send(t, e.ds, i)
	}
	close(e.ds)
	for i := range n {
		if v, ok := testkit.Recv(t, e.lr); !ok || v != i {
			t.Fatalf("listener's receive %d: got %d, open %v", i, v, ok)
		}
	}
	if !quiet(lch) || !quiet(dch) {
		t.Fatal("OnDone called while the listener's side of the connection was open")
	}
	close(e.ls)
	if v, ok := testkit.Recv(t, e.dr); ok {
		t.Fatalf("dialer got %d after the listener closed", v)
	}
	if err := waitDone(t, "dialer", dch); err != nil {
		t.Fatalf("dialer's OnDone: %v; want nil", err)
	}
	if err := waitDone(t, "listener", lch); err != nil {
		t.Fatalf("listener's OnDone: %v; want nil", err)
	}
}

// A connection that fails reports the failure to OnDone, the same that
// OnError got.
func TestOnDoneReportsFailure(t *testing.T) {
	addr, vanish := vanishingListener(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dDone, dch := doneOnce()
	var log errorLog
	ds, dr, err := netchan.Dial[int](ctx, addr, netchan.Insecure(), netchan.OnDone(dDone), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	vanish()
	if _, ok := testkit.Recv(t, dr); ok {
		t.Fatal("value from a listener that went away")
	}
	close(ds) // the send side drains until the program closes it
	err = waitDone(t, "dialer", dch)
	if err == nil || !(errors.Is(err, netchan.ErrPeerClosed) || errors.Is(err, netchan.ErrConnLost)) {
		t.Fatalf("OnDone got %v; want the connection's end", err)
	}
	if !wrapsAny(log.all(), err) {
		t.Fatalf("OnDone's %v did not reach OnError (got %v)", err, log.all())
	}
}

// quiet reports whether nothing came from ch within testkit.Settle.
func quiet(ch <-chan error) bool {
	select {
	case <-ch:
		return false
	case <-time.After(testkit.Settle):
		return true
	}
}

func wrapsAny(errs []error, target error) bool {
	for _, e := range errs {
		if e == target {
			return true
		}
	}
	return false
}

// The exit pattern of OnDone's doc works against a listener that stays
// open, serving several clients: each client's values and close arrive,
// and its OnDone reports nil, though the listener never closes its side.
func TestOnDoneExitPatternAgainstOpenListener(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	_, fromClients, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), quietLogger)
	if err != nil {
		t.Fatal(err)
	}
	const clients, each = 3, 10
	exited := make(chan error, clients)
	for c := range clients {
		go func() { exited <- sendAndExit(ctx, ln.Addr().String(), c*each, each) }()
	}
	for range clients {
		if err, _ := testkit.Recv(t, exited); err != nil {
			t.Fatalf("a client's OnDone: %v; want nil", err)
		}
	}
	next := make([]int, clients) // what each client's next value must be
	for range clients * each {
		v, ok := testkit.Recv(t, fromClients)
		if c := v / each; !ok || v != c*each+next[c] {
			t.Fatalf("listener got %d (open %v); want client %d's value %d", v, ok, c, c*each+next[c])
		}
		next[v/each]++
	}
	// The listener still serves: a client after them gets through too.
	if err := sendAndExit(ctx, ln.Addr().String(), 0, 1); err != nil {
		t.Fatalf("a later client's OnDone: %v; want nil", err)
	}
	if v, _ := testkit.Recv(t, fromClients); v != 0 {
		t.Fatalf("listener got %d from the later client; want 0", v)
	}
}

// sendAndExit is a client that sends n values from first and then ends its
// connection as OnDone's doc shows, and returns what OnDone reported.
func sendAndExit(ctx context.Context, addr string, first, n int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	send, recv, err := netchan.Dial[int](ctx, addr, netchan.Insecure(), netchan.OnDone(func(err error) { done <- err }))
	if err != nil {
		return err
	}
	_ = recv // this client expects nothing back
	for i := range n {
		send <- first + i
	}
	close(send) // no more values
	cancel()    // end the connection: what was sent, and the close, still go
	err = <-done
	return err
}

// OnDone is called once per session, not per network connection: a
// session that resumed after cuts of either kind and then ended cleanly
// reports nil, once, at each end.
func TestOnDoneOncePerSessionAcrossResumes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lDone, lch := doneOnce()
	dDone, dch := doneOnce()
	ln := testkit.Loopback(t)
	ls, lr, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.OnDone(lDone), quietLogger)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testkit.NewProxy(t, ln.Addr().String())
	ds, dr, err := netchan.Dial[int](ctx, proxy.Addr(), netchan.Insecure(), netchan.OnDone(dDone), quietLogger)
	if err != nil {
		t.Fatal(err)
	}
	const cuts = 4
	for cut := range cuts {
		testkit.Send(t, ds, cut)
		if v, _ := testkit.Recv(t, lr); v != cut {
			t.Fatalf("listener got %d; want %d", v, cut)
		}
		testkit.Send(t, ls, cut)
		if v, _ := testkit.Recv(t, dr); v != cut {
			t.Fatalf("dialer got %d; want %d", v, cut)
		}
		if cut%2 == 0 {
			proxy.Reset()
		} else {
			proxy.Cut()
		}
		testkit.Eventually(t, "the session to resume", func() bool { return proxy.Conns() > cut+1 })
	}
	if !quiet(lch) || !quiet(dch) {
		t.Fatal("OnDone called for a cut the session resumed from")
	}
	close(ds)
	close(ls)
	if v, ok := testkit.Recv(t, dr); ok {
		t.Fatalf("dialer got %d after the listener closed", v)
	}
	if err := waitDone(t, "dialer", dch); err != nil {
		t.Fatalf("dialer's OnDone: %v; want nil", err)
	}
	if err := waitDone(t, "listener", lch); err != nil {
		t.Fatalf("listener's OnDone: %v; want nil", err)
	}
}
