package conn

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// A session closed by CloseContext while its connection has gone silent
// resumes once it is cut, and delivers its last value and its close
// before it ends, flushed.
func TestCloseContextResumesThroughCut(t *testing.T) {
	cfg := testConfig()
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	ctx := patience(t)
	proxy.Stall(true)
	closed := sendAndCloseContext(t, ctx, p.d)
	proxy.Cut()
	proxy.Stall(false)
	in := p.a.Main()
	m, err := in.Next(ctx)
	if err != nil {
		t.Fatalf("the listener's Next: %v, want the last value", err)
	}
	if got := string(m.Value); got != "last" {
		t.Fatalf("the listener received %q, want %q", got, "last")
	}
	m.Release()
	in.Take()
	if _, err := in.Next(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("the listener's Next after the last value: %v, want io.EOF", err)
	}
	testkit.Recv(t, closed)
	if !p.d.Flushed() {
		t.Fatalf("the dialer's session ended with %v, not flushed", p.d.Err())
	}
}

// A CloseContext that cannot resume stops short when its ctx ends: the
// session ends, not flushed, with ErrClosed.
func TestCloseContextStopsWithCtx(t *testing.T) {
	cfg := testConfig()
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	ctx, cancel := context.WithCancel(patience(t))
	proxy.Stall(true)
	proxy.Refuse(true)
	closed := sendAndCloseContext(t, ctx, p.d)
	proxy.Cut()
	testkit.Eventually(t, "the dialer to try to resume", func() bool { return proxy.Refused() > 0 })
	select {
	case <-closed:
		t.Fatal("CloseContext returned while its ctx lived and its last frames were not acknowledged")
	default:
	}
	cancel()
	testkit.Recv(t, closed)
	if p.d.Flushed() {
		t.Fatal("the dialer's session ended flushed, though its last frames never arrived")
	}
	if err := p.d.Err(); !errors.Is(err, ErrClosed) {
		t.Fatalf("the dialer's session ended with %v, want ErrClosed", err)
	}
}

// sendAndCloseContext sends "last" on s's main stream, closes it, and
// runs CloseContext(ctx) in a goroutine: the channel returned closes when
// it returned.
func sendAndCloseContext(t *testing.T, ctx context.Context, s *Session) <-chan struct{} {
	t.Helper()
	st := s.Main()
	if err := st.Reserve(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Send([]byte("last")); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseSend(); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		_ = s.CloseContext(ctx)
		close(closed)
	}()
	return closed
}

// A listener's session that closes by CloseContext, whose dialer read its
// goodbye and ended but whose answer was cut, cannot tell that dialer from
// one about to resume: it waits for a resume for a few of the dialer's
// attempts, not the whole window, and ends with its last frames' fate
// unknown.
func TestCloseContextListenerWaitsBriefly(t *testing.T) {
	cfg := testConfig()
	cfg.ResumeWindow = time.Hour
	var proxy *testkit.Proxy
	p := connect(t, cfg, cfg, func(addr string) string {
		proxy = testkit.NewProxy(t, addr)
		return proxy.Addr()
	})
	ctx := patience(t)
	st := p.a.Main()
	if err := st.Reserve(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Send([]byte("last")); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the value to reach the dialer", func() bool { return p.d.Main().Inbox().Len() == 1 })
	proxy.CutAfter(1, testkit.Up, testkit.RST) // the dialer's answer to the goodbye
	closed := make(chan struct{})
	go func() {
		_ = p.a.CloseContext(ctx)
		close(closed)
	}()
	testkit.Recv(t, p.d.Done())
	if err := p.d.Err(); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("the dialer's session ended with %v, want ErrPeerClosed", err)
	}
	testkit.Recv(t, closed)
	if err := p.a.Err(); !errors.Is(err, ErrSessionLost) {
		t.Fatalf("the listener's session ended with %v, want ErrSessionLost", err)
	}
}
