package conn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// rawDialer starts a Listener of cfg and a raw dialer of pcfg that
// completes the handshake with it, its hello changed by edit if not nil.
// It returns the Session the Listener accepted and the raw peer; the
// test's cleanup closes both, the peer first.
func rawDialer(t testing.TB, cfg, pcfg *Config, edit func(h *wire.Hello)) (*Session, *rawPeer, *Listener) {
	t.Helper()
	l := serve(t, cfg)
	p, err := dialRaw(t, l.Addr().String(), pcfg)
	if err != nil {
		t.Fatal(err)
	}
	h := p.hello()
	if edit != nil {
		edit(&h)
	}
	p.sendHello(h)
	if _, err := p.readHello(); err != nil {
		t.Fatalf("raw dialer: %v", err)
	}
	p.deriveSecret()
	s, err := l.Accept(patience(t))
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the peer closes, then the Session, which
	// then need not linger for it.
	t.Cleanup(func() { _ = s.Close() })
	t.Cleanup(p.close)
	return s, p, l
}

// rawListener dials, with a Session of cfg, a raw listener of pcfg that
// completes the handshake, its hello changed by edit if not nil. It
// returns the Session and the raw peer; the test's cleanup closes both,
// the peer first.
func rawListener(t testing.TB, cfg, pcfg *Config, edit func(h *wire.Hello)) (*Session, *rawPeer) {
	t.Helper()
	nl := testkit.Loopback(t)
	t.Cleanup(func() { _ = nl.Close() })
	dialed := dialAsync(nl.Addr().String(), cfg)
	p, err := acceptRaw(t, nl, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.readHello(); err != nil {
		t.Fatalf("raw listener: %v", err)
	}
	h := p.hello()
	if edit != nil {
		edit(&h)
	}
	p.sendHello(h)
	p.deriveSecret()
	r, _ := testkit.Recv(t, dialed)
	if r.err != nil {
		t.Fatalf("Dial: %v", r.err)
	}
	t.Cleanup(func() { _ = r.s.Close() })
	t.Cleanup(p.close)
	return r.s, p
}

// dialed is what Dial returned.
type dialed struct {
	s   *Session
	err error
}

// dialAsync dials addr in a goroutine of its own.
func dialAsync(addr string, cfg *Config) <-chan dialed {
	done := make(chan dialed, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
		defer cancel()
		s, err := Dial(ctx, addr, cfg)
		done <- dialed{s, err}
	}()
	return done
}

// serve starts a Listener of cfg on loopback, closed when the test ends.
func serve(t testing.TB, cfg *Config) *Listener {
	t.Helper()
	l, err := Serve(testkit.Loopback(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// ended waits for s to end and returns its error.
func ended(t testing.TB, s *Session) error {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(testkit.Patience):
		t.Fatalf("session still open after %v", testkit.Patience)
	}
	return s.Err()
}

// wantErr fails unless err wraps each of targets.
func wantErr(t testing.TB, what string, err error, targets ...error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v", what, targets)
		return
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Errorf("%s: error %v does not wrap %v", what, err, target)
		}
	}
}

// serveErrs is serve, with the errors the Listener reports.
func serveErrs(t testing.TB, cfg *Config) (*Listener, <-chan error) {
	t.Helper()
	errs := collectErrors(cfg)
	return serve(t, cfg), errs
}

// collectErrors makes cfg's OnError hand the errors to the channel it
// returns, which keeps the first few.
func collectErrors(cfg *Config) <-chan error {
	errs := make(chan error, 16)
	cfg.OnError = func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	return errs
}
