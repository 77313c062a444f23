package natsconn_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/netchan/netchan/conn/natsconn"
)

// rawPair dials a natsconn listener on subject over ncL from ncD and
// returns both ends; the test's cleanup closes them.
func rawPair(t *testing.T, ncL, ncD *nats.Conn, subject string) (net.Listener, net.Conn, net.Conn) {
	t.Helper()
	l, err := natsconn.Listen(ncL, subject)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	d, err := natsconn.Dialer(ncD)(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	a, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	echo(t, d, a)
	return l, d, a
}

// brokenBy waits for c's Read to fail and checks the error: it wraps
// ErrBroken and cause, and byPeer tells which end noticed.
func brokenBy(t *testing.T, who string, c net.Conn, cause error, byPeer bool) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(patience))
	var err error
	for err == nil {
		_, err = c.Read(make([]byte, 64))
	}
	var b *natsconn.BrokenError
	if !errors.As(err, &b) || !wraps(err, natsconn.ErrBroken, cause) {
		t.Fatalf("the %s's Read: %v; want a broken connection wrapping %v", who, err, cause)
	}
	if b.ByPeer != byPeer {
		t.Fatalf("the %s's Read: %v; want it noticed by the peer: %v", who, err, byPeer)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, natsconn.ErrBroken) {
		t.Fatalf("the %s's Write after the break: %v", who, err)
	}
}

// A message that never arrives breaks the connection at the end that sees
// the gap, which tells the other: both fail, neither reads past the gap.
func TestLostMessageBreaksBothEnds(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	_, d, a := rawPair(t, nc, nc, "lossy")
	// A message numbered well past the next one: those between were lost.
	forged := natsconn.DataMessage(natsconn.Received(a)+1000, []byte("after the gap"))
	if err := nc.Publish(natsconn.Inbox(a), forged); err != nil {
		t.Fatal(err)
	}
	brokenBy(t, "listener's end", a, natsconn.ErrLost, false)
	brokenBy(t, "dialer's end", d, natsconn.ErrLost, true)
}

// When a nats.Conn loses its server, its connections break at once, and
// their peers, on other servers, hear of it as soon as it reconnects.
func TestDisconnectBreaksBothEnds(t *testing.T) {
	nodes := startCluster(t, 2)
	ncL := connect(t, nodes[1].ClientURL())
	ncD := connect(t, nodes[0].ClientURL()+","+nodes[1].ClientURL(),
		nats.DontRandomize(), nats.ReconnectWait(10*time.Millisecond), nats.MaxReconnects(-1))
	l, err := natsconn.Listen(ncL, "fragile")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	interest(t, nodes[0], "fragile")
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	d, err := natsconn.Dialer(ncD)(ctx, "fragile")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	echo(t, d, a)

	nodes[0].Shutdown()
	brokenBy(t, "dialer's end", d, natsconn.ErrDisconnected, false)
	brokenBy(t, "listener's end", a, natsconn.ErrDisconnected, true)
	// The listener goes on: a new dial, through the surviving node, works.
	d2, err := natsconn.Dialer(ncD)(ctx, "fragile")
	if err != nil {
		t.Fatalf("dial after the reconnect: %v", err)
	}
	defer d2.Close()
	a2, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	echo(t, d2, a2)
}

// A peer that vanishes without a word, its nats.Conn closed, is noticed
// once a message waits too long for its answer; its listener stops.
func TestSilentPeerIsNoticed(t *testing.T) {
	defer natsconn.ShortenProbe(10*time.Millisecond, 300*time.Millisecond)()
	s := startServer(t)
	ncL := connect(t, s.ClientURL())
	ncD := connect(t, s.ClientURL())
	l, d, a := rawPair(t, ncL, ncD, "silent")
	ncL.Close()
	if _, err := l.Accept(); !errors.Is(err, natsconn.ErrDisconnected) {
		t.Fatalf("Accept once the nats.Conn closed: %v, want ErrDisconnected", err)
	}
	brokenBy(t, "listener's end", a, natsconn.ErrDisconnected, false)
	if _, err := d.Write([]byte("anyone there?")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	brokenBy(t, "dialer's end", d, natsconn.ErrUnanswered, false)
}

// Close lets the peer read what was written, then io.EOF, and makes its
// writes fail; CloseWrite ends one direction only.
func TestCloseAndCloseWrite(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	_, d, a := rawPair(t, nc, nc, "closing")

	if _, err := d.Write([]byte("last words")); err != nil {
		t.Fatal(err)
	}
	if err := d.(*natsconn.Conn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Write([]byte("more")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after CloseWrite: %v, want net.ErrClosed", err)
	}
	got, err := readAll(a)
	if err != nil || string(got) != "last words" {
		t.Fatalf("read %q, %v; want the last words, then io.EOF", got, err)
	}
	// The other direction still works.
	echoOneWay(t, a, d, "still here")

	if _, err := a.Write([]byte("goodbye")); err != nil {
		t.Fatal(err)
	}
	_ = a.Close()
	got, err = readAll(d)
	if err != nil || string(got) != "goodbye" {
		t.Fatalf("read %q, %v; want goodbye, then io.EOF", got, err)
	}
	if _, err := a.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close: %v, want net.ErrClosed", err)
	}
	// CloseWrite was called on d, so a write fails on that count; a
	// fresh pair shows the peer's close.
	_, d2, a2 := rawPair(t, nc, nc, "closing2")
	_ = a2.Close()
	if _, err := readAll(d2); err != nil {
		t.Fatalf("read after the peer's close: %v, want io.EOF", err)
	}
	if _, err := d2.Write([]byte("hello?")); !errors.Is(err, natsconn.ErrPeerClosed) {
		t.Fatalf("Write after the peer's close: %v, want ErrPeerClosed", err)
	}
}

// readAll reads until io.EOF, within patience.
func readAll(c net.Conn) ([]byte, error) {
	_ = c.SetReadDeadline(time.Now().Add(patience))
	defer c.SetReadDeadline(time.Time{})
	return io.ReadAll(c)
}

func echoOneWay(t *testing.T, from, to net.Conn, msg string) {
	t.Helper()
	if _, err := from.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	if _, err := readFull(to, buf); err != nil || string(buf) != msg {
		t.Fatalf("read %q, %v; want %q", buf, err, msg)
	}
}

// Dials fail with errors that say why.
func TestDialErrors(t *testing.T) {
	s := startServer(t)
	nc := connect(t, s.ClientURL())
	dial := natsconn.Dialer(nc)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if _, err := dial(ctx, "nobody.here"); !errors.Is(err, natsconn.ErrNoListener) {
		t.Fatalf("dial with no listener: %v, want ErrNoListener", err)
	}
	// A subscriber that never answers: the dial ends with its ctx.
	sub, err := nc.Subscribe("mute", func(*nats.Msg) {})
	if err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if _, err := dial(short, "mute"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("dial to a mute subscriber: %v, want the ctx's deadline", err)
	}
	_ = sub.Unsubscribe()
	noSubscriptions(t, nc)
	nc.Close()
	if _, err := dial(ctx, "anything"); !errors.Is(err, nats.ErrConnectionClosed) {
		t.Fatalf("dial on a closed nats.Conn: %v, want nats.ErrConnectionClosed", err)
	}
	if _, err := natsconn.Listen(nc, "anything"); !errors.Is(err, nats.ErrConnectionClosed) {
		t.Fatalf("listen on a closed nats.Conn: %v, want nats.ErrConnectionClosed", err)
	}
}
