package conn

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
)

// shortTimeout is testConfig with a short handshake timeout.
func shortTimeout(d time.Duration) *Config {
	cfg := testConfig()
	cfg.HandshakeTimeout = d
	return cfg
}

// wantTimeout fails unless err is a handshake failure that is a net.Error
// with Timeout() true.
func wantTimeout(t *testing.T, what string, err error) {
	t.Helper()
	wantErr(t, what, err, ErrHandshake)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("%s: error %v is not a net.Error with Timeout() true", what, err)
	}
}

// A listener that accepts and says nothing: Dial gives up after its
// handshake timeout.
func TestHandshakeTimeoutDial(t *testing.T) {
	nl := testkit.Loopback(t)
	defer nl.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if nc, err := nl.Accept(); err == nil {
			accepted <- nc
		}
		close(accepted)
	}()
	_, err := Dial(context.Background(), nl.Addr().String(), shortTimeout(200*time.Millisecond))
	wantTimeout(t, "silent listener", err)
	if nc, ok := testkit.Recv(t, accepted); ok {
		_ = nc.Close()
	}
}

// A dialer that connects and says nothing: the listener gives up after
// its handshake timeout, and says so.
func TestHandshakeTimeoutSilentDialer(t *testing.T) {
	l, errs := serveErrs(t, shortTimeout(200*time.Millisecond))
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	err, _ = testkit.Recv(t, errs)
	wantTimeout(t, "listener with a silent dialer", err)
}

// Over a connection without buffers, net.Pipe, whose far end reads the
// hello and never answers.
func TestHandshakeTimeoutPipe(t *testing.T) {
	cfg := shortTimeout(200 * time.Millisecond)
	far := make(chan net.Conn, 1)
	cfg.Dialer = func(ctx context.Context, addr string) (net.Conn, error) {
		a, b := net.Pipe()
		far <- b
		return a, nil
	}
	done := make(chan error, 1)
	go func() {
		_, err := Dial(context.Background(), "pipe", cfg)
		done <- err
	}()
	b, _ := testkit.Recv(t, far)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, b)
	}()
	err, _ := testkit.Recv(t, done)
	wantTimeout(t, "silent pipe", err)
	_ = b.Close()
	<-drained
}

// Dial's context ending stops a handshake under way at once, with the
// context's cause.
func TestHandshakeContextEnds(t *testing.T) {
	nl := testkit.Loopback(t)
	defer nl.Close()
	accepted := make(chan struct{})
	go func() {
		if nc, err := nl.Accept(); err == nil {
			defer nc.Close()
			// The hello's first byte: Dial is past its TCP dial.
			_, _ = nc.Read(make([]byte, 1))
			close(accepted)
			_, _ = io.Copy(io.Discard, nc)
		}
	}()
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("the test gave up")
	done := make(chan error, 1)
	go func() {
		_, err := Dial(ctx, nl.Addr().String(), testConfig())
		done <- err
	}()
	testkit.Recv(t, accepted)
	cancel(cause)
	within(t, testkit.Patience/2, "Dial after its context ended", func() error {
		err := <-done
		if !errors.Is(err, cause) {
			t.Errorf("Dial: %v, want the context's cause", err)
		}
		return nil
	})
}
