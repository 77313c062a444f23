package testkit

import (
	"crypto/tls"
	"io"
	"net"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/certs"
)

// MITM is a party in the middle of a TLS connection: it accepts a client's
// TLS with a self-signed certificate of its own, dials the real listener
// with TLS that verifies nothing, and relays the plaintext between the two
// sessions. A client that checks certificates refuses it; one that checks
// nothing talks to it, and only a proof bound to each TLS session (netchan's
// shared secret) can still tell.
type MITM struct {
	relay
	cert     tls.Certificate
	upstream string
	sessions atomic.Int64
}

// NewMITM starts a party in the middle in front of the listener at
// upstream. The test's cleanup closes it.
func NewMITM(tb testing.TB, upstream string) *MITM {
	tb.Helper()
	cert, err := certs.SelfSigned("127.0.0.1", "localhost")
	if err != nil {
		tb.Fatal(err)
	}
	m := &MITM{cert: cert, upstream: upstream}
	m.start(tb, m.intercept)
	return m
}

// Sessions returns how many clients the MITM sat between: both TLS sessions
// established and relaying. A test uses it to show that a refusal came from
// the peers' checks, not from the MITM failing.
func (m *MITM) Sessions() int { return int(m.sessions.Load()) }

func (m *MITM) intercept(client net.Conn) {
	_ = client.SetDeadline(time.Now().Add(Patience))
	// Offer the client whatever application protocol it asks for, as a
	// convincing impostor would.
	var protos []string
	cs := tls.Server(client, &tls.Config{
		MinVersion: tls.VersionTLS13,
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			protos = hello.SupportedProtos
			return &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{m.cert}, NextProtos: protos}, nil
		},
	})
	if cs.Handshake() != nil {
		return
	}
	raw, err := net.DialTimeout("tcp", m.upstream, Patience)
	if err != nil {
		return
	}
	defer raw.Close()
	if !m.track(raw) {
		return
	}
	defer m.forget(raw)
	_ = raw.SetDeadline(time.Now().Add(Patience))
	us := tls.Client(raw, &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true, NextProtos: protos})
	if us.Handshake() != nil {
		return
	}
	m.sessions.Add(1)
	pipe(cs, us)
}

// Tap relays a plain TCP connection to upstream and records every byte that
// crosses it, both ways, as a passive eavesdropper on the network would see
// them.
type Tap struct {
	relay
	upstream string
	mu       gosync.Mutex
	seen     []byte
}

// NewTap starts a tap in front of the listener at upstream. The test's
// cleanup closes it.
func NewTap(tb testing.TB, upstream string) *Tap {
	tb.Helper()
	t := &Tap{upstream: upstream}
	t.start(tb, t.forward)
	return t
}

// Seen returns a copy of every byte relayed so far, both directions mixed.
func (t *Tap) Seen() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.seen...)
}

// Write keeps a copy of p.
func (t *Tap) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.seen = append(t.seen, p...)
	t.mu.Unlock()
	return len(p), nil
}

func (t *Tap) forward(client net.Conn) {
	up, err := net.DialTimeout("tcp", t.upstream, Patience)
	if err != nil {
		return
	}
	defer up.Close()
	if !t.track(up) {
		return
	}
	defer t.forget(up)
	pipe(teeConn{client, t}, teeConn{up, t})
}

// teeConn copies what is read from a connection to w.
type teeConn struct {
	net.Conn
	w io.Writer
}

func (c teeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	_, _ = c.w.Write(p[:n])
	return n, err
}

// pipe copies both ways until either side ends, then closes both.
func pipe(a, b net.Conn) {
	var wg gosync.WaitGroup
	copyThenClose := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		_ = a.Close()
		_ = b.Close()
	}
	wg.Go(func() { copyThenClose(a, b) })
	wg.Go(func() { copyThenClose(b, a) })
	wg.Wait()
}
