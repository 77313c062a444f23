package conn

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// A listener that restarted on the same address no longer holds the
// session: its dialer reports ErrSessionLost as soon as a resume reaches
// it, not when the window passes.
func TestListenerRestartLosesSession(t *testing.T) {
	cfg := testConfig()
	cfg.ResumeWindow = time.Hour
	ctx := patience(t)
	l1, err := Listen(ctx, "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr := l1.Addr().String()
	proxy := testkit.NewProxy(t, addr)
	d, err := Dial(ctx, proxy.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := l1.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := exchange(ctx, d.Main(), a.Main(), 3); err != nil {
		t.Fatal(err)
	}
	// The listener's process dies: nothing it says reaches the dialer.
	proxy.Refuse(true)
	proxy.Reset()
	_ = a.Close()
	_ = l1.Close()
	l2, err := Listen(ctx, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	proxy.Refuse(false)
	start := time.Now()
	err = ended(t, d)
	wantErr(t, "dialer", err, ErrSessionLost)
	if err != nil && !strings.Contains(err.Error(), "does not hold") {
		t.Errorf("the dialer's error %q does not say the listener lost the session", err)
	}
	// The redial delay is at most maxRedial: the dialer may have been
	// waiting that long when the new listener came.
	if took := time.Since(start); took > maxRedial+5*time.Second {
		t.Errorf("the session was lost %v after the listener came back", took)
	}
}

// The resume window passing with no resume loses the session at both
// ends, each a window after it noticed the break, not before.
func TestResumeWindowPasses(t *testing.T) {
	const window = time.Second
	cfg := testConfig()
	cfg.ResumeWindow = window
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	proxy.Refuse(true)
	start := time.Now()
	proxy.Reset()
	for what, s := range map[string]*Session{"dialer": p.d, "listener": p.a} {
		wantErr(t, what, ended(t, s), ErrSessionLost)
		if took := time.Since(start); took < window {
			t.Errorf("the %s lost its session %v after the cut, within the window of %v", what, took, window)
		}
	}
}

// With resume off at either end, a cut ends the session at both with
// ErrConnLost, at once.
func TestResumeOff(t *testing.T) {
	for _, off := range []string{"dialer", "listener", "both"} {
		t.Run(off, func(t *testing.T) {
			lcfg, dcfg := testConfig(), testConfig()
			if off != "dialer" {
				lcfg.ResumeWindow = 0
			}
			if off != "listener" {
				dcfg.ResumeWindow = 0
			}
			var proxy *testkit.Proxy
			p := connect(t, lcfg, dcfg, func(addr string) string {
				proxy = testkit.NewProxy(t, addr)
				return proxy.Addr()
			})
			if p.d.ResumeWindow() != 0 || p.a.ResumeWindow() != 0 {
				t.Fatalf("windows %v and %v", p.d.ResumeWindow(), p.a.ResumeWindow())
			}
			proxy.Reset()
			for what, s := range map[string]*Session{"dialer": p.d, "listener": p.a} {
				err := ended(t, s)
				wantErr(t, what, err, ErrConnLost)
				if errors.Is(err, ErrSessionLost) {
					t.Errorf("%s: %v: no resume was tried, none could be lost", what, err)
				}
			}
			if proxy.Conns() != 1 {
				t.Errorf("%d connections: the dialer dialed again", proxy.Conns())
			}
		})
	}
}

// Close while the dialer dials again ends the session promptly, whether
// the dial or the handshake hangs.
func TestCloseDuringRedial(t *testing.T) {
	for _, hang := range []string{"dial", "handshake"} {
		t.Run(hang, func(t *testing.T) {
			l := serve(t, testConfig())
			silent := testkit.Loopback(t)
			defer silent.Close()
			redialing := make(chan struct{}, 1)
			r := &router{route: func(n int) string {
				if n == 0 {
					return l.Addr().String()
				}
				return silent.Addr().String()
			}}
			cfg := testConfig()
			cfg.Dialer = func(ctx context.Context, addr string) (net.Conn, error) {
				if r.dials() > 0 {
					select {
					case redialing <- struct{}{}:
					default:
					}
					if hang == "dial" {
						<-ctx.Done()
						return nil, context.Cause(ctx)
					}
				}
				return r.dial(ctx, addr)
			}
			ctx := patience(t)
			d, err := Dial(ctx, "listener", cfg)
			if err != nil {
				t.Fatal(err)
			}
			a, err := l.Accept(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			r.reset()
			testkit.Recv(t, redialing)
			// The silent listener never answers: without Close's
			// interruption, the handshake would wait for its timeout.
			within(t, testkit.Patience/4, "Close during a redial", func() error { return d.Close() })
			if err := d.Err(); !errors.Is(err, ErrClosed) {
				t.Errorf("Err after Close: %v", err)
			}
		})
	}
}
