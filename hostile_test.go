package netchan_test

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan"
	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
	"github.com/netchan/netchan/typed"
	"go.uber.org/goleak"
)

// heapAlloc returns the live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapGrowth returns by how much the live heap grew since before, or 0.
func heapGrowth(before uint64) uint64 {
	if after := heapAlloc(); after > before {
		return after - before
	}
	return 0
}

func TestPlaintextDialerTLSListener(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := netchan.NewSecret()
	addr, ls, lr, log := listenLogged[int](t, ctx, netchan.WithSecret(secret))
	_, _, err := netchan.Dial[int](ctx, addr, netchan.Insecure())
	if !errors.Is(err, netchan.ErrHandshake) || !strings.Contains(err.Error(), "TLS") {
		t.Fatalf("Insecure Dial to a TLS listener: %v; want ErrHandshake naming TLS", err)
	}
	t.Logf("dialer: %v", err)
	lerr := reported(t, log, "the listener to report the plaintext client", netchan.ErrHandshake)
	if !strings.Contains(lerr.Error(), "TLS") {
		t.Errorf("listener reported %q; want it to name TLS", lerr)
	}
	honestExchange(t, addr, ls, lr, 1, 2, netchan.WithSecret(secret))
}

func TestTLSDialerPlaintextListener(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, ls, lr, log := listenLogged[int](t, ctx, netchan.Insecure())
	_, _, err := netchan.Dial[int](ctx, addr, netchan.WithSecret(netchan.NewSecret()))
	if !errors.Is(err, netchan.ErrHandshake) || !strings.Contains(err.Error(), "Insecure") {
		t.Fatalf("TLS Dial to an Insecure listener: %v; want ErrHandshake naming Insecure", err)
	}
	lerr := reported(t, log, "the listener to report the TLS client", netchan.ErrHandshake)
	if !strings.Contains(lerr.Error(), "TLS") {
		t.Errorf("listener reported %q; want it to name TLS", lerr)
	}
	honestExchange(t, addr, ls, lr, 1, 2, netchan.Insecure())
}

// Bytes that are not netchan, before or after the handshake, end only the
// connection that carried them.
func TestGarbageBytes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, ls, lr, log := listenLogged[int](t, ctx, netchan.Insecure())

	nc, err := net.DialTimeout("tcp", addr, testkit.Patience)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := io.WriteString(nc, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if !(&rawConn{nc}).ended() {
		t.Fatal("the listener kept a connection that sent HTTP")
	}
	err = reported(t, log, "the listener to report a client that does not speak netchan", netchan.ErrHandshake)
	if !strings.Contains(err.Error(), "does not speak netchan") {
		t.Errorf("listener reported %q", err)
	}

	p := testkit.DialPeer(t, addr, testkit.PeerHello())
	garbage := []byte("\x00\x00\x00\x10\xffnot a frame at all, just noise")
	if err := p.Write(garbage); err != nil {
		t.Fatal(err)
	}
	wantGoAway(t, p, wire.CodeProtocol)
	reported(t, log, "the listener to report the bad frame", netchan.ErrProtocol)
	honestExchange(t, addr, ls, lr, 1, 2, netchan.Insecure())
}

// A frame cut short by the end of the connection is a lost connection, not
// a value.
func TestTruncatedFrame(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, ls, lr, log := listenLogged[int](t, ctx, netchan.Insecure())
	p := testkit.DialPeer(t, addr, testkit.PeerHello())
	frame := testkit.DataFrame(1, 0, make([]byte, 100))
	if err := p.Write(frame[:wire.HeaderSize+10]); err != nil {
		t.Fatal(err)
	}
	if err := p.Conn().(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	err := reported(t, log, "the listener to report the lost connection", netchan.ErrConnLost)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reported %v; want it to wrap io.ErrUnexpectedEOF", err)
	}
	honestExchange(t, addr, ls, lr, 1, 2, netchan.Insecure())
}

// countingListener counts the connections it accepted.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// A thousand connections that never start their handshake do not stop an
// honest client: each handshake waits in a goroutine of its own.
func TestSlowlorisDoesNotBlockHonestClient(t *testing.T) {
	const idle = 1000
	trust := testkit.NewTrust(t)
	ctx, cancel := context.WithCancel(context.Background())
	ln := &countingListener{Listener: testkit.Loopback(t)}
	addr := ln.Addr().String()
	log := &errorLog{}
	ls, lr, err := netchan.Listen[int](ctx, "", netchan.WithListener(ln), netchan.WithTLS(trust.Server), netchan.OnError(log.add))
	if err != nil {
		t.Fatal(err)
	}
	var silent []net.Conn
	closeSilent := func() {
		for _, c := range silent {
			_ = c.Close()
		}
		silent = nil
	}
	defer closeSilent()
	for range idle {
		c, err := net.DialTimeout("tcp", addr, testkit.Patience)
		if err != nil {
			t.Fatalf("silent connection %d: %v", len(silent), err)
		}
		silent = append(silent, c)
	}
	testkit.Eventually(t, "the listener to accept every silent connection", func() bool { return ln.accepted.Load() >= idle })

	start := time.Now()
	dctx, dcancel := context.WithCancel(ctx)
	ds, dr, err := netchan.Dial[int](dctx, addr, netchan.WithTLS(trust.Client))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("honest Dial behind %d silent connections: %v", idle, err)
	}
	if elapsed >= time.Second {
		t.Fatalf("honest Dial took %v behind %d silent connections; want under 1s (the handshake timeout is %v)", elapsed, idle, netchan.DefaultHandshakeTimeout)
	}
	t.Logf("honest Dial behind %d silent connections took %v", idle, elapsed)
	testkit.Send(t, ds, 1)
	if v, _ := testkit.Recv(t, lr); v != 1 {
		t.Fatalf("listener got %d", v)
	}
	testkit.Send(t, ls, 2)
	if v, _ := testkit.Recv(t, dr); v != 2 {
		t.Fatalf("dialer got %d", v)
	}

	closeSilent()
	dcancel()
	cancel()
	if _, ok := testkit.Recv(t, lr); ok {
		t.Fatal("value after the listener's end")
	}
	// Every handshake goroutine of the silent connections has ended.
	goleak.VerifyNone(t)
}

// A peer that never reads nor grants credit holds the sender at its
// capacity; nothing is buffered beyond it.
func TestPeerThatStopsReading(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const capacity, size = 4, 1 << 20
	ln := testkit.Loopback(t)
	l, err := typed.Listen[[]byte](ctx, "", netchan.WithListener(ln), netchan.Insecure(), netchan.WithBuffer(capacity))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h := testkit.PeerHello()
	h.MaxValue = 2 * size
	p := testkit.DialPeer(t, ln.Addr().String(), h)
	actx, acancel := context.WithTimeout(ctx, testkit.Patience)
	defer acancel()
	c, err := l.Accept(actx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer p.Close() // first: a peer that vanishes fails the blocked write at once

	before := heapAlloc()
	value := make([]byte, size)
	for i := range capacity {
		if err := c.Send(actx, value); err != nil {
			t.Fatalf("Send %d within the capacity: %v", i, err)
		}
	}
	for i := range 20 {
		sctx, scancel := context.WithTimeout(ctx, testkit.Settle)
		err := c.Send(sctx, value)
		scancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send %d beyond the capacity of %d: %v; want DeadlineExceeded", capacity+i, capacity, err)
		}
	}
	// capacity values may be held, in the writer's queue (with its growth
	// slack) or the socket; the twenty refused ones would add 20 MiB more.
	if grew := heapGrowth(before); grew > 16*size {
		t.Fatalf("heap grew by %d MiB for %d values of 1 MiB in flight", grew>>20, capacity)
	}
	if err := c.Err(); err != nil {
		t.Fatalf("the connection failed: %v", err)
	}
}

// A header claiming a 4 GiB value ends the connection with ErrTooLarge
// from the header alone: nothing is allocated, nothing more is read.
func TestFrameClaiming4GiB(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, ls, lr, log := listenLogged[int](t, ctx, netchan.Insecure())
	before := heapAlloc()
	p := testkit.DialPeer(t, addr, testkit.PeerHello())
	hdr := wire.AppendHeader(nil, wire.Header{Length: 0xFFFFFFFF, Kind: wire.KindData, Stream: 1})
	if err := p.Write(hdr); err != nil {
		t.Fatal(err)
	}
	// The peer sends nothing after the header: a listener that waited for
	// the payload would never answer.
	wantGoAway(t, p, wire.CodeLimit)
	reported(t, log, "ErrTooLarge to reach OnError", netchan.ErrTooLarge)
	if grew := heapGrowth(before); grew > 64<<20 {
		t.Fatalf("heap grew by %d MiB after a frame claiming 4 GiB", grew>>20)
	}
	honestExchange(t, addr, ls, lr, 1, 2, netchan.Insecure())
}
