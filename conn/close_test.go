package conn

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// An end that closes its session tells the peer, which ends at once with
// ErrPeerClosed rather than wait out the resume window as after a cut:
// whichever end closes, with values in flight or none.
func TestCloseTellsThePeer(t *testing.T) {
	cfg := testConfig()
	cfg.ResumeWindow = 24 * time.Hour
	for _, closer := range []string{"dialer", "listener"} {
		for _, inFlight := range []int{0, 1, 50} {
			t.Run(fmt.Sprintf("%s/%d in flight", closer, inFlight), func(t *testing.T) {
				for range 10 {
					p := connect(t, cfg, cfg, nil)
					from, to := p.d, p.a
					if closer == "listener" {
						from, to = p.a, p.d
					}
					ctx := patience(t)
					go func() { _ = sendInts(ctx, to.Main(), 0, inFlight) }()
					if err := sendInts(ctx, from.Main(), 0, min(inFlight, 2)); err != nil {
						t.Fatal(err)
					}
					_ = from.Close()
					if err := ended(t, to); !errors.Is(err, ErrPeerClosed) {
						t.Fatalf("the peer of a session closed ended with %v", err)
					}
					if r := to.Resumes(); r != 0 {
						t.Fatalf("%d resumes", r)
					}
					_ = to.Close()
					_ = p.l.Close()
				}
			})
		}
	}
}

// Close is idempotent, and every call waits for the end.
func TestCloseIdempotent(t *testing.T) {
	p := connect(t, testConfig(), testConfig(), nil)
	done := make(chan struct{})
	for range 3 {
		go func() {
			_ = p.d.Close()
			select {
			case <-p.d.Done():
			default:
				t.Error("Close returned before the session's end")
			}
			done <- struct{}{}
		}()
	}
	for range 3 {
		testkit.Recv(t, done)
	}
	if err := p.d.Err(); err != ErrClosed {
		t.Fatalf("Err after Close: %v", err)
	}
}

// Close flushes what was sent before it: the peer's program receives every
// value, then the session's end.
func TestCloseFlushes(t *testing.T) {
	cfg := testConfig()
	cfg.Capacity = 64
	p := connect(t, cfg, cfg, nil)
	ctx := patience(t)
	if err := sendInts(ctx, p.d.Main(), 0, 50); err != nil {
		t.Fatal(err)
	}
	_ = p.d.Close()
	if err := recvInts(ctx, p.a.Main(), 0, 50); err != nil {
		t.Fatal(err)
	}
	if _, err := p.a.Main().Next(ctx); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("Next after the values: %v, want ErrPeerClosed", err)
	}
}

// A listener that closes ends the sessions it has not handed to Accept,
// telling their dialers, and loses those waiting for a resume; the
// sessions it handed out are their owners'.
func TestListenerClose(t *testing.T) {
	cfg := testConfig()
	cfg.ResumeWindow = time.Hour
	l, err := Serve(testkit.Loopback(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := patience(t)
	// One accepted and cut, one accepted and kept, one never accepted.
	proxy := testkit.NewProxy(t, l.Addr().String())
	cut, err := Dial(ctx, proxy.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer cut.Close()
	cutAt, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := Dial(ctx, l.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	keptAt, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer keptAt.Close()
	waiting, err := Dial(ctx, l.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer waiting.Close()
	proxy.Refuse(true)
	proxy.Reset()
	testkit.Eventually(t, "the listener to see the cut", func() bool { return detached(l, cutAt) })

	_ = l.Close()
	wantErr(t, "the session waiting for a resume", ended(t, cutAt), ErrSessionLost)
	wantErr(t, "the dialer never accepted", ended(t, waiting), ErrPeerClosed)
	if _, err := l.Accept(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
	if err := exchange(ctx, kept.Main(), keptAt.Main(), 3); err != nil {
		t.Fatalf("a session handed out before the listener closed: %v", err)
	}
}

// A listener at its limit of sessions refuses one more with ErrLimit.
func TestListenerMaxConns(t *testing.T) {
	lcfg := testConfig()
	lcfg.MaxConns = 1
	l := serve(t, lcfg)
	ctx := patience(t)
	d, err := Dial(ctx, l.Addr().String(), testConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := l.Accept(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Dial(ctx, l.Addr().String(), testConfig())
	wantErr(t, "a dial beyond the limit", err, ErrLimit)
	// An ended session frees its place.
	_ = a.Close()
	_ = ended(t, d)
	testkit.Eventually(t, "a place", func() bool {
		s, err := Dial(ctx, l.Addr().String(), testConfig())
		if err == nil {
			_ = s.Close()
		}
		return err == nil
	})
}
