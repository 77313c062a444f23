package netchan_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/typed"
)

// transport is one way to secure a connection, with the options each end
// needs.
type transport struct {
	name           string
	listen, dialer []netchan.Option
}

// transports returns every trust mode, so each integration test runs over
// each.
func transports(t *testing.T) []transport {
	trust := testkit.NewTrust(t)
	secret := netchan.NewSecret()
	return []transport{
		{"tls", []netchan.Option{netchan.WithTLS(trust.Server)}, []netchan.Option{netchan.WithTLS(trust.Client)}},
		{"mtls", []netchan.Option{netchan.WithTLS(trust.MutualServer)}, []netchan.Option{netchan.WithTLS(trust.MutualClient)}},
		{"secret", []netchan.Option{netchan.WithSecret(secret)}, []netchan.Option{netchan.WithSecret(secret)}},
		{"insecure", []netchan.Option{netchan.Insecure()}, []netchan.Option{netchan.Insecure()}},
	}
}

// errorLog collects what reaches OnError.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

// undelivered returns a condition that holds once v was reported as an
// *UndeliveredError.
func (l *errorLog) undelivered(v int) func() bool {
	return func() bool {
		for _, err := range l.all() {
			var u *netchan.UndeliveredError[int]
			if errors.As(err, &u) && u.Value == v {
				return true
			}
		}
		return false
	}
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// endpoints is a listener and one client of it.
type endpoints[T any] struct {
	ls, ds chan<- T
	lr, dr <-chan T
	addr   string
	lerr   *errorLog
	derr   *errorLog
	cancel context.CancelFunc
}

// connect starts a listener with lopts and dials it with dopts. The test's
// cleanup cancels both.
func connect[T any](t *testing.T, lopts, dopts []netchan.Option) *endpoints[T] {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := &endpoints[T]{lerr: &errorLog{}, derr: &errorLog{}, cancel: cancel}
	ln := testkit.Loopback(t)
	e.addr = ln.Addr().String()
	lopts = append([]netchan.Option{netchan.WithListener(ln), netchan.OnError(e.lerr.add)}, lopts...)
	var err error
	e.ls, e.lr, err = netchan.Listen[T](ctx, "", lopts...)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	e.ds, e.dr, err = netchan.Dial[T](ctx, e.addr, append([]netchan.Option{netchan.OnError(e.derr.add)}, dopts...)...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	return e
}

// typedListener listens for ints on loopback, in plaintext, until ctx ends
// or the test does.
func typedListener(t *testing.T, ctx context.Context) (*typed.Listener[int], net.Listener) {
	t.Helper()
	ln := testkit.Loopback(t)
	l, err := typed.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l, ln
}

// vanishingListener listens for ints on loopback, in plaintext, and returns
// its address and a function that makes the listener and its connections
// go away, as a peer that vanishes does.
func vanishingListener(t *testing.T) (addr string, vanish context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ln := testkit.Loopback(t)
	if _, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.Insecure()); err != nil {
		t.Fatal(err)
	}
	return ln.Addr().String(), cancel
}
