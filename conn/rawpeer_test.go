package conn

import (
	"crypto/tls"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/netchan/netchan/internal/testkit"
	"github.com/netchan/netchan/internal/wire"
)

// rawPeer is the far end of a session, written by hand, over loopback or
// net.Pipe: it completes the handshake as an honest end would, then writes
// whatever frames a test scripts, right or wrong, and reads what the
// Session sends. It is a dialer or a listener, in plaintext or TLS.
type rawPeer struct {
	t        testing.TB
	role     wire.Role // the raw peer's own
	cfg      *Config   // what the raw peer offers
	raw      net.Conn  // the TCP connection
	nc       net.Conn  // raw, or TLS over it
	local    wire.Hello
	remote   wire.Hello // the Session's hello
	secret   []byte     // the session's secret, as the raw peer derives it
	received uint64     // bytes of numbered frames read
}

// dialRaw connects a raw dialer of pcfg to addr and secures the connection
// as pcfg says, offering the ALPN protocols alpn (netchan/2 if none). It
// sends no hello.
func dialRaw(t testing.TB, addr string, pcfg *Config, alpn ...string) (*rawPeer, error) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, testkit.Patience)
	if err != nil {
		return nil, err
	}
	p := &rawPeer{t: t, role: wire.RoleDialer, cfg: pcfg, raw: raw, nc: raw}
	t.Cleanup(p.close)
	if pcfg.TLS != nil {
		tc := pcfg.TLS.Clone()
		tc.NextProtos = []string{ALPN}
		if len(alpn) > 0 {
			tc.NextProtos = alpn
		}
		tc.ServerName = "127.0.0.1"
		c := tls.Client(raw, tc)
		_ = raw.SetDeadline(time.Now().Add(testkit.Patience))
		if err := c.Handshake(); err != nil {
			return nil, err
		}
		_ = raw.SetDeadline(time.Time{})
		p.nc = c
	}
	return p, nil
}

// acceptRaw accepts a connection on nl as a raw listener of pcfg, and
// secures it as pcfg says. It reads nothing.
func acceptRaw(t testing.TB, nl net.Listener, pcfg *Config, alpn ...string) (*rawPeer, error) {
	t.Helper()
	raw, err := nl.Accept()
	if err != nil {
		return nil, err
	}
	p := &rawPeer{t: t, role: wire.RoleListener, cfg: pcfg, raw: raw, nc: raw}
	t.Cleanup(p.close)
	if pcfg.TLS != nil {
		tc := pcfg.TLS.Clone()
		tc.NextProtos = []string{ALPN}
		if len(alpn) > 0 {
			tc.NextProtos = alpn
		}
		c := tls.Server(raw, tc)
		_ = raw.SetDeadline(time.Now().Add(testkit.Patience))
		if err := c.Handshake(); err != nil {
			return nil, err
		}
		_ = raw.SetDeadline(time.Time{})
		p.nc = c
	}
	return p, nil
}

// hello returns the hello an honest raw peer sends on its connection: with
// its proof if it has a secret, and a nonce, or a session id if it is a
// listener.
func (p *rawPeer) hello() wire.Hello {
	p.t.Helper()
	h := honestHello(p.cfg, p.role)
	if p.cfg.Secret != nil {
		var err error
		if h.Proof, err = proof(p.cfg.Secret, p.nc, p.role); err != nil {
			p.t.Fatal(err)
		}
	}
	h.Nonce = random(wire.NonceSize)
	if p.role == wire.RoleListener {
		h.Session = random(wire.SessionIDSize)
	}
	return h
}

// sendHello sends h as the raw peer's hello and keeps it.
func (p *rawPeer) sendHello(h wire.Hello) {
	p.t.Helper()
	p.local = h
	p.write(helloFrame(h))
}

// readHello reads the Session's hello, or its refusal as a *GoAwayError.
func (p *rawPeer) readHello() (wire.Hello, error) {
	p.t.Helper()
	f, err := p.tryRead()
	if err != nil {
		return wire.Hello{}, err
	}
	switch f.Kind {
	case wire.KindGoAway:
		g, err := wire.ParseGoAway(f.Payload)
		if err != nil {
			return wire.Hello{}, err
		}
		return wire.Hello{}, goAwayError(g)
	case wire.KindHello:
	default:
		return wire.Hello{}, fmt.Errorf("a %s frame where a hello belongs", f.Kind)
	}
	if f.Stream != 0 {
		return wire.Hello{}, fmt.Errorf("a hello on stream %d", f.Stream)
	}
	h, err := wire.ParseHello(f.Payload)
	if err != nil {
		return h, err
	}
	p.remote = h
	return h, nil
}

// deriveSecret derives the session's secret from the two hellos, as both
// ends of a new session do.
func (p *rawPeer) deriveSecret() {
	p.t.Helper()
	dialer, listener := p.local, p.remote
	if p.role == wire.RoleListener {
		dialer, listener = p.remote, p.local
	}
	var err error
	if p.secret, err = sessionSecret(p.nc, dialer, listener); err != nil {
		p.t.Fatal(err)
	}
}

// write sends bytes; a failure fails the test, since the Session should
// be reading.
func (p *rawPeer) write(b ...[]byte) {
	p.t.Helper()
	for _, f := range b {
		_ = p.nc.SetWriteDeadline(time.Now().Add(testkit.Patience))
		if _, err := p.nc.Write(f); err != nil {
			p.t.Fatalf("raw peer write: %v", err)
		}
	}
}

// tryWrite sends bytes and reports whether they went: a Session that
// refuses a frame may close the connection before it read the next.
func (p *rawPeer) tryWrite(b ...[]byte) bool {
	for _, f := range b {
		_ = p.nc.SetWriteDeadline(time.Now().Add(testkit.Patience))
		if _, err := p.nc.Write(f); err != nil {
			return false
		}
	}
	return true
}

// close closes the connection. It is idempotent.
func (p *rawPeer) close() { _ = p.nc.Close(); _ = p.raw.Close() }

// reset ends the connection with a TCP reset.
func (p *rawPeer) reset() {
	if tc, ok := p.raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	p.close()
}
