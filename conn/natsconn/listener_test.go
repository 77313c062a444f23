package natsconn_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/conn/natsconn"
	"github.com/netchan/netchan/internal/testkit"
	"go.uber.org/goleak"
)

// Close may be called twice, makes Accept fail, refuses later dials at
// once, and leaves no subscription and no goroutine behind.
func TestListenerClose(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	l, err := natsconn.Listen(nc, "closing")
	if err != nil {
		t.Fatal(err)
	}
	if a := l.Addr(); a.Network() != "nats" || a.String() != "closing" {
		t.Fatalf("Addr: %s %s, want nats closing", a.Network(), a.String())
	}
	accepted := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		accepted <- err
	}()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	select {
	case err := <-accepted:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(patience):
		t.Fatal("Accept still waits after Close")
	}
	noSubscriptions(t, nc)

	// A dial to the closed listener's subject fails well within netchan's
	// handshake timeout: no one subscribes to it any more.
	const handshake = 5 * time.Second
	start := time.Now()
	_, _, err = netchan.Dial[int](context.Background(), "closing", netchan.Insecure(),
		netchan.WithDialer(natsconn.Dialer(nc)), netchan.WithHandshakeTimeout(handshake))
	if !errors.Is(err, natsconn.ErrNoListener) {
		t.Fatalf("Dial after Close: %v, want ErrNoListener", err)
	}
	if d := time.Since(start); d >= handshake {
		t.Fatalf("Dial after Close failed after %v", d)
	}
	noSubscriptions(t, nc)
}

// A listener closed with a connection still open refuses dials to its own
// subject, closes the connections that waited for Accept, and lets the
// open one run; its last subscription ends with that connection.
func TestListenerCloseWithOpenConnection(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	dial := natsconn.Dialer(nc)
	l, err := natsconn.Listen(nc, "half-open")
	if err != nil {
		t.Fatal(err)
	}
	d, err := dial(ctx, "half-open")
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := dial(ctx, "half-open") // accepted by the protocol, never by Accept
	if err != nil {
		t.Fatal(err)
	}
	_ = l.Close()

	if _, err := waiting.Read(make([]byte, 1)); err == nil {
		t.Fatal("a connection waiting for Accept still reads after the listener closed")
	}
	resume := d.(*natsconn.Conn).ResumeAddr()
	if _, err := dial(ctx, resume); !errors.Is(err, natsconn.ErrRefused) {
		t.Fatalf("dial to the closed listener's own subject: %v, want ErrRefused", err)
	}
	echo(t, d, a)
	for _, c := range []net.Conn{d, a, waiting} {
		_ = c.Close()
	}
	noSubscriptions(t, nc)
	if _, err := dial(ctx, resume); !errors.Is(err, natsconn.ErrNoListener) {
		t.Fatalf("dial to the closed listener's own subject, every connection closed: %v, want ErrNoListener", err)
	}
	noSubscriptions(t, nc)
}

// echo writes a line on a and reads it on b, then back.
func echo(t *testing.T, a, b net.Conn) {
	t.Helper()
	for _, dir := range [][2]net.Conn{{a, b}, {b, a}} {
		msg := fmt.Sprintf("from %v", dir[0].LocalAddr())
		if _, err := dir[0].Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len(msg))
		if _, err := readFull(dir[1], buf); err != nil || string(buf) != msg {
			t.Fatalf("read %q, %v; want %q", buf, err, msg)
		}
	}
}

// readFull reads len(b) bytes within patience.
func readFull(c net.Conn, b []byte) (int, error) {
	_ = c.SetReadDeadline(time.Now().Add(patience))
	defer c.SetReadDeadline(time.Time{})
	n := 0
	for n < len(b) {
		k, err := c.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Two listeners on one subject, on two NATS connections as two processes
// would have, share 8 dialers: each dialer is served by one listener, each
// value reaches exactly one listener, and each comes back once, echoed by
// that listener to one of its own clients.
func TestListenersShareDialers(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := trusts(t)[1]
	type hop struct{ listener, dialer, value int }
	reached, echoed := make(chan hop, 1024), make(chan hop, 1024)
	for i := range 2 {
		nc := connect(t, s.ClientURL())
		send, recv := listen[int](t, ctx, nc, "shared", tr.listen...)
		go func() {
			for v := range recv {
				reached <- hop{listener: i, value: v}
				select {
				case send <- v:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	const dialers, perDialer = 8, 100
	ncD := connect(t, s.ClientURL())
	// The dialers end before their nats.Conn closes, so that the
	// listeners hear of it.
	var receivers sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		receivers.Wait()
	})
	for d := range dialers {
		send, recv, err := netchan.Dial[int](ctx, "shared", append(tr.dialer, netchan.WithDialer(natsconn.Dialer(ncD)))...)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for i := range perDialer {
				select {
				case send <- d*perDialer + i:
				case <-ctx.Done():
					return
				}
			}
		}()
		receivers.Go(func() {
			for v := range recv {
				echoed <- hop{dialer: d, value: v}
			}
		})
	}
	const n = dialers * perDialer
	servedBy := map[int]int{} // dialer to listener
	reachedBy := map[int]int{}
	for range n {
		h := recvHop(t, reached)
		if _, again := reachedBy[h.value]; again {
			t.Fatalf("value %d reached the listeners twice", h.value)
		}
		reachedBy[h.value] = h.listener
		d := h.value / perDialer
		if l, ok := servedBy[d]; ok && l != h.listener {
			t.Fatalf("dialer %d's values reached both listeners", d)
		}
		servedBy[d] = h.listener
	}
	back := map[int]bool{}
	for range n {
		h := recvHop(t, echoed)
		if back[h.value] {
			t.Fatalf("value %d came back twice", h.value)
		}
		back[h.value] = true
		if servedBy[h.dialer] != reachedBy[h.value] {
			t.Fatalf("value %d, received by listener %d, came back to dialer %d, a client of the other", h.value, reachedBy[h.value], h.dialer)
		}
	}
	t.Logf("the listener of each dialer: %v", servedBy)
}

func recvHop[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	v, _ := testkit.Recv(t, ch)
	return v
}
