package natsconn_test

import (
	"context"
	"crypto/tls"
	"errors"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/netchan/netchan"
	"github.com/netchan/netchan/conn/natsconn"
	"github.com/netchan/netchan/internal/testkit"
)

// trust is a way to secure netchan's connections, with the options of
// each end.
type trust struct {
	name           string
	listen, dialer []netchan.Option
}

// trusts returns the trust modes the tests run over NATS. A subject is no
// host name, so the TLS dialer names the certificate to verify.
func trusts(t *testing.T) []trust {
	kit := testkit.NewTrust(t)
	client := kit.Client.Clone()
	client.ServerName = "localhost"
	secret := netchan.NewSecret()
	return []trust{
		{"tls", []netchan.Option{netchan.WithTLS(kit.Server)}, []netchan.Option{netchan.WithTLS(client)}},
		{"secret", []netchan.Option{netchan.WithSecret(secret)}, []netchan.Option{netchan.WithSecret(secret)}},
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

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// pair is a channel-API listener on a natsconn listener and one client
// dialed to it through NATS.
type pair[T any] struct {
	ls, ds     chan<- T
	lr, dr     <-chan T
	lerr, derr *errorLog
	cancel     context.CancelFunc
}

// dialPair listens on subject over ncL with lopts and dials it over ncD
// with dopts. The test's cleanup cancels both and waits until they stop.
func dialPair[T any](t *testing.T, ncL, ncD *nats.Conn, subject string, lopts, dopts []netchan.Option) *pair[T] {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &pair[T]{lerr: &errorLog{}, derr: &errorLog{}, cancel: cancel}
	p.ls, p.lr = listen[T](t, ctx, ncL, subject, append([]netchan.Option{netchan.OnError(p.lerr.add)}, lopts...)...)
	var err error
	p.ds, p.dr, err = netchan.Dial[T](ctx, subject, append([]netchan.Option{netchan.WithDialer(natsconn.Dialer(ncD)), netchan.OnError(p.derr.add)}, dopts...)...)
	if err != nil {
		cancel()
		t.Fatalf("Dial over NATS: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		drained(t, p.dr)
	})
	return p
}

// listen starts a channel-API listener on a natsconn listener on subject.
// The test's cleanup waits until it stopped, once ctx ended.
func listen[T any](t *testing.T, ctx context.Context, nc *nats.Conn, subject string, opts ...netchan.Option) (chan<- T, <-chan T) {
	t.Helper()
	l, err := natsconn.Listen(nc, subject)
	if err != nil {
		t.Fatal(err)
	}
	send, recv, err := netchan.Listen[T](ctx, subject, append([]netchan.Option{netchan.WithListener(l)}, opts...)...)
	if err != nil {
		t.Fatalf("Listen over NATS: %v", err)
	}
	t.Cleanup(func() { drained(t, recv) })
	return send, recv
}

// drained receives from ch until it is closed, failing the test after
// patience.
func drained[T any](t *testing.T, ch <-chan T) {
	t.Helper()
	for {
		if _, ok := testkit.Recv(t, ch); !ok {
			return
		}
	}
}

// noSubscriptions checks that natsconn left no subscription on nc.
func noSubscriptions(t *testing.T, nc *nats.Conn) {
	t.Helper()
	if n := nc.NumSubscriptions(); n != 0 {
		t.Fatalf("%d subscriptions remain on the nats.Conn with every listener and connection closed", n)
	}
}

// wraps reports whether err wraps every target.
func wraps(err error, targets ...error) bool {
	for _, target := range targets {
		if !errors.Is(err, target) {
			return false
		}
	}
	return err != nil
}

var _ = tls.VersionTLS13
