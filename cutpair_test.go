package netchan_test

import (
	"cmp"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// cutPair is a listener and one client of it, whose connection runs
// through a Proxy, and what tells that the session ended cleanly.
type cutPair struct {
	lis, dial *cutEnd
	proxy     *testkit.Proxy
	// ended returns nil once both ends' session ended cleanly, both sides
	// having closed, and an error if one ended otherwise; it waits at most
	// until ctx ends.
	ended func(ctx context.Context) error
}

// connectThroughProxy starts a listener on loopback with lopts, a proxy in
// front of it made with popts, and dials the proxy with dopts. The test's
// cleanup ends both and waits for them.
func connectThroughProxy(t *testing.T, a api, lopts, dopts []netchan.Option, popts ...testkit.ProxyOption) *cutPair {
	t.Helper()
	ln := testkit.Loopback(t)
	p := &cutPair{proxy: testkit.NewProxy(t, ln.Addr().String(), popts...)}
	lerr, derr := &errorLog{}, &errorLog{}
	lopts = append([]netchan.Option{netchan.WithListener(ln), netchan.OnError(lerr.add)}, lopts...)
	dopts = append([]netchan.Option{netchan.OnError(derr.add)}, dopts...)
	ctx, cancel := context.WithCancel(context.Background())
	if a == typedAPI {
		connectTyped(t, ctx, cancel, p, lopts, dopts, lerr, derr)
	} else {
		connectChan(t, ctx, cancel, p, lopts, dopts, lerr, derr)
	}
	return p
}

// connectTyped fills in p's ends through package typed.
func connectTyped(t *testing.T, ctx context.Context, cancel context.CancelFunc, p *cutPair, lopts, dopts []netchan.Option, lerr, derr *errorLog) {
	t.Helper()
	l, err := typed.Listen[int](ctx, "", lopts...)
	if err != nil {
		cancel()
		t.Fatalf("Listen: %v", err)
	}
	d, err := typed.Dial[int](ctx, p.proxy.Addr(), dopts...)
	if err != nil {
		cancel()
		_ = l.Close()
		t.Fatalf("Dial: %v", err)
	}
	actx, acancel := context.WithTimeout(ctx, testkit.Patience)
	c, err := l.Accept(actx)
	acancel()
	t.Cleanup(func() {
		cancel()
		within(t, "closing the connections and the listener", func() {
			_ = d.Close()
			if c != nil {
				_ = c.Close()
			}
			_ = l.Close()
		})
	})
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	p.lis, p.dial = typedCutEnd("listener", c, lerr), typedCutEnd("dialer", d, derr)
	p.ended = func(ctx context.Context) error { return typedEnded(ctx, c, d) }
}

// connectChan fills in p's ends through netchan.Listen and Dial.
func connectChan(t *testing.T, ctx context.Context, cancel context.CancelFunc, p *cutPair, lopts, dopts []netchan.Option, lerr, derr *errorLog) {
	t.Helper()
	ldone, ddone := make(chan error, 1), make(chan error, 1)
	ls, lr, err := netchan.Listen[int](ctx, "", append(lopts, netchan.OnDone(func(err error) { ldone <- err }))...)
	if err != nil {
		cancel()
		t.Fatalf("Listen: %v", err)
	}
	ds, dr, err := netchan.Dial[int](ctx, p.proxy.Addr(), append(dopts, netchan.OnDone(func(err error) { ddone <- err }))...)
	t.Cleanup(func() {
		cancel()
		drain(lr)
		if dr != nil {
			drain(dr)
		}
	})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	p.lis, p.dial = chanCutEnd("listener", ls, lr, lerr, false), chanCutEnd("dialer", ds, dr, derr, true)
	p.ended = func(ctx context.Context) error { return chanEnded(ctx, ldone, ddone) }
}

// chanEnded waits for both OnDone calls of a channel API connection.
func chanEnded(ctx context.Context, ldone, ddone <-chan error) error {
	for _, end := range []struct {
		name string
		done <-chan error
	}{{"listener", ldone}, {"dialer", ddone}} {
		select {
		case err := <-end.done:
			if err != nil {
				return fmt.Errorf("the %s's OnDone: %w", end.name, err)
			}
		case <-ctx.Done():
			return fmt.Errorf("the %s's connection had not ended: %w", end.name, ctx.Err())
		}
	}
	return nil
}

// typedEnded checks that both typed connections are still open, their
// sessions having resumed from every cut, and closes them.
func typedEnded(ctx context.Context, conns ...*typed.Conn[int]) error {
	for _, c := range conns {
		if err := c.Err(); err != nil {
			return fmt.Errorf("a connection ended with %w", err)
		}
	}
	closed := make(chan error, 1)
	go func() {
		var err error
		for _, c := range conns {
			err = cmp.Or(err, c.Close())
		}
		closed <- err
	}()
	select {
	case err := <-closed:
		return err
	case <-ctx.Done():
		return fmt.Errorf("Close did not return: %w", ctx.Err())
	}
}

// within runs f and waits for it at most testkit.Patience, failing the
// test after: a close that hangs fails the test rather than hanging it.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(testkit.Patience):
		t.Errorf("%s did not end within %v", what, testkit.Patience)
	}
}

// drain receives from ch until it closes, which the channel API does once
// everything behind it stopped, or until testkit.Patience passed.
func drain[T any](ch <-chan T) {
	timeout := time.After(testkit.Patience)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			return
		}
	}
}
