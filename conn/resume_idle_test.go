package conn

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// breaks records why a session's connections broke, from its log.
type breaks struct {
	mu   sync.Mutex
	errs []error
}

func (b *breaks) Enabled(context.Context, slog.Level) bool { return true }
func (b *breaks) WithAttrs([]slog.Attr) slog.Handler       { return b }
func (b *breaks) WithGroup(string) slog.Handler            { return b }

func (b *breaks) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "netchan: connection broken, resuming" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && a.Key == "err" {
			b.mu.Lock()
			b.errs = append(b.errs, err)
			b.mu.Unlock()
		}
		return true
	})
	return nil
}

func (b *breaks) all() []error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]error(nil), b.errs...)
}

// A connection on which nothing arrives any more, the network holding
// everything, is noticed by the idle timeout, and the dialer then resumes
// rather than fail; what was sent into the silence arrives once.
func TestIdleTimeoutNoticesADeadPeer(t *testing.T) {
	const idle = 300 * time.Millisecond
	lcfg := testConfig()
	lcfg.IdleTimeout = idle
	l := serve(t, lcfg)
	proxy := testkit.NewProxy(t, l.Addr().String())
	// The first connection goes through the proxy, which goes silent; the
	// resume goes around it.
	r := &router{route: func(n int) string {
		if n == 0 {
			return proxy.Addr()
		}
		return l.Addr().String()
	}}
	dcfg := testConfig()
	dcfg.IdleTimeout = idle
	dcfg.Dialer = r.dial
	log := &breaks{}
	dcfg.Logger = slog.New(log)
	ctx := patience(t)
	d, err := Dial(ctx, "listener", dcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	proxy.Stall(true)
	if err := sendInts(ctx, d.Main(), 0, 2); err != nil {
		t.Fatal(err)
	}
	if err := recvInts(ctx, a.Main(), 0, 2); err != nil {
		t.Fatal(err)
	}
	if d.Resumes() != 1 || r.dials() != 2 {
		t.Fatalf("%d resumes after %d dials", d.Resumes(), r.dials())
	}
	errs := log.all()
	var ne net.Error
	if len(errs) != 1 || !errors.Is(errs[0], ErrConnLost) || !errors.As(errs[0], &ne) || !ne.Timeout() {
		t.Fatalf("the connection broke with %v, want the idle timeout", errs)
	}
}
