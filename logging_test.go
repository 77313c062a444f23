package netchan_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
)

// quietLogger discards, for the ends a test does not look at.
var quietLogger = netchan.WithLogger(slog.New(slog.DiscardHandler))

// dialDeadPeer dials a listener with a shared secret and dopts, makes the
// listener vanish, and returns the error the connection ended with, once
// OnDone says it has ended: by then whatever netchan reports is reported.
func dialDeadPeer(t *testing.T, dopts ...netchan.Option) error {
	t.Helper()
	secret := netchan.NewSecret()
	lctx, vanish := context.WithCancel(context.Background())
	defer vanish()
	ln := testkit.Loopback(t)
	if _, _, err := netchan.Listen[int](lctx, "", netchan.WithListener(ln), netchan.WithSecret(secret), quietLogger); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	onDone, done := doneOnce()
	opts := append([]netchan.Option{netchan.WithSecret(secret), netchan.OnDone(onDone)}, dopts...)
	send, recv, err := netchan.Dial[int](ctx, ln.Addr().String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	vanish()
	if v, ok := testkit.Recv(t, recv); ok {
		t.Fatalf("received %d from a listener that vanished", v)
	}
	close(send)
	err = waitDone(t, "dialer", done)
	if !errors.Is(err, netchan.ErrPeerClosed) && !errors.Is(err, netchan.ErrConnLost) {
		t.Fatalf("the connection ended with %v; want the peer's end", err)
	}
	return err
}

// A program that set neither WithLogger nor OnError sees a dead peer in
// slog.Default(), at warning level: as the default is when Dial is called,
// not when the package was initialised.
func TestDeadPeerLoggedByDefault(t *testing.T) {
	def := defaultTo(t)
	err := dialDeadPeer(t)
	if _, ok := def.errorLogged(err); !ok {
		t.Fatalf("slog.Default() got %v; want a warning with %v", def.warnings(), err)
	}
}

// OnError takes the errors in place of the default log: a program that
// handles them does not see each twice.
func TestOnErrorTakesErrorsFromDefaultLog(t *testing.T) {
	def := defaultTo(t)
	var log errorLog
	err := dialDeadPeer(t, netchan.OnError(log.add))
	if !wrapsAny(log.all(), err) {
		t.Fatalf("OnError got %v; want %v", log.all(), err)
	}
	if w := def.warnings(); len(w) > 0 {
		t.Fatalf("slog.Default() got %v though OnError was set", w)
	}
}

// WithLogger's logger takes the errors even beside OnError, and then
// slog.Default() gets nothing.
func TestWithLoggerTakesErrorsBesideOnError(t *testing.T) {
	def := defaultTo(t)
	own := newRecorder()
	var log errorLog
	err := dialDeadPeer(t, netchan.WithLogger(slog.New(own)), netchan.OnError(log.add))
	if _, ok := own.errorLogged(err); !ok {
		t.Fatalf("WithLogger's logger got %v; want a warning with %v", own.warnings(), err)
	}
	if !wrapsAny(log.all(), err) {
		t.Fatalf("OnError got %v; want %v", log.all(), err)
	}
	if w := def.warnings(); len(w) > 0 {
		t.Fatalf("slog.Default() got %v though WithLogger was set", w)
	}
}

// Insecure's warning is a log record, never an OnError call: OnError
// replaces the log for errors only.
func TestInsecureWarningLoggedBesideOnError(t *testing.T) {
	def := defaultTo(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, _, _, log := trustListener(t, ctx, netchan.Insecure()) // with OnError
	w := def.warnings()
	if len(w) != 1 || !strings.Contains(w[0].Message, "plaintext") {
		t.Fatalf("slog.Default() got %v; want one warning about plaintext", w)
	}
	if errs := log.all(); len(errs) > 0 {
		t.Fatalf("OnError got %v; want nothing", errs)
	}
}

// A listener that refuses a client logs it by default, so that a wrong
// secret is seen on the server too.
func TestRefusedClientLoggedByDefault(t *testing.T) {
	def := defaultTo(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := testkit.Loopback(t)
	if _, _, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.WithSecret(netchan.NewSecret())); err != nil {
		t.Fatal(err)
	}
	_, _, err := netchan.Dial[int](ctx, ln.Addr().String(), netchan.WithSecret(netchan.NewSecret()), quietLogger)
	if !errors.Is(err, netchan.ErrAuth) {
		t.Fatalf("Dial with the wrong secret: %v; want ErrAuth", err)
	}
	testkit.Eventually(t, "the refusal in slog.Default()", func() bool {
		_, ok := def.errorLogged(netchan.ErrAuth)
		return ok
	})
}

// A nil logger is a mistake, not a way to discard.
func TestWithLoggerNil(t *testing.T) {
	_, _, err := netchan.Dial[int](context.Background(), "127.0.0.1:1", netchan.Insecure(), netchan.WithLogger(nil))
	if err == nil || !strings.Contains(err.Error(), "WithLogger(nil)") {
		t.Fatalf("Dial with WithLogger(nil): %v; want an error naming it", err)
	}
}
