package conn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// testConfig is an insecure configuration with small limits.
func testConfig() *Config {
	return &Config{
		Insecure:         true,
		Codec:            "cbor",
		Capacity:         2,
		MaxValue:         1024,
		HandshakeTimeout: testkit.Patience,
		ResumeWindow:     testkit.Patience,
		MaxStreams:       16,
		Logger:           slog.New(slog.DiscardHandler),
	}
}

// pair is a dialer's session and the listener's session it made.
type pair struct {
	l      *Listener
	d, a   *Session // dialer's, accepted
	listen string   // the listener's address
}

// connect listens with lcfg and dials addr(listener's address) with dcfg.
// The test's cleanup closes everything.
func connect(t testing.TB, lcfg, dcfg *Config, via func(addr string) string) *pair {
	t.Helper()
	l, err := Serve(testkit.Loopback(t), lcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	p := &pair{l: l, listen: l.Addr().String()}
	addr := p.listen
	if via != nil {
		addr = via(addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	if p.d, err = Dial(ctx, addr, dcfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.d.Close() })
	if p.a, err = l.Accept(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.a.Close() })
	return p
}

// sendInts sends the numbers [from, to) on st, each encoded as its decimal
// text, and returns the first error.
func sendInts(ctx context.Context, st *Stream, from, to int) error {
	for i := from; i < to; i++ {
		if err := st.Reserve(ctx); err != nil {
			return fmt.Errorf("reserve %d: %w", i, err)
		}
		if _, err := st.Send([]byte(strconv.Itoa(i))); err != nil {
			return fmt.Errorf("send %d: %w", i, err)
		}
	}
	return nil
}

// recvInts receives n numbers from st, checks they are [from, from+n) in
// order, and takes each.
func recvInts(ctx context.Context, st *Stream, from, n int) error {
	for i := from; i < from+n; i++ {
		m, err := st.Next(ctx)
		if err != nil {
			return fmt.Errorf("value %d: %w", i, err)
		}
		got := string(m.Value)
		m.Release()
		st.Take()
		if got != strconv.Itoa(i) {
			return fmt.Errorf("received %q, want %d", got, i)
		}
	}
	return nil
}

// recvEOF waits for the peer's close of st.
func recvEOF(ctx context.Context, st *Stream) error {
	m, err := st.Next(ctx)
	if err == nil {
		m.Release()
		return fmt.Errorf("received %q, want the close", m.Value)
	}
	if !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// patience returns a context that ends after testkit.Patience.
func patience(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	t.Cleanup(cancel)
	return ctx
}

// within fails the test unless f returns within d.
func within(t testing.TB, d time.Duration, what string, f func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(d):
		t.Fatalf("%s: not done within %v", what, d)
	}
}
